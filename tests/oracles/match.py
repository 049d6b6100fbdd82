"""The matcher as it was before it was vectorized (one Python loop per text), kept as the test oracle.

``ReferenceMatcher(dictionaries).match(texts, tokens=...)`` must give exactly what
:meth:`diplo.scoring.match.Matcher.match` gives, and its ``tokens`` what :meth:`diplo.scoring.match.Matcher.tokenize`
gives; tests/test_match.py checks it on many inputs.  Not shipped.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from diplo.scoring.match import CLAUSE_BREAKS, HEDGES, MATCH_COLUMNS, NEGATORS, SCOPE_BREAKS, SPLIT_TOKEN_PATTERN, TOKEN_PATTERN, Dictionary


class _Compiled:
    """First-token indexes and candidate priority, with the old per-token candidate memo."""

    def __init__(self, d: Dictionary) -> None:
        self.dictionary = d
        self.literal: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        self.near = [e for e in d.entries if e.near]  # proximity rules: a pass after the phrases
        for i, e in enumerate(d.entries):
            if e.near:
                continue
            first = e.tokens[0]
            index, key = (self.prefix, first[:-1]) if first.endswith("*") else (self.literal, first)
            index.setdefault(key, []).append(i)
        self.entry_tokens = [e.tokens for e in d.entries]
        self.prefix_lengths = sorted({len(p) for p in self.prefix})
        # the tokens after the first as a list when none is a glob (compared by one list equality), else None
        self.entry_rest = [None if any(t.endswith("*") for t in e.tokens[1:]) else list(e.tokens[1:])
                           for e in d.entries]
        self.memo: dict[str, tuple[int, ...]] = {}

    def candidates(self, tok: str) -> tuple[int, ...]:
        """Entries whose first token pattern matches ``tok``, longest phrase first, then most specific."""
        found = self.memo.get(tok)
        if found is None:
            ids = list(self.literal.get(tok, ()))
            for n in self.prefix_lengths:
                if n > len(tok):
                    break
                ids.extend(self.prefix.get(tok[:n], ()))
            found = tuple(sorted(ids, key=self.priority))
            if len(self.memo) < 1_000_000:  # bound memory on pathological vocabularies
                self.memo[tok] = found
        return found

    def priority(self, i: int) -> tuple[int, int, int]:
        # longest phrase first, then the most specific (literal words, longer glob stems)
        toks = self.entry_tokens[i]
        specificity = sum(len(t) + 1 if not t.endswith("*") else len(t) - 1 for t in toks)
        return (-len(toks), -specificity, i)


def _token_matches(pattern: str, tok: str) -> bool:
    return tok.startswith(pattern[:-1]) if pattern.endswith("*") else tok == pattern


class ReferenceMatcher:
    """The pre-vectorization Matcher (oracle)."""

    def __init__(self, dictionaries: Sequence[Dictionary], *, negators: Iterable[str] = NEGATORS,
                 hedges: Iterable[str] = HEDGES) -> None:
        self._compiled = [_Compiled(d) for d in dictionaries]
        self.negators, self.hedges = frozenset(negators), frozenset(hedges)
        # token -> ((dictionary index, candidate entries), ...) over the dictionaries sharing a tokenization,
        # so a token no dictionary starts with costs one dict lookup however many dictionaries there are
        self._groups = {split: [k for k, c in enumerate(self._compiled) if c.dictionary.split_hyphens == split]
                        for split in (False, True)}
        self._memo: dict[bool, dict[str, tuple]] = {False: {}, True: {}}
        # every token that can set a negated/hedged flag in some dictionary (besides "...n't" forms): a
        # sentence window with none of them needs no scope scan
        self._scope_words = frozenset(self.negators | self.hedges).union(
            *(c.dictionary.negators | c.dictionary.hedges for c in self._compiled))

    def _lookup(self, split: bool, tok: str) -> tuple:
        found = tuple((k, cands) for k in self._groups[split] if (cands := self._compiled[k].candidates(tok)))
        if len(self._memo[split]) < 1_000_000:  # bound memory on pathological vocabularies
            self._memo[split][tok] = found
        return found

    def _is_negator(self, tok: str) -> bool:
        return tok in self.negators or tok.endswith("n't") or tok.endswith("n\u2019t")

    def _scope_flags(self, toks: list[str], i: int, window: int, extra: frozenset[str] = frozenset(),
                     extra_hedges: frozenset[str] = frozenset()) -> tuple[bool, bool]:
        negated = hedged = False
        for j in range(i - 1, max(i - 1 - window, -1), -1):
            t = toks[j]
            if t in SCOPE_BREAKS:
                break
            if t in extra or self._is_negator(t):
                negated = not negated  # "will not lift the ban": two negators cancel
            hedged = hedged or t in self.hedges or t in extra_hedges
        return negated, hedged

    def match(self, texts: Sequence[str], *, tokens: dict | None = None) -> dict[str, pd.DataFrame]:
        """Matches per dictionary name: DataFrames with :data:`MATCH_COLUMNS`.

        ``row`` indexes ``texts``; ``start``/``end`` are character offsets in that text; ``match`` is the
        matched text as written; ``entry`` the dictionary pattern; ``weight`` the entry's weight.
        Non-strings are treated as empty texts.  ``tokens``: a dict that receives, for each text, its
        :data:`TOKEN_PATTERN` spans and lower-cased tokens, for later stages to reuse (actors).
        """
        cols: list[list[tuple]] = [[] for _ in self._compiled]
        need_split = any(c.dictionary.split_hyphens for c in self._compiled)
        need_plain = any(not c.dictionary.split_hyphens for c in self._compiled)
        finditer, split_finditer = TOKEN_PATTERN.finditer, SPLIT_TOKEN_PATTERN.finditer
        scope_words = self._scope_words
        for row, text in enumerate(texts):
            if not isinstance(text, str) or not text:
                continue
            low = text.lower()
            if len(low) != len(text):  # a few characters change length when lower-cased ("İ")
                low = None
            spans = [m.span() for m in finditer(text)]
            toks = [low[s:e] for s, e in spans] if low is not None else [text[s:e].lower() for s, e in spans]
            if tokens is not None:
                tokens[text] = (spans, toks)
            tokenized = {}
            if need_plain:
                tokenized[False] = (spans, toks)
            if need_split:
                if "-" in text and any("-" in t for t in toks):  # only hyphenated words tokenize differently
                    s_spans = [m.span() for m in split_finditer(text)]
                    s_toks = ([low[s:e] for s, e in s_spans] if low is not None
                              else [text[s:e].lower() for s, e in s_spans])
                    tokenized[True] = (s_spans, s_toks)
                else:
                    tokenized[True] = (spans, toks)
            for split, (spans, toks) in tokenized.items():
                memo, n = self._memo[split], len(toks)
                found = list(map(memo.get, toks))
                positions: dict[int, list] = {}
                for i in [i for i, f in enumerate(found) if f is None or f]:
                    f = found[i]
                    if f is None:
                        f = self._lookup(split, toks[i])
                    for k, cands in f:
                        positions.setdefault(k, []).append((i, cands))
                near_ks = {k for k in self._groups[split] if self._compiled[k].near}
                if not positions and not near_ks:
                    continue
                # negation/hedge scope can only be set by a scope word or a "...n't" token in the sentence
                has_nt = any(t.endswith(("n't", "n\u2019t")) for t in toks) if (
                    low is None or "n't" in low or "n\u2019t" in low) else False
                scoped = has_nt or not scope_words.isdisjoint(toks)
                for k in sorted(set(positions) | near_ks):
                    comp, out = self._compiled[k], cols[k]
                    d, entry_tokens, entry_rest = comp.dictionary, comp.entry_tokens, comp.entry_rest
                    window = d.negation_window if scoped else 0
                    next_free = 0
                    found_here = []  # (first token, length, rank, row tuple): the phrases, then the rules
                    for i, cands in positions.get(k, ()):
                        if i < next_free:  # inside the previous match: leftmost-longest, no overlaps
                            continue
                        best = None
                        for eid in cands:
                            pats = entry_tokens[eid]
                            m = len(pats)
                            if m == 1:
                                best = eid
                                break
                            if i + m > n:
                                continue
                            rest = entry_rest[eid]
                            if (toks[i + 1:i + m] == rest if rest is not None
                                    else all(_token_matches(p, toks[i + j]) for j, p in enumerate(pats[1:], 1))):
                                best = eid
                                break
                        if best is None:
                            continue
                        m = len(entry_tokens[best])
                        entry = d.entries[best]
                        start, end = spans[i][0], spans[i + m - 1][1]
                        if window and (has_nt or not scope_words.isdisjoint(toks[max(i - window, 0):i])):
                            negated, hedged = self._scope_flags(toks, i, window, d.negators, d.hedges)
                        else:
                            negated = hedged = False
                        found_here.append((i, m, 0, (row, entry.category, entry.pattern, text[start:end], start, end,
                                                     entry.weight, negated, hedged)))
                        next_free = i + m
                    if not comp.near:
                        out.extend(f[3] for f in found_here)
                        continue
                    for r, entry in enumerate(comp.near, 1):
                        a_pat, b_pat = entry.tokens
                        for i, t in enumerate(toks):
                            if not _token_matches(a_pat, t):
                                continue
                            for dist in range(1, entry.near + 1):
                                p = next((p for p in (i + dist, i - dist) if 0 <= p < n
                                          and _token_matches(b_pat, toks[p])
                                          and not any(x in CLAUSE_BREAKS for x in toks[min(i, p):max(i, p)])), None)
                                if p is not None:
                                    lo, hi = min(i, p), max(i, p)
                                    start, end = spans[lo][0], spans[hi][1]
                                    if window and (has_nt or not scope_words.isdisjoint(toks[max(lo - window, 0):lo])):
                                        negated, hedged = self._scope_flags(toks, lo, window, d.negators, d.hedges)
                                    else:
                                        negated = hedged = False
                                    found_here.append((lo, hi - lo + 1, r, (row, entry.category, entry.pattern,
                                                       text[start:end], start, end, entry.weight, negated, hedged)))
                                    break
                    next_free, last_start = 0, -1
                    for i, m, _, rec in sorted(found_here, key=lambda f: (f[0], -f[1], f[2])):
                        if i == last_start or i < next_free:
                            last_start = i
                            continue
                        last_start, next_free = i, i + m
                        out.append(rec)
        result = {}
        for comp, out in zip(self._compiled, cols):
            if out:  # column-wise: cheaper than DataFrame.from_records, same dtypes
                row, category, entry, match, start, end, weight, negated, hedged = zip(*out)
                result[comp.dictionary.name] = pd.DataFrame({
                    "row": np.array(row, dtype=np.int64), "category": list(category), "entry": list(entry),
                    "match": list(match), "start": np.array(start, dtype=np.int64),
                    "end": np.array(end, dtype=np.int64), "weight": np.array(weight, dtype=float),
                    "negated": np.array(negated, dtype=bool), "hedged": np.array(hedged, dtype=bool)})
            else:
                df = pd.DataFrame({c: [] for c in MATCH_COLUMNS})
                result[comp.dictionary.name] = df.astype({"row": np.int64, "start": np.int64, "end": np.int64,
                                                          "weight": float, "negated": bool, "hedged": bool})
        return result
