"""Tabular raw files (``.csv``, ``.tsv``, ``.jsonl``) as a stream of records: the column aliases, explicit
column mappings, the delimiter, and one ``(row number, field values, problem)`` per record, so that every row
becomes a document or a rejected row (:mod:`diplo.io.raw` decides the encoding and builds the documents).
"""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING, Iterator, Mapping

if TYPE_CHECKING:
    from diplo.io.raw import Limits

__all__ = ["FIELDS", "COLUMN_ALIASES", "RejectedFile", "parse_columns", "resolve_columns", "table_delimiter",
           "iter_delimited", "iter_jsonl"]

#: Article fields a tabular file can provide.
FIELDS = ("text", "title", "date", "outlet", "author", "url")
#: Column names recognised for each field (compared case-insensitively, first match wins).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "full_text", "fulltext", "maintext", "article_text"),
    "title": ("title", "headline", "heading"),
    "date": ("date", "published", "pubdate", "pub_date", "publish_date", "published_at", "date_published",
             "publication_date"),
    "outlet": ("outlet", "source", "publisher", "sitename", "site_name", "source_name", "newspaper"),
    "author": ("author", "authors", "byline", "writer"),
    "url": ("url", "link", "source_url", "href"),
}


class RejectedFile(Exception):
    """A file cannot be used; the message is the manifest reason (raised by the readers, caught per file)."""


def parse_columns(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """Explicit column mapping ``field -> column`` from a dict or ``"text=body,date=pubdate"``.

    Raises
    ------
    ValueError
        For an unknown field (the message lists the valid ones) or a malformed pair.
    """
    if spec is None or spec == "":
        return {}
    if isinstance(spec, str):
        pairs = {}
        for item in spec.split(","):
            key, sep, value = item.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise ValueError(f"column mapping {item!r} is not FIELD=COLUMN (e.g. text=body,date=pubdate)")
            pairs[key.strip()] = value.strip()
        spec = pairs
    unknown = sorted(set(spec) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) {unknown} in column mapping; valid fields: {list(FIELDS)}")
    return dict(spec)


def resolve_columns(header: list[str], explicit: Mapping[str, str]) -> dict[str, str]:
    """Map each field to a column of ``header``: explicit mapping first, then common names."""
    lower = {h.strip().lower(): h for h in reversed(header)}
    out = {}
    for name in FIELDS:
        if name in explicit:
            if explicit[name] not in header:
                raise RejectedFile(f"column {explicit[name]!r} given for {name!r} is not in the file; "
                                f"found {header}")
            out[name] = explicit[name]
            continue
        for alias in COLUMN_ALIASES[name]:
            if alias in lower:
                out[name] = lower[alias]
                break
    if "text" not in out:
        raise RejectedFile(f"no text column (looked for {list(COLUMN_ALIASES['text'])}); found {header}; "
                        "name it with --columns text=COLUMN")
    return out


def table_delimiter(head: bytes, encoding: str, suffix: str) -> str:
    """Tab for .tsv; for .csv a comma unless the header line holds more semicolons (European exports)."""
    if suffix == ".tsv":
        return "\t"
    first = head.decode(encoding, errors="ignore").split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def iter_delimited(fh, delimiter: str, explicit: Mapping[str, str], limits: Limits,
                    ) -> Iterator[tuple[int, dict[str, str], str]]:
    """``(row number, field values, problem)`` per data record; the header is checked first."""
    # csv's own field limit would raise mid-file; allow one more char than an article may hold and
    # let the article limit reject the row with a clear reason.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_article_chars + 1))
    reader = csv.reader(fh, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise RejectedFile(f"unreadable header: {exc}") from None
    header = [h.lstrip("\ufeff").strip() for h in header]
    mapping = resolve_columns(header, explicit)
    index = {name: header.index(col) for name, col in mapping.items()}
    number = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield number, {}, f"malformed CSV: {exc}"
            if "field limit" in str(exc):
                # the reader stopped inside a giant field: what follows would be fragments of it
                raise RejectedFile(f"stopped at row {number}: a field longer than the article limit; "
                                "later rows not read") from None
            continue
        if not fields:  # blank line: not a record
            continue
        number += 1
        if len(fields) != len(header):
            yield number, {}, f"row has {len(fields)} fields, the header has {len(header)}"
            continue
        yield number, {name: fields[i] for name, i in index.items()}, ""


def iter_jsonl(fh, explicit: Mapping[str, str], limits: Limits) -> Iterator[tuple[int, dict[str, str], str]]:
    """``(line number, field values, problem)`` per non-blank line; fields are found per object."""
    mappings: dict[tuple[str, ...], dict[str, str] | str] = {}
    # JSON escapes can double a text's length; a longer line is skipped without holding it in memory.
    max_line = 2 * limits.max_article_chars + 65_536
    number = 0
    while line := fh.readline(max_line):
        number += 1
        if len(line) >= max_line and not line.endswith("\n"):
            while (rest := fh.readline(max_line)) and not rest.endswith("\n"):
                pass
            yield number, {}, f"line is longer than {max_line:,} characters (2 x max_article_chars + 64 KiB)"
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, {}, f"invalid JSON: {exc.msg} at column {exc.colno}"
            continue
        if not isinstance(record, dict):
            yield number, {}, f"JSON line is a {type(record).__name__}, not an object"
            continue
        keys = tuple(record)
        if keys not in mappings:
            try:
                mappings[keys] = resolve_columns(list(keys), explicit)
            except RejectedFile as exc:
                mappings[keys] = str(exc)
        mapping = mappings[keys]
        if isinstance(mapping, str):
            yield number, {}, mapping
            continue
        values = {}
        for name, key in mapping.items():
            value = record.get(key)
            values[name] = "" if value is None else value if isinstance(value, str) else json.dumps(value)
        yield number, values, ""
