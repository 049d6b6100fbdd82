"""Notebook parameters: strings from YAML/CLI become typed values, bad ones get errors naming them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from diplo.report.params import NotebookParams, parse_iso_date, parse_params, parse_validation_files, select_tables
from diplo.scoring.tone import available_scorers


def _params(tmp_path, **kw):
    (tmp_path / "raw").mkdir(exist_ok=True)
    return parse_params({"raw_dir": str(tmp_path / "raw"), "output_dir": str(tmp_path / "out"), **kw})


@pytest.mark.parametrize("value, expected", [
    ("2023-01-31", dt.date(2023, 1, 31)),
    (" 2023-01-31 ", dt.date(2023, 1, 31)),
    (dt.date(2022, 5, 1), dt.date(2022, 5, 1)),  # YAML parses unquoted dates
    (dt.datetime(2022, 5, 1, 13, 0), dt.date(2022, 5, 1)),
    ("", None),
    (None, None),
])
def test_parse_date_accepts(value, expected):
    assert parse_iso_date(value, "start_date") == expected


@pytest.mark.parametrize("value", ["2023-13-01", "31/01/2023", "2023-02-30", "yesterday"])
def test_parse_date_names_parameter_and_value(value):
    with pytest.raises(ValueError, match=rf"'start_date': '{value}' is not a date in YYYY-MM-DD"):
        parse_iso_date(value, "start_date")


def test_parse_params_types_and_defaults(tmp_path):
    p = _params(tmp_path, start_date="2023-01-01", outlets="Press TV", n_topics="4", seed=3)
    assert isinstance(p, NotebookParams)
    assert p.start_date == dt.date(2023, 1, 1) and p.end_date is None
    assert p.outlets == ("Press TV",)
    assert p.n_topics == 4 and p.seed == 3
    assert p.scorers == tuple(available_scorers())
    assert p.tone_columns == [f"tone_{s}" for s in available_scorers()]
    assert p.as_dict()["start_date"] == "2023-01-01"
    assert (p.freq, p.min_articles, p.top_outlets, p.events) == ("auto", 3, 6, "")
    q = _params(tmp_path, freq="Month", min_articles="5", top_outlets=2, events="iran_azerbaijan")
    assert (q.freq, q.min_articles, q.top_outlets, q.events) == ("month", 5, 2, "iran_azerbaijan")


def test_unknown_names_are_kept_as_extra(tmp_path):
    assert _params(tmp_path, validation_files=["a.csv"]).extra == {"validation_files": ["a.csv"]}


@pytest.mark.parametrize("name, value, error, match", [
    ("scorers", ["vader", "nope"], ValueError, r"unknown scorer 'nope'; valid scorers: .*vader"),
    ("n_topics", "five", TypeError, r"'n_topics' must be an integer; got 'five'"),
    ("n_topics", 0, ValueError, r"'n_topics' must be >= 1; got 0"),
    ("seed", 1.5, TypeError, r"'seed' must be an integer; got 1.5"),
    ("seed", True, TypeError, r"'seed' must be an integer"),
    ("outlets", 3, TypeError, r"'outlets' must be a list of strings; got 3"),
    ("outlets", ["Press TV", 7], TypeError, r"'outlets' must be a list of non-empty strings; got 7"),
    ("end_date", 20230101, TypeError, r"'end_date' must be a date string"),
    ("themes_file", "no/such.yml", ValueError, r"'themes_file': file 'no/such.yml' does not exist"),
    ("freq", "fortnight", ValueError, r"'freq': 'fortnight' is not a bin width; valid: auto, day, week, month"),
    ("freq", 7, TypeError, r"'freq' must be one of auto, day"),
    ("min_articles", 0, ValueError, r"'min_articles' must be >= 1; got 0"),
    ("top_outlets", "many", TypeError, r"'top_outlets' must be an integer; got 'many'"),
    ("events", "no/such.csv", ValueError, r"parameter 'events': events file 'no/such.csv' does not exist"),
])
def test_bad_parameter_is_named(tmp_path, name, value, error, match):
    with pytest.raises(error, match=match):
        _params(tmp_path, **{name: value})


def test_end_before_start(tmp_path):
    with pytest.raises(ValueError, match=r"'end_date' \(2022-01-01\) is before 'start_date' \(2023-01-01\)"):
        _params(tmp_path, start_date="2023-01-01", end_date="2022-01-01")


def test_missing_raw_dir(tmp_path):
    with pytest.raises(ValueError, match=r"'raw_dir': folder '.*nope' does not exist"):
        parse_params(raw_dir=str(tmp_path / "nope"), output_dir=str(tmp_path))


def test_select_tables_filters_every_table_by_article(tmp_path):
    tables = {
        "articles": pd.DataFrame({"doc_id": ["a", "b", "c", "d"],
                                  "date": ["2021-12-25", "2023-07-06", None, "2023-12-07"],
                                  "outlet": ["Mehr", "Tehran Times", "Press TV", None]}),
        "sentences": pd.DataFrame({"doc_id": ["a", "b", "b", "c", "d"], "sent_id": [0, 0, 1, 0, 0]}),
        "manifest": pd.DataFrame({"source_file": ["x"]}),
    }
    got = select_tables(tables, _params(tmp_path, start_date="2023-01-01"))
    assert got["articles"]["doc_id"].tolist() == ["b", "d"]  # undated c is out once a range is set
    assert got["sentences"]["doc_id"].tolist() == ["b", "b", "d"]
    assert got["manifest"] is tables["manifest"]
    got = select_tables(tables, _params(tmp_path, outlets=["Press TV"]))
    assert got["articles"]["doc_id"].tolist() == ["c"]
    assert len(select_tables(tables, _params(tmp_path))["articles"]) == 4


def test_validation_files_paths_and_mappings(tmp_path):
    f = tmp_path / "labels.csv"
    f.write_text("text,label\nGood.,1\n")
    assert parse_validation_files([]) == []
    assert parse_validation_files([str(f)]) == [{"path": f}]
    assert parse_validation_files(f'[{{path: "{f}", label_map: cameo}}]') == [{"path": f, "label_map": "cameo"}]
    assert parse_validation_files(["labels.csv"], base=tmp_path) == [{"path": f}]


@pytest.mark.parametrize("value, error, match", [
    ([{"file": "x.csv"}], ValueError, r"'validation_files\[0\]': unknown option\(s\) \['file'\]; valid options: path"),
    (["missing.csv"], ValueError, r"'validation_files\[0\]': labelled file 'missing.csv' does not exist"),
    ([3], TypeError, r"'validation_files\[0\]' must be a path or a"),
    (5, TypeError, r"'validation_files' must be a list"),
])
def test_bad_validation_files(value, error, match):
    with pytest.raises(error, match=match):
        parse_validation_files(value)


@pytest.mark.parametrize("value, declared, ok", [
    (3, "int", True), (True, "int", False), ("3", "int", False), (2, "float", True), (0.5, "float", True),
    ("week", "str", True), (5, "str", False), (["a"], "list", True), ("Press TV", "list", True),
    ({"a": 1}, "list", False), (None, "int", True), ("anything", "None", True),
])
def test_check_declared_type(value, declared, ok):
    from diplo.report.params import check_declared_type

    if ok:
        check_declared_type("x", value, declared)
    else:
        with pytest.raises(TypeError, match=rf"parameter 'x' must be {declared} \(declared in 02_tone.ipynb\)"):
            check_declared_type("x", value, declared, where="02_tone.ipynb")


@pytest.mark.parametrize("theme, match", [
    ("energ", r"no theme 'energ' in the packaged themes.yml \(did you mean 'energy'\?\); themes: corridors, "),
    ("Karabakh", r"did you mean 'karabakh'\?"),
    ("weather", r"no theme 'weather' in the packaged themes.yml; themes: "),
])
def test_check_theme_offers_near_matches(theme, match):
    from diplo.report.params import check_theme

    with pytest.raises(ValueError, match=match):
        check_theme(theme)


def test_check_theme_reads_the_themes_file_in_use(tmp_path):
    from diplo.report.params import check_theme

    mine = tmp_path / "mine.yml"
    mine.write_text("water:\n  - river\n  - dam*\n")
    assert check_theme(" water ", mine) == "water"
    assert check_theme("", mine) == ""  # all sentences
    with pytest.raises(ValueError, match=r"no theme 'energy' in the themes file '.*mine.yml'; themes: water"):
        check_theme("energy", mine)
    with pytest.raises(TypeError, match="parameter 'theme' must be a theme name"):
        check_theme(5, mine)


def test_check_outlets_offers_near_matches_and_counts():
    from diplo.report.params import check_outlets

    corpus = ["Press TV", "Press TV", "Tehran Times", "Mehr News Agency", None]
    assert check_outlets(["Press TV"], corpus) == ("Press TV",)
    assert check_outlets("Tehran Times", corpus) == ("Tehran Times",)  # one name from the command line
    with pytest.raises(ValueError, match=r"'press tv' is not an outlet of this corpus \(did you mean 'Press TV'\?\); "
                                         r"outlets \(articles\): Press TV \(2\), Mehr News Agency \(1\), "
                                         r"Tehran Times \(1\)$"):
        check_outlets(["Press TV", "press tv"], corpus)
    with pytest.raises(ValueError, match=r"'Tehran' is not an outlet .*did you mean 'Tehran Times'\?"):
        check_outlets(["Tehran"], corpus)
    with pytest.raises(ValueError, match=r"outlets \(articles\): .* and 40 more$"):
        check_outlets(["Nope"], [f"Outlet {i}" for i in range(60)])
