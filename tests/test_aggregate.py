"""Aggregation into groups with bootstrap intervals: theme-conditioned tone and actor tone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diplo.aggregate import aggregate_actor_tone, aggregate_theme_tone


def test_theme_tone_uses_only_sentences_that_mention_the_theme():
    scores = pd.DataFrame({"date": ["2023-01-01"] * 3 + ["2023-02-01"], "theme_energy": [1, 0, 2, 1],
                           "theme_corridors": [0, 1, 1, 0], "tone_vader": [0.5, -0.5, 0.1, 0.2]})
    out = aggregate_theme_tone(scores, ["energy", "corridors"], ["tone_vader"], seed=1)
    assert out[["theme", "date", "n"]].values.tolist() == [
        ["corridors", "2023-01-01", 2], ["energy", "2023-01-01", 2], ["energy", "2023-02-01", 1]]
    assert out["tone_vader"].tolist() == pytest.approx([-0.2, 0.3, 0.2])
    assert np.isnan(out["tone_vader_lo"].iloc[2])  # one sentence: no interval


def test_theme_tone_names_missing_theme_column():
    with pytest.raises(ValueError, match=r"missing column\(s\) \['theme_water'\]"):
        aggregate_theme_tone(pd.DataFrame({"date": [], "tone_vader": []}), ["water"], ["tone_vader"])


def test_actor_tone_toward_and_by():
    mentions = pd.DataFrame({
        "doc_id": ["a", "a", "a", "b"], "sent_id": [0, 1, 1, 0], "actor": ["Iran", "Iran", "Iran", "Azerbaijan"],
        "role": ["mention", "mention", "speaker", "mention"], "tone_vader_target": [0.4, -0.2, 0.0, 0.3]})
    scores = pd.DataFrame({"doc_id": ["a", "a", "b"], "sent_id": [0, 1, 0], "tone_vader": [0.1, 0.6, -0.3]})
    out = aggregate_actor_tone(mentions, scores, ["tone_vader"])
    got = {(r.actor, r.role): (r.n, round(r.tone_vader, 3)) for r in out.itertuples()}
    assert got == {("Azerbaijan", "toward"): (1, 0.3), ("Iran", "by"): (1, 0.6), ("Iran", "toward"): (2, 0.1)}
