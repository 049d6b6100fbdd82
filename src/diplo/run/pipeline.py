"""The whole journey for a folder of raw files: load -> clean -> segment -> score -> aggregate -> write.

Articles are processed in chunks and every table is streamed to parquet, so memory stays bounded by the
chunk size, not the corpus size.  All outputs are written under temporary names and renamed into place
at the end, so an interrupted run leaves the previous outputs intact.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from diplo.analysis.aggregate import aggregate_sums, sum_by_cluster
from diplo.io.csvsafe import write_csv
from diplo.io.outputs import OUTPUT_TABLES, TableSink, write_table
from diplo.io.paths import check_outside_raw
from diplo.io.raw import (MANIFEST_COLUMNS, REJECTED_ROW_COLUMNS, Limits, RawDocument, iter_raw_files,
                          load_documents, load_metadata, parse_columns)
from diplo.run.cache import RunCache, default_cache_dir
from diplo.run.provenance import RUN_RECORD, write_provenance
from diplo.run.publish import Publication, is_storage_error
from diplo.run.stages import assemble_chunk, prepare_chunk, score_prepared
from diplo.run.workers import TRIM_EVERY, dask_chunks, map_ordered, return_free_memory
from diplo.scoring.actors import load_actors
from diplo.scoring.themes import load_themes, theme_columns
from diplo.scoring.token_index import TokenIndexWriter
from diplo.scoring.tone import available_scorers, tone_columns
from diplo.text.corpus import ARTICLE_COLUMNS, REMOVED_COLUMNS, metadata_overrides
from diplo.text.dates import DateConfig
from diplo.text.dedupe import NEAR_DUPLICATE_THRESHOLD, NearDuplicateIndex
from diplo.text.language import parse_languages
from diplo.text.segment import SENTENCE_COLUMNS
from diplo.text.summary import FileLanguages, ingest_notes, summarize_ingest

__all__ = ["run_pipeline", "RunSummary", "ENGINES"]

log = logging.getLogger(__name__)

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
    n_skipped: int = 0
    #: counts by status (files), language, date_source and outlet_source (articles): {what: {value: n}}
    counts: dict | None = None
    #: warnings about the run as a whole (e.g. one boilerplate rule naming most articles' outlet)
    notes: tuple = ()
    #: what the run cache reused and computed (:attr:`diplo.run.cache.RunCache.stats`); None without the cache
    cache: dict | None = None


def _batched(items: Iterable, n: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(itertools.islice(it, n)):
        yield batch


def _staged(dest: Path, staged: list[tuple[Path, Path]]) -> Path:
    tmp = dest.with_name(f".{dest.name}.partial")
    staged.append((tmp, dest))
    return tmp


def _process_chunk(chunk: list[RawDocument], overrides: dict, scorers: list[str], tone_cols: list[str],
                   theme_cols: list[str], max_sentence_chars: int, themes=None, actors=None,
                   signatures: bool = False, dates: DateConfig = DateConfig(), languages: tuple | None = None,
                   ) -> tuple[dict[str, pd.DataFrame], np.ndarray | None, pd.DataFrame]:
    """The per-chunk work that needs no other chunk, as far as it goes: the three stages of
    :mod:`diplo.run.stages` in a row (see :func:`~diplo.run.stages.assemble_chunk` for what it returns).

    Runs in worker processes (``jobs > 1``, dask); only the order-dependent near-duplicate lookup and the
    writing stay in the parent.
    """
    prepared = prepare_chunk(chunk, overrides, max_sentence_chars=max_sentence_chars, dates=dates,
                             signatures=signatures)
    scored = score_prepared(prepared, scorers=scorers, themes=themes, actors=actors, languages=languages)
    return assemble_chunk(prepared, scored, tone_cols=tone_cols, theme_cols=theme_cols, languages=languages)


def _empty_sums(tone_cols: list[str]) -> dict[str, pd.DataFrame]:
    """The article-level sum tables of a corpus without articles: no rows, every column."""
    sums = [f"{c}__{k}" for c in tone_cols for k in ("sum", "count")]
    return {"tone_by_article": pd.DataFrame(columns=["doc_id", "n", *sums]),
            "theme_tone_by_article": pd.DataFrame(columns=["doc_id", "theme", "n", *sums]),
            "actor_tone_by_article": pd.DataFrame(columns=["doc_id", "actor", "direction", "n", *sums])}


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
                 progress: bool | None = None, languages: str | Sequence[str] | None = None,
                 outlet: str | None = None, dates: DateConfig | None = None, wait: bool = False,
                 cache: str | os.PathLike | bool | None = None) -> RunSummary:
    """Ingest, clean, segment and score every file in ``raw_dir``; write tables to ``out_dir``.

    Writes ``articles.parquet`` (+ ``.csv``), ``sentences.parquet``, ``removed.parquet``, the score
    tables, ``tone_by_date`` and ``tone_by_outlet`` (parquet + csv), ``manifest.csv``, ``rejected_rows.csv``,
    ``CODEBOOK.md`` and ``run.json`` (how the run was made, :mod:`diplo.run.provenance`; the only file with
    times).  Everything is written into a staging folder inside ``out_dir`` and published in one
    step only after the whole run succeeded (:mod:`diplo.run.publish`), so an interrupted run leaves the
    previous outputs intact and readers never see tables of two runs.  One run at a time writes a folder
    (:mod:`diplo.run.lock`).

    Parameters
    ----------
    columns : column mapping for tabular inputs (see :func:`diplo.io.raw.parse_columns`).
    limits : size limits (see :class:`diplo.io.raw.Limits`).
    near_duplicate_threshold : estimated Jaccard similarity for ``duplicate_of`` (see :mod:`diplo.text.dedupe`);
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
    wait : when another process writes ``out_dir``, wait for it instead of raising ``FolderBusy``.
    languages : ISO 639-1 codes to keep (``"en,fa"``); articles in other languages are left out, their
        files marked ``skipped`` in the manifest (tabular rows: listed in ``rejected_rows.csv``).  Default:
        keep all (articles not in English get no scores: NaN).
    outlet : folder default outlet (``--outlet``), below ``metadata.csv``, the page and the URL, above clues
        in the text (see :mod:`diplo.text.corpus`).
    dates : how printed dates are read (``--date-order``; see :class:`diplo.text.dates.DateConfig`).
    cache : keep what the run computed in a cache folder (``True``: ``OUT/.cache``; a path) and reuse it:
        only new or changed files are read and cleaned, and only the scoring parts whose dictionaries
        changed run again (see :mod:`diplo.run.cache`); outputs are the bytes of a run without it.  Needs
        the pandas engine.  Default: no cache (``diplo run`` uses ``OUT/.cache`` unless ``--no-cache``).

    Raises
    ------
    ValueError
        For an unknown engine, ``jobs`` or ``chunk_size`` below 1, an output folder inside the raw one, or a
        cache with the dask engine.
    diplo.run.lock.FolderBusy
        When another process is writing ``out_dir`` (and ``wait`` is false).
    diplo.run.publish.StorageError
        When the disk is full or writing fails (the staging folder is removed; the previous outputs stay).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINES)}")
    for name, value in (("jobs", jobs), ("chunk_size", chunk_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    if scheduler is not None and engine != "dask":
        raise ValueError(f"--scheduler {scheduler!r} needs engine 'dask', not {engine!r}")
    if cache not in (None, False) and engine != "pandas":
        raise ValueError(f"the run cache needs engine 'pandas', not {engine!r}; run without it (--no-cache)")
    started = datetime.datetime.now(datetime.timezone.utc)
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    check_outside_raw(raw_dir, output_folder=out_dir)
    scorers = list(scorers or available_scorers())
    # Validate the dictionaries before any output; workers get the sources (paths) and load them once each.
    theme_cols = theme_columns(load_themes(themes))
    load_actors(actors)
    tone_cols = tone_columns(scorers)
    limits = limits or Limits()
    languages = parse_languages(languages)
    dates = dates or DateConfig()
    overrides = metadata_overrides(load_metadata(raw_dir), default_outlet=outlet)
    file_languages = FileLanguages()
    manifest: list = []
    rejected_rows: list = []
    near_dups = NearDuplicateIndex(threshold=near_duplicate_threshold) if near_duplicate_threshold else None
    bar = _progress(progress, raw_dir)
    # the folder's lock, and a staging folder of this run's own; nothing may raise between here and `try`
    publication = Publication(out_dir, wait=wait)
    run_cache = None
    if cache not in (None, False):
        try:
            run_cache = RunCache(default_cache_dir(out_dir) if cache is True else cache, raw_dir, scorers=scorers,
                                 themes=themes, actors=actors, overrides=overrides,
                                 options={"columns": parse_columns(columns), "limits": limits},
                                 max_sentence_chars=limits.max_sentence_chars, dates=dates,
                                 signatures=near_dups is not None)
        except BaseException as exc:
            publication.abort(exc)
            raise
    documents = load_documents(raw_dir, manifest, rejected_rows, columns=columns, limits=limits, cache=run_cache)
    stage = publication.staging
    sinks = {name: TableSink(stage, name, csv=name == "articles") for name in OUTPUT_TABLES}
    token_index: TokenIndexWriter | None = TokenIndexWriter(stage)  # for `diplo kwic`, fed in output order
    staged: list[tuple[Path, Path]] = []
    dated: list[pd.DataFrame] = []
    n_articles = n_sentences = n_near = chunks_done = 0
    work = ((chunk, overrides, scorers, tone_cols, theme_cols, limits.max_sentence_chars, themes, actors,
             near_dups is not None, dates, languages) for chunk in _batched(documents, chunk_size))
    results: Iterator | None = None
    try:
        if run_cache is not None:
            # tables whose inputs did not change are taken over from the published generation, not written
            documents = run_cache.plan(documents, out_dir, chunk_size=chunk_size, tone_cols=tone_cols,
                                       theme_cols=theme_cols, languages=languages,
                                       near_duplicate_threshold=near_duplicate_threshold)
            sinks = {name: sink for name, sink in sinks.items() if name not in run_cache.reused}
            token_index = None if "token_index" in run_cache.reused else token_index
            run_cache.take_over(sinks)  # and the leading chunks of the others that did not change
            results = run_cache.chunks(documents, chunk_size=chunk_size, tone_cols=tone_cols, theme_cols=theme_cols,
                                       languages=languages, mapper=lambda func, args: map_ordered(func, args, jobs))
        elif engine == "dask":
            results = dask_chunks(_process_chunk, work, stage, jobs=jobs, scheduler=scheduler)
        else:
            results = map_ordered(_process_chunk, work, jobs)
        for tables, signatures, sums in results:
            articles = tables["articles"]
            if near_dups is not None:
                articles["duplicate_of"] = near_dups.add(articles["doc_id"], signatures=signatures)
            n_near += int(articles["duplicate_of"].notna().sum())
            for name, sink in sinks.items():
                if name not in tables.get("taken", ()):  # else copied from the published file
                    sink.write(tables[name])
            if token_index is not None and tables.get("tokens") is not None:  # tokenized by the workers
                token_index.add_tokens(tables["tokens"])
            elif token_index is not None:
                token_index.add(tables["sentences"]["text"])
            # kept for tone_by_date/outlet until the end: per-article sums and counts (one row per article,
            # all the cluster bootstrap over articles needs), not every sentence
            dated.append(sums)
            file_languages.add(articles, tables["skipped"])
            n_articles += len(articles)
            n_sentences += len(tables["sentences"])
            if bar is not None:
                bar.update(len(articles))
            del tables, articles, sums  # before trimming: the chunk's tables are garbage now
            chunks_done += 1
            if chunks_done % TRIM_EVERY == 0:
                return_free_memory()
        empties = {"articles": pd.DataFrame(columns=ARTICLE_COLUMNS), "removed": pd.DataFrame(columns=REMOVED_COLUMNS),
                   "sentences": pd.DataFrame(columns=SENTENCE_COLUMNS), **_empty_sums(tone_cols)}
        for name, sink in sinks.items():
            sink.close(empties.get(name, pd.DataFrame({"doc_id": pd.Series(dtype=object)})))
        if token_index is not None:
            token_index.close()
        grouped = (pd.concat(dated, ignore_index=True) if dated else
                   sum_by_cluster(pd.DataFrame(columns=["doc_id", *tone_cols]), tone_cols).assign(date=None, outlet=None))
        for key in ("date", "outlet"):
            groups = grouped[grouped[key].notna() & (grouped[key].astype(str) != "")]
            table = (aggregate_sums(groups, key, tone_cols) if run_cache is None
                     else run_cache.aggregate_sums(groups, key, tone_cols))
            write_table(table, _staged(stage / f"tone_by_{key}.parquet", staged))
            write_csv(table, _staged(stage / f"tone_by_{key}.csv", staged))
        rejected_rows.extend(file_languages.apply(manifest, languages))
        # column by column: a dict per row would be a transient ~1 KB per file (a GB for a million files)
        manifest_df = pd.DataFrame({c: [getattr(r, c) for r in manifest] for c in MANIFEST_COLUMNS},
                                   columns=MANIFEST_COLUMNS)
        manifest_path = _staged(stage / "manifest.csv", staged)
        write_csv(manifest_df, manifest_path)
        rejected_df = pd.DataFrame({c: [getattr(r, c) for r in rejected_rows] for c in REJECTED_ROW_COLUMNS},
                                   columns=REJECTED_ROW_COLUMNS)
        write_csv(rejected_df, _staged(stage / "rejected_rows.csv", staged))
        # run.json (the one file with times) and CODEBOOK.md naming the dictionaries by hash
        write_provenance(_staged(stage / RUN_RECORD, staged), _staged(stage / "CODEBOOK.md", staged),
                         raw_dir=raw_dir, scorers=scorers, themes=themes, actors=actors, manifest=manifest_path,
                         options={"chunk_size": chunk_size, "columns": columns, "limits": limits,
                                  "near_duplicate_threshold": near_duplicate_threshold, "jobs": jobs,
                                  "engine": engine, "scheduler": scheduler, "languages": languages,
                                  "outlet": outlet, "dates": dates},
                         counts={"n_files": len(manifest_df), "n_articles": n_articles, "n_sentences": n_sentences,
                                 "n_rejected_rows": len(rejected_df), "n_near_duplicates": n_near},
                         started=started)
        for sink in sinks.values():
            sink.commit()
        if run_cache is not None:
            run_cache.link_outputs(stage, sinks)
        for tmp, dest in staged:
            os.replace(tmp, dest)
    except BaseException as exc:
        try:
            if bar is not None:
                bar.close()
            if hasattr(results, "close"):  # stop the workers now, not when the traceback is freed
                results.close()
            for sink in sinks.values():
                sink.abort()
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
        finally:
            if run_cache is not None:
                if is_storage_error(exc):
                    run_cache.discard()
                run_cache.close()
            publication.abort(exc)  # the staging folder and the lock go; a full disk is raised as StorageError
        raise
    if bar is not None:
        bar.close()
    # Everything is complete on disk: only now replace the previous outputs, all at once.
    try:
        generation = publication.publish()
    except BaseException:
        if run_cache is not None:
            run_cache.close()
        raise
    if run_cache is not None:  # the cache's index names this run's files only once their outputs are out
        try:
            run_cache.commit(generation)
        except OSError as exc:
            log.warning("the run cache in %s was not updated (%s); the next run recomputes more", run_cache.folder, exc)
        finally:
            run_cache.close()
        log.info("run cache %s: %s", run_cache.folder, run_cache.stats)
    status = manifest_df["status"].value_counts()
    articles = pd.read_parquet(out_dir / "articles.parquet", columns=["language", "date_source", "outlet",
                                                                      "outlet_source"])
    summary = summarize_ingest(articles, manifest_df)
    counts = {what: dict(zip(group["value"], group["n"].tolist())) for what, group in summary.groupby("what", sort=False)}
    notes = ingest_notes(articles)
    for note in notes:
        log.warning("%s", note)
    return RunSummary(out_dir, len(manifest_df), int(status.get("ok", 0)), int(status.get("rejected", 0)),
                      int(status.get("duplicate", 0)), n_articles, n_sentences,
                      int(manifest_df["n_rows"].sum()), len(rejected_df), n_near, int(status.get("skipped", 0)),
                      counts, tuple(notes), None if run_cache is None else dict(run_cache.stats))


