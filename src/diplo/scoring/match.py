"""Dictionary matching: terms, ``*`` globs and multi-word phrases, found in one pass over the tokens.

This is the engine under the dictionary tone scorer, the diplomatic scale, the theme dictionary and the
actor aliases.  A :class:`Dictionary` maps categories to entries (each entry a phrase of one or more token
patterns, with an optional weight); a :class:`Matcher` compiles any number of dictionaries once and
finds, per text, the leftmost-longest non-overlapping matches of each dictionary, with character offsets
and whether a negator or hedge stands in the few tokens before the match (an even number of negators
cancels out: "will not lift the ban" leaves "ban" un-negated).

Tokens are lower-cased words (letters/digits with inner hyphens or apostrophes, decimal numbers) and
single punctuation marks, so ``"north-south corridor"`` and ``"3+3"`` are matched as written.

Dictionaries and their file formats (YAML, Lexicoder ``.cat``, LIWC ``.dic``, CSV, ``NEAR/k`` proximity rules)
are defined in :mod:`diplo.scoring.dictionary`.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from diplo.io.resources import load_word_lists
from diplo.scoring.dictionary import (Dictionary, DictionaryError, Entry, dictionary_from_mapping, load_dictionary,
                                      tokenize)
from diplo.scoring._engine.strings import LazyStrings, take_labels
from diplo.scoring._engine.tokens import SPLIT_TOKEN_PATTERN, TOKEN_PATTERN, TokenTable, Vocabulary, grow, tokenize_texts

__all__ = ["DictionaryMatching", "TOKEN_PATTERN", "SPLIT_TOKEN_PATTERN", "NEGATORS", "HEDGES", "Entry", "Dictionary", "DictionaryError", "Matcher",
           "MATCH_COLUMNS", "SCOPE_BREAKS", "CLAUSE_BREAKS", "Matches", "load_dictionary", "dictionary_from_mapping", "tokenize"]

# The negation and hedge scope of every dictionary: data/negation.yml (negators, hedges, and the tokens
# that end a scope when scanning back from a match).
_SCOPE = load_word_lists("negation.yml", lists=("negators", "hedges", "scope_breaks"))
NEGATORS, HEDGES, SCOPE_BREAKS = _SCOPE["negators"], _SCOPE["hedges"], _SCOPE["scope_breaks"]
#: Tokens a proximity rule (``A NEAR/k B``) does not reach across: the scope breaks but the comma.
CLAUSE_BREAKS = frozenset(SCOPE_BREAKS) - {","}

MATCH_COLUMNS = ["row", "category", "entry", "match", "start", "end", "weight", "negated", "hedged"]


_EMPTY_INT, _EMPTY_BOOL = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)


class _Compiled:
    """Per-dictionary lookup tables: first-token literal and prefix-glob indexes, candidate priority."""

    def __init__(self, d: Dictionary) -> None:
        self.dictionary = d
        self.literal: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        # entries numbered with the proximity rules last (they are matched by a post-pass, not the group)
        regular = [e for e in d.entries if not e.near]
        self.near = [e for e in d.entries if e.near]
        entries = regular + self.near
        for i, e in enumerate(regular):
            first = e.tokens[0]
            if first.endswith("*"):
                self.prefix.setdefault(first[:-1], []).append(i)
            else:
                self.literal.setdefault(first, []).append(i)
        self.entry_tokens = [e.tokens for e in regular]
        self.n_regular = len(regular)
        self.near_masks: dict[str, np.ndarray] = {}  # side pattern -> bool per vocabulary id (grown on use)
        # the columns of match tables, indexed by entry number
        self.categories = pa.array([e.category for e in entries], type=pa.large_string())
        self.patterns = pa.array([e.pattern for e in entries], type=pa.large_string())
        self.weights = np.array([e.weight for e in entries], dtype=float)
        # the same as codes for Matches: category code per entry, the categories, the patterns
        self.category_names = np.array(d.categories, dtype=object)
        self.category_code = pd.Index(d.categories).get_indexer([e.category for e in entries]).astype(np.int64)
        self.pattern_names = np.array([e.pattern for e in entries], dtype=object)

    def _side_mask(self, side: str, strings: Sequence[str]) -> np.ndarray:
        mask = self.near_masks.get(side, np.zeros(0, dtype=bool))
        if len(mask) < len(strings):
            new = strings[len(mask):]
            if side == "\0breaks":
                hit = [t in CLAUSE_BREAKS for t in new]
            elif side.endswith("*"):
                hit = [t.startswith(side[:-1]) for t in new]
            else:
                hit = [t == side for t in new]
            mask = np.concatenate([mask, np.array(hit, dtype=bool)])
            self.near_masks[side] = mask
        return mask

    def near_hits(self, table: TokenTable, strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(entry, first, last)`` of every proximity rule's hits in ``table``: for each token matching one
        side, the nearest token matching the other side within the window in the same text."""
        out_e, out_f, out_l = [], [], []
        ids, n = table.ids, len(table.ids)
        if not n:
            return _EMPTY_INT, _EMPTY_INT, _EMPTY_INT
        row = table.row
        breaks = np.cumsum(self._side_mask("\0breaks", strings)[ids])  # clause breaks up to each token
        for j, e in enumerate(self.near):
            a = np.flatnonzero(self._side_mask(e.tokens[0], strings)[ids])
            if not len(a):
                continue
            b_mask = self._side_mask(e.tokens[1], strings)[ids]
            partner = np.full(len(a), -1, dtype=np.int64)
            for d in range(1, e.near + 1):  # nearest first; after before at equal distance
                for step in (d, -d):
                    p = a + step
                    ok = (partner < 0) & (p >= 0) & (p < n)
                    q, r = p[ok], a[ok]
                    ok[ok] = b_mask[q] & (row[q] == row[r]) & (breaks[q] == breaks[r])
                    partner[ok] = p[ok]
            found = partner >= 0
            a, partner = a[found], partner[found]
            out_e.append(np.full(len(a), self.n_regular + j, dtype=np.int64))
            out_f.append(np.minimum(a, partner))
            out_l.append(np.maximum(a, partner))
        if not out_e:
            return _EMPTY_INT, _EMPTY_INT, _EMPTY_INT
        return np.concatenate(out_e), np.concatenate(out_f), np.concatenate(out_l)

    def _priority(self, i: int) -> tuple[int, int, int]:
        # Longest phrase first; among equally long phrases the most specific (literal words, longer
        # glob stems), so "opposition" beats "oppos*" and "investigat*" beats "invest*".
        toks = self.entry_tokens[i]
        specificity = sum(len(t) + 1 if not t.endswith("*") else len(t) - 1 for t in toks)
        return (-len(toks), -specificity, i)


