"""Sentence scoring: every scorer over a chunk of sentences, in one place.

:func:`score_sentences` is what the pipeline calls per chunk; it returns one DataFrame per output table
(see :data:`SCORE_TABLES`), each streamed to its own parquet file.  Every dictionary-based component (the
lexicon and diplomatic tone scorers, themes, actors) exposes ``dictionaries`` and ``score_from_matches``:
all their dictionaries are matched in ONE :class:`~diplo.match.Matcher` pass per chunk.
"""

from __future__ import annotations

import os
import threading
from typing import Sequence

import numpy as np
import pandas as pd

from diplo.actors import ACTOR_MENTION_COLUMNS, ActorScorer, carry_pronoun_speakers
from diplo.corpus import count_words_many
from diplo.match import Dictionary, Matcher
from diplo.themes import THEME_HIT_COLUMNS, ThemeScorer
from diplo.tone import available_scorers, get_scorer, score_tone

__all__ = ["SCORE_TABLES", "EVIDENCE_TABLE_COLUMNS", "score_sentences"]

SCORE_TABLES = ("sentence_scores", "evidence", "theme_hits", "actor_mentions")
EVIDENCE_TABLE_COLUMNS = ["doc_id", "sent_id", "scorer", "term", "start", "end", "weight", "negated"]

DictionarySource = Dictionary | str | os.PathLike | None
# Components per thread: the matcher's vocabulary and the scorers' tables grow while scoring, so threads
# (a Dask worker with several threads) each get their own.
_CACHE = threading.local()


def _key(source) -> tuple:
    # Objects are cached by identity (the cache holds a reference, so ids are not reused); names and
    # paths by value.
    if source is None or isinstance(source, (str, os.PathLike)):
        return ("value", None if source is None else os.fspath(source))
    return ("id", id(source))


def _components(themes: DictionarySource, actors: DictionarySource, scorers: Sequence,
                ) -> tuple[list, ThemeScorer, ActorScorer, Matcher]:
    """Tone scorers, theme and actor scorers and their shared matcher, built once per configuration."""
    key = (_key(themes), _key(actors), tuple(_key(s) for s in scorers))
    cache = getattr(_CACHE, "components", None)
    if cache is None:
        cache = _CACHE.components = {}
    if key not in cache:
        if len(cache) > 8:
            cache.clear()
        instances = [get_scorer(s) for s in scorers]
        theme_scorer, actor_scorer = ThemeScorer(themes), ActorScorer(actors, scorers=tuple(scorers))
        dictionaries = [d for s in instances for d in getattr(s, "dictionaries", ())]
        matcher = Matcher([*dictionaries, *theme_scorer.dictionaries, *actor_scorer.dictionaries])
        cache[key] = (instances, theme_scorer, actor_scorer, matcher, themes, actors, tuple(scorers))
    return cache[key][:4]


def _keyed(head: pd.DataFrame, table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Replace ``row`` (index into the chunk) by ``doc_id``, ``sent_id``; keep ``columns`` then the rest."""
    keys = head.iloc[table["row"].to_numpy()].reset_index(drop=True)
    out = pd.concat([keys, table.drop(columns="row").reset_index(drop=True)], axis=1)
    extra = [c for c in out.columns if c not in columns]
    return out[[*columns, *extra]]


def _evidence_order(head: pd.DataFrame, evidence: pd.DataFrame) -> np.ndarray:
    """Positions of ``evidence`` rows sorted (stably) by doc_id, sent_id, scorer, start, end: one stable
    argsort of a single int64 key built from integer codes, instead of a multi-column DataFrame sort."""
    if not len(evidence):
        return np.zeros(0, dtype=np.int64)
    doc, sent = head["doc_id"], head["sent_id"]
    start, end = evidence["start"].to_numpy(dtype=np.int64), evidence["end"].to_numpy(dtype=np.int64)
    if pd.api.types.is_integer_dtype(sent.dtype) and not doc.isna().any() and min(start.min(), end.min()) >= 0:
        try:
            doc_code = pd.factorize(doc, sort=True)[0].astype(np.int64)
        except TypeError:  # unorderable doc ids: let pandas sort (and complain)
            doc_code = None
        sent_id = sent.to_numpy(dtype=np.int64)
        span = int(sent_id.max()) - int(sent_id.min()) + 1
        if doc_code is not None and len(head) * span < 2**62:
            sentence = np.unique(doc_code * span + (sent_id - sent_id.min()), return_inverse=True)[1].reshape(-1)
            rank = sentence[evidence["row"].to_numpy()]
            scorer = pd.factorize(evidence["scorer"], sort=True)[0]
            sizes = [int(rank.max()) + 1, int(scorer.max()) + 1, int(start.max()) + 1, int(end.max()) + 1]
            if np.prod(sizes, dtype=object) < 2**63:
                # the rows come in long sorted runs (one per scorer), which a stable sort merges quickly
                return np.argsort(((rank * sizes[1] + scorer) * sizes[2] + start) * sizes[3] + end, kind="stable")
    keyed = _keyed(head, evidence, EVIDENCE_TABLE_COLUMNS)
    return keyed.sort_values(["doc_id", "sent_id", "scorer", "start", "end"], kind="stable").index.to_numpy()


def score_sentences(sentences: pd.DataFrame, *, scorers: Sequence | None = None,
                    themes: DictionarySource = None, actors: DictionarySource = None) -> dict[str, pd.DataFrame]:
    """Score a sentences table (``doc_id``, ``sent_id``, ``text``).

    Parameters
    ----------
    scorers : tone scorer names or scorer objects (e.g. ``LexiconScorer("my.cat")``); default all.
    themes, actors : theme dictionary / actor alias file (Dictionary or path); default the packaged files.

    Returns
    -------
    dict mapping each name in :data:`SCORE_TABLES` to its table for these sentences:
    ``sentence_scores`` (one row per sentence), ``evidence`` (one row per term that moved a tone score,
    sorted by doc_id, sent_id, scorer, start), ``theme_hits`` (keyword in context) and ``actor_mentions``.
    """
    scorers = list(scorers or available_scorers())
    instances, theme_scorer, actor_scorer, matcher = _components(themes, actors, scorers)
    head = sentences[["doc_id", "sent_id"]].reset_index(drop=True)
    texts = [t if isinstance(t, str) else "" for t in sentences["text"].tolist()]
    tokens = matcher.tokenize(texts)  # the chunk's tokens, shared by the matcher and the actor rules
    matches = matcher.match(texts, table=tokens)
    scores, evidence = score_tone(sentences, instances, evidence=True, matches=matches, table=tokens)
    scores = scores.reset_index(drop=True)
    theme_counts, hits = theme_scorer.score_from_matches(matches, texts)
    actor_cols, mentions = actor_scorer.score_from_matches(matches, texts, text_scores=scores, table=tokens)
    actor_cols["speaker"] = carry_pronoun_speakers(head["doc_id"].tolist(), texts, actor_cols["speaker"])
    table = head.assign(n_words=count_words_many(texts))
    table = pd.concat([table, scores], axis=1).assign(**theme_counts, **actor_cols)
    ev = _keyed(head, evidence.iloc[_evidence_order(head, evidence)], EVIDENCE_TABLE_COLUMNS)
    return {"sentence_scores": table,
            "evidence": ev,
            "theme_hits": _keyed(head, hits, THEME_HIT_COLUMNS),
            "actor_mentions": _keyed(head, mentions, ACTOR_MENTION_COLUMNS)}
