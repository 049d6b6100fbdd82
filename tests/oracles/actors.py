"""The actor rules as diplo 0.x wrote them, one sentence at a time: the oracle the array-based
:mod:`diplo.scoring.actors` is tested against (same outputs on every input).  Not part of the library."""

from __future__ import annotations

import bisect
import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from diplo.scoring.actors import (CLAUSE_BREAKS, DEFAULT_BREAKS, DEFAULT_WINDOW, SPEECH_VERBS, SUBJECT_FILLERS,
                                  ActorScorer)
from diplo.scoring.match import TOKEN_PATTERN
from diplo.scoring.tone import available_scorers, get_scorer, score_tone

# punctuation classes of the actor rules, restated (an oracle uses no library privates)
_FINAL = frozenset({".", "!", "?", '"', "\u201d", "'", "\u2019", ")"})
_QUOTES = frozenset({'"', "\u201c", "\u201d", "'", "\u2018", "\u2019"})
_HARD_STOPS = frozenset({";", ":", '"', "\u201c", "\u201d", ".", "!", "?"})
_ATTRIBUTION = re.compile(r"\b(?:%s|according\s+to)\b" % "|".join(sorted(SPEECH_VERBS)), re.IGNORECASE)
_ATTRIBUTION_ASCII = re.compile(r"\b(?:%s|according\s+to)\b" % "|".join(sorted(SPEECH_VERBS)))


class _Tokens:
    """Tokens of one text with their offsets, for locating character spans by bisection."""

    __slots__ = ("text", "spans", "lows", "starts", "ends", "_toks")

    def __init__(self, text: str, tokenized: tuple[list, list] | None = None) -> None:
        self.text = text
        if tokenized is not None:  # (spans, lower-cased tokens) as the Matcher computed them
            spans, self.lows = tokenized
        else:
            spans = [m.span() for m in TOKEN_PATTERN.finditer(text)]
            low = text.lower()
            self.lows = ([low[s:e] for s, e in spans] if len(low) == len(text)
                         else [text[s:e].lower() for s, e in spans])
        self.spans = spans
        self.starts, self.ends = (list(x) for x in zip(*spans)) if spans else ([], [])
        self._toks: list[str] | None = None

    @property
    def toks(self) -> list[str]:
        """Tokens as written (only speaker attribution needs their case)."""
        if self._toks is None:
            self._toks = [self.text[s:e] for s, e in self.spans]
        return self._toks

    @classmethod
    def of(cls, text: str, cache: dict | None) -> "_Tokens":
        if cache is None:
            return cls(text)
        tokens = cache.get(text)
        if tokens is None:
            tokens = cache[text] = cls(text)
        return tokens

    def covering(self, start: int, end: int) -> tuple[int, int]:
        """First and last token overlapping ``[start, end)`` (first > last when none)."""
        return bisect.bisect_right(self.ends, start), bisect.bisect_left(self.starts, end) - 1


def _token_owner(tokens: _Tokens, ranges: Sequence[tuple[int, int]]) -> list[int]:
    """For each token, the index of the character range (mention) overlapping it, or -1."""
    owner = [-1] * len(tokens.spans)
    for k, (s, e) in enumerate(ranges):
        first, last = tokens.covering(s, e)
        for i in range(first, last + 1):
            owner[i] = k
    return owner


def _filler(tok: str, low: str) -> bool:
    if low.endswith(("'s", "\u2019s")):
        low = low[:-2]
    return low in SUBJECT_FILLERS or tok[:1].isupper()


def _subject_before(tokens: _Tokens, owner: list[int], i: int) -> int:
    """Mention standing as the subject just before token ``i`` (only fillers or names between), or -1."""
    for j in range(i - 1, max(i - 11, -1), -1):
        if owner[j] >= 0:
            return owner[j]
        if not _filler(tokens.toks[j], tokens.lows[j]):
            return -1
    return -1


def _mention_after(tokens: _Tokens, owner: list[int], i: int, limit: int = 6) -> int:
    for j in range(i + 1, min(len(tokens.toks), i + 1 + limit)):
        if owner[j] >= 0:
            return owner[j]
        t, low = tokens.toks[j], tokens.lows[j]
        if t in _HARD_STOPS or not (_filler(t, low) or low == "to"):
            return -1
    return -1


def _attributed(text: str) -> bool:
    """``_ATTRIBUTION`` occurs in ``text`` (a speech verb or "according to")."""
    if text.isascii():
        return _ATTRIBUTION_ASCII.search(text.lower()) is not None
    return _ATTRIBUTION.search(text) is not None


def _find_speaker(text: str, ranges: Sequence[tuple[int, int]], cache: dict | None = None) -> int:
    """Index into ``ranges`` of the attributed speaker's mention, or -1."""
    if not _attributed(text):
        return -1
    tokens = _Tokens.of(text, cache)
    owner = _token_owner(tokens, ranges)
    lows = tokens.lows
    for i, low in enumerate(lows):
        if low in SPEECH_VERBS:
            k = _subject_before(tokens, owner, i)
            if k < 0 and i > 0 and tokens.toks[i - 1] in (",", *_QUOTES):
                k = _mention_after(tokens, owner, i)
            if k >= 0:
                return k
        elif low == "according" and i + 1 < len(lows) and lows[i + 1] == "to":
            k = _mention_after(tokens, owner, i + 1)
            if k >= 0:
                return k
    return -1


