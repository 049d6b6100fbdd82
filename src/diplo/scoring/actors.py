"""Actors: who is mentioned, who speaks, and the tone of the words about each actor.

Actors (countries with their capitals, adjectives, governments and officials) are categories of a
:class:`diplo.scoring.match.Dictionary` loaded from ``data/actors.yml`` or a researcher's own file.  Per sentence:
the actors mentioned (``actors``, ``"A;B"`` sorted) and the attributed speaker (``speaker``).  Per mention:
the tone of its *target window*, the words around the mention up to the nearest clause boundary, never
crossing another actor's mention, scored with the tone scorers (:func:`score_target_tone`).

Speaker attribution is rule-based and conservative (precision over recall):

* ``X said`` / ``X told`` / ``X stressed`` ... where only title words or names stand between the actor
  mention and the verb ("the Iranian foreign minister said", "Aliyev, for his part, stressed");
* ``"...," said X`` (a speech verb right after a quote or comma, followed by the actor);
* ``according to X``.

A pronoun subject ("He added that ...", "she said") takes the speaker of one of the two previous sentences
of the same article (:func:`carry_pronoun_speakers`); other pronouns ("they said") are not resolved.

The rules run over a whole chunk of sentences at once, as array operations on its tokens
(:class:`diplo.scoring._engine.tokens.TokenTable`): mentions find their tokens by one ``searchsorted``, windows stop at the
nearest break found by ``searchsorted`` over the break positions, and the speaker scans (up to 10 tokens
back from a speech verb to its subject, 6 forward to "said X") look up the nearest blocking token the same
way.  Python touches each mention only to cut its window string for the tone scorers; the windows'
tokens are cut from the sentences' token table, not tokenized again (:func:`_window_tokens`).
"""

from __future__ import annotations

import os
import re
from importlib import resources
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from diplo.io.resources import load_word_lists
from diplo.scoring._engine.tokens import TokenTable, Vocabulary, tokenize_texts
from diplo.scoring.chunk import Chunk, Spans
from diplo.scoring.frames import (FRAME_MODES, HOLDER, IN_OBJECT, OBJECT, apply_frame_stance, describe_frames,
                                  find_frames, frame_roles)
from diplo.scoring.match import Dictionary, DictionaryError, DictionaryMatching, Matches, load_dictionary
from diplo.scoring.session import ScoringSession
from diplo.scoring.tone import NEUTRAL_BANDS, get_scorers, score_tone_chunk

__all__ = ["ACTOR_MENTION_COLUMNS", "SPEECH_VERBS", "SUBJECT_FILLERS", "CLAUSE_BREAKS", "ActorScorer",
           "carry_pronoun_speakers", "load_actors", "score_actors", "score_target_tone", "target_windows"]

ACTOR_MENTION_COLUMNS = ["doc_id", "sent_id", "actor", "mention", "start", "end", "role"]
# The attribution word lists: data/attribution.yml (speech verbs, and the words that may stand between a
# speaker's name and the verb: "the Iranian foreign minister said").
_ATTRIBUTION = load_word_lists("attribution.yml", lists=("speech_verbs", "subject_fillers"))
SPEECH_VERBS, SUBJECT_FILLERS = _ATTRIBUTION["speech_verbs"], _ATTRIBUTION["subject_fillers"]
_FINAL = frozenset({".", "!", "?", '"', "\u201d", "'", "\u2019", ")"})
_PRONOUN_SPEECH = re.compile(r"\b(?:he|she)\s+(?:also\s+|further\s+|then\s+|later\s+|again\s+)?(?:%s)\b"
                             % "|".join(sorted(SPEECH_VERBS)), re.IGNORECASE)
_QUOTE_MARKS = frozenset({'"', "\u201c", "\u201d", "'", "\u2018", "\u2019"})
_HARD_STOPS = frozenset({";", ":", '"', "\u201c", "\u201d", ".", "!", "?"})
#: The ``breaks`` of :func:`target_windows`: tokens a target window stops before.
CLAUSE_BREAKS = {
    "clause": frozenset({",", ";", ":", "(", ")", '"', "\u201c", "\u201d", "\u2014", "\u2013", ".", "!", "?",
                         "but", "while", "whereas", "although", "though", "however", "yet"}),
    "strong": frozenset({";", ":", "(", ")", '"', "\u201c", "\u201d", "\u2014", ".", "!", "?",
                         "but", "while", "whereas", "although", "though", "however", "yet"}),
    "none": frozenset(),
}
# Tuned on a seeded 50% split of NewsMTSC train (benchmarks/newsmtsc_target_tone.py; README): the clause up
# to the nearest strong break (; : quotes brackets, but/while/although ...) beat short token windows.
DEFAULT_WINDOW = 50
DEFAULT_BREAKS = "strong"


