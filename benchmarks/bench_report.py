"""Benchmark `diplo report`: seconds, peak memory and report sizes at realistic corpus sizes (prints numbers).

Three cases, each a `diplo report` in a subprocess (so the numbers are what a user sees):

- ``real``: the first N files (default 600) of the real Tehran Times crawl in
  ``/work/shared/corpora/tehrantimes-mixed`` (``--real-corpus``), processing included. The files are read from
  there (a folder of symbolic links in the work folder; nothing is copied).
- ``synthetic``: N synthetic articles (default 20,000) from ``benchmarks/corpus.py``, processing included.
- ``large``: the notebooks alone on N synthetic articles (default 200,000): the corpus is processed first
  (``ensure_processed``, the pipeline `diplo run` runs, on all cores; not timed here), then `diplo report`
  finds it up to date and only checks it.

Per case: wall seconds (total, processing, each notebook from ``run.json``), CPU seconds (user + system of the
whole process tree: the number to compare on a loaded machine), peak memory (RSS summed over the whole process
tree, kernels included, sampled every 0.2 s, with the processes that made the peak), the largest HTML report and the largest figure
(pixels). A case that runs past ``--timeout`` is stopped and reported with the notebook it was in.

Targets (issue #14, 2 cores): real 600 <= 60 s; synthetic 20,000 <= 180 s at <= 2 GB; notebooks after a
200,000-article run <= 180 s; every HTML <= 2 MB.

    python benchmarks/bench_report.py                                 # all three cases at the issue's sizes
    python benchmarks/bench_report.py --cases real,synthetic --synthetic 5000 --timeout 900
    python benchmarks/bench_report.py --cases large --large 50000

Generated corpora and processed folders are kept in ``--workdir`` (default /tmp/diplo-bench-report) and reused
by later runs; reports are rewritten each time.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
TARGETS = {"real": (60, None), "synthetic": (180, 2000), "large": (180, None)}
HTML_LIMIT_MB = 2.0


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("MPLCONFIGDIR", f"/tmp/mpl-{os.getuid()}")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    return env


def _role(p: psutil.Process, kernels: int) -> str:
    """What a process of the report's tree is, for the memory breakdown: the n-th notebook kernel (in the
    order the notebooks run), a processing worker, the report itself."""
    try:
        cmd = p.cmdline()
    except psutil.Error:
        return "?"
    text = " ".join(cmd)
    if "ipykernel" in text:
        return f"kernel {kernels + 1}"
    if "forkserver" in text or "multiprocessing" in text:
        return "pool worker"
    if "diplo.cli" in text:
        return "diplo report"
    return os.path.basename(cmd[0]) if cmd else "?"


class _PeakMemory:
    """Peak of the RSS summed over a process and all its descendants (kernels, pool workers), with what made it:
    the processes (role, MB) at the moment of the peak and the largest RSS of each role; and the CPU seconds
    (user + system) of every process of the tree, as last seen."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.peak, self.at_peak, self.by_role = 0, [], {}
        self._proc, self._interval, self._stop = psutil.Process(pid), interval, threading.Event()
        self._roles: dict[int, str] = {}
        self._cpu: dict[int, float] = {}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    def _run(self) -> None:
        while not self._stop.is_set():
            total, parts = 0, []
            try:
                for p in [self._proc, *self._proc.children(recursive=True)]:
                    try:
                        rss = p.memory_info().rss
                        cpu = p.cpu_times()
                    except psutil.Error:
                        continue
                    if p.pid not in self._roles:
                        self._roles[p.pid] = _role(p, sum(r.startswith("kernel") for r in self._roles.values()))
                    role = self._roles[p.pid]
                    self._cpu[p.pid] = cpu.user + cpu.system
                    total += rss
                    parts.append((role, round(rss / 1e6)))
                    self.by_role[role] = max(self.by_role.get(role, 0), round(rss / 1e6))
            except psutil.Error:
                break
            if total > self.peak:
                self.peak, self.at_peak = total, sorted(parts, key=lambda r: -r[1])
            self._stop.wait(self._interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _kill_tree(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the report runs in its own process group: kernels go with it
    except ProcessLookupError:
        pass


def _largest_png(folder: Path) -> str:
    from PIL import Image

    best, name = (0, 0), ""
    for png in folder.glob("figures/*/*.png"):
        with Image.open(png) as im:
            if max(im.size) > max(best):
                best, name = im.size, png.relative_to(folder).as_posix()
    return f"{best[0]}x{best[1]} px ({name})" if name else "none"


def run_report(name: str, raw: Path, out: Path, *, timeout: float, extra: list[str] = ()) -> dict:
    """One `diplo report RAW --out OUT` in its own process group; its numbers as a dict."""
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "diplo.cli", "report", str(raw), "--out", str(out), "-q", *extra]
    t0, wall0 = time.perf_counter(), time.time()
    with open(out.parent / f"{out.name}.stderr", "w") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
        mem = _PeakMemory(proc.pid)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            code = proc.wait()
            code = "timeout"
    seconds = time.perf_counter() - t0
    peak = mem.stop()
    result = {"case": name, "seconds": round(seconds, 1), "cpu_s": round(mem.cpu_seconds, 1), "peak_mb": round(peak / 1e6),
              "exit": code, "at_peak_mb": mem.at_peak, "max_by_role_mb": mem.by_role}
    run_json = out / "run.json"
    if run_json.is_file():
        result["timings_s"] = json.loads(run_json.read_text())["timings_s"]
    else:  # stopped or failed: the last notebook started is the one it was in
        stamp = out / "processed" / ".diplo-stamp.json"
        if stamp.is_file():  # processing ended when its stamp was written
            result["process_s"] = round(stamp.stat().st_mtime - wall0, 1)
        started = sorted(out.glob("[0-9]*.ipynb"), key=lambda p: p.stat().st_mtime)
        result["stopped_in"] = started[-1].stem if started else "(processing)"
        tail = (out.parent / f"{out.name}.stderr").read_text(errors="replace").strip().splitlines()[-1:]
        result["error"] = tail[0][:300] if tail else ""
    htmls = sorted(out.glob("*.html"), key=lambda p: p.stat().st_size)
    if htmls:
        result["largest_html"] = f"{htmls[-1].stat().st_size / 1e6:.2f} MB ({htmls[-1].name})"
        result["html_over_2mb"] = [p.name for p in htmls if p.stat().st_size > HTML_LIMIT_MB * 1e6]
    result["largest_figure"] = _largest_png(out)
    return result


def _real_corpus(source: Path, n: int, work: Path) -> Path:
    """The first ``n`` files of ``source`` (sorted by name) in a work folder: hard links where the file system
    allows (the files are read in place), else copies (outside the repository). Raw readers do not follow
    symbolic links that lead outside the raw folder, so links must be hard ones."""
    import shutil

    folder = work / f"real-{n}"
    files = sorted(p for p in source.iterdir() if p.is_file() and p.suffix == ".txt")[:n]
    if len(files) < n:
        raise SystemExit(f"{source} has only {len(files)} .txt files; asked for {n}")
    if not folder.is_dir() or sorted(p.name for p in folder.iterdir()) != [p.name for p in files]:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for p in files:
            try:
                os.link(p, folder / p.name)
            except OSError:
                shutil.copy2(p, folder / p.name)
    return folder


def _synthetic_corpus(n: int, work: Path, *, seed: int) -> Path:
    from corpus import generate_articles, write_corpus

    folder = work / f"synthetic-{n}-seed{seed}"
    done = work / f"{folder.name}.complete"
    if not done.is_file():
        t0 = time.perf_counter()
        write_corpus(generate_articles(n, seed=seed), folder)
        done.write_text("")
        print(f"  (generated {n:,} synthetic articles in {time.perf_counter() - t0:.0f} s: {folder})", flush=True)
    return folder


def _process(raw: Path, processed: Path) -> float:
    """Process ``raw`` as `diplo report` would (ensure_processed), on all cores; seconds (0 when up to date)."""
    code = ("import sys; from diplo.run.freshness import ensure_processed; from diplo.run.workers import "
            "default_jobs; ensure_processed(sys.argv[1], sys.argv[2], jobs=default_jobs())")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(raw), str(processed)], cwd=ROOT, env=_env(), check=True)
    return time.perf_counter() - t0


