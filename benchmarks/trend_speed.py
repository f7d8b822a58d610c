"""Speed and memory of the strength-trend detector at 1M and 10M sets.

    python benchmarks/trend_speed.py [--sizes 1M 10M] [--base-trainees 300]
                                     [--pandas-sample 2000] [--agree-sample 200]
                                     [--profile]

Inputs: a synthetic cohort (synth.generate, ~1,700 sets per trainee) is made
once and replicated with new trainee ids (``T001~r07``) and multiplicative
noise on ``weight_kg`` (a scale per replicated trainee, lognormal noise per
set), so every replicated series differs; whole trainees are kept up to the
target number of sets. Each input is written to parquet and every
measurement runs in a fresh process (this script with ``--worker``) that
reads it. Peak memory is ``ru_maxrss`` of that process, checked against
``VmHWM``: Linux carries a parent's RSS high-water mark into a fork+exec'd
child's ``ru_maxrss``, so the inputs are built in a worker too and this
parent process only imports and waits.

Figures:

* polars full: the production path, ``catalog.annotate`` +
  ``trends.session_series`` + ``trends.detect_segmented`` (first fit, day
  effects and deload weeks out, refit); peak RSS of that process, nothing
  subtracted, beside the RSS once the input is read.
* polars single pass: ``trends._choose(trends._fit(series with w = 1), "bic")``,
  the first fit alone, on the same session series.
* pandas single pass: the same single fit written as an analyst would,
  ``groupby(["trainee_id", "lift"]).apply(fn)``, ``fn`` looping over the
  candidate breakpoints with ``numpy.linalg.lstsq``. No second pass (day
  effects, deloads): hence the like-for-like polars single pass. Timed on
  every series when the input is small enough (``--pandas-full-max``) and
  always on a random sample of series, extrapolated per series.

When the 10M peak misses 2 GB (or with ``--profile``), fresh processes step
through the path and the fit to show which step holds how much.

Targets (issue): polars >= 20x faster than pandas groupby-apply; 10M sets
under 2 GB peak memory.
"""

from __future__ import annotations

import argparse
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

from analysis import catalog, progress, synth, trends

KEYS = trends.SERIES_KEYS
MB = 1024 * 1024
TARGET_SPEEDUP = 20
TARGET_PEAK_MB = 2048
EXACT_RIDGE = 1e-14
"""Ridge used only to diagnose pandas/polars differences (trends.RIDGE is 1e-8)."""


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


