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
           "validate_file", "parse_label_map", "bootstrap_interval", "macro_f1", "coder_agreement",
           "majority_codes", "metrics_table"]

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
    if format == "newsmtsc":
        if not path.is_file():
            raise FileNotFoundError(f"labelled file {path} does not exist")
        return _newsmtsc(path)
    if format == "vader":
        label_column = label_column or "rating"
    table = _read_table(path, format=format, columns=columns, header=header)
    text_column, label_column = text_column or "text", label_column or "label"
    _require(path, table, [text_column, label_column])
    return pd.DataFrame({"text": table[text_column].to_numpy(dtype=object),
                         "label": table[label_column].to_numpy(dtype=object)})


def _require(path: Path, table: pd.DataFrame, names: Sequence[str]) -> None:
    missing = [c for c in names if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: column(s) {missing} not found; columns are {[str(c) for c in table.columns]} "
                         "(choose with --text-column / --label-column / --coder-columns)")


def _read_table(path: Path, *, format: str, columns: Sequence[str] | None, header: bool) -> pd.DataFrame:
    """Every column of a CSV / TSV / JSONL / JSON / VADER file, as strings."""
    if not path.is_file():
        raise FileNotFoundError(f"labelled file {path} does not exist")
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; valid formats: {', '.join(FORMATS)}")
    if format == "vader":
        format, header, columns = "tsv", False, columns or ("id", "rating", "text")
    fmt = _detect(path) if format == "auto" else format
    if fmt == "tsv":
        return _read_tsv(path, header=header, columns=columns)
    if fmt == "csv":
        return pd.read_csv(path, dtype=object, keep_default_na=False, header=0 if header else None,
                           names=list(columns) if columns else None)
    return pd.DataFrame(_read_json_records(path, fmt))


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


def macro_f1(gold: Sequence, pred: Sequence) -> float:
    """Macro-F1 over the classes present in ``gold`` (a class the gold labels never use is not averaged in)."""
    gold, pred = np.asarray(gold), np.asarray(pred)
    f1 = []
    for c in np.unique(gold):
        tp = np.sum((gold == c) & (pred == c))
        denom = np.sum(gold == c) + np.sum(pred == c)
        f1.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(f1)) if f1 else float("nan")


