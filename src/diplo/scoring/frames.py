"""Stance frames: who does what to whom, for the tone toward actors (targets) in a sentence.

A *frame* is a stance-bearing verb with its object ("Iran condemned Israel's ...", "accused Baku of ...",
"Tehran was praised by ...") or a stance head word with a preposition ("Iran raised concerns about
Azerbaijan's military cooperation with Israel", "concerns were raised about X by Y", "support for X").
The word lists are data: ``data/frames.yml`` (:data:`FRAME_WORDS`, validated by
:func:`diplo.io.resources.load_word_lists`).

Rules (precision over recall):

* **verb frames**: the object is an actor whose mention starts within 4 tokens after the verb, only
  object fillers (``the``, ``its``, ``and`` ...) or capitalized words standing between; a passive
  auxiliary just before the verb ("was condemned", "has been widely criticized") makes the object the
  mention starting up to 2 tokens before the auxiliary (same clause) and the holder the mention after ``by``;
* **head frames**: a head word (``concerns``, ``support``) and one of its stance's prepositions within 3
  tokens after it; the object scope runs from the preposition to the next scope break (comma, ``;``,
  ``but`` ...), at most 30 tokens, and stops at ``by`` (the holder: "concerns were raised about X by Y",
  "objection to the deal by many Americans").  The *direct* object starts within 4 tokens after the
  preposition (as a verb's object); a mention further on is *in* the object ("concerns about border
  security amid Azerbaijan's military cooperation with Israel"): its tone may not go against the frame;
* a negator within 3 tokens before the frame (or between head and preposition) cancels it ("did not
  raise concerns about", "refused to condemn").

:func:`frame_roles` then gives each target its role: ``object`` (its tone follows the frame's stance:
:func:`apply_frame_stance`), ``in object`` (its tone is not counted against the stance) or ``holder`` (a
mention before the frame whose window reaches it, or just after ``by``: the frame's words are cut from its
window).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diplo.io.resources import load_word_lists
from diplo.scoring._engine.tokens import TokenTable

__all__ = ["ROLES", "OBJECT", "HOLDER", "IN_OBJECT", "FRAME_MODES", "FRAME_LISTS", "FRAME_WORDS", "FrameMatches",
           "find_frames", "frame_roles", "apply_frame_stance", "describe_frames", "VERB_REACH", "HEAD_REACH",
           "SCOPE_LIMIT", "PASSIVE_REACH", "NEGATION_REACH", "AGENT_REACH"]

#: A target's role in a frame (index = role code of :func:`frame_roles`).
ROLES = ("", "object", "holder", "in object")
OBJECT, HOLDER, IN_OBJECT = 1, 2, 3
#: How target tone uses the frames: objects and holders, objects only, or not at all.
FRAME_MODES = ("both", "objects", "none")
#: The word lists of ``data/frames.yml``.
FRAME_LISTS = ("negative_verbs", "negative_heads", "negative_prepositions", "positive_verbs", "positive_heads",
               "positive_prepositions", "passive_auxiliaries", "agent_markers", "negators", "object_fillers",
               "scope_breaks")
FRAME_WORDS = load_word_lists("frames.yml", lists=FRAME_LISTS)
#: Tokens after a verb where its object's mention may start; after a head, where its preposition may be.
VERB_REACH, HEAD_REACH = 4, 3
#: Longest object scope of a head frame (tokens after the preposition) and of a passive verb (before its
#: auxiliary); a passive's holder starts within AGENT_REACH tokens after ``by``.
SCOPE_LIMIT, PASSIVE_REACH = 30, 2
#: Tokens before a frame searched for a negator.
NEGATION_REACH = 3
AGENT_REACH = 3

_NEG_VERB, _NEG_HEAD, _NEG_PREP, _POS_VERB, _POS_HEAD, _POS_PREP, _AUX, _AGENT, _NEGATOR, _FILLER, _BREAK = (
    1 << k for k in range(11))
_BIT_OF = dict(zip(FRAME_LISTS, (_NEG_VERB, _NEG_HEAD, _NEG_PREP, _POS_VERB, _POS_HEAD, _POS_PREP, _AUX, _AGENT,
                                 _NEGATOR, _FILLER, _BREAK)))
_WORD_BITS: dict[str, int] = {}
for _name, _words in FRAME_WORDS.items():
    for _word in _words:
        _WORD_BITS[_word] = _WORD_BITS.get(_word, 0) | _BIT_OF[_name]
_TRIGGER = _NEG_VERB | _NEG_HEAD | _POS_VERB | _POS_HEAD


@dataclass(frozen=True)
class FrameMatches:
    """The frames found in a token table, one entry per frame (arrays of equal length, in token order).

    ``row``: text; ``first``/``last``: global token index of the frame's first and last word (the verb, or
    head .. preposition); ``stance``: -1 or +1; ``scope_lo``/``scope_hi``: global token range where an
    object's mention may start (empty when ``scope_lo > scope_hi``), its direct object up to ``direct_hi``
    (later mentions are *in* the object: "concerns about border security amid Azerbaijan's ...");
    ``agent``: global index of the ``by`` introducing the holder (a passive's, or after a head frame's
    object), or -1; ``clause_lo``: first token
    of the frame's clause (after the nearest scope break before it), where a holder's mention must end.
    """

    row: np.ndarray
    first: np.ndarray
    last: np.ndarray
    stance: np.ndarray
    scope_lo: np.ndarray
    direct_hi: np.ndarray
    scope_hi: np.ndarray
    agent: np.ndarray
    clause_lo: np.ndarray

    def __len__(self) -> int:
        return len(self.row)


def _mark_contractions(table: TokenTable, bits: np.ndarray, cand: np.ndarray) -> None:
    """Set the negator bit of the tokens ending in n't ("didn't") that the rules read around ``cand``."""
    near = (cand[:, None] + np.arange(-NEGATION_REACH, HEAD_REACH + 1)).ravel()
    near = np.unique(near[(near >= 0) & (near < len(bits))])
    strings = table.vocabulary.strings
    hit = np.fromiter((strings[i].endswith(("n't", "n\u2019t")) for i in table.ids[near].tolist()), dtype=bool,
                      count=len(near))
    bits[near[hit]] |= _NEGATOR


