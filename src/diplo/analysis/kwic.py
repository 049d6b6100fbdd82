"""Keyword in context over a ``diplo run`` output: where a term, glob or phrase hits, before it goes into a dictionary.

A pattern is a theme term, in the themes dictionary's syntax and matched by the themes matcher's rules
(:mod:`diplo.scoring.match`): case-insensitive whole tokens (``Tehran-Baku`` and ``Iran's`` are one token
each, so ``baku`` does not hit inside ``Tehran-Baku``); a final ``*`` matches any ending (``corridor*``:
corridor, corridors, corridor-building); the words of a phrase are consecutive tokens, punctuation marks
included (``north-south corridor``, ``gas , swap``); a literal last word also hits its possessive
(``Karabakh`` hits ``Karabakh's``), as theme terms do; a proximity rule ``A NEAR/k B`` as in a themes file.

The hits come from the run's token index (:mod:`diplo.scoring.token_index`, ``token_vocabulary.parquet``
and ``token_postings.parquet``): a word or glob is a lookup, a phrase the postings of its words at
consecutive positions, a proximity rule its words' postings within the window with no clause break's
posting between (:func:`~diplo.scoring.token_index.entry_hits`).  Only the sentences of the hits shown are
read (their row groups of ``sentences.parquet``; the matcher gives the offsets), and the ``doc_id`` of the
hit sentences with their articles' ``date`` and ``outlet`` give the counts by outlet and period.
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
    else:
        rows = entry_hits(index, dictionary)
        # the hits shown, with their offsets: the matcher on their sentences (the same hits, by construction)
        candidates = _runs(rows[:n])[0]
        texts = _take(sentences, candidates, ["text"])["text"].to_pylist()
        starts, ends = _match(dictionary, candidates, texts)[1:]
    by_text = dict(zip(candidates.tolist(), texts))
    # per hit its article (a row of articles.parquet), per distinct hit sentence too: the counts are bincounts
    distinct, inverse = _runs(rows)
    articles = pq.read_table(folder / "articles.parquet", columns=["doc_id", "date", "outlet"])
    sentence_article = _articles_of(folder, distinct, articles["doc_id"])
    article = sentence_article[inverse]
    size = max(len(articles), int(sentence_article.max(initial=-1)) + 1)
    per_article = [np.bincount(a, minlength=size) for a in (article, sentence_article)]
    missing = pa.nulls(size - len(articles))  # sentences whose article is not in articles.parquet: "unknown"
    head = _take(sentences, rows[:n], ["doc_id", "sent_id"])
    info = articles.take(pa.array(np.minimum(article[:n], len(articles) - 1))).to_pandas() if len(articles) \
        else pd.DataFrame({"date": [None] * len(head), "outlet": [None] * len(head)})
    info.loc[article[:n] >= len(articles), ["date", "outlet"]] = None
    cut = [(by_text[r], s, e) for r, s, e in zip(rows[:n].tolist(), starts[:n], ends[:n])]
    hits = pd.DataFrame({"doc_id": head["doc_id"].to_numpy(zero_copy_only=False).astype(object),
                         "sent_id": head["sent_id"].to_numpy().astype(np.int64),
                         "date": info["date"].to_numpy(dtype=object), "outlet": info["outlet"].to_numpy(dtype=object),
                         "left": [_words_before(t[:s], window) for t, s, _ in cut],
                         "match": [t[s:e] for t, s, e in cut],
                         "right": [_words_after(t[e:], window) for t, _, e in cut]}, columns=KWIC_COLUMNS)
    hits["date"] = hits["date"].where(hits["date"].notna(), None)
    outlet = pa.chunked_array([*pc.if_else(pc.equal(articles["outlet"], ""), None, articles["outlet"]).chunks,
                               missing.cast(pa.string())])
    period = pa.chunked_array([*pc.utf8_slice_codeunits(pc.cast(articles["date"], pa.string()), 0, 7).chunks,
                               missing.cast(pa.string())])
    return KwicResult(pattern, len(rows), len(distinct), int((per_article[0] > 0).sum()), hits,
                      _counts(outlet, *per_article, "outlet", by_hits=True),
                      _counts(period, *per_article, "period", by_hits=False), note)


def _runs(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of sorted ``rows`` and, per row, the index of its value (``np.unique`` without sorting)."""
    new = np.ones(len(rows), dtype=bool)
    new[1:] = rows[1:] != rows[:-1]
    return rows[new], np.cumsum(new) - 1


