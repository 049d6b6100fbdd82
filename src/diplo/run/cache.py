"""Incremental runs: a content-addressed cache of what ``diplo run`` computed, so a rerun redoes only what changed.

The cache (``OUT/.cache/`` by default, ``diplo run --cache DIR``) holds **segments**: the documents of one
batch of consecutive new files, prepared and scored by the run's own stage functions
(:mod:`diplo.run.stages`).  A segment keeps its stages apart, each under a key of what shaped it:

- ``text/``: the prepared ``articles`` (before scores), ``sentences``, ``removed``, the MinHash signatures and
  the sentences' tokens for the token index (:class:`~diplo.scoring.token_index.SentenceTokens`);
  the segment's name is a hash of its documents (bytes, name, doc_id, ``metadata.csv`` row), the loader and
  cleaning options and the code of :mod:`diplo.io` and :mod:`diplo.text`;
- ``tone-<key>/``: the ``tone`` part of the scores (tone columns, ``evidence``, actor columns and
  ``actor_mentions``); keyed by the tone scorers (a lexicon's content), the actors file and the scoring code;
- ``themes-<key>/``: the ``themes`` part (``theme_*`` columns, ``theme_hits``); keyed by the themes file and
  the scoring code;
- ``mix-<key>/``: the per-article tables made of both parts (theme measures, ``theme_tone_by_article``); keyed
  by the two parts' keys.  The tone part keeps its own per-article tables (tone means, ``tone_by_article``,
  ``actor_tone_by_article``): :data:`diplo.run.stages.ARTICLE_TABLES`.  All are computed where the scores are,
  in the workers, so a themes edit reuses every per-article table of the tone part.

An index maps each file (name, size, mtime, inode -> SHA-256; then its key) to what reading it found (its
manifest row, rejected rows, doc_id stem) and to the segment rows holding its articles.  A rerun reads only
new or changed files; a themes edit reruns only the theme scorer over the cached sentences, a lexicon or
actors edit the tone part.  Outputs are then assembled chunk by chunk exactly as a fresh run cuts them
(chunks of ``chunk_size`` documents in input order) by the fresh run's own :func:`~diplo.run.stages.assemble_chunk`,
so every table has the bytes of a fresh run.  What depends on other articles is computed afresh every run
from the cached pieces: near-duplicates (from the signatures, in the parent), the per-chunk sums and sort
orders, ``tone_by_date``/``tone_by_outlet`` (kept only under a hash of the per-article sums they come from).

An output table whose inputs did not change (the same stages in the same order, the same options and
code: after a themes edit, the sentences, the token index and the tone tables) is not written again: the
file of the published generation is hard-linked into the new one, once its size and SHA-256 are checked
against what the index recorded when it was published (:meth:`RunCache.plan`, :mod:`diplo.run.takeover`).
When files are added after the old ones, each streamed table's leading chunks that did not change are copied
from the published files the same way, and only the rest is assembled and written (:meth:`RunCache.take_over`).

Safety: every stage is written under a temporary name, with the SHA-256 of each of its files, and renamed into
place (:mod:`diplo.run.cache_store`); a stage that is missing, partly written or whose bytes do not match is
recomputed (from the raw file when its text stage is damaged).  The index is replaced only after the run's
outputs are published (:meth:`RunCache.commit`).  Runs sharing a cache folder hold a shared lock; garbage
collection (segments no file uses any more, stages of other dictionaries) runs only under an exclusive lock,
taken without waiting.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import itertools
import json
import logging
import os
import shutil
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from diplo.analysis.aggregate import aggregate_sums
from diplo.io.raw import ManifestRow, RawDocument, ReadRecord, ReusedFile
from diplo.run.cache_store import (CacheCorrupt, code_digests, digest, file_digest, read_stage, scorer_fingerprint,
                                   stage_ok, write_stage)
from diplo.run.stages import (ARTICLE_TABLES, PreparedChunk, assemble_chunk, concat_prepared, concat_scored,
                              prepare_chunk, score_prepared, theme_article_tables, tone_article_tables)
from diplo.run.takeover import NO_TOKENS, LightSegment, OutputPlan, light_chunk
from diplo.scoring.score import SCORE_PARTS
from diplo.scoring.session import ScoringSession
from diplo.scoring.token_index import SentenceTokens
from diplo.text.dates import DateConfig

__all__ = ["CACHE_DIR", "CACHE_FORMAT", "RunCache", "CacheCorrupt", "default_cache_dir"]

log = logging.getLogger(__name__)

CACHE_DIR = ".cache"
CACHE_FORMAT = 4  # bump when the layout of the cache changes
_INDEX_POINTER = "INDEX"
_MANIFEST_FIELDS = tuple(f.name for f in fields(ManifestRow))[1:]  # as ReadRecord.manifest holds them


def default_cache_dir(out_dir: str | os.PathLike) -> Path:
    """``OUT/.cache``: where ``diplo run`` keeps its cache unless told otherwise."""
    return Path(out_dir) / CACHE_DIR


def _flock(fh, *, shared: bool, wait: bool = True) -> bool:
    """Lock ``fh`` (shared or exclusive); False when ``wait`` is off and another process holds it."""
    import fcntl

    try:
        fcntl.flock(fh, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


# ------------------------------------------------------------------------------------- worker functions

@dataclass(frozen=True)
class _Config:
    """What workers need to compute stages (picklable)."""

    root: str
    overrides: dict
    scorers: tuple
    themes: Any
    actors: Any
    max_sentence_chars: int
    dates: DateConfig
    signatures: bool
    text_key: str
    keys: tuple  # ((part, key), ...) for SCORE_PARTS
    tone_cols: tuple = ()  # the run's, for the per-article tables (set by RunCache.chunks)
    theme_cols: tuple = ()


_SESSION: dict[tuple, ScoringSession] = {}


def _session(cfg: _Config) -> ScoringSession:
    """One scoring session per process and dictionary content: a process that scored with a file (a notebook
    kernel, a pool worker) must not reuse the scorers it built from that path before the file was edited."""
    key = (str(cfg.themes), str(cfg.actors), cfg.keys)
    if key not in _SESSION:
        _SESSION.clear()
        _SESSION[key] = ScoringSession()
    return _SESSION[key]


def _stage_names(cfg: _Config) -> dict[str, str]:
    """``{part: stage}`` for SCORE_PARTS and ``mix`` (the per-article tables of both parts)."""
    names = {part: f"{part}-{key}" for part, key in cfg.keys}
    return {**names, "mix": f"mix-{digest(*names.values())[:24]}"}


# read_stage(leave_out=) of a score stage: all but its sentence_scores
_SCORES_ONLY = dict.fromkeys(("evidence", "actor_mentions", "theme_hits", *ARTICLE_TABLES["tone"]))


def _score_stages(folder: Path, prepared: PreparedChunk, parts: Sequence[str], cfg: _Config) -> dict:
    """Score ``prepared`` for ``parts`` (every scored-language sentence: the run's language filter applies at
    assembly) and write each part's stage (the tone part with its per-article tables); returns the tables."""
    if not parts:
        return {}
    scored = score_prepared(prepared, parts=parts, scorers=list(cfg.scorers), themes=cfg.themes,
                            actors=cfg.actors, session=_session(cfg))
    if "tone" in scored:
        scored["tone"] = {**scored["tone"], **tone_article_tables(prepared.articles, scored["tone"],
                                                                 tone_cols=list(cfg.tone_cols))}
    names = _stage_names(cfg)
    for part, tables in scored.items():
        write_stage(folder / names[part], tables)
    return scored


