"""Split clean article text into paragraphs and sentences with character offsets.

Paragraphs are blocks separated by a blank line; sentences come from Punkt (parameters from
:func:`diplo.io.resources.punkt_tokenizer`).  Offsets index the clean text, so
``text[start:end] == sentence`` always holds.  A "sentence" longer than ``max_chars`` (a table or a
list without full stops) is split at the last whitespace before the limit, with a warning, so one
pathological sentence cannot dominate scoring time or memory.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Iterator

from diplo.io.resources import punkt_tokenizer

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


_ASCII_SPACE = tuple(" \t\n\r\x0b\x0c")  # Punkt's notion of whitespace before a candidate (string.whitespace)


def _compiled(pattern):
    # nltk >= 3.9 wraps its patterns in a timeout guard (nltk.redos.TimedPattern); its patterns are fixed and
    # linear, so use the wrapped engine object directly: same engine, same pattern, no per-call wrapper.
    return getattr(pattern, "_rx", pattern)


# Characters that the `regex` engine (nltk >= 3.9) and `re` class differently for \s and \S: `re` takes
# str.isspace(), which includes the information separators U+001C..U+001F.
_ENGINES_DIFFER = "\x1c\x1d\x1e\x1f"
_ENGINES_DIFFER_RE = re.compile(f"[{_ENGINES_DIFFER}]")


def _stdlib_twin(pattern) -> re.Pattern | None:
    """The same pattern compiled by `re` (faster here), when its only class escapes are \\s and \\S (others
    are character codes): on text without :data:`_ENGINES_DIFFER` both engines find the same matches."""
    if isinstance(pattern, re.Pattern):
        return pattern
    flags = re.I | re.M | re.S | re.U | re.X
    extra = pattern.flags & ~flags & ~0x2000  # regex.V0, the default behaviour
    if extra or not set(re.findall(r"\\[A-Za-z]", pattern.pattern)) <= {"\\s", "\\S", "\\u", "\\x"}:
        return None
    return re.compile(pattern.pattern, pattern.flags & flags)


class _PunktSpans:
    """``PunktSentenceTokenizer.span_tokenize`` of one paragraph, the same spans with less overhead.

    nltk's version runs every candidate boundary through four nested generators and builds token objects
    for its context; the sentence-break decision depends only on the context string (the word before the
    candidate, the candidate, the token after it), so it is memoized (a bounded cache).  The candidate
    search, overlap removal and boundary realignment below follow nltk's ``_match_potential_end_contexts``,
    ``_slices_from_text`` and ``_realign_boundaries`` step by step; ``tests/test_segment.py`` checks the
    spans against nltk's own on real and generated articles.
    """

    def __init__(self, tokenizer) -> None:
        from nltk.tokenize import punkt

        lang, params = tokenizer._lang_vars, tokenizer._params
        self._period = _compiled(lang.period_context_re())
        self._period_re = _stdlib_twin(self._period)
        self._realign = _compiled(lang.re_boundary_realignment)
        self._words = _compiled(lang._word_tokenizer_re()).findall
        self._numeric = _compiled(punkt.PunktToken._RE_NUMERIC).sub
        self._ellipsis = _compiled(punkt.PunktToken._RE_ELLIPSIS).match
        self._initial = _compiled(punkt.PunktToken._RE_INITIAL).match
        self._sent_end = tuple(lang.sent_end_chars)
        self._punctuation = tuple(tokenizer.PUNCTUATION)
        self._abbrevs, self._collocations = params.abbrev_types, params.collocations
        self._starters, self._ortho = params.sent_starters, params.ortho_context
        self._lc, self._mid_uc = punkt._ORTHO_LC, punkt._ORTHO_MID_UC
        self._uc, self._beg_lc = punkt._ORTHO_UC, punkt._ORTHO_BEG_LC
        self._decide = functools.lru_cache(maxsize=1 << 16)(self._contains_sentbreak)

    # nltk's text_contains_sentbreak with plain tuples instead of PunktToken objects: tokens, a first
    # pass on each token's type, a second pass on each pair (collocation, orthographic, sentence-starter,
    # initial and number heuristics).  True when a token other than the last ends a sentence.

    def _contains_sentbreak(self, context: str) -> bool:
        if "\n" in context:
            toks = [t for line in context.split("\n") if line.strip() for t in self._words(line)]
        else:
            toks = self._words(context) if context.strip() else []
        if len(toks) < 2:
            return False
        annotated = [self._first_pass(tok) for tok in toks]
        return any(self._second_pass(annotated[i], annotated[i + 1]) for i in range(len(toks) - 1))

    def _first_pass(self, tok: str) -> tuple[str, str, bool, bool]:
        """(token, type, sentence break, abbreviation or ellipsis) from the token alone."""
        typ = self._numeric("##number##", tok.lower())
        if tok in self._sent_end:
            return tok, typ, True, False
        if self._ellipsis(tok):
            return tok, typ, False, True
        if tok.endswith(".") and not tok.endswith(".."):
            stem = tok[:-1].lower()
            if stem in self._abbrevs or stem.split("-")[-1] in self._abbrevs:
                return tok, typ, False, True
            return tok, typ, True, False
        return tok, typ, False, False

    def _second_pass(self, first: tuple[str, str, bool, bool], second: tuple[str, str, bool, bool]) -> bool:
        """Whether ``first`` ends a sentence, given the token after it."""
        tok, typ, sentbreak, abbr = first
        if not tok.endswith("."):
            return sentbreak
        if len(typ) > 1 and typ[-1] == ".":
            typ = typ[:-1]
        next_tok, next_typ, next_break, _ = second
        if next_break and len(next_typ) > 1 and next_typ[-1] == ".":
            next_typ = next_typ[:-1]
        initial = self._initial(tok)
        if (typ, next_typ) in self._collocations:
            return False
        if abbr and not initial:
            if self._starts_sentence(next_tok, next_typ) is True:
                return True
            if next_tok[0].isupper() and next_typ in self._starters:
                return True
        if initial or typ == "##number##":
            starts = self._starts_sentence(next_tok, next_typ)
            if starts is False:
                return False
            if (starts == "unknown" and initial and next_tok[0].isupper()
                    and not self._ortho.get(next_typ, 0) & self._lc):
                return False
        return sentbreak

    def _starts_sentence(self, tok: str, typ: str) -> bool | str:
        # nltk's _ortho_heuristic
        if tok in self._punctuation:
            return False
        context = self._ortho.get(typ, 0)
        if tok[0].isupper() and context & self._lc and not context & self._mid_uc:
            return True
        if tok[0].islower() and (context & self._uc or not context & self._beg_lc):
            return False
        return "unknown"

    def __call__(self, text: str, *, plain: bool | None = None) -> list[tuple[int, int]]:
        """Sentence spans of ``text``; ``plain``: whether it is known to hold none of
        :data:`_ENGINES_DIFFER` (None: look)."""
        decide = self._decide
        # candidates (nltk: _match_potential_end_contexts), kept only where the context breaks a sentence
        breaks: list[tuple[int, int]] = []  # (end of this sentence, start of the next)
        prev = None
        prev_start = prev_stop = 0
        if plain is None:
            plain = _ENGINES_DIFFER_RE.search(text) is None
        period = self._period_re if plain and self._period_re is not None else self._period
        for match in period.finditer(text):
            start = match.start()
            before = text[prev_stop:start]
            space = max(map(before.rfind, _ASCII_SPACE))
            word_start = space + prev_stop + 1 if space > 0 else prev_start
            if prev is not None and prev_stop <= word_start:
                if decide(text[prev_start:prev_stop] + prev.group() + prev.group("after_tok")):
                    breaks.append((prev.end(), prev.start("next_tok") if prev.group("next_tok") else prev.end()))
            prev, prev_start, prev_stop = match, word_start, start
        if prev is not None:
            if decide(text[prev_start:prev_stop] + prev.group() + prev.group("after_tok")):
                breaks.append((prev.end(), prev.start("next_tok") if prev.group("next_tok") else prev.end()))
        # slices (nltk: _slices_from_text), then closing quotes/brackets moved back (_realign_boundaries)
        bounds = []
        last = 0
        for end, nxt in breaks:
            bounds.append((last, end))
            last = nxt
        bounds.append((last, len(text.rstrip())))
        spans: list[tuple[int, int]] = []
        realign = 0
        realign_match = self._realign.match
        for i, (start, stop) in enumerate(bounds):
            start += realign
            if i + 1 == len(bounds):
                if start < stop:
                    spans.append((start, stop))
                break
            next_start, next_stop = bounds[i + 1]
            m = realign_match(text[next_start:next_stop])
            if m:
                spans.append((start, next_start + len(m.group(0).rstrip())))
                realign = m.end()
            else:
                realign = 0
                if start < stop:
                    spans.append((start, stop))
        return spans


@functools.lru_cache(maxsize=4)
def _punkt_spans(language: str = "english") -> _PunktSpans:
    return _PunktSpans(punkt_tokenizer(language))


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
    spans = _punkt_spans()
    plain = _ENGINES_DIFFER_RE.search(text) is None
    for para_id, para in enumerate(_PARA.finditer(text)):
        base = para.start()
        for start, end in spans(para.group(), plain=plain):
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
