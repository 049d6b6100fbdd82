"""Cross-validated AUC of the article diplomatic score on the development articles, and its worst errors (issue 17).

The development set is the three scored label files of ``benchmarks/data`` (``article_validity.DEVELOPMENT``: 411
articles, 216 cooperative, 195 conflictual); the held-out file ``article_stance_heldout3.csv`` is never read here.
The labelled files run through ``diplo run`` with their headline as ``title`` (as ``article_validity.py`` does), and:

1. in-sample ROC AUC of ``diplomatic_balance`` with a 95% bootstrap interval, on all 411 and per file;
2. repeated stratified 5-fold cross-validation (10 repeats, ``random_state=0``): the shipped score's AUC on each
   test fold (its mean and the 2.5-97.5 percentiles of the 50 folds), and the honest figure for the two constants
   the score was given (:data:`diplo.analysis.aggregate.TITLE_SHARE`, :data:`~diplo.analysis.aggregate.EVIDENCE_PRIOR`):
   on each training part the pair with the best AUC over the grid below is chosen, then scored on its test fold;
3. with ``--errors N``: the N conflictual articles ranked most cooperative and the N cooperative ones ranked most
   conflictual, each with its headline's terms and every sentence that carries evidence (the terms behind it).

    .venv/bin/python benchmarks/article_cv.py --crawl ../shared/corpora/tehrantimes-mixed [--errors 20]
        [--run DIR]   # reuse a run of the development articles (article_validity.py --sets dev --keep K: K/headline/run)
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import RepeatedStratifiedKFold

from article_validity import DATA, DEVELOPMENT, auc, auc_interval, run_labelled
from diplo.analysis.aggregate import EVIDENCE_PRIOR, TITLE_SHARE, diplomatic_balance
from diplo.scoring.tone import HEADLINE_ACTOR_WINDOW, NEUTRAL_BANDS, DiplomaticScorer, score_tone

#: the grid the two constants are chosen from inside every training part
GRID = list(itertools.product((0.2, 0.3, 0.35, 0.4, 0.5, 0.6), (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)))
FOLDS, REPEATS = 5, 10


def load_run(crawl: Path, labels: pd.DataFrame, run: Path | None, tmp: Path) -> dict[str, pd.DataFrame]:
    """The articles, sentence scores, sentences and evidence of a run of the labelled files (made if needed)."""
    if run is None:
        run_labelled(crawl, list(labels["file"]), tmp, titles=True)
        run = tmp / "run"
    return {name: pd.read_parquet(run / f"{name}.parquet")
            for name in ("articles", "sentence_scores", "sentences", "evidence")}


def cross_validate(scores: dict[tuple[float, float], np.ndarray], shipped: np.ndarray, y: np.ndarray
                   ) -> dict[str, object]:
    """Per test fold: the AUC of ``shipped`` and of the grid point chosen on the training part."""
    fixed, fitted, chosen = [], [], []
    for train, test in RepeatedStratifiedKFold(n_splits=FOLDS, n_repeats=REPEATS, random_state=0).split(y, y):
        best = max(scores, key=lambda p: auc(scores[p][train], y[train]))
        chosen.append(best)
        fitted.append(auc(scores[best][test], y[test]))
        fixed.append(auc(shipped[test], y[test]))
    return {"fixed": np.array(fixed), "fitted": np.array(fitted), "chosen": pd.Series(chosen).value_counts()}


def print_errors(table: pd.DataFrame, run: dict[str, pd.DataFrame], n: int) -> None:
    """The ``n`` worst-ranked articles of each class with the evidence behind their score."""
    band = NEUTRAL_BANDS["diplomatic"]
    scorer = DiplomaticScorer(actor_window=HEADLINE_ACTOR_WINDOW)
    sentences = run["sentence_scores"].merge(run["sentences"][["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"])
    evidence = run["evidence"][run["evidence"]["scorer"] == "diplomatic"]

    def terms(rows: pd.DataFrame) -> str:
        return ", ".join(f"{r.term}{' (negated)' if r.negated else ''} {r.weight:+.1f}" for r in rows.itertuples())

    worst = {"conflictual": table[table["label"] == "conflictual"].nlargest(n, "diplomatic_balance"),
             "cooperative": table[table["label"] == "cooperative"].nsmallest(n, "diplomatic_balance")}
    for label, rows in worst.items():
        print(f"\n### {label} articles ranked worst\n")
        for r in rows.itertuples():
            _, head = score_tone([r.title], [scorer], evidence=True)
            print(f"- {r.diplomatic_balance:+.3f} [{r.set}] {r.headline} | headline {r.title_diplomatic:+.2f}: "
                  f"{terms(head) or '-'}")
            doc = sentences[sentences["doc_id"] == r.doc_id].sort_values("sent_id")
            for rank, s in enumerate(doc.itertuples()):
                if abs(s.tone_diplomatic) >= band:
                    found = evidence[(evidence["doc_id"] == r.doc_id) & (evidence["sent_id"] == s.sent_id)]
                    print(f"    {rank:3d} {s.tone_diplomatic:+5.1f} [{terms(found)}] {s.text[:160]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crawl", type=Path, default=Path("../shared/corpora/tehrantimes-mixed"))
    ap.add_argument("--run", type=Path, help="a run of the development articles with headlines (skips the run)")
    ap.add_argument("--errors", type=int, default=0, help="print the N worst-ranked articles of each class")
    args = ap.parse_args()
    files = DEVELOPMENT["development"]
    labels = pd.concat([pd.read_csv(DATA / f).assign(set=f[len("article_stance_"):-len(".csv")]) for f in files],
                       ignore_index=True)
    labels["doc_id"] = labels["file"].str.removesuffix(".txt")
    with tempfile.TemporaryDirectory() as tmp:
        run = load_run(args.crawl, labels, args.run, Path(tmp))
    articles = run["articles"]
    table = labels.merge(articles[["doc_id", "title", "title_diplomatic", "diplomatic_balance"]], on="doc_id",
                         how="left", validate="one_to_one")
    y = (table["label"] == "cooperative").to_numpy()
    shipped = table["diplomatic_balance"].fillna(0.0).to_numpy()
    print(f"diplomatic_balance (TITLE_SHARE {TITLE_SHARE}, EVIDENCE_PRIOR {EVIDENCE_PRIOR}), development articles "
          f"with headlines\n\n| set | n | in-sample AUC | 95% CI |\n|---|---|---|---|")
    for name, part in [("all", np.ones(len(table), bool))] + [(s, (table["set"] == s).to_numpy())
                                                              for s in table["set"].unique()]:
        lo, hi = auc_interval(shipped[part], y[part])
        print(f"| {name} | {part.sum()} | {auc(shipped[part], y[part]):.4f} | {lo:.3f}-{hi:.3f} |")
    titles = articles.set_index("doc_id")["title_diplomatic"]
    scores = {(share, prior): diplomatic_balance(run["sentence_scores"], titles=titles, title_share=share,
                                                 prior=prior).reindex(table["doc_id"]).fillna(0.0).to_numpy()
              for share, prior in GRID}
    cv = cross_validate(scores, shipped, y)
    for name in ("fixed", "fitted"):
        lo, hi = np.percentile(cv[name], [2.5, 97.5])
        what = ("shipped constants" if name == "fixed" else
                "constants chosen on each training part (grid: title_share x prior)")
        print(f"\n{FOLDS}-fold CV x {REPEATS}, {what}: mean test-fold AUC {cv[name].mean():.4f} "
              f"(folds 2.5-97.5%: {lo:.3f}-{hi:.3f})")
    print("chosen (title_share, prior) in the 50 training parts:", cv["chosen"].head(4).to_dict())
    if args.errors:
        print_errors(table, run, args.errors)


if __name__ == "__main__":
    main()
