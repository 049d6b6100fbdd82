"""`diplo report` as a user meets it: RAW / --raw, --help with every notebook parameter, checks before any
notebook runs, the index page, a quiet kernel, the raw folder untouched."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import RAW, ROOT
from diplo.cli import main
from diplo.report import batch


def _suite(tmp_path, extra: str = "") -> "pathlib.Path":  # noqa: F821
    """A one-notebook suite: 01_corpus with ``extra`` lines appended to its parameters cell."""
    suite = tmp_path / "suite"
    suite.mkdir()
    nb = nbformat.read(ROOT / "notebooks" / "01_corpus.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source += extra
    nbformat.write(nb, suite / "01_corpus.ipynb")
    return suite


@pytest.fixture
def captured(monkeypatch):
    """run_report replaced by a recorder: what the CLI hands it."""
    calls = []
    monkeypatch.setattr(batch, "run_report", lambda params, out, **kw: calls.append((params, out, kw)) or out)
    return calls


@pytest.mark.parametrize("argv", [
    ["report", "data/raw"],
    ["report", "--raw", "data/raw"],
    ["report", "-p", "raw_dir", "data/raw"],
    ["report", "data/raw", "--raw", "./data/raw", "-p", "raw_dir", "data/raw/"],  # the same folder thrice
    ["report", "-p", "seed", "3", "data/raw", "--only", "02_tone"],
])
def test_raw_folder_forms(argv, captured, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main([*argv, "--out", "reports/x", "-q"]) == 0
    (params, out, kw), = captured
    assert params["raw_dir"] in ("data/raw", "./data/raw")
    assert out == "reports/x"


@pytest.mark.parametrize("argv", [
    ["report", "data/raw", "--raw", "notebooks"],
    ["report", "--raw", "data/raw", "-p", "raw_dir", "notebooks"],
])
def test_raw_folder_given_twice_differently_is_an_error(argv, captured, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(argv) == 2
    assert "the raw folder is given twice with different values" in capsys.readouterr().err
    assert not captured


def test_help_lists_every_notebook_parameter_with_type_and_default(tmp_path, capsys):
    """Read from the notebooks: a parameter added to a parameters cell appears without code changes."""
    suite = _suite(tmp_path, '\nmin_articles: int = 3  # fewest articles for a filled point\n'
                             'freq: str = "auto"  # time bins: auto, day, week, month, quarter, year\n')
    assert main(["report", "--notebooks", str(suite), "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: diplo report [RAW | --raw RAW]" in out and "--raw RAW" in out
    assert "  min_articles (int, default 3)\n      fewest articles for a filled point" in out
    assert '  freq (str, default "auto")\n      time bins: auto, day, week, month, quarter, year' in out
    assert '  outlets (list, default [])' in out
    assert "  raw_dir (str, default \"../data/raw\")\n      folder of raw articles (read only); set by RAW" in out


def test_help_on_the_real_suite_names_notebook_only_parameters(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["report", "-h"]) == 0
    out = capsys.readouterr().out
    for name in batch.declared_parameters(ROOT / "notebooks"):
        assert f"\n  {name['name']} (" in out
    assert '  theme (str, default "corridors") [06_report]' in out
    assert '  output_dir (str, default "../reports/interactive/<notebook>")' in out


@pytest.mark.parametrize("override, message", [
    (["-p", "theme", "energ"], "no theme 'energ' in the packaged themes.yml (did you mean 'energy'?)"),
    (["-p", "theme", "5"], "parameter 'theme' must be str (declared in 06_report.ipynb); got 5 (int)"),
    (["-p", "validation_files", "[nope.csv]"], "labelled file 'nope.csv' does not exist"),
])
def test_bad_value_stops_before_processing_and_notebooks(tmp_path, monkeypatch, capsys, override, message):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "run"
    assert main(["report", "data/raw", "--out", str(out), "-q", *override]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists(), "nothing may be written before every parameter is checked"


def test_own_themes_file_makes_the_default_theme_invalid(tmp_path, monkeypatch, capsys):
    """06's default theme ('corridors') must exist in the themes file in use, or the run stops before it starts."""
    monkeypatch.chdir(ROOT)
    mine = tmp_path / "mine.yml"
    mine.write_text("water:\n  - river\n")
    assert main(["report", "-p", "themes_file", str(mine), "--out", str(tmp_path / "run"), "-q"]) == 2
    assert "no theme 'corridors' in the themes file" in capsys.readouterr().err