def load_actors(path: str | os.PathLike | None = None) -> Dictionary:
    """Load an actor alias file (YAML, see ``data/actors.yml``); default: the packaged one.

    Raises
    ------
    DictionaryError
        For malformed files, blank or duplicate aliases, unknown keys, or an actor name containing ``;``;
        the message names the file and line.
    """
    if path is None:
        with resources.as_file(resources.files("diplo") / "data" / "actors.yml") as p:
            d = load_dictionary(p, name="actors", negation_window=0, split_hyphens=True, possessives=True)
    else:
        d = load_dictionary(path, name="actors", negation_window=0, split_hyphens=True, possessives=True)
    for actor in d.categories:
        if ";" in actor or not actor.strip():
            line = next(e.line for e in d.entries if e.category == actor)
            raise DictionaryError(f"{d.source}, line {line}: actor name {actor!r} must be non-blank and "
                                  "contain no ';' (the actors column joins names with ';')")
    return d


# Token classes the rules test, as bits per vocabulary id: a chunk's tokens are classified by one gather
# (bits[table.ids]) instead of a set probe per token.
_STOP_BITS = {"clause": 1, "strong": 2, "none": 0}
_FINAL_BIT, _VERB_BIT, _ACCORDING_BIT, _TO_BIT, _FILLER_BIT, _COMMA_QUOTE_BIT, _HARD_BIT = (
    4, 8, 16, 32, 64, 128, 256)


def _word_bits() -> dict[str, int]:
    fillers = SUBJECT_FILLERS | {f + s for f in SUBJECT_FILLERS for s in ("'s", "\u2019s")}  # "minister's"
    classes = ((1, CLAUSE_BREAKS["clause"]), (2, CLAUSE_BREAKS["strong"]), (_FINAL_BIT, _FINAL),
               (_VERB_BIT, SPEECH_VERBS), (_ACCORDING_BIT, {"according"}), (_TO_BIT, {"to"}),
               (_FILLER_BIT, fillers), (_COMMA_QUOTE_BIT, {",", *_QUOTE_MARKS}), (_HARD_BIT, _HARD_STOPS))
    out: dict[str, int] = {}
    for bit, words in classes:
        for word in words:
            out[word] = out.get(word, 0) | bit
    return out


_WORD_BITS = _word_bits()
_BIG = 1 << 32  # row * _BIG + offset orders every character position of a chunk (texts are < 2**31 long)


class _Located:
    """A token table with chunk-wide sort keys: the tokens under character ranges by one searchsorted."""

    def __init__(self, table: TokenTable) -> None:
        self.table = table
        base = table.row * _BIG
        self._start_key, self._end_key = base + table.start, base + table.end

    def covering(self, rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Global index of the first and last token overlapping ``[start, end)`` of each row's text (first >
        last when none)."""
        base = rows * _BIG
        lo = np.searchsorted(self._end_key, base + np.clip(starts, -1, _BIG // 2), "right")
        hi = np.searchsorted(self._start_key, base + np.clip(ends, -1, _BIG // 2), "left") - 1
        return lo.astype(np.int64), hi.astype(np.int64)


def _ranges(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges of these lengths laid end to end: the range number and the offset within it of each item."""
    which = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    ends = np.cumsum(lengths)
    return which, np.arange(ends[-1] if len(ends) else 0, dtype=np.int64) - (ends - lengths)[which]


