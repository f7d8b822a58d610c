"""Speed and memory of the strength-trend detector and of progress.analyse, at 1M and 10M sets.

    python benchmarks/trend_speed.py [--sizes 1M 10M] [--base-trainees 200] [--weeks 156]
                                     [--reference-trainees 50] [--body] [--profile]

Inputs: one synthetic base cohort, ``synth.generate(base_trainees, seed,
weeks=156)`` (3-year logs, ~7,600 sets per trainee), replicated with new
trainee ids (``T001~r07``) and multiplicative noise on ``weight_kg`` (a
scale per replicated trainee, lognormal noise per set) so every replicated
series differs; whole trainees are kept up to the target number of sets
(10M sets = ~1,300 trainees of 3 years each). ``trainees`` (and, with
``--body``, the body measurements) are replicated with the same ids. Each
input is written to parquet; every measurement runs in a fresh process (this
script with ``--worker``) that reads it, and the inputs are built in a
worker too, so this parent only imports and waits.

Peak memory is the worker's ``VmHWM`` (its own RSS high-water mark), with
``ru_maxrss`` beside it: Linux carries a parent's high-water mark into a
fork+exec'd child's ``ru_maxrss``, which is why the parent stays small.
Nothing is subtracted (the input frame read from parquet is included).

Measured:

1. Detector, the production path: ``catalog.annotate(sets,
   columns=progress.LIFT_COLUMNS)`` + ``progress.as_of_dates`` +
   ``trends.lift_trends(sets, as_of)`` (chunks of ``trends.CHUNK_TRAINEES``
   trainees: session series, posterior, summaries, trend lines) at every
   size: seconds, series (trainee x lift), sets/s, peak RSS.
2. ``progress.analyse(sets, trainees)`` end to end at every size (``--body``:
   with the body measurements too). Targets at 10M sets of 3-year logs
   (issue): within 2x of the previous full path's 10.4 s, i.e.
   <= 20.8 s, and <= 2 GB peak RSS. MET/MISSED is printed per target.
   (10.4 s was measured on the old detector path, annotate + session_series
   + detect_segmented, at 10M sets of 36-week logs, commit 9ca82e8; the
   detector path's ratio to it is printed beside the targets.)
3. Reference, in the detector's process after its peak is read: the same
   posterior computed one series at a time, ``trends.detect`` called per
   trainee in a Python loop (a trainee is the smallest unit: day effects are
   shared across a trainee's lifts), on a random sample of
   ``--reference-trainees`` trainees, against one batched ``trends.detect``
   on the same sample's series (best of 2 each; both from the same
   precomputed session series). Printed: the speed-up on the sample, the
   loop extrapolated per trainee to the whole input against the production
   ``lift_trends``, and whether both give the same statuses and
   probabilities.
4. ``--profile`` (automatic when a 10M target is missed): a fresh process
   runs progress.analyse itself with every function it calls (and
   lift_trends' per-chunk steps) wrapped with a timer (``PROFILED``), so
   the profile cannot drift from the code: seconds, RSS after, and each
   step's own peak (VmHWM reset before it through ``/proc/self/clear_refs``;
   a step's figures include the steps it calls).

The machine is shared: the 1-minute load average is printed before every
heavy run, and CPU seconds (``time.process_time``, all threads) beside the
wall time; a load above the core count slows the wall timings.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from analysis import body as body_measures
from analysis import catalog, progress, relative, strength, synth, trends, volume, workload

KEYS = trends.SERIES_KEYS
MB = 1024 * 1024
PREVIOUS_FULL_S = 10.4
"""The issue's reference: the old 10M-set path (commit 9ca82e8: annotate + session_series +
detect_segmented, 36-week logs, 1,882 MB)."""
TARGET_S = 2 * PREVIOUS_FULL_S
TARGET_PEAK_MB = 2048
TARGET_SETS = 10_000_000


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def parse_size(text: str) -> int:
    text = text.strip().upper().replace("_", "")
    factor = {"K": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KM")) * factor)


def human(n: int) -> str:
    return f"{n / 1e6:.0f}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


def new_id(copy: pl.Expr) -> pl.Expr:
    return (pl.when(copy == 0).then(pl.col("trainee_id"))
            .otherwise(pl.col("trainee_id") + "~r" + copy.cast(pl.String).str.zfill(2)))


def replicate(base: pl.DataFrame, target_sets: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``base`` repeated with new trainee ids and noisy loads, whole trainees up to ~target_sets;
    and the kept (copy, trainee_id) pairs, to replicate the other tables alike."""
    per_trainee = base.group_by("trainee_id", maintain_order=True).len()
    copies = math.ceil(target_sets / base.height)
    order = (
        pl.DataFrame({"copy": np.arange(copies, dtype=np.int32)})
        .join(per_trainee, how="cross")
        .with_columns(pl.col("len").cum_sum().alias("upto"))
    )
    kept = order.filter(pl.col("upto") - pl.col("len") < target_sets).select("copy", "trainee_id")
    rng = np.random.default_rng(seed)
    kept_scaled = kept.with_columns(pl.Series("scale", rng.uniform(0.9, 1.1, kept.height)))
    out = base.join(kept_scaled, on="trainee_id", how="inner").sort("copy", maintain_order=True)
    noise = pl.Series("noise", rng.lognormal(0.0, 0.01, out.height))
    out = out.with_columns(
        new_id(pl.col("copy")).alias("trainee_id"),
        pl.when(pl.col("copy") == 0).then(pl.col("weight_kg"))
        .otherwise((pl.col("weight_kg") * pl.col("scale") * noise).round(2)).alias("weight_kg"),
    ).select(base.columns)
    return out, kept


