"""Corpus helpers: the batch word counter agrees with the one-text regex."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from diplo.corpus import count_words, count_words_many

_chars = st.sampled_from(list("ab1_-' \n\t.,") + ["é", "’", "İ", "٣", "\u00a0"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_chars, max_size=14), max_size=6))
def test_count_words_many_equals_count_words(texts):
    assert count_words_many(texts).tolist() == [count_words(t) for t in texts]


def test_count_words_many_non_strings_count_zero():
    assert count_words_many([None, 3.5, "", "a-b c", "don't-stop x"]).tolist() == [0, 0, 0, 2, 2]
