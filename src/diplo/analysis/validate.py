"""Validation: how well each tone scorer agrees with human labels.

:func:`load_labelled` reads a labelled file (CSV, TSV, JSONL, a JSON array, the VADER ground-truth
format, or NewsMTSC JSONL) into a table with ``text`` and ``label`` columns; :func:`validate_scorers`
scores the texts and compares.

Labels and scores become classes -1 / 0 / 1 before macro-F1, accuracy and the confusion matrix:

- a score is 0 inside its scorer's neutral band (:data:`diplo.scoring.tone.NEUTRAL_BANDS`, |x| < band), else
  its sign; NaN scores (empty texts) count as 0;
- numeric labels are 0 when ``|label - center| <= label_band`` (default center 0, band 0.5: on the VADER
  -4..+4 mean ratings, a mean within half a point of 0 is neutral), else their sign;
- categorical labels go through a label map: ``{"3": -1, ...}`` or a preset from :data:`LABEL_MAPS`.
  Labels the map does not name are dropped and counted in ``n_unmapped``.

Pearson and Spearman r are reported when the raw labels are numeric and no label map is used.
Macro-F1 averages the per-class F1 over the classes present in the gold labels (so a scorer that
predicts "neutral" on a set without neutral gold labels is penalised through recall, not by a 0 for a
class nobody asked about).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from diplo.scoring.actors import score_target_tone
from diplo.scoring.tone import NEUTRAL_BANDS, available_scorers, get_scorer, score_tone

__all__ = ["FORMATS", "LABEL_MAPS", "load_labelled", "label_classes", "to_classes", "validate_scorers",
           "validate_file", "parse_label_map"]

FORMATS = ("auto", "csv", "tsv", "jsonl", "json", "vader", "newsmtsc")
_CAMEO_QUAD = {"0": 0, "1": 1, "2": 1, "3": -1, "4": -1}
# PLOVER event types to CAMEO quad classes (CAMEO 01-08 cooperation, 09-20 conflict): AGREE, CONSULT,
# SUPPORT, CONCEDE are verbal cooperation; COOPERATE, AID, RETREAT material cooperation; INVESTIGATE,
# DEMAND, DISAPPROVE, REJECT, THREATEN verbal conflict; PROTEST, MOBILIZE, SANCTION, COERCE, ASSAULT,
# FIGHT material conflict.  DOCUMENT (file notes) is not an event and is dropped.
_PLOVER = {**{e: 1 for e in ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT")},
           **{e: -1 for e in ("INVESTIGATE", "DEMAND", "DISAPPROVE", "REJECT", "THREATEN", "PROTEST",
                              "MOBILIZE", "SANCTION", "COERCE", "ASSAULT", "FIGHT")}}
LABEL_MAPS: dict[str, dict[str, int]] = {
    "cameo": _CAMEO_QUAD,      # ConfliBERT cameo_class: 0 neutral, 1/2 verbal/material cooperation, 3/4 conflict
    "conflibert": _CAMEO_QUAD,
    "plover": _PLOVER,
    "newsmtsc": {"2": -1, "2.0": -1, "4": 0, "4.0": 0, "6": 1, "6.0": 1},
}
_CLASSES = [-1, 0, 1]


def _detect(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".tsv", ".tab", ".txt"):
        return "tsv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    raise ValueError(f"cannot tell the format of {path} from its suffix {suffix!r}; pass --format "
                     f"(valid: {', '.join(FORMATS[1:])})")


def _read_tsv(path: Path, *, header: bool, columns: Sequence[str] | None) -> pd.DataFrame:
    # Quoting off and the last column takes the rest of the line: the VADER files quote oddly and
    # texts may contain tabs.
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = [line.rstrip("\r\n") for line in fh]
    lines = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    if header and not columns:
        if not lines:
            raise ValueError(f"{path}: the file is empty")
        columns = lines[0][1].split("\t")
    if header:
        lines = lines[1:]
    if not columns:
        raise ValueError(f"{path}: a file without a header needs --columns (e.g. id,rating,text)")
    rows = []
    for n, line in lines:
        parts = line.split("\t", len(columns) - 1)
        if len(parts) != len(columns):
            raise ValueError(f"{path}, line {n}: expected {len(columns)} tab-separated fields "
                             f"({', '.join(columns)}); found {len(parts)}")
        rows.append(parts)
    return pd.DataFrame(rows, columns=list(columns), dtype=object)


def _read_json_records(path: Path, fmt: str) -> list[dict]:
    if fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError(f"{path}: expected a JSON array of records")
        return data
    records = []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}, line {n}: invalid JSON: {exc.msg}") from None
    return records


def _newsmtsc(path: Path) -> pd.DataFrame:
    rows = []
    for n, rec in enumerate(_read_json_records(path, "jsonl"), 1):
        text = rec.get("sentence_normalized") or rec.get("sentence")
        targets = rec.get("targets")
        if not isinstance(text, str) or not isinstance(targets, list):
            raise ValueError(f"{path}, record {n}: NewsMTSC records need 'sentence_normalized' and 'targets'")
        for t in targets:
            rows.append((text, int(t["from"]), int(t["to"]), t.get("mention", ""), t.get("polarity")))
    return pd.DataFrame(rows, columns=["text", "start", "end", "mention", "label"])


def load_labelled(path: str | os.PathLike, *, format: str = "auto", text_column: str | None = None,
                  label_column: str | None = None, columns: Sequence[str] | None = None,
                  header: bool = True) -> pd.DataFrame:
    """Read a labelled file into a table with ``text`` and ``label`` (NewsMTSC: also ``start``, ``end``).

    Parameters
    ----------
    path : the file.
    format : one of :data:`FORMATS`; ``auto`` decides by suffix (.csv, .tsv/.txt, .jsonl, .json).
        ``vader`` is the VADER ground-truth layout (tab-separated ``id, rating, text``, no header).
    text_column, label_column : columns holding the text and the human label (defaults: ``text`` and
        ``label``; ``vader``: ``text``/``rating``).
    columns : column names for a TSV file without a header (``--columns id,rating,text``).
    header : whether a TSV/CSV file has a header line.

    Raises
    ------
    ValueError
        If the format is unknown, a line cannot be parsed (the message names it) or a column is missing.
    FileNotFoundError
        If ``path`` does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labelled file {path} does not exist")
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; valid formats: {', '.join(FORMATS)}")
    if format == "newsmtsc":
        return _newsmtsc(path)
    if format == "vader":
        format, header, columns = "tsv", False, columns or ("id", "rating", "text")
        label_column = label_column or "rating"
    fmt = _detect(path) if format == "auto" else format
    if fmt == "tsv":
        table = _read_tsv(path, header=header, columns=columns)
    elif fmt == "csv":
        table = pd.read_csv(path, dtype=object, keep_default_na=False, header=0 if header else None,
                            names=list(columns) if columns else None)
    else:
        table = pd.DataFrame(_read_json_records(path, fmt))
    text_column, label_column = text_column or "text", label_column or "label"
    missing = [c for c in (text_column, label_column) if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: column(s) {missing} not found; columns are {[str(c) for c in table.columns]} "
                         "(choose with --text-column / --label-column)")
    return pd.DataFrame({"text": table[text_column].to_numpy(dtype=object),
                         "label": table[label_column].to_numpy(dtype=object)})


