"""Train a scorer from coded sentences (``diplo train``): a linear model over TF-IDF word and character
n-grams plus the shipped scorers' values, saved as a :class:`diplo.scoring.model.ModelScorer` file.

- Categories (e.g. CAMEO quad classes, sentiment -1/0/+1): multinomial logistic regression with balanced
  class weights; numbers (e.g. mean ratings): ridge regression.
- The regularization (``C`` or ``alpha``) is chosen by stratified k-fold cross-validation on the training
  file: every fold fits its own vocabularies, idf and scaling on its training part only.  The reported CV score
  (macro-F1 and accuracy, or Pearson and Spearman r) is the out-of-fold score at the chosen value, with a 95%
  bootstrap interval over sentences.  It is slightly optimistic (the value was chosen on the same folds):
  report a held-out file's score (``diplo validate --scorer model:PATH``) as the model's validity.
- The final model is refitted on every row with the chosen value.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from diplo.analysis.validate import bootstrap_interval, load_labelled, macro_f1
from diplo.io.paths import file_sha256
from diplo.scoring.model import CHAR_ANALYZER, TONE_FEATURES, WORD_ANALYZER, ModelScorer, tone_features

__all__ = ["KINDS", "C_GRID", "ALPHA_GRID", "train_model", "train_file"]

KINDS = ("auto", "classifier", "regressor")
C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)        # logistic regression: inverse regularization strength
ALPHA_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)    # ridge: regularization strength
_MAX_CHAR_FEATURES = 20_000
_MIN_DF = 2


def _kind(labels: Sequence[str], kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; valid: {', '.join(KINDS)}")
    if kind != "auto":
        return kind
    values = pd.to_numeric(pd.Series(list(labels), dtype=object), errors="coerce")
    if values.isna().any():
        return "classifier"
    # a few whole numbers are codes (CAMEO 0-4, sentiment -1/0/1); many distinct values are ratings
    whole = bool((values == values.round()).all())
    return "classifier" if whole and values.nunique() <= 10 else "regressor"


def _fit_features(texts: list[str], tone: np.ndarray, kind: str, labels: Sequence[str]) -> ModelScorer:
    """A model with zero weights whose vocabularies, idf and scaling are fitted on ``texts``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vocab, idf = [], []
    for settings, cap in ((WORD_ANALYZER, None), (CHAR_ANALYZER, _MAX_CHAR_FEATURES)):
        vec = TfidfVectorizer(min_df=_MIN_DF, sublinear_tf=True, max_features=cap, dtype=np.float64, **settings)
        try:
            vec.fit(texts)
        except ValueError:  # every n-gram is rarer than min_df (tiny files)
            vocab.append([]), idf.append(np.zeros(0))
            continue
        order = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        vocab.append(order), idf.append(vec.idf_)
    mean = np.nanmean(tone, axis=0) if len(tone) else np.zeros(len(TONE_FEATURES))
    scale = np.nanstd(tone, axis=0) if len(tone) else np.ones(len(TONE_FEATURES))
    mean, scale = np.nan_to_num(mean), np.nan_to_num(scale)
    scale[scale == 0] = 1.0
    rows = len(labels) if kind == "classifier" else 1
    n_features = len(vocab[0]) + len(vocab[1]) + len(TONE_FEATURES)
    return ModelScorer(kind=kind, labels=labels if kind == "classifier" else (), word_vocabulary=vocab[0],
                       char_vocabulary=vocab[1], word_idf=idf[0], char_idf=idf[1], tone_mean=mean,
                       tone_scale=scale, coef=np.zeros((rows, n_features)), intercept=np.zeros(rows))


def _estimator(kind: str, value: float, seed: int):
    from sklearn.linear_model import LogisticRegression, Ridge

    if kind == "classifier":
        return LogisticRegression(C=value, class_weight="balanced", max_iter=3000, random_state=seed)
    return Ridge(alpha=value)


