"""Sentence scoring: every scorer over a chunk of sentences, in one place, through one protocol.

The scorer protocol
-------------------
A :class:`~diplo.scoring.chunk.Chunk` is built once per chunk of sentences: the texts, which are blank
(``valid``), their tokens, the :class:`~diplo.scoring.match.Matches` of every dictionary found in ONE
:class:`~diplo.scoring.match.Matcher` pass, and the columns scored so far (``scores``).  Every scorer (the
tone scorers :class:`~diplo.scoring.vader.VaderScorer`, :class:`~diplo.scoring.tone.LexiconScorer` and
:class:`~diplo.scoring.tone.DiplomaticScorer`, :class:`~diplo.scoring.themes.ThemeScorer`,
:class:`~diplo.scoring.actors.ActorScorer`) offers:

``dictionaries``
    the dictionaries it needs matched (empty for VADER), so that one matcher serves them all;
``score_chunk(chunk, *, evidence=False)``
    ``(columns, evidence)``: arrays aligned with the chunk's texts, and with ``evidence`` the rows behind
    them as a dict of arrays (tone evidence, theme hits, actor mentions; ``row`` indexes the chunk);
``score(texts)``
    the same for a list of texts (a convenience that builds the chunk; evidence as a DataFrame).

A scorer object of your own needs ``name``, ``columns``, ``dictionaries`` and ``score_chunk``.

:func:`score_sentences` is what the pipeline calls per chunk: it builds the chunk, runs the scorers in turn
(tone first: the actor scorer reuses its columns for windows spanning a whole sentence) and returns one
DataFrame per output table (see :data:`SCORE_TABLES`), each built once from ready columns.  The scorers
and their matcher are built once per configuration and kept by a
:class:`~diplo.scoring.session.ScoringSession` (default: the calling thread's).
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from diplo.io.paths import file_sha256
from diplo.scoring._engine.strings import take_labels
from diplo.scoring.actors import ACTOR_MENTION_COLUMNS, ActorScorer, carry_pronoun_speakers
from diplo.scoring.chunk import Chunk
from diplo.scoring.match import Dictionary, Matcher
from diplo.scoring.session import ScoringSession
from diplo.scoring.themes import THEME_HIT_COLUMNS, ThemeScorer
from diplo.scoring.tone import available_scorers, get_scorers, score_tone_chunk
from diplo.text.corpus import count_words_many

__all__ = ["SCORE_TABLES", "SCORE_PARTS", "EVIDENCE_TABLE_COLUMNS", "score_sentences", "score_sentence_parts",
           "join_score_parts"]

SCORE_TABLES = ("sentence_scores", "evidence", "theme_hits", "actor_mentions")
#: the parts of scoring that can run apart: ``tone`` (the tone scorers and the actor scorer, whose target
#: windows reuse the tone columns) and ``themes``; each part's results depend only on its own dictionaries
SCORE_PARTS = ("tone", "themes")
EVIDENCE_TABLE_COLUMNS = ["doc_id", "sent_id", "scorer", "term", "start", "end", "weight", "negated"]

DictionarySource = Dictionary | str | os.PathLike | None


def _key(source) -> tuple:
    # Objects are kept by identity (the session holds a reference, so ids are not reused); names by value;
    # files by content: a themes file edited in place (a notebook's dictionary loop) is a new configuration,
    # even within the file system's mtime resolution, so the key holds the bytes' hash, not only size and mtime.
    if source is None or isinstance(source, (str, os.PathLike)):
        value = None if source is None else os.fspath(source)
        if value is not None and os.path.isfile(value):
            return ("file", value, file_sha256(value))
        return ("value", value)
    return ("id", id(source))


def _components(session: ScoringSession, themes: DictionarySource, actors: DictionarySource, scorers: Sequence,
                parts: tuple = SCORE_PARTS) -> tuple[list, ThemeScorer | None, ActorScorer | None, Matcher]:
    """Tone scorers, theme and actor scorers (those ``parts`` need) and their shared matcher, built once per
    configuration and kept by ``session`` (the matcher's vocabulary and the scorers' tables grow while scoring)."""

    def build() -> tuple:
        tone = "tone" in parts
        instances = get_scorers(scorers, session=session) if tone else []
        theme_scorer = ThemeScorer(themes) if "themes" in parts else None
        actor_scorer = ActorScorer(actors, scorers=tuple(scorers)) if tone else None
        dictionaries = [d for s in (*instances, theme_scorer, actor_scorer) if s is not None for d in s.dictionaries]
        matcher = Matcher(dictionaries)
        # the sources are kept with the components, so that the ids in the key stay theirs
        return (instances, theme_scorer, actor_scorer, matcher, themes, actors, tuple(scorers))

    key = ("components", _key(themes), _key(actors), tuple(_key(s) for s in scorers), parts)
    return session.reuse(key, build, configuration=True)[:4]


def _keyed(head: pd.DataFrame, table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Replace ``row`` (index into the chunk) by ``doc_id``, ``sent_id``; keep ``columns`` then the rest."""
    keys = head.iloc[table["row"].to_numpy()].reset_index(drop=True)
    out = pd.concat([keys, table.drop(columns="row").reset_index(drop=True)], axis=1)
    extra = [c for c in out.columns if c not in columns]
    return out[[*columns, *extra]]


