"""Input paths (diplo.io.paths): metadata.csv names stay inside raw, special files never hang a run."""

from __future__ import annotations

import multiprocessing
import os
import socket
import stat

import pytest

from diplo import load_outputs, run_pipeline
from diplo.cli import main
from diplo.io import raw as raw_module
from diplo.io.paths import NotRegularFile, check_outside_raw, metadata_file_name, open_regular

from conftest import GOOD_TEXT


@pytest.fixture
def raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD_TEXT)
    (raw / "other.txt").write_text("Armenia and Georgia signed a trade agreement in Tbilisi on Friday.\n")
    return raw


@pytest.mark.parametrize("rows, message", [
    ("../../../../etc/passwd,2023-01-01", "line 2: path '../../../../etc/passwd' leaves the raw folder"),
    ("good.txt,2023-01-01\nsub/../../x.txt,2023-01-01", "line 3: path 'sub/../../x.txt' leaves the raw folder"),
    ("/etc/hostname,2023-01-01", "line 2: absolute path '/etc/hostname'"),
    ("C:\\\\data\\\\a.txt,2023-01-01", "line 2: absolute path"),
    ("./good.txt,2023-01-01\ngood.txt,2023-01-02", "file 'good.txt' is listed twice (lines [2, 3])"),
    ("sub//a.txt,\nsub/./a.txt,", "file 'sub/a.txt' is listed twice"),
])
def test_metadata_paths_outside_raw_or_duplicated_stop_the_run(raw, tmp_path, capsys, rows, message):
    (raw / "metadata.csv").write_text("file,date\n" + rows + "\n")
    assert main(["run", str(raw), "--out", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "metadata.csv" in err and message in err
    assert not (tmp_path / "out").exists()  # refused before any output


@pytest.mark.parametrize("value, expected", [
    ("good.txt", "good.txt"), ("./good.txt", "good.txt"), ("sub/./a.txt", "sub/a.txt"), ("*.txt", "*.txt"),
    ("exports/2023-*.csv", "exports/2023-*.csv"), (" a.txt ", "a.txt"), ("", ""),
])
def test_metadata_names_and_globs_inside_raw_are_normalized(value, expected):
    assert metadata_file_name(value) == expected


def test_a_metadata_csv_symlinked_out_of_raw_is_refused(raw, tmp_path, capsys):
    (tmp_path / "elsewhere.csv").write_text("file,outlet\ngood.txt,Press TV\n")
    (raw / "metadata.csv").symlink_to(tmp_path / "elsewhere.csv")
    assert main(["run", str(raw), "--out", str(tmp_path / "out"), "-q"]) == 2
    assert "metadata.csv is a symlink leading out of the raw folder" in capsys.readouterr().err


def test_a_metadata_csv_symlinked_inside_raw_is_read(raw, tmp_path):
    (raw / "meta").mkdir()
    (raw / "meta" / "real.csv").write_text("file,outlet\ngood.txt,Press TV\n")
    (raw / "metadata.csv").symlink_to("meta/real.csv")
    run_pipeline(raw, tmp_path / "out", scorers=["vader"])
    assert load_outputs(tmp_path / "out")["articles"].set_index("doc_id").loc["good", "outlet"] == "Press TV"


def test_run_json_hashes_only_inputs_inside_raw(raw, tmp_path):
    from diplo.report.batch import _input_hashes

    (tmp_path / "secret.txt").write_text("not an input")
    (raw / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (raw / "inside.txt").symlink_to("good.txt")
    (raw / ".hidden.txt").write_text("hidden")
    (raw / "shadow").write_text("root:x:0:0")  # an unsupported file: never read, never hashed
    os.mkfifo(raw / "pipe.txt")
    (raw / "metadata.csv").write_text("file,outlet\ngood.txt,Press TV\n")
    assert sorted(_input_hashes(raw)) == ["good.txt", "inside.txt", "metadata.csv", "other.txt"]


@pytest.mark.parametrize("kind", ["fifo", "socket", "device", "folder"])
def test_open_regular_refuses_special_files(tmp_path, kind):
    path = tmp_path / "x.txt"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
    elif kind == "device":
        try:
            os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero: reading it never ends
        except PermissionError:
            pytest.skip("creating a device node needs root")
    else:
        path.mkdir()
    expected = {"fifo": "FIFO", "socket": "socket", "device": "character device", "folder": "folder"}[kind]
    with pytest.raises(NotRegularFile, match=f"not a regular file .*{expected}"):
        open_regular(path)


def _swap_after_listing(monkeypatch, make) -> None:
    """Replace ``good.txt`` by what ``make(path)`` creates once the raw folder has been listed."""
    real = raw_module.iter_raw_files

    def listing_then_swap(raw_dir):
        entries = real(raw_dir)
        first = next(entries)  # the listing is complete once the first entry comes out
        target = raw_dir / "good.txt"
        target.unlink()
        make(target)
        yield first
        yield from entries

    monkeypatch.setattr(raw_module, "iter_raw_files", listing_then_swap)


def _run_in_child(raw, out) -> int:
    """run_pipeline in a forked child, so a hang fails the test instead of stopping the suite."""
    proc = multiprocessing.get_context("fork").Process(
        target=lambda: (run_pipeline(raw, out, scorers=["vader"]), os._exit(0)))
    proc.start()
    proc.join(120)  # a safety net, not a timing check
    if proc.is_alive():
        proc.kill()
        proc.join()
        pytest.fail("diplo run hung on a file swapped for a special file")
    return proc.exitcode


@pytest.mark.parametrize("kind, reason", [
    ("fifo", "not a regular file (a named pipe (FIFO))"),
    ("device", "not a regular file (a character device)"),
    ("socket", "not a regular file (a socket)"),
])
def test_a_file_swapped_for_a_special_file_mid_run_is_rejected(raw, tmp_path, monkeypatch, kind, reason):
    sockets = []

    def make(path):
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "device":
            try:
                os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))
            except PermissionError:
                pytest.skip("creating a device node needs root")
        else:
            sockets.append(socket.socket(socket.AF_UNIX))
            sockets[-1].bind(str(path))

    _swap_after_listing(monkeypatch, make)
    assert _run_in_child(raw, tmp_path / "out") == 0
    manifest = load_outputs(tmp_path / "out")["manifest"].set_index("source_file")
    assert manifest.loc["good.txt", "status"] == "rejected"
    assert reason in manifest.loc["good.txt", "reason"]
    assert manifest.loc["other.txt", "status"] == "ok"


def test_check_outside_raw_names_what_is_inside(tmp_path):
    with pytest.raises(ValueError, match="processed dir .*/raw/p must not be inside the raw folder"):
        check_outside_raw(tmp_path / "raw", output_dir=tmp_path / "out", processed_dir=tmp_path / "raw" / "p")
    check_outside_raw(tmp_path / "raw", output_dir=tmp_path / "raw-out", processed_dir=None)
