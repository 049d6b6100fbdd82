"""The token index of a run's sentences: which sentences hold each token, so that a term is looked up, not
searched for (``diplo kwic``).

``diplo run`` feeds every chunk of sentences to a :class:`TokenIndexWriter` in output order and writes two
files beside ``sentences.parquet`` (part of the same generation)::

    token_vocabulary.parquet  term, term_id, n, first: every distinct token, sorted by code point (term_id is
                              the rank), its number of occurrences and where they start in the postings
    token_postings.parquet    term_id, row, pos: one row per token occurrence, sorted by (term_id, row, pos);
                              row = the sentence's row in sentences.parquet, pos = the token's number in it

The tokens are the themes matcher's (:meth:`diplo.scoring.match.Matcher.tokenize`: lower-cased words with
inner hyphens or apostrophes, decimal numbers, single punctuation marks), cut by the same function, so a
term's postings are exactly the places the matcher can match it.  A literal word is one vocabulary row, a
glob (``corridor*``) a contiguous range of them (the vocabulary is sorted), a phrase the postings of its
words at consecutive positions (:meth:`TokenIndex.find`), a proximity rule its words' postings within the
window with no clause break's posting between (:func:`entry_hits`).  Both files carry small row groups with statistics:
a lookup reads one or two row groups of the vocabulary (a filter on ``term``) and only the row groups of
the postings that hold the term.

Memory stays bounded while writing: postings are kept in memory up to ``memory_postings`` (then written to
runs in a scratch folder), and the final sort goes bucket by bucket of term ranks, a bucket at a time.
The files are the same bytes whatever the budget (row groups have a fixed size).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from diplo.io.outputs import OUTPUT_INDEX
from diplo.scoring._engine.tokens import Vocabulary, grow, tokenize_texts
from diplo.scoring.dictionary import Dictionary, Entry
from diplo.scoring.match import CLAUSE_BREAKS

__all__ = ["TOKEN_INDEX_TABLES", "TokenIndexWriter", "TokenIndex", "INDEX_FORMAT", "entry_hits", "SentenceTokens",
           "sentence_tokens"]

TOKEN_INDEX_TABLES = OUTPUT_INDEX
INDEX_FORMAT = "1"
_ROW_GROUP = 65_536  # postings per row group: a rare term costs one small group
_VOCABULARY_GROUP = 16_384
_MEMORY_POSTINGS = 4_000_000  # ~64 MB of postings before they go to disk
_MAX_BUCKETS = 256
_RECORD = np.dtype([("term", "<i4"), ("row", "<i8"), ("pos", "<i4")])
_POSTINGS_SCHEMA = pa.schema([("term_id", pa.int32()), ("row", pa.int64()), ("pos", pa.int32())])
_META = b"diplo.token_index"


def _writer_options() -> dict:
    # deterministic bytes: fixed compression and encodings; rows ascend within a term, so deltas pack them;
    # positions are small numbers in no order: byte-stream split then zstd takes them to ~0.6 byte each
    return {"compression": "zstd", "write_statistics": True, "use_dictionary": False,
            "column_encoding": {"row": "DELTA_BINARY_PACKED", "pos": "BYTE_STREAM_SPLIT",
                                "term_id": "DELTA_BINARY_PACKED"}}


class _GroupedWriter:
    """Postings appended in order, written in row groups of exactly :data:`_ROW_GROUP` rows (the last may be
    shorter), so the file does not depend on how the appends were cut."""

    def __init__(self, path: Path, metadata: dict) -> None:
        self.writer = pq.ParquetWriter(path, _POSTINGS_SCHEMA.with_metadata(metadata), **_writer_options())
        self.pending: list[np.ndarray] = []
        self.size = 0

    def append(self, records: np.ndarray) -> None:
        self.pending.append(records)
        self.size += len(records)
        if self.size >= _ROW_GROUP:
            data = np.concatenate(self.pending)
            full = len(data) - len(data) % _ROW_GROUP
            for at in range(0, full, _ROW_GROUP):
                self._write(data[at:at + _ROW_GROUP])
            self.pending, self.size = [data[full:]], len(data) - full

    def _write(self, records: np.ndarray) -> None:
        table = pa.table([pa.array(records["term"]), pa.array(records["row"]), pa.array(records["pos"])],
                         schema=self.writer.schema)
        self.writer.write_table(table, row_group_size=_ROW_GROUP)

    def close(self) -> None:
        data = np.concatenate(self.pending) if self.pending else np.zeros(0, dtype=_RECORD)
        if len(data):
            self._write(data)
        self.writer.close()


@dataclass(frozen=True)
class SentenceTokens:
    """The index tokens of some sentences, apart from any index: ``ids`` (one per token, in sentence order)
    into ``terms`` (this object's own vocabulary) and ``counts`` (tokens per sentence).

    Made where the sentences are (a worker, the run cache), merged by :meth:`TokenIndexWriter.add_tokens`.
    """

    terms: list
    ids: np.ndarray
    counts: np.ndarray

    def __len__(self) -> int:
        return len(self.counts)

    def take(self, keep: np.ndarray) -> "SentenceTokens":
        """The tokens of the sentences where the boolean ``keep`` is true."""
        keep = np.asarray(keep, dtype=bool)
        if keep.all():
            return self
        return SentenceTokens(self.terms, self.ids[np.repeat(keep, self.counts)], self.counts[keep])

    @staticmethod
    def concat(pieces: Sequence["SentenceTokens"]) -> "SentenceTokens":
        """The tokens of consecutive pieces' sentences, one after the other."""
        if len(pieces) == 1:
            return pieces[0]
        offsets = np.cumsum([0, *(len(p.terms) for p in pieces)])
        return SentenceTokens([t for p in pieces for t in p.terms],
                              np.concatenate([np.zeros(0, np.int64), *(p.ids + o for p, o in zip(pieces, offsets))]),
                              np.concatenate([np.zeros(0, np.int64), *(p.counts for p in pieces)]))


def sentence_tokens(texts: Iterable) -> SentenceTokens:
    """The index tokens of ``texts`` (:meth:`~diplo.scoring.match.Matcher.tokenize`'s; non-strings count as
    empty), with a vocabulary of their own."""
    table = tokenize_texts(list(texts), Vocabulary())
    used, ids = np.unique(table.ids, return_inverse=True)
    strings = table.vocabulary.strings
    return SentenceTokens([strings[i] for i in used.tolist()], ids.astype(np.int32).reshape(-1),
                          np.diff(table.bounds).astype(np.int32))


class TokenIndexWriter:
    """Builds the token index of a run's sentences, fed chunk by chunk in output order.

    Parameters
    ----------
    folder : where the two files go (the run's staging folder); a scratch sub-folder holds spilled
        postings until :meth:`close`.
    memory_postings : postings kept in memory before they are written to a scratch run (about 16 bytes
        each, and as much again while sorting).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> writer = TokenIndexWriter(folder)
    >>> writer.add(["Iran and Azerbaijan.", "The North-South corridor"])
    >>> writer.close()
    >>> TokenIndex.open(folder).find(["north-south", "corridor"])[0].tolist()  # rows of the hits
    [1]
    """

    def __init__(self, folder: str | os.PathLike, *, memory_postings: int = _MEMORY_POSTINGS) -> None:
        self.folder = Path(folder)
        self.memory_postings = memory_postings
        self.vocabulary = Vocabulary()
        self.n_rows = 0
        self._counts = np.zeros(0, dtype=np.int64)
        self._parts: list[np.ndarray] = []
        self._held = 0
        self._runs: list[Path] = []
        self._scratch = self.folder / ".token-index.scratch"

    def add(self, texts: Iterable) -> None:
        """Index the next sentences (their rows follow the rows added before); non-strings count as empty."""
        self.add_tokens(sentence_tokens(texts))

    def add_tokens(self, tokens: SentenceTokens) -> None:
        """Index the next sentences from their tokens (:func:`sentence_tokens`, made where the sentences are:
        a worker, the run cache); :meth:`add` tokenizes texts here and comes through this."""
        counts = np.asarray(tokens.counts, dtype=np.int64)
        local = np.asarray(tokens.ids, dtype=np.int64)
        # only the terms these sentences hold (a piece's vocabulary may name terms of sentences left out)
        used = np.flatnonzero(np.bincount(local, minlength=len(tokens.terms)))
        lookup = np.zeros(len(tokens.terms), dtype=np.int64)
        lookup[used] = self.vocabulary.ids([tokens.terms[i] for i in used.tolist()])
        ids = lookup[local]
        row = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        records = np.empty(len(ids), dtype=_RECORD)
        records["term"] = ids
        records["row"] = row + self.n_rows
        records["pos"] = np.arange(len(ids)) - (np.cumsum(counts) - counts)[row]
        self.n_rows += len(counts)
        self._counts = grow(self._counts, len(self.vocabulary))
        self._counts[:len(self.vocabulary)] += np.bincount(ids, minlength=len(self.vocabulary))
        self._parts.append(records)
        self._held += len(records)
        if self._held > self.memory_postings:
            self._spill()

    def _spill(self) -> None:
        self._scratch.mkdir(exist_ok=True)
        path = self._scratch / f"run-{len(self._runs):06d}.bin"
        with open(path, "wb") as fh:
            for part in self._parts:
                part.tofile(fh)
        self._runs.append(path)
        self._parts, self._held = [], 0

    def close(self) -> None:
        """Write ``token_vocabulary.parquet`` and ``token_postings.parquet`` and remove the scratch folder."""
        try:
            self._write()
        finally:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _write(self) -> None:
        strings = self.vocabulary.strings
        counts = self._counts[:len(strings)]
        terms = pa.array(strings, type=pa.string())
        order = pc.sort_indices(terms).to_numpy().astype(np.int64)  # UTF-8 byte order = code point order
        order = order[counts[order] > 0]  # a token met in no indexed sentence (however it was fed) is no term
        rank = np.full(len(strings), -1, dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        n = counts[order]
        first = np.cumsum(n) - n
        metadata = {_META: f'{{"format": {INDEX_FORMAT}, "sentences": {self.n_rows}}}'.encode()}
        vocabulary = pa.table({"term": terms.take(pa.array(order)), "term_id": pa.array(np.arange(len(order)),
                               pa.int32()), "n": pa.array(n, pa.int64()), "first": pa.array(first, pa.int64())})
        pq.write_table(vocabulary.replace_schema_metadata(metadata), self.folder / "token_vocabulary.parquet",
                       compression="zstd", write_statistics=True, row_group_size=_VOCABULARY_GROUP)
        out = _GroupedWriter(self.folder / "token_postings.parquet", metadata)
        try:
            if not self._runs:
                records = np.concatenate(self._parts) if self._parts else np.zeros(0, dtype=_RECORD)
                self._parts = []
                records["term"] = rank[records["term"]]
                out.append(records[np.argsort(records["term"], kind="stable")])
            else:
                self._merge(rank, n, out)
        finally:
            out.close()

    def _merge(self, rank: np.ndarray, n: np.ndarray, out: _GroupedWriter) -> None:
        """Spilled runs -> buckets of consecutive term ranks (one file each) -> sorted, a bucket at a time."""
        if self._parts:
            self._spill()
        target = max(self.memory_postings, -(-int(n.sum()) // _MAX_BUCKETS), 1)
        # bucket edges in rank order: a new bucket starts where the running total passes a multiple of target
        # and a term of a bucket's size or more is a bucket of its own
        crossing = np.flatnonzero(np.diff(np.cumsum(n) // target, prepend=0) > 0)
        big = np.flatnonzero(n >= target)
        edges = np.unique(np.concatenate([[0], crossing, big, big + 1])).astype(np.int64)
        edges = edges[edges < max(len(n), 1)]
        bucket_of_rank = np.searchsorted(edges, np.arange(len(n)), side="right") - 1
        paths = [self._scratch / f"bucket-{b:06d}.bin" for b in range(len(edges))]
        handles = [open(p, "wb") for p in paths]
        try:
            for run in self._runs:
                records = np.fromfile(run, dtype=_RECORD)
                run.unlink()
                records["term"] = rank[records["term"]]
                bucket = bucket_of_rank[records["term"]]
                order = np.argsort(bucket, kind="stable")
                cuts = np.searchsorted(bucket[order], np.arange(len(edges) + 1))
                for b in np.flatnonzero(np.diff(cuts)).tolist():
                    records[order[cuts[b]:cuts[b + 1]]].tofile(handles[b])
        finally:
            for h in handles:
                h.close()
        for b, path in enumerate(paths):
            terms = (edges[b + 1] if b + 1 < len(edges) else len(n)) - edges[b]
            if terms == 1:  # one term (a frequent word): already in row order, streamed in slices
                with open(path, "rb") as fh:
                    while len(piece := np.fromfile(fh, dtype=_RECORD, count=self.memory_postings)):
                        out.append(piece)
            else:
                records = np.fromfile(path, dtype=_RECORD)
                out.append(records[np.argsort(records["term"], kind="stable")])
            path.unlink()


class TokenIndex:
    """A run's token index, opened for lookups (:meth:`open`)."""

    def __init__(self, folder: Path, n_rows: int) -> None:
        self.folder = folder
        self.n_rows = n_rows
        self._postings = pq.ParquetFile(folder / "token_postings.parquet")
        sizes = [self._postings.metadata.row_group(i).num_rows for i in range(self._postings.num_row_groups)]
        self._group_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    @classmethod
    def open(cls, folder: str | os.PathLike) -> "TokenIndex | None":
        """The index in ``folder``, or None when it has none (outputs of an older diplo) or one of another
        format."""
        import json

        folder = Path(folder)
        if not all((folder / f"{name}.parquet").is_file() for name in TOKEN_INDEX_TABLES):
            return None
        meta = pq.read_schema(folder / "token_vocabulary.parquet").metadata or {}
        try:
            info = json.loads(meta[_META])
        except (KeyError, ValueError):
            return None
        if str(info.get("format")) != INDEX_FORMAT:
            return None
        return cls(folder, int(info["sentences"]))

    def term_range(self, token: str) -> tuple[int, int, int, int]:
        """``(first_id, last_id + 1, first_posting, end_posting)`` of the terms a token pattern matches: one
        term for a literal token, every term starting with the stem for a glob (``corridor*``); empty ranges
        (``lo == hi``) when none."""
        star = token.endswith("*")
        stem = token[:-1] if star else token
        if not star:
            where = pc.field("term") == stem
        else:
            where = pc.field("term") >= stem
            if stem and ord(stem[-1]) < 0x10FFFF:  # every string with the prefix sorts below the next stem
                where &= pc.field("term") < stem[:-1] + chr(ord(stem[-1]) + 1)
        table = pq.read_table(self.folder / "token_vocabulary.parquet", filters=where,
                              columns=["term", "term_id", "n", "first"])
        if star:
            table = table.filter(pc.starts_with(table["term"], stem))
        if not len(table):
            return 0, 0, 0, 0
        ids, first, n = (table[c].to_numpy() for c in ("term_id", "first", "n"))
        return int(ids.min()), int(ids.max()) + 1, int(first.min()), int((first + n).max())

    def postings(self, token: str, *, positions: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """``(row, pos)`` of every occurrence of the terms a token pattern matches (see :meth:`term_range`),
        sorted by row and position (``pos`` None, and only rows read, without ``positions``)."""
        lo, hi, start, end = self.term_range(token)
        if start == end:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64) if positions else None
        groups = list(range(int(np.searchsorted(self._group_start, start, side="right")) - 1,
                            int(np.searchsorted(self._group_start, end, side="left"))))
        table = self._postings.read_row_groups(groups, columns=["row", "pos"] if positions else ["row"])
        table = table.slice(start - self._group_start[groups[0]], end - start)
        row = table["row"].to_numpy().astype(np.int64)
        if not positions:
            return (np.sort(row) if hi - lo > 1 else row), None
        pos = table["pos"].to_numpy().astype(np.int64)
        if hi - lo > 1:  # a glob's terms each sorted by row: one sort of (row, pos) keys
            key = np.sort((row << 32) | pos)
            row, pos = key >> 32, key & 0xFFFFFFFF
        return row, pos

    def rows(self, token: str) -> np.ndarray:
        """Sorted distinct rows of the sentences holding a token pattern."""
        row = self.postings(token, positions=False)[0]
        new = np.ones(len(row), dtype=bool)
        new[1:] = row[1:] != row[:-1]
        return row[new]

    def find(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(row, first)`` of every place the phrase ``tokens`` (token patterns as a dictionary entry holds
        them) stands, sorted: its words' postings at consecutive positions of one sentence."""
        lists = [self.postings(t) for t in tokens]
        if len(tokens) == 1:
            return lists[0]
        # the rarest word first: each later check keeps a subset
        order = sorted(range(len(tokens)), key=lambda j: len(lists[j][0]))
        j0 = order[0]
        row, first = lists[j0][0], lists[j0][1] - j0
        for j in order[1:]:
            if not len(row):
                break
            r, p = lists[j]
            # one int64 key per place: rows and positions are below 2**31 (a negative first never matches)
            ok = np.isin((row << 32) + first, (r << 32) + (p - j))
            row, first = row[ok], first[ok]
        keep = first >= 0
        return row[keep], first[keep]


def entry_hits(index: TokenIndex, dictionary: Dictionary) -> np.ndarray:
    """The sentence row of every match of a dictionary, as the matcher finds them, sorted.

    For entries of one length (a kwic pattern and its possessives): every entry's places, then leftmost-first
    among overlapping ones in a sentence; one-word entries read only the rows of their postings.  For
    proximity rules (``A NEAR/k B``), as :class:`~diplo.scoring.match.Matcher` finds them: from each ``A``
    the nearest ``B`` within ``k`` tokens (after before before at equal distance) with no clause break between
    (the breaks' own postings), then the longest span per start and leftmost-first among overlapping spans.

    Raises
    ------
    ValueError
        For a dictionary that mixes proximity rules and other entries, or entries of different lengths (the
        matcher's priority between them is not reproduced).
    """
    near = [e.near > 0 for e in dictionary.entries]
    if any(near):
        if not all(near):
            raise ValueError(f"{dictionary.name}: entry_hits takes proximity rules alone, not mixed with other entries")
        return _near_rows(index, dictionary.entries)
    if len({len(e.tokens) for e in dictionary.entries}) > 1:
        raise ValueError(f"{dictionary.name}: entry_hits takes entries of one length")
    length = len(dictionary.entries[0].tokens)
    if length == 1:  # each occurrence is a match
        rows = [index.postings(e.tokens[0], positions=False)[0] for e in dictionary.entries]
        return rows[0] if len(rows) == 1 else np.sort(np.concatenate(rows))
    found = [index.find(e.tokens) for e in dictionary.entries]
    first = np.sort(np.concatenate([(r << 32) | f for r, f in found]))
    return _leftmost(first, first + length) >> 32


def _keys(index: TokenIndex, token: str) -> np.ndarray:
    """Sorted ``row << 32 | pos`` keys of a token pattern's occurrences (one int64 per place)."""
    row, pos = index.postings(token)
    return (row << 32) | pos


def _near_rows(index: TokenIndex, entries: Sequence[Entry]) -> np.ndarray:
    breaks = [_keys(index, t) for t in sorted(CLAUSE_BREAKS)]

    def clauses(keys: np.ndarray) -> list[np.ndarray]:  # per break token, how many stand at or before each key
        return [np.searchsorted(b, keys, side="right") for b in breaks]

    starts, ends, which = [], [], []
    for j, e in enumerate(entries):
        a, b = _keys(index, e.tokens[0]), _keys(index, e.tokens[1])
        if not len(a) or not len(b):
            continue
        at = clauses(a)
        partner = np.full(len(a), -1, dtype=np.int64)
        for d in range(1, e.near + 1):  # nearest first; after before before at equal distance
            for step in (d, -d):
                todo = np.flatnonzero(partner < 0)
                q = a[todo] + step  # a position off the sentence's ends is no key of b (rows are 2**32 apart)
                i = np.minimum(np.searchsorted(b, q), len(b) - 1)
                ok = b[i] == q
                for before, after in zip(at, clauses(q)):
                    ok &= before[todo] == after
                partner[todo[ok]] = q[ok]
        found = partner >= 0
        starts.append(np.minimum(a[found], partner[found]))
        ends.append(np.maximum(a[found], partner[found]) + 1)
        which.append(np.full(int(found.sum()), j))
    if not starts:
        return np.zeros(0, dtype=np.int64)
    start, end, entry = np.concatenate(starts), np.concatenate(ends), np.concatenate(which)
    order = np.lexsort((entry, start - end, start))  # by start, the longest first
    start, end = start[order], end[order]
    lead = np.ones(len(start), dtype=bool)
    lead[1:] = start[1:] != start[:-1]
    return _leftmost(start[lead], end[lead]) >> 32


def _leftmost(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The spans ``[start, end)`` (keys, sorted by start) that greedy leftmost-first selection keeps, as the
    matcher selects among overlapping matches: a span is kept when it starts at or after the last kept end."""
    reach = np.maximum.accumulate(np.concatenate([[-1], end[:-1]])) if len(end) else end
    keep = start >= reach
    if not keep.all():
        last_end = -1
        for i, (s, e) in enumerate(zip(start.tolist(), end.tolist())):
            keep[i] = s >= last_end
            if keep[i]:
                last_end = e
    return start[keep]