def relabel(table: pl.DataFrame, kept: pl.DataFrame) -> pl.DataFrame:
    """A per-trainee table (trainees, body) for the kept (copy, trainee_id) pairs, same new ids."""
    return (table.join(kept, on="trainee_id", how="inner").sort("copy", maintain_order=True)
            .with_columns(new_id(pl.col("copy")).alias("trainee_id")).select(table.columns))


# --------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------


def rss_now_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def ru_maxrss_mb() -> float:
    """ru_maxrss (KiB on Linux): includes the parent's high-water mark at fork+exec (see module doc)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def hwm_mb() -> float:
    """VmHWM: this process's own RSS high-water mark (since start or the last reset_hwm)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_hwm() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def load_avg() -> float:
    return os.getloadavg()[0]


# --------------------------------------------------------------------------
# Workers (fresh processes)
# --------------------------------------------------------------------------


def worker_build(sizes: list[int], base_trainees: int, seed: int, weeks: int, work: Path) -> dict:
    """Generate the base cohort once; write sets, trainees and body per size (parquet)."""
    t0 = time.perf_counter()
    tables = synth.generate(n_trainees=base_trainees, seed=seed, weeks=weeks)[0]
    base = tables["sets"]
    span = base.group_by("trainee_id").agg((pl.col("date").max() - pl.col("date").min()).dt.total_days())
    out = {"base_sets": base.height, "base_s": time.perf_counter() - t0,
           "span_years": float(span.get_column("date").mean()) / 365.25, "inputs": {}}
    for size in sizes:
        t0 = time.perf_counter()
        sets, kept = replicate(base, size, seed + size)
        paths = {name: str(work / f"{name}_{size}.parquet") for name in ("sets", "trainees", "body")}
        sets.write_parquet(paths["sets"])
        relabel(tables["trainees"], kept).write_parquet(paths["trainees"])
        relabel(tables["body"], kept).write_parquet(paths["body"])
        out["inputs"][str(size)] = {"paths": paths, "sets": sets.height, "trainees": kept.height,
                                    "mb": sets.estimated_size() / MB, "build_s": time.perf_counter() - t0}
        del sets
    return out


