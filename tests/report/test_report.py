"""Batch reports through papermill: executed notebooks, HTML, figures, tables and run.json per run."""

from __future__ import annotations

import json
import os
import sys

import nbformat
import pandas as pd
import pytest

from conftest import ROOT
from diplo.cli import main
from diplo.report.batch import (_kernel_name, _kernel_options, copy_notebooks, find_notebooks, load_params,
                                notebook_parameters, packaged_notebooks)
from diplo.report.tables import headlines, show_table, top_sentences

STANDARD = {"raw_dir", "output_dir", "processed_dir", "start_date", "end_date", "outlets", "themes_file",
            "scorers", "n_topics", "seed"}


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


@pytest.mark.parametrize("path", find_notebooks(ROOT / "notebooks"), ids=lambda p: p.stem)
def test_notebook_declares_the_standard_parameters(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", [])
    declared = notebook_parameters(path)
    assert STANDARD <= set(declared)
    assert all(d["help"] for d in declared.values()), "every parameter needs a comment"
    assert nb.metadata["kernelspec"]["name"] == "diplo"


@pytest.mark.parametrize("path", find_notebooks(ROOT / "notebooks"), ids=lambda p: p.stem)
def test_committed_notebooks_carry_no_timing_metadata(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        assert "execution" not in cell.metadata, f"{path.name}: refresh with `make notebooks`"
    assert "papermill" not in nb.metadata


@pytest.mark.parametrize("path", [p.name for p in (ROOT / "notebooks" / "params").glob("*.yml")])
def test_params_files_only_name_declared_parameters(path):
    declared = set().union(*(notebook_parameters(p) for p in find_notebooks(ROOT / "notebooks")))
    assert set(load_params(ROOT / "notebooks" / "params" / path)) <= declared


def test_report_writes_notebooks_html_figures_tables_and_run_json(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "run"
    assert main(["report", "--params", "notebooks/params/sample.yml", "--out", str(out), "-q"]) == 0
    for nb in find_notebooks(ROOT / "notebooks"):
        executed = nbformat.read(out / nb.name, as_version=4)
        errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, nb.name
        html = (out / nb.with_suffix(".html").name).read_text()
        assert "<img" in html or "<svg" in html, f"{nb.name}: no chart in the HTML report"
        assert "&lt;tbody" not in html and "&lt;h" not in html, f"{nb.name}: sanitizing broke the markup"
        assert "parse_params(" not in html, "report HTML must hide code"
        figures = out / "figures" / nb.stem
        pngs = sorted(p.stem for p in figures.glob("*.png"))
        assert pngs == sorted(p.stem for p in figures.glob("*.svg"))
        assert pngs, f"{nb.name}: no figure files"  # each report's headline figure on the index page
        assert list((out / "tables" / nb.stem).glob("*.csv")), f"{nb.name}: no tables written"
    run = json.loads((out / "run.json").read_text())
    assert run["diplo_version"]
    assert len(run["inputs_sha256"]) == 6  # five articles + metadata.csv
    assert run["parameters"]["processed_dir"] == str(out / "processed")
    assert set(run["timings_s"]) >= {"process", "total", *(p.stem for p in find_notebooks(ROOT / "notebooks"))}
    stamp = (out / "processed" / ".diplo-stamp.json").read_bytes()
    # a second run with other parameters reuses the processed corpus (the stamp is untouched)
    assert main(["report", "--params", "notebooks/params/sample.yml", "-p", "outlets", "[Press TV]",
                 "--only", "01_corpus", "--out", str(out), "-q"]) == 0
    assert (out / "processed" / ".diplo-stamp.json").read_bytes() == stamp
    overview = pd.read_csv(out / "tables" / "01_corpus" / "corpus_overview.csv")
    assert overview["outlet"].tolist() == ["Press TV", "(all)"]


@pytest.mark.parametrize("override, message", [
    (["-p", "start_date", "2023-13-01"], "'start_date': '2023-13-01' is not a date in YYYY-MM-DD"),
    (["-p", "scorers", "[vader, nope]"], "unknown scorer 'nope'; valid scorers:"),
    (["-p", "seed", "one"], "'seed' must be an integer; got 'one'"),
    (["-p", "strat_date", "2023-01-01"], "unknown parameter(s) ['strat_date']; the notebooks declare:"),
])
def test_bad_parameter_stops_the_report_before_any_notebook(tmp_path, monkeypatch, capsys, override, message):
    monkeypatch.chdir(ROOT)
    assert main(["report", "--out", str(tmp_path / "run"), "-q", *override]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "run" / "01_corpus.ipynb").exists()


def test_unquoted_yaml_dates_and_an_empty_selection_run(tmp_path, monkeypatch):
    """start_date: 2023-01-01 (YAML date, not string) and a selection with no article at all."""
    monkeypatch.chdir(ROOT)
    params = tmp_path / "p.yml"
    params.write_text("raw_dir: data/raw\nstart_date: 2023-01-01\noutlets: [Press TV]\n")  # Press TV: 2021 only
    out = tmp_path / "run"
    assert main(["report", "--params", str(params), "--only", "01_corpus", "--only", "06_report",
                 "--out", str(out), "-q"]) == 0
    assert json.loads((out / "run.json").read_text())["parameters"]["start_date"] == "2023-01-01"
    found = pd.read_csv(out / "tables" / "06_report" / "headlines.csv", dtype=str).set_index("finding")["value"]
    assert found["articles"] == "0"


def test_failing_notebook_names_notebook_and_cell(tmp_path, monkeypatch, capsys):
    """A value that passes validation but breaks a cell: the run stops there with exit code 1."""
    monkeypatch.chdir(ROOT)
    suite = tmp_path / "suite"
    suite.mkdir()
    for name in ("01_corpus", "02_tone"):
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        if name == "01_corpus":
            nb.cells.insert(3, nbformat.v4.new_code_cell('raise RuntimeError(f"cannot chart {raw_dir}")'))
        nbformat.write(nb, suite / f"{name}.ipynb")
    code = main(["report", "--notebooks", str(suite), "--out", str(tmp_path / "run"), "-q", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "01_corpus.ipynb failed in cell 4" in err  # index in the executed notebook (parameters injected) and "RuntimeError: cannot chart" in err
    assert not (tmp_path / "run" / "02_tone.ipynb").exists(), "the run must stop at the failing notebook"
    # two at a time: the notebook already running finishes, the failure is still the one named
    code = main(["report", "--notebooks", str(suite), "--out", str(tmp_path / "run2"), "-q", "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 1 and "01_corpus.ipynb failed in cell 4" in err and "RuntimeError: cannot chart" in err
    assert "01_corpus failed" in (tmp_path / "run2" / "index.html").read_text(encoding="utf-8")


def test_notebooks_run_at_once_write_the_same_outputs(tmp_path, monkeypatch):
    """--jobs 2 runs two kernels at a time: every table and figure has the bytes of a one-by-one run."""
    monkeypatch.chdir(ROOT)
    moves, chdir = [], os.chdir  # threads share the working folder: moving it while notebooks run at once races
    monkeypatch.setattr(os, "chdir", lambda path: (moves.append(str(path)), chdir(path)))
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        assert main(["report", "--only", "01_corpus", "--only", "02_tone", "--only", "06_report", "--out", str(out),
                     "-q", "--jobs", jobs, "-p", "processed_dir", str(tmp_path / "processed")]) == 0
        outs[jobs] = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
                      if p.is_file() and p.parent.parent.name in ("tables", "figures") and p.suffix != ".svg"}
        assert json.loads((out / "run.json").read_text())["jobs"] == int(jobs)
        assert (out / "index.html").is_file()
    assert len(outs["1"]) > 20 and outs["1"] == outs["2"]
    # kernels start in the notebooks' folder without moving this process (papermill re-enters the same folder)
    assert moves and set(moves) == {str(ROOT)}


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True])
def test_jobs_must_be_a_whole_number_from_one(tmp_path, jobs):
    from diplo.report.batch import run_report

    with pytest.raises(ValueError, match="jobs must be a whole number of notebooks at once, at least 1"):
        run_report({}, tmp_path / "run", jobs=jobs)


def test_report_jobs_is_one_per_core_within_memory_and_notebooks(processed, monkeypatch):
    import psutil

    from diplo.report import batch

    assert 1 <= batch.report_jobs(processed, 6) <= 6
    assert batch.report_jobs(processed, 1) == 1

    class _Little:
        available = 100e6  # less than one kernel

    monkeypatch.setattr(psutil, "virtual_memory", lambda: _Little())
    assert batch.report_jobs(processed, 6) == 1


def test_packaged_notebooks_are_the_repository_notebooks_in_a_checkout():
    """Run from the source tree, the packaged suite is notebooks/ itself (the wheel maps it to diplo/notebooks)."""
    assert packaged_notebooks() == ROOT / "notebooks"
    assert find_notebooks() == find_notebooks(ROOT / "notebooks")


def test_copy_notebooks_for_editing(tmp_path, capsys):
    assert main(["notebooks", str(tmp_path / "mine")]) == 0
    copied = sorted(p.relative_to(tmp_path / "mine").as_posix() for p in (tmp_path / "mine").rglob("*")
                    if p.is_file())
    source = ROOT / "notebooks"
    assert copied == sorted([p.name for p in find_notebooks(source)]
                            + [f"params/{p.name}" for p in source.glob("params/*.yml")])
    assert all((tmp_path / "mine" / c).read_bytes() == (source / c).read_bytes() for c in copied)
    assert "diplo report --notebooks" in capsys.readouterr().err
    (tmp_path / "mine" / "02_tone.ipynb").write_text("{}")
    assert main(["notebooks", str(tmp_path / "mine")]) == 2
    assert "already exist" in capsys.readouterr().err
    assert (tmp_path / "mine" / "02_tone.ipynb").read_text() == "{}"
    assert copy_notebooks(tmp_path / "mine", overwrite=True)
    assert (tmp_path / "mine" / "02_tone.ipynb").read_bytes() == (source / "02_tone.ipynb").read_bytes()


@pytest.mark.parametrize("python, expected", [
    (sys.executable, "diplo"),  # registered for this interpreter (as make install does)
    ("python3", "diplo"),  # jupyter_client runs a bare python3 with sys.executable
    ("/elsewhere/venv/bin/python", "python3"),  # another environment's kernel: not used
])
def test_kernel_is_diplo_only_when_registered_for_this_interpreter(tmp_path, monkeypatch, python, expected):
    spec = tmp_path / "kernels" / "diplo"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [python, "-m", "ipykernel_launcher", "-f",
                                                           "{connection_file}"],
                                                  "display_name": "Python (diplo)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))  # searched before every other kernel folder
    assert _kernel_name() == expected


def test_python3_kernel_runs_this_interpreter(tmp_path, monkeypatch):
    """Whatever python3 kernel a user registered, reports run on the interpreter that runs diplo."""
    from nbclient import NotebookClient

    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": ["/no/such/python", "-m", "ipykernel_launcher", "-f",
                                                           "{connection_file}"],
                                                  "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    NotebookClient(nb, timeout=60, **_kernel_options("python3")).execute()
    assert nb.cells[0].outputs[0]["text"].strip() == sys.executable


def test_show_table_escapes_html():
    html = show_table(pd.DataFrame({"text": ["<script>alert(1)</script>"], "n": [3]}))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<td style="text-align: left;">&lt;script&gt;alert(1)&lt;/script&gt;</td>' in html  # text left
    assert "<td>3</td>" in html  # numbers keep the notebook's right alignment


def test_top_sentences_with_evidence():
    tables = {
        "sentence_scores": pd.DataFrame({"doc_id": ["a", "a", "b"], "sent_id": [0, 1, 0],
                                         "tone_diplomatic": [5.0, -3.0, 1.0]}),
        "sentences": pd.DataFrame({"doc_id": ["a", "a", "b"], "sent_id": [0, 1, 0],
                                   "text": ["They signed a treaty.", "They condemned it.", "They met."]}),
        "articles": pd.DataFrame({"doc_id": ["a", "b"], "date": ["2023-01-01", None], "outlet": ["X", "Y"]}),
        "evidence": pd.DataFrame({"doc_id": ["a", "a", "a"], "sent_id": [0, 0, 1],
                                  "scorer": ["diplomatic"] * 3, "term": ["sign*", "treaty", "condemn*"],
                                  "start": [5, 14, 5], "end": [11, 20, 14], "weight": [2.0, 3.0, -3.0],
                                  "negated": [False, False, True]}),
    }
    top = top_sentences(tables, "tone_diplomatic", n=5)
    assert top["sentence"].tolist() == ["They signed a treaty.", "They met."]  # positive scores only
    assert top["evidence"].tolist() == ["treaty (+3.00); signed [sign*] (+2.00)", ""]
    low = top_sentences(tables, "tone_diplomatic", n=5, largest=False)
    assert low["evidence"].tolist() == ["condemned [condemn*] (-3.00, negated)"]
    with pytest.raises(ValueError, match="no column 'tone_x' in sentence_scores"):
        top_sentences(tables, "tone_x")


def test_headlines_numbers_and_empty_theme():
    tables = {
        "articles": pd.DataFrame({"doc_id": ["a", "b"], "date": ["2023-01-01", "2023-02-01"],
                                  "outlet": ["X", "Y"]}),
        "sentence_scores": pd.DataFrame({"doc_id": ["a", "a", "b"], "sent_id": [0, 1, 0],
                                         "tone_vader": [0.5, 0.1, -0.4], "theme_energy": [1, 0, 2],
                                         "theme_water": [0, 0, 0]}),
    }
    got = headlines(tables, ["tone_vader"], theme="energy").set_index("finding")
    assert got.loc["articles", "detail"] == "2023-01-01 to 2023-02-01"
    assert got.loc["sentences about 'energy'", "value"] == "2"
    assert got.loc["mean tone_vader, all sentences", "value"] == "+0.067"
    assert got.loc["mean tone_vader, 'energy' sentences", "value"] == "+0.050"
    assert got.loc["outlet with the highest tone_vader, 'energy' sentences", "value"] == "X"
    empty = headlines(tables, ["tone_vader"], theme="water").set_index("finding")
    assert empty.loc["mean tone_vader, 'water' sentences", "value"] == "n/a"
    with pytest.raises(ValueError, match="unknown theme 'oil'; themes in this corpus: energy, water"):
        headlines(tables, ["tone_vader"], theme="oil")


@pytest.mark.parametrize("raw, kept, removed", [
    ("<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>", "<tbody>", None),
    ("<h2>Title</h2><p>text</p>", "<h2>Title</h2>", None),
    ("<script>alert(1)</script><p>after</p>", "<p>after</p>", "alert"),
    ("<form><input value=1>kept text</form>", "kept text", "<input"),
    ("<img src=x onerror=alert(1)>", '<img src="x">', "onerror"),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>", "javascript:"),
    ('<p onclick="alert(1)" style="color: red; text-align: left">x</p>', 'style="text-align:left"', "onclick"),
])
def test_html_export_sanitizer_keeps_tables_and_drops_active_content(raw, kept, removed):
    from diplo.report.sanitize import clean_html as _clean_html

    cleaned = _clean_html(raw)
    assert kept in cleaned
    if removed:
        assert removed not in cleaned


def test_display_table_shows_25_rows_and_says_where_the_rest_is():
    df = pd.DataFrame({"outlet": ["x" * 200_000] + [f"o{i}" for i in range(99)], "n": range(100)})
    shown = show_table(df, max_rows=None, source="tables/01_corpus/corpus_overview.csv")
    html = shown._repr_html_()
    assert html.count("<tr>") == 25  # 25 body rows (the header row has a style)
    assert "75 more rows in tables/01_corpus/corpus_overview.csv (100 in all)" in html
    assert len(html) < 10_000  # the 200,000-character name is cut
    assert f"<td style=\"text-align: left;\">{'x' * 59}…</td>" in html  # at 60 characters, like chart labels


def test_an_empty_table_says_why_it_is_empty():
    empty = pd.DataFrame(columns=["bin", "mean_before"])
    assert "<table" in show_table(empty)._repr_html_()  # no reason given: the header
    empty.attrs["note"] = "No change point looked for: <8 bins"
    assert show_table(empty)._repr_html_() == "<p><em>No change point looked for: &lt;8 bins</em></p>"
    assert repr(show_table(empty, empty="nothing")) == "nothing"


def test_display_table_cuts_names_at_60_and_sentences_at_400_characters():
    title, sentence = "T" * 100, "S" * 1000
    shown = show_table(pd.DataFrame({"title": [title], "sentence": [sentence]})).df
    assert shown.loc[0, "title"] == "T" * 59 + "…" and shown.loc[0, "sentence"] == "S" * 399 + "…"


def test_top_sentences_list_a_repeated_sentence_once():
    text = "They signed a treaty."
    tables = {
        "articles": pd.DataFrame({"doc_id": ["a", "b"], "date": ["2023-01-01", None], "outlet": ["X", "Y"]}),
        "sentences": pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "sent_id": [0, 1, 2, 0],
                                   "text": [text, "They met.", text, "  they SIGNED a treaty. "]}),
        "sentence_scores": pd.DataFrame({"doc_id": ["a", "a", "a", "b"], "sent_id": [0, 1, 2, 0],
                                         "tone_diplomatic": [3.0, 1.0, 3.0, 3.0]}),
    }
    top = top_sentences(tables, "tone_diplomatic", n=5)
    assert top["sentence"].tolist() == [text, "They met."]


def test_html_export_stores_large_charts_as_palette_pngs(tmp_path):
    """A report's charts are most of its bytes: the larger ones go into the HTML with a 256-colour palette."""
    import base64
    import io
    import re

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from diplo.report.sanitize import export_html

    rng = np.random.default_rng(0)
    fig, ax = plt.subplots(figsize=(12, 9))
    for k in range(7):
        ax.errorbar(range(40), rng.normal(k, 1, 40), yerr=rng.uniform(0.1, 1, 40), alpha=0.5)
    big = io.BytesIO()
    fig.savefig(big, format="png", dpi=100)
    plt.close(fig)
    small = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(small, format="PNG")
    outputs = [nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(b.getvalue()).decode(),
                                                            "text/plain": "<Figure>"}) for b in (big, small)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("plot()", outputs=outputs)])
    nbformat.write(nb, tmp_path / "nb.ipynb")
    export_html(tmp_path / "nb.ipynb", tmp_path / "nb.html")
    first, second = re.findall(r'src="data:image/png;base64,([^"]+)"', (tmp_path / "nb.html").read_text())
    chart = Image.open(io.BytesIO(base64.b64decode(first)))
    assert chart.mode == "P" and chart.size == (1200, 900)
    assert chart.convert("RGB").getpixel((2, 2)) == (255, 255, 255)  # the background stays white
    assert len(base64.b64decode(first)) < len(big.getvalue()) / 2
    assert base64.b64decode(second) == small.getvalue()  # small images are kept as they are
    export_html(tmp_path / "nb.ipynb", tmp_path / "again.html")
    assert (tmp_path / "again.html").read_bytes() == (tmp_path / "nb.html").read_bytes()
