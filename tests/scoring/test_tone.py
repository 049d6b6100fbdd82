"""Tone scorers: interface, evidence, negation, scales, dictionaries, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplo.text.corpus import count_words
from diplo.scoring.match import Dictionary, DictionaryError, Entry, Matcher
from diplo.scoring.chunk import EVIDENCE_COLUMNS, Chunk, evidence_frame, valid_texts
from diplo.scoring.tone import (SCORERS, DiplomaticScorer, LexiconScorer, _negator_candidates, available_scorers,
                                get_scorer, score_tone, tone_columns)


@pytest.mark.parametrize("name", sorted(SCORERS))
def test_scorer_interface_and_evidence_offsets(name):
    texts = ["Iran strongly condemned the deadly attack.", "The ministers signed a memorandum and welcomed it."]
    cols, ev = get_scorer(name).score(texts, evidence=True)
    assert set(cols) == set(get_scorer(name).columns) and f"tone_{name}" in cols
    assert all(len(v) == len(texts) for v in cols.values())
    assert list(ev.columns) == EVIDENCE_COLUMNS and len(ev)
    for row in ev.itertuples():
        assert texts[row.row][row.start:row.end].strip() != ""
    assert get_scorer(name).score(texts)[1] is None
    for rows in (ev, get_scorer(name).score([], evidence=True)[1], get_scorer(name).score([""], evidence=True)[1]):
        assert rows.dtypes.astype(str).tolist() == ["int64", "object", "int64", "int64", "float64", "bool"]


@pytest.mark.parametrize("text, sign", [
    ("Azerbaijan condemned the attack on its embassy and expelled four Iranian diplomats.", -1),
    ("Iran summoned the Azerbaijani ambassador and accused Baku of provocations.", -1),
    ("Gunmen stormed the embassy, killing a guard.", -1),
    ("The two ministers signed a memorandum of understanding on transport.", 1),
    ("Tehran expressed readiness to expand cooperation and welcomed the agreement.", 1),
    ("Aliyev offered his condolences and agreed to strengthen ties.", 1),
    ("The sides will not sign the agreement.", -1),          # negated cooperation: a rebuff
    ("Baku refused to cooperate with the investigation.", -1),
    ("Washington will not lift the sanctions.", -1),         # two negators cancel
    ("Washington lifted the sanctions on Tehran.", 1),       # lifting a conflict act
    ("The weather in Baku was mild on Tuesday.", 0),
    ("Iran gave full support to Azerbaijan.", 1),          # "gave" is not a negator
    ("Given the close cooperation, both sides signed a deal.", 1),
])
def test_diplomatic_sign(text, sign):
    cols, _ = DiplomaticScorer().score([text])
    assert np.sign(np.round(cols["tone_diplomatic"][0], 6)) == sign


# Negation scope (real sentences from the samples, data/raw/00N): a negating verb governs only the act
# right after it (<= GOVERNED_GAP modifiers, optional "to"/"of"); a preposition or conjunction ends the scope.
@pytest.mark.parametrize("text, term, negated", [
    ("Diplomatic activities at the Azerbaijani embassy in Tehran were completely suspended following the "
     "January attack on the embassy.", "attack*", False),                                         # 003
    ("Although the fighting in Nagorno-Karabakh, which is internationally recognized as part of Azerbaijan, "
     "ended in a Russian-brokered ceasefire, clashes on the border continued.", "ceasefire", False),  # 002
    ("The talks ended with an agreement.", "agree*", False),
    ("Regional states, he added, \u201care not interested in the interference of foreign players and our "
     "common enemies will have no place in this region.", "interfer*", False),                     # 002
    ("The tripartite statement that ended the 2020 war between Azerbaijan and Armenia.", "war", True),
    ("The Israeli army lifted Friday a day-old blockade on Palestinian lorries.", "blockad*", True),
    ("Baku refused to cooperate with the investigation.", "cooperat*", True),
    ("Baku refused to cooperate with the investigation.", "investigat*", False),
    ("They announced the suspension of talks.", "talks", True),
    ("Washington will not lift the sanctions.", "sanction*", False),                               # cancels
])
def test_diplomatic_negation_scope(text, term, negated):
    _, ev = DiplomaticScorer().score([text], evidence=True)
    assert ev.loc[ev.term == term, "negated"].tolist() == [negated]


@pytest.mark.parametrize("text, sign", [
    ("Diplomatic activities at the Azerbaijani embassy in Tehran were completely suspended following the "
     "January attack on the embassy.", -1),
    ("Regional states, he added, \u201care not interested in the interference of foreign players and our "
     "common enemies will have no place in this region.", -1),
])
def test_diplomatic_negation_scope_sign(text, sign):
    cols, _ = DiplomaticScorer().score([text])
    assert np.sign(cols["tone_diplomatic"][0]) == sign


# Non-diplomatic senses (real sentences from the samples): no cooperation signal from these words.
@pytest.mark.parametrize("text, absent", [
    ("He emphasized the Azerbaijani government\u2019s commitment to ensuring the freedom and rights of "
     "Karabakh\u2019s Armenians while meeting their essential needs.", "meeting"),                 # 004
    ("While referring to the restoration of Azerbaijan\u2019s sovereignty over Karabakh he emphasized the need.",
     "restoration"),                                                                             # 004
    ("The establishment of the corridor was agreed upon as part of the tripartite statement.",
     "establishment"),                                                                           # 003
    ("Bilateral relations and ties between Baku and Tehran.", "relations"),
    ("Bilateral relations and ties between Baku and Tehran.", "ties"),
    # the name of an agreement is a reference, not an act (Tehran Times crawl, issue 17 tuning articles)
    ("Trump withdrew Washington from the nuclear deal on May 8.", "deal"),
    ("Trump's decision to withdraw from the Joint Comprehensive Plan of Action was a mistake.", "joint"),
    ("Zarif has dismissed Trump's \u201cdelusional Deal of the Century\u201d on the conflict.", "deal"),
    # Issue 17, second round (found reading the worst-ranked development articles of the Tehran Times crawl; real
    # sentence shapes from it): senses that are not acts score nothing (the acts beside them: the signs test below).
    ("TEHRAN - The Iranian Foreign Ministry released on Friday two reports on human rights in the UK.", "released"),
    ("The talks went well, according to a statement released by the palace.", "released"),
    ("Saudi Arabia and its allies launched a military campaign against Yemen in 2015.", "allies"),
    ("Iran will continue its peaceful nuclear activities, the spokesman said.", "peaceful"),
    ("Trump will recognize al-Quds (Jerusalem) as Israel's capital on Wednesday.", "recognize"),
    ("Iran insisted on the need for cooperation between regional states.", "insisted"),
    ("Trump has said he will decide whether to leave the deal by May 12.", "deal"),
    ("As the year wound down, Cardin and Corker continued their discussions.", "wound"),
    ("Syrian President Bashar al-Assad received the Iranian foreign minister in Damascus.", "bashar"),
])
def test_diplomatic_non_diplomatic_senses_do_not_score(text, absent):
    cols, ev = DiplomaticScorer().score([text], evidence=True)
    matched = [text[a:b].lower() for a, b in zip(ev.start, ev.end)]
    assert not any(absent in m for m in matched), matched


@pytest.mark.parametrize("text, term", [
    ("Iran and Azerbaijan restored diplomatic relations.", "restor* diplomatic relations"),
    ("Sri Lanka has established diplomatic ties with Tehran.", "establish* diplomatic ties"),
    ("The two sides agreed to improve relations.", "improv* relations"),
    ("The meeting was held in Baku.", "meeting*"),
    ("Iran and the P5+1 signed the nuclear deal in Vienna.", "signed"),  # the act around the name still counts
])
def test_diplomatic_phrases_keep_the_diplomatic_sense(text, term):
    _, ev = DiplomaticScorer().score([text], evidence=True)
    assert term in ev["term"].tolist() and (ev.loc[ev.term == term, "weight"] > 0).all()


@pytest.mark.parametrize("text, sign", [
    ("Iran released the British tanker on Monday.", 1),                              # freeing still counts
    ("India rules out dialogue with Pakistan, the foreign minister said.", -1),      # CAMEO 12 reject
    ("Washington withdrew from the treaty in 2019.", -1),                            # negated behind "from"
    ("Iranian and Syrian officials moved to resolve the crisis in Syria.", 1),       # resolving a conflict
    ("Tehran says Sweden's anti-Iran move at the UN is nothing new.", -1),
    ("Iranian and Qatari foreign ministers exchange views over the phone.", 1),      # CAMEO 04 consult
    ("Iran and Croatia have bolstered ties, the Iranian ambassador said.", 1),
    ("Iran plans to open two credit lines in South Korea's Exim Bank.", 1),
    ("The Zionist regime is plotting against Iran, the spokesman said.", -1),
])
def test_diplomatic_issue17_vocabulary_signs(text, sign):
    cols, _ = DiplomaticScorer().score([text])
    assert np.sign(cols["tone_diplomatic"][0]) == sign


@pytest.mark.parametrize("window, expected", [(None, 0.4), (DiplomaticScorer.ACTOR_WINDOW, 0.4), (40, 2.0)])
def test_diplomatic_actor_window_reaches_a_headline_s_actors(window, expected):
    # "trade" stands 6 tokens after "China": outside the sentence window (ACTORLESS), inside a headline's
    cols, _ = DiplomaticScorer(actor_window=window).score(["Iran China set target of 200b in trade"])
    assert cols["tone_diplomatic"][0] == pytest.approx(expected)


@pytest.mark.parametrize("window", [0, -3, 2.5, True, "5"])
def test_diplomatic_actor_window_must_be_a_positive_whole_number(window):
    with pytest.raises(ValueError, match=r"actor_window must be a whole number of tokens >= 1, got"):
        DiplomaticScorer(actor_window=window)


def test_diplomatic_hedge_damps_and_evidence_sums_to_score():
    s = DiplomaticScorer()
    cols, ev = s.score(["Iran imposed sanctions.", "Iran may impose sanctions.",
                        "Iran welcomed the talks but condemned the attack."], evidence=True)
    plain, hedged = cols["tone_diplomatic"][:2]
    assert hedged == pytest.approx(plain * s.HEDGED)
    sums = ev.groupby("row")["weight"].sum()
    assert np.allclose(sums.to_numpy(), cols["tone_diplomatic"][sums.index.to_numpy()])
    assert cols["diplomatic_coop"][2] == 2 and cols["diplomatic_conflict"][2] == 2  # condemned, attack


def test_diplomatic_no_signal_is_distinguishable_from_balance():
    cols, _ = DiplomaticScorer().score(["Nothing happened.", "They met, then fired."])
    assert cols["tone_diplomatic"][0] == 0
    assert cols["diplomatic_coop"][0] + cols["diplomatic_conflict"][0] == 0
    assert cols["diplomatic_coop"][1] + cols["diplomatic_conflict"][1] == 2


@pytest.mark.parametrize("content, message", [
    ("term,weight,category\nwelcomed,3,friendly\n", r"line 2: unknown category 'friendly'"),
    ("term,weight,category\nwelcomed,-3,verbal_cooperation\n", r"line 2: weight -3 of 'welcomed' must be in \(0, 10\]"),
    ("term,weight,category\nbombed,-12,material_conflict\n", r"line 2: weight -12 .* must be in \[-10, 0\)"),
    ("term,weight,category\nthe,1,neutral\n", r"line 2: weight 1 .* must be 0"),
])
def test_diplomatic_lexicon_is_validated(tmp_path, content, message):
    f = tmp_path / "dip.csv"
    f.write_text(content)
    with pytest.raises(DictionaryError, match=message):
        DiplomaticScorer(f)


def test_packaged_diplomatic_lexicon_loads_with_notes():
    d = DiplomaticScorer().dictionary
    assert len(d.entries) > 200 and {e.category for e in d.entries} >= {"verbal_cooperation", "material_conflict"}


@pytest.mark.parametrize("text, pos, neg", [
    ("A good day.", 3.0, 0.0),
    ("Not a good day.", 0.0, 3.0),          # negated positive counts as negative
    ("It was not bad.", 1.5, 0.0),          # negated negative: positive at half weight
    ("This does not work.", 0.0, 3.0),      # AFINN phrase beats the single words
    ("Dushanbe, Baku, Tehran.", 0.0, 0.0),
    # news senses of AFINN words (see data/SOURCES.md): emphasis, rank, titles, oil licence areas
    ("Aliyev stressed the importance of ties.", 2.0, 0.0),
    ("The top Iranian diplomat arrived.", 0.0, 0.0),
    ("A council linked to the Supreme National Security Council spoke.", 0.0, 0.0),
    ("They discussed joint oil blocks in the Caspian Sea.", 0.0, 0.0),
    ("A supreme effort.", 4.0, 0.0),
])
def test_lexicon_afinn_negation(text, pos, neg):
    cols, _ = LexiconScorer().score([text])
    assert (cols["lexicon_pos"][0], cols["lexicon_neg"][0]) == (pos, neg)


@pytest.mark.parametrize("scale, expected", [
    ("logit", np.log(6.5) - np.log(0.5)),   # AFINN good = 3: pos = 6, neg = 0
    ("proportion", 6 / 3),                  # (pos - neg) / 3 words
    ("relative", 1.0),                      # (pos - neg) / (pos + neg)
])
def test_lexicon_scales(scale, expected):
    cols, _ = LexiconScorer(scale=scale).score(["good good day", "Nothing matched here", "good and bad"])
    assert cols["tone_lexicon"][0] == pytest.approx(expected)
    assert cols["tone_lexicon"][1] == 0.0  # no match: 0 on every scale
    assert cols["tone_lexicon"][2] == 0.0  # balanced


def test_unknown_scale_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown scale 'log'; valid scales: logit, proportion, relative"):
        LexiconScorer(scale="log")


def test_lexicoder_cat_dictionary_with_negated_keys(tmp_path):
    f = tmp_path / "mini_lsd.cat"
    f.write_text("POSITIVE\n\tFRIEND*\n\tGOOD\nNEGATIVE\n\tHOSTIL*\nNEG_POSITIVE\n\tNOT GOOD\n"
                 "NEG_NEGATIVE\n\tNOT HOSTIL*\n")
    s = LexiconScorer(f)
    cols, ev = s.score(["Friendly but hostile.", "not good", "not hostile at all", "good friends"], evidence=True)
    assert cols["lexicon_pos"].tolist() == [1, 0, 1, 2]
    assert cols["lexicon_neg"].tolist() == [1, 1, 0, 0]
    assert ev.loc[ev.row == 1, "term"].tolist() == ["not good"]


def test_quanteda_yaml_dictionary(tmp_path):
    f = tmp_path / "tone.yml"
    f.write_text("positive: [cooperat*, welcome*]\nnegative: [condemn*]\n")
    cols, _ = LexiconScorer(f, scale="relative").score(["welcomed cooperation, condemned nothing"])
    assert cols["tone_lexicon"][0] == pytest.approx(1 / 3)


def test_dictionary_without_tone_categories_is_rejected(tmp_path):
    f = tmp_path / "themes.yml"
    f.write_text("energy: [gas]\n")
    with pytest.raises(DictionaryError, match=r"needs a 'positive' or 'negative' category; found \['energy'\]"):
        LexiconScorer(f)


def test_score_chunk_of_shared_matches_equals_score():
    texts = ["Iran welcomed the deal.", "Baku condemned the attack, not the talks."]
    scorers = [LexiconScorer(), DiplomaticScorer()]
    matcher = Matcher([d for s in scorers for d in s.dictionaries])
    for chunk in (Chunk(texts, matches=matcher.match(texts)), Chunk.matched(texts, matcher)):
        for s in scorers:
            a, ea = s.score(texts, evidence=True)
            b, eb = s.score_chunk(chunk, evidence=True)
            assert all(np.array_equal(a[k], b[k]) for k in a)
            pd.testing.assert_frame_equal(ea, evidence_frame(eb))
    with pytest.raises(ValueError, match="matches lack dictionary 'lexicon'"):
        scorers[0].score_chunk(Chunk(texts, matches={}))


@pytest.mark.parametrize("bad", ["", "   ", None, 42, float("nan")])
def test_bad_input_scores_nan_and_never_crashes(bad):
    out = score_tone(["Iran welcomed the talks.", bad])
    assert out.iloc[0].notna().all()
    assert out.iloc[1].isna().all()


def test_non_english_and_very_long_text_get_defined_scores():
    long = "Iran welcomed the talks and condemned the attack. " * 300
    out = score_tone(["Азербайджан и Иран подписали меморандум.", "伊朗欢迎会谈", long])
    assert out.notna().all().all()
    assert out.loc[0, "tone_diplomatic"] == 0 and out.loc[0, "tone_lexicon"] == 0


def test_unknown_scorer_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown scorer 'vadr'; valid scorers: diplomatic, lexicon, vader"):
        score_tone(["x"], ["vadr"])


@pytest.mark.parametrize("text", ["good day", b"good day"])
def test_score_tone_rejects_a_bare_string(text):
    # a str is an iterable of characters: it must not become one row per letter
    with pytest.raises(TypeError, match="single .*'good day'.*wrap it in a list"):
        score_tone(text)


def test_score_tone_accepts_one_scorer_name():
    scores = score_tone(["A good day."], "lexicon")
    assert list(scores.columns) == list(get_scorer("lexicon").columns)


def test_score_tone_keeps_index_and_returns_evidence_with_scorer():
    df = pd.DataFrame({"text": ["Iran condemned the attack.", "Signed a memorandum."]}, index=[10, 20])
    scores, ev = score_tone(df, ["diplomatic", "lexicon"], evidence=True)
    assert scores.index.tolist() == [10, 20]
    assert set(ev["scorer"]) == {"diplomatic", "lexicon"} and set(ev["row"]) <= {0, 1}
    assert tone_columns(["diplomatic", "vader"]) == ["tone_diplomatic", "tone_vader"]
    assert available_scorers() == sorted(SCORERS)


def test_vader_reference_values():
    out = score_tone(["The talks were good.", "The talks were not good."], ["vader"])
    assert out["tone_vader"].tolist() == [0.4404, -0.3412]


def test_scorer_accepts_a_dictionary_object():
    from diplo.scoring.match import dictionary_from_mapping
    d = dictionary_from_mapping({"positive": ["calm"], "negative": ["storm"]}, name="x")
    assert isinstance(LexiconScorer(d).dictionary, Dictionary)
    with pytest.raises(TypeError, match="dictionary must be a path"):
        LexiconScorer(3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=200), st.none(), st.integers()), min_size=1, max_size=8))
def test_any_input_gets_a_defined_score(texts):
    out = score_tone(texts)
    assert len(out) == len(texts)
    valid = np.array([isinstance(t, str) and t.strip() != "" for t in texts])
    assert out[~valid].isna().all().all()
    assert out[valid].notna().all().all()
    assert out["tone_diplomatic"].dropna().between(-10, 10).all()
    assert out["tone_vader"].dropna().between(-1, 1).all()


# ---------------------------------------------------------------------------------------------------------
# Differential tests: the array-based scorers against their previous per-match implementation
# (tests/oracles.tone.py), on the seed articles, a synthetic 200-article corpus and tricky texts.

from pathlib import Path  # noqa: E402
import sys  # noqa: E402

import oracles.tone as ref  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

NEGATION_TRICKY = [
    "The sides will not sign the agreement.", "Washington will not lift the sanctions.",
    "Not sanctions but talks.", "not", "", "   ", "\t\n", "no sanctions", "sanctions",
    "They did not\u2014sign the deal.", "They did not/sign the deal.", "They said no\u2014sanctions.",
    "(not sanctions)", "\u201cnot\u201d sanctions", "\u201cNot sanctions\u201d, he said.", "NOT SIGN THE DEAL",
    "It can't sign the deal and won\u2019t lift the ban; they don't cooperate.", "n't sign", "can'tsign",
    "Tehran refused to sign, and Baku ended the war.", "lifted\u00a0sanctions", "lifted\u3000the sanctions",
    "ended   \n  the   war", "cannot sign the accord", "xcannot sign", "not-sign the agreement",
    # windows cut inside a long word: fewer than 4 whitespace words in 64 characters
    "notsuperlongwordwithoutanyspacesthatgoesonandonforeverandeverandever sanctions",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxnot sanctions",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxcannot sanctions",
    "an internationally-recognized-and-long-negotiated-not-yet-ratified agreement-text sanctions",
    "Internationally-recognised cannot-be-ignored never-ending un-ratified sanctions",
    # lower-casing changes the length ("İ"); Greek final sigma; Kelvin sign lower-cases to ASCII
    "\u0130lham Aliyev did not sign the agreement.", "\u0130LHAM AL\u0130YEV D\u0130D NOT S\u0130GN THE DEAL.",
    "\u0130\u0130\u0130 not sanctions \u0130",
    "\u03a3\u039f\u03a3 not sanctions", "\u212anot sanctions", "not \U0001F600 sanctions",
    "Iran and Azerbaijan did not sign. Baku did not end the talks without sanctions.",
]


def _differential(texts, dip=None):
    """The diplomatic scorer's columns and evidence equal those of the per-match reference."""
    dip = dip or DiplomaticScorer()
    old = ref.ReferenceDiplomatic(dip.dictionary)
    old.dictionary = dip.dictionary  # the same negators/hedges (the constructor adds its own again)
    matcher = Matcher(dip.dictionaries)
    table = matcher.tokenize(texts)
    matches = matcher.match(texts, table=table)
    b, eb = old.score_chunk(Chunk(texts, matches=matches), evidence=True)
    for shared in (table, None):  # the matcher's token table, or tokenized by the scorer
        a, ea = dip.score_chunk(Chunk(texts, matches=matches, tokens=shared), evidence=True)
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        pd.testing.assert_frame_equal(evidence_frame(ea), evidence_frame(eb))
    return matches


