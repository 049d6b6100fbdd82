"""The whole journey for a folder of raw files: load -> clean -> segment -> score -> aggregate -> write.

Articles are processed in chunks and every table is streamed to parquet, so memory stays bounded by the
chunk size, not the corpus size.  All outputs are written under temporary names and renamed into place
at the end, so an interrupted run leaves the previous outputs intact.
"""

from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from diplo import io
from diplo.aggregate import aggregate_articles, aggregate_by
from diplo.codebook import describe, render_codebook
from diplo.corpus import build_articles, metadata_overrides
from diplo.load import MANIFEST_COLUMNS, load_documents, load_metadata
from diplo.score import SCORE_TABLES, score_sentences
from diplo.segment import SENTENCE_COLUMNS
from diplo.tone import available_scorers, tone_columns

__all__ = ["run_pipeline", "load_outputs", "RunSummary", "OUTPUT_TABLES"]

log = logging.getLogger(__name__)

OUTPUT_TABLES = ("articles", "sentences", *SCORE_TABLES)
_ARROW_TYPES = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}


@dataclass(frozen=True)
class RunSummary:
    out_dir: Path
    n_files: int
    n_ok: int
    n_rejected: int
    n_duplicate: int
    n_articles: int
    n_sentences: int


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
            df.to_csv(self.csv_tmp, mode="a", header=False, index=False, lineterminator="\n")

    def commit(self, empty: pd.DataFrame) -> None:
        if self._writer is None:
            self.write(empty)
        self._writer.close()
        os.replace(self.tmp, self.dest)
        if self.csv_tmp is not None:
            os.replace(self.csv_tmp, self.csv_dest)

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
        for p in (self.tmp, self.csv_tmp):
            if p is not None and p.exists():
                p.unlink()


def _batched(items: Iterable, n: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(itertools.islice(it, n)):
        yield batch


def run_pipeline(raw_dir: str | os.PathLike, out_dir: str | os.PathLike, *,
                 scorers: Sequence[str] | None = None, chunk_size: int = 500) -> RunSummary:
    """Ingest, clean, segment and score every file in ``raw_dir``; write tables to ``out_dir``.

    Writes ``articles.parquet`` (+ ``.csv``), ``sentences.parquet``, ``sentence_scores.parquet``,
    ``evidence.parquet``, ``tone_by_date`` and ``tone_by_outlet`` (parquet + csv), ``manifest.csv`` and
    ``CODEBOOK.md``.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if out_dir.resolve() == raw_dir.resolve() or raw_dir.resolve() in out_dir.resolve().parents:
        raise ValueError(f"output folder {out_dir} must not be inside the raw folder {raw_dir}: raw is read-only")
    scorers = list(scorers or available_scorers())
    tone_cols = tone_columns(scorers)
    out_dir.mkdir(parents=True, exist_ok=True)
    overrides = metadata_overrides(load_metadata(raw_dir))
    manifest: list = []
    sinks = {name: _TableSink(out_dir, name, csv=name == "articles") for name in OUTPUT_TABLES}
    dated: list[pd.DataFrame] = []
    n_articles = n_sentences = 0
    try:
        for chunk in _batched(load_documents(raw_dir, manifest), chunk_size):
            articles, sentences = build_articles(chunk, overrides)
            scored = score_sentences(sentences, scorers=scorers)
            scores = scored["sentence_scores"]
            per_article = aggregate_articles(scores, tone_cols)
            articles = articles.merge(per_article, on="doc_id", how="left")
            sinks["articles"].write(articles)
            sinks["sentences"].write(sentences)
            for name, table in scored.items():
                sinks[name].write(table)
            dated.append(scores[["doc_id", *tone_cols]].merge(articles[["doc_id", "date", "outlet"]], on="doc_id"))
            n_articles += len(articles)
            n_sentences += len(sentences)
        empty_articles = pd.DataFrame({c: pd.Series(dtype=object) for c in ("doc_id",)})
        for name, sink in sinks.items():
            sink.commit(empty_articles if name != "sentences" else pd.DataFrame(columns=SENTENCE_COLUMNS))
    except BaseException:
        for sink in sinks.values():
            sink.abort()
        raise
    grouped = pd.concat(dated) if dated else pd.DataFrame(columns=["doc_id", "date", "outlet", *tone_cols])
    for key in ("date", "outlet"):
        groups = grouped[grouped[key].notna() & (grouped[key].astype(str) != "")]
        io.write_table(aggregate_by(groups, key, tone_cols), out_dir / f"tone_by_{key}.parquet", csv=True)
    manifest_df = pd.DataFrame([vars(r) for r in manifest], columns=MANIFEST_COLUMNS)
    with io.atomic_path(out_dir / "manifest.csv") as tmp:
        manifest_df.to_csv(tmp, index=False, lineterminator="\n")
    io.write_text(render_codebook(), out_dir / "CODEBOOK.md")
    status = manifest_df["status"].value_counts()
    return RunSummary(out_dir, len(manifest_df), int(status.get("ok", 0)), int(status.get("rejected", 0)),
                      int(status.get("duplicate", 0)), n_articles, n_sentences)


def load_outputs(out_dir: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Read the tables written by :func:`run_pipeline` into a dict keyed by table name."""
    out_dir = Path(out_dir)
    tables = {name: pd.read_parquet(out_dir / f"{name}.parquet") for name in OUTPUT_TABLES}
    tables["manifest"] = pd.read_csv(out_dir / "manifest.csv", dtype={"reason": str}, keep_default_na=False)
    for key in ("date", "outlet"):
        tables[f"tone_by_{key}"] = pd.read_parquet(out_dir / f"tone_by_{key}.parquet")
    return tables
