"""Cleaning: small ``str -> str`` steps composed by one pipeline maker, plus recorded boilerplate removal.

A researcher can drop or add a step or a rule::

    steps = [s for s in DEFAULT_STEPS if s is not normalize_quotes]
    rules = [r for r in BOILERPLATE_RULES if r.name != "title"]
    result = clean_article(raw_text, steps=steps, rules=rules)
    result.text       # the clean text
    result.removed    # every removed line or span, with the rule that removed it

Normalization steps run first (so rules see ASCII quotes and single spaces), then boilerplate rules.
Every removal is kept as a :class:`Removal` so the corpus notebook can show a per-article cleaning diff
(``OUT/removed.parquet``).  Decisions, each with its rule name:

- Bylines ("By: X", "By X December 7, 2023") and author credit lines at the end of a paragraph
  ("X is the foreign media director at ...") are not story text: they are removed and become the
  article's ``author`` (see :mod:`diplo.text.metadata`).
- A dateline prefix ("Tehran, 5 October 2023 (TDI): ") and a "date 2023-07-06" header are removed as
  spans; the rest of their line stays.  The place and date go to ``dateline`` and ``date``.
- The first line, when it looks like a headline (short, no final full stop, its own paragraph, more text
  after it), is removed with rule ``title`` and becomes the article's ``title``.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Literal, Sequence

import yaml

from diplo.io.resources import compose_yaml, data_path

__all__ = ["normalize_unicode", "normalize_quotes", "normalize_dashes", "normalize_whitespace",
           "canonicalize_spellings", "make_spelling_step", "load_spellings", "make_pipeline",
           "DEFAULT_STEPS", "BoilerplateRule", "BOILERPLATE_RULES", "Removal", "CleanResult",
           "remove_boilerplate", "clean_article", "HEAD_LINES", "DATE_PATTERN"]

#: Lines (non-empty) that count as the header area of an article.
HEAD_LINES = 12

_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
#: A written-out date: "December 7, 2023", "5 October 2023", "2023-07-06".
DATE_PATTERN = (rf"(?:{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}"
                r"|\d{4}-\d{2}-\d{2})")


# ------------------------------------------------------------------------------------------ steps

# U+200C/U+200D (zero-width non-joiner/joiner) are kept: in Persian they are part of the spelling
# (می‌خواهند), and the tokenizer keeps a word whole across them.
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200e\u200f\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalize_unicode(text: str) -> str:
    """NFC-normalize; drop zero-width spaces, soft hyphens, direction marks and control characters (tabs,
    newlines and the Persian zero-width non-joiner kept)."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


_STRAIGHT_QUOTES = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"',
           "\u00bb": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'"}
_QUOTE_CHARS = re.compile("[" + "".join(_STRAIGHT_QUOTES) + "]")


def normalize_quotes(text: str) -> str:
    """Curly, angle and prime quotes to ASCII quotes."""
    if text.isascii():  # O(1) in CPython; every character replaced here is non-ASCII
        return text
    # re.sub touches only the quotes; str.translate with a dict is several times slower on long text.
    return _QUOTE_CHARS.sub(lambda m: _STRAIGHT_QUOTES[m.group()], text)


_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def normalize_dashes(text: str) -> str:
    """Hyphen, en and em dashes and minus signs to ASCII hyphen-minus."""
    return text if text.isascii() else _DASHES.sub("-", text)


_OTHER_SPACES = "\t\u00a0\u2000-\u200a\u202f\u205f\u3000"
_SPACES = re.compile(f"[ {_OTHER_SPACES}]+")
# The same replacements as _SPACES.sub(" ", ...) without matching each single space (replacing it is a
# no-op): every run of two or more, and every run holding another space character, matched whole.
_SPACE_RUNS = re.compile(f"  [ {_OTHER_SPACES}]*| ?[{_OTHER_SPACES}][ {_OTHER_SPACES}]*")
_ASCII_SPACE_RUNS = re.compile("  +")
_BLANK_LINES = re.compile("\n\n\n+")  # = \n{3,}, but a literal prefix lets re skip ahead


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces within lines; keep paragraphs as single blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    if text.isascii():  # the only ASCII space characters in _SPACES are space and tab
        text = _ASCII_SPACE_RUNS.sub(" ", text.replace("\t", " "))
    else:
        text = _SPACE_RUNS.sub(" ", text)
    # runs never span a newline, so stripping after the whole-text collapse equals collapsing per line
    text = "\n".join(map(str.strip, text.split("\n")))
    return _BLANK_LINES.sub("\n\n", text).strip()


