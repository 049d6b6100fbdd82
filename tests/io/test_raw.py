"""diplo.io.raw: file discovery, encodings, tabular streaming, column mapping, limits, metadata.csv."""

from __future__ import annotations

import codecs
import logging
import os

import pytest

from diplo.io import raw as load
from diplo.io.raw import (Limits, decode_bytes, iter_raw_files, load_documents, load_metadata, parse_columns)

TEXT = "Amir-Abdollahian met Bayramov in Baku: “constructive” talks — a café, 5 €."


def _load(raw, **kw):
    manifest, rejected = [], []
    docs = list(load_documents(raw, manifest, rejected, **kw))
    return docs, {m.source_file: m for m in manifest}, rejected


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    (TEXT.encode("cp1252"), "cp1252"),
    ("Café naïve in São Paulo: résumé of the talks in Baku.".encode("latin-1"), "latin-1"),
])
def test_decode_bytes_finds_the_encoding(data, encoding):
    text, found = decode_bytes(data)
    assert found == encoding
    assert text in (TEXT, "Café naïve in São Paulo: résumé of the talks in Baku.")


def test_decode_bytes_reads_cyrillic_code_pages():
    text = "Министр иностранных дел Ирана встретился с президентом Азербайджана в Баку."
    assert decode_bytes(text.encode("cp1251"))[0] == text


