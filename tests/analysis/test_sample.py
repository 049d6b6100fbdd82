"""diplo sample: stratified coding sheets from a run output folder."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from diplo.analysis.sample import MEASURES, coder_columns, sample_units, write_coding_sheet
from diplo.cli import main


def _sheet_bytes(processed, tmp_path, name, **kwargs):
    coders = kwargs.get("coders", ("a",))
    path, guide = write_coding_sheet(sample_units(processed, **kwargs), tmp_path / name, coders=coders)
    return path.read_bytes(), guide


@pytest.mark.parametrize("kwargs", [{"n": 30, "seed": 3}, {"n": 40, "by": ["outlet", "theme"], "seed": 11},
                                    {"n": 4, "unit": "article", "by": ["period"], "seed": 5}])
def test_same_seed_same_bytes_other_seed_other_sheet(processed, tmp_path, kwargs):
    first, _ = _sheet_bytes(processed, tmp_path, "one.csv", **kwargs)
    second, _ = _sheet_bytes(processed, tmp_path, "two.csv", **kwargs)
    assert first == second
    other, _ = _sheet_bytes(processed, tmp_path, "three.csv", **{**kwargs, "seed": kwargs["seed"] + 1})
    assert other != first


def test_every_stratum_gets_its_minimum_and_allocation_is_proportional(processed):
    sheet = sample_units(processed, n=30, by=["outlet"], min_per_stratum=4, seed=2)
    sizes = pd.read_parquet(processed / "sentences.parquet", columns=["doc_id"]).merge(
        pd.read_parquet(processed / "articles.parquet", columns=["doc_id", "outlet"]))["outlet"].value_counts()
    counts = sheet["stratum"].value_counts()
    assert set(counts.index) == set(sizes.index)  # five outlets, one article each
    assert counts.min() >= 4
    # proportional part: the largest outlet (34 of 120 sentences) gets round(30 * 34 / 120) = 8 or more
    assert counts[sizes.idxmax()] >= round(30 * sizes.max() / sizes.sum())
    assert not sheet.duplicated(["doc_id", "sent_id"]).any()


def test_small_strata_are_taken_whole_and_the_minimum_can_exceed_n(processed):
    sheet = sample_units(processed, n=5, by=["outlet", "theme"], min_per_stratum=2, seed=0)
    assert len(sheet) > 5
    per = sheet["stratum"].value_counts()
    assert (per >= 1).all() and per.max() >= 2


def test_article_theme_strata_are_the_articles_top_theme(processed):
    sheet = sample_units(processed, n=5, unit="article", by=["theme"], min_per_stratum=1, seed=0)
    top = pd.read_parquet(processed / "articles.parquet", columns=["doc_id", "top_theme"]).set_index("doc_id")
    assert len(sheet) == 5  # the five seed articles
    assert sheet["stratum"].tolist() == top.loc[sheet["doc_id"], "top_theme"].tolist()


def test_columns_coders_and_hidden_scores(processed):
    sheet = sample_units(processed, n=10, coders=["a", "b"], seed=1)
    assert list(sheet.columns[:9]) == ["sample_id", "doc_id", "sent_id", "date", "outlet", "stratum",
                                       "context_before", "text", "context_after"]
    assert list(sheet.columns[9:]) == coder_columns(["a", "b"]) == [f"{m}_{c}" for c in "ab" for m in MEASURES]
    assert not any(c.startswith("tone_") for c in sheet.columns)
    assert (sheet[coder_columns(["a", "b"])] == "").all().all()
    assert sheet["sample_id"].tolist() == list(range(1, 11))
    scored = sample_units(processed, n=10, coders=["a", "b"], seed=1, with_scores=True)
    assert {"tone_vader", "tone_lexicon", "tone_diplomatic"} <= set(scored.columns)
    assert scored["text"].tolist() == sheet["text"].tolist()


def test_text_and_context_are_the_neighbouring_sentences(processed):
    sentences = pd.read_parquet(processed / "sentences.parquet")
    sheet = sample_units(processed, n=15, seed=4, context=1)
    for row in sheet.itertuples():
        doc = sentences[sentences["doc_id"] == row.doc_id].set_index("sent_id")["text"]
        assert row.text == doc[row.sent_id]
        assert row.context_before == (doc[row.sent_id - 1] if row.sent_id > 0 else "")
        assert row.context_after == doc.get(row.sent_id + 1, "")


@pytest.mark.parametrize("kwargs, message", [
    ({"unit": "word"}, "unknown unit 'word'; valid: sentence, article"),
    ({"by": ["country"]}, r"unknown stratum key\(s\) \['country'\]; valid: outlet, period, theme"),
    ({"coders": ["a", "a"]}, "coders must be distinct"),
    ({"n": 0}, "n must be >= 1"),
])
def test_bad_options_are_named(processed, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sample_units(processed, **kwargs)


def test_cli_sample_writes_sheet_and_coding_guide(processed, tmp_path, capsys):
    out = tmp_path / "coding" / "coding.csv"
    assert main(["sample", str(processed), "--n", "12", "--by", "outlet,period", "--min-per-stratum", "2",
                 "--seed", "7", "--coders", "a,b", "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    sheet = pd.read_csv(out, keep_default_na=False)
    assert report["n"] == len(sheet) >= 12 and sum(report["strata"].values()) == len(sheet)
    assert "sentiment_b" in sheet.columns and (sheet["quad_a"] == "").all()
    guide = (out.parent / "CODING.md").read_text()
    assert "`sentiment_a`" in guide and "`actor_tone_b`" in guide and "coding.csv" in guide
    assert "{" not in guide  # every placeholder filled


def test_cli_sample_missing_folder(tmp_path, capsys):
    assert main(["sample", str(tmp_path), "--out", str(tmp_path / "c.csv")]) == 2
    assert "is" in capsys.readouterr().err and not (tmp_path / "c.csv").exists()
