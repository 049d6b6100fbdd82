"""The whole journey for a folder of raw files: load -> clean -> segment -> score -> aggregate -> write.

Articles are processed in chunks and every table is streamed to parquet, so memory stays bounded by the
chunk size, not the corpus size.  All outputs are written under temporary names and renamed into place
at the end, so an interrupted run leaves the previous outputs intact.
"""

from __future__ import annotations

import collections
import csv
import itertools
import json
import logging
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from io import StringIO
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from diplo import io
from diplo.actors import load_actors
from diplo.aggregate import _cores, aggregate_articles, aggregate_sums, sum_by_cluster
from diplo.codebook import describe, render_codebook
from diplo.corpus import ARTICLE_COLUMNS, REMOVED_COLUMNS, build_corpus, metadata_overrides
from diplo.dedupe import NEAR_DUPLICATE_THRESHOLD, NearDuplicateIndex, minhash_signatures
from diplo.load import (MANIFEST_COLUMNS, REJECTED_ROW_COLUMNS, Limits, RawDocument, iter_raw_files,
                        load_documents, load_metadata)
from diplo.score import SCORE_TABLES, score_sentences
from diplo.segment import SENTENCE_COLUMNS
from diplo.themes import article_theme_measures, load_themes, theme_columns
from diplo.tone import available_scorers, tone_columns

__all__ = ["run_pipeline", "ensure_processed", "load_outputs", "RunSummary", "OUTPUT_TABLES", "OUTPUT_EXTRAS",
           "ENGINES", "default_jobs"]

log = logging.getLogger(__name__)

OUTPUT_TABLES = ("articles", "sentences", "removed", *SCORE_TABLES)
_ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
ENGINES = ("pandas", "dask")


@dataclass(frozen=True)
class RunSummary:
    out_dir: Path
    n_files: int
    n_ok: int
    n_rejected: int
    n_duplicate: int
    n_articles: int
    n_sentences: int
    n_rows: int = 0
    n_rejected_rows: int = 0
    n_near_duplicates: int = 0


def _schema(table: str, columns: Sequence[str]) -> pa.Schema:
    return pa.schema([(c, _ARROW_TYPES[describe(table, c)[0]]) for c in columns])


class _TableSink:
    """Streams DataFrame chunks into one parquet file (and optionally a CSV twin) under a temp name."""

    def __init__(self, out_dir: Path, table: str, *, csv: bool = False) -> None:
        self.table, self.dest = table, out_dir / f"{table}.parquet"
        self.tmp = out_dir / f".{table}.parquet.partial"
        self.csv_dest = out_dir / f"{table}.csv" if csv else None
        self.csv_tmp = out_dir / f".{table}.csv.partial" if csv else None
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def write(self, df: pd.DataFrame) -> None:
        if self._writer is None:
            self._schema = _schema(self.table, list(df.columns))
            self._writer = pq.ParquetWriter(self.tmp, self._schema, compression="zstd")
            if self.csv_tmp is not None:
                df.iloc[:0].to_csv(self.csv_tmp, index=False, lineterminator="\n")
        df = df[self._schema.names]
        self._writer.write_table(pa.Table.from_pandas(df, schema=self._schema, preserve_index=False))
        if self.csv_tmp is not None:
            text = _csv_rows(df)
            if text is None:
                df.to_csv(self.csv_tmp, mode="a", header=False, index=False, lineterminator="\n")
            else:
                with open(self.csv_tmp, "a", encoding="utf-8", newline="") as fh:
                    fh.write(text)

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
            self._writer.close()
        for p in (self.tmp, self.csv_tmp):
            if p is not None and p.exists():
                p.unlink()


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