def _mix_stage(folder: Path, scored: dict, cfg: _Config) -> None:
    """Write the segment's ``mix`` stage from the sentence scores of both parts (``scored``'s, else its stages')."""
    names = _stage_names(cfg)
    scores = {part: scored[part]["sentence_scores"] if part in scored else
              read_stage(folder / names[part], leave_out=_SCORES_ONLY)[0]["sentence_scores"] for part in SCORE_PARTS}
    write_stage(folder / names["mix"], theme_article_tables(scores["tone"], scores["themes"],
                                                           tone_cols=list(cfg.tone_cols),
                                                           theme_cols=list(cfg.theme_cols)))


def _prepared(text: dict[str, Any]) -> PreparedChunk:
    sigs = text.get("signatures")
    tokens = None
    if "tokens" in text:
        tokens = SentenceTokens(text["token_terms"]["term"].tolist(), text["tokens"]["id"].to_numpy(),
                                text["token_counts"]["n"].to_numpy())
    return PreparedChunk(text["articles"], text["sentences"], text["removed"], sigs, tokens)


def _text_tables(prepared: PreparedChunk) -> dict[str, pd.DataFrame]:
    """The tables of a segment's text stage."""
    tokens = prepared.tokens
    return {"articles": prepared.articles, "sentences": prepared.sentences, "removed": prepared.removed,
            "token_terms": pd.DataFrame({"term": pd.Series(tokens.terms, dtype=object)}),
            "tokens": pd.DataFrame({"id": tokens.ids.astype(np.int32)}),
            "token_counts": pd.DataFrame({"n": tokens.counts.astype(np.int32)})}


