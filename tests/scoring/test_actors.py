from __future__ import annotations

import functools
import importlib.util
import re
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplo.scoring.actors import ACTOR_MENTION_COLUMNS, ActorScorer, carry_pronoun_speakers, load_actors, score_actors, \
    score_target_tone, target_windows
from diplo.text.corpus import build_articles
from diplo.io.raw import load_documents
from diplo.scoring.chunk import Chunk
from diplo.scoring.match import DictionaryError
from diplo.scoring._engine.tokens import Vocabulary, tokenize_texts
from diplo.scoring.tone import score_tone

import oracles.actors
from conftest import ROOT
from oracles.actors import ReferenceActorScorer


def _one(text: str) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["d"], "sent_id": [0], "text": [text]})


@pytest.mark.parametrize("text, actors", [
    ("Tehran-Baku ties are on the right track.", "Azerbaijan;Iran"),
    ("Amir-Abodollahian left for Baku.", "Azerbaijan;Iran"),
    ("Iran's gas and Turkmenistan's gas.", "Iran;Turkmenistan"),
    ("Sahiba Gafarova met Ghaffarova's staff.", "Azerbaijan"),
    ("The Islamic Republic of Iran and the Russian side.", "Iran;Russia"),
    ("Nothing about states here.", ""),
    # the Armenians of Karabakh are their own actor, not the state of Armenia (sample 004)
    ("He emphasized the Azerbaijani government\u2019s commitment to ensuring the freedom and rights of "
     "Karabakh\u2019s Armenians while meeting their essential needs.", "Azerbaijan;Karabakh Armenians"),
    ("The Armenians of Nagorno-Karabakh and Yerevan.", "Armenia;Karabakh Armenians"),
    ("Karabakh Armenians met Armenian officials.", "Armenia;Karabakh Armenians"),
])
def test_actors_mentioned(text, actors):
    assert score_actors(_one(text))["actors"].tolist() == [actors]


@pytest.mark.parametrize("text, speaker", [
    ("Amir-Abdollahian said the talks went well.", "Iran"),
    ("Aliyev, for his part, stressed the importance of ties with Iran.", "Azerbaijan"),
    ('"We are ready," the top Iranian diplomat said.', "Iran"),
    ('"We are ready," said Azerbaijani Foreign Minister Jeyhun Bayramov.', "Azerbaijan"),
    ("Talks will continue, according to the Iranian foreign ministry.", "Iran"),
    ("Aliyev told Raisi that Baku wants peace.", "Azerbaijan"),
    ("The Iranian foreign minister emphasized the need for calm in Armenia.", "Iran"),
    ("He said Iran would attend.", ""),                      # pronoun subject: not resolved
    ("Amir-Abdollahian expressed hope that Georgia would join and said it matters.", "Iran"),
    ("He pointed to strategic Tehran-Baku cooperation and added that ties grow.", ""),
])
def test_speaker_attribution(text, speaker):
    assert score_actors(_one(text))["speaker"].tolist() == [speaker]


def test_mentions_table_offsets_roles_and_target_tone():
    text = "Aliyev said the talks with Iran were wonderful."
    m = score_actors(_one(text), scorers=["vader"], per="mentions")
    assert list(m.columns[:len(ACTOR_MENTION_COLUMNS)]) == ACTOR_MENTION_COLUMNS
    assert "tone_vader_target" in m.columns
    assert m[["actor", "role"]].values.tolist() == [["Azerbaijan", "speaker"], ["Iran", "mention"]]
    for r in m.itertuples():
        assert text[r.start:r.end] == r.mention


def test_targeted_tone_differs_from_sentence_tone_on_two_clauses():
    text = "Iran enjoyed the wonderful and friendly talks, but Armenia faced harsh criticism and threats."
    t = score_target_tone([text, text], [(0, 4), (51, 58)], scorers=["vader"])
    sentence = score_tone([text], ["vader"])["tone_vader"].iloc[0]
    assert t["tone_vader_target"].iloc[0] > 0 > t["tone_vader_target"].iloc[1]
    assert not (t["tone_vader_target"] == sentence).any()
    assert t["window"].tolist() == ["Iran enjoyed the wonderful and friendly talks,",
                                    "Armenia faced harsh criticism and threats."]


