from __future__ import annotations

import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from diplo.text.corpus import build_corpus
from diplo.io.raw import load_documents
from diplo.scoring.match import Dictionary, DictionaryError, Matcher, dictionary_from_mapping, load_dictionary, tokenize
from oracles.match import ReferenceMatcher


def _matches(mapping, text, **kw):
    d = dictionary_from_mapping(mapping, name="d", **kw)
    return Matcher([d]).match([text])["d"]


@pytest.mark.parametrize("text, expected", [
    ("The Rasht-Astara railway opened.", ["Rasht-Astara railway"]),
    ("the 3+3 format met in Moscow", ["3+3"]),
    ("Cooperation and cooperative ties", ["Cooperation", "cooperative"]),
    ("North-South corridor and the corridor", ["North-South corridor", "corridor"]),
])
def test_globs_phrases_and_longest_match(text, expected):
    m = _matches({"a": ["rasht-astara railway", "3+3", "cooperat*", "north-south corridor", "corridor"]}, text)
    assert m["match"].tolist() == expected
    for row in m.itertuples():
        assert text[row.start:row.end] == row.match


def test_longest_match_wins_across_categories():
    m = _matches({"short": ["gas"], "long": ["gas swap"]}, "a gas swap deal")
    assert m[["category", "match"]].values.tolist() == [["long", "gas swap"]]


@pytest.mark.parametrize("text, negated, hedged", [
    ("Iran did not welcome the move", True, False),
    ("Iran didn't welcome the move", True, False),
    ("Iran never welcomed it", True, False),
    ("Iran may welcome the move", False, True),
    ("Not now, but Iran will welcome the move", False, False),  # scope ends at the comma / 'but'
    ("Iran welcomed the move", False, False),
])
def test_negation_and_hedge_scope(text, negated, hedged):
    m = _matches({"coop": ["welcom*"]}, text)
    assert m[["negated", "hedged"]].values.tolist() == [[negated, hedged]]


def test_negation_window_zero_disables():
    assert not _matches({"coop": ["welcom*"]}, "not welcome", negation_window=0)["negated"].any()


def test_rows_index_texts_and_non_strings_are_empty():
    d = dictionary_from_mapping({"a": ["iran"]}, name="d")
    m = Matcher([d]).match(["x", None, "Iran and iran", 5])["d"]
    assert m["row"].tolist() == [2, 2]


def test_several_dictionaries_one_pass():
    a = dictionary_from_mapping({"x": ["baku"]}, name="a")
    b = dictionary_from_mapping({"y": ["baku visit"]}, name="b")
    out = Matcher([a, b]).match(["Baku visit"])
    assert out["a"]["match"].tolist() == ["Baku"] and out["b"]["match"].tolist() == ["Baku visit"]


def test_duplicate_dictionary_names_rejected():
    a = dictionary_from_mapping({"x": ["baku"]}, name="a")
    with pytest.raises(ValueError, match="distinct"):
        Matcher([a, a])


def test_yaml_dictionary_with_descriptions(tmp_path):
    f = tmp_path / "t.yml"
    f.write_text("energy:\n  description: gas and power\n  terms:\n    - gas swap\n    - electric*\n"
                 "trade: [trade, invest*]\n")
    d = load_dictionary(f)
    assert d.categories == ["energy", "trade"]
    assert d.descriptions == {"energy": "gas and power"}
    assert [e.line for e in d.entries] == [4, 5, 6, 6]


@pytest.mark.parametrize("content, message", [
    ("a:\n  - gas\n  - Gas\n", r"line 3: duplicate term 'Gas' \(first defined at line 2\)"),
    ("a:\n  - gas\n  - ''\n", "line 3: blank term"),
    ("a:\n  terms: [gas]\n  colour: red\n", "line 3: unknown key 'colour'"),
    ("a: [gas\nb: [oil]\n", "invalid YAML"),
    ("a:\n  - ga*s\n", "only at the end of a word"),
    ("- gas\n", "expected a mapping"),
    ("a:\n  - gas\na:\n  - oil\n", "line 3: duplicate category 'a'"),
])
def test_yaml_errors_name_the_line(tmp_path, content, message):
    f = tmp_path / "bad.yml"
    f.write_text(content)
    with pytest.raises(DictionaryError, match=message):
        load_dictionary(f)


