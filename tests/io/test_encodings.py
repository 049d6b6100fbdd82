"""diplo.io.raw encodings on real-shaped inputs: mixed files are refused, tables are decided on the whole
stream, and every row of every table is accounted for (n_rows = n_documents + n_rejected_rows)."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplo.io.raw import load_documents

STORY = "Iran and Azerbaijan discussed the Aras transit corridor in Baku."


def _load(raw):
    manifest, rejected = [], []
    docs = list(load_documents(raw, manifest, rejected))
    return docs, {m.source_file: m for m in manifest}, rejected


@pytest.mark.parametrize("data", [
    "Le café de Téhéran. ".encode("cp1252") + "Then the UTF-8 part: café, Bakı, Əliyev.".encode("utf-8"),
    "The UTF-8 part first: café. ".encode("utf-8") + "Then cp1252: “quoted” café.".encode("cp1252"),
])
def test_a_file_mixing_cp1252_and_utf8_is_rejected_not_guessed(tmp_path, data):
    (tmp_path / "mixed.txt").write_bytes(data)
    docs, manifest, _ = _load(tmp_path)
    m = manifest["mixed.txt"]
    assert docs == [] and m.status == "rejected"
    assert "UTF-8" in m.reason and ("mixed encodings" in m.reason or "otherwise UTF-8" in m.reason)


@pytest.mark.parametrize("text, encoding", [
    ("Le café de Téhéran, “cited”.", "cp1252"),
    ("Кофе в Тегеране и Баку, переговоры министров продолжаются.", "utf-8"),
])
def test_one_encoding_throughout_is_read(tmp_path, text, encoding):
    (tmp_path / "one.txt").write_bytes(text.encode(encoding))
    docs, manifest, _ = _load(tmp_path)
    assert [d.text for d in docs] == [text]


def test_a_cp1252_export_whose_first_accent_is_at_row_15000_is_read_whole(tmp_path):
    rows = [f"{i},{STORY} Row {i}." for i in range(1, 20_007)]
    rows[14_999] = "15000,Le café de Téhéran: the first non-ASCII byte of the file."
    (tmp_path / "export.csv").write_bytes(("id,text\n" + "\n".join(rows) + "\n").encode("cp1252"))
    docs, manifest, rejected = _load(tmp_path)
    m = manifest["export.csv"]
    # no byte in 0x80-0x9f: cp1252 and latin-1 read it the same, and the manifest says latin-1
    assert (m.status, m.reason) == ("ok", "") and m.encoding in ("cp1252", "latin-1")
    assert m.n_rows == m.n_documents == len(docs) == 20_006 and rejected == []
    assert docs[14_999].text == "Le café de Téhéran: the first non-ASCII byte of the file."


def test_a_bad_byte_after_the_first_megabyte_of_a_utf8_table_rejects_only_its_row(tmp_path):
    good = "".join(f'{i},"{STORY} Bakı, Əliyev, row {i}."\n' for i in range(1, 20_001)).encode("utf-8")
    assert len(good) > 1 << 20
    data = b"id,text\n" + good + b'20001,"caf\xe9 in cp1252"\n20002,"' + STORY.encode() + b'"\n'
    (tmp_path / "late.csv").write_bytes(data)
    docs, manifest, rejected = _load(tmp_path)
    m = manifest["late.csv"]
    assert m.status == "ok" and m.encoding == "utf-8"
    assert (m.n_rows, m.n_documents, m.n_rejected_rows) == (20_002, 20_001, 1)
    assert [(r.row, r.reason[:30]) for r in rejected] == [(20_001, "bytes that are not UTF-8 in th")]
    assert docs[-1].text == STORY


# ----------------------------------------------------------------------- every row accounted for

_ROW_TEXT = st.text(alphabet=list("Iran bcé“ü,\"\n\r;ƏБаку"), min_size=0, max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_ROW_TEXT, min_size=1, max_size=40),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
       bad_at=st.one_of(st.none(), st.integers(0, 39)),
       bad=st.sampled_from([b"\xff", b"\xe9", b"\x81", b"\xc3"]),
       padding=st.sampled_from([0, 1 << 20]))
def test_every_row_of_a_table_is_a_document_or_a_rejected_row(tmp_path_factory, texts, encoding, bad_at, bad,
                                                               padding):
    raw = tmp_path_factory.mktemp("t")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")  # quotes fields with commas, quotes and newlines
    writer.writerow(["id", "text"])
    if padding:  # push the interesting bytes past the first megabyte
        writer.writerow(["pad", "x" * padding])
    for i, text in enumerate(texts):
        writer.writerow([i, text])
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buffer.getvalue().encode("utf-8")
    if bad_at is not None and encoding in ("utf-8", "cp1252"):
        lines = data.split(b"\n")
        at = min(bad_at + 1 + bool(padding), len(lines) - 2)
        lines[at] += b"," + bad if b'"' not in lines[at] else bad  # a stray byte at the end of a late line
        data = b"\n".join(lines)
    (raw / "t.csv").write_bytes(data)
    docs, manifest, rejected = _load(raw)
    m = manifest["t.csv"]
    assert m.n_rows == m.n_documents + m.n_rejected_rows
    assert len(docs) == m.n_documents and len(rejected) == m.n_rejected_rows
    assert "partially read" not in m.reason
    if m.status == "ok":
        assert all("\ufffd" not in d.text and "Ã" not in d.text for d in docs)  # never mojibake
    else:
        assert m.status == "rejected" and m.reason


@pytest.mark.parametrize("bom, encoding", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")])
def test_a_bom_table_with_quoted_newlines_keeps_every_row(tmp_path, bom, encoding):
    text = 'id,text\n1,"Iran and\nAzerbaijan met."\n2,"Bakı, Əliyev."\n'
    (tmp_path / "b.csv").write_bytes(bom + text.encode(encoding))
    docs, manifest, _ = _load(tmp_path)
    assert [d.text for d in docs] == ["Iran and\nAzerbaijan met.", "Bakı, Əliyev."]
    assert manifest["b.csv"].n_rows == 2