def _corpus_texts(n_articles: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from corpus import generate_articles, seed_sentences
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return seed_sentences() + [s for a in generate_articles(n_articles, seed=3) for s in a.sentences]


def test_array_scorers_equal_reference_on_seeds_and_synthetic_corpus():
    texts = _corpus_texts(200)
    matches = _differential(texts)
    assert len(matches["diplomatic"]) > 10_000  # the corpus exercises the scorers
    all_texts = texts + NEGATION_TRICKY + [None, 42]
    sentences = pd.DataFrame({"text": all_texts}, index=np.arange(len(all_texts)) * 3)
    matcher = Matcher([d for s in ("lexicon", "diplomatic") for d in get_scorer(s).dictionaries])
    table = matcher.tokenize([t if isinstance(t, str) else "" for t in sentences["text"]])
    matches = matcher.match([t if isinstance(t, str) else "" for t in sentences["text"]], table=table)
    new = score_tone(sentences, evidence=True, matches=matches, table=table)
    old = score_tone(sentences, [ref.ReferenceDiplomatic(), "lexicon", "vader"], evidence=True, matches=matches)
    pd.testing.assert_frame_equal(new[0], old[0])
    pd.testing.assert_frame_equal(new[1], old[1])
    np.testing.assert_array_equal(valid_texts(all_texts), ref.valid_texts(all_texts))
    # the proportion scale divides by count_words of each text
    cols, _ = LexiconScorer(scale="proportion").score_chunk(Chunk(all_texts, matches=matches))
    words = np.array([count_words(t) if isinstance(t, str) else 0 for t in all_texts], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(words > 0, (cols["lexicon_pos"] - cols["lexicon_neg"]) / words, 0.0)
    np.testing.assert_array_equal(cols["tone_lexicon"], np.where(np.isnan(cols["lexicon_pos"]), np.nan, expected))


ACTOR_TRICKY = [
    "He thought that the embassy was involved in assisting his wife with escaping Iran.",
    "Ülkü Şahin condemned the attack; Émile welcomed the talks.",  # capitals beyond ASCII
    "welcomed the talks. Tehran agreed",  # a proper name after a clause break
    "The ministry, in a statement, condemned the attack on the embassy by gunmen.",
    "They agreed to cooperate with his brother and Baku signed the deal",
    "“Azerbaijan” threatened – and then “Iran” welcomed…",
]


@pytest.mark.parametrize("texts", [ACTOR_TRICKY, [None, "", "  "] + ACTOR_TRICKY, ACTOR_TRICKY[::-1]])
def test_political_actor_rule_equals_reference(texts):
    """The array pass of the political-actor rule gives the one-match-at-a-time reference's weights."""
    _differential([t if isinstance(t, str) else "" for t in texts])


def _cut_window_text(window: int, negator: str = "not") -> str:
    """A match whose window (16 * window characters) starts inside a word, right at ``negator``."""
    gap = "y" * (16 * window - len(negator) - 2)
    return f"xxxxxxxxxx{negator} {gap} sanctions"


def _cut_first_word_text(window: int) -> str:
    """A match whose window starts one character into "xnot", the first of its last ``window`` words."""
    head = "xnot " + "aaa " * (window - 2)
    return head + "y" * (16 * window - len(head)) + " sanctions"


@pytest.mark.parametrize("window", [1, 2, 4, 6])
def test_diplomatic_negation_equals_reference_on_tricky_texts(window):
    texts = [*NEGATION_TRICKY, _cut_window_text(window), _cut_window_text(window, "refused")]
    texts += [_cut_first_word_text(window)] if window > 1 else []
    scorer = DiplomaticScorer(negation_window=window)
    _differential(texts, scorer)
    # a window (> 1 token) cut inside "xxxxxxxxxxnot" sees "not", as the per-match code always did
    for text in ([_cut_window_text(window), _cut_first_word_text(window)] if window > 1 else []):
        assert scorer.score([text], evidence=True)[1]["negated"].tolist() == [True]


def test_diplomatic_negation_equals_reference_with_unusual_dictionaries():
    d = DiplomaticScorer().dictionary
    custom = DiplomaticScorer(Dictionary(d.name, d.entries, negation_window=4, source="<test>",
                                         negators=frozenset({"no-go", "won't", "no go", "n\u00e3o"})))
    _differential(["A no-go on sanctions.", "They won't sign.", "It is a no go for talks.", "N\u00e3o sign."],
                  custom)
    dotted = DiplomaticScorer(Dictionary(d.name, d.entries, negation_window=4, source="<test>",
                                         negators=frozenset({"no.go"})))
    assert custom._token_negators and not dotted._token_negators  # "no.go" is three tokens: look at all
    _differential(["A no.go on sanctions.", "(no.go) sanctions", "no.go"], dotted)
    # an entry starting with punctuation can follow a word with no space between them
    glued = DiplomaticScorer(Dictionary(d.name, (*d.entries, Entry("material_conflict", "+embargo", ("+", "embargo"),
                                                                   -5.0)), negation_window=4, source="<test>"))
    _differential(["They said not+embargo.", "no+embargo", "+embargo"], glued)


_WORDS = ["not", "no", "never", "refused", "to", "of", "lift", "lifted", "ended", "sign", "signed", "sanctions",
          "agreement", "talks", "war", "attack", "in", "and", "the", "may", "urged", "can't", "won\u2019t",
          "cannot", "NOT", "Sanctions", "\u0130ran", ",", ".", "(", ")", "\u201c", "\u2014", "-", "/", "'",
          "cooperation", "ceasefire", "suspension", "following", "xxxxxxxxxxxxxxxxxxxxxxxxx", "n't", "\U0001F600"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(["", " ", "  ", "\n", "\u00a0", "\t"])),
                max_size=30))