def _statuses(detected: pl.DataFrame) -> dict:
    return dict(detected.group_by("status").len().sort("status").rows())


def worker_detector(sets_path: str, reference_trainees: int, seed: int) -> dict:
    """The production detector path (peak read), then the per-trainee reference on a sample."""
    load = load_avg()
    sets = pl.read_parquet(sets_path)
    r = {"sets": sets.height, "rss_loaded_mb": rss_now_mb(), "input_mb": sets.estimated_size() / MB,
         "load": load}
    c0, t0 = time.process_time(), time.perf_counter()
    annotated = catalog.annotate(sets, columns=progress.LIFT_COLUMNS)  # as progress.analyse does
    t1 = time.perf_counter()
    as_of = progress.as_of_dates(annotated)
    t2 = time.perf_counter()
    detected, lines = trends.lift_trends(annotated, as_of)
    t3 = time.perf_counter()
    r.update(annotate_s=t1 - t0, as_of_s=t2 - t1, lift_trends_s=t3 - t2, total_s=t3 - t0,
             cpu_s=time.process_time() - c0,
             peak_mb=hwm_mb(), ru_maxrss_mb=ru_maxrss_mb(), n_series=detected.height,
             n_judged=detected.filter(pl.col("status") != "insufficient_data").height,
             n_trainees=as_of.height, line_rows=lines.height, statuses=_statuses(detected))
    del sets, detected, lines

    # Reference: trends.detect one trainee at a time vs batched, same sample, same series.
    rng = np.random.default_rng(seed)
    ids = as_of.get_column("trainee_id")
    sample = ids.gather(np.sort(rng.choice(len(ids), min(reference_trainees, len(ids)), replace=False)))
    series = trends.session_series(annotated.filter(pl.col("trainee_id").is_in(sample.implode())), as_of)
    del annotated
    parts = series.partition_by("trainee_id", maintain_order=True)
    trends.detect(parts[0])  # warm-up (lazy imports)
    loop_s, batch_s = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        one_at_a_time = [trends.detect(p) for p in parts]
        loop_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        batched = trends.detect(series)
        batch_s.append(time.perf_counter() - t0)
    looped = pl.concat(one_at_a_time).sort(KEYS)
    j = batched.join(looped, on=KEYS, how="full", coalesce=True, suffix="_loop")
    p_diff = j.select(pl.max_horizontal(*((pl.col(f"p_{c}") - pl.col(f"p_{c}_loop")).abs()
                                          for c in trends.CLASSES)).max()).item()
    r["reference"] = {
        "trainees": len(parts), "series": batched.height, "sessions": series.height,
        "loop_s": min(loop_s), "batched_s": min(batch_s),
        "same_status": int((j["status"] == j["status_loop"]).sum()), "compared": j.height,
        "max_p_diff": float(p_diff or 0.0),
    }
    return r


def worker_analyse(sets_path: str, trainees_path: str, body_path: str) -> dict:
    load = load_avg()
    sets = pl.read_parquet(sets_path)
    trainees = pl.read_parquet(trainees_path)
    body = pl.read_parquet(body_path) if body_path else None
    r = {"sets": sets.height, "trainees": trainees.height, "rss_loaded_mb": rss_now_mb(),
         "body_rows": body.height if body is not None else 0, "load": load}
    c0, t0 = time.process_time(), time.perf_counter()
    p = progress.analyse(sets, trainees, body=body)
    r.update(analyse_s=time.perf_counter() - t0, cpu_s=time.process_time() - c0, peak_mb=hwm_mb(), ru_maxrss_mb=ru_maxrss_mb(),
             lifts=p.lifts.height, trend_rows=p.trend.height, statuses=_statuses(p.lifts),
             size=dict(p.size.group_by("status").len().sort("status").rows()) if p.size.height else {})
    return r


