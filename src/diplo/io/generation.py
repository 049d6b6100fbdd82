"""Generations of an output folder: the complete set of tables one ``diplo run`` wrote, and how to find it.

Layout of ``OUT`` (written by :mod:`diplo.run.publish`)::

    OUT/.diplo-gen-<id>/          one complete generation: every table, CODEBOOK.md, generation.json
    OUT/.diplo-current            symlink -> .diplo-gen-<id>: the published generation (switched in one rename)
    OUT/articles.parquet, ...     symlinks -> .diplo-current/articles.parquet: the public names

``generation.json`` lists every file of the generation with its size and SHA-256, and is written last;
``<id>`` is the start of the SHA-256 of that list, so the same outputs make the same generation.  Readers
resolve ``.diplo-current`` once and read every table from that one folder, so they never mix two runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from diplo.io.paths import file_sha256

__all__ = ["CURRENT_LINK", "GENERATION_PREFIX", "GENERATION_FILE", "IncompleteOutputs", "current_generation",
           "describe_generation", "verify_generation", "generation_id", "TIMED_FILES"]

CURRENT_LINK = ".diplo-current"
GENERATION_PREFIX = ".diplo-gen-"
GENERATION_FILE = "generation.json"


class IncompleteOutputs(ValueError):
    """An output folder holds no complete generation (interrupted, mixed, edited, or from an older diplo)."""


def describe_generation(folder: str | os.PathLike) -> dict:
    """The record of every file directly in ``folder``: ``{"files": {name: {"bytes", "sha256"}}}``."""
    folder = Path(folder)
    files = {}
    for path in sorted(folder.iterdir()):
        if path.name == GENERATION_FILE or not path.is_file() or path.is_symlink():
            continue
        files[path.name] = {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
    return {"format": 1, "files": files}


#: Files whose bytes carry the run's times (``run.json``, :mod:`diplo.run.provenance`): listed and verified in
#: ``generation.json`` like every file, but left out of the generation's id, so a rerun on the same inputs
#: publishes the same tables under the same name (only ``run.json`` and ``generation.json`` differ).
TIMED_FILES = ("run.json",)


def generation_id(record: dict) -> str:
    """The generation's name: 16 hex digits of the SHA-256 of its record without :data:`TIMED_FILES`
    (same outputs, same id)."""
    files = {k: v for k, v in record.get("files", {}).items() if k not in TIMED_FILES}
    text = json.dumps({**record, "files": files}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def verify_generation(folder: str | os.PathLike, *, hashes: bool = False) -> dict:
    """Check that ``folder`` holds every file its ``generation.json`` lists, at the recorded size (and hash).

    Returns the record.

    Raises
    ------
    IncompleteOutputs
        When ``generation.json`` is missing or unreadable, or a file is missing or differs.
    """
    folder = Path(folder)
    try:
        record = json.loads((folder / GENERATION_FILE).read_text(encoding="utf-8"))
        files = record["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IncompleteOutputs(f"{folder}: no readable {GENERATION_FILE} ({exc}); the generation is "
                                "incomplete: run diplo run again") from None
    for name, info in sorted(files.items()):
        path = folder / name
        try:
            size = path.stat().st_size
        except OSError:
            raise IncompleteOutputs(f"{folder}: {name} is missing from this generation; run diplo run again") from None
        if size != info["bytes"] or (hashes and file_sha256(path) != info["sha256"]):
            raise IncompleteOutputs(f"{folder}: {name} is not the file this generation wrote ({size:,} bytes, "
                                    f"recorded {info['bytes']:,}); run diplo run again")
    return record


def current_generation(out_dir: str | os.PathLike, *, hashes: bool = False) -> Path:
    """The folder of the published, verified generation of ``out_dir``.

    Raises
    ------
    FileNotFoundError
        When ``out_dir`` holds no diplo outputs at all.
    IncompleteOutputs
        When its outputs are not one complete generation (see :func:`verify_generation`), or were written
        file by file by a diplo older than generations.
    """
    out_dir = Path(out_dir)
    link = out_dir / CURRENT_LINK
    if not link.is_symlink():
        if (out_dir / "articles.parquet").exists():
            raise IncompleteOutputs(f"{out_dir} holds tables without a generation record (written by an older "
                                    "diplo, or by hand), so they may come from different runs; run diplo run again")
        raise FileNotFoundError(f"no diplo outputs in {out_dir} (run diplo run RAW --out {out_dir})")
    target = os.readlink(link)
    if not target.startswith(GENERATION_PREFIX) or "/" in target or os.sep in target:
        raise IncompleteOutputs(f"{link} points to {target!r}, not to a generation folder of {out_dir}")
    folder = out_dir / target
    verify_generation(folder, hashes=hashes)
    return folder
