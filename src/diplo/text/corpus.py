"""Raw documents to the corpus tables: metadata, cleaning and segmentation for each document.

:func:`build_corpus` returns one DataFrame per table in :data:`CORPUS_TABLES` (``articles``,
``sentences``, ``removed``), as :func:`diplo.scoring.score.score_sentences` does for the score tables.

Metadata precedence for each of title, date, outlet, author and url: ``metadata.csv`` (the researcher)
over the loader (``html`` page metadata, ``table`` columns) over the text (``text``); the ``*_source``
column says which one won, ``unknown`` when none had it.
"""

from __future__ import annotations

import logging
import re
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from diplo.text.clean import BOILERPLATE_RULES, DEFAULT_STEPS, BoilerplateRule, make_pipeline, remove_boilerplate
from diplo.io.raw import RawDocument
from diplo.text.metadata import canonical_outlet, extract_metadata, parse_date
from diplo.text.segment import MAX_SENTENCE_CHARS, SENTENCE_COLUMNS, iter_sentences

__all__ = ["CORPUS_TABLES", "ARTICLE_COLUMNS", "REMOVED_COLUMNS", "build_corpus", "build_articles",
           "metadata_overrides", "count_words", "count_words_many"]

log = logging.getLogger(__name__)

CORPUS_TABLES = ("articles", "sentences", "removed")
ARTICLE_COLUMNS = ["doc_id", "source_file", "title", "title_source", "date", "date_source", "outlet",
                   "outlet_source", "author", "author_source", "dateline", "url", "text", "n_words",
                   "n_sentences", "removed_lines", "duplicate_of"]
REMOVED_COLUMNS = ["doc_id", "seq", "rule", "line", "text"]
_FIELDS = ("title", "date", "outlet", "author", "url")
_WORD = re.compile(r"\w+(?:[-']\w+)*")


def count_words(text: str) -> int:
    """Word tokens in ``text`` (letters/digits, with inner hyphens and apostrophes)."""
    return len(_WORD.findall(text))


_ASCII_WORD = np.zeros(128, dtype=bool)
_ASCII_WORD[[c for c in range(128) if re.fullmatch(r"\w", chr(c))]] = True
_ASCII_JOINER = np.zeros(128, dtype=bool)
_ASCII_JOINER[[ord("-"), ord("'")]] = True
_ASCII_WORD_BYTES = _ASCII_WORD.astype(np.uint8).tobytes() + bytes(128)
_ASCII_JOINER_BYTES = _ASCII_JOINER.astype(np.uint8).tobytes() + bytes(128)


def count_words_many(texts: Iterable) -> np.ndarray:
    """:func:`count_words` of every text (0 for non-strings), vectorized over ASCII texts.

    A word of ``count_words`` is a maximal run of word characters in which a single ``-`` or ``'``
    between two word characters also counts, so counting run starts over the texts' characters (one
    numpy pass) gives the same numbers as the regex.  Non-ASCII texts go through the regex itself.
    """
    texts = list(texts)
    if not set(map(type, texts)) <= {str}:
        texts = [t if isinstance(t, str) else "" for t in texts]
    counts = np.zeros(len(texts), dtype=np.int64)
    ascii_ = np.fromiter(map(str.isascii, texts), dtype=bool, count=len(texts))
    rows = np.flatnonzero(ascii_)
    if len(rows):
        picked = texts if len(rows) == len(texts) else [texts[i] for i in rows.tolist()]
        data = "\n".join(picked).encode("ascii")
        # the tables applied by bytes.translate (one C pass each, no index arrays)
        word = np.frombuffer(bytearray(data.translate(_ASCII_WORD_BYTES)), dtype=bool)
        if len(word) > 2:
            joiner = np.frombuffer(data.translate(_ASCII_JOINER_BYTES), dtype=bool)
            word[1:-1] |= joiner[1:-1] & word[:-2] & word[2:]
        begins = np.flatnonzero(word[1:] > word[:-1]) + 1
        if len(word) and word[0]:
            begins = np.concatenate(([0], begins))
        lengths = np.fromiter(map(len, picked), dtype=np.int64, count=len(picked))
        base = np.concatenate(([0], np.cumsum(lengths + 1)))
        counts[rows] = np.diff(np.searchsorted(begins, base))
    for i in np.flatnonzero(~ascii_).tolist():
        counts[i] = count_words(texts[i])
    return counts


