"""Ingestion throughput: load (streamed CSV) -> clean -> metadata -> segment -> near-duplicate index.

Builds a synthetic CSV export from the sample articles' paragraphs (N articles of 6 paragraphs), then
times the ingestion stages without scoring.  Usage::

    .venv/bin/python benchmarks/bench_ingest.py [N]      # default 20000
"""

from __future__ import annotations

import csv
import itertools
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from diplo.text.corpus import build_corpus
from diplo.text.dedupe import NearDuplicateIndex
from diplo.io.raw import load_documents

ROOT = Path(__file__).resolve().parents[1]


def main(n: int) -> None:
    paras = [p for f in sorted((ROOT / "data" / "raw").glob("*.txt"))
             for p in f.read_text(encoding="utf-8").split("\n\n") if len(p) > 80]
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        with open(raw / "export.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["title", "body", "pubdate", "source"])
            for i in range(n):
                writer.writerow([f"Story {i}", "\n\n".join(rng.sample(paras, 6)), f"2023-{1 + i % 12:02d}-01", "PressTV"])
        size = (raw / "export.csv").stat().st_size
        build_corpus([])  # warm up: Punkt parameters, spellings, outlets
        start = time.perf_counter()
        index, docs = NearDuplicateIndex(), load_documents(raw, [], [])
        n_docs = n_sents = n_dups = 0
        while chunk := list(itertools.islice(docs, 500)):
            tables = build_corpus(chunk)
            dups = index.add(tables["articles"]["doc_id"], tables["articles"]["text"])
            n_docs, n_sents = n_docs + len(chunk), n_sents + len(tables["sentences"])
            n_dups += sum(d is not None for d in dups)
        seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n_docs} articles ({size / 1e6:.0f} MB CSV), {n_sents} sentences, {n_dups} near-duplicates: "
          f"{seconds:.1f} s, {n_docs / seconds:,.0f} articles/s on one core, max RSS {rss:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
