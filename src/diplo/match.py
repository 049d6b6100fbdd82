"""Dictionary matching: terms, ``*`` globs and multi-word phrases, found in one pass over the tokens.

This is the engine under the dictionary tone scorer, the diplomatic scale, the theme dictionary and the
actor aliases.  A :class:`Dictionary` maps categories to entries (each entry a phrase of one or more token
patterns, with an optional weight); a :class:`Matcher` compiles any number of dictionaries once and
finds, per text, the leftmost-longest non-overlapping matches of each dictionary, with character offsets
and whether a negator or hedge stands in the few tokens before the match (an even number of negators
cancels out: "will not lift the ban" leaves "ban" un-negated).

Tokens are lower-cased words (letters/digits with inner hyphens or apostrophes, decimal numbers) and
single punctuation marks, so ``"north-south corridor"`` and ``"3+3"`` are matched as written.

Dictionary files
----------------
YAML (quanteda style), one mapping of category to terms; a category may instead be a mapping with
``description`` and ``terms`` (and optional ``weight`` for all its terms)::

    corridors:
      description: transport corridors and transit routes
      terms: [zangazur, north-south corridor, transit*]

Lexicoder ``.cat`` files (category lines flush left, indented terms, optional ``(weight)`` suffix) and CSV
(``term,weight[,category]``) load through :func:`load_dictionary`.  Blank or duplicate terms, unknown
keys and malformed lines are errors that name the file and line.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

__all__ = ["TOKEN_PATTERN", "SPLIT_TOKEN_PATTERN", "NEGATORS", "HEDGES", "Entry", "Dictionary", "DictionaryError", "Matcher",
           "MATCH_COLUMNS", "load_dictionary", "dictionary_from_mapping", "tokenize"]

TOKEN_PATTERN = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:[-'\u2019]\w+)*|[^\w\s]")
# Used by dictionaries built with ``split_hyphens=True`` (actor names: "Tehran-Baku ties" names two actors).
SPLIT_TOKEN_PATTERN = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:['\u2019]\w+)*|[^\w\s]")
NEGATORS = frozenset({
    "not", "no", "never", "neither", "nor", "without", "cannot", "none", "nobody", "nothing", "nowhere",
    "hardly", "barely", "scarcely", "lack", "lacks", "lacked", "lacking", "absence", "refrain", "refrained",
    "refrains",
})
HEDGES = frozenset({
    "may", "might", "could", "would", "reportedly", "allegedly", "possibly", "perhaps", "likely",
    "unlikely", "apparently", "seemingly", "if", "hopes", "hoped", "hope", "plans", "planned", "intends",
    "considering", "expected", "potential", "potentially",
})
# Tokens that end a negation/hedge scope when scanning backwards from a match.
_ASCII_SPACE = np.array([chr(c).isspace() for c in range(256)], dtype=bool)  # re's \s there
_SCOPE_BREAKS = frozenset({",", ".", ";", ":", "!", "?", "but", "however", "although", "though", "while"})

MATCH_COLUMNS = ["row", "category", "entry", "match", "start", "end", "weight", "negated", "hedged"]


class DictionaryError(ValueError):
    """A dictionary file or mapping is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: ``pattern`` as written, its token patterns, category and weight."""

    category: str
    pattern: str
    tokens: tuple[str, ...]
    weight: float = 1.0
    line: int | None = None


@dataclass(frozen=True)
class Dictionary:
    """Categories of entries, with the negation and hedge settings used when matching them.

    Parameters
    ----------
    name : label of the dictionary (used as the key of match results).
    entries : the entries.
    descriptions : optional one-line definition per category.
    negation_window : tokens before a match searched for a negator (0 disables negation detection).
    source : where the dictionary was loaded from.
    split_hyphens : match against tokens split at hyphens (``"Tehran-Baku"`` is ``tehran - baku``).
    negators : extra negator tokens for this dictionary only, on top of the matcher's (e.g. ``refused``
        negates what follows it in the diplomatic scale, not in a theme dictionary).
    hedges : extra hedge tokens for this dictionary only (e.g. ``urged``: an appeal, not the act).
    """

    name: str
    entries: tuple[Entry, ...]
    descriptions: Mapping[str, str] = field(default_factory=dict)
    negation_window: int = 3
    source: str = "<mapping>"
    split_hyphens: bool = False
    negators: frozenset[str] = frozenset()
    hedges: frozenset[str] = frozenset()

    @property
    def categories(self) -> list[str]:
        """Categories in first-seen order."""
        return list(dict.fromkeys(e.category for e in self.entries))


def tokenize(text: str, *, split_hyphens: bool = False) -> list[str]:
    """Lower-cased tokens of ``text`` as the matcher sees them."""
    pattern = SPLIT_TOKEN_PATTERN if split_hyphens else TOKEN_PATTERN
    return [t.lower() for t in pattern.findall(text)]


def _pattern_tokens(pattern: str, where: str, split_hyphens: bool = False) -> tuple[str, ...]:
    if not isinstance(pattern, str) or not pattern.strip():
        raise DictionaryError(f"{where}: blank term")
    out = []
    for piece in pattern.split():
        star = piece.endswith("*")
        core = piece[:-1] if star else piece
        if "*" in core or (star and not core):
            raise DictionaryError(f"{where}: term {pattern!r}: '*' is allowed only at the end of a word")
        toks = tokenize(core, split_hyphens=split_hyphens)
        if not toks:
            raise DictionaryError(f"{where}: term {pattern!r} has no word characters")
        if star:
            toks[-1] += "*"
        out.extend(toks)
    return tuple(out)


def _build(name: str, items: Iterable[tuple[str, str, float, int | None]], *, source: str,
           descriptions: Mapping[str, str] | None = None, negation_window: int = 3,
           split_hyphens: bool = False, possessives: bool = False) -> Dictionary:
    entries, seen = [], {}
    for category, pattern, weight, line in items:
        where = f"{source}, line {line}" if line else source
        tokens = _pattern_tokens(pattern, where, split_hyphens)
        if tokens in seen:
            raise DictionaryError(f"{where}: duplicate term {pattern!r} (first defined {seen[tokens]})")
        seen[tokens] = f"at line {line}" if line else f"in {category}"
        entries.append(Entry(category, pattern, tokens, float(weight), line))
    if not entries:
        raise DictionaryError(f"{source}: the dictionary has no terms")
    if possessives:
        # "Iran's", "Karabakh's" are single tokens: add the possessive of every entry ending in a literal word,
        # reported under the entry as written, unless the file lists that form itself.
        for e in list(entries):
            if e.tokens[-1].endswith("*") or not e.tokens[-1][-1].isalnum():
                continue
            for mark in ("'s", "\u2019s"):
                tokens = (*e.tokens[:-1], e.tokens[-1] + mark)
                if tokens not in seen:
                    seen[tokens] = f"at line {e.line}"
                    entries.append(Entry(e.category, e.pattern, tokens, e.weight, e.line))
    return Dictionary(name, tuple(entries), dict(descriptions or {}), negation_window, source, split_hyphens)


def dictionary_from_mapping(mapping: Mapping[str, Sequence[str]], *, name: str = "dictionary",
                            weights: Mapping[str, float] | None = None, negation_window: int = 3,
                            split_hyphens: bool = False, possessives: bool = False) -> Dictionary:
    """A dictionary from ``{category: [terms]}``; ``weights`` gives a weight per category (default 1).

    ``split_hyphens`` matches on tokens split at hyphens; ``possessives`` also matches ``<term>'s``.
    """
    weights = weights or {}
    items = [(cat, term, weights.get(cat, 1.0), None) for cat, terms in mapping.items() for term in terms]
    return _build(name, items, source=f"<{name}>", negation_window=negation_window,
                  split_hyphens=split_hyphens, possessives=possessives)


def _yaml_items(path: Path) -> tuple[list, dict]:
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        raise DictionaryError(f"{path}, line {line}: invalid YAML: {exc.problem or exc}") from None
    if root is None:
        raise DictionaryError(f"{path}: the dictionary is empty")
    if not isinstance(root, yaml.MappingNode):
        raise DictionaryError(f"{path}, line {root.start_mark.line + 1}: expected a mapping of category: terms")
    items, descriptions = [], {}
    for key_node, value_node in root.value:
        category, line = key_node.value, key_node.start_mark.line + 1
        if category in descriptions or any(c == category for c, *_ in items):
            raise DictionaryError(f"{path}, line {line}: duplicate category {category!r}")
        weight, terms_node = 1.0, value_node
        if isinstance(value_node, yaml.MappingNode):
            terms_node = None
            for k, v in value_node.value:
                kline = k.start_mark.line + 1
                if k.value == "terms":
                    terms_node = v
                elif k.value == "description":
                    descriptions[category] = str(v.value)
                elif k.value == "weight":
                    try:
                        weight = float(v.value)
                    except ValueError:
                        raise DictionaryError(f"{path}, line {kline}: weight {v.value!r} is not a number") from None
                else:
                    raise DictionaryError(f"{path}, line {kline}: unknown key {k.value!r} in category "
                                          f"{category!r} (valid: description, terms, weight)")
            if terms_node is None:
                raise DictionaryError(f"{path}, line {line}: category {category!r} has no 'terms' list")
        if not isinstance(terms_node, yaml.SequenceNode):
            raise DictionaryError(f"{path}, line {terms_node.start_mark.line + 1}: terms of {category!r} "
                                  "must be a list")
        for term_node in terms_node.value:
            if not isinstance(term_node, yaml.ScalarNode):
                raise DictionaryError(f"{path}, line {term_node.start_mark.line + 1}: a term must be a string")
            items.append((category, term_node.value, weight, term_node.start_mark.line + 1))
    return items, descriptions


_CAT_WEIGHT = re.compile(r"^(.*?)\s*\((-?\d+(?:\.\d+)?)\)\s*$")


def _cat_items(path: Path) -> list:
    items, category = [], None
    with open(path, encoding="utf-8-sig") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            if raw[0] not in " \t":
                category = raw.strip()
                continue
            if category is None:
                raise DictionaryError(f"{path}, line {n}: indented term before any category line")
            term, weight = raw.strip(), 1.0
            if m := _CAT_WEIGHT.match(term):
                term, weight = m.group(1), float(m.group(2))
            items.append((category, term.lower(), weight, n))
    return items


def _csv_items(path: Path) -> list:
    items = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        if "term" not in fields or "weight" not in fields:
            raise DictionaryError(f"{path}, line 1: header must include 'term' and 'weight'; found {fields}")
        for n, rec in enumerate(reader, 2):
            try:
                weight = float(rec["weight"])
            except (TypeError, ValueError):
                raise DictionaryError(f"{path}, line {n}: weight {rec['weight']!r} is not a number") from None
            category = (rec.get("category") or "").strip() or ("positive" if weight >= 0 else "negative")
            items.append((category, rec["term"] or "", weight, n))
    return items


def load_dictionary(path: str | os.PathLike, *, name: str | None = None, negation_window: int = 3,
                    split_hyphens: bool = False, possessives: bool = False) -> Dictionary:
    """Load a dictionary from YAML (``.yml``/``.yaml``), Lexicoder ``.cat`` or weighted ``.csv``.

    ``split_hyphens`` and ``possessives`` as in :func:`dictionary_from_mapping`.

    Raises
    ------
    DictionaryError
        For malformed files, blank or duplicate terms, unknown keys; the message names file and line.
    FileNotFoundError
        If ``path`` does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"dictionary file {path} does not exist")
    suffix = path.suffix.lower()
    descriptions: dict = {}
    if suffix in (".yml", ".yaml"):
        items, descriptions = _yaml_items(path)
    elif suffix == ".cat":
        items = _cat_items(path)
    elif suffix == ".csv":
        items = _csv_items(path)
    else:
        raise DictionaryError(f"{path}: unsupported dictionary format {suffix!r} (valid: .yml, .yaml, .cat, .csv)")
    return _build(name or path.stem, items, source=str(path), descriptions=descriptions,
                  negation_window=negation_window, split_hyphens=split_hyphens, possessives=possessives)


