"""All-or-nothing outputs (diplo.run.publish): a run publishes one complete generation, or nothing."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import signal

import pandas as pd
import pytest

from diplo import load_outputs, run_pipeline
from diplo.io.generation import CURRENT_LINK, GENERATION_FILE, IncompleteOutputs, current_generation
from diplo.run.publish import KILL_AT_ENV, PUBLISH_STEPS, STAGING_PREFIX

from conftest import GOOD_TEXT

PUBLIC = ["articles.parquet", "articles.csv", "sentences.parquet", "sentence_scores.parquet", "evidence.parquet",
          "manifest.csv", "rejected_rows.csv", "tone_by_date.csv", "tone_by_outlet.parquet", "CODEBOOK.md"]


def _public_hashes(out) -> dict[str, str]:
    """What a script reading the public names sees."""
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in PUBLIC}


@pytest.fixture(scope="module")
def two_corpora(tmp_path_factory, raw_dir):
    """Corpus A (the sample) and corpus B (two other articles), and each one's outputs from a clean run."""
    base = tmp_path_factory.mktemp("gens")
    raw_b = base / "raw_b"
    raw_b.mkdir()
    (raw_b / "good.txt").write_text(GOOD_TEXT)
    (raw_b / "other.txt").write_text("Armenia and Georgia signed a trade agreement in Tbilisi on Friday.\n\n"
                                     "Officials called the talks constructive and promised more cooperation.\n")
    outs = {}
    for name, raw in (("a", raw_dir), ("b", raw_b)):
        run_pipeline(raw, base / f"out_{name}", scorers=["vader"])
        outs[name] = (_public_hashes(base / f"out_{name}"), load_outputs(base / f"out_{name}"))
    return raw_dir, raw_b, outs


def test_public_names_read_the_published_generation(processed):
    generation = current_generation(processed)
    assert (processed / CURRENT_LINK).is_symlink() and (generation / GENERATION_FILE).is_file()
    for name in PUBLIC:
        assert (processed / name).read_bytes() == (generation / name).read_bytes()
    assert pd.read_parquet(processed / "articles.parquet").equals(load_outputs(processed)["articles"])


def test_same_outputs_same_generation_and_no_leftovers(raw_dir, tmp_path):
    run_pipeline(raw_dir, tmp_path, scorers=["vader"])
    first = os.readlink(tmp_path / CURRENT_LINK)
    run_pipeline(raw_dir, tmp_path, scorers=["vader"])
    assert os.readlink(tmp_path / CURRENT_LINK) == first
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [CURRENT_LINK, first, ".diplo.lock"]


@pytest.mark.parametrize("damage, message", [
    (lambda gen: (gen / "sentences.parquet").unlink(), "sentences.parquet is missing"),
    (lambda gen: (gen / "manifest.csv").write_text("source_file\n"), "manifest.csv is not the file"),
    (lambda gen: (gen / GENERATION_FILE).unlink(), "no readable generation.json"),
])
def test_load_outputs_refuses_an_incomplete_generation(raw_dir, tmp_path, damage, message):
    run_pipeline(raw_dir, tmp_path, scorers=["vader"])
    damage(current_generation(tmp_path))
    with pytest.raises(IncompleteOutputs, match=message):
        load_outputs(tmp_path)


def test_load_outputs_refuses_tables_written_file_by_file(processed, tmp_path):
    """An output folder of the old layout (or copied by hand) may mix runs: no generation record, no read."""
    for name in PUBLIC:
        shutil.copyfile(processed / name, tmp_path / name)
    with pytest.raises(IncompleteOutputs, match="without a generation record"):
        load_outputs(tmp_path)
    with pytest.raises(FileNotFoundError, match="no diplo outputs in"):
        load_outputs(tmp_path / "empty")


def test_old_layout_is_replaced_by_links_on_the_next_run(raw_dir, processed, tmp_path):
    for name in PUBLIC:
        shutil.copyfile(processed / name, tmp_path / name)
    run_pipeline(raw_dir, tmp_path)
    assert all((tmp_path / name).is_symlink() for name in PUBLIC)
    assert _public_hashes(tmp_path) == _public_hashes(processed)


def _killed_run(raw, out, step: str) -> int:
    """Run the pipeline in a forked child that SIGKILLs itself right after publishing step ``step``."""
    def child() -> None:
        os.environ[KILL_AT_ENV] = step
        run_pipeline(raw, out, scorers=["vader"])
        os._exit(0)

    proc = multiprocessing.get_context("fork").Process(target=child)
    proc.start()
    proc.join(300)  # a safety net for a hung child, not a timing check
    return proc.exitcode


@pytest.mark.parametrize("step", PUBLISH_STEPS)
def test_kill_9_at_each_publishing_step_leaves_the_old_or_the_new_generation(two_corpora, tmp_path, step):
    raw_a, raw_b, outs = two_corpora
    out = tmp_path / "out"
    run_pipeline(raw_a, out, scorers=["vader"])
    assert _killed_run(raw_b, out, step) == -signal.SIGKILL
    published = "a" if step in ("staged", "renamed") else "b"  # `pointed` is the commit point
    expected_hashes, expected_tables = outs[published]
    assert _public_hashes(out) == expected_hashes  # never a mix, even through the public names
    for name, table in load_outputs(out).items():
        pd.testing.assert_frame_equal(table, expected_tables[name])
    # the next run clears the leftovers of the killed one
    run_pipeline(raw_a, out, scorers=["vader"])
    assert _public_hashes(out) == outs["a"][0]
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert len([p for p in out.iterdir() if p.name.startswith(".diplo-gen-")]) == 1


class _Interrupt(BaseException):
    """Like Ctrl-C (not an Exception), without KeyboardInterrupt's meaning to pytest."""


def test_an_interrupted_run_keeps_the_previous_generation_and_its_staging_goes_next_time(raw_dir, tmp_path,
                                                                                         monkeypatch):
    from diplo.io import outputs

    run_pipeline(raw_dir, tmp_path, scorers=["vader"])
    before = _public_hashes(tmp_path)
    monkeypatch.setattr(outputs.TableSink, "write", lambda *a, **k: (_ for _ in ()).throw(_Interrupt()))
    with pytest.raises(_Interrupt):
        run_pipeline(raw_dir, tmp_path, scorers=["vader"])
    assert _public_hashes(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(STAGING_PREFIX)]  # removed on the way out
    (tmp_path / f"{STAGING_PREFIX}999-dead").mkdir()  # what a kill -9 leaves
    (tmp_path / f"{STAGING_PREFIX}999-dead" / "articles.parquet").write_bytes(b"half")
    monkeypatch.undo()
    run_pipeline(raw_dir, tmp_path, scorers=["vader"])
    assert not (tmp_path / f"{STAGING_PREFIX}999-dead").exists()
    assert _public_hashes(tmp_path) == before


def test_each_run_stages_under_a_name_of_its_own(raw_dir, tmp_path, monkeypatch):
    from diplo.run import publish

    seen = []
    real = publish.Publication.publish

    def spy(self):
        seen.append(self.staging.name)
        return real(self)

    monkeypatch.setattr(publish.Publication, "publish", spy)
    run_pipeline(raw_dir, tmp_path, scorers=["vader"])
    run_pipeline(raw_dir, tmp_path, scorers=["vader"])
    assert len(set(seen)) == 2 and all(name.startswith(f"{STAGING_PREFIX}{os.getpid()}-") for name in seen)
