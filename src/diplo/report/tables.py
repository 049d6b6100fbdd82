"""Analysis tables for notebooks and reports: escaped display, top sentences, keyword in context, headlines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

__all__ = ["show_table", "theme_names", "corpus_overview", "top_sentences", "sentence_candidates", "rank_sentences",
           "theme_kwic", "topic_labels",
           "validation_table", "confusion_table", "theme_sentences", "headlines", "DisplayTable", "scored_sentences",
           "MAX_ROWS", "CELL_CHARS", "LABEL_CHARS", "LABEL_COLUMNS"]

MAX_ROWS = 25  # rows a displayed table shows at most; the CSV in tables/ has them all
CELL_CHARS = 400  # characters of a displayed cell (a sentence fits; a 200,000-character name does not)
LABEL_CHARS = 60  # characters of a displayed name (outlet, title, author, actor, file): as on the charts
LABEL_COLUMNS = ("outlet", "title", "author", "actor", "speaker", "source_file", "doc_id", "duplicate_of", "file",
                 "url")


_TEXT_CELL = re.compile(r"<td>(.*?)</td>", re.S)


_NUMBER = re.compile(r"[-+]?[\d,]*\.?\d*(e[-+]?\d+)?|nan|")


def _cut(value: object, limit: int) -> object:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit - 1] + "…"
    return value


class DisplayTable:
    """A table for notebook display: HTML with every cell escaped (article text is untrusted), plain text.

    Shows the first ``max_rows`` rows (at most :data:`MAX_ROWS`) and a line saying how many more there are
    and where (``source``, the CSV); text cells are cut at :data:`CELL_CHARS` characters with an ellipsis, names
    (:data:`LABEL_COLUMNS`: outlet, title, author, actor, file ...) at :data:`LABEL_CHARS`, as on the charts.
    """

    def __init__(self, df: pd.DataFrame, max_rows: int | None, source: str | None = None,
                 empty: str | None = None) -> None:
        self.max_rows = min(max_rows or MAX_ROWS, MAX_ROWS)
        self.total, self.source, self.empty = len(df), source, empty
        head = df.head(self.max_rows)
        text = [c for c in head.columns if head[c].dtype == object or pd.api.types.is_string_dtype(head[c])]
        limit = {c: LABEL_CHARS if c in LABEL_COLUMNS else CELL_CHARS for c in text}
        self.df = head.assign(**{c: head[c].map(lambda v, k=limit[c]: _cut(v, k)) for c in text}) if text else head
        self.df.columns = [_cut(str(c), 60) for c in self.df.columns]

    def _more(self) -> str:
        more = self.total - len(self.df)
        if more <= 0:
            return ""
        where = f" in {self.source}" if self.source else ""
        return f"{more:,} more row{'s' if more != 1 else ''}{where} ({self.total:,} in all)"

    def _repr_html_(self) -> str:
        import html as _html

        if self.empty and not self.total:
            return f"<p><em>{_html.escape(self.empty)}</em></p>"
        # escape=True turns <script>, <img onerror=...> and javascript: links in article text into text.
        out = self.df.to_html(index=False, escape=True, render_links=False, na_rep="", border=0,
                              classes="dataframe diplo-table")
        # Notebook CSS right-aligns every cell; sentences read better left-aligned (numbers stay right).
        out = _TEXT_CELL.sub(lambda m: m.group(0) if _NUMBER.fullmatch(m.group(1).strip())
                             else f'<td style="text-align: left;">{m.group(1)}</td>', out)
        more = self._more()
        return out + (f"<p><em>{_html.escape(more)}</em></p>" if more else "")

    def __repr__(self) -> str:
        if self.empty and not self.total:
            return self.empty
        more = self._more()
        return self.df.to_string(index=False, na_rep="") + (f"\n{more}" if more else "")


def show_table(df: pd.DataFrame, *, max_rows: int | None = MAX_ROWS, source: str | None = None,
               empty: str | None = None) -> DisplayTable:
    """Wrap ``df`` for display in a notebook or report with all text HTML-escaped (never a raw Styler).

    ``source`` names the file holding the whole table, said under a table cut at ``max_rows`` rows. ``empty``:
    shown instead of a table with no rows (why it has none; default ``df.attrs["note"]`` when set).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"show_table needs a DataFrame; got {type(df).__name__}")
    return DisplayTable(df, max_rows, source, empty if empty is not None else df.attrs.get("note"))


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
    return scored_sentences(tables, column, rank_sentences(scores, tables["sentences"], column, n=n, largest=largest))


