"""Test oracle: diplo.scoring.tone before its array passes (per-text ``valid_texts``, the scope rules run on every
diplomatic match, the political-actor rule looked up one match at a time).  Differential tests in tests/test_tone.py check that the array-based versions give
identical results.  Not part of the library; nothing outside the tests imports it.
"""

from __future__ import annotations

import bisect
from typing import Sequence

import numpy as np
from diplo.scoring.match import CLAUSE_BREAKS, Matches
from diplo.scoring.tone import DiplomaticScorer


def valid_texts(texts: Sequence) -> np.ndarray:
    return np.fromiter((isinstance(t, str) and not t.isspace() and t != "" for t in texts), dtype=bool,
                       count=len(texts))


class ReferenceDiplomatic(DiplomaticScorer):
    """The diplomatic scale with the negation pre-check and scope rules applied to every match, one at a
    time, as before the array pre-pass picked the matches worth looking at."""

    def _has_actor(self, m: Matches, texts: list, table) -> np.ndarray:
        """Per match, one at a time: an actor or proper name within ACTOR_WINDOW tokens in the same clause, and
        no private person among the ACTOR_WINDOW tokens after it."""
        actors = self._actors
        if not len(m):
            return np.zeros(0, dtype=bool)
        if actors is None or table is None:
            matcher = self.own_matcher()
            table = matcher.tokenize(texts)
            actors = matcher.find(texts, table=table)[self.actor_dictionary.name]
        if not len(table):
            return np.zeros(len(m), dtype=bool)
        spans = [(int(r), int(s)) for r, s in zip(table.row, table.start)]

        def token_at(row, offset):  # the token holding character `offset` of text `row`
            return max(bisect.bisect_right(spans, (row, offset)) - 1, 0)

        names = list(actors.category_names)
        is_actor, is_private = [False] * len(spans), [False] * len(spans)
        for r, s, e, c in zip(actors.row.tolist(), actors.start.tolist(), actors.end.tolist(),
                              actors.category.tolist()):
            private = "private" in names and c == names.index("private")
            for t in range(token_at(r, s), token_at(r, max(e - 1, s)) + 1):
                (is_private if private else is_actor)[t] = True
        strings = table.vocabulary.strings
        brk = [strings[i] in CLAUSE_BREAKS for i in table.ids.tolist()]
        clause = np.cumsum(brk)
        w, has = self.ACTOR_WINDOW, np.zeros(len(m), dtype=bool)
        for k in range(len(m)):
            r = int(m.row[k])
            first, stop = int(table.bounds[r]), int(table.bounds[r + 1])
            a0, a1 = token_at(r, int(m.start[k])), token_at(r, max(int(m.end[k]) - 1, int(m.start[k])))
            after = range(a1 + 1, min(stop, a1 + w + 1))
            if any(is_private[t] and clause[t] == clause[a1] for t in after):
                continue
            for t in (*range(max(first, a0 - w), a0), *after):
                if clause[t] != (clause[a1] if t > a1 else clause[a0]):
                    continue
                if is_actor[t] or (t > first and texts[r][spans[t][1]].isupper() and not brk[t - 1]):
                    has[k] = True
                    break
        return has

    def _negated(self, m: Matches, texts: list, table=None) -> np.ndarray:
        window = self.dictionary.negation_window
        if not window or not len(m):
            return m.negated.copy()
        return np.array([self._negated_at(texts[row], start, window)
                         for row, start in zip(m.row.tolist(), m.start.tolist())], dtype=bool)
