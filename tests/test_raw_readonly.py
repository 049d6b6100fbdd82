"""raw/ is read-only on every path: every CLI command and folder parameter, with raw snapshotted around it."""

from __future__ import annotations

import shutil

import pytest

from diplo.cli import main

from conftest import RAW, raw_snapshot as snapshot


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    """The sample corpus with a subfolder and a symlink inside, in a folder of its own."""
    base = tmp_path_factory.mktemp("ro")
    raw = base / "raw"
    shutil.copytree(RAW, raw)
    (raw / "sub").mkdir()
    (raw / "sub" / "extra.txt").write_text("Iran and Azerbaijan met in Baku to discuss the corridor and trade.\n")
    (raw / "link.txt").symlink_to("sub/extra.txt")
    return raw


# (argv with {raw} and {tmp}, expected exit code, message on stderr)
COMMANDS = {
    "run, --out is raw": (["run", "{raw}", "--out", "{raw}"], 2, "must not be inside the raw folder"),
    "run, --out below raw": (["run", "{raw}", "--out", "{raw}/sub/out"], 2, "must not be inside the raw folder"),
    "run, --out below raw through a symlink": (["run", "{raw}", "--out", "{tmp}/alias/out"], 2,
                                               "must not be inside the raw folder"),
    "run, --out below raw, --wait": (["run", "{raw}", "--out", "{raw}/processed", "--wait"], 2, "raw is read-only"),
    "run, --out outside raw": (["run", "{raw}", "--out", "{tmp}/out", "--scorer", "vader"], 0, ""),
    "run, dask engine": (["run", "{raw}", "--out", "{tmp}/dask", "--engine", "dask", "--jobs", "1",
                          "--scorer", "vader"], 0, ""),
    "report, --out is raw": (["report", "--only", "01_corpus", "-p", "raw_dir", "{raw}", "--out", "{raw}"], 2,
                             "must not be inside the raw folder"),
    "report, --out below raw": (["report", "--only", "01_corpus", "-p", "raw_dir", "{raw}", "--out",
                                 "{raw}/sub/rep"], 2, "must not be inside the raw folder"),
    "report, processed_dir is raw": (["report", "--only", "01_corpus", "-p", "raw_dir", "{raw}", "-p",
                                      "processed_dir", "{raw}", "--out", "{tmp}/rep1"], 2,
                                     "processed dir {raw} must not be inside the raw folder"),
    "report, processed_dir below raw": (["report", "--only", "06_report", "-p", "raw_dir", "{raw}", "-p",
                                         "processed_dir", "{raw}/sub/p", "--out", "{tmp}/rep2"], 2,
                                        "must not be inside the raw folder"),
    "report, output_dir below raw": (["report", "--only", "02_tone", "-p", "raw_dir", "{raw}", "-p", "output_dir",
                                      "{raw}/o", "--out", "{raw}/o"], 2, "must not be inside the raw folder"),
    "report, everything outside raw": (["report", "--only", "01_corpus", "-p", "raw_dir", "{raw}", "--out",
                                        "{tmp}/rep3", "-q"], 0, ""),
    "validate a file inside raw": (["validate", "{raw}/labels.csv", "--scorer", "vader"], 0, ""),
}


@pytest.mark.parametrize("name", COMMANDS)
def test_raw_is_unchanged_by_every_command(raw, tmp_path, capsys, monkeypatch, name):
    argv, code, message = COMMANDS[name]
    (tmp_path / "alias").symlink_to(raw)
    if "validate" in name and not (raw / "labels.csv").exists():
        (raw / "labels.csv").write_text("text,label\nThe talks were constructive.,1\nThey condemned the attack.,-1\n")
    monkeypatch.chdir(RAW.parents[1])  # report finds notebooks/ from the repository root
    before = snapshot(raw)
    assert main([a.format(raw=raw, tmp=tmp_path) for a in argv]) == code
    assert snapshot(raw) == before
    assert message.format(raw=raw) in capsys.readouterr().err
