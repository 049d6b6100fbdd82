"""Aggregation: article means, word-weighted means, grouped means with seeded bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diplo.aggregate import aggregate_articles, aggregate_by, bootstrap_ci


def _scores():
    return pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "n_words": [10, 30, 5, 4],
                         "tone_vader": [1.0, 0.0, np.nan, -0.5], "tone_diplomatic": [4.0, -2.0, 6.0, np.nan]})


def test_article_mean_and_word_weighted_mean_skip_nan():
    out = aggregate_articles(_scores(), ["tone_vader", "tone_diplomatic"]).set_index("doc_id")
    assert out.loc["a", "tone_vader"] == pytest.approx(0.5)
    assert out.loc["a", "tone_vader_wmean"] == pytest.approx(10 / 40)      # the NaN sentence's 5 words drop out
    assert out.loc["a", "tone_diplomatic_wmean"] == pytest.approx((40 - 60 + 30) / 45)
    assert np.isnan(out.loc["b", "tone_diplomatic"]) and np.isnan(out.loc["b", "tone_diplomatic_wmean"])


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"missing column\(s\) \['tone_lexicon'\]"):
        aggregate_articles(_scores(), ["tone_lexicon"])


def test_bootstrap_is_seeded_and_brackets_the_mean():
    rng = np.random.default_rng(1)
    values = rng.normal(2, 1, 200)
    lo, hi = bootstrap_ci(values, seed=3)
    assert lo < values.mean() < hi and (lo, hi) == bootstrap_ci(values, seed=3)
    assert np.isnan(bootstrap_ci(np.array([1.0]))[0])


def test_aggregate_by_groups_with_intervals():
    table = pd.DataFrame({"outlet": ["x", "x", "x", "y"], "tone_vader": [0.1, 0.3, 0.2, 0.5]})
    out = aggregate_by(table, "outlet", ["tone_vader"])
    assert out["outlet"].tolist() == ["x", "y"] and out["n"].tolist() == [3, 1]
    assert out.loc[0, "tone_vader_lo"] <= out.loc[0, "tone_vader"] <= out.loc[0, "tone_vader_hi"]
    assert np.isnan(out.loc[1, "tone_vader_lo"])
