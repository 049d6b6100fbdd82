"""Stance frames of target tone: who does what to whom (diplo.scoring.frames, via diplo.scoring.actors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diplo.io.resources import WordListError, data_path, load_word_lists
from diplo.scoring._engine.tokens import Vocabulary, tokenize_texts
from diplo.scoring.actors import ActorScorer, score_actors, score_target_tone
from diplo.scoring.frames import FRAME_LISTS, apply_frame_stance, find_frames

SEED = ("Iran has also raised concerns about border security amid Azerbaijan\u2019s close military cooperation "
        "with the Israeli regime.")


def _mentions(text: str, frames: str = "both") -> pd.DataFrame:
    if frames == "both":  # the default, as diplo run and score_actors apply it
        sentences = pd.DataFrame({"doc_id": ["d"], "sent_id": [0], "text": [text]})
        return score_actors(sentences, per="mentions").drop(columns=["doc_id", "sent_id"]).set_index("actor")
    _, m = ActorScorer(frames=frames).score([text])
    return m.drop(columns="row").set_index("actor")


def test_seed_sentence_object_of_concerns_is_negative_and_speaker_not_driven_by_it():
    m = _mentions(SEED)
    before = _mentions(SEED, frames="none")
    assert before.loc["Israel", "tone_diplomatic_target"] > 0  # the face-validity failure of issue 17
    # border security is the direct object; Azerbaijan and Israel are further in it: never positive
    for actor in ("Israel", "Azerbaijan"):
        assert m.loc[actor, "frame"] == 'negative frame "concerns about" (in object)'
        for scorer in ("vader", "lexicon", "diplomatic"):
            own = before.loc[actor, f"tone_{scorer}_target"]
            assert m.loc[actor, f"tone_{scorer}_target"] == min(own, 0), (actor, scorer)
    assert m.loc["Israel", "tone_diplomatic_target"] == 0 and m.loc["Azerbaijan", "tone_vader_target"] == 0
    direct = _mentions("Iran raised concerns about Azerbaijan's close military cooperation with Israel.")
    assert direct.loc["Azerbaijan", "frame"] == 'negative frame "concerns about" (object)'
    assert (direct.loc["Azerbaijan", ["tone_vader_target", "tone_lexicon_target", "tone_diplomatic_target"]] < 0).all()
    assert m.loc["Iran", "frame"] == 'negative frame "concerns about" (holder)'
    assert SEED[m.loc["Iran", "window_start"]:m.loc["Iran", "window_end"]] == "Iran has also raised"
    assert (m.loc["Iran", ["tone_vader_target", "tone_lexicon_target", "tone_diplomatic_target"]] == 0).all()


@pytest.mark.parametrize(("text", "actor", "frame", "sign"), [
    ("Iran accused Israel of sabotage at the Natanz site.", "Israel", 'negative frame "accused" (object)', -1),
    ("Tehran strongly condemned the Israeli regime.", "Israel", 'negative frame "condemned" (object)', -1),
    ("Iran voiced concern over Azerbaijan's wonderful friendship with Israel.", "Azerbaijan",
     'negative frame "concern over" (object)', -1),
    ("Iran warned Azerbaijan against closer cooperation.", "Azerbaijan", 'negative frame "warned" (object)', -1),
    ("Tehran opposes Baku's plans for a corridor.", "Azerbaijan", 'negative frame "opposes" (object)', -1),
    ("Protesters staged a protest against Israel in Tehran.", "Israel", 'negative frame "protest against" (object)',
     -1),
    # reverse frames: the object of praise is praised, whatever its noun phrase says
    ("Iran praised Azerbaijan for its help after the earthquake.", "Azerbaijan", 'positive frame "praised" (object)',
     1),
    ("Tehran welcomed Baku's decision to end the crisis.", "Azerbaijan", 'positive frame "welcomed" (object)', 1),
    ("Iran thanked Turkey for its hard work against the fire.", "Turkey", 'positive frame "thanked" (object)', 1),
    # passives: the object stands before the verb, the holder after "by"
    ("Concerns were raised about Azerbaijan by Iran.", "Azerbaijan",
     'negative frame "Concerns were raised about" (object)', -1),
    ("Israel was widely condemned by Iran and Russia.", "Israel", 'negative frame "condemned" (object)', -1),
])
def test_frame_object_tone_follows_the_frame(text, actor, frame, sign):
    m = _mentions(text)
    assert m.loc[actor, "frame"] == frame
    for scorer in ("vader", "lexicon", "diplomatic"):
        assert np.sign(m.loc[actor, f"tone_{scorer}_target"]) == sign, scorer


@pytest.mark.parametrize(("text", "holder", "frame"), [
    ("Iran condemned Israel's attack.", "Iran", 'negative frame "condemned" (holder)'),
    ("Israel was condemned by Iran.", "Iran", 'negative frame "condemned" (holder)'),
    ("Concerns were raised about Azerbaijan by Iran.", "Iran", 'negative frame "Concerns were raised about" (holder)'),
    ("Iran praised Azerbaijan for its help.", "Iran", 'positive frame "praised" (holder)'),
])
def test_frame_words_leave_the_holders_window(text, holder, frame):
    m = _mentions(text)
    assert m.loc[holder, "frame"] == frame
    window = text[m.loc[holder, "window_start"]:m.loc[holder, "window_end"]]
    assert frame.split('"')[1] not in window
    assert m.loc[holder, "tone_vader_target"] == 0


@pytest.mark.parametrize("text", [
    "Iran did not raise concerns about Azerbaijan's cooperation with Israel.",
    "Iran has no concerns about Azerbaijan's cooperation with Israel.",
    "Iran didn't condemn Azerbaijan.",
    "Iran refused to condemn Azerbaijan.",
    "Concerns were not raised about Azerbaijan.",
    # not the object: the victim of a condemned attack, a clause after "warned that", a far noun phrase
    "Iran condemned the attack on Azerbaijan's embassy.",
    "Iran warned that its cooperation with Azerbaijan would grow.",
    "The ministry praised the long and productive meeting with Azerbaijan.",
    "The official conveyed his appreciation to the people and stated that Israel's occupation must end.",
])
def test_no_frame_object(text):
    m = _mentions(text)
    assert not m["frame"].str.endswith("(object)").any(), m["frame"].tolist()


@pytest.mark.parametrize(("text", "actor", "role", "check"), [
    # further in a positive frame's object: never negative, whatever the words around it
    ("Iran expressed support for the peace talks after the bitter war with Azerbaijan.", "Azerbaijan",
     "in object", lambda tone: tone >= 0),
    # "by" after a head frame's object introduces its holder, not an object
    ("One objection to this deal by many Americans is its cost.", "United States", "holder", lambda tone: True),
    ("Iran raised concerns about Azerbaijan's cooperation with Israel.", "Israel", "in object",
     lambda tone: tone <= 0),
    # the nearest frame before a mention is its frame
    ("They reaffirmed their support for Syria's integrity as well as their firm opposition to Israeli aggression.",
     "Israel", "object", lambda tone: tone < 0),
])
def test_roles_in_and_after_the_object(text, actor, role, check):
    m = _mentions(text)
    assert m.loc[actor, "frame"].endswith(f"({role})")
    assert check(m.loc[actor, "tone_vader_target"]) and check(m.loc[actor, "tone_diplomatic_target"])


def test_negated_frame_leaves_tone_as_the_window_gives_it():
    text = "Iran did not raise concerns about Azerbaijan's cooperation with Israel."
    assert _mentions(text).equals(_mentions(text, frames="none"))


def test_multiple_objects_and_modes():
    text = "Iran praised Azerbaijan and Armenia for the talks."
    m = _mentions(text)
    assert m.loc[["Azerbaijan", "Armenia"], "frame"].tolist() == ['positive frame "praised" (object)'] * 2
    assert (m.loc[["Azerbaijan", "Armenia"], "tone_vader_target"] > 0).all()
    objects = _mentions(text, frames="objects")
    assert objects.loc["Iran", "frame"] == "" and objects.loc["Iran", "tone_vader_target"] > 0
    assert objects.loc["Armenia", "frame"] == m.loc["Armenia", "frame"]


def test_score_target_tone_frames_for_any_target():
    text = "Senator Smith slammed Jones for her excellent speech."
    t = score_target_tone([text, text], [(8, 13), (22, 27)], scorers=["vader"])
    assert t["frame"].tolist() == ['negative frame "slammed" (holder)', 'negative frame "slammed" (object)']
    assert t["tone_vader_target"].iloc[1] < 0
    off = score_target_tone([text, text], [(8, 13), (22, 27)], scorers=["vader"], frames="none")
    assert off["frame"].tolist() == ["", ""] and off["tone_vader_target"].iloc[1] > 0


@pytest.mark.parametrize("bad", ["maybe", "", None])
def test_frames_mode_is_validated(bad):
    with pytest.raises(ValueError, match=r"frames=.* is not valid; use one of both, objects, none"):
        ActorScorer(frames=bad)
    with pytest.raises(ValueError, match="is not valid"):
        score_target_tone(["Iran"], [(0, 4)], frames=bad)


def test_find_frames_reports_stance_scope_and_passive_agent():
    text = "Concerns were raised about Azerbaijan by Iran."
    table = tokenize_texts([text], Vocabulary())
    f = find_frames(table)
    words = table.lows(0)
    assert len(f) == 1 and f.stance.tolist() == [-1]
    assert (words[f.first[0]], words[f.last[0]], words[f.agent[0]]) == ("concerns", "about", "by")
    assert words[f.scope_lo[0]:f.scope_hi[0] + 1] == ["azerbaijan"]


@pytest.mark.parametrize(("own", "frame", "stance", "expected"), [
    (0.34, 0.0, -1, -0.05),   # positive words in the object's noun phrase: at least the band the frame's way
    (-0.6, -0.44, -1, -0.6),  # the window goes further: it stays
    (0.1, 0.49, 1, 0.49),     # the frame's own words go further
    (0.0, -0.3, 1, 0.05),     # a frame word the scorer reads the other way counts as the band
    (np.nan, -0.4, -1, np.nan),
])
def test_apply_frame_stance(own, frame, stance, expected):
    got = apply_frame_stance(np.array([own]), np.array([frame]), np.array([stance]), 0.05)[0]
    assert got == pytest.approx(expected, nan_ok=True)


def _frames_text() -> str:
    return data_path("frames.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("edit", "message"), [
    (("  - condemns\n", "  - Condemns\n"), r"line {line}: term 'Condemns' of 'negative_verbs' must be one non-blank"),
    (("  - condemns\n", "  - condemned\n"), r"line {line}: duplicate term 'condemned' in 'negative_verbs'"),
    (("  - condemns\n", "  - raised concerns\n"), r"line {line}: term 'raised concerns' .* one non-blank"),
    (("  - condemns\n", "  - yes\n"), r"line {line}: term 'yes' of 'negative_verbs' is not a string"),
    (("agent_markers:", "agent_words:"), r"line {line}: unknown word list 'agent_words'"),
])
def test_frames_file_errors_name_file_and_line(tmp_path, edit, message):
    old, new = edit
    text = _frames_text()
    line = text[:text.index(old)].count("\n") + 1
    path = tmp_path / "frames.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(WordListError, match=r"frames\.yml, " + message.format(line=line)):
        load_word_lists(path, lists=FRAME_LISTS)


def test_packaged_frames_file_loads_every_list():
    lists = load_word_lists("frames.yml", lists=FRAME_LISTS)
    assert set(lists) == set(FRAME_LISTS)
    assert {"condemned", "accused"} <= lists["negative_verbs"] and "concerns" in lists["negative_heads"]
    assert not lists["negative_verbs"] & lists["positive_verbs"]