class _Compiled:
    """Per-dictionary lookup tables: first-token literal and prefix-glob indexes."""

    def __init__(self, d: Dictionary) -> None:
        self.dictionary = d
        self.literal: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        for i, e in enumerate(d.entries):
            first = e.tokens[0]
            if first.endswith("*"):
                self.prefix.setdefault(first[:-1], []).append(i)
            else:
                self.literal.setdefault(first, []).append(i)
        self.prefix_lengths = sorted({len(p) for p in self.prefix})
        self.entry_tokens = [e.tokens for e in d.entries]
        self.memo: dict[str, tuple[int, ...]] = {}

    def _priority(self, i: int) -> tuple[int, int, int]:
        # Longest phrase first; among equally long phrases the most specific (literal words, longer
        # glob stems), so "opposition" beats "oppos*" and "investigat*" beats "invest*".
        toks = self.entry_tokens[i]
        specificity = sum(len(t) + 1 if not t.endswith("*") else len(t) - 1 for t in toks)
        return (-len(toks), -specificity, i)

    def candidates(self, tok: str) -> tuple[int, ...]:
        """Entries whose first token pattern matches ``tok``, longest phrase first, then most specific."""
        found = self.memo.get(tok)
        if found is None:
            ids = list(self.literal.get(tok, ()))
            for n in self.prefix_lengths:
                if n > len(tok):
                    break
                ids.extend(self.prefix.get(tok[:n], ()))
            found = tuple(sorted(ids, key=self._priority))
            if len(self.memo) < 1_000_000:  # bound memory on pathological vocabularies
                self.memo[tok] = found
        return found


