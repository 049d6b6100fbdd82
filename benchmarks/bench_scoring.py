"""Scoring throughput and memory: diplo against the peer baselines, on one synthetic (or given) corpus.

    make bench                                             # default corpus (~1,500 articles)
    .venv/bin/python benchmarks/bench_scoring.py --articles 5000 --jobs 2
    .venv/bin/python benchmarks/bench_scoring.py --corpus data/raw --no-scaling --no-dask
    .venv/bin/python benchmarks/bench_scoring.py --profile  # where diplo's scoring time goes (cProfile)

Measured on the same sentences: (a) nltk's VADER in a pandas ``.apply`` and the ``vaderSentiment``
package in a loop (what a researcher would otherwise write, one core); (b) diplo's full sentence scoring
(``diplo.scoring.score.score_sentences``: every tone scorer, themes and actors as wired on this branch) over
chunks in a pool of ``--jobs`` processes, in a child process whose tree's peak memory is sampled;
(c) diplo's VADER alone (one core), checked equal to vaderSentiment on every sentence.  Then
``diplo run`` on 1x/2x/4x corpora (time; peak memory of the whole process tree as summed RSS and PSS)
and the dask engine with 1 and 2 workers.  The last line is machine-readable:

    sentences_per_s=... vs_vadersentiment=... vs_nltk_apply=... peak_mb=... unique_sentences=...

(ratios: diplo full-scoring throughput on all its workers / the baseline's throughput, wall clock).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import generate_articles, seed_sentences, write_corpus  # noqa: E402


# ---------------------------------------------------------------------------------------------- memory
class PeakMemory:
    """Samples the memory of a process and its descendants (psutil), in MB.

    ``peak``: the largest sum of their RSS (every 100 ms), which counts a page shared by several processes
    (the libraries a forkserver's workers share) once per process; ``peak_pss``: the largest sum of their
    proportional set sizes (every second: reading them costs the kernel a walk over each process's
    pages), which splits a shared page among its sharers, i.e. what they take from the machine together
    (Linux only, else equal to ``peak``).
    """

    PSS_EVERY = 10  # RSS samples per PSS sample

    def __init__(self, pid: int | None = None) -> None:
        self.pid = pid or os.getpid()
        self.peak = self.peak_pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, pss: bool) -> tuple[float, float]:
        import psutil

        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0, 0.0
        total_rss = total_pss = 0
        for p in procs:
            try:
                info = p.memory_full_info() if pss else p.memory_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            total_rss += info.rss
            total_pss += getattr(info, "pss", info.rss)
        return total_rss / 1e6, total_pss / 1e6

    def _run(self) -> None:
        k = 0
        while not self._stop.is_set():
            rss, pss = self._sample(pss=k % self.PSS_EVERY == 0)
            self.peak = max(self.peak, rss)
            if k % self.PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, pss)
            k += 1
            self._stop.wait(0.1)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------------------------------------- corpus
def sentences_table(articles) -> pd.DataFrame:
    rows = [(a.doc_id, i, s) for a in articles for i, s in enumerate(a.sentences)]
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "text"])


def corpus_sentences(folder: Path) -> pd.DataFrame:
    """Sentences of any corpus folder, as ``diplo run`` segments it."""
    from diplo.text.corpus import build_corpus
    from diplo.io.raw import load_documents

    return build_corpus(load_documents(folder, []))["sentences"][["doc_id", "sent_id", "text"]]


# ---------------------------------------------------------------------------------------------- baselines
def nltk_analyzer():
    """nltk's VADER with vaderSentiment's lexicon (nltk 3.10 refuses absolute lexicon paths)."""
    import nltk
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    from diplo.io.resources import vader_lexicon_path

    folder = Path(tempfile.mkdtemp(prefix="diplo-nltk-"))
    (folder / "sentiment").mkdir()
    shutil.copy(vader_lexicon_path(), folder / "sentiment" / "vader_lexicon.txt")
    nltk.data.path.insert(0, str(folder))
    return SentimentIntensityAnalyzer(lexicon_file="sentiment/vader_lexicon.txt")


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def cpu_seconds() -> float:
    """CPU time of this process and its live child processes (pool workers), user + system."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            pass
    return total


def cpu_timed(fn, *args):
    """(wall seconds, CPU seconds, result): CPU time shows the work done when the machine is shared."""
    cpu0, start = cpu_seconds(), time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, cpu_seconds() - cpu0, out


# ---------------------------------------------------------------------------------------------- diplo
def _chunks(sentences: pd.DataFrame, articles_per_chunk: int) -> list[pd.DataFrame]:
    codes = pd.factorize(sentences["doc_id"])[0] // articles_per_chunk
    return [g.reset_index(drop=True) for _, g in sentences.groupby(codes, sort=True)]


def _score_chunk(chunk: pd.DataFrame) -> dict[str, pd.DataFrame]:
    from diplo.scoring.score import score_sentences

    return score_sentences(chunk)


def _warm(chunk: pd.DataFrame) -> int:
    from diplo.scoring.score import score_sentences

    score_sentences(chunk)
    time.sleep(1.0)  # hold this worker so the next warm-up task goes to another one
    return os.getpid()


def child_score(parquet: Path, jobs: int, articles_per_chunk: int) -> dict:
    """Full scoring of the sentences in ``parquet`` with ``jobs`` warm worker processes (runs in a child)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    sentences = pd.read_parquet(parquet)
    chunks = _chunks(sentences, articles_per_chunk)
    warm = chunks[0].head(50)  # load lexicons and dictionaries before timing, the same way for 1 and N workers
    if jobs == 1:
        _score_chunk(warm)
        seconds, cpu, results = cpu_timed(lambda: [_score_chunk(c) for c in chunks])
    else:
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            # warm every worker: tasks that wait for each other so each worker gets one
            list(pool.map(_warm, [warm] * jobs))
            seconds, cpu, results = cpu_timed(lambda: list(pool.map(_score_chunk, chunks)))
    rows = {name: sum(len(r[name]) for r in results) for name in results[0]}
    return {"seconds": seconds, "cpu": cpu, "sentences": len(sentences), "rows": rows}


def diplo_full(sentences: pd.DataFrame, jobs: int, articles_per_chunk: int, work: Path,
               ) -> tuple[float, float, float, dict]:
    parquet = work / "sentences.parquet"
    sentences.to_parquet(parquet, index=False)
    cmd = [sys.executable, __file__, "--child-score", str(parquet), "--jobs", str(jobs),
           "--articles-per-chunk", str(articles_per_chunk)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    with PeakMemory(proc.pid) as mem:
        out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"child scoring failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    return result["seconds"], result["cpu"], mem.peak, result["rows"]


def diplo_run(folder: Path, out: Path, jobs: int, engine: str = "pandas") -> tuple[float, float, float]:
    """Wall-clock seconds, peak summed RSS and peak summed PSS (MB) of ``diplo run`` on ``folder``."""
    cmd = [str(Path(sys.executable).with_name("diplo")), "run", str(folder), "--out", str(out), "--jobs", str(jobs),
           "--engine", engine, "-q"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with PeakMemory(proc.pid) as mem:
        _, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"diplo run failed ({proc.returncode}): {err[-2000:]}")
    return seconds, mem.peak, mem.peak_pss


def profile_full(sentences: pd.DataFrame) -> None:
    import cProfile
    import pstats

    from diplo.scoring.score import score_sentences

    score_sentences(sentences.head(50))
    prof = cProfile.Profile()
    prof.enable()
    score_sentences(sentences)
    prof.disable()
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(25)


# ---------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1500, help="synthetic articles at 1x (default 1500)")
    parser.add_argument("--corpus", type=Path, help="benchmark this corpus folder instead of a synthetic one")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes for diplo (default: all cores)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--articles-per-chunk", type=int, default=100)
    parser.add_argument("--no-scaling", action="store_true", help="skip the diplo run 1x/2x/4x table")
    parser.add_argument("--no-dask", action="store_true", help="skip the dask engine 1 vs 2 workers")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of full scoring and stop")
    parser.add_argument("--child-score", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from diplo.run.workers import default_jobs

    jobs = args.jobs or default_jobs()
    if args.child_score:
        print(json.dumps(child_score(args.child_score, jobs, args.articles_per_chunk)))
        return 0

    seeds = seed_sentences()
    if args.corpus:
        sentences = corpus_sentences(args.corpus)
        label = str(args.corpus)
    else:
        sentences = sentences_table(generate_articles(args.articles, seed=args.seed, sentences=seeds))
        label = f"synthetic, {args.articles} articles, seed {args.seed}"
    texts = sentences["text"].tolist()
    n = len(texts)
    unique = len(set(texts)) / n
    print(f"corpus: {label}: {sentences['doc_id'].nunique()} articles, {n} sentences, "
          f"{unique:.4f} distinct, {sum(map(len, texts)) / n:.0f} chars/sentence")
    if args.profile:
        profile_full(sentences)
        return 0

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from diplo.scoring.vader import score_vader

    analyzer = SentimentIntensityAnalyzer()
    t_vs, c_vs, ref = cpu_timed(lambda: [analyzer.polarity_scores(t) for t in texts])
    nltk_sia = nltk_analyzer()
    frame = pd.DataFrame({"text": texts})
    t_nltk, c_nltk, _ = cpu_timed(lambda: frame["text"].apply(lambda t: nltk_sia.polarity_scores(t)["compound"]))
    score_vader(texts[:10])  # lexicon load outside the timing
    t_vader, c_vader, (ours, _) = cpu_timed(score_vader, texts)
    score_vader(texts[:10])  # so that the next call cannot reuse the whitespace split of the same chunk
    t_vader_ev, c_vader_ev, _ = cpu_timed(lambda: score_vader(texts, evidence=True))
    ref = pd.DataFrame(ref, columns=["compound", "pos", "neg", "neu"])
    mismatches = int((~(ours == ref).all(axis=1)).sum())

    work = Path(tempfile.mkdtemp(prefix="diplo-bench-"))
    try:
        t_full1, c_full1, peak1, _ = diplo_full(sentences, 1, args.articles_per_chunk, work)
        t_full, c_full, peak, rows = diplo_full(sentences, jobs, args.articles_per_chunk, work)
        rate = n / t_full
        print()
        print("wall clock (what the ratios use) and CPU seconds (the work itself; on a shared machine wall clock")
        print("also counts time spent waiting for a core):")
        print(f"{'method':<46} {'seconds':>8} {'sentences/s':>12} {'diplo full x':>12} {'CPU s':>7} "
              f"{'sent/CPU-s':>10}")
        for name, secs, cpu in [("nltk VADER, pandas .apply (1 core)", t_nltk, c_nltk),
                                ("vaderSentiment 3.3.2 loop (1 core)", t_vs, c_vs),
                                ("diplo VADER score_vader (1 core)", t_vader, c_vader),
                                ("diplo VADER score_vader + evidence (1 core)", t_vader_ev, c_vader_ev),
                                ("diplo full score_sentences (1 core)", t_full1, c_full1),
                                (f"diplo full score_sentences ({jobs} workers)", t_full, c_full)]:
            print(f"{name:<46} {secs:>8.2f} {n / secs:>12,.0f} {rate / (n / secs):>12.2f} {cpu:>7.2f} "
                  f"{n / cpu:>10,.0f}")
        print(f"by CPU time: diplo full / vaderSentiment = {c_vs / c_full1:.2f} per core "
              f"(x{jobs} cores = {jobs * c_vs / c_full1:.2f}), diplo full / nltk .apply = {c_nltk / c_full1:.2f} "
              f"per core (x{jobs} = {jobs * c_nltk / c_full1:.2f})")
        print(f"diplo VADER vs vaderSentiment: {mismatches} mismatching sentences of {n} "
              f"(compound, pos, neg, neu compared exactly); diplo VADER is {t_vs / t_vader:.1f}x faster")
        print(f"full scoring output rows: {rows}")
        print(f"peak memory (process tree) of full scoring: 1 core {peak1:.0f} MB, {jobs} workers {peak:.0f} MB")

        if not args.corpus and not args.no_scaling:
            print()
            print(f"diplo run --jobs {jobs} (streamed to parquet), corpus scaled:")
            print(f"{'size':<5} {'articles':>9} {'sentences':>10} {'seconds':>8} {'articles/s':>11} {'peak MB':>8} "
                  f"{'PSS MB':>7}")
            runs = []
            for k, factor in enumerate((1, 2, 4)):
                arts = generate_articles(args.articles * factor, seed=args.seed + 100 + k, sentences=seeds)
                folder = write_corpus(arts, work / f"raw{factor}")
                secs, mb, pss = diplo_run(folder, work / f"out{factor}", jobs)
                n_sent = sum(len(a.sentences) for a in arts)
                runs.append((len(arts), secs, mb))
                print(f"{factor}x    {len(arts):>9} {n_sent:>10} {secs:>8.1f} {len(arts) / secs:>11.0f} {mb:>8.0f} "
                      f"{pss:>7.0f}")
                shutil.rmtree(work / f"out{factor}", ignore_errors=True)
                if factor > 1:
                    shutil.rmtree(folder, ignore_errors=True)
            # marginal cost per article between the 1x and 4x runs (start-up cancels out), extrapolated
            (a1, s1, _), (a4, s4, mb4) = runs[0], runs[-1]
            per_article = (s4 - s1) / (a4 - a1)
            print(f"marginal cost {per_article * 1e3:.2f} ms/article ({1 / per_article:,.0f} articles/s) -> "
                  f"1,000,000 articles in about {(s1 + per_article * (1_000_000 - a1)) / 60:.0f} min on {jobs} "
                  f"worker(s); peak memory at 4x {mb4:.0f} MB (flat if memory is bounded)")
        if not args.corpus and not args.no_dask:
            folder = work / "raw1"
            if not folder.exists():
                write_corpus(generate_articles(args.articles, seed=args.seed + 100, sentences=seeds), folder)
            print()
            print("diplo run --engine dask (LocalCluster, includes cluster start-up):")
            for workers in (1, 2):
                secs, mb, pss = diplo_run(folder, work / f"dask{workers}", workers, engine="dask")
                print(f"  {workers} worker(s): {secs:6.1f} s, peak {mb:.0f} MB (PSS {pss:.0f} MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"sentences_per_s={rate:.0f} vs_vadersentiment={t_vs / t_full:.2f} vs_nltk_apply={t_nltk / t_full:.2f} "
          f"peak_mb={peak:.0f} unique_sentences={unique:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
