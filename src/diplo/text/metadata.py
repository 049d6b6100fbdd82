"""Article metadata from the text itself: publication date, outlet, author, title, dateline.

Each field comes with its provenance: ``metadata.csv`` (the researcher), ``html``/``table`` (the loader),
``text`` (found here) or ``unknown``.  The rules, in order:

- ``date``: an explicit date in the header area (the first :data:`~diplo.text.clean.HEAD_LINES` non-empty lines):
  a "date 2023-07-06" header, a dateline ("Tehran, 5 October 2023 (TDI):"), a byline date
  ("By X December 7, 2023") or a line holding only a date ("Published: 7 Dec 2023").  Crawl stamps
  ("Last update: July 24, 2024") never count.  Failing those, the date in the first photo caption in
  the header area ("... meet in Baku on December 23, 2021. (Photo by IRNA)"): captions of news photos
  are dated the day of the event, which for wire stories is the publication day or the day before.
  Dates inside the story are never used.  Otherwise unknown.
- ``outlet``: credit lines ("First published in X", "All Content by X is licensed ...", "X's website
  can also be accessed ...", a dateline agency tag "(TDI)") and outlet cues, mapped through
  ``data/outlets.yml``.
- ``author``: the byline ("By: X", "By X December 7, 2023") or an author credit line
  ("X is the foreign media director at ...").
- ``title``: the headline line removed by cleaning (rule ``title``).
- ``dateline``: the place of the dateline.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import yaml

from diplo.text.clean import DATE_PATTERN, HEAD_LINES, Removal
from diplo.text.dates import DateConfig, read_date
from diplo.io.resources import compose_yaml, data_path

__all__ = ["ArticleMeta", "Outlets", "extract_metadata", "load_outlets", "parse_date", "canonical_outlet",
           "outlet_from_url", "BOILERPLATE_SOURCE"]

#: ``outlet_source`` prefix of an outlet read from a line cleaning removed as boilerplate (a licence
#: footer, "First published in", a mirror notice): ``boilerplate:<rule>``.  Such a clue often names the
#: crawler's or syndicator's source rather than the outlet, so it ranks below every other source.
BOILERPLATE_SOURCE = "boilerplate:"

_DATE_IN = re.compile(DATE_PATTERN)

_DATE_HEADER = re.compile(r"(?i)^date\s*:?\s+(\d{4}-\d{2}-\d{2})\b")
_DATELINE = re.compile(rf"^([A-Z][A-Za-z .'-]{{1,40}}),\s+({DATE_PATTERN})\s*(?:\(([A-Za-z]{{2,12}})\))?\s*[:\u2014-]")
_BYLINE = re.compile(rf"^By:?\s+(.+?)(?:,?\s+({DATE_PATTERN}))?$")
_DATE_ONLY = re.compile(rf"(?i)^(?:(?:published|posted|date|dated)\s*(?:on)?\s*:?\s*)?(?:[A-Z][a-z]+day,?\s+)?"
                        rf"({DATE_PATTERN})(?:\s*[-|,]?\s*\d{{1,2}}:\d{{2}}.*)?$")
# a short header line holding a day, a month and a four-digit year in any script ("7 декабря 2023",
# "۱۶ آذر ۱۴۰۲", "07.12.2023"): tried with the configured dateparser languages and order
_DATE_LIKE = re.compile(r"^(?=.*\d)(?=.*(?:\d{4}|[\u06f0-\u06f9\u0660-\u0669]{4})).{6,40}$")
_NUMERIC_DATE = re.compile(r"(?<!\d)\d{1,4}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{1,4}(?!\d)")
_CRAWL_STAMP = re.compile(r"(?i)^(?:last )?(?:update|updated|modified|accessed|retrieved|crawled)\b")
_CREDIT_AUTHOR = re.compile(r"^([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){1,3}) is (?:a|an|the) ")
_OUTLET_CREDITS = (
    re.compile(r"(?i)(?:first|originally) published (?:in|by|on|at) (?:the website of )?(.{2,80}?)\.?$"),
    re.compile(r"(?i)all content by (.{2,80}?) is licensed"),
    re.compile(r"^(.{2,40}?)(?:'s?|’s?) website can also be accessed", re.I),
)
# Words each credit pattern needs.  In ASCII text a case-insensitive match needs them in the lower-cased
# text (outside ASCII, case folding can match other letters, e.g. U+017F long s for s), so credit
# patterns whose words are absent from ASCII lines are not searched.
_CREDIT_WORDS = ("published ", "all content by ", "website can also be accessed")


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
    #: why a date printed in the header was not used (year out of range, ambiguous calendar); else ""
    date_problem: str = ""


@dataclass(frozen=True)
class Outlets:
    """Outlet recognition data: alias (lower case) -> canonical name, and cue phrase -> canonical name."""

    aliases: dict[str, str] = field(default_factory=dict)
    cues: dict[str, str] = field(default_factory=dict)
    #: web domain (lower case, no ``www.``) -> canonical name
    domains: dict[str, str] = field(default_factory=dict)


def load_outlets(path: str | os.PathLike | None = None) -> Outlets:
    """Outlet names, aliases, cues and web domains from YAML (default: the packaged ``outlets.yml``).

    Raises ValueError naming the file and line for bad YAML, unknown keys, or an alias or domain listed
    twice.
    """
    path = Path(path) if path is not None else data_path("outlets.yml")
    root = compose_yaml(path)
    aliases: dict[str, str] = {}
    cues: dict[str, str] = {}
    domains: dict[str, str] = {}
    if root is None:
        return Outlets()
    if not isinstance(root, yaml.MappingNode):
        raise ValueError(f"{path} line {root.start_mark.line + 1}: expected 'Outlet name: {{aliases: [...]}}'")
    for key, value in root.value:
        name, line = str(key.value).strip(), key.start_mark.line + 1
        if not name:
            raise ValueError(f"{path} line {line}: blank outlet name")
        if name.lower() in aliases:
            raise ValueError(f"{path} line {line}: outlet {name!r} is listed twice")
        aliases[name.lower()] = name
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "null", "~"):
            continue
        if not isinstance(value, yaml.MappingNode):
            raise ValueError(f"{path} line {line}: {name!r} must map to aliases/cues/domains lists")
        for k, v in value.value:
            where = f"{path} line {k.start_mark.line + 1}"
            if k.value not in ("aliases", "cues", "domains"):
                raise ValueError(f"{where}: unknown key {k.value!r} under {name!r}; "
                                 "valid: ['aliases', 'cues', 'domains']")
            if not isinstance(v, yaml.SequenceNode):
                raise ValueError(f"{where}: {k.value} of {name!r} must be a list")
            for item in v.value:
                term = str(item.value).strip()
                if not term:
                    raise ValueError(f"{path} line {item.start_mark.line + 1}: blank {k.value} entry under {name!r}")
                table, key_ = {"aliases": (aliases, term.lower()), "cues": (cues, term),
                               "domains": (domains, _bare_domain(term))}[k.value]
                if key_ in table and table[key_] != name:
                    raise ValueError(f"{path} line {item.start_mark.line + 1}: {term!r} already names "
                                     f"{table[key_]!r}")
                table[key_] = name
    return Outlets(aliases, cues, domains)


def _bare_domain(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def outlet_from_url(url: str, outlets: Outlets | None = None) -> str | None:
    """The outlet whose ``domains`` (``data/outlets.yml``) hold the URL's host or a parent domain of it.

    Examples
    --------
    >>> outlet_from_url("https://www.tehrantimes.com/news/490123/x")
    'Tehran Times'
    """
    from urllib.parse import urlsplit

    outlets = outlets or _default_outlets()
    value = url.strip()
    if not value:
        return None
    try:
        host = urlsplit(value if "//" in value else "//" + value).hostname or ""
    except ValueError:
        return None
    parts = _bare_domain(host).split(".")
    for i in range(len(parts) - 1):
        if (name := outlets.domains.get(".".join(parts[i:]))) is not None:
            return name
    return None


@functools.lru_cache(maxsize=1)
def _default_outlets() -> Outlets:
    return load_outlets()


def canonical_outlet(name: str, outlets: Outlets | None = None) -> str:
    """The canonical outlet name for ``name`` (unknown names are returned stripped, as printed)."""
    outlets = outlets or _default_outlets()
    name = re.sub(r"\s+", " ", name).strip(" .,:;")
    return outlets.aliases.get(name.lower(), name)


def parse_date(value: str, config: DateConfig = DateConfig()) -> str | None:
    """An ISO ``YYYY-MM-DD`` date from a printed date, or None when it is not a real, complete date.

    See :func:`diplo.text.dates.read_date` (which also says why a date was refused) for the rules and
    ``config`` (order of all-numeric dates, languages of month names).

    Examples
    --------
    >>> parse_date("December 7, 2023"), parse_date("2023-02-30")
    ('2023-12-07', None)
    """
    return read_date(value, config)[0]


def _header_date(head: Sequence[str], config: DateConfig) -> tuple[str | None, str | None, str | None, str]:
    """(date, dateline place, dateline agency tag, why a printed date was refused) from the header lines."""
    problem = ""
    for line in head:
        if _CRAWL_STAMP.match(line):
            continue
        for pattern, group in ((_DATE_HEADER, 1), (_DATELINE, 2), (_BYLINE, 2), (_DATE_ONLY, 1), (_DATE_LIKE, 0)):
            if (m := pattern.match(line)) and m[group]:
                values = [m[group]]
                if pattern is _DATE_LIKE and (core := _NUMERIC_DATE.search(line)):
                    values.insert(0, core.group())  # "Published: 07.12.2023": the date without its label
                for value in values:
                    date, why = read_date(value, config)
                    if date:
                        return (date, m[1].strip(), m[3], problem) if pattern is _DATELINE else (date, None, None,
                                                                                                 problem)
                    problem = problem or why
    return None, None, None, problem


def extract_metadata(text: str, *, removed: Sequence[Removal] = (), outlets: Outlets | None = None,
                     dates: DateConfig = DateConfig()) -> ArticleMeta:
    """Find date, outlet, author, title and dateline in normalized article ``text``.

    Parameters
    ----------
    text : the article after normalization, before boilerplate removal (bylines and credits are there).
    removed : what boilerplate removal took out of ``text`` (titles, bylines, captions, credits).
    outlets : outlet recognition data; default ``data/outlets.yml``.
    dates : how printed dates are read (see :class:`diplo.text.dates.DateConfig`).

    The outlet's source is ``text``, or ``boilerplate:<rule>`` when the credit line holding it was removed
    by that cleaning rule (see :data:`BOILERPLATE_SOURCE`).
    """
    outlets = outlets or _default_outlets()
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    head = lines[:HEAD_LINES]
    date, dateline, agency, date_problem = _header_date(head, dates)
    if date is None:
        head_limit = _head_line_index(text)
        for rem in removed:
            if rem.rule == "photo_caption" and rem.line <= head_limit and (m := _DATE_IN.search(rem.text)):
                if date := parse_date(m.group(), dates):
                    break
    author = None
    for rem in removed:
        if rem.rule == "byline" and (m := _BYLINE.match(rem.text)):
            author = m[1].strip(" ,")
            break
        if rem.rule == "author_credit" and (m := _CREDIT_AUTHOR.match(rem.text)):
            author = m[1]
            break
    title = next((rem.text for rem in removed if rem.rule == "title"), None)
    outlet, clue = _outlet_clue(lines, agency, outlets)
    outlet_source = "text" if outlet else "unknown"
    if clue:
        rule = next((rem.rule for rem in removed if clue in rem.text), None)
        if rule is not None:
            outlet_source = BOILERPLATE_SOURCE + rule
    return ArticleMeta(
        date=date, date_source="text" if date else "unknown",
        outlet=outlet, outlet_source=outlet_source,
        author=author, author_source="text" if author else "unknown",
        title=title, title_source="text" if title else "unknown",
        dateline=dateline, date_problem="" if date else date_problem,
    )


def _head_line_index(text: str) -> int:
    """0-based index (in ``text.split('\\n')``) of the last line of the header area."""
    count = 0
    for index, line in enumerate(text.split("\n")):
        if line.strip():
            count += 1
            if count == HEAD_LINES:
                return index
    return index if text else 0


def _find_outlet(lines: Sequence[str], agency: str | None, outlets: Outlets) -> str | None:
    return _outlet_clue(lines, agency, outlets)[0]


def _outlet_clue(lines: Sequence[str], agency: str | None, outlets: Outlets) -> tuple[str | None, str | None]:
    """(outlet, the text that named it) from credit lines, the dateline agency tag or a cue."""
    # credits sit at the end of an article, sometimes at the top
    candidates = [*reversed(lines[-HEAD_LINES:]), *lines[:HEAD_LINES]]
    joined = "\n".join(candidates)
    if joined.isascii():
        lowered = joined.lower()
        patterns = [p for p, words in zip(_OUTLET_CREDITS, _CREDIT_WORDS) if words in lowered]
    else:
        patterns = _OUTLET_CREDITS
    if patterns:
        for line in candidates:
            for pattern in patterns:
                if m := pattern.search(line):
                    return canonical_outlet(m[1], outlets), m.group().strip().rstrip(".")
    if agency and agency.lower() in outlets.aliases:
        return outlets.aliases[agency.lower()], f"({agency})"
    for cue, name in outlets.cues.items():
        # a cue within one line is within the joined lines, and (no newline in it) the other way round
        if cue in joined if "\n" not in cue else any(cue in line for line in candidates):
            return name, cue
    return None, None
