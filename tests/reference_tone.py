"""Test oracle: diplo.tone's per-match / per-text implementation before it was vectorized (kept verbatim).

Differential tests (tests/test_tone.py) check that the array-based scorers give identical columns and
evidence.  Not part of the library; nothing outside the tests imports it.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from diplo.corpus import count_words
from diplo.match import TOKEN_PATTERN, _SCOPE_BREAKS
from diplo.tone import EVIDENCE_COLUMNS, DiplomaticScorer, LexiconScorer, _QUOTES, _evidence_frame, get_scorer


def valid_texts(texts: Sequence) -> np.ndarray:
    return np.fromiter((isinstance(t, str) and not t.isspace() and t != "" for t in texts), dtype=bool,
                       count=len(texts))


def _sum_by_row(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(rows, values, minlength=n).astype(float)


class ReferenceLexicon(LexiconScorer):
    def _from_matches(self, m: pd.DataFrame, texts: list, evidence: bool):
        n = len(texts)
        valid = valid_texts(texts)
        cat = m["category"].map({c: c.lower() for c in self.dictionary.categories}).to_numpy(dtype=object)
        w = np.abs(m["weight"].to_numpy(dtype=float))
        negated = m["negated"].to_numpy(dtype=bool)
        is_pos, is_neg = cat == "positive", cat == "negative"
        signed = np.select(
            [is_pos & ~negated, is_pos & negated, is_neg & ~negated, is_neg & negated,
             cat == "neg_negative", cat == "neg_positive"],
            [w, -w, -w, w * self.NEGATED_NEGATIVE, w, -w], default=0.0)
        rows = m["row"].to_numpy(dtype=np.int64)
        pos = _sum_by_row(rows, np.where(signed > 0, signed, 0.0), n)
        neg = _sum_by_row(rows, np.where(signed < 0, -signed, 0.0), n)
        if self.scale == "logit":
            tone = np.log(pos + 0.5) - np.log(neg + 0.5)
        elif self.scale == "proportion":
            words = np.array([count_words(t) if ok else 0 for t, ok in zip(texts, valid)], dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                tone = np.where(words > 0, (pos - neg) / words, 0.0)
        else:
            total = pos + neg
            with np.errstate(invalid="ignore", divide="ignore"):
                tone = np.where(total > 0, (pos - neg) / total, 0.0)
        cols = {"tone_lexicon": tone, "lexicon_pos": pos, "lexicon_neg": neg}
        for v in cols.values():
            v[~valid] = np.nan
        ev = None
        if evidence:
            keep = signed != 0
            ev = _evidence_frame(rows[keep], m["entry"].to_numpy(dtype=object)[keep], m["start"].to_numpy()[keep],
                                 m["end"].to_numpy()[keep], signed[keep], negated[keep])
        return cols, ev


class ReferenceDiplomatic(DiplomaticScorer):
    def _negated(self, m: pd.DataFrame, texts: list) -> np.ndarray:
        negated = m["negated"].to_numpy(dtype=bool).copy()
        window = self.dictionary.negation_window
        if not window or not len(m):
            return negated
        verbs, base = self.NEGATORS, self._negators
        findall = TOKEN_PATTERN.findall
        span = 16 * window
        for k, (row, start) in enumerate(zip(m["row"].tolist(), m["start"].tolist())):
            text = texts[row]
            lo = max(0, start - span)
            if not any(w.strip(_QUOTES) in base or "n't" in w or "n\u2019t" in w
                       for w in text[lo:start].lower().split()[-window:]):
                negated[k] = False
                continue
            before = [t.lower() for t in findall(text, lo, start)][-window:]
            flips = False
            for j in range(len(before) - 1, -1, -1):
                t = before[j]
                if t in _SCOPE_BREAKS:
                    break
                if not (t in base or t.endswith("n't") or t.endswith("n\u2019t")):
                    continue
                gap = before[j + 1:]
                if gap and gap[0] in ("to", "of"):
                    gap = gap[1:]
                if (t in verbs and len(gap) > self.GOVERNED_GAP) or any(g in self.SCOPE_BLOCKERS for g in gap):
                    continue
                flips = not flips
            negated[k] = flips
        return negated

    def _from_matches(self, m: pd.DataFrame, texts: list, evidence: bool):
        n = len(texts)
        valid = valid_texts(texts)
        w = m["weight"].to_numpy(dtype=float)
        negated = self._negated(m, texts)
        hedged = m["hedged"].to_numpy(dtype=bool)
        adj = w * np.where(negated, self.NEGATED, 1.0) * np.where(hedged, self.HEDGED, 1.0)
        keep = adj != 0
        rows, adj = m["row"].to_numpy(dtype=np.int64)[keep], adj[keep]
        position = np.arange(rows.size) - np.searchsorted(rows, rows)
        decay = self.DECAY ** position
        coop = _sum_by_row(rows, (adj > 0).astype(float), n)
        conflict = _sum_by_row(rows, (adj < 0).astype(float), n)
        total = _sum_by_row(rows, adj * decay, n)
        norm = _sum_by_row(rows, decay, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            tone = np.clip(np.where(norm > 0, total / norm, 0.0), -10, 10)
        cols = {"tone_diplomatic": tone, "diplomatic_coop": coop, "diplomatic_conflict": conflict}
        for v in cols.values():
            v[~valid] = np.nan
        ev = None
        if evidence:
            contrib = adj * decay / norm[rows]
            ev = _evidence_frame(rows, m["entry"].to_numpy(dtype=object)[keep], m["start"].to_numpy()[keep],
                                 m["end"].to_numpy()[keep], contrib, negated[keep])
        return cols, ev


def score_tone(sentences, scorers=None, *, evidence: bool = False,
               matches: Mapping[str, pd.DataFrame] | None = None):
    """diplo.tone.score_tone as it was (scorers given as objects)."""
    if isinstance(sentences, pd.DataFrame):
        index, texts = sentences.index, sentences["text"].tolist()
    else:
        texts = list(sentences)
        index = pd.RangeIndex(len(texts))
    instances = [get_scorer(s) for s in scorers]
    valid = valid_texts(texts)
    texts = [t if ok else "" for t, ok in zip(texts, valid)]
    out: dict[str, np.ndarray] = {}
    evidence_parts = []
    for scorer in instances:
        if matches is not None and hasattr(scorer, "score_from_matches"):
            cols, ev = scorer.score_from_matches(matches, texts, evidence=evidence)
        else:
            cols, ev = scorer.score(texts, evidence=evidence)
        for col, values in cols.items():
            values = np.asarray(values, dtype=float).copy()
            values[~valid] = np.nan
            out[col] = values
        if evidence:
            evidence_parts.append(ev.assign(scorer=scorer.name))
    scores = pd.DataFrame(out, index=index)
    if not evidence:
        return scores
    ev_cols = ["row", "scorer", *EVIDENCE_COLUMNS[1:]]
    ev_all = (pd.concat(evidence_parts, ignore_index=True)[ev_cols] if evidence_parts
              else _evidence_frame().assign(scorer=pd.Series(dtype=object))[ev_cols])
    return scores, ev_all
