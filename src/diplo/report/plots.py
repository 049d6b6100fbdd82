"""Charts: each ``plot_*`` helper draws one chart on an Axes, labels it with units, and returns the Axes.

Plots never compute scores; they draw tables made by :mod:`diplo.analysis.aggregate` (means with bootstrap
``_lo``/``_hi`` columns) or by the scorers. One style for every notebook:

- :func:`use_style` sets sizes readable at report scale and a colour-blind-safe palette;
- :func:`color_for` maps a name (outlet, theme, scorer, actor) to the same colour in every chart;
- time axes show dates; dates are sparse in news corpora, so time series are points with interval bars,
  never lines that would invent values between publication dates.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Callable, Iterable, Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["PALETTE", "use_style", "color_for", "assign_colors", "label_for", "save_figure", "plot_tone_over_time",
           "plot_tone_by_outlet", "plot_by_scorer", "plot_scorer_agreement", "plot_articles_timeline",
           "plot_article_lengths", "plot_metadata_sources", "plot_removed_by_rule", "plot_theme_heatmap",
           "plot_theme_over_time", "plot_topic_theme_overlap", "plot_theme_tone_over_time",
           "plot_actor_tone", "plot_validation", "short_label", "plot_trend", "plot_trend_panels", "trend_note",
           "LABEL_CHARS", "MAX_PIXELS"]

# Okabe-Ito (Okabe & Ito 2008): distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# Paul Tol's "muted" scheme (colour-blind safe) for open-ended name sets: outlets, themes, actors.
_NAMED_CYCLE = ["#332288", "#CC6677", "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#DDCC77",
                "#88CCEE"]
_MISSING = "#9E9E9E"
LABEL_CHARS = 60  # chart labels (outlets, actors, articles) are cut here with an ellipsis; the CSV has the full text
MAX_PIXELS = 2400  # no saved figure is larger than this on either side, whatever the corpus size
_SOURCE_COLORS = {"metadata.csv": "#E69F00", "html": "#0072B2", "table": "#CC79A7", "text": "#009E73",
                  "unknown": _MISSING}
# Colours handed out by assign_colors (name -> colour), consulted after the pinned ones.
_ASSIGNED: dict[str, str] = {}

# Names whose colour is pinned so the names of the sample corpus and the packaged scorers never collide.
_FIXED_COLORS: dict[str, str] = {
    # scorers
    "vader": PALETTE[0], "lexicon": PALETTE[1], "diplomatic": PALETTE[2],
    # outlets in the sample corpus
    "Tehran Times": "#332288", "Mehr News Agency": "#CC6677", "Press TV": "#117733",
    "Caspian News": "#DDCC77", "The Diplomatic Insight": "#882255",
    # actors most diplomatic corpora on the region name
    "Iran": "#117733", "Azerbaijan": "#332288", "Armenia": "#CC6677", "Russia": "#882255",
    "Turkey": "#DDCC77", "Israel": "#88CCEE", "United States": "#AA4499",
}

_UNITS = {
    "tone_vader": "VADER compound (-1..1)",
    "tone_lexicon": "lexicon tone (log pos/neg ratio)",
    "tone_diplomatic": "diplomatic (-10 conflict..+10 coop.)",
}
_SCORER_LABELS = {"tone_vader": "VADER", "tone_lexicon": "lexicon", "tone_diplomatic": "diplomatic"}


def use_style() -> None:
    """Apply diplo's report style: readable sizes, light grid, colour-blind-safe palette, stable SVGs."""
    plt.rcParams.update({
        "figure.figsize": (8, 4.5), "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
        "font.size": 10, "axes.titlesize": 12, "axes.titleweight": "bold", "axes.labelsize": 10,
        "axes.spines.top": False, "axes.spines.right": False,
        "axes.prop_cycle": plt.cycler(color=PALETTE), "axes.grid": True, "grid.alpha": 0.3,
        "legend.frameon": False, "image.cmap": "cividis", "axes.axisbelow": True,
        "svg.hashsalt": "diplo", "svg.fonttype": "none",
    })


def color_for(name: object) -> str:
    """The colour of an outlet, theme, scorer or actor: the same name gets the same colour in every chart.

    Pinned names (the packaged scorers, the sample outlets, common actors) have fixed colours; any other
    name is placed in a colour-blind-safe cycle by a stable hash of its text. Missing names are grey.

    Examples
    --------
    >>> color_for("Press TV") == color_for("Press TV")
    True
    """
    if name is None or (isinstance(name, float) and np.isnan(name)) or str(name).strip() == "":
        return _MISSING
    name = str(name)
    if name.startswith("tone_"):
        name = name[len("tone_"):]
    if name in _FIXED_COLORS:
        return _FIXED_COLORS[name]
    if name in _ASSIGNED:
        return _ASSIGNED[name]
    return _NAMED_CYCLE[zlib.crc32(name.casefold().encode("utf-8")) % len(_NAMED_CYCLE)]