def target_windows(texts, spans, *, window=DEFAULT_WINDOW, breaks=DEFAULT_BREAKS, exclude=None) -> list:
    """The old :func:`diplo.scoring.actors.target_windows`."""
    return _windows(texts, spans, window=window, breaks=breaks, exclude=exclude, cache={})


def _windows(texts: Sequence[str], spans: Sequence[tuple[int, int]], *, window: int, breaks: str,
             exclude: Sequence[Sequence[tuple[int, int]]] | None, cache: dict) -> list[tuple[int, int]]:
    if breaks not in CLAUSE_BREAKS:
        raise ValueError(f"breaks={breaks!r} is not valid; use one of {sorted(CLAUSE_BREAKS)}")
    if len(texts) != len(spans):
        raise ValueError(f"texts and spans must have the same length; got {len(texts)} and {len(spans)}")
    stops = CLAUSE_BREAKS[breaks]
    out = []
    for i, (text, (s, e)) in enumerate(zip(texts, spans)):
        text = text if isinstance(text, str) else ""
        tokens = _Tokens.of(text, cache)
        lo, hi = tokens.covering(s, e)
        if lo > hi:
            out.append((s, e))
            continue
        left_limit, right_limit = 0, len(tokens.lows) - 1
        for xs, xe in (exclude[i] if exclude is not None else ()):
            xlo, xhi = tokens.covering(xs, xe)
            if xlo <= xhi and xhi < lo:
                left_limit = max(left_limit, xhi + 1)
            elif xlo <= xhi and xlo > hi:
                right_limit = min(right_limit, xlo - 1)
        lows = tokens.lows
        for _ in range(window):
            if lo - 1 < left_limit or lows[lo - 1] in stops:
                break
            lo -= 1
        for _ in range(window):
            if hi + 1 > right_limit or lows[hi + 1] in stops:
                break
            hi += 1
        # a window that runs to the sentence's final punctuation keeps it (VADER reads "!" as emphasis)
        if hi + 1 <= right_limit and all(t in _FINAL for t in lows[hi + 1:]):
            hi = len(lows) - 1
        out.append((min(tokens.starts[lo], s), max(tokens.ends[hi], e)))
    return out


def score_target_tone(texts, spans, *, scorers=None, window=DEFAULT_WINDOW, breaks=DEFAULT_BREAKS, exclude=None,
                      text_scores=None, matches=None, rows=None) -> pd.DataFrame:
    """The old :func:`diplo.scoring.actors.score_target_tone`."""
    return _score_target_tone(texts, spans, scorers=scorers, window=window, breaks=breaks, exclude=exclude,
                              text_scores=text_scores, matches=matches, rows=rows, cache={})


def _score_target_tone(texts, spans, *, scorers, window, breaks, exclude, text_scores, matches, rows,
                       cache: dict) -> pd.DataFrame:
    texts = [t if isinstance(t, str) else "" for t in texts]
    windows = _windows(texts, spans, window=window, breaks=breaks, exclude=exclude, cache=cache)
    window_texts = [t[s:e] for t, (s, e) in zip(texts, windows)]
    whole = np.array([s == 0 and e == len(t) for t, (s, e) in zip(texts, windows)], dtype=bool)
    if text_scores is not None and len(text_scores) != len(texts):
        raise ValueError(f"text_scores has {len(text_scores)} rows for {len(texts)} texts")
    reuse = whole if text_scores is not None else np.zeros(len(texts), dtype=bool)
    first: dict[str, int] = {}
    for i, (w, r) in enumerate(zip(window_texts, reuse)):
        if not r and w not in first:
            first[w] = i
    unique = list(first)
    window_matches = None
    if matches is not None:
        rows_of = np.arange(len(texts)) if rows is None else np.asarray(rows, dtype=np.int64)
        window_matches = _window_matches(matches, scorers, rows_of[list(first.values())],
                                         [windows[i] for i in first.values()])
    scores = score_tone(unique, scorers, matches=window_matches)
    tone_cols = [c for c in scores.columns if c.startswith("tone_")]
    pos = pd.Index(unique).get_indexer(window_texts)
    out = pd.DataFrame({"window_start": np.array([w[0] for w in windows], dtype=np.int64),
                        "window_end": np.array([w[1] for w in windows], dtype=np.int64),
                        "window": window_texts, "frame": [""] * len(texts)})  # the stance frames off
    for c in tone_cols:
        values = np.full(len(texts), np.nan)
        values[~reuse] = scores[c].to_numpy()[pos[~reuse]] if len(unique) else np.nan
        if reuse.any():
            values[reuse] = text_scores[c].to_numpy(dtype=float)[reuse]
        out[f"{c}_target"] = values
    return out


