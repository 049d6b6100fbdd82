"""diplo.text.corpus: metadata precedence, the removed (cleaning diff) table, and corpus-wide near-duplicates."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplo import load_outputs, run_pipeline
from diplo.text.corpus import (ARTICLE_COLUMNS, REMOVED_COLUMNS, build_articles, build_corpus, count_words,
                          count_words_many)
from diplo.io.raw import RawDocument

TEXT = ("By: Jane Doe\n\nTehran, 5 October 2023 (TDI): Iran and Azerbaijan agreed to expand trade. "
        "The talks were constructive.\n\nFirst published in Tehran Times")


def _doc(meta=None, source="table", text=TEXT):
    return RawDocument("d-000001", "d.csv", text, "table", meta or {}, source if meta else "")


@pytest.mark.parametrize("meta, overrides, expected", [
    ({}, {}, ("2023-10-05", "text", "Tehran Times", "boilerplate:first_published", "Jane Doe", "text")),
    ({"date": "2023-10-04", "outlet": "PressTV", "author": "A B"}, {},
     ("2023-10-04", "table", "Press TV", "table", "A B", "table")),
    ({"date": "2023-10-04"}, {"d.csv": {"date": "2023-10-01", "outlet": "Mehr"}},
     ("2023-10-01", "metadata.csv", "Mehr", "metadata.csv", "Jane Doe", "text")),
    ({"date": "yesterday-ish"}, {}, ("2023-10-05", "text", "Tehran Times", "boilerplate:first_published",
                                     "Jane Doe", "text")),
])
def test_metadata_precedence(meta, overrides, expected):
    articles = build_corpus([_doc(meta)], overrides)["articles"]
    row = articles.iloc[0]
    assert tuple(row[["date", "date_source", "outlet", "outlet_source", "author", "author_source"]]) == expected


def test_tables_and_columns():
    tables = build_corpus([_doc()])
    assert list(tables["articles"].columns) == ARTICLE_COLUMNS
    assert list(tables["removed"].columns) == REMOVED_COLUMNS
    articles = tables["articles"]
    assert articles.loc[0, "text"] == "Iran and Azerbaijan agreed to expand trade. The talks were constructive."
    assert articles.loc[0, "dateline"] == "Tehran"
    assert articles.loc[0, "n_words"] == count_words(articles.loc[0, "text"]) == 11
    assert articles.loc[0, "removed_lines"] == len(tables["removed"]) == 3
    assert tables["removed"]["rule"].tolist() == ["byline", "dateline", "first_published"]
    a, s = build_articles([_doc()])
    assert a.equals(articles) and s.equals(tables["sentences"])


def test_a_given_title_keeps_the_first_line_in_the_text():
    text = "A short first paragraph here\n\nThe ministers met in Baku and talked about trade."
    with_title = build_corpus([_doc({"title": "Given"}, text=text)])["articles"].iloc[0]
    without = build_corpus([_doc(text=text)])["articles"].iloc[0]
    assert (with_title["title"], with_title["text"]) == ("Given", text)
    assert (without["title"], without["title_source"]) == ("A short first paragraph here", "text")


def test_removed_table_is_the_cleaning_diff(processed):
    tables = load_outputs(processed)
    removed, articles = tables["removed"], tables["articles"].set_index("doc_id")
    counts = removed.groupby("doc_id").size()
    assert counts.to_dict() == articles["removed_lines"].to_dict()
    mehr = removed[removed["doc_id"] == "001_f93eaf8b647e4b6f"]
    assert mehr["rule"].tolist() == ["licence_footer", "author_credit"]
    assert "Creative Commons" not in articles.loc["001_f93eaf8b647e4b6f", "text"]


def test_near_duplicates_across_the_corpus(raw_copy, tmp_path):
    original = (raw_copy / "004_0c3bfa3d25225ea3.txt").read_text()
    (raw_copy / "zz_republished.txt").write_text(original.replace("Likewise", "Similarly") + "\n\nSource: TDI")
    run_pipeline(raw_copy, tmp_path / "out", scorers=["vader"])
    articles = load_outputs(tmp_path / "out")["articles"].set_index("doc_id")
    assert articles.loc["zz_republished", "duplicate_of"] == "004_0c3bfa3d25225ea3"
    assert articles.drop(index="zz_republished")["duplicate_of"].isna().all()
    assert pd.read_csv(tmp_path / "out" / "articles.csv")["duplicate_of"].notna().sum() == 1

_chars = st.sampled_from(list("ab1_-' \n\t.,") + ["é", "’", "İ", "٣", "\u00a0"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_chars, max_size=14), max_size=6))
def test_count_words_many_equals_count_words(texts):
    assert count_words_many(texts).tolist() == [count_words(t) for t in texts]


def test_count_words_many_non_strings_count_zero():
    assert count_words_many([None, 3.5, "", "a-b c", "don't-stop x"]).tolist() == [0, 0, 0, 2, 2]


def test_near_duplicate_detection_can_be_turned_off(raw_copy, tmp_path):
    (raw_copy / "zz_copy.txt").write_text((raw_copy / "004_0c3bfa3d25225ea3.txt").read_text() + "\n\nMore.")
    summary = run_pipeline(raw_copy, tmp_path / "out", scorers=["vader"], near_duplicate_threshold=None)
    assert summary.n_near_duplicates == 0
    assert load_outputs(tmp_path / "out")["articles"]["duplicate_of"].isna().all()
