"""Where chunks are computed: in this process, a local process pool, or dask.dataframe partitions.

Every engine yields the chunk function's results in input order, so outputs never depend on the engine or
the number of workers.
"""

from __future__ import annotations

import collections
import itertools
import json
import logging
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from diplo.analysis.aggregate import available_cores
from diplo.io.outputs import OUTPUT_TABLES
from diplo.io.raw import RawDocument

__all__ = ["default_jobs", "map_ordered", "dask_chunks", "return_free_memory", "TRIM_EVERY"]


def default_jobs() -> int:
    """Cores this process may use (the default for ``diplo run --jobs``)."""
    return max(1, available_cores())


TRIM_EVERY = 8  # chunks between returns of freed heap memory to the system


def return_free_memory() -> None:
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


def map_ordered(func: Callable, arg_tuples: Iterable[tuple], jobs: int) -> Iterator[Any]:
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
    context.set_forkserver_preload(["diplo.run.pipeline"])
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


# every table the chunk function returns (all of diplo run's streamed outputs) and the closing sums
_PART_TABLES = (*OUTPUT_TABLES, "skipped", "sums")


def _dask_partition(docs: pd.DataFrame, func: Callable, options: tuple, parts_dir: str,
                    partition_info: dict | None = None) -> pd.DataFrame:
    """One dask partition of documents -> ``func(chunk, *options)`` (the pipeline's chunk function) -> one
    parquet part file per table."""
    summary = pd.DataFrame({"part": pd.Series(dtype="int64"), "n_articles": pd.Series(dtype="int64")})
    if partition_info is None:  # dask probing the output type
        return summary
    number = int(partition_info["number"])
    chunk = [RawDocument(**{k: (json.loads(v) if k == "meta" else v) for k, v in rec.items()})
             for rec in docs[list(_DOC_FIELDS)].to_dict("records")]
    tables, sigs, sums = func(chunk, *options)
    for name, table in {**tables, "sums": sums}.items():
        if not isinstance(table, pd.DataFrame):  # the sentences' tokens: the parent tokenizes their texts
            continue
        folder = Path(parts_dir) / name
        folder.mkdir(parents=True, exist_ok=True)
        table.to_parquet(folder / f"part-{number:06d}.parquet", index=False)
    if sigs is not None:
        (Path(parts_dir) / "signatures").mkdir(exist_ok=True)
        np.save(Path(parts_dir) / "signatures" / f"part-{number:06d}.npy", sigs)
    return pd.DataFrame({"part": [number], "n_articles": [len(chunk)]})


def dask_chunks(func: Callable, work: Iterable[tuple], out_dir: Path, *, jobs: int, scheduler: str | None,
                 ) -> Iterator[tuple[dict[str, pd.DataFrame], np.ndarray | None, pd.DataFrame]]:
    """``func(*args)`` for each tuple of ``work``, in order, computed on dask.dataframe partitions.

    ``func`` returns ``(tables, signatures, sums)`` as the pipeline's chunk function does.

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
        meta = _dask_partition(pd.DataFrame(columns=list(_DOC_FIELDS)), func, (), "")
        summary = ddf.map_partitions(_dask_partition, func, tuple(options), str(parts_dir), meta=meta,
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
