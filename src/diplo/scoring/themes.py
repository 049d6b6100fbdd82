"""Theme dictionary: which sentences and articles talk about corridors, energy, the embassy attack, ...

Themes are categories of a :class:`diplo.scoring.match.Dictionary` loaded from ``data/themes.yml`` (or a researcher's
own file in the same format).  Every hit is kept with its keyword-in-context (KWIC) so each number can be
audited: per sentence ``theme_<name>`` counts hits; per article ``theme_<name>`` is hits per 1,000 words,
``theme_<name>_share`` the share of sentences with at least one hit and ``top_theme`` what the article is mainly
about (:func:`top_theme`).
"""

from __future__ import annotations

import os
import re
from importlib import resources
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from diplo.scoring.chunk import Chunk
from diplo.scoring.match import Dictionary, DictionaryError, DictionaryMatching, load_dictionary
from diplo.text.corpus import count_words_many

__all__ = ["THEME_HIT_COLUMNS", "TOP_THEME_MIN_PER_1K", "TOP_THEME_MIN_HITS", "ThemeScorer", "article_theme_measures",
           "load_themes", "score_themes", "theme_columns", "kwic_table", "top_theme"]

THEME_HIT_COLUMNS = ["doc_id", "sent_id", "theme", "entry", "match", "start", "end", "left", "right"]
_THEME_NAME = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")  # parent.child: nested quanteda YAML
_KWIC_CHARS = 60
#: ``top_theme`` needs the theme's lead-weighted hits to reach this many per 1,000 words (one word in a hundred)
TOP_THEME_MIN_PER_1K = 10.0
#: ... and at least this many hits: one passing word does not make an article about a theme
TOP_THEME_MIN_HITS = 2


def load_themes(path: str | os.PathLike | None = None) -> Dictionary:
    """Load a theme dictionary (YAML, see ``data/themes.yml``); default: the packaged one.

    Raises
    ------
    DictionaryError
        For malformed files, blank or duplicate terms, unknown keys, or a theme name that cannot be a column
        name; the message names the file and line.
    """
    if path is None:
        with resources.as_file(resources.files("diplo") / "data" / "themes.yml") as p:
            d = load_dictionary(p, name="themes", negation_window=0, possessives=True)
    else:
        d = load_dictionary(path, name="themes", negation_window=0, possessives=True)
    for theme in d.categories:
        if not _THEME_NAME.match(theme) or theme.endswith("_share"):
            line = next(e.line for e in d.entries if e.category == theme)
            raise DictionaryError(f"{d.source}, line {line}: theme name {theme!r} must be lower-case letters, "
                                  "digits and underscores (nested: parent.child), not ending in '_share' (it "
                                  "becomes the columns theme_<name> and theme_<name>_share)")
    return d


def theme_columns(themes: Dictionary) -> list[str]:
    """``theme_<name>`` column names, in the file's order."""
    return [f"theme_{c}" for c in themes.categories]


def kwic_table(matches: pd.DataFrame, texts: Sequence[str], *, width: int = _KWIC_CHARS) -> pd.DataFrame:
    """Left and right context (``width`` characters, cut at word boundaries) of each match.

    The context may start after the first space within ``width`` characters before the match (unless it
    reaches the text's start) and end at the last space within ``width`` characters after it (unless it
    reaches the text's end), so that it holds whole words; found for all matches at once by binary search
    over the chunk's space positions.
    """
    out = matches.copy()
    out["left"], out["right"] = _kwic(list(texts), matches["row"].to_numpy(dtype=np.int64),
                                      matches["start"].to_numpy(dtype=np.int64),
                                      matches["end"].to_numpy(dtype=np.int64), width)
    return out