def assign_colors(names: Iterable[object]) -> dict[str, str]:
    """Give each name of one family (all outlets, or all themes) its own colour, the same in every chart.

    Call it once per family with the *whole* set (e.g. every outlet of the unfiltered corpus, every theme of
    the dictionary): names are coloured in sorted order, so every notebook that sees the same corpus and
    dictionary colours them alike, and no two names of the family share a colour while the cycle lasts (9).
    Pinned names keep their colour and it is not handed out again.

    Returns
    -------
    dict name -> colour, for the names given.
    """
    clean = sorted({str(n) for n in names if n is not None and not (isinstance(n, float) and np.isnan(n))
                    and str(n).strip()})
    taken = {_FIXED_COLORS[n] for n in clean if n in _FIXED_COLORS}
    free = [c for c in _NAMED_CYCLE if c not in taken] or _NAMED_CYCLE
    for i, name in enumerate(n for n in clean if n not in _FIXED_COLORS):
        _ASSIGNED[name] = free[i % len(free)]
    return {n: color_for(n) for n in clean}


def label_for(column: str) -> str:
    """Axis label with units for a score column (``tone_vader`` -> ``VADER compound (-1..1)``)."""
    if column in _UNITS:
        return _UNITS[column]
    if column.startswith("theme_"):
        return f"{column[len('theme_'):].replace('_', ' ')} (hits per 1,000 words)"
    return column.replace("_", " ")


def save_figure(obj: plt.Axes | plt.Figure | np.ndarray, stem: str | os.PathLike) -> list[Path]:
    """Write the figure holding ``obj`` as ``<stem>.png`` and ``<stem>.svg`` (no timestamps in either).

    The PNG is at most :data:`MAX_PIXELS` on either side: a figure that would be larger is saved at a lower
    resolution (charts are sized by bins and top-N lists, so this only guards against surprises).
    """
    if isinstance(obj, np.ndarray):
        obj = obj.flat[0]
    fig = obj if isinstance(obj, plt.Figure) else obj.figure
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    dpi = float(plt.rcParams["savefig.dpi"]) if plt.rcParams["savefig.dpi"] != "figure" else fig.dpi
    # the tight bounding box (labels, legends outside the axes) in inches, at the figure's dpi
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    inches = max(bbox.width, bbox.height, 1e-3) + 0.2
    dpi = min(dpi, MAX_PIXELS / inches)
    paths = []
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        path = stem.with_name(f"{stem.name}.{ext}")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # unique per process: runs may share a folder
        fig.savefig(tmp, format=ext, metadata=meta, dpi=dpi)
        os.replace(tmp, path)
        paths.append(path)
    return paths


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; found {list(table.columns)}")


def _ax(ax: plt.Axes | None, figsize: tuple[float, float] | None = None) -> plt.Axes:
    return ax if ax is not None else plt.subplots(figsize=figsize)[1]


def _date_axis(ax: plt.Axes, dates: pd.Series, *, maxticks: int = 8) -> None:
    locator = mdates.AutoDateLocator(minticks=2, maxticks=maxticks)
    locator.intervald[mdates.MONTHLY] = [1, 2, 3, 4, 6, 12]  # yearly steps when panels are narrow
    locator.intervald[mdates.DAILY] = [1, 2, 7, 14]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(dates):
        lo, hi = dates.min(), dates.max()
        pad = max((hi - lo) * 0.05, pd.Timedelta(days=15))
        ax.set_xlim(lo - pad, hi + pad)


def _empty(ax: plt.Axes, title: str, message: str) -> plt.Axes:
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.3")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _errorbar(ax: plt.Axes, x, y, lo, hi, *, color: str, label: str | None, horizontal: bool = False,
              markersize: float = 6, **kw) -> None:
    y = np.asarray(y, dtype=float)
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    err = np.vstack([np.where(np.isnan(lo), 0, y - lo), np.where(np.isnan(hi), 0, hi - y)])
    if horizontal:
        ax.errorbar(y, x, xerr=err, fmt="o", color=color, label=label, capsize=3, markersize=markersize, **kw)
    else:
        ax.errorbar(x, y, yerr=err, fmt="o", color=color, label=label, capsize=3, markersize=markersize, **kw)


