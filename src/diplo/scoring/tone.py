"""Tone scorers behind one interface: a sentences table (or texts) in, a scores table out.

Three scorers ship, looked up by name in :data:`SCORERS`:

``vader``
    VADER compound score, -1..1 (vaderSentiment 3.3.2 rules and lexicon).  Neutral band |x| < 0.05
    (Hutto & Gilbert's own convention).
``lexicon``
    A quanteda-style dictionary scorer (default dictionary: AFINN-165, ODbL; any quanteda YAML,
    Lexicoder ``.cat`` or ``term,weight[,category]`` CSV can be passed instead).  ``lexicon_pos`` /
    ``lexicon_neg`` are the summed absolute weights of positive / negative matches (plain counts for
    unweighted dictionaries).  Negation: a positive term with a negator in the 3 tokens before it
    ("not good") counts as negative; a negated negative ("not bad") counts as positive at half weight;
    LSD-style ``neg_positive`` / ``neg_negative`` categories count as negative / positive and are not
    negated again.  ``tone_lexicon`` uses the ``logit`` scale log(pos + 0.5) - log(neg + 0.5): 0 when
    nothing matched, about +-1.1 for one unit of weight.  Neutral band |x| < 0.5.  Other scales:
    ``proportion`` (pos - neg) / words, ``relative`` (pos - neg) / (pos + neg) (0 when nothing matched).
``diplomatic``
    A cooperation-conflict scale, -10..+10, in the spirit of the Goldstein scale over CAMEO/PLOVER
    classes, from the editable lexicon ``data/diplomatic.csv`` (term, weight, category, note).
    Each match's weight is multiplied by -0.5 when negated ("did not sign an agreement" is a mild
    rebuff, not a conflict of the same size) and by 0.3 when hedged ("may impose sanctions").
    Negation scope: a negator (not/no/never..., or a negating verb such as "refused", "lifted",
    "ended", "suspended") negates an act within 4 tokens after it only when nothing between them is a
    preposition or conjunction ("suspended following the attack", "ended in a ceasefire", "not
    interested in the interference" negate nothing); a negating verb governs only its direct object,
    at most 3 tokens on, optionally behind "to"/"of" ("refused to sign", "suspension of talks",
    "ended the 2020 war").  An even number of governing negators cancels ("will not lift sanctions").
    Actor rule: an act weighs in full only when a political actor stands within ``ACTOR_WINDOW`` (5)
    tokens of it in the same clause (no ``. ; : ! ?``/"but"/"however" between): an alias of ``data/actors.yml``,
    a generic political noun of ``data/political_actors.yml`` (government, ministry, officials, forces,
    parliament, UN, delegation, embassy, ...) or a proper name (a capitalised word that does not start the
    text or follow a clause break), and its object (the next ``ACTOR_WINDOW`` tokens) is not a private person (``private`` in
    ``political_actors.yml``: wife, family, friends...); otherwise its weight is multiplied by ``ACTORLESS``
    (0.2): "assisting his wife with escaping Iran" is a private act, not cooperation between states.
    ``tone_diplomatic`` is the mean adjusted weight of the matches (0 when nothing matched;
    ``diplomatic_coop`` / ``diplomatic_conflict`` count the matches on each side, so "no signal" is
    0 + 0 and a balanced sentence is not).  Neutral band |x| < 1.

Every scorer follows the protocol of :mod:`diplo.scoring.score`: ``score_chunk(chunk, *, evidence=...)``
returns ``(columns, evidence)`` for a :class:`~diplo.scoring.chunk.Chunk`, and ``score(texts, *,
evidence=...)`` does so for a list of texts (evidence as a DataFrame).  Evidence rows
(:data:`~diplo.scoring.chunk.EVIDENCE_COLUMNS`) name each term, its character offsets in the text, its
signed contribution and whether it was negated.  Texts that are not strings, or are blank, score NaN in
every column.
"""

from __future__ import annotations

import os
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from diplo.io.resources import load_word_lists
from diplo.scoring._engine.tokens import TokenTable, Vocabulary
from diplo.scoring.chunk import EVIDENCE_COLUMNS, Chunk, evidence_frame
from diplo.scoring.match import (CLAUSE_BREAKS, NEGATORS, SCOPE_BREAKS, SPLIT_TOKEN_PATTERN, TOKEN_PATTERN, Dictionary,
                                 DictionaryError, DictionaryMatching, Matches, load_dictionary)
from diplo.scoring.session import ScoringSession
from diplo.scoring.vader import VaderScorer
from diplo.text.corpus import count_words_many

__all__ = ["SCORERS", "NEUTRAL_BANDS", "LEXICON_SCALES", "LexiconScorer", "DiplomaticScorer", "score_tone",
           "score_tone_chunk", "available_scorers", "get_scorer", "get_scorers", "tone_columns",
           "political_actor_dictionary", "MODEL_PREFIX", "model_scorer_name", "HEADLINE_ACTOR_WINDOW"]
