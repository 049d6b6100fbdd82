"""The dictionary loop: how long `diplo run` takes again after a one-term themes edit or a few new articles.

    python benchmarks/bench_incremental.py 20000 --work /tmp/incr-bench      # 20k synthetic articles
    python benchmarks/bench_incremental.py 200000 --add 1000 --work /tmp/b   # the 200k / +1,000 case
    python benchmarks/bench_incremental.py 20000 --source DIR                # copy an existing corpus first

Each run is the `diplo run` command in a fresh process (as a researcher runs it), timed from start to exit:

1. a full run without the cache (``--no-cache``): the reference;
2. the first run with the cache (empty cache: the cache's own cost);
3. a rerun with nothing changed;
4. a rerun after one term is added to a copy of ``themes.yml`` (the edit under test);
5. a rerun after ``--add`` new article files (default 0.5% of the corpus).

``--reuse`` skips steps 1-2: it reruns on the output (and cache) an earlier run of this script left in WORK,
after a code change, and takes the full run's seconds from ``WORK/full.json`` that run wrote.  The first
rerun then rebuilds whatever the new code keys differently; steps 4-5 add a term and articles not added before.

Prints wall seconds and CPU seconds (user + system of the ``diplo run`` process from ``getrusage``, plus its
pool workers and forkserver sampled with psutil every 0.2 s) and each rerun's share of the full run.  On a machine shared with other work
the wall shares move with the load; the CPU shares do not.  The synthetic corpus (benchmarks/corpus.py,
seed 1) is written once to ``WORK/raw<n>`` and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import generate_articles, write_corpus  # noqa: E402


def _tree_cpu(proc, seen: dict) -> None:
    """Record the CPU seconds (user + system) of ``proc`` and every process below it (pool workers, the
    forkserver): the last value seen of each, as a worker's time is lost to its parent once it ends."""
    import psutil

    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return
    for p in procs:
        try:
            times = p.cpu_times()
            seen[(p.pid, p.create_time())] = times.user + times.system
        except psutil.Error:
            continue


def _diplo(*args: str) -> tuple[float, float]:
    import psutil

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONHASHSEED": "0"}
    start, seen = time.perf_counter(), {}
    child = subprocess.Popen([sys.executable, "-m", "diplo.cli", "run", *args], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc = psutil.Process(child.pid)
    while child.poll() is None:
        _tree_cpu(proc, seen)
        time.sleep(0.2)
    wall = time.perf_counter() - start
    if child.returncode:
        raise SystemExit(f"diplo run failed ({child.returncode}): diplo run {' '.join(args)}")
    own = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run itself, to its very end
    seen[(child.pid, "final")] = 0.0
    cpu = sum(v for k, v in seen.items() if k[0] != child.pid) + own.ru_utime + own.ru_stime - _diplo.used
    _diplo.used = own.ru_utime + own.ru_stime
    print(f"  ... {wall:7.1f} s wall, {cpu:7.1f} s CPU (load average {os.getloadavg()[0]:.1f})", flush=True)
    return wall, cpu


_diplo.used = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=20_000, help="articles (default 20,000)")
    parser.add_argument("--add", type=int, help="articles added for the last rerun (default n / 200)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/diplo-bench-incremental"))
    parser.add_argument("--source", type=Path, help="copy this corpus folder instead of writing a synthetic one")
    parser.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    parser.add_argument("--reuse", action="store_true",
                        help="rerun on WORK's output from an earlier run (its full run's seconds from WORK/full.json)")
    args = parser.parse_args()
    add = args.add if args.add is not None else max(1, args.n // 200)
    raw, work = args.work / f"raw{args.n}", args.work
    if not raw.is_dir():
        tmp = raw.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        if args.source:
            print(f"copying {args.source} to {raw} ...", flush=True)
            shutil.copytree(args.source, tmp)
        else:
            print(f"writing {args.n:,} synthetic articles to {raw} ...", flush=True)
            write_corpus(generate_articles(args.n, seed=1), tmp)
        tmp.rename(raw)
    shutil.rmtree(raw / "zz_added", ignore_errors=True)
    out, fresh = work / "out", work / "fresh"
    themes = work / "themes.yml"
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    common = [str(raw), "--themes", str(themes), "-q", *jobs]

    results = {}
    if args.reuse:
        if not (out / ".cache").is_dir() or not themes.is_file():
            raise SystemExit(f"--reuse: no output with a cache in {out}; run without --reuse first")
        full = json.loads((work / "full.json").read_text(encoding="utf-8"))
        results["full run, no cache (earlier run)"] = (full["wall"], full["cpu"])
        print("rerun with this code (rebuilds what it keys differently)", flush=True)
        results["rerun with this code"] = _diplo(*common, "--out", str(out))
    else:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copy(ROOT / "src" / "diplo" / "data" / "themes.yml", themes)
        print("full run, no cache", flush=True)
        results["full run, no cache"] = _diplo(*common, "--out", str(fresh), "--no-cache")
        wall, cpu = results["full run, no cache"]
        (work / "full.json").write_text(json.dumps({"n": args.n, "wall": wall, "cpu": cpu}) + "\n", encoding="utf-8")
        print("first run with the cache", flush=True)
        results["first run with the cache (empty)"] = _diplo(*common, "--out", str(out))
    print("rerun, nothing changed", flush=True)
    results["rerun, nothing changed"] = _diplo(*common, "--out", str(out))
    text = themes.read_text(encoding="utf-8")
    term = next(t for t in ("visit*", "summit*", "envoy*", "delegation*") if f"    - {t}\n" not in text)
    themes.write_text(text.replace("    - corridor*", f"    - corridor*\n    - {term}", 1), encoding="utf-8")
    print("rerun after a one-term themes edit", flush=True)
    results["rerun after a one-term themes edit"] = _diplo(*common, "--out", str(out))
    write_corpus(generate_articles(add, seed=2 + args.reuse), raw / "zz_added")  # after the others: new stems get a suffix
    print(f"rerun after adding {add:,} articles", flush=True)
    results[f"rerun after adding {add:,} articles"] = _diplo(*common, "--out", str(out))
    shutil.rmtree(raw / "zz_added")

    full_wall, full_cpu = next(iter(results.values()))
    print(f"\n{args.n:,} articles, jobs={args.jobs or 'all cores'}, load average {os.getloadavg()[0]:.1f}; "
          "seconds and share of the full run")
    print(f"  {'':<45} {'wall s':>8} {'share':>7} {'CPU s':>8} {'share':>7}")
    for name, (wall, cpu) in results.items():
        print(f"  {name:<45} {wall:8.1f} {wall / full_wall:7.1%} {cpu:8.1f} {cpu / full_cpu:7.1%}")


if __name__ == "__main__":
    main()
