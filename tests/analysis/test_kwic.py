"""diplo kwic: the hits of a term, glob or phrase in a run's sentences, as the themes matcher finds them,
looked up in the run's token index (or scanned, for outputs without one)."""

from __future__ import annotations

import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from diplo.analysis.kwic import KWIC_COLUMNS, kwic, kwic_dictionary
from diplo.cli import main
from diplo.io.generation import current_generation
from diplo.io.outputs import OUTPUT_INDEX, load_outputs
from diplo.scoring.themes import score_themes
from diplo.scoring.token_index import TokenIndexWriter

SAMPLE_PATTERNS = ["corridor*", "Karabakh", "azerbaijan", "north-south", "gas", "tehran", "foreign minister",
                   "transport*", "iran's", "cooperation between", "rasht-astara railway"]


@pytest.fixture(scope="module")
def sentences(processed) -> pd.DataFrame:
    return load_outputs(processed, tables=["sentences"])["sentences"]


@pytest.fixture(scope="module")
def scanned(processed, tmp_path_factory):
    """The sample's outputs as an older diplo left them: plain files, no token index."""
    out = tmp_path_factory.mktemp("no-index")
    for path in current_generation(processed).iterdir():
        if path.suffix == ".parquet" and path.stem not in OUTPUT_INDEX:
            shutil.copy(path, out / path.name)
    return out


def _expected(sentences: pd.DataFrame, pattern: str) -> pd.DataFrame:
    hits = score_themes(sentences, kwic_dictionary(pattern), per="hits")
    return hits[["doc_id", "sent_id", "match"]].reset_index(drop=True)


def _check(result, expected: pd.DataFrame) -> None:
    assert result.n_hits == len(expected)
    got = result.hits[["doc_id", "sent_id", "match"]]
    assert list(got.itertuples(index=False, name=None)) == list(expected.itertuples(index=False, name=None))
    assert result.n_sentences == len(expected.drop_duplicates(["doc_id", "sent_id"]))
    assert result.n_articles == expected["doc_id"].nunique()


@pytest.mark.parametrize("pattern", [*SAMPLE_PATTERNS, "iran* NEAR/3 azerbaijan*", "cooperation NEAR/5 iran*",
                                     "the", "zzyzx*"])
def test_hits_are_the_themes_matchers_hits(pattern, processed, scanned, sentences):
    expected = _expected(sentences, pattern)
    assert len(expected) > 0 or pattern == "zzyzx*"
    indexed, scan = kwic(processed, pattern, n=100_000), kwic(scanned, pattern, n=100_000)
    _check(indexed, expected)
    _check(scan, expected)
    assert indexed.note == "" and "no token index" in scan.note
    for a, b in ((indexed.by_outlet, scan.by_outlet), (indexed.by_period, scan.by_period)):
        pd.testing.assert_frame_equal(a, b)


