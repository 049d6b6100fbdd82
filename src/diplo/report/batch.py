"""Batch reports: run the notebook suite through papermill and export HTML with code hidden."""

from __future__ import annotations

import datetime
import errno
import hashlib
import logging
import os
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from diplo import __version__
from diplo.io.outputs import write_json
from diplo.report.sanitize import export_html

__all__ = ["find_notebooks", "load_params", "notebook_parameters", "run_report", "refresh_notebooks",
           "ReportError"]

log = logging.getLogger(__name__)

# Parameters holding paths: resolved against the caller's folder before they reach the notebooks,
# which run with their own folder as working directory.
PATH_PARAMS = ("raw_dir", "output_dir", "processed_dir", "themes_file")


class ReportError(RuntimeError):
    """A notebook failed; the message names the notebook and the cell."""


def find_notebooks(notebooks_dir: str | os.PathLike = "notebooks") -> list[Path]:
    """The suite's notebooks in run order (file name order)."""
    paths = sorted(Path(notebooks_dir).glob("[0-9]*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks named like 01_*.ipynb in {Path(notebooks_dir).resolve()}")
    return paths


def load_params(path: str | os.PathLike | None = None, overrides: Sequence[tuple[str, str]] = ()) -> dict:
    """Parameters from a YAML file, then ``NAME VALUE`` overrides (values parsed as YAML scalars/lists)."""
    params: dict = {}
    if path is not None:
        with open(path, encoding="utf-8") as fh:
            try:
                loaded = yaml.safe_load(fh) or {}
            except (yaml.YAMLError, ValueError) as exc:  # ValueError: YAML's own date parsing, e.g. 2023-13-01
                raise ValueError(f"{path}: not a valid parameters file: {exc}") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: a parameters file must be a mapping of name: value")
        params.update(loaded)
    for name, value in overrides:
        try:
            params[name] = yaml.safe_load(value)
        except (yaml.YAMLError, ValueError):  # keep the text; parse_params names what is wrong with it
            params[name] = value
    return params


def _plain(value):
    """YAML's dates (``start_date: 2023-01-01`` unquoted) as ISO strings: notebook parameters are JSON literals."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()[:10] if not isinstance(value, datetime.datetime) else value.date().isoformat()
    return value


def _resolve_paths(params: Mapping, base: Path) -> dict:
    out = dict(params)
    for key in PATH_PARAMS:
        if isinstance(out.get(key), str) and out[key]:
            out[key] = str((base / out[key]).resolve())
    return out


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager
    return "diplo" if "diplo" in KernelSpecManager().find_kernel_specs() else "python3"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def notebook_parameters(path: str | os.PathLike) -> dict[str, dict]:
    """The parameters a notebook declares in its ``parameters`` cell (name -> papermill's description)."""
    import papermill as pm
    return dict(pm.inspect_notebook(str(path)))


def _input_hashes(raw: Path) -> dict[str, str]:
    """SHA-256 of the files diplo reads: regular files inside ``raw`` (symlinks leading out of it, hidden,
    special and unsupported files are not inputs, and are not hashed) and ``metadata.csv``."""
    from diplo.io.paths import is_inside, open_regular
    from diplo.io.raw import METADATA_FILE, SUPPORTED_SUFFIXES, iter_raw_files

    out = {}
    candidates = [(rel, path) for rel, path, problem in iter_raw_files(raw)
                  if not problem and path.suffix.lower() in SUPPORTED_SUFFIXES]
    if (raw / METADATA_FILE).is_file() and is_inside(raw / METADATA_FILE, raw):
        candidates.append((METADATA_FILE, raw / METADATA_FILE))
    for rel, path in sorted(candidates):
        try:
            with open_regular(path) as fh:
                digest = hashlib.sha256()
                while block := fh.read(1 << 20):
                    digest.update(block)
        except OSError:  # swapped for a FIFO or removed since the listing: not an input any more
            continue
        out[rel] = digest.hexdigest()
    return out


def run_report(params: Mapping, out_dir: str | os.PathLike, *, notebooks_dir: str | os.PathLike = "notebooks",
               notebooks: Sequence[str] | None = None, progress: bool = True, wait: bool = False) -> Path:
    """Execute the notebook suite with ``params`` into ``out_dir``.

    The corpus is processed once (:func:`diplo.run.pipeline.ensure_processed`, into ``processed_dir`` or
    ``out_dir/processed``) and every notebook reads it. Writes per notebook the executed ``.ipynb`` and an
    ``.html`` with code hidden; the notebooks write ``figures/`` (PNG + SVG) and ``tables/`` (CSV); then
    ``run.json`` records parameters, diplo version, input file hashes and timings.  The run holds the lock
    of ``out_dir`` (:mod:`diplo.run.lock`; ``wait`` to queue behind another run instead of failing).

    Raises
    ------
    ValueError, TypeError
        A parameter no notebook declares, or a bad value (checked before anything runs), or an output,
        processed or lock folder inside the raw folder.
    diplo.run.lock.FolderBusy
        When another process writes ``out_dir`` or the processed folder (and ``wait`` is false).
    ReportError
        A notebook failed: the message names the notebook, the cell and the error.
    diplo.run.publish.StorageError
        The disk is full or writing failed (processing, or a notebook saving its figures and tables).
    """
    import papermill as pm
    from tqdm import tqdm

    from diplo.report.params import parse_params, pipeline_options
    from diplo.run.freshness import ensure_processed
    from diplo.run.lock import output_lock
    from diplo.run.publish import StorageError, is_storage_error

    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    paths = find_notebooks(notebooks_dir)
    if notebooks:
        unknown = sorted(set(notebooks) - {p.stem for p in paths})
        if unknown:
            raise ValueError(f"unknown notebook(s) {unknown}; the suite has {[p.stem for p in paths]}")
        paths = [p for p in paths if p.stem in set(notebooks)]
    declared = {p.stem: notebook_parameters(p) for p in paths}
    known = sorted(set().union(*declared.values()))
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; the notebooks declare: {', '.join(known)}")
    params = _resolve_paths({"raw_dir": "data/raw", **_plain(params)}, Path.cwd())
    params["output_dir"] = str(out_dir)
    params.setdefault("processed_dir", str(out_dir / "processed"))
    parsed = parse_params(params)  # fail before running anything (paths inside raw included)
    with output_lock(out_dir, wait=wait, command="diplo report"):
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        ensure_processed(parsed.raw_dir, parsed.processed_dir, wait=wait, **pipeline_options(parsed))
        timings["process"] = round(time.perf_counter() - t0, 3)
        kernel = _kernel_name()
        bar = tqdm(paths, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
        for nb in bar:
            bar.set_postfix_str(nb.stem)
            dest = out_dir / nb.name
            mine = {k: v for k, v in params.items() if k in declared[nb.stem]}
            t0 = time.perf_counter()
            try:
                pm.execute_notebook(str(nb), str(dest), parameters=mine, kernel_name=kernel,
                                    cwd=str(nb.parent.resolve()), progress_bar=False, log_output=False)
            except pm.PapermillExecutionError as exc:
                bar.close()
                if exc.ename in ("OSError", "StorageError") and is_storage_error(OSError(exc.evalue)):
                    raise StorageError(errno.ENOSPC, f"cannot write outputs in {out_dir}: {nb.name}: "
                                       f"{exc.evalue}") from None
                first_line = next((ln for ln in exc.source.splitlines() if ln.strip()), "")
                raise ReportError(f"{nb.name} failed in cell {exc.cell_index} (`{first_line[:80]}`): "
                                  f"{exc.ename}: {exc.evalue}; executed notebook with the traceback: {dest}") from None
            timings[nb.stem] = round(time.perf_counter() - t0, 3)
            export_html(dest, dest.with_suffix(".html"))
        timings["total"] = round(time.perf_counter() - started, 3)
        write_json({"parameters": parsed.as_dict(), "diplo_version": __version__,
                    "inputs_sha256": _input_hashes(parsed.raw_dir), "timings_s": timings, "kernel": kernel,
                    "notebooks": [p.name for p in paths]}, out_dir / "run.json")
        return out_dir


def refresh_notebooks(notebooks_dir: str | os.PathLike = "notebooks", *, timeout: int = 600) -> list[Path]:
    """Re-execute the committed notebooks in place with their default parameters.

    Uses nbclient without timing metadata so the stored outputs depend only on code and data; this is
    what ``make notebooks`` runs and what the nbval check compares against.
    """
    import nbformat
    from nbclient import NotebookClient

    paths = find_notebooks(notebooks_dir)
    kernel = _kernel_name()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=timeout, kernel_name=kernel, record_timing=False,
                       resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)
        log.info("refreshed %s", path)
    return paths


if __name__ == "__main__":  # pragma: no cover - `make notebooks`
    import argparse

    ap = argparse.ArgumentParser(description="re-execute committed notebooks in place")
    ap.add_argument("--refresh-committed", metavar="DIR", default="notebooks")
    for p in refresh_notebooks(ap.parse_args().refresh_committed):
        print(f"refreshed {p}")
