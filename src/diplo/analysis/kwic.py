"""Keyword in context over a ``diplo run`` output: where a term, glob or phrase hits, before it goes into a dictionary.

A pattern is a theme term, in the themes dictionary's syntax and matched by the themes matcher's rules
(:mod:`diplo.scoring.match`): case-insensitive whole tokens (``Tehran-Baku`` and ``Iran's`` are one token
each, so ``baku`` does not hit inside ``Tehran-Baku``); a final ``*`` matches any ending (``corridor*``:
corridor, corridors, corridor-building); the words of a phrase are consecutive tokens, punctuation marks
included (``north-south corridor``, ``gas , swap``); a literal last word also hits its possessive
(``Karabakh`` hits ``Karabakh's``), as theme terms do; a proximity rule ``A NEAR/k B`` as in a themes file.

The hits come from the run's token index (:mod:`diplo.scoring.token_index`, ``token_vocabulary.parquet``
and ``token_postings.parquet``): a word or glob is a lookup, a phrase the postings of its words at
consecutive positions, a proximity rule the sentences holding both words, matched by the matcher.  Only
the sentences of the hits shown are read (their row groups of ``sentences.parquet``), and the ``doc_id``
of the hit sentences with their articles' ``date`` and ``outlet`` give the counts by outlet and period.
Outputs without the index (an older diplo) are scanned: the ``text`` column with Arrow's substring search
as a prefilter, the candidates matched by the matcher (a one-line note says so).
"""

from __future__ import annotations

import itertools
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from diplo.io.generation import CURRENT_LINK, current_generation
from diplo.scoring.match import Dictionary, Matcher, dictionary_from_mapping
from diplo.scoring.token_index import TokenIndex, entry_hits

__all__ = ["KwicResult", "KWIC_COLUMNS", "kwic", "kwic_dictionary"]

log = logging.getLogger(__name__)

