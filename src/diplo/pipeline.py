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
from diplo.clean import clean_article
from diplo.codebook import describe, render_codebook
from diplo.load import MANIFEST_COLUMNS, RawDocument, load_documents, load_metadata
from diplo.metadata import extract_metadata
from diplo.segment import SENTENCE_COLUMNS, iter_sentences
from diplo.tone import available_scorers, score_tone

__all__ = ["run_pipeline", "load_outputs", "process_documents", "RunSummary", "OUTPUT_TABLES"]

log = logging.getLogger(__name__)

OUTPUT_TABLES = ("articles", "sentences", "sentence_scores")
_WORD = __import__("re").compile(r"\w+(?:[-']\w+)*")
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


def _count_words(text: str) -> int:
    return len(_WORD.findall(text))


def _overrides(meta: pd.DataFrame) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for rec in meta.to_dict("records"):
        out[rec["file"]] = {k: v for k, v in rec.items() if k != "file" and isinstance(v, str) and v.strip()}
    return out


def process_documents(docs: Iterable[RawDocument], overrides: dict[str, dict[str, str]] | None = None,
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean, describe and segment documents: returns (articles, sentences) tables."""
    overrides = overrides or {}
    articles, sentences = [], []
    for doc in docs:
        meta = extract_metadata(doc.text)
        cleaned = clean_article(doc.text)
        over = overrides.get(doc.source_file, {})
        row = {
            "doc_id": doc.doc_id, "source_file": doc.source_file,
            "title": meta.title, "title_source": meta.title_source,
            "date": meta.date, "date_source": meta.date_source,
            "outlet": meta.outlet, "outlet_source": meta.outlet_source,
            "author": meta.author, "author_source": meta.author_source,
            "dateline": meta.dateline,
        }
        for field in ("title", "date", "outlet", "author"):
            if field in over:
                row[field], row[f"{field}_source"] = over[field], "metadata.csv"
        sents = [(doc.doc_id, i, p, s, e, t) for i, (p, s, e, t) in enumerate(iter_sentences(cleaned.text))]
        row.update(text=cleaned.text, n_words=_count_words(cleaned.text), n_sentences=len(sents),
                   removed_lines=len(cleaned.removed))
        articles.append(row)
        sentences.extend(sents)
    return pd.DataFrame(articles), pd.DataFrame(sentences, columns=SENTENCE_COLUMNS)


def _score_sentences(sentences: pd.DataFrame, scorers: Sequence[str]) -> pd.DataFrame:
    scores = score_tone(sentences, scorers)
    head = sentences[["doc_id", "sent_id"]].copy()
    head["n_words"] = [_count_words(t) for t in sentences["text"]]
    return pd.concat([head, scores], axis=1)


def _batched(items: Iterable, n: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(itertools.islice(it, n)):
        yield batch


def run_pipeline(raw_dir: str | os.PathLike, out_dir: str | os.PathLike, *,
                 scorers: Sequence[str] | None = None, chunk_size: int = 500) -> RunSummary:
    """Ingest, clean, segment and score every file in ``raw_dir``; write tables to ``out_dir``.

    Writes ``articles.parquet`` (+ ``.csv``), ``sentences.parquet``, ``sentence_scores.parquet``,
    ``tone_by_date.csv``, ``manifest.csv`` and ``CODEBOOK.md``.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if out_dir.resolve() == raw_dir.resolve() or raw_dir.resolve() in out_dir.resolve().parents:
        raise ValueError(f"output folder {out_dir} must not be inside the raw folder {raw_dir}: raw is read-only")
    scorers = list(scorers or available_scorers())
    tone_cols = [c for c in ("tone_vader",) if "vader" in scorers]
    out_dir.mkdir(parents=True, exist_ok=True)
    overrides = _overrides(load_metadata(raw_dir))
    manifest: list = []
    sinks = {"articles": _TableSink(out_dir, "articles", csv=True),
             "sentences": _TableSink(out_dir, "sentences"),
             "sentence_scores": _TableSink(out_dir, "sentence_scores")}
    dated: list[pd.DataFrame] = []
    n_articles = n_sentences = 0
    try:
        for chunk in _batched(load_documents(raw_dir, manifest), chunk_size):
            articles, sentences = process_documents(chunk, overrides)
            scores = _score_sentences(sentences, scorers)
            per_article = aggregate_articles(scores, tone_cols)
            articles = articles.merge(per_article, on="doc_id", how="left")
            sinks["articles"].write(articles)
            sinks["sentences"].write(sentences)
            sinks["sentence_scores"].write(scores)
            dated.append(scores[["doc_id", *tone_cols]].merge(articles[["doc_id", "date"]], on="doc_id"))
            n_articles += len(articles)
            n_sentences += len(sentences)
        empty_articles = pd.DataFrame({c: pd.Series(dtype=object) for c in ("doc_id",)})
        for name, sink in sinks.items():
            sink.commit(empty_articles if name != "sentences" else pd.DataFrame(columns=SENTENCE_COLUMNS))
    except BaseException:
        for sink in sinks.values():
            sink.abort()
        raise
    by_date = pd.concat(dated) if dated else pd.DataFrame(columns=["doc_id", "date", *tone_cols])
    by_date = by_date.dropna(subset=["date"])
    io.write_table(aggregate_by(by_date, "date", tone_cols), out_dir / "tone_by_date.parquet", csv=True)
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
    tables["tone_by_date"] = pd.read_parquet(out_dir / "tone_by_date.parquet")
    return tables