def _ci(table: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    nan = pd.Series(np.nan, index=table.index)
    return table.get(f"{column}_lo", nan), table.get(f"{column}_hi", nan)


def _interval_text(*lows: pd.Series) -> str:
    """What the bars are: cluster-bootstrap intervals over articles, or why there are none."""
    if any(pd.Series(lo).notna().any() for lo in lows):
        return "95% bootstrap interval over articles"
    return "no interval: one article per group"


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
        return _empty(_ax(ax), title or f"{_SCORER_LABELS.get(column, column)} tone by publication date",
                      "no dated sentences in this selection")
    _require(by_date, ["date", column], "plot_tone_over_time")
    df = by_date.dropna(subset=["date", column]).copy()
    df["date"] = pd.to_datetime(df["date"])
    df = df.sort_values("date")
    ax = _ax(ax)
    title = title or f"{_SCORER_LABELS.get(column, column)} tone by publication date"
    if df.empty:
        return _empty(ax, title, "no dated articles in this selection")
    lo, hi = _ci(df, column)
    _errorbar(ax, df["date"], df[column], lo, hi, color=color_for(column),
              label=f"mean of sentences, {_interval_text(lo)}")
    ax.axhline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel("publication date")
    ax.set_ylabel(label_for(column))
    ax.set_title(title)
    _date_axis(ax, df["date"])
    ax.legend(loc="best")
    return ax


def plot_tone_by_outlet(by_outlet: pd.DataFrame, column: str = "tone_vader", *, ax: plt.Axes | None = None,
                        title: str | None = None, max_outlets: int = 20) -> plt.Axes:
    """Mean tone per outlet (horizontal points with 95% bootstrap interval bars), outlet colours fixed.

    ``by_outlet`` needs ``outlet`` and ``column`` (``<column>_lo``/``_hi`` and ``n`` optional). Only the
    ``max_outlets`` largest outlets (by ``n_articles``, else ``n``) are drawn; the caption counts the others.
    """
    if by_outlet.empty:
        return _empty(_ax(ax), title or f"{_SCORER_LABELS.get(column, column)} tone by outlet",
                      "no articles in this selection")
    _require(by_outlet, ["outlet", column], "plot_tone_by_outlet")
    df = by_outlet.dropna(subset=[column]).copy()
    df["outlet"] = df["outlet"].fillna("").astype(str)
    size = next((c for c in ("n_articles", "n") if c in df.columns), None)
    more = max(0, len(df) - max_outlets)
    if more:
        df = df.sort_values([size, "outlet"], ascending=[False, True]).head(max_outlets) if size else df.head(max_outlets)
    df = df.sort_values([column, "outlet"]).reset_index(drop=True)
    ax = _ax(ax)
    title = title or f"{_SCORER_LABELS.get(column, column)} tone by outlet"
    if df.empty:
        return _empty(ax, title, "no articles in this selection")
    lo, hi = _ci(df, column)
    for i, row in df.iterrows():  # one point per outlet: a handful of rows
        _errorbar(ax, [i], [row[column]], [lo[i]], [hi[i]], color=color_for(row["outlet"]), label=None,
                  horizontal=True)
    labels = [short_label(o or "unknown outlet", 40) + (f"  (n={int(n)})" if "n" in df.columns else "")
              for o, n in zip(df["outlet"], df["n"] if "n" in df.columns else [0] * len(df))]
    ax.set_yticks(range(len(df)), labels)
    ax.set_ylim(-0.6, len(df) - 0.4)
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel(f"{label_for(column)}, mean with {_interval_text(lo)}"
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
        plot(table, column, ax=ax, title=_SCORER_LABELS.get(column, column), **kwargs)
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
    ax = _ax(ax, (5.5, 4.5))
    labels = [_SCORER_LABELS.get(c, c) for c in corr.columns]
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


def plot_articles_timeline(articles: pd.DataFrame, *, freq: str = "auto", top_outlets: int = 8,
                           events: pd.DataFrame | None = None, ax: plt.Axes | None = None,
                           title: str | None = None) -> plt.Axes:
    """Articles per calendar bin, stacked by outlet (the ``top_outlets`` largest, the rest as "other")."""
    from diplo.analysis.trends import bin_dates, choose_freq, top_names

    _require(articles, ["doc_id", "date", "outlet"], "plot_articles_timeline")
    when = pd.to_datetime(articles["date"], format="%Y-%m-%d", errors="coerce")
    undated = int(when.isna().sum())
    ax = _ax(ax)
    title = title or "Articles by publication date and outlet"
    if when.notna().sum() == 0:
        return _empty(ax, title, _no_dates_message(undated))
    dated = articles[when.notna().to_numpy()]
    unit = choose_freq(dated["date"]) if freq == "auto" else freq
    df = pd.DataFrame({"bin": bin_dates(dated["date"], unit).to_numpy(),
                       "outlet": top_names(dated["outlet"], top_outlets).to_numpy()})
    counts = pd.crosstab(df["bin"], df["outlet"]).sort_index()
    order = sorted(counts.columns, key=lambda o: (o == "other", -counts[o].sum(), o))
    periods = pd.Series(counts.index).dt.to_period(_PERIOD_CODES[unit])
    start, end = periods.dt.start_time, periods.dt.end_time
    left, width = (start + (end - start) * 0.05).to_numpy(), ((end - start) * 0.9).to_numpy()
    bottom = np.zeros(len(counts))
    for outlet in order:
        vals = counts[outlet].to_numpy(dtype=float)
        ax.bar(left, vals, width=width, bottom=bottom, align="edge",
               color=_MISSING if outlet == "other" else color_for(outlet), label=short_label(outlet, 30))
        bottom += vals
    _date_axis(ax, pd.Series([start.min(), end.max()]))
    caption = _events_caption(_draw_events(ax, events))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(f"articles per {unit}")
    ax.set_xlabel("publication date" + (f"\n{undated:,} undated article(s) not shown (give dates in "
                                        "raw_dir/metadata.csv, columns file,date)" if undated else "")
                  + (f"\n{caption}" if caption else ""))
    ax.set_title(title)
    if len(order) > 1:
        ax.legend(title="outlet", loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
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
    _require(articles, ["doc_id", "n_words"], "plot_article_lengths")
    ax = _ax(ax)
    title = title or "Article length"
    words = pd.to_numeric(articles["n_words"], errors="coerce").dropna()
    if words.empty:
        return _empty(ax, title, "no articles in this selection")
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
    ax = _ax(ax)
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
    _require(removed, ["doc_id", "rule"], "plot_removed_by_rule")
    _require(articles, ["doc_id"], "plot_removed_by_rule")
    ax = _ax(ax)
    title = title or "What cleaning removed, by rule"
    if articles.empty:
        return _empty(ax, title, "no articles in this selection")
    rem = removed[removed["doc_id"].isin(articles["doc_id"])]
    if rem.empty:
        return _empty(ax, title, f"cleaning removed nothing from the {len(articles):,} articles")
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
    _require(articles, ["doc_id", "date", *theme_columns], "plot_theme_heatmap")
    title = title or "Theme prevalence by period"
    if articles.empty or not theme_columns:
        return _empty(_ax(ax), title, "no articles or no themes in this selection")
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
    ax = _ax(ax, (min(16, max(6, 0.32 * len(order) + 4)), max(3, 0.42 * len(theme_columns) + 2)))
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
    _require(table, ["date", key, value], "time series")
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
        return np.array([_empty(_ax(None), title, "no dated articles in this selection")])
    _require(by_date, ["date", *theme_columns], "plot_theme_over_time")
    df = by_date.dropna(subset=["date"]).copy()
    df["date"] = pd.to_datetime(df["date"])
    df = df.sort_values("date").reset_index(drop=True)
    if df.empty or not theme_columns:
        return np.array([_empty(_ax(None), title, "no dated articles or no themes in this selection")])
    fig, axes = _facets(len(theme_columns), ncols=ncols)
    for ax, column in zip(axes, theme_columns):
        name = column[len("theme_"):] if column.startswith("theme_") else column
        lo, hi = _ci(df, column)
        _errorbar(ax, df["date"], df[column], lo, hi, color=color_for(name), label=None, markersize=5)
        ax.set_title(name.replace("_", " "), fontsize=plt.rcParams["font.size"])
        _date_axis(ax, df["date"], maxticks=4)
    top = max(axes[0].get_ylim()[1], 1e-9)
    axes[0].set_ylim(-0.04 * top, top)  # shared y: zero visible, points at zero not cut in half
    _panel_labels(fig, axes, title, "publication date",
                  f"mean per article ({unit}), {_interval_text(*(_ci(df, c)[0] for c in theme_columns))}")
    return np.asarray(axes)


def plot_topic_theme_overlap(overlap: pd.DataFrame, *, ax: plt.Axes | None = None, title: str | None = None,
                             unit: str = "correlation across articles") -> plt.Axes:
    """Heatmap of topics (rows, labelled by their top words) against dictionary themes (columns)."""
    if overlap.empty:
        return _empty(_ax(ax), title or "Topics and dictionary themes", "no topics in this selection")
    ax = _ax(ax, (max(6, 1.1 * overlap.shape[1] + 5), max(3, 0.45 * overlap.shape[0] + 1.8)))
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
    title = title or f"{_SCORER_LABELS.get(column, column)} tone of the sentences about each theme"
    if by_date.empty:
        return np.array([_empty(_ax(None), title, "no dated theme sentences in this selection")])
    df = _long_by_date(by_date, "theme", column)
    if "n" in df.columns:
        df = df[df["n"] >= min_n]
    if df.empty:
        return np.array([_empty(_ax(None), title, "no dated theme sentences in this selection")])
    present = set(df["theme"].astype(str))
    themes = [t for t in (order or []) if t in present] + sorted(present - set(order or []))
    fig, axes = _facets(len(themes), ncols=ncols)
    for ax, theme in zip(axes, themes):
        group = df[df["theme"].astype(str) == theme]
        lo, hi = _ci(group, column)
        _errorbar(ax, group["date"], group[column], lo, hi, color=color_for(theme), label=None, markersize=5)
        ax.axhline(0, color="0.4", linewidth=0.8)
        ax.set_title(theme.replace("_", " "), fontsize=plt.rcParams["font.size"])
        _date_axis(ax, df["date"], maxticks=4)
    _panel_labels(fig, axes, title, "publication date",
                  f"{label_for(column)}\nmean of theme sentences, {_interval_text(_ci(df, column)[0])}")
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
        _require(toward, ["actor", f"{column}_target"], "plot_actor_tone (toward)")
        parts.append(toward.rename(columns={f"{column}_target{s}": f"{column}{s}" for s in ("", "_lo", "_hi")})
                     .assign(direction="toward the actor (mentions)"))
    if by is not None and len(by):
        _require(by, ["speaker", column], "plot_actor_tone (by)")
        parts.append(by.rename(columns={"speaker": "actor"}).assign(direction="by the actor (quoted sentences)"))
    df = (pd.concat(parts, ignore_index=True).dropna(subset=[column]) if parts
          else pd.DataFrame(columns=["actor", "direction", column]))
    if "n" in df.columns:
        df = df[df["n"] >= min_n]
        if df["actor"].nunique() > max_actors:  # the most mentioned; the table has them all
            size = df.groupby("actor")["n"].sum()
            keep = sorted(size.index, key=lambda a: (-size[a], str(a)))[:max_actors]
            df = df[df["actor"].isin(keep)]
    ax = _ax(ax, (8, max(3, 0.5 * df["actor"].nunique() + 1.5)))
    title = title or f"{_SCORER_LABELS.get(column, column)} tone toward and by each actor"
    if df.empty:
        return _empty(ax, title, "no actor mentions in this selection")
    actors = sorted(df["actor"].astype(str).unique())
    rows = {a: i for i, a in enumerate(actors)}
    directions = [d for d in ("toward the actor (mentions)", "by the actor (quoted sentences)")
                  if d in set(df["direction"])]
    for k, (direction, marker, colour) in enumerate(zip(directions, ["o", "s"], [PALETTE[0], PALETTE[3]])):
        part = df[df["direction"] == direction]
        y = part["actor"].astype(str).map(rows) + (k - (len(directions) - 1) / 2) * 0.22
        lo, hi = _ci(part, column)
        mean = part[column].to_numpy(dtype=float)
        err = np.vstack([np.nan_to_num(mean - lo.to_numpy(dtype=float)),
                         np.nan_to_num(hi.to_numpy(dtype=float) - mean)])
        ax.errorbar(mean, y, xerr=err, fmt=marker, color=colour, label=direction, capsize=3, markersize=6)
    labels = [short_label(a, 40) for a in actors]
    if "n" in df.columns:
        n = df.groupby(["actor", "direction"])["n"].sum().unstack(fill_value=0)
        labels = [f"{short_label(a, 40)}  (n={'/'.join(str(int(n.loc[a].get(d, 0))) for d in directions)})"
                  for a in actors]
    ax.set_yticks(range(len(actors)), labels)
    ax.set_ylim(-0.6, len(actors) - 0.4)
    ax.invert_yaxis()
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel(f"{label_for(column)}, mean with {_interval_text(_ci(df, column)[0])}")
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
    _require(table, ["file", "level", "scorer", metric], "plot_validation")
    df = table.dropna(subset=[metric]).sort_values(["file", "level", "scorer"]).reset_index(drop=True)
    groups = list(dict.fromkeys(zip(df["file"], df["level"])))
    scorers = sorted(df["scorer"].unique())
    ax = _ax(ax, (8, max(2.8, 0.45 * len(groups) * max(len(scorers), 1) + 1.5)))
    pretty = {"macro_f1": "macro-F1"}.get(metric, metric.replace("_", " "))
    title = title or f"Agreement with human labels ({pretty})"
    if df.empty:
        return _empty(ax, title, "no validation results")
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


# --- binned time series ------------------------------------------------------------------------------------------

_CHANGE_COLOR = "#D55E00"
_EVENT_COLOR = "0.35"


def short_label(text: object, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, on one line (chart labels; full text in the CSV).

    Examples
    --------
    >>> short_label("x" * 100, 10)
    'xxxxxxxxx…'
    """
    text = " ".join(str("" if text is None else text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _bin_mid(bins: pd.Series, freq: str) -> pd.Series:
    """The middle of each calendar bin (points sit in their bin's middle, so event lines fall where they belong)."""
    periods = pd.to_datetime(bins).dt.to_period(_PERIOD_CODES[freq])
    start, end = periods.dt.start_time, periods.dt.end_time
    return start + (end - start) / 2


_PERIOD_CODES = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}


def _ordinals(bins: pd.Series, freq: str) -> np.ndarray:
    return pd.to_datetime(bins).dt.to_period(_PERIOD_CODES[freq]).map(lambda p: p.ordinal).to_numpy(dtype=np.int64)


def _draw_events(ax: plt.Axes, events: pd.DataFrame | None, *, labels: bool = True) -> list[tuple[str, str]]:
    """Dashed vertical lines at the events inside the x range, labelled at the top.

    Few, well-spaced events get their label beside the line; when any two are closer than 4% of the axis (or
    there are more than 4), each line gets a number and :func:`_events_caption` lists them under the chart.
    Returns the drawn events as (number or "", "date label") pairs.
    """
    drawn = _events_in_view(ax, events)
    for (key, _), date, label in drawn:
        ax.axvline(date, color=_EVENT_COLOR, linestyle="--", linewidth=0.8, zorder=1)
        i = int(key) if key else 0
        numbered = bool(key)
        if not labels:
            continue
        if numbered:  # numbers on two rows so neighbours do not overlap
            ax.text(date, 1.0 if i % 2 else 0.955, key, transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=7, color=_EVENT_COLOR, clip_on=False)
        else:
            ax.text(date, 0.98, " " + short_label(label, 32), transform=ax.get_xaxis_transform(), rotation=90,
                    ha="right", va="top", fontsize=7, color=_EVENT_COLOR, clip_on=True)
    return [item for item, _, _ in drawn]


def _events_in_view(ax: plt.Axes, events: pd.DataFrame | None) -> list:
    """((number or "", "date label"), date, label) of the events inside the x range (see :func:`_draw_events`)."""
    if events is None or len(events) == 0:
        return []
    lo, hi = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    when = pd.to_datetime(events["date"])
    inside = events[(when >= pd.Timestamp(lo)) & (when <= pd.Timestamp(hi))]
    dates = pd.to_datetime(inside["date"])
    span = max(mdates.date2num(pd.Timestamp(hi)) - mdates.date2num(pd.Timestamp(lo)), 1.0)
    gaps = np.diff(mdates.date2num(dates)) / span if len(dates) > 1 else np.array([1.0])
    numbered = len(dates) > 4 or bool((gaps < 0.04).any())
    return [((str(i) if numbered else "", f"{date:%Y-%m-%d} {short_label(label, 50)}"), date, label)
            for i, (date, label) in enumerate(zip(dates, inside["label"]), start=1)]


def _events_caption(drawn: list[tuple[str, str]], width: int = 110) -> str:
    """The list of numbered events for a chart's caption, wrapped."""
    items = [f"{key} {text}" for key, text in drawn if key]
    if not items:
        return ""
    import textwrap

    return "\n".join(textwrap.wrap("events (dashed): " + "; ".join(items), width))


def _draw_change_points(ax: plt.Axes, change_points: pd.DataFrame | None, freq: str,
                        where: dict | None = None) -> int:
    if change_points is None or len(change_points) == 0:
        return 0
    cps = change_points
    for key, value in (where or {}).items():
        if key in cps.columns:
            cps = cps[cps[key] == value]
    for when in pd.to_datetime(cps["bin"]):
        ax.axvline(when, color=_CHANGE_COLOR, linewidth=1.6, alpha=0.8, zorder=2)
        ax.plot([when], [1.0], marker="v", color=_CHANGE_COLOR, transform=ax.get_xaxis_transform(),
                clip_on=False, markersize=7)
    return len(cps)


def _draw_series(ax: plt.Axes, df: pd.DataFrame, column: str, freq: str, *, color: str, label: str | None,
                 min_articles: int, markersize: float = 5) -> None:
    """Points at bin middles (hollow below ``min_articles``), interval bars on full points, lines only
    between adjacent full bins."""
    df = df.dropna(subset=[column]).sort_values("bin")
    if df.empty:
        return
    x = _bin_mid(df["bin"], freq).to_numpy()
    y = df[column].to_numpy(dtype=float)
    full = df["n_articles"].to_numpy() >= min_articles
    lo, hi = _ci(df, column)
    if full.any():
        _errorbar(ax, x[full], y[full], lo.to_numpy()[full], hi.to_numpy()[full], color=color, label=label,
                  markersize=markersize, elinewidth=1, alpha=0.9)
    if (~full).any():
        ax.plot(x[~full], y[~full], "o", markerfacecolor="white", markeredgecolor=color, color=color,
                markersize=markersize, label=None if full.any() else label, linestyle="None")
    ords = _ordinals(df["bin"], freq)
    # segments of consecutive full bins with no missing bin between them
    joined = (np.diff(ords) == 1) & full[:-1] & full[1:]
    start = 0
    for i in range(len(x)):
        if i == len(x) - 1 or not joined[i]:
            if i > start:
                ax.plot(x[start:i + 1], y[start:i + 1], "-", color=color, linewidth=1.2, alpha=0.8)
            start = i + 1


def _draw_counts(ax: plt.Axes, binned: pd.DataFrame, freq: str) -> None:
    """Articles per bin as light bars along the bottom fifth of the panel (own axis on the right)."""
    counts = binned.groupby("bin", sort=True)["n_articles"].sum()
    if counts.empty:
        return
    twin = ax.twinx()
    periods = pd.to_datetime(pd.Series(counts.index)).dt.to_period(_PERIOD_CODES[freq])
    start, end = periods.dt.start_time, periods.dt.end_time
    # at least 1/150 of the period shown, so one-day bins over years stay visible
    least = (end.max() - start.min()) / 150
    width = ((end - start) * 0.8).clip(lower=least)
    twin.bar(start + (end - start) / 2 - width / 2, counts.to_numpy(), width=width.to_numpy(), align="edge",
             color="0.85", zorder=0)
    twin.set_ylim(0, max(float(counts.max()), 1) * 5)
    twin.set_yticks([0, int(counts.max())])
    twin.tick_params(axis="y", labelsize=7, colors="0.5")
    twin.grid(False)
    twin.spines["right"].set_visible(True)
    twin.set_ylabel("articles", fontsize=7, color="0.5", loc="bottom")
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)


def trend_note(binned: pd.DataFrame, *, undated: int = 0, min_articles: int = 3, freq: str | None = None) -> str:
    """The caption of a time chart: bin width, what hollow points and bars mean, undated articles and the fix."""
    freq = freq or binned.attrs.get("freq", "month")
    parts = [f"one point per {freq}; hollow: fewer than {min_articles} articles (no line through it)"]
    if undated:
        parts.append(f"{undated:,} undated article{'s' if undated != 1 else ''} not shown "
                     "(give dates in raw_dir/metadata.csv, columns file,date)")
    return "\n".join(parts)


def _no_dates_message(undated: int, what: str = "articles") -> str:
    if undated:
        return (f"no dated {what}: {undated:,} article{'s' if undated != 1 else ''} without a date\n"
                "add raw_dir/metadata.csv with columns file,date (YYYY-MM-DD)")
    return f"no dated {what} in this selection"


def plot_trend(binned: pd.DataFrame, column: str, *, series: str | None = None, ax: plt.Axes | None = None,
               title: str | None = None, min_articles: int = 3, events: pd.DataFrame | None = None,
               change_points: pd.DataFrame | None = None, undated: int = 0, counts: bool = True,
               ylabel: str | None = None, zero_line: bool = True, note: bool = True,
               what: str = "articles", span: pd.Series | None = None) -> plt.Axes:
    """A binned time series: mean per calendar bin with its 95% cluster-bootstrap interval, articles per bin.

    Parameters
    ----------
    binned : as :func:`diplo.analysis.trends.aggregate_binned` returns it (``bin``, ``n_articles``,
        ``column`` with ``_lo``/``_hi``; ``attrs["freq"]``).
    series : column naming coloured series (e.g. ``outlet``, already cut to the largest with
        :func:`diplo.analysis.trends.top_names`); one line per value.
    min_articles : bins with fewer articles are hollow and no line goes through them.
    events : ``date``, ``label`` (:func:`diplo.io.events.load_events`): dashed labelled lines.
    change_points : ``bin`` rows (:func:`diplo.analysis.trends.detect_change_points`): solid markers.
    undated : articles left out for lack of a date, said in the caption with the fix.
    what : what the points are made of, for the message of an empty chart (``"sentences about a theme"``).
    span : dates the x axis must show (default: this table's bins; panels pass the whole figure's).
    """
    title = title or f"{_SCORER_LABELS.get(column, column)} by publication date"
    ax = _ax(ax)
    freq = binned.attrs.get("freq", "month")
    if binned.empty or column not in binned.columns or binned[column].notna().sum() == 0:
        return _empty(ax, title, _no_dates_message(undated, what))
    _require(binned, ["bin", "n_articles", column], "plot_trend")
    groups = [(None, binned)] if series is None else list(binned.groupby(series, sort=True))
    if series is not None:  # "other" last
        groups.sort(key=lambda kv: (kv[0] == "other", kv[0]))
    for name, group in groups:
        colour = color_for(column) if name is None else (_MISSING if name == "other" else color_for(name))
        _draw_series(ax, group, column, freq, color=colour, label=None if name is None else short_label(name, 30),
                     min_articles=min_articles)
    _date_axis(ax, _bin_mid(binned["bin"], freq) if span is None else span)
    low, high = ax.get_ylim()
    if zero_line and low <= 0 <= high:  # drawn when in view; never stretches the axis down to zero
        ax.axhline(0, color="0.4", linewidth=0.8)
    if counts:
        _draw_counts(ax, binned, freq)
    drawn = _draw_events(ax, events)
    n_events = len(drawn)
    n_cps = _draw_change_points(ax, change_points, freq)
    ax.set_title(title, pad=14 if any(key for key, _ in drawn) else 6)  # room for the event numbers
    ax.set_ylabel(ylabel or label_for(column))
    xlabel = f"publication date ({freq} bins; bars: {_interval_text(_ci(binned, column)[0])})"
    if note:
        xlabel += "\n" + trend_note(binned, undated=undated, min_articles=min_articles, freq=freq)
    if n_events or n_cps:
        xlabel += "\n" + "; ".join(([f"dashed: {n_events} event(s)"] if n_events else [])
                                   + ([f"red: {n_cps} change point(s) (PELT)"] if n_cps else []))
    if note and _events_caption(drawn):
        xlabel += "\n" + _events_caption(drawn)
    ax.set_xlabel(xlabel)
    if series is not None and len(groups) > 1:
        ax.legend(title=series, loc="center left", bbox_to_anchor=(1.08, 0.5), fontsize=8)
    return ax


def plot_trend_panels(binned: pd.DataFrame, columns: Sequence[str] | None = None, column: str | None = None, *,
                      panel: str | None = None, panels: Sequence[str] | None = None, series: str | None = None,
                      title: str = "", ylabel: str | None = None, min_articles: int = 3,
                      events: pd.DataFrame | None = None, change_points: pd.DataFrame | None = None,
                      undated: int = 0, ncols: int = 2, sharey: bool = True, max_panels: int = 12,
                      zero_line: bool = True, what: str = "articles") -> np.ndarray:
    """Small multiples of :func:`plot_trend`: one panel per value column (``columns``: scorers, themes) or per
    value of ``panel`` in a long table (``column`` drawn; e.g. ``panel="theme"``).

    At most ``max_panels`` panels (in the given order); the caption says how many more are in the table.

    Returns
    -------
    ndarray of Axes, one per panel.
    """
    freq = binned.attrs.get("freq", "month")
    if panel is None:
        names = list(columns or [])
    else:
        present = [str(v) for v in binned[panel].dropna().unique()] if panel in binned.columns else []
        names = [p for p in (panels or []) if p in present] + sorted(set(present) - set(panels or []))
    if binned.empty or not names:
        reason = _no_dates_message(undated, what)
        return np.array([_empty(_ax(None), title, reason)])
    more = max(0, len(names) - max_panels)
    names = names[:max_panels]
    ncols = max(1, min(ncols, len(names)))
    nrows = -(-len(names) // ncols)
    width = plt.rcParams["figure.figsize"][0] * (1.3 if ncols > 1 else 1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 1.0 + 2.6 * nrows), sharex=True, sharey=sharey,
                             squeeze=False)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    used = axes.flat[:len(names)]
    for i, (ax, name) in enumerate(zip(used, names)):
        if panel is None:
            part, col, where = binned, name, {"column": name}
        else:
            part, col, where = binned[binned[panel].astype(str) == name], column, {panel: name}
        part = part.copy()
        part.attrs["freq"] = freq
        cps = change_points
        if cps is not None and len(cps):
            cps = cps
            for key, value in where.items():
                if key in cps.columns:
                    cps = cps[cps[key] == value]
        plot_trend(part, col, series=series, ax=ax, title=short_label(name.removeprefix("theme_").removeprefix("tone_")
                                                                        .replace("_", " "), 40),
                   min_articles=min_articles, events=events, change_points=cps, counts=True, note=False,
                   zero_line=zero_line, what=what, span=_bin_mid(binned["bin"], freq))
        ax.title.set_fontsize(plt.rcParams["font.size"])
        ax.set_xlabel("")
        ax.set_ylabel(label_for(col) if not sharey else "")
        if i >= ncols:  # event labels only in the top row
            for t in list(ax.texts):
                if t.get_color() == _EVENT_COLOR:
                    t.remove()
        if ax.get_legend() is not None and i > 0:
            ax.get_legend().remove()
    legend = used[0].get_legend()
    if legend is not None:
        legend.remove()
        handles, labels = used[0].get_legend_handles_labels()
        fig.legend(handles, labels, title=series, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.suptitle(title, fontweight="bold", fontsize=plt.rcParams["axes.titlesize"], y=1.02)
    drawn = [item for item, _, _ in _events_in_view(used[0], events)]
    caption = (f"publication date ({freq} bins; bars: {_interval_text(*(_ci(binned, c)[0] for c in (columns or [column])))})"
               + "\n" + trend_note(binned, undated=undated, min_articles=min_articles, freq=freq)
               + (f"\n{more} more panel(s) in the table" if more else "")
               + (f"\n{_events_caption(drawn)}" if _events_caption(drawn) else ""))
    fig.supxlabel(caption, fontsize=plt.rcParams["axes.labelsize"] - 1)
    if sharey and ylabel:
        fig.supylabel(ylabel, fontsize=plt.rcParams["axes.labelsize"])
    fig.tight_layout()
    return np.asarray(used)
