"""`diplo kwic` on a million sentences: seconds per query from the token index (and the scan it replaces).

    python benchmarks/bench_kwic.py                 # 1,000,000 sentences (written once to /tmp)
    python benchmarks/bench_kwic.py --sentences 200000 --repeat 5
    python benchmarks/bench_kwic.py --build-index DIR   # only build DIR's token index; prints time and peak memory
    python benchmarks/bench_kwic.py --run-cost RAW      # what the index costs in `diplo run RAW` (jobs=1)

The output is laid out as `diplo run` writes it (``sentences.parquet`` in row groups of 15,000 sentences, about
one 500-article chunk, zstd; ``articles.parquet`` with date and outlet; the token index built by
:class:`diplo.scoring.token_index.TokenIndexWriter` fed one row group at a time, as the pipeline feeds it a
chunk at a time), from the synthetic corpus of benchmarks/corpus.py, without running the pipeline (a million
sentences is ~35,000 articles).  The index is built in a child process, so its peak memory is measured alone.
Prints, per query, the median wall and CPU seconds of ``--repeat`` calls in this process (the library call;
the command adds Python's start-up), and the hit count; then the scan of outputs without the index, once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
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
from diplo.scoring.token_index import TokenIndexWriter  # noqa: E402

QUERIES = ["zzyzx", "baku-minsk", "mahmudov", "corridor*", "north-south corridor", "iran*", "the",
           "corridor* NEAR/5 iran"]
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


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def build_index(folder: Path) -> dict:
    """Build ``folder``'s token index as the pipeline does, a chunk at a time; seconds and peak memory."""
    sentences = pq.ParquetFile(folder / "sentences.parquet")
    before = _peak_rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    writer = TokenIndexWriter(folder)
    read = 0.0
    for i in range(sentences.num_row_groups):
        t = time.perf_counter()
        texts = sentences.read_row_group(i, columns=["text"]).column("text").to_pylist()
        read += time.perf_counter() - t
        writer.add(texts)
    writer.close()
    sizes = {p.name: p.stat().st_size for p in folder.glob("token_*.parquet")}
    return {"wall_s": round(time.perf_counter() - wall - read, 2), "cpu_s": round(time.process_time() - cpu, 2),
            "peak_rss_mb": _peak_rss_mb(), "rss_before_mb": before, "bytes": sizes,
            "sentences_bytes": (folder / "sentences.parquet").stat().st_size}


def run_cost(raw: Path, out: Path) -> dict:
    """`diplo run` on ``raw`` in this process (jobs=1), with the token index's own calls timed: its share of
    the run's wall and CPU seconds, and its size beside the other outputs."""
    from diplo.run.pipeline import run_pipeline
    from diplo.scoring import token_index

    spent = {"wall": 0.0, "cpu": 0.0}

    def timed(method):
        def call(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                spent["wall"] += time.perf_counter() - wall
                spent["cpu"] += time.process_time() - cpu
        return call

    token_index.TokenIndexWriter.add = timed(token_index.TokenIndexWriter.add)
    token_index.TokenIndexWriter.close = timed(token_index.TokenIndexWriter.close)
    wall, cpu = time.perf_counter(), time.process_time()
    summary = run_pipeline(raw, out, jobs=1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sizes = {p.name: p.stat().st_size for p in out.glob("*.parquet")}
    index_bytes = sum(v for k, v in sizes.items() if k.startswith("token_"))
    return {"articles": summary.n_articles, "sentences": summary.n_sentences, "run_wall_s": round(wall, 1),
            "run_cpu_s": round(cpu, 1), "index_wall_s": round(spent["wall"], 1), "index_cpu_s": round(spent["cpu"], 1),
            "index_cpu_pct": round(100 * spent["cpu"] / cpu, 1), "index_wall_pct": round(100 * spent["wall"] / wall, 1),
            "index_bytes": index_bytes, "all_parquet_bytes": sum(sizes.values()), "peak_rss_mb": _peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/diplo-bench-kwic"))
    parser.add_argument("--build-index", type=Path, metavar="DIR")
    parser.add_argument("--run-cost", type=Path, metavar="RAW")
    args = parser.parse_args()
    if args.run_cost:
        print(json.dumps(run_cost(args.run_cost, args.work / f"run-{args.run_cost.name}")))
        return
    if args.build_index:
        print(json.dumps(build_index(args.build_index)))
        return
    folder = args.work / f"s{args.sentences}"
    if not (folder / "sentences.parquet").is_file():
        print(f"writing {args.sentences:,} sentences to {folder} ...", flush=True)
        write_output(folder, args.sentences)
    if not (folder / "token_postings.parquet").is_file():
        done = subprocess.run([sys.executable, __file__, "--build-index", str(folder)], check=True,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        print("token index built:", done.stdout.strip())
    print(f"{pq.ParquetFile(folder / 'sentences.parquet').metadata.num_rows:,} sentences in {folder}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"  {'query':<26} {'wall s':>7} {'cpu s':>7}  hits")
    for query in QUERIES:
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            result = kwic(folder, query)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(f"  {query!r:<26} {statistics.median(walls):7.3f} {statistics.median(cpus):7.3f}  "
              f"{result.n_hits:,} hits in {result.n_sentences:,} sentences")
    plain = args.work / f"s{args.sentences}-no-index"  # the same outputs as an older diplo left them
    plain.mkdir(exist_ok=True)
    for name in ("sentences.parquet", "articles.parquet"):
        if not (plain / name).exists():
            (plain / name).symlink_to(folder / name)
    print("  without the index (scan), once:")
    for query in ("zzyzx", "corridor*"):
        wall, cpu = time.perf_counter(), time.process_time()
        result = kwic(plain, query)
        print(f"  {query!r:<26} {time.perf_counter() - wall:7.3f} {time.process_time() - cpu:7.3f}  "
              f"{result.n_hits:,} hits")


if __name__ == "__main__":
    main()
