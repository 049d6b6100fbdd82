"""Freshness of a processed folder: rerun the pipeline only when its inputs, options or diplo changed."""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path
from typing import Sequence

from diplo.io.outputs import OUTPUT_TABLES, write_json
from diplo.io.paths import check_outside_raw
from diplo.run.lock import output_lock
from diplo.run.pipeline import run_pipeline

__all__ = ["ensure_processed", "record_processed"]

log = logging.getLogger(__name__)


_STAMP = ".diplo-stamp.json"
# run_pipeline options that change how the outputs are made, never what they hold (same bytes for any value)
_HOW_NOT_WHAT = ("jobs", "engine", "scheduler", "progress", "wait", "cache")


def _what_options(options: dict) -> dict:
    """The options that shape the outputs, without those left at run_pipeline's defaults.

    So ``diplo run`` (which passes every option, defaults included) and a notebook (which passes only what
    its parameters set) give the same fingerprint for the same work; dictionary paths are made absolute.
    """
    import inspect

    from diplo.io.raw import Limits
    from diplo.text.dates import DateConfig

    defaults = {name: p.default for name, p in inspect.signature(run_pipeline).parameters.items()
                if p.default is not inspect.Parameter.empty}
    resolved = {"limits": Limits(), "dates": DateConfig()}  # what run_pipeline uses for None
    out = {}
    for key, value in options.items():
        if key in _HOW_NOT_WHAT or (key in defaults and value == defaults[key]) or \
                (key in resolved and value == resolved[key]):
            continue
        out[key] = str(Path(value).resolve()) if key in ("themes", "actors") and value else value
    return out


def _fingerprint(raw_dir: Path, options: dict) -> dict:
    """What the outputs depend on: input files (name, size, mtime), options, diplo's version and code."""
    import hashlib
    import json

    from diplo import __version__

    files = hashlib.sha256()
    for rel, st in _raw_files(raw_dir):
        files.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    code = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent  # the whole diplo package: code and data files
    for p in sorted([*package.rglob("*.py"), *(package / "data").rglob("*")]):
        if p.is_file():
            code.update(p.relative_to(package).as_posix().encode() + b"\0" + p.read_bytes())
    options = _what_options(options)
    for key in ("themes", "actors"):  # a researcher's dictionary file: its content, not just its name
        if options.get(key) and Path(options[key]).is_file():
            options[f"{key}_sha256"] = hashlib.sha256(Path(options[key]).read_bytes()).hexdigest()
    opts = json.dumps(options, sort_keys=True, default=str)
    return {"diplo_version": __version__, "code_sha256": code.hexdigest(), "inputs_sha256": files.hexdigest(),
            "options": json.loads(opts), "raw_dir": str(raw_dir.resolve())}


_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)  # a path gone or a broken link: not a file


def _raw_files(raw_dir: Path) -> list[tuple[str, os.stat_result]]:
    """``(relative path with "/", stat)`` of every regular file under ``raw_dir`` (symbolic links followed for
    files, not into folders; unreadable folders skipped), in the order of ``sorted(raw_dir.rglob("*"))``: what
    the fingerprint has always hashed, walked with ``os.scandir`` (a path object per file took seconds at
    200,000 files)."""
    found: list[tuple[tuple[str, ...], str]] = []

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except PermissionError:
            return
        for entry in entries:
            found.append(((*parts, entry.name), entry.path))
            try:
                into = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                if exc.errno not in _MISSING:
                    raise
                into = False
            if into:
                walk(entry.path, (*parts, entry.name))

    walk(str(raw_dir), ())
    out = []
    for parts, path in sorted(found):  # a path sorts by its parts, as pathlib compares them
        try:
            st = os.stat(path)
        except OSError as exc:
            if exc.errno not in _MISSING:
                raise
            continue
        if stat.S_ISREG(st.st_mode):
            out.append(("/".join(parts), st))
    return out


def ensure_processed(raw_dir: str | os.PathLike, processed_dir: str | os.PathLike, *, wait: bool = True,
                     **options) -> bool:
    """Run :func:`run_pipeline` only when its inputs, options or diplo itself changed since the last run.

    A stamp file in ``processed_dir`` records the fingerprint of the last complete run (input file names,
    sizes and modification times; ``options``; diplo's version and source) and of the tables it wrote, so
    tables rewritten since by another command are rebuilt too. Concurrent callers on the same
    folder wait for each other (the folder's lock, :mod:`diplo.run.lock`), so notebooks sharing a processed
    folder process it once; an up-to-date folder is read without taking the lock.

    Parameters
    ----------
    raw_dir, processed_dir : as for :func:`run_pipeline`.
    wait : wait for another process writing ``processed_dir`` (default) instead of raising ``FolderBusy``.
    **options : keyword options passed to :func:`run_pipeline` (part of the fingerprint, except ``jobs``,
        ``engine``, ``scheduler``, ``progress`` and ``cache``, which give the same outputs for any value).
        ``cache`` defaults to the run cache in ``processed_dir/.cache`` (pandas engine), so that a rerun after a
        dictionary edit recomputes only what the edit changed.

    Returns
    -------
    bool
        True when the pipeline ran, False when the outputs were already up to date.
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    if not raw_dir.is_dir():
        raise ValueError(f"raw folder {raw_dir} does not exist")
    check_outside_raw(raw_dir, processed_folder=processed_dir)  # before anything is created
    stamp = processed_dir / _STAMP
    wanted = _fingerprint(raw_dir, options)
    outputs = [processed_dir / f"{name}.parquet" for name in OUTPUT_TABLES]
    # a notebook started by `diplo report` finds the folder fresh while the report holds no lock on it
    if _up_to_date(stamp, wanted, outputs):
        log.info("%s is up to date; not reprocessing", processed_dir)
        return False
    with output_lock(processed_dir, wait=wait, command="diplo (processing for notebooks)"):
        if _up_to_date(stamp, wanted, outputs):  # another process did it while we waited
            return False
        stamp.unlink(missing_ok=True)
        run_pipeline(raw_dir, processed_dir, **{"cache": options.get("engine", "pandas") == "pandas", **options})
        write_json({**wanted, "outputs": _signature(outputs)}, stamp)
        return True


def record_processed(raw_dir: str | os.PathLike, processed_dir: str | os.PathLike, **options) -> None:
    """Record that ``processed_dir`` holds what :func:`run_pipeline` just wrote from ``raw_dir`` with ``options``.

    ``diplo run`` calls it after a run, so a report or notebook pointed at that folder (``processed_dir``)
    with the same inputs, options and diplo finds it up to date (:func:`ensure_processed`) instead of
    processing the corpus again.  Options left at their defaults count as not given.
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    outputs = [processed_dir / f"{name}.parquet" for name in OUTPUT_TABLES]
    if all(p.is_file() for p in outputs):
        write_json({**_fingerprint(raw_dir, options), "outputs": _signature(outputs)}, processed_dir / _STAMP)


def _up_to_date(stamp: Path, wanted: dict, outputs: Sequence[Path]) -> bool:
    import json

    if not (stamp.is_file() and all(p.is_file() for p in outputs)):
        return False
    try:
        # the outputs must also be the ones that run wrote (not rewritten since, e.g. by `diplo run`)
        return json.loads(stamp.read_text(encoding="utf-8")) == {**wanted, "outputs": _signature(outputs)}
    except (OSError, ValueError):
        return False


def _signature(paths: Sequence[Path]) -> dict[str, list[int]]:
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in paths}
