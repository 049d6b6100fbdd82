"""A chunk of sentences as every scorer reads it: the one object passed through the scoring pipeline.

A :class:`Chunk` holds what several scorers need, built once: the texts, which of them are blank
(:attr:`Chunk.valid`), their tokens (a :class:`~diplo.scoring._engine.tokens.TokenTable`), the
:class:`~diplo.scoring.match.Matches` of every dictionary found in them, the columns scored so far
(:attr:`Chunk.scores`, read by later scorers) and the :class:`~diplo.scoring.session.ScoringSession` whose
caches the scorers use.  Each scorer has one method, ``score_chunk(chunk, *, evidence)`` (see
:mod:`diplo.scoring.score`), and ``score(texts)``, which builds a chunk of ``texts`` for it.

A chunk lives as long as one call scores it; what it caches (the matches a scorer's own matcher found in
it) goes with it.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from diplo.scoring._engine.tokens import TokenTable
from diplo.scoring.match import Matcher, Matches
from diplo.scoring.session import ScoringSession

__all__ = ["Chunk", "Spans", "EVIDENCE_COLUMNS", "evidence_frame", "valid_texts"]

#: The evidence rows of a tone scorer (``score_chunk(chunk, evidence=True)[1]``): a dict of arrays, one entry
#: per term that moved a score: ``row`` (index into the chunk), ``term``, ``start``/``end`` (character offsets
#: in the text), ``weight`` (its signed contribution) and ``negated``.
EVIDENCE_COLUMNS = ["row", "term", "start", "end", "weight", "negated"]


def valid_texts(texts: Sequence) -> np.ndarray:
    """Boolean mask: True where the item is a string with at least one non-space character."""
    n = len(texts)
    try:  # all strings (the usual case): two C-level passes
        blank = np.fromiter(map(str.isspace, texts), dtype=bool, count=n)
        return ~blank & (np.fromiter(map(len, texts), dtype=np.int64, count=n) > 0)
    except TypeError:  # a non-string somewhere
        return np.fromiter((isinstance(t, str) and not t.isspace() and t != "" for t in texts), dtype=bool,
                           count=n)


def evidence_frame(evidence: Mapping[str, Sequence] | None = None) -> pd.DataFrame:
    """Evidence rows (a dict of :data:`EVIDENCE_COLUMNS` arrays; None: no rows) as a typed DataFrame."""
    ev = evidence or {}
    return pd.DataFrame({
        "row": np.asarray(ev.get("row", ()), dtype=np.int64), "term": pd.Series(list(ev.get("term", ())), dtype=object),
        "start": np.asarray(ev.get("start", ()), dtype=np.int64), "end": np.asarray(ev.get("end", ()), dtype=np.int64),
        "weight": np.asarray(ev.get("weight", ()), dtype=float), "negated": np.asarray(ev.get("negated", ()), dtype=bool),
    }, columns=EVIDENCE_COLUMNS)


class Spans(NamedTuple):
    """Where a chunk's texts come from when they are substrings of other texts (actor target windows):
    text ``i`` of the chunk is ``texts[rows[i]][starts[i]:ends[i]]``.  A scorer may read them from the
    tokens of ``texts`` instead of tokenizing the substrings (VADER does)."""

    texts: Sequence[str]
    rows: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


class Chunk:
    """The texts of a chunk of sentences with their tokens and dictionary matches, built once and read by
    every scorer.

    Parameters
    ----------
    texts : the sentences (non-strings count as empty texts).
    tokens : the texts' tokens, when the caller has them (``Matcher.tokenize(texts)``).
    matches : the matches found in the texts, per dictionary name (:class:`~diplo.scoring.match.Matches`,
        or :meth:`~diplo.scoring.match.Matcher.match` tables).  When given, a scorer whose dictionary is
        missing from them is an error; when None, each scorer finds its own with its own matcher.
    spans : the texts are these substrings of other texts (:class:`Spans`).
    session : whose caches the scorers use; default :meth:`ScoringSession.current`.

    Attributes
    ----------
    texts : list of str.
    valid : bool array, the non-blank texts (:func:`valid_texts`); scorers give NaN elsewhere.
    tokens, matches, spans, session : as given.
    scores : columns scored so far (name -> array aligned with ``texts``); :func:`~diplo.scoring.score.score_sentences`
        puts the tone columns here, and the actor scorer reuses them for windows that are a whole text.

    Raises
    ------
    ValueError
        If ``tokens`` holds another number of texts.

    Examples
    --------
    >>> from diplo.scoring.tone import LexiconScorer
    >>> scorer = LexiconScorer()
    >>> chunk = Chunk.matched(["A fine, happy day", "  "], Matcher(scorer.dictionaries))
    >>> cols, evidence = scorer.score_chunk(chunk, evidence=True)
    >>> cols["lexicon_pos"].tolist(), evidence["term"].tolist()
    ([5.0, nan], ['fine', 'happy'])
    """

    def __init__(self, texts: Sequence, *, tokens: TokenTable | None = None,
                 matches: Mapping[str, "Matches | pd.DataFrame"] | None = None, spans: Spans | None = None,
                 session: ScoringSession | None = None) -> None:
        if isinstance(texts, (str, bytes)):
            raise TypeError(f"texts must be a list of strings, got a single {type(texts).__name__} {texts[:40]!r}")
        self.texts: list[str] = [t if isinstance(t, str) else "" for t in texts]
        if tokens is not None and len(tokens.texts) != len(self.texts):
            raise ValueError(f"table holds the tokens of {len(tokens.texts)} texts, not of the {len(self.texts)} given")
        self.valid = valid_texts(self.texts)
        self.tokens = tokens
        self.matches = None if matches is None else {name: Matches.of(m) for name, m in matches.items()}
        self.spans = spans
        self.session = session if session is not None else ScoringSession.current()
        self.scores: dict[str, np.ndarray] = {}
        self._found: dict[int, tuple] = {}  # own matcher's id -> (matcher, matches, tokens)

    @classmethod
    def matched(cls, texts: Sequence, matcher: Matcher, *, session: ScoringSession | None = None) -> "Chunk":
        """The chunk of ``texts`` tokenized and matched by ``matcher`` (one pass for all its dictionaries)."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        tokens = matcher.tokenize(texts)
        return cls(texts, tokens=tokens, matches=matcher.find(texts, table=tokens), session=session)

    def __len__(self) -> int:
        return len(self.texts)

    def matches_for(self, component) -> tuple[Mapping[str, Matches], TokenTable | None]:
        """The matches of ``component.dictionaries`` and the tokens they were found in.

        The chunk's own when it has matches; otherwise found by the component's own matcher
        (``component.own_matcher()``) and kept for the chunk's life.

        Raises
        ------
        ValueError
            If the chunk's matches lack one of the component's dictionaries.
        """
        if self.matches is not None:
            missing = [d.name for d in component.dictionaries if d.name not in self.matches]
            if missing:
                raise ValueError(f"matches lack dictionary {missing[0]!r}; found {sorted(self.matches)}")
            return self.matches, self.tokens
        matcher = component.own_matcher()
        found = self._found.get(id(matcher))
        if found is None:
            tokens = matcher.tokenize(self.texts)
            found = self._found[id(matcher)] = (matcher, matcher.find(self.texts, table=tokens), tokens)
        return found[1], found[2]

    def __repr__(self) -> str:
        matched = "unmatched" if self.matches is None else f"matches of {sorted(self.matches)}"
        return f"<Chunk of {len(self)} texts, {matched}{', spans' if self.spans is not None else ''}>"