def _token_matches(pattern: str, tok: str) -> bool:
    return tok.startswith(pattern[:-1]) if pattern.endswith("*") else tok == pattern


class Matcher:
    """Find matches of several dictionaries in one pass over each text's tokens.

    Examples
    --------
    >>> d = dictionary_from_mapping({"energy": ["gas swap", "electric*"]}, name="themes")
    >>> Matcher([d]).match(["No gas swap yet; electricity exports grew."])["themes"][["entry", "match", "negated"]]
           entry        match  negated
    0   gas swap     gas swap     True
    1  electric*  electricity    False
    """

    def __init__(self, dictionaries: Sequence[Dictionary], *, negators: Iterable[str] = NEGATORS,
                 hedges: Iterable[str] = HEDGES) -> None:
        names = [d.name for d in dictionaries]
        if len(set(names)) != len(names):
            raise ValueError(f"dictionary names must be distinct; got {names}")
        self._compiled = [_Compiled(d) for d in dictionaries]
        self.negators, self.hedges = frozenset(negators), frozenset(hedges)
        # per tokenization (split hyphens or not): lower-cased token -> what it means to each dictionary
        self._token_info: dict[bool, tuple[dict, dict, dict]] = {}

    def _is_negator(self, tok: str) -> bool:
        return tok in self.negators or tok.endswith("n't") or tok.endswith("n\u2019t")

    def _scope_flags(self, toks: list[str], i: int, window: int, extra: frozenset[str] = frozenset(),
                     extra_hedges: frozenset[str] = frozenset(), lo: int = 0) -> tuple[bool, bool]:
        # ``lo``: index of the text's first token in ``toks`` (a scope never reaches into another text)
        negated = hedged = False
        for j in range(i - 1, max(i - 1 - window, lo - 1), -1):
            t = toks[j]
            if t in _SCOPE_BREAKS:
                break
            if t in extra or self._is_negator(t):
                negated = not negated  # "will not lift the ban": two negators cancel
            hedged = hedged or t in self.hedges or t in extra_hedges
        return negated, hedged

    def match(self, texts: Sequence[str]) -> dict[str, pd.DataFrame]:
        """Matches per dictionary name: DataFrames with :data:`MATCH_COLUMNS`.

        ``row`` indexes ``texts``; ``start``/``end`` are character offsets in that text; ``match`` is the
        matched text as written; ``entry`` the dictionary pattern; ``weight`` the entry's weight.
        Non-strings are treated as empty texts.
        """
        cols = [{c: [] for c in MATCH_COLUMNS} for _ in self._compiled]
        texts = list(texts)
        usable = [isinstance(t, str) and bool(t) for t in texts]
        batch = [r for r, ok in enumerate(usable) if ok and texts[r].isascii()]
        others = [r for r, ok in enumerate(usable) if ok and not texts[r].isascii()]
        if batch:
            self._match_ascii(texts, batch, cols)
        for row in others:
            self._match_one(row, texts[row], cols)
        reorder = bool(batch) and bool(others)
        result = {}
        for comp, out in zip(self._compiled, cols):
            df = pd.DataFrame(out, columns=MATCH_COLUMNS)
            df = df.astype({"row": np.int64, "start": np.int64, "end": np.int64,
                            "weight": float, "negated": bool, "hedged": bool})
            if reorder:  # ASCII texts were matched as one batch, the others one by one
                df = df.sort_values("row", kind="stable").reset_index(drop=True)
            result[comp.dictionary.name] = df
        return result

    def _match_one(self, row: int, text: str, cols: list[dict]) -> None:
        """Matches in one text (any characters), appended to ``cols``."""
        tokenized = {}
        needed = {c.dictionary.split_hyphens for c in self._compiled}
        low = text.lower()
        if len(low) != len(text):  # a few characters change length when lower-cased ("İ")
            low = None
        for split, pattern in ((False, TOKEN_PATTERN), (True, SPLIT_TOKEN_PATTERN)):
            if split in needed:
                spans = [m.span() for m in pattern.finditer(text)]
                toks = ([low[s:e] for s, e in spans] if low is not None
                        else [text[s:e].lower() for s, e in spans])
                tokenized[split] = (spans, toks)
        for comp, out in zip(self._compiled, cols):
            d, entry_tokens = comp.dictionary, comp.entry_tokens
            spans, toks = tokenized[d.split_hyphens]
            n = len(toks)
            i = 0
            while i < n:
                best = None
                for eid in comp.candidates(toks[i]):
                    pats = entry_tokens[eid]
                    k = len(pats)
                    if k == 1 or (i + k <= n and all(_token_matches(p, toks[i + j])
                                                      for j, p in enumerate(pats[1:], 1))):
                        best = eid
                        break
                if best is None:
                    i += 1
                    continue
                k = len(entry_tokens[best])
                entry = d.entries[best]
                start, end = spans[i][0], spans[i + k - 1][1]
                negated, hedged = (self._scope_flags(toks, i, d.negation_window, d.negators, d.hedges)
                                   if d.negation_window else (False, False))
                out["row"].append(row)
                out["category"].append(entry.category)
                out["entry"].append(entry.pattern)
                out["match"].append(text[start:end])
                out["start"].append(start)
                out["end"].append(end)
                out["weight"].append(entry.weight)
                out["negated"].append(negated)
                out["hedged"].append(hedged)
                i += k

    def _match_ascii(self, texts: list[str], rows: list[int], cols: list[dict]) -> None:
        """Matches in ASCII texts, all at once: the same results as :meth:`_match_one` on each.

        The texts are joined by newlines and tokenized lower-cased in one ``findall`` (for ASCII,
        lower-casing moves no token boundary, and no token spans whitespace).  Every non-space character
        belongs to exactly one token, so token offsets follow from the token lengths and the positions of
        the non-space characters.  Tokens whose entries are all single words match where they stand
        (unless inside a longer match); only tokens that can start a phrase are walked in Python, left to
        right, as :meth:`_match_one` walks every token.  Negation and hedge scopes are found with arrays.
        """
        sub = [texts[r] for r in rows]
        big = "\n".join(sub)
        codes = np.frombuffer(big.encode("ascii"), dtype=np.uint8)
        nonspace = np.flatnonzero(~_ASCII_SPACE[codes])
        lengths = np.fromiter(map(len, sub), dtype=np.int64, count=len(sub))
        base = np.zeros(len(sub) + 1, dtype=np.int64)
        np.cumsum(lengths + 1, out=base[1:])
        rows_arr = np.asarray(rows, dtype=np.int64)
        low_big = big.lower()
        for split, pattern in ((False, TOKEN_PATTERN), (True, SPLIT_TOKEN_PATTERN)):
            comps = [(k, c) for k, c in enumerate(self._compiled) if c.dictionary.split_hyphens == split]
            if not comps:
                continue
            toks = pattern.findall(low_big)
            if not toks:
                continue
            tlen = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
            ends = np.cumsum(tlen)
            if ends[-1] != len(nonspace):  # pragma: no cover - tokens always tile the non-space text
                raise RuntimeError("matcher tokens do not cover the text")
            tstart = nonspace[ends - tlen]
            tend = nonspace[ends - 1] + 1
            tsent = np.searchsorted(base, tstart, side="right") - 1
            first = np.searchsorted(tsent, np.arange(len(sub) + 1))
            starts_of, scope_of, lead_of = self._token_info.setdefault(split, ({}, {}, {}))
            if len(starts_of) > 1_000_000:  # bound memory on pathological vocabularies
                starts_of.clear(), scope_of.clear(), lead_of.clear()
            for tok in set(toks).difference(starts_of):
                starts_of[tok], scope_of[tok], lead = self._describe(tok, comps)
                for k, eid in lead.items():
                    lead_of.setdefault(k, {})[tok] = eid
            masks = np.fromiter(map(starts_of.__getitem__, toks), dtype=np.int64, count=len(toks))
            scope = np.fromiter(map(scope_of.__getitem__, toks), dtype=np.int64, count=len(toks))
            first_l = first.tolist()
            for k, comp in comps:
                cand = np.flatnonzero(masks & (1 << k))
                if not len(cand):
                    continue
                lead = np.fromiter(map(lead_of[k].__getitem__, map(toks.__getitem__, cand.tolist())),
                                   dtype=np.int64, count=len(cand))
                found_pos, found_n, found_eid = [], [], []
                free = 0
                entry_tokens = comp.entry_tokens
                for i in cand[lead < 0].tolist():  # tokens that can start a phrase
                    if i < free:
                        continue
                    b = first_l[int(tsent[i]) + 1]
                    for eid in comp.candidates(toks[i]):
                        pats = entry_tokens[eid]
                        n = len(pats)
                        if n == 1 or (i + n <= b and all(_token_matches(p, toks[i + j])
                                                          for j, p in enumerate(pats[1:], 1))):
                            found_pos.append(i)
                            found_n.append(n)
                            found_eid.append(eid)
                            free = i + n
                            break
                single = cand[lead >= 0]
                single_eid = lead[lead >= 0]
                if found_pos:
                    p0 = np.asarray(found_pos, dtype=np.int64)
                    p1 = p0 + np.asarray(found_n, dtype=np.int64)
                    at = np.searchsorted(p0, single, side="right") - 1
                    inside = (at >= 0) & (single < p1[np.maximum(at, 0)])
                    single, single_eid = single[~inside], single_eid[~inside]
                pos = np.concatenate([single, np.asarray(found_pos, dtype=np.int64)])
                n_tok = np.concatenate([np.ones(len(single), dtype=np.int64), np.asarray(found_n, dtype=np.int64)])
                eids = np.concatenate([single_eid, np.asarray(found_eid, dtype=np.int64)])
                order = np.argsort(pos, kind="stable")
                pos, n_tok, eids = pos[order], n_tok[order], eids[order]
                s = tsent[pos]
                start = tstart[pos] - base[s]
                end = tend[pos + n_tok - 1] - base[s]
                negated, hedged = self._scopes(scope, pos, first[s], comp.dictionary.negation_window, k)
                entries = comp.dictionary.entries
                eid_l, s_l, start_l, end_l = eids.tolist(), s.tolist(), start.tolist(), end.tolist()
                out = cols[k]
                out["row"].extend(rows_arr[s].tolist())
                out["category"].extend([entries[e].category for e in eid_l])
                out["entry"].extend([entries[e].pattern for e in eid_l])
                out["match"].extend([sub[a][b:c] for a, b, c in zip(s_l, start_l, end_l)])
                out["start"].extend(start_l)
                out["end"].extend(end_l)
                out["weight"].extend([entries[e].weight for e in eid_l])
                out["negated"].extend(negated.tolist())
                out["hedged"].extend(hedged.tolist())

    def _describe(self, tok: str, comps: list) -> tuple[int, int, dict[int, int]]:
        """For one lower-cased token: bit k set when dictionary k has an entry starting with it; scope bits
        (1 clause break, 2 negator, 4 hedge, then per dictionary k: 8 << 2k its own negator, 16 << 2k its
        own hedge); per dictionary its single best entry, or -1 when a phrase may start here."""
        starts, lead = 0, {}
        for k, c in comps:
            found = c.candidates(tok)
            if found:
                starts |= 1 << k
                lead[k] = found[0] if len(c.entry_tokens[found[0]]) == 1 else -1
        scope = (1 if tok in _SCOPE_BREAKS else 0) | (2 if self._is_negator(tok) else 0) | (
            4 if tok in self.hedges else 0)
        for k, c in comps:
            if tok in c.dictionary.negators:
                scope |= 8 << (2 * k)
            if tok in c.dictionary.hedges:
                scope |= 16 << (2 * k)
        return starts, scope, lead

    @staticmethod
    def _scopes(scope: np.ndarray, pos: np.ndarray, lo: np.ndarray, window: int, k: int,
                ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_scope_flags` for every match at once (tokens ``pos``, texts starting at tokens ``lo``)."""
        negated = np.zeros(len(pos), dtype=bool)
        hedged = np.zeros(len(pos), dtype=bool)
        alive = np.ones(len(pos), dtype=bool)
        neg_bits, hedge_bits = 2 | (8 << (2 * k)), 4 | (16 << (2 * k))
        for j in range(1, window + 1):
            idx = pos - j
            alive &= idx >= lo
            f = scope[np.maximum(idx, 0)]
            alive &= (f & 1) == 0
            negated ^= alive & ((f & neg_bits) != 0)
            hedged |= alive & ((f & hedge_bits) != 0)
        return negated, hedged
