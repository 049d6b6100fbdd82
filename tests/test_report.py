"""Batch reports through papermill: executed notebooks, HTML and run.json per run."""

from __future__ import annotations

import json

import nbformat
import pytest

from conftest import ROOT
from diplo.cli import main
from diplo.report import find_notebooks, load_params


def test_load_params_file_then_overrides(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("raw_dir: data/raw\noutlets: []\nseed: 0\n")
    params = load_params(f, [("seed", "7"), ("outlets", "[Press TV]")])
    assert params == {"raw_dir": "data/raw", "outlets": ["Press TV"], "seed": 7}


def test_params_file_must_be_a_mapping(tmp_path):
    f = tmp_path / "p.yml"
    f.write_text("- a\n- b\n")
    with pytest.raises(ValueError, match="must be a mapping"):
        load_params(f)


def test_every_notebook_has_a_tagged_parameters_cell():
    for path in find_notebooks(ROOT / "notebooks"):
        nb = nbformat.read(path, as_version=4)
        first_code = next(c for c in nb.cells if c.cell_type == "code")
        assert "parameters" in first_code.metadata.get("tags", []), path.name


def test_report_writes_executed_notebook_html_and_run_json(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "run"
    assert main(["report", "--params", "notebooks/params/sample.yml", "--out", str(out), "-q"]) == 0
    for nb in find_notebooks(ROOT / "notebooks"):
        executed = nbformat.read(out / nb.name, as_version=4)
        errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, nb.name
        html = (out / nb.with_suffix(".html").name).read_text()
        assert "<img" in html or "<svg" in html, f"{nb.name}: no chart in the HTML report"
        assert "import diplo" not in html, "report HTML must hide code"
    run = json.loads((out / "run.json").read_text())
    assert run["diplo_version"]
    assert len(run["inputs_sha256"]) == 6  # five articles + metadata.csv
