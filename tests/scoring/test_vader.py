"""diplo's VADER must equal vaderSentiment 3.3.2 exactly: seed sentences, tricky cases, random text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SPECIAL_CASES, SentimentIntensityAnalyzer

from diplo.text.corpus import build_articles
from diplo.io.raw import load_documents
from diplo.scoring._engine.tokens import PieceIndex, Vocabulary, tokenize_texts
from diplo.scoring.tone import score_tone
from diplo.scoring.chunk import EVIDENCE_COLUMNS, Chunk
from diplo.scoring.vader import VaderScorer, score_vader, score_vader_spans

DEVSETS = Path("/work/shared/devsets/vader")

TRICKY = [
    # "but": before x0.5, after x1.5; equal valences re-scale the first occurrence (list.index quirk)
    "The talks were good, but the results were good.",
    "good good but good good",
    "Good, good and good but bad, bad and good.",
    "It was great but it was bad but it was great.",
    "BUT the outcome was excellent",
    "but",
    # "no" as a negator and as a word of its own
    "There is no good option here.",
    "No progress.",
    "no no good",
    "No, this is no problem.",
    "no doubt or worry",
    "no hope or joy",
    "It is no bad nor sad thing",
    "no",
    # "never so/this", "without doubt" and the start_i == 2 precedence quirk
    "Sentiment analysis has never been this good!",
    "Sentiment analysis has never been good.",
    "It has never so clearly been a success.",
    "Without a doubt, excellent idea.",
    "Without doubt an excellent idea.",
    "We were all so happy.",
    "The three of this good plan",
    # boosters and dampeners, incl. multi-word ones
    "The book was only kind of good.",
    "kind of",
    "The plan is sort of useful and just enough helpful",
    "an extremely very good deal",
    "He was kinda sorta hardly happy",
    # negation windows and contractions
    "VADER is not smart, handsome, nor funny.",
    "The deal isn't bad at all and wasn't terrible",
    "nothing is really truly good here",
    "They cannot say it was not a failure",
    "despite the good intentions",
    # "least"
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "least good",
    "very least good",
    # caps differential
    "VADER is VERY SMART, handsome, and FUNNY.",
    "GOOD",
    "GOOD BAD",
    "Today SUX!",
    "The results were GOOD but NOT GREAT",
    "the summit was VERY bad",
    # punctuation emphasis
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "Is this good??",
    "Is this bad????",
    "What a deal?! !!!!!",
    "!!!",
    # emoji, emoticons, punctuation stripping
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Talks ended😁badly",
    "😁😁 great",
    "Make sure you :) or :D today!",
    "(good) 'bad' \"great\" ... ?!good!?",
    "no. good",
    "© 2023 Press TV",
    # idioms and special cases
    "With VADER, sentiment analysis is the shit!",
    "On the other hand, VADER is quite bad ass",
    "It was the kiss of death for the talks.",
    "a cake to die for",
    "we waited at the bus stop in the rain",
    "yeah right, that was a great meeting",
    "The meeting was a beating heart of good will",
    "the bomb was the bomb",
    # whitespace other than spaces, empty
    "good\tbad\nugly\u00a0nice\u3000fine\x1cgreat",
    "zero\u200bwidth good",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def _reference(analyzer, texts) -> pd.DataFrame:
    return pd.DataFrame([analyzer.polarity_scores(t) for t in texts], columns=["compound", "pos", "neg", "neu"])


def _assert_identical(texts, analyzer) -> None:
    ours, _ = score_vader(texts)
    ref = _reference(analyzer, texts)
    mismatch = ~(ours == ref).all(axis=1).to_numpy()
    assert not mismatch.any(), pd.concat([pd.Series(texts, name="text"), ours.add_prefix("diplo_"),
                                          ref.add_prefix("ref_")], axis=1)[mismatch].to_string()


def test_seed_sentences_identical(raw_dir, analyzer):
    _, sentences = build_articles(load_documents(raw_dir, []))
    assert len(sentences) > 100
    _assert_identical(sentences["text"].tolist(), analyzer)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_sentence_identical(text, analyzer):
    _assert_identical([text], analyzer)


def test_tricky_sentences_identical_as_one_batch(analyzer):
    _assert_identical(TRICKY, analyzer)


def test_batch_equals_one_at_a_time():
    batch, _ = score_vader(TRICKY)
    single = pd.concat([score_vader([t])[0] for t in TRICKY], ignore_index=True)
    pd.testing.assert_frame_equal(batch, single)


def test_pieces_shared_with_the_matcher_and_reset(monkeypatch):
    expected, _ = score_vader(TRICKY)
    vocab = Vocabulary()
    chunk = Chunk(TRICKY, tokens=tokenize_texts(TRICKY, vocab))  # VADER reuses the split of the chunk's tokens
    got = VaderScorer().score_chunk(chunk)[0]["tone_vader"]
    np.testing.assert_array_equal(got, np.where(chunk.valid, expected["compound"], np.nan))
    monkeypatch.setattr(PieceIndex, "LIMIT", 3)
    score_vader(["talks"])  # a new piece index generation: VADER maps the pieces to its types again
    pd.testing.assert_frame_equal(score_vader(TRICKY)[0], expected)
    tokenize_texts(["talks"], vocab)
    np.testing.assert_array_equal(VaderScorer().score_chunk(chunk)[0]["tone_vader"], got)


_ANALYZER = SentimentIntensityAnalyzer()
_LEXICON_WORDS = sorted(_ANALYZER.lexicon)[::5]
_MODIFIERS = sorted(BOOSTER_DICT) + NEGATE + [w for key in SPECIAL_CASES for w in key.split()]
# The words VADER's rules test by name, drawn often so that their combinations get exercised.
_RULE_WORDS = ["no", "never", "so", "this", "without", "doubt", "least", "at", "very", "kind", "of", "sort",
               "but", "or", "nor", "not", "isn't", "just", "enough", "the"]
_OTHER = ["talks", "Iran", "Baku", "2023", "said", "I", "US", ":)", ":(", "😁", "💔", "©", "-", "a"]
_word = st.one_of(st.sampled_from(_LEXICON_WORDS), st.sampled_from(_RULE_WORDS), st.sampled_from(_LEXICON_WORDS),
                  st.sampled_from(_MODIFIERS), st.sampled_from(_OTHER))
_token = st.builds(
    lambda word, case, before, after: before + {0: word, 1: word.upper(), 2: word.capitalize()}[case] + after,
    _word, st.sampled_from([0, 0, 0, 1, 2]),
    st.sampled_from(["", "", "", "(", "\"", "'", "...", "#"]),
    st.sampled_from(["", "", "", "", ".", ",", "!", "?", "!!", "??", ")", "'s", "...", ":"]))
_text = st.builds(lambda toks, seps: "".join(t + s for t, s in zip(toks, seps)),
                  st.lists(_token, min_size=3, max_size=16),
                  st.lists(st.sampled_from([" "] * 8 + ["  ", "\t", "\n", "\u00a0", ""]), min_size=16,
                           max_size=16))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_text, min_size=4, max_size=12))
def test_random_texts_identical(texts):
    _assert_identical(texts, _ANALYZER)


def _assert_spans_score_as_substrings(texts, spans) -> None:
    rows, starts, ends = (list(x) for x in zip(*spans)) if spans else ([], [], [])
    ours = score_vader_spans(texts, rows, starts, ends)
    subs = [texts[r][a:b] if isinstance(texts[r], str) else "" for r, a, b in spans]
    expected, _ = score_vader(subs)
    mismatch = ~(ours == expected).all(axis=1).to_numpy()
    assert not mismatch.any(), pd.concat([pd.Series(subs, name="text"), ours.add_prefix("spans_"),
                                          expected.add_prefix("substrings_")], axis=1)[mismatch].to_string()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_text, min_size=1, max_size=6), st.data())
def test_spans_score_as_their_substrings(texts, data):
    """Windows cut anywhere (inside words, at punctuation, past the end, empty, reversed) of random texts."""
    texts = texts + ["Iran \U0001f600 praised the talks!", "NO good, but FAIRLY bad\u3000deal\x1cgreat"]
    score_vader(texts)  # usually the last batch: the spans reuse its tokens
    span = st.tuples(st.integers(0, len(texts) - 1), st.integers(-5, 200), st.integers(-5, 200))
    spans = data.draw(st.lists(span, max_size=30))
    _assert_spans_score_as_substrings(texts, spans)


def test_spans_of_tricky_texts_at_every_cut():
    texts = [t for t in TRICKY if t.strip()]
    spans = [(r, a, b) for r, t in enumerate(texts) for a in range(0, len(t), 3) for b in (a + 7, a + 19, len(t))]
    _assert_spans_score_as_substrings(texts, spans)
    # the same spans with another batch scored in between (the texts are tokenized again)
    score_vader(["something else entirely"])
    _assert_spans_score_as_substrings(texts, spans[::5])


def test_spans_do_not_confuse_batches_with_the_same_join():
    """["a b", "c"] and ["a", "b c"] join alike with a space; texts holding the separator must not reuse a
    batch of other texts."""
    score_vader(["good\nbad", "awful"])
    _assert_spans_score_as_substrings(["good", "bad\nawful"], [(0, 0, 4), (1, 0, 9), (1, 4, 9)])


@pytest.mark.parametrize("texts", [[""], ["", "  ", None], ["\U0001f600"], ["good", ""]])
def test_spans_of_blank_texts(texts):
    _assert_spans_score_as_substrings(texts, [(r, 0, 5) for r in range(len(texts))] + [(0, 1, 0)])


@pytest.mark.parametrize("rows, starts, ends, message", [
    ([0, 1], [0], [1], "differ in length"),
    ([2], [0], [1], "rows must index the 2 texts"),
    ([-1], [0], [1], "rows must index"),
])
def test_spans_bad_input(rows, starts, ends, message):
    with pytest.raises(ValueError, match=message):
        score_vader_spans(["good", "bad"], rows, starts, ends)


def test_non_strings_and_empty_score_zero():
    scores, evidence = score_vader([None, float("nan"), "", "good"], evidence=True)
    assert scores.iloc[:3].to_numpy().tolist() == [[0.0] * 4] * 3
    assert scores.loc[3, "compound"] > 0
    assert evidence["row"].tolist() == [3]


def test_empty_input():
    scores, evidence = score_vader([], evidence=True)
    assert len(scores) == 0 and len(evidence) == 0
    assert list(evidence.columns) == EVIDENCE_COLUMNS


@pytest.mark.parametrize("text, term, weight, negated", [
    ("The talks were not good.", "good", 1.9 * -0.74, True),
    ("It was very good!", "good", 1.9 + 0.293, False),
    ("(Excellent) progress", "Excellent", 2.7, False),
    ("good but bad", "bad", -2.5 * 1.5, False),
])
def test_evidence_explains_the_score(text, term, weight, negated):
    _, evidence = score_vader([text], evidence=True)
    row = evidence.set_index("term").loc[term]
    assert row["weight"] == pytest.approx(weight)
    assert bool(row["negated"]) is negated
    assert text[row["start"]:row["end"]] == term


def test_evidence_offsets_point_at_the_token(raw_dir):
    _, sentences = build_articles(load_documents(raw_dir, []))
    texts = sentences["text"].tolist() + ["Great 😁 news", "😁"]
    _, evidence = score_vader(texts, evidence=True)
    assert len(evidence) > 50
    for row in evidence.itertuples():
        found = texts[row.row][row.start:row.end]
        assert found == row.term or found == "😁", row


def test_evidence_weights_sum_to_the_compound_input():
    texts = ["The talks were good, but not great and kind of bad.", "VERY GOOD news, no bad news"]
    scores, evidence = score_vader(texts, evidence=True)
    for row, group in evidence.groupby("row"):
        total = group["weight"].sum()
        assert scores.loc[row, "compound"] == pytest.approx(round(total / np.sqrt(total * total + 15), 4),
                                                            abs=1e-4)


def test_vader_is_the_registered_scorer():
    table = score_tone(pd.DataFrame({"text": ["good", "bad"]}, index=[5, 7]), ["vader"])
    assert list(table.columns) == ["tone_vader", "vader_pos", "vader_neg", "vader_neu"]
    assert table.index.tolist() == [5, 7]
    assert table["tone_vader"].tolist() == [0.4404, -0.5423]


def _devset(path: Path) -> list[str]:
    rows = pd.read_csv(path, sep="\t", header=None, quoting=3, names=["id", "rating", "text"], dtype=str,
                       keep_default_na=False, lineterminator="\n", encoding="utf-8")
    return rows["text"].str.rstrip("\r").tolist()


@pytest.mark.skipif(not DEVSETS.is_dir(), reason="development sets not available on this machine")
@pytest.mark.parametrize("name", ["tweets", "movieReviewSnippets", "amazonReviewSnippets"])
def test_devsets_identical(name, analyzer):
    _assert_identical(_devset(DEVSETS / f"{name}_GroundTruth.txt"), analyzer)
