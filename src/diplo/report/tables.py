"""Analysis tables for notebooks and reports: escaped display, top sentences, keyword in context, headlines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

__all__ = ["show_table", "theme_names", "corpus_overview", "top_sentences", "theme_kwic", "topic_labels",
           "validation_table", "confusion_table", "theme_sentences", "headlines", "DisplayTable"]


_TEXT_CELL = re.compile(r"<td>(.*?)</td>", re.S)


_NUMBER = re.compile(r"[-+]?[\d,]*\.?\d*(e[-+]?\d+)?|nan|")


class DisplayTable:
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


def show_table(df: pd.DataFrame, *, max_rows: int | None = 30) -> DisplayTable:
    """Wrap ``df`` for display in a notebook or report with all text HTML-escaped (never a raw Styler)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"show_table needs a DataFrame; got {type(df).__name__}")
    return DisplayTable(df, max_rows)


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

    Returns
    -------
    DataFrame ``finding``, ``value``, ``detail`` (every value traceable to the tables it came from).
    """
    from diplo.analysis.aggregate import aggregate_by

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
