"""End-to-end: the sample corpus through ``diplo run``."""

from __future__ import annotations

import hashlib
import json
import sys

import pandas as pd
import pytest

from diplo import load_outputs, run_pipeline
from diplo.cli import main
from diplo.io.codebook import describe


def _tree_hash(folder) -> dict[str, str]:
    """Every output's SHA-256 but run.json's, the one file with times and options (diplo.run.provenance), and
    generation.json's, which lists run.json's hash."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in ("run.json", "generation.json")}


def test_run_scores_every_sample_article(processed):
    tables = load_outputs(processed)
    articles = tables["articles"]
    assert len(articles) == 5
    assert articles["doc_id"].is_monotonic_increasing
    assert articles["tone_vader"].between(-1, 1).all()
    assert (articles["n_sentences"] > 5).all()
    assert len(tables["sentences"]) == len(tables["sentence_scores"]) == articles["n_sentences"].sum()
    assert set(tables["manifest"]["status"]) == {"ok"}


def test_every_output_column_is_in_the_codebook(processed):
    for name, table in load_outputs(processed).items():
        key = f"{name}.csv" if name in ("manifest", "rejected_rows") else name
        for column in table.columns:
            describe(key, column)  # raises KeyError when undocumented
    assert "| `tone_vader` |" in (processed / "CODEBOOK.md").read_text()


def test_sentence_offsets_point_into_clean_text(processed):
    tables = load_outputs(processed)
    text = tables["articles"].set_index("doc_id")["text"]
    for row in tables["sentences"].itertuples():
        assert text[row.doc_id][row.start:row.end] == row.text


def test_raw_folder_is_not_written(raw_dir, tmp_path):
    before = _tree_hash(raw_dir)
    run_pipeline(raw_dir, tmp_path / "out")
    assert _tree_hash(raw_dir) == before


def test_same_input_same_bytes(raw_dir, tmp_path):
    run_pipeline(raw_dir, tmp_path / "a")
    run_pipeline(raw_dir, tmp_path / "b")
    assert _tree_hash(tmp_path / "a") == _tree_hash(tmp_path / "b")
    # run.json differs only in its times (the tables and CODEBOOK.md above are the same bytes)
    times = ("started_at", "finished_at", "duration_s")
    a, b = ({k: v for k, v in json.loads((tmp_path / d / "run.json").read_text()).items() if k not in times}
            for d in "ab")
    assert a == b and a["counts"]["n_articles"] == 5


def test_output_inside_raw_is_refused(raw_copy):
    with pytest.raises(ValueError, match="must not be inside the raw folder"):
        run_pipeline(raw_copy, raw_copy / "out")


def test_cli_run_writes_tables(raw_dir, tmp_path, capsys):
    assert main(["run", str(raw_dir), "--out", str(tmp_path)]) == 0
    assert '"n_articles": 5' in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "articles.csv")["doc_id"].tolist() == \
        pd.read_parquet(tmp_path / "articles.parquet")["doc_id"].tolist()


def test_cli_missing_raw_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_ensure_processed_reruns_only_when_something_changed(raw_copy, tmp_path):
    from diplo.run.freshness import ensure_processed

    out = tmp_path / "processed"
    assert ensure_processed(raw_copy, out) is True
    articles = (out / "articles.parquet").read_bytes()
    assert ensure_processed(raw_copy, out) is False  # same inputs, options and code
    assert ensure_processed(raw_copy, out, scorers=["vader"]) is True  # other options
    assert ensure_processed(raw_copy, out, scorers=["vader"]) is False
    (raw_copy / "005_new.txt").write_text("Iran and Azerbaijan signed a transit agreement in Baku on Monday.\n")
    assert ensure_processed(raw_copy, out, scorers=["vader"]) is True  # a new input file
    run_pipeline(raw_copy, out)  # tables rewritten behind the stamp's back
    assert ensure_processed(raw_copy, out, scorers=["vader"]) is True
    assert (out / "articles.parquet").read_bytes() != articles


def test_load_outputs_reads_only_the_tables_and_articles_asked_for(processed):
    tables = load_outputs(processed)
    some = sorted(tables["articles"]["doc_id"])[:2]
    part = load_outputs(processed, tables=["sentences", "manifest"], doc_ids=some)
    assert sorted(part) == ["manifest", "sentences"]
    expected = tables["sentences"][tables["sentences"]["doc_id"].isin(some)].reset_index(drop=True)
    pd.testing.assert_frame_equal(part["sentences"], expected)
    assert len(part["manifest"]) == len(tables["manifest"])
    assert load_outputs(processed, tables=["sentences"], doc_ids=[])["sentences"].empty
    with pytest.raises(ValueError, match=r"unknown table\(s\) \['nope'\]; valid: articles"):
        load_outputs(processed, tables=["nope"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_free_memory_is_returned_to_the_system_on_glibc():
    import platform

    from diplo.run import workers

    workers.return_free_memory()
    if platform.libc_ver()[0] == "glibc":
        assert callable(workers._MALLOC_TRIM)


# ------------------------------------------------------------------ languages, outlets, run summary

_FOOTER = "All Content by Mehr News Agency is licensed under a Creative Commons Attribution 4.0 International License."
_FOREIGN = {
    "ru": "Министры иностранных дел Ирана и Азербайджана встретились в Баку 7 декабря 2023 года. Они обсудили "
          "транспортный коридор и торговлю между двумя странами.",
    "fa": "وزیران امور خارجه ایران و جمهوری آذربایجان روز پنجشنبه در باکو دیدار کردند. آنها می\u200cخواهند "
          "کریدور حمل‌ونقل را گسترش دهند.",
    "az": "İran və Azərbaycanın xarici işlər nazirləri cümə axşamı Bakıda görüşüblər. Nazirlər nəqliyyat "
          "dəhlizini müzakirə ediblər.",
    "tr": "İran ve Azerbaycan dışişleri bakanları perşembe günü Bakü'de bir araya geldi. Bakanlar ulaştırma "
          "koridorunu ve ticareti görüştü.",
}


@pytest.fixture(scope="module")
def mixed_crawl(tmp_path_factory):
    """A real-shaped crawl: undated English files ending with a foreign licence footer (one repeating its
    text), one file per other language, and a table with an English and a Russian row."""
    raw = tmp_path_factory.mktemp("mixed") / "raw"
    raw.mkdir()
    english = ["The foreign ministers of Iran and Azerbaijan met in Baku to discuss the Aras transit corridor. "
               "Both sides welcomed the progress and agreed to meet again.",
               "Tehran and Baku signed a memorandum on energy cooperation. Officials said the deal would "
               "strengthen trade ties between the neighbours."]
    for i, text in enumerate(english):
        (raw / f"tehrantimes_{i}.txt").write_text(f"{text}\n                  {text}\n                 {_FOOTER}")
    for code, text in _FOREIGN.items():
        (raw / f"tehrantimes_{code}.txt").write_text(f"{text}\n{_FOOTER}")
    (raw / "export.csv").write_text(f"text\n\"{english[0]}\"\n\"{_FOREIGN['ru']}\"\n")
    return raw


def test_other_languages_get_nan_not_zero_and_are_listed(mixed_crawl, tmp_path):
    summary = run_pipeline(mixed_crawl, tmp_path / "out")
    tables = load_outputs(tmp_path / "out")
    articles = tables["articles"].set_index("doc_id")
    assert articles.loc[[f"tehrantimes_{c}" for c in _FOREIGN], "language"].tolist() == list(_FOREIGN)
    english = articles["language"] == "en"
    assert english.sum() == 3
    tone_cols = [c for c in articles.columns if c.startswith(("tone_", "theme_"))]
    assert articles.loc[~english, tone_cols].isna().all().all()      # never 0.0: out of every mean
    assert articles.loc[english, "tone_vader"].notna().all()
    assert set(tables["sentence_scores"]["doc_id"]) == set(articles.index[english])
    manifest = tables["manifest"].set_index("source_file")
    assert manifest.loc["tehrantimes_fa.txt", "language"] == "fa" and manifest.loc["export.csv", "language"] == "en"
    assert summary.counts["language"] == {"en": 3, "az": 1, "fa": 1, "ru": 2, "tr": 1}
    assert summary.counts["outlet_source"] == {"boilerplate:licence_footer": 6, "unknown": 2}
    assert summary.notes and "'licence_footer'" in summary.notes[0]
    assert not articles.loc["tehrantimes_0", "text"].count("Aras transit corridor") > 1  # repeat removed
    assert "repeat" in set(tables["removed"]["rule"])


def test_languages_keep_only_those_and_skip_the_others(mixed_crawl, tmp_path):
    summary = run_pipeline(mixed_crawl, tmp_path / "out", languages="en,fa", outlet="Tehran Times")
    tables = load_outputs(tmp_path / "out")
    articles = tables["articles"]
    assert set(articles["language"]) == {"en", "fa"}
    assert set(articles["outlet"]) == {"Tehran Times"} and set(articles["outlet_source"]) == {"folder_default"}
    manifest = tables["manifest"].set_index("source_file")
    for code in ("ru", "az", "tr"):
        row = manifest.loc[f"tehrantimes_{code}.txt"]
        assert (row["status"], row["language"], row["n_documents"]) == ("skipped", code, 0)
        assert row["reason"] == f"language {code} not in --languages en,fa"
    table = manifest.loc["export.csv"]
    assert (table["status"], table["n_rows"], table["n_documents"], table["n_rejected_rows"]) == ("ok", 2, 1, 1)
    assert tables["rejected_rows"].values.tolist() == [["export.csv", 2, "language ru not in --languages en,fa"]]
    assert summary.n_skipped == 3 and summary.counts["status"] == {"ok": 4, "skipped": 3}
    assert not any("licence_footer" in note for note in summary.notes)  # the folder default beat the footer
    assert summary.notes[-1].startswith("4 of 4 articles have no publication date")  # and how to date them


def test_cli_run_prints_the_counts_and_takes_the_ingestion_options(mixed_crawl, tmp_path, capsys):
    import json

    assert main(["run", str(mixed_crawl), "--out", str(tmp_path / "out"), "--jobs", "1", "-q", "--languages", "en",
                 "--outlet", "Tehran Times", "--date-order", "MDY", "--date-languages", "en,ru"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["counts"]["language"] == {"en": 3}
    assert printed["counts"]["outlet_source"] == {"folder_default": 3}
    assert set(printed["counts"]) == {"status", "language", "date_source", "outlet_source"}
    assert main(["run", str(mixed_crawl), "--out", str(tmp_path / "o2"), "--languages", "english"]) == 2


def test_empty_raw_folder_writes_tables_with_their_columns(tmp_path):
    """No article: tone_by_date.csv still has its header (pd.read_csv reads it) and the sum tables their columns."""
    raw = tmp_path / "raw"
    raw.mkdir()
    summary = run_pipeline(raw, tmp_path / "out")
    assert summary.n_articles == 0
    by_date = pd.read_csv(tmp_path / "out" / "tone_by_date.csv")
    assert by_date.empty and {"date", "n", "n_articles", "tone_vader", "tone_vader_lo"} <= set(by_date.columns)
    sums = load_outputs(tmp_path / "out", tables=["tone_by_article", "theme_tone_by_article", "actor_tone_by_article"])
    assert {"doc_id", "n", "tone_vader__sum", "tone_vader__count"} <= set(sums["tone_by_article"].columns)
    assert {"theme", "direction"} <= set(sums["theme_tone_by_article"].columns) | set(sums["actor_tone_by_article"])


def test_article_sums_give_the_articles_tone(processed):
    """tone_by_article holds what the notebooks re-bin: its sums over counts are the article means."""
    tables = load_outputs(processed, tables=["articles", "tone_by_article", "theme_tone_by_article",
                                             "actor_tone_by_article", "sentence_scores"])
    sums = tables["tone_by_article"].merge(tables["articles"][["doc_id", "tone_vader"]], on="doc_id")
    assert (sums["tone_vader__sum"] / sums["tone_vader__count"]).to_numpy() == pytest.approx(sums["tone_vader"])
    scores = tables["sentence_scores"]
    energy = tables["theme_tone_by_article"].query("theme == 'energy'")
    assert energy["n"].sum() == (scores["theme_energy"] > 0).sum()
    actors = tables["actor_tone_by_article"]
    assert set(actors["direction"]) == {"toward", "by"}
    assert actors.query("direction == 'by'")["n"].sum() == (scores["speaker"] != "").sum()


@pytest.mark.parametrize("first_line, metadata_title, expected_title, expected_balance", [
    # the body: one conflictual lead sentence, -2 / (2 + 3); the headline's direction makes 0.35 of the score
    ("Iran and Oman sign MOU on trade", None, "Iran and Oman sign MOU on trade", 0.35 - 0.65 * 0.4),  # text headline
    (None, "Iran condemns Israeli attack on Syria", "Iran condemns Israeli attack on Syria", -0.35 - 0.65 * 0.4),
    (None, None, None, -0.4),  # no headline: the body alone
])
def test_the_headline_counts_in_diplomatic_balance(tmp_path, first_line, metadata_title, expected_title,
                                                   expected_balance):
    raw = tmp_path / "raw"
    raw.mkdir()
    body = ("TEHRAN - Iranian officials condemned the attack by Israeli forces on Monday, the ministry said.\n\n"
            "The weather in Tehran was mild on that day, reporters noted.\n")
    (raw / "a.txt").write_text((f"{first_line}\n\n" if first_line else "") + body, encoding="utf-8")
    if metadata_title:
        (raw / "metadata.csv").write_text(f"file,title\na.txt,{metadata_title}\n", encoding="utf-8")
    run_pipeline(raw, tmp_path / "out", jobs=1, progress=False)
    article = load_outputs(tmp_path / "out")["articles"].iloc[0]
    if expected_title is None:
        assert pd.isna(article["title"]) and pd.isna(article["title_diplomatic"])
    else:
        assert article["title"] == expected_title and abs(article["title_diplomatic"]) >= 1
    assert article["diplomatic_balance"] == pytest.approx(expected_balance)