def parse_size(text: str) -> int:
    text = text.strip().upper().replace("_", "")
    factor = {"K": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KM")) * factor)


def human(n: int) -> str:
    return f"{n / 1e6:.0f}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


def replicate(base: pl.DataFrame, target_sets: int, seed: int) -> pl.DataFrame:
    """``base`` repeated with new trainee ids and noisy loads, whole trainees up to ~target_sets."""
    per_trainee = base.group_by("trainee_id", maintain_order=True).len()
    copies = math.ceil(target_sets / base.height)
    order = (
        pl.DataFrame({"copy": np.arange(copies, dtype=np.int32)})
        .join(per_trainee, how="cross")
        .with_columns(pl.col("len").cum_sum().alias("upto"))
    )
    kept = order.filter(pl.col("upto") - pl.col("len") < target_sets).select("copy", "trainee_id")
    rng = np.random.default_rng(seed)
    kept = kept.with_columns(pl.Series("scale", rng.uniform(0.9, 1.1, kept.height)))
    out = base.join(kept, on="trainee_id", how="inner").sort("copy", maintain_order=True)
    noise = pl.Series("noise", rng.lognormal(0.0, 0.01, out.height))
    return out.with_columns(
        pl.when(pl.col("copy") == 0).then(pl.col("trainee_id"))
        .otherwise(pl.col("trainee_id") + "~r" + pl.col("copy").cast(pl.String).str.zfill(2)).alias("trainee_id"),
        pl.when(pl.col("copy") == 0).then(pl.col("weight_kg"))
        .otherwise((pl.col("weight_kg") * pl.col("scale") * noise).round(2)).alias("weight_kg"),
    ).select(base.columns)


# --------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------


def rss_now_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def rss_peak_mb() -> float:
    """ru_maxrss (KiB on Linux): includes the parent's high-water mark at fork+exec (see module doc)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def hwm_mb() -> float:
    """VmHWM: this process's own RSS high-water mark, to check ru_maxrss against."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# --------------------------------------------------------------------------
# The polars paths
# --------------------------------------------------------------------------


def production_series(sets: pl.DataFrame) -> pl.DataFrame:
    annotated = catalog.annotate(sets)
    as_of = annotated.group_by("trainee_id").agg(pl.col("date").max().alias("as_of"))
    return trends.session_series(annotated, as_of)


def production(sets: pl.DataFrame) -> pl.DataFrame:
    return trends.detect_segmented(production_series(sets))


def polars_single_pass(series: pl.DataFrame) -> pl.DataFrame:
    """The first fit of trends.segmented alone: every session weighted 1, no day effects or deloads."""
    return trends._choose(trends._fit(series.with_columns(pl.lit(1.0).alias("w"))), "bic")


# --------------------------------------------------------------------------
# The pandas reference (single pass)
# --------------------------------------------------------------------------

PANDAS_OUT = ["n", "breaks", "tau", "break_date", "slope_before", "slope_after", "level", "off1", "off2",
              "sigma", "se_after"]


def pandas_fit_one(g):
    """Segmented regression of one series as an analyst writes it: loop over breakpoints, lstsq each.

    Same models as trends: the line (1, t-t_end, x, x², x = (reps-5)/5), the free break (1,
    min(t-τ,0), max(t-τ,0), x, x²) and the flat break (1, min(t-τ,0), x, x²); same candidate
    rules (>= MIN_SEGMENT_SESSIONS sessions up to and including τ and after it, >= MIN_SEGMENT_WEEKS
    after it); each break model at its best τ by SSE; the lowest BIC (4, 6 and 5 parameters) kept.
    """
    import pandas as pd

    t = g["t"].to_numpy(dtype=float)
    y = g["y"].to_numpy(dtype=float)
    x = (g["reps"].to_numpy(dtype=float) - trends.REFERENCE_REPS) / 5
    n = len(t)
    out = dict.fromkeys(PANDAS_OUT, np.nan)
    out["n"] = n
    if n < trends.MIN_SEGMENT_SESSIONS:
        return pd.Series(out)
    ones = np.ones(n)
    t_end = t[-1]

    def lstsq(X):
        beta = np.linalg.lstsq(X, y, rcond=None)[0]
        return beta, float(np.sum((y - X @ beta) ** 2))

    def free_at(tau):
        return np.column_stack([ones, np.minimum(t - tau, 0), np.maximum(t - tau, 0), x, x * x])

    best = {"free": (np.inf, None), "flat": (np.inf, None)}
    for i in range(n):
        n_before, n_after = i + 1, n - i - 1
        if n_before < trends.MIN_SEGMENT_SESSIONS or n_after < trends.MIN_SEGMENT_SESSIONS:
            continue
        if t_end - t[i] < trends.MIN_SEGMENT_WEEKS:
            continue
        X = free_at(t[i])
        for model, cols in (("free", [0, 1, 2, 3, 4]), ("flat", [0, 1, 3, 4])):
            sse = lstsq(X[:, cols])[1]
            if sse < best[model][0]:
                best[model] = (sse, i)

    X_line = np.column_stack([ones, t - t_end, x, x * x])
    beta_line, sse_line = lstsq(X_line)
    bic = {"line": n * np.log(max(sse_line, 1e-12) / n) + 4 * np.log(n)}
    for model, params in (("free", 6), ("flat", 5)):
        if best[model][1] is not None:
            bic[model] = n * np.log(max(best[model][0], 1e-12) / n) + params * np.log(n)
    model = min(bic, key=bic.get)
    if model == "line":
        cov = np.linalg.pinv(X_line.T @ X_line)
        sigma2 = sse_line / max(n - 4, 1)
        out.update(breaks=False, tau=t_end, slope_before=beta_line[1], slope_after=beta_line[1],
                   level=beta_line[0], off1=beta_line[2], off2=beta_line[3], sigma=np.sqrt(sigma2),
                   se_after=np.sqrt(sigma2 * cov[1, 1]))
        return pd.Series(out)
    i = best[model][1]
    X = free_at(t[i])
    beta_free, sse_free = lstsq(X)
    se_free = np.sqrt(sse_free / max(n - 5, 1) * np.linalg.pinv(X.T @ X)[2, 2])
    if model == "free":
        beta, slope_after, sigma2 = beta_free, beta_free[2], sse_free / max(n - 5, 1)
    else:  # flat: the final slope is 0; its SE is the free slope's at the same τ
        beta_flat, sse_flat = lstsq(X[:, [0, 1, 3, 4]])
        beta, slope_after, sigma2 = np.insert(beta_flat, 2, 0.0), 0.0, sse_flat / max(n - 4, 1)
    out.update(breaks=True, tau=t[i], break_date=g["date"].iloc[i], slope_before=beta[1],
               slope_after=slope_after, level=beta[0], off1=beta[3], off2=beta[4], sigma=np.sqrt(sigma2),
               se_after=se_free)
    return pd.Series(out)


def pandas_single_pass(series_pd):
    return series_pd.groupby(KEYS, sort=False)[["date", "t", "y", "reps"]].apply(pandas_fit_one).reset_index()


def to_pandas_series(series: pl.DataFrame):
    return series.select(*KEYS, "date", "t", "y", "reps").to_pandas()


def agreement(ref_pd, pol: pl.DataFrame, tol: float = 1e-6) -> dict:
    """pandas reference vs polars single pass per series: break or not, its date, slopes within tol,
    and the status the slope and its SE give (trends.status_from_slope)."""
    status = trends.status_from_slope
    ref = (pl.from_pandas(ref_pd).filter(pl.col("n") >= trends.MIN_SEGMENT_SESSIONS)
           .with_columns(pl.col("breaks").cast(pl.Boolean), pl.col("break_date").cast(pl.Date))
           .with_columns(status(pl.col("slope_after"), pl.col("se_after")).alias("status")))
    p = pol.select(*KEYS, pl.col("breaks").alias("p_breaks"),
                   pl.when(pl.col("breaks")).then(pl.col("date")).alias("p_date"),
                   pl.col("slope_before").alias("p_before"), pl.col("slope_after").alias("p_after"),
                   status(pl.col("slope_after"), pl.col("se_after")).alias("p_status"),
                   pl.col("model").alias("p_model"), pl.col("sigma").alias("p_sigma"))
    j = ref.join(p, on=KEYS, how="full", coalesce=True)
    same_date = (pl.col("breaks") == pl.col("p_breaks")) & (
        (~pl.col("breaks")) | (pl.col("break_date") == pl.col("p_date")))
    j = j.with_columns(same_date.fill_null(False).alias("same_date"),
                       (pl.col("slope_before") - pl.col("p_before")).abs().alias("d_before"),
                       (pl.col("slope_after") - pl.col("p_after")).abs().alias("d_after"),
                       (pl.col("status") == pl.col("p_status")).fill_null(False).alias("same_status"))
    j = j.with_columns((pl.col("same_date") & (pl.col("d_before") <= tol) & (pl.col("d_after") <= tol))
                       .fill_null(False).alias("agree"))
    bad = j.filter(~pl.col("agree"))
    exact = pl.col("p_sigma") < 1e-3  # the model fits to ~1e-4: the load never changed
    return {
        "series": j.height, "agree": int(j.get_column("agree").sum()),
        "same_date": int(j.get_column("same_date").sum()),
        "same_status": int(j.get_column("same_status").sum()),
        "max_d_slope": float(j.select(pl.max_horizontal("d_before", "d_after").max()).item() or 0.0),
        "exact_fit_series": j.filter(exact).height,
        "bad_break_choice": bad.filter(~pl.col("same_date")).height,
        "bad_break_choice_exact_fit": bad.filter(~pl.col("same_date") & exact).height,
        "bad_slope_only": bad.filter(pl.col("same_date")).height,
        "disagree": bad.head(6).select(*KEYS, "n", "breaks", "p_breaks", "break_date", "p_date", "d_before",
                                       "d_after", "p_model", "p_sigma").rows(named=True),
    }


# --------------------------------------------------------------------------
# Workers (fresh processes)
# --------------------------------------------------------------------------


def worker_build(sizes: list[int], base_trainees: int, seed: int, work: Path) -> dict:
    """Generate the base cohort once and write one replicated input per size (parquet)."""
    t0 = time.perf_counter()
    base = synth.generate(n_trainees=base_trainees, seed=seed)[0]["sets"]
    out = {"base_sets": base.height, "base_s": time.perf_counter() - t0, "inputs": {}}
    for size in sizes:
        t0 = time.perf_counter()
        sets = replicate(base, size, seed + size)
        path = work / f"sets_{size}.parquet"
        sets.write_parquet(path)
        out["inputs"][str(size)] = {"path": str(path), "sets": sets.height,
                                    "trainees": sets.get_column("trainee_id").n_unique(),
                                    "mb": sets.estimated_size() / MB, "build_s": time.perf_counter() - t0}
        del sets
    return out


def worker_production(path: str, work: str, size: str) -> dict:
    rss_start = rss_now_mb()
    sets = pl.read_parquet(path)
    r = {"sets": sets.height, "rss_start_mb": rss_start, "rss_loaded_mb": rss_now_mb(),
         "peak_after_load_mb": rss_peak_mb(), "input_mb": sets.estimated_size() / MB}
    t0 = time.perf_counter()
    annotated = catalog.annotate(sets, columns=progress.LIFT_COLUMNS)  # as progress.analyse does
    del sets
    t1 = time.perf_counter()
    r["peak_after_annotate_mb"] = rss_peak_mb()
    as_of = progress.as_of_dates(annotated)
    t2 = time.perf_counter()
    r["peak_after_series_mb"] = rss_peak_mb()
    r["rss_before_detect_mb"] = rss_now_mb()
    detected, _ = trends.lift_trends(annotated, as_of)  # the production path: chunks of trainees
    t3 = time.perf_counter()
    r.update(annotate_s=t1 - t0, series_s=t2 - t1, detect_s=t3 - t2, full_s=t3 - t0,
             peak_mb=rss_peak_mb(), hwm_mb=hwm_mb(), n_series=detected.height,
             annotated_mb=annotated.estimated_size() / MB,
             statuses=dict(detected.group_by("status").len().sort("status").rows()))
    series = trends.session_series(annotated, as_of)  # for the other workers, after the peak is read
    r.update(series_rows=series.height, series_mb=series.estimated_size() / MB)
    series.write_parquet(Path(work) / f"series_{size}.parquet")
    detected.write_parquet(Path(work) / f"detected_{size}.parquet")
    return r


def worker_detect_only(series_path: str) -> dict:
    """detect_segmented alone on a saved session series: the detector's own memory."""
    rss_start = rss_now_mb()
    series = pl.read_parquet(series_path)
    r = {"rss_start_mb": rss_start, "rss_loaded_mb": rss_now_mb(), "series_mb": series.estimated_size() / MB}
    t0 = time.perf_counter()
    trends.detect_segmented(series)
    r.update(detect_s=time.perf_counter() - t0, peak_mb=rss_peak_mb(), hwm_mb=hwm_mb())
    return r


def worker_single(path: str, pandas_sample: int, agree_sample: int, pandas_full_max: int, seed: int) -> dict:
    sets = pl.read_parquet(path)
    n_sets = sets.height
    series = production_series(sets)
    del sets
    polars_single_pass(series.filter(pl.col("trainee_id") == series.item(0, "trainee_id")))  # warm-up
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        pol = polars_single_pass(series)
        times.append(time.perf_counter() - t0)
    keys = series.select(KEYS).unique(maintain_order=True)
    r = {"sets": n_sets, "polars_single_s": min(times), "n_series": keys.height, "series_rows": series.height}

    rng = np.random.default_rng(seed)
    sample = keys[np.sort(rng.choice(keys.height, min(pandas_sample, keys.height), replace=False))]
    sample_pd = to_pandas_series(series.join(sample, on=KEYS, maintain_order="left"))
    t0 = time.perf_counter()
    ref_sample = pandas_single_pass(sample_pd)
    t_sample = time.perf_counter() - t0
    r.update(pandas_sample_series=sample.height, pandas_sample_s=t_sample,
             pandas_extrapolated_s=t_sample / sample.height * keys.height)

    full_ref = None
    if n_sets <= pandas_full_max:
        t0 = time.perf_counter()
        full_pd = to_pandas_series(series)
        r["pandas_convert_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        full_ref = pandas_single_pass(full_pd)
        r["pandas_full_s"] = time.perf_counter() - t0

    pick = keys[np.sort(rng.choice(keys.height, min(agree_sample, keys.height), replace=False))]
    if full_ref is not None:
        ref_pick = full_ref.merge(pick.to_pandas(), on=KEYS)
    else:
        ref_pick = pandas_single_pass(to_pandas_series(series.join(pick, on=KEYS, maintain_order="left")))
    checks = {f"random sample of {pick.height}": (ref_pick, pick)}
    if full_ref is not None:
        checks[f"all {keys.height} series"] = (full_ref, keys)
    else:
        checks[f"the {sample.height} timed series"] = (ref_sample, sample)
    r["agreement"] = {}
    for name, (ref, on) in checks.items():
        a = agreement(ref, pol.join(on, on=KEYS))
        if a["agree"] < a["series"]:  # diagnose: the same fit with a near-zero ridge (src unchanged)
            saved = trends.RIDGE
            trends.RIDGE = EXACT_RIDGE
            try:
                a["tiny_ridge"] = agreement(ref, polars_single_pass(series.join(on, on=KEYS, maintain_order="left")))
                a["tiny_ridge"].pop("disagree")
            finally:
                trends.RIDGE = saved
        r["agreement"][name] = a
    return r


def _step(log: list, name: str, rss_before: float, frame=None, nbytes: float | None = None) -> float:
    """Note current RSS, the peak so far, what the step's peak rose above its starting RSS, its result size."""
    size = frame.estimated_size() / MB if frame is not None else (nbytes / MB if nbytes is not None else None)
    peak = rss_peak_mb()
    log.append({"step": name, "rss_mb": rss_now_mb(), "peak_mb": peak,
                "above_start_mb": max(peak - rss_before, 0.0) if peak > log[-1]["peak_mb"] else None,
                "made_mb": size, "shape": list(frame.shape) if frame is not None else None})
    return rss_now_mb()


def worker_profile_pipeline(path: str) -> list:
    """The production path up to the series, as session_best_e1rm chains it (each intermediate
    freed once the next exists; the annotated frame held by the caller throughout)."""
    from analysis import strength

    log = [{"step": "imports", "rss_mb": rss_now_mb(), "peak_mb": rss_peak_mb(), "above_start_mb": None,
            "made_mb": None, "shape": None}]
    rss = rss_now_mb()
    sets = pl.read_parquet(path)
    rss = _step(log, "read input", rss, sets)
    annotated = catalog.annotate(sets)
    rss = _step(log, "catalog.annotate", rss, annotated)
    x = strength.with_e1rm(annotated)
    rss = _step(log, "session_best_e1rm: with_e1rm", rss, x)
    x = x.drop_nulls("e1rm_kg")
    rss = _step(log, "session_best_e1rm: drop_nulls (all columns)", rss, x)
    x = x.sort("e1rm_kg", descending=True)
    rss = _step(log, "session_best_e1rm: sort by e1rm (all columns)", rss, x)
    x = x.group_by("trainee_id", "lift", "session_id", maintain_order=True).first()
    rss = _step(log, "session_best_e1rm: group_by.first (all columns)", rss, x)
    x = x.select("trainee_id", pl.col("lift").alias("exercise"), "session_id", "date", "e1rm_kg", "weight_kg",
                 "reps", "rpe").sort("trainee_id", "exercise", "date", "session_id")
    rss = _step(log, "session_best_e1rm: select 8 columns + sort", rss, x)
    del x
    as_of = annotated.group_by("trainee_id").agg(pl.col("date").max().alias("as_of"))
    series = trends.session_series(annotated, as_of)
    _step(log, "whole session_series (again)", rss, series)
    return log


def worker_profile_fit(series_path: str) -> list:
    """trends._fit (first fit) from a saved series, step by step, intermediates kept alive as in
    _candidates (summed, totals, before, the joined table, then its filtered copy) and _fit."""
    log = [{"step": "imports", "rss_mb": rss_now_mb(), "peak_mb": rss_peak_mb(), "above_start_mb": None,
            "made_mb": None, "shape": None}]
    rss = rss_now_mb()
    series = pl.read_parquet(series_path)
    rss = _step(log, "read series", rss, series)
    s = series.with_columns(pl.lit(1.0).alias("w"))
    w = pl.col("w")
    summed = s.with_columns(trends._weighted_terms(w))
    rss = _step(log, "_candidates: + 15 weighted terms", rss, summed)
    totals = summed.group_by(KEYS).agg(
        *(pl.col(f"s_{k}").sum().alias(f"all_{k}") for k in trends._TOTALS),
        pl.col("t").filter(w > 0).max().alias("t_end"))
    rss = _step(log, "_candidates: totals per series", rss, totals)
    before = summed.with_columns(pl.col([f"s_{k}" for k in trends._SUMS]).cum_sum().over(KEYS))
    rss = _step(log, "_candidates: 9 prefix sums (cum_sum over)", rss, before)
    joined = before.join(totals, on=KEYS).with_columns(
        pl.col("t").alias("tau"), (pl.col("t_end") - pl.col("t")).alias("weeks_after"),
        (pl.col("all_n") - pl.col("s_n")).alias("n_after"))
    rss = _step(log, "_candidates: join with totals (every session)", rss, joined)
    allowed = (  # as in trends._candidates
        (pl.col("w") > 0) & (pl.col("s_n") >= trends.MIN_SEGMENT_SESSIONS)
        & (((pl.col("n_after") >= trends.MIN_SEGMENT_SESSIONS) & (pl.col("weeks_after") >= trends.MIN_SEGMENT_WEEKS))
           | (pl.col("n_after") == 0)))
    cands = joined.filter(allowed)
    rss = _step(log, "_candidates: filter to allowed breakpoints", rss, cands)
    del summed, totals, before, joined
    rss = rss_now_mb()
    xtx, xty = trends._normal_equations(cands)
    rss = _step(log, "_normal_equations -> X'X (C,5,5) + X'y", rss, nbytes=xtx.nbytes + xty.nbytes)
    beta = np.linalg.solve(xtx, xty[..., None])[..., 0]
    rss = _step(log, "np.linalg.solve", rss, nbytes=beta.nbytes)
    inv = np.linalg.inv(xtx)
    rss = _step(log, "np.linalg.inv -> (C,5,5)", rss, nbytes=inv.nbytes)
    log.append({"step": f"(C = {cands.height:,} candidates; one (C,5,5) float64 array = "
                        f"{cands.height * 25 * 8 / MB:,.0f} MB)", "rss_mb": None})
    return log


def compare(a: pl.DataFrame, b: pl.DataFrame) -> dict:
    j = a.join(b, on=KEYS, how="full", coalesce=True, suffix="_b")
    return {"series": j.height, "same_status": int((j["status"] == j["status_b"]).sum()),
            "max_d_slope": float((j["slope_after"] - j["slope_after_b"]).abs().max() or 0.0)}


def run_worker(*args: str):
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"worker failed: {' '.join(args)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


WORKERS = {
    "build": lambda a: worker_build([int(x) for x in a[3:]], int(a[0]), int(a[1]), Path(a[2])),
    "production": lambda a: worker_production(a[0], a[1], a[2]),
    "detect_only": lambda a: worker_detect_only(a[0]),
    "single": lambda a: worker_single(a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4])),
    "profile_pipeline": lambda a: worker_profile_pipeline(a[0]),
    "profile_fit": lambda a: worker_profile_fit(a[0]),
}


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