# sentences written as `diplo run` lays them out, with their index: the matcher's word rules, case, punctuation,
# non-ASCII text (a dotted capital I that grows when lower-cased, Persian with a zero-width non-joiner, curly
# apostrophes), a word the corpus lacks
TEXTS = ["Tehran-Baku ties and Baku's port grew.", "Corridors, corridor and corridor-building in 2023.",
         "the North-South  corridor; north-south. corridor", "Iranian and Iran, İran and IRAN'S gas, swap deals.",
         "Gas swap: Azerbaijan’s gas, swap and gas gas gas.", "ایران می\u200cخواهد گاز. Qarabağ and QARABAĞ’s future.",
         "", "Attack on the embassy; the embassy was attacked, officials said.", "3.5 billion cubic metres (bcm).",
         "Sanctions hit Iran but Iran hit back at sanctions.",
         "Iran sanctions, Iran sanctions and sanctions on Iran while talks went on. Iran, Iran sanctions"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The TEXTS as a run's output, with the token index and without it."""
    folders = {}
    for kind in ("index", "scan"):
        out = tmp_path_factory.mktemp(kind)
        n = len(TEXTS)
        pq.write_table(pa.table({"doc_id": [f"d{i // 3}" for i in range(n)], "sent_id": [i % 3 for i in range(n)],
                                 "text": TEXTS}), out / "sentences.parquet", row_group_size=2)
        # d3 (the last two texts) is missing from articles: its hits count under "unknown"
        pq.write_table(pa.table({"doc_id": ["d0", "d1", "d2"], "date": ["2024-01-03", None, "2024-02-01"],
                                 "outlet": ["A", "B", ""]}), out / "articles.parquet")
        if kind == "index":
            writer = TokenIndexWriter(out, memory_postings=7)  # spills: the merge path
            writer.add(TEXTS[:4])
            writer.add(TEXTS[4:])
            writer.close()
        folders[kind] = out
    return folders


@pytest.mark.parametrize("pattern, matches", [
    ("baku", ["Baku's"]),
    ("corridor*", ["Corridors", "corridor", "corridor-building", "corridor", "corridor"]),
    ("north-south corridor", ["North-South  corridor"]),
    ("iran", ["Iran", "IRAN'S", *["Iran"] * 7]),
    ("İran", ["İran"]),
    ("gas , swap", ["gas, swap", "gas, swap"]),
    ("gas swap", ["Gas swap"]),
    ("gas gas", ["gas gas"]),
    ("azerbaijan", ["Azerbaijan’s"]),
    ("qarabağ", ["Qarabağ", "QARABAĞ’s"]),
    ("می\u200cخواهد", ["می\u200cخواهد"]),
    ("ایران", ["ایران"]),
    ("3.5 billion", ["3.5 billion"]),
    ("( bcm )", ["(bcm)"]),
    ("attack* NEAR/3 embassy", ["Attack on the embassy", "embassy was attacked"]),
    ("embassy NEAR/2 said", []),
    ("sanction* NEAR/2 iran", ["Sanctions hit Iran", "Iran sanctions", "Iran sanctions", "sanctions on Iran",
                               "Iran sanctions"]),
    ("iran NEAR/1 sanction*", ["Iran sanctions", "Iran sanctions", "Iran sanctions"]),
    ("sanction* NEAR/9 talks", []),  # "while" breaks the clause
    ("talks NEAR/1 went", ["talks went"]),
    ("iran NEAR/3 iran", ["Iran sanctions, Iran", "Iran, Iran"]),
    ("but NEAR/2 iran", ["but Iran"]),
    ("back* NEAR/20 iran*", ["Iran hit back"]),
    ("zangezur", []),
    ("corridor-", []),
])
def test_word_rules(pattern, matches, small):
    sentences = pq.read_table(small["index"] / "sentences.parquet").to_pandas()
    expected = _expected(sentences, pattern)
    assert expected["match"].tolist() == matches
    for kind in ("index", "scan"):
        _check(kwic(small[kind], pattern, n=100), expected)


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


def test_counts_by_outlet_and_period(small):
    result = kwic(small["index"], "the")  # rows 2 (d0: A, 2024-01) and 7 (d2: no outlet, 2024-02), twice in 7
    assert result.by_outlet.to_dict("list") == {"outlet": ["unknown", "A"], "hits": [2, 1], "sentences": [1, 1],
                                                "articles": [1, 1]}
    assert result.by_period.to_dict("list") == {"period": ["2024-01", "2024-02"], "hits": [1, 2],
                                                "sentences": [1, 1], "articles": [1, 1]}
    assert kwic(small["index"], "baku").by_period["period"].tolist() == ["2024-01"]
    assert kwic(small["index"], "swap").by_period.to_dict("list") == {"period": ["unknown"], "hits": [3],
                                                                      "sentences": [2], "articles": [1]}


def test_no_hit(processed):
    result = kwic(processed, "zzyzx*")
    assert (result.n_hits, len(result.hits), len(result.by_outlet)) == (0, 0, 0)
    assert "0 hits" in result.to_text()


def test_a_stale_index_is_not_used(small, tmp_path):
    # an index of other sentences than the folder's (a copied file) would point at the wrong rows
    for path in small["index"].iterdir():
        shutil.copy(path, tmp_path / path.name)
    pq.write_table(pq.read_table(tmp_path / "sentences.parquet").slice(0, 5), tmp_path / "sentences.parquet")
    result = kwic(tmp_path, "iranian")
    assert "no token index" in result.note and result.n_hits == 1


@pytest.mark.parametrize("pattern, kwargs, match", [
    ("", {}, "non-blank"), ("corr*idor", {}, "only at the end"), ("*", {}, "only at the end"),
    ("gas NEAR/x swap", {}, "WORD NEAR/k WORD"), ("gas NEAR/5", {}, "WORD NEAR/k WORD"),
    ("gas NEAR/30 swap", {}, "k in 1..20"), ("gas NEAR/2 swap deal", {}, "WORD NEAR/k WORD"),
    ("gas", {"window": -1}, "window must be"), ("gas", {"n": 1.5}, "n must be"),
])
def test_invalid_requests(pattern, kwargs, match, processed):
    with pytest.raises(ValueError, match=match):
        kwic(processed, pattern, **kwargs)


def test_missing_output(tmp_path):
    with pytest.raises(FileNotFoundError, match="diplo run"):
        kwic(tmp_path, "gas")


def test_cli(processed, scanned, capsys):
    assert main(["kwic", str(processed), "corridor*", "--window", "4", "--n", "2"]) == 0
    out = capsys.readouterr().out
    assert "hits in" in out and "by outlet" in out and "[corridor" in out.lower() and "note" not in out
    assert main(["kwic", str(scanned), "corridor*", "--n", "2"]) == 0
    assert capsys.readouterr().out.startswith("note: ")
    assert main(["kwic", str(processed), "corr*idor"]) == 2