def _kwic(texts: list, rows: np.ndarray, start: np.ndarray, end: np.ndarray, width: int = _KWIC_CHARS,
          ) -> tuple[list[str], list[str]]:
    """Left and right contexts of :func:`kwic_table` for matches ``texts[rows][start:end]``."""
    length = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    base = np.zeros(len(texts), dtype=np.int64)
    if len(texts) > 1:
        base[1:] = np.cumsum(length[:-1] + 1)
    big = "\n".join(texts)
    codes = (np.frombuffer(big.encode("ascii"), dtype=np.uint8) if big.isascii()
             else np.frombuffer(big.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))
    # space positions in the chunk, between sentinels so that every search lands on an entry
    spaces = np.concatenate(([-1], np.flatnonzero(codes == ord(" ")), [len(big) + 1]))
    at, n = base[rows], length[rows]
    lo, hi = np.maximum(0, start - width), np.minimum(n, end + width)
    first = spaces[np.searchsorted(spaces, at + lo)] - at  # first space at or after lo
    lo = np.where((lo > 0) & (first < start), first + 1, lo)
    last = spaces[np.searchsorted(spaces, at + hi) - 1] - at  # last space before hi
    hi = np.where((hi < n) & (last >= end), last, hi)
    cut = lambda a, b: list(map(big.__getitem__, map(slice, (at + a).tolist(), (at + b).tolist())))  # noqa: E731
    return cut(lo, start), cut(end, hi)


class ThemeScorer(DictionaryMatching):
    """Theme hits per sentence, usable on its own or fed from a shared :class:`~diplo.scoring.match.Matcher` pass.

    Parameters
    ----------
    themes : a :class:`~diplo.scoring.match.Dictionary`, a path to a YAML themes file, or None for the packaged one.
    """

    name = "themes"

    def __init__(self, themes: Dictionary | str | os.PathLike | None = None) -> None:
        self.themes = themes if isinstance(themes, Dictionary) else load_themes(themes)
        self.columns = tuple(theme_columns(self.themes))
        self._themes = pd.Index(self.themes.categories)
        self._theme_of: tuple = (None, None)  # (category names, their theme numbers and -1 for missing)

    @property
    def dictionaries(self) -> tuple[Dictionary, ...]:
        """Dictionaries to include in a shared matcher pass."""
        return (self.themes,)

    def score_chunk(self, chunk: Chunk, *, evidence: bool = False) -> tuple[dict[str, np.ndarray], dict | None]:
        """Hit counts per theme (``theme_<name>``, one per text) and, with ``evidence``, the hits as columns
        (``row`` indexes the chunk; the others as :data:`THEME_HIT_COLUMNS`) with their KWIC context."""
        matches, _ = chunk.matches_for(self)
        m = matches[self.themes.name]
        texts = chunk.texts
        # one count per (theme, text): a bincount of theme code * n_texts + row
        n = len(texts)
        names, theme_of = self._theme_of
        if names is not m.category_names:  # the matcher's names are the same object every chunk
            names, theme_of = m.category_names, np.append(self._themes.get_indexer(m.category_names), -1)
            self._theme_of = (names, theme_of)
        theme = theme_of[m.category]
        known = theme >= 0
        key = theme[known].astype(np.int64) * n + m.row[known]
        table = np.bincount(key, minlength=len(self.columns) * n).reshape(len(self.columns), n)
        counts = {col: table[k].astype(np.int64) for k, col in enumerate(self.columns)}
        if not evidence:
            return counts, None
        left, right = _kwic(texts, m.row, m.start, m.end)
        # text columns stay text even when nothing matched (an empty match table has float columns)
        hits = {"row": m.row, "theme": _as_str(m.column("category")), "entry": _as_str(m.column("entry")),
                "match": _as_str(m.column("match")), "start": m.start, "end": m.end, "left": left, "right": right}
        return counts, hits

    def score(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
        """Hit counts per theme and the hits (``row`` indexes ``texts``) with KWIC context."""
        counts, hits = self.score_chunk(Chunk(texts), evidence=True)
        return counts, pd.DataFrame(hits)


def _as_str(values) -> object:
    """A match table's text column as ``.astype(str)`` leaves it."""
    return values if getattr(values, "dtype", None) == "str" else pd.Series(values).astype(str).array


def _check_columns(table: pd.DataFrame, needed: Sequence[str]) -> None:
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"missing column(s) {missing}; found {list(table.columns)}")


