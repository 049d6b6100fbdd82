"""Near-duplicate articles: MinHash signatures over word shingles with LSH banding.

Wire stories are republished by many outlets with small edits; counting each copy would weight that
story's tone many times.  Each article gets a MinHash signature of its word 5-shingles (lower-cased
words, 64 hash functions).  Signatures are cut into 16 bands of 4 values; articles sharing a band are
candidates, and a candidate pair is a near-duplicate when the signatures agree on at least
:data:`NEAR_DUPLICATE_THRESHOLD` (0.8) of their values, an estimate of the Jaccard similarity of the two
shingle sets (standard error about 0.05 at 0.8).  With 16 bands of 4, a pair at Jaccard 0.8 becomes a
candidate with probability 0.9998, a pair at 0.3 with probability 0.12 (then rejected by the check).

Work is linear in the corpus: each article is hashed once and looked up in 16 dictionaries, never
compared with every other article.  Memory is about 0.5 KB per article (signature, band keys, doc_id),
so 0.5 GB for a million articles; ``diplo run --near-duplicate-threshold 0`` turns detection off.
Articles are marked against earlier ones only, so ``duplicate_of`` names the first article (in
processing order: sorted file path, then row) of its group, and the first article itself has none.
"""

from __future__ import annotations

import itertools
import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["NEAR_DUPLICATE_THRESHOLD", "SHINGLE_WORDS", "NUM_PERM", "BANDS", "minhash_signatures",
           "NearDuplicateIndex"]

NEAR_DUPLICATE_THRESHOLD = 0.8
SHINGLE_WORDS = 5
NUM_PERM = 64
BANDS = 16
_ROWS = NUM_PERM // BANDS
_WORD = re.compile(r"\w+")
# ASCII text: word characters lower-cased, every other character a space, so str.split() gives the words
# of _WORD.findall(text.lower()) without a regex match object per word
_ASCII_WORDS = str.maketrans({chr(c): chr(c).lower() if _WORD.fullmatch(chr(c)) else " " for c in range(128)})
_MULT = np.uint64(0x100000001B3)
_BLOCK = 4096
_SIG_BLOCK = 1 << 16  # signatures stored per block of rows (16 MB)
_rng = np.random.default_rng(20231207)
_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_A_COL, _B_COL = _A[:, None], _B[:, None]
_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def _shingle_hashes(tokens: np.ndarray, k: int) -> np.ndarray:
    """Hashes of one text's word k-shingles (a text shorter than k words is one shingle of all its words)."""
    k = min(k, len(tokens))
    n = len(tokens) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _MULT + tokens[j:j + n]
    return h


def minhash_signatures(texts: Iterable[str], *, shingle_words: int = SHINGLE_WORDS) -> np.ndarray:
    """MinHash signatures, one row of :data:`NUM_PERM` uint32 values per text.

    Two texts' rows agree on a share of positions that estimates the Jaccard similarity of their
    word-shingle sets.  Deterministic: fixed seeds and a fixed token hash.
    """
    words = [text.translate(_ASCII_WORDS).split() if text.isascii() else _WORD.findall(text.lower())
             for text in texts]
    out = np.empty((len(words), NUM_PERM), dtype=np.uint32)
    if not words:
        return out
    # one vectorized hash call for the whole batch (pandas' hash is deterministic: fixed key)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    flat = pd.util.hash_array(np.fromiter(itertools.chain.from_iterable(words), dtype=object,
                                          count=int(lengths.sum())))
    k = shingle_words
    # shingles of every text with at least k words, from one pass over the batch's tokens: position i
    # starts a shingle of its text when the text has k words from i on
    n_shingles = np.where(lengths >= k, lengths - k + 1, np.minimum(lengths, 1))
    shingles = np.empty(int(n_shingles.sum()), dtype=np.uint64)
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    firsts = np.concatenate(([0], np.cumsum(n_shingles)))
    long_ = lengths >= k
    if long_.any():
        n = len(flat) - k + 1
        rolled = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(k):
                rolled = rolled * _MULT + flat[j:j + n]
        counts = n_shingles[long_]
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        shingles[np.repeat(long_, n_shingles)] = rolled[np.repeat(bounds[:-1][long_], counts) + within]
    for row in np.flatnonzero(~long_ & (lengths > 0)).tolist():  # texts shorter than k words
        shingles[firsts[row]:firsts[row + 1]] = _shingle_hashes(flat[bounds[row]:bounds[row + 1]], k)
    out[:] = _EMPTY
    # a signature is the per-permutation minimum over the text's shingles (duplicates do not change a
    # minimum), computed for blocks of whole texts as a (permutations x shingles) array: contiguous rows,
    # one reusable buffer
    rows = np.flatnonzero(n_shingles)
    block_ends = np.searchsorted(firsts[rows + 1], firsts[rows] + _BLOCK, side="right")
    buffer = np.empty((NUM_PERM, _BLOCK), dtype=np.uint64)
    i = 0
    with np.errstate(over="ignore"):
        while i < len(rows):
            j = max(int(block_ends[i]), i + 1)
            lo, hi = firsts[rows[i]], firsts[rows[j - 1] + 1]
            if hi - lo > buffer.shape[1]:  # one text longer than a block
                buffer = np.empty((NUM_PERM, hi - lo), dtype=np.uint64)
            hashed = buffer[:, :hi - lo]
            np.multiply(_A_COL, shingles[None, lo:hi], out=hashed)
            np.add(hashed, _B_COL, out=hashed)
            np.right_shift(hashed, np.uint64(32), out=hashed)
            out[rows[i:j]] = np.minimum.reduceat(hashed, firsts[rows[i:j]] - lo, axis=1).T
            i = j
    return out


