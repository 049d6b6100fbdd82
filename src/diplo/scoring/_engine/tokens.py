"""Chunk tokenization: every text of a chunk tokenized at once, as flat arrays.

Scoring a chunk of sentences one Python object per token is what made scoring slow; here the whole chunk
is joined and cut at whitespace by ``str.split`` (in C) once for the matcher and VADER (a piece index
gives each distinct piece an id; each consumer keeps per-piece caches), and the tokens come back as numpy
arrays (CSR layout: the tokens of text ``r`` are ``bounds[r]:bounds[r + 1]``) with integer ids into a
:class:`Vocabulary` that the matcher keeps across chunks, so dictionary lookups are array indexing, not
per-token dict probes.  No token contains whitespace, so each distinct whitespace-separated chunk
("iran's", "talks.") is tokenized by the pattern once and remembered by the vocabulary; a chunk of texts
then costs one dict probe per chunk plus array arithmetic for the offsets.

Tokens are the matcher's (:data:`TOKEN_PATTERN`): lower-cased words (letters/digits with inner hyphens
or apostrophes, decimal numbers) and single punctuation marks; offsets are character offsets into each
text as written.  Lower-casing never changes where tokens start and end for texts whose lower-cased form
has the same length (checked over every code point in the tests), and a piece lower-cased alone is the
piece cut from its lower-cased text (a final sigma's context ends at whitespace), so each piece is
lower-cased and tokenized once; the rare texts whose length changes ("İ") are split as written and their
tokens lower-cased one by one, exactly as before.

Examples
--------
>>> table = tokenize_texts(["Iran-Azerbaijan ties.", "No gas swap"], Vocabulary())
>>> table.lows(0), table.spans(1)
(['iran-azerbaijan', 'ties', '.'], [(0, 2), (3, 6), (7, 11)])
>>> table.split_hyphens().lows(0)
['iran', '-', 'azerbaijan', 'ties', '.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Public to the modules of diplo.scoring (the package is private): the matcher and VADER read the same split.
__all__ = ["TOKEN_PATTERN", "SPLIT_TOKEN_PATTERN", "SEPARATOR", "ASCII_SPACE", "Vocabulary", "TokenTable",
           "PieceIndex", "PieceMap", "tokenize_texts", "grow"]

# U+200C (zero-width non-joiner) is inside Persian words (می‌خواهند): it joins, like a hyphen.
TOKEN_PATTERN = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:[-'\u2019\u200c]\w+)*|[^\w\s]")
# Used by dictionaries built with ``split_hyphens=True`` (actor names: "Tehran-Baku ties" names two actors).
SPLIT_TOKEN_PATTERN = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:['\u2019\u200c]\w+)*|[^\w\s]")
_PATTERNS = {False: TOKEN_PATTERN, True: SPLIT_TOKEN_PATTERN}
SEPARATOR = "\n"  # whitespace: no token pattern crosses it, so joined texts tokenize as they do alone
# str.isspace() (what str.split() and the patterns' \s mean) by code point; none above U+3000 is whitespace
_SPACE = np.array([chr(c).isspace() for c in range(0x3001)], dtype=bool)
_ASCII_WHITESPACE = bytes(c for c in range(128) if _SPACE[c])
_WIDE_SPACE = re.compile("[" + "".join(chr(c) for c in range(128, len(_SPACE)) if _SPACE[c]) + "]")
ASCII_SPACE = bytes(int(c < 128 and bool(_SPACE[c])) for c in range(256))  # bytes.translate: 1 = whitespace


class _Index(dict):
    """token -> id, assigning the next id to a token seen for the first time."""

    __slots__ = ("strings",)

    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []

    def __missing__(self, token: str) -> int:
        i = self[token] = len(self.strings)
        self.strings.append(token)
        return i


class Vocabulary:
    """Token strings and their integer ids, stable for the life of the object.

    ``strings[i]`` is the token with id ``i``; consumers that keep per-id tables (the matcher) extend them
    for the ids added since they last looked (``len(vocabulary)`` grows, ids never change).  The vocabulary
    also owns the caches of tokenizing with it, for its whole life: the :class:`PieceIndex` of the
    whitespace-separated pieces seen (:attr:`pieces`, which VADER reads too, so a chunk is split once) and
    the tokens of each distinct piece.  Not thread-safe: one per thread (a matcher owns one, and a
    :class:`~diplo.scoring.session.ScoringSession` owns the matchers).
    """

    def __init__(self) -> None:
        self.pieces = PieceIndex()
        self._index = _Index()
        self._hyphen_pieces = _Pieces()
        self._chunks = {split: _Chunks(_PATTERNS[split]) for split in (False, True)}

    @property
    def strings(self) -> list[str]:
        return self._index.strings

    def __len__(self) -> int:
        return len(self._index.strings)

    def __contains__(self, token: str) -> bool:
        return token in self._index

    def id(self, token: str) -> int:
        """The id of ``token`` (added if new)."""
        return self._index[token]

    def ids(self, tokens: Sequence[str]) -> np.ndarray:
        """Ids of ``tokens`` (new tokens are added), as int64."""
        return np.fromiter(map(self._index.__getitem__, tokens), dtype=np.int64, count=len(tokens))


class PieceIndex:
    """Whitespace-separated pieces of text as written ("Iran's", "talks.") -> ids.

    The matcher's tokenizer and VADER both start from the pieces of the same joined chunk of texts: the
    chunk is split and each piece hashed once here (the last split is remembered, so the second consumer
    of the same joined text gets the ids for free), and each consumer maps piece ids to its own ids with
    a :class:`PieceMap`.  Past :attr:`LIMIT` pieces the index starts afresh (a new :attr:`generation`,
    which empties every map): that only costs re-learning.
    """

    LIMIT = 500_000

    def __init__(self) -> None:
        self.generation = 0
        self._clear()

    def _clear(self) -> None:
        self.index = _Index()
        self._last: tuple[str, np.ndarray] | None = None

    @property
    def strings(self) -> list[str]:
        return self.index.strings

    def ids(self, text: str) -> np.ndarray:
        """Piece ids of ``text.split()`` (read-only int64 array)."""
        last = self._last
        if last is not None and (last[0] is text or last[0] == text):
            return last[1]
        if len(self.index) > self.LIMIT:
            self.generation += 1
            self._clear()
        ids = _split_ids(text, self.index)
        ids.flags.writeable = False
        self._last = (text, ids)
        return ids


def _split_ids(text: str, index: _Index) -> np.ndarray:
    """Ids in ``index`` of the pieces of ``text.split()``.

    The pieces are cut by a whitespace mask and handed to Arrow as one string array over the text's UTF-8
    bytes with the whitespace taken out, which hashes them in C; only the distinct pieces are looked up in
    ``index``.  Without whitespace beyond ASCII (the usual case) the mask is a byte translation: in UTF-8
    an ASCII byte only ever encodes its ASCII character.  Text that UTF-8 cannot hold (lone surrogates) is
    split by Python.
    """
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        pieces = text.split()
        return np.fromiter(map(index.__getitem__, pieces), dtype=np.int64, count=len(pieces))
    if text.isascii() or _WIDE_SPACE.search(text) is None:
        space = np.frombuffer(raw.translate(ASCII_SPACE), dtype=bool)
        compact, width = raw.translate(None, _ASCII_WHITESPACE), None
    else:  # by code point, then to byte offsets
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        space = _SPACE[np.minimum(points, len(_SPACE) - 1)] & (points < len(_SPACE))
        width = 1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)  # UTF-8 bytes per code point
        compact = np.frombuffer(raw, dtype=np.uint8)[~np.repeat(space, width)]
    inside = np.zeros(len(space) + 2, dtype=bool)  # non-space, between two spaces
    np.logical_not(space, out=inside[1:-1])
    edges = np.flatnonzero(inside[1:] != inside[:-1])  # where pieces start and end, alternately
    starts, ends = edges[0::2], edges[1::2]
    if width is not None:
        at = np.zeros(len(points) + 1, dtype=np.int64)
        np.cumsum(width, out=at[1:])
        starts, ends = at[starts], at[ends]
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=offsets[1:])
    pieces = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(compact))
    encoded = pc.dictionary_encode(pieces)
    distinct = encoded.dictionary.to_pylist()
    ids = np.fromiter(map(index.__getitem__, distinct), dtype=np.int64, count=len(distinct))
    return ids[encoded.indices.to_numpy(zero_copy_only=False)]


class PieceMap:
    """Piece id -> a consumer's id, computed on first need by ``compute(pieces)`` for the new pieces of a
    call and remembered; emptied when used with another piece index or a new generation of it."""

    def __init__(self, compute: Callable[[list[str]], Sequence[int]]) -> None:
        self.compute = compute
        self.clear()

    def clear(self, index: PieceIndex | None = None) -> None:
        self.index, self.generation = index, index.generation if index is not None else -1
        self.values = np.zeros(0, dtype=np.int64)
        self.known = np.zeros(0, dtype=bool)

    def __call__(self, pids: np.ndarray, index: PieceIndex) -> np.ndarray:
        """The consumer's ids of the pieces ``pids`` of ``index``."""
        if self.index is not index or self.generation != index.generation:
            self.clear(index)
        n = len(index.strings)
        self.values, self.known = grow(self.values, n), grow(self.known, n)
        miss = ~self.known[pids]
        if miss.any():
            new = np.unique(pids[miss])
            strings = index.strings
            self.values[new] = self.compute([strings[i] for i in new.tolist()])
            self.known[new] = True
        return self.values[pids]


