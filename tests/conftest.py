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


# ---------------------------------------------------------------------------------------------------------
# Bad-input catalogue (issue 7): generated into tmp_path, never committed as binaries.

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
GOOD_TEXT = ("Tehran, 5 October 2023 (TDI): The foreign ministers of Iran and Azerbaijan met in Baku to discuss "
             "transport corridors and trade.\n\nThey agreed to expand cooperation in energy and to meet again "
             "next month.\n")
ARTICLE_HTML = """<html><head><title>Iran and Azerbaijan agree on railway link</title>
<meta name="author" content="Jane Doe"><meta property="article:published_time" content="2023-10-05">
<meta property="og:site_name" content="TDI"></head><body><nav>Home | World | Politics</nav><article>
<h1>Iran and Azerbaijan agree on railway link</h1>
<p>The foreign ministers of Iran and Azerbaijan met in Baku on Tuesday to discuss the Rasht-Astara railway
project and the North-South transport corridor across the South Caucasus region.</p>
<p>Both sides said the talks were constructive and agreed to meet again next month in Tehran to continue
work on the joint projects, including the new bridge over the Astarachai river.</p>
<p>Officials said trade between the two neighbours had grown strongly over the past year.</p>
</article><footer>Copyright 2023</footer></body></html>"""
EMPTY_HTML = "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>"

#: file name -> (expected status, substring of the manifest reason)
BAD_INPUT_EXPECTED = {
    "empty.txt": ("rejected", "empty file"),
    "whitespace.txt": ("rejected", "whitespace-only"),
    "image.txt": ("rejected", "binary file (PNG image)"),
    "nul bytes.txt": ("rejected", "NUL byte"),
    "broken-utf8.txt": ("rejected", "invalid UTF-8"),
    "cp1252.txt": ("ok", ""),
    "latin1.txt": ("ok", ""),
    "utf16.txt": ("ok", ""),
    "utf8-bom.txt": ("ok", ""),
    "no-article.html": ("rejected", "no article text"),
    "article.html": ("ok", ""),
    "huge.txt": ("rejected", "max_file_bytes"),
    "Téhéran news 2023 (copy).txt": ("ok", ""),
    "link-inside.txt": ("duplicate", "same bytes as"),
    "link-outside.txt": ("rejected", "symlink to a file outside the raw folder"),
    "link-broken.txt": ("rejected", "broken symlink"),
    "unreadable.txt": ("rejected", "Permission denied"),
    "zz-copy-of-good.txt": ("duplicate", "same bytes as"),
    "good.txt": ("ok", ""),
    "notes.docx": ("rejected", "unsupported file type"),
    "readme.md": ("rejected", "unsupported file type"),
    ".DS_Store": ("rejected", "hidden file"),
    "no-text-column.csv": ("rejected", "no text column"),
    "rows.csv": ("ok", ""),
    "feed.jsonl": ("ok", ""),
    "all-bad.jsonl": ("rejected", "all 2 rows rejected"),
}
HUGE_BYTES = 50 * 1024 * 1024


