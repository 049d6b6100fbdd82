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


def _rglob_files(raw):
    """What the fingerprint hashed before it walked with os.scandir (a stamp written then must still match)."""
    return [(p.relative_to(raw).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(raw.rglob("*")) if p.is_file()]


def test_raw_files_are_listed_in_the_order_and_with_the_stats_stamps_have_always_hashed(raw_copy, tmp_path):
    """Names that sort differently as text and as paths ("a-b" < "a/b" as text), hidden files, nested folders,
    links to files (followed), to folders (not walked into) and broken ones (skipped)."""
    from diplo.run.freshness import _raw_files

    for rel in ("a/b.txt", "a-b.txt", "a/c/d.txt", "a.b/e.txt", ".hidden.txt", "a/.x/f.txt", "B.txt", "é.txt"):
        (raw_copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw_copy / rel).write_text(rel, encoding="utf-8")
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "g.txt").write_text("g")
    (raw_copy / "link-dir").symlink_to(outside, target_is_directory=True)
    (raw_copy / "link-file.txt").symlink_to(raw_copy / "a-b.txt")
    (raw_copy / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    got = [(rel, st.st_size, st.st_mtime_ns) for rel, st in _raw_files(raw_copy)]
    assert got == _rglob_files(raw_copy)
    names = [rel for rel, *_ in got]
    assert names.index("a/b.txt") < names.index("a-b.txt") and "link-file.txt" in names
    assert "broken.txt" not in names and not any(n.startswith("link-dir/") for n in names)