@pytest.mark.parametrize("data, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file (PNG image)"),
    (b"%PDF-1.7 ...", "binary file (PDF document)"),
    (b"plain text\x00with a NUL", "NUL byte at offset 10"),
    ("Amir-Abdollahian “said”".encode() + b" \xff\xfe", "invalid UTF-8: byte 0xff"),
    (b"\xff\xfe\x00\xd8", "utf-16 byte-order mark but undecodable"),
])
def test_decode_bytes_rejects_non_text(data, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode_bytes(data)


@pytest.mark.parametrize("spec, expected", [
    ("text=body,date=pubdate", {"text": "body", "date": "pubdate"}),
    (" text = story ", {"text": "story"}),
    ({"outlet": "site"}, {"outlet": "site"}),
    (None, {}),
])
def test_parse_columns(spec, expected):
    assert parse_columns(spec) == expected


@pytest.mark.parametrize("spec, message", [
    ("body=text", r"unknown field\(s\) \['body'\].*valid fields"),
    ("text", "is not FIELD=COLUMN"),
    ("text=", "is not FIELD=COLUMN"),
])
def test_parse_columns_errors_name_the_bad_value(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_columns(spec)


def test_limits_are_validated():
    with pytest.raises(ValueError, match="max_sentence_chars must be a positive integer, got 0"):
        Limits(max_sentence_chars=0)


def test_files_are_listed_in_sorted_order_without_metadata_csv(tmp_path):
    for name in ("b.txt", "a.txt", "sub/c.txt", "metadata.csv", "sub/metadata.csv"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [rel for rel, _, _ in iter_raw_files(tmp_path)] == ["a.txt", "b.txt", "sub/c.txt", "sub/metadata.csv"]


def test_missing_raw_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        list(iter_raw_files(tmp_path / "nope"))


def test_symlinks_inside_are_followed_outside_not(tmp_path):
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    raw.mkdir(), outside.mkdir()
    (raw / "story.txt").write_text("Iran and Azerbaijan met in Baku.")
    (outside / "x.txt").write_text("private")
    (raw / "z-alias.txt").symlink_to(raw / "story.txt")
    (raw / "escape.txt").symlink_to(outside / "x.txt")
    (raw / "dir-link").symlink_to(outside, target_is_directory=True)
    docs, manifest, _ = _load(raw)
    assert [d.doc_id for d in docs] == ["story"]
    assert (manifest["z-alias.txt"].status, manifest["z-alias.txt"].reason) == ("duplicate", "same bytes as story.txt")
    assert "outside the raw folder: not followed" in manifest["escape.txt"].reason
    assert manifest["dir-link/"].reason == "symlinked folder: not followed"
    assert "private" not in " ".join(d.text for d in docs)


def test_doc_id_clash_gets_a_stable_suffix(tmp_path, caplog):
    (tmp_path / "a.txt").write_text("Iran and Azerbaijan met in Baku.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Aliyev welcomed the delegation in Baku.")
    (tmp_path / "a.csv").write_text("text\nIran and Azerbaijan met.\n")
    docs, _, _ = _load(tmp_path)
    assert docs[0].doc_id == "a-000001" and docs[1].doc_id.startswith("a-") and len(docs[1].doc_id) == 10
    assert docs[2].doc_id.startswith("a-") and len(docs[2].doc_id) == 10 and docs[2].doc_id != docs[1].doc_id
    assert "a.txt: doc_id 'a' already used" in caplog.text


@pytest.mark.parametrize("suffix, content", [
    (".csv", "Headline,Body,PubDate,Source,Link,Author\n"
             "Talks,\"Iran and Azerbaijan met.\",2023-10-05,PressTV,http://x/1,Jane Doe\n"),
    (".tsv", "headline\tcontent\tpublished\tpublisher\turl\tbyline\n"
             "Talks\tIran and Azerbaijan met.\t2023-10-05\tPressTV\thttp://x/1\tJane Doe\n"),
    (".jsonl", '{"title": "Talks", "article": "Iran and Azerbaijan met.", "date": "2023-10-05", '
               '"outlet": "PressTV", "link": "http://x/1", "author": "Jane Doe"}\n'),
])
def test_tabular_columns_are_detected_by_common_names(tmp_path, suffix, content):
    (tmp_path / f"export{suffix}").write_text(content)
    docs, manifest, _ = _load(tmp_path)
    assert [d.doc_id for d in docs] == ["export-000001"]
    assert docs[0].text == "Iran and Azerbaijan met."
    assert docs[0].meta == {"title": "Talks", "date": "2023-10-05", "outlet": "PressTV", "url": "http://x/1",
                            "author": "Jane Doe"}
    assert docs[0].meta_source == "table"
    assert manifest[f"export{suffix}"].n_documents == 1


def test_explicit_mapping_wins_and_a_missing_mapped_column_rejects_the_file(tmp_path):
    (tmp_path / "a.csv").write_text("text,summary\nlong story here,short\n")
    docs, _, _ = _load(tmp_path, columns="text=summary")
    assert docs[0].text == "short"
    docs, manifest, _ = _load(tmp_path, columns={"date": "when"})
    assert docs == [] and "column 'when' given for 'date' is not in the file" in manifest["a.csv"].reason


def test_csv_rows_are_accounted_for(tmp_path):
    (tmp_path / "a.csv").write_text('text,title\n"line one\nline two",T1\nextra,T2,x\n\n,T3\nshort\nok,T5\n')
    docs, manifest, rejected = _load(tmp_path)
    assert [d.doc_id for d in docs] == ["a-000001", "a-000005"]
    assert docs[0].text == "line one\nline two"
    assert [(r.row, r.reason) for r in rejected] == [
        (2, "row has 3 fields, the header has 2"), (3, "empty text"), (4, "row has 1 fields, the header has 2")]
    m = manifest["a.csv"]
    assert (m.n_rows, m.n_documents, m.n_rejected_rows, m.status) == (5, 2, 3, "ok")


def test_utf16_and_cp1252_csv(tmp_path):
    (tmp_path / "u16.csv").write_bytes("text\n“Peace” in Baku\n".encode("utf-16"))
    (tmp_path / "win.csv").write_bytes("text\n“Peace” in Baku — café\n".encode("cp1252"))
    docs, manifest, _ = _load(tmp_path)
    assert [d.text for d in docs] == ["“Peace” in Baku", "“Peace” in Baku — café"]
    assert (manifest["u16.csv"].encoding, manifest["win.csv"].encoding) == ("utf-16", "cp1252")


def test_tabular_files_are_streamed(tmp_path, monkeypatch):
    rows = "".join(f"Article number {i} about Iran and Azerbaijan.\n" for i in range(60_000))
    (tmp_path / "big.csv").write_text("text\n" + rows)
    size = (tmp_path / "big.csv").stat().st_size
    read = []
    real_open = load._open

    class Counting:
        def __init__(self, fh):
            self.fh = fh

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def read(self, n=-1):
            data = self.fh.read(n)
            read.append(len(data))
            return data

        def read1(self, n=-1):
            return self.read(n)

        def readinto(self, b):
            n = self.fh.readinto(b)
            read.append(n or 0)
            return n

    monkeypatch.setattr(load, "_open", lambda path: Counting(real_open(path)))
    monkeypatch.setattr(load, "_hash_file", lambda path: (size, "0" * 64))
    monkeypatch.setattr(load, "_SCAN_BLOCK", 1 << 16)
    docs = load_documents(tmp_path, [])
    first = next(docs)
    assert first.doc_id == "big-000001"
    # the encoding is decided on the whole stream, but in blocks: never the whole file at once
    assert max(read) <= 1 << 20 < size
    docs.close()


@pytest.mark.parametrize("limits, reason", [
    (Limits(max_file_bytes=10), "over the 10-byte limit for one article (max_file_bytes): not read"),
    (Limits(max_article_chars=10), "over the 10 limit (max_article_chars)"),
])
def test_size_limits_reject_with_a_reason(tmp_path, limits, reason):
    (tmp_path / "long.txt").write_text("Iran and Azerbaijan " * 5)
    docs, manifest, _ = _load(tmp_path, limits=limits)
    assert docs == [] and reason in manifest["long.txt"].reason


def test_a_row_over_the_article_limit_is_rejected(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "' + "x" * 50 + '"}\n{"text": "short"}\n')
    docs, _, rejected = _load(tmp_path, limits=Limits(max_article_chars=20))
    assert [d.text for d in docs] == ["short"]
    assert rejected[0].reason == "text is 50 characters, over the 20 limit"


def test_jsonl_objects_without_text_are_rejected_rows(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"title": "no text"}\n{"body": "Iran and Azerbaijan met."}\n{"text": 5}\n')
    docs, manifest, rejected = _load(tmp_path)
    assert [d.text for d in docs] == ["Iran and Azerbaijan met.", "5"]
    assert rejected[0].row == 1 and "no text column" in rejected[0].reason


def test_html_page_extraction(tmp_path):
    from conftest import ARTICLE_HTML

    (tmp_path / "page.htm").write_text(ARTICLE_HTML)
    docs, manifest, _ = _load(tmp_path)
    doc = docs[0]
    assert (doc.doc_id, doc.format, doc.meta_source) == ("page", "html", "html")
    assert doc.meta["title"] == "Iran and Azerbaijan agree on railway link"
    assert doc.meta["date"] == "2023-10-05" and doc.meta["author"] == "Jane Doe"
    assert doc.text.count("\n\n") == 2  # three paragraphs, title line not repeated
    assert manifest["page.htm"].format == "html"


def test_metadata_csv_is_validated(tmp_path, caplog):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "metadata.csv").write_text("file,date,outlet,notes\na.txt,2023-02-30,Press TV,n\n"
                                           "gone.txt,2023-01-01,,\n")
    with caplog.at_level(logging.WARNING):
        meta = load_metadata(tmp_path)
    assert meta.to_dict("records") == [{"file": "a.txt", "date": "", "outlet": "Press TV"}]
    assert "metadata.csv line 2: date '2023-02-30' is not a valid YYYY-MM-DD date" in caplog.text
    assert "metadata.csv line 3: file 'gone.txt' is not in the raw folder; row ignored" in caplog.text


def test_no_metadata_csv_is_an_empty_table(tmp_path):
    assert load_metadata(tmp_path).empty


def test_an_overlong_jsonl_line_is_skipped_and_the_next_read(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "' + "x" * 70_000 + '"}\n{"text": "next line"}\n')
    docs, manifest, rejected = _load(tmp_path, limits=Limits(max_article_chars=10))
    assert [d.text for d in docs] == ["next line"]
    assert (rejected[0].row, rejected[0].reason) == (1, "line is longer than 65,556 characters "
                                                        "(2 x max_article_chars + 64 KiB)")


def test_cli_limit_options_reach_the_loader(tmp_path):
    from diplo.cli import main

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Iran and Azerbaijan met in Baku and agreed to expand trade.")
    assert main(["run", str(raw), "--out", str(tmp_path / "out"), "--max-article-chars", "10"]) == 1
    manifest = (tmp_path / "out" / "manifest.csv").read_text()
    assert "over the 10 limit (max_article_chars)" in manifest


def test_semicolon_csv_and_non_utf8_file_names(tmp_path):
    (tmp_path / "eu.csv").write_text("titel;text\nA;Iran und Aserbaidschan, heute\n")
    (tmp_path / os.fsdecode(b"caf\xe9.txt")).write_text("Iran and Azerbaijan met.")
    docs, manifest, _ = _load(tmp_path)
    assert [d.text for d in docs] == ["Iran and Azerbaijan met.", "Iran und Aserbaidschan, heute"]
    assert sorted(manifest) == ["caf\\xe9.txt", "eu.csv"]


def test_a_late_code_page_byte_decides_the_whole_table(tmp_path):
    rows = "".join(f"Article {i} about Iran and Azerbaijan.\n" for i in range(40_000))
    (tmp_path / "a.csv").write_bytes(b"text\n" + rows.encode() + b"bad \xff\xfe row\n")
    docs, manifest, _ = _load(tmp_path)
    m = manifest["a.csv"]
    assert len(docs) == m.n_documents == m.n_rows == 40_001
    assert m.status == "ok" and m.reason == "" and m.encoding in ("cp1252", "latin-1")
    assert docs[-1].text == "bad \xff\xfe row"


def test_a_parser_failure_rejects_only_that_file(tmp_path, monkeypatch, caplog):
    (tmp_path / "odd.html").write_text("<html><body><p>x</p></body></html>")
    (tmp_path / "ok.txt").write_text("Iran and Azerbaijan met in Baku.")

    def boom(html):
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(load, "_extract_html", boom)
    docs, manifest, _ = _load(tmp_path)
    assert [d.doc_id for d in docs] == ["ok"]
    assert manifest["odd.html"].reason == "could not be read (RuntimeError: parser crashed)"
    assert "odd.html: could not be read" in caplog.text


def test_a_field_over_the_csv_limit_stops_the_file(tmp_path):
    import csv

    old = csv.field_size_limit()
    try:
        csv.field_size_limit(0)  # the loader raises it to max_article_chars + 1 = 21
        (tmp_path / "a.csv").write_text('text\nfirst row\n"' + "x, y\n" * 20 + '"\nafter\n')
        docs, manifest, rejected = _load(tmp_path, limits=Limits(max_article_chars=20))
    finally:
        csv.field_size_limit(old)
    assert [d.text for d in docs] == ["first row"]
    assert rejected[0].row == 2 and "field larger than field limit" in rejected[0].reason
    assert manifest["a.csv"].reason.startswith("partially read: stopped at row 2")


def test_a_page_saved_as_txt_is_extracted_as_html(tmp_path):
    from conftest import ARTICLE_HTML

    (tmp_path / "saved.txt").write_text("<!DOCTYPE html>\n" + ARTICLE_HTML)
    docs, _, _ = _load(tmp_path)
    assert docs[0].meta_source == "html" and "<p>" not in docs[0].text and "Rasht-Astara" in docs[0].text


def _page(body: str, title: str = "Iran and Azerbaijan") -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"


@pytest.mark.parametrize("body, why", [
    ("<nav>" + "".join(f"<p><a href='/s{i}'>Section {i}</a></p>" for i in range(40)) + "</nav>", "are links"),
    ("<div>" + "".join(f"<p>Section {i}</p>" for i in range(40)) + "</div>", "short labels with no sentence"),
    ("<div>" + "".join(f"<p>Politics news item {i} of the archive, page {i}, updated daily</p>" for i in range(12))
     + "</div>", "repeat one pattern"),
])
def test_a_navigation_only_page_is_no_article(tmp_path, body, why):
    (tmp_path / "sections.html").write_text(_page(body))
    docs, manifest, _ = _load(tmp_path)
    assert docs == [] and manifest["sections.html"].status == "rejected"
    assert manifest["sections.html"].reason.startswith("no article: ") and why in manifest["sections.html"].reason


def test_an_article_page_with_a_menu_is_kept(tmp_path):
    menu = "<nav>" + "".join(f"<a href='/s{i}'>Section {i}</a>" for i in range(40)) + "</nav>"
    story = "".join(f"<p>{s}</p>" for s in [
        "The foreign ministers of Iran and Azerbaijan met in Baku on Thursday to discuss regional transit.",
        "They agreed to expand transit through the Aras corridor, officials said after the meeting.",
        "Trade between the two neighbours grew by a fifth last year, according to customs figures.",
        "The ministers also discussed the reopening of the embassy in Tehran.",
        "A follow-up meeting is planned in Tehran early next year, the ministry said."])
    (tmp_path / "story.html").write_text(_page(menu + f"<article>{story}</article>"))
    docs, manifest, _ = _load(tmp_path)
    assert manifest["story.html"].status == "ok" and "Aras corridor" in docs[0].text