def metadata_overrides(meta: pd.DataFrame) -> dict[str, dict[str, str]]:
    """``metadata.csv`` rows as ``{file: {field: value}}``, blank cells dropped."""
    out: dict[str, dict[str, str]] = {}
    for rec in meta.to_dict("records"):
        out[rec["file"]] = {k: v.strip() for k, v in rec.items()
                            if k in _FIELDS and isinstance(v, str) and v.strip()}
    return out


def _loader_value(doc: RawDocument, name: str) -> str | None:
    value = doc.meta.get(name)
    if not value:
        return None
    if name == "date":
        date = parse_date(value)
        if date is None:
            log.warning("%s (%s): %s date %r is not a complete date; ignored", doc.source_file, doc.doc_id,
                        doc.meta_source, value)
        return date
    if name == "outlet":
        return canonical_outlet(value)
    return value


def build_corpus(docs: Iterable[RawDocument], overrides: dict[str, dict[str, str]] | None = None, *,
                 steps: Sequence[Callable[[str], str]] = DEFAULT_STEPS,
                 rules: Sequence[BoilerplateRule] = BOILERPLATE_RULES,
                 max_sentence_chars: int = MAX_SENTENCE_CHARS) -> dict[str, pd.DataFrame]:
    """Clean, describe and segment documents.

    Parameters
    ----------
    docs : documents from :func:`diplo.io.raw.load_documents`.
    overrides : ``metadata.csv`` values per source file (see :func:`metadata_overrides`).
    steps, rules : cleaning steps and boilerplate rules (see :func:`diplo.text.clean.clean_article`).
    max_sentence_chars : longer sentences are split (see :func:`diplo.text.segment.iter_sentences`).

    Returns
    -------
    dict with ``articles`` (one row per document, :data:`ARTICLE_COLUMNS`; ``duplicate_of`` is left
    empty for the pipeline's corpus-wide pass), ``sentences`` and ``removed`` (one row per removed line
    or span: doc_id, seq, rule, line, text).
    """
    overrides = overrides or {}
    normalize = make_pipeline(*steps)
    rules = tuple(rules)
    no_title_rules = tuple(r for r in rules if r.name != "title")
    articles, sentences, removed = [], [], []
    for doc in docs:
        normalized = normalize(doc.text)
        # A title given by the page or table wins; do not take the first line of its text as a title.
        cleaned = remove_boilerplate(normalized, rules=no_title_rules if doc.meta.get("title") else rules)
        meta = extract_metadata(normalized, removed=cleaned.removed)
        over = overrides.get(doc.source_file, {})
        row = {"doc_id": doc.doc_id, "source_file": doc.source_file, "dateline": meta.dateline, "url": None}
        for name in _FIELDS:
            found = getattr(meta, name, None)
            candidates = ((over.get(name), "metadata.csv"), (_loader_value(doc, name), doc.meta_source),
                          (found, "text"))
            value, source = next(((v, s) for v, s in candidates if v), (None, "unknown"))
            row[name] = value
            if name != "url":
                row[f"{name}_source"] = source
        sents = [(doc.doc_id, i, p, s, e, t) for i, (p, s, e, t)
                 in enumerate(iter_sentences(cleaned.text, max_chars=max_sentence_chars,
                                               label=f"{doc.source_file} ({doc.doc_id})"))]
        row.update(text=cleaned.text, n_sentences=len(sents), removed_lines=len(cleaned.removed), duplicate_of=None)
        articles.append(row)
        sentences.extend(sents)
        removed.extend((doc.doc_id, i, r.rule, r.line, r.text) for i, r in enumerate(cleaned.removed))
    articles = pd.DataFrame(articles, columns=ARTICLE_COLUMNS).astype({"duplicate_of": object})
    articles["n_words"] = count_words_many(articles["text"])
    return {
        "articles": articles,
        "sentences": pd.DataFrame(sentences, columns=SENTENCE_COLUMNS),
        "removed": pd.DataFrame(removed, columns=REMOVED_COLUMNS),
    }


def build_articles(docs: Iterable[RawDocument], overrides: dict[str, dict[str, str]] | None = None,
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(articles, sentences)`` of :func:`build_corpus`, for callers that do not need ``removed``."""
    tables = build_corpus(docs, overrides)
    return tables["articles"], tables["sentences"]