def grow(array: np.ndarray, n: int) -> np.ndarray:
    """``array`` with room for at least ``n`` entries along its last axis (capacity doubling, zero-filled);
    for tables indexed by vocabulary id, which grow with the vocabulary."""
    cap = array.shape[-1]
    if n <= cap:
        return array
    out = np.zeros((*array.shape[:-1], max(n, 2 * cap, 1024)), dtype=array.dtype)
    out[..., :cap] = array
    return out


# A hyphenated token ending in "-<digits>" followed by ".5" or ",5" splits differently in context: the
# split pattern reads "2.5" in "1-2.5" as one number, which crosses the plain tokens "1-2", ".", "5".
_DIGIT_TAIL = re.compile(r"-\d+\Z")


class _Pieces:
    """Per vocabulary id, the :data:`SPLIT_TOKEN_PATTERN` pieces of tokens that contain a hyphen.

    ``count[i]`` pieces (0 for a token without a hyphen: it splits into itself) at ``at[i]`` in the flat
    ``start``/``end`` (offsets in the token) and ``ids`` arrays; ``length[i]`` is the token's length and
    ``digit_tail[i]`` marks tokens ending in ``-<digits>`` (see :data:`_DIGIT_TAIL`).  Extended for new ids when asked (:meth:`update`).
    """

    def __init__(self) -> None:
        self.done = self.size = 0
        self.count = np.zeros(0, dtype=np.int64)
        self.at = np.zeros(0, dtype=np.int64)
        self.digit_tail = np.zeros(0, dtype=bool)
        self.length = np.zeros(0, dtype=np.int64)
        self.start = np.zeros(0, dtype=np.int64)
        self.end = np.zeros(0, dtype=np.int64)
        self.ids = np.zeros(0, dtype=np.int64)

    def update(self, vocabulary: "Vocabulary") -> "_Pieces":
        strings = vocabulary.strings
        while self.done < len(strings):  # pieces may themselves be new tokens
            lo, hi = self.done, len(strings)
            self.count, self.at = grow(self.count, hi), grow(self.at, hi)
            self.digit_tail, self.length = grow(self.digit_tail, hi), grow(self.length, hi)
            starts, ends, ids = [], [], []
            for i in range(lo, hi):
                token = strings[i]
                if "-" not in token:
                    continue
                spans = [m.span() for m in SPLIT_TOKEN_PATTERN.finditer(token)]
                self.count[i], self.at[i] = len(spans), self.size + len(starts)
                self.digit_tail[i] = _DIGIT_TAIL.search(token) is not None
                self.length[i] = len(token)
                starts.extend(a for a, _ in spans)
                ends.extend(b for _, b in spans)
                ids.extend(vocabulary.id(token[a:b]) for a, b in spans)
            n = self.size + len(starts)
            self.start, self.end, self.ids = grow(self.start, n), grow(self.end, n), grow(self.ids, n)
            self.start[self.size:n], self.end[self.size:n], self.ids[self.size:n] = starts, ends, ids
            self.size, self.done = n, hi
        return self


