"""Sentence scoring: every scorer over a chunk of sentences, in one place.

:func:`score_sentences` is what the pipeline calls per chunk; it returns one DataFrame per output table
(see :data:`SCORE_TABLES`), each streamed to its own parquet file.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from diplo.corpus import count_words_many
from diplo.tone import available_scorers, score_tone

__all__ = ["SCORE_TABLES", "score_sentences"]

SCORE_TABLES = ("sentence_scores",)


def score_sentences(sentences: pd.DataFrame, *, scorers: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """Score a sentences table (``doc_id``, ``sent_id``, ``text``).

    Returns
    -------
    dict mapping each name in :data:`SCORE_TABLES` to its table for these sentences.
    """
    scores = score_tone(sentences, scorers or available_scorers())
    head = sentences[["doc_id", "sent_id"]].copy()
    head["n_words"] = count_words_many(sentences["text"].tolist())
    return {"sentence_scores": pd.concat([head, scores], axis=1)}
