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

from diplo.tokens import SPLIT_TOKEN_PATTERN, TOKEN_PATTERN

__all__ = ["DictionaryMatching", "TOKEN_PATTERN", "SPLIT_TOKEN_PATTERN", "NEGATORS", "HEDGES", "Entry", "Dictionary", "DictionaryError", "Matcher",
           "MATCH_COLUMNS", "load_dictionary", "dictionary_from_mapping", "tokenize"]

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
        # the tokens after the first as a list when none is a glob (compared by one list equality), else None
        self.entry_rest = [None if any(t.endswith("*") for t in e.tokens[1:]) else list(e.tokens[1:])
                           for e in d.entries]
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
        # token -> ((dictionary index, candidate entries), ...) over the dictionaries sharing a tokenization,
        # so a token no dictionary starts with costs one dict lookup however many dictionaries there are
        self._groups = {split: [k for k, c in enumerate(self._compiled) if c.dictionary.split_hyphens == split]
                        for split in (False, True)}
        self._memo: dict[bool, dict[str, tuple]] = {False: {}, True: {}}
        # every token that can set a negated/hedged flag in some dictionary (besides "...n't" forms): a
        # sentence window with none of them needs no scope scan
        self._scope_words = frozenset(self.negators | self.hedges).union(
            *(c.dictionary.negators | c.dictionary.hedges for c in self._compiled))

    def _lookup(self, split: bool, tok: str) -> tuple:
        found = tuple((k, cands) for k in self._groups[split] if (cands := self._compiled[k].candidates(tok)))
        if len(self._memo[split]) < 1_000_000:  # bound memory on pathological vocabularies
            self._memo[split][tok] = found
        return found

    def _is_negator(self, tok: str) -> bool:
        return tok in self.negators or tok.endswith("n't") or tok.endswith("n\u2019t")

    def _scope_flags(self, toks: list[str], i: int, window: int, extra: frozenset[str] = frozenset(),
                     extra_hedges: frozenset[str] = frozenset()) -> tuple[bool, bool]:
        negated = hedged = False
        for j in range(i - 1, max(i - 1 - window, -1), -1):
            t = toks[j]
            if t in _SCOPE_BREAKS:
                break
            if t in extra or self._is_negator(t):
                negated = not negated  # "will not lift the ban": two negators cancel
            hedged = hedged or t in self.hedges or t in extra_hedges
        return negated, hedged

    def match(self, texts: Sequence[str], *, tokens: dict | None = None) -> dict[str, pd.DataFrame]:
        """Matches per dictionary name: DataFrames with :data:`MATCH_COLUMNS`.

        ``row`` indexes ``texts``; ``start``/``end`` are character offsets in that text; ``match`` is the
        matched text as written; ``entry`` the dictionary pattern; ``weight`` the entry's weight.
        Non-strings are treated as empty texts.  ``tokens``: a dict that receives, for each text, its
        :data:`TOKEN_PATTERN` spans and lower-cased tokens, for later stages to reuse (actors).
        """
        cols: list[list[tuple]] = [[] for _ in self._compiled]
        need_split = any(c.dictionary.split_hyphens for c in self._compiled)
        need_plain = any(not c.dictionary.split_hyphens for c in self._compiled)
        finditer, split_finditer = TOKEN_PATTERN.finditer, SPLIT_TOKEN_PATTERN.finditer
        scope_words = self._scope_words
        for row, text in enumerate(texts):
            if not isinstance(text, str) or not text:
                continue
            low = text.lower()
            if len(low) != len(text):  # a few characters change length when lower-cased ("İ")
                low = None
            spans = [m.span() for m in finditer(text)]
            toks = [low[s:e] for s, e in spans] if low is not None else [text[s:e].lower() for s, e in spans]
            if tokens is not None:
                tokens[text] = (spans, toks)
            tokenized = {}
            if need_plain:
                tokenized[False] = (spans, toks)
            if need_split:
                if "-" in text and any("-" in t for t in toks):  # only hyphenated words tokenize differently
                    s_spans = [m.span() for m in split_finditer(text)]
                    s_toks = ([low[s:e] for s, e in s_spans] if low is not None
                              else [text[s:e].lower() for s, e in s_spans])
                    tokenized[True] = (s_spans, s_toks)
                else:
                    tokenized[True] = (spans, toks)
            for split, (spans, toks) in tokenized.items():
                memo, n = self._memo[split], len(toks)
                found = list(map(memo.get, toks))
                positions: dict[int, list] = {}
                for i in [i for i, f in enumerate(found) if f is None or f]:
                    f = found[i]
                    if f is None:
                        f = self._lookup(split, toks[i])
                    for k, cands in f:
                        positions.setdefault(k, []).append((i, cands))
                if not positions:
                    continue
                # negation/hedge scope can only be set by a scope word or a "...n't" token in the sentence
                has_nt = any(t.endswith(("n't", "n\u2019t")) for t in toks) if (
                    low is None or "n't" in low or "n\u2019t" in low) else False
                scoped = has_nt or not scope_words.isdisjoint(toks)
                for k in sorted(positions):
                    comp, out = self._compiled[k], cols[k]
                    d, entry_tokens, entry_rest = comp.dictionary, comp.entry_tokens, comp.entry_rest
                    window = d.negation_window if scoped else 0
                    next_free = 0
                    for i, cands in positions[k]:
                        if i < next_free:  # inside the previous match: leftmost-longest, no overlaps
                            continue
                        best = None
                        for eid in cands:
                            pats = entry_tokens[eid]
                            m = len(pats)
                            if m == 1:
                                best = eid
                                break
                            if i + m > n:
                                continue
                            rest = entry_rest[eid]
                            if (toks[i + 1:i + m] == rest if rest is not None
                                    else all(_token_matches(p, toks[i + j]) for j, p in enumerate(pats[1:], 1))):
                                best = eid
                                break
                        if best is None:
                            continue
                        m = len(entry_tokens[best])
                        entry = d.entries[best]
                        start, end = spans[i][0], spans[i + m - 1][1]
                        if window and (has_nt or not scope_words.isdisjoint(toks[max(i - window, 0):i])):
                            negated, hedged = self._scope_flags(toks, i, window, d.negators, d.hedges)
                        else:
                            negated = hedged = False
                        out.append((row, entry.category, entry.pattern, text[start:end], start, end, entry.weight,
                                    negated, hedged))
                        next_free = i + m
        result = {}
        for comp, out in zip(self._compiled, cols):
            if out:  # column-wise: cheaper than DataFrame.from_records, same dtypes
                row, category, entry, match, start, end, weight, negated, hedged = zip(*out)
                result[comp.dictionary.name] = pd.DataFrame({
                    "row": np.array(row, dtype=np.int64), "category": list(category), "entry": list(entry),
                    "match": list(match), "start": np.array(start, dtype=np.int64),
                    "end": np.array(end, dtype=np.int64), "weight": np.array(weight, dtype=float),
                    "negated": np.array(negated, dtype=bool), "hedged": np.array(hedged, dtype=bool)})
            else:
                df = pd.DataFrame({c: [] for c in MATCH_COLUMNS})
                result[comp.dictionary.name] = df.astype({"row": np.int64, "start": np.int64, "end": np.int64,
                                                          "weight": float, "negated": bool, "hedged": bool})
        return result


class DictionaryMatching:
    """Mixin for components scored from :class:`Matcher` results (tone scorers, themes, actors).

    A component lists the dictionaries it needs in ``dictionaries`` (so one shared Matcher pass can serve
    several components); :meth:`_match` matches texts against those dictionaries alone, with a Matcher
    compiled on first use and kept.
    """

    _matcher: Matcher | None = None

    @property
    def dictionaries(self) -> tuple[Dictionary, ...]:  # pragma: no cover - every component overrides it
        raise NotImplementedError

    def _match(self, texts: Sequence[str]) -> dict[str, pd.DataFrame]:
        if self._matcher is None:
            self._matcher = Matcher(self.dictionaries)
        return self._matcher.match(texts)