def _label_key(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def label_classes(labels: Sequence, *, label_map: str | Mapping[str, int] | None = None,
                  band: float = 0.5, center: float = 0.0) -> np.ndarray:
    """Human labels as -1 / 0 / 1 (float array, NaN where a label is missing or not in the map).

    Raises
    ------
    ValueError
        If ``label_map`` names an unknown preset, or labels are not numeric and no map is given.
    """
    if isinstance(label_map, str):
        if label_map not in LABEL_MAPS:
            raise ValueError(f"unknown label map {label_map!r}; presets: {', '.join(sorted(LABEL_MAPS))} "
                             "(or give pairs like 0=0,1=1,3=-1)")
        label_map = LABEL_MAPS[label_map]
    if label_map is not None:
        mapping = {str(k): float(v) for k, v in label_map.items()}
        return np.array([mapping.get(_label_key(v), np.nan) for v in labels], dtype=float)
    values = pd.to_numeric(pd.Series(list(labels), dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = [v for v, x in zip(labels, values) if np.isnan(x) and v not in (None, "")]
    if bad:
        raise ValueError(f"label {bad[0]!r} is not a number; give --label-map for categorical labels "
                         f"(presets: {', '.join(sorted(LABEL_MAPS))})")
    shifted = values - center
    return np.where(np.isnan(shifted), np.nan, np.where(np.abs(shifted) <= band, 0.0, np.sign(shifted)))


def to_classes(values: np.ndarray, band: float) -> np.ndarray:
    """Scores as -1 / 0 / 1: 0 when ``|x| < band`` or NaN, else the sign."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values) | (np.abs(values) < band), 0.0, np.sign(values))


def _metrics(scores: np.ndarray, gold: np.ndarray, band: float, raw: np.ndarray | None) -> dict:
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    pred = to_classes(scores, band)
    present = sorted(set(gold.astype(int).tolist()))
    out = {
        "neutral_band": band,
        "macro_f1": round(float(f1_score(gold, pred, labels=present, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "confusion": {"labels": _CLASSES, "rows": "human", "columns": "scorer",
                      "matrix": confusion_matrix(gold, pred, labels=_CLASSES).tolist()},
    }
    if raw is not None:
        ok = ~np.isnan(scores) & ~np.isnan(raw)
        if ok.sum() > 2 and np.ptp(scores[ok]) > 0 and np.ptp(raw[ok]) > 0:
            x, y = pd.Series(scores[ok]), pd.Series(raw[ok])
            out["pearson"] = round(float(np.corrcoef(x, y)[0, 1]), 4)
            out["spearman"] = round(float(np.corrcoef(x.rank(), y.rank())[0, 1]), 4)  # Pearson of mid-ranks
        else:
            out["pearson"] = out["spearman"] = None
    return out


def _score_targets(texts, starts, ends, scorers) -> dict[str, np.ndarray]:
    table = score_target_tone(list(texts), list(zip(starts, ends)), scorers=scorers)
    return {s.name: table[f"tone_{s.name}_target"].to_numpy(dtype=float) for s in scorers}


def validate_scorers(table: pd.DataFrame, scorers: Sequence[str] | None = None, *,
                     label_map: str | Mapping[str, int] | None = None, label_band: float = 0.5,
                     label_center: float = 0.0, targets: bool = False) -> dict:
    """Compare scorers with human labels.

    Parameters
    ----------
    table : ``text`` and ``label`` columns (and ``start``/``end`` target offsets when ``targets``).
    scorers : names from :data:`diplo.scoring.tone.SCORERS` or scorer objects; default all.
    label_map, label_band, label_center : how labels become -1/0/1 (see :func:`label_classes`).
    targets : also score the tone toward each target span (NewsMTSC) under ``"target"``.

    Returns
    -------
    dict ready for JSON: ``n``, ``n_dropped``, ``n_unmapped`` and per scorer ``macro_f1``, ``accuracy``,
    ``confusion`` (and ``pearson``/``spearman`` for numeric labels without a map).
    """
    instances = [get_scorer(s) for s in (scorers or available_scorers())]  # unknown names fail first
    has_text = np.array([isinstance(t, str) and t.strip() != "" for t in table["text"]], dtype=bool)
    gold_all = label_classes(table["label"].tolist(), label_map=label_map, band=label_band, center=label_center)
    n_unmapped = int((has_text & np.isnan(gold_all)).sum())
    keep = has_text & ~np.isnan(gold_all)
    kept = table[keep].reset_index(drop=True)
    gold = gold_all[keep]
    raw = None
    if label_map is None:
        raw = pd.to_numeric(kept["label"], errors="coerce").to_numpy(dtype=float)
    result: dict = {"n": int(keep.sum()), "n_dropped": int((~has_text).sum()), "n_unmapped": n_unmapped,
                    "label_map": label_map if isinstance(label_map, (str, type(None))) else dict(label_map),
                    "label_band": None if label_map is not None else label_band,
                    "gold_counts": {str(c): int((gold == c).sum()) for c in _CLASSES}}
    if not len(kept):
        raise ValueError("no labelled rows left to validate (check --text-column, --label-column, --label-map)")
    scores = score_tone(kept["text"].tolist(), instances)
    result["scorers"] = {s.name: _metrics(scores[f"tone_{s.name}"].to_numpy(dtype=float), gold,
                                          NEUTRAL_BANDS.get(s.name, 0.0), raw) for s in instances}
    if targets:
        target = _score_targets(kept["text"].tolist(), kept["start"].tolist(), kept["end"].tolist(), instances)
        result["target"] = {s.name: _metrics(target[s.name], gold, NEUTRAL_BANDS.get(s.name, 0.0), raw)
                            for s in instances}
    return result


def validate_file(path: str | os.PathLike, *, scorers: Sequence | None = None, format: str = "auto",
                  text_column: str | None = None, label_column: str | None = None,
                  columns: Sequence[str] | None = None, header: bool = True,
                  label_map: str | Mapping[str, int] | None = None, label_band: float = 0.5,
                  label_center: float | None = None) -> dict:
    """:func:`load_labelled` then :func:`validate_scorers`; NewsMTSC also reports target-level tone."""
    table = load_labelled(path, format=format, text_column=text_column, label_column=label_column,
                          columns=columns, header=header)
    newsmtsc = format == "newsmtsc"
    if newsmtsc and label_map is None and label_center is None:
        label_map = "newsmtsc"
    result = validate_scorers(table, scorers, label_map=label_map, label_band=label_band,
                              label_center=label_center or 0.0, targets=newsmtsc)
    return {"file": str(path), "format": format, **result}


def parse_label_map(spec: str | None) -> str | dict[str, int] | None:
    """``--label-map`` value: a preset name or pairs ``0=0,1=1,2=1,3=-1,4=-1``."""
    if spec is None or "=" not in spec:
        return spec
    mapping = {}
    for pair in spec.split(","):
        key, _, value = pair.partition("=")
        try:
            mapping[key.strip()] = int(value)
        except ValueError:
            raise ValueError(f"label map pair {pair!r}: the class must be -1, 0 or 1") from None
        if mapping[key.strip()] not in _CLASSES:
            raise ValueError(f"label map pair {pair!r}: the class must be -1, 0 or 1")
    return mapping

