"""diplo.text.summary: the run summary table and the boilerplate-outlet note."""

from __future__ import annotations

import pandas as pd
import pytest

from diplo.text.summary import SUMMARY_COLUMNS, ingest_notes, summarize_ingest


def _articles(n_footer: int, n_other: int) -> pd.DataFrame:
    return pd.DataFrame({
        "outlet": ["Mehr News Agency"] * n_footer + ["Tehran Times"] * n_other,
        "outlet_source": ["boilerplate:licence_footer"] * n_footer + ["folder_default"] * n_other,
        "language": ["en"] * (n_footer + n_other - 1) + [None],
        "date_source": ["unknown"] * (n_footer + n_other),
    })


def test_summary_counts_status_language_and_sources():
    manifest = pd.DataFrame({"status": ["ok", "ok", "ok", "rejected", "skipped"]})
    table = summarize_ingest(_articles(2, 1), manifest)
    assert list(table.columns) == SUMMARY_COLUMNS
    got = {(w, v): n for w, v, n in table[["what", "value", "n"]].itertuples(index=False)}
    assert got == {("status", "ok"): 3, ("status", "rejected"): 1, ("status", "skipped"): 1,
                   ("language", "en"): 2, ("language", "undetermined"): 1, ("date_source", "unknown"): 3,
                   ("outlet_source", "boilerplate:licence_footer"): 2, ("outlet_source", "folder_default"): 1}
    assert table.loc[table["what"] == "status", "share"].tolist() == [0.6, 0.2, 0.2]


def test_summary_names_missing_columns():
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['language'"):
        summarize_ingest(pd.DataFrame({"outlet_source": []}))


@pytest.mark.parametrize("n_footer, n_other, noted", [(1, 1, True), (3, 1, True), (1, 2, False), (0, 3, False)])
def test_a_boilerplate_rule_naming_half_the_outlets_is_noted(n_footer, n_other, noted):
    notes = ingest_notes(_articles(n_footer, n_other).assign(date_source="metadata.csv"))
    assert bool(notes) == noted
    if noted:
        assert "'licence_footer'" in notes[0] and "'Mehr News Agency'" in notes[0]
        assert "--outlet NAME" in notes[0] and "*,NAME" in notes[0]


@pytest.mark.parametrize("sources, expected", [
    (["unknown", "text", None], "2 of 3 articles have no publication date"), (["text", "metadata.csv"], None)])
def test_undated_articles_are_noted_with_the_fix(sources, expected):
    articles = pd.DataFrame({"date_source": sources, "outlet": "Press TV", "outlet_source": "html"})
    notes = ingest_notes(articles)
    if expected is None:
        assert notes == []
    else:
        assert notes[0].startswith(expected) and "metadata.csv (columns file,date" in notes[0]
        assert "--date-order" in notes[0]
