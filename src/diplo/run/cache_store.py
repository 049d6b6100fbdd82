"""The storage of :mod:`diplo.run.cache`: stage folders written atomically and checked on read, and the keys
(fingerprints of code, options and dictionaries) that address them.

A stage is a folder of parquet tables and raw arrays with ``stage.json`` (each file's SHA-256, the tables'
pandas dtypes, free metadata).  It is written under a temporary name and renamed into place, so a crash
never leaves a half-written stage under its real name; a stage whose bytes do not match ``stage.json`` is
reported as damaged (:class:`CacheCorrupt`) and recomputed by the cache.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["CacheCorrupt", "digest", "file_digest", "code_digests", "scorer_fingerprint", "write_stage",
           "read_stage", "stage_ok", "write_table_atomic"]

_PACKAGE = Path(__file__).resolve().parent.parent
_LIBRARIES = ("numpy", "pandas", "pyarrow", "nltk", "trafilatura", "charset-normalizer", "vaderSentiment",
              "lingua-language-detector", "langdetect", "fasttext")
_THEMES_FILE = "themes.yml"
# packaged data files read by the text stage and by the themes scorer (the tone part reads all but themes.yml)
_TEXT_DATA = ("outlets.yml", "spellings.yml")
_THEMES_DATA = (_THEMES_FILE, "negation.yml", "spellings.yml")


class CacheCorrupt(RuntimeError):
    """A cached stage cannot be read or its bytes do not match its checksums (the message names it)."""


def digest(*parts: Any) -> str:
    """SHA-256 (hex) of ``parts`` as canonical JSON."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def file_digest(path: str | os.PathLike | None) -> str | None:
    """SHA-256 of a file's bytes (None for None)."""
    return None if path is None else hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _tree_digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.relative_to(_PACKAGE).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _versions() -> dict[str, str]:
    out = {}
    for name in _LIBRARIES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = ""
    return out


def code_digests() -> dict[str, str]:
    """What each stage's results depend on besides its inputs: diplo's version, the sources and packaged
    data files the stage reads, and the versions of the libraries it calls.

    ``text``: :mod:`diplo.io` and :mod:`diplo.text` (and the run's stage functions, the token index's
    tokenizer), with this year (a date
    may lie at most one year ahead, :func:`diplo.text.dates.year_range`); ``tone``: the scoring code and
    every packaged data file but ``themes.yml``; ``themes``: the scoring code, ``themes.yml`` and the word
    lists the matcher reads; ``outputs``: every source file of diplo (what assembles and writes the output
    tables from the stages).
    """
    from diplo import __version__

    data = [p for p in (_PACKAGE / "data").rglob("*") if p.is_file()]
    text_data = [p for p in data if p.name in _TEXT_DATA]
    stages = [_PACKAGE / "run" / "stages.py"]
    tokenizer = [_PACKAGE / "scoring" / "_engine" / "tokens.py", _PACKAGE / "scoring" / "token_index.py"]
    text = _tree_digest([*(_PACKAGE / "io").rglob("*.py"), *(_PACKAGE / "text").rglob("*.py"), *stages,
                         *tokenizer, *text_data])
    scoring = _tree_digest([*(_PACKAGE / "scoring").rglob("*.py"), *(_PACKAGE / "analysis").rglob("*.py"),
                            *stages])
    versions = _versions()
    year = datetime.date.today().year
    return {"text": digest(__version__, text, versions, year),
            "tone": digest(__version__, scoring, versions, _tree_digest(p for p in data if p.name != _THEMES_FILE)),
            "themes": digest(__version__, scoring, versions, _tree_digest(p for p in data if p.name in _THEMES_DATA)),
            "aggregate": digest(__version__, _tree_digest((_PACKAGE / "analysis").rglob("*.py")), versions),
            "outputs": digest(__version__, _tree_digest(_PACKAGE.rglob("*.py")), versions)}


