"""Article-level validity on real articles (issue 17): the diplomatic article score and the top theme.

Reruns both measurements from the hand labels in ``benchmarks/data/`` (see its README: how they were drawn and
labelled) against the real Tehran Times crawl:

A. cooperative vs conflictual articles: ROC AUC of each article tone column (conflictual = the low end), with
   a 95% percentile bootstrap interval (classes resampled separately, 2,000 draws, seed 0), on the held-out set
   ``article_stance_heldout3.csv`` (skipped, with a message, while it is absent) and on the development set:
   ``article_stance_tuning.csv``, ``article_stance_heldout.csv`` and ``article_stance_heldout2.csv`` (411
   articles; each was scored at least once, so numbers on them are development numbers), also per file.
B. an article's ``top_theme`` against the human main theme (``article_theme_labels.csv``, per ``split``):
   agreement with a 95% bootstrap interval, and the confusion of the misses.

The labelled files are copied to a temporary raw folder (the crawl is never copied into the repository) and
run through :func:`diplo.run.pipeline.run_pipeline` (what ``diplo run`` does), with the packaged dictionaries,
twice: as they are (the crawl's text has no headline: ``diplomatic_balance`` reads the body only) and with a
``metadata.csv`` that gives each file's headline as its ``title`` (the crawl keeps the headline only in the file
name ``_news_<id>_<slug>.txt``: the slug, hyphens as spaces, as a researcher would pass it), which
``diplomatic_balance`` counts as the article's headline.

    .venv/bin/python benchmarks/article_validity.py --crawl ../shared/corpora/tehrantimes-mixed [--keep OUT]
        [--sets dev]      # while developing: the development articles and part B; the held-out file stays unread
        [--sets heldout]  # the held-out set of part A only (scored once, at the end)
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from diplo.run.pipeline import run_pipeline

DATA = Path(__file__).resolve().parent / "data"
HELDOUT = "article_stance_heldout3.csv"
#: labelled sets of part A: name -> label files (one set may join several files)
DEVELOPMENT = {"development": ("article_stance_tuning.csv", "article_stance_heldout.csv", "article_stance_heldout2.csv"),
               "development: tuning (60)": ("article_stance_tuning.csv",),
               "development: first held-out set (90)": ("article_stance_heldout.csv",),
               "development: second held-out set (261)": ("article_stance_heldout2.csv",)}
THEMES = "article_theme_labels.csv"
N_BOOT = 2000


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC (Mann-Whitney, ties count half) of ``scores`` for ``positive`` (True) over the rest."""
    pos, neg = scores[positive], scores[~positive]
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (pos.size * neg.size))


def auc_interval(scores: np.ndarray, positive: np.ndarray, *, n_boot: int = N_BOOT, seed: int = 0,
                 ) -> tuple[float, float]:
    """95% percentile bootstrap interval of :func:`auc`, each class resampled with replacement on its own."""
    rng = np.random.default_rng(seed)
    pos, neg = scores[positive], scores[~positive]
    draws = np.empty(n_boot)
    for b in range(n_boot):
        p = pos[rng.integers(0, pos.size, pos.size)]
        n = neg[rng.integers(0, neg.size, neg.size)]
        draws[b] = auc(np.concatenate((p, n)), np.r_[np.ones(p.size, bool), np.zeros(n.size, bool)])
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(lo), float(hi)


