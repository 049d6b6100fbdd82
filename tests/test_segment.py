"""diplo.segment: sentence offsets, paragraph ids, and the sentence length limit."""

from __future__ import annotations

import logging

import pytest

from diplo.segment import iter_sentences


def test_offsets_and_paragraphs():
    text = "Iran and Azerbaijan met. They talked.\n\nMr. Aliyev spoke in Baku. He smiled."
    sents = list(iter_sentences(text))
    assert [(p, t) for p, _, _, t in sents] == [
        (0, "Iran and Azerbaijan met."), (0, "They talked."), (1, "Mr. Aliyev spoke in Baku."), (1, "He smiled.")]
    for _, start, end, sentence in sents:
        assert text[start:end] == sentence


def test_long_sentence_is_split_at_whitespace_with_a_warning(caplog):
    text = "Intro sentence here. " + " ".join(["word"] * 300) + "."
    with caplog.at_level(logging.WARNING):
        sents = list(iter_sentences(text, max_chars=100, label="doc-7"))
    assert all(end - start <= 100 for _, start, end, _ in sents)
    assert all(text[s:e] == t and not t[0].isspace() for _, s, e, t in sents)
    assert "".join(t.replace(" ", "") for _, _, _, t in sents) == text.replace(" ", "")
    assert "doc-7: sentence at offset 21 is" in caplog.text and "max_sentence_chars=100" in caplog.text


def test_text_without_spaces_is_cut_hard():
    text = "x" * 250
    assert [(s, e) for _, s, e, _ in iter_sentences(text, max_chars=100)] == [(0, 100), (100, 200), (200, 250)]


def test_max_chars_must_be_positive():
    with pytest.raises(ValueError, match="max_chars must be a positive integer, got 0"):
        list(iter_sentences("x", max_chars=0))
