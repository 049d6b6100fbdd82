"""Read raw input files into documents, accounting for every file and every row.

``data/raw/`` is only ever read.  Each file ends up in the manifest as ``ok``, ``duplicate`` (same bytes as
an earlier file) or ``rejected`` with a reason; each row of a tabular file ends up as a document or as a
rejected row with a reason, so rows in = rows out.

Supported inputs
----------------
- ``.txt``: one article per file (free text, no fixed header); ``doc_id`` is the file stem.  A ``.txt``
  that is a saved web page (starts with ``<!DOCTYPE html>`` or ``<html>``) is extracted as HTML.
- ``.html`` / ``.htm``: one saved page per file; trafilatura extracts the main text and the page's
  title, date, author, site name and URL (provenance ``html``).
- ``.csv`` / ``.tsv`` / ``.jsonl``: one article per row, read as a stream (a 1 GB export never sits in
  memory).  Columns are found by common names (see :data:`COLUMN_ALIASES`) or given explicitly
  (``columns={"text": "body"}``); ``doc_id`` is ``<stem>-<row>`` with ``row`` the 1-based record
  number (CSV: data record after the header; JSONL: line number), zero-padded to six digits.

Text encodings are detected per file: UTF-8 (with or without BOM), UTF-16/32 with BOM, then
charset-normalizer for legacy code pages, preferring cp1252/latin-1 when it reads the bytes as well as
any other guess.  Binary files (NUL bytes, image/archive signatures), UTF-8 files with broken bytes and
bytes no encoding reads cleanly are rejected: text is never decoded into mojibake.

The record readers of tabular files (column aliases, delimiters, CSV/JSONL streams) live in
:mod:`diplo.io.tabular`; their public names are re-exported here.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
import stat
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterator, Mapping

import pandas as pd

from diplo.io.labels import LABEL_FIELDS, MAX_LABEL_CHARS, bound_label, bound_labels
from diplo.io.paths import is_inside, metadata_file_name, open_regular
from diplo.io.reads import ReadCache, ReadRecord, ReusedFile
from diplo.io.tabular import (COLUMN_ALIASES, FIELDS, RejectedFile, iter_delimited, iter_jsonl, parse_columns,
                              table_delimiter)

__all__ = ["RawDocument", "ManifestRow", "RejectedRow", "Limits", "ReadRecord", "ReusedFile", "ReadCache",
           "METADATA_FILE", "MANIFEST_COLUMNS",
           "REJECTED_ROW_COLUMNS", "SUPPORTED_SUFFIXES", "COLUMN_ALIASES", "FIELDS", "iter_raw_files",
           "load_documents", "load_metadata", "parse_columns", "decode_bytes"]

log = logging.getLogger(__name__)

METADATA_FILE = "metadata.csv"
TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
TABULAR_SUFFIXES = (".csv", ".tsv", ".jsonl")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + TABULAR_SUFFIXES
MANIFEST_COLUMNS = ["source_file", "status", "reason", "format", "encoding", "n_rows", "n_rejected_rows",
                    "n_documents", "bytes", "sha256", "language", "language_confidence", "notes"]
REJECTED_ROW_COLUMNS = ["source_file", "row", "reason"]

_BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG image", b"\xff\xd8\xff": "JPEG image", b"GIF8": "GIF image",
    b"%PDF": "PDF document", b"PK\x03\x04": "ZIP archive (docx/xlsx?)", b"\x1f\x8b": "gzip archive",
    b"\xd0\xcf\x11\xe0": "MS Office document",
}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
# A complete, well-formed UTF-8 multi-byte sequence (not followed by a further continuation byte): found in
# bytes that are not UTF-8 as a whole, it means two encodings were mixed.
_UTF8_SEQUENCE = re.compile(rb"(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xef][\x80-\xbf]{2}"
                            rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf4][\x80-\xbf]{3})(?![\x80-\xbf])")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_SURROGATE = re.compile("[\udc80-\udcff]")
_SCAN_BLOCK = 1 << 22
_SNIFF_BYTES = 1 << 20
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)
#: An HTML page whose extracted main text has fewer words than this holds no article (menus, error pages).
MIN_HTML_WORDS = 8
_FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl"}


@dataclass(frozen=True)
class Limits:
    """Size limits that keep one pathological input from exhausting memory.

    Attributes
    ----------
    max_file_bytes : single-article files (``.txt``, ``.html``) larger than this are rejected unread
        (tabular files have no size limit: they are streamed).
    max_article_chars : an article (file or row) whose text is longer than this is rejected.
    max_sentence_chars : sentences longer than this are split at whitespace (see ``diplo.text.segment``).
    """

    max_file_bytes: int = 20_000_000
    max_article_chars: int = 5_000_000
    max_sentence_chars: int = 5_000

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_article_chars", "max_sentence_chars"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"limit {name} must be a positive integer, got {value!r}")


@dataclass(frozen=True)
class RawDocument:
    """One article as read from disk, before cleaning.

    ``meta`` holds fields the loader found (title/date/outlet/author/url) and ``meta_source`` where they
    came from (``html`` or ``table``).
    """

    doc_id: str
    source_file: str
    text: str
    format: str
    meta: dict = field(default_factory=dict)
    meta_source: str = ""


@dataclass(slots=True)  # one per input file, kept for the whole run: no per-instance __dict__
class ManifestRow:
    source_file: str
    status: str = "ok"
    reason: str = ""
    format: str = ""
    encoding: str = ""
    n_rows: int = 0
    n_rejected_rows: int = 0
    n_documents: int = 0
    bytes: int = 0
    sha256: str = ""
    language: str = ""  # filled by the pipeline from the file's articles
    language_confidence: float | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class RejectedRow:
    source_file: str
    row: int
    reason: str


# ---------------------------------------------------------------------------------------------- files

def _display_name(rel: str) -> str:
    # File names that are not valid UTF-8 carry surrogates after os.fsdecode; make them printable.
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def iter_raw_files(raw_dir: str | os.PathLike) -> Iterator[tuple[str, Path, str]]:
    """Every entry below ``raw_dir`` in a stable order, as ``(relative name, path, problem)``.

    ``problem`` is empty for a readable regular file and otherwise the reason it will be rejected:
    hidden files and folders, symlinks leading outside ``raw_dir`` (never followed), broken symlinks,
    symlinked folders and special files.  Symlinks to files inside ``raw_dir`` are followed (and
    usually reported as duplicates of their target).  ``metadata.csv`` at the top is not listed.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder {raw_dir} does not exist or is not a folder")
    root = raw_dir.resolve()
    # (name shown, name on disk when it differs, problem): strings only, as a million Path objects would
    # take half a gigabyte for the whole run
    entries: list[tuple[str, str | None, str] | None] = []

    def add(shown: str, on_disk: str, problem: str) -> None:
        entries.append((shown, None if on_disk == shown else on_disk, problem))

    def unreadable(exc: OSError) -> None:
        path = Path(exc.filename)
        on_disk = path.relative_to(raw_dir).as_posix() if path != raw_dir else "."
        add(_display_name(on_disk) + "/", on_disk, f"cannot read folder: {exc.strerror or exc}")

    for dirpath, dirnames, filenames in os.walk(raw_dir, followlinks=False, onerror=unreadable):
        here = Path(dirpath)
        folder = here.relative_to(raw_dir).as_posix()
        prefix = "" if folder == "." else folder + "/"
        for name in list(dirnames):
            on_disk = prefix + name
            rel = _display_name(on_disk)
            if name.startswith("."):
                add(rel + "/", on_disk, "hidden folder (name starts with '.'): not read")
                dirnames.remove(name)
            elif (here / name).is_symlink():
                add(rel + "/", on_disk, "symlinked folder: not followed")
        dirnames.sort()
        for name in filenames:
            on_disk = prefix + name
            rel = _display_name(on_disk)
            if rel == METADATA_FILE:
                continue
            add(rel, on_disk, _file_problem(here / name, name, root))
    entries.sort(key=lambda e: e[0])
    for i, (rel, on_disk, problem) in enumerate(entries):
        entries[i] = None  # the listing shrinks as it is read
        yield rel, raw_dir / (rel if on_disk is None else on_disk), problem


