"""score_sentences: one Matcher pass, sentence_scores and the evidence ("why") table."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from diplo import load_outputs
from diplo.scoring.score import EVIDENCE_TABLE_COLUMNS, SCORE_TABLES, _evidence_order, _keyed, score_sentences
from diplo.scoring.session import ScoringSession


def test_score_sentences_tables_and_evidence_offsets():
    sentences = pd.DataFrame({"doc_id": ["d1", "d1", "d2"], "sent_id": [0, 1, 0],
                              "text": ["Iran condemned the attack.", "", "Both sides signed a memorandum."]})
    out = score_sentences(sentences)
    assert set(out) == set(SCORE_TABLES)
    scores, ev = out["sentence_scores"], out["evidence"]
    assert scores["n_words"].tolist() == [4, 0, 5]
    assert scores.loc[1, ["tone_vader", "tone_lexicon", "tone_diplomatic"]].isna().all()
    assert list(ev.columns) == EVIDENCE_TABLE_COLUMNS
    assert set(ev["scorer"]) == {"vader", "lexicon", "diplomatic"}
    text = sentences.set_index(["doc_id", "sent_id"])["text"]
    for row in ev.itertuples():
        assert text[(row.doc_id, row.sent_id)][row.start:row.end].strip()
    dip = ev[ev["scorer"] == "diplomatic"].groupby(["doc_id", "sent_id"])["weight"].sum()
    assert np.allclose(dip.to_numpy(), scores.set_index(["doc_id", "sent_id"]).loc[dip.index, "tone_diplomatic"])


def test_pipeline_writes_all_tones_evidence_and_outlet_table(processed):
    tables = load_outputs(processed)
    articles = tables["articles"]
    for col in ("tone_vader", "tone_lexicon", "tone_diplomatic"):
        assert articles[col].notna().all() and articles[f"{col}_wmean"].notna().all()
    assert articles["tone_diplomatic"].between(-10, 10).all()
    # the embassy-attack coverage (000, 003) is less cooperative than the 2021 cooperation pieces (001, 004)
    dip = articles.set_index(articles["doc_id"].str[:3])["tone_diplomatic"]
    assert max(dip["000"], dip["003"]) < min(dip["001"], dip["004"])
    by_outlet = tables["tone_by_outlet"]
    with_outlet = articles.loc[articles["outlet"].fillna("") != "", "n_sentences"].sum()
    assert by_outlet["n"].sum() == with_outlet and by_outlet["outlet"].is_unique
    # one article per outlet in the sample: a cluster bootstrap over articles has nothing to resample
    assert (by_outlet["n_articles"] == 1).all()
    assert by_outlet["tone_diplomatic_lo"].isna().all() and by_outlet["tone_diplomatic_hi"].isna().all()
    assert len(tables["evidence"]) and tables["evidence"]["scorer"].isin(["vader", "lexicon", "diplomatic"]).all()


def test_cli_run_with_a_user_lexicon(raw_dir, tmp_path):
    from diplo.cli import main

    yml = tmp_path / "tone.yml"
    yml.write_text("positive: [cooperat*]\nnegative: [attack*]\n")
    assert main(["run", str(raw_dir), "--out", str(tmp_path / "o"), "--scorer", "lexicon", "--lexicon", str(yml)]) == 0
    ev = pd.read_parquet(tmp_path / "o" / "evidence.parquet")
    assert set(ev["term"]) == {"cooperat*", "attack*"} and set(ev["scorer"]) == {"lexicon"}


@pytest.mark.parametrize("sent_ids", [[3, 0, 1, 0, 0, 2], [3.0, 0.5, 1.0, 0.5, 0.5, 2.0]])  # ints: lexsort path
def test_evidence_order_is_the_stable_multi_column_sort(sent_ids):
    head = pd.DataFrame({"doc_id": ["b", "a", "\u00e9", "a", "Z", "b"], "sent_id": sent_ids})
    rng = np.random.default_rng(0)
    n = 400
    evidence = pd.DataFrame({
        "row": rng.integers(0, len(head), n), "scorer": rng.choice(["vader", "lexicon", "diplomatic"], n),
        "term": [f"t{i}" for i in range(n)], "start": rng.integers(0, 5, n), "end": rng.integers(5, 8, n),
        "weight": rng.normal(size=n), "negated": rng.random(n) < 0.5})
    expected = _keyed(head, evidence, EVIDENCE_TABLE_COLUMNS).sort_values(
        ["doc_id", "sent_id", "scorer", "start", "end"], kind="stable").reset_index(drop=True)
    got = _keyed(head, evidence.iloc[_evidence_order(head, evidence)], EVIDENCE_TABLE_COLUMNS)
    pd.testing.assert_frame_equal(got, expected)
    assert got["term"].tolist() != evidence["term"].tolist()  # the rows were reordered


def test_threads_score_like_one_thread_with_their_own_state(raw_dir):
    # a Dask worker may run several threads: each gets its own matcher vocabulary, scorers and VADER tables
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from diplo.scoring import score as score_module
    from diplo.text.corpus import build_corpus
    from diplo.io.raw import load_documents

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from corpus import generate_articles

    sentences = build_corpus(load_documents(raw_dir, []))["sentences"][["doc_id", "sent_id", "text"]]
    synthetic = pd.DataFrame([(a.doc_id, i, s) for a in generate_articles(40, seed=3)
                              for i, s in enumerate(a.sentences)], columns=["doc_id", "sent_id", "text"])
    chunks = [sentences, *(g.reset_index(drop=True) for _, g in synthetic.groupby(synthetic.index // 150))]
    expected = [score_sentences(c) for c in chunks]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with ThreadPoolExecutor(4) as pool:
            got = list(pool.map(score_sentences, chunks * 3))
            mine = ScoringSession.current()
            theirs = list(pool.map(lambda _: ScoringSession.current(), range(8)))
            matchers = list(pool.map(lambda _: score_module._components(ScoringSession.current(), None, None,
                                                                       ["vader"])[3], range(8)))
    finally:
        sys.setswitchinterval(switch)
    for exp, out in zip(expected * 3, got):
        for name in SCORE_TABLES:
            pd.testing.assert_frame_equal(out[name], exp[name])
    assert all(s is not mine for s in theirs) and len({id(s) for s in theirs}) <= 4
    assert all(m is not score_module._components(mine, None, None, ["vader"])[3] for m in matchers)


def test_a_session_owns_the_components_it_built():
    sentences = pd.DataFrame({"doc_id": ["a"], "sent_id": [0], "text": ["Iran and Azerbaijan signed a deal."]})
    mine, other = ScoringSession(), ScoringSession()
    a, b = score_sentences(sentences, session=mine), score_sentences(sentences, session=other)
    for name in SCORE_TABLES:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert len(mine) and mine.reuse(("tone scorer", "vader"), object) is not other.reuse(("tone scorer", "vader"), object)
    mine.clear()
    assert len(mine) == 0


@pytest.mark.parametrize("kind", ["themes", "actors"])
def test_a_dictionary_file_edited_in_place_is_read_again(kind, tmp_path):
    # the dictionary loop in a notebook: edit the file, score again in the same process and session;
    # same size and mtime as before, so only the content tells the two versions apart
    path = tmp_path / f"{kind}.yml"
    sentences = pd.DataFrame({"doc_id": ["a"], "sent_id": [0], "text": ["Baku and Tehran signed a gas deal."]})
    session, stat = ScoringSession(), None
    found = []
    for term in ("baku", "gass"):  # same length: the file keeps its size
        path.write_text(f"x:\n  - {term}\n", encoding="utf-8")
        if stat is not None:
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        stat = path.stat()
        tables = score_sentences(sentences, scorers=["vader"], session=session, **{kind: path})
        table = tables["theme_hits"] if kind == "themes" else tables["actor_mentions"]
        found.append(table.iloc[:, :].astype(str).to_string())
    assert "Baku" in found[0] and "Baku" not in found[1]


def _public_tables(sentences: pd.DataFrame, scorers) -> dict[str, pd.DataFrame]:
    """What score_sentences returns, assembled from the public APIs (``score_tone`` and the scorers' ``score_chunk``
    on a chunk of ``Matcher.match`` tables) with pandas joins and a multi-column sort."""
    from diplo.scoring.actors import ACTOR_MENTION_COLUMNS, ActorScorer, carry_pronoun_speakers
    from diplo.scoring.chunk import Chunk
    from diplo.scoring.match import Matcher
    from diplo.scoring.themes import THEME_HIT_COLUMNS, ThemeScorer
    from diplo.scoring.tone import get_scorers, score_tone
    from diplo.text.corpus import count_words_many

    instances, themes, actors = get_scorers(scorers), ThemeScorer(), ActorScorer(scorers=tuple(scorers))
    matcher = Matcher([d for s in (*instances, themes, actors) for d in s.dictionaries])
    head = sentences[["doc_id", "sent_id"]].reset_index(drop=True)
    texts = [t if isinstance(t, str) else "" for t in sentences["text"].tolist()]
    tokens = matcher.tokenize(texts)
    matches = matcher.match(texts, table=tokens)
    scores, evidence = score_tone(sentences, instances, evidence=True, matches=matches, table=tokens)
    scores = scores.reset_index(drop=True)
    chunk = Chunk(texts, matches=matches, tokens=tokens)
    counts, hits = themes.score_chunk(chunk, evidence=True)
    hits = pd.DataFrame(hits)
    chunk.scores.update({c: scores[c].to_numpy() for c in scores.columns})
    cols, mentions = actors.score_chunk(chunk, evidence=True)
    mentions = pd.DataFrame(mentions)
    cols["speaker"] = carry_pronoun_speakers(head["doc_id"].tolist(), texts, cols["speaker"])
    table = pd.concat([head.assign(n_words=count_words_many(texts)), scores], axis=1).assign(**counts, **cols)
    evidence = _keyed(head, evidence, EVIDENCE_TABLE_COLUMNS).sort_values(
        ["doc_id", "sent_id", "scorer", "start", "end"], kind="stable").reset_index(drop=True)
    return {"sentence_scores": table, "evidence": evidence,
            "theme_hits": _keyed(head, hits, THEME_HIT_COLUMNS),
            "actor_mentions": _keyed(head, mentions, ACTOR_MENTION_COLUMNS)}


@pytest.mark.parametrize("case", ["synthetic", "odd rows", "no matches", "empty", "object doc ids"])
@pytest.mark.parametrize("scorers", [["diplomatic", "lexicon", "vader"], ["vader"], ["lexicon", "diplomatic"]])
def test_score_sentences_equals_the_public_apis_assembled(case, scorers):
    # score_sentences passes arrays between the scorers and builds each table once: same values and dtypes
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from corpus import generate_articles

    synthetic = pd.DataFrame([(a.doc_id, i, s) for a in generate_articles(12, seed=5)
                              for i, s in enumerate(a.sentences)], columns=["doc_id", "sent_id", "text"])
    sentences = {
        "synthetic": synthetic,
        "odd rows": synthetic.iloc[10:50].assign(text=lambda d: d["text"].where(d.index % 7 != 3, None))
                    .set_axis(range(1, 121, 3)),
        "no matches": pd.DataFrame({"doc_id": ["a", "b"], "sent_id": [0, 1], "text": ["xyz qqq", "  "]}),
        "empty": synthetic.head(0),
        "object doc ids": synthetic.head(30).astype({"doc_id": object}),
    }[case]
    got, want = score_sentences(sentences, scorers=scorers), _public_tables(sentences, scorers)
    assert list(got) == list(SCORE_TABLES)
    for name in SCORE_TABLES:
        pd.testing.assert_frame_equal(got[name], want[name], check_exact=True)
        assert got[name].dtypes.to_dict() == want[name].dtypes.to_dict()
