"""Held-out validity of a scorer trained with ``diplo train`` against the shipped scorers, on the devsets.

Each devset is split once with a fixed seed (stratified by label for categories), the training part written to
``OUT/<set>_train.csv`` and the held-out part to ``OUT/<set>_test.csv``; the model is trained on the first with
:func:`diplo.analysis.train.train_file` (what ``diplo train`` runs: its regularization is chosen by CV on the
training part only) and every scorer is scored on the held-out part with
:func:`diplo.analysis.validate.validate_file` (what ``diplo validate --scorer model:PATH`` runs).  Nothing
reported was tuned on the held-out rows.  Prints a markdown table; writes ``OUT/results.json``.

    python benchmarks/devsets_validity.py --devsets ../shared/devsets --out /tmp/diplo-validity [--sets cameo,amazon]

The devsets and the models stay outside the repository (the models are build artifacts).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from diplo.analysis.train import train_file
from diplo.analysis.validate import load_labelled, validate_file

SHIPPED = ["vader", "lexicon", "diplomatic"]
# name: (relative path, load_labelled options, held-out share, categorical)
SETS = {
    "cameo": ("conflibert_cameo/train.tsv", {"format": "tsv", "header": False, "columns": ["text", "label"]},
              0.3, True),
    "amazon": ("vader/amazonReviewSnippets_GroundTruth.txt", {"format": "vader"}, 0.5, False),
    "tweets": ("vader/tweets_GroundTruth.txt", {"format": "vader"}, 0.5, False),
    "movies": ("vader/movieReviewSnippets_GroundTruth.txt", {"format": "vader"}, 0.5, False),
}


def split(name: str, devsets: Path, out: Path, *, seed: int) -> tuple[Path, Path, bool]:
    from sklearn.model_selection import train_test_split

    rel, options, share, categorical = SETS[name]
    table = load_labelled(devsets / rel, **options)
    table["label"] = table["label"].astype(str).str.strip()
    train, test = train_test_split(table, test_size=share, random_state=seed,
                                   stratify=table["label"] if categorical else None)
    paths = out / f"{name}_train.csv", out / f"{name}_test.csv"
    for part, path in zip((train, test), paths):
        part.sort_index().to_csv(path, index=False, lineterminator="\n")
    return (*paths, categorical)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devsets", type=Path, default=Path("../shared/devsets"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/diplo-validity"))
    ap.add_argument("--sets", default="cameo,amazon")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-boot", type=int, default=1000)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results, lines = {}, ["| devset | held-out n | scorer | measure | value | 95% CI |", "|---|---|---|---|---|---|"]
    for name in args.sets.split(","):
        train_csv, test_csv, categorical = split(name, args.devsets, args.out, seed=args.seed)
        model = args.out / f"{name}.model.zip"
        cv = train_file(train_csv, model, seed=args.seed, n_boot=args.n_boot,
                        kind="classifier" if categorical else "regressor")
        scorers = [f"model:{model}", *SHIPPED]
        res = validate_file(test_csv, scorers=scorers, label_map="cameo" if categorical else None,
                            n_boot=args.n_boot, seed=args.seed)
        results[name] = {"cv": cv, "held_out": res}
        for scorer, m in res["scorers"].items():
            label = "trained" if scorer.startswith("model:") else scorer
            if categorical and label == "trained":
                lines.append(f"| {name} | {res['n']} | {label} | macro-F1, 5 classes | {m['labels_macro_f1']:.3f} | "
                             f"{m['labels_macro_f1_ci'][0]:.3f}-{m['labels_macro_f1_ci'][1]:.3f} |")
            key = "macro_f1" if categorical else "pearson"
            what = "macro-F1, neutral/coop/conflict" if categorical else "Pearson r"
            lines.append(f"| {name} | {res['n']} | {label} | {what} | {m[key]:.3f} | "
                         f"{m[key + '_ci'][0]:.3f}-{m[key + '_ci'][1]:.3f} |")
        print(f"{name}: CV on the training part {json.dumps({k: cv[k] for k in cv if k not in ('grid', 'labels')})}",
              flush=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