class Steps:
    """Seconds, RSS after and own peak of each step (VmHWM reset before it); repeated names add up."""

    def __init__(self):
        self.log: dict[str, dict] = {}
        self.resets = reset_hwm()

    @contextlib.contextmanager
    def __call__(self, name: str):
        rss0 = rss_now_mb()
        reset_hwm()
        c0, t0 = time.process_time(), time.perf_counter()
        yield
        s = self.log.setdefault(name, {"s": 0.0, "cpu_s": 0.0, "peak_mb": 0.0, "calls": 0, "rss_before_mb": rss0})
        s["s"] += time.perf_counter() - t0
        s["cpu_s"] += time.process_time() - c0
        s["peak_mb"] = max(s["peak_mb"], hwm_mb())
        s["rss_after_mb"] = rss_now_mb()
        s["calls"] += 1


PROFILED = [
    (catalog, "annotate"), (progress, "as_of_dates"), (strength, "session_best_e1rm"),
    (trends, "lift_trends"), (trends, "posterior"), (trends, "detect_from"), (trends, "trend_lines"),
    (volume, "intensity"), (volume, "set_zones"), (volume, "weekly_focus"), (volume, "inol"),
    (progress, "focus_shares"), (progress, "_lifts"), (body_measures, "size"), (workload, "daily_load"),
    (workload, "acwr"), (strength, "personal_records"), (relative, "relative_strength"),
    (workload, "monotony_strain"), (workload, "flags"), (volume, "volume_by_week"), (volume, "sessions_per_week"),
    (volume, "blocks"), (progress, "_hard_sets_in_window"),
]
"""The functions progress.analyse calls (and lift_trends' per-chunk steps), timed in place."""


def worker_profile(sets_path: str, trainees_path: str, body_path: str) -> dict:
    """progress.analyse itself, each function it calls wrapped with a timer
    (nested calls count in their caller too; repeated names add up)."""
    load = load_avg()
    sets = pl.read_parquet(sets_path)
    trainees = pl.read_parquet(trainees_path)
    body = pl.read_parquet(body_path) if body_path else None
    rss_loaded = rss_now_mb()
    step = Steps()
    for module, name in PROFILED:
        original = getattr(module, name)

        def timed(*args, _f=original, _label=f"{module.__name__.split('.')[-1]}.{name}", **kwargs):
            with step(_label):
                return _f(*args, **kwargs)
        setattr(module, name, timed)
    t_all = time.perf_counter()
    p = progress.analyse(sets, trainees, body=body)
    total_s = time.perf_counter() - t_all
    lift_trends_s = step.log.get("trends.lift_trends", {}).get("s", 0.0)
    return {"steps": step.log, "total_s": total_s, "lift_trends_s": lift_trends_s, "rss_loaded_mb": rss_loaded,
            "hwm_resets": step.resets, "lifts": p.lifts.height, "load": load,
            "sizes_mb": {name: frame.estimated_size() / MB for name, frame in
                         (("input sets", sets), ("best e1rm per session", p.e1rm_sessions),
                          ("trend lines", p.trend), ("weekly focus", p.weekly_focus))}}