def _compute_new(docs: list[RawDocument], cfg: _Config) -> str:
    """A batch of new documents -> a segment with every stage; returns its id (its content's hash)."""
    seg_id = digest("segment", cfg.text_key,
                    [(d.doc_id, d.source_file, hashlib.sha256(d.text.encode("utf-8", "surrogatepass")).hexdigest(),
                      d.format, d.meta, d.meta_source, cfg.overrides.get(d.source_file)) for d in docs])[:32]
    folder = Path(cfg.root) / "segments" / seg_id
    names = _stage_names(cfg)
    ok = {stage: stage_ok(folder / stage, verify=True) for stage in ("text", *names.values())}
    for stage, good in ok.items():  # only damaged or missing stages: another run may be reading the rest
        if not good:
            shutil.rmtree(folder / stage, ignore_errors=True)
    if all(ok.values()):  # e.g. written by a run that failed later
        return seg_id
    if ok["text"]:
        prepared = _prepared(read_stage(folder / "text", leave_out=NO_TOKENS)[0])
    else:
        prepared = prepare_chunk(docs, cfg.overrides, max_sentence_chars=cfg.max_sentence_chars, dates=cfg.dates,
                                 signatures=cfg.signatures)
        arrays = {} if prepared.signatures is None else {"signatures": prepared.signatures}
        write_stage(folder / "text", _text_tables(prepared), arrays)
    scored = _score_stages(folder, prepared, [part for part in SCORE_PARTS if not ok[names[part]]], cfg)
    if not ok[names["mix"]]:
        _mix_stage(folder, scored, cfg)
    return seg_id


def _complete(seg_ids: list[str], cfg: _Config) -> list[str]:
    """Compute the score stages (and per-article tables) the run's dictionaries need and cached segments lack;
    returns ``seg_ids``."""
    names = _stage_names(cfg)
    for seg_id in seg_ids:
        folder = Path(cfg.root) / "segments" / seg_id
        parts = [part for part in SCORE_PARTS if not stage_ok(folder / names[part])]
        scored = {}
        if parts:
            scored = _score_stages(folder, _prepared(read_stage(folder / "text", leave_out=NO_TOKENS)[0]), parts,
                                   cfg)
        if not stage_ok(folder / names["mix"]):
            _mix_stage(folder, scored, cfg)
    return seg_ids


def _work(kind: str, payload: Any, cfg: _Config) -> tuple[str, Any]:
    if kind == "new":
        return kind, _compute_new(payload, cfg)
    return kind, _complete(payload, cfg)


# ----------------------------------------------------------------------------------------- the cache

class _Segment:
    """A loaded segment: its prepared tables and score parts, with each row's document position (``pos``)."""

    def __init__(self, folder: Path, names: dict[str, str], leave_out: dict | None = None) -> None:
        leave_out = leave_out or {}
        text = read_stage(folder / "text", leave_out=leave_out.get("text"))[0]
        self.prepared = _prepared(text)
        self.parts = {part: read_stage(folder / stage, leave_out=leave_out.get(part))[0]
                      for part, stage in names.items()}
        articles = self.prepared.articles
        sigs = self.prepared.signatures
        if sigs is not None and len(sigs) != len(articles):
            raise CacheCorrupt(f"{folder}: signatures and articles do not line up")
        tokens = self.prepared.tokens
        if tokens is not None and len(tokens) != len(self.prepared.sentences):
            raise CacheCorrupt(f"{folder}: the sentences' tokens and the sentences do not line up")
        self.doc_index = pd.Index(articles["doc_id"])
        self.pos: dict[tuple[str, str], np.ndarray] = {}
        for name in ("sentences", "removed"):
            self.pos[("text", name)] = self._positions(getattr(self.prepared, name)["doc_id"])
        for part, tables in self.parts.items():
            for name, table in tables.items():
                self.pos[(part, name)] = self._positions(table["doc_id"]) if "doc_id" in table else None
        tone, themes = self.parts["tone"]["sentence_scores"], self.parts["themes"]["sentence_scores"]
        if len(tone) != len(themes):
            raise CacheCorrupt(f"{folder}: the score parts do not line up")
        # the themes part's sentence_scores has no doc_id: its rows are the tone part's
        self.pos[("themes", "sentence_scores")] = self.pos[("tone", "sentence_scores")]

    def _positions(self, doc_ids: pd.Series) -> np.ndarray:
        positions = self.doc_index.get_indexer(doc_ids)
        if len(positions) and positions.min() < 0:
            raise CacheCorrupt("a cached table names an article its segment does not hold")
        return positions

    def _rows(self, table: pd.DataFrame, pos: np.ndarray, lo: int, hi: int) -> pd.DataFrame:
        if lo == 0 and hi == len(self.doc_index):
            return table
        return table[(pos >= lo) & (pos < hi)]

    def take(self, lo: int, hi: int) -> tuple[PreparedChunk, dict[str, dict[str, pd.DataFrame]]]:
        """Documents ``lo..hi-1`` (segment positions): their prepared tables and score parts, rows in order."""
        p = self.prepared
        tokens = p.tokens
        if tokens is not None and not (lo == 0 and hi == len(self.doc_index)):
            pos = self.pos[("text", "sentences")]
            tokens = tokens.take((pos >= lo) & (pos < hi))
        prepared = PreparedChunk(p.articles.iloc[lo:hi],
                                 self._rows(p.sentences, self.pos[("text", "sentences")], lo, hi),
                                 self._rows(p.removed, self.pos[("text", "removed")], lo, hi),
                                 None if p.signatures is None else p.signatures[lo:hi], tokens)
        parts = {part: {name: self._rows(table, self.pos[(part, name)], lo, hi) for name, table in tables.items()}
                 for part, tables in self.parts.items()}
        return prepared, parts


