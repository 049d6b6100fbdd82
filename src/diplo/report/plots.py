"""Charts: each ``plot_*`` helper draws one chart on an Axes, labels it with units, and returns the Axes.

Plots never compute scores; they draw tables made by :mod:`diplo.analysis.aggregate` (means with bootstrap
``_lo``/``_hi`` columns) or by the scorers. One style for every notebook:

- :func:`use_style` sets sizes readable at report scale and a colour-blind-safe palette;
- :func:`color_for` maps a name (outlet, theme, scorer, actor) to the same colour in every chart;
- time axes show dates; dates are sparse in news corpora, so time series are points with interval bars,
  never lines that would invent values between publication dates.

The shared style lives in :mod:`diplo.report.style` and the binned time charts in
:mod:`diplo.report.trend_plots`; the names notebooks use are re-exported here.
"""

from __future__ import annotations

from typing import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from diplo.report.style import (LABEL_CHARS, MAX_PIXELS, MISSING_COLOR, PALETTE, SCORER_LABELS, assign_colors,
                                color_for, date_axis, empty_chart, errorbar, interval_bounds, interval_text,
                                label_for, new_axes, require_columns, save_figure, short_label, use_style)
from diplo.report.trend_plots import plot_articles_timeline, plot_trend, plot_trend_panels, trend_note

__all__ = ["PALETTE", "use_style", "color_for", "assign_colors", "label_for", "save_figure", "plot_tone_over_time",
           "plot_tone_by_outlet", "plot_by_scorer", "plot_scorer_agreement", "plot_articles_timeline",
           "plot_article_lengths", "plot_metadata_sources", "plot_removed_by_rule", "plot_theme_heatmap",
           "plot_theme_over_time", "plot_topic_theme_overlap", "plot_theme_tone_over_time",
           "plot_actor_tone", "plot_validation", "short_label", "plot_trend", "plot_trend_panels", "trend_note",
           "LABEL_CHARS", "MAX_PIXELS"]


_SOURCE_COLORS = {"metadata.csv": "#E69F00", "html": "#0072B2", "table": "#CC79A7", "text": "#009E73",
                  "unknown": MISSING_COLOR}


def plot_tone_over_time(by_date: pd.DataFrame, column: str = "tone_vader", *, ax: plt.Axes | None = None,
                        title: str | None = None) -> plt.Axes:
    """Mean tone per publication date as points with 95% bootstrap interval bars.

    Parameters
    ----------
    by_date : table with ``date`` (YYYY-MM-DD), ``column`` and optionally ``<column>_lo``/``_hi`` and ``n``.
    column : tone column to draw.

    Raises
    ------
    ValueError
        If ``date`` or ``column`` is missing (the message lists the columns found).
    """
    if by_date.empty:  # an empty selection: aggregates come back without columns
        return empty_chart(new_axes(ax), title or f"{SCORER_LABELS.get(column, column)} tone by publication date",
                      "no dated sentences in this selection")
    require_columns(by_date, ["date", column], "plot_tone_over_time")
    df = by_date.dropna(subset=["date", column]).copy()
    df["date"] = pd.to_datetime(df["date"])
    df = df.sort_values("date")
    ax = new_axes(ax)
    title = title or f"{SCORER_LABELS.get(column, column)} tone by publication date"
    if df.empty:
        return empty_chart(ax, title, "no dated articles in this selection")
    lo, hi = interval_bounds(df, column)
    errorbar(ax, df["date"], df[column], lo, hi, color=color_for(column),
              label=f"mean of sentences, {interval_text(lo)}")
    ax.axhline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel("publication date")
    ax.set_ylabel(label_for(column))
    ax.set_title(title)
    date_axis(ax, df["date"])
    ax.legend(loc="best")
    return ax


