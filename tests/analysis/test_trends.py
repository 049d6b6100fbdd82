"""Calendar bins, binned means with intervals, change points: on article-level rows shaped like diplo run's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diplo.analysis.trends import (aggregate_binned, bin_dates, choose_freq, detect_change_points, freq_label,
                                   top_names)


def _articles(n: int, *, seed: int = 0, days: int = 2000, shift: float = 0.0, outlets=("A", "B", "C")):
    """One row per article as tone_by_article (plus date, outlet): sums and counts of ``n`` sentences."""
    rng = np.random.default_rng(seed)
    dates = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    later = np.asarray(dates > pd.Timestamp("2021-06-01"), dtype=float)
    sentences = rng.integers(5, 30, n)
    tone = rng.normal(0, 1, n) + shift * later
    return pd.DataFrame({"doc_id": [f"d{i:05d}" for i in range(n)], "date": dates.strftime("%Y-%m-%d"),
                         "outlet": rng.choice(list(outlets), n), "n": sentences,
                         "tone__sum": tone * sentences, "tone__count": sentences})


def _daily(start: str, days: int, *, step: int = 1) -> list[str]:
    return pd.date_range(start, periods=days // step, freq=f"{step}D").strftime("%Y-%m-%d").tolist()


@pytest.mark.parametrize("dates, expected", [
    (["2023-01-02", "2023-01-03", "2023-02-01"], "day"),
    (_daily("2023-01-02", 200), "week"),  # 200 days with data, 29 weeks
    (_daily("2021-01-01", 3 * 365), "month"),  # 157 weeks, 36 months
    (_daily("2014-01-01", 3652), "quarter"),  # 120 months, 40 quarters
    (_daily("1950-01-01", 365 * 70, step=30), "year"),
    ([None, "", "not a date"], "month"),
])
def test_choose_freq_is_the_finest_unit_with_at_most_40_bins(dates, expected):
    assert choose_freq(dates) == expected


@pytest.mark.parametrize("freq, expected", [
    ("day", "2023-01-27"), ("week", "2023-01-23"), ("month", "2023-01-01"), ("quarter", "2023-01-01"),
    ("year", "2023-01-01"),
])
def test_bin_dates_gives_the_bins_first_day(freq, expected):
    out = bin_dates(["2023-01-27", None, "bad"], freq)
    assert out.iloc[0] == pd.Timestamp(expected)
    assert out.iloc[1:].isna().all()
    assert freq_label("week").startswith("week")


def test_bin_dates_rejects_an_unknown_freq():
    with pytest.raises(ValueError, match="freq 'fortnight' is not valid; use one of auto, day, week"):
        bin_dates(["2023-01-01"], "fortnight")


def test_aggregate_binned_counts_articles_and_pools_sentences():
    rows = _articles(600)
    out = aggregate_binned(rows, ["tone"], freq="year", n_boot=200)
    assert out.attrs["freq"] == "year"
    assert out["bin"].dt.year.tolist() == [2019, 2020, 2021, 2022, 2023, 2024]
    assert out["n_articles"].sum() == 600 and out["n"].sum() == rows["n"].sum()
    first = rows[rows["date"] < "2020"]
    assert out["tone"].iloc[0] == pytest.approx(first["tone__sum"].sum() / first["tone__count"].sum())
    assert (out["tone_lo"] < out["tone"]).all() and (out["tone"] < out["tone_hi"]).all()


def test_aggregate_binned_auto_keeps_at_most_40_bins_and_skips_undated():
    rows = _articles(5000, days=3000)
    rows.loc[rows.index[:100], "date"] = None
    out = aggregate_binned(rows, ["tone"], n_boot=100)
    assert out.attrs["freq"] == "quarter" and len(out) <= 40
    assert out["n_articles"].sum() == 4900


def test_aggregate_binned_by_outlet_and_empty_inputs():
    rows = _articles(300)
    out = aggregate_binned(rows, ["tone"], freq="year", by="outlet", n_boot=100)
    assert set(out["outlet"]) == {"A", "B", "C"} and out["n_articles"].sum() == 300
    for empty in (rows.iloc[:0], rows.assign(date=None)):
        got = aggregate_binned(empty, ["tone"], freq="month")
        assert got.empty and {"bin", "n_articles", "tone", "tone_lo", "tone_hi"} <= set(got.columns)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['mood__sum', 'mood__count'\]"):
        aggregate_binned(rows, ["mood"])


def test_change_point_found_at_a_planted_shift_and_not_without_one():
    shifted = aggregate_binned(_articles(3000, shift=0.4), ["tone"], freq="quarter", n_boot=300)
    found = detect_change_points(shifted, "tone")
    assert found["bin"].dt.strftime("%Y-%m").tolist() == ["2021-04"]  # the quarter holding 2021-06-01
    assert found["mean_after"].iloc[0] - found["mean_before"].iloc[0] == pytest.approx(0.4, abs=0.1)
    flat = aggregate_binned(_articles(3000, seed=3), ["tone"], freq="quarter", n_boot=300)
    none = detect_change_points(flat, "tone")
    assert none.empty and none.attrs["note"].startswith("No change point: in the 1 series with at least 8 bins")
    assert "note" not in found.attrs


def test_change_points_need_enough_bins_with_enough_articles():
    few = aggregate_binned(_articles(40, shift=2.0), ["tone"], freq="year", n_boot=100)
    none = detect_change_points(few, "tone", min_articles=3)  # 6 bins: fewer than 8
    assert none.empty and none.attrs["note"].startswith(
        f"No change point looked for: no series has 8 bins with at least 3 articles (the most: {(few['n_articles'] >= 3).sum()})")
    many = aggregate_binned(_articles(3000, shift=0.4), ["tone"], freq="quarter", n_boot=100)
    none = detect_change_points(many, "tone", min_articles=10_000)  # no bin has enough articles
    assert none.empty and "(the most: 0)" in none.attrs["note"]
    assert "(the most: 0)" in detect_change_points(many.iloc[:0], ["tone", "mood"]).attrs["note"]
    by = aggregate_binned(_articles(3000, shift=0.4), ["tone"], freq="quarter", by="outlet", n_boot=100)
    assert set(detect_change_points(by, ["tone"], by="outlet")["outlet"]) <= {"A", "B", "C"}


def test_top_names_keeps_the_largest_and_groups_the_rest():
    names = pd.Series(["A"] * 5 + ["B"] * 3 + ["C"] * 3 + ["D"] + [None])
    assert top_names(names, 2).tolist() == ["A"] * 5 + ["B"] * 3 + ["other"] * 5