class RunCache:
    """The cache of one ``diplo run``: recalls files for the loader (:class:`diplo.io.raw.ReadCache`), computes
    the stages that are missing, and yields the chunks of output tables a fresh run would give.

    Parameters
    ----------
    folder : the cache directory (created).
    raw_dir : the run's raw folder.
    scorers, themes, actors : the run's tone scorers and dictionary files (None: packaged).
    options : everything else that shapes reading and cleaning (column mapping, limits, date options,
        signatures); part of each file's key.
    overrides : ``metadata.csv`` values per source file or glob.
    max_sentence_chars, dates, signatures : as for :func:`diplo.run.stages.prepare_chunk`.

    Attributes
    ----------
    stats : what this run reused and computed: ``files_recalled``, ``files_read``, ``segments_new`` (new
        documents prepared and scored), ``segments_completed`` (cached documents scored again for a part),
        ``tables_reused`` (output tables taken over from the published generation, :meth:`plan`),
        ``chunks_copied`` (chunks of streamed tables copied from the published files, summed over the tables)
        and ``chunks_reused`` (leading chunks all of whose tables were copied: not assembled, :meth:`take_over`).

    Raises
    ------
    ValueError
        If a tone scorer's results cannot be identified (an object without a dictionary file): run without
        the cache.
    """

    def __init__(self, folder: str | os.PathLike, raw_dir: str | os.PathLike, *, scorers: Sequence, themes,
                 actors, options: dict, overrides: dict, max_sentence_chars: int, dates: DateConfig,
                 signatures: bool) -> None:
        fingerprints = [scorer_fingerprint(s) for s in scorers]
        if None in fingerprints:
            bad = [s for s, f in zip(scorers, fingerprints) if f is None]
            raise ValueError(f"cannot cache the results of tone scorer(s) {bad!r} (no dictionary file to "
                             "fingerprint); run without the cache (--no-cache)")
        self.folder, self.raw_dir = Path(folder), Path(raw_dir)
        self._made = not self.folder.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.folder / ".lock", "a+")
        _flock(self._lock, shared=True)
        code = code_digests()
        self._code = code
        globs = {k: v for k, v in overrides.items() if any(ch in k for ch in "*?[")}
        text_key = digest(CACHE_FORMAT, code["text"], options, max_sentence_chars, dates, signatures, globs)
        self._options = text_key
        keys = (("tone", digest(code["tone"], fingerprints, file_digest(actors))[:24]),
                ("themes", digest(code["themes"], file_digest(themes))[:24]))
        self.config = _Config(str(self.folder), overrides, tuple(scorers), themes, actors, max_sentence_chars,
                              dates, signatures, text_key, keys)
        self._names = _stage_names(self.config)
        self._overrides = overrides
        self._old_outputs: dict[str, tuple] = {}  # output file -> (key, bytes, sha256) of the last run's
        self._old = self._load_index()
        self._new: dict[str, dict] = {}  # rel -> index row of this run
        self._outputs = OutputPlan(cache_format=CACHE_FORMAT, code=code["outputs"], text_key=text_key,
                                   names=self._names, recorded=self._old_outputs)
        self._order: list | None = None  # the run's order of documents, once assembled
        self._parts: dict[str, list] = {}  # rel -> [(segment, first document position, n documents)]
        self._verified: dict[tuple[str, str], bool] = {}  # (segment, stage) -> its bytes matched
        self._aggregates: set[str] = set()
        self.stats = {"files_recalled": 0, "files_read": 0, "segments_new": 0, "segments_completed": 0,
                      "tables_reused": 0, "chunks_copied": 0, "chunks_reused": 0}
        self._chunk_no = 0  # output chunks yielded so far
        self._light = 0  # leading chunks every written table copies (read light, never assembled)

    # -- the index --
    def _load_index(self) -> dict[str, dict]:
        try:
            name = (self.folder / _INDEX_POINTER).read_text(encoding="utf-8").strip()
            tables = read_stage(self.folder / name)[0]
            index = tables["index"]
        except (OSError, CacheCorrupt, KeyError) as exc:  # no index yet, or a damaged one: start afresh
            if (self.folder / _INDEX_POINTER).exists():
                log.warning("cache index in %s unreadable (%s); starting afresh", self.folder, exc)
            return {}
        outputs = tables.get("outputs")
        if outputs is not None:
            self._old_outputs = {rec["file"]: (rec["key"], int(rec["bytes"]), rec["sha256"], rec.get("chunks"))
                                 for rec in outputs.to_dict("records")}
        return {rec["rel"]: rec for rec in index.to_dict("records")}

    def _key(self, rel: str, sha256: str) -> str:
        override = self._overrides.get(rel)
        return digest(self._options, rel, sha256, override)

    def _good(self, seg: str, stage: str) -> bool:
        """Segment ``seg``'s ``stage`` is complete and its bytes match (checked once per run)."""
        key = (seg, stage)
        if key not in self._verified:
            self._verified[key] = stage_ok(self.folder / "segments" / seg / stage, verify=True)
        return self._verified[key]

    # -- the loader's cache (diplo.io.raw.ReadCache) --
    def digest(self, rel: str, path: Path) -> tuple[int, str] | None:
        """``(bytes, sha256)`` of an indexed file whose size, mtime and inode did not change."""
        old = self._old.get(rel)
        if old is None:
            return None
        try:
            st = path.stat()
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns, st.st_ino) != (old["bytes"], old["mtime_ns"], old["ino"]):
            return None
        return int(old["bytes"]), old["sha256"]

    def recall(self, rel: str, sha256: str) -> ReadRecord | None:
        """The earlier read of ``rel`` when its bytes, name, options and cached text are unchanged."""
        old = self._old.get(rel)
        if old is None or old["sha256"] != sha256 or old["key"] != self._key(rel, sha256):
            return None
        parts = json.loads(old["parts"])
        if not all(self._good(seg, "text") for seg, _, _ in parts):
            log.info("%s: cached text damaged or gone; reading the file again", rel)
            return None
        self._new[rel] = dict(old)
        self._parts[rel] = [tuple(p) for p in parts]
        self.stats["files_recalled"] += 1
        stem = old["stem"] if isinstance(old["stem"], str) else None  # a missing stem reads back as NaN
        return ReadRecord(tuple(json.loads(old["manifest"])), tuple(map(tuple, json.loads(old["rejected"]))), stem)

    def remember(self, rel: str, record: ReadRecord) -> None:
        """Record a file the loader read (its documents go to new segments)."""
        manifest = list(record.manifest)
        try:
            st = (self.raw_dir / rel).stat()
            stat = (st.st_mtime_ns, st.st_ino)
        except OSError:
            stat = (-1, -1)
        sha256, size = manifest[_MANIFEST_FIELDS.index("sha256")], manifest[_MANIFEST_FIELDS.index("bytes")]
        if stat[0] != -1 and st.st_size != size:  # changed while read: never trust its mtime
            stat = (-1, -1)
        self._new[rel] = {"rel": rel, "bytes": size, "mtime_ns": stat[0], "ino": stat[1], "sha256": sha256,
                          "key": self._key(rel, sha256), "stem": record.stem,
                          "manifest": json.dumps(manifest), "rejected": json.dumps([list(r) for r in record.rejected])}
        self._parts.setdefault(rel, [])
        self.stats["files_read"] += 1

    # -- the output files a run takes over from the last one --
    def plan(self, items: Iterable[RawDocument | ReusedFile], out_dir: str | os.PathLike, *, chunk_size: int,
             tone_cols: list[str], theme_cols: list[str], languages: tuple | None,
             near_duplicate_threshold: float | None) -> Iterator[RawDocument | ReusedFile]:
        """Look ahead in the loader's stream (``items``; returned whole): when it recalls every file, the run's
        documents, and so the inputs of every output file, are known before anything is assembled.  The
        tables whose inputs (the stages feeding them, in order, the options and diplo's code) are those of
        the published file of the last run, and whose bytes are still the ones that run recorded, are then
        taken over (:attr:`reused`, :meth:`link_outputs`) instead of written again.

        Otherwise (new documents, or fewer), the look-ahead stops at the first new document: the output
        chunks wholly before it are known, and each streamed table's leading chunks whose inputs are those of
        the published file's are copied from it (:meth:`take_over`)."""
        self._outputs.set_options(chunk_size=chunk_size, tone_cols=tone_cols, theme_cols=theme_cols,
                                  languages=languages, near_duplicate_threshold=near_duplicate_threshold)
        items = iter(items)
        ahead = []
        complete = True
        for item in items:
            ahead.append(item)
            if not isinstance(item, ReusedFile):  # new documents: every whole table changes
                complete = False
                break
        planned: list = []
        for item in ahead if complete else ahead[:-1]:
            for seg, lo, n in self._parts.get(item.source_file, []):
                _extend(planned, seg, lo, n)
        if complete:
            self.stats["tables_reused"] = len(self._outputs.choose(planned, out_dir))
        self._outputs.choose_chunks(_spans(planned, chunk_size, final=complete), out_dir)
        return iter(ahead) if complete else itertools.chain(ahead, items)

    def take_over(self, sinks: dict) -> None:
        """Start the run's sinks (:class:`diplo.io.outputs.TableSink` by table) with the chunks :meth:`plan`
        found unchanged in the published files; call once, before :meth:`chunks`."""
        self._outputs.take_over(sinks)
        self._light = self._outputs.light_chunks(sinks)
        self.stats["chunks_copied"] = sum(copy.n for copy in self._outputs.copies.values())

    @property
    def reused(self) -> frozenset:
        """The tables (:data:`diplo.io.outputs.OUTPUT_TABLES` names, and ``token_index``) taken over from the
        published generation (see :meth:`plan`)."""
        return frozenset(self._outputs.reused)

    def link_outputs(self, staging: str | os.PathLike, sinks: dict | None = None) -> None:
        """Put the files of the :attr:`reused` tables into the run's ``staging`` folder (hard links, or copies),
        and note the chunks the run's ``sinks`` wrote (what the index records of them for the next run).

        Raises
        ------
        RuntimeError
            If the run's documents turned out other than planned (the files taken over would be wrong).
        """
        self._outputs.link(staging, self._order)
        if sinks is not None:
            self._outputs.written(sinks)

    # -- the run --
    def chunks(self, items: Iterable[RawDocument | ReusedFile], *, chunk_size: int, tone_cols: list[str],
               theme_cols: list[str], languages: tuple | None, mapper,
               ) -> Iterator[tuple[dict[str, pd.DataFrame], np.ndarray | None, pd.DataFrame]]:
        """The run's output chunks, ``(tables, signatures, sums)`` as the pipeline's chunk function gives them.

        ``items``: the loader's stream (with this cache); ``mapper(func, arg_tuples)``: the pipeline's engine
        (results in order).  New documents are batched (at most ``chunk_size``, never across a recalled
        file) into new segments; recalled files' segments get the score stages the dictionaries need.
        """
        cfg = replace(self.config, tone_cols=tuple(tone_cols), theme_cols=tuple(theme_cols))
        segments = self.folder / "segments"
        stages = tuple(self._names.values())
        order: list[list] = []  # [segment or None while computed, first position, n]: the run's documents
        new_units: collections.deque = collections.deque()  # (order entry, files) of new batches, in order
        waiting: set[str] = set()  # segments whose missing stages are being computed

        def new_unit(batch: list[RawDocument]) -> tuple:
            entry = [None, 0, len(batch)]
            order.append(entry)
            new_units.append((entry, [d.source_file for d in batch]))
            return ("new", batch, cfg)

        def units() -> Iterator[tuple]:
            batch: list[RawDocument] = []
            for item in items:
                if isinstance(item, ReusedFile):
                    if batch:
                        yield new_unit(batch)
                        batch = []
                    parts = self._parts.get(item.source_file, [])
                    for seg, lo, n in parts:  # runs of one segment's documents make one piece
                        _extend(order, seg, lo, n)
                    todo = []
                    for seg in dict.fromkeys(seg for seg, _, _ in parts):
                        if seg in waiting or all(self._good(seg, st) for st in stages):
                            continue
                        for st in stages:  # a damaged stage is computed again
                            if not self._good(seg, st):
                                shutil.rmtree(segments / seg / st, ignore_errors=True)
                                self._verified.pop((seg, st), None)
                        todo.append(seg)
                    if todo:
                        waiting.update(todo)
                        yield ("complete", todo, cfg)
                else:
                    batch.append(item)
                    if len(batch) == chunk_size:
                        yield new_unit(batch)
                        batch = []
            if batch:
                yield new_unit(batch)

        cursor = [0, 0]  # the next output chunk starts at order[cursor[0]], cursor[1] documents into it
        loaded: dict[str, Any] = {}
        light: dict[str, LightSegment] = {}
        options = {"tone_cols": tone_cols, "theme_cols": theme_cols, "languages": languages}
        results = mapper(_work, units())
        try:
            for kind, result in results:
                if kind == "new":
                    entry, files = new_units.popleft()
                    entry[0] = result
                    self._add_parts(result, files)
                    self.stats["segments_new"] += 1
                else:
                    waiting.difference_update(result)
                    self.stats["segments_completed"] += len(result)
                while (span := _span(order, cursor, chunk_size, waiting)) is not None:
                    yield self._chunk(span, loaded, light, options)
            while (span := _span(order, cursor, chunk_size, waiting, final=True)) is not None:
                yield self._chunk(span, loaded, light, options)
            self._order = _canonical(order)
        finally:  # a failed or abandoned run stops its workers now
            if hasattr(results, "close"):
                results.close()

    def _add_parts(self, seg_id: str, files: list[str]) -> None:
        """A new segment holds the documents of ``files`` (one name per document, in order)."""
        for pos, rel in enumerate(files):
            parts = self._parts.setdefault(rel, [])
            if parts and parts[-1][0] == seg_id and parts[-1][1] + parts[-1][2] == pos:
                parts[-1] = (seg_id, parts[-1][1], parts[-1][2] + 1)
            else:
                parts.append((seg_id, pos, 1))

    def _segment(self, seg: str, loaded: dict) -> _Segment:
        if seg not in loaded:
            if len(loaded) >= 4:
                loaded.pop(next(iter(loaded)))
            folder = self.folder / "segments" / seg
            try:
                loaded[seg] = _Segment(folder, self._names, self._outputs.leave_out())
            except CacheCorrupt:  # changed since it was checked: drop it, so that the next run recomputes it
                for stage in ("text", *self._names.values()):
                    if not stage_ok(folder / stage, verify=True):
                        shutil.rmtree(folder / stage, ignore_errors=True)
                raise
        return loaded[seg]

    def _chunk(self, span: list, loaded: dict, light: dict, options: dict,
               ) -> tuple[dict[str, Any], np.ndarray | None, pd.DataFrame]:
        """The next output chunk; under ``taken`` the tables whose rows of it were copied (:meth:`take_over`):
        when that is every table, only what the run needs besides them (:func:`diplo.run.takeover.light_chunk`)."""
        number = self._chunk_no
        self._chunk_no += 1
        copies = self._outputs.copies
        taken = frozenset(table for table, copy in copies.items() if number < copy.n)
        if taken and tuple(map(tuple, span)) != self._outputs.spans[number]:
            raise RuntimeError("the run's documents changed while it ran; run diplo run again")
        if number < self._light:
            self.stats["chunks_reused"] += 1
            pieces = [self._light_segment(seg, light).take(lo, lo + n) for seg, lo, n in span]
            tables, sigs, sums = light_chunk(pieces, languages=options["languages"])
        else:
            tables, sigs, sums = self._assemble(span, loaded, options)
        return {**tables, "taken": taken}, sigs, sums

    def _light_segment(self, seg: str, light: dict) -> LightSegment:
        if seg not in light:
            if len(light) >= 4:
                light.pop(next(iter(light)))
            folder = self.folder / "segments" / seg
            try:
                light[seg] = LightSegment(folder / "text", folder / self._names["tone"],
                                          tokens="token_index" not in self._outputs.reused)
            except CacheCorrupt:  # changed since it was checked: drop it, so that the next run recomputes it
                for stage in ("text", self._names["tone"]):
                    if not stage_ok(folder / stage, verify=True):
                        shutil.rmtree(folder / stage, ignore_errors=True)
                raise
        return light[seg]

    def _assemble(self, span: list, loaded: dict, options: dict,
                  ) -> tuple[dict[str, pd.DataFrame], np.ndarray | None, pd.DataFrame]:
        pieces = [self._segment(seg, loaded).take(lo, lo + n) for seg, lo, n in span]
        prepared = concat_prepared([p for p, _ in pieces])
        scored = {part: concat_scored([s[part] for _, s in pieces]) for part in self._names}
        per_article = {name: scored[part][name] for part, names in ARTICLE_TABLES.items() for name in names}
        return assemble_chunk(prepared, scored, per_article=per_article, **options)

    def aggregate_sums(self, sums: pd.DataFrame, by: str, columns: Sequence[str]) -> pd.DataFrame:
        """:func:`diplo.analysis.aggregate.aggregate_sums` with its defaults, reused when the per-article sums are
        those of an earlier run (a themes edit leaves them as they were; the bootstrap is the slow part)."""
        content = hashlib.sha256(pd.util.hash_pandas_object(sums, index=False).to_numpy().tobytes())
        content.update(json.dumps([list(sums.columns), [str(t) for t in sums.dtypes], by, list(columns),
                                   self._code["aggregate"]]).encode())
        folder = self.folder / "aggregates" / content.hexdigest()[:32]
        self._aggregates.add(folder.name)
        if stage_ok(folder):
            try:
                return read_stage(folder)[0]["table"]
            except CacheCorrupt:
                shutil.rmtree(folder, ignore_errors=True)
        table = aggregate_sums(sums, by, columns)
        write_stage(folder, {"table": table})
        return table

    def commit(self, generation: str | os.PathLike | None = None) -> None:
        """Replace the index by this run's files (call once the run's outputs are published), with the keys of
        the output files of the published ``generation`` folder; then collect garbage if no other run is
        using the cache."""
        index = pd.DataFrame([{**rec, "parts": json.dumps([list(p) for p in self._parts.get(rel, [])])}
                              for rel, rec in self._new.items()],
                             columns=["rel", "bytes", "mtime_ns", "ino", "sha256", "key", "stem", "manifest",
                                      "rejected", "parts"])
        outputs = pd.DataFrame(self._recorded_outputs(generation),
                               columns=["file", "key", "bytes", "sha256", "chunks"])
        name = f"index-{digest(index.to_dict('list'), outputs.to_dict('list'))[:24]}"
        write_stage(self.folder / name, {"index": index, "outputs": outputs})
        pointer = self.folder / _INDEX_POINTER
        tmp = pointer.with_name(f".{_INDEX_POINTER}.{os.getpid()}.tmp")
        tmp.write_text(name + "\n", encoding="utf-8")
        os.replace(tmp, pointer)
        self._collect({seg for parts in self._parts.values() for seg, _, _ in parts}, name)

    def _recorded_outputs(self, generation: str | os.PathLike | None) -> list[tuple]:
        """``(file, key, bytes, sha256)`` of the output files of ``generation`` (its ``generation.json``)."""
        options = self._outputs.options
        spans = None if self._order is None or options is None else _spans(self._order, options["chunk_size"],
                                                                            final=True)
        return self._outputs.recorded(generation, self._order, spans)

    def _collect(self, keep: set[str], index: str) -> None:
        """Drop segments no file uses, stages of other dictionaries, old indexes and unused aggregates,
        unless another run holds the cache."""
        if not _flock(self._lock, shared=False, wait=False):
            return
        try:
            stages = {"text", *self._names.values()}
            for entry in sorted(self.folder.iterdir()):
                if entry.name.startswith("index-") and entry.name != index:
                    shutil.rmtree(entry, ignore_errors=True)
            aggregates = self.folder / "aggregates"
            for path in (sorted(aggregates.iterdir()) if aggregates.is_dir() else ()):
                if path.name not in self._aggregates:
                    shutil.rmtree(path, ignore_errors=True)
            segments = self.folder / "segments"
            for seg in (sorted(segments.iterdir()) if segments.is_dir() else ()):
                if seg.name not in keep:
                    shutil.rmtree(seg, ignore_errors=True)
                    continue
                for stage in seg.iterdir():
                    if stage.name not in stages:
                        shutil.rmtree(stage, ignore_errors=True)
        finally:
            _flock(self._lock, shared=True)

    def discard(self) -> None:
        """Remove what this failed run added (a full disk must not stay full): the whole cache folder if the
        run made it, else the segments the committed index does not use (unless another run holds the cache)."""
        if self._made:
            shutil.rmtree(self.folder, ignore_errors=True)
            return
        keep = {seg for rec in self._old.values() for seg, _, _ in json.loads(rec["parts"])}
        if not _flock(self._lock, shared=False, wait=False):
            return
        try:
            segments = self.folder / "segments"
            for seg in (sorted(segments.iterdir()) if segments.is_dir() else ()):
                if seg.name not in keep:
                    shutil.rmtree(seg, ignore_errors=True)
        finally:
            _flock(self._lock, shared=True)

    def close(self) -> None:
        """Release the cache (its lock)."""
        with contextlib.suppress(OSError, ValueError):
            self._lock.close()


