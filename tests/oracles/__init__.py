"""Earlier, straightforward implementations kept as test oracles for the optimized ones in diplo.

Each function here is the version diplo shipped before a speed-up (issue 8); the differential tests in
``tests/test_<module>.py`` check that the fast version gives the same output on real and generated input.
Not used by the library.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import numpy as np

from diplo.text.clean import BOILERPLATE_RULES, HEAD_LINES, BoilerplateRule, CleanResult, Removal
from diplo.text.dedupe import BANDS, NEAR_DUPLICATE_THRESHOLD, NUM_PERM
from diplo.text.dedupe import minhash_signatures as _minhash
from diplo.text.metadata import Outlets, canonical_outlet

# The library's constants, restated (an oracle uses no library privates): the whitespace run of
# diplo.text.clean, the MinHash parameters of diplo.text.dedupe, the credit lines of diplo.text.metadata.
_SPACES = re.compile("[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ROWS = NUM_PERM // BANDS
_MULT = np.uint64(0x100000001B3)
_rng = np.random.default_rng(20231207)
_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
_OUTLET_CREDITS = (
    re.compile(r"(?i)(?:first|originally) published (?:in|by|on|at) (?:the website of )?(.{2,80}?)\.?$"),
    re.compile(r"(?i)all content by (.{2,80}?) is licensed"),
    re.compile(r"^(.{2,40}?)(?:'s?|\u2019s?) website can also be accessed", re.I),
)


def _is_headline(line: str, lines: Sequence[str], index: int) -> bool:
    # A headline stands alone (blank line or end after it), is short, and more text follows.
    words = len(line.split())
    alone = index + 1 < len(lines) and not lines[index + 1].strip()
    more = any(ln.strip() for ln in lines[index + 2:])
    return 3 <= words <= 25 and alone and more


def _bootstrap_means(sums: np.ndarray, counts: np.ndarray, *, n_boot: int, seed: int,
                     batch_cells: int = 1_000_000) -> np.ndarray:
    """Pooled means of ``n_boot`` resamples of the units, drawn in batches as the library draws them."""
    rng = np.random.default_rng(seed)
    k = sums.size
    per_batch = max(4, batch_cells // max(k, 1))
    out = np.empty(n_boot)
    for start in range(0, n_boot, per_batch):
        stop = min(n_boot, start + per_batch)
        idx = rng.integers(0, k, size=(stop - start, k))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start:stop] = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    return out


def _interval(means: np.ndarray, level: float) -> tuple[float, float]:
    means = means[np.isfinite(means)]
    if means.size == 0:
        return (np.nan, np.nan)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(means, [alpha, 1 - alpha])
    return float(lo), float(hi)


def normalize_whitespace(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def make_spelling_step(spellings: dict[str, str]):
    variants = sorted(spellings, key=len, reverse=True)
    lookup = {re.sub(r"\s+", " ", v): c for v, c in spellings.items()}
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in variants)
                         + r")(?![\w-])")
    return lambda text: pattern.sub(lambda m: lookup[re.sub(r"\s+", " ", m.group())], text)


def remove_boilerplate(text: str, *, rules: Iterable[BoilerplateRule] = BOILERPLATE_RULES) -> CleanResult:
    rules = tuple(rules)
    line_rules = [r for r in rules if r.kind == "line" and r.name != "title"]
    span_rules = [r for r in rules if r.kind == "span"]
    title_rule = next((r for r in rules if r.name == "title"), None)
    lines = text.split("\n")
    kept: list[str] = []
    removed: list[Removal] = []
    seen_nonblank = 0
    title_checked = title_rule is None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            kept.append("")
            continue
        head = seen_nonblank < HEAD_LINES
        seen_nonblank += 1
        lowered = stripped.lower()
        rule = next((r for r in line_rules if r.applies(lowered, head) and r.pattern.fullmatch(stripped)), None)
        if rule is not None:
            removed.append(Removal(rule.name, stripped, index))
            continue
        for span in span_rules:
            if not span.applies(lowered, head):
                continue
            if m := span.pattern.search(line):
                removed.append(Removal(span.name, m.group().strip(), index))
                line = (line[:m.start()] + " " + line[m.end():]).strip()
        if not title_checked and line:
            title_checked = True
            if head and title_rule.pattern.fullmatch(line) and _is_headline(line, lines, index):
                removed.append(Removal(title_rule.name, line, index))
                continue
        kept.append(line)
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return CleanResult(out, tuple(removed))


def find_outlet(lines: Sequence[str], agency: str | None, outlets: Outlets) -> str | None:
    for line in [*reversed(lines[-HEAD_LINES:]), *lines[:HEAD_LINES]]:
        for pattern in _OUTLET_CREDITS:
            if m := pattern.search(line):
                return canonical_outlet(m[1], outlets)
    if agency and agency.lower() in outlets.aliases:
        return outlets.aliases[agency.lower()]
    for cue, name in outlets.cues.items():
        if any(cue in line for line in [*lines[:HEAD_LINES], *lines[-HEAD_LINES:]]):
            return name
    return None


def minhash_signatures(texts, *, shingle_words: int = 5):
    """diplo.text.dedupe.minhash_signatures as first written: one text at a time."""
    import pandas as pd

    def shingle_hashes(tokens, k):
        if not len(tokens):
            return tokens
        k = min(k, len(tokens))
        n = len(tokens) - k + 1
        h = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(k):
                h = h * _MULT + tokens[j:j + n]
        return np.unique(h)

    words = [re.findall(r"\w+", text.lower()) for text in texts]
    if not words:
        return np.empty((0, NUM_PERM), dtype=np.uint32)
    flat = pd.util.hash_array(np.asarray([w for ws in words for w in ws], dtype=object))
    bounds = np.cumsum([0, *map(len, words)])
    out = np.empty((len(words), NUM_PERM), dtype=np.uint32)
    for row in range(len(words)):
        shingles = shingle_hashes(flat[bounds[row]:bounds[row + 1]], shingle_words)
        if not len(shingles):
            out[row] = _EMPTY
            continue
        sig = _EMPTY.astype(np.uint64)
        with np.errstate(over="ignore"):
            for i in range(0, len(shingles), 8192):
                block = shingles[i:i + 8192, None]
                sig = np.minimum(sig, ((block * _A + _B) >> np.uint64(32)).min(axis=0))
        out[row] = sig
    return out


def aggregate_sums(sums, by, columns, *, n_boot: int = 2000, level: float = 0.95, seed: int = 0):
    """diplo.analysis.aggregate.aggregate_sums as first written: fresh bootstrap draws for every column."""
    import pandas as pd

    by = [by] if isinstance(by, str) else list(by)
    rows = []
    for key, group in sums.groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        row["n"] = int(group["n"].sum())
        row["n_articles"] = len(group)
        for col in columns:
            total = group[f"{col}__sum"].to_numpy(dtype=float)
            count = group[f"{col}__count"].to_numpy(dtype=float)
            keep = count > 0
            row[col] = float(total[keep].sum() / count[keep].sum()) if keep.any() else np.nan
            row[f"{col}_lo"], row[f"{col}_hi"] = (
                _interval(_bootstrap_means(total[keep], count[keep], n_boot=n_boot, seed=seed), level)
                if keep.sum() >= 2 else (np.nan, np.nan))
        rows.append(row)
    return pd.DataFrame(rows)


class NearDuplicateIndex:
    """diplo.text.dedupe.NearDuplicateIndex as first written: one dict of Python ints per band.

    Parameters
    ----------
    threshold : share of agreeing MinHash values (estimated Jaccard similarity) at or above which an
        article is a near-duplicate of an earlier one; between 0 and 1.
    """

    def __init__(self, *, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold!r}")
        self.threshold = threshold
        self._bands: list[dict[int, int]] = [{} for _ in range(BANDS)]
        self._sigs = np.empty((0, NUM_PERM), dtype=np.uint32)
        self._n = 0
        self._root: list[int] = []
        self._ids: list[str] = []

    def _grow(self, extra: int) -> None:
        if self._n + extra > len(self._sigs):
            bigger = np.empty((max(2 * len(self._sigs), self._n + extra, 1024), NUM_PERM), dtype=np.uint32)
            bigger[:self._n] = self._sigs[:self._n]
            self._sigs = bigger

    def add(self, doc_ids: Sequence[str], texts: Sequence[str]) -> list[str | None]:
        """Index articles (in order) and return, for each, the doc_id of the first earlier article it
        nearly duplicates, or None."""
        doc_ids, texts = list(doc_ids), list(texts)
        if len(doc_ids) != len(texts):
            raise ValueError(f"{len(doc_ids)} doc_ids but {len(texts)} texts")
        sigs = _minhash(texts)
        self._grow(len(sigs))
        with np.errstate(over="ignore"):
            keys = sigs.reshape(len(sigs), BANDS, _ROWS).astype(np.uint64)
            band_keys = keys[:, :, 0]
            for r in range(1, _ROWS):
                band_keys = band_keys * _MULT + keys[:, :, r]
        out: list[str | None] = []
        for i, doc_id in enumerate(doc_ids):
            pos = self._n
            self._sigs[pos] = sigs[i]
            candidates = set()
            for b, key in enumerate(band_keys[i].tolist()):
                first = self._bands[b].setdefault(key, pos)
                if first != pos:
                    candidates.add(first)
            match = None
            for cand in sorted(candidates, key=lambda c: self._root[c]):
                if np.count_nonzero(self._sigs[cand] == sigs[i]) >= self.threshold * NUM_PERM:
                    match = self._root[cand]
                    break
            self._root.append(pos if match is None else match)
            self._ids.append(doc_id)
            self._n += 1
            out.append(None if match is None else self._ids[match])
        return out