def load_spellings(path: str | os.PathLike | None = None) -> dict[str, str]:
    """Variant -> canonical spelling from a YAML file (default: the packaged ``spellings.yml``).

    The file maps each canonical spelling to a list of variants.  Raises ValueError naming the file and
    line for bad YAML, a blank entry, or a variant listed twice.
    """
    path = Path(path) if path is not None else data_path("spellings.yml")
    root = compose_yaml(path)
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ValueError(f"{path} line {root.start_mark.line + 1}: expected 'Canonical: [variants]' entries")
    out: dict[str, str] = {}
    for key, value in root.value:
        line = key.start_mark.line + 1
        canonical = str(key.value).strip()
        if not isinstance(value, yaml.SequenceNode) or not canonical:
            raise ValueError(f"{path} line {line}: {canonical!r} must map to a list of variant spellings")
        for item in value.value:
            variant = str(item.value).strip()
            where = f"{path} line {item.start_mark.line + 1}"
            if not variant or not isinstance(item, yaml.ScalarNode):
                raise ValueError(f"{where}: blank or non-text variant under {canonical!r}")
            if variant in out:
                raise ValueError(f"{where}: variant {variant!r} is listed twice (also under {out[variant]!r})")
            if variant != canonical:
                out[variant] = canonical
    return out


_WORD_OR_HYPHEN = re.compile(r"[\w-]")


def make_spelling_step(spellings: dict[str, str]) -> Callable[[str], str]:
    """A ``str -> str`` step replacing whole-word variants by their canonical spelling."""
    if not spellings:
        return lambda text: text
    variants = sorted(spellings, key=len, reverse=True)
    lookup = {re.sub(r"\s+", " ", v): c for v, c in spellings.items()}
    # Whole words: not preceded by a word character or hyphen, not followed by one.  The "not preceded"
    # test is done in Python on each candidate: a pattern starting with a lookbehind makes re test every
    # position of the text, one without lets it skip to the possible first characters.
    find = re.compile("(?:" + "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in variants) + r")(?![\w-])").search

    def canonicalize(text: str) -> str:
        pieces, done, pos = [], 0, 0
        while m := find(text, pos):
            start = m.start()
            if start and _WORD_OR_HYPHEN.match(text, start - 1):
                pos = start + 1
                continue
            pieces += (text[done:start], lookup[re.sub(r"\s+", " ", m.group())])
            done = pos = m.end()
        return "".join((*pieces, text[done:])) if pieces else text

    canonicalize.__name__ = "canonicalize_spellings"
    return canonicalize


@functools.lru_cache(maxsize=1)
def _default_spelling_step() -> Callable[[str], str]:
    return make_spelling_step(load_spellings())


def canonicalize_spellings(text: str) -> str:
    """Variant spellings of names to one canonical form (``data/spellings.yml``)."""
    return _default_spelling_step()(text)


def make_pipeline(*steps: Callable[[str], str]) -> Callable[[str], str]:
    """Compose ``str -> str`` steps left to right into one function."""
    def pipeline(text: str) -> str:
        for step in steps:
            text = step(text)
        return text
    return pipeline


DEFAULT_STEPS: tuple[Callable[[str], str], ...] = (normalize_unicode, normalize_quotes, normalize_dashes,
                                                    normalize_whitespace, canonicalize_spellings)


# ------------------------------------------------------------------------------------ boilerplate

@dataclass(frozen=True)
class BoilerplateRule:
    """One boilerplate pattern.

    ``kind="line"`` removes a whole line the pattern matches (``fullmatch`` on the stripped line);
    ``kind="span"`` removes the matched span and keeps the rest of the line; ``kind="repeat"`` (rule
    ``repeat``, run after all others) removes a paragraph or a sentence that already occurred earlier in
    the article, ``pattern`` finding the sentences of a line.  ``where="head"`` limits the
    rule to the first :data:`HEAD_LINES` non-empty lines.  ``hints`` (lower case), when given, are a
    cheap pre-check: the rule is tried only on lines containing one of them.
    """

    name: str
    pattern: re.Pattern[str]
    kind: Literal["line", "span", "repeat"] = "line"
    where: Literal["any", "head"] = "any"
    hints: tuple[str, ...] = ()

    def applies(self, lowered: str, head: bool) -> bool:
        return (head or self.where == "any") and (not self.hints or any(h in lowered for h in self.hints))


_NAME = r"[A-Z][\w.'-]*(?:\s+(?:[A-Z][\w.'-]*|de|al|el|van|von|bin))*"
_BYLINE_NAME = rf"(?:{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)"