def article_theme_measures(sentence_scores: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Per article: hits per 1,000 words (``<col>``), share of sentences with a hit (``<col>_share``) and, when
    ``sent_id`` is given, the main theme (``top_theme``, see :func:`top_theme`).

    ``sentence_scores`` needs ``doc_id``, ``n_words`` and the ``theme_*`` hit counts (default: all of them).
    Words are counted over the article's sentences.
    """
    if columns is None:
        columns = [c for c in sentence_scores.columns if c.startswith("theme_")]
    _check_columns(sentence_scores, ["doc_id", "n_words", *columns])
    df = sentence_scores[["doc_id", "n_words", *columns]]
    grouped = df.groupby("doc_id", sort=True)
    words = grouped["n_words"].sum().astype(float).replace(0, np.nan)
    sums = grouped[list(columns)].sum()
    shares = (df[list(columns)] > 0).groupby(df["doc_id"], sort=True).mean()
    out = pd.DataFrame(index=sums.index)
    for col in columns:
        out[col] = sums[col] / words * 1000.0
        out[f"{col}_share"] = shares[col].astype(float)
    if "sent_id" in sentence_scores.columns:
        out["top_theme"] = top_theme(sentence_scores, columns)
    return out.reset_index()


def top_theme(sentence_scores: pd.DataFrame, columns: Sequence[str] | None = None, *,
              min_per_1k: float = TOP_THEME_MIN_PER_1K, min_hits: int = TOP_THEME_MIN_HITS,
              lead_sentences: int = 3, lead_weight: float = 2.0) -> pd.Series:
    """What each article is mainly about: the theme with the most lead-weighted hits per 1,000 words, or
    ``"none"`` when no theme is discussed enough.

    Hits in the first ``lead_sentences`` sentences count ``lead_weight`` times (the lead says what a news story
    is about; the same weights as the tone columns' ``_lead``).  The densest theme is the top theme only if its
    weighted hits reach ``min_per_1k`` per 1,000 words of the article *and* it has at least ``min_hits`` hits:
    most articles of a general crawl are about none of the themes, and one "company" or "nuclear" in a sports
    or culture story does not make it a trade or security story.  Ties go to the theme listed first.  The
    hits behind it are the article's rows of ``theme_hits``.

    Parameters
    ----------
    sentence_scores : table with ``doc_id``, ``sent_id``, ``n_words`` and the ``theme_*`` hit counts.
    columns : the theme columns; default every ``theme_*`` column, in table order.
    min_per_1k, min_hits, lead_sentences, lead_weight : the rule above (defaults chosen on the tuning half of
        ``benchmarks/data/article_theme_labels.csv``; see README, "Validation").

    Returns
    -------
    Series of theme names (without ``theme_``) or ``"none"``, indexed by ``doc_id`` (sorted), named ``top_theme``.

    Raises
    ------
    ValueError
        If a required column is missing or an option is out of range.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["a", "a"], "sent_id": [0, 1], "n_words": [6, 100],
    ...                   "theme_energy": [1, 1], "theme_trade": [0, 1]})
    >>> top_theme(s).tolist()  # energy: (2 + 1) / 106 words = 28 per 1,000; trade has one hit
    ['energy']
    """
    if columns is None:
        columns = [c for c in sentence_scores.columns if c.startswith("theme_")]
    _check_columns(sentence_scores, ["doc_id", "sent_id", "n_words", *columns])
    if not min_per_1k >= 0 or not min_hits >= 1 or not lead_sentences >= 0 or not lead_weight > 0:
        raise ValueError(f"min_per_1k must be >= 0, min_hits >= 1, lead_sentences >= 0 and lead_weight > 0; got "
                         f"{min_per_1k!r}, {min_hits!r}, {lead_sentences!r}, {lead_weight!r}")
    doc = sentence_scores["doc_id"].to_numpy()
    rank = sentence_scores["sent_id"].groupby(sentence_scores["doc_id"]).rank(method="first").to_numpy()
    weight = np.where(rank <= lead_sentences, lead_weight, 1.0)
    hits = sentence_scores[list(columns)].fillna(0).to_numpy(dtype=float)
    names = np.array([c[len("theme_"):] for c in columns], dtype=object)
    weighted = pd.DataFrame(hits * weight[:, None]).groupby(doc, sort=True).sum().to_numpy()
    raw = pd.DataFrame(hits).groupby(doc, sort=True).sum().to_numpy()
    words = sentence_scores["n_words"].groupby(doc, sort=True).sum().astype(float)
    index = words.index
    if not len(columns):
        return pd.Series("none", index=index, dtype=object, name="top_theme").rename_axis("doc_id")
    with np.errstate(invalid="ignore", divide="ignore"):
        density = np.where(words.to_numpy()[:, None] > 0, weighted / words.to_numpy()[:, None] * 1000.0, 0.0)
    best = density.argmax(axis=1)  # the first maximum: the theme listed first wins a tie
    rows = np.arange(len(best))
    ok = (density[rows, best] >= min_per_1k) & (raw[rows, best] >= min_hits) & (density[rows, best] > 0)
    return pd.Series(np.where(ok, names[best], "none"), index=index, dtype=object, name="top_theme").rename_axis("doc_id")


def score_themes(sentences: pd.DataFrame, themes: Dictionary | str | os.PathLike | None = None, *,
                 per: Literal["sentence", "article", "hits"] = "sentence") -> pd.DataFrame:
    """Count theme dictionary matches.

    Parameters
    ----------
    sentences : DataFrame with columns ``doc_id``, ``sent_id``, ``text``.
    themes : dictionary or path of a themes YAML file; default: the packaged ``themes.yml``.
    per : ``"sentence"``: one row per sentence with ``n_words`` and a ``theme_<name>`` hit count per theme;
        ``"article"``: one row per article with ``theme_<name>`` (hits per 1,000 words) and
        ``theme_<name>_share`` (share of sentences with a hit); ``"hits"``: the KWIC table, one row per hit
        (:data:`THEME_HIT_COLUMNS`).

    Returns
    -------
    DataFrame as described under ``per``, sorted by ``doc_id``, ``sent_id`` (and ``start`` for hits).

    Raises
    ------
    ValueError
        If a required column is missing or ``per`` is not one of the valid levels.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["a"], "sent_id": [0], "text": ["Gas swap talks on the Zangazur corridor."]})
    >>> score_themes(s)[["theme_energy", "theme_corridors"]].values.tolist()
    [[1, 2]]
    """
    if per not in ("sentence", "article", "hits"):
        raise ValueError(f"per={per!r} is not valid; use 'sentence', 'article' or 'hits'")
    _check_columns(sentences, ["doc_id", "sent_id", "text"])
    scorer = ThemeScorer(themes)
    texts = [t if isinstance(t, str) else "" for t in sentences["text"].tolist()]
    counts, hits = scorer.score(texts)
    head = sentences[["doc_id", "sent_id"]].reset_index(drop=True)
    if per == "hits":
        keys = head.iloc[hits["row"].to_numpy()].reset_index(drop=True)
        out = pd.concat([keys, hits.drop(columns="row").reset_index(drop=True)], axis=1)[THEME_HIT_COLUMNS]
        return out.sort_values(["doc_id", "sent_id", "start"], kind="stable").reset_index(drop=True)
    n_words = count_words_many(texts)
    table = head.assign(n_words=n_words, **counts)
    table = table.sort_values(["doc_id", "sent_id"], kind="stable").reset_index(drop=True)
    if per == "sentence":
        return table
    return article_theme_measures(table, list(scorer.columns))
