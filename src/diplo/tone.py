"""Tone scorers behind one interface: a sentences table (or texts) in, a scores table out.

Scorers are looked up by name in :data:`SCORERS`; each returns numeric columns aligned with the input.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from diplo.vader import score_vader

__all__ = ["SCORERS", "score_tone", "available_scorers"]


class _Vader:
    """VADER exactly as ``vaderSentiment`` 3.3.2 computes it (see :mod:`diplo.vader`)."""

    name = "vader"
    columns = ("tone_vader", "vader_pos", "vader_neg", "vader_neu")

    def score(self, texts: Sequence[str], *, evidence: bool = False,
              ) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
        scores, rows = score_vader(texts, evidence=evidence)
        return {column: scores[part].to_numpy() for column, part in
                zip(self.columns, ("compound", "pos", "neg", "neu"))}, rows


SCORERS = {"vader": _Vader}
_INSTANCES: dict[str, object] = {}


def available_scorers() -> list[str]:
    return sorted(SCORERS)


def _get(name: str):
    if name not in SCORERS:
        raise ValueError(f"unknown scorer {name!r}; valid scorers: {', '.join(available_scorers())}")
    if name not in _INSTANCES:
        _INSTANCES[name] = SCORERS[name]()
    return _INSTANCES[name]


def score_tone(sentences: pd.DataFrame | Iterable[str], scorers: Sequence[str] | None = None) -> pd.DataFrame:
    """Score each sentence with each scorer.

    Parameters
    ----------
    sentences : DataFrame with a ``text`` column, or an iterable of strings.
    scorers : names from :data:`SCORERS`; default all.

    Returns
    -------
    DataFrame with one row per input sentence (same index as a DataFrame input) and the scorers' columns.
    """
    if isinstance(sentences, pd.DataFrame):
        if "text" not in sentences.columns:
            raise ValueError(f"sentences table needs a 'text' column; found {list(sentences.columns)}")
        index, texts = sentences.index, sentences["text"].tolist()
    else:
        texts = list(sentences)
        index = pd.RangeIndex(len(texts))
    texts = [t if isinstance(t, str) else "" for t in texts]
    out: dict[str, np.ndarray] = {}
    for name in scorers or available_scorers():
        out.update(_get(name).score(texts)[0])
    return pd.DataFrame(out, index=index)