class _Chunks:
    """The tokens of each distinct whitespace-separated chunk seen so far, under one pattern.

    No token contains whitespace, and where a token ends never depends on what follows the whitespace,
    so a text's tokens are its chunks' tokens: the regex runs once per new chunk ("iran's", "talks.")
    and a chunk of texts is tokenized by array lookups.  ``count[c]`` tokens of chunk ``c`` at ``at[c]``
    in the flat ``start``/``end`` (offsets in the chunk) and ``ids`` (vocabulary ids) arrays.  Chunk ids
    live only within one call, so the cache is dropped when it grows past :attr:`LIMIT` chunks.
    """

    LIMIT = 500_000  # ~100 MB of chunk strings and their token arrays

    def __init__(self, pattern: re.Pattern) -> None:
        # the pattern as one capturing group: ``split`` returns gap, token, gap, ..., gap, built in C
        self.splitter = re.compile(f"({pattern.pattern})")
        self.clear()

    def clear(self) -> None:
        self.index = _Index()
        self.by_piece = PieceMap(self._lowered)  # chunk ids are only valid until the next clear
        self.size = 0
        self.length = np.zeros(0, dtype=np.int64)
        self.count = np.zeros(0, dtype=np.int64)
        self.at = np.zeros(0, dtype=np.int64)
        self.start = np.zeros(0, dtype=np.int64)
        self.end = np.zeros(0, dtype=np.int64)
        self.ids = np.zeros(0, dtype=np.int64)

    def of_pieces(self, pids: np.ndarray, index: PieceIndex, vocabulary: "Vocabulary") -> np.ndarray:
        """Chunk ids of the lower-cased pieces ``pids`` of ``index``, -1 for a piece whose length
        changes when lower-cased ("İ"); new chunks are tokenized.

        A piece lower-cased alone is the piece cut from its lower-cased text: whitespace is neither cased
        nor case-ignorable, so the context that decides a final sigma ends at the piece's edges.
        """
        if len(self.index) > self.LIMIT:
            self.clear()
        self.vocabulary = vocabulary
        return self.by_piece(pids, index)

    def _lowered(self, pieces: list[str]) -> np.ndarray:
        lows = [p.lower() for p in pieces]
        same = np.fromiter(map(len, lows), dtype=np.int64, count=len(lows)) == \
            np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        out = np.full(len(pieces), -1, dtype=np.int64)
        out[same] = self.lookup([low for low, ok in zip(lows, same.tolist()) if ok], self.vocabulary)
        return out

    def lookup(self, chunks: Sequence[str], vocabulary: "Vocabulary") -> np.ndarray:
        """Chunk ids of ``chunks``, tokenizing the new ones."""
        if len(self.index) > self.LIMIT:
            self.clear()
        lo = len(self.index)
        cids = np.fromiter(map(self.index.__getitem__, chunks), dtype=np.int64, count=len(chunks))
        new = self.index.strings[lo:]
        if new:  # tokenize the new chunks at once: one regex split of them joined, offsets by cumulative sums
            hi = lo + len(new)
            self.length, self.count, self.at = (grow(a, hi) for a in (self.length, self.count, self.at))
            length = np.fromiter(map(len, new), dtype=np.int64, count=len(new))
            chunk_start = np.cumsum(length + len(SEPARATOR)) - length - len(SEPARATOR)
            parts = self.splitter.split(SEPARATOR.join(new))
            ends = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
            start, end = ends[0:-1:2], ends[1::2]
            chunk = np.searchsorted(chunk_start, start, side="right") - 1
            count = np.bincount(chunk, minlength=len(new))
            n = self.size + len(start)
            self.length[lo:hi], self.count[lo:hi] = length, count
            self.at[lo:hi] = self.size + np.cumsum(count) - count
            self.start, self.end, self.ids = grow(self.start, n), grow(self.end, n), grow(self.ids, n)
            self.start[self.size:n], self.end[self.size:n] = start - chunk_start[chunk], end - chunk_start[chunk]
            self.ids[self.size:n] = vocabulary.ids(parts[1::2])
            self.size = n
        return cids


