"""CSV files safe to open in a spreadsheet: text that would run as a formula is escaped (CSV injection).

A spreadsheet treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula (and a leading tab or
carriage return can hide one), so an article titled ``=HYPERLINK(...)`` or an outlet ``+cmd|' /C calc'!A0``
would run when a researcher opens ``articles.csv`` in Excel.  Following the OWASP rule, every CSV diplo
writes prefixes such a text cell with ``'`` unless it is a number (``-0.5`` stays a number).  Cells that
already start with quotes before such a character get one more, so the escaping can be undone exactly:
:func:`read_csv` returns the original text, and parquet files always hold it unescaped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["FORMULA_START", "escape_formulas", "unescape_formulas", "write_csv", "read_csv"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = "=+-@\t\r"
_RISKY = r"^'*[=+\-@\t\r]"
_ESCAPED = r"^'+[=+\-@\t\r]"
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def _text_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype)]


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell a spreadsheet would run as a formula prefixed by ``'`` (a new frame).

    Examples
    --------
    >>> escape_formulas(pd.DataFrame({"t": ["=1+1", "-0.5", "-x", "ok"]}))["t"].tolist()
    ["'=1+1", '-0.5', "'-x", 'ok']
    """
    out = None
    for column in _text_columns(df):
        values = df[column]
        text = values.astype(str) if values.dtype == object else values
        risky = (text.str.match(_RISKY) & ~text.str.fullmatch(_NUMBER)).fillna(False).astype(bool)
        if values.dtype == object:
            risky &= values.map(lambda v: isinstance(v, str)).astype(bool)
        if risky.any():
            out = df.copy() if out is None else out
            out[column] = values.where(~risky, "'" + text)
    return df if out is None else out


def unescape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`escape_formulas` (a new frame): the text as diplo read it."""
    out = None
    for column in _text_columns(df):
        values = df[column]
        escaped = values.map(lambda v: isinstance(v, str)).astype(bool)
        escaped &= values.astype(str).str.match(_ESCAPED).fillna(False).astype(bool)
        if escaped.any():
            out = df.copy() if out is None else out
            out[column] = values.where(~escaped, values.astype(str).str[1:])
    return df if out is None else out


def write_csv(df: pd.DataFrame, dest: str | os.PathLike) -> Path:
    """Write ``df`` as CSV (no index, ``\\n`` line ends), formulas escaped, under a temporary name renamed into place."""
    from diplo.io.outputs import atomic_path

    dest = Path(dest)
    with atomic_path(dest) as tmp:
        escape_formulas(df).to_csv(tmp, index=False, lineterminator="\n")
    return dest


def read_csv(path: str | os.PathLike, **options) -> pd.DataFrame:
    """Read a CSV written by diplo (``pandas.read_csv`` options), with escaped formulas restored."""
    return unescape_formulas(pd.read_csv(path, **options))
