"""Document-feature matrices for R and quanteda: a ``diplo run`` output as files other tools read.

``diplo export dfm OUT --out DIR`` writes four files into ``DIR``:

``dfm.mtx``
    Matrix Market coordinate file, documents x features, integer counts (``Matrix::readMM`` in R,
    ``scipy.io.mmread`` in Python).
``features.csv``
    one row per matrix column, in column order: ``feature``, ``count`` (in the corpus), ``n_docs``.
``docvars.csv``
    one row per matrix row, in row order: ``doc_id``, ``date``, ``outlet``, ``title`` (and ``language`` when the
    run has it), then every other column of ``articles`` except the text.
``tidy_counts.parquet``
    the non-zero cells as rows ``doc_id``, ``feature``, ``count`` (tidytext's ``cast_dfm`` reads this shape).

Features are the word tokens of the clean article text (``words``: lower-cased, the word tokens the
dictionaries are matched against, see :data:`diplo.scoring.match.TOKEN_PATTERN`), the theme dictionary's
themes (``themes``: hits in ``theme_hits``) or the lexicon scorer's matched entries (``lexicon``: rows of
``evidence``).  Documents are the run's articles in their table order (near-duplicates included; drop them in R
with ``docvars$duplicate_of``); features are sorted by name, so the same run gives the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from diplo.io.outputs import atomic_path, write_table

__all__ = ["FEATURES", "DFM_FILES", "WORD_PATTERN", "count_features", "export_dfm"]

FEATURES = ("words", "themes", "lexicon")
DFM_FILES = ("dfm.mtx", "features.csv", "docvars.csv", "tidy_counts.parquet")
# The word alternatives of diplo.scoring.match.TOKEN_PATTERN (numbers such as 3.5 or 1,000; words with inner
# hyphens, apostrophes and Persian zero-width non-joiners); its single punctuation marks are not features.
WORD_PATTERN = r"\d+(?:[.,]\d+)+|\w+(?:[-'\u2019\u200c]\w+)*"
_FIRST_DOCVARS = ("doc_id", "date", "outlet", "title", "language")


def _docvars(articles: pd.DataFrame) -> pd.DataFrame:
    first = [c for c in _FIRST_DOCVARS if c in articles.columns]
    rest = [c for c in articles.columns if c not in first and c != "text"]
    return articles[first + rest]


def count_features(out_dir: str | os.PathLike, *, features: str = "words") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Count the features of every article of a ``diplo run`` output.

    Parameters
    ----------
    out_dir : output folder of ``diplo run``.
    features : one of :data:`FEATURES`.

    Returns
    -------
    (docvars, counts)
        ``docvars``: the articles without their text, one row per document in table order; ``counts``: the
        non-zero cells, columns ``doc_id``, ``feature``, ``count``.  The candidate features of ``themes``
        are all the run's themes (zero-hit themes included, as count 0 rows are not listed, see
        :func:`export_dfm`'s ``min_count``).

    Raises
    ------
    ValueError
        For an unknown ``features``, or ``lexicon`` on a run without the lexicon scorer.
    FileNotFoundError
        If ``out_dir`` holds no ``articles.parquet``.
    """
    if features not in FEATURES:
        raise ValueError(f"unknown features {features!r}; valid: {', '.join(FEATURES)}")
    out_dir = Path(out_dir)
    if not (out_dir / "articles.parquet").is_file():
        raise FileNotFoundError(f"{out_dir} holds no articles.parquet: not an output folder of `diplo run`")
    articles = pd.read_parquet(out_dir / "articles.parquet")
    docvars = _docvars(articles)
    if features == "words":
        from sklearn.feature_extraction.text import CountVectorizer

        texts = articles["text"].fillna("").tolist()
        vectorizer = CountVectorizer(lowercase=True, token_pattern=WORD_PATTERN, dtype=np.int64)
        try:
            matrix = vectorizer.fit_transform(texts).tocoo()
        except ValueError:  # no article has a word: an empty vocabulary
            return docvars, pd.DataFrame({"doc_id": pd.Series(dtype=object), "feature": pd.Series(dtype=object),
                                          "count": pd.Series(dtype=np.int64)})
        names = vectorizer.get_feature_names_out()
        counts = pd.DataFrame({"doc_id": articles["doc_id"].to_numpy()[matrix.row],
                               "feature": names[matrix.col], "count": matrix.data.astype(np.int64)})
    elif features == "themes":
        hits = pd.read_parquet(out_dir / "theme_hits.parquet", columns=["doc_id", "theme"])
        counts = hits.groupby(["doc_id", "theme"], sort=False).size().rename("count").reset_index()
        counts = counts.rename(columns={"theme": "feature"})
    else:
        if "tone_lexicon" not in articles.columns:
            raise ValueError(f"{out_dir} was made without the lexicon scorer (no tone_lexicon in articles); "
                             "rerun `diplo run` with --scorer lexicon or pick --features words or themes")
        evidence = pd.read_parquet(out_dir / "evidence.parquet", columns=["doc_id", "scorer", "term"])
        evidence = evidence[evidence["scorer"] == "lexicon"]
        counts = evidence.groupby(["doc_id", "term"], sort=False).size().rename("count").reset_index()
        counts = counts.rename(columns={"term": "feature"})
    counts["count"] = counts["count"].astype(np.int64)
    return docvars, counts