def test_lexicoder_cat_format(tmp_path):
    f = tmp_path / "mini.cat"
    f.write_text("NEGATIVE\n\tABANDON*\n\tHOSTIL* (1)\nPOSITIVE\n\tFRIEND*\n\tGOOD WILL (2)\n")
    d = load_dictionary(f)
    assert d.categories == ["NEGATIVE", "POSITIVE"]
    assert [(e.pattern, e.weight) for e in d.entries][-1] == ("good will", 2.0)
    m = Matcher([d]).match(["Hostile words but good will"])[d.name]
    assert m[["category", "match"]].values.tolist() == [["NEGATIVE", "Hostile"], ["POSITIVE", "good will"]]


def test_cat_term_before_category_is_an_error(tmp_path):
    f = tmp_path / "bad.cat"
    f.write_text("\tFRIEND*\n")
    with pytest.raises(DictionaryError, match="line 1: indented term before any category"):
        load_dictionary(f)


def test_nested_quanteda_yaml_becomes_parent_child(tmp_path):
    f = tmp_path / "nested.yml"
    f.write_text("economy:\n  trade: [trade, tariff*]\n  energy:\n    gas: [gas]\n    oil:\n"
                 "      description: crude\n      terms: [crude oil]\nsecurity: [attack*]\n")
    d = load_dictionary(f)
    assert d.categories == ["economy.trade", "economy.energy.gas", "economy.energy.oil", "security"]
    assert d.descriptions == {"economy.energy.oil": "crude"}
    m = Matcher([d]).match(["Tariffs on gas and crude oil after the attack"])[d.name]
    assert m[["category", "match"]].values.tolist() == [
        ["economy.trade", "Tariffs"], ["economy.energy.gas", "gas"], ["economy.energy.oil", "crude oil"],
        ["security", "attack"]]


@pytest.mark.parametrize("content, message", [
    ("a:\n  b: [gas]\n  terms: [oil]\n", "line 2: unknown key 'b' in category 'a'"),
    ("a:\n  b: [gas]\n  b: [oil]\n", "line 3: duplicate category 'a.b'"),
    ("a:\n  b: [gas]\nc:\n  d: [Gas]\n", r"line 4: duplicate term 'Gas' \(first defined at line 2\)"),
    ("a:\n  b: gas\n", "line 2: terms of 'a.b' must be a list"),
])
def test_nested_yaml_errors_name_the_line(tmp_path, content, message):
    f = tmp_path / "bad.yml"
    f.write_text(content)
    with pytest.raises(DictionaryError, match=message):
        load_dictionary(f)


def test_liwc_dic_format(tmp_path):
    f = tmp_path / "mini.dic"
    f.write_text("%\n1\tposemo\n2\tnegemo\n%\ngood\t1\nbad*\t2\nkind of\t1\nfriend* 1\n")
    d = load_dictionary(f)
    assert d.categories == ["posemo", "negemo"]
    assert [(e.category, e.pattern, e.line) for e in d.entries] == [
        ("posemo", "good", 5), ("negemo", "bad*", 6), ("posemo", "kind of", 7), ("posemo", "friend*", 8)]
    m = Matcher([d]).match(["A good kind of friendly but bad deal"])[d.name]
    assert m[["category", "match"]].values.tolist() == [
        ["posemo", "good"], ["posemo", "kind of"], ["posemo", "friendly"], ["negemo", "bad"]]


@pytest.mark.parametrize("content, message", [
    ("1\tposemo\n%\n", "line 1: a LIWC .dic file starts with a '%' line"),
    ("%\n1\tposemo\ngood\t1\n", "line 3: expected a category line"),
    ("%\n1\tposemo\n", "must end with a second '%' line"),
    ("%\n1\tposemo\n%\ngood\t3\n", r"line 4: category number\(s\) 3 not in the header \(defined: 1\)"),
    ("%\n1\tposemo\n2\tsocial\n%\nfriend*\t1\t2\n",
     r"line 5: term 'friend\*' is in 2 categories \(posemo, social\)"),
    ("%\n1\tposemo\n%\nlike\t(02 134)125/464\n", "line 4: conditional category codes"),
    ("%\n1\tposemo\n%\ngood\n", "line 4: term 'good' has no category number"),
    ("%\n1\tposemo\n1\tnegemo\n%\n", "line 3: category number 1 is defined twice"),
])
def test_liwc_errors_name_the_line(tmp_path, content, message):
    f = tmp_path / "bad.dic"
    f.write_text(content)
    with pytest.raises(DictionaryError, match=message):
        load_dictionary(f)