def _extend(order: list, seg: str, lo: int, n: int) -> None:
    """Append documents ``lo..lo+n-1`` of segment ``seg`` to ``order`` (a run of one segment makes one piece)."""
    last = order[-1] if order else None
    if last is not None and last[0] == seg and last[1] + last[2] == lo:
        last[2] += n
    else:
        order.append([seg, lo, n])


def _canonical(order: list) -> list:
    """``order`` with consecutive pieces of one segment joined (as :meth:`RunCache.plan` lists them)."""
    out: list = []
    for seg, lo, n in order:
        _extend(out, seg, lo, n)
    return out


def _spans(order: list, chunk_size: int, *, final: bool) -> list[list]:
    """The output chunks of the documents ``order`` (a run's, or its beginning): each one's pieces; the last,
    shorter one only when ``final``."""
    cursor, spans = [0, 0], []
    while (span := _span(order, cursor, chunk_size, set(), final=final)) is not None:
        spans.append(span)
    return spans


def _span(order: list, cursor: list[int], chunk_size: int, waiting: set, *, final: bool = False) -> list | None:
    """The pieces of ``order`` making the next output chunk (``chunk_size`` documents from ``cursor``, which
    moves past them); None while one of them is still being computed or the chunk is not full (unless
    ``final``: then the rest)."""
    span, need = [], chunk_size
    i, skip = cursor
    while i < len(order) and need:
        seg, lo, n = order[i]
        if seg is None or seg in waiting:
            return None
        take = min(n - skip, need)
        span.append((seg, lo + skip, take))
        need -= take
        skip += take
        if skip == n:
            i, skip = i + 1, 0
    if need and not (final and span):
        return None
    cursor[:] = [i, skip]
    return span
