"""A trained scorer read from one file: TF-IDF word and character n-grams plus the shipped scorers' values,
weighed by a linear model (made by :func:`diplo.analysis.train.train_model`, ``diplo train``).

The file is a zip of plain arrays (``.npy``, read with ``allow_pickle=False``) and one ``meta.json``; loading
it never executes code.  Nothing in it is a pickled object: the vocabularies are JSON lists, the weights
float arrays, and the features are rebuilt here from them::

    word / char block = l2-normalize((1 + log(count)) * idf)      (count > 0; scikit-learn's sublinear TF-IDF)
    scorer block      = (value - mean) / scale                    (NaN -> 0)
    decision          = features @ coef.T + intercept

A ``classifier`` predicts the label with the largest decision (multinomial logistic regression); a
``regressor`` predicts the decision itself (ridge).  ``meta.json`` records the format, the label set, the
training file's SHA-256, the diplo version, the cross-validated scores and a SHA-256 of every array; a file
whose arrays do not match that record, or that is not a diplo model, is refused with :class:`ModelError`.

Evidence: for each sentence, the features whose value times weight pushed the predicted label (or the
predicted number) most, as ``w:peace talks`` (word n-gram), ``c:sanc`` (character n-gram) or
``s:tone_diplomatic`` (a shipped scorer's value).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from diplo.scoring.chunk import EVIDENCE_COLUMNS, valid_texts
from diplo.scoring.tone import score_tone

__all__ = ["MODEL_FORMAT", "TONE_FEATURES", "WORD_ANALYZER", "CHAR_ANALYZER", "ModelError", "ModelScorer",
           "tone_features"]

MODEL_FORMAT = "diplo-model/1"
# The shipped scorers' columns used as features (all registered scorers with their default dictionaries).
TONE_FEATURES = ("tone_vader", "vader_pos", "vader_neg", "vader_neu", "tone_lexicon", "lexicon_pos",
                 "lexicon_neg", "tone_diplomatic", "diplomatic_coop", "diplomatic_conflict")
# scikit-learn vectorizer settings of the two n-gram blocks (the training side uses the same dicts).
WORD_ANALYZER = {"analyzer": "word", "ngram_range": (1, 2), "lowercase": True,
                 "token_pattern": r"(?u)\b\w\w+\b"}
CHAR_ANALYZER = {"analyzer": "char_wb", "ngram_range": (2, 5), "lowercase": True}
_ARRAYS = ("word_idf", "char_idf", "tone_mean", "tone_scale", "coef", "intercept")
_KINDS = ("classifier", "regressor")
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed zip member times: the same model gives the same bytes


class ModelError(ValueError):
    """A model file that is not a diplo model, is damaged, or was changed after it was written."""


def tone_features(texts: Sequence[str]) -> np.ndarray:
    """The shipped scorers' values (:data:`TONE_FEATURES`) for each text, an ``(n, 10)`` float array;
    texts that are blank or not strings get NaN rows."""
    scores = score_tone(list(texts))
    return scores[list(TONE_FEATURES)].to_numpy(dtype=float)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


class ModelScorer:
    """A linear model over TF-IDF n-grams and the shipped scorers' values, scoring sentences.

    Build one with :func:`diplo.analysis.train.train_model` or read one with :meth:`load`.

    Parameters
    ----------
    kind : ``"classifier"`` or ``"regressor"``.
    labels : the label set of a classifier, in the order of ``coef``'s rows (strings); ``()`` for a regressor.
    word_vocabulary, char_vocabulary : n-gram strings in column order.
    word_idf, char_idf : their inverse document frequencies.
    tone_mean, tone_scale : standardization of the :data:`TONE_FEATURES` block.
    coef : ``(n_labels, n_features)`` for a classifier, ``(1, n_features)`` for a regressor.
    intercept : ``(n_labels,)`` or ``(1,)``.
    meta : anything JSON that travels with the model (training file SHA-256, CV scores, ...).
    name : the scorer's name; its headline column is ``tone_<name>``.
    """

    def __init__(self, *, kind: str, labels: Sequence[str], word_vocabulary: Sequence[str],
                 char_vocabulary: Sequence[str], word_idf: np.ndarray, char_idf: np.ndarray,
                 tone_mean: np.ndarray, tone_scale: np.ndarray, coef: np.ndarray, intercept: np.ndarray,
                 meta: Mapping | None = None, name: str = "model") -> None:
        if kind not in _KINDS:
            raise ValueError(f"unknown model kind {kind!r}; valid: {', '.join(_KINDS)}")
        self.kind, self.name = kind, name
        self.labels = tuple(str(x) for x in labels)
        self.word_vocabulary, self.char_vocabulary = list(word_vocabulary), list(char_vocabulary)
        self.word_idf, self.char_idf = np.asarray(word_idf, float), np.asarray(char_idf, float)
        self.tone_mean, self.tone_scale = np.asarray(tone_mean, float), np.asarray(tone_scale, float)
        self.coef, self.intercept = np.atleast_2d(np.asarray(coef, float)), np.atleast_1d(np.asarray(intercept, float))
        self.meta = dict(meta or {})
        n_features = len(self.word_vocabulary) + len(self.char_vocabulary) + len(TONE_FEATURES)
        rows = len(self.labels) if kind == "classifier" else 1
        if kind == "classifier" and len(self.labels) == 2 and self.coef.shape[0] == 1:
            # binary logistic regression keeps one row (for labels[1]); write it as two opposite rows
            self.coef = np.vstack([-self.coef / 2, self.coef / 2])
            self.intercept = np.array([-self.intercept[0] / 2, self.intercept[0] / 2])
        problems = []
        if self.coef.shape != (rows, n_features):
            problems.append(f"coef has shape {self.coef.shape}, expected {(rows, n_features)}")
        if self.intercept.shape != (rows,):
            problems.append(f"intercept has shape {self.intercept.shape}, expected {(rows,)}")
        if self.word_idf.shape != (len(self.word_vocabulary),) or self.char_idf.shape != (len(self.char_vocabulary),):
            problems.append("an idf array does not match its vocabulary")
        if self.tone_mean.shape != (len(TONE_FEATURES),) or self.tone_scale.shape != (len(TONE_FEATURES),):
            problems.append(f"the scorer block needs {len(TONE_FEATURES)} means and scales")
        if problems:
            raise ModelError("inconsistent model: " + "; ".join(problems))
        self._vectorizers = None

    # -- the scorer protocol --------------------------------------------------------------------------
    @property
    def columns(self) -> tuple[str, ...]:
        """``tone_<name>`` (the predicted number, or the predicted label's index in :attr:`labels`), then for a
        classifier ``p_<name>_<label>`` for each label."""
        if self.kind == "regressor":
            return (f"tone_{self.name}",)
        return (f"tone_{self.name}", *(f"p_{self.name}_{lab}" for lab in self.labels))

    @property
    def dictionaries(self) -> tuple:
        """None: a model reads the texts, not dictionary matches (the scorer protocol asks for the property)."""
        return ()

    def score_chunk(self, chunk, *, evidence: bool = False
                    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
        """:meth:`score` for a :class:`~diplo.scoring.chunk.Chunk`, evidence as arrays (the scorer protocol of
        :mod:`diplo.scoring.score`)."""
        cols, ev = self.score(chunk.texts, evidence=evidence)
        if ev is None:
            return cols, None
        return cols, {c: ev[c].to_numpy(dtype=object if c == "term" else None) for c in EVIDENCE_COLUMNS}

    def feature_names(self) -> list[str]:
        """Names of the feature columns: ``w:<word n-gram>``, ``c:<char n-gram>``, ``s:<scorer column>``."""
        return ([f"w:{t}" for t in self.word_vocabulary] + [f"c:{t}" for t in self.char_vocabulary]
                + [f"s:{t}" for t in TONE_FEATURES])

    def transform(self, texts: Sequence[str], *, tone: np.ndarray | None = None) -> sp.csr_matrix:
        """The feature matrix of ``texts`` (rows of blank or non-string texts are all zero); ``tone``: their
        :func:`tone_features` if the caller already has them."""
        texts = [t if ok else "" for t, ok in zip(texts, valid_texts(list(texts)))]
        if self._vectorizers is None:
            from sklearn.feature_extraction.text import CountVectorizer
            self._vectorizers = (
                CountVectorizer(vocabulary={t: i for i, t in enumerate(self.word_vocabulary)}, **WORD_ANALYZER),
                CountVectorizer(vocabulary={t: i for i, t in enumerate(self.char_vocabulary)}, **CHAR_ANALYZER))
        blocks = []
        for vectorizer, idf in zip(self._vectorizers, (self.word_idf, self.char_idf)):
            if not idf.size:
                blocks.append(sp.csr_matrix((len(texts), 0)))
                continue
            counts = vectorizer.transform(texts).astype(float).tocsr()
            counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
            norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            blocks.append(sp.csr_matrix(sp.diags(1.0 / norms) @ counts))
        tone = ((tone_features(texts) if tone is None else np.asarray(tone, float)) - self.tone_mean) / self.tone_scale
        blocks.append(sp.csr_matrix(np.nan_to_num(tone, nan=0.0)))
        return sp.hstack(blocks, format="csr")

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """``features @ coef.T + intercept``: ``(n, n_labels)`` or ``(n, 1)``."""
        return np.asarray(self.transform(texts) @ self.coef.T) + self.intercept

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities ``(n, n_labels)`` (softmax of :meth:`decision`); classifiers only."""
        if self.kind != "classifier":
            raise ValueError(f"model {self.name!r} is a regressor; it has no class probabilities")
        return _softmax(self.decision(texts))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The predicted label of each text (object array of strings) or number (float array)."""
        d = self.decision(texts)
        if self.kind == "regressor":
            return d[:, 0]
        return np.array(self.labels, dtype=object)[d.argmax(axis=1)]

    def score(self, texts: Sequence[str], *, evidence: bool = False
              ) -> tuple[dict[str, np.ndarray], pd.DataFrame | None]:
        """The columns of :attr:`columns` (NaN for blank texts) and, with ``evidence``, the features that
        weighed most toward each prediction (:data:`~diplo.scoring.tone.EVIDENCE_COLUMNS`; ``term`` is the
        feature name, ``start``/``end`` are -1 (a feature has no single place), ``weight`` its
        contribution to the predicted label's decision, ``negated`` False)."""
        texts = list(texts)
        valid = valid_texts(texts)
        x = self.transform(texts)
        d = np.asarray(x @ self.coef.T) + self.intercept
        if self.kind == "regressor":
            cols = {f"tone_{self.name}": d[:, 0].copy()}
            target = np.zeros(len(texts), dtype=int)
        else:
            target = d.argmax(axis=1)
            cols = {f"tone_{self.name}": target.astype(float)}
            proba = _softmax(d)
            cols.update({f"p_{self.name}_{lab}": proba[:, i] for i, lab in enumerate(self.labels)})
        for v in cols.values():
            v[~valid] = np.nan
        return cols, (self.evidence(x, target, valid) if evidence else None)

    def evidence(self, x: sp.csr_matrix, target: np.ndarray, valid: np.ndarray, *, top: int = 5) -> pd.DataFrame:
        """The ``top`` features of each row of ``x`` by |value * weight| toward row ``target`` of ``coef``."""
        names = np.array(self.feature_names(), dtype=object)
        rows, terms, weights = [], [], []
        x = x.tocsr()
        for i in np.flatnonzero(valid):
            lo, hi = x.indptr[i], x.indptr[i + 1]
            idx = x.indices[lo:hi]
            contrib = x.data[lo:hi] * self.coef[target[i], idx]
            order = np.lexsort((idx, -np.abs(contrib)))[:top]  # ties broken by column: deterministic
            order = order[contrib[order] != 0]
            rows.extend([i] * order.size)
            terms.extend(names[idx[order]])
            weights.extend(contrib[order])
        n = len(rows)
        return pd.DataFrame({"row": np.asarray(rows, dtype=np.int64), "term": pd.Series(terms, dtype=object),
                             "start": np.full(n, -1, dtype=np.int64), "end": np.full(n, -1, dtype=np.int64),
                             "weight": np.asarray(weights, dtype=float), "negated": np.zeros(n, dtype=bool)},
                            columns=EVIDENCE_COLUMNS)

    # -- the file ---------------------------------------------------------------------------------------
    def _arrays(self) -> dict[str, np.ndarray]:
        return {"word_idf": self.word_idf, "char_idf": self.char_idf, "tone_mean": self.tone_mean,
                "tone_scale": self.tone_scale, "coef": self.coef, "intercept": self.intercept}

    def save(self, path: str | os.PathLike) -> Path:
        """Write the model to ``path`` (a zip of ``.npy`` arrays and ``meta.json``; same model, same bytes)."""
        from diplo.io.outputs import atomic_path

        members = {f"{k}.npy": _npy(v) for k, v in self._arrays().items()}
        members["vocabulary.json"] = json.dumps({"word": self.word_vocabulary, "char": self.char_vocabulary},
                                                ensure_ascii=False).encode("utf-8")
        meta = {**self.meta, "format": MODEL_FORMAT, "kind": self.kind, "name": self.name,
                "labels": list(self.labels), "features": {"word": WORD_ANALYZER, "char": CHAR_ANALYZER,
                                                          "scorers": list(TONE_FEATURES)},
                "sha256": {k: _sha(v) for k, v in sorted(members.items())}}
        members["meta.json"] = json.dumps(meta, indent=2, sort_keys=True).encode("utf-8")
        path = Path(path)
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in ["meta.json", *sorted(k for k in members if k != "meta.json")]:
                info = zipfile.ZipInfo(name, date_time=_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, members[name])
        return path

    @classmethod
    def load(cls, path: str | os.PathLike, *, name: str | None = None) -> "ModelScorer":
        """Read a model written by :meth:`save`.

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        ModelError
            If the file is not a diplo model of format :data:`MODEL_FORMAT`, a member is missing, or an
            array or the vocabulary differs from the SHA-256 recorded in ``meta.json`` (a changed file).
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"model file {path} does not exist")
        try:
            with zipfile.ZipFile(path) as zf:
                members = {n: zf.read(n) for n in zf.namelist()}
        except (zipfile.BadZipFile, OSError) as exc:
            raise ModelError(f"{path} is not a diplo model (not a zip of arrays: {exc})") from None
        try:
            meta = json.loads(members["meta.json"].decode("utf-8"))
        except (KeyError, ValueError):
            raise ModelError(f"{path} is not a diplo model (no readable meta.json)") from None
        if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
            found = meta.get("format") if isinstance(meta, dict) else None
            raise ModelError(f"{path} is not a diplo model of format {MODEL_FORMAT!r} (found {found!r})")
        recorded = meta.get("sha256") or {}
        expected = sorted([*(f"{k}.npy" for k in _ARRAYS), "vocabulary.json"])
        if sorted(recorded) != expected or sorted(set(members) - {"meta.json"}) != expected:
            raise ModelError(f"{path}: members {sorted(members)} do not match a diplo model's "
                             f"{['meta.json', *expected]}")
        changed = [k for k in expected if _sha(members[k]) != recorded[k]]
        if changed:
            raise ModelError(f"{path}: {', '.join(changed)} changed after the model was written "
                             "(SHA-256 differs from meta.json); retrain or restore the file")
        arrays = {k: np.load(io.BytesIO(members[f"{k}.npy"]), allow_pickle=False) for k in _ARRAYS}
        vocab = json.loads(members["vocabulary.json"].decode("utf-8"))
        keep = {k: v for k, v in meta.items() if k not in ("format", "kind", "name", "labels", "sha256", "features")}
        return cls(kind=meta["kind"], labels=meta["labels"], word_vocabulary=vocab["word"],
                   char_vocabulary=vocab["char"], meta=keep, name=name or meta.get("name", "model"), **arrays)


def _softmax(d: np.ndarray) -> np.ndarray:
    e = np.exp(d - d.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