def test_new_parameter_is_type_checked_from_its_declaration(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    # a parameter parse_params does not know (min_articles, freq, ... are checked there with their own messages)
    suite = _suite(tmp_path, "\nmin_words: int = 3  # fewest words\n")
    assert main(["report", "--notebooks", str(suite), "-p", "min_words", "few", "--out", str(tmp_path / "r"),
                 "-q"]) == 2
    assert "parameter 'min_words' must be int (declared in 01_corpus.ipynb); got 'few' (str)" in \
        capsys.readouterr().err


def test_unknown_outlet_stops_after_processing_before_any_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "run"
    assert main(["report", "--raw", "data/raw", "-p", "outlets", "[press tv, Tehran Times]", "--out", str(out),
                 "-q"]) == 2
    err = capsys.readouterr().err
    assert "parameter 'outlets': 'press tv' is not an outlet of this corpus (did you mean 'Press TV'?); " \
           "outlets (articles): Caspian News (1), Mehr News Agency (1), Press TV (1)" in err
    assert (out / "processed" / "articles.parquet").is_file()
    assert not list(out.glob("*.ipynb")) and not (out / "figures").exists()


def _tree_hash(folder) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(p.relative_to(folder).as_posix().encode())
        if p.is_file():
            h.update(p.read_bytes())
            h.update(str(p.stat().st_mtime_ns).encode())
    return h.hexdigest()


def test_report_run_index_page_quiet_kernel_raw_untouched(tmp_path, monkeypatch, capfd):
    """One real run of two notebooks: index.html, no TCP warning from the kernels, data/raw unchanged."""
    monkeypatch.chdir(ROOT)
    before = _tree_hash(RAW)
    out = tmp_path / "run"
    assert main(["report", "data/raw", "--only", "01_corpus", "--only", "06_report", "-p", "outlets",
                 "[Press TV, Tehran Times]", "--out", str(out), "-q"]) == 0
    err = capfd.readouterr().err  # the kernels' stderr too (file descriptor 2 is inherited)
    assert "without encryption" not in err and "over TCP" not in err, err
    assert _tree_hash(RAW) == before
    page = (out / "index.html").read_text()
    for stem in ("01_corpus", "06_report"):
        assert f'href="{stem}.html"' in page and (out / f"{stem}.html").is_file()
        img = next(line for line in page.split("<img")[1:] if f'src="figures/{stem}/' in line)
        assert (out / img.split('src="')[1].split('"')[0]).is_file()
    assert "02_tone.html" not in page  # only the notebooks of this run
    assert "What is in the corpus?" in page  # the notebook's title
    # key numbers: the corpus (5 dated articles, 5 outlets) and the selection (2 articles)
    assert "<tr><th>corpus</th><td>5</td><td>5</td><td>5</td><td>2021-12-23 to 2023-12-07</td></tr>" in page
    assert "<tr><th>selected</th><td>2</td><td>2</td><td>2</td><td>2021-12-23 to 2023-07-06</td></tr>" in page
    assert json.loads((out / "run.json").read_text())["notebooks"] == ["01_corpus.ipynb", "06_report.ipynb"]


def test_index_page_escapes_and_picks_the_headline_figure(tmp_path, processed):
    """Text from notebooks and parameters is escaped; a designated headline figure wins over the first saved."""
    from diplo.report.index import headline_figure, write_index
    from diplo.report.params import parse_params

    out = tmp_path / "run"
    for stem in ("01_corpus", "02_tone"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# Tone <script>x()</script> {stem}")])
        if stem == "02_tone":
            nb.metadata["diplo"] = {"headline_figure": "b_second"}
        (out / "figures" / stem).mkdir(parents=True)
        nbformat.write(nb, out / f"{stem}.ipynb")
        for i, name in enumerate(("b_second", "a_first")[::-1]):  # a_first saved first
            png = out / "figures" / stem / f"{name}.png"
            png.write_bytes(b"\x89PNG")
            os.utime(png, ns=(10**18 + i, 10**18 + i))
    assert headline_figure(out / "01_corpus.ipynb", out / "figures" / "01_corpus").name == "a_first.png"
    assert headline_figure(out / "02_tone.ipynb", out / "figures" / "02_tone").name == "b_second.png"
    assert headline_figure(out / "02_tone.ipynb", out / "figures" / "03_themes") is None
    params = parse_params(raw_dir=str(RAW), output_dir=str(out), outlets=["<b onclick=x()>Press TV</b>"])
    page = write_index(out, ["01_corpus", "02_tone"], params=params, processed_dir=processed,
                       failed="03_themes").read_text()
    assert "<script>" not in page and "<b onclick" not in page
    assert "&lt;script&gt;" in page and "&lt;b onclick=x()&gt;" in page
    assert 'src="figures/02_tone/b_second.png"' in page and 'src="figures/01_corpus/a_first.png"' in page
    assert "03_themes failed" in page
    assert write_index(out, ["01_corpus", "02_tone"], params=params, processed_dir=processed,
                       failed="03_themes").read_text() == page  # deterministic


def test_kernel_config_uses_ipc_in_a_private_folder():
    with batch.kernel_config() as first, batch.kernel_config() as second:
        assert first.KernelManager.transport == second.KernelManager.transport == "ipc"
        folder = Path(first.KernelManager.ip).parent
        assert folder.is_dir() and folder != Path(second.KernelManager.ip).parent  # concurrent kernels never share
    assert not folder.exists()


def test_declared_parameters_match_papermill(tmp_path):
    rows = {r["name"]: r for r in batch.declared_parameters(ROOT / "notebooks")}
    assert rows["seed"] == {"name": "seed", "type": "int", "default": "0", "help": rows["seed"]["help"],
                            "notebooks": [p.stem for p in batch.find_notebooks(ROOT / "notebooks")]}
    assert rows["validation_files"]["notebooks"] == ["05_validation"]
    shutil.rmtree(tmp_path)
    with pytest.raises(FileNotFoundError, match="no notebooks named like 01_"):
        batch.declared_parameters(tmp_path)
