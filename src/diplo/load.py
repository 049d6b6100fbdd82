"""Read raw input files into documents, accounting for every file in a manifest.

``data/raw/`` is only ever read.  Each file ends up either as one or more documents or as a manifest
row that says why it was rejected.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

__all__ = ["RawDocument", "ManifestRow", "METADATA_FILE", "MANIFEST_COLUMNS", "iter_raw_files",
           "load_documents", "load_metadata"]

log = logging.getLogger(__name__)

METADATA_FILE = "metadata.csv"
SUPPORTED_SUFFIXES = (".txt",)
MANIFEST_COLUMNS = ["source_file", "status", "reason", "n_documents", "bytes", "sha256"]


@dataclass(frozen=True)
class RawDocument:
    """One article as read from disk, before cleaning."""

    doc_id: str
    source_file: str
    text: str
    format: str
    meta: dict = field(default_factory=dict)


@dataclass
class ManifestRow:
    source_file: str
    status: str
    reason: str
    n_documents: int
    bytes: int
    sha256: str


def iter_raw_files(raw_dir: str | os.PathLike) -> Iterator[Path]:
    """Input files below ``raw_dir`` in a stable order (``metadata.csv`` and hidden files excluded)."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder {raw_dir} does not exist or is not a folder")
    for path in sorted(raw_dir.rglob("*")):
        rel = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in rel.parts) or path.is_dir():
            continue
        if rel.as_posix() == METADATA_FILE:
            continue
        yield path


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("bytes are neither UTF-8 nor cp1252")


def load_documents(raw_dir: str | os.PathLike, manifest: list[ManifestRow]) -> Iterator[RawDocument]:
    """Yield documents from ``raw_dir``, appending one manifest row per file to ``manifest``."""
    raw_dir = Path(raw_dir)
    seen: dict[str, str] = {}
    for path in iter_raw_files(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        row = ManifestRow(rel, "ok", "", 0, len(data), digest)
        manifest.append(row)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            row.status, row.reason = "rejected", f"unsupported file type {path.suffix!r}"
            log.warning("%s: %s", rel, row.reason)
            continue
        if digest in seen:
            row.status, row.reason = "duplicate", f"same bytes as {seen[digest]}"
            continue
        seen[digest] = rel
        text = _decode(data)
        if not text.strip():
            row.status, row.reason = "rejected", "empty or whitespace-only file"
            log.warning("%s: %s", rel, row.reason)
            continue
        row.n_documents = 1
        yield RawDocument(doc_id=path.stem, source_file=rel, text=text, format="txt")


def load_metadata(raw_dir: str | os.PathLike) -> pd.DataFrame:
    """The researcher's ``metadata.csv`` (file,date,outlet,title,url), or an empty table."""
    path = Path(raw_dir) / METADATA_FILE
    columns = ["file", "date", "outlet", "title", "url"]
    if not path.exists():
        return pd.DataFrame(columns=columns, dtype="object")
    meta = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("file",) if c not in meta.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; found {list(meta.columns)}")
    return meta