def _coef(kind: str, est, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    if kind == "regressor":
        return np.atleast_2d(est.coef_), np.atleast_1d(est.intercept_)
    order = [list(est.classes_).index(lab) for lab in labels]
    coef, intercept = np.atleast_2d(est.coef_), np.atleast_1d(est.intercept_)
    if coef.shape[0] == 1:  # binary: one row for classes_[1]
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    return coef[order], intercept[order]


def _scores(kind: str, y: np.ndarray, pred: np.ndarray, *, n_boot: int, seed: int) -> dict:
    if kind == "classifier":
        stats = {"macro_f1": macro_f1, "accuracy": lambda g, p: float(np.mean(g == p))}
    else:
        stats = {"pearson": _pearson, "spearman": lambda a, b: _pearson(_rank(a), _rank(b))}
    out = {}
    for key, fn in stats.items():
        out[key] = round(float(fn(y, pred)), 4)
        lo, hi = bootstrap_interval(fn, y, pred, n_boot=n_boot, seed=seed)
        out[f"{key}_ci"] = [round(lo, 4), round(hi, 4)]
    return out


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _rank(a: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata
    return rankdata(a)


def train_model(texts: Sequence[str], labels: Sequence, *, kind: str = "auto", folds: int = 5, seed: int = 0,
                grid: Sequence[float] | None = None, n_boot: int = 1000, name: str = "model",
                meta: dict | None = None) -> tuple[ModelScorer, dict]:
    """Fit a :class:`~diplo.scoring.model.ModelScorer` on coded texts, choosing its regularization by CV.

    Parameters
    ----------
    texts : the sentences (blank ones and rows with a blank label are dropped).
    labels : one code per text: categories (strings or whole numbers) or numbers.
    kind : ``"classifier"``, ``"regressor"`` or ``"auto"`` (numbers with more than 10 distinct or
        fractional values are a regression target, anything else categories).
    folds : cross-validation folds (stratified by label for a classifier), shuffled with ``seed``.
    grid : values of ``C`` (classifier) or ``alpha`` (regressor) to try; default :data:`C_GRID` /
        :data:`ALPHA_GRID`.
    n_boot : bootstrap resamples for the intervals of the CV scores.
    name : the scorer's name (its column is ``tone_<name>``).
    meta : extra JSON-able facts stored with the model (e.g. the training file's SHA-256).

    Returns
    -------
    ``(model, report)``: the refitted model (its ``meta["cv"]`` holds the report) and a dict with ``kind``,
    ``n``, ``labels`` (counts), ``folds``, ``seed``, ``grid`` (the CV score of every value), ``chosen``,
    and the out-of-fold scores at the chosen value with 95% bootstrap intervals.

    Raises
    ------
    ValueError
        If fewer than ``2 * folds`` rows remain, a classifier has fewer than two labels, or a label has fewer
        rows than ``folds``.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    texts, labels = list(texts), list(labels)
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    keep = [isinstance(t, str) and t.strip() != "" and lab is not None and str(lab).strip() != ""
            and not (isinstance(lab, float) and np.isnan(lab)) for t, lab in zip(texts, labels)]
    texts = [t for t, k in zip(texts, keep) if k]
    raw = [str(lab).strip() for lab, k in zip(labels, keep) if k]
    kind = _kind(raw, kind)
    if folds < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    if len(texts) < 2 * folds:
        raise ValueError(f"only {len(texts)} coded rows; training with {folds}-fold CV needs at least {2 * folds}")
    if kind == "classifier":
        y = np.array([_label_text(v) for v in raw], dtype=object)
        label_set = sorted(set(y), key=_label_order)
        counts = {lab: int((y == lab).sum()) for lab in label_set}
        if len(label_set) < 2:
            raise ValueError(f"a classifier needs at least two labels; found only {label_set}")
        small = {lab: c for lab, c in counts.items() if c < folds}
        if small:
            raise ValueError(f"label(s) {small} have fewer rows than the {folds} CV folds; code more examples "
                             "or merge labels")
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    else:
        try:
            y = np.array([float(v) for v in raw])
        except ValueError as exc:
            raise ValueError(f"a regressor needs numeric labels: {exc}") from None
        label_set, counts = (), {"mean": round(float(y.mean()), 4), "sd": round(float(y.std()), 4)}
        splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    grid = tuple(grid or (C_GRID if kind == "classifier" else ALPHA_GRID))
    tone = tone_features(texts)
    text_arr = np.array(texts, dtype=object)
    oof = {g: np.empty(len(texts), dtype=y.dtype) for g in grid}
    for train_idx, test_idx in splitter.split(text_arr, y if kind == "classifier" else None):
        feats = _fit_features(text_arr[train_idx].tolist(), tone[train_idx], kind, label_set)
        x_tr = feats.transform(text_arr[train_idx].tolist(), tone=tone[train_idx])
        x_te = feats.transform(text_arr[test_idx].tolist(), tone=tone[test_idx])
        for g in grid:
            oof[g][test_idx] = _estimator(kind, g, seed).fit(x_tr, y[train_idx]).predict(x_te)
    key = "macro_f1" if kind == "classifier" else "pearson"
    metric = macro_f1 if kind == "classifier" else _pearson
    by_value = {str(g): round(float(metric(y, oof[g])), 4) for g in grid}
    chosen = max(grid, key=lambda g: (np.nan_to_num(metric(y, oof[g]), nan=-1.0), -grid.index(g)))
    report = {"kind": kind, "n": len(texts), "labels": counts, "folds": folds, "seed": seed,
              "parameter": "C" if kind == "classifier" else "alpha", "grid": by_value, "chosen": chosen,
              "selected_by": key, **_scores(kind, y, oof[chosen], n_boot=n_boot, seed=seed)}
    model = _fit_features(texts, tone, kind, label_set)
    est = _estimator(kind, chosen, seed).fit(model.transform(texts, tone=tone), y)
    coef, intercept = _coef(kind, est, label_set)
    import diplo
    model = ModelScorer(kind=kind, labels=label_set, word_vocabulary=model.word_vocabulary,
                        char_vocabulary=model.char_vocabulary, word_idf=model.word_idf, char_idf=model.char_idf,
                        tone_mean=model.tone_mean, tone_scale=model.tone_scale, coef=coef, intercept=intercept,
                        meta={**(meta or {}), "diplo_version": diplo.__version__, "cv": report}, name=name)
    return model, report


def _label_text(value: str) -> str:
    """``"1.0"`` and ``"1"`` are the same code."""
    try:
        f = float(value)
    except ValueError:
        return value
    return str(int(f)) if f.is_integer() else value


def _label_order(label: str) -> tuple:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def train_file(path: str | os.PathLike, out: str | os.PathLike, *, text_column: str | None = None,
               label_column: str | None = None, format: str = "auto", columns: Sequence[str] | None = None,
               header: bool = True, kind: str = "auto", folds: int = 5, seed: int = 0, n_boot: int = 1000,
               name: str = "model") -> dict:
    """Read a coded file (:func:`diplo.analysis.validate.load_labelled`), :func:`train_model`, save the model
    to ``out`` with the file's name and SHA-256; return the CV report with ``model`` (the path) added."""
    table = load_labelled(path, format=format, text_column=text_column, label_column=label_column,
                          columns=columns, header=header)
    meta = {"training_file": Path(path).name, "training_sha256": file_sha256(path),
            "text_column": text_column or "text", "label_column": label_column or "label"}
    model, report = train_model(table["text"].tolist(), table["label"].tolist(), kind=kind, folds=folds,
                                seed=seed, n_boot=n_boot, name=name, meta=meta)
    model.save(out)
    return {"model": str(out), "training_sha256": meta["training_sha256"], **report}