class _Group:
    """The dictionaries matched on one tokenization, compiled to arrays indexed by vocabulary id.

    Entries of all the group's dictionaries are numbered in one sequence (``offsets[k]`` is the first
    of dictionary ``k``).  Per vocabulary id the group keeps the entries whose first token pattern
    matches it (a CSR list in dictionary order, then candidate priority), whether it ends a negation
    scope, negates or hedges (per dictionary), and which later-token globs it satisfies (a bit set), so
    matching a chunk is array indexing; Python runs once per new vocabulary type (:meth:`extend`).
    """

    def __init__(self, compiled: Sequence[_Compiled], vocabulary: Vocabulary, negators: frozenset[str],
                 hedges: frozenset[str]) -> None:
        self.compiled = list(compiled)
        self.negators, self.hedges = negators, hedges
        sizes = [len(c.entry_tokens) for c in compiled]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        tokens = [t for c in compiled for t in c.entry_tokens]
        self.entry_dict = np.repeat(np.arange(len(compiled), dtype=np.int64), sizes)
        self.entry_len = np.array([len(t) for t in tokens], dtype=np.int64)
        self.max_len = int(self.entry_len.max()) if len(tokens) else 0
        # rank of each entry in candidate order: dictionary, then its priority
        keys = [(k, c._priority(i)) for k, c in enumerate(compiled) for i in range(len(c.entry_tokens))]
        self.rank = [0] * len(keys)
        for r, g in enumerate(sorted(range(len(keys)), key=keys.__getitem__)):
            self.rank[g] = r
        self.literal: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        for k, c in enumerate(compiled):
            for table, own in ((self.literal, c.literal), (self.prefix, c.prefix)):
                for key, ids in own.items():
                    table.setdefault(key, []).extend(int(self.offsets[k]) + i for i in ids)
        self.prefix_lengths = sorted({len(p) for p in self.prefix})
        # the shortest prefix length's heads of every prefix: a token without one matches no prefix
        self.prefix_heads = {p[:self.prefix_lengths[0]] for p in self.prefix} if self.prefix else set()
        # later tokens: literal vocabulary id (>= 0), glob -2 - g (g indexes self.glob_stems), past the end -1
        self.glob_stems: dict[str, int] = {}
        self.pattern = np.full((len(tokens), max(self.max_len, 1)), -1, dtype=np.int64)
        for g, toks in enumerate(tokens):
            for j, t in enumerate(toks[1:], 1):
                if t.endswith("*"):
                    self.pattern[g, j] = -2 - self.glob_stems.setdefault(t[:-1], len(self.glob_stems))
                else:
                    self.pattern[g, j] = vocabulary.id(t)
        self.glob_lengths = sorted({len(s) for s in self.glob_stems})
        self.glob_heads = {s[:self.glob_lengths[0]] for s in self.glob_stems} if self.glob_stems else set()
        self.glob_words = (len(self.glob_stems) + 63) // 64
        self.windows = np.array([c.dictionary.negation_window for c in compiled], dtype=np.int64)
        self.max_window = int(self.windows.max(initial=0))
        n_dict = len(compiled)
        self.size = 0
        self.cand_start = np.zeros(0, dtype=np.int64)
        self.cand_count = np.zeros(0, dtype=np.int64)
        self.cand_flat = np.zeros(0, dtype=np.int64)
        self.n_flat = 0
        self.glob_bits = np.zeros((max(self.glob_words, 1), 0), dtype=np.uint64)
        self.breaks = np.zeros(0, dtype=bool)
        self.negates = np.zeros((n_dict, 0), dtype=bool)
        self.hedging = np.zeros((n_dict, 0), dtype=bool)

    def _candidates(self, tok: str) -> list[int]:
        ids = list(self.literal.get(tok, ()))
        if self.prefix_heads and tok[:self.prefix_lengths[0]] in self.prefix_heads:
            for n in self.prefix_lengths:
                if n > len(tok):
                    break
                ids.extend(self.prefix.get(tok[:n], ()))
        return sorted(ids, key=self.rank.__getitem__) if len(ids) > 1 else ids

    def extend(self, strings: Sequence[str]) -> None:
        """Compute the per-id tables for vocabulary ids ``self.size`` .. ``len(strings) - 1``."""
        lo, hi = self.size, len(strings)
        if hi <= lo:
            return
        new = strings[lo:hi]
        self.cand_start, self.cand_count = grow(self.cand_start, hi), grow(self.cand_count, hi)
        found = [self._candidates(t) for t in new]
        counts = np.fromiter(map(len, found), dtype=np.int64, count=len(new))
        flat = [g for f in found for g in f]
        self.cand_count[lo:hi] = counts
        self.cand_start[lo:hi] = self.n_flat + np.cumsum(counts) - counts
        self.cand_flat = grow(self.cand_flat, self.n_flat + len(flat))
        self.cand_flat[self.n_flat:self.n_flat + len(flat)] = flat
        self.n_flat += len(flat)
        if self.glob_stems:
            self.glob_bits = grow(self.glob_bits, hi)
            heads, shortest = self.glob_heads, self.glob_lengths[0]
            for i, t in enumerate(new, lo):
                if t[:shortest] not in heads:
                    continue
                for n in self.glob_lengths:
                    if n > len(t):
                        break
                    g = self.glob_stems.get(t[:n])
                    if g is not None:
                        self.glob_bits[g >> 6, i] |= np.uint64(1 << (g & 63))
        self.breaks = grow(self.breaks, hi)
        self.breaks[lo:hi] = [t in SCOPE_BREAKS for t in new]
        self.negates, self.hedging = grow(self.negates, hi), grow(self.hedging, hi)
        negator = np.array([t in self.negators or t.endswith(("n't", "n\u2019t")) for t in new], dtype=bool)
        hedge = np.array([t in self.hedges for t in new], dtype=bool)
        for k, c in enumerate(self.compiled):
            d = c.dictionary
            self.negates[k, lo:hi] = negator | [t in d.negators for t in new] if d.negators else negator
            self.hedging[k, lo:hi] = hedge | [t in d.hedges for t in new] if d.hedges else hedge
        self.size = hi

    def find(self, table: TokenTable) -> tuple[np.ndarray, ...]:
        """Leftmost-longest matches of every dictionary of the group in ``table``.

        Returns ``(entry, first, last, negated, hedged)`` sorted by dictionary then token position: the
        group entry number, the indexes of the first and last token in ``table``, and the scope flags.
        """
        ids = table.ids
        count = self.cand_count[ids]
        at = np.flatnonzero(count)
        if not len(at):
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
        # one (position, candidate) pair per candidate entry of each position, in candidate order
        n_cand = count[at]
        pos = np.repeat(at, n_cand)
        shift = np.repeat(self.cand_start[ids[at]] - (np.cumsum(n_cand) - n_cand), n_cand)
        cand = self.cand_flat[shift + np.arange(len(pos))]
        ok = np.ones(len(pos), dtype=bool)
        # phrases: compare later tokens one offset at a time on the pairs still alive; whether a phrase
        # crosses into the next text (or past the chunk's end, into the -1 padding) is checked on the survivors
        padded = np.concatenate([ids, np.full(self.max_len, -1, dtype=ids.dtype)])
        live = np.flatnonzero(self.entry_len[cand] > 1)
        at, entry, length = pos[live], cand[live], self.entry_len[cand[live]]
        for j in range(1, self.max_len):
            if not len(live):
                break
            tok = padded[at + j]
            want = self.pattern[entry, j]
            good = tok == want
            glob = np.flatnonzero(want < -1)
            if len(glob):
                g = -2 - want[glob]
                bits = self.glob_bits[g >> 6, tok[glob]]
                good[glob] = (bits >> (g & 63).astype(np.uint64)) & np.uint64(1) == 1
            ok[live[~good]] = False
            more = good & (length > j + 1)
            live, at, entry, length = live[more], at[more], entry[more], length[more]
        phrase = np.flatnonzero(ok & (self.entry_len[cand] > 1))
        start = pos[phrase]
        ok[phrase] = start + self.entry_len[cand[phrase]] <= table.bounds[table.row[start] + 1]
        # the first matching candidate of each (position, dictionary): the best entry starting there
        hit = np.flatnonzero(ok)
        entry, first = cand[hit], pos[hit]
        dic = self.entry_dict[entry]
        lead = np.ones(len(hit), dtype=bool)
        lead[1:] = (first[1:] != first[:-1]) | (dic[1:] != dic[:-1])
        entry, first, dic = entry[lead], first[lead], dic[lead]
        order = np.argsort(dic, kind="stable")
        entry, first, dic = entry[order], first[order], dic[order]
        length = self.entry_len[entry]
        keep = _leftmost(dic * (len(ids) + 1) + first, length)
        entry, first, dic, length = entry[keep], first[keep], dic[keep], length[keep]
        negated, hedged = self._scope(table, first, dic)
        return entry, first, first + length - 1, negated, hedged

    def _scope(self, table: TokenTable, first: np.ndarray, dic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Scan back up to the dictionary's window from each match, stopping at a scope break or the start
        # of the text; each negator toggles (two cancel), any hedge sets.
        negated = np.zeros(len(first), dtype=bool)
        hedged = np.zeros(len(first), dtype=bool)
        if not self.max_window or not len(first):
            return negated, hedged
        scoped = np.flatnonzero(self.windows[dic] > 0)
        first, dic = first[scoped], dic[scoped]
        window, text_start = self.windows[dic], table.bounds[table.row[first]]
        neg, hedge = np.zeros(len(first), dtype=bool), np.zeros(len(first), dtype=bool)
        alive = np.ones(len(first), dtype=bool)
        for k in range(1, self.max_window + 1):
            j = first - k
            alive &= (j >= text_start) & (window >= k)
            if not alive.any():
                break
            tok = table.ids[np.maximum(j, 0)]
            alive &= ~self.breaks[tok]
            neg ^= alive & self.negates[dic, tok]
            hedge |= alive & self.hedging[dic, tok]
        negated[scoped], hedged[scoped] = neg, hedge
        return negated, hedged


def _leftmost(start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Which of the sorted candidate spans ``[start, start + length)`` greedy leftmost-first selection keeps.

    A span that starts at or after the end of every earlier span is kept whatever was chosen before it;
    only the runs of spans after it that overlap something are resolved one by one.
    """
    end = start + length
    reach = np.empty_like(end)
    if len(end):
        reach[0] = -1
        np.maximum.accumulate(end[:-1], out=reach[1:])
    keep = start >= reach
    if keep.all():
        return keep
    bad = np.flatnonzero(~keep)
    free, last = 0, -2
    for t, s, e, before in zip(bad.tolist(), start[bad].tolist(), end[bad].tolist(), end[bad - 1].tolist()):
        if t != last + 1:  # first overlap of a run: the span before it was kept
            free = before
        if s >= free:
            keep[t] = True
            free = e
        last = t
    return keep


class Matcher:
    """Find matches of several dictionaries in one pass over a chunk's tokens.

    The matcher owns a :class:`~diplo.scoring._engine.tokens.Vocabulary`; texts are tokenized a chunk at a time
    (:meth:`tokenize`) and matched with array operations, so its per-token cost does not grow with the
    number or size of the dictionaries.

    Examples
    --------
    >>> d = dictionary_from_mapping({"energy": ["gas swap", "electric*"]}, name="themes")
    >>> Matcher([d]).match(["No gas swap yet; electricity exports grew."])["themes"][["entry", "match", "negated"]]
           entry        match  negated
    0   gas swap     gas swap     True
    1  electric*  electricity    False
    """

    def __init__(self, dictionaries: Sequence[Dictionary], *, negators: Iterable[str] = NEGATORS,
                 hedges: Iterable[str] = HEDGES) -> None:
        names = [d.name for d in dictionaries]
        if len(set(names)) != len(names):
            raise ValueError(f"dictionary names must be distinct; got {names}")
        self._compiled = [_Compiled(d) for d in dictionaries]
        self.negators, self.hedges = frozenset(negators), frozenset(hedges)
        self._start_vocabulary()

    def _start_vocabulary(self) -> None:
        self.vocabulary = Vocabulary()
        # dictionaries sharing a tokenization are matched together: split_hyphens -> (dictionary indexes, group)
        self._groups: dict[bool, tuple[list[int], _Group]] = {}
        for split in (False, True):
            ks = [k for k, c in enumerate(self._compiled) if c.dictionary.split_hyphens == split]
            if ks:
                group = _Group([self._compiled[k] for k in ks], self.vocabulary, self.negators, self.hedges)
                self._groups[split] = (ks, group)

    #: Token types kept before the matcher starts a new vocabulary (so memory stays bounded on a long run;
    #: ids are only compared within a chunk, so results do not change).
    VOCABULARY_LIMIT = 1_000_000

    def tokenize(self, texts: Sequence) -> TokenTable:
        """The chunk's tokens (:func:`diplo.scoring._engine.tokens.tokenize_texts`) with ids in this matcher's vocabulary.

        A table is valid for :meth:`match` until the next call of ``tokenize`` (which may start a new
        vocabulary when the current one holds :attr:`VOCABULARY_LIMIT` types).
        """
        if len(self.vocabulary) > self.VOCABULARY_LIMIT:
            self._start_vocabulary()
        return tokenize_texts(texts, self.vocabulary)

    def match(self, texts: Sequence[str], *, table: TokenTable | None = None) -> dict[str, pd.DataFrame]:
        """Matches per dictionary name: DataFrames with :data:`MATCH_COLUMNS`.

        ``row`` indexes ``texts``; ``start``/``end`` are character offsets in that text; ``match`` is the
        matched text as written; ``entry`` the dictionary pattern; ``weight`` the entry's weight.
        Non-strings are treated as empty texts.

        Parameters
        ----------
        texts : the chunk's texts.
        table : ``self.tokenize(texts)`` when the caller already has it (to share one tokenization with
            later stages); tokenized here otherwise.

        Raises
        ------
        ValueError
            If ``table`` was not made by this matcher's :meth:`tokenize` for as many texts.
        """
        return {name: m.frame() for name, m in self.find(texts, table=table).items()}

    def find(self, texts: Sequence[str], *, table: TokenTable | None = None) -> dict[str, "Matches"]:
        """:meth:`match` without the DataFrames: per dictionary name a :class:`Matches` (what a
        :class:`~diplo.scoring.chunk.Chunk` holds and the scorers read; same checks and errors as :meth:`match`)."""
        if table is None:
            table = self.tokenize(texts)
        elif table.vocabulary is not self.vocabulary or table.split or len(table.texts) != len(texts):
            raise ValueError(f"table must be Matcher.tokenize(texts) of this matcher for the {len(texts)} texts; "
                             f"got a table of {len(table.texts)} texts"
                             f"{' split at hyphens' if table.split else ''}"
                             f"{'' if table.vocabulary is self.vocabulary else ' from another vocabulary'}")
        result, strings = {}, LazyStrings(table.texts)
        for split, (ks, group) in self._groups.items():
            chunk = table.split_hyphens() if split else table
            group.extend(self.vocabulary.strings)
            entry, first, last, negated, hedged = group.find(chunk)
            dic = group.entry_dict[entry]
            cut = np.searchsorted(dic, np.arange(len(ks) + 1))
            for g, k in enumerate(ks):
                a, b = cut[g], cut[g + 1]
                c = self._compiled[k]
                found = entry[a:b] - group.offsets[g], first[a:b], last[a:b], negated[a:b], hedged[a:b]
                if c.near:
                    found = self._with_near(c, group, g, chunk, *found)
                result[c.dictionary.name] = Matches._found(c, chunk, strings, *found)
        return {c.dictionary.name: result[c.dictionary.name] for c in self._compiled}

    def _with_near(self, c: _Compiled, group: "_Group", g: int, table: TokenTable, entry: np.ndarray,
                   first: np.ndarray, last: np.ndarray, negated: np.ndarray, hedged: np.ndarray) -> tuple:
        """The dictionary's matches with its proximity rules' hits, leftmost-longest over both."""
        ne, nf, nl = c.near_hits(table, self.vocabulary.strings)
        if not len(ne):
            return entry, first, last, negated, hedged
        nn, nh = group._scope(table, nf, np.full(len(nf), g, dtype=np.int64))
        entry, first, last = np.concatenate([entry, ne]), np.concatenate([first, nf]), np.concatenate([last, nl])
        negated, hedged = np.concatenate([negated, nn]), np.concatenate([hedged, nh])
        order = np.lexsort((entry, first - last, first))  # by start, longest first
        entry, first, last, negated, hedged = entry[order], first[order], last[order], negated[order], hedged[order]
        lead = np.ones(len(first), dtype=bool)
        lead[1:] = first[1:] != first[:-1]
        keep = np.flatnonzero(lead)
        keep = keep[_leftmost(first[keep], last[keep] - first[keep] + 1)]
        return entry[keep], first[keep], last[keep], negated[keep], hedged[keep]


class Matches:
    """One dictionary's matches in a chunk, as arrays: the form of a :meth:`Matcher.match` table that a
    :class:`~diplo.scoring.chunk.Chunk` holds and every scorer reads (no DataFrame is built).

    ``row``, ``start``, ``end``, ``weight``, ``negated``, ``hedged`` as in :data:`MATCH_COLUMNS` (numpy);
    the labels as codes, ``category_names[category]`` and ``entry_names[entry]`` (object arrays of str; a
    category code of -1 is a missing category).  :meth:`column` gives the ``category``, ``entry`` and
    ``match`` columns as the DataFrame holds them, :meth:`frame` the DataFrame itself.
    """

    __slots__ = ("row", "start", "end", "weight", "negated", "hedged", "category", "category_names", "entry",
                 "entry_names", "_labels", "_index")

    def __init__(self, row, start, end, weight, negated, hedged, category, category_names, entry, entry_names,
                 labels, index=None) -> None:
        self.row, self.start, self.end, self.weight = row, start, end, weight
        self.negated, self.hedged = negated, hedged
        self.category, self.category_names, self.entry, self.entry_names = category, category_names, entry, entry_names
        self._labels = labels  # column name -> the full column of the source table (a function)
        self._index = index  # rows of the source table, when taken from one

    def __len__(self) -> int:
        return len(self.row)

    @classmethod
    def _found(cls, c: _Compiled, table: TokenTable, strings: LazyStrings, entry: np.ndarray, first: np.ndarray,
              last: np.ndarray, negated: np.ndarray, hedged: np.ndarray) -> "Matches":
        """The matches of compiled dictionary ``c`` found by :meth:`_Group.find` in ``table``."""
        if not len(entry):
            return cls(_EMPTY_INT, _EMPTY_INT, _EMPTY_INT, np.zeros(0), _EMPTY_BOOL, _EMPTY_BOOL, _EMPTY_INT,
                       c.category_names, _EMPTY_INT, c.pattern_names, None)
        row, start, end = table.row[first], table.start[first], table.end[last]
        labels = {"category": lambda: take_labels(c.categories, entry), "entry": lambda: take_labels(c.patterns, entry),
                  "match": lambda: strings.cut(row, start, end)}
        return cls(row, start, end, c.weights[entry], negated, hedged, c.category_code[entry], c.category_names,
                   entry, c.pattern_names, labels)

    @classmethod
    def of(cls, m: "pd.DataFrame | Matches") -> "Matches":
        """``m`` itself, or a :meth:`Matcher.match` table (any DataFrame with :data:`MATCH_COLUMNS`) as arrays."""
        if isinstance(m, Matches):
            return m
        category, names = pd.factorize(m["category"])
        return cls(m["row"].to_numpy(dtype=np.int64), m["start"].to_numpy(dtype=np.int64),
                   m["end"].to_numpy(dtype=np.int64), m["weight"].to_numpy(dtype=float),
                   m["negated"].to_numpy(dtype=bool), m["hedged"].to_numpy(dtype=bool), category,
                   np.asarray(names, dtype=object), np.arange(len(m)), m["entry"].to_numpy(dtype=object),
                   {c: m[c].array for c in ("category", "entry", "match")})

    def take(self, idx: np.ndarray, **replace: np.ndarray) -> "Matches":
        """Matches ``idx`` (positions), with the columns named in ``replace`` given instead."""
        cols = {k: replace[k] if k in replace else getattr(self, k)[idx]
                for k in ("row", "start", "end", "weight", "negated", "hedged", "category", "entry")}
        index = idx if self._index is None else self._index[idx]
        return Matches(cols["row"], cols["start"], cols["end"], cols["weight"], cols["negated"],
                            cols["hedged"], cols["category"], self.category_names, cols["entry"], self.entry_names,
                            self._labels, index)

    def labels(self) -> np.ndarray:
        """Each match's category (object array; NaN where it is missing)."""
        names = self.category_names
        return (np.append(names, np.nan) if (self.category < 0).any() else names)[self.category]

    def column(self, name: str):
        """Column ``category``, ``entry`` or ``match`` as the DataFrame of :meth:`frame` holds it."""
        if self._labels is None:  # nothing matched: the empty table's columns
            return np.zeros(len(self.row))
        values = self._labels[name]
        values = values() if callable(values) else values
        if self._index is None:
            return values
        return values.take(self._index) if hasattr(values, "take") else [values[i] for i in self._index.tolist()]

    def frame(self) -> pd.DataFrame:
        """The matches as a :meth:`Matcher.match` table."""
        if self._labels is None and not len(self.row):
            df = pd.DataFrame({c: [] for c in MATCH_COLUMNS})
            return df.astype({"row": np.int64, "start": np.int64, "end": np.int64, "weight": float, "negated": bool,
                              "hedged": bool})
        return pd.DataFrame({
            "row": self.row, "category": self.column("category"), "entry": self.column("entry"),
            "match": self.column("match"), "start": self.start, "end": self.end, "weight": self.weight,
            "negated": self.negated, "hedged": self.hedged})


class DictionaryMatching:
    """Mixin for components scored from :class:`Matcher` results (tone scorers, themes, actors).

    A component lists the dictionaries it needs in ``dictionaries`` (so one shared Matcher pass can serve
    several components); :meth:`own_matcher` is a Matcher of those dictionaries alone, compiled on first
    use and kept by the component (with its vocabulary), for a chunk that holds no matches of them.
    """

    _matcher: Matcher | None = None

    @property
    def dictionaries(self) -> tuple[Dictionary, ...]:  # pragma: no cover - every component overrides it
        raise NotImplementedError

    def own_matcher(self) -> Matcher:
        """This component's own :class:`Matcher` (built on first use, then kept)."""
        if self._matcher is None:
            self._matcher = Matcher(self.dictionaries)
        return self._matcher