def _is_negator(table: TokenTable, bits: np.ndarray, k: int) -> bool:
    return bool(bits[k] & _NEGATOR)


def _negated(table: TokenTable, bits: np.ndarray, at: int, lo: int) -> bool:
    """Whether a negator stands within :data:`NEGATION_REACH` tokens before token ``at`` (not before ``lo``,
    the text's first token, nor across a scope break)."""
    for k in range(at - 1, max(lo, at - NEGATION_REACH) - 1, -1):
        if bits[k] & _BREAK:
            return False
        if _is_negator(table, bits, k):
            return True
    return False


def _clause_end(bits: np.ndarray, at: int, stop: int, limit: int) -> int:
    """Last token before the first scope break at or after ``at`` (at most ``limit`` tokens, before ``stop``)."""
    end = min(stop, at + limit)
    for k in range(at, end):
        if bits[k] & _BREAK:
            return k - 1
    return end - 1


def _direct_end(table: TokenTable, bits: np.ndarray, at: int, stop: int) -> int:
    """Last token (before ``stop``) where a frame's direct object may start, scanning from ``at``: over
    object fillers and capitalized words, up to and including the first other word, never past a break."""
    texts, starts, row = table.texts, table.start, int(table.row[at]) if at < len(table) else 0
    for k in range(at, stop):
        if bits[k] & _BREAK:
            return k - 1
        if not (bits[k] & _FILLER) and not texts[row][starts[k]].isupper():
            return k
    return stop - 1


def find_frames(table: TokenTable) -> FrameMatches:
    """The stance frames in the texts of ``table`` (rules in the module docstring).

    Examples
    --------
    >>> from diplo.scoring._engine.tokens import Vocabulary, tokenize_texts
    >>> table = tokenize_texts(["Iran raised concerns about Azerbaijan's ties with Israel."], Vocabulary())
    >>> f = find_frames(table)
    >>> [table.lows(0)[i] for i in (f.first[0], f.last[0])], f.stance.tolist()
    (['concerns', 'about'], [-1])
    """
    bits = table.word_values(_WORD_BITS, np.int32)  # the frame bits of each token
    cand = np.flatnonzero(bits & _TRIGGER)
    rows_out: list[tuple[int, ...]] = []
    if not len(cand):
        return FrameMatches(*(np.zeros(0, dtype=np.int64) for _ in range(9)))
    _mark_contractions(table, bits, cand)
    rows, bounds = table.row, table.bounds
    for t in cand.tolist():
        row = int(rows[t])
        lo, hi = int(bounds[row]), int(bounds[row + 1])
        b = int(bits[t])
        if b & (_NEG_VERB | _POS_VERB):
            stance = -1 if b & _NEG_VERB else 1
            if _negated(table, bits, t, lo):
                continue
            passive = t > lo and (bits[t - 1] & _AUX or (t - 1 > lo and bits[t - 2] & _AUX
                                                         and table.vocabulary.strings[table.ids[t - 1]].endswith("ly")))
            if passive:
                aux = t - 1 if bits[t - 1] & _AUX else t - 2
                first_scope = aux - 1
                k = first_scope
                while k >= max(lo, aux - PASSIVE_REACH) and not bits[k] & _BREAK:
                    k -= 1
                # an object right before the auxiliary ("Israel was condemned", "Trump has been assailed")
                agent = next((j for j in range(t + 1, min(hi, t + 4)) if bits[j] & _AGENT), -1)
                rows_out.append((row, t, t, stance, k + 1, first_scope, first_scope, agent))
            else:
                end = _direct_end(table, bits, t + 1, min(hi, t + 1 + VERB_REACH))
                rows_out.append((row, t, t, stance, t + 1, end, end, -1))
            continue
        stance = -1 if b & _NEG_HEAD else 1
        prep_bit = _NEG_PREP if stance < 0 else _POS_PREP
        prep = -1
        for k in range(t + 1, min(hi, t + 1 + HEAD_REACH)):
            if bits[k] & prep_bit:
                prep = k
                break
            if bits[k] & _BREAK or _is_negator(table, bits, k):
                break
        if prep < 0 or _negated(table, bits, t, lo):
            continue
        end = _clause_end(bits, prep + 1, hi, SCOPE_LIMIT)
        by = next((j for j in range(prep + 1, end + 1) if bits[j] & _AGENT), -1)
        end = by - 1 if by >= 0 else end  # "objection to this deal by many Americans": a holder
        direct = _direct_end(table, bits, prep + 1, min(end + 1, prep + 1 + VERB_REACH))
        rows_out.append((row, t, prep, stance, prep + 1, direct, end, by))
    if not rows_out:
        return FrameMatches(*(np.zeros(0, dtype=np.int64) for _ in range(9)))
    columns = [np.array(c, dtype=np.int64) for c in zip(*rows_out)]
    first, lo = columns[1], table.bounds[columns[0]]
    # the clause of each frame: after the nearest scope break before its first word
    breaks = np.flatnonzero(bits & _BREAK)
    k = np.searchsorted(breaks, first, "left") - 1
    clause_lo = np.maximum(np.where(k >= 0, breaks[np.maximum(k, 0)] + 1, 0), lo)
    return FrameMatches(*columns, clause_lo)


