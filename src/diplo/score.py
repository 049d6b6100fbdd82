"""Sentence scoring: every scorer over a chunk of sentences, in one place.

:func:`score_sentences` is what the pipeline calls per chunk; it returns one DataFrame per output table
(see :data:`SCORE_TABLES`), each streamed to its own parquet file.  Dictionary-based components (themes,
actors) expose ``dictionaries`` and ``score_from_matches``: their dictionaries are matched in ONE
:class:`~diplo.match.Matcher` pass per chunk.
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import pandas as pd

from diplo.actors import ACTOR_MENTION_COLUMNS, ActorScorer, carry_pronoun_speakers
from diplo.corpus import count_words
from diplo.match import Dictionary, Matcher
from diplo.themes import THEME_HIT_COLUMNS, ThemeScorer
from diplo.tone import available_scorers, score_tone

__all__ = ["SCORE_TABLES", "score_sentences"]

SCORE_TABLES = ("sentence_scores", "theme_hits", "actor_mentions")

DictionarySource = Dictionary | str | os.PathLike | None
_CACHE: dict[tuple, tuple] = {}


def _key(source: DictionarySource):
    # Dictionaries are cached by identity (the cache holds a reference, so ids are not reused).
    return ("id", id(source)) if isinstance(source, Dictionary) else ("path", None if source is None else
                                                                        os.fspath(source))


def _components(themes: DictionarySource, actors: DictionarySource, scorers: Sequence[str],
                ) -> tuple[ThemeScorer, ActorScorer, Matcher]:
    """Theme and actor scorers with their shared matcher, built once per (themes, actors, scorers)."""
    key = (_key(themes), _key(actors), tuple(scorers))
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        theme_scorer, actor_scorer = ThemeScorer(themes), ActorScorer(actors, scorers=tuple(scorers))
        matcher = Matcher([*theme_scorer.dictionaries, *actor_scorer.dictionaries])
        _CACHE[key] = (theme_scorer, actor_scorer, matcher, themes, actors)
    return _CACHE[key][:3]


def _keyed(head: pd.DataFrame, table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Replace ``row`` (index into the chunk) by ``doc_id``, ``sent_id``; keep ``columns`` then the rest."""
    keys = head.iloc[table["row"].to_numpy()].reset_index(drop=True)
    out = pd.concat([keys, table.drop(columns="row").reset_index(drop=True)], axis=1)
    extra = [c for c in out.columns if c not in columns]
    return out[[*columns, *extra]]


def score_sentences(sentences: pd.DataFrame, *, scorers: Sequence[str] | None = None,
                    themes: DictionarySource = None, actors: DictionarySource = None) -> dict[str, pd.DataFrame]:
    """Score a sentences table (``doc_id``, ``sent_id``, ``text``).

    Parameters
    ----------
    scorers : tone scorer names; default all.
    themes, actors : theme dictionary / actor alias file (Dictionary or path); default the packaged files.

    Returns
    -------
    dict mapping each name in :data:`SCORE_TABLES` to its table for these sentences.
    """
    scorers = list(scorers or available_scorers())
    scores = score_tone(sentences, scorers)
    head = sentences[["doc_id", "sent_id"]].reset_index(drop=True)
    texts = [t if isinstance(t, str) else "" for t in sentences["text"].tolist()]
    theme_scorer, actor_scorer, matcher = _components(themes, actors, scorers)
    matches = matcher.match(texts)
    theme_counts, hits = theme_scorer.score_from_matches(matches, texts)
    actor_cols, mentions = actor_scorer.score_from_matches(matches, texts, text_scores=scores)
    actor_cols["speaker"] = carry_pronoun_speakers(head["doc_id"].tolist(), texts, actor_cols["speaker"])
    table = head.assign(n_words=np.array([count_words(t) for t in texts], dtype=np.int64))
    table = pd.concat([table, scores.reset_index(drop=True)], axis=1).assign(**theme_counts, **actor_cols)
    return {"sentence_scores": table,
            "theme_hits": _keyed(head, hits, THEME_HIT_COLUMNS),
            "actor_mentions": _keyed(head, mentions, ACTOR_MENTION_COLUMNS)}
