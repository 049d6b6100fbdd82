"""Aggregation: sentence scores to articles, articles to dates and outlets, with bootstrap intervals."""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["BOOTSTRAP_MAX_CLUSTERS", "available_cores", "aggregate_articles", "diplomatic_balance", "TITLE_SHARE", "EVIDENCE_PRIOR", "aggregate_by", "aggregate_sums", "sum_by_cluster", "bootstrap_ci", "aggregate_theme_tone", "aggregate_theme_drivers",
           "aggregate_actor_tone", "aggregate_speaker_tone", "aggregate_topics", "sum_theme_tone", "sum_actor_tone"]


def aggregate_articles(sentence_scores: pd.DataFrame, columns: Sequence[str], *,
                       titles: pd.Series | None = None) -> pd.DataFrame:
    """Article tone = mean of its sentence tones (``<col>``), the length-weighted mean (``<col>_wmean``) and,
    when ``sent_id`` is given, the lead-weighted mean (``<col>_lead``: the first :data:`LEAD_SENTENCES`
    sentences of the text weigh :data:`LEAD_WEIGHT`, the rest 1) and, when ``tone_diplomatic`` is among the
    columns, ``diplomatic_balance`` (see :func:`diplomatic_balance`; ``titles``: the diplomatic scores of the
    articles' headlines, which it counts too).

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
    lead = None
    if "sent_id" in sentence_scores.columns:
        # the lead: the first LEAD_SENTENCES sentences of the text weigh LEAD_WEIGHT, later ones 1 (a headline
        # line is not among them: cleaning makes it the article's title)
        rank = sentence_scores["sent_id"].groupby(sentence_scores["doc_id"]).rank(method="first")
        lead = pd.Series(np.where(rank <= LEAD_SENTENCES, LEAD_WEIGHT, 1.0), index=df.index)
        for col in columns:
            scored = df[col].notna()
            df[f"_l_{col}"] = (df[col] * lead).where(scored)
            df[f"_m_{col}"] = lead.where(scored, 0.0)
    grouped = df.groupby("doc_id", sort=True)
    ids = grouped.ngroup().to_numpy()
    out = pd.DataFrame(index=grouped.size().index)
    with np.errstate(invalid="ignore", divide="ignore"):  # no scored sentence: NaN
        for col in columns:
            out[col] = np.divide(*_group_sums(df[col], ids, len(out)))
        for col in columns:
            total_w = grouped[f"_n_{col}"].sum().replace(0, np.nan).to_numpy()
            out[f"{col}_wmean"] = _group_sums(df[f"_w_{col}"], ids, len(out), min_count=1)[0] / total_w
        if lead is not None:
            for col in columns:
                total_m = grouped[f"_m_{col}"].sum().replace(0, np.nan).to_numpy()
                out[f"{col}_lead"] = _group_sums(df[f"_l_{col}"], ids, len(out), min_count=1)[0] / total_m
    if lead is not None and "tone_diplomatic" in columns:
        out["diplomatic_balance"] = diplomatic_balance(sentence_scores, titles=titles)
    return out.reset_index()


def diplomatic_balance(sentence_scores: pd.DataFrame, *, column: str = "tone_diplomatic",
                       band: float | None = None, titles: pd.Series | None = None,
                       title_share: float | None = None, prior: float | None = None) -> pd.Series:
    """Per article, the balance of its cooperative and conflictual sentences and headline, -1..1.

    A sentence is cooperative when its diplomatic score is at least ``band`` (default the scale's neutral
    band, :data:`diplo.scoring.tone.NEUTRAL_BANDS`, 1.0), conflictual when at most ``-band``; the others
    carry no diplomatic evidence.  The body's balance is (cooperative - conflictual) / (cooperative +
    conflictual + ``prior``), counted with the lead weights of ``<col>_lead`` (the first
    :data:`LEAD_SENTENCES` sentences weigh :data:`LEAD_WEIGHT`): the net count of event data, with the lead
    weighted as readers weigh it, shrunk toward 0 when the evidence is thin (``prior``, default
    :data:`EVIDENCE_PRIOR`: one cooperative lead sentence alone gives 2 / 5, not a certain +1).  When
    ``titles`` gives the article's headline score, the headline's direction (+1, -1, or 0 in the neutral
    band) makes ``title_share`` (default :data:`TITLE_SHARE`) of the score and the body the rest, whatever the
    article's length (researchers judge coverage by its headline and lead; a long article's many background
    sentences do not drown its headline).  Without a headline (NaN or absent) the body's balance is the score.
    0 when no sentence carries evidence.  Unlike the mean of the sentence scores it is not diluted by
    sentences without an act, and one strongly worded background sentence counts no more than any other.
    Every counted sentence is in ``sentence_scores`` and its terms in ``evidence``.

    Parameters
    ----------
    sentence_scores : table with ``doc_id``, ``sent_id`` and ``column``; NaN scores (sentences not scored)
        are left out, and an article without a scored sentence gets NaN.
    column : the diplomatic score column.
    band : neutral band; default ``NEUTRAL_BANDS["diplomatic"]``.
    titles : the diplomatic score of each article's headline (``title_diplomatic`` of the articles table),
        indexed by ``doc_id``; NaN or absent: the article has no headline and only its sentences count.
        Only articles of ``sentence_scores`` get a balance.
    title_share : the headline's share of the score, 0..1; default :data:`TITLE_SHARE`.
    prior : pseudo-evidence added to the body's denominator (lead-weighted sentences), >= 0; default
        :data:`EVIDENCE_PRIOR`; 0 gives the plain ratio.

    Returns
    -------
    Series indexed by ``doc_id`` (sorted), named ``diplomatic_balance``.

    Raises
    ------
    ValueError
        If a column is missing (the message lists those found), ``band`` is not positive, ``title_share`` is
        not within 0..1 or ``prior`` is negative.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["a"] * 5, "sent_id": range(5), "tone_diplomatic": [4.0, 0.0, -2.0, 3.0, -9.0]})
    >>> float(diplomatic_balance(s)["a"])  # lead: +2 (s0), -2 (s2); later: +1 (s3), -1 (s4)
    0.0
    >>> float(diplomatic_balance(s.head(1))["a"])  # one cooperative lead sentence: 2 / (2 + 3)
    0.4
    >>> float(diplomatic_balance(s, titles=pd.Series({"a": 3.5}))["a"])  # a cooperative headline: its share
    0.35
    """
    from diplo.scoring.tone import NEUTRAL_BANDS

    band = NEUTRAL_BANDS["diplomatic"] if band is None else band
    title_share = TITLE_SHARE if title_share is None else title_share
    prior = EVIDENCE_PRIOR if prior is None else prior
    if not band > 0:
        raise ValueError(f"band must be a positive number, got {band!r}")
    if not 0 <= title_share <= 1:
        raise ValueError(f"title_share must be within 0..1, got {title_share!r}")
    if not prior >= 0:
        raise ValueError(f"prior must be a number >= 0, got {prior!r}")
    missing = [c for c in ("doc_id", "sent_id", column) if c not in sentence_scores.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(sentence_scores.columns)}")
    score = sentence_scores[column].to_numpy(dtype=float)
    rank = sentence_scores["sent_id"].groupby(sentence_scores["doc_id"]).rank(method="first").to_numpy()
    weight = np.where(rank <= LEAD_SENTENCES, LEAD_WEIGHT, 1.0)
    direction = np.where(score >= band, 1.0, np.where(score <= -band, -1.0, 0.0))
    frame = pd.DataFrame({"net": direction * weight, "total": np.abs(direction) * weight,
                          "scored": ~np.isnan(score)})
    grouped = frame.groupby(sentence_scores["doc_id"].to_numpy(), sort=True)
    total = grouped["total"].sum()
    body = grouped["net"].sum() / (total + prior)
    out = body.where(total > 0, 0.0)
    if titles is not None:  # the headline's direction makes title_share of the score (NaN: no headline)
        head = pd.Series(titles, dtype=float).reindex(out.index)
        head_dir = pd.Series(np.where(head >= band, 1.0, np.where(head <= -band, -1.0, 0.0)), index=out.index)
        out = out.where(head.isna(), title_share * head_dir + (1 - title_share) * out)
    out = out.where(grouped["scored"].any())  # no scored sentence: not a neutral article but an unscored one
    out.index.name = "doc_id"
    return out.rename("diplomatic_balance")


#: The lead score ``<col>_lead``: the first LEAD_SENTENCES sentences weigh LEAD_WEIGHT (researchers judge
#: coverage by its headline and lead).
LEAD_SENTENCES = 3
LEAD_WEIGHT = 2.0
#: In ``diplomatic_balance`` the headline's direction (+1, -1, 0) makes TITLE_SHARE of the score, the body's
#: balance the rest, and the body's denominator gets EVIDENCE_PRIOR lead-weighted sentences of no direction
#: (shrinks thin evidence toward 0).  Chosen on the 411 development articles of benchmarks/data (issue 17) over a
#: grid (share 0.2-0.6, prior 0-6); repeated 5-fold cross-validation with the pair chosen on each training part
#: gives a mean test-fold AUC of 0.973 (the pair (0.35, 3) won 36 of the 50 parts); see README and
#: benchmarks/article_cv.py.
TITLE_SHARE = 0.35
EVIDENCE_PRIOR = 3.0


def _bootstrap_means(sums: np.ndarray, counts: np.ndarray, *, n_boot: int, seed: int,
                     batch_cells: int = 1_000_000) -> np.ndarray:
    """Means of ``n_boot`` resamples (with replacement) of units with value ``sums`` over ``counts`` rows.

    A resample's mean is the sum of its units' sums over the sum of their counts (the pooled mean of
    the rows in the resampled units).  Resamples are drawn in batches so memory stays bounded by
    about ``batch_cells`` indices (at least 4 resamples), however many units there are.
    """
    return _bootstrap_means_many([sums], [counts], n_boot=n_boot, seed=seed, batch_cells=batch_cells)[0]


def _bootstrap_means_many(sums: Sequence[np.ndarray], counts: Sequence[np.ndarray], *, n_boot: int, seed: int,
                          batch_cells: int = 1_000_000) -> list[np.ndarray]:
    """:func:`_bootstrap_means` of several columns over the same units: each batch of resampled unit
    indices is drawn once and used for every column (the draws of one seed are the same for all), and a
    ``counts`` array equal to an earlier one is summed once."""
    rng = np.random.default_rng(seed)
    k = sums[0].size
    # batches of about a million indices keep the gathered values in cache (batching does not change
    # the draws); at least 4 resamples per batch so a huge group is not gathered one row at a time
    per_batch = max(4, batch_cells // max(k, 1))
    out = [np.empty(n_boot) for _ in sums]
    # columns sharing their counts (usually all: a NaN score drops the same sentence from every scorer)
    same = [next(j for j in range(i + 1) if np.array_equal(counts[j], counts[i])) for i in range(len(counts))]
    for start in range(0, n_boot, per_batch):
        stop = min(n_boot, start + per_batch)
        idx = rng.integers(0, k, size=(stop - start, k))
        totals = {}
        for i, first in enumerate(same):
            if first not in totals:
                totals[first] = counts[first][idx].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[i][start:stop] = sums[i][idx].sum(axis=1) / totals[first]
    return out


def _interval(means: np.ndarray, level: float) -> tuple[float, float]:
    means = means[np.isfinite(means)]
    if means.size == 0:
        return (np.nan, np.nan)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(means, [alpha, 1 - alpha])
    return float(lo), float(hi)


def bootstrap_ci(values: np.ndarray, *, n_boot: int = 2000, level: float = 0.95, seed: int = 0,
                 clusters: np.ndarray | None = None) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (NaN values ignored).

    Parameters
    ----------
    values : the observations (e.g. sentence tones).
    clusters : optional cluster label per value (e.g. the article ``doc_id`` of each sentence).  When
        given, whole clusters are resampled (a cluster bootstrap), because sentences of one article are
        not independent observations of the coverage; the interval is then NaN with fewer than two
        clusters.  Without clusters, values are resampled; NaN for fewer than two values.

    Examples
    --------
    >>> bootstrap_ci([0.1, 0.5, 0.3, 0.9], clusters=["a", "a", "b", "b"], n_boot=500)
    (0.3, 0.6)
    """
    values = np.asarray(values, dtype=float)
    keep = ~np.isnan(values)
    if clusters is not None and np.asarray(clusters).size != values.size:
        raise ValueError(f"clusters has {np.asarray(clusters).size} labels for {values.size} values")
    if clusters is None:
        values = values[keep]
        if values.size < 2:
            return (np.nan, np.nan)
        return _interval(_bootstrap_means(values, np.ones_like(values), n_boot=n_boot, seed=seed), level)
    labels = np.asarray(clusters, dtype=object)[keep]
    codes, uniques = pd.factorize(labels, sort=True)
    if uniques.size < 2:
        return (np.nan, np.nan)
    sums = np.bincount(codes, weights=values[keep], minlength=uniques.size)
    counts = np.bincount(codes, minlength=uniques.size).astype(float)
    return _interval(_bootstrap_means(sums, counts, n_boot=n_boot, seed=seed), level)


