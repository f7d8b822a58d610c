"""Seconds per report for a large cohort, against naive papermill, in one run.

    python benchmarks/batch_speed.py [--trainees 1000] [--naive 5] [--jobs 2] [--kill-trainees 100]

1. Writes a synthetic cohort (``synth.write_cohort``).
2. ``analysis report --changed-only`` on the whole cohort (``batch.run``):
   wall time per report, amortized over everything (read, validate,
   analyse, slices, rendering); peak memory of the whole process tree
   (parent, workers, kernels), sampled every 0.2 s. Target (issue 15):
   <= 0.3 s per report on this 2-core machine.
3. Naive references, on the same prepared tables: papermill's default
   engine, a fresh kernel per notebook, sequentially, on a sample of
   trainees, the notebook reading (a) the batch's prepared tables, (b) the
   dataset itself, as it does by hand. Printed: the ratio to the batch's
   amortized time (target: >= 12x for (a)).
4. One report's fixed cost, from a fresh process rendering one trainee
   from the prepared tables: in a worker warmed up beforehand (what a run
   does while it reads the data), in a worker started for it, and in a
   worker process and its kernel process (what every run did before issue
   15).
5. The same run again with nothing changed, then with one trainee's log
   changed (``benchmarks/incremental_speed.py`` times these as the real
   command at 1,000 and 10,000 trainees).
6. kill -9 of a run (its whole process group) half-way through a smaller
   cohort, then ``--changed-only``: how many reports the rerun made, and
   whether every report on disk is whole.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import polars as pl
import psutil

from analysis import synth
from analysis.report import REPORT_NOTEBOOK, batch, render


class PeakRSS:
    """Peak summed RSS of this process and all its descendants."""

    def __init__(self, interval: float = 0.2):
        self.peak, self.interval, self._stop = 0, interval, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def naive(prepared: Path, trainee_ids: list[str], window_weeks: int = 8) -> float:
    """Seconds per report: papermill's own engine, a new kernel for each.
    ``prepared`` is the batch's prepared folder (the notebook loads its
    trainee's tables) or the dataset folder (the notebook reads the dataset
    and analyses its trainee, as it does when opened by hand)."""
    import papermill

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for tid in trainee_ids:
            executed = Path(tmp) / f"{tid}.ipynb"
            papermill.execute_notebook(str(REPORT_NOTEBOOK), str(executed), kernel_name="python3",
                                       parameters={"trainee_id": tid, "data_dir": str(prepared), "as_of": "",
                                                   "window_weeks": window_weeks},
                                       progress_bar=False, cwd=str(REPORT_NOTEBOOK.parent))
            render.export_html(executed, f"Progress report {tid}", "")
    return (time.perf_counter() - start) / len(trainee_ids)


ONE_REPORT = """
import multiprocessing, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from analysis.report import executors, render
prepared, trainee, where = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
start = time.perf_counter()
if where == "kernel process":  # before issue 15: a worker process and its kernel process
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        error = pool.submit(render.render, trainee, prepared, 8).result().error
else:
    with executors.LocalWorkers() as local:
        if where == "warm worker":  # as in a run: warmed up while the data is read
            local.warming.result()
            start = time.perf_counter()
        error = next(iter(local.render([trainee], prepared, 8, 1))).error
