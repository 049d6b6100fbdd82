"""Tests for diplo.io.codebook: what it says about missing values matches what diplo writes."""

from __future__ import annotations

import pandas as pd

from diplo.io.codebook import describe, render_codebook


def test_documented_filters_for_missing_values_work(processed):
    articles = pd.read_parquet(processed / "articles.parquet")
    scores = pd.read_parquet(processed / "sentence_scores.parquet")
    # the codebook's own recipe keeps every article of the sample (none is a near-duplicate)
    assert "articles['duplicate_of'].isna()" in describe("articles", "duplicate_of")[2]
    assert len(articles[articles["duplicate_of"].isna()]) == len(articles) == 5
    # unknown article fields are null (NaN), never "" ...
    for column in ["title", "date", "author", "dateline", "url", "duplicate_of"]:
        assert not (articles[column] == "").any(), column
    # ... while sentence actors/speaker use "" (as the rendered codebook says)
    assert scores["actors"].notna().all() and (scores["speaker"] == "").any()
    assert "`.isna()`" in render_codebook()
