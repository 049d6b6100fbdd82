"""diplo.text.corpus: metadata precedence, the removed (cleaning diff) table, and corpus-wide near-duplicates."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplo import load_outputs, run_pipeline
from diplo.text.corpus import (ARTICLE_COLUMNS, REMOVED_COLUMNS, build_articles, build_corpus, count_words,
                          count_words_many, metadata_overrides)
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


# ------------------------------------------------------------------------ outlet and date provenance

FOOTER = "All Content by Mehr News Agency is licensed under a Creative Commons Attribution 4.0 International License."
CRAWLED = ("Iran and Azerbaijan agreed on Thursday to expand transit through the Aras corridor. The deal covers "
           "rail and road links.\n                  The deal covers rail and road links.\n                 " + FOOTER)


def _crawled(name: str, meta: dict | None = None) -> RawDocument:
    return RawDocument(name.rsplit(".", 1)[0], name, CRAWLED, "txt", meta or {}, "html" if meta else "")


@pytest.mark.parametrize("name, meta, overrides, expected", [
    # the footer alone: the outlet it names, recorded as coming from boilerplate
    ("tehrantimes_a.txt", None, {}, ("Mehr News Agency", "boilerplate:licence_footer")),
    # a glob row of metadata.csv and --outlet (a final "*" entry) are folder defaults and beat it
    ("tehrantimes_a.txt", None, {"tehrantimes_*.txt": {"outlet": "Tehran Times"}}, ("Tehran Times", "folder_default")),
    ("tehrantimes_a.txt", None, {"*": {"outlet": "Tehran Times"}}, ("Tehran Times", "folder_default")),
    ("other_a.txt", None, {"tehrantimes_*.txt": {"outlet": "Tehran Times"}},
     ("Mehr News Agency", "boilerplate:licence_footer")),
    # the URL's domain beats the folder default; metadata.csv's own row beats everything
    ("tehrantimes_a.txt", None, {"tehrantimes_a.txt": {"url": "https://www.tehrantimes.com/news/490123/x"},
                                 "*": {"outlet": "Press TV"}}, ("Tehran Times", "url")),
    ("tehrantimes_a.txt", None, {"tehrantimes_a.txt": {"outlet": "IRNA"}, "*": {"outlet": "Press TV"}},
     ("IRNA", "metadata.csv")),  # the researcher's value, as written
    # the page's site name beats the URL and the folder
    ("page.txt", {"outlet": "PressTV", "url": "https://www.tehrantimes.com/x"}, {"*": {"outlet": "Azernews"}},
     ("Press TV", "html")),
])
def test_outlet_precedence_on_crawled_files(name, meta, overrides, expected):
    row = build_corpus([_crawled(name, meta)], overrides)["articles"].iloc[0]
    assert (row["outlet"], row["outlet_source"]) == expected


@pytest.mark.parametrize("name, overrides, expected", [
    ("tehrantimes_2023-12-07.txt", {}, ("2023-12-07", "file_name")),
    ("tehrantimes_20231207_0930.txt", {}, ("2023-12-07", "file_name")),
    ("tehrantimes_20231207.txt", {"tehrantimes_20231207.txt": {"url": "https://x.org/news/2023/12/06/a"}},
     ("2023-12-06", "url")),
    ("tehrantimes_a.txt", {"tehrantimes_*": {"date": "2023-01-01"}}, ("2023-01-01", "folder_default")),
    ("tehrantimes_20231207.txt", {"tehrantimes_*": {"date": "2023-01-01"}}, ("2023-12-07", "file_name")),
    ("tehrantimes_a.txt", {}, (None, "unknown")),
])
def test_dates_from_file_names_urls_and_folder_defaults(name, overrides, expected):
    row = build_corpus([_crawled(name)], overrides)["articles"].iloc[0]
    assert (row["date"], row["date_source"]) == expected


@pytest.mark.parametrize("header, order, expected", [
    ("07.12.2023", "DMY", "2023-12-07"),
    ("07.12.2023", "MDY", "2023-07-12"),
    ("۱۶ آذر ۱۴۰۲", "DMY", "2023-12-07"),
    ("7 декабря 2023", "DMY", "2023-12-07"),
])
def test_header_dates_in_other_forms_follow_the_date_config(header, order, expected):
    from diplo.text.dates import DateConfig

    doc = RawDocument("x", "x.txt", f"{header}\n\n{TEXT.split(chr(10), 2)[2]}", "txt")
    row = build_corpus([doc], dates=DateConfig(order=order))["articles"].iloc[0]
    assert (row["date"], row["date_source"]) == (expected, "text")


def test_a_header_year_out_of_range_is_refused_with_a_warning_naming_the_file(caplog):
    doc = RawDocument("x", "crawl/x.txt", "Published: 1402/09/16\n\nThe ministers met in Baku and agreed.", "txt")
    row = build_corpus([doc])["articles"].iloc[0]
    assert row["date"] is None and row["date_source"] == "unknown"
    assert "crawl/x.txt (x): header date not used: year 1402 outside 1900.." in caplog.text


def test_glob_rows_serve_the_rows_of_a_table():
    docs = [RawDocument(f"export-{i:06d}", "crawl/export.csv", CRAWLED, "table", {}, "table") for i in (1, 2)]
    articles = build_corpus(docs, {"crawl/*.csv": {"outlet": "Tehran Times"}})["articles"]
    assert articles["outlet"].tolist() == ["Tehran Times"] * 2
    assert set(articles["outlet_source"]) == {"folder_default"}


def test_default_outlet_joins_the_overrides_as_a_last_glob():
    meta = pd.DataFrame({"file": ["a.txt", "b_*.txt"], "outlet": ["IRNA", "Press TV"]})
    out = metadata_overrides(meta, default_outlet="Tehran Times")
    assert list(out) == ["a.txt", "b_*.txt", "*"] and out["*"] == {"outlet": "Tehran Times"}


def test_languages_are_detected_per_article():
    docs = [RawDocument("en", "en.txt", TEXT, "txt"),
            RawDocument("ru", "ru.txt", "Министры иностранных дел Ирана и Азербайджана встретились в Баку и "
                                        "обсудили транспортный коридор.", "txt")]
    articles = build_corpus(docs)["articles"]
    assert articles["language"].tolist() == ["en", "ru"]
    assert (articles["language_confidence"] > 0.5).all()


def test_persian_words_are_counted_whole():
    assert count_words("آنها می\u200cخواهند بروند") == 3
    assert count_words_many(["آنها می\u200cخواهند بروند"]).tolist() == [3]
