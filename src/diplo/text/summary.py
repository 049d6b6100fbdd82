"""What ingestion did, at a glance: counts by status, language, date source and outlet source.

``diplo run`` prints these counts and 01_corpus shows them first, so a run whose outlets all came from a
crawler's footer, or whose articles are mostly not English, is seen before any chart is read.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import pandas as pd

from diplo.io.raw import TABULAR_SUFFIXES, ManifestRow, RejectedRow
from diplo.text.metadata import BOILERPLATE_SOURCE

__all__ = ["SUMMARY_COLUMNS", "summarize_ingest", "ingest_notes", "FileLanguages"]

SUMMARY_COLUMNS = ["what", "value", "n", "share"]
_ARTICLE_COUNTS = ("language", "date_source", "outlet_source")
#: A boilerplate rule naming the outlet of at least this share of articles is reported.
BOILERPLATE_OUTLET_SHARE = 0.5


def summarize_ingest(articles: pd.DataFrame, manifest: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts by file ``status`` (manifest) and by article ``language``, ``date_source``, ``outlet_source``.

    Parameters
    ----------
    articles : the ``articles`` table (needs ``language``, ``date_source``, ``outlet_source``).
    manifest : the manifest; without it the ``status`` rows are left out.

    Returns
    -------
    DataFrame with :data:`SUMMARY_COLUMNS`: ``what`` (status / language / date_source / outlet_source),
    ``value`` (an undetermined language is ``undetermined``), ``n`` (files for status, articles
    otherwise) and ``share`` of its ``what`` (0..1); largest counts first.

    Raises
    ------
    ValueError
        If a needed column is missing (the message lists the columns found).
    """
    missing = [c for c in _ARTICLE_COUNTS if c not in articles.columns]
    if missing:
        raise ValueError(f"articles lacks column(s) {missing}; found {list(articles.columns)}")
    parts = []
    sources = ([("status", manifest["status"])] if manifest is not None else []) + \
        [(c, articles[c]) for c in _ARTICLE_COUNTS]
    for what, values in sources:
        values = values.astype(object).where(values.notna(), "undetermined" if what == "language" else "unknown")
        counts = values.value_counts()
        table = pd.DataFrame({"what": what, "value": counts.index.astype(str), "n": counts.to_numpy()})
        table["share"] = (table["n"] / max(int(table["n"].sum()), 1)).round(4)
        parts.append(table.sort_values(["n", "value"], ascending=[False, True]))
    if not parts:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    return pd.concat(parts, ignore_index=True)[SUMMARY_COLUMNS].astype({"n": "int64"})


def ingest_notes(articles: pd.DataFrame) -> list[str]:
    """Warnings about the run as a whole: a boilerplate rule that named the outlet of half the articles or more
    (and how to override it); articles without a publication date (``date_source`` ``unknown``: left out of
    every time chart, and how to date them).

    Examples
    --------
    >>> df = pd.DataFrame({"outlet": ["Mehr News Agency"] * 3, "outlet_source": ["boilerplate:licence_footer"] * 3})
    >>> ingest_notes(df)[0][:60]
    "3 of 3 articles (100%) take their outlet from the boilerplate"
    """
    if not len(articles) or "outlet_source" not in articles.columns:
        return []
    notes = []
    counts = articles["outlet_source"].value_counts()
    for source, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if not str(source).startswith(BOILERPLATE_SOURCE) or n < BOILERPLATE_OUTLET_SHARE * len(articles):
            continue
        named = articles.loc[articles["outlet_source"] == source, "outlet"].value_counts()
        names = ", ".join(f"{name!r} ({k})" for name, k in list(named.items())[:3])
        rule = str(source)[len(BOILERPLATE_SOURCE):]
        notes.append(f"{n} of {len(articles)} articles ({n / len(articles):.0%}) take their outlet from the "
                     f"boilerplate rule {rule!r} ({names}): a line cleaning removed, such as a crawler's licence "
                     "footer, which often names a source, not the publisher. If that is wrong, give the outlet: "
                     "diplo run --outlet NAME, or a metadata.csv row with a glob (file,outlet: *,NAME)")
    if "date_source" in articles.columns:
        undated = int((articles["date_source"].fillna("unknown") == "unknown").sum())
        if undated:
            notes.append(f"{undated:,} of {len(articles):,} articles have no publication date: they count in every "
                         "total but in no time chart. Give dates in raw_dir/metadata.csv (columns file,date; a glob "
                         "row such as '*,2023-05-01' dates every file it matches), or put them in the file names "
                         "(2023-05-01_name.txt) or URLs; numeric dates in the text are read with --date-order "
                         "(default DMY)")
    return notes


class FileLanguages:
    """Per input file, the languages of its articles: fills the manifest's ``language`` columns and marks
    files whose articles were all left out by ``--languages`` as ``skipped``."""

    def __init__(self) -> None:
        # source_file -> [kept Counter, confidence sums, skipped [(doc_id, language)]]
        self.files: dict[str, tuple[Counter, Counter, list]] = {}

    def add(self, articles: pd.DataFrame, skipped: pd.DataFrame) -> None:
        """Record a chunk's kept ``articles`` and ``skipped`` ones (doc_id, source_file, language)."""
        for source, language, confidence in zip(articles["source_file"], articles["language"],
                                                 articles["language_confidence"]):
            kept, conf, _ = self.files.setdefault(source, (Counter(), Counter(), []))
            code = language if isinstance(language, str) else ""
            kept[code] += 1
            conf[code] += float(confidence) if confidence == confidence else 0.0
        for doc_id, source, language in zip(skipped["doc_id"], skipped["source_file"], skipped["language"]):
            self.files.setdefault(source, (Counter(), Counter(), []))[2].append(
                (doc_id, language if isinstance(language, str) else ""))

    def apply(self, manifest: Sequence[ManifestRow], languages: Sequence[str] | None) -> list[RejectedRow]:
        """Fill ``language``/``language_confidence`` of ``manifest`` rows; return the rejected rows of
        tabular files for their skipped articles (counted in ``n_rejected_rows``)."""
        asked = ",".join(languages or ())
        rejected: list[RejectedRow] = []
        for row in manifest:
            entry = self.files.get(row.source_file)
            if entry is None:
                continue
            kept, conf, skipped = entry
            if kept:
                code, n = min(kept.items(), key=lambda kv: (-kv[1], kv[0]))
                row.language = code
                row.language_confidence = round(conf[code] / n, 4) if code else None
            if not skipped:
                continue
            tabular = any(row.source_file.lower().endswith(s) for s in TABULAR_SUFFIXES)
            if tabular:
                for doc_id, code in skipped:
                    rejected.append(RejectedRow(row.source_file, int(doc_id.rsplit("-", 1)[1]),
                                                f"language {code or 'undetermined'} not in --languages {asked}"))
                row.n_documents -= len(skipped)
                row.n_rejected_rows += len(skipped)
            else:
                row.n_rows = row.n_documents = 0
            if not kept:
                codes = Counter(code or "undetermined" for _, code in skipped)
                row.language = row.language or min(codes.items(), key=lambda kv: (-kv[1], kv[0]))[0]
                row.status = "skipped"
                row.reason = (f"language {', '.join(f'{c} ({k})' if tabular else c for c, k in sorted(codes.items()))}"
                              f" not in --languages {asked}")
        return rejected