def test_windows_stop_at_other_actors_and_breaks():
    text = "Iran welcomed Armenia warmly; Baku objected."
    (w,) = target_windows([text], [(0, 4)], exclude=[[(14, 21)]])
    assert text[w[0]:w[1]] == "Iran welcomed"
    (w,) = target_windows([text], [(14, 21)], breaks="strong")
    assert text[w[0]:w[1]] == "Iran welcomed Armenia warmly"
    with pytest.raises(ValueError, match="breaks='semicolon' is not valid"):
        target_windows([text], [(0, 4)], breaks="semicolon")
    with pytest.raises(ValueError, match="same length"):
        target_windows([text], [])


def test_sample_corpus_actors(raw_dir):
    sentences = build_articles(load_documents(raw_dir, []))[1]
    out = score_actors(sentences)
    assert (out["actors"] != "").mean() > 0.7
    speakers = out.loc[out["speaker"] != "", "speaker"]
    assert set(speakers) <= {"Iran", "Azerbaijan", "Georgia"} and (speakers == "Iran").sum() >= 5


def test_own_alias_file_and_bad_files(tmp_path):
    f = tmp_path / "a.yml"
    f.write_text("Oman:\n  description: Sultanate of Oman\n  terms: [oman, omani, muscat]\n")
    assert score_actors(_one("Muscat mediated; Omani envoys said so."), f)["actors"].tolist() == ["Oman"]
    bad = tmp_path / "bad.yml"
    bad.write_text("Oman:\n  - oman\n  - Oman\n")
    with pytest.raises(DictionaryError, match=r"bad.yml, line 3: duplicate term 'Oman'"):
        load_actors(bad)
    bad.write_text("A;B:\n  - oman\n")
    with pytest.raises(DictionaryError, match="line 2: actor name 'A;B'"):
        load_actors(bad)


def _score_chunk(scorer, matches, texts, *, text_scores=None, table=None):
    """``scorer.score_chunk`` of the chunk of ``texts`` with these matches (and tone columns), mentions as a table."""
    chunk = Chunk(texts, matches=matches, tokens=table)
    if text_scores is not None:
        chunk.scores.update({c: text_scores[c].to_numpy() for c in text_scores.columns})
    cols, mentions = scorer.score_chunk(chunk, evidence=True)
    return cols, pd.DataFrame(mentions)


def test_scorer_exposes_dictionaries_for_a_shared_pass():
    from diplo.scoring.match import Matcher
    scorer = ActorScorer(scorers=())
    texts = ["Iran and Azerbaijan.", "Baku said so."]
    cols, mentions = _score_chunk(scorer, Matcher(list(scorer.dictionaries)).match(texts), texts)
    assert scorer.score_chunk(Chunk(texts))[1] is None  # no evidence asked: no mentions
    assert cols["actors"].tolist() == ["Azerbaijan;Iran", "Azerbaijan"]
    assert cols["speaker"].tolist() == ["", "Azerbaijan"]
    assert mentions["row"].tolist() == [0, 0, 1]


def test_pipeline_writes_actor_columns_and_mentions(processed):
    from diplo import load_outputs
    tables = load_outputs(processed)
    scores, mentions, sentences = tables["sentence_scores"], tables["actor_mentions"], tables["sentences"]
    assert {"actors", "speaker", "tone_vader_target"} <= set(scores.columns) | set(mentions.columns)
    text = sentences.set_index(["doc_id", "sent_id"])["text"]
    for m in mentions.itertuples():
        assert text[(m.doc_id, m.sent_id)][m.start:m.end] == m.mention
    speakers = mentions[mentions["role"] == "speaker"].set_index(["doc_id", "sent_id"])["actor"].to_dict()
    expected = scores[scores["speaker"] != ""].set_index(["doc_id", "sent_id"])["speaker"].to_dict()
    # every speaker mention is the sentence's speaker; the rest are pronoun subjects carried over
    assert speakers.items() <= expected.items() and len(expected) > len(speakers)
    carried = [k for k in expected if k not in speakers]
    text = sentences.set_index(["doc_id", "sent_id"])["text"]
    assert all(re.search(r"\b(he|she)\b", text[k], re.I) for k in carried)
    assert mentions["tone_vader_target"].between(-1, 1).all()
    assert ((mentions["window_start"] <= mentions["start"]) & (mentions["end"] <= mentions["window_end"])).all()