def _file_problem(path: Path, name: str, root: Path) -> str:
    if name.startswith("."):
        return "hidden file (name starts with '.'): not read"
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "broken symlink"
        if root not in target.parents:
            return "symlink to a file outside the raw folder: not followed"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return ""


def _open(path: Path):
    """Open ``path`` for binary reading (one place, so tests can simulate unreadable files).

    Only a regular file is opened: a FIFO, device or socket, even one swapped in after the listing, is an
    OSError naming its kind (:func:`diplo.io.paths.open_regular`), never a read that hangs.
    """
    return open_regular(path)


def _hash_file(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with _open(path) as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


# ------------------------------------------------------------------------------------------ encodings

def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` as text and name the encoding; raise ValueError when it is not text.

    Parameters
    ----------
    data : the raw bytes (a whole file or its first megabyte).

    Returns
    -------
    (text, encoding), ``encoding`` one of ``utf-8``, ``utf-8-sig``, ``utf-16``, ``utf-32``, ``cp1252``,
    ``latin-1`` or another code page named by charset-normalizer.

    Raises
    ------
    ValueError
        For binary data, UTF-8 with broken bytes, or bytes no encoding reads cleanly.
    """
    encoding = _detect_encoding(data)
    return data.decode(encoding), encoding


def _detect_encoding(data: bytes, *, partial: bool = False) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                data.decode(encoding) if not partial else codecs.getincrementaldecoder(encoding)().decode(data)
            except UnicodeDecodeError as exc:
                raise ValueError(f"{encoding} byte-order mark but undecodable bytes at offset {exc.start}")
            return encoding
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ValueError(f"binary file ({kind})")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ValueError(f"binary file (NUL byte at offset {nul})")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=not partial)
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if _UTF8_MULTIBYTE.search(data[:utf8_error.start]):
        raise ValueError(f"invalid UTF-8: byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start} "
                         "in a file that is otherwise UTF-8")
    if not partial and (m := _UTF8_SEQUENCE.search(data, utf8_error.start)):
        # e.g. cp1252 text followed by UTF-8: any single code page would turn one part into mojibake
        raise ValueError(f"mixed encodings: byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start} is not "
                         f"UTF-8, but UTF-8 sequences follow (offset {m.start()}); save the file in one encoding")
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise ValueError("undecodable bytes: not UTF-8 and no known encoding reads them cleanly")
    best = min(matches, key=lambda m: m.chaos)
    western = [m for m in matches if {"cp1252", "latin_1", "iso8859_15"} & set(m.could_be_from_charset)]
    # charset-normalizer often names a rarer Western code page (cp775, cp1250) for short English text;
    # cp1252 reading the bytes about as cleanly is the far likelier truth.
    if western and min(m.chaos for m in western) <= best.chaos + 0.1 and _decodes(data, "cp1252"):
        return "cp1252" if re.search(rb"[\x80-\x9f]", data) else "latin-1"
    if best.chaos > 0.2:
        raise ValueError(f"undecodable bytes: best guess {best.encoding} reads them as noise")
    return best.encoding


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


# ------------------------------------------------------------------------------------------- loading

class _Loader:
    def __init__(self, raw_dir: Path, manifest: list[ManifestRow], rejected_rows: list[RejectedRow] | None,
                 columns: Mapping[str, str], limits: Limits, cache: ReadCache | None = None) -> None:
        self.raw_dir, self.manifest, self.columns, self.limits = raw_dir, manifest, columns, limits
        self.rejected_rows = rejected_rows if rejected_rows is not None else []
        self.seen_hashes: dict[str, str] = {}
        self.stems: set[str] = set()  # per file, not per row: memory stays O(files)
        self.cache = cache
        self.file_stem: str | None = None  # the stem the file being read took

    def run(self) -> Iterator[RawDocument | ReusedFile]:
        for rel, path, problem in iter_raw_files(self.raw_dir):
            row = ManifestRow(rel, format=_FORMATS.get(path.suffix.lower(), ""))
            self.manifest.append(row)
            n_rejected, self.file_stem, remember = len(self.rejected_rows), None, self.cache is not None
            try:
                if problem:
                    raise RejectedFile(problem)
                known = self.cache.digest(rel, path) if self.cache is not None else None
                row.bytes, row.sha256 = known or _hash_file(path)
                if row.sha256 in self.seen_hashes:
                    row.status, row.reason = "duplicate", f"same bytes as {self.seen_hashes[row.sha256]}"
                    log.warning("%s: %s", rel, row.reason)
                    continue
                self.seen_hashes[row.sha256] = rel
                record = self.cache.recall(rel, row.sha256) if self.cache is not None else None
                # a recalled file is used only if it gets the doc_ids it had (no new clash of stems)
                if record is not None and (record.stem is None or self._unique_stem(rel) == record.stem):
                    yield self._replay(rel, row, record)
                    remember = False
                    continue
                for doc in self._read(path, rel, row):
                    yield self._bounded(doc, row)
            except RejectedFile as exc:
                row.status, row.reason = "rejected", str(exc)
                log.warning("%s: %s", rel, row.reason)
            except OSError as exc:
                row.status, row.reason = "rejected", f"cannot read file: {exc.strerror or exc}"
                log.warning("%s: %s", rel, row.reason)
                remember = False  # may be passing (permissions, a network share): read it again next time
            except Exception as exc:  # a parser failing on one odd file must not end a long run
                what = f"{type(exc).__name__}: {exc}"
                if row.n_documents:
                    row.reason = f"partially read: failed after row {row.n_rows} ({what})"
                else:
                    row.status, row.reason = "rejected", f"could not be read ({what})"
                log.warning("%s: %s", rel, row.reason)
            if remember and row.sha256 and row.status != "duplicate":
                rejected = tuple((r.row, r.reason) for r in self.rejected_rows[n_rejected:])
                self.cache.remember(rel, ReadRecord(tuple(getattr(row, f.name) for f in fields(row)[1:]),
                                                    rejected, self.file_stem))

    def _replay(self, rel: str, row: ManifestRow, record: ReadRecord) -> ReusedFile:
        """The manifest row and rejected rows of a recalled file, as reading it gave them."""
        for f, value in zip(fields(row)[1:], record.manifest):
            setattr(row, f.name, value)
        self.rejected_rows.extend(RejectedRow(rel, number, reason) for number, reason in record.rejected)
        if record.stem is not None:
            self._stem(rel)
        if row.reason:
            log.warning("%s: %s", rel, row.reason)
        return ReusedFile(rel, row.sha256, record.stem, row.n_documents)

    def _read(self, path: Path, rel: str, row: ManifestRow) -> Iterator[RawDocument]:
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise RejectedFile(f"unsupported file type {suffix or '(none)'!r}; supported: {list(SUPPORTED_SUFFIXES)}")
        if row.bytes == 0:
            raise RejectedFile("empty file (0 bytes)")
        if suffix in TABULAR_SUFFIXES:
            yield from self._read_table(path, rel, row, suffix)
            return
        if row.bytes > self.limits.max_file_bytes:
            raise RejectedFile(f"file is {row.bytes:,} bytes, over the {self.limits.max_file_bytes:,}-byte limit "
                            "for one article (max_file_bytes): not read")
        with _open(path) as fh:
            data = fh.read()
        try:
            text, row.encoding = decode_bytes(data)
        except ValueError as exc:
            raise RejectedFile(str(exc)) from None
        meta, source = {}, ""
        # a page saved as .txt is still a page: extract its article rather than keep its markup
        if suffix in HTML_SUFFIXES or _HTML_START.match(text[:1000]):
            page = text
            text, meta = _extract_html(page)
            source = "html"
            if len(text.split()) < MIN_HTML_WORDS:
                raise RejectedFile(f"no article text found in the HTML page (extracted {len(text.split())} words, "
                                f"fewer than {MIN_HTML_WORDS})")
            if why := _navigation_reason(text, page):
                raise RejectedFile(f"no article: {why}")
        if not text.strip():
            raise RejectedFile("empty or whitespace-only text")
        if len(text) > self.limits.max_article_chars:
            raise RejectedFile(f"article is {len(text):,} characters, over the {self.limits.max_article_chars:,} "
                            "limit (max_article_chars)")
        row.n_rows = row.n_documents = 1
        yield RawDocument(self._stem(rel), rel, text, row.format, meta, source)

    def _bounded(self, doc: RawDocument, row: ManifestRow) -> RawDocument:
        """``doc`` with over-long outlet/title/author cut (:mod:`diplo.io.labels`), full values in the manifest notes."""
        meta, notes = bound_labels(doc.meta)
        if not notes:
            return doc
        where = doc.source_file if doc.doc_id == Path(doc.source_file).stem else f"{doc.source_file} ({doc.doc_id})"
        for note in notes:
            log.warning("%s: %s", where, note.split(";")[0])
        row.notes = "; ".join([*filter(None, [row.notes]), *(f"{doc.doc_id}: {n}" for n in notes)])
        return RawDocument(doc.doc_id, doc.source_file, doc.text, doc.format, meta, doc.meta_source)

    def _unique_stem(self, rel: str) -> str:
        """The stem :meth:`_stem` would give ``rel`` now (nothing recorded)."""
        stem = Path(rel).stem
        if stem in self.stems:
            return f"{stem}-{hashlib.sha256(rel.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"
        return stem

    def _stem(self, rel: str) -> str:
        """The file's stem, made unique across files (a clash gets 8 hex digits of the path's hash)."""
        stem = self._unique_stem(rel)
        if stem != Path(rel).stem:
            log.warning("%s: doc_id %r already used by an earlier file; using %r", rel, Path(rel).stem, stem)
        self.stems.add(stem)
        self.file_stem = stem
        return stem

    def _reject_row(self, rel: str, row: ManifestRow, number: int, reason: str) -> None:
        row.n_rejected_rows += 1
        self.rejected_rows.append(RejectedRow(rel, number, reason))
        if row.n_rejected_rows <= 5:
            log.warning("%s: row %d rejected: %s", rel, number, reason)
        elif row.n_rejected_rows == 6:
            log.warning("%s: more rows rejected; see rejected_rows.csv", rel)

    def _read_table(self, path: Path, rel: str, row: ManifestRow, suffix: str) -> Iterator[RawDocument]:
        with _open(path) as fh:
            head = fh.read(_SNIFF_BYTES)
        try:
            row.encoding, errors = _table_encoding(path, head)
        except ValueError as exc:
            raise RejectedFile(str(exc)) from None
        stem = self._stem(rel)
        with _open(path) as raw, io.TextIOWrapper(raw, encoding=row.encoding, errors=errors, newline="") as text_fh:
            if suffix == ".jsonl":
                records = iter_jsonl(text_fh, self.columns, self.limits)
            else:
                records = iter_delimited(text_fh, table_delimiter(head, row.encoding, suffix), self.columns,
                                          self.limits)
            try:
                for number, values, problem in records:
                    row.n_rows += 1
                    if errors != "strict" and not problem and any(_SURROGATE.search(v) for v in values.values()):
                        problem = "bytes that are not UTF-8 in this row (the rest of the file is UTF-8): not guessed"
                    doc = problem or self._row_document(rel, stem, number, values)
                    if isinstance(doc, str):
                        self._reject_row(rel, row, number, doc)
                        continue
                    row.n_documents += 1
                    yield doc
            except UnicodeDecodeError as exc:
                row.reason = (f"partially read: undecodable bytes after row {row.n_rows} (read as {row.encoding}): "
                              f"{exc.reason}; later rows not read")
                log.warning("%s: %s", rel, row.reason)
                return
            except RejectedFile as exc:
                if not row.n_documents:
                    raise
                row.reason = f"partially read: {exc}"
                log.warning("%s: %s", rel, row.reason)
                return
        if row.n_rows == 0:
            raise RejectedFile("no data rows")
        if row.n_documents == 0:
            row.status, row.reason = "rejected", f"all {row.n_rows} rows rejected (see rejected_rows.csv)"
            log.warning("%s: %s", rel, row.reason)

    def _row_document(self, rel: str, stem: str, number: int, values: dict[str, str]) -> RawDocument | str:
        text = values.pop("text", "")
        if not text.strip():
            return "empty text"
        if len(text) > self.limits.max_article_chars:
            return f"text is {len(text):,} characters, over the {self.limits.max_article_chars:,} limit"
        meta = {k: v.strip() for k, v in values.items() if v.strip()}
        return RawDocument(f"{stem}-{number:06d}", rel, text, "table", meta, "table")


def _stream_decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes in ``encoding`` (read in blocks, never whole)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with _open(path) as fh:
            while block := fh.read(_SCAN_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _non_ascii_lines(block: bytes, out: list[bytes], budget: int) -> int:
    """Append the lines of ``block`` holding a non-ASCII byte to ``out`` (up to ``budget`` bytes); their size."""
    used = pos = 0
    while used < budget and (m := _NON_ASCII.search(block, pos)):
        start = block.rfind(b"\n", 0, m.start()) + 1
        end = block.find(b"\n", m.start())
        end = len(block) if end < 0 else end
        out.append(block[start:end])
        used += end - start + 1
        pos = end + 1
    return used


def _table_encoding(path: Path, head: bytes) -> tuple[str, str]:
    """``(encoding, errors)`` of a tabular file, decided on its whole stream, not on its first megabyte.

    A BOM's encoding when every byte decodes in it; UTF-8 when every byte does; UTF-8 with
    ``surrogateescape`` when the file holds UTF-8 sequences and some bytes that are not (the rows
    holding those are rejected one by one); otherwise the code page :func:`_detect_encoding` names for
    the file's non-ASCII lines, provided it decodes every byte.  Raises ValueError otherwise.
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if _stream_decodes(path, encoding):
                return encoding, "strict"
            raise ValueError(f"{encoding} byte-order mark but bytes later in the file do not decode as {encoding}")
    for signature, kind in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise ValueError(f"binary file ({kind})")
    if (nul := head.find(b"\x00")) >= 0:
        raise ValueError(f"binary file (NUL byte at offset {nul})")
    if _stream_decodes(path, "utf-8"):
        return "utf-8", "strict"
    sample: list[bytes] = []
    size = utf8_seen = 0
    with _open(path) as fh:
        carry = b""
        while block := fh.read(_SCAN_BLOCK):
            block = carry + block
            cut = block.rfind(b"\n") + 1 or len(block)
            block, carry = block[:cut], block[cut:]
            utf8_seen = utf8_seen or bool(_UTF8_SEQUENCE.search(block))
            size += _non_ascii_lines(block, sample, _SNIFF_BYTES - size)
        if carry:
            utf8_seen = utf8_seen or bool(_UTF8_SEQUENCE.search(carry))
            _non_ascii_lines(carry, sample, _SNIFF_BYTES - size)
    if utf8_seen:
        return "utf-8", "surrogateescape"
    encoding = _detect_encoding(b"\n".join(sample))
    if not _stream_decodes(path, encoding):
        raise ValueError(f"no single encoding reads the whole file: {encoding} fits its non-ASCII lines but "
                         "not every byte")
    return encoding, "strict"


def _extract_html(html: str) -> tuple[str, dict]:
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                          date_extraction_params={"extensive_search": False,
                                                                  "original_date": True})
    if doc is None:
        return "", {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    # trafilatura separates paragraphs with one newline; diplo's paragraphs are blank-line separated.
    lines = [ln.strip() for ln in (data.get("text") or "").split("\n") if ln.strip()]
    title = (data.get("title") or "").strip()
    if lines and title and lines[0] == title:
        lines = lines[1:]
    meta = {"title": title, "date": data.get("date") or "", "author": data.get("author") or "",
            "outlet": data.get("sitename") or "", "url": data.get("url") or ""}
    return "\n\n".join(lines), {k: v.strip() for k, v in meta.items() if v and v.strip()}


_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_DIGITS = re.compile(r"\d+")


def _navigation_reason(text: str, page: str) -> str:
    """Why the text extracted from ``page`` is menus or section lists rather than an article ("" if it is not).

    Three signs, each enough: most lines are links of the page; no line is a sentence of prose (all
    short, none ending in a full stop); the lines are one template repeated ("Section 0", "Section 1").
    """
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) < 4:
        return ""
    anchors = {re.sub(r"\s+", " ", _TAG.sub("", a)).strip() for a in _ANCHOR.findall(page)}
    anchors.discard("")
    linked = sum(ln in anchors for ln in lines)
    if linked >= 0.5 * len(lines):
        return f"{linked} of its {len(lines)} text lines are links (a menu or link list)"
    words = [len(ln.split()) for ln in lines]
    prose = sum(n >= 12 and ln[-1] in ".!?\"'\u061f\u06d4" for n, ln in zip(words, lines))
    if prose == 0 and sum(n <= 6 for n in words) >= 0.8 * len(lines):
        return f"its {len(lines)} text lines are short labels with no sentence (a menu or section list)"
    templates: dict[str, int] = {}
    for ln, n in zip(lines, words):
        if n >= 12 and ln[-1] in ".!?\"'\u061f\u06d4":  # a sentence of prose is no menu entry
            continue
        key = _DIGITS.sub("0", ln.lower())
        templates[key] = templates.get(key, 0) + 1
    top = max(templates.values(), default=0)
    if top >= 5 and top >= 0.5 * len(lines):
        return f"{top} of its {len(lines)} text lines repeat one pattern (a section list)"
    return ""


def load_documents(raw_dir: str | os.PathLike, manifest: list[ManifestRow],
                   rejected_rows: list[RejectedRow] | None = None, *,
                   columns: str | Mapping[str, str] | None = None,
                   limits: Limits | None = None, cache: ReadCache | None = None,
                   ) -> Iterator[RawDocument | ReusedFile]:
    """Yield documents from ``raw_dir``, recording what happened to every file and row.

    Parameters
    ----------
    raw_dir : folder of raw inputs (only read).
    manifest : list that receives one :class:`ManifestRow` per file, in file order, as files are read.
    rejected_rows : list that receives one :class:`RejectedRow` per rejected row of a tabular file.
    columns : explicit ``field -> column`` mapping for tabular files (dict or ``"text=body,date=pubdate"``).
    limits : size limits; default :class:`Limits`.
    cache : earlier reads (see :class:`ReadCache`): a file it recalls is not read again; its manifest row
        and rejected rows are filled from the record and one :class:`ReusedFile` stands for its documents.

    Yields
    ------
    RawDocument (or ReusedFile), files in sorted path order, rows in file order.
    """
    loader = _Loader(Path(raw_dir), manifest, rejected_rows, parse_columns(columns), limits or Limits(), cache)
    yield from loader.run()


# ------------------------------------------------------------------------------------------ metadata

METADATA_COLUMNS = ("file", "date", "outlet", "title", "url", "author", "notes")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def load_metadata(raw_dir: str | os.PathLike) -> pd.DataFrame:
    """The researcher's ``metadata.csv`` (file,date,outlet,title,url,author,notes), validated.

    A row naming a file that is not in the raw folder is ignored with a warning naming its line; a
    date that is not a real ``YYYY-MM-DD`` date (``2023-02-30``) or whose year is outside 1900..next year
    is dropped from that row with a warning (the other fields of the row still apply).

    A ``file`` holding ``*``, ``?`` or ``[`` is a glob (``tehrantimes_*.txt``, ``crawl/*``, ``*``) matched
    against paths relative to the raw folder, rows of tabular files included: its date, outlet and author
    are folder defaults, below what the article itself says (see :mod:`diplo.text.corpus`).

    Raises
    ------
    ValueError
        When ``metadata.csv`` cannot be parsed, lacks the ``file`` column, has an unknown column, or names
        a file twice, or gives a glob row a title or url: the researcher's input is invalid and the message
        names the file and line.
    """
    raw_dir = Path(raw_dir)
    path = raw_dir / METADATA_FILE
    if not path.exists() and not path.is_symlink():
        return pd.DataFrame(columns=list(METADATA_COLUMNS[:-1]), dtype="object")
    if path.is_symlink() and not is_inside(path, raw_dir):
        raise ValueError(f"{path} is a symlink leading out of the raw folder (to {path.resolve()}): not read")
    try:
        with open_regular(path) as fh:
            data = fh.read()
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    try:
        text, _ = decode_bytes(data)
        meta = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise ValueError(f"{path}: cannot be read as CSV: {exc}") from None
    meta.columns = [c.strip() for c in meta.columns]
    if "file" not in meta.columns:
        raise ValueError(f"{path}: missing column 'file'; found {list(meta.columns)}")
    unknown = [c for c in meta.columns if c not in METADATA_COLUMNS]
    if unknown:
        raise ValueError(f"{path}: unknown column(s) {unknown}; valid: {list(METADATA_COLUMNS)}")
    meta = meta.assign(line=range(2, len(meta) + 2))
    names = []
    for line, name in zip(meta["line"], meta["file"]):
        try:
            names.append(metadata_file_name(name))  # relative names inside raw only; ./a.txt is a.txt
        except ValueError as exc:
            raise ValueError(f"{path} line {line}: {exc}") from None
    meta["file"] = names
    dup = meta[meta["file"].duplicated(keep=False) & (meta["file"] != "")]
    if len(dup):
        first = dup.iloc[0]
        lines = dup.loc[dup["file"] == first["file"], "line"].tolist()
        raise ValueError(f"{path}: file {first['file']!r} is listed twice (lines {lines}); keep one row per file")
    keep = []
    for rec in meta.to_dict("records"):
        where = f"{path} line {rec['line']}"
        target = raw_dir / rec["file"]
        if any(c in rec["file"] for c in "*?["):
            given = [k for k in ("title", "url") if rec.get(k, "").strip()]
            if given:
                raise ValueError(f"{where}: glob row {rec['file']!r} gives {given}: a title or url belongs to "
                                 "one article; glob rows may set date, outlet and author")
            if not any(raw_dir.glob(rec["file"])) and not any(raw_dir.rglob(rec["file"])):
                log.warning("%s: glob %r matches no file in the raw folder", where, rec["file"])
        elif not rec["file"] or not target.is_file():
            log.warning("%s: file %r is not in the raw folder; row ignored", where, rec["file"])
            continue
        for name in LABEL_FIELDS:
            value = rec.get(name) or ""
            if len(value) > MAX_LABEL_CHARS:
                log.warning("%s: %s is %s characters; cut to %d (the full value stays in %s)", where, name,
                            f"{len(value):,}", MAX_LABEL_CHARS, METADATA_FILE)
                rec[name] = bound_label(value)
        date = rec.get("date", "").strip()
        if date and not _valid_iso_date(date):
            log.warning("%s: date %r is not a valid YYYY-MM-DD date with a year in 1900..next year; "
                        "date override ignored", where, date)
            rec["date"] = ""
        keep.append(rec)
    columns = [c for c in meta.columns if c != "notes"]
    return pd.DataFrame(keep, columns=columns).drop(columns=["line"]).astype(object)


def _valid_iso_date(value: str) -> bool:
    if not _ISO_DATE.match(value):
        return False
    import datetime

    try:
        year = datetime.date.fromisoformat(value).year
    except ValueError:
        return False
    return 1900 <= year <= datetime.date.today().year + 1
