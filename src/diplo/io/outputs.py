"""Outputs: deterministic, atomic writing of tables, streaming parquet/CSV sinks, and reading them back.

Every output is written to a temporary name in the destination folder and renamed into place, so an
interrupted run leaves the previous file intact.  Parquet files carry no pandas index and no creation
timestamps, so the same table always gives the same bytes.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from io import StringIO
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from diplo.io.codebook import describe
from diplo.io.csvsafe import escape_formulas, write_csv

__all__ = ["atomic_path", "write_table", "write_text", "write_json", "read_table", "TableSink", "load_outputs",
           "OUTPUT_TABLES", "OUTPUT_EXTRAS", "OUTPUT_INDEX"]

# The tables `diplo run` streams chunk by chunk (one row per article, sentence, removal or score row), and the
# ones it writes whole at the end; every column of each is documented in the codebook.
OUTPUT_TABLES = ("articles", "sentences", "removed", "sentence_scores", "evidence", "theme_hits", "actor_mentions",
                 "tone_by_article", "theme_tone_by_article", "actor_tone_by_article")
OUTPUT_EXTRAS = ("manifest", "rejected_rows", "tone_by_date", "tone_by_outlet")
# The token index of the sentences (diplo.scoring.token_index), written at the end for `diplo kwic`.
OUTPUT_INDEX = ("token_vocabulary", "token_postings")


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


def _to_date32(series: pd.Series) -> pa.Array:
    """ISO ``YYYY-MM-DD`` strings (or dates; missing values null) as an Arrow date32 array."""
    values = series.to_numpy(dtype=object)
    if all(v is None or isinstance(v, float) or isinstance(v, str) for v in values):
        return pa.array(values, type=pa.string(), from_pandas=True).cast(pa.date32())
    return pa.array(values, type=pa.date32(), from_pandas=True)


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    dates = [c for c in df.columns if c == "date" and df[c].dtype.kind not in "Mm"]
    table = pa.Table.from_pandas(df.drop(columns=dates), preserve_index=False)
    for c in dates:
        table = table.add_column(list(df.columns).index(c), c, _to_date32(df[c]))
    # pandas metadata embeds library versions; drop it so bytes depend on data only.
    return table.replace_schema_metadata(None)


def write_table(df: pd.DataFrame, dest: str | os.PathLike, *, csv: bool = False) -> Path:
    """Write ``df`` to ``dest`` (parquet) atomically, and a ``.csv`` twin when ``csv`` is true.

    A ``date`` column of ISO ``YYYY-MM-DD`` strings is stored as Arrow ``date32`` (the codebook's date
    type); the CSV keeps the ISO text.
    """
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        pq.write_table(_arrow_table(df), tmp, compression="zstd", write_statistics=True)
    if csv:
        write_csv(df, dest.with_suffix(".csv"))
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


_ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
                "date": pa.date32()}


def _schema(table: str, columns: Sequence[str]) -> pa.Schema:
    return pa.schema([(c, _ARROW_TYPES[describe(table, c)[0]]) for c in columns])


class TableSink:
    """Streams DataFrame chunks into one parquet file (and optionally a CSV twin) under a temp name."""

    def __init__(self, out_dir: Path, table: str, *, csv: bool = False) -> None:
        self.table, self.dest = table, out_dir / f"{table}.parquet"
        self.tmp = out_dir / f".{table}.parquet.partial"
        self.csv_dest = out_dir / f"{table}.csv" if csv else None
        self.csv_tmp = out_dir / f".{table}.csv.partial" if csv else None
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        #: ``(rows, CSV bytes so far or None)`` after each chunk written (or taken over)
        self.chunks: list[tuple[int, int | None]] = []

    def take_over(self, parquet: str | os.PathLike, row_groups: int, *, csv: str | os.PathLike | None = None,
                  csv_bytes: int | None = None, chunks: Sequence[tuple[int, int | None]] = ()) -> bool:
        """Start the files with chunks another run wrote: the first ``row_groups`` row groups of ``parquet``
        (copied at the Arrow level into this sink's writer, so the file stays one stream: the bytes of a
        run that wrote every chunk) and the first ``csv_bytes`` bytes of ``csv`` (header included).
        ``chunks``: their ``(rows, CSV end)``.  Call before :meth:`write`; False (nothing done) when the
        file's columns are not this table's."""
        if self._writer is not None:
            raise RuntimeError(f"{self.table}: take_over after write")
        if (csv is None) != (self.csv_tmp is None) or (csv is not None and csv_bytes is None):
            return False
        source = pq.ParquetFile(parquet)
        schema = source.schema_arrow
        if not schema.equals(_schema(self.table, schema.names)) or row_groups > source.num_row_groups:
            return False
        self._schema = schema
        self._writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")
        for group in range(row_groups):
            self._writer.write_table(source.read_row_group(group))
        if self.csv_tmp is not None:
            _copy_bytes(Path(csv), self.csv_tmp, csv_bytes)
        self.chunks.extend((int(rows), end) for rows, end in chunks)
        return True

    def write(self, df: pd.DataFrame) -> None:
        if self._writer is None:
            self._schema = _schema(self.table, list(df.columns))
            self._writer = pq.ParquetWriter(self.tmp, self._schema, compression="zstd")
            if self.csv_tmp is not None:
                df.iloc[:0].to_csv(self.csv_tmp, index=False, lineterminator="\n")
        df = df[self._schema.names]
        dates = [f.name for f in self._schema if f.type == pa.date32()]
        if dates:  # ISO strings in the chunk, date32 in the file (CSV keeps the strings)
            others = pa.schema([f for f in self._schema if f.name not in dates])
            table = pa.Table.from_pandas(df.drop(columns=dates), schema=others, preserve_index=False)
            for name in dates:
                table = table.add_column(self._schema.get_field_index(name), name, _to_date32(df[name]))
            table = table.cast(self._schema)
        else:
            table = pa.Table.from_pandas(df, schema=self._schema, preserve_index=False)
        self._writer.write_table(table)
        if self.csv_tmp is not None:
            df = escape_formulas(df)  # the CSV is opened in spreadsheets; parquet keeps the text as read
            text = _csv_rows(df)
            if text is None:
                df.to_csv(self.csv_tmp, mode="a", header=False, index=False, lineterminator="\n")
            else:
                with open(self.csv_tmp, "a", encoding="utf-8", newline="") as fh:
                    fh.write(text)
        self.chunks.append((len(table), None if self.csv_tmp is None else os.path.getsize(self.csv_tmp)))

    def close(self, empty: pd.DataFrame) -> None:
        """Finish the temporary files (``commit`` renames them into place)."""
        if self._writer is None:
            self.write(empty)
        self._writer.close()
        self._writer = None

    def commit(self) -> None:
        os.replace(self.tmp, self.dest)
        if self.csv_tmp is not None:
            os.replace(self.csv_tmp, self.csv_dest)

    def abort(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except OSError:  # a full disk fails the final flush too; the file goes anyway
                pass
            self._writer = None
        for p in (self.tmp, self.csv_tmp):
            if p is not None and p.exists():
                p.unlink()


def _copy_bytes(source: Path, dest: Path, n: int) -> None:
    """Write the first ``n`` bytes of ``source`` to ``dest`` (in the kernel where it can)."""
    with open(source, "rb", buffering=0) as src, open(dest, "wb", buffering=0) as dst:
        left = n
        while left > 0:
            try:
                done = os.copy_file_range(src.fileno(), dst.fileno(), left)
            except (AttributeError, OSError):
                block = memoryview(src.read(min(left, 1 << 20)))
                done = len(block)
                while block:
                    block = block[dst.write(block):]
            if not done:
                raise OSError(f"{source}: shorter than {n} bytes")
            left -= done


def _csv_needs_quotes() -> str:
    # the characters that make Python's csv writer (QUOTE_MINIMAL, "\n" line ends; what pandas' to_csv
    # uses) quote a field: only ASCII ones are special to it
    out = []
    for char in map(chr, range(128)):
        buffer = StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(["a" + char + "b", "c"])
        if buffer.getvalue().startswith('"'):
            out.append(char)
    return "".join(out)


_CSV_QUOTE_CHARS = _csv_needs_quotes()


def _csv_field(value: str) -> str:
    for char in _CSV_QUOTE_CHARS:
        if char in value:
            return '"' + value.replace('"', '""') + '"'
    return value


def _csv_rows(df: pd.DataFrame) -> str | None:
    """The rows ``df.to_csv(header=False, index=False, lineterminator="\\n")`` writes, or None for a table
    this does not cover (then call pandas).

    pandas hands every field to Python's csv writer, which scans each character of every long article
    text; here values are formatted as pandas formats them (floats by numpy ``astype(str)``, missing
    values empty) and only fields holding a special character are quoted.
    """
    if df.shape[1] < 2 or not len(df):
        return None
    columns = []
    for _, series in df.items():
        kind = series.dtype.kind
        if kind == "f":
            values = series.to_numpy()
            formatted = values.astype(str).astype(object)
            formatted[np.isnan(values)] = ""
            columns.append(formatted.tolist())
        elif kind in "iub":
            columns.append(list(map(str, series.to_numpy().tolist())))
        elif kind == "O" or isinstance(series.dtype, pd.StringDtype):
            column = []
            for value in series.to_numpy(dtype=object).tolist():
                if isinstance(value, str):
                    column.append(_csv_field(value))
                elif value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
                    column.append("")
                else:
                    return None
            columns.append(column)
        else:
            return None
    return "".join(",".join(row) + "\n" for row in zip(*columns))



def load_outputs(out_dir: str | os.PathLike, *, tables: Sequence[str] | None = None,
                 doc_ids: Iterable[str] | None = None,
                 drop: Mapping[str, Sequence[str]] | None = None) -> dict[str, pd.DataFrame]:
    """Read the tables written by :func:`diplo.run.pipeline.run_pipeline` into a dict keyed by table name.

    Parameters
    ----------
    tables : names to read (from :data:`OUTPUT_TABLES` and :data:`OUTPUT_EXTRAS`); default all.
    doc_ids : read only the rows of these articles from the per-article tables (a parquet filter, so the
        other rows are never loaded); the manifest and the aggregates are read whole.
    drop : per-article table -> columns not to read (e.g. ``{"articles": ["text"]}``: the article texts
        are most of that table).

    ``date`` columns (parquet date32) come back as ``datetime.date`` values (missing: None), which compare,
    sort, print as ISO and convert with ``pd.to_datetime``; the manifest's ``language`` is text.

    Every table comes from the one published generation of ``out_dir`` (:mod:`diplo.io.generation`), never
    from two runs; CSV cells escaped against spreadsheet formulas are read back as written by the run.

    Raises
    ------
    FileNotFoundError
        When ``out_dir`` holds no outputs.
    diplo.io.generation.IncompleteOutputs
        When its outputs are not one complete generation (a file missing or changed, or tables written
        file by file by an older diplo).
    """
    import pyarrow.dataset as ds

    from diplo.io.generation import current_generation

    names = list(tables) if tables is not None else [*OUTPUT_TABLES, *OUTPUT_EXTRAS]
    unknown = [n for n in names if n not in OUTPUT_TABLES and n not in OUTPUT_EXTRAS]
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; valid: {', '.join([*OUTPUT_TABLES, *OUTPUT_EXTRAS])}")
    where = None if doc_ids is None else ds.field("doc_id").isin(pa.array(sorted(set(doc_ids)), type=pa.string()))
    for attempt in (1, 2):
        # every table from the one published generation; a run publishing meanwhile removes the old one,
        # and then the whole read starts again from the new one
        folder = current_generation(out_dir)
        try:
            return _read_generation(folder, names, where, drop or {})
        except FileNotFoundError:
            if attempt == 2 or folder.exists():
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _read_generation(out_dir: Path, names: Sequence[str], where,
                     drop: Mapping[str, Sequence[str]]) -> dict[str, pd.DataFrame]:
    from diplo.io.csvsafe import read_csv

    def columns(name: str) -> list[str] | None:
        if not drop.get(name):
            return None
        return [c for c in pq.ParquetFile(out_dir / f"{name}.parquet").schema_arrow.names if c not in drop[name]]

    out = {name: pd.read_parquet(out_dir / f"{name}.parquet", filters=where, columns=columns(name))
           for name in names if name in OUTPUT_TABLES}
    if "manifest" in names:
        out["manifest"] = read_csv(out_dir / "manifest.csv", dtype={"reason": str, "encoding": str,
                                                                    "format": str, "sha256": str, "language": str},
                                   keep_default_na=False, na_values={"language_confidence": [""]})
    if "rejected_rows" in names:
        out["rejected_rows"] = read_csv(out_dir / "rejected_rows.csv",
                                        dtype={"source_file": str, "reason": str}, keep_default_na=False)
    for key in ("date", "outlet"):
        if f"tone_by_{key}" in names:
            out[f"tone_by_{key}"] = pd.read_parquet(out_dir / f"tone_by_{key}.parquet")
    return out