def test_cli_actors_option(raw_dir, tmp_path):
    from diplo.cli import main
    mine = tmp_path / "a.yml"
    mine.write_text("Caucasus:\n  terms: [caucasus]\n")
    assert main(["run", str(raw_dir), "--out", str(tmp_path / "out"), "--actors", str(mine)]) == 0
    mentions = pd.read_parquet(tmp_path / "out" / "actor_mentions.parquet")
    assert set(mentions["actor"]) == {"Caucasus"} and len(mentions) >= 3


@pytest.mark.parametrize("texts, speakers, expected", [
    (["Aliyev said so.", "He added that ties grow."], ["Azerbaijan", ""], ["Azerbaijan", "Azerbaijan"]),
    (["Aliyev said so.", "Talks went on.", "She also stressed peace."], ["Azerbaijan", "", ""],
     ["Azerbaijan", "", "Azerbaijan"]),
    (["Aliyev said so.", "A.", "B.", "He added more."], ["Azerbaijan", "", "", ""], ["Azerbaijan", "", "", ""]),
    (["Aliyev said so.", "They said no."], ["Azerbaijan", ""], ["Azerbaijan", ""]),
    (["Aliyev said so.", "He met Raisi."], ["Azerbaijan", ""], ["Azerbaijan", ""]),
    (["Aliyev said so.", "Then he", "said it."], ["Azerbaijan", "", ""], ["Azerbaijan", "", ""]),  # not across
    (["Aliyev said so.", "X.", "He added more.", "Y.", "He said it."], ["Azerbaijan", "", "", "", ""],
     ["Azerbaijan", "", "Azerbaijan", "", "Azerbaijan"]),  # a carried speaker is carried on
])
def test_pronoun_speakers_carry_within_two_sentences(texts, speakers, expected):
    assert carry_pronoun_speakers(["d"] * len(texts), texts, speakers).tolist() == expected


def test_pronoun_speakers_do_not_cross_documents():
    out = carry_pronoun_speakers(["a", "b"], ["Aliyev said so.", "He added more."], ["Azerbaijan", ""])
    assert out.tolist() == ["Azerbaijan", ""]


def test_target_tone_from_shared_matches_equals_matching_the_windows():
    from diplo.scoring.match import Matcher
    from diplo.scoring.tone import get_scorer
    texts = ["Iran praised the wonderful talks, but Armenia faced harsh criticism.",
             "Baku condemned the attack; Tehran welcomed the agreement."]
    targets = [(0, 0, 4), (0, 38, 45), (1, 0, 4), (1, 27, 33)]
    dicts = [d for name in ("lexicon", "diplomatic") for d in get_scorer(name).dictionaries]
    matches = Matcher(dicts).match(texts)
    for frames in ("none", "both"):
        kw = dict(scorers=["lexicon", "diplomatic"], frames=frames)
        plain = score_target_tone([texts[r] for r, _, _ in targets], [(s, e) for _, s, e in targets], **kw)
        shared = score_target_tone([texts[r] for r, _, _ in targets], [(s, e) for _, s, e in targets], **kw,
                                   matches=matches, rows=[r for r, _, _ in targets])
        pd.testing.assert_frame_equal(plain, shared)
        if frames == "none":  # condemned < 0 < welcomed; with the frames, Baku and Tehran hold them (0)
            assert (plain["tone_diplomatic_target"].to_numpy()[[2, 3]] * [1, -1] < 0).all()
        else:
            assert plain["frame"].str.endswith("(holder)").tolist() == [True, False, True, True]


# --- the array-based rules against the per-sentence oracle (tests/oracles.actors.py) -----------------------
# Same inputs, same outputs: actors, speaker, and every mention column (roles, windows, target tones), with
# the stance frames off (frames="none"; they are tested in test_frames.py).