def plot_tone_by_outlet(by_outlet: pd.DataFrame, column: str = "tone_vader", *, ax: plt.Axes | None = None,
                        title: str | None = None, max_outlets: int = 20) -> plt.Axes:
    """Mean tone per outlet (horizontal points with 95% bootstrap interval bars), outlet colours fixed.

    ``by_outlet`` needs ``outlet`` and ``column`` (``<column>_lo``/``_hi`` and ``n`` optional). Only the
    ``max_outlets`` largest outlets (by ``n_articles``, else ``n``) are drawn; the caption counts the others.
    """
    if by_outlet.empty:
        return empty_chart(new_axes(ax), title or f"{SCORER_LABELS.get(column, column)} tone by outlet",
                      "no articles in this selection")
    require_columns(by_outlet, ["outlet", column], "plot_tone_by_outlet")
    df = by_outlet.dropna(subset=[column]).copy()
    df["outlet"] = df["outlet"].fillna("").astype(str)
    size = next((c for c in ("n_articles", "n") if c in df.columns), None)
    more = max(0, len(df) - max_outlets)
    if more:
        df = df.sort_values([size, "outlet"], ascending=[False, True]).head(max_outlets) if size else df.head(max_outlets)
    df = df.sort_values([column, "outlet"]).reset_index(drop=True)
    ax = new_axes(ax)
    title = title or f"{SCORER_LABELS.get(column, column)} tone by outlet"
    if df.empty:
        return empty_chart(ax, title, "no articles in this selection")
    lo, hi = interval_bounds(df, column)
    for i, row in df.iterrows():  # one point per outlet: a handful of rows
        errorbar(ax, [i], [row[column]], [lo[i]], [hi[i]], color=color_for(row["outlet"]), label=None,
                  horizontal=True)
    labels = [short_label(o or "unknown outlet", 40) + (f"  (n={int(n):,})" if "n" in df.columns else "")
              for o, n in zip(df["outlet"], df["n"] if "n" in df.columns else [0] * len(df))]
    ax.set_yticks(range(len(df)), labels)
    ax.set_ylim(-0.6, len(df) - 0.4)
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel(f"{label_for(column)}, mean with {interval_text(lo)}"
                  + (f"\n{more:,} smaller outlet(s) not shown (all in the table)" if more else ""))
    ax.set_ylabel("outlet (n = sentences)" if "n" in df.columns else "outlet")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return ax


def plot_by_scorer(plot: Callable[..., plt.Axes], table: pd.DataFrame, columns: Sequence[str], *,
                   title: str | None = None, sharex: bool = True, **kwargs) -> np.ndarray:
    """One figure of stacked panels, ``plot(table, column, ax=...)`` per tone column (scales differ).

    Returns
    -------
    ndarray of Axes, one per column.
    """
    columns = list(columns)
    if not columns:
        raise ValueError("plot_by_scorer: no columns given")
    width, height = plt.rcParams["figure.figsize"]
    fig, axes = plt.subplots(len(columns), 1, figsize=(width, max(height * 0.62 * len(columns), height)),
                             sharex=sharex, squeeze=False)
    for ax, column in zip(axes[:, 0], columns):
        plot(table, column, ax=ax, title=SCORER_LABELS.get(column, column), **kwargs)
        if sharex and ax is not axes[-1, 0]:
            ax.set_xlabel("")
    for ax in axes[:, 0]:  # the interval is explained once, in the figure title
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    if title:
        fig.suptitle(title, fontweight="bold", fontsize=plt.rcParams["axes.titlesize"])
    fig.tight_layout()
    return axes[:, 0]


def plot_scorer_agreement(corr: pd.DataFrame, *, ax: plt.Axes | None = None, n: int | None = None,
                          method: str = "Spearman", title: str | None = None) -> plt.Axes:
    """Heatmap of a square correlation matrix between tone scorers, each cell annotated.

    ``corr`` is e.g. ``sentence_scores[tone_columns].corr("spearman")``; ``n`` (sentences) goes in the title.
    """
    if corr.shape[0] != corr.shape[1] or list(corr.index) != list(corr.columns):
        raise ValueError(f"plot_scorer_agreement needs a square matrix with equal row and column labels; "
                         f"got rows {list(corr.index)} and columns {list(corr.columns)}")
    ax = new_axes(ax, (5.5, 4.5))
    labels = [SCORER_LABELS.get(c, c) for c in corr.columns]
    im = ax.imshow(corr.to_numpy(dtype=float), cmap="RdBu", vmin=-1, vmax=1)
    for (i, j), v in np.ndenumerate(corr.to_numpy(dtype=float)):
        ax.text(j, i, "n/a" if np.isnan(v) else f"{v:.2f}", ha="center", va="center",
                color="white" if abs(v) > 0.6 else "black")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("scorer")
    ax.set_ylabel("scorer")
    ax.grid(False)
    ax.figure.colorbar(im, ax=ax, label=f"{method} correlation (-1..1)")
    suffix = f", {n:,} sentences" if n is not None else ""
    ax.set_title(title or f"Agreement between tone scorers ({method}{suffix})")
    return ax


