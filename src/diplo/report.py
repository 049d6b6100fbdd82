"""Batch reports: run the notebook suite through papermill and export HTML with code hidden."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence

import yaml

from diplo import __version__, io

__all__ = ["find_notebooks", "load_params", "run_report", "ReportError"]

log = logging.getLogger(__name__)

# Parameters holding paths: resolved against the caller's folder before they reach the notebooks,
# which run with their own folder as working directory.
PATH_PARAMS = ("raw_dir", "output_dir", "themes_file")


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
            loaded = yaml.safe_load(fh) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: a parameters file must be a mapping of name: value")
        params.update(loaded)
    for name, value in overrides:
        params[name] = yaml.safe_load(value)
    return params


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


def _export_html(ipynb: Path, html: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(ipynb, as_version=4))
    io.write_text(body, html)


def _failed_cell(ipynb: Path) -> str:
    import nbformat
    nb = nbformat.read(ipynb, as_version=4)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"cell {i} ({out.get('ename')}: {out.get('evalue')})"
    return "unknown cell"


def run_report(params: Mapping, out_dir: str | os.PathLike, *, notebooks_dir: str | os.PathLike = "notebooks",
               notebooks: Sequence[str] | None = None, progress: bool = True) -> Path:
    """Execute each notebook with ``params`` into ``out_dir``; write HTML and ``run.json`` beside them."""
    import papermill as pm
    from tqdm import tqdm

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    params = _resolve_paths(params, Path.cwd())
    params.setdefault("output_dir", str(out_dir))
    paths = find_notebooks(notebooks_dir)
    if notebooks:
        paths = [p for p in paths if p.stem in set(notebooks)]
    kernel = _kernel_name()
    timings: dict[str, float] = {}
    raw = Path(params["raw_dir"]) if params.get("raw_dir") else None
    inputs = {p.relative_to(raw).as_posix(): _sha256(p) for p in sorted(raw.rglob("*")) if p.is_file()} \
        if raw and raw.is_dir() else {}
    bar = tqdm(paths, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    for nb in bar:
        bar.set_postfix_str(nb.stem)
        dest = out_dir / nb.name
        start = time.perf_counter()
        try:
            pm.execute_notebook(str(nb), str(dest), parameters=dict(params), kernel_name=kernel,
                                cwd=str(nb.parent.resolve()), progress_bar=False, log_output=False)
        except pm.PapermillExecutionError as exc:
            raise ReportError(f"{nb.name} failed at cell {exc.exec_count}: {exc.ename}: {exc.evalue}") from None
        timings[nb.stem] = round(time.perf_counter() - start, 3)
        _export_html(dest, dest.with_suffix(".html"))
    io.write_json({"parameters": params, "diplo_version": __version__, "inputs_sha256": inputs,
                   "timings_s": timings, "kernel": kernel}, out_dir / "run.json")
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