def sum_by_cluster(table: pd.DataFrame, columns: Sequence[str], *, by: Sequence[str] = (),
                   cluster: str = "doc_id") -> pd.DataFrame:
    """Per-cluster sufficient statistics for :func:`aggregate_sums`: one row per (``by``..., cluster).

    Columns: the keys, ``n`` (rows), and per column ``<col>__sum`` and ``<col>__count`` (NaN values
    skipped).  Streaming a corpus, the pipeline keeps these per article instead of every sentence.
    """
    keys = [*by, cluster]
    missing = [c for c in (*keys, *columns) if c not in table.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(table.columns)}")
    grouped = table.groupby(keys, sort=True, dropna=False)
    out = grouped.size().rename("n").to_frame()
    ids = grouped.ngroup().to_numpy()
    for col in columns:
        sums, counts = _group_sums(table[col], ids, len(out))
        out[f"{col}__sum"] = sums
        out[f"{col}__count"] = counts
    return out.reset_index()


def _group_sums(values: pd.Series, ids: np.ndarray, n_groups: int, *, min_count: int = 0,
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per group (``ids``: its number 0..n_groups-1 for each row), the sum of the group's non-missing
    ``values`` and their count; a sum of fewer than ``min_count`` values is NaN.

    A group's sum is numpy's sum of that group's values alone, in row order, whatever the other rows: an
    article's tone is the same whichever articles it is computed with (a chunk of ``diplo run``, a cached
    segment, a notebook's whole table).  pandas' groupby sum is not: it adds a table's groups with Kahan
    summation, unless the rows are sorted by group and no value is missing, then with ``np.add.reduceat``,
    and the two can differ in the last bit.
    """
    values = np.asarray(values, dtype=float)
    keep = ~np.isnan(values)
    if isinstance(ids, np.ndarray) and ids.dtype.kind == "f":  # rows whose key groupby drops (NaN)
        keep &= ~np.isnan(ids)
    if not keep.all():
        values, ids = values[keep], ids[keep]
    ids = ids.astype(np.intp, copy=False)
    sums = np.zeros(n_groups)
    counts = np.bincount(ids, minlength=n_groups).astype(np.int64)
    if len(values):
        order = np.argsort(ids, kind="stable")
        ids, values = ids[order], values[order]
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        sums[ids[starts]] = np.add.reduceat(values, starts)
    if min_count > 0:
        sums[counts < min_count] = np.nan
    return sums, counts


BOOTSTRAP_MAX_CLUSTERS = 500  # larger groups get the normal approximation of the same cluster bootstrap


def _normal_interval(total: np.ndarray, count: np.ndarray, level: float) -> tuple[float, float]:
    """The large-sample limit of the cluster bootstrap of a pooled mean: mean -/+ z * cluster-robust SE.

    The SE linearizes the ratio sum(total) / sum(count) over clusters (residuals ``total - mean * count``,
    with the k / (k - 1) small-sample factor), which is what resampling whole clusters estimates.
    """
    from statistics import NormalDist

    k = total.size
    mean = total.sum() / count.sum()
    resid = total - mean * count
    se = float(np.sqrt(k / (k - 1) * np.sum(resid ** 2)) / count.sum())
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    return float(mean - z * se), float(mean + z * se)


def aggregate_sums(sums: pd.DataFrame, by: str | Sequence[str], columns: Sequence[str], *,
                   n_boot: int = 2000, level: float = 0.95, seed: int = 0,
                   normal_above: int | None = BOOTSTRAP_MAX_CLUSTERS) -> pd.DataFrame:
    """Group means and cluster-bootstrap intervals from :func:`sum_by_cluster` rows (one per cluster).

    The mean of a group is its pooled row mean (sum of sums over sum of counts); each bootstrap draw
    resamples whole clusters; a group with fewer than two clusters holding values gets NaN bounds.  A group
    with more than ``normal_above`` clusters gets the bootstrap's large-sample limit instead (mean -/+ 1.96
    cluster-robust standard errors), which the percentile interval matches closely at that size and which
    costs one pass instead of ``n_boot`` resamples of every cluster (``None``: always resample).
    """
    by = [by] if isinstance(by, str) else list(by)
    grouped = sums.groupby(by, sort=True, dropna=False)
    # rows of each group contiguous, in their original order (what iterating the groupby gives), as
    # numpy arrays: no per-group DataFrame
    order = np.argsort(grouped.ngroup().to_numpy(), kind="stable")
    group_keys = grouped.size().index
    bounds = np.concatenate(([0], np.cumsum(grouped.size().to_numpy())))
    n_rows = sums["n"].to_numpy()[order]
    totals = {col: sums[f"{col}__sum"].to_numpy(dtype=float)[order] for col in columns}
    counts = {col: sums[f"{col}__count"].to_numpy(dtype=float)[order] for col in columns}
    rows = []
    draws: list[tuple[dict, tuple, tuple, tuple]] = []  # (row, columns, their unit totals, unit counts)
    for g, key in enumerate(group_keys):
        lo, hi = bounds[g], bounds[g + 1]
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        row["n"] = int(n_rows[lo:hi].sum())
        row["n_articles"] = int(hi - lo)
        # columns whose resampled units (clusters holding values) are the same share their draws
        resample: dict[bytes, list] = {}
        for col in columns:
            total, count = totals[col][lo:hi], counts[col][lo:hi]
            keep = count > 0
            row[col] = float(total[keep].sum() / count[keep].sum()) if keep.any() else np.nan
            row[f"{col}_lo"] = row[f"{col}_hi"] = np.nan
            if normal_above is not None and keep.sum() > normal_above:
                row[f"{col}_lo"], row[f"{col}_hi"] = _normal_interval(total[keep], count[keep], level)
            elif keep.sum() >= 2:
                resample.setdefault(np.packbits(keep).tobytes(), []).append((col, total[keep], count[keep]))
        draws.extend((row, *zip(*same_units)) for same_units in resample.values())
        rows.append(row)

    def interval(task: tuple[dict, tuple, tuple, tuple]) -> None:
        row, names, unit_totals, unit_counts = task
        means = _bootstrap_means_many(unit_totals, unit_counts, n_boot=n_boot, seed=seed)
        for col, col_means in zip(names, means):
            row[f"{col}_lo"], row[f"{col}_hi"] = _interval(col_means, level)

    # every group draws from its own generator (same seed), so groups can be resampled in any order: on
    # several cores (numpy draws and gathers without the GIL) once there is enough work to share
    cells = n_boot * sum(len(task[2][0]) for task in draws)
    threads = min(available_cores(), len(draws)) if cells > _PARALLEL_CELLS else 1
    if threads > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(interval, draws))
    else:
        for task in draws:
            interval(task)
    # an empty table still has its columns (a reader of tone_by_date.csv, a chart, expects them)
    names = [*by, "n", "n_articles", *(f"{c}{s}" for c in columns for s in ("", "_lo", "_hi"))]
    return pd.DataFrame(rows, columns=names)


_PARALLEL_CELLS = 50_000_000  # resampled values (draws x units) from which aggregate_sums uses threads


def available_cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def aggregate_by(table: pd.DataFrame, by: str | Sequence[str], columns: Sequence[str], *,
                 cluster: str | None = "doc_id", n_boot: int = 2000, level: float = 0.95,
                 seed: int = 0) -> pd.DataFrame:
    """Mean of ``columns`` per group with ``n`` and percentile-bootstrap ``<col>_lo``/``<col>_hi``.

    Parameters
    ----------
    table : rows to average (e.g. sentences with a ``date``).
    by : grouping column(s).
    columns : numeric columns to average.
    cluster : column whose values are resampled as whole clusters (default ``doc_id``: articles, since
        sentences of one article are not independent); ``n_articles`` counts them per group, and a group
        with a single cluster gets no interval (NaN).  ``None``, or a table without that column,
        resamples rows.

    Returns
    -------
    DataFrame: the ``by`` columns, ``n`` (rows), ``n_articles`` (clusters, when clustering), and per
    column its mean, ``_lo`` and ``_hi``; sorted by the groups.
    """
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in (*by, *columns) if c not in table.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(table.columns)}")
    if cluster is not None and cluster in table.columns:
        return aggregate_sums(sum_by_cluster(table, columns, by=by, cluster=cluster), by, columns,
                              n_boot=n_boot, level=level, seed=seed)
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
    return pd.DataFrame(rows, columns=[*by, "n", *(f"{c}{s}" for c in columns for s in ("", "_lo", "_hi"))])


# --- themes, actors and topics -------------------------------------------------------------------------------


def _as_list(x: str | Sequence[str]) -> list[str]:
    return [x] if isinstance(x, str) else list(x)


def _with_article_fields(table: pd.DataFrame, articles: pd.DataFrame | None, by: Sequence[str]) -> pd.DataFrame:
    """``table`` plus the ``by`` columns it lacks, taken from ``articles`` (joined on ``doc_id``)."""
    need = [c for c in by if c not in table.columns]
    if not need:
        return table
    if articles is None:
        raise ValueError(f"grouping by {need} needs the articles table (columns doc_id, {', '.join(need)})")
    missing = [c for c in ("doc_id", *need) if c not in articles.columns]
    if missing:
        raise ValueError(f"articles table is missing {missing}; found {list(articles.columns)}")
    return table.merge(articles[["doc_id", *need]], on="doc_id", how="left", validate="many_to_one")


def _theme_rows(sentence_scores: pd.DataFrame, themes: Sequence[str] | None) -> pd.DataFrame:
    """Long table: one row per (sentence, theme) where the sentence has at least one hit of the theme."""
    cols = [c for c in sentence_scores.columns if c.startswith("theme_")]
    if themes is not None:
        wanted = [f"theme_{t}" for t in themes]
        unknown = [c for c in wanted if c not in cols]
        if unknown:
            raise ValueError(f"unknown theme column(s) {unknown}; valid: {cols}")
        cols = wanted
    parts = []
    for col in cols:
        hit = sentence_scores[sentence_scores[col].to_numpy() > 0]
        parts.append(hit.drop(columns=[c for c in sentence_scores.columns if c.startswith("theme_")])
                     .assign(theme=col[len("theme_"):], theme_hits=hit[col].to_numpy()))
    if not parts:
        return sentence_scores.iloc[:0].assign(theme=pd.Series(dtype=str), theme_hits=pd.Series(dtype=int))
    return pd.concat(parts, ignore_index=True)


def _tone_columns(table: pd.DataFrame, tone_columns: Sequence[str] | None, suffix: str = "") -> list[str]:
    if tone_columns is not None:
        return list(tone_columns)
    return [c for c in table.columns if c.startswith("tone_") and c.endswith(suffix)
            and not c.endswith(("_lo", "_hi", "_wmean", "_lead")) and (suffix or not c.endswith("_target"))]


def aggregate_theme_tone(sentence_scores: pd.DataFrame, articles: pd.DataFrame | None = None, *,
                         by: str | Sequence[str] = "date", tone_columns: Sequence[str] | None = None,
                         themes: Sequence[str] | None = None, n_boot: int = 2000, level: float = 0.95,
                         seed: int = 0) -> pd.DataFrame:
    """Tone of the sentences about each theme, per group (e.g. is corridor talk warming?).

    A sentence is "about" a theme when it has at least one hit of the theme (``theme_<name> > 0``); a
    sentence about two themes counts in both.  Articles are the resampling units of the bootstrap
    (a cluster bootstrap over ``doc_id``; see :func:`aggregate_by`).

    Parameters
    ----------
    sentence_scores : ``sentence_scores`` table (``doc_id``, ``theme_*``, tone columns).
    articles : articles table supplying ``date`` / ``outlet`` when grouping by them.
    by : grouping column(s) besides ``theme`` (``"date"``, ``"outlet"``, ``["outlet", "date"]``, ...).
    tone_columns : default every ``tone_*`` column of ``sentence_scores``.
    themes : theme names to include; default all.

    Returns
    -------
    DataFrame ``theme``, *by*, ``n`` (sentences), and per tone column the mean and ``_lo``/``_hi``.
    """
    by = _as_list(by)
    long = _with_article_fields(_theme_rows(sentence_scores, themes), articles, by)
    cols = _tone_columns(sentence_scores, tone_columns)
    return aggregate_by(long, ["theme", *by], cols, n_boot=n_boot, level=level, seed=seed)


def aggregate_theme_drivers(sentence_scores: pd.DataFrame, sentences: pd.DataFrame,
                            articles: pd.DataFrame | None = None, *, by: str | Sequence[str] = "date",
                            tone_column: str = "tone_vader", top: int = 5, theme_hits: pd.DataFrame | None = None,
                            evidence: pd.DataFrame | None = None, themes: Sequence[str] | None = None,
                            ) -> pd.DataFrame:
    """The sentences that drive theme-conditioned tone: per theme and group, the ``top`` sentences with the
    largest absolute contribution to the group mean (``contribution = tone / n``), with their evidence.

    Returns
    -------
    DataFrame ``theme``, *by*, ``rank`` (1 = largest), ``doc_id``, ``sent_id``, ``text``, ``tone_column``,
    ``contribution``, ``n`` (sentences in the group), ``theme_terms`` (matched theme terms, from
    ``theme_hits``) and ``tone_terms`` (``term (weight)`` from ``evidence`` rows of that scorer, when given).
    """
    by = _as_list(by)
    if tone_column not in sentence_scores.columns:
        raise ValueError(f"tone_column {tone_column!r} not in sentence_scores; found {list(sentence_scores.columns)}")
    long = _with_article_fields(_theme_rows(sentence_scores, themes), articles, by)
    keys = ["theme", *by]
    long = long.dropna(subset=[tone_column])
    long["n"] = long.groupby(keys, dropna=False)[tone_column].transform("size")
    long["contribution"] = long[tone_column] / long["n"]
    long["_abs"] = long["contribution"].abs()
    long = long.sort_values([*keys, "_abs", "doc_id", "sent_id"], ascending=[True] * len(keys) + [False, True, True],
                            kind="stable")
    long["rank"] = long.groupby(keys, dropna=False).cumcount() + 1
    out = long[long["rank"] <= top].drop(columns="_abs")
    out = out.merge(sentences[["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"], how="left")
    if theme_hits is not None:
        terms = (theme_hits.groupby(["doc_id", "sent_id", "theme"], sort=True)["match"]
                 .agg(lambda m: "; ".join(m)).rename("theme_terms").reset_index())
        out = out.merge(terms, on=["doc_id", "sent_id", "theme"], how="left")
        out["theme_terms"] = out["theme_terms"].fillna("")
    if evidence is not None:
        scorer = tone_column[len("tone_"):] if tone_column.startswith("tone_") else tone_column
        ev = evidence[evidence["scorer"] == scorer] if "scorer" in evidence.columns else evidence
        ev = ev.assign(_t=ev["term"].astype(str) + " (" + ev["weight"].round(3).astype(str) + ")")
        terms = ev.groupby(["doc_id", "sent_id"], sort=True)["_t"].agg("; ".join).rename("tone_terms").reset_index()
        out = out.merge(terms, on=["doc_id", "sent_id"], how="left")
        out["tone_terms"] = out["tone_terms"].fillna("")
    front = [*keys, "rank", "doc_id", "sent_id", "text", tone_column, "contribution", "n"]
    rest = [c for c in ("theme_terms", "tone_terms") if c in out.columns]
    return out[front + rest].reset_index(drop=True)


def aggregate_actor_tone(actor_mentions: pd.DataFrame, articles: pd.DataFrame | None = None, *,
                         by: str | Sequence[str] = "actor", role: str | None = None,
                         tone_columns: Sequence[str] | None = None, n_boot: int = 2000, level: float = 0.95,
                         seed: int = 0) -> pd.DataFrame:
    """Target tone toward each actor (mean of its mentions' ``tone_*_target``), per group.

    ``by`` e.g. ``"actor"``, ``["actor", "date"]`` (tone toward an actor over time; ``date``/``outlet``
    come from ``articles``).  ``role="speaker"`` or ``"mention"`` keeps only those mentions.
    """
    by = _as_list(by)
    table = actor_mentions
    if role is not None:
        if role not in ("mention", "speaker"):
            raise ValueError(f"role={role!r} is not valid; use 'mention', 'speaker' or None")
        table = table[table["role"] == role]
    table = _with_article_fields(table, articles, by)
    return aggregate_by(table, by, _tone_columns(actor_mentions, tone_columns, "_target"),
                        n_boot=n_boot, level=level, seed=seed)


def aggregate_speaker_tone(sentence_scores: pd.DataFrame, articles: pd.DataFrame | None = None, *,
                           by: str | Sequence[str] = "speaker", tone_columns: Sequence[str] | None = None,
                           n_boot: int = 2000, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Tone of the sentences each actor is quoted in (``speaker`` non-empty), per group (e.g. by date)."""
    by = _as_list(by)
    if "speaker" not in sentence_scores.columns:
        raise ValueError(f"sentence_scores has no 'speaker' column; found {list(sentence_scores.columns)}")
    table = _with_article_fields(sentence_scores[sentence_scores["speaker"].fillna("") != ""], articles, by)
    return aggregate_by(table, by, _tone_columns(sentence_scores, tone_columns), n_boot=n_boot, level=level,
                        seed=seed)


def aggregate_topics(topic_shares: pd.DataFrame, articles: pd.DataFrame | None = None, *,
                     by: str | Sequence[str] = "date", n_boot: int = 2000, level: float = 0.95,
                     seed: int = 0) -> pd.DataFrame:
    """Mean topic share (``topic_<k>``, from :func:`diplo.analysis.topics.score_topics`) per group, with intervals."""
    by = _as_list(by)
    cols = [c for c in topic_shares.columns if c.startswith("topic_")]
    if not cols:
        raise ValueError(f"no topic_<k> columns; found {list(topic_shares.columns)}")
    table = _with_article_fields(topic_shares, articles, by)
    return aggregate_by(table, by, cols, n_boot=n_boot, level=level, seed=seed)


def sum_theme_tone(sentence_scores: pd.DataFrame, tone_columns: Sequence[str]) -> pd.DataFrame:
    """Per article and theme, the sums and counts of the tone of the sentences about the theme.

    The article-level input of theme-conditioned tone over time (``theme_tone_by_article``): columns
    ``doc_id``, ``theme``, ``n`` (sentences about the theme) and ``<col>__sum``/``<col>__count`` per tone
    column; one row per article and theme with at least one hit.
    """
    long = _theme_rows(sentence_scores, None)
    cols = list(tone_columns)
    out = sum_by_cluster(long, cols, by=["theme"], cluster="doc_id") if len(long) else sum_by_cluster(
        pd.DataFrame(columns=["doc_id", "theme", *cols]), cols, by=["theme"])
    return out[["doc_id", "theme", *[c for c in out.columns if c not in ("doc_id", "theme")]]]


def sum_actor_tone(actor_mentions: pd.DataFrame, sentence_scores: pd.DataFrame,
                   tone_columns: Sequence[str]) -> pd.DataFrame:
    """Per article, actor and direction, the sums and counts of tone toward and by the actor.

    ``direction`` ``toward``: the target tone (``<col>_target``) of the actor's mentions that are not its
    own quotes (role ``mention``); ``by``: the tone of the sentences the actor is quoted in (``speaker``).
    Columns ``doc_id``, ``actor``, ``direction``, ``n`` and ``<col>__sum``/``<col>__count`` per tone column
    (named after the sentence tone column in both directions).
    """
    cols = list(tone_columns)
    parts = []
    mentions = actor_mentions[actor_mentions["role"] == "mention"] if "role" in actor_mentions.columns else \
        actor_mentions.iloc[:0]
    targets = [f"{c}_target" for c in cols]
    if len(mentions) and all(t in mentions.columns for t in targets):
        toward = sum_by_cluster(mentions.rename(columns=dict(zip(targets, cols))), cols, by=["actor"])
        parts.append(toward.assign(direction="toward"))
    if "speaker" in sentence_scores.columns:
        quoted = sentence_scores[sentence_scores["speaker"].fillna("") != ""]
        if len(quoted):
            by = sum_by_cluster(quoted.rename(columns={"speaker": "actor"}), cols, by=["actor"])
            parts.append(by.assign(direction="by"))
    if not parts:
        parts.append(sum_by_cluster(pd.DataFrame(columns=["doc_id", "actor", *cols]), cols, by=["actor"])
                     .assign(direction=pd.Series(dtype=object)))
    out = pd.concat(parts, ignore_index=True)
    front = ["doc_id", "actor", "direction"]
    out = out[[*front, *[c for c in out.columns if c not in front]]]
    return out.sort_values(front, kind="stable").reset_index(drop=True)
