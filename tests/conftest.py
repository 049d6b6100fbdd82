"""Shared fixtures: the real sample corpus and a processed copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The five sample articles (read only)."""
    return RAW


@pytest.fixture(scope="session")
def processed(tmp_path_factory) -> Path:
    """``diplo run`` output for the sample corpus, computed once per test session."""
    from diplo import run_pipeline

    out = tmp_path_factory.mktemp("processed")
    run_pipeline(RAW, out)
    return out


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A writable copy of the sample corpus for tests that add files."""
    dest = tmp_path / "raw"
    shutil.copytree(RAW, dest)
    return dest