def _article_labels(df: pd.DataFrame) -> list[str]:
    date = df["date"].fillna("undated").astype(str) if "date" in df.columns else ""
    outlet = df["outlet"].fillna("").astype(str).replace("", "unknown outlet") if "outlet" in df.columns else ""
    return [short_label(f"{d} · {o} · {i}") for d, o, i in zip(date, outlet, df["doc_id"])]


def _article_order(articles: pd.DataFrame) -> pd.DataFrame:
    df = articles.copy()
    df["_when"] = df["date"].fillna("9999").astype(str) if "date" in df.columns else ""
    return df.sort_values(["_when", "doc_id"]).drop(columns="_when").reset_index(drop=True)


def plot_article_lengths(articles: pd.DataFrame, *, ax: plt.Axes | None = None,
                         title: str | None = None, bins: int = 30) -> plt.Axes:
    """Distribution of words per article: a histogram (the same size at 5 or 500,000 articles), median marked."""
    require_columns(articles, ["doc_id", "n_words"], "plot_article_lengths")
    ax = new_axes(ax)
    title = title or "Article length"
    words = pd.to_numeric(articles["n_words"], errors="coerce").dropna()
    if words.empty:
        return empty_chart(ax, title, "no articles in this selection")
    ax.hist(words, bins=min(bins, max(int(words.nunique()), 1)), color=PALETTE[0], edgecolor="white")
    median = float(words.median())
    ax.axvline(median, color=PALETTE[3], linewidth=1.2, label=f"median {median:,.0f} words")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(f"words in the clean text ({len(words):,} articles; shortest {int(words.min()):,}, "
                  f"longest {int(words.max()):,})")
    ax.set_ylabel("articles")
    ax.set_title(title)
    ax.legend(loc="upper right")
    return ax


