"""Each notebook run through papermill with non-default parameters, key numbers asserted.

The microsoft/nlp-recipes pattern (tests/unit/test_notebooks_cpu.py): execute the real notebook at a small
size with injected parameters and check what it wrote. nbval separately checks the committed outputs.
"""

from __future__ import annotations

import pandas as pd
import papermill as pm
import pytest

from conftest import ROOT, RAW

NOTEBOOKS = ROOT / "notebooks"


def _run(name: str, tmp_path, processed, **params) -> "pathlib.Path":  # noqa: F821
    out = tmp_path / name
    pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(tmp_path / f"{name}.ipynb"),
                        parameters={"raw_dir": str(RAW), "output_dir": str(out), "processed_dir": str(processed),
                                    **params},
                        kernel_name="diplo", cwd=str(NOTEBOOKS), progress_bar=False)
    return out / "tables" / name


@pytest.fixture(scope="module")
def shared_processed(tmp_path_factory):
    return tmp_path_factory.mktemp("processed")


def test_corpus_date_range(tmp_path, shared_processed):
    tables = _run("01_corpus", tmp_path, shared_processed, start_date="2023-01-01", end_date="2023-10-31")
    overview = pd.read_csv(tables / "corpus_overview.csv").set_index("outlet")
    assert overview.loc["(all)", "articles"] == 2  # 2023-07-06 Tehran Times, 2023-10-05 Diplomatic Insight
    assert overview.loc["(all)", "first_date"] == "2023-07-06"
    assert overview.loc["(all)", "last_date"] == "2023-10-05"
    assert len(pd.read_csv(tables / "manifest.csv")) == 5  # the manifest always lists every input file


def test_tone_one_outlet(tmp_path, shared_processed):
    tables = _run("02_tone", tmp_path, shared_processed, outlets=["Tehran Times"], seed=3)
    by_outlet = pd.read_csv(tables / "tone_by_outlet.csv")
    assert by_outlet["outlet"].tolist() == ["Tehran Times"]
    assert by_outlet["n"].tolist() == [32]  # sentences in the one Tehran Times article
    by_bin = pd.read_csv(tables / "tone_by_bin.csv")
    assert by_bin["bin"].tolist() == ["2023-07-06"] and by_bin["n_articles"].tolist() == [1]  # auto: day bins
    assert set(pd.read_csv(tables / "most_cooperative.csv")["outlet"]) == {"Tehran Times"}


@pytest.mark.parametrize("name, value, message", [
    ("scorers", ["nope"], "unknown scorer 'nope'; valid scorers:"),
    ("start_date", "2023-02-30", "'start_date': '2023-02-30' is not a date in YYYY-MM-DD form"),
    ("n_topics", "many", "'n_topics' must be an integer; got 'many'"),
])
def test_bad_papermill_parameter_fails_in_the_validation_cell(tmp_path, shared_processed, name, value, message):
    with pytest.raises(pm.PapermillExecutionError) as info:
        _run("02_tone", tmp_path, shared_processed, **{name: value})
    assert message in info.value.evalue
    assert "parse_params" in info.value.source  # stopped in the second cell, before any chart


def test_themes_one_outlet(tmp_path, shared_processed):
    tables = _run("03_themes", tmp_path, shared_processed, outlets=["Tehran Times"], n_topics=3)
    kwic = pd.read_csv(tables / "kwic.csv")
    assert set(kwic["outlet"]) == {"Tehran Times"}
    assert pd.read_csv(tables / "themes_by_bin.csv")["bin"].tolist() == ["2023-07-06"]
    assert pd.read_csv(tables / "topic_terms.csv").shape[1] == 4  # rank + 3 topics


def test_theme_tone_and_actors_date_range(tmp_path, shared_processed):
    tables = _run("04_theme_tone_actors", tmp_path, shared_processed, start_date="2023-01-01")
    dates = pd.read_csv(tables / "theme_tone_by_bin.csv")["bin"]
    assert len(dates) and (dates >= "2023-01-01").all()
    toward = pd.read_csv(tables / "tone_toward_actors.csv")
    assert {"Iran", "Azerbaijan"} <= set(toward["actor"])


def test_report_page_for_one_theme(tmp_path, shared_processed):
    tables = _run("06_report", tmp_path, shared_processed, theme="embassy_attack", start_date="2023-01-01",
                  end_date="2023-12-31")
    found = pd.read_csv(tables / "headlines.csv", dtype=str).set_index("finding")["value"]
    assert found["articles"] == "3"
    assert int(found["sentences about 'embassy attack'"]) > 0
    assert set(pd.read_csv(tables / "kwic.csv")["theme"]) == {"embassy_attack"}


def test_report_page_unknown_theme_lists_the_valid_ones(tmp_path, shared_processed):
    with pytest.raises(pm.PapermillExecutionError) as info:
        _run("06_report", tmp_path, shared_processed, theme="weather")
    assert "unknown theme 'weather'; themes in this corpus: corridors, energy" in info.value.evalue


def test_validation_without_files_skips_cleanly(tmp_path, shared_processed):
    out = tmp_path / "nb.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / "05_validation.ipynb"), str(out),
                        parameters={"raw_dir": str(RAW), "output_dir": str(tmp_path / "o")},
                        kernel_name="diplo", cwd=str(NOTEBOOKS), progress_bar=False)
    assert "No labelled files given" in out.read_text()
    # no validation chart; the chart of the coded sample shipped with diplo (the report's headline figure)
    assert [f.name for f in (tmp_path / "o").glob("figures/05_validation/*.png")] == ["coded_validation.png"]


def test_validation_on_a_labelled_file(tmp_path, shared_processed):
    labelled = tmp_path / "labels.csv"
    pd.DataFrame({"text": ["They signed a peace treaty and praised the cooperation.",
                           "Troops attacked the embassy and killed a guard.",
                           "The meeting took place on Monday.",
                           "Leaders condemned the threats and warned of war."],
                  "label": [3, -3, 0, -2]}).to_csv(labelled, index=False)
    tables = _run("05_validation", tmp_path, shared_processed, validation_files=[str(labelled)],
                  scorers=["vader", "diplomatic"])
    table = pd.read_csv(tables / "validation.csv")
    assert sorted(table["scorer"]) == ["diplomatic", "vader"]
    assert (table["n"] == 4).all()
    assert table["macro_f1"].between(0, 1).all()
