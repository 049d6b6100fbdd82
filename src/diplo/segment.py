"""Split clean article text into paragraphs and sentences with character offsets."""

from __future__ import annotations

import re
from typing import Iterator

from diplo.resources import punkt_tokenizer

__all__ = ["iter_sentences", "SENTENCE_COLUMNS"]

SENTENCE_COLUMNS = ["doc_id", "sent_id", "para_id", "start", "end", "text"]
_PARA = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]*)*")


def iter_sentences(text: str) -> Iterator[tuple[int, int, int, str]]:
    """Yield ``(para_id, start, end, sentence)`` with offsets into ``text``."""
    tokenizer = punkt_tokenizer()
    for para_id, para in enumerate(_PARA.finditer(text)):
        base = para.start()
        for start, end in tokenizer.span_tokenize(para.group()):
            sentence = text[base + start:base + end]
            if sentence.strip():
                yield para_id, base + start, base + end, sentence
