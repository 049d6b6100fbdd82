"""Aggregation: sentence scores to articles, articles to dates and outlets, with bootstrap intervals."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["aggregate_articles", "aggregate_by", "bootstrap_ci"]


def aggregate_articles(sentence_scores: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Article tone = mean of its sentence tones (``<col>``) and the length-weighted mean (``<col>_wmean``).

    ``sentence_scores`` needs ``doc_id``, ``n_words`` and the score ``columns``.  Sentences whose score
    is NaN (blank text) are left out of both means; an article with no scored sentence gets NaN.
    """
    missing = [c for c in ("doc_id", "n_words", *columns) if c not in sentence_scores.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(sentence_scores.columns)}")
    df = sentence_scores[["doc_id", "n_words", *columns]].copy()
    weights = df["n_words"].astype(float)
    for col in columns:
        # NaN scores (empty sentences) drop out of both the weighted sum and the total weight
        scored = df[col].notna()
        df[f"_w_{col}"] = (df[col] * weights).where(scored)
        df[f"_n_{col}"] = weights.where(scored, 0.0)
    grouped = df.groupby("doc_id", sort=True)
    out = grouped[list(columns)].mean()
    for col in columns:
        total_w = grouped[f"_n_{col}"].sum().replace(0, np.nan)
        out[f"{col}_wmean"] = grouped[f"_w_{col}"].sum(min_count=1) / total_w
    return out.reset_index()


def bootstrap_ci(values: np.ndarray, *, n_boot: int = 2000, level: float = 0.95,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean; NaN for fewer than two values."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size < 2:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, values.size, size=(n_boot, values.size))].mean(axis=1)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(means, [alpha, 1 - alpha])
    return float(lo), float(hi)


def aggregate_by(table: pd.DataFrame, by: str | Sequence[str], columns: Sequence[str], *,
                 n_boot: int = 2000, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Mean of ``columns`` per group with ``n`` and percentile-bootstrap ``<col>_lo``/``<col>_hi``.

    Rows of ``table`` are the resampling units (e.g. sentences within a date).
    """
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in (*by, *columns) if c not in table.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(table.columns)}")
    rows = []
    for key, group in table.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        row["n"] = len(group)
        for col in columns:
            vals = group[col].to_numpy(dtype=float)
            row[col] = float(np.nanmean(vals)) if np.isfinite(vals).any() else np.nan
            row[f"{col}_lo"], row[f"{col}_hi"] = bootstrap_ci(vals, n_boot=n_boot, level=level, seed=seed)
        rows.append(row)
    return pd.DataFrame(rows)
