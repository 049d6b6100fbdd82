"""One writer per output folder (diplo.run.lock): a second writer fails at once naming the holder, or waits."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from diplo.cli import main
from diplo.run.lock import LOCK_FILE, FolderBusy, lock_holder, output_lock


def _hold(folder, ready, release) -> None:
    with output_lock(folder, command="diplo run"):
        ready.set()
        release.wait(120)  # a safety net, not a timing check


@pytest.fixture
def held(tmp_path):
    """``(folder, pid, release)``: another process holds the lock of ``folder`` until ``release`` is set."""
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    folder = tmp_path / "out"
    proc = ctx.Process(target=_hold, args=(folder, ready, release))
    proc.start()
    assert ready.wait(60)
    yield folder, proc, release
    if proc.is_alive():  # (a killed waiter would make Event.set wait for it forever)
        release.set()
        proc.join(60)


@pytest.mark.parametrize("command", [
    ["run", "{raw}", "--out", "{out}", "-q"],
    ["report", "--only", "01_corpus", "-p", "raw_dir", "{raw}", "--out", "{out}", "-q"],
    ["report", "--only", "01_corpus", "-p", "raw_dir", "{raw}", "-p", "processed_dir", "{out}",
     "--out", "{other}", "-q"],
])
def test_a_second_writer_exits_2_at_once_naming_the_holder(held, raw_dir, tmp_path, capsys, command):
    folder, proc, _ = held
    argv = [a.format(raw=raw_dir, out=folder, other=tmp_path / "report") for a in command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{folder} is in use by pid {proc.pid}, diplo run, started " in err and "--wait" in err
    assert not (folder / "articles.parquet").exists()


def test_wait_queues_behind_the_holder(held, raw_dir, capsys):
    folder, proc, release = held
    ctx = multiprocessing.get_context("fork")
    waiter = ctx.Process(target=lambda: os._exit(main(["run", str(raw_dir), "--out", str(folder), "-q", "--wait",
                                                      "--scorer", "vader"])))
    waiter.start()
    time.sleep(1.0)  # not a timing check: the waiter must not have finished while the lock is held
    assert waiter.is_alive() and not (folder / "articles.parquet").exists()
    release.set()
    waiter.join(300)
    assert waiter.exitcode == 0 and (folder / "articles.parquet").is_file()


def test_the_os_releases_the_lock_of_a_killed_holder(held):
    folder, proc, _ = held
    with pytest.raises(FolderBusy, match=f"pid {proc.pid}"):
        with output_lock(folder):
            pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(60)
    with output_lock(folder):  # no stale lock to remove by hand
        assert "pid " + str(os.getpid()) in lock_holder(folder)
    assert (folder / LOCK_FILE).read_text() == ""  # released: the file says nothing


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    with output_lock(tmp_path, command="outer"):
        with output_lock(tmp_path, command="inner"):
            assert "outer" in lock_holder(tmp_path)
        assert "outer" in lock_holder(tmp_path)


def test_concurrent_runs_on_one_folder_never_mix(raw_dir, tmp_path):
    """The reported attack: two runs on one folder; one publishes, the other is refused, outputs are whole."""
    import pandas as pd

    from diplo import load_outputs

    ctx = multiprocessing.get_context("fork")
    out = tmp_path / "out"
    runs = [ctx.Process(target=lambda: os._exit(main(["run", str(raw_dir), "--out", str(out), "-q",
                                                      "--scorer", "vader"]))) for _ in range(2)]
    for proc in runs:
        proc.start()
    for proc in runs:
        proc.join(300)
    assert sorted(p.exitcode for p in runs) in ([0, 0], [0, 2])  # the second is refused unless the first is done
    tables = load_outputs(out)
    assert len(tables["articles"]) == 5
    assert pd.read_csv(out / "articles.csv")["doc_id"].tolist() == tables["articles"]["doc_id"].tolist()