def print_agreement(tag: str, name: str, a: dict) -> None:
    print(f"{tag} agreement pandas vs polars single pass, {name}: {a['agree']}/{a['series']} = "
          f"{a['agree'] / max(a['series'], 1):.1%} (break or not and its date: {a['same_date']}; "
          f"status: {a['same_status']}; max |slope diff| {a['max_d_slope']:.1e} per week)")
    if a["agree"] == a["series"]:
        return
    print(f"      disagreements: {a['bad_break_choice']} break-or-line choice "
          f"({a['bad_break_choice_exact_fit']} of them exact-fit series, the fit's sigma < 1e-3; "
          f"{a['exact_fit_series']} such series here), {a['bad_slope_only']} slope only (same date, "
          f"|diff| > 1e-6)")
    for row in a["disagree"][:4]:
        print("      e.g. " + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))
    if "tiny_ridge" in a:
        b = a["tiny_ridge"]
        print(f"      same polars fit with trends.RIDGE patched 1e-8 -> {EXACT_RIDGE:g} in that process (src unchanged): "
              f"{b['agree']}/{b['series']} agree, max |slope diff| {b['max_d_slope']:.1e}: the ridge is the cause")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1M", "10M"], help="set counts, e.g. 1M 10M 250k")
    parser.add_argument("--base-trainees", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pandas-sample", type=int, default=2000, help="series timed with pandas at every size")
    parser.add_argument("--agree-sample", type=int, default=200, help="random series compared pandas vs polars")
    parser.add_argument("--pandas-full-max", default="2M", help="run pandas on every series up to this many sets")
    parser.add_argument("--profile", action="store_true", help="profile memory even when under the target")
    parser.add_argument("--workdir", help="keep inputs and outputs here (default: a temporary folder)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, *rest = args.worker
        print(json.dumps(WORKERS[kind](rest), default=str))
        return

    sizes = [parse_size(s) for s in args.sizes]
    full_max = parse_size(args.pandas_full_max)
    started = time.perf_counter()
    tmp = None
    if args.workdir:
        work = Path(args.workdir)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="trend_speed_")
        work = Path(tmp.name)

    built = run_worker("build", str(args.base_trainees), str(args.seed), str(work), *map(str, sizes))
    print(f"base cohort: {args.base_trainees} trainees, {built['base_sets']:,} sets "
          f"({built['base_sets'] / args.base_trainees:,.0f} per trainee), generated in {built['base_s']:.1f} s")
    inputs = {}
    for size in sizes:
        b = built["inputs"][str(size)]
        inputs[size] = Path(b["path"])
        print(f"input ~{human(size)}: {b['sets']:,} sets, {b['trainees']:,} trainees (replicated, noisy loads), "
              f"{b['mb']:,.0f} MB in polars, built in {b['build_s']:.1f} s")
    print(f"polars {pl.__version__} on {pl.thread_pool_size()} threads, {os.cpu_count()} cores; "
          "pandas reference single-threaded; every measurement in a fresh process\n")

    results = {}
    for size, path in inputs.items():
        tag = f"[{human(size)}]"
        series_path = work / f"series_{size}.parquet"
        prod = run_worker("production", str(path), str(work), str(size))
        print(f"{tag} production path: annotate {prod['annotate_s']:.2f} s + session_series {prod['series_s']:.2f} s "
              f"+ detect_segmented {prod['detect_s']:.2f} s = {prod['full_s']:.2f} s; {prod['n_series']:,} series "
              f"from {prod['series_rows']:,} sessions; {prod['statuses']}")
        print(f"{tag} memory: RSS after imports {prod['rss_start_mb']:,.0f} MB, after reading the input "
              f"{prod['rss_loaded_mb']:,.0f} MB (frame {prod['input_mb']:,.0f} MB); peak after annotate "
              f"{prod['peak_after_annotate_mb']:,.0f} MB (annotated frame {prod['annotated_mb']:,.0f} MB), after "
              f"session_series {prod['peak_after_series_mb']:,.0f} MB, after detect_segmented {prod['peak_mb']:,.0f} MB "
              f"(ru_maxrss; VmHWM {prod['hwm_mb']:,.0f} MB; RSS entering detect {prod['rss_before_detect_mb']:,.0f} MB)")
        det = run_worker("detect_only", str(series_path))
        print(f"{tag} detect_segmented alone (fresh process reading the {prod['series_rows']:,}-row series, "
              f"{det['series_mb']:,.0f} MB): RSS after reading {det['rss_loaded_mb']:,.0f} MB, "
              f"peak {det['peak_mb']:,.0f} MB ({det['detect_s']:.2f} s)")
        single = run_worker("single", str(path), str(args.pandas_sample), str(args.agree_sample), str(full_max),
                            str(args.seed))
        measured = "pandas_full_s" in single
        pandas_s = single["pandas_full_s"] if measured else single["pandas_extrapolated_s"]
        print(f"{tag} single pass: polars {single['polars_single_s']:.2f} s (best of 2); pandas "
              f"{single['pandas_sample_s']:.2f} s on a random sample of {single['pandas_sample_series']:,} series "
              f"= {single['pandas_sample_s'] / single['pandas_sample_series'] * 1e3:.2f} ms/series -> "
              f"{single['pandas_extrapolated_s']:.1f} s EXTRAPOLATED to {single['n_series']:,} series"
              + (f"; MEASURED on all series {single['pandas_full_s']:.1f} s "
                 f"(+{single['pandas_convert_s']:.2f} s to_pandas, not counted)" if measured else ""))
        for name, a in single["agreement"].items():
            print_agreement(tag, name, a)
        results[size] = {"prod": prod, "det": det, "single": single, "measured": measured, "pandas_s": pandas_s}
        print()

    print("single pass = the first fit only (no day-effect/deload second pass), both on the same session series;")
    print("pandas = groupby(['trainee_id','lift']).apply(fn), fn looping over breakpoints with numpy.linalg.lstsq;")
    print("measured = all series; extrap.N = per-series time on N random series x the number of series.")
    print("polars full = annotate + session_series + detect_segmented (both passes); detect = detect_segmented only.\n")
    header = (f"{'size':>5} {'sets':>11} {'series':>7} {'polars full (s)':>15} {'detect (s)':>10} "
              f"{'polars 1-pass (s)':>17} {'pandas 1-pass (s)':>24} {'speed-up 1-pass':>15} "
              f"{'RSS loaded (MB)':>15} {'peak RSS (MB)':>13}")
    print(header)
    print("-" * len(header))
    for size, res in results.items():
        prod, single, pandas_s = res["prod"], res["single"], res["pandas_s"]
        how = "measured" if res["measured"] else f"extrap.{single['pandas_sample_series']}"
        print(f"{human(size):>5} {prod['sets']:>11,} {prod['n_series']:>7,} {prod['full_s']:>15.2f} "
              f"{prod['detect_s']:>10.2f} {single['polars_single_s']:>17.2f} {pandas_s:>9.1f} {'(' + how + ')':>14} "
              f"{pandas_s / single['polars_single_s']:>14.1f}x {prod['rss_loaded_mb']:>15,.0f} {prod['peak_mb']:>13,.0f}")
    print(f"\ntargets: single-pass speed-up >= {TARGET_SPEEDUP}x; peak RSS < {TARGET_PEAK_MB:,} MB at 10M sets")
    for size, res in results.items():
        prod, single = res["prod"], res["single"]
        speed = res["pandas_s"] / single["polars_single_s"]
        print(f"  {human(size)}: speed-up {speed:.1f}x {'met' if speed >= TARGET_SPEEDUP else 'MISSED'} "
              f"(pandas 1-pass / polars full detect_segmented: {res['pandas_s'] / prod['detect_s']:.1f}x); "
              f"peak {prod['peak_mb']:,.0f} MB {'met' if prod['peak_mb'] < TARGET_PEAK_MB else 'MISSED'} "
              f"(above the loaded input: {prod['peak_mb'] - prod['rss_loaded_mb']:,.0f} MB; detect_segmented alone "
              f"from the series: {res['det']['peak_mb']:,.0f} MB)")

    for size, res in results.items():
        if not (args.profile or res["prod"]["peak_mb"] >= TARGET_PEAK_MB):
            continue
        tag = f"[{human(size)}]"
        series_path = work / f"series_{size}.parquet"
        print(f"\n{tag} memory profile (fresh processes; rss = now, peak = ru_maxrss so far, +peak = how far the step "
              "pushed the peak above the RSS it started from, made = estimated_size of its result)")
        for title, kind, arg in (("production path up to the series", "profile_pipeline", inputs[size]),
                                 ("the first fit, from the saved series", "profile_fit", series_path)):
            print(f"  {title}:")
            for st in run_worker(kind, str(arg)):
                if st["rss_mb"] is None:
                    print(f"    {st['step']}")
                    continue
                above = "" if st["above_start_mb"] is None else f"+peak {st['above_start_mb']:>6,.0f}"
                made = "" if st["made_mb"] is None else f"made {st['made_mb']:>6,.0f} MB"
                shape = "" if st["shape"] is None else f" {st['shape'][0]:,} x {st['shape'][1]}"
                print(f"    {st['step']:<50} rss {st['rss_mb']:>6,.0f}  peak {st['peak_mb']:>6,.0f}  {above:>12}  "
                      f"{made}{shape}")
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
