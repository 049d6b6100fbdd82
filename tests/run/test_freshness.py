"""A ``diplo run`` output is reused by ``diplo report -p processed_dir`` when its inputs, options and code match."""

from __future__ import annotations

import json
import os

import pytest

from diplo.cli import main
from diplo.run.freshness import ensure_processed


def _generation(out):
    return os.readlink(out / ".diplo-current"), (out / "run.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("run_args, fresh", [
    ([], True),  # every option at its default, as the report passes none
    (["--jobs", "2", "--chunk-size", "500", "--date-order", "DMY", "-q"], True),  # how, not what
    (["--scorer", "vader"], False),  # other scorers: other tables
])
def test_diplo_run_output_counts_as_fresh_for_the_same_work(raw_copy, tmp_path, run_args, fresh):
    out = tmp_path / "OUT"
    assert main(["run", str(raw_copy), "--out", str(out), *run_args]) == 0
    before = _generation(out)
    assert ensure_processed(raw_copy, out) is (not fresh)
    if fresh:
        assert _generation(out) == before  # not rewritten (run.json holds the run's start time)


def test_diplo_run_then_report_does_not_reprocess_until_an_input_changes(raw_copy, tmp_path):
    out, report = tmp_path / "OUT", tmp_path / "report"
    assert main(["run", str(raw_copy), "--out", str(out), "-q"]) == 0
    before = _generation(out)
    args = ["report", str(raw_copy), "--out", str(report), "--only", "01_corpus", "-q", "-p", "processed_dir", str(out)]
    assert main(args) == 0
    assert json.loads((report / "run.json").read_text())["reprocessed"] is False
    assert _generation(out) == before
    with open(raw_copy / "000_fffe2469ccd24148.txt", "a", encoding="utf-8") as f:
        f.write("\nIran and Azerbaijan signed a transit agreement in Baku on Monday.\n")
    assert main(args) == 0
    assert json.loads((report / "run.json").read_text())["reprocessed"] is True
    assert _generation(out)[1] != before[1]
