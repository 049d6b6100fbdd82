"""Notebook parameters: parse and validate what papermill, YAML files or the CLI hand to a notebook.

Values arrive as strings, numbers, lists or ``datetime.date`` (YAML parses unquoted dates). Every
notebook's second cell calls :func:`parse_params`; a bad value stops it there with a message naming the
parameter, the value and what would be valid, instead of failing deep inside a chart.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from diplo.io.paths import check_outside_raw
from diplo.scoring.tone import available_scorers

__all__ = ["NotebookParams", "parse_params", "parse_iso_date", "parse_validation_files", "select_tables", "pipeline_options",
           "check_declared_type", "check_theme", "check_outlets", "FREQS"]


def _type_error(name: str, value: Any, expected: str) -> TypeError:
    return TypeError(f"parameter {name!r} must be {expected}; got {value!r} ({type(value).__name__})")


def parse_iso_date(value: Any, name: str = "date") -> _dt.date | None:
    """``"YYYY-MM-DD"`` (or a ``date``) to a ``date``; ``""``/``None`` to ``None`` (no limit).

    Raises
    ------
    ValueError
        If the string is not a real calendar date in ``YYYY-MM-DD`` form (the message names ``name``).
    TypeError
        If ``value`` is neither a string nor a date.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        raise _type_error(name, value, 'a date string "YYYY-MM-DD" or "" for no limit')
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"parameter {name!r}: {value!r} is not a date in YYYY-MM-DD form "
                         f"(e.g. \"2023-01-31\"; \"\" for no limit)") from None