_TRICKY = [
    "Tehran-Baku ties are on the right track, Aliyev said.",
    "Iran, Iran and Iranian officials said Armenia was wrong; Baku agreed.",
    '"We are ready," said Azerbaijani Foreign Minister Jeyhun Bayramov, adding that Iran "must act".',
    "Talks will continue, according to the Iranian foreign ministry, but Armenia disagreed!",
    "According to Russia's envoy, Turkey said: Iran's stance is clear?!",
    "He said Iran would attend.",
    "She added that Baku and Tehran-Yerevan ties matter.",
    "\u0130stanbul hosted Iran and Baku, the Turkish minister\u2019s deputy said.",
    "Aliyev SAID Iran\u2019s position was \u201cunacceptable\u201d \u2014 and Armenia agreed.",
    "\u017faid Iran; the Iranian side, for its part, stressed that Baku matters.",
    "Iran and Tehran and Iranian diplomats met Azerbaijan's envoy in Baku (Azerbaijan).",
    "The ministry, " + "which had long argued for closer ties and more trade " * 6 + "with Iran, said Baku agreed.",
    "Iran\u2014Azerbaijan talks, Russia told reporters, went well.",
    "with Iran", "Iran", "!!!", "", "   ", "said Iran.", "Iran said.",
    "According to", "according to Baku", "Armenia, said Iran, and Georgia, told Baku",
    'Iran said, "', "said Baku to Iran.", "told Iran,",  # a verb opening a text: no quote before it
    "Iran remar\u212aed that Baku SA\u0130D no; Armenia \u017fAID so.",  # Kelvin sign, dotted I, long s
]


@functools.lru_cache(maxsize=None)
def _setup():
    from diplo.scoring.match import Matcher
    from diplo.scoring.tone import available_scorers, get_scorer

    scorers = tuple(available_scorers())
    scorer = ActorScorer(scorers=scorers, frames="none")
    dictionaries = [d for s in scorers for d in getattr(get_scorer(s), "dictionaries", ())]
    return scorer, ReferenceActorScorer(scorer.actors, scorers=scorers), Matcher([*dictionaries, scorer.actors])


def _assert_same_as_reference(texts: list) -> pd.DataFrame:
    scorer, reference, matcher = _setup()
    texts = [t if isinstance(t, str) else "" for t in texts]
    sentence_table = matcher.tokenize(texts)
    matches = matcher.match(texts, table=sentence_table)
    # the reference reads the matcher's tokens as {text: (spans, lower-cased tokens)}
    tokens = {t: (sentence_table.spans(r), sentence_table.lows(r)) for r, t in enumerate(texts) if t}
    text_scores = score_tone(texts, list(scorer.scorers), matches=matches).reset_index(drop=True)
    old_cols, old = reference.score_from_matches(matches, texts, text_scores=text_scores, tokens=tokens)
    table = tokenize_texts(texts, Vocabulary())
    for kwargs in ({"text_scores": text_scores, "table": table}, {"text_scores": text_scores}):
        cols, new = _score_chunk(scorer, matches, texts, **kwargs)
        assert {k: v.tolist() for k, v in cols.items()} == {k: v.tolist() for k, v in old_cols.items()}
        pd.testing.assert_frame_equal(new, old)
    # without reused sentence scores every window is scored on its own
    pd.testing.assert_frame_equal(_score_chunk(scorer, matches, texts)[1],
                                  reference.score_from_matches(matches, texts)[1])
    return old


def test_same_as_reference_on_tricky_texts():
    mentions = _assert_same_as_reference([*_TRICKY, None, *_TRICKY[::-1]])
    assert {"speaker", "mention"} == set(mentions["role"])


@pytest.mark.parametrize("gap", range(3, 12))
def test_same_as_reference_at_the_scan_limits(gap):
    fillers = " ".join(["the"] * gap)
    _assert_same_as_reference([f"Iran {fillers} said so.", f'"Yes," said {fillers} Iran.',
                               f"Talks went on, according to {fillers} Iran.", f"Peace, told {fillers} Baku."])


