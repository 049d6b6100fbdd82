"""Chunk tokenization equals tokenizing each text alone, as the matcher always has."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplo.text.corpus import build_corpus
from diplo.io.raw import load_documents
from diplo.scoring._engine.tokens import (_SPACE, SPLIT_TOKEN_PATTERN, TOKEN_PATTERN, PieceIndex, Vocabulary, _Chunks,
                                         _Index, _split_ids, tokenize_texts)


def _alone(text, pattern):
    """Each text tokenized on its own: spans as written, tokens sliced from the lower-cased text (so a
    final sigma is lower-cased in its context), or lower-cased one by one when lower-casing changes the
    text's length (the reference: what the matcher always did)."""
    spans = [m.span() for m in pattern.finditer(text)]
    low = text.lower()
    if len(low) != len(text):
        return spans, [text[s:e].lower() for s, e in spans]
    return spans, [low[s:e] for s, e in spans]


def _check(texts, split=False, table=None):
    table = table or tokenize_texts(texts, Vocabulary(), split_hyphens=split)
    pattern = SPLIT_TOKEN_PATTERN if split else TOKEN_PATTERN
    assert len(table.bounds) == len(texts) + 1
    for r, text in enumerate(texts):
        spans, lows = _alone(text if isinstance(text, str) else "", pattern)
        assert table.spans(r) == spans, (r, text)
        assert table.lows(r) == lows, (r, text)
        assert (table.row[table.bounds[r]:table.bounds[r + 1]] == r).all()
    return table


TRICKY = ["", "   ", "Iran-Azerbaijan ties; 3+3 format, 1,200.5 km.", "İstanbul İzmir talks", "ß and ẞ",
          "Baku\u2019s stance\nTehran's reply", "ΟΔΟΣ ΣΟΦΟΣ", "2-3.5 km", "North-South-corridor", None, "a\tb\r\nc",
          "1-2,5 and 1-2. and x-2'3.5", "İran-Azerbaijan", "ΟΔΟΣ-ΣΟΦΟΣ Z.Σ", "a-b-c--d-"]


def test_chunk_equals_each_text_alone_on_tricky_texts():
    _check(TRICKY)
    _check(TRICKY, split=True)


def test_split_hyphens_retokenizes_only_hyphenated_texts():
    table = tokenize_texts(TRICKY, Vocabulary())
    split = table.split_hyphens()
    for r, text in enumerate(TRICKY):
        spans, lows = _alone(text if isinstance(text, str) else "", SPLIT_TOKEN_PATTERN)
        assert split.spans(r) == spans and split.lows(r) == lows
    plain = tokenize_texts(["no hyphen here"], Vocabulary())
    assert plain.split_hyphens().ids is plain.ids


def test_chunk_equals_each_text_alone_on_the_seeds(raw_dir):
    texts = build_corpus(load_documents(raw_dir, []))["sentences"]["text"].tolist()
    assert len(texts) > 100
    _check(texts)
    _check(texts, split=True)


def test_ids_are_stable_across_chunks():
    vocab = Vocabulary()
    a = tokenize_texts(["Iran and Azerbaijan"], vocab)
    b = tokenize_texts(["azerbaijan, IRAN"], vocab)
    assert vocab.strings[int(b.ids[0])] == "azerbaijan" and b.ids[2] == a.ids[0]


def test_lower_casing_never_moves_a_token_boundary():
    # why the chunk is split lower-cased: no character changes class (\w, \d, \s) when lower-cased alone,
    # and none lower-cases into the punctuation the patterns treat specially
    classes = [re.compile(p) for p in (r"\w", r"\d", r"\s")]
    special = set("-'\u2019.,")
    for cp in range(0, sys.maxunicode + 1, 1):
        c = chr(cp)
        low = c.lower()
        if len(low) != 1:
            continue
        assert all(bool(p.match(c)) == bool(p.match(low)) for p in classes), hex(cp)
        assert low not in special or c in special, hex(cp)


def test_whitespace_is_the_same_for_str_split_and_the_patterns():
    # why a text can be cut at whitespace by str.split() and each piece tokenized alone: the patterns'
    # \s is str.isspace(), no token contains it, and the code point table stops at the last space (U+3000)
    space = re.compile(r"\s")
    for cp in range(0, sys.maxunicode + 1, 1):
        c = chr(cp)
        assert bool(space.match(c)) == c.isspace() == bool(_SPACE[cp] if cp < len(_SPACE) else False), hex(cp)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t\u00a0\u3000\x1c\x85\u2028\u2029\u200béİ\ud800\U0001f600\u07ff\u0800")),
               max_size=60))