def _str_list(name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):  # one name given on the command line
        value = [value] if value.strip() else []
    if not isinstance(value, (list, tuple)):
        raise _type_error(name, value, "a list of strings")
    bad = [v for v in value if not isinstance(v, str) or not v.strip()]
    if bad:
        raise _type_error(name, bad[0], "a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _int(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error(name, value, "an integer")
    if value < minimum:
        raise ValueError(f"parameter {name!r} must be >= {minimum}; got {value}")
    return value


def _path(name: str, value: Any, *, must_exist: str | None = None) -> Path | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise _type_error(name, value, "a path string")
    path = Path(value).expanduser()
    if must_exist == "dir" and not path.is_dir():
        raise ValueError(f"parameter {name!r}: folder {str(value)!r} does not exist "
                         f"(resolved to {path.resolve()})")
    if must_exist == "file" and not path.is_file():
        raise ValueError(f"parameter {name!r}: file {str(value)!r} does not exist (resolved to {path.resolve()})")
    return path


@dataclass(frozen=True)
class NotebookParams:
    """Validated notebook parameters (see :func:`parse_params`)."""

    raw_dir: Path
    output_dir: Path
    processed_dir: Path | None = None
    start_date: _dt.date | None = None
    end_date: _dt.date | None = None
    outlets: tuple[str, ...] = ()
    themes_file: Path | None = None
    scorers: tuple[str, ...] = ()
    n_topics: int = 5
    seed: int = 0
    freq: str = "auto"
    min_articles: int = 3
    top_outlets: int = 6
    events: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def tone_columns(self) -> list[str]:
        """``tone_<scorer>`` column names in the order the scorers were given."""
        return [f"tone_{s}" for s in self.scorers]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values (paths and dates as strings), for the run's parameter record."""
        out = asdict(self)
        extra = out.pop("extra")
        out = {k: (str(v) if isinstance(v, (Path, _dt.date)) else list(v) if isinstance(v, tuple) else v)
               for k, v in out.items()}
        out.update(extra)
        return {k: ("" if v is None else v) for k, v in sorted(out.items())}

    def describe(self) -> str:
        """One line for a notebook's narrative: the selection these parameters make."""
        dates = f"{self.start_date or 'first'} to {self.end_date or 'last'} date"
        outlets = ", ".join(self.outlets) if self.outlets else "all outlets"
        return f"{dates}; {outlets}; scorers: {', '.join(self.scorers)}"


_KNOWN = {"raw_dir", "output_dir", "processed_dir", "start_date", "end_date", "outlets", "themes_file",
          "scorers", "n_topics", "seed", "freq", "min_articles", "top_outlets", "events"}

FREQS = ("auto", "day", "week", "month", "quarter", "year")  # the same as diplo.analysis.trends.FREQS


def _freq(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "auto"
    if not isinstance(value, str):
        raise _type_error("freq", value, f"one of {', '.join(FREQS)}")
    if value.strip().lower() not in FREQS:
        raise ValueError(f"parameter 'freq': {value!r} is not a bin width; valid: {', '.join(FREQS)}")
    return value.strip().lower()


def _events(value: Any) -> str:
    """An events CSV path or a packaged list name, checked now (the file exists and parses)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if not isinstance(value, (str, os.PathLike)):
        raise _type_error("events", value, "a CSV path or the name of a packaged event list")
    from diplo.io.events import load_events

    try:
        load_events(value)
    except ValueError as exc:
        raise ValueError(f"parameter 'events': {exc}") from None
    return str(value)


def parse_params(values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> NotebookParams:
    """Validate notebook parameters and convert them to typed values.

    Parameters
    ----------
    values, kwargs : parameter name -> raw value (strings from YAML/CLI are fine). Names other than the
        standard ones (``raw_dir``, ``output_dir``, ``processed_dir``, ``start_date``, ``end_date``,
        ``outlets``, ``themes_file``, ``scorers``, ``n_topics``, ``seed``, ``freq`` (auto/day/week/month/
        quarter/year), ``min_articles`` (>= 1: fewer articles in a bin draw it hollow), ``top_outlets`` (>= 1:
        outlets drawn as their own series, the rest as "other"), ``events`` (a ``date,label`` CSV or a
        packaged list name, ``""`` for none)) are kept unchanged in ``extra``.

    Returns
    -------
    NotebookParams

    Raises
    ------
    ValueError
        A date that is not ``YYYY-MM-DD``, ``end_date`` before ``start_date``, an unknown scorer (the
        message lists the valid ones), a missing ``raw_dir`` or ``themes_file``, a negative number.
    TypeError
        A value of the wrong type (the message names the parameter, the value and the expected type).

    Examples
    --------
    >>> p = parse_params(raw_dir="data/raw", output_dir="reports/x", start_date="2023-01-01", scorers=["vader"])
    >>> p.start_date
    datetime.date(2023, 1, 1)
    """
    raw = {**(values or {}), **kwargs}
    if "raw_dir" not in raw or "output_dir" not in raw:
        raise ValueError(f"parameters 'raw_dir' and 'output_dir' are required; got {sorted(raw)}")
    start = parse_iso_date(raw.get("start_date"), "start_date")
    end = parse_iso_date(raw.get("end_date"), "end_date")
    if start and end and end < start:
        raise ValueError(f"parameter 'end_date' ({end}) is before 'start_date' ({start})")
    valid = available_scorers()
    scorers = _str_list("scorers", raw.get("scorers")) or tuple(valid)
    unknown = [s for s in scorers if s not in valid and not (s.startswith("model:") and Path(s[6:]).is_file())]
    if unknown:
        raise ValueError(f"parameter 'scorers': unknown scorer {unknown[0]!r}; valid scorers: {', '.join(valid)}, "
                         "or model:PATH of an existing model file made by diplo train")
    output_dir = _path("output_dir", raw["output_dir"])
    if output_dir is None:
        raise ValueError("parameter 'output_dir' must name a folder; got ''")
    raw_dir, processed_dir = _path("raw_dir", raw["raw_dir"], must_exist="dir"), _path("processed_dir", raw.get("processed_dir"))
    # raw is read-only: no output, processed tables or lock file inside it (checked before anything is created)
    check_outside_raw(raw_dir, output_dir=output_dir, processed_dir=processed_dir or output_dir / "processed")
    return NotebookParams(
        raw_dir=raw_dir,
        output_dir=output_dir,
        processed_dir=processed_dir,
        start_date=start,
        end_date=end,
        outlets=_str_list("outlets", raw.get("outlets")),
        themes_file=_path("themes_file", raw.get("themes_file"), must_exist="file"),
        scorers=tuple(dict.fromkeys(scorers)),
        n_topics=_int("n_topics", raw.get("n_topics", 5), minimum=1),
        seed=_int("seed", raw.get("seed", 0), minimum=0),
        freq=_freq(raw.get("freq", "auto")),
        min_articles=_int("min_articles", raw.get("min_articles", 3), minimum=1),
        top_outlets=_int("top_outlets", raw.get("top_outlets", 6), minimum=1),
        events=_events(raw.get("events", "")),
        extra={k: v for k, v in raw.items() if k not in _KNOWN},
    )


def select_tables(tables: Mapping[str, pd.DataFrame], params: NotebookParams) -> dict[str, pd.DataFrame]:
    """Keep only the articles in the parameters' date range and outlets, in every table with ``doc_id``.

    Articles without a date are dropped when a date range is set; without an outlet when outlets are set.
    Tables without a ``doc_id`` column (manifest, precomputed aggregates) are returned unchanged.
    """
    articles = tables["articles"]
    keep = pd.Series(True, index=articles.index)
    if params.start_date or params.end_date:
        dates = pd.to_datetime(articles["date"], format="%Y-%m-%d", errors="coerce")
        if params.start_date:
            keep &= dates >= pd.Timestamp(params.start_date)
        if params.end_date:
            keep &= dates <= pd.Timestamp(params.end_date)
    if params.outlets:
        keep &= articles["outlet"].isin(params.outlets)
    doc_ids = set(articles.loc[keep, "doc_id"])
    return {name: (t[t["doc_id"].isin(doc_ids)].reset_index(drop=True) if "doc_id" in t.columns else t)
            for name, t in tables.items()}


_VALIDATION_KEYS = ("path", "format", "label_map", "text_column", "label_column", "columns", "header", "label_band",
                    "label_center")


def parse_validation_files(value: Any, *, name: str = "validation_files",
                           base: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """Labelled files for validation: each a path, or a mapping with ``path`` and the options of
    :func:`diplo.analysis.validate.validate_file` (``format``, ``label_map``, ``text_column``, ``label_column``,
    ``label_band``, ``label_center``).

    Returns
    -------
    list of dicts, each with a ``path`` (resolved against ``base`` when relative) and the options given.

    Raises
    ------
    TypeError
        If an entry is neither a path string nor a mapping.
    ValueError
        If a file does not exist, a mapping lacks ``path`` or names an unknown option (valid ones listed).
    """
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str) and value.lstrip().startswith(("[", "{")):  # a YAML/JSON list from `papermill -p`
        import yaml
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            raise ValueError(f"parameter {name!r}: {value!r} is not a valid YAML/JSON list: {exc}") from None
    entries = [value] if isinstance(value, (str, dict)) else value
    if not isinstance(entries, (list, tuple)):
        raise _type_error(name, value, "a list of paths or of {path: ..., format: ...} mappings")
    out = []
    for i, entry in enumerate(entries):
        if isinstance(entry, (str, os.PathLike)):
            entry = {"path": entry}
        if not isinstance(entry, dict):
            raise _type_error(f"{name}[{i}]", entry, "a path or a {path: ..., format: ...} mapping")
        unknown = sorted(set(entry) - set(_VALIDATION_KEYS))
        if unknown or "path" not in entry:
            raise ValueError(f"parameter '{name}[{i}]': " + (f"unknown option(s) {unknown}" if unknown
                             else "no 'path'") + f"; valid options: {', '.join(_VALIDATION_KEYS)}")
        path = Path(entry["path"]).expanduser()
        if base is not None and not path.is_absolute():
            path = Path(base) / path
        if not path.is_file():
            raise ValueError(f"parameter '{name}[{i}]': labelled file {str(entry['path'])!r} does not exist "
                             f"(resolved to {path.resolve()})")
        out.append({**entry, "path": path})
    return out


def pipeline_options(params) -> dict:
    """:func:`diplo.run.pipeline.run_pipeline` options set by notebook parameters (``themes_file``)."""
    return {"themes": str(params.themes_file)} if params.themes_file else {}


# papermill's inferred type names (``inspect_notebook``) -> the Python types a value of that parameter may have
_DECLARED_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "dict": (dict,),
    "list": (list, tuple, str),  # one string stands for a one-item list, as in parse_params
}


def check_declared_type(name: str, value: Any, declared: str | None, *, where: str = "the notebooks") -> None:
    """Check ``value`` against the type a notebook's parameters cell declares for ``name`` (``int``, ``str`` ...).

    Types papermill cannot infer (``None``, a parameter without annotation or literal) are not checked.

    Raises
    ------
    TypeError
        If the value has another type (the message names the parameter, the value and the declared type).
    """
    allowed = _DECLARED_TYPES.get(str(declared))
    if allowed is None or value is None:
        return
    if isinstance(value, bool) and bool not in allowed:  # True is an int to Python, not to a researcher
        ok = False
    else:
        ok = isinstance(value, allowed)
    if not ok:
        raise TypeError(f"parameter {name!r} must be {declared} (declared in {where}); "
                        f"got {value!r} ({type(value).__name__})")


def _near(value: str, valid: Sequence[str]) -> str:
    """``" (did you mean 'x' or 'y'?)"`` for near matches of ``value`` in ``valid`` (case-insensitive), else ``""``."""
    import difflib

    lower = {v.casefold(): v for v in valid}
    close = [lower[m] for m in difflib.get_close_matches(value.casefold(), list(lower), n=3, cutoff=0.6)]
    close += [v for v in valid if value.casefold() in v.casefold() and v not in close][:3 - len(close)]
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def check_theme(theme: Any, themes_file: str | os.PathLike | None = None) -> str:
    """Check that ``theme`` names a theme of the dictionary in use (``themes_file``, default the packaged one).

    ``""`` (all sentences) is always valid.

    Returns
    -------
    str
        The theme name, stripped.

    Raises
    ------
    TypeError
        If ``theme`` is not a string.
    ValueError
        If the dictionary has no such theme (the message offers near matches and lists the valid themes).
    """
    from diplo.scoring.themes import load_themes

    if not isinstance(theme, str):
        raise _type_error("theme", theme, "a theme name (a string)")
    theme = theme.strip()
    if not theme:
        return theme
    themes = list(load_themes(themes_file).categories)
    if theme not in themes:
        source = f"the themes file {str(themes_file)!r}" if themes_file else "the packaged themes.yml"
        raise ValueError(f"parameter 'theme': no theme {theme!r} in {source}{_near(theme, themes)}; "
                         f"themes: {', '.join(themes)} (or \"\" for all sentences)")
    return theme


def check_outlets(outlets: Any, corpus_outlets: pd.Series | Sequence[str], *, shown: int = 20) -> tuple[str, ...]:
    """Check that every name in ``outlets`` is an outlet of the corpus (``corpus_outlets``: one value per article).

    Returns
    -------
    tuple of str
        The outlet names, as :func:`parse_params` reads them.

    Raises
    ------
    ValueError
        If a name is not an outlet of the corpus: the message offers near matches (case and spelling) and lists
        the ``shown`` largest outlets with their article counts.
    """
    wanted = _str_list("outlets", outlets)
    counts = pd.Series(corpus_outlets, dtype=object).dropna().value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")  # ties by name
    missing = [o for o in wanted if o not in counts.index]
    if missing:
        listed = ", ".join(f"{name} ({n:,})" for name, n in counts.head(shown).items()) or "(none: no article " \
            "has an outlet; set it in metadata.csv, column outlet)"
        more = f" and {len(counts) - shown:,} more" if len(counts) > shown else ""
        raise ValueError(f"parameter 'outlets': {missing[0]!r} is not an outlet of this corpus"
                         f"{_near(missing[0], list(counts.index))}; outlets (articles): {listed}{more}")
    return wanted
