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


_COMPACT_BYTES = 64 * 1024  # inline charts larger than this are stored with a 256-colour palette


def _compact_png(data: str) -> str:
    """A base64 PNG chart as a 256-colour palette PNG (about a third of the bytes; charts have few colours), or
    the same text when that is not smaller. Flattened on white first; deterministic (same input, same bytes)."""
    import base64
    import io

    from PIL import Image

    raw = base64.b64decode(data)
    if len(raw) <= _COMPACT_BYTES:
        return data
    image = Image.open(io.BytesIO(raw)).convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("RGB")
    out = io.BytesIO()
    chart = flat.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    palette = chart.getpalette()[:768]
    lightest = max(range(len(palette) // 3), key=lambda k: sum(palette[3 * k:3 * k + 3]))
    palette[3 * lightest:3 * lightest + 3] = [255, 255, 255]  # the octree's near-white background back to white
    chart.putpalette(palette)
    chart.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii") if out.tell() < len(raw) else data


def export_html(ipynb: Path, html: Path) -> None:
    """Write ``html``, the executed notebook ``ipynb`` with code hidden, sanitized (:func:`clean_html`), its
    larger charts as palette PNGs (:func:`_compact_png`: every report stays under 2 MB at any corpus size;
    the full-colour PNG and SVG of each chart are in ``figures/``)."""
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
    nb = nbformat.read(ipynb, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if isinstance(data.get("image/png"), str):
                data["image/png"] = _compact_png(data["image/png"])
    body, _ = exporter.from_notebook_node(nb)
    write_text(body, html)
