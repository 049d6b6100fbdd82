"""Article metadata from the text itself: publication date, outlet, author, title, dateline.

Each field comes with its provenance: ``metadata.csv`` (the researcher), ``html``/``table`` (the loader),
``text`` (found here) or ``unknown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import dateparser

__all__ = ["ArticleMeta", "extract_metadata"]

_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_DATE_ISO = re.compile(r"^date\s+(\d{4}-\d{2}-\d{2})\b", re.I)
_DATELINE = re.compile(rf"^([A-Z][A-Za-z .'-]+),\s+(\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}|{_MONTHS}\s+\d{{1,2}},\s+\d{{4}})\s*\(([^)]+)\)")
_BYLINE_DATE = re.compile(rf"^By:?\s+(.+?)\s+({_MONTHS}\s+\d{{1,2}},\s+\d{{4}})\s*$")
_BYLINE = re.compile(r"^By:?\s+([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})\s*$")
_CRAWL_STAMP = re.compile(r"(?i)^last update")

_OUTLETS = [
    (re.compile(r"(?i)first published in (tehran times)"), "Tehran Times"),
    (re.compile(r"(?i)\bmehr news agency\b"), "Mehr News Agency"),
    (re.compile(r"(?i)press tv[’']s website|\bpress tv news\b"), "Press TV"),
    (re.compile(r"\(TDI\)"), "The Diplomatic Insight"),
]
_FOOTER_AUTHOR = re.compile(r"^([A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,3}) is the [a-z ]+(?:director|editor|correspondent|analyst)\b")


@dataclass(frozen=True)
class ArticleMeta:
    date: str | None
    date_source: str
    outlet: str | None
    outlet_source: str
    author: str | None
    author_source: str
    title: str | None
    title_source: str
    dateline: str | None


def _parse_date(text: str) -> str | None:
    parsed = dateparser.parse(text, languages=["en"], settings={"STRICT_PARSING": True,
                                                                "PREFER_DAY_OF_MONTH": "first"})
    return parsed.date().isoformat() if parsed else None


def extract_metadata(text: str, *, header_lines: int = 12) -> ArticleMeta:
    """Find date, outlet, author, title and dateline in raw article ``text``.

    Dates are taken only from the header area (first ``header_lines`` non-empty lines) and never from
    a crawl stamp such as "Last update: ...", so a date mentioned inside the story is not mistaken for
    the publication date.
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = lines[:header_lines]
    date = author = title = dateline = None
    for line in head:
        if _CRAWL_STAMP.match(line):
            continue
        if m := _DATE_ISO.match(line):
            date = date or _parse_date(m.group(1))
        elif m := _DATELINE.match(line):
            dateline, date = m.group(1).strip(), date or _parse_date(m.group(2))
        elif m := _BYLINE_DATE.match(line):
            author, date = m.group(1).strip(), date or _parse_date(m.group(2))
    for line in lines:
        if m := _BYLINE.match(line):
            author = author or m.group(1).strip()
        elif m := _FOOTER_AUTHOR.match(line):
            author = author or m.group(1).strip()
    outlet = next((name for pat, name in _OUTLETS if pat.search(text)), None)
    return ArticleMeta(
        date=date, date_source="text" if date else "unknown",
        outlet=outlet, outlet_source="text" if outlet else "unknown",
        author=author, author_source="text" if author else "unknown",
        title=title, title_source="text" if title else "unknown",
        dateline=dateline,
    )
