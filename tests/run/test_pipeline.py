"""End-to-end: the sample corpus through ``diplo run``."""

from __future__ import annotations

import hashlib
import sys

import pandas as pd
import pytest

from diplo import load_outputs, run_pipeline
from diplo.cli import main
from diplo.io.codebook import describe


def _tree_hash(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


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


def test_csv_rows_equal_pandas_to_csv():
    """The articles CSV is written by diplo.io.outputs.csv_rows; pandas' to_csv is the oracle."""
    import numpy as np
    import pandas as pd

    from diplo.io.outputs import csv_rows as _csv_rows

    rng = np.random.default_rng(8)
    n = 400
    pieces = ["a", "B", " ", ",", '"', "\n", "\r", "\t", ";", "'", "\u00e9", "\u201c", "\u2028", "x,y", '""', ""]
    texts = ["".join(rng.choice(pieces, size=rng.integers(0, 8))) for _ in range(n)]
    floats = rng.normal(size=n) * 10.0 ** rng.integers(-9, 18, size=n)
    floats[::7] = np.nan
    floats[1::11] = -0.0
    floats[2::13] = 0.1 + 0.2
    df = pd.DataFrame({
        "text": pd.array(texts, dtype="str"),
        "maybe": pd.Series([t if i % 3 else None for i, t in enumerate(texts)], dtype=object),
        "float": floats,
        "whole": np.arange(n) - 200,
        "flag": rng.random(n) < 0.5,
        "small": (rng.random(n) * 1e-5).round(12),
        "nullable": pd.array([t if i % 4 else None for i, t in enumerate(texts)], dtype="str"),
    })
    df.loc[5:9, "float"] = [np.inf, -np.inf, 1e16, 5e-324, 123456789.0]
    assert _csv_rows(df) == df.to_csv(header=False, index=False, lineterminator="\n")
    assert _csv_rows(df.assign(when=pd.Timestamp("2021-01-01"))) is None  # other dtypes: pandas writes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_free_memory_is_returned_to_the_system_on_glibc():
    import platform

    from diplo.run import workers

    workers.return_free_memory()
    if platform.libc_ver()[0] == "glibc":
        assert callable(workers._MALLOC_TRIM)


def test_empty_raw_folder_writes_tables_with_their_columns(tmp_path):
    """No article: tone_by_date.csv still has its header (pd.read_csv reads it) and the sum tables their columns."""
    raw = tmp_path / "raw"
    raw.mkdir()
    summary = run_pipeline(raw, tmp_path / "out")
    assert summary.n_articles == 0
    by_date = pd.read_csv(tmp_path / "out" / "tone_by_date.csv")
    assert by_date.empty and {"date", "n", "n_articles", "tone_vader", "tone_vader_lo"} <= set(by_date.columns)
    sums = load_outputs(tmp_path / "out", tables=["tone_by_article", "theme_tone_by_article", "actor_tone_by_article"])
    assert {"doc_id", "n", "tone_vader__sum", "tone_vader__count"} <= set(sums["tone_by_article"].columns)
    assert {"theme", "direction"} <= set(sums["theme_tone_by_article"].columns) | set(sums["actor_tone_by_article"])


def test_article_sums_give_the_articles_tone(processed):
    """tone_by_article holds what the notebooks re-bin: its sums over counts are the article means."""
    tables = load_outputs(processed, tables=["articles", "tone_by_article", "theme_tone_by_article",
                                             "actor_tone_by_article", "sentence_scores"])
    sums = tables["tone_by_article"].merge(tables["articles"][["doc_id", "tone_vader"]], on="doc_id")
    assert (sums["tone_vader__sum"] / sums["tone_vader__count"]).to_numpy() == pytest.approx(sums["tone_vader"])
    scores = tables["sentence_scores"]
    energy = tables["theme_tone_by_article"].query("theme == 'energy'")
    assert energy["n"].sum() == (scores["theme_energy"] > 0).sum()
    actors = tables["actor_tone_by_article"]
    assert set(actors["direction"]) == {"toward", "by"}
    assert actors.query("direction == 'by'")["n"].sum() == (scores["speaker"] != "").sum()
