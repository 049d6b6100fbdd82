"""Bounded labels: an outlet, title or author longer than :data:`MAX_LABEL_CHARS` is cut at ingest.

These fields become chart labels, legend entries and table cells; a 200,000-character outlet in
``metadata.csv`` once made a report draw PNGs millions of pixels wide.  The cut value ends in ``…``; the loader
warns and keeps the full value in the manifest's ``notes`` (``metadata.csv`` values: the warning names the
line, and the full value is in your file).
"""

from __future__ import annotations

from typing import Mapping

__all__ = ["MAX_LABEL_CHARS", "LABEL_FIELDS", "bound_label", "bound_labels"]

MAX_LABEL_CHARS = 300
LABEL_FIELDS = ("title", "outlet", "author")


def bound_label(value: str, *, limit: int = MAX_LABEL_CHARS) -> str:
    """``value`` itself when it has at most ``limit`` characters, else its first ``limit - 1`` and ``…``.

    Examples
    --------
    >>> bound_label("x" * 400)[-3:], len(bound_label("x" * 400))
    ('xx…', 300)
    """
    if len(value) <= limit:
        return value
    return value[:limit - 1] + "\u2026"


def bound_labels(meta: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """``meta`` with its :data:`LABEL_FIELDS` bounded, and one note per cut field holding its full value."""
    out, notes = dict(meta), []
    for name in LABEL_FIELDS:
        value = out.get(name)
        if isinstance(value, str) and len(value) > MAX_LABEL_CHARS:
            out[name] = bound_label(value)
            notes.append(f"{name} cut from {len(value):,} to {MAX_LABEL_CHARS} characters; full value: {value}")
    return out, notes