def _take(values, idx: np.ndarray) -> object:
    """Items ``idx`` of a column (a Series, pandas or numpy array) as a new column of the same dtype."""
    values = getattr(values, "array", values)
    if isinstance(values, pd.api.extensions.ExtensionArray) and not isinstance(values, pd.arrays.NumpyExtensionArray):
        return values.take(idx)
    values = np.asarray(values)[idx]
    # an object column stays object (a DataFrame would make strings of an object array)
    return pd.Series(values, dtype=object, copy=False) if values.dtype == object else values


def _table(columns: dict[str, object], n: int) -> pd.DataFrame:
    """One output table from ready columns (a Series among them has the index ``0..n-1``), not copied."""
    return pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)


def _evidence_order(head, evidence, *, scorer_codes: np.ndarray | None = None) -> np.ndarray:
    """Positions of ``evidence`` rows sorted (stably) by doc_id, sent_id, scorer, start, end: one stable
    argsort of a single int64 key built from integer codes, instead of a multi-column DataFrame sort.

    ``head`` (doc_id, sent_id per chunk row) and ``evidence`` (row, scorer, start, end, ...) are
    DataFrames or dicts of columns; ``scorer_codes``: ``pd.factorize(evidence["scorer"], sort=True)[0]``
    when the caller has it."""
    if not len(evidence["row"]):
        return np.zeros(0, dtype=np.int64)
    doc, sent = head["doc_id"], head["sent_id"]
    start, end = np.asarray(evidence["start"], dtype=np.int64), np.asarray(evidence["end"], dtype=np.int64)
    if pd.api.types.is_integer_dtype(sent.dtype) and not pd.isna(doc).any() and min(start.min(), end.min()) >= 0:
        try:
            doc_code = pd.factorize(doc, sort=True)[0].astype(np.int64)
        except TypeError:  # unorderable doc ids: let pandas sort (and complain)
            doc_code = None
        sent_id = np.asarray(sent, dtype=np.int64)
        span = int(sent_id.max()) - int(sent_id.min()) + 1
        if doc_code is not None and len(head) * span < 2**62:
            sentence = np.unique(doc_code * span + (sent_id - sent_id.min()), return_inverse=True)[1].reshape(-1)
            rank = sentence[np.asarray(evidence["row"])]
            scorer = pd.factorize(evidence["scorer"], sort=True)[0] if scorer_codes is None else scorer_codes
            sizes = [int(rank.max()) + 1, int(scorer.max()) + 1, int(start.max()) + 1, int(end.max()) + 1]
            if np.prod(sizes, dtype=object) < 2**63:
                # the rows come in long sorted runs (one per scorer), which a stable sort merges quickly
                return np.argsort(((rank * sizes[1] + scorer) * sizes[2] + start) * sizes[3] + end, kind="stable")
    keyed = _keyed(pd.DataFrame(head), pd.DataFrame(evidence), EVIDENCE_TABLE_COLUMNS)
    return keyed.sort_values(["doc_id", "sent_id", "scorer", "start", "end"], kind="stable").index.to_numpy()


