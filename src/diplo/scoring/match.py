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

A category may also map to sub-categories, as in quanteda's nested dictionaries; they become ``parent.child``.
Lexicoder ``.cat`` files (category lines flush left, indented terms, optional ``(weight)`` suffix), LIWC ``.dic``
files (a ``%``-delimited header of numbered categories, then ``term number`` lines) and CSV
(``term,weight[,category]``) load through :func:`load_dictionary`.  Blank or duplicate terms, unknown
keys and malformed lines are errors that name the file and line.

Proximity rules
---------------
A term ``A NEAR/k B`` (in the spirit of quanteda's windows) matches where a token matching ``A`` and one matching
``B`` stand within ``k`` tokens of each other (either order, in the same text, i.e. the same sentence; tokens
include punctuation marks) with no clause break (:data:`CLAUSE_BREAKS`: ``. ; : ! ?``, "but", "however"...; a comma
is not one) between them, e.g. ``attack* NEAR/5 embassy``.  Each side is one word, with an optional trailing
``*``; ``k`` is 1..20.  The match spans from the first to the last of the two words; it competes with the
dictionary's other entries for the leftmost-longest spans like a phrase of that length.
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
import pyarrow as pa
import yaml

from diplo.io.resources import load_word_lists
from diplo.scoring._engine.strings import LazyStrings, take_labels
from diplo.scoring._engine.tokens import SPLIT_TOKEN_PATTERN, TOKEN_PATTERN, TokenTable, Vocabulary, grow, tokenize_texts

__all__ = ["DictionaryMatching", "TOKEN_PATTERN", "SPLIT_TOKEN_PATTERN", "NEGATORS", "HEDGES", "Entry", "Dictionary", "DictionaryError", "Matcher",
           "MATCH_COLUMNS", "SCOPE_BREAKS", "CLAUSE_BREAKS", "Matches", "load_dictionary", "dictionary_from_mapping", "tokenize"]

# The negation and hedge scope of every dictionary: data/negation.yml (negators, hedges, and the tokens
# that end a scope when scanning back from a match).
_SCOPE = load_word_lists("negation.yml", lists=("negators", "hedges", "scope_breaks"))
NEGATORS, HEDGES, SCOPE_BREAKS = _SCOPE["negators"], _SCOPE["hedges"], _SCOPE["scope_breaks"]
#: Tokens a proximity rule (``A NEAR/k B``) does not reach across: the scope breaks but the comma.
CLAUSE_BREAKS = frozenset(SCOPE_BREAKS) - {","}

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
    near: int = 0  # > 0: a proximity rule ``tokens[0] NEAR/near tokens[1]``


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


_NEAR = re.compile(r"^(\S+)\s+NEAR/(\S*)\s+(\S+)$")
_NEAR_MAX = 20


def _near_tokens(pattern: str, where: str, split_hyphens: bool = False) -> tuple[tuple[str, ...], int] | None:
    """``(tokens, k)`` of a proximity rule ``A NEAR/k B``; None when ``pattern`` is not one."""
    if "NEAR/" not in pattern:
        return None
    m = _NEAR.match(pattern.strip())
    if not m or not m.group(2).isdigit() or not 1 <= int(m.group(2)) <= _NEAR_MAX:
        raise DictionaryError(f"{where}: proximity rule {pattern!r} must read 'WORD NEAR/k WORD' with k in "
                              f"1..{_NEAR_MAX} (one word on each side, an optional trailing '*')")
    sides = []
    for side in (m.group(1), m.group(3)):
        toks = _pattern_tokens(side, where, split_hyphens)
        if len(toks) != 1:
            raise DictionaryError(f"{where}: proximity rule {pattern!r}: {side!r} must be one word")
        sides.append(toks[0])
    return tuple(sides), int(m.group(2))


def _build(name: str, items: Iterable[tuple[str, str, float, int | None]], *, source: str,
           descriptions: Mapping[str, str] | None = None, negation_window: int = 3,
           split_hyphens: bool = False, possessives: bool = False) -> Dictionary:
    entries, seen = [], {}
    for category, pattern, weight, line in items:
        where = f"{source}, line {line}" if line else source
        near = _near_tokens(pattern, where, split_hyphens) if isinstance(pattern, str) else None
        tokens, k = near if near else (_pattern_tokens(pattern, where, split_hyphens), 0)
        key = (tokens, k)
        if key in seen:
            raise DictionaryError(f"{where}: duplicate term {pattern!r} (first defined {seen[key]})")
        seen[key] = f"at line {line}" if line else f"in {category}"
        entries.append(Entry(category, pattern, tokens, float(weight), line, k))
    if not entries:
        raise DictionaryError(f"{source}: the dictionary has no terms")
    if possessives:
        # "Iran's", "Karabakh's" are single tokens: add the possessive of every entry ending in a literal word,
        # reported under the entry as written, unless the file lists that form itself.
        for e in list(entries):
            if e.near or e.tokens[-1].endswith("*") or not e.tokens[-1][-1].isalnum():
                continue
            for mark in ("'s", "\u2019s"):
                tokens = (*e.tokens[:-1], e.tokens[-1] + mark)
                if (tokens, 0) not in seen:
                    seen[(tokens, 0)] = f"at line {e.line}"
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


_SPEC_KEYS = ("description", "terms", "weight")


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
    items: list = []
    descriptions: dict = {}
    _yaml_categories(path, root, "", items, descriptions, set())
    return items, descriptions


def _yaml_categories(path: Path, node: yaml.MappingNode, prefix: str, items: list, descriptions: dict,
                     seen: set) -> None:
    """Categories of a mapping node; a mapping of sub-categories (quanteda's nested dictionaries) adds
    ``parent.child`` categories, at any depth."""
    for key_node, value_node in node.value:
        category, line = prefix + str(key_node.value), key_node.start_mark.line + 1
        if category in seen:
            raise DictionaryError(f"{path}, line {line}: duplicate category {category!r}")
        seen.add(category)
        weight, terms_node = 1.0, value_node
        if isinstance(value_node, yaml.MappingNode):
            keys = [k.value for k, _ in value_node.value]
            if not set(keys) & set(_SPEC_KEYS):  # only sub-categories
                _yaml_categories(path, value_node, category + ".", items, descriptions, seen)
                continue
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
                                          f"{category!r} (valid: description, terms, weight; or a mapping of "
                                          "sub-categories only, as in quanteda's nested dictionaries)")
            if terms_node is None:
                raise DictionaryError(f"{path}, line {line}: category {category!r} has no 'terms' list")
        if not isinstance(terms_node, yaml.SequenceNode):
            raise DictionaryError(f"{path}, line {terms_node.start_mark.line + 1}: terms of {category!r} "
                                  "must be a list")
        for term_node in terms_node.value:
            if not isinstance(term_node, yaml.ScalarNode):
                raise DictionaryError(f"{path}, line {term_node.start_mark.line + 1}: a term must be a string")
            items.append((category, term_node.value, weight, term_node.start_mark.line + 1))


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