def agreement_interval(hits: np.ndarray, *, n_boot: int = N_BOOT, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of the share of ``hits`` (articles resampled)."""
    rng = np.random.default_rng(seed)
    draws = hits[rng.integers(0, hits.size, (n_boot, hits.size))].mean(axis=1)
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(lo), float(hi)


def headline(file_name: str) -> str:
    """The headline a crawl file keeps in its name: ``_news_<id>_<slug>.txt`` -> the slug, hyphens as spaces."""
    return re.sub(r"^_news_\d+_|\.txt$", "", file_name).replace("-", " ").strip()


def run_labelled(crawl: Path, files: list[str], out: Path, *, titles: bool = False) -> pd.DataFrame:
    """``diplo run`` on just ``files`` of ``crawl``; the articles table with ``article_id`` (from the file name).
    With ``titles``, a ``metadata.csv`` gives every file its :func:`headline` as ``title``."""
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in sorted(set(files)):
        shutil.copyfile(crawl / name, raw / name)
    if titles:
        with open(raw / "metadata.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["file", "title"])
            writer.writerows([name, headline(name)] for name in sorted(set(files)))
    run_pipeline(raw, out / "run", jobs=1, progress=False)
    articles = pd.read_parquet(out / "run" / "articles.parquet")
    articles["article_id"] = articles["source_file"].str.extract(r"_news_(\d+)_", expand=False).astype(int)
    return articles


def stance_table(articles: pd.DataFrame, labels: pd.DataFrame) -> list[str]:
    """Markdown rows: AUC and interval of every article tone column on one labelled set."""
    table = labels.merge(articles, on="article_id", how="left", validate="one_to_one")
    positive = (table["label"] == "cooperative").to_numpy()
    columns = [c for c in articles.columns if c.startswith("tone_") and not c.endswith("_wmean")]
    columns += [c for c in ("title_diplomatic", "diplomatic_balance")
                if c in articles.columns and articles[c].notna().any()]
    rows = []
    for col in columns:
        scores = table[col].fillna(0.0).to_numpy(dtype=float)  # an unscored article sits at neutral
        lo, hi = auc_interval(scores, positive)
        rows.append(f"| {col} | {auc(scores, positive):.3f} | {lo:.3f}-{hi:.3f} |")
    return rows


def theme_rows(articles: pd.DataFrame, labels: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """Markdown rows: top-theme agreement per split; the misses."""
    if "top_theme" not in articles.columns:  # a run of diplo before the column: densest theme, as diplo sample
        themes = sorted(c for c in articles.columns if c.startswith("theme_") and not c.endswith("_share"))
        values = articles[themes].fillna(0).to_numpy(dtype=float)
        names = np.array([t[len("theme_"):] for t in themes], dtype=object)
        articles = articles.assign(top_theme=np.where(values.max(axis=1) > 0, names[values.argmax(axis=1)], "none"))
    table = labels.merge(articles[["article_id", "top_theme"]], on="article_id", how="left", validate="one_to_one")
    table["hit"] = table["top_theme"].fillna("none") == table["theme"]
    rows = []
    for split in ("heldout", "tuning"):
        part = table[table["split"] == split]
        hits = part["hit"].to_numpy()
        lo, hi = agreement_interval(hits)
        rows.append(f"| {split} | {len(part)} | {hits.sum()} | {hits.mean():.2f} | {lo:.2f}-{hi:.2f} |")
    hits = table["hit"].to_numpy()
    lo, hi = agreement_interval(hits)
    rows.append(f"| all | {len(table)} | {hits.sum()} | {hits.mean():.2f} | {lo:.2f}-{hi:.2f} |")
    return rows, table[~table["hit"]]


def stance_sets(sets: str) -> dict[str, pd.DataFrame]:
    """The labelled sets of part A that ``sets`` (``all``, ``dev``, ``heldout``) asks for: name -> labels.
    The held-out set is left out, with a message, while its file is absent."""
    names = {} if sets == "heldout" else dict(DEVELOPMENT)
    if sets != "dev":
        if (DATA / HELDOUT).exists():
            names = {f"held-out ({HELDOUT})": (HELDOUT,), **names}
        else:
            print(f"held-out set skipped: {DATA / HELDOUT} is absent (development sets only)")
    out = {}
    for name, files in names.items():
        labels = pd.concat([pd.read_csv(DATA / f) for f in files], ignore_index=True)
        labels["label"] = labels["label"].astype(str).str.strip().str.lower()
        kept = labels["label"].isin(("cooperative", "conflictual"))
        if not kept.all():  # a row of another class (e.g. mixed) is left out of the AUC, never counted as one side
            other = labels.loc[~kept, "label"].value_counts(dropna=False).to_dict()
            print(f"{name}: {int((~kept).sum())} row(s) neither cooperative nor conflictual left out: {other}")
        out[name] = labels[kept].reset_index(drop=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crawl", type=Path, default=Path("../shared/corpora/tehrantimes-mixed"))
    ap.add_argument("--keep", type=Path, help="write the raw copy and the run here instead of a temporary folder")
    ap.add_argument("--sets", choices=("all", "dev", "heldout"), default="all",
                    help="dev: the development articles of part A and part B (the held-out file stays unread); "
                         "heldout: only the held-out set of part A; all: both")
    args = ap.parse_args()
    stance = stance_sets(args.sets)
    themes = pd.read_csv(DATA / THEMES) if args.sets != "heldout" else None
    files = [f for t in (*stance.values(), themes) if t is not None for f in t["file"]]
    if not files:
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        articles = run_labelled(args.crawl, files, out / "body")
        with_titles = run_labelled(args.crawl, files, out / "headline", titles=True)
    for name, labels in stance.items():
        counts = labels["label"].value_counts()
        for run_name, table in (("body only", articles), ("headline from the file name as title", with_titles)):
            print(f"\nA. cooperative ({counts['cooperative']}) vs conflictual ({counts['conflictual']}), {name}, "
                  f"{run_name}: ROC AUC (95% bootstrap interval)\n\n| column | AUC | 95% CI |\n|---|---|---|")
            rows = stance_table(table, labels)
            print("\n".join(rows if run_name == "body only" else
                            [r for r in rows if r.startswith(("| diplomatic_balance", "| title_"))]))
    if themes is None:
        return
    rows, misses = theme_rows(articles, themes)
    print("\nB. top_theme = the human main theme\n\n| split | n | agree | share | 95% CI |\n|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nmisses (human -> top_theme):")
    print(pd.crosstab(misses["theme"], misses["top_theme"].fillna("none")).to_string())


if __name__ == "__main__":
    main()
