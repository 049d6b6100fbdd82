"""Unsupervised topics: what the articles talk about that the theme dictionary may miss.

NMF on TF-IDF (or LDA on counts) with scikit-learn, deterministic for a given ``seed``; sparse throughout
so it scales to 100k documents with ``max_features``/``min_df`` bounding the vocabulary.  Choose the number
of topics with :func:`choose_topic_k` (UMass or NPMI coherence of each topic's top terms, from document
co-occurrence counted with sparse matrices).  Stop words are removed here (and only here: never before VADER).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

import numpy as np
import pandas as pd

__all__ = ["TopicModel", "fit_topics", "paragraph_documents", "score_topics", "top_terms",
           "topic_coherence", "choose_topic_k", "topic_theme_correlation"]

_PARA = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]*)*")
_TOKEN = r"(?u)\b[a-zA-Z][a-zA-Z\-]{1,98}[a-zA-Z]\b"  # words of 3-100 letters (inner hyphens kept), no numbers: a 20,000-letter "word" would widen every term chart


@dataclass(frozen=True)
class TopicModel:
    """A fitted topic model: the vectorizer, the factorization and its settings."""

    vectorizer: object
    model: object
    method: str
    n_topics: int
    seed: int

    @property
    def terms(self) -> np.ndarray:
        return self.vectorizer.get_feature_names_out()


def paragraph_documents(articles: pd.DataFrame, *, min_words: int = 5) -> pd.DataFrame:
    """Split articles (``doc_id``, ``text``) into paragraphs: ``doc_id``, ``para_id``, ``text``.

    Useful when there are few articles: five articles give a few dozen paragraph documents.
    Paragraphs shorter than ``min_words`` words are dropped.
    """
    missing = [c for c in ("doc_id", "text") if c not in articles.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(articles.columns)}")
    rows = []
    for doc_id, text in zip(articles["doc_id"].tolist(), articles["text"].tolist()):
        if not isinstance(text, str):
            continue
        for para_id, m in enumerate(_PARA.finditer(text)):
            para = m.group().strip()
            if len(para.split()) >= min_words:
                rows.append((doc_id, para_id, para))
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "text"])


def _texts(docs: pd.DataFrame | Iterable[str]) -> list[str]:
    if isinstance(docs, pd.DataFrame):
        if "text" not in docs.columns:
            raise ValueError(f"documents table needs a 'text' column; found {list(docs.columns)}")
        docs = docs["text"]
    return [t if isinstance(t, str) else "" for t in docs]


def fit_topics(docs: pd.DataFrame | Iterable[str], *, n_topics: int = 10,
               method: Literal["nmf", "lda"] = "nmf", max_features: int | None = 20_000, min_df: int | float = 1,
               max_df: float = 0.95, stop_words: str | Sequence[str] | None = "english", seed: int = 0,
               max_iter: int = 400) -> TopicModel:
    """Fit a topic model.

    Parameters
    ----------
    docs : texts, or a table with a ``text`` column (articles, or :func:`paragraph_documents`).
    n_topics : number of topics (at least 2).
    method : ``"nmf"`` (TF-IDF, init ``nndsvda``: deterministic) or ``"lda"`` (counts, ``random_state=seed``).
    max_features, min_df, max_df, stop_words : vocabulary bounds, as in scikit-learn's vectorizers
        (raise ``min_df`` and lower ``max_features`` on large corpora to bound memory).
    seed : random seed (same seed, same input -> identical output).

    Raises
    ------
    ValueError
        If ``method`` is unknown, ``n_topics < 2``, or there are fewer documents or terms than topics.
    """
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    if method not in ("nmf", "lda"):
        raise ValueError(f"method={method!r} is not valid; use 'nmf' or 'lda'")
    if not isinstance(n_topics, (int, np.integer)) or n_topics < 2:
        raise ValueError(f"n_topics={n_topics!r} must be an integer >= 2")
    texts = _texts(docs)
    if len(texts) < n_topics:
        raise ValueError(f"{len(texts)} documents are fewer than n_topics={n_topics}")
    vec_cls = TfidfVectorizer if method == "nmf" else CountVectorizer
    vectorizer = vec_cls(max_features=max_features, min_df=min_df, max_df=max_df, stop_words=stop_words,
                         token_pattern=_TOKEN, lowercase=True, dtype=np.float64)
    X = vectorizer.fit_transform(texts)
    if X.shape[1] < n_topics:
        raise ValueError(f"the vocabulary has {X.shape[1]} terms, fewer than n_topics={n_topics}; "
                         "lower min_df or add documents")
    if method == "nmf":
        model = NMF(n_components=n_topics, init="nndsvda", random_state=seed, max_iter=max_iter)
    else:
        model = LatentDirichletAllocation(n_components=n_topics, random_state=seed, learning_method="batch",
                                          max_iter=max_iter // 10 or 1)
    model.fit(X)
    return TopicModel(vectorizer, model, method, int(n_topics), seed)


def top_terms(model: TopicModel, *, n: int = 10) -> pd.DataFrame:
    """Top ``n`` terms per topic: ``topic``, ``rank``, ``term``, ``weight`` (sorted)."""
    terms = model.terms
    rows = []
    for k, comp in enumerate(model.model.components_):
        order = np.argsort(-comp, kind="stable")[:n]
        rows.extend((k, r, terms[i], float(comp[i])) for r, i in enumerate(order))
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])


def score_topics(docs: pd.DataFrame | Iterable[str], model: TopicModel) -> pd.DataFrame:
    """Topic shares per document: ``topic_<k>`` columns summing to 1 (0 for documents with no known terms).

    A DataFrame input keeps its other columns except ``text`` (e.g. ``doc_id``, ``para_id``, ``date``).
    """
    texts = _texts(docs)
    W = model.model.transform(model.vectorizer.transform(texts))
    total = W.sum(axis=1, keepdims=True)
    shares = np.divide(W, total, out=np.zeros_like(W), where=total > 0)
    out = pd.DataFrame(shares, columns=[f"topic_{k}" for k in range(model.n_topics)])
    if isinstance(docs, pd.DataFrame):
        keep = docs.drop(columns="text").reset_index(drop=True)
        out = pd.concat([keep, out], axis=1)
    return out


def topic_coherence(model: TopicModel, docs: pd.DataFrame | Iterable[str], *, n: int = 10,
                    measure: Literal["umass", "npmi"] = "umass") -> pd.Series:
    """Coherence of each topic's top ``n`` terms over ``docs`` (higher is more coherent).

    ``umass``: mean over ordered pairs of log((D(wi, wj) + 1) / D(wj)), Mimno et al. 2011.
    ``npmi``: mean normalized pointwise mutual information of document co-occurrence, Bouma 2009
    (pairs never seen together score -1).
    """
    if measure not in ("umass", "npmi"):
        raise ValueError(f"measure={measure!r} is not valid; use 'umass' or 'npmi'")
    top = [np.argsort(-c, kind="stable")[:n] for c in model.model.components_]
    cols = np.unique(np.concatenate(top))
    X = model.vectorizer.transform(_texts(docs))[:, cols]
    B = (X > 0).astype(np.float64).tocsc()
    n_docs = max(B.shape[0], 1)
    co = np.asarray((B.T @ B).todense())  # |cols| x |cols|: small (n_topics * n terms at most)
    df = np.diag(co)
    pos = {c: i for i, c in enumerate(cols)}
    scores = []
    for t in top:
        idx = [pos[c] for c in t]
        vals = []
        for a in range(1, len(idx)):
            for b in range(a):
                i, j = idx[a], idx[b]  # j is the higher-ranked term
                if measure == "umass":
                    vals.append(np.log((co[i, j] + 1.0) / max(df[j], 1.0)))
                else:
                    p_ij, p_i, p_j = co[i, j] / n_docs, df[i] / n_docs, df[j] / n_docs
                    if p_ij <= 0:
                        vals.append(-1.0)
                    elif p_ij >= 1:
                        vals.append(1.0)
                    else:
                        vals.append(np.log(p_ij / (p_i * p_j)) / -np.log(p_ij))
        scores.append(float(np.mean(vals)) if vals else np.nan)
    return pd.Series(scores, index=pd.RangeIndex(len(top), name="topic"), name=f"coherence_{measure}")


def choose_topic_k(docs: pd.DataFrame | Iterable[str], ks: Iterable[int] = range(2, 11), *, n: int = 10,
                   measure: Literal["umass", "npmi"] = "npmi", **fit_options) -> pd.DataFrame:
    """Fit a model for each k and report mean coherence (and NMF reconstruction error) to choose k.

    Returns a table ``k``, ``coherence`` (mean over topics), ``coherence_min``, ``reconstruction_err``.
    """
    texts = _texts(docs)
    rows = []
    for k in ks:
        model = fit_topics(texts, n_topics=int(k), **fit_options)
        coh = topic_coherence(model, texts, n=n, measure=measure)
        rows.append({"k": int(k), "coherence": float(coh.mean()), "coherence_min": float(coh.min()),
                     "reconstruction_err": float(getattr(model.model, "reconstruction_err_", np.nan))})
    return pd.DataFrame(rows)


def topic_theme_correlation(topic_shares: pd.DataFrame, theme_table: pd.DataFrame, *,
                            on: str | Sequence[str] = "doc_id", method: str = "spearman") -> pd.DataFrame:
    """Correlation across documents between each topic share and each theme measure.

    ``topic_shares`` from :func:`score_topics`, ``theme_table`` with ``theme_*`` columns (e.g. article-level
    theme shares), joined on ``on``.  Returns a topics x themes table of correlations (NaN where a column is
    constant), so each discovered topic can be read against the dictionary themes.
    """
    on = [on] if isinstance(on, str) else list(on)
    topics = [c for c in topic_shares.columns if re.fullmatch(r"topic_\d+", c)]
    themes = [c for c in theme_table.columns if c.startswith("theme_")]
    if not topics or not themes:
        raise ValueError(f"need topic_<k> and theme_* columns; found {list(topic_shares.columns)} and "
                         f"{list(theme_table.columns)}")
    joined = topic_shares[[*on, *topics]].merge(theme_table[[*on, *themes]], on=on, how="inner")
    corr = joined[topics + themes].corr(method=method)
    return corr.loc[topics, themes]
