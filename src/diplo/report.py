"""Batch reports: run the notebook suite through papermill and export HTML with code hidden."""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
import yaml

from diplo import __version__, io
from diplo.params import NotebookParams
from diplo.plots import assign_colors, save_figure, use_style

__all__ = ["find_notebooks", "load_params", "notebook_parameters", "run_report", "refresh_notebooks",
           "ReportError", "NotebookRun", "start_notebook", "show_table", "theme_names", "corpus_overview",
           "top_sentences", "kwic", "topic_labels", "validation_table", "confusion_table",
           "theme_sentences", "headlines"]

log = logging.getLogger(__name__)

# Parameters holding paths: resolved against the caller's folder before they reach the notebooks,
# which run with their own folder as working directory.
PATH_PARAMS = ("raw_dir", "output_dir", "processed_dir", "themes_file")


class ReportError(RuntimeError):
    """A notebook failed; the message names the notebook and the cell."""


def find_notebooks(notebooks_dir: str | os.PathLike = "notebooks") -> list[Path]:
    """The suite's notebooks in run order (file name order)."""
    paths = sorted(Path(notebooks_dir).glob("[0-9]*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks named like 01_*.ipynb in {Path(notebooks_dir).resolve()}")
    return paths


def load_params(path: str | os.PathLike | None = None, overrides: Sequence[tuple[str, str]] = ()) -> dict:
    """Parameters from a YAML file, then ``NAME VALUE`` overrides (values parsed as YAML scalars/lists)."""
    params: dict = {}
    if path is not None:
        with open(path, encoding="utf-8") as fh:
            try:
                loaded = yaml.safe_load(fh) or {}
            except (yaml.YAMLError, ValueError) as exc:  # ValueError: YAML's own date parsing, e.g. 2023-13-01
                raise ValueError(f"{path}: not a valid parameters file: {exc}") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: a parameters file must be a mapping of name: value")
        params.update(loaded)
    for name, value in overrides:
        try:
            params[name] = yaml.safe_load(value)
        except (yaml.YAMLError, ValueError):  # keep the text; parse_params names what is wrong with it
            params[name] = value
    return params


def _plain(value):
    """YAML's dates (``start_date: 2023-01-01`` unquoted) as ISO strings: notebook parameters are JSON literals."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()[:10] if not isinstance(value, datetime.datetime) else value.date().isoformat()
    return value


def _resolve_paths(params: Mapping, base: Path) -> dict:
    out = dict(params)
    for key in PATH_PARAMS:
        if isinstance(out.get(key), str) and out[key]:
            out[key] = str((base / out[key]).resolve())
    return out


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager
    return "diplo" if "diplo" in KernelSpecManager().find_kernel_specs() else "python3"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_SAFE_TAGS = ["a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
              "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol",
              "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
              "tfoot", "th", "thead", "tr", "u", "ul"]
_SAFE_ATTRIBUTES = {"*": ["class", "id", "title", "style"], "a": ["href", "title"],
                    "img": ["src", "alt", "width", "height"], "td": ["colspan", "rowspan"],
                    "th": ["colspan", "rowspan"], "table": ["border"]}


def _clean_html(element) -> str:
    """Sanitize an HTML output: allow-listed tags and attributes only, no scripts, handlers or javascript: URLs."""
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    text = element.decode() if isinstance(element, bytes) else str(element)
    return bleach.clean(text, tags=_SAFE_TAGS, attributes=_SAFE_ATTRIBUTES,
                        protocols=["http", "https", "mailto", "data"],
                        css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align", "width", "max-width"]))


def _no_alt_warning(record: logging.LogRecord) -> bool:
    return "Alternative text is missing" not in record.getMessage()


def _export_html(ipynb: Path, html: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    # sanitize_html: defence in depth behind the escaping of every table (article text is untrusted), with an
    # allow-list that keeps tables and headings intact (nbconvert's own list escapes <thead>, <th>, <p>, <h1>).
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            sanitize_html=True)
    exporter.register_filter("clean_html", _clean_html)
    # nbconvert warns once per figure that inline matplotlib images carry no alt text (its lab template has no
    # way to set one) and fills in a generic one; the warning is noise in every batch run.
    if _no_alt_warning not in exporter.log.filters:
        exporter.log.addFilter(_no_alt_warning)
    body, _ = exporter.from_notebook_node(nbformat.read(ipynb, as_version=4))
    io.write_text(body, html)


def notebook_parameters(path: str | os.PathLike) -> dict[str, dict]:
    """The parameters a notebook declares in its ``parameters`` cell (name -> papermill's description)."""
    import papermill as pm
    return dict(pm.inspect_notebook(str(path)))


def _input_hashes(raw: Path) -> dict[str, str]:
    return {p.relative_to(raw).as_posix(): _sha256(p) for p in sorted(raw.rglob("*")) if p.is_file()}


def run_report(params: Mapping, out_dir: str | os.PathLike, *, notebooks_dir: str | os.PathLike = "notebooks",
               notebooks: Sequence[str] | None = None, progress: bool = True) -> Path:
    """Execute the notebook suite with ``params`` into ``out_dir``.

    The corpus is processed once (:func:`diplo.pipeline.ensure_processed`, into ``processed_dir`` or
    ``out_dir/processed``) and every notebook reads it. Writes per notebook the executed ``.ipynb`` and an
    ``.html`` with code hidden; the notebooks write ``figures/`` (PNG + SVG) and ``tables/`` (CSV); then
    ``run.json`` records parameters, diplo version, input file hashes and timings.

    Raises
    ------
    ValueError, TypeError
        A parameter no notebook declares, or a bad value (checked before anything runs).
    ReportError
        A notebook failed: the message names the notebook, the cell and the error.
    """
    import papermill as pm
    from tqdm import tqdm

    from diplo.params import parse_params
    from diplo.pipeline import ensure_processed

    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    paths = find_notebooks(notebooks_dir)
    if notebooks:
        unknown = sorted(set(notebooks) - {p.stem for p in paths})
        if unknown:
            raise ValueError(f"unknown notebook(s) {unknown}; the suite has {[p.stem for p in paths]}")
        paths = [p for p in paths if p.stem in set(notebooks)]
    declared = {p.stem: notebook_parameters(p) for p in paths}
    known = sorted(set().union(*declared.values()))
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; the notebooks declare: {', '.join(known)}")
    params = _resolve_paths({"raw_dir": "data/raw", **_plain(params)}, Path.cwd())
    params["output_dir"] = str(out_dir)
    params.setdefault("processed_dir", str(out_dir / "processed"))
    parsed = parse_params(params)  # fail before running anything
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ensure_processed(parsed.raw_dir, parsed.processed_dir, **_pipeline_options(parsed))
    timings["process"] = round(time.perf_counter() - t0, 3)
    kernel = _kernel_name()
    bar = tqdm(paths, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    for nb in bar:
        bar.set_postfix_str(nb.stem)
        dest = out_dir / nb.name
        mine = {k: v for k, v in params.items() if k in declared[nb.stem]}
        t0 = time.perf_counter()
        try:
            pm.execute_notebook(str(nb), str(dest), parameters=mine, kernel_name=kernel,
                                cwd=str(nb.parent.resolve()), progress_bar=False, log_output=False)
        except pm.PapermillExecutionError as exc:
            bar.close()
            first_line = next((ln for ln in exc.source.splitlines() if ln.strip()), "")
            raise ReportError(f"{nb.name} failed in cell {exc.cell_index} (`{first_line[:80]}`): "
                              f"{exc.ename}: {exc.evalue}; executed notebook with the traceback: {dest}") from None
        timings[nb.stem] = round(time.perf_counter() - t0, 3)
        _export_html(dest, dest.with_suffix(".html"))
    timings["total"] = round(time.perf_counter() - started, 3)
    io.write_json({"parameters": parsed.as_dict(), "diplo_version": __version__,
                   "inputs_sha256": _input_hashes(parsed.raw_dir), "timings_s": timings, "kernel": kernel,
                   "notebooks": [p.name for p in paths]}, out_dir / "run.json")
    return out_dir


_TEXT_CELL = re.compile(r"<td>(.*?)</td>", re.S)
_NUMBER = re.compile(r"[-+]?[\d,]*\.?\d*(e[-+]?\d+)?|nan|")


class _Table:
    """A table for notebook display: HTML with every cell escaped (article text is untrusted), plain text."""

    def __init__(self, df: pd.DataFrame, max_rows: int | None) -> None:
        self.df, self.max_rows = df, max_rows

    def _repr_html_(self) -> str:
        # escape=True turns <script>, <img onerror=...> and javascript: links in article text into text.
        html = self.df.to_html(index=False, escape=True, render_links=False, max_rows=self.max_rows, na_rep="",
                               border=0, classes="dataframe diplo-table")
        # Notebook CSS right-aligns every cell; sentences read better left-aligned (numbers stay right).
        return _TEXT_CELL.sub(lambda m: m.group(0) if _NUMBER.fullmatch(m.group(1).strip())
                              else f'<td style="text-align: left;">{m.group(1)}</td>', html)

    def __repr__(self) -> str:
        return self.df.to_string(index=False, max_rows=self.max_rows, na_rep="")


def show_table(df: pd.DataFrame, *, max_rows: int | None = 30) -> _Table:
    """Wrap ``df`` for display in a notebook or report with all text HTML-escaped (never a raw Styler)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"show_table needs a DataFrame; got {type(df).__name__}")
    return _Table(df, max_rows)


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
              show: Sequence[str] | None = None) -> _Table:
        """Write ``df`` to ``tables/<notebook>/<name>.csv`` and return it ready for escaped display.

        ``show`` limits the displayed columns (e.g. means without their intervals, to fit a page); the CSV
        always has them all.
        """
        with io.atomic_path(self.tables_dir / f"{name}.csv") as tmp:
            df.to_csv(tmp, index=False, lineterminator="\n")
        return show_table(df[list(show)] if show is not None else df, max_rows=max_rows)


def start_notebook(params: NotebookParams, notebook: str, *, corpus: bool = True) -> NotebookRun:
    """Set a notebook up: process the corpus if needed, load and select its tables, apply the chart style.

    The corpus is processed into ``params.processed_dir`` (or ``output_dir/processed``) only when it is
    missing or stale (:func:`diplo.pipeline.ensure_processed`). Outlets and themes get their colours from the
    whole corpus, so they match across notebooks whatever the selection. The parameters and diplo's version
    are written to ``output_dir/<notebook>.params.json``. ``corpus=False`` skips the corpus entirely (a
    notebook that reads other files, like the validation notebook).
    """
    from diplo.params import select_tables
    from diplo.pipeline import ensure_processed, load_outputs

    for folder in (params.output_dir / "figures" / notebook, params.output_dir / "tables" / notebook):
        if folder.is_dir():  # no stale figures or tables from an earlier run of this notebook
            shutil.rmtree(folder)
    use_style()
    io.write_json({"notebook": notebook, "parameters": params.as_dict(), "diplo_version": __version__},
                  params.output_dir / f"{notebook}.params.json")
    if not corpus:
        return NotebookRun(params, notebook, {}, pd.DataFrame(columns=["doc_id"]))
    processed = params.processed_dir or params.output_dir / "processed"
    ensure_processed(params.raw_dir, processed, **_pipeline_options(params))
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
        from diplo.pipeline import OUTPUT_EXTRAS, OUTPUT_TABLES

        self._dir, self._names = Path(processed), (*OUTPUT_TABLES, *OUTPUT_EXTRAS)
        self._doc_ids = None if everything else articles["doc_id"].tolist()
        self._cache: dict[str, pd.DataFrame] = {"articles": articles.reset_index(drop=True)}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(f"no table {name!r}; tables: {', '.join(self._names)}")
        if name not in self._cache:
            from diplo.pipeline import load_outputs
            self._cache[name] = load_outputs(self._dir, tables=[name], doc_ids=self._doc_ids)[name]
        return self._cache[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _pipeline_options(params) -> dict:
    """:func:`diplo.pipeline.run_pipeline` options set by notebook parameters (``themes_file``)."""
    return {"themes": str(params.themes_file)} if params.themes_file else {}


def theme_names(table: pd.DataFrame) -> list[str]:
    """Theme names from a table's ``theme_<name>`` columns (``theme_<name>_share`` columns skipped)."""
    return [c[len("theme_"):] for c in table.columns if c.startswith("theme_") and not c.endswith("_share")]


def corpus_overview(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles, words, first and last date per outlet (missing outlets as ``(unknown)``), plus a total row."""
    df = articles.assign(outlet=articles["outlet"].fillna("").replace("", "(unknown)"))
    out = (df.groupby("outlet", sort=True)
             .agg(articles=("doc_id", "size"), words=("n_words", "sum"), first_date=("date", "min"),
                  last_date=("date", "max"), undated=("date", lambda d: int(d.isna().sum())))
             .reset_index())
    total = pd.DataFrame([{"outlet": "(all)", "articles": len(df), "words": int(df["n_words"].sum()),
                           "first_date": df["date"].min(), "last_date": df["date"].max(),
                           "undated": int(df["date"].isna().sum())}])
    return pd.concat([out, total], ignore_index=True).fillna({"first_date": "", "last_date": ""})


def _evidence_strings(evidence: pd.DataFrame, scorer: str, sentences: pd.DataFrame) -> pd.Series:
    """Per sentence, ``"matched words [dictionary entry] (weight)"`` items, strongest first."""
    ev = evidence[evidence["scorer"] == scorer].merge(sentences[["doc_id", "sent_id", "sentence"]],
                                                      on=["doc_id", "sent_id"])
    if ev.empty:
        return pd.Series(dtype=str)
    ev = ev.assign(order=-ev["weight"].abs()).sort_values(["doc_id", "sent_id", "order", "start"])
    matched = [t[a:b] if isinstance(t, str) else "" for t, a, b in zip(ev["sentence"], ev["start"], ev["end"])]
    terms = ev["term"].astype(str).tolist()
    negated = ev["negated"].astype(bool).tolist() if "negated" in ev.columns else [False] * len(ev)
    ev["item"] = [(m if m.lower() == t.lower() or not m else f"{m} [{t}]") + f" ({w:+.2f}"
                  + (", negated)" if n else ")") for m, t, w, n in zip(matched, terms, ev["weight"], negated)]
    return ev.groupby(["doc_id", "sent_id"], sort=False)["item"].agg("; ".join)


def top_sentences(tables: Mapping[str, pd.DataFrame], column: str, *, n: int = 5, largest: bool = True,
                  scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``n`` sentences with the highest positive (or lowest negative) ``column``, with text and evidence.

    Uses ``sentence_scores``, ``sentences``, ``articles`` and, when present, ``evidence`` (the terms that
    produced each score with their weights, strongest first). Ties are broken by ``doc_id``, ``sent_id``.
    ``scores`` ranks these sentence scores instead (e.g. only the sentences about one theme).
    """
    scores = tables["sentence_scores"] if scores is None else scores
    if column not in scores.columns:
        raise ValueError(f"no column {column!r} in sentence_scores; found {list(scores.columns)}")
    ranked = scores[["doc_id", "sent_id", column]].dropna()
    # "most cooperative" lists only positive scores and "most conflictual" only negative ones.
    ranked = ranked[ranked[column] > 0] if largest else ranked[ranked[column] < 0]
    ranked = ranked.sort_values([column, "doc_id", "sent_id"], ascending=[not largest, True, True]).head(n)
    out = (ranked.merge(tables["sentences"][["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"], how="left")
                 .merge(tables["articles"][["doc_id", "date", "outlet"]], on="doc_id", how="left"))
    out = out.rename(columns={"text": "sentence"})
    evidence = tables.get("evidence")
    if evidence is not None and {"scorer", "term", "weight"} <= set(evidence.columns):
        strings = _evidence_strings(evidence, column.removeprefix("tone_"), out)
        keys = pd.MultiIndex.from_frame(out[["doc_id", "sent_id"]])
        out["evidence"] = strings.reindex(keys).fillna("").to_numpy() if len(strings) else ""
    out[column] = out[column].round(3)
    cols = ["date", "outlet", "doc_id", "sent_id", column, "sentence"] + (["evidence"] if "evidence" in out else [])
    return out[cols].reset_index(drop=True)


def kwic(theme_hits: pd.DataFrame, articles: pd.DataFrame, *, per_theme: int = 3) -> pd.DataFrame:
    """Keyword-in-context lines, the first ``per_theme`` per theme in date order: where each number comes from.

    ``theme_hits`` as written by ``diplo run`` (``doc_id``, ``sent_id``, ``theme``, ``entry``, ``match``,
    ``start``, ``left``, ``right``); ``articles`` supplies ``date`` and ``outlet``. Only hits of the given
    articles are kept, so a date/outlet selection applies.
    """
    hits = theme_hits.merge(articles[["doc_id", "date", "outlet"]], on="doc_id", how="inner")
    hits = hits.assign(_when=hits["date"].fillna("9999")).sort_values(["theme", "_when", "doc_id", "sent_id",
                                                                       "start"])
    hits = hits.groupby("theme", sort=True).head(per_theme)
    cols = ["theme", "date", "outlet", "doc_id", "sent_id", "left", "match", "right", "entry"]
    return hits[cols].reset_index(drop=True)


def topic_labels(terms: pd.DataFrame, *, n: int = 4) -> dict[int, str]:
    """``{topic: "k: term, term, ..."}`` from a top-terms table (``topic``, ``rank``, ``term``)."""
    top = terms.sort_values(["topic", "rank"]).groupby("topic", sort=True).head(n)
    return {int(k): f"{k}: " + ", ".join(g["term"]) for k, g in top.groupby("topic", sort=True)}


def validation_table(results: Sequence[Mapping]) -> pd.DataFrame:
    """One row per (file, level, scorer) from :func:`diplo.validate.validate_file` results.

    ``level`` is ``sentence`` (the scorer's tone of the whole text) or ``target`` (tone toward the labelled
    target, NewsMTSC-style files). Columns: ``file``, ``level``, ``scorer``, ``n``, ``macro_f1``,
    ``accuracy``, ``pearson``, ``spearman`` (NaN when the labels are categorical).
    """
    rows = []
    for result in results:
        for level, key in (("sentence", "scorers"), ("target", "target")):
            for scorer, metrics in (result.get(key) or {}).items():
                rows.append({"file": Path(str(result.get("file", ""))).name, "level": level, "scorer": scorer,
                             "n": result.get("n"), "macro_f1": metrics.get("macro_f1"),
                             "accuracy": metrics.get("accuracy"), "pearson": metrics.get("pearson"),
                             "spearman": metrics.get("spearman")})
    cols = ["file", "level", "scorer", "n", "macro_f1", "accuracy", "pearson", "spearman"]
    return pd.DataFrame(rows, columns=cols).astype({c: float for c in cols[4:]})


def confusion_table(results: Sequence[Mapping]) -> pd.DataFrame:
    """Confusion counts per file, level and scorer: one row per human class, one column per scorer class."""
    rows = []
    for result in results:
        for level, key in (("sentence", "scorers"), ("target", "target")):
            for scorer, metrics in (result.get(key) or {}).items():
                conf = metrics.get("confusion") or {}
                labels = conf.get("labels", [])
                for label, counts in zip(labels, conf.get("matrix", [])):
                    rows.append({"file": Path(str(result.get("file", ""))).name, "level": level, "scorer": scorer,
                                 "human": label, **{f"scorer_{c}": n for c, n in zip(labels, counts)}})
    return pd.DataFrame(rows)


def theme_sentences(sentence_scores: pd.DataFrame, theme: str) -> pd.DataFrame:
    """The sentences with at least one hit of ``theme`` (all sentences when ``theme`` is ``""``).

    Raises
    ------
    ValueError
        If there is no ``theme_<theme>`` column (the message lists the themes found).
    """
    if not theme:
        return sentence_scores
    column = f"theme_{theme}"
    if column not in sentence_scores.columns:
        found = [c[len("theme_"):] for c in sentence_scores.columns if c.startswith("theme_")]
        raise ValueError(f"unknown theme {theme!r}; themes in this corpus: {', '.join(found) or '(none)'}")
    return sentence_scores[sentence_scores[column] > 0].reset_index(drop=True)


def _sentences(n) -> str:
    return f"{int(n):,} sentence" + ("" if int(n) == 1 else "s")


def headlines(tables: Mapping[str, pd.DataFrame], tone_columns: Sequence[str], *, theme: str = "",
              seed: int = 0) -> pd.DataFrame:
    """The headline numbers of a selection: size, dates, outlets, mean tone (95% bootstrap interval) of all
    sentences and of the ``theme`` sentences, and the outlets with the highest and lowest theme tone.

    Returns
    -------
    DataFrame ``finding``, ``value``, ``detail`` (every value traceable to the tables it came from).
    """
    from diplo.aggregate import aggregate_by

    articles, scores = tables["articles"], tables["sentence_scores"]
    dated = articles["date"].dropna()
    rows = [("articles", f"{len(articles):,}",
             f"{dated.min()} to {dated.max()}" if len(dated) else "no dated articles"),
            ("outlets", f"{articles['outlet'].nunique():,}", ", ".join(sorted(articles["outlet"].dropna().unique()))),
            ("sentences", f"{len(scores):,}", "")]
    focus = theme_sentences(scores, theme)
    label = f"'{theme.replace('_', ' ')}' sentences" if theme else "all sentences"
    if theme:
        share = len(focus) / len(scores) if len(scores) else float("nan")
        rows.append((f"sentences about '{theme.replace('_', ' ')}'", f"{len(focus):,}",
                     f"{share:.0%} of all sentences" if len(scores) else ""))
    for column in tone_columns:
        for name, table in ((("all sentences", scores),) + (((label, focus),) if theme else ())):
            overall = aggregate_by(table.assign(_all="all"), "_all", [column], seed=seed)
            if overall.empty or pd.isna(overall[column].iloc[0]):
                rows.append((f"mean {column}, {name}", "n/a", "no sentences"))
                continue
            r = overall.iloc[0]
            n_articles = int(r.get("n_articles", 0))
            interval = (f"95% bootstrap interval over articles {r[f'{column}_lo']:+.3f} to "
                        f"{r[f'{column}_hi']:+.3f}" if pd.notna(r[f"{column}_lo"])
                        else "no interval (a single article)")
            rows.append((f"mean {column}, {name}", f"{r[column]:+.3f}",
                         f"{interval}, n = {_sentences(r['n'])} in {n_articles:,} "
                         f"article{'s' if n_articles != 1 else ''}"))
        with_outlet = focus.merge(articles[["doc_id", "outlet"]], on="doc_id").dropna(subset=["outlet"])
        by_outlet = aggregate_by(with_outlet, "outlet", [column], seed=seed) if len(with_outlet) else None
        if by_outlet is not None and by_outlet[column].notna().sum() > 1:
            by_outlet = by_outlet.dropna(subset=[column])
            by_outlet = by_outlet.sort_values([column, "outlet"])
            for which, r in (("highest", by_outlet.iloc[-1]), ("lowest", by_outlet.iloc[0])):
                rows.append((f"outlet with the {which} {column}, {label}", str(r["outlet"]),
                             f"{r[column]:+.3f} (n = {_sentences(r['n'])})"))
    return pd.DataFrame(rows, columns=["finding", "value", "detail"])


def refresh_notebooks(notebooks_dir: str | os.PathLike = "notebooks", *, timeout: int = 600) -> list[Path]:
    """Re-execute the committed notebooks in place with their default parameters.

    Uses nbclient without timing metadata so the stored outputs depend only on code and data; this is
    what ``make notebooks`` runs and what the nbval check compares against.
    """
    import nbformat
    from nbclient import NotebookClient

    paths = find_notebooks(notebooks_dir)
    kernel = _kernel_name()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=timeout, kernel_name=kernel, record_timing=False,
                       resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)
        log.info("refreshed %s", path)
    return paths


if __name__ == "__main__":  # pragma: no cover - `make notebooks`
    import argparse

    ap = argparse.ArgumentParser(description="re-execute committed notebooks in place")
    ap.add_argument("--refresh-committed", metavar="DIR", default="notebooks")
    for p in refresh_notebooks(ap.parse_args().refresh_committed):
        print(f"refreshed {p}")