def _theme_names(out_dir: Path) -> list[str]:
    import pyarrow.parquet as pq

    columns = pq.read_schema(out_dir / "articles.parquet").names
    return [c[len("theme_"):] for c in columns if c.startswith("theme_") and not c.endswith("_share")]


def export_dfm(out_dir: str | os.PathLike, dest: str | os.PathLike, *, features: str = "words",
               min_count: int = 1) -> dict:
    """Write a document-feature matrix of a ``diplo run`` output into ``dest`` (see the module docstring).

    Parameters
    ----------
    out_dir : output folder of ``diplo run``.
    dest : folder to write :data:`DFM_FILES` into (created if missing).
    features : one of :data:`FEATURES`.
    min_count : keep features counted at least this many times in the corpus; 0 keeps every theme, also
        those without a hit (``themes`` only: other features exist only where counted).

    Returns
    -------
    dict
        ``out_dir``, ``features``, ``n_documents``, ``n_features``, ``n_nonzero`` and the ``files`` written.

    Raises
    ------
    ValueError
        For an unknown ``features`` or a ``min_count`` that is not a whole number >= 0.

    Examples
    --------
    >>> export_dfm("data/processed", "dfm", features="themes")  # doctest: +SKIP
    """
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise ValueError(f"min_count must be a whole number >= 0, got {min_count!r}")
    out_dir, dest = Path(out_dir), Path(dest)
    docvars, counts = count_features(out_dir, features=features)
    totals = counts.groupby("feature", sort=False)["count"].agg(["sum", "size"])
    if features == "themes":
        totals = totals.reindex(sorted(set(totals.index) | set(_theme_names(out_dir))), fill_value=0)
    totals = totals[totals["sum"] >= min_count].sort_index()
    feature_names = totals.index.to_numpy(dtype=object)
    column = pd.Series(np.arange(len(feature_names)), index=feature_names)
    row = pd.Series(np.arange(len(docvars)), index=docvars["doc_id"].to_numpy())
    cells = counts[counts["feature"].isin(column.index)].copy()
    cells["_row"] = row.reindex(cells["doc_id"]).to_numpy()
    cells["_col"] = column.reindex(cells["feature"]).to_numpy()
    cells = cells.sort_values(["_row", "_col"], kind="stable").reset_index(drop=True)

    dest.mkdir(parents=True, exist_ok=True)
    from diplo import __version__

    with atomic_path(dest / "dfm.mtx") as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("%%MatrixMarket matrix coordinate integer general\n")
        fh.write(f"% diplo {__version__} export dfm --features {features} --min-count {min_count}: rows are "
                 "docvars.csv, columns features.csv\n")
        fh.write(f"{len(docvars)} {len(feature_names)} {len(cells)}\n")
        if len(cells):
            lines = np.char.add(np.char.add(np.char.add((cells["_row"].to_numpy() + 1).astype(str), " "),
                                            np.char.add((cells["_col"].to_numpy() + 1).astype(str), " ")),
                                cells["count"].to_numpy().astype(str))
            fh.write("\n".join(lines.tolist()) + "\n")
    feature_table = pd.DataFrame({"feature": feature_names, "count": totals["sum"].to_numpy(np.int64),
                                  "n_docs": totals["size"].to_numpy(np.int64)})
    with atomic_path(dest / "features.csv") as tmp:
        feature_table.to_csv(tmp, index=False, lineterminator="\n")
    with atomic_path(dest / "docvars.csv") as tmp:
        docvars.to_csv(tmp, index=False, lineterminator="\n")
    tidy = cells[["doc_id", "feature", "count"]].astype({"doc_id": object, "feature": object})
    write_table(tidy, dest / "tidy_counts.parquet")
    return {"out_dir": str(dest), "features": features, "n_documents": len(docvars),
            "n_features": len(feature_names), "n_nonzero": len(cells), "files": list(DFM_FILES)}
