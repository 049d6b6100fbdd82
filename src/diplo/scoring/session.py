"""The owner of scoring's growing state: one :class:`ScoringSession` per thread that scores.

Scoring is fast because it learns as it goes: the matcher's vocabulary (token ids, per-id lookup tables,
the tokens of every whitespace-separated piece seen), VADER's per-token-type memo, the registered tone
scorers and the matcher compiled for a configuration of dictionaries.  All of that lives in a session,
built on first need and kept for the session's life, so scoring the next chunk costs only what is new in
it.  None of it changes a result: a fresh session scores every text exactly as a warm one.

A session is not thread-safe (its tables grow while scoring).  Create one per thread and pass it
(``score_sentences(..., session=s)``), or let the functions use :meth:`ScoringSession.current`, the calling
thread's default session (as :func:`decimal.getcontext` gives each thread its own context): a Dask worker
running several threads, or a thread pool, then gives each thread its own state without sharing anything.
"""

from __future__ import annotations

import threading
from typing import Callable, Hashable, TypeVar

__all__ = ["ScoringSession"]

T = TypeVar("T")
_DEFAULT = threading.local()  # each thread's default session (see ScoringSession.current)


class ScoringSession:
    """Scoring state with an owner and a lifetime: the objects one thread builds once and reuses.

    What a session holds, each built on first use: the registered tone scorers by name
    (:func:`diplo.scoring.tone.get_scorer`), VADER's memo tables (:func:`diplo.scoring.vader.score_vader`)
    and, per configuration of scorers and dictionaries, the scorers with the one shared
    :class:`~diplo.scoring.match.Matcher` (:func:`diplo.scoring.score.score_sentences`).  The objects are
    kept until :meth:`clear` or the session is dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> from diplo.scoring.score import score_sentences
    >>> session = ScoringSession()  # e.g. one per worker thread
    >>> s = pd.DataFrame({"doc_id": ["a"], "sent_id": [0], "text": ["Iran and Azerbaijan signed a deal."]})
    >>> tables = score_sentences(s, session=session)
    >>> len(session) > 0
    True
    """

    #: Configurations kept at once (a long run uses one; past this many the oldest are dropped).
    MAX_CONFIGURATIONS = 8

    def __init__(self) -> None:
        self._objects: dict[Hashable, object] = {}
        self._configurations: list[Hashable] = []

    @classmethod
    def current(cls) -> "ScoringSession":
        """The calling thread's default session (created on first use; each thread has its own)."""
        session = getattr(_DEFAULT, "session", None)
        if session is None:
            session = _DEFAULT.session = cls()
        return session

    def reuse(self, key: Hashable, build: Callable[[], T], *, configuration: bool = False) -> T:
        """The object kept under ``key``, built by ``build()`` the first time.

        ``configuration``: the object belongs to a configuration a caller may vary without end (dictionary
        objects, scorer lists); only the last :attr:`MAX_CONFIGURATIONS` of those are kept.
        """
        try:
            return self._objects[key]  # type: ignore[return-value]
        except KeyError:
            pass
        if configuration:
            if len(self._configurations) >= self.MAX_CONFIGURATIONS:
                self._objects.pop(self._configurations.pop(0), None)
            self._configurations.append(key)
        value = self._objects[key] = build()
        return value

    def clear(self) -> None:
        """Drop every object the session holds (the next call builds them afresh)."""
        self._objects.clear()
        self._configurations.clear()

    def __len__(self) -> int:
        """How many objects the session holds."""
        return len(self._objects)

    def __bool__(self) -> bool:  # a session is a session even before it holds anything
        return True

    def __repr__(self) -> str:
        return f"<ScoringSession holding {len(self)} object(s)>"
