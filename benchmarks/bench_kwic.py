"""`diplo kwic` on a million sentences: seconds per query, after the output's files are in the page cache.

    python benchmarks/bench_kwic.py                 # 1,000,000 sentences (written once to /tmp)
    python benchmarks/bench_kwic.py --sentences 200000

The output is laid out as `diplo run` writes it (``sentences.parquet`` in row groups of one 500-article chunk,
zstd; ``articles.parquet`` with date and outlet), from the synthetic corpus of benchmarks/corpus.py, without
running the pipeline (a million sentences is ~35,000 articles).  Prints the time of each query (best of 3,
in this process: the library call; the command adds Python's start-up) and its hit count.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "src"))

from corpus import generate_articles  # noqa: E402

from diplo.analysis.kwic import kwic  # noqa: E402

QUERIES = ["corridor*", "zangezur", "north-south corridor", "iran*", "gas swap", "the"]
OUTLETS = ["Tehran Times", "Press TV", "IRNA", "Azertac", "Trend", "Caspian News"]


def write_output(folder: Path, n_sentences: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    doc_ids, sent_ids, texts, articles = [], [], [], {"doc_id": [], "date": [], "outlet": []}
    n_articles = 0
    while len(texts) < n_sentences:
        for a in generate_articles(2000, seed=len(articles["doc_id"])):
            doc_id = f"a{n_articles:07d}"
            articles["doc_id"].append(doc_id)
            articles["date"].append(a.date)
            articles["outlet"].append(OUTLETS[n_articles % len(OUTLETS)])
            n_articles += 1
            for i, s in enumerate(a.sentences):
                doc_ids.append(doc_id)
                sent_ids.append(i)
                texts.append(s)
    table = pa.table({"doc_id": doc_ids[:n_sentences], "sent_id": pa.array(sent_ids[:n_sentences], pa.int64()),
                      "text": texts[:n_sentences]})
    pq.write_table(table, folder / "sentences.parquet", compression="zstd", row_group_size=15_000)
    pq.write_table(pa.table(articles), folder / "articles.parquet", compression="zstd")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/diplo-bench-kwic"))
    args = parser.parse_args()
    folder = args.work / f"s{args.sentences}"
    if not (folder / "sentences.parquet").is_file():
        print(f"writing {args.sentences:,} sentences to {folder} ...", flush=True)
        write_output(folder, args.sentences)
    print(f"{pq.ParquetFile(folder / 'sentences.parquet').metadata.num_rows:,} sentences in {folder}")
    for query in QUERIES:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            result = kwic(folder, query)
            times.append(time.perf_counter() - start)
        print(f"  {query!r:<24} {min(times):6.3f} s  {result.n_hits:>9,} hits in {result.n_sentences:,} sentences")


if __name__ == "__main__":
    main()