# |tone| below the band counts as neutral when a score is turned into a -1/0/1 label (diplo validate).
NEUTRAL_BANDS = {"vader": 0.05, "lexicon": 0.5, "diplomatic": 1.0}
#: The actor rule's window when a headline is scored (``title_diplomatic``): a headline is one short clause
#: about its actors, so an actor anywhere in it counts (issue 17; on the 411 development articles the
#: headline alone: AUC 0.921 either way; the article score 0.971 -> 0.972).
HEADLINE_ACTOR_WINDOW = 40
LEXICON_SCALES = ("logit", "proportion", "relative")
DIPLOMATIC_CATEGORIES = ("verbal_cooperation", "material_cooperation", "verbal_conflict",
                         "material_conflict", "neutral")
_DATA = resources.files("diplo") / "data"
_SCOPE = load_word_lists("diplomatic_scope.yml", lists=("negating_verbs", "appeals", "scope_blockers"))
_WORD_EDGES = "\"'\u201c\u201d\u2018\u2019()[].,;:!?\u2014\u2013-"  # stripped from words in the negation pre-check


def _capitalised(texts: Sequence[str], rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per (text, character offset): that character is upper case (``str.isupper``), without a Python call per
    character for ASCII text."""
    if not len(rows):
        return np.zeros(0, dtype=bool)
    if not all(isinstance(t, str) for t in texts):  # a chunk's non-strings are empty texts
        texts = [t if isinstance(t, str) else "" for t in texts]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
    joined = "".join(texts)
    if joined.isascii():  # one byte per character: a copy, not a conversion
        points = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    else:
        points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    code = points[offsets[rows] + starts]
    upper = (code >= 65) & (code <= 90)
    wide = np.flatnonzero(code >= 128)
    if len(wide):
        upper[wide] = [chr(c).isupper() for c in code[wide].tolist()]
    return upper


def _negator_candidates(table: TokenTable, negator: np.ndarray, rows: np.ndarray, starts: np.ndarray,
                        window: int) -> np.ndarray:
    """Matches (``rows``, ``starts``) whose negation pre-check may pass: a superset, from the chunk's tokens.

    The pre-check (:meth:`DiplomaticScorer._negated_at`) asks whether one of the last ``window`` whitespace
    words within ``16 * window`` characters before the match, stripped of :data:`_WORD_EDGES`, is a negator or
    holds "n't".  Every non-space character belongs to a token, so whitespace words are runs of tokens
    without a gap between them, and such a word holds a token that is a negator or holds "n't"
    (``negator``: a flag per vocabulary id).  Windows that do not hold ``window`` whole words and do not
    start at the text's start (the first word may be cut) are always candidates.
    """
    if not len(rows) or not len(table):
        return np.full(len(rows), not len(table), dtype=bool)
    flagged = np.zeros(len(table) + 1, dtype=np.int64)
    np.cumsum(negator[table.ids], out=flagged[1:])  # flagged tokens before each token
    gap = np.ones(len(table), dtype=bool)  # a token that starts a whitespace word
    gap[1:] = (table.start[1:] > table.end[:-1]) | (table.row[1:] != table.row[:-1])
    word = np.cumsum(gap) - 1
    word_first = np.flatnonzero(gap)
    # the match's first token (tokens ascend by row, then start: one combined key finds it)
    width = int(table.end.max(initial=0)) + 1
    keys = table.row * width + table.start
    at = np.minimum(np.searchsorted(keys, rows * width + starts), len(keys) - 1)
    found = keys[at] == rows * width + starts
    text_first = table.bounds[rows]
    oldest_word = word[np.maximum(at - 1, 0)] - window + 1  # the window-th last word before the match
    oldest = word_first[np.maximum(oldest_word, 0)]  # its first token
    full = ((at > text_first) & (oldest_word >= 0) & (oldest >= text_first)
            & (table.start[oldest] >= starts - 16 * window))  # the window holds `window` whole words
    from_start = ~full & (starts <= 16 * window)  # the window is the whole text before the match
    first = np.where(full, oldest, text_first)
    near = flagged[at] > flagged[first]
    return ~found | np.where(full | from_start, near, True)


def _sum_by_row(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per-text sums of match values (float even when there are no matches)."""
    return np.bincount(rows, values, minlength=n).astype(float)


def _evidence_arrays(rows, terms, starts, ends, weights, negated) -> dict[str, np.ndarray]:
    """Evidence rows as arrays of the types of :func:`~diplo.scoring.chunk.evidence_frame` (``term``: object)."""
    return {"row": np.asarray(rows, dtype=np.int64), "term": np.asarray(terms, dtype=object),
            "start": np.asarray(starts, dtype=np.int64), "end": np.asarray(ends, dtype=np.int64),
            "weight": np.asarray(weights, dtype=float), "negated": np.asarray(negated, dtype=bool)}


def _resolve_dictionary(source, default: str, name: str, negation_window: int) -> Dictionary:
    if isinstance(source, Dictionary):
        return source
    if source is None:
        with resources.as_file(_DATA / default) as path:
            d = load_dictionary(path, name=name, negation_window=negation_window)
        return replace(d, name=name, source=f"diplo/data/{default}")
    if isinstance(source, (str, os.PathLike)):
        d = load_dictionary(Path(source), negation_window=negation_window)
        return replace(d, name=name)
    raise TypeError(f"dictionary must be a path, a diplo.scoring.match.Dictionary or None; got {type(source).__name__}")


class _MatcherScorer(DictionaryMatching):
    """Shared plumbing for scorers that read the chunk's :class:`diplo.scoring.match.Matches`."""

    name = ""
    dictionary: Dictionary

    @property
    def dictionaries(self) -> tuple[Dictionary, ...]:
        """Dictionaries this scorer needs matched (so one Matcher pass can serve several scorers)."""
        return (self.dictionary,)

    def score_chunk(self, chunk: Chunk, *, evidence: bool = False
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
        """Columns for the chunk's texts (NaN where a text is blank) and, with ``evidence``, the evidence rows
        as arrays (:data:`~diplo.scoring.chunk.EVIDENCE_COLUMNS`), from the chunk's matches of
        :attr:`dictionary` (found by this scorer's own matcher when the chunk holds no matches).

        Raises
        ------
        ValueError
            If the chunk's matches lack this scorer's dictionary.
        """
        matches, tokens = chunk.matches_for(self)
        return self._from_matches(matches[self.dictionary.name], chunk.texts, evidence, tokens, chunk.valid)

    def score(self, texts: Sequence[str], *, evidence: bool = False
              ) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
        """Score ``texts``: (columns aligned with texts, evidence rows as a DataFrame or None)."""
        cols, ev = self.score_chunk(Chunk(texts), evidence=evidence)
        return cols, None if ev is None else evidence_frame(ev)

    def _from_matches(self, m: Matches, texts: list, evidence: bool, table: TokenTable | None,
                      valid: np.ndarray):  # pragma: no cover - each scorer defines its rules
        raise NotImplementedError


class LexiconScorer(_MatcherScorer):
    """Dictionary tone in the quanteda tradition (see the module docstring for the rules).

    Parameters
    ----------
    dictionary : path to a YAML / ``.cat`` / CSV dictionary, a :class:`diplo.scoring.match.Dictionary`, or None
        for the packaged AFINN-165.  Categories used (case-insensitive): ``positive``, ``negative``,
        ``neg_positive``, ``neg_negative``; any other category (e.g. ``neutral``) only blocks shorter
        matches inside its phrases.
    scale : one of :data:`LEXICON_SCALES`.
    negation_window : tokens before a match searched for a negator (0 disables).

    Examples
    --------
    >>> # "not good" is an AFINN phrase (-2); fine (+2) and happy (+3)
    >>> cols, ev = LexiconScorer().score(["Not good at all.", "A fine, happy day"], evidence=True)
    >>> cols["lexicon_neg"].tolist(), cols["lexicon_pos"].tolist()
    ([2.0, 0.0], [0.0, 5.0])
    """

    name = "lexicon"
    columns = ("tone_lexicon", "lexicon_pos", "lexicon_neg")
    NEGATED_NEGATIVE = 0.5  # "not bad" is weaker praise than "good"

    def __init__(self, dictionary: str | os.PathLike | Dictionary | None = None, *, scale: str = "logit",
                 negation_window: int = 3) -> None:
        if scale not in LEXICON_SCALES:
            raise ValueError(f"unknown scale {scale!r}; valid scales: {', '.join(LEXICON_SCALES)}")
        self.scale = scale
        self.dictionary = _resolve_dictionary(dictionary, "afinn-en-165.csv", "lexicon", negation_window)
        found = {c.lower() for c in self.dictionary.categories}
        if not found & {"positive", "negative", "neg_positive", "neg_negative"}:
            raise DictionaryError(f"{self.dictionary.source}: a tone dictionary needs a 'positive' or "
                                  f"'negative' category; found {self.dictionary.categories}")

    def _from_matches(self, m: Matches, texts: list, evidence: bool, table: TokenTable | None,
                      valid: np.ndarray):
        n = len(texts)
        # categories compared once each, not once per match (code -1: a missing category)
        cat = np.array([str(c).lower() for c in m.category_names] + [""], dtype=object)[m.category]
        w = np.abs(m.weight)
        negated = m.negated
        is_pos, is_neg = cat == "positive", cat == "negative"
        # signed contribution to pos - neg
        signed = np.select(
            [is_pos & ~negated, is_pos & negated, is_neg & ~negated, is_neg & negated,
             cat == "neg_negative", cat == "neg_positive"],
            [w, -w, -w, w * self.NEGATED_NEGATIVE, w, -w], default=0.0)
        rows = m.row
        pos = _sum_by_row(rows, np.where(signed > 0, signed, 0.0), n)
        neg = _sum_by_row(rows, np.where(signed < 0, -signed, 0.0), n)
        if self.scale == "logit":
            tone = np.log(pos + 0.5) - np.log(neg + 0.5)
        elif self.scale == "proportion":
            words = np.where(valid, count_words_many(texts), 0).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                tone = np.where(words > 0, (pos - neg) / words, 0.0)
        else:
            total = pos + neg
            with np.errstate(invalid="ignore", divide="ignore"):
                tone = np.where(total > 0, (pos - neg) / total, 0.0)
        cols = {"tone_lexicon": tone, "lexicon_pos": pos, "lexicon_neg": neg}
        for v in cols.values():
            v[~valid] = np.nan
        ev = None
        if evidence:
            keep = signed != 0
            ev = _evidence_arrays(rows[keep], m.entry_names[m.entry[keep]], m.start[keep], m.end[keep], signed[keep],
                                  negated[keep])
        return cols, ev


class DiplomaticScorer(_MatcherScorer):
    """Cooperation (+) vs conflict (-) on a Goldstein-like -10..+10 scale (rules in the module docstring).

    Parameters
    ----------
    lexicon : path to a CSV with ``term,weight,category[,note]`` (categories: see
        :data:`DIPLOMATIC_CATEGORIES`; cooperation weights > 0, conflict < 0, neutral = 0, all within
        -10..10), a :class:`diplo.scoring.match.Dictionary`, or None for the packaged ``diplomatic.csv``.
    negation_window : tokens before a match searched for a negator (0 disables).
    actor_window : tokens searched on each side of an act for a political actor (the actor rule); default
        :attr:`ACTOR_WINDOW`.  Headlines are scored with :data:`HEADLINE_ACTOR_WINDOW`: a headline is one
        clause about its actors ("Iran, China set target of $200b in trade").

    Examples
    --------
    >>> cols, _ = DiplomaticScorer().score(["Iran condemned the attack.", "They signed a memorandum."])
    >>> (cols["tone_diplomatic"] < 0).tolist(), (cols["tone_diplomatic"] > 0).tolist()
    ([True, False], [False, True])
    """

    name = "diplomatic"
    columns = ("tone_diplomatic", "diplomatic_coop", "diplomatic_conflict")
    NEGATED = -0.5  # "did not sign the agreement": a mild rebuff, not a conflict of the same size
    HEDGED = 0.3    # "may impose sanctions", "urged Iran to sign": a third of the weight of the act itself
    DECAY = 0.3     # weight of each later match relative to the one before it
    # Verbs that negate the act after them in diplomatic prose ("refused to cooperate",
    # "lifted sanctions", "ended the fighting"), on top of not/no/never...  Not give/gave/given:
    # "gave full support", "given the close cooperation" are cooperation, not its negation.
    # The word lists are data/diplomatic_scope.yml.
    NEGATORS = _SCOPE["negating_verbs"]
    # Scope of a negator: the act right after it, or after at most GOVERNED_GAP tokens (determiners,
    # adjectives, a day: "lifted all remaining sanctions", "ended the 2020 war", "lifted Friday a blockade"), optionally behind "to"/"of"
    # ("refused to sign", "suspension of talks").  A preposition or conjunction in between ends the scope:
    # "suspended following the attack", "ended in a ceasefire", "not interested in the interference".
    GOVERNED_GAP = 3
    SCOPE_BLOCKERS = _SCOPE["scope_blockers"]
    # Appeals and statements (CAMEO 01-02) name an act without doing it: "urged Washington to lift
    # sanctions", "called for talks".
    HEDGES = _SCOPE["appeals"]
    # A cooperation or conflict act needs a political actor as its source or target: an actors.yml alias, a
    # generic noun of political_actors.yml or a proper name (a capitalised word not starting the text)
    # within ACTOR_WINDOW tokens (at most ACTOR_WINDOW - 1 tokens between) in the same clause, and its
    # object (the ACTOR_WINDOW tokens after it) must not be a private person ("assisting his wife");
    # otherwise it weighs ACTORLESS of its weight.  5 tokens was chosen on the ConfliBERT tuning two
    # thirds (3 tokens: macro-F1 0.66, 5: 0.70; see README).
    ACTOR_WINDOW = 5
    ACTORLESS = 0.2

    def __init__(self, lexicon: str | os.PathLike | Dictionary | None = None, *,
                 negation_window: int = 4, actors: Dictionary | None = None,
                 actor_window: int | None = None) -> None:
        if actor_window is not None:
            if isinstance(actor_window, bool) or not isinstance(actor_window, (int, np.integer)) or actor_window < 1:
                raise ValueError(f"actor_window must be a whole number of tokens >= 1, got {actor_window!r}")
            self.ACTOR_WINDOW = int(actor_window)
        d = _resolve_dictionary(lexicon, "diplomatic.csv", "diplomatic", negation_window)
        for e in d.entries:
            where = f"{d.source}, line {e.line}" if e.line else d.source
            if e.category not in DIPLOMATIC_CATEGORIES:
                raise DictionaryError(f"{where}: unknown category {e.category!r} "
                                      f"(valid: {', '.join(DIPLOMATIC_CATEGORIES)})")
            sign = -1 if e.category.endswith("conflict") else 1 if e.category.endswith("cooperation") else 0
            if not -10 <= e.weight <= 10 or np.sign(e.weight) != sign:
                want = {1: "in (0, 10]", -1: "in [-10, 0)", 0: "0"}[sign]
                raise DictionaryError(f"{where}: weight {e.weight:g} of {e.pattern!r} must be {want} "
                                      f"for category {e.category!r}")
        self.dictionary = replace(d, negators=frozenset(d.negators) | self.NEGATORS,
                                  hedges=frozenset(d.hedges) | self.HEDGES)
        self.actor_dictionary = actors if actors is not None else political_actor_dictionary()
        self._breaks: tuple[Vocabulary | None, np.ndarray] = (None, np.zeros(0, dtype=bool))
        self._negators = NEGATORS | self.dictionary.negators
        self._flags: tuple[Vocabulary | None, np.ndarray] = (None, np.zeros(0, dtype=bool))  # see _negator_flags
        # a negator that a stripped whitespace word can equal but that is not one token ("no.go") is not seen
        # in the token table: then every match is looked at
        pattern = SPLIT_TOKEN_PATTERN if self.dictionary.split_hyphens else TOKEN_PATTERN
        self._token_negators = all(pattern.fullmatch(w) for w in self._negators
                                   if w and w == w.strip(_WORD_EDGES) and w.split() == [w])

    @property
    def dictionaries(self) -> tuple[Dictionary, ...]:
        """The lexicon and the political actors (both matched in the chunk's one pass)."""
        return (self.dictionary, self.actor_dictionary)

    def score_chunk(self, chunk: Chunk, *, evidence: bool = False
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
        """As :meth:`_MatcherScorer.score_chunk`, reading the political actors' matches too."""
        matches, tokens = chunk.matches_for(self)
        self._actors = matches[self.actor_dictionary.name]
        try:
            return self._from_matches(matches[self.dictionary.name], chunk.texts, evidence, tokens, chunk.valid)
        finally:
            self._actors = None

    _actors: Matches | None = None

    def _has_actor(self, m: Matches, texts: list, table: TokenTable | None) -> np.ndarray:
        """Per match: a political actor within :attr:`ACTOR_WINDOW` tokens in the same clause."""
        actors = self._actors
        if not len(m):
            return np.zeros(0, dtype=bool)
        if actors is None or table is None:
            matcher = self.own_matcher()
            table = matcher.tokenize(texts)
            actors = matcher.find(texts, table=table)[self.actor_dictionary.name]
        if not len(table):
            return np.zeros(len(m), dtype=bool)
        width = int(max(table.end.max(initial=0), m.end.max(initial=0), actors.end.max(initial=0))) + 1
        keys = table.row * width + table.start

        def token_at(rows, offsets):  # the token holding character `offsets` of text `rows`
            return np.maximum(np.searchsorted(keys, rows * width + offsets, side="right") - 1, 0)

        a0, a1 = token_at(m.row, m.start), token_at(m.row, np.maximum(m.end - 1, m.start))
        # tokens that are (part of) an actor: a listed alias or noun, or a proper name (a capitalised word
        # that does not start its text: "Sharon", "Hamas", "Palestinians")
        mark = np.zeros((2, len(table) + 1), dtype=np.int64)
        if len(actors):
            b0, b1 = token_at(actors.row, actors.start), token_at(actors.row, np.maximum(actors.end - 1, actors.start))
            private = (actors.category == list(actors.category_names).index("private")).astype(np.int64) \
                if "private" in list(actors.category_names) else np.zeros(len(actors), dtype=np.int64)
            np.add.at(mark, (private, b0), 1)
            np.add.at(mark, (private, b1 + 1), -1)
        is_actor, is_private = np.cumsum(mark[:, :-1], axis=1) > 0
        brk = self._break_flags(table.vocabulary)[table.ids]
        clause = np.cumsum(brk)
        first, stop = table.bounds[m.row], table.bounds[m.row + 1]
        clause0, clause1 = clause[a0], clause[a1]
        # the tokens up to ACTOR_WINDOW before the act's first token and after its last, each kept only when
        # it is in the act's text and no clause break lies between it and the act
        before, after = [], []
        for d in range(1, self.ACTOR_WINDOW + 1):
            t = a0 - d
            t = np.where(t >= first, t, 0)
            before.append((t, (a0 - d >= first) & (clause[t] == clause0)))
            t = a1 + d
            t = np.where(t < stop, t, 0)
            after.append((t, (a1 + d < stop) & (clause[t] == clause1)))
        private_object = np.zeros(len(m), dtype=bool)
        for t, ok in after:
            private_object |= ok & is_private[t]  # the act's object is a private person
        # an actor token, or a proper name: capitalised, not its text's first token, not after a clause break
        wanted = np.zeros(len(table), dtype=bool)
        for t, ok in (*before, *after):
            wanted[t[ok]] = True
        near = np.flatnonzero(wanted)
        tok_first = table.bounds[table.row[near]]
        prev_break = brk[np.maximum(near - 1, 0)]
        maybe = near[~is_actor[near] & (near > tok_first) & ~prev_break]
        actor_like = is_actor.copy()
        actor_like[maybe] = _capitalised(texts, table.row[maybe], table.start[maybe])
        has = np.zeros(len(m), dtype=bool)
        for t, ok in (*before, *after):
            has |= ok & actor_like[t]
        return has & ~private_object

    def _break_flags(self, vocabulary: Vocabulary) -> np.ndarray:
        """Per vocabulary id: the token is a clause break (kept and extended as ids are added)."""
        known, flags = self._breaks
        strings = vocabulary.strings
        if known is not vocabulary:
            known, flags = vocabulary, np.zeros(0, dtype=bool)
        if len(flags) < len(strings):
            new = np.fromiter((t in CLAUSE_BREAKS for t in strings[len(flags):]), dtype=bool,
                              count=len(strings) - len(flags))
            flags = np.concatenate((flags, new))
        self._breaks = (known, flags)
        return flags

    def _negated(self, m: Matches, texts: list, table: TokenTable | None = None) -> np.ndarray:
        """Per match: an odd number of negators in its window govern it (scope rules: :attr:`SCOPE_BLOCKERS`,
        :attr:`GOVERNED_GAP`).  The window is the last ``negation_window`` tokens within ``16 *
        negation_window`` characters before the match.  The chunk's tokens (``table``, else tokenized
        here) show the few matches with a negator-like word in that window (:func:`_negator_candidates`);
        only those are looked at."""
        window = self.dictionary.negation_window
        if not window or not len(m):
            return m.negated.copy()
        if table is None:  # matches scored without the matcher's token table: tokenize with our own matcher
            table = self.own_matcher().tokenize(texts)
        if self.dictionary.split_hyphens:  # the matches start at tokens split at hyphens
            table = table.split_hyphens()
        rows, starts = m.row, m.start
        candidates = (_negator_candidates(table, self._negator_flags(table.vocabulary), rows, starts, window)
                      if self._token_negators else np.ones(len(m), dtype=bool))
        negated = np.zeros(len(m), dtype=bool)
        for k in np.flatnonzero(candidates).tolist():
            negated[k] = self._negated_at(texts[int(rows[k])], int(starts[k]), window)
        return negated

    def _negator_flags(self, vocabulary: Vocabulary) -> np.ndarray:
        """Per vocabulary id: the token is a negator or holds "n't" (kept and extended as ids are added)."""
        known, flags = self._flags
        strings = vocabulary.strings
        if known is not vocabulary:
            known, flags = vocabulary, np.zeros(0, dtype=bool)
        if len(flags) < len(strings):
            base = self._negators
            new = np.fromiter((t in base or "n't" in t or "n\u2019t" in t for t in strings[len(flags):]),
                              dtype=bool, count=len(strings) - len(flags))
            flags = np.concatenate((flags, new))
        self._flags = (known, flags)
        return flags

    def _negated_at(self, text: str, start: int, window: int) -> bool:
        """The scope rules for the match at ``start`` of ``text`` (see :meth:`_negated`)."""
        base = self._negators
        lo = max(0, start - 16 * window)  # characters that surely hold `window` tokens of news prose
        # whitespace words (at least as many as tokens): a window without a negator-like word negates nothing
        if not any(w.strip(_WORD_EDGES) in base or "n't" in w or "n\u2019t" in w
                   for w in text[lo:start].lower().split()[-window:]):
            return False
        before = [t.lower() for t in TOKEN_PATTERN.findall(text, lo, start)][-window:]
        flips = False
        for j in range(len(before) - 1, -1, -1):
            t = before[j]
            if t in SCOPE_BREAKS:
                break
            if not (t in base or t.endswith("n't") or t.endswith("n\u2019t")):
                continue
            gap = before[j + 1:]
            if gap and gap[0] in ("to", "of", "from"):
                gap = gap[1:]
            if (t in self.NEGATORS and len(gap) > self.GOVERNED_GAP) or any(g in self.SCOPE_BLOCKERS for g in gap):
                continue
            flips = not flips
        return flips

    def _from_matches(self, m: Matches, texts: list, evidence: bool, table: TokenTable | None,
                      valid: np.ndarray):
        n = len(texts)
        w = m.weight
        negated = self._negated(m, texts, table)
        hedged = m.hedged
        adj = w * np.where(negated, self.NEGATED, 1.0) * np.where(hedged, self.HEDGED, 1.0)
        adj = adj * np.where(self._has_actor(m, texts, table), 1.0, self.ACTORLESS)
        keep = adj != 0  # neutral entries only block shorter matches
        rows, adj = m.row[keep], adj[keep]
        # k-th match of its sentence (matches come in text order) weighs DECAY**k: the main event of a
        # news sentence comes first, context ("amid tensions", "the fight against terrorism") later.
        position = np.arange(rows.size) - np.searchsorted(rows, rows)
        decay = self.DECAY ** position
        coop = _sum_by_row(rows, (adj > 0).astype(float), n)
        conflict = _sum_by_row(rows, (adj < 0).astype(float), n)
        total = _sum_by_row(rows, adj * decay, n)
        norm = _sum_by_row(rows, decay, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            tone = np.clip(np.where(norm > 0, total / norm, 0.0), -10, 10)
        cols = {"tone_diplomatic": tone, "diplomatic_coop": coop, "diplomatic_conflict": conflict}
        for v in cols.values():
            v[~valid] = np.nan
        ev = None
        if evidence:
            contrib = adj * decay / norm[rows]  # sums to the sentence score
            ev = _evidence_arrays(rows, m.entry_names[m.entry[keep]], m.start[keep], m.end[keep], contrib,
                                  negated[keep])
        return cols, ev


def political_actor_dictionary() -> Dictionary:
    """The political actors an act on the diplomatic scale needs nearby: every alias of ``data/actors.yml``
    (one category per actor) plus the generic nouns of ``data/political_actors.yml`` (category ``actor``),
    matched on tokens split at hyphens ("Tehran-Baku"), possessives included.

    Raises
    ------
    DictionaryError
        If either file is malformed (the message names the file and line).
    """
    with resources.as_file(_DATA / "actors.yml") as p:
        named = load_dictionary(p, name="actors", negation_window=0, split_hyphens=True, possessives=True)
    with resources.as_file(_DATA / "political_actors.yml") as p:
        generic = load_dictionary(p, name="political_actors", negation_window=0, split_hyphens=True,
                                  possessives=True)
    seen = {e.tokens for e in named.entries}
    entries = named.entries + tuple(e for e in generic.entries if e.tokens not in seen)
    return Dictionary("diplomatic_actors", entries, negation_window=0, source="diplo/data/actors.yml + "
                      "diplo/data/political_actors.yml", split_hyphens=True)


SCORERS = {"vader": VaderScorer, "lexicon": LexiconScorer, "diplomatic": DiplomaticScorer}


#: ``model:PATH`` names a model made by ``diplo train`` (:class:`diplo.scoring.model.ModelScorer`).
MODEL_PREFIX = "model:"


def model_scorer_name(path: str | os.PathLike) -> str:
    """The scorer name of a model file: its file name without extensions, lower-cased, runs of other
    characters than letters and digits as ``_`` (``models/CAMEO v2.zip`` -> ``cameo_v2``, column
    ``tone_cameo_v2``); ``model_`` in front when that would be a shipped scorer's name or start with a digit."""
    stem = Path(path).name.split(".")[0]
    name = "_".join(filter(None, "".join(c if c.isascii() and c.isalnum() else " " for c in stem.lower()).split()))
    if not name or name in SCORERS or name[0].isdigit():
        name = f"model_{name}" if name else "model"
    return name


def _load_model(path: str):
    from diplo.scoring.model import ModelScorer  # model.py imports this module

    if not Path(path).is_file():
        raise ValueError(f"scorer {MODEL_PREFIX}{path}: no such model file (make one with diplo train)")
    return ModelScorer.load(path, name=model_scorer_name(path))


def available_scorers() -> list[str]:
    """Names of the registered scorers, sorted."""
    return sorted(SCORERS)


def tone_columns(scorers: Sequence[str] | None = None) -> list[str]:
    """The headline column of each scorer: by convention ``tone_<name>`` (what articles and groups aggregate)."""
    return [f"tone_{get_scorer(s).name}" for s in (scorers if scorers is not None else available_scorers())]


def get_scorer(name: "str | object", *, session: ScoringSession | None = None) -> object:
    """The scorer for ``name``: the session's instance of a registered scorer (built once per session, with
    its default dictionary; default session: the calling thread's), a model made by ``diplo train`` for
    ``"model:PATH"`` (named by :func:`model_scorer_name`, so its column is ``tone_<file name>``), or ``name``
    itself when it already is a scorer object (e.g. ``LexiconScorer("my.cat")``).

    Raises
    ------
    ValueError
        If ``name`` is not in :data:`SCORERS` (the message lists the valid names) or names a missing model.
    """
    if not isinstance(name, str) and hasattr(name, "score_chunk"):
        return name
    session = session if session is not None else ScoringSession.current()
    if isinstance(name, str) and name.startswith(MODEL_PREFIX):
        return session.reuse(("tone scorer", name), lambda: _load_model(name[len(MODEL_PREFIX):]))
    if not isinstance(name, str) or name not in SCORERS:
        raise ValueError(f"unknown scorer {name!r}; valid scorers: {', '.join(available_scorers())}, "
                         f"or {MODEL_PREFIX}PATH for a model made by diplo train")
    return session.reuse(("tone scorer", name), SCORERS[name])


def get_scorers(scorers: "Sequence | str | None", *, session: ScoringSession | None = None) -> list:
    """The scorer objects for ``scorers``: names or scorer objects, a single name, or None for every
    registered scorer (unknown names raise, see :func:`get_scorer`)."""
    if isinstance(scorers, str):
        scorers = [scorers]
    return [get_scorer(s, session=session) for s in (scorers if scorers is not None else available_scorers())]


def score_tone(sentences: pd.DataFrame | Iterable[str], scorers: Sequence[str] | None = None, *,
               evidence: bool = False, matches: Mapping[str, pd.DataFrame] | None = None,
               table: TokenTable | None = None, session: ScoringSession | None = None,
               ) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Score each sentence with each scorer.

    Parameters
    ----------
    sentences : DataFrame with a ``text`` column, or an iterable of strings.
    scorers : names from :data:`SCORERS` or scorer objects (e.g. ``LexiconScorer("LSD2015.cat")``), or
        one name; default all registered scorers.
    evidence : also return the evidence rows of every scorer.
    matches : a :meth:`diplo.scoring.match.Matcher.match` result over the same texts that includes the
        dictionaries of the matcher-based scorers (lets the caller run one pass for everything).
    table : the :meth:`diplo.scoring.match.Matcher.tokenize` table those matches were found in, if the caller has
        it (the diplomatic scorer reads its negation windows from it instead of tokenizing again).
    session : whose cached scorers and tables to use; default the calling thread's.

    Returns
    -------
    DataFrame with one row per input sentence (same index as a DataFrame input) and the scorers'
    columns (NaN where the text is not a non-blank string); with ``evidence=True`` a tuple
    ``(scores, evidence)`` where evidence has :data:`~diplo.scoring.chunk.EVIDENCE_COLUMNS` plus ``scorer``.

    Raises
    ------
    ValueError
        If a scorer name is unknown, the table has no ``text`` column, or ``matches`` lack a scorer's
        dictionary.
    TypeError
        If ``sentences`` is a single string instead of a list of them.
    """
    if isinstance(sentences, (str, bytes)):
        # A bare string is an iterable of characters: scoring it would silently give one row per letter.
        raise TypeError(f"sentences must be a DataFrame with a 'text' column or a list of strings, got a "
                        f"single {type(sentences).__name__} {sentences[:40]!r}; wrap it in a list")
    if isinstance(sentences, pd.DataFrame):
        if "text" not in sentences.columns:
            raise ValueError(f"sentences table needs a 'text' column; found {list(sentences.columns)}")
        index, texts = sentences.index, sentences["text"].tolist()
    else:
        texts = list(sentences)
        index = pd.RangeIndex(len(texts))
    instances = get_scorers(scorers, session=session)
    chunk = Chunk(texts, tokens=table, matches=matches, session=session)
    out, parts = score_tone_chunk(chunk, instances, evidence=evidence)
    scores = pd.DataFrame(out, index=index)
    if not evidence:
        return scores
    evidence_parts = [evidence_frame(ev).assign(scorer=name) for name, ev in parts]
    ev_cols = ["row", "scorer", *EVIDENCE_COLUMNS[1:]]
    ev_all = (pd.concat(evidence_parts, ignore_index=True)[ev_cols] if evidence_parts
              else evidence_frame().assign(scorer=pd.Series(dtype=object))[ev_cols])
    return scores, ev_all


def score_tone_chunk(chunk: Chunk, scorers: Sequence, *, evidence: bool = False,
                     ) -> tuple[dict[str, np.ndarray], list[tuple[str, dict[str, np.ndarray] | None]]]:
    """Every tone scorer's ``score_chunk`` over one chunk, without DataFrames.

    Parameters
    ----------
    chunk : the chunk (:class:`~diplo.scoring.chunk.Chunk`).
    scorers : scorer objects (:func:`get_scorers`).
    evidence : also return the evidence rows.

    Returns
    -------
    ``(columns, evidence)``: the scorers' columns as float arrays (NaN where the text is blank) and, with
    ``evidence``, per scorer ``(name, evidence rows)`` (dicts of :data:`~diplo.scoring.chunk.EVIDENCE_COLUMNS`
    arrays), else an empty list.
    """
    valid = chunk.valid
    out: dict[str, np.ndarray] = {}
    parts = []
    for scorer in scorers:
        cols, ev = scorer.score_chunk(chunk, evidence=evidence)
        for col, values in cols.items():
            values = np.asarray(values, dtype=float).copy()
            values[~valid] = np.nan
            out[col] = values
        if evidence:
            parts.append((scorer.name, ev))
    return out, parts
