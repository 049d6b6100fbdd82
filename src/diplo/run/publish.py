"""All-or-nothing outputs: a run writes a complete generation in a private staging folder inside ``OUT`` and
publishes it with one rename.

The steps (see :mod:`diplo.io.generation` for the layout)::

    staged    OUT/.staging-<pid>-<random>/ holds every output; generation.json (sizes, SHA-256) written last
    renamed   the staging folder becomes OUT/.diplo-gen-<id>
    pointed   OUT/.diplo-current switched to it in one rename: the commit point
    linked    the public names OUT/articles.parquet, ... point through .diplo-current (made once per folder)
    cleaned   older generations removed

A run killed before ``pointed`` leaves the previous generation published; one killed after it has published
the new one.  Either way the next run on the folder removes the leftovers first (:func:`recover`).  Setting the
environment variable ``DIPLO_TEST_KILL_AT`` to a step's name kills the process with SIGKILL right after that
step: the tests use it to check every interruption point.

A full disk or an I/O error while writing becomes a :class:`StorageError` naming the folder (``diplo`` exits
with 3); the staging folder is removed, so the space it took is free again.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import shutil
import signal
from pathlib import Path

from diplo.io.generation import (CURRENT_LINK, GENERATION_FILE, GENERATION_PREFIX, TIMED_FILES, describe_generation,
                                 generation_id)
from diplo.io.outputs import write_json
from diplo.io.paths import file_sha256
from diplo.run.lock import output_lock

__all__ = ["Publication", "StorageError", "is_storage_error", "recover", "PUBLISH_STEPS", "KILL_AT_ENV",
           "STAGING_PREFIX"]

log = logging.getLogger(__name__)

PUBLISH_STEPS = ("staged", "renamed", "pointed", "linked", "cleaned")
KILL_AT_ENV = "DIPLO_TEST_KILL_AT"
STAGING_PREFIX = ".staging-"
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}


class StorageError(OSError):
    """Writing outputs failed for lack of space or an I/O error; the message names the folder and the error."""


def is_storage_error(exc: BaseException) -> bool:
    """True for a full disk, exceeded quota, file too large, I/O error or read-only file system.

    pyarrow raises ``OSError`` without ``errno`` and names the errno in the message, so the message counts too.
    """
    if not isinstance(exc, OSError):
        return False
    if isinstance(exc, StorageError) or exc.errno in _STORAGE_ERRNOS:
        return True
    text = str(exc)
    return any(os.strerror(code) in text for code in _STORAGE_ERRNOS)


def _storage_error(folder: Path, exc: OSError) -> StorageError:
    reason = exc.strerror or str(exc).splitlines()[0]
    code = exc.errno if exc.errno in _STORAGE_ERRNOS else next(
        (c for c in _STORAGE_ERRNOS if os.strerror(c) in str(exc)), errno.EIO)
    return StorageError(code, f"cannot write outputs in {folder}: {reason}")


def _step(name: str) -> None:
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def recover(out_dir: str | os.PathLike) -> None:
    """Remove what interrupted runs left in ``out_dir`` and point the public names at the published generation.

    Call it holding the folder's lock (:class:`Publication` does): staging folders of killed runs,
    half-made pointer links and every generation other than the published one are deleted.
    """
    out_dir = Path(out_dir)
    link = out_dir / CURRENT_LINK
    current = os.readlink(link) if link.is_symlink() else None
    for entry in sorted(out_dir.iterdir()):
        name = entry.name
        if name.startswith(STAGING_PREFIX) or (name.startswith(GENERATION_PREFIX) and name != current):
            log.info("removing %s, left by an interrupted run", entry)
            shutil.rmtree(entry, ignore_errors=True)
        elif name.startswith(CURRENT_LINK + ".tmp-") and entry.is_symlink():
            entry.unlink(missing_ok=True)
    if current is not None and (out_dir / current / GENERATION_FILE).is_file():
        _link_public_names(out_dir, out_dir / current)


def _link_public_names(out_dir: Path, generation: Path) -> None:
    """``OUT/<name>`` -> ``.diplo-current/<name>`` for every file of ``generation``; stale public links removed."""
    names = sorted(p.name for p in generation.iterdir() if p.name != GENERATION_FILE)
    token = secrets.token_hex(4)
    for name in names:
        public, want = out_dir / name, f"{CURRENT_LINK}/{name}"
        if public.is_symlink() and os.readlink(public) == want:
            continue
        tmp = out_dir / f".{name}.link-{token}"
        os.symlink(want, tmp)
        os.replace(tmp, public)  # an old-style regular file of that name is replaced by the link
    for entry in out_dir.iterdir():
        if entry.is_symlink() and os.readlink(entry).startswith(CURRENT_LINK + "/") and entry.name not in names:
            entry.unlink()


def _holds(folder: Path, staging: Path, record: dict) -> bool:
    """``folder`` still holds the files of ``record`` (the staging folder's), byte for byte: a file that is the
    staging folder's own (a hard link) is not hashed again."""
    for name, info in record["files"].items():
        if name in TIMED_FILES:
            continue
        try:
            st = (folder / name).stat()
            if st.st_size != info["bytes"]:
                return False
            if os.path.samestat(st, (staging / name).stat()):
                continue
        except OSError:
            return False
        if file_sha256(folder / name) != info["sha256"]:
            return False
    return True


class Publication:
    """One run's way to a new generation of ``out_dir``: lock, staging folder, publish or abort.

    Creating it takes the folder's lock (:func:`diplo.run.lock.output_lock`; ``wait`` as there), clears the
    leftovers of interrupted runs and makes a staging folder with a name unique to this run
    (:attr:`staging`).  Exactly one of :meth:`publish` or :meth:`abort` must follow; both release the lock.

    Raises
    ------
    diplo.run.lock.FolderBusy
        When another process writes ``out_dir`` and ``wait`` is false.
    StorageError
        When the folder cannot be written (full disk, read-only file system, I/O error).
    """

    def __init__(self, out_dir: str | os.PathLike, *, wait: bool = False, command: str = "diplo run") -> None:
        self.out_dir = Path(out_dir)
        self._lock = contextlib.ExitStack()
        try:
            self._lock.enter_context(output_lock(self.out_dir, wait=wait, command=command))
            recover(self.out_dir)
            self.staging = self.out_dir / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
            self.staging.mkdir()
        except BaseException as exc:
            self._lock.close()
            if is_storage_error(exc):
                raise _storage_error(self.out_dir, exc) from exc
            raise

    def abort(self, exc: BaseException | None = None) -> None:
        """Remove the staging folder and release the lock; a storage error in ``exc`` is raised as :class:`StorageError`."""
        try:
            shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._lock.close()
        if exc is not None and is_storage_error(exc) and not isinstance(exc, StorageError):
            raise _storage_error(self.out_dir, exc) from exc

    def publish(self) -> Path:
        """Make the staging folder the published generation (the steps in the module docstring).

        Returns the generation's folder.
        """
        try:
            record = describe_generation(self.staging)
            for name in record["files"]:  # a full disk can surface only when the data reaches it
                fd = os.open(self.staging / name, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            write_json(record, self.staging / GENERATION_FILE)
            _step("staged")
            generation = self.out_dir / f"{GENERATION_PREFIX}{generation_id(record)}"
            link = self.out_dir / CURRENT_LINK
            current = os.readlink(link) if link.is_symlink() else None
            if current == generation.name and _holds(generation, self.staging, record):
                shutil.rmtree(self.staging)  # the same outputs as the published ones: nothing to switch
            else:
                if current == generation.name:  # the published files were damaged since: a new name
                    generation = generation.with_name(f"{generation.name}-{secrets.token_hex(4)}")
                shutil.rmtree(generation, ignore_errors=True)  # a leftover of the same outputs, never published
                os.rename(self.staging, generation)
            _step("renamed")
            tmp = self.out_dir / f"{CURRENT_LINK}.tmp-{secrets.token_hex(4)}"
            os.symlink(generation.name, tmp)
            os.replace(tmp, link)
            _fsync_dir(self.out_dir)
            _step("pointed")
            _link_public_names(self.out_dir, generation)
            _step("linked")
            for entry in self.out_dir.iterdir():
                if entry.name.startswith(GENERATION_PREFIX) and entry.name != generation.name:
                    shutil.rmtree(entry, ignore_errors=True)
            _step("cleaned")
            return generation
        except BaseException as exc:
            self.abort(exc)
            raise
        finally:
            self._lock.close()