BOILERPLATE_RULES: tuple[BoilerplateRule, ...] = (
    BoilerplateRule("site_chrome", re.compile(
        r"(?i)newsroom logo|skip to (?:main )?content|advertisement|(?:last )?updated?\s*:?\s.*\d{4}.*"
        r"|print(?: this (?:article|page))?|font size.*")),
    BoilerplateRule("breadcrumb", re.compile(
        r"[A-Z][\w&'-]*(?: [\w&'-]+){0,2}(?:\s*[/>»|]\s*[A-Z][\w&'-]*(?: [\w&'-]+){0,2}){1,3}"), where="head"),
    BoilerplateRule("share_bar", re.compile(
        r"(?i)share this (?:article|story|page|post)|share on (?:facebook|twitter|x|whatsapp|telegram)"
        r"|press tv news roku|follow us on .{1,60}")),
    BoilerplateRule("also_read", re.compile(r"(?i)(?:also read|read also|read more|see also|related)\s*:.*")),
    BoilerplateRule("mirror_notice", re.compile(
        r"(?i).*\bcan also be accessed at\b.*|(?:https?://|www\.)\S+"), hints=("accessed", "www.", "http")),
    BoilerplateRule("photo_caption", re.compile(
        r"(?i).*\((?:file )?(?:photo|photograph|image|picture)(?:\s*(?:by|credit|courtesy|via|:)[^)]*)?\)\.?"
        r"|(?:file )?(?:photo|image|picture)\s*(?:by|credit|courtesy)?\s*:.*"
        r"|.{20,600}[.!?]\s+/\s+[A-Z][\w.-]*(?: [\w.-]+){0,4}"),
        hints=("photo", "image", "picture", " / ")),
    BoilerplateRule("first_published", re.compile(r"(?i)(?:first|originally) published (?:in|by|on|at) .{1,120}")),
    BoilerplateRule("licence_footer", re.compile(
        r"(?i)(?:^|\s+)all content by .{1,80}? is licensed under .{1,160}?(?:\.|$)\s*$"
        r"|(?:^|\s+)(?:copyright\s*)?(?:©|\(c\))\s*.{0,80}all rights reserved\.?\s*$"), kind="span",
        hints=("licensed", "reserved")),
    BoilerplateRule("byline", re.compile(rf"By:?\s+{_BYLINE_NAME}(?:,?\s+{DATE_PATTERN})?")),
    BoilerplateRule("author_credit", re.compile(
        r"(?:^|(?<=[.!?\"']\s))[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){1,3} is (?:a|an|the) [^.!?\n]{0,160}?\b"
        r"(?:director|editor|correspondent|analyst|journalist|writer|researcher|professor|fellow|reporter"
        r"|contributor|columnist|lecturer|expert|commentator)\b[^.!?\n]{0,160}\.\s*$"), kind="span",
        hints=(" is a", " is the", " is an")),
    BoilerplateRule("date_header", re.compile(r"(?i)^date\s*:?\s+\d{4}-\d{2}-\d{2}\b\s*"), kind="span",
                    where="head"),
    BoilerplateRule("dateline", re.compile(
        rf"^[A-Z][A-Za-z .'-]{{1,40}},\s+{DATE_PATTERN}\s*(?:\([A-Za-z]{{2,12}}\))?\s*[:\u2014-]\s*"),
        kind="span", where="head"),
    BoilerplateRule("title", re.compile(r"[A-Z0-9\"'].{5,200}(?<![.,;:])"), where="head"),
    # a sentence: up to a full stop, question or exclamation mark (with closing quotes or brackets)
    # followed by a space or the line's end
    BoilerplateRule("repeat", re.compile(r"\S.*?(?:[.!?\u061f\u06d4]+[\"')\]]*(?=\s|$)|$)"), kind="repeat"),
)

#: A repeated sentence shorter than this many words is kept ("He added.", "Yes." can recur honestly).
MIN_REPEAT_WORDS = 3
_FOLD_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Removal:
    """One piece of text removed by cleaning: the rule, the text, and its 0-based line in the input."""

    rule: str
    text: str
    line: int


@dataclass(frozen=True)
class CleanResult:
    text: str
    removed: tuple[Removal, ...]


def _any_in(hints: tuple[str, ...], lowered: str) -> bool:
    for hint in hints:
        if hint in lowered:
            return True
    return False


def _is_headline(line: str, lines: Sequence[str], index: int) -> bool:
    # A headline stands alone (blank line or end after it), is short, and more text follows.
    words = len(line.split())
    alone = index + 1 < len(lines) and not lines[index + 1].strip()
    more = any(ln.strip() for ln in lines[index + 2:])
    return 3 <= words <= 25 and alone and more


