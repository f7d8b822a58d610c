"""Scheduled reruns at 1,000 and 10,000 trainees, each timed as the real command.

    python benchmarks/incremental_speed.py [--sizes 1000 10000] [--csv 1000] [--weeks 52] [--jobs 2]

For each size:

1. A synthetic cohort with a year of logs each (``synth.generate`` in groups
   of 200 trainees, ids ``T00001``...), validated as an import validates and
   written partitioned by trainee (:mod:`analysis.io.partitioned`); for the
   sizes in ``--csv`` also as one ``sets.csv`` (the CSV layout).
2. A first full run, ``batch.run(changed_only=True)`` in a child process,
   that renders only the measured trainee's report: the others get a
   placeholder page (issue 15 allows a first run to skip them; the analysis,
   summaries, slices, index and cohort overview are the real ones). Printed:
   its wall time and the child's peak RSS (``VmHWM``), the parent-memory
   figure at this many sets.
3. ``analysis report --changed-only`` with nothing changed: wall time of the
   command (targets: <= 1 s at 1,000, <= 3 s at 10,000).
4. ``analysis import`` of one more session for the measured trainee (its
   time printed too), then ``analysis report --changed-only``: wall time
   (targets: partitioned <= 5 s at 1,000 and <= 10 s at 10,000, CSV <= 8 s
   at 1,000) and the number of reports it rendered (must be 1).

The machine is shared: the 1-minute load average is printed beside each
timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from analysis import synth
from analysis.io import native, partitioned

GROUP = 200  # trainees generated at once
TARGETS = {("partitioned", 1000): (1.0, 5.0), ("partitioned", 10000): (3.0, 10.0), ("csv", 1000): (1.0, 8.0)}
"""(layout, trainees) -> (unchanged rerun, one trainee changed) targets in seconds."""

CHILD = """
import json, sys, time
from analysis.report import batch, executors, render

data, out, measured, jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
real = executors.LocalWorkers.render

def measured_only(self, trainee_ids, prepared, window_weeks, workers):
    yield from real(self, [t for t in trainee_ids if t == measured], prepared, window_weeks, 1)
    for t in trainee_ids:
        if t != measured:
            yield render.Rendered(t, html="<p>placeholder: not rendered by the benchmark</p></html>")

executors.LocalWorkers.render = measured_only
start = time.perf_counter()
result = batch.run(data, out, changed_only=True, jobs=jobs, log=lambda *_: None, progress_bar=False)
seconds = time.perf_counter() - start
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "reports": len(result.reports), "failures": len(result.failures),
                  "peak_mb": hwm / 1024}))
"""


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def write_cohort(root: Path, n: int, weeks: int, csv: bool) -> tuple[Path, Path | None, int]:
    """The cohort partitioned (and as CSV when asked); its folders and number of sets."""
    part, flat = root / f"part-{n}", (root / f"csv-{n}" if csv else None)
    people, total = [], 0
    with partitioned.writer(part, create=True) as snapshot, tempfile.TemporaryDirectory() as tmp:
        for first in range(0, n, GROUP):
            size = min(GROUP, n - first)
            tables, _ = synth.generate(size, seed=1000 + first // GROUP, weeks=weeks)
            rename = {f"T{i + 1:03d}": f"T{first + i + 1:05d}" for i in range(size)}
            tables = {k: t.with_columns(pl.col("trainee_id").replace(rename)) for k, t in tables.items()}
            people.append(tables["trainees"])
            frames = {}
            for name in ("sets", "body"):
                path = Path(tmp) / f"{name}.csv"
                tables[name].write_csv(path)
                frames[name] = native.read_valid_table(path, native.TABLES[name])
                if flat is not None:
                    flat.mkdir(exist_ok=True)
                    with open(flat / f"{name}.csv", "ab") as handle:  # as analysis import writes it
                        frames[name].write_csv(handle, include_header=first == 0)
            total += frames["sets"].height
            snapshot = partitioned.commit(snapshot, {name: partitioned.by_trainee(frame)
                                                     for name, frame in frames.items()})
    roster = pl.concat(people)
    roster.write_csv(part / "trainees.csv")
    if flat is not None:
        roster.write_csv(flat / "trainees.csv")
    return part, flat, total


def command(*args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "analysis.cli", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"analysis {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout


def one_more_session(data: Path, trainee_id: str, root: Path) -> float:
    """``analysis import`` of one set a day after the trainee's last; its wall time."""
    last = native.read_dataset(data, [trainee_id]).sets.sort("date").tail(1)
    day = last["date"][0] + dt.timedelta(days=1)
    export = root / f"{trainee_id}-{day}.csv"
    last.select(pl.lit(day.isoformat()).alias("date"), "exercise", "weight_kg", "reps").write_csv(export)
    seconds, _ = command("import", str(export), "--trainee", trainee_id, "--out", str(data))
    return seconds


def measure(layout: str, data: Path, n: int, sets: int, root: Path, jobs: int) -> None:
    out = root / f"reports-{layout}-{n}"
    measured = f"T{n // 2:05d}"
    first = subprocess.run([sys.executable, "-c", CHILD, str(data), str(out), measured, str(jobs)],
                           capture_output=True, text=True, check=True)
    stats = json.loads(first.stdout.strip().splitlines()[-1])
    print(f"  first full run ({layout}, {n:,} trainees, {sets:,} sets; only {measured} rendered): "
          f"{stats['seconds']:.0f} s, peak memory of the run's process {stats['peak_mb']:,.0f} MB; "
          f"{stats['failures']} failed ({load()})")
    unchanged_target, changed_target = TARGETS.get((layout, n), (None, None))
    report = ["report", "--data", str(data), "--out", str(out), "--changed-only", "--no-progress",
              "--jobs", str(jobs)]
    seconds, _ = command(*report)
    print(f"  rerun, nothing changed: {seconds:.2f} s{verdict(seconds, unchanged_target)} ({load()})")
    imported = one_more_session(data, measured, root)
    seconds, printed = command(*report)
    written = re.search(r"^(\d+) reports written", printed, re.M)
    rendered = int(written.group(1)) if written else -1
    print(f"  analysis import of one session: {imported:.2f} s; rerun, one trainee's log changed: "
          f"{seconds:.2f} s{verdict(seconds, changed_target)}, {rendered} report(s) rendered ({load()})")
    for line in printed.splitlines():
        print(f"    | {line}")


def verdict(seconds: float, target: float | None) -> str:
    return "" if target is None else f" (target <= {target:g} s: {'MET' if seconds <= target else 'MISSED'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--csv", type=int, nargs="*", default=[1000], help="sizes also measured as one sets.csv")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the cohorts and reports in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="incremental-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        for n in args.sizes:
            start = time.perf_counter()
            part, flat, sets = write_cohort(root, n, args.weeks, n in args.csv)
            print(f"{n:,} trainees, {args.weeks} weeks each: {sets:,} sets "
                  f"(generated in {time.perf_counter() - start:.0f} s)")
            measure("partitioned", part, n, sets, root, args.jobs)
            if flat is not None:
                measure("csv", flat, n, sets, root, args.jobs)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
