"""Batch reports: run the notebook suite through papermill and export HTML with code hidden."""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import importlib.resources
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from diplo import __version__
from diplo.io.outputs import write_json
from diplo.report.sanitize import export_html

__all__ = ["find_notebooks", "packaged_notebooks", "copy_notebooks", "load_params", "notebook_parameters",
           "declared_parameters", "kernel_config",
           "run_report", "report_jobs", "refresh_notebooks", "ReportError"]

log = logging.getLogger(__name__)

# Parameters holding paths: resolved against the caller's folder before they reach the notebooks,
# which run with their own folder as working directory.
PATH_PARAMS = ("raw_dir", "output_dir", "processed_dir", "themes_file")


class ReportError(RuntimeError):
    """A notebook failed; the message names the notebook and the cell."""


def find_notebooks(notebooks_dir: str | os.PathLike | None = None) -> list[Path]:
    """The suite's notebooks in run order (file name order); default: :func:`packaged_notebooks`."""
    notebooks_dir = packaged_notebooks() if notebooks_dir is None else Path(notebooks_dir)
    paths = sorted(notebooks_dir.glob("[0-9]*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks named like 01_*.ipynb in {notebooks_dir.resolve()}")
    return paths


def packaged_notebooks() -> Path:
    """The folder of the notebook suite that comes with diplo.

    An installed wheel carries it as ``diplo/notebooks`` (built from the repository's ``notebooks/``); run from
    a source checkout (``PYTHONPATH=src`` or an editable install) it is the repository's ``notebooks/`` itself,
    so there is one copy to edit.

    Raises
    ------
    FileNotFoundError
        If neither holds the notebooks (a broken install).
    """
    installed = Path(str(importlib.resources.files("diplo"))) / "notebooks"
    checkout = Path(__file__).resolve().parents[3] / "notebooks"  # <repo>/src/diplo/report/batch.py
    for folder in (installed, checkout):
        if any(folder.glob("[0-9]*.ipynb")):
            return folder
    raise FileNotFoundError(f"diplo's notebooks are missing from {installed}; reinstall diplo")


def copy_notebooks(dest: str | os.PathLike, *, overwrite: bool = False) -> list[Path]:
    """Copy the packaged notebooks (and ``params/`` examples) into ``dest`` for editing.

    Run the edited suite with ``diplo report --notebooks DEST``.

    Returns
    -------
    list of Path
        The files written, in name order.

    Raises
    ------
    FileExistsError
        If a file of the suite already exists in ``dest`` and ``overwrite`` is false (the message lists them).
    """
    source, dest = packaged_notebooks(), Path(dest)
    files = sorted([*source.glob("[0-9]*.ipynb"), *source.glob("params/*.yml")])
    targets = [dest / f.relative_to(source) for f in files]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{len(existing)} file(s) already exist, e.g. {existing[0]}; "
                              "pass --force (overwrite=True) to replace them")
    for f, t in zip(files, targets):
        t.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, t)
    return targets


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
    """The kernel the notebooks run on: ``diplo`` when a kernel of that name is registered for this interpreter
    (``make install`` registers one), else ``python3``, started from this interpreter (:func:`_kernel_options`)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec("diplo")
    except NoSuchKernel:
        return "python3"
    return "diplo" if spec.argv and _is_this_interpreter(spec.argv[0]) else "python3"


def _is_this_interpreter(executable: str) -> bool:
    # jupyter_client runs a bare python/python3/python3.X of a kernel spec with sys.executable.  Folders are
    # compared, not resolved executables: every venv's python links to the same base interpreter.
    bare = {"python", f"python{sys.version_info[0]}", "python%i.%i" % sys.version_info[:2]}
    return executable in bare or (os.path.realpath(os.path.dirname(executable))
                                  == os.path.realpath(os.path.dirname(sys.executable)))


def _kernel_options(name: str) -> dict:
    """Keyword arguments for papermill/nbclient that start kernel ``name`` (see :func:`_kernel_name`).

    ``python3`` is started from ``sys.executable`` whatever kernel of that name is registered: a plain ``pip
    install`` registers none for diplo, and a user's own ``python3`` kernel may be another Python without diplo.
    """
    if name != "python3":
        return {"kernel_name": name}
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    class _ThisInterpreter(AsyncKernelManager):
        @property
        def kernel_spec(self) -> KernelSpec:
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                              display_name=f"Python {sys.version_info[0]}.{sys.version_info[1]}", language="python")

    return {"kernel_name": name, "kernel_manager_class": _ThisInterpreter}


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


def declared_parameters(notebooks_dir: str | os.PathLike | None = None) -> list[dict]:
    """Every parameter the suite's notebooks declare, for ``diplo report --help``.

    Read from the ``parameters`` cells with papermill's ``inspect_notebook``, so a parameter added to a
    notebook is listed without code changes.

    Returns
    -------
    list of dict
        In order of first declaration: ``name``, ``type`` (papermill's inferred type name), ``default`` (the
        literal as written in the cell; ``"<notebook>"`` standing for the stem where each notebook's default
        names itself, like ``output_dir``), ``help`` (its comment) and ``notebooks`` (the stems declaring it).
    """
    rows: dict[str, dict] = {}
    for path in find_notebooks(notebooks_dir):
        for name, info in notebook_parameters(path).items():
            row = rows.setdefault(name, {"name": name, "type": info.get("inferred_type_name") or "",
                                         "default": info.get("default") or "", "help": info.get("help") or "",
                                         "notebooks": []})
            row["notebooks"].append(path.stem)
            row.setdefault("defaults", []).append((info.get("default") or "").replace(path.stem, "<notebook>"))
    for row in rows.values():
        defaults = row.pop("defaults")
        row["default"] = defaults[0] if len(set(defaults)) == 1 else " / ".join(dict.fromkeys(defaults))
    return list(rows.values())


def _literal(source: str):
    """A parameter cell's default (Python literal source) as a value; ``None`` when it is not a plain literal."""
    import ast

    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None


