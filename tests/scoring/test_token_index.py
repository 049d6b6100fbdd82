"""The token index diplo run writes for diplo kwic: the matcher's tokens, the same bytes whatever the memory."""

from __future__ import annotations

import json
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest

from diplo.io.codebook import describe
from diplo.io.generation import GENERATION_FILE, current_generation
from diplo.io.outputs import OUTPUT_INDEX
from diplo.scoring import token_index
from diplo.scoring.match import Matcher, dictionary_from_mapping, tokenize
from diplo.scoring.token_index import SentenceTokens, TokenIndex, TokenIndexWriter, entry_hits, sentence_tokens

from conftest import ROOT


@pytest.fixture(scope="module")
def texts() -> list:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from corpus import generate_articles
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    out = [s for a in generate_articles(120, seed=11) for s in a.sentences]
    # texts that lower-case longer, Persian with a zero-width non-joiner, missing and empty texts
    return out[:700] + ["İstanbul and İZMİR", None, "", "می\u200cخواهد ایران", "Gas gas gas; gas gas."] + out[700:]


def _build(folder, texts, chunks, memory):
    writer = TokenIndexWriter(folder, memory_postings=memory)
    for i in range(0, len(texts), chunks):
        writer.add(texts[i:i + chunks])
    writer.close()
    return {name: (folder / f"{name}.parquet").read_bytes() for name in OUTPUT_INDEX}


@pytest.mark.parametrize("cuts", [[10_000], [97], [1, 700, 2], [350, 0, 355]])
@pytest.mark.parametrize("memory", [10**9, 2_000])
def test_tokens_made_apart_and_merged_give_the_same_bytes(cuts, memory, texts, tmp_path, monkeypatch):
    """Sentences tokenized in pieces (workers, cached segments: each piece with a vocabulary of its own, cut
    again and joined as output chunks take them) index to the bytes of their texts fed to the writer."""
    monkeypatch.setattr(token_index, "_ROW_GROUP", 1000)
    monkeypatch.setattr(token_index, "_MAX_BUCKETS", 7)
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    expected = _build(tmp_path / "a", texts, 10_000, 10**9)
    pieces, at, i = [], 0, 0
    while at < len(texts):  # segments of the given sizes (in turn), then output chunks of 3 segments
        n = cuts[i % len(cuts)]
        pieces.append(sentence_tokens(texts[at:at + n]))
        at, i = at + n, i + 1
    writer = TokenIndexWriter(tmp_path / "b", memory_postings=memory)
    for k in range(0, len(pieces), 3):
        joined = SentenceTokens.concat(pieces[k:k + 3])
        keep = np.ones(len(joined), dtype=bool)
        writer.add_tokens(joined.take(keep))
    writer.close()
    assert {name: (tmp_path / "b" / f"{name}.parquet").read_bytes() for name in OUTPUT_INDEX} == expected
    # a piece's sentences taken apart: the tokens of the sentences kept, in order
    part = sentence_tokens(texts[:50])
    keep = np.arange(50) % 3 == 0
    assert _terms(part.take(keep)) == _terms(sentence_tokens([t for t, k in zip(texts[:50], keep) if k]))


def _terms(tokens) -> list:
    terms = [tokens.terms[i] for i in tokens.ids.tolist()]
    ends = np.cumsum(tokens.counts).tolist()
    return [terms[a:b] for a, b in zip([0, *ends[:-1]], ends)]


def test_postings_are_the_matchers_tokens_and_bytes_do_not_depend_on_memory(texts, tmp_path, monkeypatch):
    monkeypatch.setattr(token_index, "_ROW_GROUP", 1000)  # many row groups, buckets and spilled runs
    monkeypatch.setattr(token_index, "_MAX_BUCKETS", 7)
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    whole = _build(tmp_path / "a", texts, 10_000, 10**9)
    spilled = _build(tmp_path / "b", texts, 97, 2_000)
    assert whole == spilled
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(f"{n}.parquet" for n in OUTPUT_INDEX)
    vocabulary = pq.read_table(tmp_path / "b" / "token_vocabulary.parquet").to_pandas()
    postings = pq.read_table(tmp_path / "b" / "token_postings.parquet").to_pandas()
    assert pq.ParquetFile(tmp_path / "b" / "token_postings.parquet").num_row_groups > 10
    assert vocabulary["term"].is_monotonic_increasing and vocabulary["term"].is_unique
    assert (vocabulary["first"] == vocabulary["n"].cumsum() - vocabulary["n"]).all()
    # the matcher's tokens of each text, one at a time
    expected = [(term, row, pos) for row, text in enumerate(texts)
                for pos, term in enumerate(tokenize(text) if isinstance(text, str) else [])]
    got = list(zip(vocabulary["term"].to_numpy()[postings["term_id"]], postings["row"], postings["pos"]))
    assert got == sorted(expected)
    assert TokenIndex.open(tmp_path / "b").n_rows == len(texts)


@pytest.mark.parametrize("pattern", ["corridor*", "the", "north-south corridor", "iran", "İstanbul", "gas gas",
                                     "president of *", "zzz", ", and", "the *", "a* a* a*", "of NEAR/3 the",
                                     "president NEAR/4 iran*", "gas NEAR/1 gas", "minist* NEAR/20 cooperat*"])
def test_entry_hits_are_the_matchers(pattern, texts, tmp_path):
    _build(tmp_path, texts, 300, 10**9)
    dictionary = dictionary_from_mapping({"x": [pattern.replace(" *", " a*")]}, name="x", negation_window=0,
                                         possessives=True)
    found = Matcher([dictionary]).find(texts)["x"]
    assert entry_hits(TokenIndex.open(tmp_path), dictionary).tolist() == found.row.tolist()
    assert len(found) or pattern == "zzz"


def test_entry_hits_refuses_what_it_cannot_rank(texts, tmp_path):
    _build(tmp_path, texts[:50], 50, 10**9)
    index = TokenIndex.open(tmp_path)
    with pytest.raises(ValueError, match="not mixed with other entries"):
        entry_hits(index, dictionary_from_mapping({"x": ["gas NEAR/2 swap", "gas"]}, name="x"))
    with pytest.raises(ValueError, match="entries of one length"):
        entry_hits(index, dictionary_from_mapping({"x": ["gas swap", "gas"]}, name="x"))


def test_no_index_and_an_empty_one(tmp_path):
    assert TokenIndex.open(tmp_path) is None
    _build(tmp_path, [], 10, 10)
    index = TokenIndex.open(tmp_path)
    assert index.n_rows == 0 and len(index.find(["gas"])[0]) == len(index.rows("gas*")) == 0


def test_the_run_publishes_the_index(processed):
    folder = current_generation(processed)
    record = json.loads((folder / GENERATION_FILE).read_text())
    sentences = pq.read_table(folder / "sentences.parquet")
    for name in OUTPUT_INDEX:
        assert f"{name}.parquet" in record["files"] and (processed / f"{name}.parquet").is_file()
        for column in pq.read_schema(folder / f"{name}.parquet").names:
            describe(name, column)  # raises KeyError when undocumented
    assert TokenIndex.open(folder).n_rows == len(sentences)
    assert not any(p.name.startswith(".token-index") for p in folder.iterdir())
    postings = pq.read_table(folder / "token_postings.parquet")
    assert np.array_equal(np.unique(postings["row"].to_numpy()), np.flatnonzero(
        [bool(tokenize(t)) for t in sentences["text"].to_pylist()]))