def test_diplomatic_negation_equals_reference_on_random_texts(pieces):
    _differential(["".join(w + sep for w, sep in pieces)])


@pytest.mark.parametrize("text, candidate", [
    ("The ministers of the two countries met in the capital on Tuesday and signed sanctions.", False),
    ("The ministers of the two countries met in the capital on Tuesday and did not sign sanctions.", True),
    ("Not the ministers of the two countries who met in the capital on Tuesday, they imposed sanctions.", False),
    ("They don\u2019t like sanctions.", True),
    ("Not sanctions.", True),
])
def test_negator_candidates_are_few(text, candidate):
    # the array pass must single out the windows with a negator-like word, not flag every match
    scorer = DiplomaticScorer()
    matcher = Matcher(scorer.dictionaries)
    table = matcher.tokenize([text])
    m = matcher.match([text], table=table)["diplomatic"]
    m = m[m["entry"] == "sanction*"]
    got = _negator_candidates(table, scorer._negator_flags(table.vocabulary), m["row"].to_numpy(),
                              m["start"].to_numpy(), scorer.dictionary.negation_window)
    assert got.tolist() == [candidate]


def test_a_chunk_rejects_a_table_of_other_texts():
    matcher = Matcher(DiplomaticScorer().dictionaries)
    table = matcher.tokenize(["Iran did not sign.", "Talks."])
    with pytest.raises(ValueError, match="table holds the tokens of 2 texts, not of the 1 given"):
        Chunk(["Iran did not sign."], matches=matcher.match(["Iran did not sign."]), tokens=table)


