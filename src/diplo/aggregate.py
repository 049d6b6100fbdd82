"""Aggregation: sentence scores to articles, articles to dates and outlets, with bootstrap intervals."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["aggregate_articles", "aggregate_by", "bootstrap_ci", "aggregate_theme_tone", "aggregate_actor_tone"]


def aggregate_articles(sentence_scores: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Article tone = mean of its sentence tones (``<col>``) and the length-weighted mean (``<col>_wmean``).

    ``sentence_scores`` needs ``doc_id``, ``n_words`` and the score ``columns``.
    """
    missing = [c for c in ("doc_id", "n_words", *columns) if c not in sentence_scores.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(sentence_scores.columns)}")
    df = sentence_scores[["doc_id", "n_words", *columns]].copy()
    weights = df["n_words"].astype(float)
    for col in columns:
        df[f"_w_{col}"] = df[col] * weights
    grouped = df.groupby("doc_id", sort=True)
    out = grouped[list(columns)].mean()
    total_w = grouped["n_words"].sum().astype(float).replace(0, np.nan)
    for col in columns:
        out[f"{col}_wmean"] = grouped[f"_w_{col}"].sum() / total_w
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


def aggregate_theme_tone(sentence_scores: pd.DataFrame, themes: Sequence[str], columns: Sequence[str], *,
                         by: str | Sequence[str] = "date", n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Tone of the sentences that mention each theme, per group (e.g. per date), with bootstrap intervals.

    Parameters
    ----------
    sentence_scores : one row per sentence with ``theme_<name>`` hit counts, the tone ``columns`` and the
        ``by`` column(s) (e.g. ``date`` merged from the articles).
    themes : theme names (without the ``theme_`` prefix).

    Returns
    -------
    Long table: ``theme``, the ``by`` column(s), ``n`` (sentences), each tone column and its ``_lo``/``_hi``.
    A sentence mentioning two themes counts in both.
    """
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in (*by, *columns, *(f"theme_{t}" for t in themes)) if c not in sentence_scores.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(sentence_scores.columns)}")
    parts = []
    for theme in themes:
        hit = sentence_scores[sentence_scores[f"theme_{theme}"] > 0]
        if len(hit):
            table = aggregate_by(hit.dropna(subset=by), by, columns, n_boot=n_boot, seed=seed)
            parts.append(table.assign(theme=theme))
    cols = ["theme", *by, "n", *[f"{c}{s}" for c in columns for s in ("", "_lo", "_hi")]]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols].sort_values(["theme", *by], ignore_index=True)


def aggregate_actor_tone(actor_mentions: pd.DataFrame, sentence_scores: pd.DataFrame, columns: Sequence[str], *,
                         n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Tone toward each actor (target-aware tone of its mentions) and by it (tone of sentences it speaks).

    Parameters
    ----------
    actor_mentions : ``doc_id``, ``sent_id``, ``actor``, ``role`` (``mention``/``speaker``) and
        ``<column>_target`` per tone column.
    sentence_scores : ``doc_id``, ``sent_id`` and the tone ``columns``.

    Returns
    -------
    ``actor``, ``role`` (``toward`` / ``by``), ``n`` and each tone column with ``_lo``/``_hi``; a speaker is
    counted once per sentence.
    """
    needed = ["doc_id", "sent_id", "actor", "role", *(f"{c}_target" for c in columns)]
    missing = [c for c in needed if c not in actor_mentions.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(actor_mentions.columns)}")
    mentions = actor_mentions[actor_mentions["role"] == "mention"]
    toward = mentions[["actor", *(f"{c}_target" for c in columns)]].rename(
        columns={f"{c}_target": c for c in columns}).assign(role="toward")
    speakers = actor_mentions.loc[actor_mentions["role"] == "speaker", ["doc_id", "sent_id", "actor"]]
    said = (speakers.drop_duplicates()
            .merge(sentence_scores[["doc_id", "sent_id", *columns]], on=["doc_id", "sent_id"], how="inner")
            .drop(columns=["doc_id", "sent_id"]).assign(role="by"))
    both = pd.concat([toward, said], ignore_index=True)
    if both.empty:
        return pd.DataFrame(columns=["actor", "role", "n", *[f"{c}{s}" for c in columns for s in ("", "_lo", "_hi")]])
    return aggregate_by(both, ["actor", "role"], columns, n_boot=n_boot, seed=seed)
