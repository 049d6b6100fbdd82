"""Binned time charts: a mean per calendar bin with its 95% interval, articles per bin, events and change
points (:func:`plot_trend`, :func:`plot_trend_panels`, :func:`plot_articles_timeline`).

Dates are sparse in news corpora, so points sit in the middle of their bin and lines join only adjacent bins
with enough articles; they never invent values between publication dates.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from diplo.report.style import (MISSING_COLOR, SCORER_LABELS, color_for, date_axis, empty_chart, errorbar,
                                interval_bounds, interval_text, label_for, new_axes, require_columns, short_label)

__all__ = ["plot_trend", "plot_trend_panels", "trend_note", "plot_articles_timeline"]

_CHANGE_COLOR = "#D55E00"
_EVENT_COLOR = "0.35"


def _bin_mid(bins: pd.Series, freq: str, shift: float = 0.0) -> pd.Series:
    """The middle of each calendar bin (points sit in their bin's middle, so event lines fall where they belong),
    moved by ``shift`` bin widths (series side by side in their bin)."""
    periods = pd.to_datetime(bins).dt.to_period(_PERIOD_CODES[freq])
    start, end = periods.dt.start_time, periods.dt.end_time
    return start + (end - start) * (0.5 + shift)


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
        if numbered:  # numbers on two rows above the data, so neighbours overlap neither each other nor points
            ax.annotate(key, xy=(mdates.date2num(date), 1.0), xycoords=ax.get_xaxis_transform(), xytext=(0, 1 if i % 2 else 9),
                        textcoords="offset points", ha="center", va="bottom", fontsize=7, color=_EVENT_COLOR,
                        annotation_clip=False)
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
    return [((str(i) if numbered else "", f"{date:%Y-%m-%d} {short_label(label)}"), date, label)
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
                 min_articles: int, markersize: float = 5, shift: float = 0.0, dense: bool = False) -> None:
    """Points at bin middles (hollow below ``min_articles``), interval bars on full points, lines only
    between adjacent full bins; ``shift``: bin widths off the middle, so series in one bin stand side by side;
    ``dense`` (many series over many bins): small points and faint bars, so the lines stay readable."""
    df = df.dropna(subset=[column]).sort_values("bin")
    if df.empty:
        return
    x = _bin_mid(df["bin"], freq, shift).to_numpy()
    y = df[column].to_numpy(dtype=float)
    full = df["n_articles"].to_numpy() >= min_articles
    lo, hi = interval_bounds(df, column)
    if dense:
        markersize = min(markersize, 3)
        low, high = lo.to_numpy(dtype=float), hi.to_numpy(dtype=float)
        bars = full & np.isfinite(low) & np.isfinite(high)
        ax.vlines(x[bars], low[bars], high[bars], colors=color, alpha=0.3, linewidth=0.8)
        if full.any():
            ax.plot(x[full], y[full], "o", color=color, markersize=markersize, label=label, linestyle="None")
    elif full.any():
        errorbar(ax, x[full], y[full], lo.to_numpy()[full], hi.to_numpy()[full], color=color, label=label,
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


def _finish_y(axes: Sequence[plt.Axes], *, zero_line: bool, counts: bool) -> None:
    """The y axis of ``axes`` (one axis, or panels sharing it) once all data is drawn: the zero line when 0 is
    within the data's range (it never stretches the axis down to 0), then, with ``counts``, a band below the
    data as tall as a quarter of its range, where the article bars stand (they fill the bottom fifth of the
    panel: :func:`_draw_counts`), with no y ticks in it."""
    low, high = axes[0].get_ylim()
    if zero_line and low <= 0 <= high:
        for ax in axes:
            ax.axhline(0, color="0.4", linewidth=0.8)
    if counts and high > low:
        axes[0].set_ylim(low - (high - low) / 4, high)
        axes[0].set_yticks([t for t in axes[0].get_yticks() if low <= t <= high])
        axes[0].set_ylim(low - (high - low) / 4, high)  # set_yticks may widen the range to its ticks


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
    """The caption of a time chart: bin width, what hollow points and bars mean (and, when most points are hollow,
    the coarser bin width that would fill them), undated articles and the fix."""
    freq = freq or binned.attrs.get("freq", "month")
    parts = [f"one point per {freq}; hollow: fewer than {min_articles} articles (no line through it)"]
    coarser = {"day": "week", "week": "month", "month": "quarter", "quarter": "year"}.get(freq)
    if coarser and "n_articles" in binned.columns and len(binned) \
            and (binned["n_articles"] < min_articles).mean() > 0.5:
        parts[0] += f"; most are hollow: freq={coarser} or coarser gives fuller bins"
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
               what: str = "articles", span: pd.Series | None = None,
               series_order: Sequence[str] | None = None, finish_y: bool = True) -> plt.Axes:
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
    series_order : every series of the figure, in the order they stand side by side within a bin (default:
        this table's, by name, "other" last); panels pass the whole figure's so a series keeps its place.
    finish_y : draw the zero line (``zero_line``, when 0 is within the data's range) and, with ``counts``, add a
        band below the data for the article bars, so no point sits on a bar. Panels that share a y axis pass
        False and finish it once every panel is drawn (their common range is known only then).
    """
    title = title or f"{SCORER_LABELS.get(column, column)} by publication date"
    ax = new_axes(ax)
    freq = binned.attrs.get("freq", "month")
    if binned.empty or column not in binned.columns or binned[column].notna().sum() == 0:
        return empty_chart(ax, title, _no_dates_message(undated, what))
    require_columns(binned, ["bin", "n_articles", column], "plot_trend")
    groups = [(None, binned)] if series is None else list(binned.groupby(series, sort=True))
    if series is not None:  # "other" last
        groups.sort(key=lambda kv: (kv[0] == "other", kv[0]))
    order = list(series_order) if series_order is not None else [name for name, _ in groups]
    step = min(0.5 / max(len(order), 1), 0.12)  # several series: side by side within the middle half of the bin
    dense = len(order) >= 4 and binned["bin"].nunique() > 12
    for name, group in groups:
        colour = color_for(column) if name is None else (MISSING_COLOR if name == "other" else color_for(name))
        place = order.index(name) if name in order else 0
        _draw_series(ax, group, column, freq, color=colour, label=None if name is None else short_label(name, 30),
                     min_articles=min_articles, shift=(place - (len(order) - 1) / 2) * step, dense=dense)
    date_axis(ax, _bin_mid(binned["bin"], freq) if span is None else span)
    if finish_y:
        _finish_y([ax], zero_line=zero_line, counts=counts)
    if counts:
        _draw_counts(ax, binned, freq)
    drawn = _draw_events(ax, events)
    n_events = len(drawn)
    n_cps = _draw_change_points(ax, change_points, freq)
    ax.set_title(title, pad=20 if any(key for key, _ in drawn) else 6)  # room for the event numbers
    ax.set_ylabel(ylabel or label_for(column))
    xlabel = f"publication date ({freq} bins; bars: {interval_text(interval_bounds(binned, column)[0])})"
    if note:
        xlabel += "\n" + trend_note(binned, undated=undated, min_articles=min_articles, freq=freq)
    listed = note and _events_caption(drawn)  # numbered events listed below: no need to count them
    if (n_events and not listed) or n_cps:
        xlabel += "\n" + "; ".join(([f"dashed: {n_events} event(s)"] if n_events and not listed else [])
                                   + ([f"red: {n_cps} change point(s) (PELT)"] if n_cps else []))
    if listed:
        xlabel += "\n" + _events_caption(drawn)
    ax.set_xlabel(xlabel)
    if series is not None and groups:  # one series too: a chart "by outlet" names the one outlet it shows
        ax.legend(title=series, loc="center left", bbox_to_anchor=(1.08, 0.5), fontsize=8)
    return ax


def plot_trend_panels(binned: pd.DataFrame, columns: Sequence[str] | None = None, column: str | None = None, *,
                      panel: str | None = None, panels: Sequence[str] | None = None, series: str | None = None,
                      title: str = "", ylabel: str | None = None, min_articles: int = 3,
                      events: pd.DataFrame | None = None, change_points: pd.DataFrame | None = None,
                      undated: int = 0, ncols: int = 2, sharey: bool = True, max_panels: int = 12,
                      zero_line: bool = True, what: str = "articles",
                      titles: Mapping[str, str] | None = None, note: str = "") -> np.ndarray:
    """Small multiples of :func:`plot_trend`: one panel per value column (``columns``: scorers, themes) or per
    value of ``panel`` in a long table (``column`` drawn; e.g. ``panel="theme"``).

    At most ``max_panels`` panels (in the given order); the caption says how many more are in the table.
    ``titles`` names panels (a column or panel value -> title, e.g. topic columns -> their top words); by
    default the name without its ``theme_``/``tone_`` prefix. ``note``: a line added to the caption (e.g. that
    the values come from a sample of the articles).

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
        return np.array([empty_chart(new_axes(None), title, reason)])
    absent = [str(p) for p in (panels or []) if str(p) not in names]  # asked for, but nothing dated to draw
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
        default = name.removeprefix("theme_").removeprefix("tone_").replace("_", " ")
        order = None if series is None else sorted(binned[series].dropna().astype(str).unique(),
                                                   key=lambda v: (v == "other", v))
        plot_trend(part, col, series=series, ax=ax, title=short_label((titles or {}).get(name, default), 40),
                   min_articles=min_articles, events=events, change_points=cps, counts=True, note=False,
                   zero_line=zero_line, what=what, span=_bin_mid(binned["bin"], freq), series_order=order,
                   finish_y=not sharey)
        ax.title.set_fontsize(plt.rcParams["font.size"])
        ax.set_xlabel("")
        ax.set_ylabel("" if sharey else label_for(col).replace(" (", "\n(", 1))  # two lines: panels are short
        if i >= ncols:  # event labels only in the top row
            for t in list(ax.texts):
                if t.get_color() == _EVENT_COLOR:
                    t.remove()
        if ax.get_legend() is not None and i > 0:
            ax.get_legend().remove()
    drawn_panels = [ax for ax in used if ax.lines or ax.collections]
    if sharey and drawn_panels:  # the common range is known now: every panel gets its zero line (top row too)
        _finish_y(drawn_panels, zero_line=zero_line, counts=True)
    legend = used[0].get_legend()
    if legend is not None:
        legend.remove()
        handles, labels = used[0].get_legend_handles_labels()
        fig.legend(handles, labels, title=series, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.suptitle(title, fontweight="bold", fontsize=plt.rcParams["axes.titlesize"], y=1.02)
    drawn = [item for item, _, _ in _events_in_view(used[0], events)]
    bars = interval_text(*(interval_bounds(binned, c)[0] for c in (columns or [column])))
    caption = (f"publication date ({freq} bins; bars: {bars})"
               + "\n" + trend_note(binned, undated=undated, min_articles=min_articles, freq=freq)
               + (f"\n{note}" if note else "")
               + (f"\nno dated {what} for: {short_label(', '.join(absent), 100)}" if absent else "")
               + (f"\n{more} more panel(s) in the table" if more else "")
               + (f"\n{_events_caption(drawn)}" if _events_caption(drawn) else ""))
    fig.supxlabel(caption, fontsize=plt.rcParams["axes.labelsize"] - 1)
    if sharey and ylabel:
        fig.supylabel(ylabel, fontsize=plt.rcParams["axes.labelsize"])
    fig.tight_layout()
    return np.asarray(used)


def plot_articles_timeline(articles: pd.DataFrame, *, freq: str = "auto", top_outlets: int = 8,
                           events: pd.DataFrame | None = None, ax: plt.Axes | None = None,
                           title: str | None = None) -> plt.Axes:
    """Articles per calendar bin, stacked by outlet (the ``top_outlets`` largest, the rest as "other")."""
    from diplo.analysis.trends import bin_dates, choose_freq, top_names

    require_columns(articles, ["doc_id", "date", "outlet"], "plot_articles_timeline")
    when = pd.to_datetime(articles["date"], format="%Y-%m-%d", errors="coerce")
    undated = int(when.isna().sum())
    ax = new_axes(ax)
    title = title or "Articles by publication date and outlet"
    if when.notna().sum() == 0:
        return empty_chart(ax, title, _no_dates_message(undated))
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
               color=MISSING_COLOR if outlet == "other" else color_for(outlet), label=short_label(outlet, 30))
        bottom += vals
    date_axis(ax, pd.Series([start.min(), end.max()]))
    drawn = _draw_events(ax, events)
    caption = _events_caption(drawn)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(f"articles per {unit}")
    ax.set_xlabel("publication date" + (f"\n{undated:,} undated article(s) not shown (give dates in "
                                        "raw_dir/metadata.csv, columns file,date)" if undated else "")
                  + (f"\n{caption}" if caption else ""))
    ax.set_title(title, pad=20 if caption else 6)  # room for the event numbers above the axes
    if len(order) > 1:
        ax.legend(title="outlet", loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    return ax


