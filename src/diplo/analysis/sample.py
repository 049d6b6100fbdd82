"""Draw a stratified random sample of sentences (or articles) from a ``diplo run`` output folder for human
coding (``diplo sample``), and write the coding sheet with its coding scheme (``CODING.md``) beside it.

Sampling
    Units are the sentences (or articles) of the articles that are not duplicates (``duplicate_of`` empty).
    Strata are the combinations of the ``by`` keys: ``outlet``, ``period`` (the article's date by month,
    quarter or year; ``undated`` without one) and ``theme`` (an article's ``top_theme`` from ``articles``, or in
    outputs without it and for a sentence the unit's most frequent theme; ``none`` without a hit; ties go to the
    theme first in alphabetical order).  Allocation is proportional to the stratum's
    size (largest remainders), with at least ``min_per_stratum`` units from every stratum (all of it when it
    is smaller): the sample can exceed ``n`` when there are many small strata.  Units are drawn without
    replacement with ``numpy.random.default_rng(seed)`` from the strata in sorted order, then the sheet is
    shuffled with the same generator (coders should not see strata in blocks): the same folder and seed
    give the same bytes.
Reading
    Only the columns needed are read from the parquet tables (pyarrow column projection), and sentence
    texts only for the sampled articles, so a sample of a million-article run stays small in memory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from diplo.io.outputs import atomic_path, write_text

__all__ = ["UNITS", "STRATA", "PERIODS", "MEASURES", "SHIPPED_SHEET", "coded_sheet_path", "coder_columns",
           "sample_units", "write_coding_sheet",
           "render_coding_guide"]

UNITS = ("sentence", "article")
STRATA = ("outlet", "period", "theme")
PERIODS = ("month", "quarter", "year")
# label column prefixes, one column per coder: <prefix>_<coder>
MEASURES = ("sentiment", "quad", "actor", "actor_tone")
_LEAD_SENTENCES = 3  # an article unit shows its title and first sentences


#: The ``coded_sheet`` value naming the coded sample shipped with diplo: 60 sentences of the sample corpus coded by
#: hand (``diplo/data/coded/README.md`` says by whom and how).
SHIPPED_SHEET = "sample"


def coded_sheet_path(value: str | os.PathLike | None) -> Path | None:
    """The coding sheet a ``coded_sheet`` parameter names: :data:`SHIPPED_SHEET` for the one shipped with diplo
    (so a report runs the same from a checkout or a pip install), empty for none, else the path as given."""
    if not value:
        return None
    if str(value) == SHIPPED_SHEET:
        from diplo.io.resources import data_path

        return data_path("coded/sample_coding.csv")
    return Path(value)


def coder_columns(coders: Sequence[str]) -> list[str]:
    """The empty label columns of a sheet: ``<measure>_<coder>`` for each of :data:`MEASURES` and coder."""
    return [f"{m}_{c}" for c in coders for m in MEASURES]


def _check(unit: str, by: Sequence[str], period: str, n: int, min_per_stratum: int, coders: Sequence[str]) -> None:
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; valid: {', '.join(UNITS)}")
    bad = [b for b in by if b not in STRATA]
    if bad:
        raise ValueError(f"unknown stratum key(s) {bad}; valid: {', '.join(STRATA)}")
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; valid: {', '.join(PERIODS)}")
    if n < 1 or min_per_stratum < 0:
        raise ValueError(f"n must be >= 1 and min_per_stratum >= 0, got n={n}, min_per_stratum={min_per_stratum}")
    if not coders or any(not c or not str(c).replace("_", "").isalnum() for c in coders) or len(set(coders)) < len(coders):
        raise ValueError(f"coders must be distinct short names of letters, digits or _ (e.g. a,b), got {list(coders)}")


def _read(path: Path, columns: Sequence[str], filters=None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: is {path.parent} a `diplo run` output folder?")
    names = pq.ParquetFile(path).schema_arrow.names
    cols = [c for c in columns if c in names]
    return pq.read_table(path, columns=cols, filters=filters).to_pandas()


def _period(dates: pd.Series, period: str) -> pd.Series:
    parsed = pd.to_datetime(dates, errors="coerce")
    if period == "month":
        out = parsed.dt.strftime("%Y-%m")
    elif period == "quarter":
        out = parsed.dt.year.astype("Int64").astype(str) + "-Q" + parsed.dt.quarter.astype("Int64").astype(str)
    else:
        out = parsed.dt.strftime("%Y")
    return out.where(parsed.notna(), "undated")


def _top_theme(table: pd.DataFrame) -> pd.Series:
    themes = sorted(c for c in table.columns if c.startswith("theme_") and not c.endswith("_share"))
    if not themes:
        return pd.Series("none", index=table.index, dtype=object)
    values = table[themes].fillna(0).to_numpy(dtype=float)
    best = values.argmax(axis=1)  # first maximum: alphabetical tie-break (columns are sorted)
    names = np.array([t[len("theme_"):] for t in themes], dtype=object)
    return pd.Series(np.where(values.max(axis=1) > 0, names[best], "none"), index=table.index, dtype=object)


def _allocate(sizes: np.ndarray, n: int, minimum: int) -> np.ndarray:
    """Proportional allocation with largest remainders, then at least ``minimum`` (capped by the size)."""
    total = sizes.sum()
    quota = n * sizes / total
    take = np.floor(quota).astype(int)
    rest = n - take.sum()
    order = np.lexsort((np.arange(sizes.size), -(quota - take)))  # largest remainder, then stratum order
    take[order[:rest]] += 1
    return np.minimum(np.maximum(take, minimum), sizes)


def sample_units(out_dir: str | os.PathLike, *, n: int = 200, unit: str = "sentence", by: Sequence[str] = (),
                 period: str = "month", seed: int = 0, min_per_stratum: int = 5,
                 coders: Sequence[str] = ("a",), with_scores: bool = False, context: int = 1) -> pd.DataFrame:
    """A stratified random sample of a run's sentences or articles, as an (uncoded) coding sheet.

    Parameters
    ----------
    out_dir : a ``diplo run`` output folder.
    n : target sample size (the minimum per stratum may add units).
    unit : ``"sentence"`` or ``"article"``.
    by : stratum keys from :data:`STRATA`; none for a simple random sample.
    period : calendar unit of the ``period`` stratum (:data:`PERIODS`).
    seed : seed of the draw and of the sheet's order.
    min_per_stratum : smallest number of units from each stratum.
    coders : coder names; each gets the empty label columns of :func:`coder_columns`.
    with_scores : add the scorers' ``tone_*`` columns (hidden by default: coders should not see them).
    context : sentences shown before and after a sampled sentence.

    Returns
    -------
    DataFrame: ``sample_id`` (1..), ``doc_id``, ``sent_id`` (empty for articles), ``date``, ``outlet``,
    ``stratum``, ``context_before``, ``text``, ``context_after``, the ``tone_*`` columns with
    ``with_scores``, then the coders' empty label columns.

    Raises
    ------
    ValueError
        If an option is invalid (the message lists the valid values) or the folder has no unit to sample.
    FileNotFoundError
        If a table of the run output is missing.
    """
    _check(unit, by, period, n, min_per_stratum, coders)
    out_dir = Path(out_dir)
    articles = _read(out_dir / "articles.parquet", ["doc_id", "date", "outlet", "duplicate_of", "title"]
                     + ([] if unit == "sentence" else ["top_theme", *_theme_columns(out_dir / "articles.parquet")]))
    if "duplicate_of" in articles:
        dup = articles["duplicate_of"]
        articles = articles[dup.isna() | (dup.astype(str) == "")]
    articles = articles.sort_values("doc_id", kind="stable").reset_index(drop=True)
    articles["period"] = _period(articles["date"], period) if "date" in articles else "undated"
    if unit == "sentence":
        # theme columns only to stratify by theme: 20,000 articles have ~600,000 sentences
        score_cols = ["doc_id", "sent_id",
                      *(_theme_columns(out_dir / "sentence_scores.parquet") if "theme" in by else [])]
        units = _read(out_dir / "sentence_scores.parquet", score_cols)
        units = units.merge(articles[["doc_id", "outlet", "period"]], on="doc_id", how="inner")
    else:
        units = articles.copy()
    units = units.sort_values(["doc_id", "sent_id"] if unit == "sentence" else ["doc_id"],
                              kind="stable").reset_index(drop=True)
    if not len(units):
        raise ValueError(f"{out_dir}: no {unit} to sample (no article that is not a duplicate)")
    if "theme" in by:  # an article: its top_theme (what `diplo run` says it is mainly about), when written
        units["theme"] = units["top_theme"] if "top_theme" in units else _top_theme(units)
    keys = [b for b in STRATA if b in by]
    strata = pd.Series("all", index=units.index, dtype=object)
    for i, key in enumerate(keys):  # vectorized "a | b": a row-wise join takes minutes at 600,000 sentences
        part = units[key].astype(str).fillna("").astype(object)
        strata = part if i == 0 else strata + " | " + part
    units["stratum"] = strata.replace("", "unknown")
    codes, names = pd.factorize(units["stratum"], sort=True)
    names = list(names)
    sizes = np.bincount(codes, minlength=len(names))
    take = _allocate(sizes, min(n, int(sizes.sum())), min_per_stratum)
    rng = np.random.default_rng(seed)
    picked = []
    for code, (name, k) in enumerate(zip(names, take)):
        idx = np.flatnonzero(codes == code)
        picked.append(np.sort(rng.choice(idx, size=int(k), replace=False)))
    chosen = units.loc[np.concatenate(picked)].reset_index(drop=True)
    chosen = chosen.iloc[rng.permutation(len(chosen))].reset_index(drop=True)
    sheet = _texts(out_dir, chosen, articles, unit, context)
    if with_scores:
        sheet = _with_scores(out_dir, sheet, unit)
    for col in coder_columns(coders):
        sheet[col] = ""
    return sheet


def _theme_columns(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    if not path.is_file():
        return []
    return [c for c in pq.ParquetFile(path).schema_arrow.names if c.startswith("theme_") and not c.endswith("_share")]


def _texts(out_dir: Path, chosen: pd.DataFrame, articles: pd.DataFrame, unit: str, context: int) -> pd.DataFrame:
    import pyarrow.compute as pc
    import pyarrow as pa

    docs = sorted(set(chosen["doc_id"]))
    where = pc.field("doc_id").isin(pa.array(docs, type=pa.string()))
    sents = _read(out_dir / "sentences.parquet", ["doc_id", "sent_id", "text"], filters=where)
    by_doc = {d: g.sort_values("sent_id")["text"].tolist() for d, g in sents.groupby("doc_id", sort=True)}
    meta = articles.set_index("doc_id")
    rows = []
    for i, r in enumerate(chosen.itertuples(index=False), 1):
        texts = by_doc.get(r.doc_id, [])
        if unit == "sentence":
            s = int(r.sent_id)
            before = " ".join(texts[max(0, s - context):s])
            text = texts[s] if s < len(texts) else ""
            after = " ".join(texts[s + 1:s + 1 + context])
            sent_id = s
        else:
            title = meta.at[r.doc_id, "title"] if "title" in meta.columns else None
            before = title if isinstance(title, str) else ""
            text = " ".join(texts[:_LEAD_SENTENCES])
            after = ""
            sent_id = ""
        date = meta.at[r.doc_id, "date"] if "date" in meta.columns else None
        outlet = meta.at[r.doc_id, "outlet"] if "outlet" in meta.columns else None
        rows.append({"sample_id": i, "doc_id": r.doc_id, "sent_id": sent_id,
                     "date": "" if pd.isna(date) else str(date)[:10], "outlet": "" if pd.isna(outlet) else outlet,
                     "stratum": r.stratum, "context_before": before, "text": text, "context_after": after})
    return pd.DataFrame(rows, columns=["sample_id", "doc_id", "sent_id", "date", "outlet", "stratum",
                                       "context_before", "text", "context_after"])


def _with_scores(out_dir: Path, sheet: pd.DataFrame, unit: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    table = "sentence_scores" if unit == "sentence" else "articles"
    path = out_dir / f"{table}.parquet"
    tone = [c for c in pq.ParquetFile(path).schema_arrow.names if c.startswith("tone_") and not c.endswith(("_wmean", "_lead"))]
    keys = ["doc_id", "sent_id"] if unit == "sentence" else ["doc_id"]
    scores = _read(path, [*keys, *tone])
    merged = sheet.merge(scores, on=keys, how="left") if unit == "sentence" else \
        sheet.merge(scores, on="doc_id", how="left")
    return merged[[*sheet.columns, *tone]]


def render_coding_guide(coders: Sequence[str], *, sheet_name: str = "coding.csv", unit: str = "sentence") -> str:
    """The ``CODING.md`` text written beside a coding sheet (the packaged ``data/CODING.md`` with the sheet's
    name, unit and label columns filled in)."""
    from importlib import resources

    template = (resources.files("diplo") / "data" / "CODING.md").read_text(encoding="utf-8")
    columns = "\n".join(f"- `{m}_{c}`" for c in coders for m in MEASURES)
    return (template.replace("{sheet}", sheet_name).replace("{unit}", unit)
            .replace("{columns}", columns).replace("{coders}", ", ".join(coders)))


def write_coding_sheet(sheet: pd.DataFrame, path: str | os.PathLike, *, coders: Sequence[str],
                       unit: str = "sentence") -> tuple[Path, Path]:
    """Write ``sheet`` as UTF-8 CSV (``\\n`` line ends; same sheet, same bytes) and ``CODING.md`` beside it.

    Returns
    -------
    ``(sheet path, guide path)``.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        sheet.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    guide = write_text(render_coding_guide(coders, sheet_name=path.name, unit=unit), path.parent / "CODING.md")
    return path, guide