def _dic_items(path: Path) -> list:
    """LIWC ``.dic``: a header of ``id name`` lines between two ``%`` lines, then ``term id [id ...]`` lines."""
    items: list = []
    names: dict[str, str] = {}
    section = 0  # 0: before the header, 1: in it, 2: terms
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise DictionaryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line == "%":
            if section == 2:
                raise DictionaryError(f"{path}, line {n}: a third '%' line (the header has two)")
            section += 1
            continue
        if section == 0:
            raise DictionaryError(f"{path}, line {n}: a LIWC .dic file starts with a '%' line")
        if section == 1:
            parts = line.split(None, 1)
            if len(parts) != 2 or not parts[0].isdigit():
                raise DictionaryError(f"{path}, line {n}: expected a category line 'number name', got {line!r}")
            if parts[0] in names:
                raise DictionaryError(f"{path}, line {n}: category number {parts[0]} is defined twice")
            names[parts[0]] = parts[1].strip()
            continue
        if "(" in line or "/" in line:
            raise DictionaryError(f"{path}, line {n}: conditional category codes such as '(02 134)125/464' "
                                  "are not supported; list the term under one category")
        if "\t" in line:  # term<TAB>id<TAB>id: the term may hold spaces
            fields = line.split("\t")
            term, codes = fields[0].strip(), " ".join(fields[1:]).split()
        else:  # term id id: the codes are the trailing numbers
            fields = line.split()
            k = len(fields)
            while k > 1 and fields[k - 1].isdigit():
                k -= 1
            term, codes = " ".join(fields[:k]), fields[k:]
        if not codes:
            raise DictionaryError(f"{path}, line {n}: term {term!r} has no category number")
        unknown = [c for c in codes if c not in names]
        if unknown:
            raise DictionaryError(f"{path}, line {n}: category number(s) {', '.join(unknown)} not in the header "
                                  f"(defined: {', '.join(names) or 'none'})")
        if len(set(codes)) > 1:
            raise DictionaryError(f"{path}, line {n}: term {term!r} is in {len(set(codes))} categories "
                                  f"({', '.join(names[c] for c in dict.fromkeys(codes))}); a diplo dictionary "
                                  "gives each term one category: split the file by category")
        items.append((names[codes[0]], term, 1.0, n))
    if section < 2:
        raise DictionaryError(f"{path}: the header of category numbers must end with a second '%' line")
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
    """Load a dictionary from YAML (``.yml``/``.yaml``), Lexicoder ``.cat``, LIWC ``.dic`` or weighted ``.csv``.

    YAML may nest categories as quanteda does (a category mapping to sub-categories): they become
    ``parent.child``.  A LIWC term listed under several categories is an error (each term has one category
    here).

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
    elif suffix == ".dic":
        items = _dic_items(path)
    elif suffix == ".csv":
        items = _csv_items(path)
    else:
        raise DictionaryError(f"{path}: unsupported dictionary format {suffix!r} "
                              "(valid: .yml, .yaml, .cat, .dic, .csv)")
    return _build(name or path.stem, items, source=str(path), descriptions=descriptions,
                  negation_window=negation_window, split_hyphens=split_hyphens, possessives=possessives)


_EMPTY_INT, _EMPTY_BOOL = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)


class _Compiled:
    """Per-dictionary lookup tables: first-token literal and prefix-glob indexes, candidate priority."""

    def __init__(self, d: Dictionary) -> None:
        self.dictionary = d
        self.literal: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        # entries numbered with the proximity rules last (they are matched by a post-pass, not the group)
        regular = [e for e in d.entries if not e.near]
        self.near = [e for e in d.entries if e.near]
        entries = regular + self.near
        for i, e in enumerate(regular):
            first = e.tokens[0]
            if first.endswith("*"):
                self.prefix.setdefault(first[:-1], []).append(i)
            else:
                self.literal.setdefault(first, []).append(i)
        self.entry_tokens = [e.tokens for e in regular]
        self.n_regular = len(regular)
        self.near_masks: dict[str, np.ndarray] = {}  # side pattern -> bool per vocabulary id (grown on use)
        # the columns of match tables, indexed by entry number
        self.categories = pa.array([e.category for e in entries], type=pa.large_string())
        self.patterns = pa.array([e.pattern for e in entries], type=pa.large_string())
        self.weights = np.array([e.weight for e in entries], dtype=float)
        # the same as codes for Matches: category code per entry, the categories, the patterns
        self.category_names = np.array(d.categories, dtype=object)
        self.category_code = pd.Index(d.categories).get_indexer([e.category for e in entries]).astype(np.int64)
        self.pattern_names = np.array([e.pattern for e in entries], dtype=object)

    def _side_mask(self, side: str, strings: Sequence[str]) -> np.ndarray:
        mask = self.near_masks.get(side, np.zeros(0, dtype=bool))
        if len(mask) < len(strings):
            new = strings[len(mask):]
            if side == "\0breaks":
                hit = [t in CLAUSE_BREAKS for t in new]
            elif side.endswith("*"):
                hit = [t.startswith(side[:-1]) for t in new]
            else:
                hit = [t == side for t in new]
            mask = np.concatenate([mask, np.array(hit, dtype=bool)])
            self.near_masks[side] = mask
        return mask

    def near_hits(self, table: TokenTable, strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(entry, first, last)`` of every proximity rule's hits in ``table``: for each token matching one
        side, the nearest token matching the other side within the window in the same text."""
        out_e, out_f, out_l = [], [], []
        ids, n = table.ids, len(table.ids)
        if not n:
            return _EMPTY_INT, _EMPTY_INT, _EMPTY_INT
        row = table.row
        breaks = np.cumsum(self._side_mask("\0breaks", strings)[ids])  # clause breaks up to each token
        for j, e in enumerate(self.near):
            a = np.flatnonzero(self._side_mask(e.tokens[0], strings)[ids])
            if not len(a):
                continue
            b_mask = self._side_mask(e.tokens[1], strings)[ids]
            partner = np.full(len(a), -1, dtype=np.int64)
            for d in range(1, e.near + 1):  # nearest first; after before at equal distance
                for step in (d, -d):
                    p = a + step
                    ok = (partner < 0) & (p >= 0) & (p < n)
                    q, r = p[ok], a[ok]
                    ok[ok] = b_mask[q] & (row[q] == row[r]) & (breaks[q] == breaks[r])
                    partner[ok] = p[ok]
            found = partner >= 0
            a, partner = a[found], partner[found]
            out_e.append(np.full(len(a), self.n_regular + j, dtype=np.int64))
            out_f.append(np.minimum(a, partner))
            out_l.append(np.maximum(a, partner))
        if not out_e:
            return _EMPTY_INT, _EMPTY_INT, _EMPTY_INT
        return np.concatenate(out_e), np.concatenate(out_f), np.concatenate(out_l)

    def _priority(self, i: int) -> tuple[int, int, int]:
        # Longest phrase first; among equally long phrases the most specific (literal words, longer
        # glob stems), so "opposition" beats "oppos*" and "investigat*" beats "invest*".
        toks = self.entry_tokens[i]
        specificity = sum(len(t) + 1 if not t.endswith("*") else len(t) - 1 for t in toks)
        return (-len(toks), -specificity, i)


class _Group:
    """The dictionaries matched on one tokenization, compiled to arrays indexed by vocabulary id.

    Entries of all the group's dictionaries are numbered in one sequence (``offsets[k]`` is the first
    of dictionary ``k``).  Per vocabulary id the group keeps the entries whose first token pattern
    matches it (a CSR list in dictionary order, then candidate priority), whether it ends a negation
    scope, negates or hedges (per dictionary), and which later-token globs it satisfies (a bit set), so
    matching a chunk is array indexing; Python runs once per new vocabulary type (:meth:`extend`).
    """

    def __init__(self, compiled: Sequence[_Compiled], vocabulary: Vocabulary, negators: frozenset[str],
                 hedges: frozenset[str]) -> None:
        self.compiled = list(compiled)
        self.negators, self.hedges = negators, hedges
        sizes = [len(c.entry_tokens) for c in compiled]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        tokens = [t for c in compiled for t in c.entry_tokens]
        self.entry_dict = np.repeat(np.arange(len(compiled), dtype=np.int64), sizes)
        self.entry_len = np.array([len(t) for t in tokens], dtype=np.int64)
        self.max_len = int(self.entry_len.max()) if len(tokens) else 0
        # rank of each entry in candidate order: dictionary, then its priority
        keys = [(k, c._priority(i)) for k, c in enumerate(compiled) for i in range(len(c.entry_tokens))]
        self.rank = [0] * len(keys)
        for r, g in enumerate(sorted(range(len(keys)), key=keys.__getitem__)):
            self.rank[g] = r
        self.literal: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        for k, c in enumerate(compiled):
            for table, own in ((self.literal, c.literal), (self.prefix, c.prefix)):
                for key, ids in own.items():
                    table.setdefault(key, []).extend(int(self.offsets[k]) + i for i in ids)
        self.prefix_lengths = sorted({len(p) for p in self.prefix})
        # the shortest prefix length's heads of every prefix: a token without one matches no prefix
        self.prefix_heads = {p[:self.prefix_lengths[0]] for p in self.prefix} if self.prefix else set()
        # later tokens: literal vocabulary id (>= 0), glob -2 - g (g indexes self.glob_stems), past the end -1
        self.glob_stems: dict[str, int] = {}
        self.pattern = np.full((len(tokens), max(self.max_len, 1)), -1, dtype=np.int64)
        for g, toks in enumerate(tokens):
            for j, t in enumerate(toks[1:], 1):
                if t.endswith("*"):
                    self.pattern[g, j] = -2 - self.glob_stems.setdefault(t[:-1], len(self.glob_stems))
                else:
                    self.pattern[g, j] = vocabulary.id(t)
        self.glob_lengths = sorted({len(s) for s in self.glob_stems})
        self.glob_heads = {s[:self.glob_lengths[0]] for s in self.glob_stems} if self.glob_stems else set()
        self.glob_words = (len(self.glob_stems) + 63) // 64
        self.windows = np.array([c.dictionary.negation_window for c in compiled], dtype=np.int64)
        self.max_window = int(self.windows.max(initial=0))
        n_dict = len(compiled)
        self.size = 0
        self.cand_start = np.zeros(0, dtype=np.int64)
        self.cand_count = np.zeros(0, dtype=np.int64)
        self.cand_flat = np.zeros(0, dtype=np.int64)
        self.n_flat = 0
        self.glob_bits = np.zeros((max(self.glob_words, 1), 0), dtype=np.uint64)
        self.breaks = np.zeros(0, dtype=bool)
        self.negates = np.zeros((n_dict, 0), dtype=bool)
        self.hedging = np.zeros((n_dict, 0), dtype=bool)

    def _candidates(self, tok: str) -> list[int]:
        ids = list(self.literal.get(tok, ()))
        if self.prefix_heads and tok[:self.prefix_lengths[0]] in self.prefix_heads:
            for n in self.prefix_lengths:
                if n > len(tok):
                    break
                ids.extend(self.prefix.get(tok[:n], ()))
        return sorted(ids, key=self.rank.__getitem__) if len(ids) > 1 else ids

    def extend(self, strings: Sequence[str]) -> None:
        """Compute the per-id tables for vocabulary ids ``self.size`` .. ``len(strings) - 1``."""
        lo, hi = self.size, len(strings)
        if hi <= lo:
            return
        new = strings[lo:hi]
        self.cand_start, self.cand_count = grow(self.cand_start, hi), grow(self.cand_count, hi)
        found = [self._candidates(t) for t in new]
        counts = np.fromiter(map(len, found), dtype=np.int64, count=len(new))
        flat = [g for f in found for g in f]
        self.cand_count[lo:hi] = counts
        self.cand_start[lo:hi] = self.n_flat + np.cumsum(counts) - counts
        self.cand_flat = grow(self.cand_flat, self.n_flat + len(flat))
        self.cand_flat[self.n_flat:self.n_flat + len(flat)] = flat
        self.n_flat += len(flat)
        if self.glob_stems:
            self.glob_bits = grow(self.glob_bits, hi)
            heads, shortest = self.glob_heads, self.glob_lengths[0]
            for i, t in enumerate(new, lo):
                if t[:shortest] not in heads:
                    continue
                for n in self.glob_lengths:
                    if n > len(t):
                        break
                    g = self.glob_stems.get(t[:n])
                    if g is not None:
                        self.glob_bits[g >> 6, i] |= np.uint64(1 << (g & 63))
        self.breaks = grow(self.breaks, hi)
        self.breaks[lo:hi] = [t in SCOPE_BREAKS for t in new]
        self.negates, self.hedging = grow(self.negates, hi), grow(self.hedging, hi)
        negator = np.array([t in self.negators or t.endswith(("n't", "n\u2019t")) for t in new], dtype=bool)
        hedge = np.array([t in self.hedges for t in new], dtype=bool)
        for k, c in enumerate(self.compiled):
            d = c.dictionary
            self.negates[k, lo:hi] = negator | [t in d.negators for t in new] if d.negators else negator
            self.hedging[k, lo:hi] = hedge | [t in d.hedges for t in new] if d.hedges else hedge
        self.size = hi

    def find(self, table: TokenTable) -> tuple[np.ndarray, ...]:
        """Leftmost-longest matches of every dictionary of the group in ``table``.

        Returns ``(entry, first, last, negated, hedged)`` sorted by dictionary then token position: the
        group entry number, the indexes of the first and last token in ``table``, and the scope flags.
        """
        ids = table.ids
        count = self.cand_count[ids]
        at = np.flatnonzero(count)
        if not len(at):
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
        # one (position, candidate) pair per candidate entry of each position, in candidate order
        n_cand = count[at]
        pos = np.repeat(at, n_cand)
        shift = np.repeat(self.cand_start[ids[at]] - (np.cumsum(n_cand) - n_cand), n_cand)
        cand = self.cand_flat[shift + np.arange(len(pos))]
        ok = np.ones(len(pos), dtype=bool)
        # phrases: compare later tokens one offset at a time on the pairs still alive; whether a phrase
        # crosses into the next text (or past the chunk's end, into the -1 padding) is checked on the survivors
        padded = np.concatenate([ids, np.full(self.max_len, -1, dtype=ids.dtype)])
        live = np.flatnonzero(self.entry_len[cand] > 1)
        at, entry, length = pos[live], cand[live], self.entry_len[cand[live]]
        for j in range(1, self.max_len):
            if not len(live):
                break
            tok = padded[at + j]
            want = self.pattern[entry, j]
            good = tok == want
            glob = np.flatnonzero(want < -1)
            if len(glob):
                g = -2 - want[glob]
                bits = self.glob_bits[g >> 6, tok[glob]]
                good[glob] = (bits >> (g & 63).astype(np.uint64)) & np.uint64(1) == 1
            ok[live[~good]] = False
            more = good & (length > j + 1)
            live, at, entry, length = live[more], at[more], entry[more], length[more]
        phrase = np.flatnonzero(ok & (self.entry_len[cand] > 1))
        start = pos[phrase]
        ok[phrase] = start + self.entry_len[cand[phrase]] <= table.bounds[table.row[start] + 1]
        # the first matching candidate of each (position, dictionary): the best entry starting there
        hit = np.flatnonzero(ok)
        entry, first = cand[hit], pos[hit]
        dic = self.entry_dict[entry]
        lead = np.ones(len(hit), dtype=bool)
        lead[1:] = (first[1:] != first[:-1]) | (dic[1:] != dic[:-1])
        entry, first, dic = entry[lead], first[lead], dic[lead]
        order = np.argsort(dic, kind="stable")
        entry, first, dic = entry[order], first[order], dic[order]
        length = self.entry_len[entry]
        keep = _leftmost(dic * (len(ids) + 1) + first, length)
        entry, first, dic, length = entry[keep], first[keep], dic[keep], length[keep]
        negated, hedged = self._scope(table, first, dic)
        return entry, first, first + length - 1, negated, hedged

    def _scope(self, table: TokenTable, first: np.ndarray, dic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Scan back up to the dictionary's window from each match, stopping at a scope break or the start
        # of the text; each negator toggles (two cancel), any hedge sets.
        negated = np.zeros(len(first), dtype=bool)
        hedged = np.zeros(len(first), dtype=bool)
        if not self.max_window or not len(first):
            return negated, hedged
        scoped = np.flatnonzero(self.windows[dic] > 0)
        first, dic = first[scoped], dic[scoped]
        window, text_start = self.windows[dic], table.bounds[table.row[first]]
        neg, hedge = np.zeros(len(first), dtype=bool), np.zeros(len(first), dtype=bool)
        alive = np.ones(len(first), dtype=bool)
        for k in range(1, self.max_window + 1):
            j = first - k
            alive &= (j >= text_start) & (window >= k)
            if not alive.any():
                break
            tok = table.ids[np.maximum(j, 0)]
            alive &= ~self.breaks[tok]
            neg ^= alive & self.negates[dic, tok]
            hedge |= alive & self.hedging[dic, tok]
        negated[scoped], hedged[scoped] = neg, hedge
        return negated, hedged


def _leftmost(start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Which of the sorted candidate spans ``[start, start + length)`` greedy leftmost-first selection keeps.

    A span that starts at or after the end of every earlier span is kept whatever was chosen before it;
    only the runs of spans after it that overlap something are resolved one by one.
    """
    end = start + length
    reach = np.empty_like(end)
    if len(end):
        reach[0] = -1
        np.maximum.accumulate(end[:-1], out=reach[1:])
    keep = start >= reach
    if keep.all():
        return keep
    bad = np.flatnonzero(~keep)
    free, last = 0, -2
    for t, s, e, before in zip(bad.tolist(), start[bad].tolist(), end[bad].tolist(), end[bad - 1].tolist()):
        if t != last + 1:  # first overlap of a run: the span before it was kept
            free = before
        if s >= free:
            keep[t] = True
            free = e
        last = t
    return keep


class Matcher:
    """Find matches of several dictionaries in one pass over a chunk's tokens.

    The matcher owns a :class:`~diplo.scoring._engine.tokens.Vocabulary`; texts are tokenized a chunk at a time
    (:meth:`tokenize`) and matched with array operations, so its per-token cost does not grow with the
    number or size of the dictionaries.

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
        self._start_vocabulary()

    def _start_vocabulary(self) -> None:
        self.vocabulary = Vocabulary()
        # dictionaries sharing a tokenization are matched together: split_hyphens -> (dictionary indexes, group)
        self._groups: dict[bool, tuple[list[int], _Group]] = {}
        for split in (False, True):
            ks = [k for k, c in enumerate(self._compiled) if c.dictionary.split_hyphens == split]
            if ks:
                group = _Group([self._compiled[k] for k in ks], self.vocabulary, self.negators, self.hedges)
                self._groups[split] = (ks, group)

    #: Token types kept before the matcher starts a new vocabulary (so memory stays bounded on a long run;
    #: ids are only compared within a chunk, so results do not change).
    VOCABULARY_LIMIT = 1_000_000

    def tokenize(self, texts: Sequence) -> TokenTable:
        """The chunk's tokens (:func:`diplo.scoring._engine.tokens.tokenize_texts`) with ids in this matcher's vocabulary.

        A table is valid for :meth:`match` until the next call of ``tokenize`` (which may start a new
        vocabulary when the current one holds :attr:`VOCABULARY_LIMIT` types).
        """
        if len(self.vocabulary) > self.VOCABULARY_LIMIT:
            self._start_vocabulary()
        return tokenize_texts(texts, self.vocabulary)

    def match(self, texts: Sequence[str], *, table: TokenTable | None = None) -> dict[str, pd.DataFrame]:
        """Matches per dictionary name: DataFrames with :data:`MATCH_COLUMNS`.

        ``row`` indexes ``texts``; ``start``/``end`` are character offsets in that text; ``match`` is the
        matched text as written; ``entry`` the dictionary pattern; ``weight`` the entry's weight.
        Non-strings are treated as empty texts.

        Parameters
        ----------
        texts : the chunk's texts.
        table : ``self.tokenize(texts)`` when the caller already has it (to share one tokenization with
            later stages); tokenized here otherwise.

        Raises
        ------
        ValueError
            If ``table`` was not made by this matcher's :meth:`tokenize` for as many texts.
        """
        return {name: m.frame() for name, m in self.find(texts, table=table).items()}

    def find(self, texts: Sequence[str], *, table: TokenTable | None = None) -> dict[str, "Matches"]:
        """:meth:`match` without the DataFrames: per dictionary name a :class:`Matches` (what a
        :class:`~diplo.scoring.chunk.Chunk` holds and the scorers read; same checks and errors as :meth:`match`)."""
        if table is None:
            table = self.tokenize(texts)
        elif table.vocabulary is not self.vocabulary or table.split or len(table.texts) != len(texts):
            raise ValueError(f"table must be Matcher.tokenize(texts) of this matcher for the {len(texts)} texts; "
                             f"got a table of {len(table.texts)} texts"
                             f"{' split at hyphens' if table.split else ''}"
                             f"{'' if table.vocabulary is self.vocabulary else ' from another vocabulary'}")
        result, strings = {}, LazyStrings(table.texts)
        for split, (ks, group) in self._groups.items():
            chunk = table.split_hyphens() if split else table
            group.extend(self.vocabulary.strings)
            entry, first, last, negated, hedged = group.find(chunk)
            dic = group.entry_dict[entry]
            cut = np.searchsorted(dic, np.arange(len(ks) + 1))
            for g, k in enumerate(ks):
                a, b = cut[g], cut[g + 1]
                c = self._compiled[k]
                found = entry[a:b] - group.offsets[g], first[a:b], last[a:b], negated[a:b], hedged[a:b]
                if c.near:
                    found = self._with_near(c, group, g, chunk, *found)
                result[c.dictionary.name] = Matches._found(c, chunk, strings, *found)
        return {c.dictionary.name: result[c.dictionary.name] for c in self._compiled}

    def _with_near(self, c: _Compiled, group: "_Group", g: int, table: TokenTable, entry: np.ndarray,
                   first: np.ndarray, last: np.ndarray, negated: np.ndarray, hedged: np.ndarray) -> tuple:
        """The dictionary's matches with its proximity rules' hits, leftmost-longest over both."""
        ne, nf, nl = c.near_hits(table, self.vocabulary.strings)
        if not len(ne):
            return entry, first, last, negated, hedged
        nn, nh = group._scope(table, nf, np.full(len(nf), g, dtype=np.int64))
        entry, first, last = np.concatenate([entry, ne]), np.concatenate([first, nf]), np.concatenate([last, nl])
        negated, hedged = np.concatenate([negated, nn]), np.concatenate([hedged, nh])
        order = np.lexsort((entry, first - last, first))  # by start, longest first
        entry, first, last, negated, hedged = entry[order], first[order], last[order], negated[order], hedged[order]
        lead = np.ones(len(first), dtype=bool)
        lead[1:] = first[1:] != first[:-1]
        keep = np.flatnonzero(lead)
        keep = keep[_leftmost(first[keep], last[keep] - first[keep] + 1)]
        return entry[keep], first[keep], last[keep], negated[keep], hedged[keep]




class Matches:
    """One dictionary's matches in a chunk, as arrays: the form of a :meth:`Matcher.match` table that a
    :class:`~diplo.scoring.chunk.Chunk` holds and every scorer reads (no DataFrame is built).

    ``row``, ``start``, ``end``, ``weight``, ``negated``, ``hedged`` as in :data:`MATCH_COLUMNS` (numpy);
    the labels as codes, ``category_names[category]`` and ``entry_names[entry]`` (object arrays of str; a
    category code of -1 is a missing category).  :meth:`column` gives the ``category``, ``entry`` and
    ``match`` columns as the DataFrame holds them, :meth:`frame` the DataFrame itself.
    """

    __slots__ = ("row", "start", "end", "weight", "negated", "hedged", "category", "category_names", "entry",
                 "entry_names", "_labels", "_index")

    def __init__(self, row, start, end, weight, negated, hedged, category, category_names, entry, entry_names,
                 labels, index=None) -> None:
        self.row, self.start, self.end, self.weight = row, start, end, weight
        self.negated, self.hedged = negated, hedged
        self.category, self.category_names, self.entry, self.entry_names = category, category_names, entry, entry_names
        self._labels = labels  # column name -> the full column of the source table (a function)
        self._index = index  # rows of the source table, when taken from one

    def __len__(self) -> int:
        return len(self.row)

    @classmethod
    def _found(cls, c: _Compiled, table: TokenTable, strings: LazyStrings, entry: np.ndarray, first: np.ndarray,
              last: np.ndarray, negated: np.ndarray, hedged: np.ndarray) -> "Matches":
        """The matches of compiled dictionary ``c`` found by :meth:`_Group.find` in ``table``."""
        if not len(entry):
            return cls(_EMPTY_INT, _EMPTY_INT, _EMPTY_INT, np.zeros(0), _EMPTY_BOOL, _EMPTY_BOOL, _EMPTY_INT,
                       c.category_names, _EMPTY_INT, c.pattern_names, None)
        row, start, end = table.row[first], table.start[first], table.end[last]
        labels = {"category": lambda: take_labels(c.categories, entry), "entry": lambda: take_labels(c.patterns, entry),
                  "match": lambda: strings.cut(row, start, end)}
        return cls(row, start, end, c.weights[entry], negated, hedged, c.category_code[entry], c.category_names,
                   entry, c.pattern_names, labels)

    @classmethod
    def of(cls, m: "pd.DataFrame | Matches") -> "Matches":
        """``m`` itself, or a :meth:`Matcher.match` table (any DataFrame with :data:`MATCH_COLUMNS`) as arrays."""
        if isinstance(m, Matches):
            return m
        category, names = pd.factorize(m["category"])
        return cls(m["row"].to_numpy(dtype=np.int64), m["start"].to_numpy(dtype=np.int64),
                   m["end"].to_numpy(dtype=np.int64), m["weight"].to_numpy(dtype=float),
                   m["negated"].to_numpy(dtype=bool), m["hedged"].to_numpy(dtype=bool), category,
                   np.asarray(names, dtype=object), np.arange(len(m)), m["entry"].to_numpy(dtype=object),
                   {c: m[c].array for c in ("category", "entry", "match")})

    def take(self, idx: np.ndarray, **replace: np.ndarray) -> "Matches":
        """Matches ``idx`` (positions), with the columns named in ``replace`` given instead."""
        cols = {k: replace[k] if k in replace else getattr(self, k)[idx]
                for k in ("row", "start", "end", "weight", "negated", "hedged", "category", "entry")}
        index = idx if self._index is None else self._index[idx]
        return Matches(cols["row"], cols["start"], cols["end"], cols["weight"], cols["negated"],
                            cols["hedged"], cols["category"], self.category_names, cols["entry"], self.entry_names,
                            self._labels, index)

    def labels(self) -> np.ndarray:
        """Each match's category (object array; NaN where it is missing)."""
        names = self.category_names
        return (np.append(names, np.nan) if (self.category < 0).any() else names)[self.category]

    def column(self, name: str):
        """Column ``category``, ``entry`` or ``match`` as the DataFrame of :meth:`frame` holds it."""
        if self._labels is None:  # nothing matched: the empty table's columns
            return np.zeros(len(self.row))
        values = self._labels[name]
        values = values() if callable(values) else values
        if self._index is None:
            return values
        return values.take(self._index) if hasattr(values, "take") else [values[i] for i in self._index.tolist()]

    def frame(self) -> pd.DataFrame:
        """The matches as a :meth:`Matcher.match` table."""
        if self._labels is None and not len(self.row):
            df = pd.DataFrame({c: [] for c in MATCH_COLUMNS})
            return df.astype({"row": np.int64, "start": np.int64, "end": np.int64, "weight": float, "negated": bool,
                              "hedged": bool})
        return pd.DataFrame({
            "row": self.row, "category": self.column("category"), "entry": self.column("entry"),
            "match": self.column("match"), "start": self.start, "end": self.end, "weight": self.weight,
            "negated": self.negated, "hedged": self.hedged})


class DictionaryMatching:
    """Mixin for components scored from :class:`Matcher` results (tone scorers, themes, actors).

    A component lists the dictionaries it needs in ``dictionaries`` (so one shared Matcher pass can serve
    several components); :meth:`own_matcher` is a Matcher of those dictionaries alone, compiled on first
    use and kept by the component (with its vocabulary), for a chunk that holds no matches of them.
    """

    _matcher: Matcher | None = None

    @property
    def dictionaries(self) -> tuple[Dictionary, ...]:  # pragma: no cover - every component overrides it
        raise NotImplementedError

    def own_matcher(self) -> Matcher:
        """This component's own :class:`Matcher` (built on first use, then kept)."""
        if self._matcher is None:
            self._matcher = Matcher(self.dictionaries)
        return self._matcher
