"""VADER sentence sentiment, batch-oriented, identical to ``vaderSentiment`` 3.3.2.

diplo follows the reference implementation by Hutto & Gilbert as published in the ``vaderSentiment``
package, version 3.3.2 (its lexicon, emoji lexicon and every rule), not the copy in ``nltk.sentiment.vader``.
The two differ: nltk has no emoji conversion, no special handling of "no" before a lexicon word, and
treats only "but"/"BUT" as the contrastive conjunction.  For example, for ``"There is no good option
here."`` vaderSentiment gives compound -0.3412 ("no good" is negated) while nltk 3.10 gives +0.1779 (it
scores "no" -1.2 and "good" +1.9 separately); ``"Not bad at all 😁"`` is 0.705 here and 0.431 in nltk,
which ignores the emoji.

:func:`score_vader` returns exactly what ``SentimentIntensityAnalyzer().polarity_scores`` returns for every
text (compound rounded to 4 decimals, pos/neg/neu to 3), including the reference's quirks, which a
reproduction must keep:

- tokens are whitespace-separated words with leading/trailing ASCII punctuation stripped, unless fewer than
  3 characters would remain (so ``":)"`` stays and ``"no."`` stays ``"no."``);
- a lexicon word after "no" (up to two words before, or three with "or"/"nor" between) is negated, and
  "no" itself counts 0 when followed by a lexicon word;
- three words before a lexicon word, "so"/"this" right before it multiplies by 1.25 whether or not
  "never" precedes (operator precedence in ``_negation_check``);
- the contrastive "but" rule (x0.5 before, x1.5 after the first "but") looks each value up with
  ``list.index``, so equal valences re-scale the first occurrence;
- single emoji characters are replaced by their description before tokenizing.

Speed comes from doing the work once per token *type* and only where it can matter: every distinct raw
token is stripped, lower-cased and looked up once (memoized across calls), tokens of a whole batch are
classified in one C-level ``map``, and the rule context is examined only around lexicon words.
"""

from __future__ import annotations

import string
import sys
from typing import Sequence

import numpy as np
import pandas as pd

from diplo.scoring._engine.tokens import ASCII_SPACE, SEPARATOR, PieceIndex, PieceMap
from diplo.scoring.chunk import EVIDENCE_COLUMNS, Chunk, evidence_frame
from diplo.scoring.session import ScoringSession

__all__ = ["VaderScorer", "score_vader", "score_vader_spans", "SCORE_COLUMNS"]

SCORE_COLUMNS = ("compound", "pos", "neg", "neu")

_PUNCT = string.punctuation
# The reference's sum() of a sentence's valences: plain left-to-right float addition before Python 3.12.
_SEQUENTIAL_SUM = sys.version_info < (3, 12)
# Memo tables grow with the vocabulary seen; past this many token types they are rebuilt, which only
# costs re-learning (news vocabularies with names and numbers grow slowly but without end).
_MAX_TYPES = 2_000_000
# Token-type flags (bits of the ``flags`` array).
_CAND = 1      # lexicon word that gets a valence (lexicon words that are boosters count 0)
_BUT = 2       # "but": the contrastive conjunction
_SELF = 4      # candidate whose own rules need context: "no", "kind" (of), ALL CAPS
_MOD = 8       # may change a following lexicon word: "no", boosters, negations, "this", "least"
_PAIR = 16     # first word of a multi-word idiom or booster ("kind" of "kind of")
# info tuple fields (complex path only)
_TOK, _LOW, _UPPER, _INLEX, _BOOST, _NEG = range(6)