def _batched(items: Iterable, n: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(itertools.islice(it, n)):
        yield batch


def _staged(dest: Path, staged: list[tuple[Path, Path]]) -> Path:
    tmp = dest.with_name(f".{dest.name}.partial")
    staged.append((tmp, dest))
    return tmp


def default_jobs() -> int:
    """Cores this process may use (the default for ``diplo run --jobs``)."""
    return max(1, _cores())


_TRIM_EVERY = 8  # chunks between returns of freed heap memory to the system


def _return_free_memory() -> None:
    """Give the heap's free pages back to the system (glibc ``malloc_trim``; nothing elsewhere).

    The parent frees each chunk's tables (megabytes) while small long-lived objects (manifest rows,
    near-duplicate index) keep accumulating between them; glibc then keeps the freed pages, and the
    process grows by about 2 KB per article more than it holds.  Trimming every few chunks keeps its
    memory what it really uses.
    """
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            import ctypes

            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM: Any = None


def _process_chunk(chunk: list[RawDocument], overrides: dict, scorers: list[str], tone_cols: list[str],
                   theme_cols: list[str], max_sentence_chars: int, themes=None, actors=None,
                   signatures: bool = False) -> tuple[dict[str, pd.DataFrame], np.ndarray | None, pd.DataFrame]:
    """The per-chunk work that needs no other chunk, as far as it goes.

    Returns every output table of the chunk (``articles`` with its tone means and theme measures, its
    ``duplicate_of`` still empty), the articles' MinHash signatures (when ``signatures``) and the
    per-article sums behind ``tone_by_date``/``tone_by_outlet``.  Runs in worker processes (``jobs > 1``,
    dask); only the order-dependent near-duplicate lookup and the writing stay in the parent.
    """
    corpus = build_corpus(chunk, overrides, max_sentence_chars=max_sentence_chars)
    scored = score_sentences(corpus["sentences"], scorers=scorers, themes=themes, actors=actors)
    scores = scored["sentence_scores"]
    articles = corpus["articles"].merge(aggregate_articles(scores, tone_cols), on="doc_id", how="left")
    articles = articles.merge(article_theme_measures(scores, theme_cols), on="doc_id", how="left")
    sums = sum_by_cluster(scores, tone_cols).merge(articles[["doc_id", "date", "outlet"]], on="doc_id")
    sigs = minhash_signatures(corpus["articles"]["text"]) if signatures else None
    tables = {name: _arrow_strings(table) for name, table in {**corpus, **scored}.items()}
    return {**tables, "articles": articles}, sigs, sums


def _arrow_strings(table: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding only strings (and missing values) as pandas' arrow-backed ``str`` dtype.

    A worker's tables then travel to the parent as a few buffers instead of one pickled object per
    value, and convert to Arrow without a pass over Python strings; the parquet files are the same
    (the sinks write with the codebook schema).
    """
    strings = [c for c in table.columns if table[c].dtype == object
               and pd.api.types.infer_dtype(table[c], skipna=True) == "string"]
    return table.astype({c: "str" for c in strings}) if strings else table


def _map_ordered(func: Callable, arg_tuples: Iterable[tuple], jobs: int) -> Iterator[Any]:
    """``func(*args)`` for each tuple, in input order; ``jobs`` worker processes, at most 2 x jobs in flight.

    Results come back in submission order whatever finishes first, so outputs do not depend on ``jobs``.
    """
    arg_tuples = iter(arg_tuples)
    head = list(itertools.islice(arg_tuples, 2))
    if jobs == 1 or len(head) < 2:  # a single chunk is not worth starting processes for
        for args in itertools.chain(head, arg_tuples):
            yield func(*args)
        return
    import multiprocessing

    # forkserver: workers start from a clean process that imported diplo, not a fork of a parent that
    # holds open parquet writers and library thread pools.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["diplo.pipeline"])
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_exit_with,
                             initargs=(os.getpid(),)) as pool:
        pending: collections.deque = collections.deque()
        try:
            for args in itertools.chain(head, arg_tuples):
                pending.append(pool.submit(func, *args))
                if len(pending) >= 2 * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:  # a failed chunk, or the caller stopped (close()): drop the queued chunks
            for future in pending:
                future.cancel()
            raise


def _exit_with(pid: int) -> None:
    """Pool worker initializer: the worker exits once process ``pid`` (the ``diplo run`` that started the
    pool) is gone.

    A killed run (SIGKILL, SIGTERM, the OOM killer) cannot tell its workers, and a worker waiting on the
    pool's queue never learns it otherwise: it would stay, with its memory, for good (and keep its
    forkserver alive).
    """
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except (ProcessLookupError, PermissionError):  # gone (or the id now belongs to someone else)
                os._exit(1)

    threading.Thread(target=watch, name="diplo-exit-with-parent", daemon=True).start()


_DOC_FIELDS = tuple(f.name for f in fields(RawDocument))
_PART_TABLES = ("articles", "sentences", "removed", *SCORE_TABLES, "sums")


def _dask_partition(docs: pd.DataFrame, overrides: dict, scorers: list[str], tone_cols: list[str],
                    theme_cols: list[str], max_sentence_chars: int, themes, actors, signatures: bool,
                    parts_dir: str, partition_info: dict | None = None) -> pd.DataFrame:
    """One dask partition of documents -> :func:`_process_chunk` -> one parquet part file per table."""
    summary = pd.DataFrame({"part": pd.Series(dtype="int64"), "n_articles": pd.Series(dtype="int64")})
    if partition_info is None:  # dask probing the output type
        return summary
    number = int(partition_info["number"])
    chunk = [RawDocument(**{k: (json.loads(v) if k == "meta" else v) for k, v in rec.items()})
             for rec in docs[list(_DOC_FIELDS)].to_dict("records")]
    tables, sigs, sums = _process_chunk(chunk, overrides, scorers, tone_cols, theme_cols, max_sentence_chars,
                                        themes, actors, signatures)
    for name, table in {**tables, "sums": sums}.items():
        folder = Path(parts_dir) / name
        folder.mkdir(parents=True, exist_ok=True)
        table.to_parquet(folder / f"part-{number:06d}.parquet", index=False)
    if sigs is not None:
        (Path(parts_dir) / "signatures").mkdir(exist_ok=True)
        np.save(Path(parts_dir) / "signatures" / f"part-{number:06d}.npy", sigs)
    return pd.DataFrame({"part": [number], "n_articles": [len(chunk)]})


def _dask_chunks(work: Iterable[tuple], out_dir: Path, *, jobs: int, scheduler: str | None,
                 ) -> Iterator[tuple[dict[str, pd.DataFrame], np.ndarray | None, pd.DataFrame]]:
    """:func:`_process_chunk` results, in order, computed on dask.dataframe partitions.

    The documents are staged as partitioned parquet (one part per chunk) under ``OUT/.dask-work``; each
    partition's tables are written there as parquet parts by the workers and read back here in order.
    """
    try:
        import dask.dataframe as dd
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ValueError("engine 'dask' needs the dask extra: pip install 'diplo[dask]'") from exc
    work_dir = out_dir / ".dask-work"
    shutil.rmtree(work_dir, ignore_errors=True)
    input_dir, parts_dir = work_dir / "input", work_dir / "parts"
    input_dir.mkdir(parents=True)
    options = None
    n_parts = 0
    try:
        for chunk, *rest in work:
            options = rest
            docs = pd.DataFrame([{k: getattr(d, k) for k in _DOC_FIELDS} for d in chunk], columns=list(_DOC_FIELDS))
            docs["meta"] = [json.dumps(m, sort_keys=True, default=str) for m in docs["meta"]]
            docs.to_parquet(input_dir / f"part-{n_parts:06d}.parquet", index=False)
            n_parts += 1
        if not n_parts:
            return
        ddf = dd.read_parquet(str(input_dir), split_row_groups=False)
        if ddf.npartitions != n_parts:  # pragma: no cover - dask must not fuse or split our chunks
            raise RuntimeError(f"dask read {ddf.npartitions} partitions from {n_parts} parts")
        meta = _dask_partition(pd.DataFrame(columns=list(_DOC_FIELDS)), {}, [], [], [], 0, None, None, False, "")
        summary = ddf.map_partitions(_dask_partition, *options, str(parts_dir), meta=meta,
                                     align_dataframes=False)
        if scheduler is None:
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.WARNING)
        else:
            cluster = None
        with Client(scheduler or cluster) as client:
            futures = client.compute(summary.to_delayed())
            for number, future in enumerate(futures):
                future.result()
                tables = {name: pd.read_parquet(parts_dir / name / f"part-{number:06d}.parquet")
                          for name in _PART_TABLES}
                sigs = parts_dir / "signatures" / f"part-{number:06d}.npy"
                yield tables, np.load(sigs) if sigs.exists() else None, tables.pop("sums")
        if cluster is not None:
            cluster.close()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _progress(enabled: bool | None, raw_dir: Path):
    """A tqdm bar over articles on stderr, only on a terminal unless asked for (never in notebooks/tests)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    from tqdm import tqdm

    total = sum(1 for _ in iter_raw_files(raw_dir))
    return tqdm(total=total, unit="article", desc="diplo run", file=sys.stderr, mininterval=0.5,
                dynamic_ncols=True, smoothing=0.1)


def run_pipeline(raw_dir: str | os.PathLike, out_dir: str | os.PathLike, *,
                 scorers: Sequence[str] | None = None, chunk_size: int = 500,
                 columns: str | dict[str, str] | None = None, limits: Limits | None = None,
                 near_duplicate_threshold: float | None = NEAR_DUPLICATE_THRESHOLD,
                 themes: str | os.PathLike | None = None, actors: str | os.PathLike | None = None,
                 jobs: int = 1, engine: str = "pandas", scheduler: str | None = None,
                 progress: bool | None = None) -> RunSummary:
    """Ingest, clean, segment and score every file in ``raw_dir``; write tables to ``out_dir``.

    Writes ``articles.parquet`` (+ ``.csv``), ``sentences.parquet``, ``removed.parquet``, the score
    tables, ``tone_by_date`` and ``tone_by_outlet`` (parquet + csv), ``manifest.csv``, ``rejected_rows.csv`` and
    ``CODEBOOK.md``.  Everything is written under temporary names and renamed into place only after
    the whole run succeeded, so an interrupted run leaves the previous outputs intact.

    Parameters
    ----------
    columns : column mapping for tabular inputs (see :func:`diplo.load.parse_columns`).
    limits : size limits (see :class:`diplo.load.Limits`).
    near_duplicate_threshold : estimated Jaccard similarity for ``duplicate_of`` (see :mod:`diplo.dedupe`);
        None skips near-duplicate detection (``duplicate_of`` stays empty; saves ~0.5 KB of memory per article).
    themes, actors : a researcher's own themes file / actor alias file (default: the packaged
        ``themes.yml`` / ``actors.yml``); validated before anything is read.
    jobs : worker processes that build and score chunks (``1``: all in this process).  Outputs are the
        same bytes whatever the number.
    engine : ``"pandas"`` (a local process pool) or ``"dask"`` (the same chunk work on dask.dataframe
        partitions; needs the ``dask`` extra).
    scheduler : address of a running Dask scheduler (e.g. ``tcp://host:8786``); default: a local cluster
        of ``jobs`` workers.  ``out_dir`` must then be on storage the workers share.
    progress : tqdm progress bar on stderr; default: only when stderr is a terminal.

    Raises
    ------
    ValueError
        For an unknown engine, ``jobs`` or ``chunk_size`` below 1, or an output folder inside the raw one.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINES)}")
    for name, value in (("jobs", jobs), ("chunk_size", chunk_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    if scheduler is not None and engine != "dask":
        raise ValueError(f"--scheduler {scheduler!r} needs engine 'dask', not {engine!r}")
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if out_dir.resolve() == raw_dir.resolve() or raw_dir.resolve() in out_dir.resolve().parents:
        raise ValueError(f"output folder {out_dir} must not be inside the raw folder {raw_dir}: raw is read-only")
    scorers = list(scorers or available_scorers())
    # Validate the dictionaries before any output; workers get the sources (paths) and load them once each.
    theme_cols = theme_columns(load_themes(themes))
    load_actors(actors)
    tone_cols = tone_columns(scorers)
    out_dir.mkdir(parents=True, exist_ok=True)
    limits = limits or Limits()
    overrides = metadata_overrides(load_metadata(raw_dir))
    manifest: list = []
    rejected_rows: list = []
    near_dups = NearDuplicateIndex(threshold=near_duplicate_threshold) if near_duplicate_threshold else None
    documents = load_documents(raw_dir, manifest, rejected_rows, columns=columns, limits=limits)
    sinks = {name: _TableSink(out_dir, name, csv=name == "articles") for name in OUTPUT_TABLES}
    staged: list[tuple[Path, Path]] = []
    dated: list[pd.DataFrame] = []
    n_articles = n_sentences = n_near = chunks_done = 0
    bar = _progress(progress, raw_dir)
    work = ((chunk, overrides, scorers, tone_cols, theme_cols, limits.max_sentence_chars, themes, actors,
             near_dups is not None) for chunk in _batched(documents, chunk_size))
    results: Iterator | None = None
    try:
        if engine == "dask":
            results = _dask_chunks(work, out_dir, jobs=jobs, scheduler=scheduler)
        else:
            results = _map_ordered(_process_chunk, work, jobs)
        for tables, signatures, sums in results:
            articles = tables["articles"]
            if near_dups is not None:
                articles["duplicate_of"] = near_dups.add(articles["doc_id"], signatures=signatures)
            n_near += int(articles["duplicate_of"].notna().sum())
            for name in OUTPUT_TABLES:
                sinks[name].write(tables[name])
            # kept for tone_by_date/outlet until the end: per-article sums and counts (one row per article,
            # all the cluster bootstrap over articles needs), not every sentence
            dated.append(sums)
            n_articles += len(articles)
            n_sentences += len(tables["sentences"])
            if bar is not None:
                bar.update(len(articles))
            del tables, articles, sums  # before trimming: the chunk's tables are garbage now
            chunks_done += 1
            if chunks_done % _TRIM_EVERY == 0:
                _return_free_memory()
        empties = {"articles": pd.DataFrame(columns=ARTICLE_COLUMNS), "removed": pd.DataFrame(columns=REMOVED_COLUMNS),
                   "sentences": pd.DataFrame(columns=SENTENCE_COLUMNS)}
        for name, sink in sinks.items():
            sink.close(empties.get(name, pd.DataFrame({"doc_id": pd.Series(dtype=object)})))
        grouped = (pd.concat(dated, ignore_index=True) if dated else
                   sum_by_cluster(pd.DataFrame(columns=["doc_id", *tone_cols]), tone_cols).assign(date=None, outlet=None))
        for key in ("date", "outlet"):
            groups = grouped[grouped[key].notna() & (grouped[key].astype(str) != "")]
            table = aggregate_sums(groups, key, tone_cols)
            io.write_table(table, _staged(out_dir / f"tone_by_{key}.parquet", staged))
            table.to_csv(_staged(out_dir / f"tone_by_{key}.csv", staged), index=False, lineterminator="\n")
        # column by column: a dict per row would be a transient ~1 KB per file (a GB for a million files)
        manifest_df = pd.DataFrame({c: [getattr(r, c) for r in manifest] for c in MANIFEST_COLUMNS},
                                   columns=MANIFEST_COLUMNS)
        manifest_df.to_csv(_staged(out_dir / "manifest.csv", staged), index=False, lineterminator="\n")
        rejected_df = pd.DataFrame({c: [getattr(r, c) for r in rejected_rows] for c in REJECTED_ROW_COLUMNS},
                                   columns=REJECTED_ROW_COLUMNS)
        rejected_df.to_csv(_staged(out_dir / "rejected_rows.csv", staged), index=False, lineterminator="\n")
        _staged(out_dir / "CODEBOOK.md", staged).write_text(render_codebook(), encoding="utf-8")
    except BaseException:
        if bar is not None:
            bar.close()
        if hasattr(results, "close"):  # stop the workers now, not when the traceback is freed
            results.close()
        for sink in sinks.values():
            sink.abort()
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    if bar is not None:
        bar.close()
    # Everything is complete on disk: only now replace the previous outputs.
    for sink in sinks.values():
        sink.commit()
    for tmp, dest in staged:
        os.replace(tmp, dest)
    status = manifest_df["status"].value_counts()
    return RunSummary(out_dir, len(manifest_df), int(status.get("ok", 0)), int(status.get("rejected", 0)),
                      int(status.get("duplicate", 0)), n_articles, n_sentences,
                      int(manifest_df["n_rows"].sum()), len(rejected_df), n_near)


OUTPUT_EXTRAS = ("manifest", "rejected_rows", "tone_by_date", "tone_by_outlet")


def load_outputs(out_dir: str | os.PathLike, *, tables: Sequence[str] | None = None,
                 doc_ids: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """Read the tables written by :func:`run_pipeline` into a dict keyed by table name.

    Parameters
    ----------
    tables : names to read (from :data:`OUTPUT_TABLES` and :data:`OUTPUT_EXTRAS`); default all.
    doc_ids : read only the rows of these articles from the per-article tables (a parquet filter, so the
        other rows are never loaded); the manifest and the aggregates are read whole.
    """
    import pyarrow.dataset as ds

    out_dir = Path(out_dir)
    names = list(tables) if tables is not None else [*OUTPUT_TABLES, *OUTPUT_EXTRAS]
    unknown = [n for n in names if n not in OUTPUT_TABLES and n not in OUTPUT_EXTRAS]
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; valid: {', '.join([*OUTPUT_TABLES, *OUTPUT_EXTRAS])}")
    where = None if doc_ids is None else ds.field("doc_id").isin(pa.array(sorted(set(doc_ids)), type=pa.string()))
    out = {name: pd.read_parquet(out_dir / f"{name}.parquet", filters=where) for name in names
           if name in OUTPUT_TABLES}
    if "manifest" in names:
        out["manifest"] = pd.read_csv(out_dir / "manifest.csv", dtype={"reason": str, "encoding": str,
                                                                       "format": str, "sha256": str},
                                      keep_default_na=False)
    if "rejected_rows" in names:
        out["rejected_rows"] = pd.read_csv(out_dir / "rejected_rows.csv",
                                           dtype={"source_file": str, "reason": str}, keep_default_na=False)
    for key in ("date", "outlet"):
        if f"tone_by_{key}" in names:
            out[f"tone_by_{key}"] = pd.read_parquet(out_dir / f"tone_by_{key}.parquet")
    return out


_STAMP = ".diplo-stamp.json"


def _fingerprint(raw_dir: Path, options: dict) -> dict:
    """What the outputs depend on: input files (name, size, mtime), options, diplo's version and code."""
    import hashlib
    import json

    from diplo import __version__

    files = hashlib.sha256()
    for p in sorted(raw_dir.rglob("*")):
        if p.is_file():
            st = p.stat()
            files.update(f"{p.relative_to(raw_dir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    code = hashlib.sha256()
    package = Path(__file__).parent
    for p in sorted([*package.glob("*.py"), *(package / "data").glob("*")]):
        if p.is_file():
            code.update(p.name.encode() + b"\0" + p.read_bytes())
    options = dict(options)
    for key in ("themes", "actors"):  # a researcher's dictionary file: its content, not just its name
        if options.get(key) and Path(options[key]).is_file():
            options[f"{key}_sha256"] = hashlib.sha256(Path(options[key]).read_bytes()).hexdigest()
    opts = json.dumps(options, sort_keys=True, default=str)
    return {"diplo_version": __version__, "code_sha256": code.hexdigest(), "inputs_sha256": files.hexdigest(),
            "options": json.loads(opts), "raw_dir": str(raw_dir.resolve())}


def ensure_processed(raw_dir: str | os.PathLike, processed_dir: str | os.PathLike, **options) -> bool:
    """Run :func:`run_pipeline` only when its inputs, options or diplo itself changed since the last run.

    A stamp file in ``processed_dir`` records the fingerprint of the last complete run (input file names,
    sizes and modification times; ``options``; diplo's version and source) and of the tables it wrote, so
    tables rewritten since by another command are rebuilt too. Concurrent callers on the same
    folder wait for each other (a lock file), so notebooks sharing a processed folder process it once.

    Parameters
    ----------
    raw_dir, processed_dir : as for :func:`run_pipeline`.
    **options : keyword options passed to :func:`run_pipeline` (part of the fingerprint).

    Returns
    -------
    bool
        True when the pipeline ran, False when the outputs were already up to date.
    """
    import contextlib
    import json

    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    if not raw_dir.is_dir():
        raise ValueError(f"raw folder {raw_dir} does not exist")
    processed_dir.mkdir(parents=True, exist_ok=True)
    stamp = processed_dir / _STAMP
    with open(processed_dir / ".diplo-lock", "w") as lock, contextlib.ExitStack() as stack:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock, callers must not share a folder
            pass
        else:
            fcntl.flock(lock, fcntl.LOCK_EX)
            stack.callback(fcntl.flock, lock, fcntl.LOCK_UN)
        wanted = _fingerprint(raw_dir, options)
        outputs = [processed_dir / f"{name}.parquet" for name in OUTPUT_TABLES]
        if stamp.is_file() and all(p.is_file() for p in outputs):
            try:
                # the outputs must also be the ones that run wrote (not rewritten since, e.g. by `diplo run`)
                if json.loads(stamp.read_text(encoding="utf-8")) == {**wanted, "outputs": _signature(outputs)}:
                    log.info("%s is up to date; not reprocessing", processed_dir)
                    return False
            except json.JSONDecodeError:
                pass
        stamp.unlink(missing_ok=True)
        run_pipeline(raw_dir, processed_dir, **options)
        io.write_json({**wanted, "outputs": _signature(outputs)}, stamp)
        return True


def _signature(paths: Sequence[Path]) -> dict[str, list[int]]:
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in paths}
