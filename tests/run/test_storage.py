"""A full disk or an I/O error: exit code 3, one line naming the folder, staging removed, previous outputs kept."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys

import pytest

from diplo import load_outputs, run_pipeline
from diplo.cli import main
from diplo.run.publish import STAGING_PREFIX, StorageError, is_storage_error

from conftest import GOOD_TEXT


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _arrow_enospc(*args, **kwargs):  # how pyarrow reports it: no errno attribute, the errno in the message
    raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")


_real_open = os.open


def _lock_enospc(path, *args, **kwargs):
    if str(path).endswith(".diplo.lock"):
        _enospc()
    return _real_open(path, *args, **kwargs)


# (module attribute patched, replacement): every place outputs are written, from the lock to the publish step
WRITE_POINTS = {
    "lock file": ("diplo.run.lock.os.open", _lock_enospc),
    "table chunk (parquet)": ("diplo.io.outputs.pq.ParquetWriter.write_table", _arrow_enospc),
    "articles.csv chunk": ("diplo.io.outputs._csv_rows", _enospc),
    "tone_by_date parquet": ("diplo.run.pipeline.write_table", _enospc),
    "manifest.csv": ("diplo.run.pipeline.write_csv", _enospc),
    "codebook": ("pathlib.Path.write_text", _enospc),
    "flush before publishing": ("diplo.run.publish.os.fsync", _enospc),
    "generation.json": ("diplo.run.publish.write_json", _enospc),
}


def _hashes(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".") and p.name != "filler"}


@pytest.mark.parametrize("point", WRITE_POINTS)
def test_disk_full_at_each_write_point(raw_dir, tmp_path, monkeypatch, capsys, point):
    out = tmp_path / "out"
    run_pipeline(raw_dir, out, scorers=["vader"])
    before = _hashes(out)
    target, replacement = WRITE_POINTS[point]
    monkeypatch.setattr(target, replacement)
    assert main(["run", str(raw_dir), "--out", str(out), "-q", "--scorer", "vader", "--jobs", "1"]) == 3
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("diplo run: error: cannot write outputs in ")
    assert str(out) in err and "No space left on device" in err
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert _hashes(out) == before and len(load_outputs(out)["articles"]) == 5


def test_run_pipeline_raises_storage_error_naming_the_folder(raw_dir, tmp_path, monkeypatch):
    monkeypatch.setattr("diplo.run.pipeline.write_csv", _enospc)
    with pytest.raises(StorageError, match=f"cannot write outputs in {tmp_path}: No space left on device"):
        run_pipeline(raw_dir, tmp_path, scorers=["vader"])


@pytest.mark.parametrize("exc, expected", [
    (OSError(errno.ENOSPC, "No space left on device"), True),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), True),
    (OSError(errno.EROFS, "Read-only file system"), True),
    (OSError(errno.EIO, "Input/output error"), True),
    (OSError("Detail: [errno 28] No space left on device"), True),
    (FileNotFoundError(errno.ENOENT, "No such file or directory"), False),
    (PermissionError(errno.EACCES, "Permission denied"), False),
    (ValueError("No space left on device"), False),
])
def test_storage_errors_are_told_apart(exc, expected):
    assert is_storage_error(exc) is expected


def _free_bytes(folder) -> int:
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


@pytest.fixture
def small_disk(tmp_path):
    """A 5 MB tmpfs (root only; skipped where mounting is not permitted)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_real_full_disk(raw_dir, tmp_path, small_disk):
    out = small_disk / "out"
    run_pipeline(raw_dir, out, scorers=["vader"])  # the previous generation fits
    before = _hashes(out)
    big = tmp_path / "big"
    big.mkdir()
    for i in range(300):
        (big / f"a{i:04d}.txt").write_text(f"Article {i}. " + GOOD_TEXT * 6)
    with open(small_disk / "filler", "wb") as fh:  # other data on the disk: 300 KB stay free
        fh.write(b"\0" * (_free_bytes(small_disk) - 300_000))
    free = _free_bytes(small_disk)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-m", "diplo.cli", "run", str(big), "--out", str(out), "-q",
                           "--jobs", "1", "--scorer", "vader"], env=env, capture_output=True, text=True)
    assert done.returncode == 3, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == f"diplo run: error: cannot write outputs in {out}: No space left on device"
    assert "Traceback" not in done.stderr
    assert _free_bytes(small_disk) == free  # the staging folder went: the disk is not left full
    assert _hashes(out) == before and len(load_outputs(out)["articles"]) == 5
