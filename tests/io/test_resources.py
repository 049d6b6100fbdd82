from __future__ import annotations

import socket

import pytest

from diplo.io import resources
from diplo.io.resources import WordListError, load_word_lists


def test_punkt_tokenizer_splits_with_packaged_parameters():
    tok = resources.punkt_tokenizer()
    text = "Ms. Sahebeh Ghaffarova met Dr. Mohammad Baqer Qalibaf on Dec. 5. It lasted 3.5 hours."
    assert tok.tokenize(text) == ["Ms. Sahebeh Ghaffarova met Dr. Mohammad Baqer Qalibaf on Dec. 5.",
                                  "It lasted 3.5 hours."]


def test_unknown_punkt_language_names_available_ones():
    with pytest.raises(resources.MissingResourceError, match="available: .*english"):
        resources.punkt_tokenizer("klingon")


def test_vader_lexicon_comes_from_vadersentiment():
    path = resources.vader_lexicon_path()
    assert path.parent.name == "vaderSentiment"
    assert "good\t1.9" in path.read_text(encoding="utf-8")


def test_resources_need_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("diplo tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    resources.punkt_tokenizer.cache_clear()
    assert resources.punkt_tokenizer().tokenize("One. Two.") == ["One.", "Two."]


def test_missing_data_file_says_how_to_fix():
    with pytest.raises(resources.MissingResourceError, match="reinstall diplo"):
        resources.data_path("no-such-file.yml")


@pytest.mark.parametrize("name, lists", [
    ("negation.yml", ("negators", "hedges", "scope_breaks")),
    ("diplomatic_scope.yml", ("negating_verbs", "appeals", "scope_blockers")),
    ("attribution.yml", ("speech_verbs", "subject_fillers")),
])
def test_packaged_word_lists_load(name, lists):
    loaded = load_word_lists(name, lists=lists)
    assert list(loaded) == list(lists) and all(len(v) > 5 for v in loaded.values())


@pytest.mark.parametrize("text, message", [
    ("negators:\n  - not\n  - never\n  - not\n", r"line 4: duplicate term 'not' in 'negators' \(first at line 2\)"),
    ("negators:\n  - not\nmaybe:\n  - x\n", r"line 3: unknown word list 'maybe' \(valid: negators, hedges\)"),
    ("negators:\n  - Not\nhedges: [may]\n", r"line 2: term 'Not' of 'negators' must be one non-blank lower-case token"),
    ("negators:\n  - no way\nhedges: [may]\n", r"line 2: term 'no way' .* one non-blank lower-case token"),
    ("negators:\n  - on\nhedges: [may]\n", r"line 2: term 'on' of 'negators' is not a string \(quote it\)"),
    ("negators:\n  - ''\nhedges: [may]\n", r"line 2: term '' .* non-blank"),
    ("negators: not\nhedges: [may]\n", r"line 1: 'negators' must be a list of terms"),
    ("negators: [not]\n", r"missing word list\(s\) hedges"),
    ("- not\n", r"line 1: expected a mapping of list name to terms"),
    ("negators: [not\n", r"invalid YAML"),
])
def test_word_list_errors_name_the_line(tmp_path, text, message):
    path = tmp_path / "lists.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WordListError, match=message):
        load_word_lists(path, lists=("negators", "hedges"))
