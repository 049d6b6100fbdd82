"""CPU throughput of the theme and actor scorers (one core), against the VADER scorer alone.

Usage: .venv/bin/python benchmarks/bench_themes_actors.py [COPIES]

The sample corpus's sentences are repeated COPIES times (default 40) with a number inserted in each so no
target window is shared between copies (deduplication would flatter the numbers).
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from diplo.scoring.actors import ActorScorer
from diplo.text.corpus import build_corpus
from diplo.io.raw import load_documents
from diplo.scoring.score import score_sentences
from diplo.scoring.themes import ThemeScorer
from diplo.scoring.tone import score_tone


def main(copies: int = 40) -> None:
    sentences = build_corpus(list(load_documents("data/raw", [])), {})["sentences"]
    big = pd.concat([sentences] * copies, ignore_index=True)
    big["text"] = [t.replace(" the ", f" the{i} ", 3) for i, t in enumerate(big["text"])]
    texts = big["text"].tolist()
    themes, actors, actors_tone = ThemeScorer(), ActorScorer(scorers=()), ActorScorer(scorers=["vader"])
    score_sentences(big.head(50))  # build and cache the scorers

    def rate(f) -> float:
        t = time.process_time()
        f()
        return len(big) / (time.process_time() - t)

    print(f"{len(big)} sentences, sentences/s of CPU on one core:")
    print(f"  VADER scorer (diplo.scoring.tone)        {rate(lambda: score_tone(big, ['vader'])):>9,.0f}")
    print(f"  themes (match + KWIC)            {rate(lambda: themes.score(texts)):>9,.0f}")
    print(f"  actors, speakers (no tone)       {rate(lambda: actors.score(texts)):>9,.0f}")
    print(f"  actors + target VADER            {rate(lambda: actors_tone.score(texts)):>9,.0f}")
    print(f"  score_sentences (all of it)      {rate(lambda: score_sentences(big)):>9,.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