@dataclass(frozen=True)
class TokenTable:
    """The tokens of a chunk of texts as flat arrays.

    ``bounds`` (n_texts + 1): the tokens of text ``r`` are ``bounds[r]:bounds[r + 1]``; ``row``, ``start``,
    ``end`` and ``ids`` have one entry per token (text index, character offsets in that text, vocabulary
    id of the lower-cased token).
    """

    texts: list[str]
    bounds: np.ndarray
    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    ids: np.ndarray
    vocabulary: Vocabulary
    split: bool = False

    def __len__(self) -> int:
        return len(self.ids)

    def lows(self, r: int) -> list[str]:
        """Lower-cased tokens of text ``r``."""
        strings = self.vocabulary.strings
        return [strings[i] for i in self.ids[self.bounds[r]:self.bounds[r + 1]].tolist()]

    def word_values(self, values: Mapping[str, int], dtype=np.int64) -> np.ndarray:
        """Per token: the value ``values`` gives its lower-cased word, 0 for a word not in ``values``."""
        per_id = np.zeros(len(self.vocabulary), dtype=dtype)
        for word, value in values.items():
            if word in self.vocabulary:
                per_id[self.vocabulary.id(word)] = value
        return per_id[self.ids]

    def spans(self, r: int) -> list[tuple[int, int]]:
        """``(start, end)`` of each token of text ``r``."""
        a, b = self.bounds[r], self.bounds[r + 1]
        return list(zip(self.start[a:b].tolist(), self.end[a:b].tolist()))

    def split_hyphens(self) -> "TokenTable":
        """The same texts tokenized with :data:`SPLIT_TOKEN_PATTERN`.

        Splitting a text at hyphens splits each hyphenated token into its pieces and leaves the other
        tokens as they are, so the pieces are computed once per vocabulary type and spliced in by array
        operations (a hyphen is neither cased nor case-ignorable, so lower-casing a piece alone gives the
        same as cutting it from the lower-cased token).  Texts with two kinds of hyphenated token are
        tokenized again from their text instead: one longer or shorter lower-cased than as written ("İ",
        its offsets do not carry over) and one ending in ``-<digits>`` directly followed by ``.`` or
        ``,`` (``"1-2.5"`` splits as ``1 - 2.5``).
        """
        if self.split:
            return self
        pieces = self.vocabulary._hyphen_pieces.update(self.vocabulary)
        count = pieces.count[self.ids]
        hyphenated = np.flatnonzero(count)
        if not len(hyphenated):
            return TokenTable(self.texts, self.bounds, self.row, self.start, self.end, self.ids, self.vocabulary,
                              split=True)
        redo = self._resplit_rows(hyphenated, pieces)
        if len(redo):
            count[np.isin(self.row, redo)] = 0
            hyphenated = np.flatnonzero(count)
        reps = np.maximum(count, 1)
        src = np.repeat(np.arange(len(self.ids)), reps)
        start, end, ids = self.start[src], self.end[src], self.ids[src]
        first = np.cumsum(reps) - reps  # where each token's pieces begin in the new arrays
        n = count[hyphenated]
        within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        at = np.repeat(first[hyphenated], n) + within
        flat = np.repeat(pieces.at[self.ids[hyphenated]], n) + within
        base = start[at]
        start[at], end[at], ids[at] = base + pieces.start[flat], base + pieces.end[flat], pieces.ids[flat]
        ends = np.concatenate([[0], np.cumsum(reps)])
        table = TokenTable(self.texts, ends[self.bounds], self.row[src], start, end, ids, self.vocabulary, split=True)
        return table._retokenized(redo) if len(redo) else table

    def _resplit_rows(self, hyphenated: np.ndarray, pieces: _Pieces) -> np.ndarray:
        """Rows among those with hyphenated tokens that must be split from their text (see split_hyphens)."""
        ids = self.ids[hyphenated]
        moved = pieces.length[ids] != self.end[hyphenated] - self.start[hyphenated]
        redo = set(self.row[hyphenated[moved]].tolist())
        tail = hyphenated[pieces.digit_tail[ids]]
        tail = tail[tail + 1 < len(self.ids)]
        if len(tail):
            strings = self.vocabulary.strings
            glued = (self.row[tail + 1] == self.row[tail]) & (self.start[tail + 1] == self.end[tail])
            redo.update(int(self.row[t]) for t in tail[glued].tolist() if strings[self.ids[t + 1]] in (".", ","))
        return np.array(sorted(redo), dtype=np.int64)

    def _retokenized(self, rows: np.ndarray) -> "TokenTable":
        """This table with the tokens of ``rows`` replaced by tokenizing those texts again."""
        sub = tokenize_texts([self.texts[r] for r in rows.tolist()], self.vocabulary, split_hyphens=self.split)
        keep = ~np.isin(self.row, rows)
        row = np.concatenate([self.row[keep], rows[sub.row]])
        order = np.argsort(row, kind="stable")
        row = row[order]
        pick = lambda a, b: np.concatenate([a[keep], b])[order]  # noqa: E731
        bounds = np.searchsorted(row, np.arange(len(self.texts) + 1), side="left").astype(np.int64)
        return TokenTable(self.texts, bounds, row, pick(self.start, sub.start), pick(self.end, sub.end),
                          pick(self.ids, sub.ids), self.vocabulary, split=self.split)