def _grow_windows(located: _Located, bits: np.ndarray, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                  starts: np.ndarray, ends: np.ndarray, *, window: int, breaks: str,
                  pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
    """Window (start, end) of each target: its tokens ``lo..hi`` (global indices) grown by the rules of
    :func:`target_windows`; ``pairs``: (target, first token, last token) of each span it must not cross."""
    table = located.table
    b0, b1 = table.bounds[rows], table.bounds[rows + 1]
    has = lo <= hi
    left, right = b0.copy(), b1 - 1
    if pairs is not None and len(pairs[0]):
        target, xlo, xhi = pairs
        ok = (xlo <= xhi) & has[target]
        before, after = ok & (xhi < lo[target]), ok & (xlo > hi[target])
        np.maximum.at(left, target[before], xhi[before] + 1)
        np.minimum.at(right, target[after], xlo[after] - 1)
    step = max(window, 0)
    new_lo, new_hi = np.maximum(lo - step, left), np.minimum(hi + step, right)
    n = len(table)
    stops = np.flatnonzero(bits & _STOP_BITS[breaks])
    if len(stops):  # stop before the nearest break on each side
        k = np.searchsorted(stops, lo, "left")
        new_lo = np.maximum(new_lo, np.where(k > 0, stops[np.maximum(k - 1, 0)], -1) + 1)
        k = np.searchsorted(stops, hi + 1, "left")
        new_hi = np.minimum(new_hi, np.where(k < len(stops), stops[np.minimum(k, len(stops) - 1)], n) - 1)
    # a window that runs to the sentence's final punctuation keeps it (VADER reads "!" as emphasis)
    finals = np.flatnonzero(bits & _FINAL_BIT)
    n_final = np.searchsorted(finals, b1, "left") - np.searchsorted(finals, new_hi + 1, "left")
    new_hi = np.where((new_hi + 1 <= right) & (n_final == b1 - new_hi - 1), b1 - 1, new_hi)
    if not n:
        return starts.copy(), ends.copy()
    ws = np.minimum(table.start[np.clip(new_lo, 0, n - 1)], starts)
    we = np.maximum(table.end[np.clip(new_hi, 0, n - 1)], ends)
    return np.where(has, ws, starts), np.where(has, we, ends)


def _nearest(positions: np.ndarray, owner: np.ndarray, first: np.ndarray, stop: np.ndarray,
             backwards: bool) -> np.ndarray:
    """Owner of the nearest of ``positions`` in ``[first, stop)`` (the last one when ``backwards``) or -1."""
    if not len(positions):
        return np.full(len(first), -1, dtype=np.int64)
    if backwards:
        k = np.searchsorted(positions, stop, "left") - 1
        at = positions[np.maximum(k, 0)]
        ok = (k >= 0) & (at >= first)
    else:
        k = np.searchsorted(positions, first, "left")
        at = positions[np.minimum(k, len(positions) - 1)]
        ok = (k < len(positions)) & (at < stop)
    return np.where(ok, owner[at], -1)


def _upper_first(texts: list[str], rows: np.ndarray, which: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Whether the first character of each token (text ``rows[which]``, offset ``starts``) is upper-case."""
    chosen = [texts[r] for r in rows.tolist()]
    lengths = np.fromiter(map(len, chosen), dtype=np.int64, count=len(chosen))
    joined = "".join(chosen)
    code = (np.frombuffer(joined.encode("ascii"), dtype=np.uint8) if joined.isascii()
            else np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))
    first = code[(np.cumsum(lengths) - lengths)[which] + starts]
    upper = (first >= 65) & (first <= 90)
    other = first >= 128
    if other.any():
        values, inverse = np.unique(first[other], return_inverse=True)
        upper[other] = np.array([chr(c).isupper() for c in values.tolist()], dtype=bool)[inverse]
    return upper


def _speakers(located: _Located, bits: np.ndarray, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Index of the attributed speaker's mention in each text that has one (mentions ``rows``, tokens
    ``lo..hi``), by the rules in the module docstring: only texts with a speech verb or "according" are
    scanned, all of them at once."""
    table = located.table
    scan = np.zeros(len(table.bounds) - 1, dtype=bool)
    scan[table.row[(bits & (_VERB_BIT | _ACCORDING_BIT)) != 0]] = True
    has_mention = np.zeros(len(scan), dtype=bool)
    has_mention[rows] = True
    cand = np.flatnonzero(scan & has_mention)
    if not len(cand):
        return np.zeros(0, dtype=np.int64)
    # the tokens of the candidate texts, end to end ("sub" positions); each with its text's sub range
    b0 = table.bounds[cand]
    size = table.bounds[cand + 1] - b0
    which, offset = _ranges(size)
    sub_end = np.cumsum(size)
    sub_start = sub_end - size
    tok = b0[which] + offset
    first, stop = sub_start[which], sub_end[which]
    # owner: the mention over each token (the last one when mentions share a token, as "Tehran-Baku")
    owner = np.full(len(tok), -1, dtype=np.int64)
    sel = np.flatnonzero(scan[rows] & (lo <= hi))
    if len(sel):
        k, off = _ranges(hi[sel] - lo[sel] + 1)
        g = lo[sel][k] + off
        c = np.searchsorted(cand, table.row[g])
        np.maximum.at(owner, g - b0[c] + sub_start[c], sel[k])
    sbits = bits[tok]
    owned = owner >= 0
    filler = ((sbits & _FILLER_BIT) != 0) | _upper_first(table.texts, cand, which, table.start[tok])
    # scanning from a verb back to its subject / forward to "said X": what ends the scan, and who is there
    block_before = np.flatnonzero(owned | ~filler)
    block_after = np.flatnonzero(owned | ((sbits & _HARD_BIT) != 0) | ~(filler | ((sbits & _TO_BIT) != 0)))
    verbs = np.flatnonzero(sbits & _VERB_BIT)
    k_verb = _nearest(block_before, owner, np.maximum(verbs - 10, first[verbs]), verbs, backwards=True)
    after_quote = (verbs > first[verbs]) & ((sbits[verbs - 1] & _COMMA_QUOTE_BIT) != 0)
    k_said = _nearest(block_after, owner, verbs + 1, np.minimum(verbs + 7, stop[verbs]), backwards=False)
    k_verb = np.where(k_verb >= 0, k_verb, np.where(after_quote, k_said, -1))
    acc = np.flatnonzero(sbits & _ACCORDING_BIT)
    acc = acc[(acc + 1 < stop[acc]) & ((sbits[np.minimum(acc + 1, len(tok) - 1)] & _TO_BIT) != 0)]
    k_acc = _nearest(block_after, owner, acc + 2, np.minimum(acc + 8, stop[acc]), backwards=False)
    at, found = np.concatenate([verbs, acc]), np.concatenate([k_verb, k_acc])
    keep = found >= 0
    at, found = at[keep], found[keep]
    order = np.argsort(at, kind="stable")
    _, firsts = np.unique(which[at[order]], return_index=True)  # the first attribution of each text
    return found[order][firsts]


def _locate_texts(texts: Sequence, spans: Sequence[tuple[int, int]]) -> tuple[_Located, np.ndarray, np.ndarray,
                                                                              np.ndarray]:
    """Distinct texts tokenized once; each target's row, start and end."""
    index: dict[str, int] = {}
    rows = np.fromiter((index.setdefault(t if isinstance(t, str) else "", len(index)) for t in texts),
                       dtype=np.int64, count=len(texts))
    pairs = np.array(list(spans), dtype=np.int64).reshape(-1, 2)
    return _Located(tokenize_texts(list(index), Vocabulary())), rows, pairs[:, 0].copy(), pairs[:, 1].copy()


def _exclusion_pairs(located: _Located, rows: np.ndarray,
                     exclude: Sequence[Sequence[tuple[int, int]]] | None) -> tuple | None:
    """(target, first token, last token) of every span in ``exclude`` (``exclude[i]``: spans of target i)."""
    if exclude is None:
        return None
    counts = np.fromiter(map(len, exclude), dtype=np.int64, count=len(exclude))
    target = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    spans = np.array([x for spans in exclude for x in spans], dtype=np.int64).reshape(-1, 2)
    return (target, *located.covering(rows[target], spans[:, 0], spans[:, 1]))


def target_windows(texts: Sequence[str], spans: Sequence[tuple[int, int]], *, window: int = DEFAULT_WINDOW,
                   breaks: str = DEFAULT_BREAKS,
                   exclude: Sequence[Sequence[tuple[int, int]]] | None = None) -> list[tuple[int, int]]:
    """Character range of the words about each target.

    From the target's tokens the window grows up to ``window`` tokens each side, stopping before a clause
    break (``breaks``: ``"clause"`` = punctuation incl. commas and contrastive conjunctions, ``"strong"`` =
    the same without commas, ``"none"``) and before any span in ``exclude[i]`` (other actors' mentions).
    """
    ws, we = _target_windows(texts, spans, window=window, breaks=breaks, exclude=exclude)[2:]
    return list(zip(ws.tolist(), we.tolist()))


def _target_windows(texts: Sequence, spans: Sequence[tuple[int, int]], *, window: int, breaks: str,
                    exclude: Sequence[Sequence[tuple[int, int]]] | None,
                    ) -> tuple[_Located, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct texts tokenized, each target's row in them, and its window start and end."""
    if breaks not in CLAUSE_BREAKS:
        raise ValueError(f"breaks={breaks!r} is not valid; use one of {sorted(CLAUSE_BREAKS)}")
    if len(texts) != len(spans):
        raise ValueError(f"texts and spans must have the same length; got {len(texts)} and {len(spans)}")
    located, rows, starts, ends = _locate_texts(texts, spans)
    lo, hi = located.covering(rows, starts, ends)
    bits = located.table.word_values(_WORD_BITS, np.int16)
    ws, we = _grow_windows(located, bits, rows, lo, hi, starts, ends, window=window, breaks=breaks,
                           pairs=_exclusion_pairs(located, rows, exclude))
    return located, rows, ws, we


def score_target_tone(texts: Sequence[str], spans: Sequence[tuple[int, int]], *,
                      scorers: Sequence[str] | None = None, window: int = DEFAULT_WINDOW,
                      breaks: str = DEFAULT_BREAKS,
                      exclude: Sequence[Sequence[tuple[int, int]]] | None = None,
                      text_scores: pd.DataFrame | None = None, matches: Mapping[str, pd.DataFrame] | None = None,
                      rows: Sequence[int] | None = None, session: ScoringSession | None = None,
                      frames: str = "both") -> pd.DataFrame:
    """Tone toward targets: each target's window (:func:`target_windows`) scored by the tone scorers.

    Parameters
    ----------
    texts : one sentence per target (repeat a sentence for several targets in it).
    spans : ``(start, end)`` character offsets of each target in its text.
    scorers : tone scorer names (:data:`diplo.scoring.tone.SCORERS`); default all.
    window, breaks, exclude : see :func:`target_windows`.
    text_scores : tone scores already computed for ``texts`` (aligned rows); a window that is the whole
        text reuses them instead of scoring the text again.
    matches, rows : a :meth:`diplo.scoring.match.Matcher.match` result that already covers the dictionaries of the
        matcher-based scorers, and for each target the ``row`` of its text in it (default: ``matches`` is
        over ``texts``).  The matches inside each window are then scored instead of matching the window
        again (negation and hedges keep their sentence context).
    session : whose cached scorers and tables to use; default the calling thread's.
    frames : the stance frames of :mod:`diplo.scoring.frames` to apply: ``"both"`` ("X raised concerns
        about Y": the tone toward the object Y follows the frame, the holder X's window leaves the frame's
        words out), ``"objects"`` (objects only) or ``"none"`` (windows only).

    Returns
    -------
    DataFrame aligned with ``spans``: ``window_start``, ``window_end``, ``window`` (the scored text),
    ``frame`` (the frame that set or trimmed the target's tone, ``""`` for none) and ``<tone column>_target``
    for every ``tone_*`` column the scorers produce (e.g. ``tone_vader_target``).

    Examples
    --------
    >>> t = "Iran enjoyed the wonderful talks, but Armenia faced harsh criticism."
    >>> score_target_tone([t, t], [(0, 4), (38, 45)], scorers=["vader"])["tone_vader_target"].gt(0).tolist()
    [True, False]
    >>> t = "Iran raised concerns about Azerbaijan's close cooperation with Israel."
    >>> r = score_target_tone([t, t], [(27, 37), (62, 68)], scorers=["vader"])
    >>> r["frame"].tolist(), r["tone_vader_target"].tolist()
    (['negative frame "concerns about" (object)', 'negative frame "concerns about" (in object)'], [-0.05, 0.0])
    """
    _check_frames(frames)
    located, t_rows, ws, we = _target_windows(texts, spans, window=window, breaks=breaks, exclude=exclude)
    if text_scores is not None and len(text_scores) != len(texts):
        raise ValueError(f"text_scores has {len(text_scores)} rows for {len(texts)} texts")
    n = len(t_rows)
    lo, hi = located.covering(t_rows, *_locate_spans(spans))
    out = _framed_target_tone(located, t_rows, lo, hi, ws, we, frames=frames, scorers=scorers,
                              text_scores=text_scores, score_rows=np.arange(n), matches=matches,
                              match_rows=np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64),
                              with_text=True, session=session)
    return pd.DataFrame(out)


def _check_frames(frames: str) -> None:
    if frames not in FRAME_MODES:
        raise ValueError(f"frames={frames!r} is not valid; use one of {', '.join(FRAME_MODES)}")


def _locate_spans(spans: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.array(list(spans), dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def _framed_target_tone(located: _Located, t_rows: np.ndarray, lo: np.ndarray, hi: np.ndarray, ws: np.ndarray,
                        we: np.ndarray, *, frames: str, scorers, text_scores: pd.DataFrame | None,
                        score_rows: np.ndarray, matches: Mapping[str, pd.DataFrame] | None,
                        match_rows: np.ndarray, with_text: bool,
                        session: ScoringSession | None) -> dict[str, object]:
    """:func:`_target_tone` with the stance frames (:mod:`diplo.scoring.frames`) applied, and a ``frame``
    column: a holder's window ends before the frame (starts at ``by`` in a passive); an object's tone is
    :func:`~diplo.scoring.frames.apply_frame_stance` of its window's tone and the frame words' tone (scored
    as one more window of the same text)."""
    n = len(t_rows)
    which, role = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int8)
    found, table = None, located.table
    if frames != "none" and n:
        found = find_frames(table)
        framed = np.flatnonzero(np.isin(t_rows, found.row))  # only targets in a text with a frame
        if len(framed):
            sub = frame_roles(found, t_rows[framed], lo[framed], hi[framed],
                              located.covering(t_rows[framed], ws[framed], we[framed])[1])
            which[framed], role[framed] = sub
        if frames == "objects":
            which, role = np.where(role == HOLDER, -1, which), np.where(role == HOLDER, 0, role)
    ws, we = ws.copy(), we.copy()
    holders = np.flatnonzero(role == HOLDER)
    if len(holders):  # the frame's words leave the holder's window
        f = which[holders]
        before = hi[holders] < found.first[f]
        cut_end = np.maximum(table.end[np.maximum(found.first[f] - 1, 0)], table.end[hi[holders]])
        we[holders] = np.where(before, np.minimum(we[holders], cut_end), we[holders])
        cut_start = np.minimum(table.start[np.maximum(found.agent[f], 0)], table.start[lo[holders]])
        ws[holders] = np.where(before, ws[holders], np.maximum(ws[holders], cut_start))
    objects = np.flatnonzero((role == OBJECT) | (role == IN_OBJECT))
    f = which[objects]
    frame_ws = table.start[found.first[f]] if len(objects) else np.zeros(0, dtype=np.int64)
    frame_we = table.end[found.last[f]] if len(objects) else np.zeros(0, dtype=np.int64)
    # the frame words of each object as one more window of its text, scored with the others
    full = _target_tone(located, np.r_[t_rows, t_rows[objects]], np.r_[ws, frame_ws], np.r_[we, frame_we],
                        scorers=scorers, text_scores=text_scores, score_rows=np.r_[score_rows, score_rows[objects]],
                        matches=matches, match_rows=np.r_[match_rows, match_rows[objects]], with_text=with_text,
                        session=session)
    frame = describe_frames(found, table, which, role) if found is not None else [""] * n
    out: dict[str, object] = {}
    for c, values in full.items():
        if c.startswith("tone_") and "frame" not in out:
            out["frame"] = frame
        values = values[:n]
        band = NEUTRAL_BANDS.get(c[len("tone_"):-len("_target")]) if c.endswith("_target") else None
        if band is not None and len(objects):
            values = values.copy()
            values[objects] = apply_frame_stance(values[objects], np.asarray(full[c][n:], dtype=float),
                                                 found.stance[f], band, direct=role[objects] == OBJECT)
        out[c] = values
    out.setdefault("frame", frame)
    return out


def _target_tone(located: _Located, t_rows: np.ndarray, ws: np.ndarray, we: np.ndarray, *, scorers,
                 text_scores: pd.DataFrame | None, score_rows: np.ndarray,
                 matches: Mapping[str, pd.DataFrame] | None, match_rows: np.ndarray,
                 with_text: bool, session: ScoringSession | None) -> dict[str, object]:
    """Columns of :func:`score_target_tone` for windows ``ws:we`` of the located texts ``t_rows``: each
    distinct window string scored once (with the matches and tokens of its first target); a window that
    is its whole text takes row ``score_rows`` of ``text_scores`` instead (when given)."""
    texts = located.table.texts
    instances = get_scorers(scorers, session=session)
    n = len(t_rows)
    reuse = np.zeros(n, dtype=bool)
    if text_scores is not None:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        reuse = (ws == 0) & (we == lengths[t_rows])
    todo = np.flatnonzero(~reuse)
    strings = np.array([texts[r][a:b] for r, a, b in zip(t_rows[todo].tolist(), ws[todo].tolist(),
                                                         we[todo].tolist())], dtype=object)
    string_of, unique = pd.factorize(strings)  # codes in order of first occurrence
    unique = unique.tolist()
    first = todo[np.unique(string_of, return_index=True)[1]]  # the first target of each distinct string
    window_matches = window_table = None
    if matches is not None:
        window_matches = _window_matches(matches, instances, match_rows[first], ws[first], we[first])
    if window_matches is not None:
        window_table = _window_tokens(located, unique, t_rows[first], ws[first], we[first])
    # the windows as a chunk of substrings: VADER reads them from the sentences' tokens, the other scorers
    # from the window matches/tokens (or match them themselves when there are none)
    windows = Chunk(unique, tokens=window_table, matches=window_matches,
                    spans=Spans(texts, t_rows[first], ws[first], we[first]), session=session)
    scores = score_tone_chunk(windows, instances)[0]
    out: dict[str, object] = {"window_start": ws.astype(np.int64), "window_end": we.astype(np.int64)}
    if with_text:
        window = np.empty(n, dtype=object)
        window[todo] = strings
        window[reuse] = [texts[r] for r in t_rows[reuse].tolist()]
        out["window"] = window.tolist()
    for c in (c for c in scores if c.startswith("tone_")):
        values = np.full(n, np.nan)
        values[todo] = scores[c][string_of] if len(unique) else np.nan
        if reuse.any():
            values[reuse] = np.asarray(text_scores[c], dtype=float)[score_rows[reuse]]
        out[f"{c}_target"] = values
    return out


def _window_tokens(located: _Located, windows: list[str], rows: np.ndarray, ws: np.ndarray,
                   we: np.ndarray) -> TokenTable:
    """The tokens of each window (text ``rows[i]``, characters ``ws[i]:we[i]``), as
    ``tokenize_texts(windows, vocabulary)`` gives them.

    A window that starts at a token start and ends at a token end of its text holds exactly those tokens:
    the token pattern looks neither behind a token's start nor past its end, so they are cut from the
    text's table, offsets shifted.  Not when its text lower-cases in context (a capital sigma becomes
    final or not by its neighbours) or changes length when lower-cased ("İ"): such windows, those that cut
    into a token (an actor mention inside "Tehran-Baku"), and all windows of a table split at hyphens are
    tokenized from their string.
    """
    table = located.table
    vocabulary = table.vocabulary
    n = len(windows)
    if table.split or not n or not len(table):
        return tokenize_texts(windows, vocabulary)
    distinct = np.unique(rows)
    plain = np.zeros(len(table.texts), dtype=bool)
    plain[distinct] = [t.isascii() or ("\u03a3" not in t and len(t.lower()) == len(t))
                       for t in (table.texts[r] for r in distinct.tolist())]
    size = len(table)
    base = rows * _BIG
    lo = np.searchsorted(located._start_key, base + ws, "left")
    hi = np.searchsorted(located._end_key, base + we, "left")
    cut = (plain[rows] & (lo < size) & (hi < size)
           & (located._start_key[np.minimum(lo, size - 1)] == base + ws)
           & (located._end_key[np.minimum(hi, size - 1)] == base + we) & (hi >= lo))
    which, offset = _ranges(np.where(cut, hi - lo + 1, 0))
    g = lo[which] + offset
    row, start, end, ids = which, table.start[g] - ws[which], table.end[g] - ws[which], table.ids[g]
    rest = np.flatnonzero(~cut)
    if len(rest):
        sub = tokenize_texts([windows[i] for i in rest.tolist()], vocabulary)
        order = np.argsort(np.concatenate([row, rest[sub.row]]), kind="stable")
        row, start, end, ids = (np.concatenate(pair)[order] for pair in
                                ((row, rest[sub.row]), (start, sub.start), (end, sub.end), (ids, sub.ids)))
    bounds = np.searchsorted(row, np.arange(n + 1), "left").astype(np.int64)
    return TokenTable(list(windows), bounds, row, start, end, ids, vocabulary)


def _by_row(m: "pd.DataFrame | Matches") -> tuple[Matches, np.ndarray]:
    """A match table as arrays sorted by ``row`` (stable) and its rows; the matcher emits rows in order, so
    this rarely copies."""
    m = Matches.of(m)
    if len(m.row) > 1 and (np.diff(m.row) < 0).any():
        m = m.take(np.argsort(m.row, kind="stable"))
    return m, m.row


def _window_matches(matches: Mapping, instances: Sequence, rows: np.ndarray,
                    ws: np.ndarray, we: np.ndarray) -> dict[str, Matches] | None:
    """The matches lying inside each window (text ``rows[i]``, characters ``ws[i]:we[i]``), re-indexed to
    the windows (row = window number, offsets relative to the window); None when ``matches`` lacks a
    dictionary the scorer objects ``instances`` need."""
    needed = {d.name for s in instances for d in s.dictionaries}
    if not needed <= set(matches):
        return None
    out = {}
    for name in needed:
        m, m_rows = _by_row(matches[name])
        # each window's candidate matches: the block of its row (searchsorted), then kept if inside it
        lo = np.searchsorted(m_rows, rows, "left")
        window, offset = _ranges(np.searchsorted(m_rows, rows, "right") - lo)
        idx = lo[window] + offset
        starts, ends = m.start[idx], m.end[idx]
        keep = (starts >= ws[window]) & (ends <= we[window])
        idx, window, starts, ends = idx[keep], window[keep], starts[keep] - ws[window[keep]], ends[keep]
        step_w, step_s = np.diff(window), np.diff(starts)
        if ((step_w == 0) & (step_s < 0)).any():  # by window, then start (stable)
            order = np.lexsort((starts, window))
            idx, window, starts, ends = idx[order], window[order], starts[order], ends[order]
        out[name] = m.take(idx, row=window.astype(np.int64, copy=False), start=starts, end=ends - ws[window])
    return out


class ActorScorer(DictionaryMatching):
    """Actors mentioned, the speaker, and per-mention target tone, from one matcher pass.

    Parameters
    ----------
    actors : a :class:`~diplo.scoring.match.Dictionary`, a path to a YAML alias file, or None for the packaged one.
    scorers : tone scorers for the per-mention target tone; default all; ``()`` for none.
    frames : the stance frames (:mod:`diplo.scoring.frames`) applied to the target tone: ``"both"``
        (objects and holders), ``"objects"`` or ``"none"`` (see :func:`score_target_tone`).
    """

    name = "actors"
    columns = ("actors", "speaker")

    def __init__(self, actors: Dictionary | str | os.PathLike | None = None, *,
                 scorers: Sequence[str] | None = None, frames: str = "both") -> None:
        _check_frames(frames)
        self.actors = actors if isinstance(actors, Dictionary) else load_actors(actors)
        self.scorers = scorers
        self.frames = frames

    @property
    def dictionaries(self) -> tuple[Dictionary, ...]:
        return (self.actors,)

    def score_chunk(self, chunk: Chunk, *, evidence: bool = False) -> tuple[dict[str, np.ndarray], dict | None]:
        """``actors``/``speaker`` per text and, with ``evidence``, the mentions as columns (``row`` indexes the
        chunk; the others as :data:`ACTOR_MENTION_COLUMNS`, then ``window_start``, ``window_end``, ``frame``
        and the ``tone_*_target`` columns of :attr:`scorers`).

        The chunk's tokens serve the speaker rules and the windows (tokenized here when it has none); tone
        columns already in ``chunk.scores`` are reused for windows spanning a whole text.

        Raises
        ------
        ValueError
            If the chunk's tokens are split at hyphens, or its matches lack the actor dictionary.
        """
        matches, table = chunk.matches_for(self)
        texts = chunk.texts
        if table is None:
            table = self.own_matcher().tokenize(texts)
        elif table.split:
            raise ValueError(f"table must tokenize the {len(texts)} texts without splitting hyphens; got "
                             f"{len(table.bounds) - 1} texts, split={table.split}")
        m, rows = _by_row(matches[self.actors.name])
        starts, ends = m.start, m.end
        located, bits = _Located(table), table.word_values(_WORD_BITS, np.int16)
        lo, hi = located.covering(rows, starts, ends)
        # actor code per mention (codes in name order), and the groups of mentions of the same text
        codes, names = pd.factorize(m.labels(), sort=True)
        names = np.asarray(names, dtype=object)
        group_start = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else rows
        group_size = np.diff(np.r_[group_start, len(rows)])
        actors_col = np.full(len(texts), "", dtype=object)
        if len(rows):
            actors_col[rows[group_start]] = _joined_names(codes, names.tolist(), group_start)
        speakers = _speakers(located, bits, rows, lo, hi)
        speaker_col = np.full(len(texts), "", dtype=object)
        speaker_col[rows[speakers]] = names[codes[speakers]]
        role = ["mention"] * len(rows)
        for k in speakers.tolist():
            role[k] = "speaker"
        if not evidence:
            return {"actors": actors_col, "speaker": speaker_col}, None
        columns = {"row": rows, "actor": _strings(m.column("category")), "mention": _strings(m.column("match")),
                   "start": starts, "end": ends, "role": role}
        if self.scorers != ():
            instances = get_scorers(self.scorers, session=chunk.session)
            needed = [c for s in instances for c in s.columns if c.startswith("tone_")]
            text_scores = chunk.scores if all(c in chunk.scores for c in needed) else None
            # each mention with the other actors' mentions of its text, which its window must not cross
            group = np.repeat(np.arange(len(group_start)), group_size)
            mention, offset = _ranges(group_size[group])
            other = group_start[group[mention]] + offset
            other_actor = codes[mention] != codes[other]
            mention, other = mention[other_actor], other[other_actor]
            ws, we = _grow_windows(located, bits, rows, lo, hi, starts, ends, window=DEFAULT_WINDOW,
                                   breaks=DEFAULT_BREAKS, pairs=(mention, lo[other], hi[other]))
            columns.update(_framed_target_tone(located, rows, lo, hi, ws, we, frames=self.frames,
                                               scorers=instances, text_scores=text_scores, score_rows=rows,
                                               matches=matches, match_rows=rows, with_text=False,
                                               session=chunk.session))
        return {"actors": actors_col, "speaker": speaker_col}, columns

    def score(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
        """``actors``/``speaker`` per text and the mentions (``row`` indexes ``texts``)."""
        cols, mentions = self.score_chunk(Chunk(texts), evidence=True)
        return cols, pd.DataFrame(mentions)


def _strings(values) -> object:
    """A match table's string column (:meth:`~diplo.scoring.match.Matches.column`) as a new table's column
    (as a list of str would come out)."""
    return values if getattr(values, "dtype", None) == "str" else list(values)


def _joined_names(codes: np.ndarray, names: list[str], group_start: np.ndarray) -> list[str]:
    """The distinct names of each group of codes (groups start at ``group_start``), sorted, joined by ";"."""
    if len(names) <= 62:  # each group's set of actors as a bit mask: one join per distinct set
        masks = np.bitwise_or.reduceat(np.left_shift(np.int64(1), codes.astype(np.int64)), group_start)
        values, inverse = np.unique(masks, return_inverse=True)
        joined = [";".join(n for k, n in enumerate(names) if v >> k & 1) for v in values.tolist()]
        return [joined[i] for i in inverse.tolist()]
    bounds = np.r_[group_start, len(codes)].tolist()
    return [";".join(names[c] for c in sorted(set(codes[a:b].tolist()))) for a, b in zip(bounds[:-1], bounds[1:])]


def carry_pronoun_speakers(doc_ids: Sequence, texts: Sequence[str], speakers: Sequence[str], *,
                           lookback: int = 2) -> np.ndarray:
    """Speakers with pronoun attributions resolved.

    A sentence without a speaker whose subject is "he"/"she" followed by a speech verb ("He added that",
    "she also stressed") gets the speaker of the nearest of the ``lookback`` previous sentences of the same
    document that has one (sentences in reading order).  Returns a new array; the input is not changed.
    """
    out = np.array(speakers, dtype=object)
    last, last_doc, gap = "", None, 0
    for i, (doc, text) in enumerate(zip(doc_ids, texts)):
        if doc != last_doc:
            last, last_doc, gap = "", doc, 0
        if not out[i] and last and gap < lookback and isinstance(text, str) and _PRONOUN_SPEECH.search(text):
            out[i] = last
        if out[i]:
            last, gap = out[i], 0
        else:
            gap += 1
    return out


def score_actors(sentences: pd.DataFrame, actors: Dictionary | str | os.PathLike | None = None, *,
                 scorers: Sequence[str] | None = None, per: str = "sentence") -> pd.DataFrame:
    """Actors, speakers and target tone for a sentences table (``doc_id``, ``sent_id``, ``text``).

    Parameters
    ----------
    actors : alias dictionary or path; default the packaged ``actors.yml``.
    scorers : tone scorers for target tone (``per="mentions"``); default all.
    per : ``"sentence"``: ``doc_id``, ``sent_id``, ``actors``, ``speaker``; ``"mentions"``: one row per
        mention with :data:`ACTOR_MENTION_COLUMNS` and ``tone_*_target`` columns.

    Raises
    ------
    ValueError
        If a required column is missing or ``per`` is not valid.
    """
    if per not in ("sentence", "mentions"):
        raise ValueError(f"per={per!r} is not valid; use 'sentence' or 'mentions'")
    missing = [c for c in ("doc_id", "sent_id", "text") if c not in sentences.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(sentences.columns)}")
    scorer = ActorScorer(actors, scorers=scorers if per == "mentions" else ())
    cols, mentions = scorer.score(sentences["text"].tolist())
    head = sentences[["doc_id", "sent_id"]].reset_index(drop=True)
    if per == "sentence":
        cols["speaker"] = carry_pronoun_speakers(head["doc_id"].tolist(), sentences["text"].tolist(),
                                                 cols["speaker"])
        return head.assign(**cols)
    keys = head.iloc[mentions["row"].to_numpy()].reset_index(drop=True)
    return pd.concat([keys, mentions.drop(columns="row").reset_index(drop=True)], axis=1)
