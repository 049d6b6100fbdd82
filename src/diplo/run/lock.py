"""One writer per output folder: an advisory OS lock on ``OUT/.diplo.lock``.

``diplo run``, ``diplo report`` and :func:`diplo.run.freshness.ensure_processed` take the lock of the folder
they write before they create anything else in it.  The lock is an ``flock`` held on an open file, so the
operating system releases it when the process ends, however it ends (``kill -9`` included): there is never
a stale lock to delete by hand.  The holder writes its process id, start time and command into the file,
so a second writer can say who is in the way.

Within one process the lock is re-entrant (``ensure_processed`` holds it around ``run_pipeline``, which
takes it again).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import threading
from pathlib import Path
from typing import Iterator

__all__ = ["LOCK_FILE", "FolderBusy", "output_lock", "lock_holder"]

log = logging.getLogger(__name__)

LOCK_FILE = ".diplo.lock"


class FolderBusy(RuntimeError):
    """Another process holds the output folder's lock; the message names it (``diplo`` exits with 2)."""


_HELD: dict[str, list] = {}  # resolved folder -> [fd, depth]: the locks this process holds
_GUARD = threading.Lock()


def lock_holder(folder: str | os.PathLike) -> str:
    """What the lock file of ``folder`` says about its holder (``pid 123, diplo run, started ...``), or ``""``."""
    try:
        text = (Path(folder) / LOCK_FILE).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    fields = dict(part.split("=", 1) for part in text.split("\t") if "=" in part)
    if "pid" not in fields:
        return ""
    return f"pid {fields['pid']}, {fields.get('command', 'diplo')}, started {fields.get('started', '?')}"


@contextlib.contextmanager
def output_lock(folder: str | os.PathLike, *, wait: bool = False, command: str = "diplo") -> Iterator[Path]:
    """Hold the write lock of ``folder`` (created if missing) for the ``with`` block.

    Parameters
    ----------
    folder : the output folder; the lock is ``folder/.diplo.lock``.
    wait : wait for the holder to finish instead of failing at once.
    command : what this process is doing, recorded for a second writer's message.

    Raises
    ------
    FolderBusy
        When another process holds the lock and ``wait`` is false: the message names the holder.
    """
    import fcntl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = str(folder.resolve())
    with _GUARD:
        if key in _HELD:
            _HELD[key][1] += 1
            fd = None
        else:
            fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    if fd is None:  # re-entered in this process
        try:
            yield folder
        finally:
            with _GUARD:
                _HELD[key][1] -= 1
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = lock_holder(folder) or "another process"
            if not wait:
                raise FolderBusy(f"{folder} is in use by {holder}; wait for it to finish, or pass --wait "
                                 "to queue behind it") from None
            log.warning("%s is in use by %s; waiting", folder, holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid={os.getpid()}\tcommand={command}\tstarted={started}\n".encode(), 0)
        except OSError:  # a full disk: the lock holds without the note; the run reports the disk itself
            pass
        with _GUARD:
            _HELD[key] = [fd, 1]
        try:
            yield folder
        finally:
            with _GUARD:
                del _HELD[key]
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # a finished run leaves an empty file: outputs stay the same bytes
    finally:
        os.close(fd)  # releases the flock
