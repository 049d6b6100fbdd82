"""Issue 7 bad-input catalogue: every kind of bad file gives a manifest row, a reason and a warning naming
the file; the run goes on; raw is never written; outputs are atomic and deterministic."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from conftest import BAD_INPUT_EXPECTED, GOOD_TEXT, tree_hash as _tree_hash
from diplo import load_outputs, run_pipeline
from diplo.cli import main


def test_every_file_is_in_the_manifest_once(bad_run):
    raw, out, summary, _, _ = bad_run
    manifest = load_outputs(out)["manifest"]
    assert sorted(manifest["source_file"]) == sorted(BAD_INPUT_EXPECTED)
    assert manifest["source_file"].is_unique
    assert summary.n_files == summary.n_ok + summary.n_rejected + summary.n_duplicate == len(BAD_INPUT_EXPECTED)


@pytest.mark.parametrize("name", sorted(BAD_INPUT_EXPECTED))
def test_bad_input_status_reason_and_warning(bad_run, name):
    _, out, _, log_text, _ = bad_run
    status, reason = BAD_INPUT_EXPECTED[name]
    row = load_outputs(out)["manifest"].set_index("source_file").loc[name]
    assert row["status"] == status
    assert reason in row["reason"]
    if status != "ok":
        assert f"{name}: " in log_text  # the warning names the file


def test_rows_in_equal_rows_out(bad_run):
    _, out, summary, _, _ = bad_run
    tables = load_outputs(out)
    manifest, rejected, articles = tables["manifest"], tables["rejected_rows"], tables["articles"]
    assert (manifest["n_rows"] == manifest["n_documents"] + manifest["n_rejected_rows"]).all()
    per_file = rejected.groupby("source_file").size()
    tabular = manifest.set_index("source_file")["n_rejected_rows"]
    assert per_file.to_dict() == tabular[tabular > 0].to_dict()
    assert manifest["n_documents"].sum() == len(articles) == summary.n_articles
    # rows.csv: rows 1 and 5 kept, 2 (extra field), 3 (missing fields), 4 (blank text) rejected
    assert rejected.loc[rejected["source_file"] == "rows.csv", "row"].tolist() == [2, 3, 4]
    assert rejected.loc[rejected["source_file"] == "feed.jsonl", "row"].tolist() == [2, 3]


def test_decoded_texts_are_not_mojibake(bad_run):
    _, out, _, _, _ = bad_run
    text = load_outputs(out)["articles"].set_index("doc_id")["text"]
    assert 'said "peace" - a café in Baku costs €5.' in text["cp1252"]
    assert "Café naïve in São Paulo" in text["latin1"]
    assert 'Iran-Azerbaijan talks: "constructive", said Bayramov.' == text["utf16"]
    assert text["utf8-bom"] == "Aliyev met Raisi in Ashgabat."
    assert text["Téhéran news 2023 (copy)"].startswith("Iran and Azerbaijan")


def test_tabular_rows_carry_their_columns(bad_run):
    _, out, _, log_text, _ = bad_run
    articles = load_outputs(out)["articles"].set_index("doc_id")
    first = articles.loc["rows-000001"]
    assert first["text"] == "Iran and Azerbaijan met.\nA second paragraph, with a comma."  # embedded newline kept
    assert (first["title"], first["title_source"], first["date"], first["outlet"]) == \
        ("First", "table", datetime.date(2023, 10, 5), "Press TV")
    bad_date = articles.loc["rows-000005"]
    assert pd.isna(bad_date["date"]) and bad_date["date_source"] == "unknown"
    assert "rows.csv (rows-000005): table date '2023-02-30' not used: no such day 2023-02-30" in log_text
    assert articles.loc["rows-000005", "source_file"] == "rows.csv"


def test_metadata_csv_problems_are_warnings_naming_the_line(bad_run):
    raw, out, _, log_text, _ = bad_run
    assert "metadata.csv line 3: file 'missing.txt' is not in the raw folder; row ignored" in log_text
    assert "metadata.csv line 4: date '2023-02-30' is not a valid YYYY-MM-DD date" in log_text
    articles = load_outputs(out)["articles"].set_index("doc_id")
    assert articles.loc["cp1252", "outlet"] == "Some Outlet"  # the row's other override still applies
    assert articles.loc["cp1252", "date_source"] == "unknown"
    assert (articles.loc["good", "date"], articles.loc["good", "date_source"]) == (datetime.date(2023, 10, 6), "metadata.csv")


def test_raw_folder_is_unchanged(bad_run):
    raw, _, _, _, before = bad_run
    assert _tree_hash(raw) == before


def test_html_article_uses_page_metadata(bad_run):
    _, out, _, _, _ = bad_run
    row = load_outputs(out)["articles"].set_index("doc_id").loc["article"]
    assert (row["title"], row["title_source"]) == ("Iran and Azerbaijan agree on railway link", "html")
    assert (row["date"], row["date_source"]) == (datetime.date(2023, 10, 5), "html")
    assert (row["outlet"], row["author"]) == ("The Diplomatic Insight", "Jane Doe")
    assert "Rasht-Astara railway" in row["text"] and "Home" not in row["text"]


def test_same_bad_input_same_bytes(bad_raw, tmp_path):
    run_pipeline(bad_raw, tmp_path / "a", scorers=["vader"])
    run_pipeline(bad_raw, tmp_path / "b", scorers=["vader"])
    a, b = _tree_hash(tmp_path / "a"), _tree_hash(tmp_path / "b")
    assert a == b and (tmp_path / "a" / "manifest.csv").is_file() and (tmp_path / "a" / "rejected_rows.csv").is_file()


def test_cli_exit_code_is_1_when_nothing_usable_remains(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"")
    (raw / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert main(["run", str(raw), "--out", str(tmp_path / "out")]) == 1
    assert '"n_rejected": 2' in capsys.readouterr().out


@pytest.mark.parametrize("metadata, message", [
    ("date,outlet\n2023-01-01,X\n", "missing column 'file'"),
    ("file,date,colour\ngood.txt,,red\n", "unknown column(s) ['colour']"),
    ("file,date\ngood.txt,2023-01-01\ngood.txt,2023-01-02\n", "listed twice (lines [2, 3])"),
    ('file,date\n"good.txt,2023\n', "cannot be read as CSV"),
])
def test_cli_exit_code_is_2_for_a_broken_metadata_csv(tmp_path, capsys, metadata, message):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD_TEXT)
    (raw / "metadata.csv").write_text(metadata)
    assert main(["run", str(raw), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "metadata.csv" in err and message in err


def test_cli_column_mapping_and_invalid_mapping(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "export.csv").write_text("story,when\nIran and Azerbaijan met in Baku.,2023-10-05\n")
    assert main(["run", str(raw), "--out", str(tmp_path / "out"), "--columns", "text=story,date=when"]) == 0
    articles = pd.read_parquet(tmp_path / "out" / "articles.parquet")
    assert articles[["doc_id", "date", "date_source"]].values.tolist() == [["export-000001", datetime.date(2023, 10, 5), "table"]]
    assert main(["run", str(raw), "--out", str(tmp_path / "o2"), "--columns", "body=story"]) == 2
    assert "unknown field(s) ['body']" in capsys.readouterr().err


def _big_corpus(raw: Path, n: int) -> None:
    raw.mkdir()
    for i in range(n):
        (raw / f"a{i:05d}.txt").write_text(f"Article {i}. " + GOOD_TEXT * 8)


def test_interrupted_run_leaves_previous_outputs_intact(raw_dir, tmp_path):
    out = tmp_path / "out"
    run_pipeline(raw_dir, out, scorers=["vader"])
    before = _tree_hash(out)
    big = tmp_path / "big"
    _big_corpus(big, 3000)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "diplo.cli", "run", str(big), "--out", str(out),
                             "--chunk-size", "20", "--scorer", "vader"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # a safety net for a hung child, not a timing check
        while not list(out.glob(".staging-*/.articles.parquet.partial")):
            assert proc.poll() is None, "diplo run ended before it could be interrupted"
            assert time.monotonic() < deadline, "diplo run never started writing"
            time.sleep(0.05)
        time.sleep(0.3)  # let it write a few chunks
        assert proc.poll() is None, "diplo run finished before the kill: make the corpus bigger"
        helpers = psutil.Process(proc.pid).children(recursive=True)  # forkserver, pool workers, tracker
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    # the killed run's workers notice and exit, and with them its forkserver and resource tracker
    gone, alive = psutil.wait_procs(helpers, timeout=30)  # a safety net, not a timing check
    assert len(helpers) >= 3 and not alive, [p.cmdline()[-1][:60] for p in alive]
    assert _tree_hash(out) == {**before, **{k: v for k, v in _tree_hash(out).items() if k.startswith(".")}}
    tables = load_outputs(out)  # previous outputs still readable
    assert len(tables["articles"]) == 5
    # the next complete run replaces everything and clears the leftovers (the run cache in .cache/ stays: its
    # stages are complete or absent, and the next cached run reuses what the killed one finished)
    run_pipeline(raw_dir, out, scorers=["vader"])
    assert {k: v for k, v in _tree_hash(out).items() if not k.startswith(".cache/")} == before
