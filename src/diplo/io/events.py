"""Event lists: dated events (``date,label`` CSV) drawn as labelled markers on every time chart."""

from __future__ import annotations

import csv
import datetime as _dt
import os
from pathlib import Path

import pandas as pd

from diplo.io.resources import data_path

__all__ = ["EVENT_COLUMNS", "load_events", "packaged_events"]

EVENT_COLUMNS = ("date", "label")
_MAX_LABEL = 200


def packaged_events() -> list[str]:
    """Names of the event lists shipped with diplo (``events="iran_azerbaijan"`` selects one)."""
    folder = data_path("events/iran_azerbaijan.csv").parent
    return sorted(p.stem for p in folder.glob("*.csv"))


def _resolve(source: str | os.PathLike) -> Path:
    path = Path(source).expanduser()
    if path.is_file():
        return path
    name = str(source)
    if name in packaged_events():
        return data_path(f"events/{name}.csv")
    raise ValueError(f"events file {name!r} does not exist (resolved to {path.resolve()}); give a CSV with "
                     f"columns date,label or a packaged list: {', '.join(packaged_events())}")


def load_events(source: str | os.PathLike | None) -> pd.DataFrame:
    """Read an event list: a CSV with a ``date`` (YYYY-MM-DD) and a ``label`` column (others kept).

    Parameters
    ----------
    source : path of a CSV, the name of a packaged list (see :func:`packaged_events`), or ``""``/``None``
        for no events.

    Returns
    -------
    DataFrame ``date`` (Timestamp), ``label`` and any further columns (e.g. ``source``), sorted by date.

    Raises
    ------
    ValueError
        If the file is missing, lacks a ``date`` or ``label`` column, or a row has a date that is not
        ``YYYY-MM-DD`` or an empty label (the message names the file and line).

    Examples
    --------
    >>> load_events("iran_azerbaijan").iloc[3]["label"]
    "Attack on Azerbaijan's embassy in Tehran"
    """
    if source is None or (isinstance(source, str) and not source.strip()):
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "label": pd.Series(dtype=str)})
    path = _resolve(source)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = [f.strip() for f in reader.fieldnames or []]
        missing = [c for c in EVENT_COLUMNS if c not in fields]
        if missing:
            raise ValueError(f"{path}: events file needs columns {', '.join(EVENT_COLUMNS)}; "
                             f"found {', '.join(fields) or '(none)'}")
        rows = []
        for line, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            try:
                date = _dt.date.fromisoformat(row["date"])
            except ValueError:
                raise ValueError(f"{path} line {line}: date {row['date']!r} is not YYYY-MM-DD") from None
            if not row["label"]:
                raise ValueError(f"{path} line {line}: empty label")
            rows.append({**row, "date": pd.Timestamp(date), "label": row["label"][:_MAX_LABEL]})
    out = pd.DataFrame(rows, columns=list(dict.fromkeys([*EVENT_COLUMNS, *fields])))
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values(["date", "label"]).reset_index(drop=True)
