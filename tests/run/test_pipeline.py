"""End-to-end: the sample corpus through ``diplo run``."""

from __future__ import annotations

import hashlib
import json
import sys

import pandas as pd
import pytest

from diplo import load_outputs, run_pipeline
from diplo.cli import main
from diplo.io.codebook import describe


def _tree_hash(folder) -> dict[str, str]:
    """Every output's SHA-256 but run.json's, the one file with times and options (diplo.run.provenance), and
    generation.json's, which lists run.json's hash."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in ("run.json", "generation.json")}


def test_run_scores_every_sample_article(processed):
    tables = load_outputs(processed)
    articles = tables["articles"]
    assert len(articles) == 5
    assert articles["doc_id"].is_monotonic_increasing
    assert articles["tone_vader"].between(-1, 1).all()
    assert (articles["n_sentences"] > 5).all()
    assert len(tables["sentences"]) == len(tables["sentence_scores"]) == articles["n_sentences"].sum()
    assert set(tables["manifest"]["status"]) == {"ok"}


def test_every_output_column_is_in_the_codebook(processed):
    for name, table in load_outputs(processed).items():
        key = f"{name}.csv" if name in ("manifest", "rejected_rows") else name
        for column in table.columns:
            describe(key, column)  # raises KeyError when undocumented
    assert "| `tone_vader` |" in (processed / "CODEBOOK.md").read_text()


def test_sentence_offsets_point_into_clean_text(processed):
    tables = load_outputs(processed)
    text = tables["articles"].set_index("doc_id")["text"]
    for row in tables["sentences"].itertuples():
        assert text[row.doc_id][row.start:row.end] == row.text


def test_raw_folder_is_not_written(raw_dir, tmp_path):
    before = _tree_hash(raw_dir)
    run_pipeline(raw_dir, tmp_path / "out")
    assert _tree_hash(raw_dir) == before


def test_same_input_same_bytes(raw_dir, tmp_path):
    run_pipeline(raw_dir, tmp_path / "a")
    run_pipeline(raw_dir, tmp_path / "b")
    assert _tree_hash(tmp_path / "a") == _tree_hash(tmp_path / "b")
    # run.json differs only in its times (the tables and CODEBOOK.md above are the same bytes)
    times = ("started_at", "finished_at", "duration_s")
    a, b = ({k: v for k, v in json.loads((tmp_path / d / "run.json").read_text()).items() if k not in times}
            for d in "ab")
    assert a == b and a["counts"]["n_articles"] == 5


def test_output_inside_raw_is_refused(raw_copy):
    with pytest.raises(ValueError, match="must not be inside the raw folder"):
        run_pipeline(raw_copy, raw_copy / "out")


def test_cli_run_writes_tables(raw_dir, tmp_path, capsys):
    assert main(["run", str(raw_dir), "--out", str(tmp_path)]) == 0
    assert '"n_articles": 5' in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "articles.csv")["doc_id"].tolist() == \
        pd.read_parquet(tmp_path / "articles.parquet")["doc_id"].tolist()


def test_cli_missing_raw_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_ensure_processed_reruns_only_when_something_changed(raw_copy, tmp_path):
    from diplo.run.freshness import ensure_processed

    out = tmp_path / "processed"
    assert ensure_processed(raw_copy, out) is True
    articles = (out / "articles.parquet").read_bytes()
    assert ensure_processed(raw_copy, out) is False  # same inputs, options and code
    assert ensure_processed(raw_copy, out, scorers=["vader"]) is True  # other options
    assert ensure_processed(raw_copy, out, scorers=["vader"]) is False
    (raw_copy / "005_new.txt").write_text("Iran and Azerbaijan signed a transit agreement in Baku on Monday.\n")
    assert ensure_processed(raw_copy, out, scorers=["vader"]) is True  # a new input file
    run_pipeline(raw_copy, out)  # tables rewritten behind the stamp's back
    assert ensure_processed(raw_copy, out, scorers=["vader"]) is True
    assert (out / "articles.parquet").read_bytes() != articles


def test_load_outputs_reads_only_the_tables_and_articles_asked_for(processed):
    tables = load_outputs(processed)
    some = sorted(tables["articles"]["doc_id"])[:2]
    part = load_outputs(processed, tables=["sentences", "manifest"], doc_ids=some)
    assert sorted(part) == ["manifest", "sentences"]
    expected = tables["sentences"][tables["sentences"]["doc_id"].isin(some)].reset_index(drop=True)
    pd.testing.assert_frame_equal(part["sentences"], expected)
    assert len(part["manifest"]) == len(tables["manifest"])
    assert load_outputs(processed, tables=["sentences"], doc_ids=[])["sentences"].empty
    with pytest.raises(ValueError, match=r"unknown table\(s\) \['nope'\]; valid: articles"):
        load_outputs(processed, tables=["nope"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_free_memory_is_returned_to_the_system_on_glibc():
    import platform

    from diplo.run import workers

    workers.return_free_memory()
    if platform.libc_ver()[0] == "glibc":
        assert callable(workers._MALLOC_TRIM)