def frame_roles(frames: FrameMatches, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                window_end_token: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each target's frame (index into ``frames``, -1 for none) and role (:data:`ROLES`: 0 none, 1 object,
    2 holder, 3 in the object).

    Targets are text ``rows`` with tokens ``lo..hi`` (global indices) and the last token of their window
    ``window_end_token``.  A target is the object of the last frame of its text whose scope holds its first
    token (*in* the object when it starts after the direct object's reach); otherwise the holder of the
    first frame its window reaches from before (its last token is before the frame in the same clause, its
    window ends at or after the frame's first word) or of a passive whose agent marker comes just before it.
    """
    n = len(rows)
    which, role = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int8)
    if not len(frames) or not n:
        return which, role
    order = np.argsort(frames.row, kind="stable")
    f_rows = frames.row[order]
    a = np.searchsorted(f_rows, rows, "left")
    b = np.searchsorted(f_rows, rows, "right")
    for i in np.flatnonzero(b > a).tolist():
        holder = -1
        for f in order[a[i]:b[i]][::-1].tolist():  # the nearest frame before the target first
            if frames.scope_lo[f] <= lo[i] <= frames.scope_hi[f]:
                which[i], role[i] = f, OBJECT if lo[i] <= frames.direct_hi[f] else IN_OBJECT
                break
        if role[i]:
            continue
        for f in order[a[i]:b[i]].tolist():
            if holder < 0 and ((frames.clause_lo[f] <= hi[i] < frames.first[f] <= window_end_token[i])
                               or (0 <= frames.agent[f] < lo[i] <= frames.agent[f] + AGENT_REACH)):
                holder = f
        if role[i] == 0 and holder >= 0:
            which[i], role[i] = holder, HOLDER
    return which, role


def apply_frame_stance(own: np.ndarray, frame_tone: np.ndarray, stance: np.ndarray, band: float, *,
                       direct: np.ndarray | None = None) -> np.ndarray:
    """Tone toward frame objects.  A direct object: the frame's words' tone or its own window's tone,
    whichever goes further in the frame's direction, and at least the scorer's neutral ``band`` that way.
    A mention further *in* the object (``direct`` False): its own tone, but never against the frame's
    stance ("concerns about ... cooperation with Israel": not positive toward Israel).

    ``own``, ``frame_tone``, ``stance`` (-1/+1), ``direct`` (default all True) are aligned; NaN in ``own``
    stays NaN.

    Examples
    --------
    >>> apply_frame_stance(np.array([0.34, -0.6]), np.array([0.0, -0.44]), np.array([-1, -1]), 0.05).tolist()
    [-0.05, -0.6]
    >>> apply_frame_stance(np.array([0.34]), np.array([0.0]), np.array([-1]), 0.05, direct=np.array([False])).tolist()
    [0.0]
    """
    pushed = stance * np.maximum(stance * frame_tone, band)
    if direct is not None:
        pushed = np.where(direct, pushed, 0.0)
    out = np.where(stance < 0, np.minimum(own, pushed), np.maximum(own, pushed))
    return np.where(np.isnan(own), np.nan, out)


def describe_frames(frames: FrameMatches, table: TokenTable, which: np.ndarray, role: np.ndarray) -> list[str]:
    """The ``frame`` evidence of each target: ``""`` or e.g. ``'negative frame "concerns about" (object)'``
    (role ``object``, ``in object`` or ``holder``)."""
    words: dict[int, str] = {}
    out = [""] * len(which)
    for i in np.flatnonzero(role > 0).tolist():
        f = int(which[i])
        if f not in words:
            r = int(frames.row[f])
            text = table.texts[r][int(table.start[frames.first[f]]):int(table.end[frames.last[f]])]
            words[f] = f'{"negative" if frames.stance[f] < 0 else "positive"} frame "{text}"'
        out[i] = f'{words[f]} ({ROLES[role[i]]})'
    return out
