"""The notebook session: set a notebook up on a processed corpus, hand it the selected tables, save its outputs."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

import numpy as np

from diplo import __version__
from diplo.analysis.aggregate import sum_by_cluster
from diplo.analysis.trends import aggregate_binned, top_names
from diplo.io.csvsafe import write_csv
from diplo.io.events import load_events
from diplo.io.outputs import OUTPUT_EXTRAS, OUTPUT_TABLES, load_outputs, write_json
from diplo.report.params import NotebookParams, pipeline_options, select_tables
from diplo.report.plots import assign_colors, save_figure, use_style
from diplo.report.tables import (DisplayTable, rank_sentences, scored_sentences, sentence_candidates, show_table,
                                 theme_names)
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

    def table(self, df: pd.DataFrame, name: str, *, max_rows: int | None = 25,
              show: Sequence[str] | None = None, digits: int | None = None) -> DisplayTable:
        """Write ``df`` to ``tables/<notebook>/<name>.csv`` and return it ready for escaped display.

        ``show`` limits the displayed columns (e.g. means without their intervals, to fit a page); the CSV
        always has them all, with cells a spreadsheet would run as formulas escaped (:mod:`diplo.io.csvsafe`). At most ``max_rows`` rows (25 at most, whatever is asked) are displayed,
        with a line saying how many more are in the CSV; a table with no rows shows ``df.attrs["note"]`` (why it
        is empty) when the table has one. Date-time columns (bins) are written as
        ``YYYY-MM-DD``; ``digits`` rounds the float columns.
        """
        note = df.attrs.get("note")  # why a table has no rows (e.g. detect_change_points), shown instead of it
        dates = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])]
        floats = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])] if digits is not None else []
        if dates or floats:
            df = df.assign(**{c: df[c].dt.strftime("%Y-%m-%d") for c in dates},
                           **{c: df[c].round(digits) for c in floats})
        write_csv(df, self.tables_dir / f"{name}.csv")  # text a spreadsheet would run as a formula is escaped
        rows = min(max_rows or 25, 25)
        where = f"tables/{self.notebook}/{name}.csv"
        return show_table(df[list(show)] if show is not None else df, max_rows=rows, source=where, empty=note)

    # --- article-level aggregates: what every time chart draws -----------------------------------------------

    @property
    def events(self) -> pd.DataFrame:
        """The ``events`` parameter's list (``date``, ``label``; empty for none), drawn on every time chart."""
        return load_events(self.params.events)

    @property
    def undated(self) -> int:
        """Selected articles without a publication date (left out of every time chart, counted in its caption)."""
        articles = self.tables["articles"]
        return int(pd.to_datetime(articles["date"], format="%Y-%m-%d", errors="coerce").isna().sum())

    def read(self, name: str, *, columns: Sequence[str] | None = None, where=None) -> pd.DataFrame:
        """The selected articles' rows of a processed table, only ``columns``, only rows matching ``where``
        (a ``pyarrow.dataset`` expression): sentence-level tables are never read whole."""
        return self.tables.read(name, columns=columns, where=where)

    def article_texts(self, articles: pd.DataFrame) -> pd.DataFrame:
        """``doc_id`` and ``text`` of the given articles (a table with ``doc_id``, e.g. :meth:`sample_articles`),
        read for those articles only: the notebooks' article table holds no texts."""
        import pyarrow as pa
        import pyarrow.dataset as ds

        docs = pa.array(sorted(set(articles["doc_id"])), type=pa.string())
        texts = self.read("articles", columns=["doc_id", "text"], where=ds.field("doc_id").isin(docs))
        return texts.sort_values("doc_id", kind="stable").reset_index(drop=True)

    def summary(self) -> str:
        """One line for a notebook's header: the selection, how many articles have a date, and the fix if not."""
        articles = self.tables["articles"]
        line = f"{len(articles):,} of {len(self.corpus_articles):,} articles selected; {self.params.describe()}"
        if self.undated:
            line += (f"\n{self.undated:,} of them have no publication date and are left out of every time chart: "
                     "give dates in raw_dir/metadata.csv (columns file,date; YYYY-MM-DD)")
        return line

    def sample_articles(self, n: int) -> pd.DataFrame:
        """A seeded random sample of at most ``n`` selected articles (all of them when there are fewer)."""
        articles = self.tables["articles"]
        if len(articles) <= n:
            return articles
        return articles.sample(n=n, random_state=self.params.seed).sort_values("doc_id").reset_index(drop=True)

    def sample_note(self, sample: pd.DataFrame, what: str = "values") -> str:
        """A caption line for a chart drawn from :meth:`sample_articles`: ``""`` when the sample holds every
        selected article, else how many of how many, and that the article counts are of the sample."""
        total = len(self.tables["articles"])
        if len(sample) >= total:
            return ""
        return (f"{what} of a seeded random sample of {len(sample):,} of the {total:,} selected articles; "
                "grey bars count sampled articles")

    def sentence_sample(self, columns: Sequence[str], *, max_rows: int = 50_000) -> pd.DataFrame:
        """``columns`` of the sentences of randomly chosen articles (seeded), about ``max_rows`` rows at most:
        enough for a correlation, read without loading every sentence."""
        import pyarrow as pa
        import pyarrow.dataset as ds

        articles = self.tables["articles"]
        order = np.random.default_rng(self.params.seed).permutation(len(articles))
        sizes = articles["n_sentences"].fillna(0).to_numpy()[order]
        keep = order[np.cumsum(sizes) <= max_rows] if sizes.sum() > max_rows else order
        docs = pa.array(sorted(articles["doc_id"].to_numpy()[keep]), type=pa.string())
        return self.read("sentence_scores", columns=list(columns), where=ds.field("doc_id").isin(docs))

    def article_sums(self, name: str | pd.DataFrame = "tone_by_article", columns: Sequence[str] = (), *,
                     group_outlets: bool = True) -> pd.DataFrame:
        """One row per selected article (and theme or actor) with ``date``, ``outlet`` (the ``top_outlets``
        largest, the rest "other") and the sums behind the means: the input of
        :func:`diplo.analysis.trends.aggregate_binned`.

        ``name`` is a table written by ``diplo run`` (``tone_by_article``, ``theme_tone_by_article``,
        ``actor_tone_by_article``), ``"articles"`` for article values such as theme rates (``columns``), or a
        DataFrame with one row per article (``doc_id`` and ``columns``, e.g. topic shares).
        ``group_outlets=False`` keeps every outlet's name.
        """
        articles = self.tables["articles"]
        keys = articles[["doc_id", "date", "outlet"]]
        if group_outlets:
            keys = keys.assign(outlet=top_names(articles["outlet"], self.params.top_outlets).to_numpy())
        if isinstance(name, pd.DataFrame):
            table = sum_by_cluster(name, list(columns))
        elif name == "articles":
            table = sum_by_cluster(articles, list(columns))
        else:
            table = self.tables[name]
        return table.merge(keys, on="doc_id", how="inner")

    def binned(self, sums: pd.DataFrame, columns: Sequence[str], *, by: str | Sequence[str] = ()) -> pd.DataFrame:
        """:func:`diplo.analysis.trends.aggregate_binned` with this run's ``freq`` and ``seed``."""
        return aggregate_binned(sums, list(columns), freq=self.params.freq, by=by, seed=self.params.seed)

    # --- sentence-level evidence: read by projection and filters --------------------------------------------

    def _candidates(self, column: str, filters: Mapping[str, str], *, k: int, largest: bool) -> dict[str, pd.DataFrame]:
        """Per filter name (``""``: all sentences; else a ``theme_<name>`` column that must be > 0), the ``k``
        sentences with the highest positive (or lowest negative) ``column``, in one pass over the batches.

        Sentences tied with the ``k``-th are kept (the same text may repeat among them), up to ``_MAX_TIES``
        (first by ``doc_id``, ``sent_id``), so the candidates, and the text and evidence read for them, do not
        grow with the corpus. A batch reaches pandas only through the rows that can still be among them: those
        at least as good as the ``k``-th best seen so far and as the batch's own ``k``-th."""
        import pyarrow as pa
        import pyarrow.dataset as ds

        cols = ["doc_id", "sent_id", column, *sorted({c for c in filters.values() if c})]
        sign = ds.field(column) > 0 if largest else ds.field(column) < 0
        best: dict[str, pd.DataFrame] = {}
        cut: dict[str, float] = {}  # the k-th best value so far: a worse row can never be kept
        pending: dict[str, list] = {key: [] for key in filters}

        def kth(values: np.ndarray) -> float:
            return -np.partition(-values, k - 1)[k - 1] if largest else np.partition(values, k - 1)[k - 1]

        def settle(key: str) -> None:
            if not pending[key]:
                return
            part = pa.concat_tables(pending[key]).to_pandas()
            pending[key] = []
            merged = pd.concat([best[key], part]) if key in best else part
            top = merged.nlargest(k, column, keep="all") if largest else merged.nsmallest(k, column, keep="all")
            if len(top) > _MAX_TIES:  # a scale with few values ties thousands of sentences at 200,000 articles
                top = top.sort_values([column, "doc_id", "sent_id"], ascending=[not largest, True, True],
                                      kind="stable").head(_MAX_TIES)
            best[key] = top
            if len(top) >= k:
                cut[key] = kth(top[column].to_numpy(dtype=float))

        for batch in self.tables.batches("sentence_scores", columns=cols, where=sign, arrow=True):
            values = batch.column(column).to_numpy(zero_copy_only=False)
            for key, theme_col in filters.items():
                keep = (batch.column(theme_col).to_numpy(zero_copy_only=False) > 0) if theme_col else \
                    np.ones(len(values), dtype=bool)
                if key in cut:
                    keep &= values >= cut[key] if largest else values <= cut[key]
                if keep.sum() > k:
                    bound = kth(values[keep])
                    keep &= values >= bound if largest else values <= bound
                if keep.any():
                    pending[key].append(pa.Table.from_batches([batch.filter(pa.array(keep))])
                                        .select(["doc_id", "sent_id", column]))
                    if sum(t.num_rows for t in pending[key]) > 2 * _MAX_TIES:
                        settle(key)
        for key in filters:
            settle(key)
        return best

    def _evidence_tables(self, rows: pd.DataFrame, scorer: str) -> dict[str, pd.DataFrame]:
        import pyarrow as pa
        import pyarrow.dataset as ds

        docs = pa.array(sorted(set(rows["doc_id"])), type=pa.string())
        in_docs = ds.field("doc_id").isin(docs)
        return {"sentences": self.read("sentences", columns=["doc_id", "sent_id", "text"], where=in_docs),
                "evidence": self.read("evidence", where=in_docs & (ds.field("scorer") == scorer)),
                "articles": self.tables["articles"]}

    def top_sentences(self, column: str, *, n: int = 5, largest: bool = True,
                      themes: Sequence[str] = ("",)) -> pd.DataFrame:
        """The ``n`` most positive (or negative) sentences on ``column``, each text once, with their evidence.

        ``themes``: ``""`` for all sentences, or theme names (sentences with a hit of the theme); with several,
        the result has a ``theme`` column and ``n`` rows per theme. Reads ``sentence_scores`` batch by batch
        (the needed columns), then the texts of the candidates' articles
        (:func:`diplo.report.tables.sentence_candidates`) and the evidence of the listed sentences' articles.
        """
        import pyarrow as pa
        import pyarrow.dataset as ds

        by_theme = list(themes) != [""]
        themes, filters = list(themes) or [""], {t: (f"theme_{t}" if t else "") for t in themes}
        found = self._candidates(column, filters, k=max(4 * n, n + 10), largest=largest)
        empty = pd.DataFrame({"doc_id": pd.Series(dtype=object), "sent_id": pd.Series(dtype="int64"),
                              column: pd.Series(dtype=float)})
        heads = {t: sentence_candidates(found.get(t, empty), column, n=n, largest=largest) for t in themes}

        def in_docs(frames) -> object:
            docs = sorted(set().union(*(set(f["doc_id"]) for f in frames)))
            return ds.field("doc_id").isin(pa.array(docs, type=pa.string()))

        sentences = self.read("sentences", columns=["doc_id", "sent_id", "text"], where=in_docs(heads.values()))
        ranked = {t: rank_sentences(heads[t], sentences, column, n=n, largest=largest) for t in themes}
        scorer = column.removeprefix("tone_")
        tables = {"sentences": sentences, "articles": self.tables["articles"],
                  "evidence": self.read("evidence", where=in_docs(ranked.values()) & (ds.field("scorer") == scorer))}
        parts = [scored_sentences(tables, column, ranked[theme]).assign(**({"theme": theme} if by_theme else {}))
                 for theme in themes]
        out = pd.concat(parts, ignore_index=True)
        if by_theme:
            out = out.assign(theme=out["theme"].astype(object)) if len(out) else out.assign(theme=pd.Series(dtype=object))
            out = out[["theme", *[c for c in out.columns if c != "theme"]]]
        return out

    def sample_sentences(self, column: str, *, n: int = 20) -> pd.DataFrame:
        """A seeded random sample of ``n`` scored sentences (each sentence equally likely), with evidence.

        Articles are drawn with probability proportional to their sentences, then one sentence of each, so
        only the drawn articles' sentences are read.
        """
        articles = self.tables["articles"]
        counts = articles["n_sentences"].fillna(0).to_numpy(dtype=float)
        empty = pd.DataFrame(columns=["doc_id", "sent_id", column])
        if counts.sum() == 0:
            rows = empty
        else:
            rng = np.random.default_rng(self.params.seed)
            draw = rng.choice(len(articles), size=min(3 * n, int(counts.sum())), p=counts / counts.sum())
            docs = articles["doc_id"].to_numpy()[draw]
            import pyarrow as pa
            import pyarrow.dataset as ds

            scores = self.read("sentence_scores", columns=["doc_id", "sent_id", column],
                               where=ds.field("doc_id").isin(pa.array(sorted(set(docs)), type=pa.string()))
                               & ds.field(column).is_valid())
            by_doc = {d: g for d, g in scores.sort_values(["doc_id", "sent_id"]).groupby("doc_id", sort=False)}
            picked, seen = [], set()
            for d in docs:
                group = by_doc.get(d)
                if group is None or not len(group):
                    continue
                row = group.iloc[int(rng.integers(len(group)))]
                key = (row["doc_id"], int(row["sent_id"]))
                if key not in seen:
                    seen.add(key)
                    picked.append(row)
                if len(picked) == n:
                    break
            rows = pd.DataFrame(picked, columns=["doc_id", "sent_id", column]) if picked else empty
        tables = self._evidence_tables(rows, column.removeprefix("tone_"))
        return scored_sentences({**tables, "sentence_scores": rows}, column)

    def kwic_hits(self, *, per_theme: int = 3, theme: str = "") -> pd.DataFrame:
        """The ``theme_hits`` rows :func:`diplo.report.tables.kwic` shows: per theme the first ``per_theme``
        hits in date order (undated last; then ``doc_id``, ``sent_id``, ``start``).

        Every article holds at least one hit of each theme it has a row for in ``theme_tone_by_article``
        (one row per article and theme with a hit), so a theme's first hits lie in its first ``per_theme``
        such articles in date order: only those articles' hits are read, and the time and memory grow with
        the number of articles, never with the hits.
        """
        import pyarrow as pa
        import pyarrow.dataset as ds

        articles = self.tables["articles"]
        where = ds.field("theme") == theme if theme else None
        pairs = self.read("theme_tone_by_article", columns=["doc_id", "theme"], where=where)
        # articles in date order (undated last, as "9999"), ties by doc_id: the rank of each pair's article
        when = articles["date"].fillna("9999").astype(str)
        order = pd.DataFrame({"when": when.to_numpy(), "doc_id": articles["doc_id"].to_numpy()}).sort_values(
            ["when", "doc_id"], kind="stable").index.to_numpy()
        rank = np.empty(len(articles), dtype=np.int64)
        rank[order] = np.arange(len(articles))
        at = pd.Index(articles["doc_id"]).get_indexer(pairs["doc_id"])
        pairs = pairs[at >= 0].assign(_rank=rank[at[at >= 0]])
        first = pairs.sort_values(["theme", "_rank"], kind="stable").groupby("theme", sort=True).head(per_theme)
        docs = pa.array(sorted(set(first["doc_id"])), type=pa.string())
        in_docs = ds.field("doc_id").isin(docs)
        hits = self.read("theme_hits", where=in_docs if where is None else in_docs & where)
        if hits.empty:
            return hits
        keys = ["theme", "_when", "doc_id", "sent_id", "start"]
        found = hits[["doc_id", "sent_id", "theme", "start"]].merge(first[["doc_id", "theme"]], on=["doc_id", "theme"])
        found = found.assign(_when=found["doc_id"].map(dict(zip(articles["doc_id"], when))))
        best = found.sort_values(keys).groupby("theme", sort=True).head(per_theme)
        return hits.merge(best[["doc_id", "sent_id", "theme", "start"]], on=["doc_id", "sent_id", "theme", "start"])


