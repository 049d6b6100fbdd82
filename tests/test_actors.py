from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplo.actors import ACTOR_MENTION_COLUMNS, ActorScorer, carry_pronoun_speakers, load_actors, score_actors, \
    score_target_tone, target_windows
from diplo.actors import _ATTRIBUTION, _attributed
from diplo.corpus import build_articles
from diplo.load import load_documents
from diplo.match import DictionaryError
from diplo.tone import score_tone


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
    text = "Iran praised the wonderful and friendly talks, but Armenia faced harsh criticism and threats."
    t = score_target_tone([text, text], [(0, 4), (51, 58)], scorers=["vader"])
    sentence = score_tone([text], ["vader"])["tone_vader"].iloc[0]
    assert t["tone_vader_target"].iloc[0] > 0 > t["tone_vader_target"].iloc[1]
    assert not (t["tone_vader_target"] == sentence).any()
    assert t["window"].tolist() == ["Iran praised the wonderful and friendly talks,",
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


def test_scorer_exposes_dictionaries_for_a_shared_pass():
    from diplo.match import Matcher
    scorer = ActorScorer(scorers=())
    texts = ["Iran and Azerbaijan.", "Baku said so."]
    cols, mentions = scorer.score_from_matches(Matcher(list(scorer.dictionaries)).match(texts), texts)
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
])
def test_pronoun_speakers_carry_within_two_sentences(texts, speakers, expected):
    assert carry_pronoun_speakers(["d"] * len(texts), texts, speakers).tolist() == expected


def test_pronoun_speakers_do_not_cross_documents():
    out = carry_pronoun_speakers(["a", "b"], ["Aliyev said so.", "He added more."], ["Azerbaijan", ""])
    assert out.tolist() == ["Azerbaijan", ""]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["He", "SAID", "said", "Says", "according", "To", "to", "ACCORDING", "\t", " ",
                                 "\n", "-", "_", "resaid", "saidx", "ſaid", "İ", "told,", "x"]), max_size=10))
def test_attribution_fast_path_equals_the_regex(words):
    text = "".join(w if k % 2 else w + " " for k, w in enumerate(words))
    assert _attributed(text) == bool(_ATTRIBUTION.search(text))


def test_target_tone_from_shared_matches_equals_matching_the_windows():
    from diplo.match import Matcher
    from diplo.tone import get_scorer
    texts = ["Iran praised the wonderful talks, but Armenia faced harsh criticism.",
             "Baku condemned the attack; Tehran welcomed the agreement."]
    targets = [(0, 0, 4), (0, 38, 45), (1, 0, 4), (1, 27, 33)]
    dicts = [d for name in ("lexicon", "diplomatic") for d in get_scorer(name).dictionaries]
    matches = Matcher(dicts).match(texts)
    kw = dict(scorers=["lexicon", "diplomatic"])
    plain = score_target_tone([texts[r] for r, _, _ in targets], [(s, e) for _, s, e in targets], **kw)
    shared = score_target_tone([texts[r] for r, _, _ in targets], [(s, e) for _, s, e in targets], **kw,
                               matches=matches, rows=[r for r, _, _ in targets])
    pd.testing.assert_frame_equal(plain, shared)
    assert (plain["tone_diplomatic_target"].to_numpy()[[2, 3]] * [1, -1] < 0).all()  # condemned < 0 < welcomed