def remove_boilerplate(text: str, *, rules: Iterable[BoilerplateRule] = BOILERPLATE_RULES) -> CleanResult:
    """Drop boilerplate lines and spans from normalized ``text``, recording each removal and its rule.

    The ``title`` rule applies only to the first line left after the other rules, and only when that
    line looks like a headline.
    """
    rules = tuple(rules)
    # A hint absent from the whole text is absent from every line: rules none of whose hints occur are
    # skipped outright, the others check only their hints that occur.  (A line's lower case is the same
    # characters as its stretch of the text's lower case, final sigma aside: hints with a sigma stay.)
    lowered_text = text.lower()
    hints = [tuple(h for h in r.hints if h in lowered_text or "\u03c3" in h or "\u03c2" in h) for r in rules]
    # (name, matcher, head only, hints) per rule, so the per-line loop below does no attribute lookups
    line_rules = [(r.name, r.pattern.fullmatch, r.where == "head", found) for r, found in zip(rules, hints)
                  if r.kind == "line" and r.name != "title" and (found or not r.hints)]
    span_rules = [(r.name, r.pattern.search, r.where == "head", found) for r, found in zip(rules, hints)
                  if r.kind == "span" and (found or not r.hints)]
    title_rule = next((r for r in rules if r.name == "title"), None)
    repeat_rule = next((r for r in rules if r.kind == "repeat"), None)
    lines = text.split("\n")
    kept: list[str] = []
    kept_at: list[int] = []  # the input line of each kept line
    removed: list[Removal] = []
    seen_nonblank = 0
    title_checked = title_rule is None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            kept.append("")
            kept_at.append(index)
            continue
        head = seen_nonblank < HEAD_LINES
        seen_nonblank += 1
        lowered = stripped.lower()
        for name, fullmatch, head_only, hints in line_rules:
            if (head or not head_only) and (not hints or _any_in(hints, lowered)) and fullmatch(stripped):
                removed.append(Removal(name, stripped, index))
                break
        else:
            for name, search, head_only, hints in span_rules:
                if (head or not head_only) and (not hints or _any_in(hints, lowered)) and (m := search(line)):
                    removed.append(Removal(name, m.group().strip(), index))
                    line = (line[:m.start()] + " " + line[m.end():]).strip()
            if not title_checked and line:
                title_checked = True
                if head and title_rule.pattern.fullmatch(line) and _is_headline(line, lines, index):
                    removed.append(Removal(title_rule.name, line, index))
                    continue
            kept.append(line)
            kept_at.append(index)
    if repeat_rule is not None:
        kept = _remove_repeats(kept, kept_at, repeat_rule, removed)
    out = _BLANK_LINES.sub("\n\n", "\n".join(kept)).strip()
    return CleanResult(out, tuple(removed))


def _remove_repeats(kept: list[str], kept_at: list[int], rule: BoilerplateRule, removed: list[Removal]) -> list[str]:
    """Keep the first occurrence of every paragraph and sentence (of :data:`MIN_REPEAT_WORDS` or more
    words, compared case-insensitively with spaces folded); record each removed run with ``rule``."""
    seen_lines: set[str] = set()
    seen: set[str] = set()
    out = []
    finditer = rule.pattern.finditer
    for line, index in zip(kept, kept_at):
        if not line:
            out.append(line)
            continue
        key = _FOLD_SPACES.sub(" ", line).casefold()
        if key in seen_lines:
            removed.append(Removal(rule.name, line, index))
            continue
        seen_lines.add(key)
        pieces: list[str] = []
        dropped: list[str] = []
        changed = False
        for m in finditer(line):
            sentence = m.group()
            key = _FOLD_SPACES.sub(" ", sentence).casefold()
            if len(key.split(" ")) < MIN_REPEAT_WORDS or key not in seen:
                seen.add(key)
                if dropped:
                    removed.append(Removal(rule.name, " ".join(dropped), index))
                    dropped = []
                pieces.append(sentence)
            else:
                dropped.append(sentence)
                changed = True
        if dropped:
            removed.append(Removal(rule.name, " ".join(dropped), index))
        out.append(" ".join(pieces) if changed else line)
    return out


def clean_article(text: str, *, steps: Sequence[Callable[[str], str]] = DEFAULT_STEPS,
                  rules: Iterable[BoilerplateRule] = BOILERPLATE_RULES) -> CleanResult:
    """Normalize ``text`` with ``steps``, then remove boilerplate with ``rules``.

    Parameters
    ----------
    text : raw article text.
    steps : ``str -> str`` normalization steps, applied in order (default :data:`DEFAULT_STEPS`).
    rules : boilerplate rules (default :data:`BOILERPLATE_RULES`); pass a subset to switch rules off.

    Returns
    -------
    CleanResult with the clean ``text`` and every ``removed`` line or span.

    Examples
    --------
    >>> clean_article("News / Politics\\n\\nIran and Azerbaijan talk trade\\n\\nThe ministers met.").removed[0].rule
    'breadcrumb'
    """
    return remove_boilerplate(make_pipeline(*steps)(text), rules=rules)
