"""Cleaning: small ``str -> str`` steps composed by one pipeline maker, plus boilerplate line removal.

A researcher can drop or add a step::

    steps = [s for s in DEFAULT_STEPS if s is not normalize_quotes]
    clean = make_pipeline(*steps)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

__all__ = ["normalize_unicode", "normalize_quotes", "normalize_dashes", "normalize_whitespace",
           "make_pipeline", "DEFAULT_STEPS", "BOILERPLATE_RULES", "CleanResult", "clean_article"]


def normalize_unicode(text: str) -> str:
    """NFC-normalize and drop zero-width and control characters (tabs and newlines kept)."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[\u200b-\u200f\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'",
                         "\u201a": "'", "\u00ab": '"', "\u00bb": '"'})


def normalize_quotes(text: str) -> str:
    """Curly and angle quotes to ASCII quotes."""
    return text.translate(_QUOTES)


def normalize_dashes(text: str) -> str:
    """En and em dashes and minus signs to ASCII hyphen-minus."""
    return re.sub(r"[\u2010-\u2015\u2212]", "-", text)


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces within lines; keep paragraphs as single blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def make_pipeline(*steps: Callable[[str], str]) -> Callable[[str], str]:
    """Compose ``str -> str`` steps left to right into one function."""
    def pipeline(text: str) -> str:
        for step in steps:
            text = step(text)
        return text
    return pipeline


DEFAULT_STEPS: tuple[Callable[[str], str], ...] = (normalize_unicode, normalize_quotes,
                                                    normalize_dashes, normalize_whitespace)

# name -> pattern matched against a whole stripped line.
BOILERPLATE_RULES: dict[str, re.Pattern[str]] = {
    "site_chrome": re.compile(r"(?i)^(newsroom logo|last update:.*|news\s*/\s*politics)$"),
    "share_bar": re.compile(r"(?i)^(share this article|press tv news roku)$"),
    "also_read": re.compile(r"(?i)^also read:.*$"),
    "mirror_notice": re.compile(r"(?i)^.*can also be accessed at the following.*$|^www\.\S+$"),
    "photo_caption": re.compile(r"(?i)^.*\(photo by [^)]*\)\.?$"),
    "first_published": re.compile(r"(?i)^first published in .*$"),
    "byline": re.compile(r"(?i)^by:?\s+\S.*$"),
}

# name -> pattern for boilerplate that shares a line with real text (removed as a span, line kept).
BOILERPLATE_SPANS: dict[str, re.Pattern[str]] = {
    "date_header": re.compile(r"(?i)^date\s+\d{4}-\d{2}-\d{2}\s*"),
    "licence_footer": re.compile(r"(?i)\s*all content by [^.]{1,80} is licensed under [^.]{1,120}\.?\s*$"),
}


@dataclass(frozen=True)
class CleanResult:
    text: str
    removed: tuple[tuple[str, str], ...]  # (rule, line)


def clean_article(text: str, *, steps=DEFAULT_STEPS, rules=BOILERPLATE_RULES,
                  spans=BOILERPLATE_SPANS) -> CleanResult:
    """Normalize ``text`` and drop boilerplate lines, recording each removed line and its rule."""
    text = make_pipeline(*steps)(text)
    kept, removed = [], []
    for line in text.split("\n"):
        stripped = line.strip()
        rule = next((name for name, pat in rules.items() if stripped and pat.match(stripped)), None)
        if rule is None:
            for name, pat in spans.items():
                if m := pat.search(line):
                    removed.append((name, m.group().strip()))
                    line = line[:m.start()] + line[m.end():]
            kept.append(line)
        else:
            removed.append((rule, stripped))
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return CleanResult(out, tuple(removed))