@contextlib.contextmanager
def kernel_config():
    """Kernel manager settings for one notebook run, as a context: the kernel talks over IPC (Unix sockets in a
    private temporary folder, removed afterwards) rather than unencrypted TCP on localhost, the transport
    ipykernel warns about. Each kernel gets its own folder: jupyter_client's default IPC address is
    ``kernel-ipc`` in the working folder, which concurrent kernels would share."""
    import shutil
    import tempfile

    from traitlets.config import Config

    if os.name != "posix":
        yield Config()
        return
    folder = tempfile.mkdtemp(prefix="diplo-kernel-")
    try:
        yield Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "kernel")}})
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_params(params: dict, declared: Mapping[str, dict]):
    """Every check that needs no processed corpus: the standard parameters (:func:`parse_params`, once),
    declared types, ``theme``, ``validation_files``.

    Returns
    -------
    (dict, NotebookParams)
        ``params`` with ``validation_files`` resolved against the caller's folder (what the notebooks get),
        and the same parameters parsed.
    """
    import dataclasses

    from diplo.report.params import check_declared_type, check_theme, parse_params, parse_validation_files

    parsed = parse_params(params)  # the standard parameters, with their own messages
    for stem, names in declared.items():
        for name, info in names.items():
            if name in params:
                check_declared_type(name, params[name], info.get("inferred_type_name"), where=f"{stem}.ipynb")
    out = dict(params)
    theme_in = [stem for stem, names in declared.items() if "theme" in names]
    if theme_in:  # the notebook's own default counts too: it must exist in the themes file in use
        theme = out.get("theme", _literal(declared[theme_in[0]]["theme"].get("default") or '""'))
        if theme is not None:  # None: a default that is not a plain literal, left to the notebook
            check_theme(theme, parsed.themes_file)
    if out.get("validation_files"):
        files = parse_validation_files(out["validation_files"], base=Path.cwd())
        out["validation_files"] = [{**f, "path": str(f["path"])} for f in files]
        parsed = dataclasses.replace(parsed, extra={**parsed.extra, "validation_files": out["validation_files"]})
    return out, parsed


def _check_outlets(parsed, processed: Path) -> None:
    """``outlets`` against the processed corpus (only the ``outlet`` column is read)."""
    import pyarrow.parquet as pq

    from diplo.report.params import check_outlets

    if parsed.outlets:
        check_outlets(parsed.outlets, pq.read_table(processed / "articles.parquet", columns=["outlet"])
                      .column("outlet").to_pandas())