def _chunk_starts(text: str, sizes: np.ndarray) -> np.ndarray:
    """Where the whitespace-separated chunks of ``text``, of lengths ``sizes``, start."""
    if len(sizes) and len(text) - int(sizes.sum()) == len(sizes) - 1:
        # as much whitespace as there are gaps between chunks: every gap is one character (no empty texts,
        # no double spaces: the usual case for segmented sentences)
        return np.cumsum(sizes + 1) - sizes - 1
    # else a chunk starts at the first non-space character after the characters of the chunks before it
    if text.isascii():
        nonspace = np.flatnonzero(~_SPACE[np.frombuffer(text.encode("ascii"), dtype=np.uint8)])
    else:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        nonspace = np.flatnonzero(~(_SPACE[np.minimum(codes, len(_SPACE) - 1)] & (codes < len(_SPACE))))
    return nonspace[np.cumsum(sizes) - sizes]


def tokenize_texts(texts: Sequence, vocabulary: Vocabulary, *, split_hyphens: bool = False) -> TokenTable:
    """Tokenize ``texts`` (non-strings count as empty) in one pass; token ids are added to ``vocabulary``."""
    texts = [t if isinstance(t, str) else "" for t in texts]
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    text_start = np.zeros(n, dtype=np.int64)
    if n > 1:
        text_start[1:] = np.cumsum(lengths[:-1] + len(SEPARATOR))
    big = SEPARATOR.join(texts)
    cache = vocabulary._chunks[split_hyphens]
    # the chunk as written is split once (shared with VADER through the piece index); each piece's lower-cased
    # tokens come from per-piece caches
    pieces = vocabulary.pieces
    cids = cache.of_pieces(pieces.ids(big), pieces, vocabulary)
    low = big
    special: list[int] = []
    if (cids < 0).any():  # some text changes length when lower-cased: blank it here, split it as written below
        lowered = [t.lower() for t in texts]
        special = [r for r, (t, lt) in enumerate(zip(texts, lowered)) if len(t) != len(lt)]
        for r in special:
            lowered[r] = " " * len(texts[r])
        low = SEPARATOR.join(lowered)
        cids = cache.lookup(low.split(), vocabulary)
    chunk_start = _chunk_starts(low, cache.length[cids])
    count = cache.count[cids]
    within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    flat = np.repeat(cache.at[cids], count) + within
    base = np.repeat(chunk_start, count)
    tok_start, tok_end, ids = base + cache.start[flat], base + cache.end[flat], cache.ids[flat]
    if special:
        spans = [(text_start[r] + m.start(), text_start[r] + m.end(), m.group().lower())
                 for r in special for m in _PATTERNS[split_hyphens].finditer(texts[r])]
        if spans:
            starts, ends, lows = zip(*spans)
            tok_start = np.concatenate([tok_start, np.array(starts, dtype=np.int64)])
            tok_end = np.concatenate([tok_end, np.array(ends, dtype=np.int64)])
            ids = np.concatenate([ids, vocabulary.ids(lows)])
            order = np.argsort(tok_start, kind="stable")
            tok_start, tok_end, ids = tok_start[order], tok_end[order], ids[order]
    # tokens are in text order: each text's first token is the first one at or after the text's start
    bounds = np.append(np.searchsorted(tok_start, text_start), len(tok_start)).astype(np.int64)
    row = np.repeat(np.arange(n, dtype=np.int64), np.diff(bounds))
    offset = text_start[row]
    return TokenTable(texts, bounds, row, tok_start - offset, tok_end - offset, ids, vocabulary, split=split_hyphens)
