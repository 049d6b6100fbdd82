"""The notebook session: set a notebook up on a processed corpus, hand it the selected tables, save its outputs."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from diplo import __version__
from diplo.io.csvsafe import write_csv
from diplo.io.outputs import OUTPUT_EXTRAS, OUTPUT_TABLES, load_outputs, write_json
from diplo.report.params import NotebookParams, pipeline_options, select_tables
from diplo.report.plots import assign_colors, save_figure, use_style
from diplo.report.tables import DisplayTable, show_table, theme_names
from diplo.run.freshness import ensure_processed

__all__ = ["NotebookRun", "default_processed_dir", "start_notebook"]


@dataclass
class NotebookRun:
    """What a notebook works with: its parameters, the selected tables, and where its outputs go."""

    params: NotebookParams
    notebook: str
    tables: Mapping[str, pd.DataFrame]  # the selected articles' rows of every table, read on first use
    corpus_articles: pd.DataFrame  # every article before the date/outlet selection

    @property
    def figures_dir(self) -> Path:
        return self.params.output_dir / "figures" / self.notebook

    @property
    def tables_dir(self) -> Path:
        return self.params.output_dir / "tables" / self.notebook

    def figure(self, obj, name: str) -> None:
        """Save the figure holding ``obj`` (an Axes, array of Axes or Figure) as PNG and SVG."""
        save_figure(obj, self.figures_dir / name)

    def table(self, df: pd.DataFrame, name: str, *, max_rows: int | None = 30,
              show: Sequence[str] | None = None) -> DisplayTable:
        """Write ``df`` to ``tables/<notebook>/<name>.csv`` and return it ready for escaped display.

        ``show`` limits the displayed columns (e.g. means without their intervals, to fit a page); the CSV
        always has them all, with cells a spreadsheet would run as formulas escaped (:mod:`diplo.io.csvsafe`).
        """
        write_csv(df, self.tables_dir / f"{name}.csv")  # text a spreadsheet would run as a formula is escaped
        return show_table(df[list(show)] if show is not None else df, max_rows=max_rows)


def default_processed_dir(raw_dir: str | os.PathLike, output_dir: str | os.PathLike) -> Path:
    """Where a notebook processes its corpus when ``processed_dir`` is empty: one folder shared by every notebook.

    - A raw folder named ``raw`` (the project's ``data/raw``) is processed into its sibling ``processed``
      (``data/processed``, the folder ``make process`` and ``make report`` use), when that folder can be written.
    - Any other raw folder gets ``<parent of output_dir>/processed/<raw folder name>-<8 hex digits of its
      absolute path>``: with the interactive default output folders (``reports/interactive/<notebook>``) the
      six notebooks share it; each corpus has its own, so switching ``raw_dir`` back and forth neither
      reprocesses nor overwrites ``data/processed``, and nothing is written beside a corpus that may be shared
      or read-only.

    Either way :func:`diplo.run.freshness.ensure_processed` rebuilds it only when the inputs, options or diplo
    change.
    """
    raw = Path(raw_dir).expanduser().resolve()
    if raw.name == "raw" and os.access(raw.parent, os.W_OK):
        return raw.parent / "processed"
    key = hashlib.sha256(str(raw).encode()).hexdigest()[:8]
    return Path(output_dir).expanduser().resolve().parent / "processed" / f"{raw.name}-{key}"


def start_notebook(params: NotebookParams, notebook: str, *, corpus: bool = True) -> NotebookRun:
    """Set a notebook up: process the corpus if needed, load and select its tables, apply the chart style.

    The corpus is processed into ``params.processed_dir`` (or the folder the notebooks share,
    :func:`default_processed_dir`) only when it is missing or stale (:func:`diplo.run.freshness.ensure_processed`).
    Outlets and themes get their colours from the whole corpus, so they match across notebooks whatever the
    selection. The parameters and diplo's version are written to ``output_dir/<notebook>.params.json``.
    ``corpus=False`` skips the corpus entirely (a notebook that reads other files, like the validation notebook).
    """
    for folder in (params.output_dir / "figures" / notebook, params.output_dir / "tables" / notebook):
        if folder.is_dir():  # no stale figures or tables from an earlier run of this notebook
            shutil.rmtree(folder)
    use_style()
    write_json({"notebook": notebook, "parameters": params.as_dict(), "diplo_version": __version__},
                  params.output_dir / f"{notebook}.params.json")
    if not corpus:
        return NotebookRun(params, notebook, {}, pd.DataFrame(columns=["doc_id"]))
    processed = params.processed_dir or default_processed_dir(params.raw_dir, params.output_dir)
    ensure_processed(params.raw_dir, processed, **pipeline_options(params))
    articles = load_outputs(processed, tables=["articles"])["articles"]
    assign_colors(articles["outlet"])
    assign_colors(theme_names(articles))
    selected = select_tables({"articles": articles}, params)["articles"]
    tables = _SelectedTables(processed, selected, everything=len(selected) == len(articles))
    return NotebookRun(params, notebook, tables, articles)


class _SelectedTables(Mapping):
    """The processed tables restricted to the selected articles, each read on first use.

    A notebook touches only the tables it needs, and per-article tables are read with a parquet filter on
    ``doc_id``, so a selection of a large corpus never loads the rest.
    """

    def __init__(self, processed: Path, articles: pd.DataFrame, *, everything: bool) -> None:
        self._dir, self._names = Path(processed), (*OUTPUT_TABLES, *OUTPUT_EXTRAS)
        self._doc_ids = None if everything else articles["doc_id"].tolist()
        self._cache: dict[str, pd.DataFrame] = {"articles": articles.reset_index(drop=True)}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(f"no table {name!r}; tables: {', '.join(self._names)}")
        if name not in self._cache:
            self._cache[name] = load_outputs(self._dir, tables=[name], doc_ids=self._doc_ids)[name]
        return self._cache[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


