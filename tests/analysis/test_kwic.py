"""diplo kwic: the hits of a term, glob or phrase in a run's sentences, as the themes matcher finds them."""

from __future__ import annotations

import pandas as pd
import pytest

from diplo.analysis.kwic import KWIC_COLUMNS, kwic, kwic_regex
from diplo.cli import main
from diplo.io.outputs import load_outputs
from diplo.scoring.match import dictionary_from_mapping
from diplo.scoring.themes import score_themes


@pytest.fixture(scope="module")
def sentences(processed) -> pd.DataFrame:
    return load_outputs(processed, tables=["sentences"])["sentences"]


@pytest.mark.parametrize("pattern", ["corridor*", "Karabakh", "azerbaijan", "north-south", "gas", "tehran",
                                     "foreign minister", "transport*", "iran's", "cooperation between",
                                     "rasht-astara railway"])
def test_hits_are_the_themes_matchers_hits(pattern, processed, sentences):
    themes = dictionary_from_mapping({"x": [pattern]}, name="themes", negation_window=0, possessives=True)
    expected = score_themes(sentences, themes, per="hits")
    result = kwic(processed, pattern, n=10_000)
    assert result.n_hits == len(expected) > 0
    got = result.hits[["doc_id", "sent_id", "match"]].reset_index(drop=True)
    assert got.equals(expected[["doc_id", "sent_id", "match"]].reset_index(drop=True))
    assert result.n_sentences == len(expected.drop_duplicates(["doc_id", "sent_id"]))
    assert result.n_articles == expected["doc_id"].nunique()


@pytest.mark.parametrize("text, pattern, hits", [
    ("Tehran-Baku ties and Baku's port", "baku", ["Baku's"]),
    ("Corridors, corridor and corridor-building", "corridor*", ["Corridors", "corridor", "corridor-building"]),
    ("the North-South  corridor; north-south. corridor", "north-south corridor", ["North-South  corridor"]),
    ("Iranian and Iran", "iran", ["Iran"]),
])
def test_word_rules(text, pattern, hits):
    assert [m.group() for m in kwic_regex(pattern).finditer(text)] == hits


def test_context_counts_and_window(processed, sentences):
    result = kwic(processed, "corridor*", window=3, n=4)
    assert list(result.hits.columns) == KWIC_COLUMNS
    assert len(result.hits) == 4 and result.n_hits > 4
    texts = sentences.set_index(["doc_id", "sent_id"])["text"]
    for row in result.hits.itertuples(index=False):
        assert len(row.left.split()) <= 3 and len(row.right.split()) <= 3
        text = texts[(row.doc_id, row.sent_id)]
        before, _, after = text.partition(row.match)
        assert before.rstrip().endswith(row.left) and after.lstrip().startswith(row.right)
    for table in (result.by_outlet, result.by_period):
        assert table["hits"].sum() == result.n_hits
        assert table["articles"].sum() >= result.n_articles
    assert result.by_outlet["hits"].is_monotonic_decreasing
    assert result.by_period["period"].is_monotonic_increasing


def test_no_hit(processed):
    result = kwic(processed, "zzyzx*")
    assert (result.n_hits, len(result.hits), len(result.by_outlet)) == (0, 0, 0)
    assert "0 hits" in result.to_text()


@pytest.mark.parametrize("pattern, kwargs, match", [
    ("", {}, "non-blank"), ("corr*idor", {}, "only at the end"), ("*", {}, "only at the end"),
    ("gas, swap", {}, "not one word"), ("gas", {"window": -1}, "window must be"), ("gas", {"n": 1.5}, "n must be"),
])
def test_invalid_requests(pattern, kwargs, match, processed):
    with pytest.raises(ValueError, match=match):
        kwic(processed, pattern, **kwargs)


def test_missing_output(tmp_path):
    with pytest.raises(FileNotFoundError, match="diplo run"):
        kwic(tmp_path, "gas")


def test_cli(processed, capsys):
    assert main(["kwic", str(processed), "corridor*", "--window", "4", "--n", "2"]) == 0
    out = capsys.readouterr().out
    assert "hits in" in out and "by outlet" in out and "[corridor" in out.lower()
    assert main(["kwic", str(processed), "corr*idor"]) == 2