def _articles_of(folder: Path, rows: np.ndarray, doc_ids: pa.ChunkedArray) -> np.ndarray:
    """Per sentence row, its article's row in ``articles.parquet`` (an article missing there: a number from
    ``len(doc_ids)`` on, one per ``doc_id``), without building the sentences' ``doc_id`` strings: the column is
    read dictionary-encoded and only its dictionaries are looked up."""
    file = pq.ParquetFile(folder / "sentences.parquet", read_dictionary=["doc_id"])
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    groups, at = _groups(file, rows)
    chunks = [c if isinstance(c, pa.DictionaryArray) else pc.dictionary_encode(c)
              for c in file.read_row_groups(groups.tolist(), columns=["doc_id"]).column("doc_id").chunks]
    # every chunk's dictionary looked up at once (one hash table of the articles' ids)
    words = pa.concat_arrays([c.dictionary.cast(pa.string()) for c in chunks])
    found = pc.index_in(words, value_set=doc_ids)
    where = found.fill_null(-1).to_numpy().astype(np.int64)
    if found.null_count:
        lost = found.is_null().to_numpy(zero_copy_only=False)
        where[lost] = len(doc_ids) + pc.dictionary_encode(words.filter(pa.array(lost))).indices.to_numpy()
    offset = np.cumsum([0] + [len(c.dictionary) for c in chunks])
    return np.concatenate([where[o + c.indices.to_numpy(zero_copy_only=False)]
                           for o, c in zip(offset.tolist(), chunks)])[at]


def _outputs_folder(out_dir: Path) -> Path:
    """The published generation's folder (sentences and index of one run), or ``out_dir`` itself for
    outputs written before generations."""
    if (out_dir / CURRENT_LINK).is_symlink():
        return current_generation(out_dir)
    if not (out_dir / "sentences.parquet").is_file():
        raise FileNotFoundError(f"{out_dir / 'sentences.parquet'} not found: run `diplo run RAW --out {out_dir}` first")
    return out_dir


def _groups(file: pq.ParquetFile, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The row groups holding ``rows`` (sorted positions in the file), and each row's position among them."""
    meta = file.metadata
    start = np.concatenate([[0], np.cumsum([meta.row_group(i).num_rows for i in range(meta.num_row_groups)])])
    group = np.searchsorted(start, rows, side="right") - 1
    groups = np.unique(group)
    base = np.concatenate([[0], np.cumsum(start[groups + 1] - start[groups])])[:-1]
    slot = np.searchsorted(groups, group)
    return groups, base[slot] + rows - start[group]


def _take(file: pq.ParquetFile, rows: np.ndarray, columns: list[str]) -> pa.Table:
    """Rows ``rows`` (sorted positions in the file) of ``columns``, reading only the row groups holding them."""
    if not len(rows):
        return file.schema_arrow.empty_table().select(columns)
    groups, at = _groups(file, rows)
    return file.read_row_groups(groups.tolist(), columns=columns).take(pa.array(at))


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


def _match(dictionary: Dictionary, rows: np.ndarray, texts: list) -> tuple[np.ndarray, list, list]:
    """The matcher's hits of ``dictionary`` in ``texts`` (at ``rows``): their rows, start and end offsets."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64), [], []
    found = Matcher([dictionary]).find(texts)["kwic"]
    order = np.lexsort((found.start, found.row))
    return rows[found.row[order]], found.start[order].tolist(), found.end[order].tolist()


def _counts(labels: pa.ChunkedArray, hits: np.ndarray, sentences: np.ndarray, by: str, *,
            by_hits: bool) -> pd.DataFrame:
    """Hits, sentences and articles per value of ``labels`` (one per article; null: ``unknown``) from the
    per-article counts ``hits`` and ``sentences``."""
    codes, names = pd.factorize(np.asarray(labels.fill_null("unknown").to_pylist(), dtype=object))
    count = lambda w: np.bincount(codes, weights=w, minlength=len(names)).astype(np.int64)  # noqa: E731
    table = pd.DataFrame({by: np.asarray(names, dtype=object), "hits": count(hits),
                          "sentences": count(sentences), "articles": count(hits > 0)})
    table = table[table["hits"] > 0].sort_values(by, kind="stable")
    if by_hits:
        table = table.sort_values(["hits", by], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)
