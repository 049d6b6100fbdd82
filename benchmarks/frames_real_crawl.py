"""Where the stance frames of target tone fire on a real crawl, and a sample to hand-check their precision.

Builds the sentences of a folder (e.g. the 2,000 Tehran Times files in ``../shared/corpora/tehrantimes-mixed``),
scores every actor mention's target tone with the frames (``frames="both"``) and without (``"none"``), and
prints: how many mentions each frame role touched, how the mean tone toward the most mentioned actors moves,
and ``--sample`` mentions of one frame role (``--role``, default object) drawn with ``DataFrame.sample(random_state=--seed)`` (sentence, actor, frame,
VADER target tone before -> after) for a reader to judge.  Usage::

    .venv/bin/python benchmarks/frames_real_crawl.py RAW_DIR [--sample 20] [--seed 17] [--role object]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from diplo.io.raw import load_documents, load_metadata
from diplo.scoring.actors import ActorScorer
from diplo.text.corpus import build_corpus, metadata_overrides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--role", default="object", choices=["object", "in object", "holder"])
    args = parser.parse_args()
    docs = load_documents(args.raw_dir, [])
    sentences = build_corpus(docs, metadata_overrides(load_metadata(args.raw_dir)))["sentences"]
    texts = sentences.set_index(["doc_id", "sent_id"])["text"]
    runs = {}
    for frames in ("none", "both"):
        cpu = time.process_time()
        runs[frames] = _mentions(sentences, frames)
        print(f"frames={frames}: {len(runs[frames]):,} mentions in {time.process_time() - cpu:.1f} CPU s")
    before, after = runs["none"], runs["both"]
    role = after["frame"].str.extract(r"^(\w+) frame .*\(([\w ]+)\)$")
    print(f"{len(sentences):,} sentences, {len(after):,} actor mentions")
    print((role[0].fillna("-") + " " + role[1].fillna("-")).value_counts().to_string())
    top = after["actor"].value_counts().head(8).index
    table = pd.DataFrame({f"{c} {k}": run[run["actor"].isin(top)].groupby("actor")[f"tone_{c}_target"].mean()
                          for c in ("vader", "diplomatic") for k, run in (("before", before), ("after", after))})
    print(table.round(3).to_string())
    objects = after[role[1].eq(args.role).to_numpy()]
    pick = objects.sample(n=min(args.sample, len(objects)), random_state=args.seed)
    for i, r in pick.iterrows():
        text = texts.loc[(r["doc_id"], r["sent_id"])]
        print(f"\n[{i}] {r['actor']} ({r['mention']}): {r['frame']}; vader {before.loc[i, 'tone_vader_target']:+.2f}"
              f" -> {r['tone_vader_target']:+.2f}, diplomatic {before.loc[i, 'tone_diplomatic_target']:+.2f} -> "
              f"{r['tone_diplomatic_target']:+.2f}\n    {text}")


def _mentions(sentences: pd.DataFrame, frames: str) -> pd.DataFrame:
    scorer = ActorScorer(scorers=["vader", "lexicon", "diplomatic"], frames=frames)
    parts = []
    for lo in range(0, len(sentences), 5000):  # chunks as diplo run scores them
        chunk = sentences.iloc[lo:lo + 5000]
        cols, mentions = scorer.score(chunk["text"].tolist())
        keys = chunk[["doc_id", "sent_id"]].reset_index(drop=True).iloc[mentions["row"].to_numpy()]
        parts.append(pd.concat([keys.reset_index(drop=True), mentions.drop(columns="row")], axis=1))
    return pd.concat(parts, ignore_index=True)


if __name__ == "__main__":
    main()