class _BandTable:
    """One LSH band: band key -> position of the first article that had it.

    Sorted numpy runs (key array, position array) instead of a dict of Python ints: 12 bytes per key
    instead of about 100.  A batch's new keys become a new run; runs are merged when the newer one
    reaches half the size of the one before, so there are O(log n) runs and each key is copied
    O(log n) times.
    """

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._positions: list[np.ndarray] = []

    def first_positions(self, keys: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """For each of a batch's ``keys`` (articles at ``positions``, ascending) the position of the first
        article with that key: an earlier batch's, else the batch's own first; records the new keys."""
        first = np.full(len(keys), -1, dtype=np.int64)
        for run_keys, run_positions in zip(self._keys, self._positions):
            at = np.minimum(np.searchsorted(run_keys, keys), len(run_keys) - 1)
            hit = run_keys[at] == keys
            first[hit] = run_positions[at[hit]]
        new = np.flatnonzero(first < 0)
        if len(new):
            unique, at_first, inverse = np.unique(keys[new], return_index=True, return_inverse=True)
            new_positions = positions[new][at_first]
            first[new] = new_positions[inverse]
            self._keys.append(unique)
            self._positions.append(new_positions.astype(np.int32 if positions[-1] < 2**31 else np.int64))
            while len(self._keys) > 1 and 2 * len(self._keys[-1]) >= len(self._keys[-2]):
                keys_, positions_ = np.concatenate(self._keys[-2:]), np.concatenate(self._positions[-2:])
                order = np.argsort(keys_)  # keys are unique across runs
                self._keys[-2:], self._positions[-2:] = [keys_[order]], [positions_[order]]
        return first


class NearDuplicateIndex:
    """Streaming near-duplicate detection: add articles chunk by chunk, get ``duplicate_of`` back.

    Parameters
    ----------
    threshold : share of agreeing MinHash values (estimated Jaccard similarity) at or above which an
        article is a near-duplicate of an earlier one; between 0 and 1.
    """

    def __init__(self, *, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold!r}")
        self.threshold = threshold
        self._bands = [_BandTable() for _ in range(BANDS)]
        # signatures in fixed blocks of rows: growing never copies them or over-allocates much
        self._sig_blocks: list[np.ndarray] = []
        self._root = np.empty(0, dtype=np.int64)  # position of the first article of each one's group
        self._n = 0
        self._ids: list[str] = []

    def _store(self, sigs: np.ndarray) -> None:
        end = self._n + len(sigs)
        while len(self._sig_blocks) * _SIG_BLOCK < end:
            self._sig_blocks.append(np.empty((_SIG_BLOCK, NUM_PERM), dtype=np.uint32))
        done = 0
        while done < len(sigs):
            block, offset = divmod(self._n + done, _SIG_BLOCK)
            take = min(len(sigs) - done, _SIG_BLOCK - offset)
            self._sig_blocks[block][offset:offset + take] = sigs[done:done + take]
            done += take
        if end > len(self._root):
            root = np.empty(max(2 * len(self._root), end, 1024), dtype=np.int64)
            root[:self._n] = self._root[:self._n]
            self._root = root

    def _signature(self, pos: int) -> np.ndarray:
        block, offset = divmod(pos, _SIG_BLOCK)
        return self._sig_blocks[block][offset]

    def add(self, doc_ids: Sequence[str], texts: Sequence[str] | None = None, *,
            signatures: np.ndarray | None = None) -> list[str | None]:
        """Index articles (in order) and return, for each, the doc_id of the first earlier article it
        nearly duplicates, or None.

        Give the articles' ``texts``, or their ``signatures`` from :func:`minhash_signatures` (computed
        elsewhere, e.g. in the worker process that built the chunk).
        """
        if (texts is None) == (signatures is None):
            raise TypeError("give either texts or signatures")
        doc_ids = list(doc_ids)
        if texts is not None:
            texts = list(texts)
            if len(doc_ids) != len(texts):
                raise ValueError(f"{len(doc_ids)} doc_ids but {len(texts)} texts")
            sigs = minhash_signatures(texts)
        else:
            sigs = np.asarray(signatures, dtype=np.uint32)
            if sigs.shape != (len(doc_ids), NUM_PERM):
                raise ValueError(f"signatures of shape {sigs.shape} for {len(doc_ids)} doc_ids; "
                                 f"expected ({len(doc_ids)}, {NUM_PERM})")
        n, start = len(sigs), self._n
        out: list[str | None] = [None] * n
        if not n:
            return out
        self._store(sigs)
        positions = np.arange(start, start + n)
        self._root[start:start + n] = positions
        self._ids.extend(doc_ids)
        self._n += n
        with np.errstate(over="ignore"):
            keys = sigs.reshape(n, BANDS, _ROWS).astype(np.uint64)
            band_keys = keys[:, :, 0]
            for r in range(1, _ROWS):
                band_keys = band_keys * _MULT + keys[:, :, r]
        # first article with each band key: candidates are the earlier ones sharing a band
        firsts = np.stack([table.first_positions(np.ascontiguousarray(band_keys[:, b]), positions)
                           for b, table in enumerate(self._bands)], axis=1)
        needed = self.threshold * NUM_PERM
        for i in np.flatnonzero((firsts != positions[:, None]).any(axis=1)).tolist():
            pos = start + i
            candidates = {c for c in firsts[i].tolist() if c != pos}
            # the earliest group (smallest root) among the candidates that pass the check
            for cand in sorted(candidates, key=lambda c: self._root[c]):
                if np.count_nonzero(self._signature(cand) == sigs[i]) >= needed:
                    self._root[pos] = self._root[cand]
                    out[i] = self._ids[self._root[pos]]
                    break
        return out