def bootstrap_interval(statistic, *arrays: Sequence, n_boot: int = 1000, seed: int = 0,
                       level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic(*arrays)``, resampling rows (the same rows of every array).

    Parameters
    ----------
    statistic : function of the arrays returning a number (e.g. :func:`macro_f1`).
    arrays : equal-length arrays.
    n_boot : resamples; ``seed`` fixes them (same inputs and seed, same interval).
    level : coverage of the interval.

    Returns
    -------
    ``(low, high)``; NaN when ``n_boot`` is 0 or every resample gives NaN.
    """
    arrays = [np.asarray(a) for a in arrays]
    n = len(arrays[0])
    if n_boot <= 0 or n == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    values = np.array([statistic(*(a[idx] for a in arrays))
                       for idx in (rng.integers(0, n, n) for _ in range(n_boot))], dtype=float)
    values = values[~np.isnan(values)]
    if not values.size:
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


def _metrics(scores: np.ndarray, gold: np.ndarray, band: float, raw: np.ndarray | None, *,
             n_boot: int = 1000, seed: int = 0, pred: np.ndarray | None = None) -> dict:
    from sklearn.metrics import confusion_matrix

    if pred is None:
        pred = to_classes(scores, band)
    out = {
        "neutral_band": band,
        "macro_f1": round(macro_f1(gold, pred), 4),
        "accuracy": round(float(np.mean(gold == pred)), 4),
        "confusion": {"labels": _CLASSES, "rows": "human", "columns": "scorer",
                      "matrix": confusion_matrix(gold, pred, labels=_CLASSES).tolist()},
    }
    if n_boot:
        out["macro_f1_ci"] = _ci(macro_f1, gold, pred, n_boot=n_boot, seed=seed)
        out["accuracy_ci"] = _ci(lambda g, p: float(np.mean(g == p)), gold, pred, n_boot=n_boot, seed=seed)
    if raw is not None:
        ok = ~np.isnan(scores) & ~np.isnan(raw)
        if ok.sum() > 2 and np.ptp(scores[ok]) > 0 and np.ptp(raw[ok]) > 0:
            x, y = scores[ok], raw[ok]
            out["pearson"] = round(_pearson(x, y), 4)
            out["spearman"] = round(_spearman(x, y), 4)
            if n_boot:
                out["pearson_ci"] = _ci(_pearson, x, y, n_boot=n_boot, seed=seed)
                out["spearman_ci"] = _ci(_spearman, x, y, n_boot=n_boot, seed=seed)
        else:
            out["pearson"] = out["spearman"] = None
    return out


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    return _pearson(pd.Series(x).rank().to_numpy(), pd.Series(y).rank().to_numpy())  # Pearson of mid-ranks


def _ci(statistic, *arrays, n_boot: int, seed: int) -> list[float | None]:
    lo, hi = bootstrap_interval(statistic, *arrays, n_boot=n_boot, seed=seed)
    return [None if np.isnan(lo) else round(lo, 4), None if np.isnan(hi) else round(hi, 4)]


def _model_metrics(model, texts: list, kept_labels: list, gold: np.ndarray, raw: np.ndarray | None, *,
                   label_map, label_band: float, label_center: float, n_boot: int, seed: int) -> dict:
    """A trained model judged in its labels' own space: its predictions become -1/0/1 the way the human labels
    do (same map, band and center); a classifier is also scored on the raw labels (``labels_*``)."""
    predicted = model.predict(texts)
    pred = label_classes(list(predicted), label_map=label_map, band=label_band, center=label_center)
    pred = np.where(np.isnan(pred), 0.0, pred)
    numeric = np.asarray(predicted, dtype=float) if model.kind == "regressor" else np.full(len(texts), np.nan)
    out = {"model": model.meta.get("training_file"), "kind": model.kind,
           **_metrics(numeric, gold, float("nan"), raw if model.kind == "regressor" else None,
                      n_boot=n_boot, seed=seed, pred=pred)}
    out.pop("neutral_band")
    if model.kind == "classifier":
        from sklearn.metrics import confusion_matrix

        keys = np.array([_label_key(v) for v in kept_labels], dtype=object)
        pred_keys = np.array([_label_key(v) for v in predicted], dtype=object)
        labels = sorted(set(keys) | set(model.labels), key=lambda v: (_num(v) is None, _num(v) or 0, v))
        out["labels_macro_f1"] = round(macro_f1(keys, pred_keys), 4)
        out["labels_accuracy"] = round(float(np.mean(keys == pred_keys)), 4)
        if n_boot:
            out["labels_macro_f1_ci"] = _ci(macro_f1, keys, pred_keys, n_boot=n_boot, seed=seed)
        out["labels_confusion"] = {"labels": labels, "rows": "human", "columns": "model",
                                   "matrix": confusion_matrix(keys, pred_keys, labels=labels).tolist()}
    return out


def _num(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _split_scorers(scorers: Sequence | None) -> tuple[list, list]:
    """Shipped scorer objects and ``(key, ModelScorer)`` pairs for ``model:PATH`` entries."""
    from diplo.scoring.model import ModelScorer

    shipped, models = [], []
    for s in (scorers if scorers is not None else available_scorers()):
        if isinstance(s, str) and s.startswith("model:"):
            path = s[len("model:"):]
            models.append((s, ModelScorer.load(path)))
        elif isinstance(s, ModelScorer):
            models.append((f"model:{s.name}", s))
        else:
            shipped.append(get_scorer(s))  # unknown names fail here, before any scoring
    return shipped, models


def _score_targets(texts, starts, ends, scorers) -> dict[str, np.ndarray]:
    table = score_target_tone(list(texts), list(zip(starts, ends)), scorers=scorers)
    return {s.name: table[f"tone_{s.name}_target"].to_numpy(dtype=float) for s in scorers}


def validate_scorers(table: pd.DataFrame, scorers: Sequence[str] | None = None, *,
                     label_map: str | Mapping[str, int] | None = None, label_band: float = 0.5,
                     label_center: float = 0.0, targets: bool = False, n_boot: int = 1000,
                     seed: int = 0) -> dict:
    """Compare scorers with human labels.

    Parameters
    ----------
    table : ``text`` and ``label`` columns (and ``start``/``end`` target offsets when ``targets``).
    scorers : names from :data:`diplo.scoring.tone.SCORERS`, scorer objects, ``"model:PATH"`` (a model made
        by ``diplo train``) or :class:`~diplo.scoring.model.ModelScorer` objects; default all shipped scorers.
        A model is judged in its labels' own space (see the module docstring of :mod:`diplo.analysis.train`).
    label_map, label_band, label_center : how labels become -1/0/1 (see :func:`label_classes`).
    targets : also score the tone toward each target span (NewsMTSC) under ``"target"``.
    n_boot : bootstrap resamples for the 95% intervals (``*_ci``); 0 for none.
    seed : seed of the resamples (same file, same seed, same intervals).

    Returns
    -------
    dict ready for JSON: ``n``, ``n_dropped``, ``n_unmapped`` and per scorer ``macro_f1``, ``accuracy``,
    ``confusion`` (and ``pearson``/``spearman`` for numeric labels without a map), each with ``*_ci``.
    """
    instances, models = _split_scorers(scorers)
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
    if n_boot:
        result["bootstrap"] = {"n_boot": n_boot, "seed": seed, "level": 0.95}
    if not len(kept):
        raise ValueError("no labelled rows left to validate (check --text-column, --label-column, --label-map)")
    texts = kept["text"].tolist()
    result["scorers"] = {}
    if instances:
        scores = score_tone(texts, instances)
        result["scorers"] = {s.name: _metrics(scores[f"tone_{s.name}"].to_numpy(dtype=float), gold,
                                              NEUTRAL_BANDS.get(s.name, 0.0), raw, n_boot=n_boot, seed=seed)
                             for s in instances}
    for key, model in models:
        result["scorers"][key] = _model_metrics(model, texts, kept["label"].tolist(), gold, raw,
                                                label_map=label_map, label_band=label_band,
                                                label_center=label_center, n_boot=n_boot, seed=seed)
    if targets:
        target = _score_targets(texts, kept["start"].tolist(), kept["end"].tolist(), instances)
        result["target"] = {s.name: _metrics(target[s.name], gold, NEUTRAL_BANDS.get(s.name, 0.0), raw,
                                             n_boot=n_boot, seed=seed)
                            for s in instances}
    return result


def validate_file(path: str | os.PathLike, *, scorers: Sequence | None = None, format: str = "auto",
                  text_column: str | None = None, label_column: str | None = None,
                  columns: Sequence[str] | None = None, header: bool = True,
                  label_map: str | Mapping[str, int] | None = None, label_band: float = 0.5,
                  label_center: float | None = None, coder_columns: Sequence[str] | None = None,
                  n_boot: int = 1000, seed: int = 0) -> dict:
    """:func:`load_labelled` then :func:`validate_scorers`; NewsMTSC also reports target-level tone.

    With ``coder_columns`` (two or more columns of codes, e.g. a ``diplo sample`` sheet coded by two people) the
    result also holds ``coders`` (:func:`coder_agreement`), and the scorers are compared with the coders'
    majority code (rows without a strict majority are left out and counted in ``coders.n_no_majority``).
    """
    path = Path(path)
    if not coder_columns:
        table = load_labelled(path, format=format, text_column=text_column, label_column=label_column,
                              columns=columns, header=header)
        newsmtsc = format == "newsmtsc"
        if newsmtsc and label_map is None and label_center is None:
            label_map = "newsmtsc"
        result = validate_scorers(table, scorers, label_map=label_map, label_band=label_band,
                                  label_center=label_center or 0.0, targets=newsmtsc, n_boot=n_boot, seed=seed)
        return {"file": str(path), "format": format, **result}
    if format == "newsmtsc" or len(coder_columns) < 2:
        raise ValueError(f"--coder-columns needs two or more columns of a CSV/TSV/JSON sheet, got {list(coder_columns)}")
    full = _read_table(path, format=format, columns=columns, header=header)
    text_column = text_column or "text"
    _require(path, full, [text_column, *coder_columns])
    coders = coder_agreement(full, coder_columns)
    majority = majority_codes(full, coder_columns)
    coders["n_no_majority"] = int(((majority == "") & full[list(coder_columns)].apply(
        lambda col: col.map(_label_key) != "").any(axis=1)).sum())
    table = pd.DataFrame({"text": full[text_column].to_numpy(dtype=object), "label": majority.to_numpy(dtype=object)})
    table = table[table["label"] != ""].reset_index(drop=True)
    result = validate_scorers(table, scorers, label_map=label_map, label_band=label_band,
                              label_center=label_center or 0.0, n_boot=n_boot, seed=seed)
    return {"file": str(path), "format": format, "label": "majority of " + ", ".join(coder_columns),
            "coders": coders, **result}


def _codes(table: pd.DataFrame, coder_columns: Sequence[str]) -> tuple[np.ndarray, list[str], bool]:
    """Codes as a (coders x units) float array of indices into the sorted value domain (NaN = not coded)."""
    keys = table[list(coder_columns)].apply(lambda col: col.map(lambda v: "" if v is None or (
        isinstance(v, float) and np.isnan(v)) else _label_key(v)))
    values = sorted({v for v in keys.to_numpy().ravel() if v != ""})
    numeric = bool(values) and all(_num(v) is not None for v in values)
    if numeric:
        values = sorted(values, key=lambda v: float(v))
    index = {v: i for i, v in enumerate(values)}
    data = np.array([[index.get(v, np.nan) for v in keys[c]] for c in coder_columns], dtype=float)
    return data, values, numeric


def coder_agreement(table: pd.DataFrame, coder_columns: Sequence[str]) -> dict:
    """Agreement between coders: Krippendorff's alpha (``krippendorff`` package), nominal and ordinal.

    Parameters
    ----------
    table : one row per coded unit, one column per coder (blank = not coded by that coder).
    coder_columns : the coders' columns (two or more).

    Returns
    -------
    dict: ``coders``, ``values`` (the codes found), ``n_units`` (rows coded by at least two coders),
    ``percent_agreement`` (share of those rows where every coder gave the same code),
    ``alpha_nominal`` and ``alpha_ordinal`` (``None`` when the codes are not all numbers, or when no
    row was coded twice).  Ordinal alpha orders the codes by their numeric value (-1 < 0 < 1; CAMEO 0 < ... < 4).

    Raises
    ------
    ValueError
        If fewer than two coder columns are given or one is missing.
    """
    import krippendorff

    if len(coder_columns) < 2:
        raise ValueError(f"inter-coder agreement needs two or more coder columns, got {list(coder_columns)}")
    missing = [c for c in coder_columns if c not in table.columns]
    if missing:
        raise ValueError(f"coder column(s) {missing} not found; columns are {[str(c) for c in table.columns]}")
    data, values, numeric = _codes(table, coder_columns)
    coded = (~np.isnan(data)).sum(axis=0)
    pairable = data[:, coded >= 2]
    out = {"coders": list(coder_columns), "values": values, "n_units": int(pairable.shape[1])}
    if not pairable.shape[1]:
        return {**out, "percent_agreement": None, "alpha_nominal": None, "alpha_ordinal": None}
    same = [len(set(col[~np.isnan(col)].tolist())) == 1 for col in pairable.T]
    out["percent_agreement"] = round(float(np.mean(same)), 4)
    if len(values) < 2:  # one code everywhere: alpha is undefined (no variation to agree on)
        return {**out, "alpha_nominal": None, "alpha_ordinal": None}
    domain = np.arange(len(values), dtype=float)
    out["alpha_nominal"] = round(float(krippendorff.alpha(reliability_data=data, value_domain=domain,
                                                          level_of_measurement="nominal")), 4)
    out["alpha_ordinal"] = (round(float(krippendorff.alpha(reliability_data=data, value_domain=domain,
                                                           level_of_measurement="ordinal")), 4)
                            if numeric else None)
    return out


def majority_codes(table: pd.DataFrame, coder_columns: Sequence[str]) -> pd.Series:
    """Each row's most frequent code among the coders who coded it, ``""`` when no code has a strict
    majority over the others (a tie) or nobody coded the row."""
    data, values, _ = _codes(table, coder_columns)
    out = []
    for col in data.T:
        counts = np.bincount(col[~np.isnan(col)].astype(int), minlength=len(values))
        best = np.flatnonzero(counts == counts.max()) if counts.size and counts.max() > 0 else []
        out.append(values[best[0]] if len(best) == 1 else "")
    return pd.Series(out, index=table.index, dtype=object)


def metrics_table(result: Mapping) -> pd.DataFrame:
    """One row per scorer of a :func:`validate_file` result with its scores and 95% intervals: ``scorer``,
    ``n``, ``macro_f1``, ``macro_f1_low``, ``macro_f1_high``, ``accuracy``, ``accuracy_low``, ``accuracy_high``,
    ``pearson``, ``pearson_low``, ``pearson_high`` (NaN where not computed)."""
    rows = []
    for scorer, m in (result.get("scorers") or {}).items():
        row = {"scorer": scorer, "n": result.get("n")}
        for key in ("macro_f1", "accuracy", "pearson"):
            lo, hi = m.get(f"{key}_ci") or (None, None)
            row.update({key: m.get(key), f"{key}_low": lo, f"{key}_high": hi})
        rows.append(row)
    cols = ["scorer", "n", *(f"{k}{s}" for k in ("macro_f1", "accuracy", "pearson") for s in ("", "_low", "_high"))]
    return pd.DataFrame(rows, columns=cols).astype({c: float for c in cols[2:]})


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