class _VaderTables:
    """The reference tables and the per-token-type memo; owned by a
    :class:`~diplo.scoring.session.ScoringSession` (one per thread), see :func:`_tables`."""

    def __init__(self) -> None:
        import vaderSentiment.vaderSentiment as ref

        self.pieces = PieceIndex()  # for texts scored without a chunk's tokens (score_vader)
        analyzer = ref.SentimentIntensityAnalyzer()  # parses the lexicon files exactly as the reference
        self.analyzer = analyzer
        self.lexicon: dict[str, float] = analyzer.lexicon
        self.booster: dict[str, float] = dict(ref.BOOSTER_DICT)
        self.special: dict[str, float] = dict(ref.SPECIAL_CASES)
        self.n_scalar: float = ref.N_SCALAR
        self.c_incr: float = ref.C_INCR
        self.negate = frozenset(ref.NEGATE)  # ref.negated([w]): w.lower() in NEGATE or "n't" in it
        self.emojis = {k: v for k, v in analyzer.emojis.items() if len(k) == 1}  # replaced per character
        self.emoji_table = np.zeros(max(map(ord, self.emojis)) + 2, dtype=bool)  # last entry: "beyond"
        self.emoji_table[[ord(k) for k in self.emojis]] = True
        # Multi-word keys (idioms and "kind of"-style boosters) can only match where their first two
        # words stand next to each other: a table of (first word, second word) pairs finds those spots.
        pairs = sorted({tuple(key.split(" ")[:2]) for key in (*self.special, *self.booster) if " " in key})
        self.first_ids = {w: k + 1 for k, w in enumerate(sorted({a for a, _ in pairs}))}
        self.second_ids = {w: k + 1 for k, w in enumerate(sorted({b for _, b in pairs}))}
        self.pair_table = np.zeros((len(self.first_ids) + 1, len(self.second_ids) + 1), dtype=bool)
        for a, b in pairs:
            self.pair_table[self.first_ids[a], self.second_ids[b]] = True
        ws = np.zeros(0x3002, dtype=bool)  # str.split() whitespace; none above U+3000
        ws[[c for c in range(0x3001) if chr(c).isspace()]] = True
        self.ws = ws
        self.reset()

    def reset(self) -> None:
        self.generation = getattr(self, "generation", -1) + 1
        self.last: _Batch | None = None  # the last batch tokenized (see _batch)
        self.type_id = _TypeIds(self)
        self.piece_types = PieceMap(lambda pieces: list(map(self.type_id.__getitem__, pieces)))
        self.info: list[tuple] = []
        self.n_types = 0
        self.pending: list[tuple] = []  # array fields of the types classified since the last sync
        cap = 1 << 14
        self.flags = np.zeros(cap, dtype=np.uint8)
        self.value = np.zeros(cap, dtype=np.float64)
        self.first = np.zeros(cap, dtype=np.int16)
        self.second = np.zeros(cap, dtype=np.int16)
        self.lead = np.zeros(cap, dtype=np.int64)
        self.length = np.zeros(cap, dtype=np.int64)

    def _sync(self) -> None:
        """Copy the array fields of newly classified types into the per-type arrays."""
        if not self.pending:
            return
        k = self.n_types - len(self.pending)
        cap = len(self.flags)
        while cap < self.n_types:
            cap *= 2
        for name, column in zip(("flags", "value", "first", "second", "lead", "length"), zip(*self.pending)):
            old = getattr(self, name)
            if cap > len(old):
                new = np.zeros(cap, dtype=old.dtype)
                new[:len(old)] = old
                setattr(self, name, new)
            getattr(self, name)[k:self.n_types] = column
        self.pending = []

    def classify(self, raw: str) -> int:
        """Type id of the raw (whitespace-delimited) token ``raw``, seen for the first time."""
        lexicon, booster = self.lexicon, self.booster
        stripped = raw.strip(_PUNCT)
        tok = raw if len(stripped) <= 2 else stripped
        low = tok.lower()
        inlex = low in lexicon
        boost = booster.get(low, 0.0)
        folded = low.lower()  # as ref.negated lower-cases again
        neg = folded in self.negate or "n't" in folded
        upper = tok.isupper()
        flags = 0
        if inlex and low not in booster:
            flags |= _CAND
            if upper or low == "no" or low == "kind":
                flags |= _SELF
        if low == "but":
            flags |= _BUT
        if boost or neg or low in ("no", "this", "least"):
            flags |= _MOD
        if low in self.first_ids:
            flags |= _PAIR
        k = self.n_types
        self.n_types += 1
        dict.__setitem__(self.type_id, raw, k)
        self.info.append((tok, low, upper, inlex, boost, neg))
        self.pending.append((flags, lexicon[low] if inlex else 0.0, self.first_ids.get(low, 0),
                             self.second_ids.get(low, 0), 0 if tok is raw else len(raw) - len(raw.lstrip(_PUNCT)),
                             len(tok)))
        return k

    def type_ids(self, pieces: np.ndarray, index: PieceIndex) -> np.ndarray:
        """Type id of every raw token, given as its id in the piece ``index`` (new types are classified on
        first sight)."""
        if self.n_types + len(pieces) > _MAX_TYPES:  # may outgrow the bound in this batch: start afresh
            self.reset()
        ids = self.piece_types(pieces, index)
        self._sync()
        return ids


class _TypeIds(dict):
    """raw token -> type id; a token seen for the first time is classified by :meth:`_VaderTables.classify`."""

    __slots__ = ("vader",)

    def __init__(self, vader: _VaderTables) -> None:
        super().__init__()
        self.vader = vader

    def __missing__(self, raw: str) -> int:
        return self.vader.classify(raw)


def _tables(session: ScoringSession | None) -> _VaderTables:
    """The session's VADER tables (built on first use): their memo grows while scoring, so each thread's
    session has its own."""
    session = session if session is not None else ScoringSession.current()
    return session.reuse("vader tables", _VaderTables)


