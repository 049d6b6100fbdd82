"""Chunk: the one object every scorer reads (texts, valid mask, tokens, matches, the scores so far)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diplo.scoring.chunk import EVIDENCE_COLUMNS, Chunk, Spans, evidence_frame, valid_texts
from diplo.scoring.match import Matcher, Matches, dictionary_from_mapping
from diplo.scoring.session import ScoringSession
from diplo.scoring.themes import ThemeScorer
from diplo.scoring.tone import DiplomaticScorer, LexiconScorer
from diplo.scoring.vader import VaderScorer

TEXTS = ["Iran and Azerbaijan signed a memorandum on the Zangazur corridor.", "  ", None,
         "Baku condemned the attack but welcomed the talks."]


@pytest.mark.parametrize("texts, valid", [
    (TEXTS, [True, False, False, True]), ([], []), (["", "\u3000", "a"], [False, False, True]),
    ([float("nan"), 42, "x "], [False, False, True]),
])
def test_valid_mask(texts, valid):
    assert valid_texts(texts).tolist() == valid
    assert Chunk(texts).valid.tolist() == valid


def test_texts_are_strings_and_a_bare_string_is_refused():
    assert Chunk(TEXTS).texts == [TEXTS[0], "  ", "", TEXTS[3]]
    with pytest.raises(TypeError, match="got a single str 'Iran'"):
        Chunk("Iran")


def test_matched_chunk_holds_one_pass_of_every_dictionary():
    scorers = [LexiconScorer(), DiplomaticScorer(), ThemeScorer()]
    matcher = Matcher([d for s in scorers for d in s.dictionaries])
    chunk = Chunk.matched(TEXTS, matcher)
    assert sorted(chunk.matches) == ["diplomatic", "diplomatic_actors", "lexicon", "themes"]  # the diplomatic scale needs its actors
    assert all(isinstance(m, Matches) for m in chunk.matches.values())
    assert chunk.tokens is not None and len(chunk.tokens.texts) == len(TEXTS)
    for s in scorers:  # the chunk's matches serve every scorer: same as each scoring on its own
        own, shared = s.score(TEXTS), s.score_chunk(chunk, evidence=True)
        assert own[0].keys() == shared[0].keys()
        for k in own[0]:
            np.testing.assert_array_equal(own[0][k], shared[0][k])


def test_an_unmatched_chunk_keeps_each_scorers_own_matches():
    scorer = DiplomaticScorer()
    chunk = Chunk(TEXTS)
    first = chunk.matches_for(scorer)
    assert chunk.matches_for(scorer) is not None and chunk.matches_for(scorer)[0] is first[0]  # found once
    assert Chunk(TEXTS).matches_for(scorer)[0] is not first[0]  # a new chunk finds its own


def test_missing_dictionary_is_an_error_naming_it():
    d = dictionary_from_mapping({"x": ["gas"]}, name="other")
    chunk = Chunk(TEXTS, matches=Matcher([d]).match(TEXTS))
    with pytest.raises(ValueError, match=r"matches lack dictionary 'themes'; found \['other'\]"):
        ThemeScorer().score_chunk(chunk)


def test_spans_chunk_scores_like_the_substrings():
    text = "Iran praised the wonderful talks, but Armenia faced harsh criticism."
    rows, starts, ends = np.array([0, 0]), np.array([0, 38]), np.array([32, 68])
    subs = [text[0:32], text[38:68]]
    spans = Chunk(subs, spans=Spans([text], rows, starts, ends))
    alone = VaderScorer().score_chunk(Chunk(subs))[0]
    for k, v in VaderScorer().score_chunk(spans)[0].items():
        np.testing.assert_array_equal(v, alone[k])
    cols, ev = VaderScorer().score_chunk(spans, evidence=True)  # evidence: scored from the substrings
    assert ev is not None and set(ev["row"].tolist()) == {0, 1}


def test_evidence_frame_types():
    empty = evidence_frame()
    assert list(empty.columns) == EVIDENCE_COLUMNS and empty.empty
    assert empty.dtypes.astype(str).tolist() == ["int64", "object", "int64", "int64", "float64", "bool"]
    _, ev = LexiconScorer().score_chunk(Chunk(TEXTS), evidence=True)
    pd.testing.assert_frame_equal(evidence_frame(ev), LexiconScorer().score(TEXTS, evidence=True)[1])


def test_a_chunk_uses_the_session_it_is_given():
    session = ScoringSession()
    chunk = Chunk(TEXTS, session=session)
    VaderScorer().score_chunk(chunk)
    assert chunk.session is session and len(session) == 1
    assert Chunk(TEXTS).session is ScoringSession.current()
