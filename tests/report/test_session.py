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


@pytest.fixture(scope="module")
def dated_corpus(tmp_path_factory):
    """120 synthetic articles with dates (some the same day, some undated) and three outlets, processed."""
    import sys

    import pandas as pd

    from conftest import ROOT
    from diplo import run_pipeline

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import generate_articles, write_corpus

    root = tmp_path_factory.mktemp("dated")
    articles = generate_articles(120, seed=5)
    raw = write_corpus(articles, root / "raw")
    days = pd.date_range("2023-01-01", periods=30, freq="3D").strftime("%Y-%m-%d").tolist()
    pd.DataFrame({"file": [f"{a.doc_id}.txt" for a in articles],
                  "date": ["" if i % 17 == 0 else days[(i * 7) % len(days)] for i in range(len(articles))],
                  "outlet": [("Press TV", "Mehr News", "Tehran Times")[i % 3] for i in range(len(articles))]}
                 ).to_csv(raw / "metadata.csv", index=False)
    run_pipeline(raw, root / "processed")
    return raw, root / "processed"


def _whole(processed, name):
    import pandas as pd

    return pd.read_parquet(processed / f"{name}.parquet")


@pytest.mark.parametrize("outlets", [[], ["Press TV", "Mehr News"]])
@pytest.mark.parametrize("per_theme, theme", [(3, ""), (5, ""), (5, "energy"), (2, "trade")])
def test_kwic_hits_are_the_first_hits_in_date_order_of_the_whole_table(tmp_path, dated_corpus, outlets,
                                                                        per_theme, theme):
    """Read only the first articles of each theme, the hits are those of sorting every hit in date order."""
    from diplo.report.tables import theme_kwic

    raw, processed = dated_corpus
    run = start_notebook(parse_params(raw_dir=str(raw), output_dir=str(tmp_path / "out"),
                                      processed_dir=str(processed), outlets=outlets), "03_themes")
    articles = run.tables["articles"]
    every = _whole(processed, "theme_hits")
    every = every[every["doc_id"].isin(set(articles["doc_id"])) & ((every["theme"] == theme) if theme else True)]
    expected = theme_kwic(every, articles, per_theme=per_theme)
    got = theme_kwic(run.kwic_hits(per_theme=per_theme, theme=theme), articles, per_theme=per_theme)
    assert len(expected) >= per_theme and expected["theme"].nunique() == (1 if theme else every["theme"].nunique())
    assert got.to_dict("records") == expected.to_dict("records")


@pytest.mark.parametrize("batch_rows", [64, 100_000])
@pytest.mark.parametrize("column, n, largest, themes", [
    ("tone_diplomatic", 5, True, ("",)), ("tone_diplomatic", 5, False, ("",)), ("tone_vader", 3, True, ("",)),
    ("tone_diplomatic", 1, True, ("energy", "trade", "security")), ("tone_lexicon", 2, False, ("corridors", "trade")),
])
def test_top_sentences_read_in_batches_are_those_of_the_whole_table(tmp_path, dated_corpus, monkeypatch, batch_rows,
                                                                     column, n, largest, themes):
    """Keeping only each batch's best (ties included) gives the ranking of every sentence at once."""
    import pandas as pd

    from diplo.report import session
    from diplo.report.tables import theme_sentences, top_sentences

    monkeypatch.setattr(session, "_BATCH_ROWS", batch_rows)
    raw, processed = dated_corpus
    run = start_notebook(parse_params(raw_dir=str(raw), output_dir=str(tmp_path / "out"),
                                      processed_dir=str(processed)), "02_tone")
    tables = {name: _whole(processed, name) for name in ("sentence_scores", "sentences", "evidence")}
    tables["articles"] = run.tables["articles"]
    got = run.top_sentences(column, n=n, largest=largest, themes=themes)
    for theme in themes:
        expected = top_sentences(tables, column, n=n, largest=largest,
                                 scores=theme_sentences(tables["sentence_scores"], theme))
        mine = got[got["theme"] == theme].drop(columns="theme") if theme else got
        assert len(expected) == n
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), expected)