def run_report(params: Mapping, out_dir: str | os.PathLike, *, notebooks_dir: str | os.PathLike | None = None,
               notebooks: Sequence[str] | None = None, progress: bool = True, wait: bool = False,
               jobs: int | None = None) -> Path:
    """Execute the notebook suite with ``params`` into ``out_dir``.

    Every parameter is checked before any notebook runs: names against the notebooks' parameters cells,
    values against their declared types and :func:`diplo.report.params.parse_params`, ``theme`` against the
    themes file in use, ``outlets`` against the processed corpus. The corpus is processed once
    (:func:`diplo.run.freshness.ensure_processed`, into ``processed_dir`` or ``out_dir/processed``) and every
    notebook reads it. Writes per notebook the executed ``.ipynb`` and an ``.html`` with code hidden; the
    notebooks write ``figures/`` (PNG + SVG) and ``tables/`` (CSV); then ``run.json`` records parameters,
    diplo version, input file hashes, timings and whether the corpus was processed again (``reprocessed``; a
    ``diplo run`` output with the same inputs, options and diplo is reused), and ``index.html`` links the reports
    (:func:`diplo.report.index.write_index`).  ``notebooks_dir``: the suite to run (default:
    :func:`packaged_notebooks`; ``diplo notebooks DIR`` copies it out for editing).  The run holds the lock
    of ``out_dir`` (:mod:`diplo.run.lock`; ``wait`` to queue behind another run instead of failing).
    ``jobs``: notebooks executed at once, each in its own kernel (default :func:`report_jobs`: one per core, as
    many as the free memory holds); the notebooks are independent, so the outputs are the same for any
    value. After a failure no further notebook starts; those running finish, and the first failure in suite
    order is raised.

    Raises
    ------
    ValueError, TypeError
        A parameter no notebook declares, or a bad value (checked before any notebook runs), or an output,
        processed or lock folder inside the raw folder, or ``jobs`` below 1.
    diplo.run.lock.FolderBusy
        When another process writes ``out_dir`` or the processed folder (and ``wait`` is false).
    ReportError
        A notebook failed: the message names the notebook, the cell and the error.
    diplo.run.publish.StorageError
        The disk is full or writing failed (processing, or a notebook saving its figures and tables).
    """
    import papermill as pm
    from tqdm import tqdm

    from diplo.report.index import write_index
    from diplo.report.params import pipeline_options
    from diplo.run.freshness import ensure_processed
    from diplo.run.lock import output_lock
    from diplo.run.publish import StorageError, is_storage_error
    from diplo.run.workers import default_jobs

    started = time.perf_counter()
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a whole number of notebooks at once, at least 1; got {jobs!r}")
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
    params, parsed = _check_params(params, declared)  # fail before processing anything (paths inside raw too)
    with output_lock(out_dir, wait=wait, command="diplo report"):
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        reprocessed = ensure_processed(parsed.raw_dir, parsed.processed_dir, **pipeline_options(parsed),
                                       jobs=default_jobs(), wait=wait,
                                       progress=None if progress else False)  # all cores; a bar only on a terminal
        timings["process"] = round(time.perf_counter() - t0, 3)
        _release_memory()  # processing's freed heap goes back to the system before the kernels start
        _check_outlets(parsed, parsed.processed_dir)  # needs the corpus; still before any notebook
        kernel = _kernel_name()
        jobs = report_jobs(parsed.processed_dir, len(paths)) if jobs is None else jobs
        bar = tqdm(total=len(paths), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)

        def execute(nb: Path) -> float:
            dest = out_dir / nb.name
            mine = {k: v for k, v in params.items() if k in declared[nb.stem]}
            t0 = time.perf_counter()
            with kernel_config() as config:
                # the kernel starts in the notebook's folder (nbclient's resources path), not papermill's
                # `cwd=`: that changes this whole process's working folder, which notebooks run in threads
                # at once would leave pointing at a notebook folder
                pm.execute_notebook(str(nb), str(dest), parameters=mine, progress_bar=False, log_output=False,
                                    config=config, resources={"metadata": {"path": str(nb.parent.resolve())}},
                                    **_kernel_options(kernel))
            seconds = round(time.perf_counter() - t0, 3)
            export_html(dest, dest.with_suffix(".html"))
            return seconds

        outcomes = _run_notebooks(execute, paths, jobs=jobs, bar=bar)
        bar.close()
        done: list[Path] = []
        for nb in paths:  # in suite order: the first failure is the one reported, as in a one-by-one run
            outcome = outcomes.get(nb)
            if isinstance(outcome, pm.PapermillExecutionError):
                exc, dest = outcome, out_dir / nb.name
                if exc.ename in ("OSError", "StorageError") and is_storage_error(OSError(exc.evalue)):
                    raise StorageError(errno.ENOSPC, f"cannot write outputs in {out_dir}: {nb.name}: "
                                       f"{exc.evalue}") from None
                write_index(out_dir, done, params=parsed, processed_dir=parsed.processed_dir, failed=nb)
                first_line = next((ln for ln in exc.source.splitlines() if ln.strip()), "")
                raise ReportError(f"{nb.name} failed in cell {exc.cell_index} (`{first_line[:80]}`): "
                                  f"{exc.ename}: {exc.evalue}; executed notebook with the traceback: {dest}") from None
            if isinstance(outcome, BaseException):
                raise outcome
            timings[nb.stem] = outcome
            done.append(nb)
        write_index(out_dir, done, params=parsed, processed_dir=parsed.processed_dir)
        timings["total"] = round(time.perf_counter() - started, 3)
        write_json({"parameters": parsed.as_dict(), "diplo_version": __version__,
                    "inputs_sha256": _input_hashes(parsed.raw_dir), "timings_s": timings, "kernel": kernel,
                    "reprocessed": reprocessed, "notebooks": [p.name for p in paths], "jobs": jobs},
                   out_dir / "run.json")
        return out_dir


