"""Split clean article text into paragraphs and sentences with character offsets.

Paragraphs are blocks separated by a blank line; sentences come from Punkt (parameters from
:func:`diplo.resources.punkt_tokenizer`).  Offsets index the clean text, so
``text[start:end] == sentence`` always holds.  A "sentence" longer than ``max_chars`` (a table or a
list without full stops) is split at the last whitespace before the limit, with a warning, so one
pathological sentence cannot dominate scoring time or memory.
"""

from __future__ import annotations

import logging
import re
from typing import Iterator

from diplo.resources import punkt_tokenizer

__all__ = ["iter_sentences", "SENTENCE_COLUMNS", "MAX_SENTENCE_CHARS"]

log = logging.getLogger(__name__)

SENTENCE_COLUMNS = ["doc_id", "sent_id", "para_id", "start", "end", "text"]
MAX_SENTENCE_CHARS = 5_000
_PARA = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]*)*")
_LAST_SPACE = re.compile(r"\s(?=\S*$)")


def _split_long(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    while end - start > max_chars:
        window = text[start:start + max_chars]
        cut = _LAST_SPACE.search(window)
        stop = start + (cut.start() if cut and cut.start() > 0 else max_chars)
        yield start, stop
        start = stop
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


def iter_sentences(text: str, *, max_chars: int = MAX_SENTENCE_CHARS, label: str = "",
                   ) -> Iterator[tuple[int, int, int, str]]:
    """Yield ``(para_id, start, end, sentence)`` with offsets into ``text``.

    Parameters
    ----------
    text : clean article text.
    max_chars : longest sentence kept whole; longer ones are split at whitespace (warning logged).
    label : name used in warnings (the article's doc_id).
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be a positive integer, got {max_chars!r}")
    tokenizer = punkt_tokenizer()
    for para_id, para in enumerate(_PARA.finditer(text)):
        base = para.start()
        for start, end in tokenizer.span_tokenize(para.group()):
            start, end = base + start, base + end
            if end - start > max_chars:
                log.warning("%s: sentence at offset %d is %d characters, over max_sentence_chars=%d; "
                            "split at whitespace", label or "text", start, end - start, max_chars)
                pieces = _split_long(text, start, end, max_chars)
            else:
                pieces = ((start, end),)
            for s, e in pieces:
                sentence = text[s:e]
                if sentence.strip():
                    yield para_id, s, e, sentence