def test_weighted_csv(tmp_path):
    f = tmp_path / "w.csv"
    f.write_text("term,weight,category\nsigned a memorandum,5,material_cooperation\ncondemned,-4,verbal_conflict\n")
    d = load_dictionary(f)
    assert [(e.category, e.weight) for e in d.entries] == [("material_cooperation", 5.0), ("verbal_conflict", -4.0)]
    bad = tmp_path / "bad.csv"
    bad.write_text("term,weight\ncondemned,lots\n")
    with pytest.raises(DictionaryError, match="line 2: weight 'lots' is not a number"):
        load_dictionary(bad)
    shifted = tmp_path / "shifted.csv"
    shifted.write_text("term,weight,category,note\nfighters,0,neutral,an actor, not an act\n")
    with pytest.raises(DictionaryError, match=r"line 2: 5 fields where the header has 4 .*quote a cell"):
        load_dictionary(shifted)
    shifted.write_text('term,weight,category,note\nfighters,0,neutral,"an actor, not an act"\n')
    assert [(e.category, e.weight) for e in load_dictionary(shifted).entries] == [("neutral", 0.0)]


def test_unsupported_format(tmp_path):
    f = tmp_path / "d.json"
    f.write_text("{}")
    with pytest.raises(DictionaryError, match=r"unsupported dictionary format '.json' \(valid: .yml, .yaml, .cat, .dic, .csv\)"):
        load_dictionary(f)


def test_tokenize_keeps_decimals_and_hyphens():
    assert tokenize("It lasted 3.5 hours in Rasht-Astara.") == ["it", "lasted", "3.5", "hours", "in",
                                                                  "rasht-astara", "."]


def test_split_hyphens_and_possessives():
    d = dictionary_from_mapping({"Iran": ["tehran", "amir-abdollahian"], "Azerbaijan": ["baku"]}, name="a",
                                split_hyphens=True, possessives=True)
    m = Matcher([d]).match(["Tehran-Baku ties; Baku's view; Amir-Abdollahian\u2019s visit"])["a"]
    assert m["match"].tolist() == ["Tehran", "Baku", "Baku's", "Amir-Abdollahian\u2019s"]
    assert m["entry"].tolist() == ["tehran", "baku", "baku", "amir-abdollahian"]
    plain = dictionary_from_mapping({"x": ["baku"]}, name="p")
    assert Matcher([plain]).match(["Tehran-Baku and Baku's"])["p"].empty


# ------------------------------------------------------------------------------------------------------------
# The vectorized matcher gives exactly what the one-text-at-a-time matcher gave (tests/oracles.match.py).

def _packaged_dictionaries():
    from diplo.scoring.actors import ActorScorer
    from diplo.scoring.themes import ThemeScorer
    from diplo.scoring.tone import available_scorers, get_scorer

    tone = [d for name in available_scorers() for d in getattr(get_scorer(name), "dictionaries", ())]
    return [*tone, *ThemeScorer().dictionaries, *ActorScorer().dictionaries]


@pytest.fixture(scope="module")
def packaged():
    return _packaged_dictionaries()


def _assert_same(dictionaries, chunks, matcher=None, **kw):
    """Every chunk matched by one (new) Matcher equals the reference matcher: frames, dtypes, tokens."""
    matcher = matcher or Matcher(dictionaries, **kw)
    reference = ReferenceMatcher(dictionaries, **kw)
    for texts in chunks:
        want_tokens = {}
        table = matcher.tokenize(texts)
        got, want = matcher.match(texts, table=table), reference.match(texts, tokens=want_tokens)
        assert list(got) == list(want)
        for name in want:
            pd.testing.assert_frame_equal(got[name], want[name], check_exact=True)
        got_tokens = {text: (table.spans(r), table.lows(r)) for r, text in enumerate(table.texts) if text}
        assert got_tokens == want_tokens
    return matcher


