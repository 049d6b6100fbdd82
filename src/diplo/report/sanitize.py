"""HTML export of executed notebooks, sanitized: article text is untrusted, so reports keep only allow-listed
tags and attributes."""

from __future__ import annotations

import logging
from pathlib import Path

from diplo.io.outputs import write_text

__all__ = ["clean_html", "export_html"]


_SAFE_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
              "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol",
              "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
              "tfoot", "th", "thead", "tr", "u", "ul"}


_SAFE_ATTRIBUTES = {"*": {"class", "id", "title", "style"}, "a": {"href", "title"},
                    "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
                    "th": {"colspan", "rowspan"}, "table": {"border"}}
_SAFE_URL_SCHEMES = {"http", "https", "mailto", "data"}
_SAFE_CSS = {"text-align", "width", "max-width"}


def clean_html(element) -> str:
    """Sanitize an HTML output: allow-listed tags and attributes only, no scripts, handlers or javascript: URLs.

    Uses nh3 (the Ammonia sanitizer); bleach, which diplo used before, is deprecated by its maintainers.
    Tags outside the list are dropped with their text kept (``script`` and ``style`` with their content).
    """
    import nh3

    text = element.decode() if isinstance(element, bytes) else str(element)
    return nh3.clean(text, tags=_SAFE_TAGS, attributes=_SAFE_ATTRIBUTES, url_schemes=_SAFE_URL_SCHEMES,
                     filter_style_properties=_SAFE_CSS, link_rel=None, strip_comments=True)


def _no_alt_warning(record: logging.LogRecord) -> bool:
    return "Alternative text is missing" not in record.getMessage()


def export_html(ipynb: Path, html: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    # sanitize_html: defence in depth behind the escaping of every table (article text is untrusted), with an
    # allow-list that keeps tables and headings intact (nbconvert's own list escapes <thead>, <th>, <p>, <h1>).
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            sanitize_html=True)
    exporter.register_filter("clean_html", clean_html)
    # nbconvert warns once per figure that inline matplotlib images carry no alt text (its lab template has no
    # way to set one) and fills in a generic one; the warning is noise in every batch run.
    if _no_alt_warning not in exporter.log.filters:
        exporter.log.addFilter(_no_alt_warning)
    body, _ = exporter.from_notebook_node(nbformat.read(ipynb, as_version=4))
    write_text(body, html)