@pytest.mark.parametrize("name, content", [
    ("mine.dic", "%\n1\tpositive\n2\tnegative\n%\nwelcome*\t1\ncondemn*\t2\n"),
    ("mine.yml", "tone:\n  positive: [welcome*]\n  negative: [condemn*]\n"),
])
def test_lexicon_scorer_reads_liwc_and_nested_yaml(tmp_path, name, content):
    """A LIWC .dic with positive/negative categories scores; nested YAML loads, but its categories
    (tone.positive) are not the scorer's, which the error says."""
    f = tmp_path / name
    f.write_text(content)
    if name.endswith(".dic"):
        cols, _ = LexiconScorer(f).score(["Iran welcomed the talks.", "Baku condemned it."])
        assert cols["lexicon_pos"].tolist() == [1.0, 0.0] and cols["lexicon_neg"].tolist() == [0.0, 1.0]
    else:
        with pytest.raises(DictionaryError, match=r"needs a 'positive' or 'negative' category; found "
                                                  r"\['tone.positive', 'tone.negative'\]"):
            LexiconScorer(f)


@pytest.mark.parametrize("text, weight", [
    ("He thought that the embassy was involved in assisting his wife with escaping Iran.", 5.0 * 0.2),  # private object
    ("Workers were assisting them.", 5.0 * 0.2),  # no political actor in reach
    ("The ministry is assisting them.", 5.0),  # a generic political noun
    ("Baku is assisting them.", 5.0),  # an actors.yml alias
    ("Yesterday Sharon was assisting them.", 5.0),  # a proper name
    ("The government said so; later, workers were assisting.", 5.0 * 0.2),  # not across a clause break
    ("The government said so. Later, workers were assisting.", 5.0 * 0.2),  # "Later" starts a sentence: no name
])
def test_an_act_needs_a_political_actor(text, weight):
    cols, _ = DiplomaticScorer().score([text])
    assert cols["tone_diplomatic"][0] == pytest.approx(weight)
