"""String columns of match tables built in Arrow: labels taken from a few distinct values, and the matched
text cut out of the chunk's texts without one Python string per match."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["LazyStrings", "take_labels"]

# what pandas makes of a list of str: the column type of category, entry and match, built from Arrow
# arrays when it is Arrow-backed (the default), from lists otherwise
_STR_DTYPE = pd.DataFrame({"c": [""]})["c"].dtype
_ARROW_STR = getattr(_STR_DTYPE, "storage", None) == "pyarrow"


class _Strings:
    """The chunk's texts as one UTF-8 buffer, to cut the ``match`` column out of it in Arrow (no Python
    string per match): ``byte_at[i]`` is the byte offset of character ``i`` of the joined texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        self.text_start = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=self.text_start[1:])
        joined = "\n".join(texts)
        try:
            self.data = pa.py_buffer(joined.encode("utf-8"))
            self.byte_at = None
            if self.data.size != len(joined):
                codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
                width = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
                self.byte_at = np.concatenate([[0], np.cumsum(width)])
        except UnicodeEncodeError:  # lone surrogates: not UTF-8, cut them in Python
            self.data = None

    def cut(self, texts: Sequence[str], row: np.ndarray, start: np.ndarray, end: np.ndarray):
        """``texts[row][start:end]`` for each match, as a ``str`` array."""
        if self.data is None or not _ARROW_STR:
            return [texts[r][s:e] for r, s, e in zip(row.tolist(), start.tolist(), end.tolist())]
        # the buffer as alternating gap and match strings, then every second one taken
        bounds = np.empty(2 * len(row) + 1, dtype=np.int64)
        bounds[0] = 0
        bounds[1::2], bounds[2::2] = self.text_start[row] + start, self.text_start[row] + end
        if self.byte_at is not None:
            bounds[1:] = self.byte_at[bounds[1:]]
        if bounds[-1] > self.data.size or (np.diff(bounds) < 0).any():  # Arrow trusts the offsets it is given
            raise RuntimeError("match spans out of order or outside the chunk's text")
        pieces = pa.LargeStringArray.from_buffers(len(bounds) - 1, pa.py_buffer(bounds), self.data)
        return pd.array(pieces.take(pa.array(np.arange(1, len(bounds) - 1, 2))), dtype=_STR_DTYPE)


def take_labels(values: pa.Array, index: np.ndarray):
    """``values[index]`` as a ``str`` array (Arrow take from the few distinct labels)."""
    if not _ARROW_STR:
        return values.take(pa.array(index)).to_pylist()
    return pd.array(values.take(pa.array(index)), dtype=_STR_DTYPE)


class LazyStrings:
    """:class:`_Strings` of the chunk's texts, built when a ``match`` column is first asked for."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts, self._strings = texts, None

    def cut(self, row: np.ndarray, start: np.ndarray, end: np.ndarray):
        if self._strings is None:
            self._strings = _Strings(self.texts)
        return self._strings.cut(self.texts, row, start, end)
