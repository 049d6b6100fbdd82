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
    ``tone_diplomatic`` is the mean adjusted weight of the matches (0 when nothing matched;
    ``diplomatic_coop`` / ``diplomatic_conflict`` count the matches on each side, so "no signal" is
    0 + 0 and a balanced sentence is not).  Neutral band |x| < 1.

Every scorer returns ``(columns, evidence)`` from ``score(texts, *, evidence=...)``; evidence rows
(:data:`EVIDENCE_COLUMNS`) name each term, its character offsets in the text, its signed contribution
and whether it was negated.  Texts that are not strings, or are blank, score NaN in every column.
"""

from __future__ import annotations

import os
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from diplo.corpus import count_words_many
from diplo.match import (NEGATORS, TOKEN_PATTERN, _SCOPE_BREAKS, Dictionary, DictionaryError,
                         DictionaryMatching, load_dictionary)
from diplo.vader import score_vader

__all__ = ["SCORERS", "EVIDENCE_COLUMNS", "NEUTRAL_BANDS", "LEXICON_SCALES", "LexiconScorer",
           "DiplomaticScorer", "score_tone", "available_scorers", "get_scorer", "tone_columns", "valid_texts"]

EVIDENCE_COLUMNS = ["row", "term", "start", "end", "weight", "negated"]
# |tone| below the band counts as neutral when a score is turned into a -1/0/1 label (diplo validate).
NEUTRAL_BANDS = {"vader": 0.05, "lexicon": 0.5, "diplomatic": 1.0}
LEXICON_SCALES = ("logit", "proportion", "relative")
DIPLOMATIC_CATEGORIES = ("verbal_cooperation", "material_cooperation", "verbal_conflict",
                         "material_conflict", "neutral")
_DATA = resources.files("diplo") / "data"
_QUOTES = "\"'\u201c\u201d\u2018\u2019()[].,;:!?\u2014\u2013-"  # stripped from words in the negation pre-check
# The array pass of the negation pre-check reads each text as one byte per character (_ascii_bytes) and
# classifies the bytes: 0 a word character, 1 whitespace (as str.split sees it), 2 a character of _QUOTES
# (and "?", which stands for any non-ASCII character), 3 an apostrophe (also in _QUOTES).
_BYTE_CLASS = bytes(3 if chr(c) == "'" else 2 if chr(c) in _QUOTES + "?" else 1 if chr(c).isspace() else 0
                    for c in range(128)) + bytes(128)
_KEY_MULTIPLIER = np.uint64(1_000_003)


def _ascii_bytes(low: str) -> bytes:
    """``low`` as one byte per character: ASCII as is, the right single quote as an apostrophe, any other
    non-ASCII character as "?".  "?" is a _QUOTES-like delimiter, so a word of ASCII characters between
    delimiters stays one (non-ASCII whitespace only merges words, which widens the window looked at)."""
    if "\u2019" in low:
        low = low.replace("\u2019", "'")
    return low.encode("ascii", "replace")


def _segment_keys(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A uint64 key per character run ``codes[starts:ends]`` from its length and four of its characters:
    equal runs have equal keys (the few different runs that share one are told apart by :class:`_WordIndex`)."""
    length = ends - starts
    key = np.minimum(length, 255).astype(np.uint64)
    for at in (starts, starts + np.minimum(length - 1, 1), starts + length // 2, ends - 1):
        key = key * _KEY_MULTIPLIER + codes[at].astype(np.uint64)  # wraps around: uint64 arithmetic
    return key


class _WordIndex:
    """Words (the negators) as :func:`_segment_keys`, with a table of their first two characters and their
    lengths, which rule out most runs of a text before any key is computed."""

    def __init__(self, words: Iterable[str]) -> None:
        words = sorted(w for w in words if w)
        self.words = frozenset(words)
        lengths = np.array([len(w) for w in words], dtype=np.int64)
        codes = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8)
        ends = np.cumsum(lengths)
        self.keys = np.unique(_segment_keys(codes, ends - lengths, ends))
        self.pairs = np.zeros(128 * 128, dtype=bool)
        firsts = ends - lengths
        self.pairs[codes[firsts].astype(np.int64) * 128 + codes[firsts + np.minimum(lengths - 1, 1)]] = True
        self.min_length, self.max_length = int(lengths.min(initial=1)), int(lengths.max(initial=0))

    @staticmethod
    def build(words: Iterable[str]) -> "_WordIndex | None":
        """The index, or None when a word is not a run of ASCII word characters (the array pre-check could
        not see it)."""
        words = list(words)
        if not all(w.isascii() for w in words) or any(_BYTE_CLASS[ord(ch)] for w in words for ch in w):
            return None
        return _WordIndex(words)

    def find(self, text: str, codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Starts of the runs ``text[starts:ends]`` (``codes``: its bytes) that are one of the words."""
        lengths = ends - starts
        pair = codes[starts].astype(np.int64) * 128 + codes[starts + np.minimum(lengths - 1, 1)]
        maybe = np.flatnonzero(self.pairs[pair] & (lengths >= self.min_length) & (lengths <= self.max_length))
        if not len(maybe) or not len(self.keys):
            return starts[:0]
        keys = _segment_keys(codes, starts[maybe], ends[maybe])
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        maybe = maybe[self.keys[at] == keys]
        # equal keys are nearly always equal words ("recent" and "reject" share one): check the few left
        words = self.words
        exact = [text[a:b] in words for a, b in zip(starts[maybe].tolist(), ends[maybe].tolist())]
        return starts[maybe[np.array(exact, dtype=bool)]] if len(maybe) else starts[:0]


def _negator_candidates(texts: list, rows: np.ndarray, starts: np.ndarray, window: int,
                        negators: _WordIndex | None) -> np.ndarray:
    """Matches (``rows``, ``starts``) whose negation pre-check may pass: a superset, found in one array pass.

    The pre-check (:meth:`DiplomaticScorer._negated_at`) asks whether one of the last ``window`` whitespace
    words within ``16 * window`` characters before the match, stripped of :data:`_QUOTES`, is a negator
    or holds "n't".  Such a word is a maximal run of word characters of the lower-cased text (a *segment*)
    that ``negators`` finds, or an apostrophe between "n" and "t", starting at or after the window's first
    word.  Matches where that reasoning does not hold are always candidates: a window cut inside a word
    that is among its last ``window`` words, a match glued to the word character before it, texts whose
    length changes when lower-cased, negators that are not runs of ASCII word characters (``negators``
    None).
    """
    n_matches = len(rows)
    if negators is None or not n_matches:
        return np.ones(n_matches, dtype=bool)
    if not set(map(type, texts)) <= {str}:
        texts = [t if isinstance(t, str) else "" for t in texts]
    n = len(texts)
    big = "\n".join(texts)
    low = big.lower()
    special = np.zeros(n, dtype=bool)
    if len(low) != len(big):  # "İ" and a few others: such texts are kept as written and always looked at
        lowered = [t.lower() for t in texts]
        for r in [r for r, (t, lt) in enumerate(zip(texts, lowered)) if len(t) != len(lt)]:
            lowered[r], special[r] = texts[r], True
        low = "\n".join(lowered)
    data = _ascii_bytes(low)
    codes = np.frombuffer(data, dtype=np.uint8)
    cls = np.frombuffer(data.translate(_BYTE_CLASS), dtype=np.uint8)
    space, word = cls == 1, cls == 0
    begins = np.flatnonzero(space[:-1] > space[1:]) + 1  # whitespace-word starts ("\n" separates texts)
    if len(space) and not space[0]:
        begins = np.concatenate(([0], begins))
    edges = np.flatnonzero(word[1:] != word[:-1]) + 1  # segment starts and ends, alternating
    if len(word) and word[0]:
        edges = np.concatenate(([0], edges))
    if len(word) and word[-1]:
        edges = np.append(edges, len(word))
    apostrophes = np.flatnonzero(cls == 3)
    apostrophes = apostrophes[(apostrophes > 0) & (apostrophes < len(codes) - 1)]
    nt = apostrophes[(codes[apostrophes - 1] == 110) & (codes[apostrophes + 1] == 116)] - 1  # "n't"
    flagged = np.sort(np.concatenate((negators.find(low, codes, edges[0::2], edges[1::2]), nt)))

    text_start = np.zeros(n, dtype=np.int64)
    if n > 1:
        np.cumsum(np.fromiter(map(len, texts[:-1]), dtype=np.int64, count=n - 1) + 1, out=text_start[1:])
    first = text_start[rows]
    end = first + starts
    lo = first + np.maximum(starts - 16 * window, 0)
    if not len(begins):
        return special[rows]
    last = np.searchsorted(begins, end) - 1  # the last whitespace word starting before the match
    oldest = begins[np.maximum(last - window + 1, 0)]  # the window-th last one
    full = (last - window + 1 >= 0) & (oldest >= lo)  # the window holds `window` whole words
    lo = np.where(full, oldest, lo)
    before = np.maximum(lo - 1, 0)
    cut = ~full & (lo > first) & ~space[before] & ~space[np.minimum(lo, len(space) - 1)]
    glued = (end > first) & word[np.maximum(end - 1, 0)]
    near = np.searchsorted(flagged, end) > np.searchsorted(flagged, lo)
    return near | cut | glued | special[rows]


def valid_texts(texts: Sequence) -> np.ndarray:
    """Boolean mask: True where the item is a string with at least one non-space character."""
    n = len(texts)
    try:  # all strings (the usual case): two C-level passes
        blank = np.fromiter(map(str.isspace, texts), dtype=bool, count=n)
        return ~blank & (np.fromiter(map(len, texts), dtype=np.int64, count=n) > 0)
    except TypeError:  # a non-string somewhere
        return np.fromiter((isinstance(t, str) and not t.isspace() and t != "" for t in texts), dtype=bool,
                           count=n)


def _sum_by_row(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per-text sums of match values (float even when there are no matches)."""
    return np.bincount(rows, values, minlength=n).astype(float)


def _evidence_frame(rows=(), terms=(), starts=(), ends=(), weights=(), negated=()) -> pd.DataFrame:
    return pd.DataFrame({
        "row": np.asarray(rows, dtype=np.int64), "term": pd.Series(list(terms), dtype=object),
        "start": np.asarray(starts, dtype=np.int64), "end": np.asarray(ends, dtype=np.int64),
        "weight": np.asarray(weights, dtype=float), "negated": np.asarray(negated, dtype=bool),
    }, columns=EVIDENCE_COLUMNS)


class _Vader:
    """VADER exactly as ``vaderSentiment`` 3.3.2 computes it (a faster batch reimplementation, see
    :mod:`diplo.vader`; tests check equality with the package).

    Evidence: each token with a non-zero valence, its character offsets, its final valence after VADER's
    rules (boosters, negation, capitals, "but") -- its share of the sum that the compound score
    normalizes -- and whether a negation flipped its sign.
    """

    name = "vader"
    columns = ("tone_vader", "vader_pos", "vader_neg", "vader_neu")

    def score(self, texts: Sequence[str], *, evidence: bool = False
              ) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
        valid = valid_texts(texts)
        scores, rows = score_vader(texts, evidence=evidence)
        out = {}
        for col, key in zip(self.columns, ("compound", "pos", "neg", "neu")):
            out[col] = np.where(valid, scores[key].to_numpy(dtype=float), np.nan)
        return out, rows  # score_vader's evidence has EVIDENCE_COLUMNS and their types


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
    raise TypeError(f"dictionary must be a path, a diplo.match.Dictionary or None; got {type(source).__name__}")


class _MatcherScorer(DictionaryMatching):
    """Shared plumbing for scorers that read :class:`diplo.match.Matcher` results."""

    name = ""
    dictionary: Dictionary

    @property
    def dictionaries(self) -> tuple[Dictionary, ...]:
        """Dictionaries this scorer needs matched (so one Matcher pass can serve several scorers)."""
        return (self.dictionary,)

    def score(self, texts: Sequence[str], *, evidence: bool = False
              ) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
        """Score ``texts``: (columns aligned with texts, evidence rows or None)."""
        texts = list(texts)
        return self.score_from_matches(self._match(texts), texts, evidence=evidence)

    def score_from_matches(self, matches: Mapping[str, pd.DataFrame], texts: Sequence[str], *,
                           evidence: bool = False) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
        """Score from a Matcher result that includes this scorer's dictionaries."""
        if self.dictionary.name not in matches:
            raise ValueError(f"matches lack dictionary {self.dictionary.name!r}; found {sorted(matches)}")
        return self._from_matches(matches[self.dictionary.name], list(texts), evidence)

    def _from_matches(self, m: pd.DataFrame, texts: list, evidence: bool):  # pragma: no cover
        raise NotImplementedError


class LexiconScorer(_MatcherScorer):
    """Dictionary tone in the quanteda tradition (see the module docstring for the rules).

    Parameters
    ----------
    dictionary : path to a YAML / ``.cat`` / CSV dictionary, a :class:`diplo.match.Dictionary`, or None
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

    def _from_matches(self, m: pd.DataFrame, texts: list, evidence: bool):
        n = len(texts)
        valid = valid_texts(texts)
        cat = m["category"].map({c: c.lower() for c in self.dictionary.categories}).to_numpy(dtype=object)
        w = np.abs(m["weight"].to_numpy(dtype=float))
        negated = m["negated"].to_numpy(dtype=bool)
        is_pos, is_neg = cat == "positive", cat == "negative"
        # signed contribution to pos - neg
        signed = np.select(
            [is_pos & ~negated, is_pos & negated, is_neg & ~negated, is_neg & negated,
             cat == "neg_negative", cat == "neg_positive"],
            [w, -w, -w, w * self.NEGATED_NEGATIVE, w, -w], default=0.0)
        rows = m["row"].to_numpy(dtype=np.int64)
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
            ev = _evidence_frame(rows[keep], m["entry"].to_numpy(dtype=object)[keep], m["start"].to_numpy()[keep],
                                 m["end"].to_numpy()[keep], signed[keep], negated[keep])
        return cols, ev


class DiplomaticScorer(_MatcherScorer):
    """Cooperation (+) vs conflict (-) on a Goldstein-like -10..+10 scale (rules in the module docstring).

    Parameters
    ----------
    lexicon : path to a CSV with ``term,weight,category[,note]`` (categories: see
        :data:`DIPLOMATIC_CATEGORIES`; cooperation weights > 0, conflict < 0, neutral = 0, all within
        -10..10), a :class:`diplo.match.Dictionary`, or None for the packaged ``diplomatic.csv``.
    negation_window : tokens before a match searched for a negator (0 disables).

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
    NEGATORS = frozenset({
        "refuse", "refused", "refuses", "refusing", "decline", "declined", "declines", "declining",
        "fail", "failed", "fails", "failing", "reject", "rejected", "rejects", "rejecting",
        "deny", "denied", "denies", "denying", "end", "ended", "ending", "ends", "lift", "lifted",
        "lifting", "lifts", "ease", "eased", "easing", "eases", "halt", "halted", "halting", "halts",
        "stop", "stopped", "stopping", "stops", "cease", "ceased", "avoid", "avoided", "prevent",
        "prevented", "suspend", "suspended", "suspends", "suspending", "violate", "violated",
        "violates", "violating", "breached", "breaching", "broke", "reneged", "abandoned", "quit",
        "remove", "removed", "removes", "removing", "reduce", "reduced", "reduces", "reducing", "cut",
        "cuts", "cutting", "suspension", "withheld", "withhold", "withholding",
        "terminated", "terminate", "cessation", "loosen", "loosened", "relaxed", "relax",
    })
    # Scope of a negator: the act right after it, or after at most GOVERNED_GAP tokens (determiners,
    # adjectives, a day: "lifted all remaining sanctions", "ended the 2020 war", "lifted Friday a blockade"), optionally behind "to"/"of"
    # ("refused to sign", "suspension of talks").  A preposition or conjunction in between ends the scope:
    # "suspended following the attack", "ended in a ceasefire", "not interested in the interference".
    GOVERNED_GAP = 3
    SCOPE_BLOCKERS = frozenset({
        "in", "on", "at", "with", "following", "after", "before", "by", "for", "from", "over", "under",
        "since", "during", "amid", "amidst", "against", "between", "into", "upon", "despite", "through",
        "throughout", "toward", "towards", "about", "as", "than", "that", "which", "who", "whom", "whose",
        "where", "when", "and", "or", "because", "due", "via", "within", "across", "among", "until",
        "of", "to",
    })
    # Appeals and statements (CAMEO 01-02) name an act without doing it: "urged Washington to lift
    # sanctions", "called for talks".
    HEDGES = frozenset({
        "urge", "urged", "urges", "urging", "appeal", "appealed", "appeals", "ask", "asked", "asks",
        "asking", "request", "requested", "requests", "call", "called", "calls", "calling", "seek",
        "seeks", "sought", "wants", "wanted", "want", "wish", "wished", "hoped", "hoping", "consider",
        "considered", "considers", "must", "should",
    })

    def __init__(self, lexicon: str | os.PathLike | Dictionary | None = None, *,
                 negation_window: int = 4) -> None:
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
        self._negators = NEGATORS | self.dictionary.negators
        self._negator_index = _WordIndex.build(self._negators)  # None: every match is looked at

    def _negated(self, m: pd.DataFrame, texts: list) -> np.ndarray:
        """Per match: an odd number of negators in its window govern it (scope rules: :attr:`SCOPE_BLOCKERS`,
        :attr:`GOVERNED_GAP`).  The window is the last ``negation_window`` tokens within ``16 *
        negation_window`` characters before the match.  One array pass over the chunk finds the few matches
        with a negator-like word in that window (:func:`_negator_candidates`); only those are tokenized."""
        window = self.dictionary.negation_window
        if not window or not len(m):
            return m["negated"].to_numpy(dtype=bool).copy()
        rows, starts = m["row"].to_numpy(dtype=np.int64), m["start"].to_numpy(dtype=np.int64)
        negated = np.zeros(len(m), dtype=bool)
        for k in np.flatnonzero(_negator_candidates(texts, rows, starts, window, self._negator_index)).tolist():
            negated[k] = self._negated_at(texts[int(rows[k])], int(starts[k]), window)
        return negated

    def _negated_at(self, text: str, start: int, window: int) -> bool:
        """The scope rules for the match at ``start`` of ``text`` (see :meth:`_negated`)."""
        base = self._negators
        lo = max(0, start - 16 * window)  # characters that surely hold `window` tokens of news prose
        # whitespace words (at least as many as tokens): a window without a negator-like word negates nothing
        if not any(w.strip(_QUOTES) in base or "n't" in w or "n\u2019t" in w
                   for w in text[lo:start].lower().split()[-window:]):
            return False
        before = [t.lower() for t in TOKEN_PATTERN.findall(text, lo, start)][-window:]
        flips = False
        for j in range(len(before) - 1, -1, -1):
            t = before[j]
            if t in _SCOPE_BREAKS:
                break
            if not (t in base or t.endswith("n't") or t.endswith("n\u2019t")):
                continue
            gap = before[j + 1:]
            if gap and gap[0] in ("to", "of"):
                gap = gap[1:]
            if (t in self.NEGATORS and len(gap) > self.GOVERNED_GAP) or any(g in self.SCOPE_BLOCKERS for g in gap):
                continue
            flips = not flips
        return flips

    def _from_matches(self, m: pd.DataFrame, texts: list, evidence: bool):
        n = len(texts)
        valid = valid_texts(texts)
        w = m["weight"].to_numpy(dtype=float)
        negated = self._negated(m, texts)
        hedged = m["hedged"].to_numpy(dtype=bool)
        adj = w * np.where(negated, self.NEGATED, 1.0) * np.where(hedged, self.HEDGED, 1.0)
        keep = adj != 0  # neutral entries only block shorter matches
        rows, adj = m["row"].to_numpy(dtype=np.int64)[keep], adj[keep]
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
            ev = _evidence_frame(rows, m["entry"].to_numpy(dtype=object)[keep], m["start"].to_numpy()[keep],
                                 m["end"].to_numpy()[keep], contrib, negated[keep])
        return cols, ev


SCORERS = {"vader": _Vader, "lexicon": LexiconScorer, "diplomatic": DiplomaticScorer}
_INSTANCES: dict[str, object] = {}


def available_scorers() -> list[str]:
    """Names of the registered scorers, sorted."""
    return sorted(SCORERS)


def tone_columns(scorers: Sequence[str] | None = None) -> list[str]:
    """The headline column of each scorer: by convention ``tone_<name>`` (what articles and groups aggregate)."""
    return [f"tone_{get_scorer(s).name}" for s in (scorers if scorers is not None else available_scorers())]


def get_scorer(name: "str | object") -> object:
    """The scorer for ``name``: the shared instance of a registered scorer (built once, with its default
    dictionary), or ``name`` itself when it already is a scorer object (e.g. ``LexiconScorer("my.cat")``).

    Raises
    ------
    ValueError
        If ``name`` is not in :data:`SCORERS` (the message lists the valid names).
    """
    if hasattr(name, "score") and hasattr(name, "columns"):
        return name
    if not isinstance(name, str) or name not in SCORERS:
        raise ValueError(f"unknown scorer {name!r}; valid scorers: {', '.join(available_scorers())}")
    if name not in _INSTANCES:
        _INSTANCES[name] = SCORERS[name]()
    return _INSTANCES[name]


def score_tone(sentences: pd.DataFrame | Iterable[str], scorers: Sequence[str] | None = None, *,
               evidence: bool = False, matches: Mapping[str, pd.DataFrame] | None = None,
               ) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Score each sentence with each scorer.

    Parameters
    ----------
    sentences : DataFrame with a ``text`` column, or an iterable of strings.
    scorers : names from :data:`SCORERS` or scorer objects (e.g. ``LexiconScorer("LSD2015.cat")``), or
        one name; default all registered scorers.
    evidence : also return the evidence rows of every scorer.
    matches : a :meth:`diplo.match.Matcher.match` result over the same texts that includes the
        dictionaries of the matcher-based scorers (lets the caller run one pass for everything).

    Returns
    -------
    DataFrame with one row per input sentence (same index as a DataFrame input) and the scorers'
    columns (NaN where the text is not a non-blank string); with ``evidence=True`` a tuple
    ``(scores, evidence)`` where evidence has :data:`EVIDENCE_COLUMNS` plus ``scorer``.

    Raises
    ------
    ValueError
        If a scorer name is unknown or the table has no ``text`` column.
    TypeError
        If ``sentences`` is a single string instead of a list of them.
    """
    if isinstance(sentences, (str, bytes)):
        # A bare string is an iterable of characters: scoring it would silently give one row per letter.
        raise TypeError(f"sentences must be a DataFrame with a 'text' column or a list of strings, got a "
                        f"single {type(sentences).__name__} {sentences[:40]!r}; wrap it in a list")
    if isinstance(scorers, str):
        scorers = [scorers]
    if isinstance(sentences, pd.DataFrame):
        if "text" not in sentences.columns:
            raise ValueError(f"sentences table needs a 'text' column; found {list(sentences.columns)}")
        index, texts = sentences.index, sentences["text"].tolist()
    else:
        texts = list(sentences)
        index = pd.RangeIndex(len(texts))
    instances = [get_scorer(s) for s in (scorers if scorers is not None else available_scorers())]
    valid = valid_texts(texts)
    if not valid.all():
        texts = [t if ok else "" for t, ok in zip(texts, valid)]
    out: dict[str, np.ndarray] = {}
    evidence_parts = []
    for scorer in instances:
        if matches is not None and hasattr(scorer, "score_from_matches"):
            cols, ev = scorer.score_from_matches(matches, texts, evidence=evidence)
        else:
            cols, ev = scorer.score(texts, evidence=evidence)
        for col, values in cols.items():
            values = np.asarray(values, dtype=float).copy()
            values[~valid] = np.nan
            out[col] = values
        if evidence:
            evidence_parts.append(ev.assign(scorer=scorer.name))
    scores = pd.DataFrame(out, index=index)
    if not evidence:
        return scores
    ev_cols = ["row", "scorer", *EVIDENCE_COLUMNS[1:]]
    ev_all = (pd.concat(evidence_parts, ignore_index=True)[ev_cols] if evidence_parts
              else _evidence_frame().assign(scorer=pd.Series(dtype=object))[ev_cols])
    return scores, ev_all
