"""The index page of a batch run: ``reports/<run>/index.html`` links each report with its headline figure and
states the run's key numbers (articles, dated articles, outlets, period)."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Sequence

import pandas as pd

from diplo import __version__
from diplo.io.outputs import write_text
from diplo.report.params import NotebookParams, select_tables
from diplo.report.sanitize import clean_html

__all__ = ["corpus_numbers", "headline_figure", "write_index"]

_STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em .8em;text-align:left}
.reports{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1.5em}
.report h2{font-size:1.1em;margin-bottom:.2em}.note{color:#555}
.report img{width:100%;height:320px;object-fit:contain;object-position:top;border:1px solid #eee}"""


def corpus_numbers(articles: pd.DataFrame) -> dict[str, object]:
    """Key numbers of an ``articles`` table: ``articles``, ``dated``, ``outlets``, ``first_date``, ``last_date``
    (``None`` when no article has a date)."""
    dates = articles["date"].dropna().astype(str)
    dates = dates[dates.str.strip() != ""]
    outlets = articles["outlet"].dropna().astype(str)
    return {"articles": len(articles), "dated": len(dates), "outlets": outlets[outlets.str.strip() != ""].nunique(),
            "first_date": dates.min() if len(dates) else None, "last_date": dates.max() if len(dates) else None}


def headline_figure(notebook: str | os.PathLike, figures_dir: str | os.PathLike) -> Path | None:
    """The figure that stands for a notebook on the index page.

    The notebook may designate one in its metadata (``"diplo": {"headline_figure": "<name>"}``, the name
    it saves under ``figures/<notebook>/``); otherwise it is the first PNG the notebook saved (by modification
    time, then name). ``None`` when the notebook saved no figure.
    """
    import nbformat

    figures_dir = Path(figures_dir)
    if not figures_dir.is_dir():
        return None
    meta = nbformat.read(notebook, as_version=4).metadata.get("diplo", {})
    wanted = meta.get("headline_figure") if isinstance(meta, dict) else None
    if wanted and (figures_dir / f"{wanted}.png").is_file():
        return figures_dir / f"{wanted}.png"
    pngs = sorted(figures_dir.glob("*.png"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    return pngs[0] if pngs else None


def _title(notebook: Path) -> str:
    """The first Markdown heading of a notebook, without its ``#``; the file stem when there is none."""
    import nbformat

    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return notebook.stem


def _numbers_rows(label: str, n: dict) -> str:
    period = (f"{n['first_date']} to {n['last_date']}" if n["first_date"] else "no dated article")
    undated = n["articles"] - n["dated"]
    return (f"<tr><th>{html.escape(label)}</th><td>{n['articles']:,}</td><td>{n['dated']:,}"
            + (f" ({undated:,} undated)" if undated else "") + f"</td><td>{n['outlets']:,}</td>"
            f"<td>{html.escape(period)}</td></tr>")


def write_index(out_dir: str | os.PathLike, notebooks: Sequence[str | os.PathLike], *, params: NotebookParams,
                processed_dir: str | os.PathLike, failed: str | os.PathLike | None = None) -> Path:
    """Write ``out_dir/index.html``: a link to each notebook's HTML report with its headline figure
    (:func:`headline_figure`), and the key numbers of the corpus and of the parameters' selection.

    Parameters
    ----------
    out_dir : the run's folder, holding ``<notebook>.ipynb``/``.html`` and ``figures/<notebook>/``.
    notebooks : the notebooks run (source paths or names; their executed copies in ``out_dir`` are read).
    params : the run's parameters (the selection's numbers use its dates and outlets).
    processed_dir : the processed corpus (its ``articles`` table gives the numbers).
    failed : the notebook that stopped the run, named on the page.

    Returns
    -------
    Path of the index page. Every text from the corpus or the notebooks is escaped and the page body is
    sanitized like the reports (:func:`diplo.report.sanitize.clean_html`).
    """
    import pyarrow.parquet as pq

    out_dir = Path(out_dir)
    articles = pq.read_table(Path(processed_dir) / "articles.parquet",
                             columns=["doc_id", "date", "outlet"]).to_pandas()
    corpus = corpus_numbers(articles)
    selection = corpus_numbers(select_tables({"articles": articles}, params)["articles"])
    parts = [f"<h1>{html.escape(out_dir.name)}: diplo report</h1>",
             f"<p class=\"note\">Selection: {html.escape(params.describe())}. Corpus: "
             f"{html.escape(str(params.raw_dir))}. diplo {html.escape(__version__)}; parameters, input file "
             "hashes and timings in <a href=\"run.json\">run.json</a>.</p>",
             "<table><thead><tr><th></th><th>articles</th><th>dated</th><th>outlets</th><th>period</th></tr>"
             "</thead><tbody>", _numbers_rows("corpus", corpus)]
    if selection != corpus:
        parts.append(_numbers_rows("selected", selection))
    parts.append("</tbody></table>")
    if corpus["dated"] < corpus["articles"]:
        parts.append("<p class=\"note\">Undated articles count in every total but in no time chart; give them "
                     "dates in <code>metadata.csv</code> (columns <code>file,date</code>) in the raw folder.</p>")
    if failed is not None:
        parts.append(f"<p><strong>{html.escape(Path(failed).stem)} failed</strong>: see "
                     f"<a href=\"{html.escape(Path(failed).name)}\">the executed notebook</a>; later notebooks did "
                     "not run.</p>")
    parts.append("<div class=\"reports\">")
    for nb in notebooks:
        stem = Path(nb).stem
        executed = out_dir / f"{stem}.ipynb"
        report = f"{stem}.html"
        parts.append(f"<div class=\"report\"><h2><a href=\"{html.escape(report)}\">{html.escape(_title(executed))}"
                     f"</a></h2><p class=\"note\">{html.escape(stem)}</p>")
        figure = headline_figure(executed, out_dir / "figures" / stem)
        if figure is not None:
            src = figure.relative_to(out_dir).as_posix()
            parts.append(f"<a href=\"{html.escape(report)}\"><img src=\"{html.escape(src)}\" "
                         f"alt=\"{html.escape(figure.stem.replace('_', ' '))}\"></a>")
        else:
            parts.append("<p class=\"note\">(no figure)</p>")
        parts.append("</div>")
    parts.append("</div>")
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(out_dir.name)}: diplo report</title><style>{_STYLE}</style></head>\n<body>\n"
            + clean_html("\n".join(parts)) + "\n</body></html>\n")
    path = out_dir / "index.html"
    write_text(page, path)
    return path
