"""Tests for diplo.io.outputs: atomic, deterministic writing."""

from __future__ import annotations

import stat

import pandas as pd
import pytest

from diplo.io import outputs as io


@pytest.mark.parametrize("write, name", [
    (lambda p: io.write_table(pd.DataFrame({"a": [1]}), p, csv=True), "t.parquet"),
    (lambda p: io.write_text("x", p), "t.txt"),
    (lambda p: io.write_json({"a": 1}, p), "t.json"),
])
def test_outputs_get_the_mode_of_any_new_file(tmp_path, write, name):
    (tmp_path / "plain").write_text("x")  # what open() gives under the current umask
    expected = stat.S_IMODE((tmp_path / "plain").stat().st_mode)
    write(tmp_path / name)
    written = [p for p in tmp_path.iterdir() if p.name != "plain"]
    assert written and all(stat.S_IMODE(p.stat().st_mode) == expected for p in written)


def test_csv_rows_equal_pandas_to_csv():
    """The articles CSV is written by diplo.io.outputs.csv_rows; pandas' to_csv is the oracle."""
    import numpy as np
    import pandas as pd

    from diplo.io.outputs import _csv_rows

    rng = np.random.default_rng(8)
    n = 400
    pieces = ["a", "B", " ", ",", '"', "\n", "\r", "\t", ";", "'", "\u00e9", "\u201c", "\u2028", "x,y", '""', ""]
    texts = ["".join(rng.choice(pieces, size=rng.integers(0, 8))) for _ in range(n)]
    floats = rng.normal(size=n) * 10.0 ** rng.integers(-9, 18, size=n)
    floats[::7] = np.nan
    floats[1::11] = -0.0
    floats[2::13] = 0.1 + 0.2
    df = pd.DataFrame({
        "text": pd.array(texts, dtype="str"),
        "maybe": pd.Series([t if i % 3 else None for i, t in enumerate(texts)], dtype=object),
        "float": floats,
        "whole": np.arange(n) - 200,
        "flag": rng.random(n) < 0.5,
        "small": (rng.random(n) * 1e-5).round(12),
        "nullable": pd.array([t if i % 4 else None for i, t in enumerate(texts)], dtype="str"),
    })
    df.loc[5:9, "float"] = [np.inf, -np.inf, 1e16, 5e-324, 123456789.0]
    assert _csv_rows(df) == df.to_csv(header=False, index=False, lineterminator="\n")
    assert _csv_rows(df.assign(when=pd.Timestamp("2021-01-01"))) is None  # other dtypes: pandas writes