def scorer_fingerprint(scorer: Any) -> Any:
    """What a tone scorer's results depend on: its name (a packaged scorer: the packaged files count in
    :func:`code_digests`), or for an object its class, options and the content of its dictionary file;
    None when that cannot be told (its results are then never reused)."""
    if isinstance(scorer, str):
        return scorer
    dictionary = getattr(scorer, "dictionary", None)
    source = getattr(dictionary, "source", None)
    if source is not None and not Path(str(source)).is_file() and (_PACKAGE.parent / str(source)).is_file():
        source = _PACKAGE.parent / str(source)  # a packaged file, named from the package ("diplo/data/...")
    if source is None or not Path(str(source)).is_file():
        return None
    primitive = (str, int, float, bool, frozenset, tuple)
    options = {k: sorted(v) if isinstance(v, frozenset) else v for obj in (scorer, dictionary)
               for k, v in vars(obj).items() if isinstance(v, primitive) and k != "entries"}
    return [type(scorer).__name__, options, file_digest(source)]


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    sink = pa.BufferOutputStream()
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_stage(folder: Path, tables: dict[str, pd.DataFrame], arrays: dict[str, np.ndarray] | None = None,
                meta: dict | None = None) -> None:
    """Write a stage folder atomically: files and their checksums under a temporary name, then one rename.

    A stage already in place is left alone (content-addressed: another run wrote the same stage), unless its
    bytes are damaged: it is then replaced.
    """
    if folder.is_dir():
        if stage_ok(folder, verify=True):
            return
        shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        sums, dtypes, shapes = {}, {}, {}
        for name, df in tables.items():
            data = _parquet_bytes(df)
            _fsync_write(tmp / f"{name}.parquet", data)
            sums[f"{name}.parquet"] = hashlib.sha256(data).hexdigest()
            dtypes[name] = {str(c): str(t) for c, t in df.dtypes.items()}
        for name, array in (arrays or {}).items():
            data = np.ascontiguousarray(array).tobytes()
            _fsync_write(tmp / f"{name}.bin", data)
            sums[f"{name}.bin"] = hashlib.sha256(data).hexdigest()
            shapes[name] = [str(array.dtype), list(array.shape)]
        info = {"files": sums, "dtypes": dtypes, "arrays": shapes, "meta": meta or {}}
        _fsync_write(tmp / "stage.json", json.dumps(info, sort_keys=True).encode())
        try:
            os.rename(tmp, folder)
        except OSError:  # another run renamed the same stage first
            if not folder.is_dir():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def stage_ok(folder: Path, *, verify: bool = False) -> bool:
    """The stage is complete on disk (its checksum file and every file it names), and with ``verify`` every
    file's bytes match their SHA-256."""
    try:
        info = json.loads((folder / "stage.json").read_text())
        if not verify:
            return all((folder / name).is_file() for name in info["files"])
        return all(hashlib.sha256((folder / name).read_bytes()).hexdigest() == expected
                   for name, expected in info["files"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _restore(df: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    """The dtypes the table had when written (parquet reads strings as ``str``, all-null columns as object)."""
    wanted = {}
    for column, dtype in dtypes.items():
        if column in df.columns and str(df[column].dtype) != dtype:
            try:
                wanted[column] = pd.api.types.pandas_dtype(dtype)
            except TypeError:  # a dtype pandas cannot name back: leave the column as read
                continue
    return df.astype(wanted) if wanted else df


def read_stage(folder: Path, *, leave_out: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict]:
    """The stage's tables (DataFrames, with their written dtypes) and arrays, each checked against its
    SHA-256, and its metadata.

    ``leave_out``: ``{table: columns}`` not to decode (checked all the same); ``{table: None}``: the whole
    table (then not returned); a column list starting with ``"*"``: every column but those after it.

    Raises
    ------
    CacheCorrupt
        When a file is missing, cannot be parsed or its bytes do not match.
    """
    try:
        info = json.loads((folder / "stage.json").read_text())
        out: dict[str, Any] = {}
        for name, expected in info["files"].items():
            data = (folder / name).read_bytes()
            if hashlib.sha256(data).hexdigest() != expected:
                raise CacheCorrupt(f"{folder / name}: bytes do not match the checksum")
            stem, suffix = name.rsplit(".", 1)
            skip = (leave_out or {}).get(stem, ())
            if skip is None:
                continue
            if suffix == "parquet":
                columns = None
                if skip:
                    names = pq.read_schema(pa.BufferReader(data)).names
                    columns = ([c for c in names if c in skip[1:]] if skip[0] == "*" else
                               [c for c in names if c not in skip])
                table = pq.read_table(pa.BufferReader(data), columns=columns)
                out[stem] = _restore(table.to_pandas(), info["dtypes"].get(stem, {}))
            else:
                dtype, shape = info["arrays"][stem]
                out[stem] = np.frombuffer(data, dtype=dtype).reshape(shape)
        return out, info["meta"]
    except CacheCorrupt:
        raise
    except Exception as exc:
        raise CacheCorrupt(f"{folder}: cannot be read ({type(exc).__name__}: {exc})") from exc


def write_table_atomic(df: pd.DataFrame, path: Path) -> None:
    """One parquet file written under a temporary name and renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        _fsync_write(Path(tmp), _parquet_bytes(df))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