def _convert_emoji(text: str, emojis: dict[str, str]) -> tuple[str, list[int]]:
    """The reference's emoji replacement, plus the original offset of every output character."""
    out: list[str] = []
    where: list[int] = []
    prev_space = True
    for k, ch in enumerate(text):
        description = emojis.get(ch)
        if description is not None:
            if not prev_space:
                out.append(" ")
                where.append(k)
            out.append(description)
            where.extend([k] * len(description))
            prev_space = False
        else:
            out.append(ch)
            where.append(k)
            prev_space = ch == " "
    return "".join(out), where


def _but_rescale(positions: list[int], values: list[float], but_at: int) -> list[float]:
    """``_but_check`` of the reference on the non-zero valences (zeros never change and never match)."""
    values = list(values)
    for k in range(len(values)):
        value = values[k]
        si = values.index(value)
        if positions[si] < but_at:
            values[si] = value * 0.5
        elif positions[si] > but_at:
            values[si] = value * 1.5
    return values


def _idioms(valence: float, w: list[str], special: dict[str, float], booster: dict[str, float]) -> float:
    """``_special_idioms_check`` of the reference; ``w`` holds the lower-cased tokens from i-3 to i+2."""
    i = 3
    onezero = f"{w[i - 1]} {w[i]}"
    twoonezero = f"{w[i - 2]} {w[i - 1]} {w[i]}"
    twoone = f"{w[i - 2]} {w[i - 1]}"
    threetwoone = f"{w[i - 3]} {w[i - 2]} {w[i - 1]}"
    threetwo = f"{w[i - 3]} {w[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in special:
            valence = special[seq]
            break
    if len(w) - 1 > i:
        zeroone = f"{w[i]} {w[i + 1]}"
        if zeroone in special:
            valence = special[zeroone]
    if len(w) - 1 > i + 1:
        zeroonetwo = f"{w[i]} {w[i + 1]} {w[i + 2]}"
        if zeroonetwo in special:
            valence = special[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in booster:
            valence = valence + booster[n_gram]
    return valence


def _valence(vd: _VaderTables, tids: list[int], j: int, i: int, nt: int, pair_near: bool, cap_diff,
             ) -> tuple[float, int]:
    """``sentiment_valence`` of the reference for the lexicon word ``i`` of a sentence of ``nt`` tokens.

    ``tids`` holds the token type ids from i-3 to i+2 (clipped to the sentence), the word itself at ``j``.
    Returns the valence and how many times a negation multiplied it.
    """
    info, lex, n_scalar, c_incr = vd.info, vd.lexicon, vd.n_scalar, vd.c_incr
    me = info[tids[j]]
    low = me[_LOW]
    nxt = info[tids[j + 1]] if i < nt - 1 else None
    if low == "kind" and nxt is not None and nxt[_LOW] == "of":
        return 0.0, 0
    w1 = info[tids[j - 1]] if i > 0 else None
    w2 = info[tids[j - 2]] if i > 1 else None
    w3 = info[tids[j - 3]] if i > 2 else None
    v0 = lex[low]
    valence = v0
    negs = 0
    if low == "no" and nxt is not None and nxt[_INLEX]:
        valence = 0.0
    if ((w1 is not None and w1[_LOW] == "no") or (w2 is not None and w2[_LOW] == "no")
            or (w3 is not None and w3[_LOW] == "no" and w1[_LOW] in ("or", "nor"))):
        valence = v0 * n_scalar
        negs = 1
    if me[_UPPER] and cap_diff():
        if valence > 0:
            valence += c_incr
        else:
            valence -= c_incr
    for start_i, w in enumerate((w1, w2, w3)):
        if w is None or w[_INLEX]:
            continue
        sc = 0.0
        if w[_BOOST]:
            sc = w[_BOOST]
            if valence < 0:
                sc *= -1
            if w[_UPPER] and cap_diff():
                sc = sc + c_incr if valence > 0 else sc - c_incr
            if start_i == 1:
                sc = sc * 0.95
            elif start_i == 2:
                sc = sc * 0.9
        valence = valence + sc
        if start_i == 0:
            if w1[_NEG]:
                valence = valence * n_scalar
                negs += 1
        elif start_i == 1:
            l2, l1 = w2[_LOW], w1[_LOW]
            if l2 == "never" and (l1 == "so" or l1 == "this"):
                valence = valence * 1.25
            elif l2 == "without" and l1 == "doubt":
                pass
            elif w2[_NEG]:
                valence = valence * n_scalar
                negs += 1
        else:
            l3, l2, l1 = w3[_LOW], w2[_LOW], w1[_LOW]
            if (l3 == "never" and (l2 == "so" or l2 == "this")) or (l1 == "so" or l1 == "this"):
                valence = valence * 1.25
            elif l3 == "without" and (l2 == "doubt" or l1 == "doubt"):
                pass
            elif w3[_NEG]:
                valence = valence * n_scalar
                negs += 1
            if pair_near:
                window = [info[t][_LOW] for t in tids[j - 3:j + 3]]
                valence = _idioms(valence, window, vd.special, vd.booster)
    if w1 is not None and not w1[_INLEX] and w1[_LOW] == "least":
        if i > 1:
            if w2[_LOW] != "at" and w2[_LOW] != "very":
                valence = valence * n_scalar
                negs += 1
        else:
            valence = valence * n_scalar
            negs += 1
    return valence, negs


def _code_points(text: str) -> np.ndarray:
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``table[code]`` for every code, False beyond the table (whose last entry must be False)."""
    if codes.dtype == np.uint8 and len(table) >= 256:
        return table[codes]
    return table[np.minimum(codes, np.uint32(len(table) - 1))]


def _prepare(vd: _VaderTables, seen: list[str], big: str
             ) -> tuple[list[str], dict[int, list[int]], str, np.ndarray, np.ndarray]:
    """Texts as VADER sees them (emoji replaced), the emoji offset maps, and the joined batch, from the
    texts (all strings) and their join by :data:`~diplo.scoring._engine.tokens.SEPARATOR` (as the matcher joins them: the
    chunk is split once for both)."""
    where: dict[int, list[int]] = {}
    codes = _code_points(big)
    base = np.zeros(len(seen), dtype=np.int64)
    if len(seen) > 1:
        np.cumsum(np.fromiter(map(len, seen[:-1]), dtype=np.int64, count=len(seen) - 1) + 1, out=base[1:])
    if codes.dtype != np.uint8:
        emoji_at = np.flatnonzero(_lookup(vd.emoji_table, codes))
        if len(emoji_at):
            for k in np.unique(np.searchsorted(base, emoji_at, side="right") - 1).tolist():
                seen[k], where[k] = _convert_emoji(seen[k], vd.emojis)
            return _prepare_converted(seen, where)
    return seen, where, big, codes, base


def _prepare_converted(seen: list[str], where: dict[int, list[int]]):
    big = SEPARATOR.join(seen)
    base = np.zeros(len(seen), dtype=np.int64)
    if len(seen) > 1:
        np.cumsum(np.fromiter(map(len, seen[:-1]), dtype=np.int64, count=len(seen) - 1) + 1, out=base[1:])
    return seen, where, big, _code_points(big), base


def _tokenize(vd: _VaderTables, big: str, codes: np.ndarray, base: np.ndarray, pieces: PieceIndex
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Whitespace tokens of the joined batch: their piece ids, the batch offsets where each starts and just
    past where it ends, and the first token of every text with the token count as a last entry."""
    flat = pieces.ids(big)
    if codes.dtype == np.uint8:  # ASCII: one C pass over the bytes
        space = np.frombuffer(big.encode("ascii").translate(ASCII_SPACE), dtype=np.uint8).view(bool)
    else:
        space = _lookup(vd.ws, codes)
    inside = np.zeros(len(space) + 2, dtype=bool)  # non-space, between two spaces
    np.logical_not(space, out=inside[1:-1])
    edges = np.flatnonzero(inside[1:] != inside[:-1])  # where tokens start and end, alternately
    begins, ends = edges[0::2], edges[1::2]
    if len(begins) != len(flat):  # pragma: no cover - would mean the whitespace table is wrong
        raise RuntimeError(f"tokenizer mismatch: {len(begins)} token starts for {len(flat)} tokens")
    return flat, begins, ends, np.append(np.searchsorted(begins, base), len(begins))


def _text_of(first_tok: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """The text each token (index into the batch) belongs to."""
    return np.searchsorted(first_tok, tokens, side="right") - 1


class _Batch:
    """A batch of texts as VADER tokenizes it: the texts as seen (emoji replaced), the emoji offset maps
    (``where``), the joined batch, each text's offset in it (``base``), and per whitespace token its piece id,
    batch offset (``begins``) and type id (``tid``); the tokens of text ``s`` are
    ``first_tok[s]:first_tok[s + 1]``."""

    __slots__ = ("key", "seen", "where", "big", "codes", "base", "begins", "ends", "first_tok", "tid",
                 "generation", "_marks")

    def __init__(self, vd: _VaderTables, seen: list[str], key: tuple[str, bytes], pieces: PieceIndex) -> None:
        self.key = key
        self.seen, self.where, self.big, self.codes, self.base = _prepare(vd, seen, key[0])
        flat, self.begins, self.ends, self.first_tok = _tokenize(vd, self.big, self.codes, self.base, pieces)
        self.tid = vd.type_ids(flat, pieces)
        self.generation = vd.generation  # the type tables ``tid`` refers to (a reset makes new ones)
        self._marks: tuple[np.ndarray, np.ndarray] | None = None

    def marks(self, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How many "!" and "?" lie in each range ``starts[i]:ends[i]`` of the batch."""
        if self._marks is None:
            self._marks = (np.flatnonzero(self.codes == ord("!")), np.flatnonzero(self.codes == ord("?")))
        return tuple(np.searchsorted(at, ends) - np.searchsorted(at, starts) for at in self._marks)

    def text_marks(self) -> tuple[np.ndarray, np.ndarray]:
        """How many "!" and "?" each text (as seen) holds."""
        stops = np.append(self.base[1:] - len(SEPARATOR), len(self.big)) if len(self.base) else self.base
        return self.marks(self.base, stops)


def _batch(vd: _VaderTables, texts: list, pieces: PieceIndex) -> _Batch:
    """The batch of ``texts``, tokenized (the last batch is remembered: scoring spans of the texts just
    scored does not tokenize them again); ``pieces``: the piece index that splits them (the chunk's, when
    the matcher just split the same texts)."""
    safe = [t if isinstance(t, str) else "" for t in texts]
    # the joined texts and where each ends (texts may hold the separator)
    key = (SEPARATOR.join(safe), np.fromiter(map(len, safe), dtype=np.int64, count=len(safe)).tobytes())
    last = vd.last
    if last is not None and last.generation == vd.generation and last.key == key:
        return last
    batch = vd.last = _Batch(vd, safe, key, pieces)
    return batch


def _score_types(vd: _VaderTables, batch_tid: np.ndarray, first_tok: np.ndarray, marks: tuple[np.ndarray, np.ndarray]
                 ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """VADER's rules over texts given as the type ids of their whitespace tokens (``first_tok`` bounds, as
    in :class:`_Batch`; ``marks``: how many "!" and "?" each text holds): the scores, and the token index,
    text, final valence and negation of every token with a non-zero valence."""
    tid = batch_tid
    flags = vd.flags[tid]
    counts = np.diff(first_tok)

    # Lexicon words whose context cannot matter keep their lexicon valence; the rest follow the rules.
    cand = np.flatnonzero(flags & _CAND)
    # ... that is, a modifier in the 3 tokens before, or the first word of a multi-word key in the 3 before
    # or at the word itself (looked up for the candidates and the few possible first words only)
    complex_ = (flags[cand] & _SELF) != 0
    for lag in (1, 2, 3):
        back = cand - lag
        complex_ |= ((flags[np.maximum(back, 0)] & _MOD) != 0) & (back >= 0)
    firsts = np.flatnonzero(flags[:-1] & _PAIR)
    pairs = firsts[vd.pair_table[vd.first[tid[firsts]], vd.second[tid[firsts + 1]]]]
    pair_near = np.searchsorted(pairs, cand - 3) < np.searchsorted(pairs, cand, side="right")
    complex_ |= pair_near
    values = vd.value[tid[cand]]
    negs = np.zeros(len(cand), dtype=np.int64)
    cand_sent = _text_of(first_tok, cand)
    if complex_.any():
        upper_count: dict[int, int] = {}
        for k in np.flatnonzero(complex_).tolist():
            g = int(cand[k])
            s = int(cand_sent[k])
            a, b = int(first_tok[s]), int(first_tok[s + 1])
            lo = max(a, g - 3)
            tids = tid[lo:min(b, g + 3)].tolist()

            def cap_diff(s=s, a=a, b=b) -> bool:
                if s not in upper_count:
                    upper_count[s] = sum(vd.info[t][_UPPER] for t in tid[a:b].tolist())
                return 0 < (b - a) - upper_count[s] < (b - a)

            values[k], negs[k] = _valence(vd, tids, g - lo, g - a, b - a, bool(pair_near[k]), cap_diff)
    keep = values != 0
    hit_tok, hit_val, hit_neg = cand[keep], values[keep], negs[keep] % 2 == 1
    hit_sent = cand_sent[keep]

    # The "but" rule, on sentences that have both a "but" and a valence.
    buts = np.flatnonzero(flags & _BUT)
    if len(buts) and len(hit_tok):
        but_sent, first = np.unique(_text_of(first_tok, buts), return_index=True)
        but_at = dict(zip(but_sent.tolist(), (buts[first] - first_tok[but_sent]).tolist()))
        lo = np.searchsorted(hit_sent, but_sent, side="left")
        hi = np.searchsorted(hit_sent, but_sent, side="right")
        for s, a, b in zip(but_sent.tolist(), lo.tolist(), hi.tolist()):
            if a < b:
                positions = (hit_tok[a:b] - first_tok[s]).tolist()
                hit_val[a:b] = _but_rescale(positions, hit_val[a:b].tolist(), but_at[s])

    return _score_valence(counts, hit_sent, hit_val, marks), hit_tok, hit_sent, hit_val, hit_neg


def score_vader(texts: Sequence[str], *, evidence: bool = False, session: ScoringSession | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """VADER scores for each text, identical to ``vaderSentiment`` 3.3.2 ``polarity_scores``.

    Parameters
    ----------
    texts : sentences (any sequence of str); non-strings and empty strings score 0 (neu 0).
    evidence : also return one row per token with a non-zero valence.

    Returns
    -------
    (scores, evidence) where ``scores`` has columns ``compound`` (-1..1), ``pos``, ``neg``, ``neu`` (0..1),
    one row per text in input order, and ``evidence`` (None unless asked for) has columns ``row`` (index
    into ``texts``), ``term`` (the token as VADER saw it), ``start``/``end`` (character offsets of the
    token in the text; an emoji's description points at the emoji), ``weight`` (the token's final valence
    after boosters, negation, caps and "but": its share of the sum that ``compound`` normalizes, before
    the punctuation amplifier) and ``negated`` (a negation flipped its sign an odd number of times).
    session : whose VADER memo tables to use (:class:`~diplo.scoring.session.ScoringSession`); default the
        calling thread's.

    Examples
    --------
    >>> scores, _ = score_vader(["The talks were very good.", "There is no good option here."])
    >>> scores["compound"].tolist()
    [0.4927, -0.3412]
    """
    vd = _tables(session)
    scores, ev = _score_vader(vd, texts, evidence=evidence, pieces=vd.pieces)
    return pd.DataFrame(scores), ev


def _score_vader(vd: _VaderTables, texts: Sequence[str], *, evidence: bool = False, pieces: PieceIndex
                 ) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
    """:func:`score_vader` with the scores as a dict of arrays."""
    texts = list(texts)
    batch = _batch(vd, texts, pieces)
    scores, hit_tok, hit_sent, hit_val, hit_neg = _score_types(vd, batch.tid, batch.first_tok, batch.text_marks())
    if not evidence:
        return scores, None
    tid, base = batch.tid, batch.base
    start = batch.begins[hit_tok] - base[hit_sent] + vd.lead[tid[hit_tok]]
    end = start + vd.length[tid[hit_tok]]
    info = vd.info
    ev = pd.DataFrame({  # typed columns even when empty
        "row": hit_sent.astype(np.int64),
        "term": pd.Series([info[t][_TOK] for t in tid[hit_tok].tolist()], dtype=object),
        "start": start.astype(np.int64), "end": end.astype(np.int64), "weight": hit_val.astype(float),
        "negated": hit_neg.astype(bool),
    }, columns=EVIDENCE_COLUMNS)
    where = batch.where
    if where:
        rows = ev["row"].to_numpy()
        for k in np.flatnonzero(np.isin(rows, list(where))).tolist():
            w = where[int(rows[k])]
            ev.iloc[k, 2], ev.iloc[k, 3] = w[int(start[k])], w[int(end[k]) - 1] + 1
    return scores, ev


def score_vader_spans(texts: Sequence[str], rows: Sequence[int], starts: Sequence[int], ends: Sequence[int], *,
                      session: ScoringSession | None = None) -> pd.DataFrame:
    """VADER scores of the substrings ``texts[rows[i]][starts[i]:ends[i]]``: the same as ``score_vader`` of
    those strings, computed from the tokens of ``texts`` (tokenized once, or not at all when ``texts``
    were the last batch scored), so scoring many windows of a chunk's sentences costs little more than
    reading their tokens.

    A substring's whitespace tokens are its text's tokens that overlap it, cut at its edges: whole tokens
    keep their type, the (at most two) cut ones are classified from their string.  Texts with an emoji
    (replaced by its description before tokenizing) are scored from the substrings themselves.

    Examples
    --------
    >>> t = "Iran praised the wonderful talks, but Armenia faced harsh criticism."
    >>> spans = score_vader_spans([t], [0, 0], [0, 38], [32, 68])
    >>> spans["compound"].tolist() == score_vader([t[0:32], t[38:68]])[0]["compound"].tolist()
    True
    """
    vd = _tables(session)
    return pd.DataFrame(_score_vader_spans(vd, texts, rows, starts, ends, pieces=vd.pieces))


def _score_vader_spans(vd: _VaderTables, texts: Sequence[str], rows: Sequence[int], starts: Sequence[int],
                       ends: Sequence[int], *, pieces: PieceIndex) -> dict[str, np.ndarray]:
    """:func:`score_vader_spans` as a dict of arrays."""
    texts = list(texts)
    rows, starts, ends = (np.asarray(a, dtype=np.int64).reshape(-1) for a in (rows, starts, ends))
    if not len(rows) == len(starts) == len(ends):
        raise ValueError(f"rows, starts and ends differ in length: {len(rows)}, {len(starts)}, {len(ends)}")
    n_texts = len(texts)
    if len(rows) and (rows.min() < 0 or rows.max() >= n_texts):
        raise ValueError(f"rows must index the {n_texts} texts; got {rows.min()}..{rows.max()}")
    batch = _batch(vd, texts, pieces)
    lengths = np.frombuffer(batch.key[1], dtype=np.int64)  # of the texts as given (non-strings: 0)
    # Python slicing: clip to the text, an end before the start is empty
    starts = np.clip(np.where(starts < 0, starts + lengths[rows], starts), 0, lengths[rows])
    ends = np.clip(np.where(ends < 0, ends + lengths[rows], ends), 0, lengths[rows])
    ends = np.maximum(ends, starts)
    def cut(i: int) -> str:
        text = texts[rows[i]]
        return text[starts[i]:ends[i]] if isinstance(text, str) else ""

    emoji = np.zeros(len(rows), dtype=bool)
    if batch.where:
        emoji = np.isin(rows, list(batch.where))
    a_at, b_at = batch.base[rows] + starts, batch.base[rows] + ends
    begins, stops, tid = batch.begins, batch.ends, batch.tid
    lo = np.searchsorted(stops, a_at, side="right")  # first token ending after the span's start
    hi = np.searchsorted(begins, b_at, side="left")  # first token starting at or after its end
    count = np.where(emoji | (b_at <= a_at), 0, np.maximum(hi - lo, 0))
    first_tok = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(count, out=first_tok[1:])
    idx = np.repeat(lo - first_tok[:-1], count) + np.arange(first_tok[-1])
    span_tid = tid[idx]
    # tokens cut by the span's edges: classified from their cut string
    some = np.flatnonzero(count)
    head = some[begins[lo[some]] < a_at[some]]
    tail = some[stops[hi[some] - 1] > b_at[some]]
    if len(head) or len(tail):
        big, type_id = batch.big, vd.type_id
        for i in head.tolist():
            k = int(lo[i])
            span_tid[first_tok[i]] = type_id[big[a_at[i]:min(int(stops[k]), int(b_at[i]))]]
        for i in tail.tolist():
            k = int(hi[i]) - 1
            span_tid[first_tok[i + 1] - 1] = type_id[big[max(int(begins[k]), int(a_at[i])):b_at[i]]]
        vd._sync()
    scores = _score_types(vd, span_tid, first_tok, batch.marks(a_at, b_at))[0]
    if emoji.any():
        which = np.flatnonzero(emoji)
        alone = _score_vader(vd, [cut(i) for i in which.tolist()], pieces=pieces)[0]
        for key, values in scores.items():
            values[which] = alone[key]
    return scores


class VaderScorer:
    """VADER as a tone scorer (``tone_vader``, -1..1): :func:`score_vader` behind the scorer protocol of
    :mod:`diplo.scoring.score` (:meth:`score_chunk`).  The memo tables belong to the chunk's session.

    Evidence: each token with a non-zero valence, its character offsets, its final valence after VADER's
    rules (boosters, negation, capitals, "but") -- its share of the sum that the compound score
    normalizes -- and whether a negation flipped its sign.

    Examples
    --------
    >>> cols, _ = VaderScorer().score(["The talks were very good.", "   "])
    >>> cols["tone_vader"].tolist()
    [0.4927, nan]
    """

    name = "vader"
    columns = ("tone_vader", "vader_pos", "vader_neg", "vader_neu")
    dictionaries: tuple = ()  # VADER reads the chunk's texts, not dictionary matches

    def score_chunk(self, chunk: Chunk, *, evidence: bool = False
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
        """Columns for the chunk's texts (NaN where a text is blank) and, with ``evidence``, the evidence
        rows as arrays (:data:`EVIDENCE_COLUMNS`).

        A chunk of substrings (:attr:`~diplo.scoring.chunk.Chunk.spans`, e.g. actor windows) is scored from
        the tokens of the texts they are cut from (:func:`score_vader_spans`) when no evidence is asked."""
        vd = _tables(chunk.session)
        pieces = chunk.tokens.vocabulary.pieces if chunk.tokens is not None else vd.pieces
        if chunk.spans is not None and not evidence:
            spans = chunk.spans
            scores = _score_vader_spans(vd, spans.texts, spans.rows, spans.starts, spans.ends, pieces=pieces)
            rows = None
        else:
            scores, rows = _score_vader(vd, chunk.texts, evidence=evidence, pieces=pieces)
        valid = chunk.valid
        out = {col: np.where(valid, scores[key], np.nan) for col, key in zip(self.columns, SCORE_COLUMNS)}
        return out, None if rows is None else {c: rows[c].to_numpy() for c in EVIDENCE_COLUMNS}

    def score(self, texts: Sequence[str], *, evidence: bool = False
              ) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
        """:meth:`score_chunk` of ``Chunk(texts)``, the evidence as a DataFrame."""
        cols, ev = self.score_chunk(Chunk(texts), evidence=evidence)
        return cols, None if ev is None else evidence_frame(ev)


def _round(x: np.ndarray, digits: int) -> np.ndarray:
    """Python's ``round(x, digits)`` (correctly rounded), vectorized.

    ``rint(x * 10**d) / 10**d`` agrees with it except where ``x * 10**d`` lies within rounding error of a
    half; those few values are rounded by Python itself.
    """
    f = 10.0 ** digits
    scaled = x * f
    out = np.rint(scaled) / f
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    for k in np.flatnonzero(near_half).tolist():
        out[k] = round(float(x[k]), digits)
    return out


def _running_sums(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group ``values[lo:hi]``: the sum, the sum of ``v + 1`` over positive and of ``v - 1`` over negative
    values, each added term by term in order as the reference's Python loop and ``sum()`` do (numpy's
    pairwise sums round differently).  Rank ``j`` of every group is added at once."""
    sizes = hi - lo
    rank = np.arange(len(values)) - np.repeat(lo, sizes)
    row_of = np.repeat(np.arange(len(lo)), sizes)
    total, pos_sum, neg_sum = np.zeros(len(lo)), np.zeros(len(lo)), np.zeros(len(lo))
    order = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[order], np.arange(rank.max() + 2))
    for j in range(len(bounds) - 1):
        idx = order[bounds[j]:bounds[j + 1]]
        v, at = values[idx], row_of[idx]
        total[at] += v
        pos_sum[at] += np.where(v > 0, v + 1, 0.0)
        neg_sum[at] += np.where(v < 0, v - 1, 0.0)
    if not _SEQUENTIAL_SUM:  # Python >= 3.12 sums floats with compensation: use sum() itself
        vals = values.tolist()
        total = np.array([sum(vals[a:b]) for a, b in zip(lo.tolist(), hi.tolist())])
    return total, pos_sum, neg_sum


def _score_valence(counts: np.ndarray, hit_sent: np.ndarray, hit_val: np.ndarray,
                   marks: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """``score_valence`` of the reference for every sentence, from the non-zero valences in order and the
    "!" and "?" of each sentence (``marks``)."""
    n = len(counts)
    compound = np.zeros(n)
    pos = np.zeros(n)
    neg = np.zeros(n)
    neu = (counts > 0).astype(float)
    if len(hit_sent):
        lo = np.flatnonzero(np.concatenate(([True], hit_sent[1:] != hit_sent[:-1])))  # hit_sent is sorted
        rows = hit_sent[lo]
        hi = np.append(lo[1:], len(hit_sent))
        sum_s, pos_sum, neg_sum = _running_sums(hit_val, lo, hi)
        ep, qm = np.minimum(marks[0][rows], 4), marks[1][rows]
        amp = ep * 0.292 + np.where(qm > 1, np.where(qm <= 3, qm * 0.18, 0.96), 0.0)
        sum_s = np.where(sum_s > 0, sum_s + amp, np.where(sum_s < 0, sum_s - amp, sum_s))
        comp = np.clip(sum_s / np.sqrt(sum_s * sum_s + 15), -1.0, 1.0)
        neu_count = counts[rows] - (hi - lo)
        abs_neg = np.abs(neg_sum)
        more_pos, more_neg = pos_sum > abs_neg, pos_sum < abs_neg
        pos_sum = np.where(more_pos, pos_sum + amp, pos_sum)
        neg_sum = np.where(more_neg, neg_sum - amp, neg_sum)
        total = pos_sum + np.abs(neg_sum) + neu_count
        compound[rows] = _round(comp, 4)
        pos[rows] = _round(np.abs(pos_sum / total), 3)
        neg[rows] = _round(np.abs(neg_sum / total), 3)
        neu[rows] = _round(np.abs(neu_count / total), 3)
    return {"compound": compound, "pos": pos, "neg": neg, "neu": neu}
