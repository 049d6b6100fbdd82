"""Output tables an incremental run takes over from the published generation instead of writing them again.

Each output table (the token index counts as one: its two files) gets a **key**: a hash of what decides its
bytes, i.e. the cache stages feeding it (the text stage always, and the score parts in :data:`OUTPUT_PARTS`),
the run's documents in order, the options that shape assembly (chunk size, tone and theme columns, languages,
the near-duplicate threshold for ``articles``) and diplo's code.  :class:`OutputPlan` keys the tables of a
run whose documents are known before it starts (every file recalled from the cache), compares the keys with
those recorded for the published files (:meth:`OutputPlan.recorded`, kept in the cache's index), checks those
files' size and SHA-256, and hard-links the ones that match into the new generation (:meth:`OutputPlan.link`).

A run whose documents start as the last run's did (files added after the old ones: the usual case) takes over
**chunks**: each streamed table's output chunk gets a key too (its stages, the options, the code, and the
keys of the chunks before it), recorded with its row count and, for ``articles.csv``, the byte offset where
its rows end.  The leading chunks whose key matches are copied from the published files (parquet row group by
row group at the Arrow level into the run's writer, the CSV by byte range: :meth:`TableSink.take_over
<diplo.io.outputs.TableSink.take_over>`), never assembled again; of them the run reads only what later chunks
and the whole-run tables need (:class:`LightSegment`, :func:`light_chunk`).
:mod:`diplo.run.cache` drives it.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from diplo.io.generation import CURRENT_LINK, GENERATION_FILE
from diplo.io.outputs import TableSink
from diplo.io.paths import file_sha256
from diplo.run.cache_store import CacheCorrupt, digest, read_stage
from diplo.run.stages import concat_scored
from diplo.scoring.token_index import SentenceTokens

__all__ = ["OUTPUT_FILES", "OUTPUT_PARTS", "TOKEN_TABLES", "NO_TOKENS", "OutputPlan", "ChunkCopy", "LightSegment",
           "light_chunk"]

# The output files a run can take over from the published generation, per table (the token index: one unit),
# and the score parts each depends on besides the text stage.
OUTPUT_FILES = {"articles": ("articles.parquet", "articles.csv"),
                "token_index": ("token_vocabulary.parquet", "token_postings.parquet"),
                **{name: (f"{name}.parquet",) for name in ("sentences", "removed", "sentence_scores", "evidence",
                                                         "theme_hits", "actor_mentions", "tone_by_article",
                                                         "theme_tone_by_article", "actor_tone_by_article")}}
OUTPUT_PARTS = {"sentences": (), "removed": (), "token_index": (), "evidence": ("tone",),
                "actor_mentions": ("tone",), "tone_by_article": ("tone",), "actor_tone_by_article": ("tone",),
                "theme_hits": ("themes",), "sentence_scores": ("tone", "themes"),
                "theme_tone_by_article": ("tone", "themes"), "articles": ("tone", "themes")}
TOKEN_TABLES = ("token_terms", "tokens", "token_counts")  # the sentences' SentenceTokens in the text stage
NO_TOKENS = dict.fromkeys(TOKEN_TABLES)  # read_stage(leave_out=): what scoring does not read


class OutputPlan:
    """The output tables of one run: their keys, and those taken over from the published generation.

    Parameters
    ----------
    cache_format : the cache's layout version (part of every key).
    code : the digest of diplo's code that assembles and writes outputs.
    text_key : the key of the text stage's options.
    names : ``{part: stage name}`` of the run's score parts (their dictionaries' keys).
    recorded : ``{file: (key, bytes, sha256)}`` of the published files, as the last run recorded them.
    """

    def __init__(self, *, cache_format: int, code: str, text_key: str, names: dict[str, str],
                 recorded: dict[str, tuple]) -> None:
        self._format, self._code, self._text_key, self._names = cache_format, code, text_key, names
        self._recorded = recorded
        self.options: dict | None = None  # the assembly options, once the run's are known
        self.planned: list | None = None  # the run's order of documents, when known before it starts
        self.reused: dict[str, list[Path]] = {}  # table -> the published files this run takes over
        self.spans: list[tuple] = []  # the run's leading chunks known before it starts ((segment, lo, n) pieces)
        self.copies: dict[str, ChunkCopy] = {}  # table -> its leading chunks copied from the published files
        self._written: dict[str, list] = {}  # table -> (rows, CSV end) of each chunk this run wrote

    def set_options(self, *, chunk_size: int, tone_cols: list[str], theme_cols: list[str], languages: tuple | None,
                    near_duplicate_threshold: float | None) -> None:
        """The run's assembly options (what every key includes)."""
        self.options = {"chunk_size": chunk_size, "tone_cols": list(tone_cols), "theme_cols": list(theme_cols),
                        "languages": languages, "near_duplicate_threshold": near_duplicate_threshold}

    def choose(self, planned: list, out_dir: str | os.PathLike) -> dict[str, list[Path]]:
        """Take over the published tables whose key, for the run's documents ``planned`` (``[segment, first
        position, n]`` pieces in order), is the recorded one; returns (and keeps) ``{table: files}``."""
        self.planned = planned
        self.reused = self._published_files(Path(out_dir), self.keys(planned))
        return self.reused

    def leave_out(self) -> dict:
        """What of each stage (``{"text" | part: read_stage's leave_out}``) the run need not decode: the
        sentences' tokens when the token index is taken over, their texts too when the sentences are, the
        evidence but its doc_id when the evidence table is."""
        reused = self.reused
        text = {**(NO_TOKENS if "token_index" in reused else {}),
                **({"sentences": ["text"]} if {"token_index", "sentences"} <= set(reused) else {})}
        return {"text": text, "tone": {"evidence": ["*", "doc_id"]} if "evidence" in reused else {}}

    def keys(self, order: list) -> dict[str, str]:
        """The key of each table's files for the documents ``order``: what decides their bytes."""
        opts = self.options
        keys = {}
        for table, parts in OUTPUT_PARTS.items():
            threshold = opts["near_duplicate_threshold"] if table == "articles" else None
            keys[table] = digest("outputs", self._format, table, self._code, self._text_key,
                                 [self._names[part] for part in parts], opts["chunk_size"], opts["tone_cols"],
                                 opts["theme_cols"], opts["languages"], threshold, order)[:32]
        return keys

    def _published_files(self, out_dir: Path, keys: dict[str, str]) -> dict[str, list[Path]]:
        """The tables whose key is the one recorded for the published files, and whose files have the recorded
        size and SHA-256 (a file damaged or replaced since is never taken over)."""
        link = out_dir / CURRENT_LINK
        if not link.is_symlink():
            return {}
        generation = out_dir / os.readlink(link)
        found = {}
        for table, names in OUTPUT_FILES.items():
            paths = []
            for name in names:
                old, path = self._recorded.get(name), generation / name
                try:
                    ok = (old is not None and old[0] == keys[table] and not path.is_symlink()
                          and path.stat().st_size == old[1] and file_sha256(path) == old[2])
                except OSError:
                    ok = False
                if not ok:
                    break
                paths.append(path)
            else:
                found[table] = paths
        return found

    def link(self, staging: str | os.PathLike, order: list | None) -> None:
        """Put the files of the :attr:`reused` tables into the run's ``staging`` folder (hard links, or copies).

        Raises
        ------
        RuntimeError
            If the run's documents (``order``) turned out other than planned (the files taken over would be
            wrong).
        """
        if not self.reused:
            return
        if order != self.planned:
            raise RuntimeError("the run's documents changed while it ran; run diplo run again")
        for paths in self.reused.values():
            for path in paths:
                dest = Path(staging) / path.name
                try:
                    os.link(path, dest)
                except OSError:
                    shutil.copyfile(path, dest)

    def chunk_keys(self, table: str, spans: list) -> list[str]:
        """The key of each chunk of ``table`` for the chunks ``spans`` (``[(segment, lo, n), ...]`` each, in
        order): what decides the chunk's rows, including every chunk before it (an article's ``duplicate_of``
        looks back at all earlier articles)."""
        opts = self.options
        threshold = opts["near_duplicate_threshold"] if table == "articles" else None
        key = digest("chunk", self._format, table, self._code, self._text_key,
                     [self._names[part] for part in OUTPUT_PARTS[table]], opts["chunk_size"], opts["tone_cols"],
                     opts["theme_cols"], opts["languages"], threshold)
        keys = []
        for span in spans:
            key = digest(key, [list(piece) for piece in span])[:32]
            keys.append(key)
        return keys

    def choose_chunks(self, spans: list, out_dir: str | os.PathLike) -> dict[str, ChunkCopy]:
        """Plan the copy of each streamed table's leading chunks (of ``spans``, the run's chunks known before it
        starts) whose key is the one recorded for the published file, when that file still has the recorded
        size and SHA-256 and its row groups hold the recorded rows; returns (and keeps) ``{table: copy}``."""
        self.spans = [tuple(tuple(piece) for piece in span) for span in spans]
        self.copies = {}
        link = Path(out_dir) / CURRENT_LINK
        if not spans or not link.is_symlink():
            return self.copies
        generation = Path(out_dir) / os.readlink(link)
        for table, names in OUTPUT_FILES.items():
            if table == "token_index" or table in self.reused:
                continue
            copy = self._chunk_copy(table, names, generation, self.chunk_keys(table, spans))
            if copy is not None:
                self.copies[table] = copy
        return self.copies

    def _chunk_copy(self, table: str, names: tuple, generation: Path, keys: list[str]) -> ChunkCopy | None:
        old = self._recorded.get(names[0])
        chunks = _chunk_records(old)
        n = 0
        while n < min(len(keys), len(chunks)) and chunks[n][0] == keys[n]:
            n += 1
        if not n:
            return None
        paths = []
        for name in names:
            rec, path = self._recorded.get(name), generation / name
            try:
                if (rec is None or _chunk_records(rec) != chunks or path.is_symlink()
                        or path.stat().st_size != rec[1] or file_sha256(path) != rec[2]):
                    return None
            except OSError:
                return None
            paths.append(path)
        row_groups = _row_groups(paths[0], [rows for _, rows, _ in chunks[:n]])
        if row_groups is None:
            return None
        csv_end = chunks[n - 1][2] if len(paths) > 1 else None
        if len(paths) > 1 and not isinstance(csv_end, int):
            return None
        return ChunkCopy(n, paths[0], row_groups, paths[1] if len(paths) > 1 else None, csv_end,
                         [(rows, end) for _, rows, end in chunks[:n]])

    def take_over(self, sinks: dict[str, TableSink]) -> None:
        """Start each sink of a table in :attr:`copies` with its copied chunks (a sink that cannot take them,
        e.g. another column layout, writes them itself: its copy is dropped)."""
        for table in list(self.copies):
            copy, sink = self.copies[table], sinks.get(table)
            if sink is None or not sink.take_over(copy.parquet, copy.row_groups, csv=copy.csv,
                                                  csv_bytes=copy.csv_bytes, chunks=copy.chunks):
                del self.copies[table]

    def light_chunks(self, tables) -> int:
        """How many leading chunks every one of ``tables`` (the run's sinks) copies: those need not be assembled."""
        return min((self.copies[t].n if t in self.copies else 0 for t in tables), default=0)

    def written(self, sinks: dict[str, TableSink]) -> None:
        """Note the chunks each sink wrote (its rows and CSV offsets), for :meth:`recorded`."""
        self._written = {table: list(sink.chunks) for table, sink in sinks.items()}

    def recorded(self, generation: str | os.PathLike | None, order: list | None,
                 spans: list | None = None) -> list[tuple]:
        """``(file, key, bytes, sha256, chunks)`` of the output files of ``generation`` (its ``generation.json``),
        made from the documents ``order`` cut into the chunks ``spans``: what the cache's index records for the
        next run (``chunks``: JSON ``[[key, rows, CSV end], ...]`` of a streamed table's chunks, or "")."""
        if generation is None or order is None or self.options is None:
            return []
        try:
            record = json.loads((Path(generation) / GENERATION_FILE).read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return []
        keys = self.keys(order)
        out = []
        for table, names in OUTPUT_FILES.items():
            chunks = ""
            if spans is not None and table != "token_index":
                marks = (self._written.get(table) if table not in self.reused else
                         [(rows, end) for _, rows, end in _chunk_records(self._recorded.get(names[0]))])
                if marks is not None and len(marks) == len(spans) and spans:
                    chunks = json.dumps([[key, int(rows), end] for key, (rows, end)
                                         in zip(self.chunk_keys(table, spans), marks)])
            out.extend((name, keys[table], int(record[name]["bytes"]), record[name]["sha256"], chunks)
                       for name in names if name in record)
        return out


@dataclass(frozen=True)
class ChunkCopy:
    """The leading chunks of one table copied from its published files.

    Attributes
    ----------
    n : chunks copied.
    parquet, row_groups : the published parquet file and how many of its row groups hold them.
    csv, csv_bytes : the published CSV twin (or None) and how many of its bytes (header included) hold them.
    chunks : ``(rows, CSV end)`` of each copied chunk (what the next run's record of them says).
    """

    n: int
    parquet: Path
    row_groups: int
    csv: Path | None
    csv_bytes: int | None
    chunks: list


def _chunk_records(rec: tuple | None) -> list:
    """The ``[[key, rows, CSV end], ...]`` chunks of a recorded output file (none for an older index)."""
    if rec is None or len(rec) < 4 or not isinstance(rec[3], str) or not rec[3]:
        return []
    try:
        chunks = json.loads(rec[3])
    except ValueError:
        return []
    ok = isinstance(chunks, list) and all(isinstance(c, list) and len(c) == 3 and isinstance(c[1], int)
                                         for c in chunks)
    return chunks if ok else []


def _row_groups(path: Path, rows: list[int]) -> int | None:
    """How many leading row groups of the parquet file ``path`` hold chunks of ``rows`` rows (every written
    chunk makes one row group, or several when it is longer than the writer's row group size; an empty one
    makes an empty row group); None when the file's row groups do not add up to them."""
    try:
        meta = pq.ParquetFile(path).metadata
    except Exception:  # a damaged footer: never copied
        return None
    group = 0
    for want in rows:
        got = None
        while got is None or got < want:
            if group >= meta.num_row_groups:
                return None
            got = (got or 0) + meta.row_group(group).num_rows
            group += 1
            if want == 0:
                break
        if got != want:
            return None
    return group


# What a run reads of the articles whose output rows it copies: near-duplicate lookups of later articles,
# the per-article sums behind tone_by_date/tone_by_outlet, the files' languages, the counts, the token index.
_LIGHT_ARTICLES = ("doc_id", "source_file", "language", "language_confidence", "date", "outlet", "duplicate_of")
_SKIPPED = ["doc_id", "source_file", "language"]


class LightSegment:
    """What a run needs of a cached segment whose output rows it copies (:attr:`OutputPlan.copies`): the
    articles' identity, language, date and outlet, the sentences' doc_ids, the MinHash signatures, the
    sentences' tokens (when the run builds the token index) and the tone part's ``tone_by_article`` sums;
    no text and no score table is decoded.

    Parameters
    ----------
    text, tone : the segment's text stage and tone stage folders.
    tokens : read the sentences' tokens.

    Raises
    ------
    diplo.run.cache_store.CacheCorrupt
        When a stage cannot be read, its bytes do not match, or its tables do not line up.
    """

    def __init__(self, text: Path, tone: Path, *, tokens: bool) -> None:
        leave_out = {"articles": ["*", *_LIGHT_ARTICLES], "sentences": ["*", "doc_id"], "removed": None,
                     **({} if tokens else NO_TOKENS)}
        stage = read_stage(text, leave_out=leave_out)[0]
        try:
            stems = [name.rsplit(".", 1)[0] for name in json.loads((tone / "stage.json").read_text())["files"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CacheCorrupt(f"{tone}: cannot be read ({exc})") from exc
        scores = read_stage(tone, leave_out={stem: None for stem in stems if stem != "tone_by_article"})[0]
        self.articles, self.sentences = stage["articles"], stage["sentences"]
        self.signatures = stage.get("signatures")
        self.tokens = None
        if tokens and "tokens" in stage:
            self.tokens = SentenceTokens(stage["token_terms"]["term"].tolist(), stage["tokens"]["id"].to_numpy(),
                                         stage["token_counts"]["n"].to_numpy())
        self.sums = scores.get("tone_by_article")
        if self.sums is None:
            raise CacheCorrupt(f"{tone}: no tone_by_article table")
        if self.signatures is not None and len(self.signatures) != len(self.articles):
            raise CacheCorrupt(f"{text}: signatures and articles do not line up")
        if self.tokens is not None and len(self.tokens) != len(self.sentences):
            raise CacheCorrupt(f"{text}: the sentences' tokens and the sentences do not line up")
        index = pd.Index(self.articles["doc_id"])
        self._n = len(index)
        self._pos = {}
        for name, table in (("sentences", self.sentences), ("sums", self.sums)):
            pos = index.get_indexer(table["doc_id"])
            if len(pos) and pos.min() < 0:
                raise CacheCorrupt(f"{text.parent}: a cached table names an article its segment does not hold")
            self._pos[name] = pos

    def take(self, lo: int, hi: int) -> dict:
        """Documents ``lo..hi-1`` (segment positions): ``articles``, ``sentences``, ``signatures``, ``tokens``,
        ``sums`` (rows in order)."""
        whole = lo == 0 and hi == self._n

        def rows(table: pd.DataFrame, name: str):
            pos = self._pos[name]
            return table if whole else table[(pos >= lo) & (pos < hi)]

        tokens = self.tokens
        if tokens is not None and not whole:
            pos = self._pos["sentences"]
            tokens = tokens.take((pos >= lo) & (pos < hi))
        return {"articles": self.articles.iloc[lo:hi], "sentences": rows(self.sentences, "sentences"),
                "signatures": None if self.signatures is None else self.signatures[lo:hi], "tokens": tokens,
                "sums": rows(self.sums, "sums")}


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    return tables[0].reset_index(drop=True) if len(tables) == 1 else pd.concat(tables, ignore_index=True)


def _only(table: pd.DataFrame, doc_ids: pd.Series) -> pd.DataFrame:
    keep = table["doc_id"].isin(doc_ids)
    return table if keep.all() else table[keep].reset_index(drop=True)


def light_chunk(pieces: list[dict], *, languages: tuple | None,
                ) -> tuple[dict[str, pd.DataFrame], np.ndarray | None, pd.DataFrame]:
    """A copied chunk's ``(tables, signatures, sums)`` from its :meth:`LightSegment.take` pieces, as
    :func:`diplo.run.stages.assemble_chunk` gives them but for the output tables themselves: ``articles``
    (the :data:`_LIGHT_ARTICLES` columns) and ``sentences`` (doc_id) of the kept articles, ``skipped``,
    ``tokens``; the same signatures and per-article sums."""
    articles = _concat([p["articles"] for p in pieces])
    sentences = _concat([p["sentences"] for p in pieces])
    sigs = [p["signatures"] for p in pieces]
    sigs = None if any(s is None for s in sigs) else np.concatenate(sigs)
    tokens = [p["tokens"] for p in pieces]
    tokens = None if any(t is None for t in tokens) else SentenceTokens.concat(tokens)
    tone_sums = concat_scored([{"tone_by_article": p["sums"]} for p in pieces])["tone_by_article"]
    skipped = articles.iloc[:0][_SKIPPED]
    if languages:
        keep = articles["language"].isin(languages)
        skipped = articles.loc[~keep, _SKIPPED]
        if len(skipped):
            kept_ids = articles.loc[keep, "doc_id"]
            if tokens is not None:
                tokens = tokens.take(sentences["doc_id"].isin(kept_ids).to_numpy())
            articles, sentences, tone_sums = (_only(t, kept_ids) for t in (articles, sentences, tone_sums))
            sigs = None if sigs is None else sigs[keep.to_numpy()]
    sums = tone_sums.merge(articles[["doc_id", "date", "outlet"]], on="doc_id")
    return {"articles": articles, "sentences": sentences, "skipped": skipped, "tokens": tokens}, sigs, sums
