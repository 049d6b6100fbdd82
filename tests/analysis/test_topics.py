from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diplo.text.corpus import build_articles
from diplo.io.raw import load_documents
from diplo.analysis.topics import fit_topics, paragraph_documents, choose_topic_k, score_topics, top_terms, \
    topic_coherence, topic_theme_correlation

GAS = "gas pipeline swap energy electricity grid exports gas pipeline"
RAIL = "railway corridor transit trucks freight bridge railway corridor"


def _two_topic_corpus(n: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for i in range(n):
        words = (GAS if i % 2 == 0 else RAIL).split()
        rows.append({"doc_id": f"d{i:02d}", "text": " ".join(rng.permutation(words))})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def paragraphs(raw_dir) -> pd.DataFrame:
    articles = build_articles(load_documents(raw_dir, []))[0]
    return paragraph_documents(articles)


def test_paragraph_documents_on_the_sample(paragraphs):
    assert list(paragraphs.columns) == ["doc_id", "para_id", "text"]
    assert paragraphs["doc_id"].nunique() == 5 and len(paragraphs) > 40


def test_same_seed_identical_output(paragraphs):
    a, b = fit_topics(paragraphs, n_topics=4, seed=3), fit_topics(paragraphs, n_topics=4, seed=3)
    pd.testing.assert_frame_equal(top_terms(a), top_terms(b))
    pd.testing.assert_frame_equal(score_topics(paragraphs, a), score_topics(paragraphs, b))


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_topics_separate_two_vocabularies(method):
    docs = _two_topic_corpus()
    model = fit_topics(docs, n_topics=2, method=method, stop_words=None)
    terms = top_terms(model, n=3).groupby("topic")["term"].apply(set).tolist()
    assert any(t <= set(GAS.split()) for t in terms) and any(t <= set(RAIL.split()) for t in terms)
    shares = score_topics(docs, model)
    assert list(shares.columns) == ["doc_id", "topic_0", "topic_1"]
    assert np.allclose(shares[["topic_0", "topic_1"]].sum(axis=1), 1.0)


def test_coherence_prefers_the_true_number_of_topics():
    docs = _two_topic_corpus()
    table = choose_topic_k(docs, [2, 4], n=5, measure="npmi", stop_words=None)
    assert table.loc[table["coherence"].idxmax(), "k"] == 2
    umass = {k: topic_coherence(fit_topics(docs, n_topics=k, stop_words=None), docs, n=5).mean() for k in (2, 4)}
    assert umass[2] >= umass[4]


def test_topic_theme_correlation():
    docs = _two_topic_corpus()
    model = fit_topics(docs, n_topics=2, stop_words=None)
    shares = score_topics(docs, model)
    themes = pd.DataFrame({"doc_id": docs["doc_id"], "theme_energy": [1.0 if "gas" in t else 0.0
                                                                      for t in docs["text"]]})
    corr = topic_theme_correlation(shares, themes)
    assert corr.shape == (2, 1)
    assert sorted(np.sign(corr["theme_energy"]).tolist()) == [-1.0, 1.0]


@pytest.mark.parametrize("kwargs, message", [
    ({"n_topics": 1}, "n_topics=1 must be an integer >= 2"),
    ({"method": "lsa"}, "method='lsa' is not valid"),
    ({"n_topics": 50}, "fewer than n_topics=50"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit_topics(_two_topic_corpus(), **kwargs)
