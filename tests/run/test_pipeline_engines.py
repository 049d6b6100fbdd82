"""Parallel and dask engines: the same bytes as the one-process pandas run, whatever the number of workers."""

from __future__ import annotations

import hashlib

import pytest

from diplo.cli import main
from diplo.run.pipeline import run_pipeline
from diplo.run.workers import map_ordered


def _tree_hash(folder) -> dict[str, str]:
    """Every output's SHA-256 but run.json's, the one file with times and options (diplo.run.provenance), and
    generation.json's, which lists run.json's hash."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in ("run.json", "generation.json")}


@pytest.fixture(scope="module")
def serial(raw_dir, tmp_path_factory):
    """One process, chunks of two articles (so the sample corpus makes three chunks)."""
    out = tmp_path_factory.mktemp("serial")
    run_pipeline(raw_dir, out, chunk_size=2)
    return _tree_hash(out)


def test_two_jobs_write_the_same_bytes(raw_dir, tmp_path, serial):
    run_pipeline(raw_dir, tmp_path, chunk_size=2, jobs=2)
    assert _tree_hash(tmp_path) == serial


def test_dask_engine_writes_the_same_bytes(raw_dir, tmp_path, serial):
    run_pipeline(raw_dir, tmp_path, chunk_size=2, engine="dask", jobs=1)
    assert _tree_hash(tmp_path) == serial
    assert not (tmp_path / ".dask-work").exists()


def _square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("jobs", [1, 2])
def test_map_ordered_keeps_input_order(jobs):
    assert list(map_ordered(_square, [(k,) for k in range(9)], jobs)) == [k * k for k in range(9)]


@pytest.mark.parametrize("options, message", [
    ({"engine": "spark"}, "unknown engine 'spark'; valid engines: pandas, dask"),
    ({"jobs": 0}, "jobs must be a whole number >= 1, got 0"),
    ({"chunk_size": 2.5}, "chunk_size must be a whole number >= 1, got 2.5"),
    ({"scheduler": "tcp://localhost:8786"}, "needs engine 'dask'"),
])
def test_bad_engine_options_are_clear_errors(raw_dir, tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        run_pipeline(raw_dir, tmp_path, **options)


def test_progress_bar_only_when_asked_or_on_a_terminal(raw_dir, tmp_path, capsys):
    run_pipeline(raw_dir, tmp_path / "quiet")
    assert capsys.readouterr().err == ""  # stderr is not a terminal under pytest
    run_pipeline(raw_dir, tmp_path / "bar", progress=True)
    err = capsys.readouterr().err
    assert "5/5" in err and "article/s" in err


def test_cli_jobs_and_engine(raw_dir, tmp_path, capsys):
    assert main(["run", str(raw_dir), "--out", str(tmp_path), "--jobs", "2", "--engine", "pandas"]) == 0
    assert '"n_articles": 5' in capsys.readouterr().out
    assert main(["run", str(raw_dir), "--out", str(tmp_path), "--jobs", "0"]) == 2
    assert "jobs must be a whole number" in capsys.readouterr().err


def test_a_failed_run_stops_its_worker_processes(raw_dir, tmp_path, monkeypatch):
    """An error in the parent mid-run shuts the pool down at once, not when the traceback is freed."""
    import os

    import psutil

    from diplo.io import outputs

    def fail(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outputs.TableSink, "write", fail)
    with pytest.raises(RuntimeError, match="disk full") as excinfo:
        run_pipeline(raw_dir, tmp_path / "out", jobs=2, chunk_size=1)
    workers = [p for p in psutil.Process().children(recursive=True)
               if p.ppid() != os.getpid() and "forkserver" in " ".join(p.cmdline())]
    assert excinfo.value is not None and workers == []
    assert not (tmp_path / "out" / "articles.parquet").exists()
