"""What the raw loader (:func:`diplo.io.raw.load_documents`) asks of a cache of earlier reads, and what it gets.

``diplo run``'s cache (:mod:`diplo.run.cache`) implements :class:`ReadCache`: a file it recalls is not read
again; its manifest row and rejected rows come from the :class:`ReadRecord` of the earlier read, and one
:class:`ReusedFile` stands for its documents in the loader's stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["ReadRecord", "ReusedFile", "ReadCache"]


@dataclass(frozen=True)
class ReadRecord:
    """What reading one file found, so a later run can account for the file without reading it again.

    ``manifest`` holds the :class:`diplo.io.raw.ManifestRow` fields after ``source_file`` (status ... notes),
    ``rejected`` the file's rejected rows as ``(row, reason)``, and ``stem`` the doc_id stem the file took
    (None when it took none: a file rejected before any article).
    """

    manifest: tuple
    rejected: tuple[tuple[int, str], ...]
    stem: str | None


@dataclass(frozen=True)
class ReusedFile:
    """Yielded by :func:`diplo.io.raw.load_documents` in place of a file's documents when its ``cache``
    recalled the file."""

    source_file: str
    sha256: str
    stem: str | None
    n_documents: int


class ReadCache(Protocol):
    """What :func:`diplo.io.raw.load_documents` asks a cache of earlier reads (``diplo run``'s:
    :mod:`diplo.run.cache`)."""

    def digest(self, rel: str, path: Path) -> tuple[int, str] | None:
        """``(bytes, sha256)`` of the file when known without reading it (same size, mtime and inode as before)."""

    def recall(self, rel: str, sha256: str) -> ReadRecord | None:
        """The record of an earlier read of these bytes under this name with the same options, if any."""

    def remember(self, rel: str, record: ReadRecord) -> None:
        """Called once a file was read (its documents were all yielded)."""