def test_piece_ids_are_the_pieces_of_str_split(text):
    index = _Index()
    index["b"]  # a piece already known
    ids = _split_ids(text, index)
    assert ids.dtype == np.int64 and [index.strings[i] for i in ids.tolist()] == text.split()
    assert "" not in index


def test_a_piece_lower_cases_as_in_its_text():
    # why each whitespace-separated piece can be lower-cased alone (the piece index): the context that makes a
    # capital sigma final ends at whitespace, as no whitespace character is cased or case-ignorable
    for w in (chr(cp) for cp in range(len(_SPACE)) if _SPACE[cp]):
        for text in ("ΑΣ" + w + "Α", "Α" + w + "Σ", "Α'" + w + "Σ'Α", "ΑΣ'" + w + "'Α", "Σ" + w + "Σ"):
            assert text.lower().split() == [p.lower() for p in text.split()], (hex(ord(w)), text)


def test_pieces_of_the_same_text_are_split_once():
    text = "Iran's talks.\nNo swap"
    pieces = PieceIndex()
    ids = pieces.ids(text)
    assert pieces.ids(text) is ids and pieces.ids(text[:]) is ids  # equal text: the remembered split
    assert [pieces.strings[i] for i in ids.tolist()] == text.split()
    assert not ids.flags.writeable


def test_each_vocabulary_owns_its_piece_index():
    vocab, other = Vocabulary(), Vocabulary()
    tokenize_texts(["Iran's talks."], vocab)
    assert vocab.pieces is not other.pieces and vocab.pieces.strings == ["Iran's", "talks."]
    assert other.pieces.strings == []


def test_piece_index_starts_afresh_when_full(monkeypatch):
    vocab = Vocabulary()
    first = tokenize_texts(TRICKY, vocab)
    monkeypatch.setattr(PieceIndex, "LIMIT", 3)
    generation = vocab.pieces.generation
    tokenize_texts(["talks"], vocab)
    assert vocab.pieces.generation == generation + 1 and vocab.pieces.strings == ["talks"]
    again = tokenize_texts(TRICKY, vocab)  # the vocabulary's piece -> chunk map is rebuilt
    np.testing.assert_array_equal(first.ids, again.ids)
    _check(TRICKY, table=again)


def test_chunk_cache_is_dropped_when_full(monkeypatch):
    vocab = Vocabulary()
    monkeypatch.setattr(_Chunks, "LIMIT", 3)
    first = tokenize_texts(TRICKY, vocab)
    assert len(vocab._chunks[False].index) > 3
    tokenize_texts(["talks"], vocab)
    assert list(vocab._chunks[False].index) == ["talks"]
    again = tokenize_texts(TRICKY, vocab)
    np.testing.assert_array_equal(first.ids, again.ids)  # token ids outlive the chunk cache
    _check(TRICKY, table=again)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("aZ İß-'\u2019.,!3 \n\tΣ\u00a0\u3000\x1c\x85")), max_size=30),
                max_size=6))
def test_chunk_equals_each_text_alone_property(texts):
    _check(texts)
    _check(texts, split=True)
    vocab = Vocabulary()
    tokenize_texts(texts[::-1], vocab)  # pieces of hyphenated tokens are cached per type: reuse them
    _check(texts, split=True, table=tokenize_texts(texts, vocab).split_hyphens())
    np.testing.assert_array_equal(tokenize_texts(texts, Vocabulary()).split_hyphens().bounds,
                                  tokenize_texts(texts, Vocabulary(), split_hyphens=True).bounds)


@pytest.mark.parametrize("text, tokens", [
    ("آنها می\u200cخواهند بروند", ["آنها", "می\u200cخواهند", "بروند"]),  # ZWNJ inside a Persian word
    ("\u200cStart and end\u200c", ["\u200c", "start", "and", "end", "\u200c"]),  # not inside a word: a mark
])
def test_persian_words_stay_whole_at_the_zero_width_non_joiner(text, tokens):
    from diplo.scoring._engine.tokens import Vocabulary, tokenize_texts

    assert tokenize_texts([text], Vocabulary()).lows(0) == tokens
