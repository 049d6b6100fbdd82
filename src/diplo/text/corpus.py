"""Raw documents to the corpus tables: metadata, cleaning and segmentation for each document.

:func:`build_corpus` returns one DataFrame per table in :data:`CORPUS_TABLES` (``articles``,
``sentences``, ``removed``), as :func:`diplo.scoring.score.score_sentences` does for the score tables.

Metadata precedence (the ``*_source`` column says which source won, ``unknown`` when none had it):

- ``title``: ``metadata.csv`` row of the file > the loader (``html`` page, ``table`` column) > ``text``.
- ``url``: ``metadata.csv`` > the loader.
- ``outlet``: ``metadata.csv`` > the loader > ``url`` (the URL's domain in ``data/outlets.yml``) >
  ``folder_default`` (a ``metadata.csv`` row whose ``file`` is a glob such as ``tehrantimes_*.txt`` or
  ``*``, then ``diplo run --outlet``) > ``text`` (a credit line kept in the text) > ``boilerplate:<rule>``
  (a credit line cleaning removed: a licence footer often names the crawler's source, not the outlet).
- ``date``: ``metadata.csv`` > the loader > ``url`` (``/2023/12/07/``, ``/20231207/``) > ``file_name``
  (an ISO date or ``YYYYMMDD``) > ``folder_default`` > ``text`` (the header).
- ``author``: ``metadata.csv`` > the loader > ``folder_default`` > ``text``.

Each article also gets its ``language`` (ISO 639-1) and ``language_confidence`` from
:mod:`diplo.text.language`.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from diplo.text.clean import BOILERPLATE_RULES, DEFAULT_STEPS, BoilerplateRule, make_pipeline, remove_boilerplate
from diplo.io.raw import RawDocument
from diplo.text.dates import DateConfig, date_from_filename, date_from_url, read_date
from diplo.text.language import LanguageDetector, default_detector
from diplo.text.metadata import canonical_outlet, extract_metadata, outlet_from_url
from diplo.text.segment import MAX_SENTENCE_CHARS, SENTENCE_COLUMNS, iter_sentences

__all__ = ["CORPUS_TABLES", "ARTICLE_COLUMNS", "REMOVED_COLUMNS", "build_corpus", "build_articles",
           "metadata_overrides", "is_glob", "count_words", "count_words_many"]

log = logging.getLogger(__name__)

CORPUS_TABLES = ("articles", "sentences", "removed")
ARTICLE_COLUMNS = ["doc_id", "source_file", "title", "title_source", "date", "date_source", "outlet",
                   "outlet_source", "author", "author_source", "dateline", "url", "language", "language_confidence",
                   "text", "n_words",
                   "n_sentences", "removed_lines", "duplicate_of"]
REMOVED_COLUMNS = ["doc_id", "seq", "rule", "line", "text"]
_FIELDS = ("title", "date", "outlet", "author", "url")
# U+200C (zero-width non-joiner) joins the parts of one Persian word (می‌خواهند)
_WORD = re.compile(r"\w+(?:[-'\u200c]\w+)*")


def count_words(text: str) -> int:
    """Word tokens in ``text`` (letters/digits, with inner hyphens, apostrophes and zero-width non-joiners)."""
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


def is_glob(name: str) -> bool:
    """Whether a ``metadata.csv`` ``file`` value is a glob pattern (``*``, ``?`` or ``[``)."""
    return any(c in name for c in "*?[")


def metadata_overrides(meta: pd.DataFrame, *, default_outlet: str | None = None) -> dict[str, dict[str, str]]:
    """``metadata.csv`` rows as ``{file or glob: {field: value}}``, blank cells dropped, in file order.

    A glob row (see :func:`is_glob`) gives folder defaults to every file (and every row of a tabular
    file) it matches; ``default_outlet`` (``diplo run --outlet``) is the outlet default of last resort,
    stored as a final ``*`` entry.
    """
    out: dict[str, dict[str, str]] = {}
    for rec in meta.to_dict("records"):
        out[rec["file"]] = {k: v.strip() for k, v in rec.items()
                            if k in _FIELDS and isinstance(v, str) and v.strip()}
    if default_outlet is not None and default_outlet.strip():
        star = out.setdefault("*", {})
        if star.get("outlet") and star["outlet"] != default_outlet.strip():
            log.warning("metadata.csv row '*' sets outlet %r; --outlet %r applies only where it does not",
                        star["outlet"], default_outlet)
        else:
            out.pop("*")
            out["*"] = {**star, "outlet": default_outlet.strip()}
    return out


def _loader_value(doc: RawDocument, name: str, dates: DateConfig) -> str | None:
    value = doc.meta.get(name)
    if not value:
        return None
    if name == "date":
        date, why = read_date(value, dates)
        if date is None:
            log.warning("%s (%s): %s date %r not used: %s", doc.source_file, doc.doc_id, doc.meta_source, value,
                        why or "not a complete date (day, month and year)")
        return date
    if name == "outlet":
        return canonical_outlet(value)
    return value


def _folder_defaults(source_file: str, globs: Sequence[tuple[str, dict[str, str]]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pattern, fields in globs:
        if fnmatch.fnmatchcase(source_file, pattern):
            for k, v in fields.items():
                out.setdefault(k, v)
    return out


def build_corpus(docs: Iterable[RawDocument], overrides: dict[str, dict[str, str]] | None = None, *,
                 steps: Sequence[Callable[[str], str]] = DEFAULT_STEPS,
                 rules: Sequence[BoilerplateRule] = BOILERPLATE_RULES,
                 max_sentence_chars: int = MAX_SENTENCE_CHARS, dates: DateConfig = DateConfig(),
                 detector: LanguageDetector | None = None) -> dict[str, pd.DataFrame]:
    """Clean, describe and segment documents.

    Parameters
    ----------
    docs : documents from :func:`diplo.io.raw.load_documents`.
    overrides : ``metadata.csv`` values per source file or glob (see :func:`metadata_overrides`).
    steps, rules : cleaning steps and boilerplate rules (see :func:`diplo.text.clean.clean_article`).
    max_sentence_chars : longer sentences are split (see :func:`diplo.text.segment.iter_sentences`).
    dates : how printed dates are read (``--date-order``, languages; see :class:`diplo.text.dates.DateConfig`).
    detector : language detector; default :func:`diplo.text.language.default_detector`.

    Returns
    -------
    dict with ``articles`` (one row per document, :data:`ARTICLE_COLUMNS`; ``duplicate_of`` is left
    empty for the pipeline's corpus-wide pass), ``sentences`` and ``removed`` (one row per removed line
    or span: doc_id, seq, rule, line, text).
    """
    overrides = overrides or {}
    globs = [(k, v) for k, v in overrides.items() if is_glob(k)]
    detector = detector or default_detector()
    normalize = make_pipeline(*steps)
    rules = tuple(rules)
    no_title_rules = tuple(r for r in rules if r.name != "title")
    articles, sentences, removed = [], [], []
    for doc in docs:
        normalized = normalize(doc.text)
        # A title given by the page or table wins; do not take the first line of its text as a title.
        cleaned = remove_boilerplate(normalized, rules=no_title_rules if doc.meta.get("title") else rules)
        meta = extract_metadata(normalized, removed=cleaned.removed, dates=dates)
        over = overrides.get(doc.source_file, {}) if not is_glob(doc.source_file) else {}
        folder = _folder_defaults(doc.source_file, globs) if globs else {}
        loader = {name: _loader_value(doc, name, dates) for name in _FIELDS}
        url = over.get("url") or loader["url"]
        label = f"{doc.source_file} ({doc.doc_id})"
        if meta.date_problem and not any((over.get("date"), loader["date"])):
            log.warning("%s: header date not used: %s", label, meta.date_problem)
        text_outlet = (meta.outlet, meta.outlet_source)
        candidates = {
            "title": ((over.get("title"), "metadata.csv"), (loader["title"], doc.meta_source),
                      (meta.title, "text")),
            "url": ((url, "metadata.csv" if over.get("url") else doc.meta_source),),
            "outlet": ((over.get("outlet"), "metadata.csv"), (loader["outlet"], doc.meta_source),
                       (outlet_from_url(url) if url else None, "url"), (folder.get("outlet"), "folder_default"),
                       text_outlet),
            "date": ((over.get("date"), "metadata.csv"), (loader["date"], doc.meta_source),
                     (date_from_url(url) if url else None, "url"),
                     (date_from_filename(doc.source_file), "file_name"), (folder.get("date"), "folder_default"),
                     (meta.date, "text")),
            "author": ((over.get("author"), "metadata.csv"), (loader["author"], doc.meta_source),
                       (folder.get("author"), "folder_default"), (meta.author, "text")),
        }
        row = {"doc_id": doc.doc_id, "source_file": doc.source_file, "dateline": meta.dateline, "url": None}
        for name in _FIELDS:
            value, source = next(((v, s) for v, s in candidates[name] if v), (None, "unknown"))
            row[name] = value
            if name != "url":
                row[f"{name}_source"] = source
        guess = detector.detect(cleaned.text)
        sents = [(doc.doc_id, i, p, s, e, t) for i, (p, s, e, t)
                 in enumerate(iter_sentences(cleaned.text, max_chars=max_sentence_chars, label=label))]
        row.update(text=cleaned.text, n_sentences=len(sents), removed_lines=len(cleaned.removed), duplicate_of=None,
                   language=guess.code or None, language_confidence=guess.confidence)
        articles.append(row)
        sentences.extend(sents)
        removed.extend((doc.doc_id, i, r.rule, r.line, r.text) for i, r in enumerate(cleaned.removed))
    articles = pd.DataFrame(articles, columns=ARTICLE_COLUMNS).astype({"duplicate_of": object,
                                                                       "language_confidence": float})
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
