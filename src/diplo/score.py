"""Sentence scoring: every scorer over a chunk of sentences, in one place.

:func:`score_sentences` is what the pipeline calls per chunk; it returns one DataFrame per output table
(see :data:`SCORE_TABLES`), each streamed to its own parquet file.  Scorers built on
:mod:`diplo.match` share one :class:`~diplo.match.Matcher` pass over the chunk.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from diplo.corpus import count_words
from diplo.match import Dictionary, Matcher
from diplo.tone import available_scorers, get_scorer, score_tone

__all__ = ["SCORE_TABLES", "EVIDENCE_TABLE_COLUMNS", "score_sentences"]

SCORE_TABLES = ("sentence_scores", "evidence")
EVIDENCE_TABLE_COLUMNS = ["doc_id", "sent_id", "scorer", "term", "start", "end", "weight", "negated"]
_MATCHERS: dict[tuple[int, ...], tuple[tuple[Dictionary, ...], Matcher]] = {}


def _matcher(dictionaries: Sequence[Dictionary]) -> Matcher:
    # Compile each set of dictionaries once per process; the cache keeps the dictionaries alive so
    # their ids (the key) cannot be reused by other objects.
    key = tuple(id(d) for d in dictionaries)
    if key not in _MATCHERS:
        _MATCHERS[key] = (tuple(dictionaries), Matcher(dictionaries))
    return _MATCHERS[key][1]


def score_sentences(sentences: pd.DataFrame, *, scorers: Sequence | None = None) -> dict[str, pd.DataFrame]:
    """Score a sentences table (``doc_id``, ``sent_id``, ``text``) with scorer names or objects.

    Returns
    -------
    dict mapping each name in :data:`SCORE_TABLES` to its table for these sentences:
    ``sentence_scores`` (one row per sentence) and ``evidence`` (one row per term that moved a score,
    sorted by doc_id, sent_id, scorer, start).
    """
    instances = [get_scorer(s) for s in (scorers or available_scorers())]
    dictionaries = [d for scorer in instances for d in getattr(scorer, "dictionaries", ())]
    texts = sentences["text"].tolist()
    matches = _matcher(dictionaries).match(texts) if dictionaries else None
    scores, evidence = score_tone(sentences, instances, evidence=True, matches=matches)
    head = sentences[["doc_id", "sent_id"]].reset_index(drop=True)
    head["n_words"] = [count_words(t) if isinstance(t, str) else 0 for t in texts]
    table = pd.concat([head, scores.reset_index(drop=True)], axis=1)
    rows = evidence["row"].to_numpy(dtype=np.int64)
    ev = evidence.drop(columns="row").assign(doc_id=head["doc_id"].to_numpy()[rows],
                                             sent_id=head["sent_id"].to_numpy()[rows])
    ev = ev[EVIDENCE_TABLE_COLUMNS].sort_values(["doc_id", "sent_id", "scorer", "start", "end"], kind="stable")
    return {"sentence_scores": table, "evidence": ev.reset_index(drop=True)}
