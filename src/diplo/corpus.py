"""Raw documents to articles and sentences: metadata, cleaning and segmentation for each document."""

from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from diplo.clean import clean_article
from diplo.load import RawDocument
from diplo.metadata import extract_metadata
from diplo.segment import SENTENCE_COLUMNS, iter_sentences

__all__ = ["build_articles", "metadata_overrides", "count_words"]

_WORD = re.compile(r"\w+(?:[-']\w+)*")


def count_words(text: str) -> int:
    """Word tokens in ``text`` (letters/digits, with inner hyphens and apostrophes)."""
    return len(_WORD.findall(text))


def metadata_overrides(meta: pd.DataFrame) -> dict[str, dict[str, str]]:
    """``metadata.csv`` rows as ``{file: {field: value}}``, blank cells dropped."""
    out: dict[str, dict[str, str]] = {}
    for rec in meta.to_dict("records"):
        out[rec["file"]] = {k: v for k, v in rec.items() if k != "file" and isinstance(v, str) and v.strip()}
    return out


def build_articles(docs: Iterable[RawDocument], overrides: dict[str, dict[str, str]] | None = None,
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean, describe and segment documents: returns (articles, sentences) tables."""
    overrides = overrides or {}
    articles, sentences = [], []
    for doc in docs:
        meta = extract_metadata(doc.text)
        cleaned = clean_article(doc.text)
        over = overrides.get(doc.source_file, {})
        row = {
            "doc_id": doc.doc_id, "source_file": doc.source_file,
            "title": meta.title, "title_source": meta.title_source,
            "date": meta.date, "date_source": meta.date_source,
            "outlet": meta.outlet, "outlet_source": meta.outlet_source,
            "author": meta.author, "author_source": meta.author_source,
            "dateline": meta.dateline,
        }
        for field in ("title", "date", "outlet", "author"):
            if field in over:
                row[field], row[f"{field}_source"] = over[field], "metadata.csv"
        sents = [(doc.doc_id, i, p, s, e, t) for i, (p, s, e, t) in enumerate(iter_sentences(cleaned.text))]
        row.update(text=cleaned.text, n_words=count_words(cleaned.text), n_sentences=len(sents),
                   removed_lines=len(cleaned.removed))
        articles.append(row)
        sentences.extend(sents)
    return pd.DataFrame(articles), pd.DataFrame(sentences, columns=SENTENCE_COLUMNS)
