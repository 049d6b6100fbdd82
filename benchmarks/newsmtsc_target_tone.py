"""Tune and evaluate target-aware tone (diplo.scoring.actors.score_target_tone) on NewsMTSC.

Usage: .venv/bin/python benchmarks/newsmtsc_target_tone.py [PATH/train.jsonl]

Splits the sentences 50/50 (seeded), picks the window, clause breaks and neutral band with the best macro-F1
on the tuning half, and reports macro-F1 on the held-out half against sentence-level VADER (band tuned the
same way).  Then the stance frames (diplo.scoring.frames: ``frames="none"``, ``"objects"``, ``"both"``) at
that window, each with its band tuned on the tuning half, for VADER and the AFINN lexicon: held-out macro-F1
with a 95% percentile bootstrap interval (1,000 resamples of the held-out sentences, seed 0), and how many
held-out targets a frame touched.  Polarity 2/4/6 -> -1/0/1.
"""

from __future__ import annotations

import itertools
import json
import sys

import numpy as np
from sklearn.metrics import f1_score

from diplo.scoring.actors import score_target_tone
from diplo.scoring.tone import score_tone

PATH = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/devsets/newsmtsc/train.jsonl"
BANDS = [0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]


def load(path):
    texts, spans, labels, sent = [], [], [], []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            rec = json.loads(line)
            for t in rec["targets"]:
                texts.append(rec["sentence_normalized"])
                spans.append((t["from"], t["to"]))
                labels.append({2.0: -1, 4.0: 0, 6.0: 1}[t["polarity"]])
                sent.append(i)
    return texts, spans, np.array(labels), np.array(sent)


def classify(scores, band):
    return np.where(scores > band, 1, np.where(scores < -band, -1, 0))


def macro_f1(y, scores, band):
    return f1_score(y, classify(scores, band), labels=[-1, 0, 1], average="macro")


def best_band(y, scores):
    return max(BANDS, key=lambda b: macro_f1(y, scores, b))


def main():
    texts, spans, y, sent = load(PATH)
    rng = np.random.default_rng(0)
    tune_sents = rng.permutation(sent.max() + 1)[: (sent.max() + 1) // 2]
    tune = np.isin(sent, tune_sents)
    hold = ~tune
    sentence = score_tone(texts, ["vader"])["tone_vader"].to_numpy()
    b_sent = best_band(y[tune], sentence[tune])
    results = {"n_targets": int(len(y)), "n_tune": int(tune.sum()), "n_heldout": int(hold.sum()),
               "sentence_vader": {"band": b_sent, "tune_f1": macro_f1(y[tune], sentence[tune], b_sent),
                                  "heldout_f1": macro_f1(y[hold], sentence[hold], b_sent),
                                  "heldout_f1_band_0.05": macro_f1(y[hold], sentence[hold], 0.05)}}
    grid = []
    for window, breaks in itertools.product([2, 3, 4, 6, 8, 12, 20, 50], ["clause", "strong", "none"]):
        s = score_target_tone(texts, spans, scorers=["vader"], window=window, breaks=breaks, frames="none")
        s = s["tone_vader_target"].to_numpy()
        b = best_band(y[tune], s[tune])
        grid.append((macro_f1(y[tune], s[tune], b), window, breaks, b, s))
    f1, window, breaks, band, s = max(grid, key=lambda g: g[0])
    results["target_vader"] = {"window": window, "breaks": breaks, "band": band, "tune_f1": f1,
                               "heldout_f1": macro_f1(y[hold], s[hold], band)}
    results["grid_tune_f1"] = {f"{w}/{br}": round(f, 4) for f, w, br, _, _ in grid}
    results["frames"] = {}
    base = {}
    for frames in ("none", "objects", "both"):
        t = score_target_tone(texts, spans, scorers=["vader", "lexicon"], window=window, breaks=breaks,
                              frames=frames)
        row = {"held_out_targets_with_a_frame": int((t["frame"].to_numpy()[hold] != "").sum())}
        for scorer in ("vader", "lexicon"):
            s = t[f"tone_{scorer}_target"].to_numpy()
            b = best_band(y[tune], s[tune])
            pred = classify(s[hold], b)
            base.setdefault(scorer, pred)
            lo, hi = bootstrap_f1(y[hold], pred, sent[hold])
            row[scorer] = {"band": b, "tune_f1": round(macro_f1(y[tune], s[tune], b), 4),
                           "heldout_f1": round(macro_f1(y[hold], s[hold], b), 4), "heldout_ci95": [lo, hi],
                           "heldout_minus_none_ci95": bootstrap_f1(y[hold], pred, sent[hold], base=base[scorer])}
        results["frames"][frames] = row
    print(json.dumps(results, indent=2))


def bootstrap_f1(y, pred, groups, n=1000, seed=0, base=None):
    """95% percentile interval of macro-F1 (minus ``base``'s on the same resample, when given), resampling
    whole sentences (``groups``)."""
    rng = np.random.default_rng(seed)
    ids, inverse = np.unique(groups, return_inverse=True)
    members = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[members], np.arange(len(ids)))
    sizes = np.diff(np.r_[starts, len(members)])
    values = []
    for _ in range(n):
        pick = rng.integers(0, len(ids), len(ids))
        idx = np.concatenate([members[starts[g]:starts[g] + sizes[g]] for g in pick])
        values.append(f1_score(y[idx], pred[idx], labels=[-1, 0, 1], average="macro")
                      - (0 if base is None else f1_score(y[idx], base[idx], labels=[-1, 0, 1], average="macro")))
    return [round(float(v), 4) for v in np.percentile(values, [2.5, 97.5])]


if __name__ == "__main__":
    main()