def _window_matches(matches: Mapping[str, pd.DataFrame], scorers: Sequence | None, rows: np.ndarray,
                    windows: Sequence[tuple[int, int]]) -> dict[str, pd.DataFrame] | None:
    """The matches lying inside each window, re-indexed to the windows (row = window number, offsets
    relative to the window); None when ``matches`` lacks a dictionary the scorers need."""
    needed = {d.name for s in (scorers if scorers is not None else available_scorers())
              for d in getattr(get_scorer(s), "dictionaries", ())}
    if not needed <= set(matches):
        return None
    rows = np.asarray(rows, dtype=np.int64)
    ws = np.array([w[0] for w in windows], dtype=np.int64)
    we = np.array([w[1] for w in windows], dtype=np.int64)
    out = {}
    for name in needed:
        m = matches[name]
        m_rows = m["row"].to_numpy(dtype=np.int64)
        if len(m_rows) > 1 and (np.diff(m_rows) < 0).any():  # the matcher emits rows in order; be safe
            m = m.iloc[np.argsort(m_rows, kind="stable")].reset_index(drop=True)
            m_rows = m["row"].to_numpy(dtype=np.int64)
        # each window's candidate matches: the block of its row (searchsorted), then kept if inside it
        lo, hi = np.searchsorted(m_rows, rows, "left"), np.searchsorted(m_rows, rows, "right")
        counts = hi - lo
        window = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
        idx = np.arange(counts.sum(), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts - lo, counts)
        starts, ends = m["start"].to_numpy(dtype=np.int64)[idx], m["end"].to_numpy(dtype=np.int64)[idx]
        keep = (starts >= ws[window]) & (ends <= we[window])
        idx, window = idx[keep], window[keep]
        order = np.lexsort((starts[keep] - ws[window], window))  # by window, then start; stable
        idx, window = idx[order], window[order]
        j = m.iloc[idx].reset_index(drop=True)
        out[name] = j.assign(row=window, start=j["start"].to_numpy(dtype=np.int64) - ws[window],
                             end=j["end"].to_numpy(dtype=np.int64) - ws[window])[list(m.columns)]
    return out


class ReferenceActorScorer(ActorScorer):
    """ActorScorer with the per-sentence ``score_from_matches``."""

    def score_from_matches(self, matches: Mapping[str, pd.DataFrame], texts: Sequence[str], *,
                           text_scores: pd.DataFrame | None = None,
                           tokens: Mapping[str, tuple] | None = None) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
        """Same as :meth:`score` from matches a :class:`~diplo.scoring.match.Matcher` already found.

        ``text_scores``: tone scores of ``texts`` (aligned rows), reused for windows spanning a whole text.
        ``tokens``: the texts' tokens as :meth:`~diplo.scoring.match.Matcher.match` returned them (``tokens=``).
        """
        m = matches[self.actors.name]
        rows, cats = m["row"].to_numpy(), m["category"].tolist()
        starts, ends = m["start"].tolist(), m["end"].tolist()
        actors_col = np.full(len(texts), "", dtype=object)
        speaker_col = np.full(len(texts), "", dtype=object)
        role = ["mention"] * len(m)
        exclude: list[list[tuple[int, int]]] = [[] for _ in range(len(m))]
        cache: dict = {}  # tokens of each sentence, shared by speaker attribution and target windows
        if tokens is not None:
            for r in dict.fromkeys(rows.tolist()):
                if texts[r] in tokens:
                    cache[texts[r]] = _Tokens(texts[r], tokens[texts[r]])
        # mentions are grouped by row (the matcher emits rows in order)
        bounds = np.flatnonzero(np.diff(rows)) + 1 if len(rows) else np.array([], dtype=int)
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(rows)]) if len(rows) else ():
            row = int(rows[lo])
            names = [cats[k] for k in range(lo, hi)]
            actors_col[row] = ";".join(sorted(set(names)))
            ranges = [(starts[k], ends[k]) for k in range(lo, hi)]
            k = _find_speaker(texts[row], ranges, cache)
            if k >= 0:
                speaker_col[row] = names[k]
                role[lo + k] = "speaker"
            for a in range(lo, hi):
                exclude[a] = [ranges[b - lo] for b in range(lo, hi) if cats[b] != cats[a]]
        mentions = pd.DataFrame({"row": rows.astype(np.int64), "actor": cats, "mention": m["match"].tolist(),
                                 "start": m["start"].to_numpy(np.int64), "end": m["end"].to_numpy(np.int64),
                                 "role": role})
        if self.scorers != ():
            known = None
            if text_scores is not None:
                known = text_scores.iloc[rows].reset_index(drop=True)
            tones = _score_target_tone([texts[r] for r in rows.tolist()], list(zip(starts, ends)),
                                       scorers=self.scorers, window=DEFAULT_WINDOW, breaks=DEFAULT_BREAKS,
                                       exclude=exclude, text_scores=known, matches=matches, rows=rows,
                                       cache=cache)
            for c in tones.columns:
                if c.endswith("_target") or c in ("window_start", "window_end", "frame"):
                    mentions[c] = tones[c].to_numpy()
        return {"actors": actors_col, "speaker": speaker_col}, mentions