assert error is None, error
print(f"{time.perf_counter() - start:.2f}")
"""
WHERE = ("warm worker", "cold worker", "kernel process")


def one_report(prepared: Path, trainee_id: str) -> str:
    """One report's wall time from a fresh process: in a worker already
    warmed up (what a run's reports wait for, the warm-up overlapping the
    data reading), in a worker started for it (both in-process kernels), in
    a worker process and its kernel process (every run before issue 15)."""
    seconds = {}
    for where in WHERE:
        done = subprocess.run([sys.executable, "-c", ONE_REPORT, str(prepared), trainee_id, where],
                              capture_output=True, text=True, check=True)
        seconds[where] = float(done.stdout.split()[-1])
    warm, cold, before = (seconds[w] for w in WHERE)
    return (f"one report: in the warm worker {warm:.2f} s; in a worker started for it {cold:.2f} s; in a worker "
            f"process and its kernel process (before) {before:.2f} s ({before - warm:.1f} s of fixed cost saved)")


def timed_run(data: Path, out: Path, jobs: int) -> tuple[batch.BatchResult, float]:
    start = time.perf_counter()
    result = batch.run(data, out, jobs=jobs, changed_only=True, log=lambda *_: None, progress_bar=False)
    return result, time.perf_counter() - start


def change_one(data: Path, trainee_id: str) -> None:
    sets = pl.read_csv(data / "sets.csv", infer_schema=False)
    last = sets.filter(pl.col("trainee_id") == trainee_id).sort("date").tail(1)
    day = dt.date.fromisoformat(last["date"][0]) + dt.timedelta(days=1)
    pl.concat([sets, last.with_columns(pl.lit(day.isoformat()).alias("date"))]).write_csv(data / "sets.csv")


def kill_and_rerun(root: Path, n_trainees: int, jobs: int) -> str:
    data, out = root / "kill-data", root / "kill-out"
    synth.write_cohort(data, n_trainees=n_trainees, seed=12)
    command = [sys.executable, "-m", "analysis.cli", "report", "--data", str(data), "--out", str(out),
               "--jobs", str(jobs), "--no-progress"]
    run = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while len(list(out.glob("T*/report.html"))) < n_trainees // 2:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    before = sorted(out.glob("T*/report.html"))
    whole = sum(p.read_text().rstrip().endswith("</html>") for p in before)
    leftovers = len(list(out.glob("**/.*.tmp")))
    start = time.perf_counter()
    result = batch.run(data, out, jobs=jobs, changed_only=True, log=lambda *_: None, progress_bar=False)
    seconds = time.perf_counter() - start
    after = sorted(out.glob("T*/report.html"))
    return (f"killed at {len(before)}/{n_trainees} reports: {whole} whole, {len(before) - whole} torn, "
            f"{leftovers} temp files left; rerun --changed-only rendered {len(result.reports)} "
            f"({result.unchanged} kept), failed {len(result.failures)}, {seconds:.1f} s; "
            f"{len(after)} reports on disk, temp files after: {len(list(out.glob('**/.*.tmp')))}")


def target(met: bool, what: str) -> str:
    return f" (target {what}: {'MET' if met else 'MISSED'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--naive", type=int, default=5, help="trainees in the naive sample")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kill-trainees", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data, out = root / "data", root / "reports"
        synth.write_cohort(data, n_trainees=args.trainees, seed=11)
        sets = pl.scan_csv(data / "sets.csv").select(pl.len()).collect().item()
        print(f"cohort: {args.trainees} trainees, {sets:,} sets")

        with PeakRSS() as memory:
            result, seconds = timed_run(data, out, args.jobs)
        per_report = seconds / len(result.reports)
        print(f"batch (--jobs {args.jobs}): {len(result.reports)} reports in {seconds:.1f} s = "
              f"{per_report:.3f} s per report amortized{target(per_report <= 0.3, '<= 0.3 s')}; "
              f"failed {len(result.failures)}; peak memory (all processes) {memory.peak / 2**20:,.0f} MB")

        sample = sorted(result.reports)[: args.naive]
        slow = naive(out / batch.PREPARED, sample)
        print(f"naive papermill (fresh kernel each, sequential, {len(sample)} reports, prepared tables): "
              f"{slow:.2f} s per report -> batch is {slow / per_report:.1f}x faster"
              f"{target(slow / per_report >= 12, '>= 12x')}")
        print(one_report(out / batch.PREPARED, sample[0]))
        slower = naive(data, sample[:2])
        print(f"naive papermill (fresh kernel each, sequential, 2 reports, notebook reads the dataset): "
              f"{slower:.2f} s per report -> batch is {slower / per_report:.1f}x faster")

        _, unchanged = timed_run(data, out, args.jobs)
        print(f"rerun, nothing changed: {unchanged:.2f} s")
        change_one(data, sample[0])
        one, seconds = timed_run(data, out, args.jobs)
        print(f"rerun, one trainee's log changed: {len(one.reports)} report(s) rendered, "
              f"{one.unchanged} kept, {seconds:.1f} s")
        sizes = [p.stat().st_size for p in out.glob("T*/report.html")]
        print(f"report size: median {sorted(sizes)[len(sizes) // 2] / 1024:.0f} KB, max {max(sizes) / 1024:.0f} KB")

        if args.kill_trainees:
            print(kill_and_rerun(root, args.kill_trainees, args.jobs))


if __name__ == "__main__":
    main()
