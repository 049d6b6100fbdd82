"""Deterministic, atomic writing of tables.

Every output is written to a temporary name in the destination folder and renamed into place, so an
interrupted run leaves the previous file intact.  Parquet files carry no pandas index and no creation
timestamps, so the same table always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["atomic_path", "write_table", "write_text", "write_json", "read_table"]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; outputs get the mode any new file would (0644 under the usual umask 022),
# so a colleague who can read the output folder can read the tables.
_FILE_MODE = 0o666 & ~_current_umask()


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it onto ``dest`` only if the block succeeds."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    os.chmod(tmp, _FILE_MODE)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, dest)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(df, preserve_index=False)
    # pandas metadata embeds library versions; drop it so bytes depend on data only.
    return table.replace_schema_metadata(None)


def write_table(df: pd.DataFrame, dest: str | os.PathLike, *, csv: bool = False) -> Path:
    """Write ``df`` to ``dest`` (parquet) atomically, and a ``.csv`` twin when ``csv`` is true."""
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        pq.write_table(_arrow_table(df), tmp, compression="zstd", write_statistics=True)
    if csv:
        with atomic_path(dest.with_suffix(".csv")) as tmp:
            df.to_csv(tmp, index=False, lineterminator="\n")
    return dest


def write_text(text: str, dest: str | os.PathLike) -> Path:
    """Write UTF-8 text atomically."""
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return dest


def write_json(obj, dest: str | os.PathLike) -> Path:
    """Write JSON atomically, keys sorted, so equal objects give equal bytes."""
    return write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n", dest)


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a parquet file (or a folder of partitioned parquet) written by diplo."""
    return pd.read_parquet(path)