@pytest.mark.parametrize("text, span, exclude", [
    ("Iran welcomed it.", (0, 4), [(16, 17)]),           # an excluded span on the final punctuation
    ("Iran welcomed it!\u201d", (0, 4), [(17, 18)]),
    ("Iran welcomed it.", (0, 4), [(9, 20)]),
    ("Iran welcomed Baku.", (5, 13), [(0, 4), (14, 18)]),
    ("Iran, Baku.", (6, 10), [(0, 4), (0, 11)]),
])
def test_windows_same_as_reference_at_the_edges(text, span, exclude):
    for window in (0, 1, 2, 50):
        kwargs = {"window": window, "exclude": [exclude]}
        assert target_windows([text], [span], **kwargs) == oracles.actors.target_windows([text], [span], **kwargs)


def test_same_as_reference_on_the_sample_corpus(raw_dir):
    texts = build_articles(load_documents(raw_dir, []))[1]["text"].tolist()
    assert (_assert_same_as_reference(texts)["role"] == "speaker").sum() >= 5


def test_same_as_reference_on_a_synthetic_corpus():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    corpus = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # dataclasses look it up
    spec.loader.exec_module(corpus)
    texts = [s for a in corpus.generate_articles(200, seed=3) for s in a.sentences]
    assert len(_assert_same_as_reference(texts)) > 1000


_WORDS = ["Iran", "Iranian", "Tehran-Baku", "Baku", "Aliyev", "Armenia's", "Russia", "said", "SAID", "told",
          "stressed", "according", "to", "the", "foreign", "minister", "minister's", "for", "his", "part", "He",
          "she", "also", "Talks", "peace", "good", "bad", "war", "sanctions", "agreement", "not", "but",
          "while", ",", ";", ":", ".", "!", "?", '"', "\u201c", "\u201d", "'", "(", ")", "-", "\u2014", "\u0130",
          "\u017faid", "wonderful", "terrible", "x",
          # windows lower-cased in context (final sigma), cut inside hyphenated tokens, negated acts
          "\u039f\u0394\u039f\u03a3", "\u03a3", "Baku-\u03a3", "\u0130ran", "1-2", ".5", "refused", "sign", "don't",
          "lifted"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from([" ", "", "  "])), max_size=25)
                .map(lambda ws: "".join(w + sep for w, sep in ws)), min_size=1, max_size=4))
