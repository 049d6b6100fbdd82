"""The three stages of ``diplo run``'s work on one chunk of documents: prepare, score, assemble.

- :func:`prepare_chunk` reads nothing but the documents: cleaning, metadata, language, sentences and the
  MinHash signatures (:func:`diplo.text.corpus.build_corpus`);
- :func:`score_prepared` runs the scorers of some :data:`~diplo.scoring.score.SCORE_PARTS` over the prepared
  sentences;
- :func:`article_tables` sums and averages the scores per article (:data:`ARTICLE_TABLES`: tone means and
  theme measures, the per-article sums behind the time charts);
- :func:`assemble_chunk` leaves out the articles of other languages and makes the chunk's output tables.

Each stage depends only on its inputs, article by article: the prepared tables of a chunk are those of its
documents put together, and so are the scores and the per-article tables (sorted as a chunk sorts them,
:func:`concat_scored`).  A fresh run does them in a row per chunk (:func:`diplo.run.pipeline.run_pipeline`);
an incremental run (:mod:`diplo.run.cache`) keeps the results of the first three and assembles the same
chunks from them, through the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from diplo.analysis.aggregate import aggregate_articles, sum_actor_tone, sum_by_cluster, sum_theme_tone
from diplo.io.raw import RawDocument
from diplo.scoring.score import SCORE_PARTS, join_score_parts, score_sentence_parts
from diplo.scoring.session import ScoringSession
from diplo.scoring.tone import HEADLINE_ACTOR_WINDOW, DiplomaticScorer, score_tone
from diplo.scoring.themes import article_theme_measures
from diplo.scoring.token_index import SentenceTokens, sentence_tokens
from diplo.text.corpus import build_corpus
from diplo.text.dates import DateConfig
from diplo.text.dedupe import NUM_PERM, minhash_signatures
from diplo.text.language import SCORED_LANGUAGES

__all__ = ["PreparedChunk", "prepare_chunk", "scored_sentences", "score_prepared", "concat_prepared",
           "concat_scored", "assemble_chunk", "title_scores", "ARTICLE_TABLES", "article_tables",
           "tone_article_tables", "theme_article_tables"]

#: The per-article tables (:func:`article_tables`) by what they are made of: ``tone`` from the tone part of
#: the scores (and the articles' titles), ``mix`` from the tone and the themes parts.
ARTICLE_TABLES = {"tone": ("article_tone", "tone_by_article", "actor_tone_by_article"),
                  "mix": ("article_themes", "theme_tone_by_article")}
# the per-article tables, whose chunk rows are sorted (as the functions making them sort them) by these columns;
# evidence is sorted by doc_id too, keeping each piece's order within an article (concat_scored)
_SORTED_BY = {"tone_by_article": ("doc_id",), "theme_tone_by_article": ("theme", "doc_id"),
              "actor_tone_by_article": ("doc_id", "actor", "direction")}


@dataclass(frozen=True)
class PreparedChunk:
    """Documents cleaned and segmented: ``articles`` (one row per document, before scores), ``sentences``,
    ``removed``, the articles' MinHash ``signatures`` (one row per article; None when not computed) and the
    sentences' ``tokens`` for the token index (None when not computed)."""

    articles: pd.DataFrame
    sentences: pd.DataFrame
    removed: pd.DataFrame
    signatures: np.ndarray | None = None
    tokens: SentenceTokens | None = None


def prepare_chunk(chunk: Sequence[RawDocument], overrides: dict, *, max_sentence_chars: int,
                  dates: DateConfig = DateConfig(), signatures: bool = False) -> PreparedChunk:
    """Clean, describe and segment ``chunk`` (:func:`diplo.text.corpus.build_corpus`); with ``signatures`` the
    articles' MinHash signatures for the corpus-wide near-duplicate pass; the sentences' index tokens
    (:func:`diplo.scoring.token_index.sentence_tokens`)."""
    corpus = build_corpus(chunk, overrides, max_sentence_chars=max_sentence_chars, dates=dates)
    sigs = minhash_signatures(corpus["articles"]["text"]) if signatures else None
    return PreparedChunk(corpus["articles"], corpus["sentences"], corpus["removed"], sigs,
                         sentence_tokens(corpus["sentences"]["text"]))


