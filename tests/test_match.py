from __future__ import annotations

import pytest

from diplo.match import DictionaryError, Matcher, dictionary_from_mapping, load_dictionary, tokenize


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


def test_weighted_csv(tmp_path):
    f = tmp_path / "w.csv"
    f.write_text("term,weight,category\nsigned a memorandum,5,material_cooperation\ncondemned,-4,verbal_conflict\n")
    d = load_dictionary(f)
    assert [(e.category, e.weight) for e in d.entries] == [("material_cooperation", 5.0), ("verbal_conflict", -4.0)]
    bad = tmp_path / "bad.csv"
    bad.write_text("term,weight\ncondemned,lots\n")
    with pytest.raises(DictionaryError, match="line 2: weight 'lots' is not a number"):
        load_dictionary(bad)


def test_unsupported_format(tmp_path):
    f = tmp_path / "d.json"
    f.write_text("{}")
    with pytest.raises(DictionaryError, match=r"unsupported dictionary format '.json' \(valid"):
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