_MAX_TIES = 1000  # candidate sentences kept per top-sentences table, ties included
_BATCH_ROWS = 262_144  # rows per batch of a sentence-level table read in a pass


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
    # without the texts (most of the table: 1.3 GB at 200,000 articles); run.article_texts reads those needed
    articles = load_outputs(processed, tables=["articles"], drop={"articles": ["text"]})["articles"]
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

    def _where(self, where):
        import pyarrow as pa
        import pyarrow.dataset as ds

        if self._doc_ids is not None:
            selected = ds.field("doc_id").isin(pa.array(sorted(set(self._doc_ids)), type=pa.string()))
            where = selected if where is None else selected & where
        return where

    def _dataset(self, name: str):
        import pyarrow.dataset as ds

        if name not in OUTPUT_TABLES:
            raise KeyError(f"no per-article table {name!r}; tables: {', '.join(OUTPUT_TABLES)}")
        return ds.dataset(self._dir / f"{name}.parquet", format="parquet")

    def read(self, name: str, *, columns: Sequence[str] | None = None, where=None) -> pd.DataFrame:
        """Rows of the selected articles, only ``columns``, only those matching ``where``."""
        cached = self._cache.get(name)
        if cached is not None and where is None and (columns is None or set(columns) <= set(cached.columns)):
            return cached[list(columns)] if columns is not None else cached
        table = self._dataset(name).to_table(columns=None if columns is None else list(columns),
                                             filter=self._where(where))
        return table.to_pandas()

    def batches(self, name: str, *, columns: Sequence[str], where=None, rows: int | None = None,
                arrow: bool = False):
        """The selected rows of ``name`` (only ``columns``) as DataFrames of at most ``rows`` rows (default
        :data:`_BATCH_ROWS`; ``arrow``: as ``pyarrow.RecordBatch``, to filter before anything reaches pandas)."""
        scanner = self._dataset(name).scanner(columns=list(columns), filter=self._where(where),
                                              batch_size=rows or _BATCH_ROWS)
        for batch in scanner.to_batches():
            if batch.num_rows:
                yield batch if arrow else batch.to_pandas()