def test_same_as_reference_on_generated_texts(texts):
    _assert_same_as_reference(texts)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_public_windows_and_target_tone_same_as_reference(data):
    text = data.draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=30).map(" ".join))
    other = data.draw(st.sampled_from(["", "Iran said so.", text]))
    n = len(text)
    span = st.tuples(st.integers(-2, n + 2), st.integers(-2, n + 2))
    spans = data.draw(st.lists(span, min_size=1, max_size=4))
    texts = [data.draw(st.sampled_from([text, other, None])) for _ in spans]
    exclude = data.draw(st.none() | st.lists(st.lists(span, max_size=3), min_size=len(spans),
                                               max_size=len(spans)))
    kwargs = {"window": data.draw(st.sampled_from([0, 1, 3, 50])),
              "breaks": data.draw(st.sampled_from(["clause", "strong", "none"])), "exclude": exclude}
    assert target_windows(texts, spans, **kwargs) == oracles.actors.target_windows(texts, spans, **kwargs)
    _, _, matcher = _setup()
    clean = [t if isinstance(t, str) else "" for t in texts]
    matches = matcher.match(clean)
    text_scores = score_tone(clean, ["vader", "lexicon"], matches=matches).reset_index(drop=True)
    for extra in ({}, {"matches": matches}, {"text_scores": text_scores, "matches": matches,
                                            "rows": list(range(len(texts)))}):
        pd.testing.assert_frame_equal(
            score_target_tone(texts, spans, scorers=["vader", "lexicon"], frames="none", **kwargs, **extra),
            oracles.actors.score_target_tone(texts, spans, scorers=["vader", "lexicon"], **kwargs, **extra))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_window_tokens_same_as_tokenizing_the_windows(data):
    # windows cut from the texts' token table must equal the windows tokenized on their own, whether
    # they start and end at token boundaries (cut) or not (tokenized)
    from diplo.scoring.actors import _Located, _window_tokens

    # a window ending at "\u03a3" of "\u039f\u03a3.T" lower-cases it as final, the text does not
    words = st.sampled_from(_WORDS + ["\u039f\u03a3.Talks", "a\u03a3.", "\u03a3'\u0391", "\u0130\u03a3"])
    texts = data.draw(st.lists(st.lists(st.tuples(words, st.sampled_from([" ", "", "\n"])), max_size=12)
                               .map(lambda ws: "".join(w + sep for w, sep in ws)), min_size=1, max_size=3))
    vocabulary = Vocabulary()
    table = tokenize_texts(texts, vocabulary)
    rows, ws, we = [], [], []
    for _ in range(data.draw(st.integers(0, 6))):
        r = data.draw(st.integers(0, len(texts) - 1))
        a, b = table.bounds[r], table.bounds[r + 1]
        if a < b and data.draw(st.booleans()):  # from a token start to a later token end
            i = data.draw(st.integers(a, b - 1))
            start, end = int(table.start[i]), int(table.end[data.draw(st.integers(i, b - 1))])
        else:
            start = data.draw(st.integers(0, len(texts[r])))
            end = data.draw(st.integers(start, len(texts[r])))
        rows.append(r), ws.append(start), we.append(end)
    windows = [texts[r][a:b] for r, a, b in zip(rows, ws, we)]
    got = _window_tokens(_Located(table), windows, np.array(rows, dtype=np.int64), np.array(ws, dtype=np.int64),
                         np.array(we, dtype=np.int64))
    want = tokenize_texts(windows, vocabulary)
    assert got.texts == windows
    for name in ("bounds", "row", "start", "end", "ids"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name


def test_table_must_tokenize_the_texts_unsplit():
    scorer, _, matcher = _setup()
    texts = ["Iran and Azerbaijan.", "Baku said so."]
    matches = matcher.match(texts)
    with pytest.raises(ValueError, match="table holds the tokens of 1 texts, not of the 2 given"):
        _score_chunk(scorer, matches, texts, table=tokenize_texts(texts[:1], Vocabulary()))
    with pytest.raises(ValueError, match="split=True"):
        _score_chunk(scorer, matches, texts, table=tokenize_texts(texts, Vocabulary(), split_hyphens=True))


@pytest.mark.parametrize("texts", [[], [None], ["", "   "], ["No actors here."]])
def test_same_as_reference_without_mentions(texts):
    assert _assert_same_as_reference(texts).empty


def test_matches_out_of_row_order_are_sorted_first():
    scorer, _, matcher = _setup()
    texts = ["Iran and Azerbaijan.", "Baku said so, according to Tehran.", "Armenia told Iran."]
    matches = matcher.match(texts)
    shuffled = {**matches, "actors": matches["actors"].iloc[::-1].reset_index(drop=True)}
    cols, mentions = _score_chunk(scorer, matches, texts)
    cols2, mentions2 = _score_chunk(scorer, shuffled, texts)
    assert {k: v.tolist() for k, v in cols.items()} == {k: v.tolist() for k, v in cols2.items()}
    # rows in order; mentions of one text keep the order they came in
    assert mentions2["row"].tolist() == [0, 0, 1, 1, 2, 2]
    pd.testing.assert_frame_equal(mentions2.sort_values(["row", "start"], ignore_index=True), mentions)


def test_same_as_reference_with_more_actors_than_a_bit_mask_holds():
    from diplo.scoring.match import Matcher, dictionary_from_mapping

    actors = dictionary_from_mapping({f"Actor {k:02d}": [f"name{k}"] for k in range(70)}, name="actors",
                                     negation_window=0, split_hyphens=True, possessives=True)
    texts = [" and ".join(f"name{k}" for k in range(j, 70, 7)) + " said so." for j in range(7)] + ["name69-name3"]
    matches = Matcher([actors]).match(texts)
    new = _score_chunk(ActorScorer(actors, scorers=()), matches, texts)
    old = ReferenceActorScorer(actors, scorers=()).score_from_matches(matches, texts)
    assert new[0]["actors"].tolist() == old[0]["actors"].tolist()
    assert new[0]["actors"][-1] == "Actor 03;Actor 69"
    pd.testing.assert_frame_equal(new[1], old[1])