def sentence_candidates(scores: pd.DataFrame, column: str, *, n: int = 5, largest: bool = True) -> pd.DataFrame:
    """The rows of ``scores`` (``doc_id``, ``sent_id``, ``column``) that :func:`rank_sentences` picks ``n`` from:
    the positive (``largest``) or negative values, best first (ties by ``doc_id``, ``sent_id``), the first
    ``max(10 n, 50)`` (room for texts listed twice). Only their texts are needed."""
    if column not in scores.columns:
        raise ValueError(f"no column {column!r} in sentence_scores; found {list(scores.columns)}")
    ranked = scores[["doc_id", "sent_id", column]].dropna()
    # "most cooperative" lists only positive scores and "most conflictual" only negative ones.
    ranked = ranked[ranked[column] > 0] if largest else ranked[ranked[column] < 0]
    ranked = ranked.sort_values([column, "doc_id", "sent_id"], ascending=[not largest, True, True])
    return ranked.head(max(10 * n, 50))


def rank_sentences(scores: pd.DataFrame, sentences: pd.DataFrame, column: str, *, n: int = 5,
                   largest: bool = True) -> pd.DataFrame:
    """The ``n`` sentences :func:`top_sentences` lists (``doc_id``, ``sent_id``, ``column``), without their text
    and evidence: the best of :func:`sentence_candidates`, each text once (``sentences`` gives the texts)."""
    candidates = sentence_candidates(scores, column, n=n, largest=largest).merge(
        sentences[["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"], how="left")
    # the same sentence (repeated in an article, or syndicated) is listed once: its first, strongest copy
    key = candidates["text"].fillna("").str.split().str.join(" ").str.casefold()
    return candidates[~key.duplicated()].head(n)[["doc_id", "sent_id", column]]


def scored_sentences(tables: Mapping[str, pd.DataFrame], column: str, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sentences (``rows``: ``doc_id``, ``sent_id``, ``column``; default ``tables["sentence_scores"]``) with
    their date, outlet, text and, when ``tables`` has ``evidence``, the words behind the ``column`` score."""
    ranked = tables["sentence_scores"][["doc_id", "sent_id", column]] if rows is None else rows
    out = (ranked.merge(tables["sentences"][["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"], how="left")
                 .merge(tables["articles"][["doc_id", "date", "outlet"]], on="doc_id", how="left"))
    out = out.rename(columns={"text": "sentence"})
    evidence = tables.get("evidence")
    if evidence is not None and {"scorer", "term", "weight"} <= set(evidence.columns):
        strings = _evidence_strings(evidence, column.removeprefix("tone_"), out)
        keys = pd.MultiIndex.from_frame(out[["doc_id", "sent_id"]])
        out["evidence"] = strings.reindex(keys).fillna("").to_numpy() if len(strings) else ""
    out[column] = pd.to_numeric(out[column]).round(3)
    if "evidence" not in out and evidence is not None:
        out["evidence"] = ""
    cols = ["date", "outlet", "doc_id", "sent_id", column, "sentence"] + (["evidence"] if "evidence" in out else [])
    return out[cols].reset_index(drop=True)


def theme_kwic(theme_hits: pd.DataFrame, articles: pd.DataFrame, *, per_theme: int = 3) -> pd.DataFrame:
    """Keyword-in-context lines, the first ``per_theme`` per theme in date order: where each number comes from.

    ``theme_hits`` as written by ``diplo run`` (``doc_id``, ``sent_id``, ``theme``, ``entry``, ``match``,
    ``start``, ``left``, ``right``); ``articles`` supplies ``date`` and ``outlet``. Only hits of the given
    articles are kept, so a date/outlet selection applies.
    """
    hits = theme_hits.merge(articles[["doc_id", "date", "outlet"]], on="doc_id", how="inner")
    # dates are datetime.date from parquet (ISO strings in memory): sort on their text, undated last
    when = hits["date"].astype(str).where(hits["date"].notna(), "9999")
    hits = hits.assign(_when=when).sort_values(["theme", "_when", "doc_id", "sent_id", "start"])
    hits = hits.groupby("theme", sort=True).head(per_theme)
    cols = ["theme", "date", "outlet", "doc_id", "sent_id", "left", "match", "right", "entry"]
    return hits[cols].reset_index(drop=True)


def topic_labels(terms: pd.DataFrame, *, n: int = 4) -> dict[int, str]:
    """``{topic: "k: term, term, ..."}`` from a top-terms table (``topic``, ``rank``, ``term``)."""
    top = terms.sort_values(["topic", "rank"]).groupby("topic", sort=True).head(n)
    return {int(k): f"{k}: " + ", ".join(g["term"]) for k, g in top.groupby("topic", sort=True)}


def validation_table(results: Sequence[Mapping]) -> pd.DataFrame:
    """One row per (file, level, scorer) from :func:`diplo.analysis.validate.validate_file` results.

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

    Reads the article-level sums ``diplo run`` writes (``tone_by_article``, ``theme_tone_by_article``), never
    the sentences.

    Returns
    -------
    DataFrame ``finding``, ``value``, ``detail`` (every value traceable to the tables it came from).
    """
    from diplo.analysis.aggregate import aggregate_sums, sum_by_cluster, sum_theme_tone

    articles = tables["articles"]
    selected = pd.Index(articles["doc_id"])  # a hash index: a set of 200,000 ids made isin iterate in Python
    if "tone_by_article" in tables:
        everything, theme_sums = tables["tone_by_article"], tables["theme_tone_by_article"]
        known = list(dict.fromkeys([*theme_names(articles), *sorted(set(theme_sums["theme"].unique()))]))
    else:  # sentence scores only (a small table built by hand)
        scores = tables["sentence_scores"]
        everything, theme_sums = sum_by_cluster(scores, tone_columns), sum_theme_tone(scores, tone_columns)
        known = theme_names(scores)
    everything = everything[selected.get_indexer(everything["doc_id"]) >= 0]
    if theme:
        if theme not in known:
            raise ValueError(f"unknown theme {theme!r}; themes in this corpus: {', '.join(known) or '(none)'}")
        focus = theme_sums[(theme_sums["theme"] == theme).to_numpy() & (selected.get_indexer(theme_sums["doc_id"]) >= 0)]
    else:
        focus = everything
    dated = articles["date"].dropna()
    outlets = sorted(articles["outlet"].dropna().astype(str).unique())
    n_sentences = int(everything["n"].sum())
    rows = [("articles", f"{len(articles):,}",
             f"{dated.min()} to {dated.max()}" if len(dated) else "no dated articles"),
            ("dated articles", f"{len(dated):,}",
             "" if len(dated) == len(articles) else f"{len(articles) - len(dated):,} without a date: give dates in "
             "raw_dir/metadata.csv (columns file,date)"),
            ("outlets", f"{len(outlets):,}", ", ".join(_cut(o, 60) for o in outlets[:10])
             + (f" and {len(outlets) - 10:,} more" if len(outlets) > 10 else "")),
            ("sentences", f"{n_sentences:,}", "")]
    label = f"'{theme.replace('_', ' ')}' sentences" if theme else "all sentences"
    if theme:
        n_focus = int(focus["n"].sum())
        rows.append((f"sentences about '{theme.replace('_', ' ')}'", f"{n_focus:,}",
                     f"{n_focus / n_sentences:.0%} of all sentences" if n_sentences else ""))
    for column in tone_columns:
        for name, table in ((("all sentences", everything),) + (((label, focus),) if theme else ())):
            overall = aggregate_sums(table.assign(_all="all"), "_all", [column], seed=seed)
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
        by_outlet = aggregate_sums(with_outlet, "outlet", [column], seed=seed) if len(with_outlet) else None
        if by_outlet is not None and by_outlet[column].notna().sum() > 1:
            by_outlet = by_outlet.dropna(subset=[column])
            by_outlet = by_outlet.sort_values([column, "outlet"])
            for which, r in (("highest", by_outlet.iloc[-1]), ("lowest", by_outlet.iloc[0])):
                rows.append((f"outlet with the {which} {column}, {label}", _cut(str(r["outlet"]), 60),
                             f"{r[column]:+.3f} (n = {_sentences(r['n'])})"))
    return pd.DataFrame(rows, columns=["finding", "value", "detail"])
