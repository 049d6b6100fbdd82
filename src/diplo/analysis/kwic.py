"""Keyword in context over a ``diplo run`` output: where a term, glob or phrase hits, before it goes into a dictionary.

:func:`kwic` reads only the ``text`` column of ``OUT/sentences.parquet`` (column projection) and finds the
sentences holding the term's longest literal piece with Arrow's vectorized substring search; only those
candidates are matched exactly (Python ``re``), with the word rules of the themes matcher
(:mod:`diplo.scoring.match`): case-insensitive; a word is a whole token (``Tehran-Baku`` and ``Iran's`` are one
token each, so ``baku`` does not hit inside ``Tehran-Baku``); a final ``*`` matches any ending
(``corridor*``: corridor, corridors); words of a phrase are consecutive tokens (``north-south corridor``);
a literal last word also hits its possessive (``Karabakh`` hits ``Karabakh's``), as theme terms do.  The
rows of the candidate sentences and their articles' ``date`` and ``outlet`` (from ``articles.parquet``, three
columns) give the counts by outlet and period.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["KwicResult", "KWIC_COLUMNS", "kwic", "kwic_regex"]

KWIC_COLUMNS = ["doc_id", "sent_id", "date", "outlet", "left", "match", "right"]
_JOINERS = "-'\u2019"
_WORD = re.compile(r"\S+")
_PIECE = re.compile(r"\w+(?:[-'\u2019]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class KwicResult:
    """What :func:`kwic` found.

    Attributes
    ----------
    pattern : the term, glob or phrase searched.
    n_hits, n_sentences, n_articles : hits in the whole output, and the sentences and articles holding them.
    hits : the first ``n`` hits in output order, one row each (:data:`KWIC_COLUMNS`; ``left``/``right``:
        up to ``window`` words of the sentence before/after the hit).
    by_outlet, by_period : hits, sentences and articles per outlet / per month of publication (``YYYY-MM``;
        ``unknown`` when the article has no date), most hits first / in time order.
    """

    pattern: str
    n_hits: int
    n_sentences: int
    n_articles: int
    hits: pd.DataFrame
    by_outlet: pd.DataFrame
    by_period: pd.DataFrame

    def to_text(self) -> str:
        """A plain-text report: totals, the hits in context (match in brackets), counts by outlet and period."""
        lines = [f"{self.pattern!r}: {self.n_hits:,} hits in {self.n_sentences:,} sentences of "
                 f"{self.n_articles:,} articles", ""]
        if len(self.hits):
            width = min(60, max(len(x) for x in self.hits["left"]))
            for row in self.hits.itertuples(index=False):
                left = row.left[-width:]
                lines.append(f"{row.doc_id}:{row.sent_id}  {left:>{width}} [{row.match}] {row.right}")
            if self.n_hits > len(self.hits):
                lines.append(f"... {self.n_hits - len(self.hits):,} more")
            lines.append("")
            for title, table in (("by outlet", self.by_outlet), ("by period", self.by_period)):
                lines += [title, table.to_string(index=False), ""]
        return "\n".join(lines)


def kwic_regex(pattern: str) -> re.Pattern:
    """The regular expression :func:`kwic` matches sentences with (see the module docstring for the rules).

    Raises
    ------
    ValueError
        For a blank pattern, a ``*`` not at the end of a word, or a word with no letters or digits.
    """
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError(f"the pattern must be a non-blank term, glob or phrase, got {pattern!r}")
    words = pattern.split()
    parts = []
    for i, word in enumerate(words):
        star = word.endswith("*")
        core = word[:-1] if star else word
        if "*" in core or (star and not core):
            raise ValueError(f"pattern {pattern!r}: '*' is allowed only at the end of a word (e.g. corridor*)")
        if not _PIECE.fullmatch(core):
            raise ValueError(f"pattern {pattern!r}: {word!r} is not one word (letters and digits, joined by - or ')")
        body = re.escape(core)
        if star:  # the rest of the token, whatever it is
            body += r"\w*(?:[-'\u2019]\w+)*"
        elif i == len(words) - 1:
            body += r"(?:['\u2019]s)?"
        parts.append(body)
    # a token starts where no word character (alone or joined by - or ') precedes, and ends likewise
    start, end = r"(?<!\w)(?<!\w[-'\u2019])", r"(?!\w)(?![-'\u2019]\w)"
    return re.compile(start + r"\s+".join(parts) + end, re.IGNORECASE)


def _literal(pattern: str) -> str:
    """The longest piece of text every hit contains (for the vectorized prefilter)."""
    pieces = [w.rstrip("*") for w in pattern.split()]
    return max(pieces, key=len)


def _words_before(text: str, window: int) -> str:
    """The last ``window`` words of ``text`` as written (spacing kept), without the space before the hit."""
    starts = [m.start() for m in _WORD.finditer(text)]
    return text[starts[-min(window, len(starts))]:].rstrip() if window and starts else ""


def _words_after(text: str, window: int) -> str:
    """The first ``window`` words of ``text`` as written, without the space after the hit."""
    ends = [m.end() for m in itertools.islice(_WORD.finditer(text), window)]
    return text[:ends[-1]].lstrip() if ends else ""


def kwic(out_dir: str | os.PathLike, pattern: str, *, window: int = 8, n: int = 50) -> KwicResult:
    """Every hit of a term, glob or phrase in a ``diplo run`` output, with context and counts.

    Parameters
    ----------
    out_dir : output folder of ``diplo run`` (needs ``sentences.parquet`` and ``articles.parquet``).
    pattern : a word (``zangezur``), a glob (``corridor*``) or a phrase (``north-south corridor``); matched
        case-insensitively on whole words as the themes matcher does (see the module docstring).
    window : words of context on each side of a hit.
    n : hits returned in context (the counts cover all of them).

    Returns
    -------
    KwicResult

    Raises
    ------
    ValueError
        For an invalid pattern, or ``window``/``n`` below 0.
    FileNotFoundError
        If ``out_dir`` holds no ``sentences.parquet`` (run ``diplo run`` first).

    Examples
    --------
    >>> result = kwic("data/processed", "corridor*", window=5, n=3)  # doctest: +SKIP
    >>> result.by_outlet  # doctest: +SKIP
    """
    regex = kwic_regex(pattern)
    for name, value in (("window", window), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    out_dir = Path(out_dir)
    path = out_dir / "sentences.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `diplo run RAW --out {out_dir}` first")
    text = pq.read_table(path, columns=["text"]).column("text")
    # sentences holding the literal (ASCII case folded by Arrow's RE2): a superset of the hits
    candidates = pc.match_substring(text, _literal(pattern), ignore_case=True)
    rows = np.flatnonzero(candidates.to_numpy(zero_copy_only=False))
    found_rows, starts, ends = [], [], []
    texts = text.take(pa.array(rows)).to_pylist() if len(rows) else []
    for row, sentence in zip(rows.tolist(), texts):
        for m in regex.finditer(sentence or ""):
            found_rows.append(row)
            starts.append(m.start())
            ends.append(m.end())
    found = np.asarray(found_rows, dtype=np.int64)
    keys = pq.read_table(path, columns=["doc_id", "sent_id"]).take(pa.array(found)).to_pandas() if len(found) \
        else pd.DataFrame({"doc_id": pd.Series(dtype=object), "sent_id": pd.Series(dtype="int64")})
    articles = pq.read_table(out_dir / "articles.parquet", columns=["doc_id", "date", "outlet"]).to_pandas()
    keys = keys.merge(articles, on="doc_id", how="left")
    keys["date"] = keys["date"].where(keys["date"].notna(), None)
    keys["row"] = found
    by_text = dict(zip(rows.tolist(), texts))
    shown = keys.iloc[:n]
    hits = shown[["doc_id", "sent_id", "date", "outlet"]].reset_index(drop=True).assign(
        left=[_words_before(by_text[r][:s], window) for r, s in zip(shown["row"], starts[:n])],
        match=[by_text[r][s:e] for r, s, e in zip(shown["row"], starts[:n], ends[:n])],
        right=[_words_after(by_text[r][e:], window) for r, e in zip(shown["row"], ends[:n])])
    keys["outlet"] = keys["outlet"].fillna("unknown").replace("", "unknown")
    keys["period"] = keys["date"].fillna("unknown").astype(str).str[:7]
    return KwicResult(pattern, len(keys), int(keys["row"].nunique()), int(keys["doc_id"].nunique()), hits,
                      _counts(keys, "outlet", by_hits=True), _counts(keys, "period", by_hits=False))


def _counts(keys: pd.DataFrame, by: str, *, by_hits: bool) -> pd.DataFrame:
    grouped = keys.groupby(by, sort=True)
    table = pd.DataFrame({"hits": grouped.size(), "sentences": grouped["row"].nunique(),
                          "articles": grouped["doc_id"].nunique()}).reset_index()
    if by_hits:
        table = table.sort_values(["hits", by], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True).astype({"hits": "int64", "sentences": "int64", "articles": "int64"})