def make_bad_inputs(raw: Path, outside: Path) -> Path:
    """Write the bad-input catalogue into ``raw`` (``outside`` receives a symlink target)."""
    raw.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "whitespace.txt").write_text("  \n\t\n   \n")
    (raw / "image.txt").write_bytes(PNG_BYTES)
    (raw / "nul bytes.txt").write_bytes(b"Iran and Azerbaijan\x00\x00 met")
    (raw / "broken-utf8.txt").write_bytes("Amir-Abdollahian said “peace” ".encode() + b"\xff\xfe more text")
    (raw / "cp1252.txt").write_bytes("The minister said “peace” — a café in Baku costs €5.".encode("cp1252"))
    (raw / "latin1.txt").write_bytes("Café naïve in São Paulo: à la carte résumé of the Baku talks.".encode("latin-1"))
    (raw / "utf16.txt").write_bytes("Iran–Azerbaijan talks: “constructive”, said Bayramov.".encode("utf-16"))
    (raw / "utf8-bom.txt").write_bytes(b"\xef\xbb\xbf" + "Aliyev met Raisi in Ashgabat.".encode())
    (raw / "no-article.html").write_text(EMPTY_HTML)
    (raw / "article.html").write_text(ARTICLE_HTML)
    with open(raw / "huge.txt", "wb") as fh:  # sparse-free but fast: one 50 MB write
        fh.write(b"word " * (HUGE_BYTES // 5))
    (raw / "Téhéran news 2023 (copy).txt").write_text("Iran and Azerbaijan discussed the border in Tehran.")
    (raw / "good.txt").write_text(GOOD_TEXT)
    (raw / "zz-copy-of-good.txt").write_text(GOOD_TEXT)
    (raw / "link-inside.txt").symlink_to(raw / "good.txt")
    (outside / "secret.txt").write_text("private notes outside the raw folder")
    (raw / "link-outside.txt").symlink_to(outside / "secret.txt")
    (raw / "link-broken.txt").symlink_to(raw / "does-not-exist.txt")
    (raw / "unreadable.txt").write_text("cannot be read")
    (raw / "unreadable.txt").chmod(0)  # root ignores this; the bad_raw fixture also simulates it
    (raw / "notes.docx").write_bytes(b"PK\x03\x04" + b"\x14" * 40)
    (raw / "readme.md").write_text("# notes\n")
    (raw / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (raw / "no-text-column.csv").write_text("title,date\nA headline,2023-01-01\n")
    (raw / "rows.csv").write_text(
        "headline,body,pubdate,source,extra\n"
        "First,\"Iran and Azerbaijan met.\nA second paragraph, with a comma.\",2023-10-05,PressTV,x\n"
        "Too many,fields,here,2023-10-05,x,y\n"
        "Too few,fields\n"
        "Blank text,,2023-10-06,Mehr News,x\n"
        "Bad date,Bayramov spoke in Baku about the corridor.,2023-02-30,Tehran Times,x\n")
    (raw / "feed.jsonl").write_text(
        '{"title": "One", "text": "Aliyev welcomed the Iranian delegation.", "date": "2021-12-23"}\n'
        '{"title": "Broken", "text": "unterminated\n'
        '["not", "an", "object"]\n'
        '\n'
        '{"title": "Two", "text": "The ministers signed a memorandum on transport."}\n')
    (raw / "all-bad.jsonl").write_text('{"text": ""}\n{oops\n')
    (raw / "metadata.csv").write_text(
        "file,date,outlet,title,url,notes\n"
        "good.txt,2023-10-06,The Diplomatic Insight,,,\n"
        "missing.txt,2023-01-01,,,,\n"
        "cp1252.txt,2023-02-30,Some Outlet,,,impossible date\n")
    return raw


def _simulate_unreadable(monkeypatch) -> None:
    """Make ``unreadable.txt`` unreadable even for root (tests run as root, where chmod 000 does not stop reads)."""
    from diplo.io import raw as load

    real_open = load._open

    def fake_open(path):
        if Path(path).name == "unreadable.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(load, "_open", fake_open)


@pytest.fixture
def bad_raw(tmp_path, monkeypatch) -> Path:
    """The bad-input catalogue in a fresh folder."""
    raw = make_bad_inputs(tmp_path / "raw", tmp_path / "outside")
    _simulate_unreadable(monkeypatch)
    return raw


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    """``(raw, out, summary, log text, raw hashes before)`` for one run over the catalogue."""
    import logging

    from diplo import run_pipeline

    base = tmp_path_factory.mktemp("bad")
    raw = make_bad_inputs(base / "raw", base / "outside")
    before = tree_hash(raw)
    records: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: records.append(record.getMessage())
    logger = logging.getLogger("diplo")
    logger.addHandler(handler)
    try:
        with pytest.MonkeyPatch.context() as mp:
            _simulate_unreadable(mp)
            summary = run_pipeline(raw, base / "out", scorers=["vader"])
    finally:
        logger.removeHandler(handler)
    return raw, base / "out", summary, "\n".join(records), before


def tree_hash(folder: Path) -> dict[str, str]:
    """SHA-256 of every regular file below ``folder`` (skipped: symlinks, the unreadable file, run.json, the one
    output with times, and generation.json, which lists run.json's hash)."""
    import hashlib

    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink() and p.name not in ("unreadable.txt", "run.json", "generation.json"):
            out[p.relative_to(folder).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def raw_snapshot(folder: Path) -> dict[str, tuple]:
    """Names, types, sizes, modification times and hashes of everything below ``folder``, folders included (a
    file created and removed again still shows in its folder's mtime): raw must never change."""
    import hashlib
    import os

    out = {".": ("dir", os.lstat(folder).st_mtime_ns)}
    for path in sorted(folder.rglob("*")):
        st = os.lstat(path)
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = ("link", os.readlink(path), st.st_mtime_ns)
        elif path.is_dir():
            out[rel] = ("dir", st.st_mtime_ns)
        else:
            out[rel] = ("file", st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return out
