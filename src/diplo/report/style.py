"""The one chart style every notebook shares: palette, colours per name, axis labels with units, saving
figures, and the small axis helpers the chart modules (:mod:`~diplo.report.plots`,
:mod:`~diplo.report.trend_plots`) draw with.

- :func:`use_style` sets sizes readable at report scale and a colour-blind-safe palette;
- :func:`color_for` maps a name (outlet, theme, scorer, actor) to the same colour in every chart.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Iterable, Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["PALETTE", "MISSING_COLOR", "LABEL_CHARS", "MAX_PIXELS", "SCORER_LABELS", "use_style", "color_for",
           "assign_colors", "label_for", "save_figure", "short_label", "require_columns", "new_axes", "date_axis",
           "empty_chart", "errorbar", "interval_bounds", "interval_text"]

# Okabe-Ito (Okabe & Ito 2008): distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# Paul Tol's "muted" scheme (colour-blind safe) for open-ended name sets: outlets, themes, actors.
_NAMED_CYCLE = ["#332288", "#CC6677", "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#DDCC77",
                "#88CCEE"]
MISSING_COLOR = "#9E9E9E"
LABEL_CHARS = 60  # chart labels (outlets, actors, articles) are cut here with an ellipsis; the CSV has the full text
MAX_PIXELS = 2400  # no saved figure is larger than this on either side, whatever the corpus size
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
SCORER_LABELS = {"tone_vader": "VADER", "tone_lexicon": "lexicon", "tone_diplomatic": "diplomatic"}


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
        return MISSING_COLOR
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


def require_columns(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise ValueError naming ``what``, the missing ``columns`` and the ones found, if any is missing."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; found {list(table.columns)}")


def new_axes(ax: plt.Axes | None, figsize: tuple[float, float] | None = None) -> plt.Axes:
    """``ax``, or the Axes of a new figure (of ``figsize``) when it is None."""
    return ax if ax is not None else plt.subplots(figsize=figsize)[1]


def date_axis(ax: plt.Axes, dates: pd.Series, *, maxticks: int = 8) -> None:
    """Concise date ticks on the x axis, its range the span of ``dates`` with a small margin."""
    locator = mdates.AutoDateLocator(minticks=2, maxticks=maxticks)
    locator.intervald[mdates.MONTHLY] = [1, 2, 3, 4, 6, 12]  # yearly steps when panels are narrow
    locator.intervald[mdates.DAILY] = [1, 2, 7, 14]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(dates):
        lo, hi = dates.min(), dates.max()
        pad = max((hi - lo) * 0.05, pd.Timedelta(days=15))
        ax.set_xlim(lo - pad, hi + pad)


def empty_chart(ax: plt.Axes, title: str, message: str) -> plt.Axes:
    """An Axes with ``title`` and ``message`` in its middle instead of a chart (no data to draw)."""
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.3")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def errorbar(ax: plt.Axes, x, y, lo, hi, *, color: str, label: str | None, horizontal: bool = False,
              markersize: float = 6, **kw) -> None:
    """Points ``y`` at ``x`` with interval bars from ``lo`` to ``hi`` (no bar where a bound is NaN)."""
    y = np.asarray(y, dtype=float)
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    err = np.vstack([np.where(np.isnan(lo), 0, y - lo), np.where(np.isnan(hi), 0, hi - y)])
    if horizontal:
        ax.errorbar(y, x, xerr=err, fmt="o", color=color, label=label, capsize=3, markersize=markersize, **kw)
    else:
        ax.errorbar(x, y, yerr=err, fmt="o", color=color, label=label, capsize=3, markersize=markersize, **kw)


def interval_bounds(table: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    """The ``<column>_lo`` and ``<column>_hi`` columns of ``table`` (all NaN when absent)."""
    nan = pd.Series(np.nan, index=table.index)
    return table.get(f"{column}_lo", nan), table.get(f"{column}_hi", nan)


def interval_text(*lows: pd.Series) -> str:
    """What the bars are: cluster-bootstrap intervals over articles, or why there are none."""
    if any(pd.Series(lo).notna().any() for lo in lows):
        return "95% bootstrap interval over articles"
    return "no interval: one article per group"


def short_label(text: object, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, on one line (chart labels; full text in the CSV).

    Examples
    --------
    >>> short_label("x" * 100, 10)
    'xxxxxxxxx…'
    """
    text = " ".join(str("" if text is None else text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