def _release_memory() -> None:
    """Return what processing the corpus freed in this process (Python's and Arrow's heaps) to the system: the
    process lives on, small, while the notebooks' kernels run beside it."""
    import gc

    import pyarrow as pa

    from diplo.run.workers import return_free_memory

    gc.collect()
    pa.default_memory_pool().release_unused()
    return_free_memory()


# Memory of one notebook kernel, for report_jobs: a base (Python, pandas, matplotlib, the scorers) and a share
# per article of the corpus read (article table, per-article sums, the sampled texts)
_KERNEL_BASE_BYTES = 400e6
_KERNEL_BYTES_PER_ARTICLE = 8e3


def report_jobs(processed_dir: str | os.PathLike, notebooks: int) -> int:
    """How many notebooks :func:`run_report` executes at once by default: one per core, no more than the
    memory available now holds at the size a kernel reaches on this corpus (a base plus a share per article of
    ``processed_dir/articles.parquet``), never more than ``notebooks``; at least 1."""
    import psutil
    import pyarrow.parquet as pq

    from diplo.analysis.aggregate import available_cores

    try:
        articles = pq.ParquetFile(Path(processed_dir) / "articles.parquet").metadata.num_rows
    except OSError:
        articles = 0
    kernel = _KERNEL_BASE_BYTES + _KERNEL_BYTES_PER_ARTICLE * articles
    fits = int(psutil.virtual_memory().available // kernel)
    return max(1, min(available_cores(), fits, notebooks))


def _run_notebooks(execute, paths: Sequence[Path], *, jobs: int, bar) -> dict[Path, object]:
    """``execute(nb)`` for each notebook, ``jobs`` at a time (threads: the work is in the kernels), in suite
    order; after a failure none starts. Returns per notebook run its result or the exception it raised."""
    outcomes: dict[Path, object] = {}
    if jobs <= 1:
        for nb in paths:
            bar.set_postfix_str(nb.stem)
            try:
                outcomes[nb] = execute(nb)
            except Exception as exc:  # noqa: BLE001 - handed back, raised by the caller in suite order
                outcomes[nb] = exc
                break
            bar.update()
        return outcomes
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pending, running = list(paths), {}
    with ThreadPoolExecutor(jobs) as pool:
        while pending or running:
            failed = any(isinstance(o, Exception) for o in outcomes.values())
            while pending and len(running) < jobs and not failed:
                nb = pending.pop(0)
                running[pool.submit(execute, nb)] = nb
            if not running:
                break
            bar.set_postfix_str(", ".join(nb.stem for nb in sorted(running.values())))
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                nb = running.pop(future)
                try:
                    outcomes[nb] = future.result()
                except Exception as exc:  # noqa: BLE001
                    outcomes[nb] = exc
                bar.update()
    return outcomes


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
        with kernel_config() as config:
            NotebookClient(nb, timeout=timeout, record_timing=False, config=config, **_kernel_options(kernel),
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
