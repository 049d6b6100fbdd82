"""Output tables an incremental run takes over from the published generation instead of writing them again.

Each output table (the token index counts as one: its two files) gets a **key**: a hash of what decides its
bytes, i.e. the cache stages feeding it (the text stage always, and the score parts in :data:`OUTPUT_PARTS`),
the run's documents in order, the options that shape assembly (chunk size, tone and theme columns, languages,
the near-duplicate threshold for ``articles``) and diplo's code.  :class:`OutputPlan` keys the tables of a
run whose documents are known before it starts (every file recalled from the cache), compares the keys with
those recorded for the published files (:meth:`OutputPlan.recorded`, kept in the cache's index), checks those
files' size and SHA-256, and hard-links the ones that match into the new generation (:meth:`OutputPlan.link`).
:mod:`diplo.run.cache` drives it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from diplo.io.generation import CURRENT_LINK, GENERATION_FILE
from diplo.io.paths import file_sha256
from diplo.run.cache_store import digest

__all__ = ["OUTPUT_FILES", "OUTPUT_PARTS", "TOKEN_TABLES", "NO_TOKENS", "OutputPlan"]

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

    def recorded(self, generation: str | os.PathLike | None, order: list | None) -> list[tuple]:
        """``(file, key, bytes, sha256)`` of the output files of ``generation`` (its ``generation.json``), made
        from the documents ``order``: what the cache's index records for the next run."""
        if generation is None or order is None or self.options is None:
            return []
        try:
            record = json.loads((Path(generation) / GENERATION_FILE).read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return []
        keys = self.keys(order)
        return [(name, keys[table], int(record[name]["bytes"]), record[name]["sha256"])
                for table, names in OUTPUT_FILES.items() for name in names if name in record]
