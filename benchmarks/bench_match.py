"""CPU cost of dictionary matching per sentence (one core): the chunk matcher against the per-text oracle.

Usage: .venv/bin/python benchmarks/bench_match.py [ARTICLES] [CHUNK]

Generates ARTICLES synthetic articles (default 600, ``benchmarks/corpus.py``), matches their sentences in
chunks of CHUNK sentences (default 2000) against every packaged dictionary (tone, themes, actors, the set
``diplo.scoring.score`` matches in one pass) and prints microseconds of CPU time per sentence: a first pass
(vocabulary cold) on one corpus, then a second corpus of different sentences, then the pieces of a warm
pass.  The old one-text-at-a-time matcher (``tests/oracles/match.py``) is timed on the second corpus
after the first, like the new one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from corpus import generate_articles  # noqa: E402
from oracles.match import ReferenceMatcher  # noqa: E402

from diplo.scoring.actors import ActorScorer  # noqa: E402
from diplo.scoring.match import Matcher  # noqa: E402
from diplo.scoring.themes import ThemeScorer  # noqa: E402
from diplo.scoring.tone import available_scorers, get_scorer  # noqa: E402


def _per_sentence(fn, chunks: list[list[str]], repeat: int = 1) -> float:
    """Best CPU microseconds per sentence of ``fn(chunk_number)`` over all chunks."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for k in range(len(chunks)):
            fn(k)
        best = min(best, time.process_time() - t0)
    return best * 1e6 / sum(map(len, chunks))


def main(articles: int = 600, chunk: int = 2000) -> None:
    dictionaries = [d for name in available_scorers() for d in getattr(get_scorer(name), "dictionaries", ())]
    dictionaries += [*ThemeScorer().dictionaries, *ActorScorer().dictionaries]
    first, second = ([s for a in generate_articles(articles, seed=seed) for s in a.sentences] for seed in (0, 1))
    one, two = ([texts[i:i + chunk] for i in range(0, len(texts), chunk)] for texts in (first, second))
    matcher = Matcher(dictionaries)
    print(f"{len(first)} + {len(second)} sentences, {len(dictionaries)} dictionaries, chunks of {chunk}")
    print(f"match, cold vocabulary    {_per_sentence(lambda k: matcher.match(one[k]), one):7.2f} us/sentence")
    print(f"match, second corpus      {_per_sentence(lambda k: matcher.match(two[k]), two):7.2f} us/sentence")
    print(f"  tokenize (warm)         {_per_sentence(lambda k: matcher.tokenize(two[k]), two, 3):7.2f} us/sentence")
    tables = [matcher.tokenize(texts) for texts in two]
    warm = _per_sentence(lambda k: matcher.match(two[k], table=tables[k]), two, 3)
    print(f"  match given the table   {warm:7.2f} us/sentence")
    old = ReferenceMatcher(dictionaries)
    _per_sentence(lambda k: old.match(one[k]), one)  # its per-token memo warmed like the vocabulary
    print(f"old per-text matcher      {_per_sentence(lambda k: old.match(two[k]), two):7.2f} us/sentence")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