def score_sentences(sentences: pd.DataFrame, *, scorers: Sequence | None = None,
                    themes: DictionarySource = None, actors: DictionarySource = None,
                    session: ScoringSession | None = None) -> dict[str, pd.DataFrame]:
    """Score a sentences table (``doc_id``, ``sent_id``, ``text``).

    Parameters
    ----------
    scorers : tone scorer names or scorer objects (e.g. ``LexiconScorer("my.cat")``); default all.
    themes, actors : theme dictionary / actor alias file (Dictionary or path); default the packaged files.
    session : keeps the scorers, their matcher and their tables between calls; default the calling thread's
        (:meth:`~diplo.scoring.session.ScoringSession.current`).  Results do not depend on it.

    Returns
    -------
    dict mapping each name in :data:`SCORE_TABLES` to its table for these sentences:
    ``sentence_scores`` (one row per sentence), ``evidence`` (one row per term that moved a tone score,
    sorted by doc_id, sent_id, scorer, start), ``theme_hits`` (keyword in context) and ``actor_mentions``.
    """
    return join_score_parts(score_sentence_parts(sentences, scorers=scorers, themes=themes, actors=actors,
                                                 session=session))


def score_sentence_parts(sentences: pd.DataFrame, *, parts: Sequence[str] = SCORE_PARTS,
                         scorers: Sequence | None = None, themes: DictionarySource = None,
                         actors: DictionarySource = None, session: ScoringSession | None = None,
                         ) -> dict[str, dict[str, pd.DataFrame]]:
    """Score a sentences table with the scorers of some :data:`SCORE_PARTS` only.

    What :func:`score_sentences` does, in parts that can be computed (and kept) apart: a themes edit needs
    only the ``themes`` part again.  :func:`join_score_parts` makes the tables of :func:`score_sentences`.

    Parameters
    ----------
    parts : which of :data:`SCORE_PARTS` to compute; other options as for :func:`score_sentences`.

    Returns
    -------
    ``{part: tables}``: ``tone`` holds ``sentence_scores`` (doc_id, sent_id, n_words, the tone columns, then
    ``actors``, ``speaker``), ``evidence`` and ``actor_mentions``; ``themes`` holds ``sentence_scores``
    (the ``theme_*`` columns only) and ``theme_hits``.

    Raises
    ------
    ValueError
        For a part not in :data:`SCORE_PARTS`.
    """
    unknown = sorted(set(parts) - set(SCORE_PARTS))
    if unknown or isinstance(parts, str):
        raise ValueError(f"unknown scoring part(s) {unknown or parts!r}; valid: {', '.join(SCORE_PARTS)}")
    parts = tuple(p for p in SCORE_PARTS if p in parts)
    scorers = list(scorers or available_scorers())
    session = session if session is not None else ScoringSession.current()
    instances, theme_scorer, actor_scorer, matcher = _components(session, themes, actors, scorers, parts)
    n = len(sentences)
    head = {"doc_id": sentences["doc_id"], "sent_id": sentences["sent_id"]}
    # the chunk: tokens and every dictionary's matches, shared by all the scorers
    chunk = Chunk.matched(sentences["text"].tolist(), matcher, session=session)
    out: dict[str, dict[str, pd.DataFrame]] = {}
    if actor_scorer is not None:
        scores, tone_parts = score_tone_chunk(chunk, instances, evidence=True)
        chunk.scores.update(scores)  # the actor scorer reuses them for windows that are a whole sentence
        actor_cols, mentions = actor_scorer.score_chunk(chunk, evidence=True)
        texts = chunk.texts
        actor_cols["speaker"] = carry_pronoun_speakers(head["doc_id"].tolist(), texts, actor_cols["speaker"])
        table = {"doc_id": _take(head["doc_id"], np.arange(n)), "sent_id": _take(head["sent_id"], np.arange(n)),
                 "n_words": count_words_many(texts), **scores, **actor_cols}
        out["tone"] = {"sentence_scores": _table(table, n), "evidence": _evidence_table(head, tone_parts),
                       "actor_mentions": _keyed_table(head, mentions, ACTOR_MENTION_COLUMNS)}
    if theme_scorer is not None:
        theme_counts, hits = theme_scorer.score_chunk(chunk, evidence=True)
        out["themes"] = {"sentence_scores": _table(theme_counts, n),
                         "theme_hits": _keyed_table(head, hits, THEME_HIT_COLUMNS)}
    return out


