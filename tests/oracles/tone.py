"""Test oracle: diplo.scoring.tone before its array passes (per-text ``valid_texts``, the scope rules run on every
diplomatic match).  Differential tests in tests/test_tone.py check that the array-based versions give
identical results.  Not part of the library; nothing outside the tests imports it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from diplo.scoring.match import Matches
from diplo.scoring.tone import DiplomaticScorer


def valid_texts(texts: Sequence) -> np.ndarray:
    return np.fromiter((isinstance(t, str) and not t.isspace() and t != "" for t in texts), dtype=bool,
                       count=len(texts))


class ReferenceDiplomatic(DiplomaticScorer):
    """The diplomatic scale with the negation pre-check and scope rules applied to every match, one at a
    time, as before the array pre-pass picked the matches worth looking at."""

    def _negated(self, m: Matches, texts: list, table=None) -> np.ndarray:
        window = self.dictionary.negation_window
        if not window or not len(m):
            return m.negated.copy()
        return np.array([self._negated_at(texts[row], start, window)
                         for row, start in zip(m.row.tolist(), m.start.tolist())], dtype=bool)