KWIC_COLUMNS = ["doc_id", "sent_id", "date", "outlet", "left", "match", "right"]
_WORD = re.compile(r"\S+")
_NO_INDEX = ("note: {out} has no token index (outputs of an older diplo run): every sentence was scanned; "
             "run diplo run again for answers in under a second")


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
    note : one line when the answer did not come from the token index (outputs of an older diplo), else "".
    """

    pattern: str
    n_hits: int
    n_sentences: int
    n_articles: int
    hits: pd.DataFrame
    by_outlet: pd.DataFrame
    by_period: pd.DataFrame
    note: str = ""

    def to_text(self) -> str:
        """A plain-text report: totals, the hits in context (match in brackets), counts by outlet and period."""
        lines = [self.note] if self.note else []
        lines += [f"{self.pattern!r}: {self.n_hits:,} hits in {self.n_sentences:,} sentences of "
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


def kwic_dictionary(pattern: str) -> Dictionary:
    """The one-term themes dictionary :func:`kwic` matches ``pattern`` as (possessives added, as in themes.yml).

    Raises
    ------
    ValueError
        For a blank pattern, or one the themes file would refuse (a ``*`` inside a word, a malformed
        ``NEAR/k`` rule, no word characters); the message says why.
    """
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError(f"the pattern must be a non-blank term, glob or phrase, got {pattern!r}")
    return dictionary_from_mapping({"kwic": [pattern.strip()]}, name="kwic", negation_window=0, possessives=True)


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
    out_dir : output folder of ``diplo run`` (needs ``sentences.parquet`` and ``articles.parquet``; the token
        index when it has one).
    pattern : a word (``zangezur``), a glob (``corridor*``), a phrase (``north-south corridor``) or a
        proximity rule (``attack* NEAR/5 embassy``), matched as a theme term is (see the module docstring).
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
    dictionary = kwic_dictionary(pattern)
    for name, value in (("window", window), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    folder = _outputs_folder(Path(out_dir))
    sentences = pq.ParquetFile(folder / "sentences.parquet")
    index = TokenIndex.open(folder)
    if index is not None and index.n_rows != sentences.metadata.num_rows:
        index = None  # not this generation's sentences (a copied file): never trust it
    note = ""
    if index is None:
        note = _NO_INDEX.format(out=out_dir)
        log.info("%s", note)
        candidates, texts = _scan(sentences, dictionary)
        rows, starts, ends = _match(dictionary, candidates, texts)
    elif any(e.near for e in dictionary.entries):
        candidates = _near_candidates(index, dictionary)
        texts = _take(sentences, candidates, ["text"])["text"].to_pylist()
        rows, starts, ends = _match(dictionary, candidates, texts)
    else:
        rows, first, last = entry_hits(index, dictionary)
        shown = np.unique(rows[:n])
        texts = _take(sentences, shown, ["text"])["text"].to_pylist()
        starts, ends = _offsets(shown, texts, rows[:n], first[:n], last[:n])
        candidates = shown
    by_text = dict(zip(candidates.tolist(), texts))
    keys = _keys(sentences, folder, rows)
    shown = keys.iloc[:n]
    cut = [(by_text[r], s, e) for r, s, e in zip(shown["row"].tolist(), starts[:n], ends[:n])]
    hits = shown[["doc_id", "sent_id", "date", "outlet"]].reset_index(drop=True).assign(
        left=[_words_before(t[:s], window) for t, s, _ in cut],
        match=[t[s:e] for t, s, e in cut],
        right=[_words_after(t[e:], window) for t, _, e in cut])
    keys["outlet"] = keys["outlet"].fillna("unknown").replace("", "unknown")
    keys["period"] = keys["date"].fillna("unknown").astype(str).str[:7]
    return KwicResult(pattern, len(keys), int(keys["row"].nunique()), int(keys["doc_id"].nunique()), hits,
                      _counts(keys, "outlet", by_hits=True), _counts(keys, "period", by_hits=False), note)


def _outputs_folder(out_dir: Path) -> Path:
    """The published generation's folder (sentences and index of one run), or ``out_dir`` itself for
    outputs written before generations."""
    if (out_dir / CURRENT_LINK).is_symlink():
        return current_generation(out_dir)
    if not (out_dir / "sentences.parquet").is_file():
        raise FileNotFoundError(f"{out_dir / 'sentences.parquet'} not found: run `diplo run RAW --out {out_dir}` first")
    return out_dir


def _take(file: pq.ParquetFile, rows: np.ndarray, columns: list[str]) -> pa.Table:
    """Rows ``rows`` (sorted positions in the file) of ``columns``, reading only the row groups holding them."""
    meta = file.metadata
    start = np.concatenate([[0], np.cumsum([meta.row_group(i).num_rows for i in range(meta.num_row_groups)])])
    if not len(rows):
        return file.schema_arrow.empty_table().select(columns)
    groups = np.unique(np.searchsorted(start, rows, side="right") - 1)
    table = file.read_row_groups(groups.tolist(), columns=columns)
    base = np.concatenate([[0], np.cumsum(start[groups + 1] - start[groups])])[:-1]
    group_of = np.searchsorted(groups, np.searchsorted(start, rows, side="right") - 1)
    return table.take(pa.array(base[group_of] + rows - start[groups[group_of]]))


def _scan(sentences: pq.ParquetFile, dictionary: Dictionary) -> tuple[np.ndarray, list]:
    """Rows and texts of the sentences holding the longest literal piece of some entry (ASCII case folded by
    Arrow's RE2): a superset of the hits, read from the whole ``text`` column."""
    text = sentences.read(columns=["text"]).column("text")
    found = None
    # "İ" is the one character whose lower case is longer ("i" + U+0307): cut there, the rest folds as one
    pieces = {max((p for t in e.tokens for p in t.rstrip("*").split("i\u0307")), key=len)
              for e in dictionary.entries}
    for literal in sorted(pieces):
        hit = pc.match_substring(text, literal, ignore_case=True)
        found = hit if found is None else pc.or_(found, hit)
    rows = np.flatnonzero(found.to_numpy(zero_copy_only=False)) if found is not None else np.zeros(0, np.int64)
    return rows, text.take(pa.array(rows)).to_pylist() if len(rows) else []


def _near_candidates(index: TokenIndex, dictionary: Dictionary) -> np.ndarray:
    """Rows of the sentences holding both words of some proximity rule (or a word of another entry)."""
    found = []
    for e in dictionary.entries:
        rows = index.rows(e.tokens[0])
        for token in e.tokens[1:]:
            rows = np.intersect1d(rows, index.rows(token))
        found.append(rows)
    return np.unique(np.concatenate(found))


def _match(dictionary: Dictionary, rows: np.ndarray, texts: list) -> tuple[np.ndarray, list, list]:
    """The matcher's hits of ``dictionary`` in ``texts`` (at ``rows``): their rows, start and end offsets."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64), [], []
    found = Matcher([dictionary]).find(texts)["kwic"]
    order = np.lexsort((found.start, found.row))
    return rows[found.row[order]], found.start[order].tolist(), found.end[order].tolist()


def _offsets(rows: np.ndarray, texts: list, hit_rows: np.ndarray, first: np.ndarray, last: np.ndarray,
             ) -> tuple[list, list]:
    """Character offsets of hits given by token positions, from the matcher's tokens of their sentences."""
    if not len(hit_rows):
        return [], []
    table = Matcher([]).tokenize(texts)
    at = table.bounds[np.searchsorted(rows, hit_rows)]
    return table.start[at + first].tolist(), table.end[at + last].tolist()


def _keys(sentences: pq.ParquetFile, folder: Path, rows: np.ndarray) -> pd.DataFrame:
    """Per hit: its row, the sentence's ``doc_id`` and ``sent_id``, the article's ``date`` and ``outlet``."""
    distinct, inverse = np.unique(rows, return_inverse=True)
    ids = _take(sentences, distinct, ["doc_id", "sent_id"])
    keys = pd.DataFrame({"row": rows, "doc_id": np.asarray(ids["doc_id"].to_pylist(), dtype=object)[inverse]
                         if len(rows) else np.zeros(0, dtype=object),
                         "sent_id": ids["sent_id"].to_numpy()[inverse] if len(rows) else np.zeros(0, np.int64)})
    if not len(keys):
        keys = keys.astype({"row": np.int64, "sent_id": np.int64})
    articles = pq.read_table(folder / "articles.parquet", columns=["doc_id", "date", "outlet"]).to_pandas()
    keys = keys.merge(articles, on="doc_id", how="left")
    keys["date"] = keys["date"].where(keys["date"].notna(), None)
    return keys


def _counts(keys: pd.DataFrame, by: str, *, by_hits: bool) -> pd.DataFrame:
    grouped = keys.groupby(by, sort=True)
    table = pd.DataFrame({"hits": grouped.size(), "sentences": grouped["row"].nunique(),
                          "articles": grouped["doc_id"].nunique()}).reset_index()
    if by_hits:
        table = table.sort_values(["hits", by], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True).astype({"hits": "int64", "sentences": "int64", "articles": "int64"})
