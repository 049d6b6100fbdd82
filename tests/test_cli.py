"""Tests for diplo.cli: exit codes and error messages that name what was wrong."""

from __future__ import annotations

import pytest

from diplo.cli import main


@pytest.mark.parametrize("files, expected", [
    ({}, "0 file(s): 0 rejected, 0 duplicate"),
    ({"empty.txt": b"", "image.txt": b"\x89PNG\r\n\x1a\n\x00"}, "2 file(s): 2 rejected, 0 duplicate"),
])
def test_run_explains_exit_code_1(tmp_path, capsys, files, expected):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, data in files.items():
        (raw / name).write_bytes(data)
    assert main(["run", str(raw), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"no usable article in {raw} ({expected})" in err and "manifest.csv" in err


@pytest.mark.parametrize("value", ["-1", "0"])
def test_run_names_the_bad_max_file_mb_option(tmp_path, capsys, value):
    raw = tmp_path / "raw"
    raw.mkdir()
    assert main(["run", str(raw), "--out", str(tmp_path / "out"), "--max-file-mb", value]) == 2
    assert "--max-file-mb must be a number > 0" in capsys.readouterr().err


def test_version(capsys):
    from diplo import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out == f"diplo {__version__}\n"


def test_python_m_diplo(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "diplo", "--version"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, check=True)
    assert done.stdout.startswith("diplo ")


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["report", "--help"]])
def test_help_lists_the_exit_codes(capsys, argv):
    from diplo.cli import EXIT_CODES

    try:  # argparse exits after --help; `diplo report --help` lists the notebook parameters and returns
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out and all(f"  {code}  " in out for code in EXIT_CODES)
    assert "disk full" in out and "--wait" in out.replace("\n", " ")
