"""The package as a user gets it: the wheel's contents, and the wheel installed into a fresh venv with that
venv's own pip, used from outside the checkout."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import ARTICLE_HTML, RAW, ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
# notebooks/ is the repository's copy, shipped as the package diplo.notebooks (one copy, mapped at build time)
MAPPED = {"diplo.notebooks": "notebooks", "diplo.notebooks.params": "notebooks/params"}


def _subpackages() -> set[str]:
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in (src / "diplo").rglob("__init__.py")}
    # data folders hold no code but are packages too (setuptools warns about, and may one day drop, data folders
    # that are not listed)
    data = {".".join(p.relative_to(src).parts) for p in (src / "diplo" / "data").rglob("*") if p.is_dir()}
    return found | {"diplo.data"} | data | set(MAPPED)


def test_package_list_covers_every_subpackage():
    assert set(SETUPTOOLS["packages"]) == _subpackages()
    assert SETUPTOOLS["package-dir"] == {"": "src", "diplo.notebooks": "notebooks"}


@pytest.mark.parametrize("package, folder", sorted(MAPPED.items()))
def test_package_data_takes_every_notebook_file(package, folder):
    """A file added to notebooks/ that the patterns miss would silently stay out of the wheel."""
    patterns = SETUPTOOLS["package-data"][package]
    files = [p for p in (ROOT / folder).iterdir() if p.is_file()]
    assert files
    assert [p.name for p in files if not any(p.match(pat) for pat in patterns)] == []


def test_citation_names_this_version():
    from diplo import __version__

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["version"] == __version__ and cff["license"] == "MIT"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))


def test_notice_names_every_shipped_data_file():
    notice = (ROOT / "NOTICE").read_text()
    data = sorted(p.name for p in (ROOT / "src" / "diplo" / "data").iterdir() if p.name != "SOURCES.md")
    assert [name for name in data if name not in notice] == []
    assert "ODbL" in notice and "MIT License" in (ROOT / "LICENSE").read_text()


def _run(args, cwd, env, timeout=900) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the sources (the checkout is not written)."""
    base = tmp_path_factory.mktemp("build")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    for name in ("pyproject.toml", "README.md", "LICENSE", "NOTICE"):
        shutil.copy(ROOT / name, base / name)
    for folder in ("src", "notebooks"):
        shutil.copytree(ROOT / folder, base / folder, ignore=ignore)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", base / "dist", base], base,
         os.environ)
    (built,) = (base / "dist").glob("diplo-*.whl")
    return built


@pytest.mark.wheel
def test_wheel_carries_the_notebooks_byte_for_byte(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        shipped = {n.removeprefix("diplo/notebooks/"): zf.read(n) for n in names
                   if n.startswith("diplo/notebooks/")}
        assert {n for n in names if n.endswith(("licenses/LICENSE", "licenses/NOTICE"))}
    local = {p.relative_to(ROOT / "notebooks").as_posix(): p.read_bytes()
             for p in (ROOT / "notebooks").rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts}
    assert shipped == local


@pytest.mark.wheel
def test_wheel_in_a_fresh_venv_runs_outside_the_checkout(wheel, tmp_path):
    """pip install of the wheel with the new venv's own pip (not upgraded; needs PyPI for the dependencies),
    then --version, an HTML ingest, diplo notebooks, a report and an export from a folder outside the checkout."""
    from diplo import __version__

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(MPLCONFIGDIR=str(tmp_path / "mpl"), JUPYTER_PLATFORM_DIRS="1", PYTHONHASHSEED="0")
    work = tmp_path / "work"
    work.mkdir()
    _run([bin_dir / "python", "-m", "pip", "install", "--quiet", wheel], work, env, timeout=1800)

    assert _run([bin_dir / "diplo", "--version"], work, env).stdout == f"diplo {__version__}\n"
    assert _run([bin_dir / "python", "-m", "diplo", "--version"], work, env).stdout == f"diplo {__version__}\n"
    installed = _run([bin_dir / "python", "-c", "import diplo; print(diplo.__file__)"], work, env).stdout
    assert str(env_dir) in installed, "the venv must import its installed diplo, not the checkout's"

    raw = work / "raw"
    shutil.copytree(RAW, raw)
    (raw / "article.html").write_text(ARTICLE_HTML)
    _run([bin_dir / "diplo", "run", raw, "--out", work / "out", "-q"], work, env)
    manifest = (work / "out" / "manifest.csv").read_text().splitlines()
    assert next(line for line in manifest if line.startswith("article.html,")).startswith("article.html,ok,")
    record = json.loads((work / "out" / "run.json").read_text())
    assert all(str(env_dir) in d["path"] for d in record["dictionaries"] if d["packaged"])

    _run([bin_dir / "diplo", "notebooks", work / "nbs"], work, env)
    copied = sorted(p.name for p in (work / "nbs").glob("*.ipynb"))
    assert copied == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))

    _run([bin_dir / "diplo", "report", "-p", "raw_dir", raw, "--out", work / "report", "-q"], work, env,
         timeout=1800)
    report = json.loads((work / "report" / "run.json").read_text())
    assert report["kernel"] == "python3"  # no diplo kernel registered by a plain pip install
    # one HTML report per notebook, and the index page linking them
    assert sorted(p.name for p in (work / "report").glob("*.html")) == sorted(
        ["index.html", *(n.replace(".ipynb", ".html") for n in copied)])

    _run([bin_dir / "diplo", "export", "dfm", work / "out", "--out", work / "dfm", "--features", "themes"],
         work, env)
    assert sorted(p.name for p in (work / "dfm").iterdir()) == sorted(
        ["dfm.mtx", "docvars.csv", "features.csv", "tidy_counts.parquet"])
    shutil.rmtree(env_dir)  # about a gigabyte of dependencies; kept only when the test fails