def run_worker(*args: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"worker failed: {' '.join(args)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


WORKERS = {
    "build": lambda a: worker_build([int(x) for x in a[4:]], int(a[0]), int(a[1]), int(a[2]), Path(a[3])),
    "detector": lambda a: worker_detector(a[0], int(a[1]), int(a[2])),
    "analyse": lambda a: worker_analyse(a[0], a[1], a[2]),
    "profile": lambda a: worker_profile(a[0], a[1], a[2]),
}


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1M", "10M"], help="set counts, e.g. 1M 10M 250k")
    parser.add_argument("--base-trainees", type=int, default=200, help="trainees generated, then replicated")
    parser.add_argument("--weeks", type=int, default=156, help="weeks of log per trainee (156: 3 years)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reference-trainees", type=int, default=50, help="trainees in the one-at-a-time reference")
    parser.add_argument("--body", action="store_true", help="pass the body measurements to progress.analyse too")
    parser.add_argument("--profile", action="store_true", help="per-step breakdown of progress.analyse at every size")
    parser.add_argument("--workdir", help="keep the inputs here (default: a temporary folder)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, *rest = args.worker
        print(json.dumps(WORKERS[kind](rest), default=str))
        return

    sizes = [parse_size(s) for s in args.sizes]
    started = time.perf_counter()
    tmp = None
    if args.workdir:
        work = Path(args.workdir)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="trend_speed_")
        work = Path(tmp.name)

    built = run_worker("build", str(args.base_trainees), str(args.seed), str(args.weeks), str(work), *map(str, sizes))
    print(f"base cohort: synth.generate({args.base_trainees}, seed={args.seed}, weeks={args.weeks}): "
          f"{built['base_sets']:,} sets ({built['base_sets'] / args.base_trainees:,.0f} per trainee, "
          f"{built['span_years']:.2f} years of log each), generated in {built['base_s']:.1f} s")
    inputs = {}
    for size in sizes:
        b = built["inputs"][str(size)]
        inputs[size] = b["paths"]
        print(f"input ~{human(size)}: {b['sets']:,} sets, {b['trainees']:,} trainees (replicated, noisy loads), "
              f"{b['mb']:,.0f} MB in polars, built in {b['build_s']:.1f} s")
    print(f"polars {pl.__version__} on {pl.thread_pool_size()} threads, {os.cpu_count()} cores; "
          f"trends.CHUNK_TRAINEES = {trends.CHUNK_TRAINEES}; every measurement in a fresh process; "
          f"peak = VmHWM of that process\n")

    det, ana = {}, {}
    for size in sizes:
        tag = f"[{human(size)}]"
        paths = inputs[size]
        d = det[size] = run_worker("detector", paths["sets"], str(args.reference_trainees), str(args.seed))
        print(f"{tag} detector (annotate + as_of_dates + lift_trends), load {d['load']:.1f}: "
              f"{d['total_s']:.2f} s, CPU {d['cpu_s']:.2f} s (annotate {d['annotate_s']:.2f} + as_of {d['as_of_s']:.2f} + "
              f"lift_trends {d['lift_trends_s']:.2f}); {d['n_series']:,} series of {d['n_trainees']:,} trainees "
              f"({d['n_judged']:,} judged); {d['sets'] / d['total_s']:,.0f} sets/s; peak {d['peak_mb']:,.0f} MB "
              f"(ru_maxrss {d['ru_maxrss_mb']:,.0f}; input read {d['rss_loaded_mb']:,.0f} MB RSS)")
        print(f"{tag}   statuses {d['statuses']}")
        ref = d["reference"]
        per_trainee = ref["loop_s"] / ref["trainees"]
        loop_all = per_trainee * d["n_trainees"]
        print(f"{tag} reference on {ref['trainees']} random trainees ({ref['series']} series, {ref['sessions']:,} "
              f"sessions): trends.detect per trainee in a loop {ref['loop_s']:.2f} s ({per_trainee * 1e3:.0f} ms/"
              f"trainee) vs batched trends.detect {ref['batched_s']:.2f} s: speed-up {ref['loop_s'] / ref['batched_s']:.1f}x;"
              f" loop EXTRAPOLATED to {d['n_trainees']:,} trainees {loop_all:.1f} s vs production lift_trends "
              f"{d['lift_trends_s']:.2f} s: {loop_all / d['lift_trends_s']:.1f}x; same status "
              f"{ref['same_status']}/{ref['compared']}, max |p diff| {ref['max_p_diff']:.1e}")
        a = ana[size] = run_worker("analyse", paths["sets"], paths["trainees"], paths["body"] if args.body else "")
        print(f"{tag} progress.analyse(sets, trainees{', body=body' if args.body else ''}), load {a['load']:.1f}: "
              f"{a['analyse_s']:.2f} s, CPU {a['cpu_s']:.2f} s, {a['sets'] / a['analyse_s']:,.0f} sets/s; peak {a['peak_mb']:,.0f} MB "
              f"(ru_maxrss {a['ru_maxrss_mb']:,.0f}; input read {a['rss_loaded_mb']:,.0f} MB RSS); "
              f"{a['lifts']:,} lift rows, {a['trend_rows']:,} trend rows\n")

    header = (f"{'size':>5} {'sets':>11} {'trainees':>8} {'series':>7} {'detector s':>10} {'sets/s':>10} "
              f"{'det. peak MB':>12} {'loop/batch':>10} {'analyse s':>9} {'analyse peak MB':>15}")
    print(header)
    print("-" * len(header))
    for size in sizes:
        d, a, ref = det[size], ana[size], det[size]["reference"]
        print(f"{human(size):>5} {d['sets']:>11,} {d['n_trainees']:>8,} {d['n_series']:>7,} {d['total_s']:>10.2f} "
              f"{d['sets'] / d['total_s']:>10,.0f} {d['peak_mb']:>12,.0f} {ref['loop_s'] / ref['batched_s']:>9.1f}x "
              f"{a['analyse_s']:>9.2f} {a['peak_mb']:>15,.0f}")

    at = next((s for s in sizes if s == TARGET_SETS), None)
    missed = False
    if at is None:
        print(f"\ntargets apply to {human(TARGET_SETS)} sets: not in --sizes, not judged")
    else:
        a = ana[at]
        fast, small = a["analyse_s"] <= TARGET_S, a["peak_mb"] <= TARGET_PEAK_MB
        missed = not (fast and small)
        print(f"\ntargets, progress.analyse at {a['sets']:,} sets of {built['span_years']:.1f}-year logs:")
        print(f"  time {a['analyse_s']:.2f} s <= {TARGET_S:.1f} s (2x the previous {PREVIOUS_FULL_S} s): "
              f"{verdict(fast)} ({a['analyse_s'] / PREVIOUS_FULL_S:.2f}x the previous)")
        print(f"  peak {a['peak_mb']:,.0f} MB <= {TARGET_PEAK_MB:,} MB: {verdict(small)}")
        d = det[at]
        print(f"  (for comparison: {PREVIOUS_FULL_S} s was the old detector path, annotate + session_series + "
              f"detect_segmented, at 10M sets of 36-week logs; the detector path here: {d['total_s']:.2f} s = "
              f"{d['total_s'] / PREVIOUS_FULL_S:.2f}x, peak {d['peak_mb']:,.0f} MB)")

    for size in sizes:
        if not (args.profile or (missed and size == at)):
            continue
        paths = inputs[size]
        prof = run_worker("profile", paths["sets"], paths["trainees"], paths["body"] if args.body else "")
        print(f"\n[{human(size)}] progress.analyse step by step (fresh process, load {prof['load']:.1f}; input read "
              f"{prof['rss_loaded_mb']:,.0f} MB RSS; peak = the step's own VmHWM"
              f"{'' if prof['hwm_resets'] else ' NOT reset (clear_refs refused): the peak so far'}):")
        print(f"  {'step':<46} {'s':>7} {'CPU s':>7} {'share':>6} {'calls':>5} {'RSS before':>10} {'peak':>7} {'RSS after':>9}")
        for name, s in prof["steps"].items():
            print(f"  {name:<46} {s['s']:>7.2f} {s['cpu_s']:>7.2f} {s['s'] / prof['total_s']:>6.1%} {s['calls']:>5} "
                  f"{s['rss_before_mb']:>10,.0f} {s['peak_mb']:>7,.0f} {s['rss_after_mb']:>9,.0f}")
        print(f"  {'total (lift_trends ' + format(prof['lift_trends_s'], '.2f') + ' s)':<46} {prof['total_s']:>7.2f}"
              f"   peak of all steps {max(s['peak_mb'] for s in prof['steps'].values()):,.0f} MB")
        print("  frames held: " + ", ".join(f"{k} {v:,.0f} MB" for k, v in prof["sizes_mb"].items()))

    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
