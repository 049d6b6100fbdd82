"""The conda environment file mirrors pyproject.toml, so both install the same packages."""

from __future__ import annotations

import tomllib

import yaml

from conftest import ROOT


def _pyproject_requirements() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = set(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        reqs.update(extra)
    return {r.replace(" ", "") for r in reqs}


def test_environment_yml_mirrors_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    pip_reqs = {r.replace(" ", "") for r in pip_section if r != "-e ."}
    assert pip_reqs == _pyproject_requirements()
    assert "-e ." in pip_section, "environment.yml must install the diplo package itself"


def test_environment_python_matches_requires_python():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python{meta['requires-python']}" in env["dependencies"]