def plot_metadata_sources(articles: pd.DataFrame, fields: Sequence[str] = ("title", "date", "outlet", "author"),
                          *, ax: plt.Axes | None = None, title: str | None = None) -> plt.Axes:
    """Where each metadata field came from: articles per (field, ``<field>_source``), stacked bars."""
    fields = [f for f in fields if f"{f}_source" in articles.columns]
    if not fields:
        raise ValueError(f"plot_metadata_sources: no <field>_source columns; found {list(articles.columns)}")
    counts = pd.DataFrame({f: articles[f"{f}_source"].fillna("unknown").astype(str).value_counts()
                           for f in fields}).fillna(0).astype(int)
    order = sorted(counts.index, key=lambda s: (s == "unknown", s))
    counts = counts.loc[order]
    ax = new_axes(ax)
    left = np.zeros(len(fields))
    for source in order:
        vals = counts.loc[source, fields].to_numpy(dtype=float)
        ax.barh(fields, vals, left=left, color=_SOURCE_COLORS.get(source) or color_for(source),
                label=source)
        left += vals
    ax.invert_yaxis()
    ax.set_xlabel("articles")
    ax.set_ylabel("metadata field")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title or "Where each metadata field came from")
    ax.legend(title="source", loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(axis="y", visible=False)
    return ax


def plot_removed_by_rule(removed: pd.DataFrame, articles: pd.DataFrame, *, ax: plt.Axes | None = None,
                         title: str | None = None, max_rules: int = 12) -> plt.Axes:
    """What cleaning removed: removals per cleaning rule (bars), with the number of articles each touched.

    ``removed`` has one row per removed line or span (``doc_id``, ``rule``); only the rows of ``articles``
    count. The ``max_rules`` most frequent rules get a bar, the rest are summed as "other rules".
    """
    require_columns(removed, ["doc_id", "rule"], "plot_removed_by_rule")
    require_columns(articles, ["doc_id"], "plot_removed_by_rule")
    ax = new_axes(ax)
    title = title or "What cleaning removed, by rule"
    if articles.empty:
        return empty_chart(ax, title, "no articles in this selection")
    rem = removed[removed["doc_id"].isin(articles["doc_id"])]
    if rem.empty:
        return empty_chart(ax, title, f"cleaning removed nothing from the {len(articles):,} articles")
    totals = rem.groupby("rule").agg(removals=("doc_id", "size"), articles=("doc_id", "nunique"))
    totals = totals.sort_values(["removals"], ascending=False, kind="stable")
    totals = totals.loc[sorted(totals.index, key=lambda r: (-totals.loc[r, "removals"], r))]
    if len(totals) > max_rules:
        rest = totals.iloc[max_rules:]
        other_docs = rem.loc[rem["rule"].isin(rest.index), "doc_id"].nunique()
        totals = pd.concat([totals.iloc[:max_rules],
                            pd.DataFrame({"removals": [int(rest["removals"].sum())], "articles": [other_docs]},
                                         index=["other rules"])])
    y = np.arange(len(totals))
    ax.barh(y, totals["removals"], color=PALETTE[0])
    for yy, (n, docs) in zip(y, totals[["removals", "articles"]].to_numpy()):
        ax.text(n, yy, f" {int(n):,} in {int(docs):,} art.", va="center", fontsize=8)
    ax.set_yticks(y, [short_label(str(r).replace("_", " ")) for r in totals.index])
    ax.invert_yaxis()
    ax.set_xlim(0, float(totals["removals"].max()) * 1.3)
    ax.set_xlabel(f"lines or spans removed ({len(rem):,} in total from {len(articles):,} articles)")
    ax.set_ylabel("cleaning rule")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return ax


def plot_theme_heatmap(articles: pd.DataFrame, theme_columns: Sequence[str], *, freq: str = "auto",
                       ax: plt.Axes | None = None, title: str | None = None,
                       unit: str = "hits per 1,000 words") -> plt.Axes:
    """Themes (rows) x calendar periods (columns), colour = mean theme rate of the period's articles.

    Periods are bins of ``freq`` (``auto``: at most about 40 with data); undated articles form a last
    "undated" column, so the chart has the same size at any number of articles.
    """
    from diplo.analysis.trends import bin_dates, choose_freq

    theme_columns = list(theme_columns)
    require_columns(articles, ["doc_id", "date", *theme_columns], "plot_theme_heatmap")
    title = title or "Theme prevalence by period"
    if articles.empty or not theme_columns:
        return empty_chart(new_axes(ax), title, "no articles or no themes in this selection")
    when = pd.to_datetime(articles["date"], format="%Y-%m-%d", errors="coerce")
    period = choose_freq(articles["date"]) if freq == "auto" else freq
    bins = bin_dates(articles["date"], period)
    fmt = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "quarter": "%Y-%m", "year": "%Y"}[period]
    labels = bins.dt.strftime(fmt)
    if period == "quarter":
        labels = bins.dt.year.astype("Int64").astype(str) + "Q" + bins.dt.quarter.astype("Int64").astype(str)
    labels = labels.where(when.notna(), "undated")
    df = articles[theme_columns].astype(float).assign(_period=labels.to_numpy(), _bin=bins.to_numpy())
    grouped = df.groupby("_period", sort=False)
    means = grouped[theme_columns].mean()
    counts = grouped.size()
    order = sorted(means.index, key=lambda k: (k == "undated", k))
    means, counts = means.loc[order], counts.loc[order]
    values = means.to_numpy(dtype=float).T  # themes x periods
    ax = new_axes(ax, (min(16, max(6, 0.32 * len(order) + 4)), max(3, 0.42 * len(theme_columns) + 2)))
    im = ax.imshow(values, aspect="auto", cmap="cividis", vmin=0)
    vmax = np.nanmax(values) if np.isfinite(values).any() else 0
    if values.size <= 150:
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=7,
                    color="black" if vmax and v > 0.5 * vmax else "white")
    names = [short_label((c[len("theme_"):] if c.startswith("theme_") else c).replace("_", " "), 30)
             for c in theme_columns]
    ax.set_yticks(range(len(names)), names)
    step = max(1, -(-len(order) // 20))
    ticks = list(range(0, len(order), step))
    ax.set_xticks(ticks, [f"{order[j]} ({int(counts.iloc[j]):,})" for j in ticks], rotation=60, ha="right",
                  fontsize=8)
    ax.set_xlabel(f"period ({period} bins; articles in brackets)")
    ax.set_ylabel("theme")
    ax.grid(False)
    ax.figure.colorbar(im, ax=ax, label=f"mean per article ({unit})")
    ax.set_title(title)
    return ax


def _long_by_date(table: pd.DataFrame, key: str, value: str) -> pd.DataFrame:
    require_columns(table, ["date", key, value], "time series")
    df = table.dropna(subset=["date", value]).copy()
    df["date"] = pd.to_datetime(df["date"])
    return df.sort_values([key, "date"])


def _facets(n: int, *, ncols: int = 4, height: float = 2.3) -> tuple[plt.Figure, np.ndarray]:
    """A grid of small multiples sharing both axes: one panel per theme (or actor)."""
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    width = plt.rcParams["figure.figsize"][0] * (1.25 if ncols > 2 else 1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 0.9 + height * nrows), sharex=True, sharey=True,
                             squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat[:n]


def _panel_labels(fig: plt.Figure, axes: np.ndarray, title: str, xlabel: str, ylabel: str) -> None:
    for ax in axes:
        ax.set_xlabel("")
        ax.set_ylabel("")
    fig.suptitle(title, fontweight="bold", fontsize=plt.rcParams["axes.titlesize"])
    fig.supxlabel(xlabel, fontsize=plt.rcParams["axes.labelsize"])
    fig.supylabel(ylabel, fontsize=plt.rcParams["axes.labelsize"])
    fig.tight_layout()


def plot_theme_over_time(by_date: pd.DataFrame, theme_columns: Sequence[str], *, title: str | None = None,
                         unit: str = "hits per 1,000 words", ncols: int = 4) -> np.ndarray:
    """Theme prevalence per publication date: one small panel per theme (shared axes), points with 95% bars.

    ``by_date`` is wide, as :func:`diplo.analysis.aggregate.aggregate_by` returns it: ``date``, one column per theme
    (``theme_<name>``) and optionally ``theme_<name>_lo``/``_hi``.

    Returns
    -------
    ndarray of Axes, one per theme.
    """
    theme_columns = list(theme_columns)
    title = title or "Theme prevalence by publication date"
    if by_date.empty:
        return np.array([empty_chart(new_axes(None), title, "no dated articles in this selection")])
    require_columns(by_date, ["date", *theme_columns], "plot_theme_over_time")
    df = by_date.dropna(subset=["date"]).copy()
    df["date"] = pd.to_datetime(df["date"])
    df = df.sort_values("date").reset_index(drop=True)
    if df.empty or not theme_columns:
        return np.array([empty_chart(new_axes(None), title, "no dated articles or no themes in this selection")])
    fig, axes = _facets(len(theme_columns), ncols=ncols)
    for ax, column in zip(axes, theme_columns):
        name = column[len("theme_"):] if column.startswith("theme_") else column
        lo, hi = interval_bounds(df, column)
        errorbar(ax, df["date"], df[column], lo, hi, color=color_for(name), label=None, markersize=5)
        ax.set_title(name.replace("_", " "), fontsize=plt.rcParams["font.size"])
        date_axis(ax, df["date"], maxticks=4)
    top = max(axes[0].get_ylim()[1], 1e-9)
    axes[0].set_ylim(-0.04 * top, top)  # shared y: zero visible, points at zero not cut in half
    _panel_labels(fig, axes, title, "publication date",
                  f"mean per article ({unit}), {interval_text(*(interval_bounds(df, c)[0] for c in theme_columns))}")
    return np.asarray(axes)


def plot_topic_theme_overlap(overlap: pd.DataFrame, *, ax: plt.Axes | None = None, title: str | None = None,
                             unit: str = "correlation across articles") -> plt.Axes:
    """Heatmap of topics (rows, labelled by their top words) against dictionary themes (columns)."""
    if overlap.empty:
        return empty_chart(new_axes(ax), title or "Topics and dictionary themes", "no topics in this selection")
    ax = new_axes(ax, (max(6, 1.1 * overlap.shape[1] + 5), max(3, 0.45 * overlap.shape[0] + 1.8)))
    values = overlap.to_numpy(dtype=float)
    lim = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1
    diverging = np.nanmin(values) < 0 if np.isfinite(values).any() else False
    im = ax.imshow(values, aspect="auto", cmap="RdBu" if diverging else "cividis",
                   vmin=-lim if diverging else 0, vmax=lim or 1)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, "n/a" if np.isnan(v) else f"{v:.2f}", ha="center", va="center", fontsize=8,
                color="black" if (diverging and abs(v) < 0.6 * lim) or (not diverging and v > 0.6 * lim)
                else "white")
    cols = [str(c)[len("theme_"):] if str(c).startswith("theme_") else str(c) for c in overlap.columns]
    ax.set_xticks(range(len(cols)), [c.replace("_", " ") for c in cols], rotation=30, ha="right")
    ax.set_yticks(range(overlap.shape[0]), [str(i) for i in overlap.index])
    ax.set_xlabel("dictionary theme")
    ax.set_ylabel("topic (top words)")
    ax.grid(False)
    ax.figure.colorbar(im, ax=ax, label=unit)
    ax.set_title(title or "Unsupervised topics against dictionary themes")
    return ax


def plot_theme_tone_over_time(by_date: pd.DataFrame, column: str = "tone_vader", *, title: str | None = None,
                              ncols: int = 4, min_n: int = 1, order: Sequence[str] | None = None) -> np.ndarray:
    """Tone of the sentences mentioning each theme, per date: one small panel per theme (shared axes).

    ``by_date`` is long, as :func:`diplo.analysis.aggregate.aggregate_theme_tone` returns it: ``theme``, ``date``,
    ``column`` (and ``<column>_lo``/``_hi``, ``n``). Points with fewer than ``min_n`` sentences are left out.
    ``order`` gives the panel order (e.g. the dictionary's theme order); default alphabetical.

    Returns
    -------
    ndarray of Axes, one per theme.
    """
    title = title or f"{SCORER_LABELS.get(column, column)} tone of the sentences about each theme"
    if by_date.empty:
        return np.array([empty_chart(new_axes(None), title, "no dated theme sentences in this selection")])
    df = _long_by_date(by_date, "theme", column)
    if "n" in df.columns:
        df = df[df["n"] >= min_n]
    if df.empty:
        return np.array([empty_chart(new_axes(None), title, "no dated theme sentences in this selection")])
    present = set(df["theme"].astype(str))
    themes = [t for t in (order or []) if t in present] + sorted(present - set(order or []))
    fig, axes = _facets(len(themes), ncols=ncols)
    for ax, theme in zip(axes, themes):
        group = df[df["theme"].astype(str) == theme]
        lo, hi = interval_bounds(group, column)
        errorbar(ax, group["date"], group[column], lo, hi, color=color_for(theme), label=None, markersize=5)
        ax.axhline(0, color="0.4", linewidth=0.8)
        ax.set_title(theme.replace("_", " "), fontsize=plt.rcParams["font.size"])
        date_axis(ax, df["date"], maxticks=4)
    _panel_labels(fig, axes, title, "publication date",
                  f"{label_for(column)}\nmean of theme sentences, {interval_text(interval_bounds(df, column)[0])}")
    return np.asarray(axes)


def plot_actor_tone(toward: pd.DataFrame, by: pd.DataFrame | None = None, column: str = "tone_vader", *,
                    ax: plt.Axes | None = None, title: str | None = None, min_n: int = 1,
                    max_actors: int = 25) -> plt.Axes:
    """Tone toward and by each actor: one row per actor, a marker per direction, with 95% interval bars.

    Parameters
    ----------
    toward : per actor (``actor``) the target-aware tone of its mentions, ``<column>_target`` with
        ``_lo``/``_hi`` (as :func:`diplo.analysis.aggregate.aggregate_actor_tone` returns it).
    by : per speaker (``speaker``) the tone of the sentences it is quoted in, ``<column>`` with ``_lo``/``_hi``
        (as :func:`diplo.analysis.aggregate.aggregate_speaker_tone` returns it); optional.
    min_n : leave out actors with fewer mentions (or quotes) than this.
    """
    parts = []
    if len(toward):  # an empty selection may come without columns
        require_columns(toward, ["actor", f"{column}_target"], "plot_actor_tone (toward)")
        parts.append(toward.rename(columns={f"{column}_target{s}": f"{column}{s}" for s in ("", "_lo", "_hi")})
                     .assign(direction="toward the actor (mentions)"))
    if by is not None and len(by):
        require_columns(by, ["speaker", column], "plot_actor_tone (by)")
        parts.append(by.rename(columns={"speaker": "actor"}).assign(direction="by the actor (quoted sentences)"))
    df = (pd.concat(parts, ignore_index=True).dropna(subset=[column]) if parts
          else pd.DataFrame(columns=["actor", "direction", column]))
    if "n" in df.columns:
        df = df[df["n"] >= min_n]
        if df["actor"].nunique() > max_actors:  # the most mentioned; the table has them all
            size = df.groupby("actor")["n"].sum()
            keep = sorted(size.index, key=lambda a: (-size[a], str(a)))[:max_actors]
            df = df[df["actor"].isin(keep)]
    ax = new_axes(ax, (8, max(3, 0.5 * df["actor"].nunique() + 1.5)))
    title = title or f"{SCORER_LABELS.get(column, column)} tone toward and by each actor"
    if df.empty:
        return empty_chart(ax, title, "no actor mentions in this selection")
    actors = sorted(df["actor"].astype(str).unique())
    rows = {a: i for i, a in enumerate(actors)}
    directions = [d for d in ("toward the actor (mentions)", "by the actor (quoted sentences)")
                  if d in set(df["direction"])]
    for k, (direction, marker, colour) in enumerate(zip(directions, ["o", "s"], [PALETTE[0], PALETTE[3]])):
        part = df[df["direction"] == direction]
        y = part["actor"].astype(str).map(rows) + (k - (len(directions) - 1) / 2) * 0.22
        lo, hi = interval_bounds(part, column)
        mean = part[column].to_numpy(dtype=float)
        err = np.vstack([np.nan_to_num(mean - lo.to_numpy(dtype=float)),
                         np.nan_to_num(hi.to_numpy(dtype=float) - mean)])
        ax.errorbar(mean, y, xerr=err, fmt=marker, color=colour, label=direction, capsize=3, markersize=6)
    labels = [short_label(a, 40) for a in actors]
    if "n" in df.columns:
        n = df.groupby(["actor", "direction"])["n"].sum().unstack(fill_value=0)
        counts = {a: " / ".join(f"{int(n.loc[a].get(d, 0)):,}" for d in directions) for a in actors}
        labels = [f"{short_label(a, 40)}  (n={counts[a]})" for a in actors]
    ax.set_yticks(range(len(actors)), labels)
    ax.set_ylim(-0.6, len(actors) - 0.4)
    ax.invert_yaxis()
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel(f"{label_for(column)}, mean with {interval_text(interval_bounds(df, column)[0])}")
    ax.set_ylabel("actor (n = " + " / ".join(("mentions", "quoted sentences")[:len(directions)]) + ")")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    return ax


def plot_validation(table: pd.DataFrame, metric: str = "macro_f1", *, ax: plt.Axes | None = None,
                    title: str | None = None) -> plt.Axes:
    """Agreement of each scorer with human labels: horizontal bars per labelled file (and level), scorer colours.

    ``table`` as :func:`diplo.report.batch.validation_table` returns it (``file``, ``level``, ``scorer``, ``n``,
    ``metric``).
    """
    require_columns(table, ["file", "level", "scorer", metric], "plot_validation")
    df = table.dropna(subset=[metric]).sort_values(["file", "level", "scorer"]).reset_index(drop=True)
    groups = list(dict.fromkeys(zip(df["file"], df["level"])))
    scorers = sorted(df["scorer"].unique())
    ax = new_axes(ax, (8, max(2.8, 0.45 * len(groups) * max(len(scorers), 1) + 1.5)))
    pretty = {"macro_f1": "macro-F1"}.get(metric, metric.replace("_", " "))
    title = title or f"Agreement with human labels ({pretty})"
    if df.empty:
        return empty_chart(ax, title, "no validation results")
    height = 0.8 / max(len(scorers), 1)
    for k, scorer in enumerate(scorers):
        part = df[df["scorer"] == scorer]
        y = [groups.index(g) + (k - (len(scorers) - 1) / 2) * height for g in zip(part["file"], part["level"])]
        ax.barh(y, part[metric], height=height * 0.95, color=color_for(scorer), label=scorer)
        for yy, v in zip(y, part[metric]):
            ax.text(v + 0.01, yy, f"{v:.2f}", va="center", fontsize=8)
    n = df.groupby(["file", "level"], sort=False)["n"].first()
    ax.set_yticks(range(len(groups)), [f"{f} ({lvl}, n={int(n[(f, lvl)]):,})" for f, lvl in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.08 if metric in ("macro_f1", "accuracy") else None)
    ax.set_xlabel(f"{pretty} (0..1, higher = closer to the human labels)")
    ax.set_ylabel("labelled file (level, rows)")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    ax.legend(title="scorer", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax
