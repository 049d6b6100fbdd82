"""Dictionaries: categories of terms, ``*`` globs, multi-word phrases and proximity rules, loaded from files a
researcher edits and validated on load.

A :class:`Dictionary` maps categories to entries (each entry a phrase of one or more token patterns, with an
optional weight); :class:`~diplo.scoring.match.Matcher` finds them in texts.

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
include punctuation marks) with no clause break (:data:`~diplo.scoring.match.CLAUSE_BREAKS`: ``. ; : ! ?``, "but", "however"...; a comma
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

import yaml

from diplo.scoring._engine.tokens import SPLIT_TOKEN_PATTERN, TOKEN_PATTERN

__all__ = ["Dictionary", "DictionaryError", "Entry", "dictionary_from_mapping", "load_dictionary", "tokenize"]


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
            if None in rec:  # more cells than header fields: an unquoted comma (e.g. in a note) shifts the row
                raise DictionaryError(f"{path}, line {n}: {len(fields) + len(rec[None])} fields where the header has "
                                      f"{len(fields)} ({', '.join(fields)}); quote a cell that contains a comma")
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