def scored_sentences(prepared: PreparedChunk, languages: tuple | None = None) -> pd.DataFrame:
    """The sentences to score: those of articles in :data:`~diplo.text.language.SCORED_LANGUAGES` (the
    dictionaries are English), and in ``languages`` when given."""
    articles = prepared.articles
    keep = articles["language"].isin(SCORED_LANGUAGES)
    if languages:
        keep &= articles["language"].isin(languages)
    sentences = prepared.sentences
    if keep.all():
        return sentences
    return sentences[sentences["doc_id"].isin(articles.loc[keep, "doc_id"])].reset_index(drop=True)


def score_prepared(prepared: PreparedChunk, *, scorers: Sequence, themes=None, actors=None,
                   parts: Sequence[str] = SCORE_PARTS, languages: tuple | None = None,
                   session: ScoringSession | None = None) -> dict[str, dict[str, pd.DataFrame]]:
    """``{part: tables}`` of :func:`diplo.scoring.score.score_sentence_parts` over :func:`scored_sentences`."""
    return score_sentence_parts(scored_sentences(prepared, languages), parts=parts, scorers=scorers,
                                themes=themes, actors=actors, session=session)


def _concat(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    if len(tables) == 1:
        return tables[0].reset_index(drop=True)
    return pd.concat(tables, ignore_index=True)


def concat_prepared(pieces: Sequence[PreparedChunk]) -> PreparedChunk:
    """Prepared pieces (consecutive documents, in order) as one chunk: what :func:`prepare_chunk` gives
    for their documents together."""
    sigs = [p.signatures for p in pieces]
    tokens = [p.tokens for p in pieces]
    return PreparedChunk(_concat([p.articles for p in pieces]), _concat([p.sentences for p in pieces]),
                         _concat([p.removed for p in pieces]),
                         None if any(s is None for s in sigs) else
                         np.concatenate(sigs) if sigs else np.empty((0, NUM_PERM), np.uint32),
                         None if not tokens or any(t is None for t in tokens) else SentenceTokens.concat(tokens))


def concat_scored(pieces: Sequence[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """One part's tables of consecutive pieces as one chunk's: what scoring their sentences together gives.

    Every table keeps its rows in sentence (or article) order, except ``evidence``, which a chunk sorts by
    doc_id first (each piece's rows are already sorted by sent_id, scorer, start, end within an article), and
    the per-article sums (:data:`ARTICLE_TABLES`), sorted by their keys as :func:`article_tables` sorts a
    chunk's.  A piece without rows of a per-article table adds none (nor its column types).
    """
    out = {}
    for name in pieces[0]:
        tables = [p[name] for p in pieces]
        if name in _ARTICLE_TABLE_NAMES:
            tables = [t for t in tables if len(t)] or tables[:1]
        out[name] = _concat(tables)
    if len(pieces) < 2:
        return out
    evidence = out.get("evidence")
    if evidence is not None and len(evidence):
        order = np.argsort(pd.factorize(evidence["doc_id"], sort=True)[0], kind="stable")
        out["evidence"] = evidence.iloc[order].reset_index(drop=True)
    for name, keys in _SORTED_BY.items():
        if name in out and len(out[name]):
            out[name] = out[name].sort_values(list(keys), kind="stable", ignore_index=True)
    return out


_ARTICLE_TABLE_NAMES = frozenset(name for names in ARTICLE_TABLES.values() for name in names)


def tone_article_tables(articles: pd.DataFrame, tone: dict[str, pd.DataFrame], *, tone_cols: list[str],
                        ) -> dict[str, pd.DataFrame]:
    """The per-article tables of the tone part (:data:`ARTICLE_TABLES` ``tone``) of ``articles``' scores.

    ``article_tone``: ``doc_id``, ``title_diplomatic`` (when ``tone_diplomatic`` is among ``tone_cols``) and the
    tone means of :func:`~diplo.analysis.aggregate.aggregate_articles`; ``tone_by_article``:
    :func:`~diplo.analysis.aggregate.sum_by_cluster`; ``actor_tone_by_article``:
    :func:`~diplo.analysis.aggregate.sum_actor_tone`.  Articles without a scored sentence have no row.
    """
    scores = tone["sentence_scores"]
    titles = None
    if "tone_diplomatic" in tone_cols:
        titles = pd.Series(title_scores(articles, scores), index=pd.Index(articles["doc_id"]),
                           name="title_diplomatic")
    article_tone = aggregate_articles(scores, tone_cols, titles=titles)
    if titles is not None:
        article_tone.insert(1, "title_diplomatic", titles.reindex(article_tone["doc_id"]).to_numpy())
    return {"article_tone": article_tone, "tone_by_article": sum_by_cluster(scores, tone_cols),
            "actor_tone_by_article": sum_actor_tone(tone["actor_mentions"], scores, tone_cols)}


def theme_article_tables(tone_scores: pd.DataFrame, theme_scores: pd.DataFrame, *, tone_cols: list[str],
                         theme_cols: list[str]) -> dict[str, pd.DataFrame]:
    """The per-article tables of both parts (:data:`ARTICLE_TABLES` ``mix``) from the ``sentence_scores`` of the
    tone part (``doc_id``, ``sent_id``, ``n_words``, ``tone_cols``) and of the themes part (same rows).

    ``article_themes``: :func:`~diplo.scoring.themes.article_theme_measures`; ``theme_tone_by_article``:
    :func:`~diplo.analysis.aggregate.sum_theme_tone`.
    """
    head = tone_scores[["doc_id", "sent_id", "n_words", *tone_cols]].reset_index(drop=True)
    scores = pd.concat([head, theme_scores.reset_index(drop=True)], axis=1)
    return {"article_themes": article_theme_measures(scores, theme_cols),
            "theme_tone_by_article": sum_theme_tone(scores, tone_cols)}


def article_tables(prepared: PreparedChunk, scored: dict[str, dict[str, pd.DataFrame]], *, tone_cols: list[str],
                   theme_cols: list[str]) -> dict[str, pd.DataFrame]:
    """Every per-article table (:data:`ARTICLE_TABLES`) of prepared documents and the scores of both parts
    (:func:`tone_article_tables`, :func:`theme_article_tables`)."""
    return {**tone_article_tables(prepared.articles, scored["tone"], tone_cols=tone_cols),
            **theme_article_tables(scored["tone"]["sentence_scores"], scored["themes"]["sentence_scores"],
                                   tone_cols=tone_cols, theme_cols=theme_cols)}


def _only(table: pd.DataFrame, doc_ids: pd.Series) -> pd.DataFrame:
    keep = table["doc_id"].isin(doc_ids)
    return table if keep.all() else table[keep].reset_index(drop=True)


def assemble_chunk(prepared: PreparedChunk, scored: dict[str, dict[str, pd.DataFrame]], *,
                   tone_cols: list[str], theme_cols: list[str], languages: tuple | None = None,
                   per_article: dict[str, pd.DataFrame] | None = None,
                   ) -> tuple[dict[str, pd.DataFrame], np.ndarray | None, pd.DataFrame]:
    """The chunk's output tables from its prepared documents and the scores of every part (and their
    ``per_article`` tables, :func:`article_tables`; computed when not given).

    Returns every output table of the chunk (``articles`` with its tone means and theme measures, its
    ``duplicate_of`` still empty; and under ``tokens`` the :class:`~diplo.scoring.token_index.SentenceTokens`
    of ``sentences`` when prepared), the articles' MinHash signatures and the per-article sums behind
    ``tone_by_date``/``tone_by_outlet``.  Articles in a language outside ``languages`` leave every table
    and come back in ``tables["skipped"]``; the scores of articles in languages the dictionaries do not
    cover stay missing (NaN), never 0.
    """
    articles = prepared.articles
    corpus = {"articles": articles, "sentences": prepared.sentences, "removed": prepared.removed}
    sigs = prepared.signatures
    tokens = prepared.tokens
    scored_tables = join_score_parts(scored)
    if per_article is None:
        per_article = article_tables(prepared, scored, tone_cols=tone_cols, theme_cols=theme_cols)
    if languages:
        keep = articles["language"].isin(languages)
        skipped = articles.loc[~keep, ["doc_id", "source_file", "language"]]
        if len(skipped):
            kept_ids = articles.loc[keep, "doc_id"]
            if tokens is not None:
                tokens = tokens.take(prepared.sentences["doc_id"].isin(kept_ids).to_numpy())
            corpus = {name: _only(table, kept_ids) for name, table in corpus.items()}
            sigs = None if sigs is None else sigs[keep.to_numpy()]
            scored_tables = {name: _only(table, kept_ids) for name, table in scored_tables.items()}
            per_article = {name: _only(table, kept_ids) for name, table in per_article.items()}
    else:
        skipped = articles.iloc[:0][["doc_id", "source_file", "language"]]
    articles = corpus["articles"].merge(per_article["article_tone"], on="doc_id", how="left")
    articles = articles.merge(per_article["article_themes"], on="doc_id", how="left")
    tone_sums = per_article["tone_by_article"]
    sums = tone_sums.merge(articles[["doc_id", "date", "outlet"]], on="doc_id")
    # article-level inputs of every time chart (re-binned by the notebooks at any freq, no sentence read)
    by_article = {name: per_article[name] for name in ("tone_by_article", "theme_tone_by_article",
                                                        "actor_tone_by_article")}
    tables = {name: _arrow_strings(table) for name, table in {**corpus, **scored_tables, **by_article}.items()}
    return {**tables, "articles": articles, "skipped": skipped, "tokens": tokens}, sigs, sums


def title_scores(articles: pd.DataFrame, sentence_scores: pd.DataFrame) -> np.ndarray:
    """The diplomatic score of each article's headline (``title``): what ``diplomatic_balance`` counts
    besides the sentences (:func:`diplo.analysis.aggregate.diplomatic_balance`).

    Parameters
    ----------
    articles : the articles table, with ``doc_id`` and ``title``.
    sentence_scores : the scored sentences (``doc_id``): an article without any is not scored.

    Returns
    -------
    float array aligned with ``articles``: the headline scored as a sentence by the ``diplomatic`` scorer,
    with an actor anywhere in the headline counting for the actor rule
    (:data:`diplo.scoring.tone.HEADLINE_ACTOR_WINDOW`); NaN for an article without a title or whose
    sentences were not scored (another language).
    """
    scored = articles["doc_id"].isin(sentence_scores["doc_id"].unique()).to_numpy()  # unique: arrow's isin is slow
    title = articles["title"].where(articles["title"].notna(), "").astype(str).str.strip().to_numpy(dtype=object)
    keep = np.flatnonzero(scored & (title != ""))
    out = np.full(len(articles), np.nan)
    if len(keep):
        scorer = ScoringSession.current().reuse(("headline scorer", "diplomatic", HEADLINE_ACTOR_WINDOW),
                                                lambda: DiplomaticScorer(actor_window=HEADLINE_ACTOR_WINDOW))
        out[keep] = score_tone(title[keep].tolist(), [scorer])["tone_diplomatic"].to_numpy(dtype=float)
    return out


def _arrow_strings(table: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding only strings (and missing values) as pandas' arrow-backed ``str`` dtype.

    A worker's tables then travel to the parent as a few buffers instead of one pickled object per
    value, and convert to Arrow without a pass over Python strings; the parquet files are the same
    (the sinks write with the codebook schema).
    """
    strings = [c for c in table.columns if table[c].dtype == object
               and pd.api.types.infer_dtype(table[c], skipna=True) == "string"]
    return table.astype({c: "str" for c in strings}) if strings else table