def join_score_parts(parts: dict[str, dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The tables of :func:`score_sentences` from the ``tone`` and ``themes`` parts of
    :func:`score_sentence_parts` (of the same sentences): the theme columns go between the tone columns and
    ``actors``."""
    tone, themes = parts["tone"], parts["themes"]
    scores, counts = tone["sentence_scores"], themes["sentence_scores"]
    if len(scores) != len(counts):
        raise ValueError(f"the parts score different sentences: {len(scores)} and {len(counts)} rows")
    at = list(scores.columns).index(ActorScorer.columns[0])
    columns = {**{c: scores[c] for c in scores.columns[:at]}, **{c: counts[c] for c in counts.columns},
               **{c: scores[c] for c in scores.columns[at:]}}
    return {"sentence_scores": _table(columns, len(scores)), "evidence": tone["evidence"],
            "theme_hits": themes["theme_hits"], "actor_mentions": tone["actor_mentions"]}


def _keyed_table(head: dict, columns: dict, order: Sequence[str]) -> pd.DataFrame:
    """The table of ``columns`` with ``row`` (index into the chunk) replaced by ``doc_id``, ``sent_id``;
    ``order`` first, then the rest."""
    rows = np.asarray(columns["row"], dtype=np.int64)
    keyed = {"doc_id": _take(head["doc_id"], rows), "sent_id": _take(head["sent_id"], rows), **columns}
    return _table({c: keyed[c] for c in [*order, *(c for c in columns if c not in order and c != "row")]},
                  len(rows))


def _evidence_table(head: dict, parts: list) -> pd.DataFrame:
    """The evidence table of the scorers' evidence rows (:func:`diplo.scoring.tone.score_tone_chunk`), sorted."""
    # scorer names (two scorers may share one) as codes in name order, as pd.factorize(sort=True) numbers them
    names, code_of = np.unique(np.array([name for name, _ in parts], dtype=object), return_inverse=True)
    parts = [ev for _, ev in parts]
    ev = {c: np.concatenate([p[c] for p in parts]) for c in ("row", "term", "start", "end", "weight", "negated")}
    ev["row"] = ev["row"].astype(np.int64, copy=False)
    scorer = np.repeat(code_of.reshape(-1), [len(p["row"]) for p in parts])
    order = _evidence_order(head, {**ev, "scorer": names[scorer]}, scorer_codes=scorer)
    taken = {c: v[order] for c, v in ev.items()}
    taken["scorer"] = take_labels(pa.array(names.tolist(), type=pa.large_string()), scorer[order])
    taken["term"] = pd.Series(taken["term"], dtype=object, copy=False)
    return _keyed_table(head, taken, EVIDENCE_TABLE_COLUMNS)
