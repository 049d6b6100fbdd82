"""Paths diplo may touch: outputs never inside the raw folder, inputs only regular files inside it.

- :func:`check_outside_raw` refuses an output, processed or lock path inside the raw folder *before* anything
  is created, so ``raw/`` is never written on any path.
- :func:`open_regular` opens an input without blocking and checks what it opened: a FIFO, device or socket
  (even one swapped in after the folder was listed) is refused with a reason instead of hanging the run.
- :func:`metadata_file_name` checks a ``metadata.csv`` ``file`` cell: a relative name or glob inside the
  raw folder, never an absolute path or ``..``.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = ["check_outside_raw", "is_inside", "open_regular", "NotRegularFile", "metadata_file_name", "file_sha256"]


def is_inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """True when ``path`` is ``folder`` or below it, symlinks resolved (the path need not exist yet)."""
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def check_outside_raw(raw_dir: str | os.PathLike, **paths: str | os.PathLike | None) -> None:
    """Raise ValueError when one of ``paths`` (keyword = what it is) lies inside ``raw_dir``.

    Examples
    --------
    >>> check_outside_raw("data/raw", output_folder="data/raw/out")
    Traceback (most recent call last):
    ValueError: output folder data/raw/out must not be inside the raw folder data/raw: raw is read-only
    """
    for what, path in paths.items():
        if path is not None and str(path) != "" and is_inside(path, raw_dir):
            raise ValueError(f"{what.replace('_', ' ')} {path} must not be inside the raw folder {raw_dir}: "
                             "raw is read-only")


class NotRegularFile(OSError):
    """An input path is a FIFO, device, socket or folder; the message says which."""


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file (after following symlinks).

    The file is opened with ``O_NONBLOCK`` (opening a FIFO would otherwise wait for a writer forever) and
    checked with ``fstat`` on the opened descriptor, so a file replaced by a FIFO or device after it was
    listed is caught too.

    Raises
    ------
    NotRegularFile
        For a FIFO, device, socket or folder (``strerror`` names the kind).
    OSError
        When the file cannot be opened (the error of ``open``).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == 6:  # ENXIO: a socket cannot be opened
            raise NotRegularFile(exc.errno, "not a regular file (a socket)", str(path)) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "a special file")
            raise NotRegularFile(0, f"not a regular file ({kind})", str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def metadata_file_name(value: str) -> str:
    """The normalized form of a ``metadata.csv`` ``file`` cell, or ValueError saying why it is not allowed.

    Only names (or glob patterns) relative to the raw folder are allowed: no absolute path, drive letter or
    ``..`` component.  ``./a.txt`` and ``a.txt`` normalize to the same name (so a second row for it is a
    duplicate).
    """
    name = value.strip().replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ValueError(f"absolute path {value!r}: name files relative to the raw folder")
    if ".." in name.split("/"):
        raise ValueError(f"path {value!r} leaves the raw folder ('..'): name files inside it")
    return posixpath.normpath(name) if name else ""


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
