"""Notebook sessions opened interactively share one processed folder, rebuilt only when the inputs change."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from conftest import RAW
from diplo.report.params import parse_params
from diplo.report.session import default_processed_dir, start_notebook


@pytest.mark.parametrize("raw, output, expected", [
    ("proj/data/raw", "proj/reports/interactive/01_corpus", "proj/data/processed"),
    ("proj/data/raw", "proj/reports/interactive/06_report", "proj/data/processed"),
    ("corpora/tehrantimes", "proj/reports/interactive/02_tone", "proj/reports/interactive/processed/tehrantimes-"),
])
def test_default_processed_dir(tmp_path, raw, output, expected):
    (tmp_path / raw).mkdir(parents=True)
    got = default_processed_dir(tmp_path / raw, tmp_path / output)
    if expected.endswith("-"):
        key = hashlib.sha256(str((tmp_path / raw).resolve()).encode()).hexdigest()[:8]
        assert got == (tmp_path / expected).resolve().parent / f"tehrantimes-{key}"
    else:
        assert got == (tmp_path / expected).resolve()


def test_two_corpora_never_share_a_folder(tmp_path):
    out = tmp_path / "reports" / "interactive" / "01_corpus"
    a, b = default_processed_dir(tmp_path / "a" / "news", out), default_processed_dir(tmp_path / "b" / "news", out)
    assert a != b and a.parent == b.parent == tmp_path / "reports" / "interactive" / "processed"


def test_notebooks_opened_interactively_process_the_corpus_once(tmp_path):
    """Two notebooks with their own output folders and empty processed_dir: one data/processed, built once."""
    raw = tmp_path / "data" / "raw"
    shutil.copytree(RAW, raw)
    before = sorted((p.name, p.read_bytes()) for p in raw.iterdir())
    runs = []
    for name in ("01_corpus", "02_tone"):
        params = parse_params(raw_dir=str(raw), output_dir=str(tmp_path / "reports" / "interactive" / name))
        runs.append(start_notebook(params, name))
        if name == "01_corpus":
            stamp = (tmp_path / "data" / "processed" / ".diplo-stamp.json").stat().st_mtime_ns
    assert (tmp_path / "data" / "processed" / ".diplo-stamp.json").stat().st_mtime_ns == stamp  # not rebuilt
    assert not list((tmp_path / "reports").rglob("*.parquet")), "no notebook processes into its own folder"
    assert [len(r.tables["articles"]) for r in runs] == [5, 5]
    assert sorted((p.name, p.read_bytes()) for p in raw.iterdir()) == before  # raw untouched


def test_notebooks_hold_article_metadata_and_read_texts_only_for_the_articles_asked(tmp_path, processed):
    """The texts are most of the article table (1.3 GB at 200,000 articles): a notebook holds the rest."""
    p = parse_params(raw_dir=str(RAW), output_dir=str(tmp_path / "out"), processed_dir=str(processed))
    run = start_notebook(p, "03_themes")
    articles = run.tables["articles"]
    assert "text" not in articles.columns and len(articles) == 5 and "n_words" in articles.columns
    two = articles.sort_values("doc_id").tail(2)
    texts = run.article_texts(two)
    assert texts["doc_id"].tolist() == two["doc_id"].tolist()
    assert texts["text"].str.len().gt(200).all()
    assert run.read("articles", columns=["doc_id", "text"])["text"].notna().sum() == 5  # read from the file


@pytest.mark.parametrize("n, expected", [
    (2, "topic shares of a seeded random sample of 2 of the 5 selected articles; grey bars count sampled articles"),
    (5, ""), (9, "")])
def test_sample_note_says_when_a_chart_is_drawn_from_a_sample(tmp_path, processed, n, expected):
    p = parse_params(raw_dir=str(RAW), output_dir=str(tmp_path / "out"), processed_dir=str(processed))
    run = start_notebook(p, "03_themes")
    sample = run.sample_articles(n)
    assert len(sample) == min(n, 5)
    assert run.sample_note(sample, "topic shares") == expected
