"""Fuzzing raw folders: generated files with odd encodings, BOMs, NULs, huge fields, quoted newlines, broken
JSON and symlinks must keep diplo's accounting whole, raw untouched and reruns byte-identical."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplo import load_outputs, run_pipeline
from diplo.io.raw import Limits

from conftest import raw_snapshot as snapshot

WORDS = ["Iran", "Azerbaijan", "Baku", "Tehran", "corridor", "talks", "signed", "agreement", "the", "and",
         "minister", "said", "energy", "trade", "café", "“peace”", "=cmd", "-x", "@home", "naïve", "€5", "—"]
LIMITS = Limits(max_file_bytes=20_000, max_article_chars=2_000, max_sentence_chars=300)

sentences = st.lists(st.sampled_from(WORDS), min_size=0, max_size=30).map(" ".join)
fields = st.one_of(sentences, sentences.map(lambda s: s + "\n" + s), st.just("x" * 2_500),  # quoted newline, huge
                   st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20))


@st.composite
def text_file(draw) -> bytes:
    body = "\n\n".join(draw(st.lists(sentences, min_size=0, max_size=4)))
    if draw(st.booleans()):
        body = "x" * draw(st.sampled_from([2_100, 25_000])) + body  # over the article / file limit
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1252", "latin-1"]))
    data = body.encode(encoding, errors="replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x80"])) + data[at:]
    return data


@st.composite
def csv_file(draw) -> bytes:
    import csv
    import io

    rows = draw(st.lists(st.lists(fields, min_size=2, max_size=5), min_size=0, max_size=5))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(draw(st.sampled_from([["text", "title", "outlet", "date"], ["body", "x"], ["title"]])))
    writer.writerows(rows)
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = text.replace('"', "", 1)  # an unbalanced quote
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])), errors="replace")


@st.composite
def jsonl_file(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["ok", "broken", "array", "blank", "huge"]))
        record = {"text": draw(sentences), "title": draw(fields), "date": "2023-01-0" + str(draw(st.integers(1, 9)))}
        lines.append({"ok": json.dumps(record), "broken": json.dumps(record)[:-3], "array": "[1, 2]", "blank": "",
                      "huge": json.dumps({**record, "text": "y " * 1_500})}[kind])
    return ("\n".join(lines) + "\n").encode("utf-8")


contents = st.one_of(text_file().map(lambda d: ("txt", d)), csv_file().map(lambda d: ("csv", d)),
                     jsonl_file().map(lambda d: ("jsonl", d)), text_file().map(lambda d: ("html", d)))
raw_folders = st.lists(st.tuples(contents, st.sampled_from(["none", "inside", "outside", "broken"])),
                       min_size=1, max_size=6)


def _write(folder: Path, outside: Path, spec) -> None:
    for i, ((suffix, data), link) in enumerate(spec):
        path = folder / f"f{i:02d}.{suffix}"
        path.write_bytes(data)
        if link == "inside":
            (folder / f"l{i:02d}.{suffix}").symlink_to(path.name)
        elif link == "outside":
            (outside / f"o{i:02d}.{suffix}").write_bytes(data)
            (folder / f"l{i:02d}.{suffix}").symlink_to(outside / f"o{i:02d}.{suffix}")
        elif link == "broken":
            (folder / f"l{i:02d}.{suffix}").symlink_to(f"missing{i}.{suffix}")


def _public(out: Path) -> dict[str, str]:
    """The public outputs' hashes, but run.json's: the one output with times (diplo.run.provenance)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())
            if not p.name.startswith(".") and p.name != "run.json"}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw_folders)
def test_generated_raw_folders_keep_the_accounting_whole(spec):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        raw, outside = tmp / "raw", tmp / "outside"
        raw.mkdir()
        outside.mkdir()
        _write(raw, outside, spec)
        before = snapshot(raw)
        run_pipeline(raw, tmp / "a", scorers=["vader"], limits=LIMITS)
        tables = load_outputs(tmp / "a")
        manifest, rejected = tables["manifest"], tables["rejected_rows"]
        # every file in the manifest, once
        assert sorted(manifest["source_file"]) == sorted(p.name for p in raw.iterdir())
        # rows in = rows out, per file and in total
        assert (manifest["n_rows"] == manifest["n_documents"] + manifest["n_rejected_rows"]).all()
        counted = rejected.groupby("source_file").size()
        assert manifest.set_index("source_file")["n_rejected_rows"].eq(counted).reindex(counted.index).all()
        assert int(manifest["n_documents"].sum()) == len(tables["articles"])
        assert set(manifest["status"]) <= {"ok", "rejected", "duplicate"}
        assert not manifest.loc[manifest["source_file"].str.startswith("l")
                                & (manifest["status"] == "ok"), "source_file"].any()  # links: duplicate/rejected
        assert snapshot(raw) == before
        # the same raw folder gives the same bytes
        run_pipeline(raw, tmp / "b", scorers=["vader"], limits=LIMITS)
        assert _public(tmp / "a") == _public(tmp / "b")
        assert pd.read_parquet(tmp / "b" / "articles.parquet")["doc_id"].is_unique
