"""diplo.text.segment: sentence offsets, paragraph ids, and the sentence length limit."""

from __future__ import annotations

import logging

import pytest

from diplo.text.segment import iter_sentences


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


# --------------------------------------------------------------------------- fast Punkt vs nltk (oracle)
# diplo.text.segment reimplements nltk's PunktSentenceTokenizer.span_tokenize (same patterns, same heuristics,
# memoized decisions); nltk's own implementation is the oracle these tests compare against.

_TRICKY = ["Mr.", "Dr.", "U.S.", "U.N.", "J.", "a.", "5.", "1.5", "No.", "etc.", "...", "..", ".", "?", "!", "!!",
           "?!", '"', "'", ")", "(", "]", "[", "\u201c", "\u201d", "\u2018", "\u2019", "\u00ab", "\u00bb", "--", "-",
           ",", ";", ":", "The", "the", "He", "he", "Iran", "iran", "said.", "Said.", "talks.", "Baku.", "Jan.",
           "Inc.", "Co.", "vs.", "e.g.", "i.e.", "In", "in", "It", "A", "a", "B.", "St.", "Gen.", "Sept.", "2023.",
           "$5.", "--.", "x-ray.", "ex-U.S.", "(Photo", "IRNA)", "@", "*", "{", "}", "#", "\u00dc.", "\u00c9",
           "\u00df.", "3.5.", "1,000.", "-5.", "Mrs.", "al.", "p.m.", "a.m.", "Corp.", "Ltd.", "Nos.", "\u2026",
           "\t", "\u00a0", "\x0b", "\x1c", "\u2028", "\n", "\n\n", " ", "   "]


def _random_texts(n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(_TRICKY) + rng.choice(["", " ", " ", " ", "  ", "\n"])
                    for _ in range(rng.randint(1, 14))) for _ in range(n)]


def _seed_paragraphs(raw_dir) -> list[str]:
    from diplo.text.clean import clean_article
    from diplo.text.segment import _PARA

    paras = []
    for path in sorted(raw_dir.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        for text in (raw, clean_article(raw).text):  # raw text too: quotes, dashes and spacing not normalized
            paras += [m.group() for m in _PARA.finditer(text)]
    return paras


def test_fast_punkt_spans_equal_nltk_on_seed_articles(raw_dir):
    from diplo.io.resources import punkt_tokenizer
    from diplo.text.segment import _PunktSpans

    nltk_punkt = punkt_tokenizer()
    fast = _PunktSpans(nltk_punkt)
    paras = _seed_paragraphs(raw_dir)
    assert len(paras) > 50
    for para in paras:
        assert fast(para) == list(nltk_punkt.span_tokenize(para)), para


def test_fast_punkt_equals_nltk_on_random_tricky_texts():
    from diplo.io.resources import punkt_tokenizer
    from diplo.text.segment import _PunktSpans

    nltk_punkt = punkt_tokenizer()
    fast = _PunktSpans(nltk_punkt)
    breaks = 0
    for text in _random_texts(4000, seed=11):
        assert fast(text) == list(nltk_punkt.span_tokenize(text)), text
        decision = nltk_punkt.text_contains_sentbreak(text)
        assert fast._contains_sentbreak(text) == decision, text
        breaks += decision
    assert 500 < breaks < 3500  # both outcomes well exercised


@pytest.mark.parametrize("sep", [" ", "\x1c"])  # U+001C: \s to `re`, not to nltk's `regex` engine
def test_iter_sentences_uses_punkt_spans_per_paragraph(sep):
    from diplo.io.resources import punkt_tokenizer

    text = f"Mr. Aliyev met U.S. officials.{sep}Talks ended\n\nat 5 p.m. He left. (Photo by IRNA.) Next one."
    nltk_punkt = punkt_tokenizer()
    expected = [(p, base + s, base + e) for p, (base, para) in enumerate([(0, text[:42]), (44, text[44:])])
                for s, e in nltk_punkt.span_tokenize(para)]
    assert [(p, s, e) for p, s, e, _ in iter_sentences(text)] == expected