TRICKY_TEXTS = [
    "", None, 5, "   ", "Iran did not welcome the move, but Baku welcomed it.",
    "Iran didn't refuse; Baku hasn\u2019t refused and would not never welcome it.",
    "not not welcome", "No, welcome", "may not perhaps welcome", "Not now. Welcome however not here",
    "Tehran-Baku ties; Baku's view; Amir-Abdollahian\u2019s visit to Tehran's ally",
    "İstanbul İran-Azerbaijan talks in İzmir: Iran's gas swap",
    "the North-South transport corridor and north-south corridor deals 3+3 format",
    "1-2.5 km of the Rasht-Astara railway, 2-3,5 and 10-4.", "ΟΔΟΣ-ΣΟΦΟΣ Σ-Σ",
    "gas gas swap swap gas swap deal electricity electric-power",
    "signed a memorandum of understanding on cooperation and strategic partnership",
    "gas\ud800 swap deal with Iran",  # a lone surrogate: not UTF-8
]


def test_same_as_reference_on_tricky_texts(packaged):
    _assert_same(packaged, [TRICKY_TEXTS, TRICKY_TEXTS[::-1], []])


def test_same_as_reference_with_columns_built_from_lists(packaged, monkeypatch):
    monkeypatch.setattr("diplo.scoring._engine.strings._ARROW_STR", False)  # the path for a pandas without Arrow strings
    _assert_same(packaged, [TRICKY_TEXTS])


def test_same_as_reference_on_the_seeds(packaged, raw_dir):
    texts = build_corpus(load_documents(raw_dir, []))["sentences"]["text"].tolist()
    assert len(texts) > 100
    _assert_same(packaged, [texts])


def test_same_as_reference_on_the_benchmark_corpus_in_chunks(packaged):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from corpus import generate_articles
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    texts = [s for a in generate_articles(200, seed=3) for s in a.sentences]
    assert len(texts) > 3000
    # one matcher over several chunks: the vocabulary grows between them
    _assert_same(packaged, [texts[:1000], texts[1000:1001], texts[1001:]])


def test_globs_anywhere_overlaps_and_scope_options():
    d = dictionary_from_mapping({"a": ["gas swap*", "swap* deal", "gas", "deal", "el* pow* grid*", "power"],
                                 "b": ["swap", "swapping", "sw*", "s*"]}, name="d", negation_window=5)
    e = Dictionary("e", d.entries, negation_window=2, negators=frozenset({"refused"}), hedges=frozenset({"urged"}))
    f = dictionary_from_mapping({"x": ["tehran", "baku", "gas"]}, name="f", split_hyphens=True, possessives=True)
    texts = ["gas swapping deal, swap deal", "refused not gas; urged the swap deal", "electric power grids' power",
             "Tehran-Baku gas-swap: Baku's gas swap. refused urged deal", "never ever gas", "refused, gas"]
    _assert_same([d, e, f], [texts, texts[2:]])
    _assert_same([d, e, f], [texts], negators={"ever"}, hedges={"never"})


WORDS = ["gas", "swap", "deal", "not", "no", "may", "but", ",", ".", "didn't", "gas-swap", "swap's", "Gas",
         "refused", "urged", "İ", "1-2", ".5", "deal\u2019s", "x"]


@st.composite
def _dictionaries(draw):
    vocab = ["gas", "swap", "deal", "g*", "sw*", "gas-swap", "d*", "not", "x", "1-2", "İ"]
    out = []
    for k in range(draw(st.integers(1, 3))):
        terms = draw(st.lists(st.lists(st.sampled_from(vocab), min_size=1, max_size=3).map(" ".join),
                              min_size=1, max_size=6, unique=True))
        split, possessives = draw(st.booleans()), draw(st.booleans())
        try:
            d = dictionary_from_mapping({"c": terms}, name=f"d{k}", split_hyphens=split, possessives=possessives,
                                        negation_window=draw(st.integers(-1, 4)))
        except DictionaryError:  # two terms tokenizing alike: not a dictionary
            continue
        extra = draw(st.sampled_from([frozenset(), frozenset({"refused"}), frozenset({"urged", "deal"})]))
        out.append(Dictionary(d.name, d.entries, negation_window=d.negation_window, split_hyphens=split,
                              negators=extra, hedges=extra - {"refused"}))
    return out


