"""Bounded labels (diplo.io.labels): huge outlets, titles and authors are cut at ingest; huge words never
become topic terms."""

from __future__ import annotations

import logging

import pytest

from diplo import load_outputs, run_pipeline
from diplo.io.labels import MAX_LABEL_CHARS, bound_label

from conftest import GOOD_TEXT


@pytest.mark.parametrize("length, expected_length", [(0, 0), (300, 300), (301, 300), (200_000, 300)])
def test_bound_label(length, expected_length):
    value = "x" * length
    cut = bound_label(value)
    assert len(cut) == expected_length and (cut == value) == (length <= MAX_LABEL_CHARS)
    assert length <= MAX_LABEL_CHARS or cut.endswith("\u2026")


@pytest.fixture(scope="module")
def huge(tmp_path_factory):
    base = tmp_path_factory.mktemp("labels")
    raw = base / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD_TEXT)
    (raw / "page.html").write_text(f"<html><head><title>{'T' * 5_000}</title></head><body><article>"
                                   f"<p>{GOOD_TEXT}</p><p>{GOOD_TEXT}</p></article></body></html>")
    (raw / "rows.csv").write_text(f"text,author,outlet\n\"{GOOD_TEXT}\",{'A' * 5_000},Press TV\n")
    (raw / "metadata.csv").write_text(f"file,outlet\ngood.txt,{'O' * 200_000}\n")
    records: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger("diplo").addHandler(handler)
    try:
        run_pipeline(raw, base / "out", scorers=["vader"])
    finally:
        logging.getLogger("diplo").removeHandler(handler)
    return load_outputs(base / "out"), "\n".join(records)


@pytest.mark.parametrize("doc_id, field, full", [
    ("good", "outlet", 200_000), ("page", "title", 5_000), ("rows-000001", "author", 5_000),
])
def test_long_labels_are_cut_at_ingest_with_a_warning(huge, doc_id, field, full):
    tables, log = huge
    value = tables["articles"].set_index("doc_id").loc[doc_id, field]
    assert len(value) == MAX_LABEL_CHARS and value.endswith("\u2026")
    assert f"{field} " in log and f"{full:,}" in log


@pytest.mark.parametrize("source_file, full", [("page.html", "T" * 5_000), ("rows.csv", "A" * 5_000)])
def test_the_full_value_is_kept_in_the_manifest_notes(huge, source_file, full):
    notes = huge[0]["manifest"].set_index("source_file").loc[source_file, "notes"]
    assert "cut from" in notes and notes.endswith("full value: " + full)


def test_a_huge_word_never_becomes_a_topic_term():
    from diplo.analysis.topics import fit_topics, top_terms

    docs = [f"{GOOD_TEXT} corridor energy trade {'z' * 20_000}" if i % 2 else GOOD_TEXT + f" talks round {i}"
            for i in range(8)] + ["y" * 101 + " energy railway corridor"] * 3
    terms = top_terms(fit_topics(docs, n_topics=2, seed=0), n=50)["term"]
    assert len(terms) and terms.str.len().max() <= 100
    assert "y" * 100 not in set(terms)
