"""Charts: each ``plot_*`` helper draws on an Axes, labels it with units, and returns the Axes.

Plots never compute scores; they draw tables made by :mod:`diplo.aggregate`.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

__all__ = ["PALETTE", "use_style", "plot_tone_over_time"]

# Okabe-Ito: distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

_UNITS = {"tone_vader": "VADER compound (-1..1)"}


def use_style() -> None:
    """Apply diplo's report style (sizes readable at report scale, colour-blind-safe palette)."""
    plt.rcParams.update({
        "figure.figsize": (8, 4.5), "figure.dpi": 100, "savefig.dpi": 150, "font.size": 10,
        "axes.titlesize": 12, "axes.labelsize": 10, "axes.spines.top": False, "axes.spines.right": False,
        "axes.prop_cycle": plt.cycler(color=PALETTE), "axes.grid": True, "grid.alpha": 0.3,
        "svg.hashsalt": "diplo", "svg.fonttype": "none",
    })


def plot_tone_over_time(by_date: pd.DataFrame, column: str = "tone_vader", *, ax: plt.Axes | None = None,
                        title: str | None = None) -> plt.Axes:
    """Mean tone per date with its bootstrap interval (``<column>_lo``/``_hi`` when present)."""
    missing = [c for c in ("date", column) if c not in by_date.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(by_date.columns)}")
    df = by_date.dropna(subset=["date"]).copy()
    df["date"] = pd.to_datetime(df["date"])
    df = df.sort_values("date")
    ax = ax or plt.subplots()[1]
    ax.plot(df["date"], df[column], marker="o", color=PALETTE[0], label="mean of sentences")
    if f"{column}_lo" in df.columns:
        ax.fill_between(df["date"], df[f"{column}_lo"], df[f"{column}_hi"], color=PALETTE[0], alpha=0.2,
                        label="95% bootstrap interval")
    ax.axhline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel("publication date")
    ax.set_ylabel(_UNITS.get(column, column))
    ax.set_title(title or f"Tone over time ({column})")
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.legend(loc="best", frameon=False)
    return ax
