"""diplo export dfm: the files load with scipy and pandas and hold the run's counts."""

from __future__ import annotations

import pandas as pd
import pytest
import scipy.io

from diplo.analysis.export import DFM_FILES, WORD_PATTERN, count_features, export_dfm
from diplo.cli import main
from diplo.scoring.match import TOKEN_PATTERN, tokenize


@pytest.fixture(scope="module")
def exports(processed, tmp_path_factory):
    base = tmp_path_factory.mktemp("dfm")
    return {kind: (base / kind, export_dfm(processed, base / kind, features=kind))
            for kind in ("words", "themes", "lexicon")}


def _load(folder):
    matrix = scipy.io.mmread(folder / "dfm.mtx").tocsr()
    features = pd.read_csv(folder / "features.csv", keep_default_na=False)
    docvars = pd.read_csv(folder / "docvars.csv")
    tidy = pd.read_parquet(folder / "tidy_counts.parquet")
    return matrix, features, docvars, tidy


@pytest.mark.parametrize("kind", ["words", "themes", "lexicon"])
def test_export_files_load_with_scipy_and_pandas_and_agree(exports, processed, kind):
    folder, summary = exports[kind]
    assert sorted(p.name for p in folder.iterdir()) == sorted(DFM_FILES)
    matrix, features, docvars, tidy = _load(folder)
    articles = pd.read_parquet(processed / "articles.parquet")
    assert matrix.shape == (len(articles), len(features)) == (summary["n_documents"], summary["n_features"])
    assert docvars["doc_id"].tolist() == articles["doc_id"].tolist()
    assert list(docvars.columns[:4]) == ["doc_id", "date", "outlet", "title"] and "text" not in docvars
    assert list(tidy.columns) == ["doc_id", "feature", "count"] and len(tidy) == matrix.nnz == summary["n_nonzero"]
    assert features["feature"].is_unique and features["feature"].tolist() == sorted(features["feature"])
    assert (features["count"].to_numpy() == matrix.sum(axis=0).A1).all()
    assert (features["n_docs"].to_numpy() == (matrix > 0).sum(axis=0).A1).all()
    # the tidy rows are the matrix's cells
    rows = {d: i for i, d in enumerate(docvars["doc_id"])}
    cols = {f: j for j, f in enumerate(features["feature"])}
    assert all(matrix[rows[r.doc_id], cols[r.feature]] == r.count for r in tidy.itertuples())


def test_theme_counts_are_the_theme_hits(exports, processed):
    matrix, features, docvars, _ = _load(exports["themes"][0])
    hits = pd.read_parquet(processed / "theme_hits.parquet")
    want = hits.groupby(["doc_id", "theme"]).size()
    got = pd.DataFrame(matrix.toarray(), index=docvars["doc_id"], columns=features["feature"]).stack()
    assert got[got > 0].sort_index().to_dict() == want.sort_index().to_dict()


def test_word_features_are_the_matcher_tokens_without_punctuation(exports, processed):
    matrix, features, docvars, _ = _load(exports["words"][0])
    text = pd.read_parquet(processed / "articles.parquet").set_index("doc_id")["text"]
    doc = docvars["doc_id"][0]
    tokens = [t for t in tokenize(text[doc]) if any(ch.isalnum() for ch in t)]
    counts = pd.Series(tokens).value_counts()
    row = pd.Series(matrix[0].toarray().ravel(), index=features["feature"])
    assert row[row > 0].sort_index().to_dict() == counts.sort_index().to_dict()
    assert TOKEN_PATTERN.pattern.startswith(WORD_PATTERN + "|")


@pytest.mark.parametrize("min_count", [0, 1, 3])
def test_min_count_keeps_frequent_features(processed, tmp_path, min_count):
    summary = export_dfm(processed, tmp_path, features="themes", min_count=min_count)
    features = pd.read_csv(tmp_path / "features.csv")
    assert (features["count"] >= min_count).all() and len(features) == summary["n_features"]
    if min_count == 0:  # every theme of the run, also those without a hit
        assert len(features) == 8


def test_export_is_deterministic(processed, tmp_path):
    export_dfm(processed, tmp_path / "a", features="lexicon")
    export_dfm(processed, tmp_path / "b", features="lexicon")
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in DFM_FILES)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"features": "topics"}, ValueError, r"unknown features 'topics'; valid: words, themes, lexicon"),
    ({"min_count": -1}, ValueError, "min_count must be a whole number >= 0, got -1"),
])
def test_bad_options_are_named(processed, tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        export_dfm(processed, tmp_path, **kwargs)


def test_lexicon_features_need_the_lexicon_scorer(raw_dir, tmp_path):
    from diplo import run_pipeline

    run_pipeline(raw_dir, tmp_path / "out", scorers=["vader"])
    with pytest.raises(ValueError, match="made without the lexicon scorer"):
        count_features(tmp_path / "out", features="lexicon")


def test_cli_export_dfm(processed, tmp_path, capsys):
    assert main(["export", "dfm", str(processed), "--out", str(tmp_path / "d"), "--features", "themes",
                 "--min-count", "2"]) == 0
    assert '"features": "themes"' in capsys.readouterr().out
    assert main(["export", "dfm", str(tmp_path / "nothing"), "--out", str(tmp_path / "e")]) == 2
    assert "holds no articles.parquet" in capsys.readouterr().err


def test_export_columns_are_in_the_codebook(exports):
    from diplo.io.codebook import describe

    folder = exports["themes"][0]
    for name in ("features.csv", "tidy_counts.parquet"):
        table = pd.read_csv(folder / name) if name.endswith(".csv") else pd.read_parquet(folder / name)
        for column in table.columns:
            describe(f"dfm/{name}", column)
    describe("dfm/docvars.csv", "doc_id")
