from __future__ import annotations

import socket

import pytest

from diplo.io import resources


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
