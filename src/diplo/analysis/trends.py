"""Trends: article-level values binned in calendar time, with cluster-bootstrap intervals and change points.

Every time chart of the notebooks is drawn from the same recipe:

1. one row per article (or per article and theme, actor, ...) holding the sums and counts of its values
   (:func:`diplo.analysis.aggregate.sum_by_cluster`; ``diplo run`` writes them for tone, theme-conditioned
   tone and actor tone), so any calendar unit can be re-binned without reading a sentence;
2. :func:`bin_dates` puts each article's date in a calendar bin (``freq``: day, week, month, quarter, year;
   :func:`choose_freq` picks the finest unit with at most about 40 bins holding data);
3. :func:`aggregate_binned` gives per bin (and series: outlet, theme, actor) the pooled mean, its 95% cluster
   bootstrap interval over articles and the number of articles;
4. :func:`detect_change_points` marks where a binned series shifts its level (PELT, ``ruptures``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from diplo.analysis.aggregate import aggregate_sums

__all__ = ["FREQS", "OTHER", "choose_freq", "bin_dates", "freq_label", "top_names", "aggregate_binned",
           "detect_change_points", "CHANGE_POINT_MIN_BINS"]

FREQS = ("auto", "day", "week", "month", "quarter", "year")
OTHER = "other"  # the series that holds every outlet beyond the ``top_outlets`` largest

_PERIOD = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}
_LABEL = {"day": "day", "week": "week (Monday to Sunday)", "month": "month", "quarter": "quarter", "year": "year"}
CHANGE_POINT_MIN_BINS = 8  # fewer bins with enough articles: no change point is looked for


def _as_dates(dates) -> pd.Series:
    return pd.to_datetime(pd.Series(dates), format="%Y-%m-%d", errors="coerce")


def choose_freq(dates, *, max_bins: int = 40) -> str:
    """The finest calendar unit (day, week, month, quarter, year) giving at most ``max_bins`` bins with data.

    Missing or unparsable dates are ignored; with no dated article, ``"month"``.

    Examples
    --------
    >>> choose_freq(["2023-01-02", "2023-01-03", "2023-02-01"])
    'day'
    """
    when = _as_dates(dates).dropna()
    if when.empty:
        return "month"
    for unit in ("day", "week", "month", "quarter"):
        if when.dt.to_period(_PERIOD[unit]).nunique() <= max_bins:
            return unit
    return "year"


def _check_freq(freq: str) -> None:
    if freq not in FREQS:
        raise ValueError(f"freq {freq!r} is not valid; use one of {', '.join(FREQS)}")


def bin_dates(dates, freq: str) -> pd.Series:
    """The start of each date's calendar bin (``day``/``week`` from Monday/``month``/``quarter``/``year``).

    ``dates`` are ``YYYY-MM-DD`` strings or datetimes; missing or unparsable dates give NaT.  ``freq``
    ``"auto"`` is resolved by :func:`choose_freq` on these dates.
    """
    _check_freq(freq)
    when = _as_dates(dates)
    if freq == "auto":
        freq = choose_freq(when)
    out = pd.Series(pd.NaT, index=when.index, dtype="datetime64[ns]")
    ok = when.notna()
    if ok.any():
        out[ok] = when[ok].dt.to_period(_PERIOD[freq]).dt.start_time.astype("datetime64[ns]")
    return out


def freq_label(freq: str) -> str:
    """Words for a bin width, for axis labels (``"week"`` -> ``"week (Monday to Sunday)"``)."""
    _check_freq(freq)
    return _LABEL.get(freq, freq)


def top_names(names: pd.Series, n: int, *, other: str = OTHER) -> pd.Series:
    """``names`` with all but the ``n`` most frequent replaced by ``other`` (ties by name; missing -> unknown)."""
    clean = names.fillna("").astype(str).replace("", "(unknown)")
    counts = clean.value_counts()
    order = sorted(counts.index, key=lambda k: (-counts[k], k))
    keep = set(order[:n])
    return clean.where(clean.isin(keep), other)


def aggregate_binned(sums: pd.DataFrame, columns: Sequence[str], *, freq: str = "auto",
                     by: str | Sequence[str] = (), date: str = "date", n_boot: int = 2000, level: float = 0.95,
                     seed: int = 0) -> pd.DataFrame:
    """Per calendar bin (and ``by`` series): pooled mean, cluster-bootstrap interval and article count.

    Parameters
    ----------
    sums : one row per article (and series), with ``date`` and the sums of
        :func:`diplo.analysis.aggregate.sum_by_cluster` (``n``, ``<col>__sum``, ``<col>__count``).  Rows
        without a date are left out (count them with ``sums[date].isna()``).
    columns : value columns (their ``__sum``/``__count`` pairs must be there).
    freq : ``auto`` or a calendar unit (see :func:`bin_dates`); ``auto`` is resolved on the dated rows.
    by : series columns (e.g. ``outlet``, ``theme``).

    Returns
    -------
    DataFrame ``bin`` (the bin's first day, a Timestamp), the ``by`` columns, ``n`` (rows behind the mean,
    e.g. sentences), ``n_articles``, per column the mean and ``_lo``/``_hi``; ``attrs["freq"]`` holds the unit
    used.  Bins with no article are absent (a chart joins only adjacent bins).
    """
    _check_freq(freq)
    by = [by] if isinstance(by, str) else list(by)
    need = [date, "n", *by, *(f"{c}__{k}" for c in columns for k in ("sum", "count"))]
    missing = [c for c in need if c not in sums.columns]
    if missing:
        raise ValueError(f"aggregate_binned: missing column(s) {missing}; found {list(sums.columns)}")
    dated = sums[_as_dates(sums[date]).notna().to_numpy()]
    unit = choose_freq(dated[date]) if freq == "auto" else freq
    table = dated.assign(bin=bin_dates(dated[date], unit).to_numpy())
    out = aggregate_sums(table, [*by, "bin"], list(columns), n_boot=n_boot, level=level, seed=seed)
    if out.empty:
        out = pd.DataFrame(columns=["bin", *by, "n", "n_articles",
                                    *(f"{c}{s}" for c in columns for s in ("", "_lo", "_hi"))])
    out = out[["bin", *by, *[c for c in out.columns if c not in ("bin", *by)]]]
    out["bin"] = pd.to_datetime(out["bin"])
    out = out.sort_values([*by, "bin"]).reset_index(drop=True)
    out.attrs["freq"] = unit
    return out


def detect_change_points(binned: pd.DataFrame, column: str | Sequence[str], *, by: str | Sequence[str] = (),
                         min_articles: int = 3, min_bins: int = CHANGE_POINT_MIN_BINS,
                         penalty: float | None = None) -> pd.DataFrame:
    """Where the level of a binned series shifts: PELT (``ruptures``, least-squares cost) on the bin means.

    Only bins with at least ``min_articles`` articles are used, and a series needs ``min_bins`` of them
    (otherwise it gets no row).  The penalty defaults to ``3 * sigma**2 * log(bins)`` (the BIC penalty of a
    mean shift, 2 sigma^2 log n, made stricter), sigma being the sampling noise of one bin mean: the root mean
    square of the standard errors implied by the bins' bootstrap intervals, or, without them, the median absolute
    deviation of neighbouring differences / 0.6745 / sqrt 2.  So a shift must stand out from what
    resampling the articles gives; each segment spans at least 3 bins.

    A change point says that the mean before and after a date differ more than bin-to-bin noise would
    explain; it does not say why, nor that the event nearest to it caused it, and a series with few
    articles per bin can show one from sampling alone.

    ``column`` may be several value columns (one series each, named in the ``column`` column).

    Returns
    -------
    DataFrame: the ``by`` columns, ``column`` (the series' value column), ``bin`` (first bin of the new
    segment), ``mean_before``, ``mean_after`` (unweighted means of the bin means of the two segments),
    ``bins_before``, ``bins_after``, ``penalty``. With no row, ``attrs["note"]`` says why in words (no series
    had enough bins, or none shifted), for the report to print instead of an empty table.
    """
    import ruptures

    by = [by] if isinstance(by, str) else list(by)
    cols = [*by, "column", "bin", "mean_before", "mean_after", "bins_before", "bins_after", "penalty"]
    rows, tested, untested, most = [], 0, 0, 0
    for name in ([column] if isinstance(column, str) else list(column)):
        if not binned.empty and name in binned.columns:
            rows += _change_points(ruptures, binned, name, by, min_articles, min_bins, penalty)
            usable = binned[(binned["n_articles"] >= min_articles) & binned[name].notna()]
            sizes = usable.groupby(by, sort=False).size() if by else pd.Series([len(usable)])
            tested += int((sizes >= max(min_bins, 4)).sum())
            untested += int((sizes < max(min_bins, 4)).sum()) or int(sizes.empty)
            most = max(most, int(sizes.max()) if len(sizes) else 0)
        else:
            untested += 1
    out = pd.DataFrame(rows, columns=cols)
    out["bin"] = pd.to_datetime(out["bin"])
    if out.empty:
        out.attrs["note"] = _no_change_point_note(tested, untested, most, min_bins=max(min_bins, 4),
                                                  min_articles=min_articles)
    return out


def _no_change_point_note(tested: int, untested: int, most: int, *, min_bins: int, min_articles: int) -> str:
    """Why :func:`detect_change_points` found none, in words."""
    if not tested:
        return (f"No change point looked for: no series has {min_bins} bins with at least {min_articles} articles "
                f"(the most: {most}). More dated articles (metadata.csv) or another freq give more such bins.")
    skipped = f"; {untested} series with fewer such bins not tested" if untested else ""
    return (f"No change point: in the {tested} series with at least {min_bins} bins of {min_articles}+ articles, "
            f"no shift stands out from the bins' sampling noise{skipped}.")


_PENALTY_FACTOR = 3.0  # pen = 3 sigma^2 log(bins): above BIC's 2, so sampling noise rarely passes for a shift
_MIN_SEGMENT = 3  # bins per segment at least


def _noise(group: pd.DataFrame, column: str, values: np.ndarray) -> float:
    """The sampling noise of one bin mean: the root mean square of the standard errors from the bins' 95%
    bootstrap intervals ((hi - lo) / 3.92); without intervals, the median absolute deviation of neighbouring
    differences (/ 0.6745 / sqrt 2).

    Not the median standard error: in a sparse series (a theme most articles never mention) most bins have
    next to no spread, and their median would let the few bins with hits, and their wide intervals, pass
    for shifts (600 real articles: four change points in a theme at 0.3-2.6 hits per 1,000 words)."""
    lo, hi = group.get(f"{column}_lo"), group.get(f"{column}_hi")
    if lo is not None and hi is not None:
        se = ((hi - lo) / 3.92).to_numpy(dtype=float)
        se = se[np.isfinite(se) & (se > 0)]
        if se.size:
            return float(np.sqrt(np.mean(se ** 2)))
    diffs = np.diff(values)
    sigma = float(np.median(np.abs(diffs - np.median(diffs))) / 0.6745 / np.sqrt(2))
    return sigma if sigma > 0 else float(np.std(values)) or 1e-12


def _change_points(ruptures, binned: pd.DataFrame, column: str, by: list[str], min_articles: int, min_bins: int,
                   penalty: float | None) -> list[dict]:
    rows = []
    usable = binned[(binned["n_articles"] >= min_articles) & binned[column].notna()]
    groups = usable.groupby(by, sort=True) if by else [((), usable)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        group = group.sort_values("bin")
        values = group[column].to_numpy(dtype=float)
        if len(values) < max(min_bins, 4):
            continue
        sigma = _noise(group, column, values)
        pen = penalty if penalty is not None else _PENALTY_FACTOR * sigma ** 2 * np.log(len(values))
        ends = ruptures.Pelt(model="l2", min_size=_MIN_SEGMENT, jump=1).fit(values.reshape(-1, 1)).predict(pen=pen)
        starts = [0, *ends[:-1]]
        for i, cut in enumerate(ends[:-1]):
            before, after = values[starts[i]:cut], values[cut:ends[i + 1]]
            rows.append({**dict(zip(by, key)), "column": column, "bin": group["bin"].iloc[cut],
                         "mean_before": float(before.mean()), "mean_after": float(after.mean()),
                         "bins_before": len(before), "bins_after": len(after), "penalty": float(pen)})
    return rows
