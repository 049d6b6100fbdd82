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