@settings(max_examples=150, deadline=None)
@given(_dictionaries(), st.lists(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join), max_size=5),
       st.lists(st.lists(st.sampled_from(WORDS), max_size=12).map("".join), max_size=3))
def test_same_as_reference_property(dictionaries, texts, glued):
    if dictionaries:
        _assert_same(dictionaries, [texts + glued, glued])


def test_a_new_vocabulary_when_full_changes_nothing(packaged, monkeypatch):
    monkeypatch.setattr(Matcher, "VOCABULARY_LIMIT", 50)
    matcher = Matcher(packaged)
    first = matcher.vocabulary
    _assert_same(packaged, [TRICKY_TEXTS[4:9], TRICKY_TEXTS, TRICKY_TEXTS[::-1]], matcher=matcher)
    assert matcher.vocabulary is not first
    stale = matcher.tokenize(TRICKY_TEXTS)
    matcher.tokenize(TRICKY_TEXTS)
    with pytest.raises(ValueError, match="another vocabulary"):
        matcher.match(TRICKY_TEXTS, table=stale)


def test_table_is_shared_and_checked():
    d = dictionary_from_mapping({"a": ["gas swap"]}, name="d")
    matcher = Matcher([d])
    texts = ["a gas swap", "no gas"]
    table = matcher.tokenize(texts)
    assert matcher.match(texts, table=table)["d"]["row"].tolist() == [0]
    with pytest.raises(ValueError, match="another vocabulary"):
        matcher.match(texts, table=Matcher([d]).tokenize(texts))
    with pytest.raises(ValueError, match="for the 1 texts; got a table of 2 texts"):
        matcher.match(texts[:1], table=table)


@pytest.mark.parametrize("text, expected", [
    ("A gunman stormed the embassy on Friday.", ["gunman stormed the embassy"]),
    ("The embassy came under attack by a man.", ["embassy came under attack"]),  # either order
    ("The attack took place in a town far away from the embassy.", []),  # beyond 5 tokens
    ("Militants attack a convoy; the embassy was consulted.", []),  # not across a clause break
    ("Attacks, said the embassy, continue.", ["Attacks, said the embassy"]),  # a comma is no break
    ("The embassy attack on the embassy", ["embassy attack"]),  # leftmost-longest over phrases and rules
])
def test_near_rules_match_both_words_within_the_window(text, expected):
    d = dictionary_from_mapping({"attack": ["attack* NEAR/5 embass*", "embassy attack", "attack on the embassy",
                                            "gunman NEAR/8 embass*"]}, name="themes")
    got = Matcher([d]).match([text])["themes"]
    assert got["match"].tolist() == expected
    for m in got.itertuples():
        assert text[m.start:m.end] == m.match


def test_near_rules_same_as_reference(raw_dir):
    d = dictionary_from_mapping({"attack": ["attack* NEAR/5 embass*", "gunman NEAR/8 embass*", "stormed"],
                                 "ties": ["ties", "iran NEAR/3 azerbaijan", "welcom*"]}, name="themes")
    texts = build_corpus(load_documents(raw_dir, []))["sentences"]["text"].tolist() + TRICKY_TEXTS
    _assert_same([d], [texts])


@pytest.mark.parametrize("term, message", [
    ("attack NEAR/ embassy", r"line 3: proximity rule 'attack NEAR/ embassy' must read 'WORD NEAR/k WORD'"),
    ("attack NEAR/99 embassy", r"line 3: .* with k in 1\.\.20"),
    ("attack NEAR/5 the embassy", r"line 3: .*must read"),
    ("attack NEAR/5 emb*assy", r"line 3: .*'\*' is allowed only at the end"),
])
def test_near_rule_errors_name_the_line(tmp_path, term, message):
    path = tmp_path / "t.yml"
    path.write_text(f"attack:\n  terms:\n    - {term}\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=message):
        load_dictionary(path)