def _verdict(result: dict) -> str:
    seconds_max, mb_max = TARGETS[result["case"].split()[0]]
    ok = result["exit"] == 0 and result["seconds"] <= seconds_max and (mb_max is None or result["peak_mb"] <= mb_max)
    ok = ok and not result.get("html_over_2mb")
    return "meets target" if ok else "MISSES target"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default="real,synthetic,large", help="comma-separated: real, synthetic, large")
    ap.add_argument("--real", type=int, default=600, help="real articles (first N files; default 600)")
    ap.add_argument("--real-corpus", type=Path, default=Path("/work/shared/corpora/tehrantimes-mixed"))
    ap.add_argument("--synthetic", type=int, default=20_000, help="synthetic articles, processing included")
    ap.add_argument("--large", type=int, default=200_000, help="synthetic articles for the notebooks-only case")
    ap.add_argument("--seed", type=int, default=21, help="seed of the synthetic corpora")
    ap.add_argument("--timeout", type=float, default=1800, help="stop a case after this many seconds")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/diplo-bench-report"))
    args = ap.parse_args(argv)
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for case in [c.strip() for c in args.cases.split(",") if c.strip()]:
        if case == "real":
            raw = _real_corpus(args.real_corpus, args.real, work)
            label, extra = f"real {args.real:,}", []
        elif case == "synthetic":
            raw = _synthetic_corpus(args.synthetic, work, seed=args.seed)
            label, extra = f"synthetic {args.synthetic:,}", []
        elif case == "large":
            raw = _synthetic_corpus(args.large, work, seed=args.seed)
            processed = work / f"processed-{raw.name}"
            secs = _process(raw, processed)
            print(f"  (processed {args.large:,} articles in {secs:.0f} s, not counted: {processed})", flush=True)
            label, extra = "large", ["-p", "processed_dir", str(processed)]
        else:
            raise SystemExit(f"unknown case {case!r}; cases: real, synthetic, large")
        print(f"{label}: diplo report {raw} ...", flush=True)
        result = run_report(label, raw, work / f"report-{case}", timeout=args.timeout, extra=extra)
        if case == "large":
            result["case"] = f"large (notebooks after processing {args.large:,})"
        result["verdict"] = _verdict(result)
        print(json.dumps(result, indent=2), flush=True)
        results.append(result)
    print("\ncase | exit | seconds | CPU s | peak MB | largest HTML | largest figure | verdict")
    for r in results:
        print(f"{r['case']} | {r['exit']} | {r['seconds']} | {r['cpu_s']} | {r['peak_mb']:,} | {r.get('largest_html', '-')} | "
              f"{r['largest_figure']} | {r['verdict']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
