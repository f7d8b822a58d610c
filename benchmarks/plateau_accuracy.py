"""Score the strength-trend detector on the scenario grid (analysis.scenarios).

    python benchmarks/plateau_accuracy.py [--seeds 1 2 3] [--trainees N]
        [--scenarios steady noisy ...] [--json FILE]

For every lift scenario and seed the cohort is generated, every main lift is
classified by ``trends.lift_trends`` as of the trainee's last logged day, and
compared with the truth (a ROPE of ``trends.ROPE_PCT_PER_WEEK`` on the true
path's log-slope over the last 3 weeks; see analysis/scenarios.py). Printed
per scenario and pooled:

* top-class accuracy (argmax of p_progressing / p_plateau / p_declining;
  series the detector calls insufficient_data are counted, not scored),
  committed accuracy and coverage (status among the three classes; uncertain
  abstains), per-class recall, expected calibration error (10 bins on the
  top-class probability), multi-class Brier score, the risk-coverage curve;
* plateau start: median error in weeks over true plateaus called plateau and
  the share whose [plateau_since_low, plateau_since_high] holds the true start;
* a naive baseline on the same logs: Theil-Sen slope of the session-best log
  e1RM over the last 8 weeks (scipy.stats.theilslopes, 95% interval); top
  class from the slope against the ROPE, a committed call when the interval
  is wholly above, below or inside the ROPE;
* the ceiling: for each series the noise-free true path at its sessions
  (deload weeks out) is compared with the nearest path the generator could
  have drawn in another class: for a progression or decline, flat (drift
  within +-0.07 %/week) since some τ 3-16 weeks before the end; for a
  plateau, progress (>= ROPE %/week) resumed since τ 6-40 weeks before the
  end or one line at >= ROPE, or a decline (<= -0.25 %/week) since τ 3-16
  weeks before the end; each continuous with the true path at τ. With the
  session noise SD sigma (robust, measured against the truth within series
  and block, per scenario), telling the two known paths apart at equal odds
  is right with probability Phi(sqrt(lambda) / 2), lambda = squared distance
  / sigma^2 (Neyman-Pearson). Knowing both paths makes it optimistic; taking
  the nearest alternative rather than the prior over them makes it
  pessimistic: read it as where the undecidable series are, not as a bound.
  Beside it, "typical": the same accuracy averaged over the alternative's
  change time τ (against a typical rather than the nearest alternative).
  Also: told that a series is a plateau, where does least squares put its
  start (flat since τ, rep terms, deloads out)?

Until the detector gives probabilities they are one-hot of its status.
"""

from __future__ import annotations

import datetime as dt
import time
import warnings

import numpy as np
import polars as pl
from scipy.stats import norm, theilslopes

from analysis import catalog, scenarios, strength, synth, trends

CLASSES = ("progressing", "plateau", "declining")
ROPE = scenarios.ROPE_PCT_PER_WEEK
HORIZON_WEEKS = trends.HORIZON_WEEKS
MIN_SESSIONS = trends.MIN_SESSIONS
REFERENCE_REPS = trends.REFERENCE_REPS
BASELINE_WEEKS = 8
KEYS = ["scenario", "seed", "trainee_id", "lift"]


def truth_table(truth: dict) -> pl.DataFrame:
    rows = [(tid, lift, t["status"], t["plateau_since"], t["change_since"], t["rate_pct_per_week"], p["last_day"])
            for tid, p in truth["trainees"].items() for lift, t in p["lifts"].items()]
    return pl.DataFrame(rows, orient="row", schema=["trainee_id", "lift", "truth", "true_since", "change_since",
                                                     "true_rate", "last_day"]).with_columns(
        pl.col("true_since", "change_since", "last_day").str.to_date()).with_columns(
        ((pl.col("last_day") - pl.col("change_since")).dt.total_days() / 7).alias("weeks_since"))


def adapt(detected: pl.DataFrame) -> pl.DataFrame:
    """The detector's output in the columns scored here, whatever its version."""
    out = scenarios.with_probabilities(detected, CLASSES)
    for c in ("plateau_since", "plateau_since_low", "plateau_since_high"):
        if c not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Date).alias(c))
    return out.select("trainee_id", "lift", "status", *(f"p_{c}" for c in CLASSES),
                      "plateau_since", "plateau_since_low", "plateau_since_high")


def main_series(sets: pl.DataFrame, as_of: pl.DataFrame, weeks: float) -> pl.DataFrame:
    """Session-best e1RM (log, ``y``) of the main lifts within ``weeks`` before as_of; ``t`` in weeks."""
    best = strength.session_best_e1rm(sets.filter(pl.col("lift").is_in(synth.MAIN_LIFTS))).rename({"exercise": "lift"})
    start = pl.col("as_of") - pl.duration(days=int(weeks * 7))
    return (best.join(as_of, on="trainee_id").filter(pl.col("date").is_between(start, pl.col("as_of")))
            .with_columns(((pl.col("date") - pl.col("as_of")).dt.total_days() / 7).alias("t"),
                          pl.col("e1rm_kg").log().alias("y"))
            .sort("trainee_id", "lift", "date", "session_id"))


# --------------------------------------------------------------------------
# Naive baseline
# --------------------------------------------------------------------------


def naive_baseline(series: pl.DataFrame) -> pl.DataFrame:
    """Theil-Sen over the last 8 weeks: top class from the slope, committed call from its 95% interval."""
    rows = []
    recent = series.filter(pl.col("t") >= -BASELINE_WEEKS)
    for (tid, lift), g in recent.group_by("trainee_id", "lift", maintain_order=True):
        t, y = g.get_column("t").to_numpy(), g.get_column("y").to_numpy()
        if t.size < 4 or np.ptp(t) < 2:
            rows.append((tid, lift, "insufficient_data", None))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            slope, _, low, high = theilslopes(y, t, alpha=0.95)
        slope, low, high = (100 * v for v in (slope, low, high))
        top = "progressing" if slope > ROPE else "declining" if slope < -ROPE else "plateau"
        status = ("progressing" if low > ROPE else "declining" if high < -ROPE
                  else "plateau" if -ROPE <= low and high <= ROPE else "uncertain")
        rows.append((tid, lift, status, top))
    d = pl.DataFrame(rows, orient="row", schema=["trainee_id", "lift", "status", "top"])
    return d.with_columns(pl.when(pl.col("status") == "insufficient_data").then(None)
                          .otherwise((pl.col("top") == c).cast(pl.Float64)).alias(f"p_{c}") for c in CLASSES).drop("top")


# --------------------------------------------------------------------------
# Ceiling
# --------------------------------------------------------------------------

PLATEAU_DRIFT = 0.07  # %/week, the generator's plateau drift
DECLINE_MIN = 0.25  # %/week, the generator's slowest decline
PROGRESS_RESUMED = (6, 40)  # weeks before the end a resumed progression began


def against_truth(series: pl.DataFrame, truth: dict) -> pl.DataFrame:
    """Main-lift sessions outside deload weeks with the true log 1RM (``y_true``) and the block."""
    blocks = pl.DataFrame([(tid, b["start"], b["end"], b["kind"]) for tid, p in truth["trainees"].items()
                           for b in p["blocks"]], orient="row", schema=["trainee_id", "start", "end", "block"]
                          ).with_columns(pl.col("start", "end").str.to_date())
    lifts = pl.DataFrame([(tid, lift) for tid, p in truth["trainees"].items() for lift in p["lifts"]],
                         orient="row", schema=["trainee_id", "lift"])
    main = (series.join(lifts, on=["trainee_id", "lift"], how="semi").join(blocks, on="trainee_id")
            .filter(pl.col("date").is_between("start", "end") & (pl.col("block") != "deload"))
            .sort("trainee_id", "lift", "date", "session_id"))
    parts = [np.log(synth.true_one_rm(truth["trainees"][tid]["lifts"][lift], g.get_column("date")))
             for (tid, lift), g in main.group_by("trainee_id", "lift", maintain_order=True)]
    y_true = np.concatenate(parts) if parts else np.zeros(0)
    return main.with_columns(pl.Series("y_true", y_true)).select(
        "trainee_id", "lift", "date", "t", "block", "start", "reps", "y", "y_true")


def _regime_distances(t: np.ndarray, y: np.ndarray, weeks: tuple[float, float], lo: float, hi: float) -> np.ndarray:
    """Least squared distance from (t, y) to a path equal to it up to τ and with a slope in
    [lo, hi] (log units a week) after, for every session time τ with -weeks[1] <= τ <= -weeks[0]."""
    out = []
    for i in np.flatnonzero((t >= -weeks[1]) & (t <= -weeks[0])):
        u, v = t[i + 1:] - t[i], y[i + 1:] - y[i]
        if u.size:
            s = np.clip((u @ v) / (u @ u), lo, hi)
            out.append(float(((v - s * u) ** 2).sum()))
    return np.array(out)


def _line_distance(t: np.ndarray, y: np.ndarray, lo: float, hi: float) -> float:
    """Squared distance to the best straight line with a slope in [lo, hi]."""
    tc, yc = t - t.mean(), y - y.mean()
    s = np.clip((tc @ yc) / (tc @ tc), lo, hi) if tc @ tc > 0 else 0.0
    return float(((yc - s * tc) ** 2).sum())


def other_class_paths(t: np.ndarray, y: np.ndarray, truth: str) -> dict[str, np.ndarray]:
    """Squared distances from a true path to the paths of each other class the generator could
    have drawn, one per change time τ (see the module doc)."""
    rope, drift = ROPE / 100, PLATEAU_DRIFT / 100
    if truth in ("progressing", "declining"):
        return {"plateau": _regime_distances(t, y, (3, 16), -drift, drift)}
    return {"progressing": np.r_[_regime_distances(t, y, PROGRESS_RESUMED, rope, 0.02),
                                 _line_distance(t, y, rope, 0.02)],
            "declining": _regime_distances(t, y, (3, 16), -0.02, -DECLINE_MIN / 100)}


def plateau_start_told(t: np.ndarray, y: np.ndarray, reps: np.ndarray) -> float:
    """τ of the best flat-since-τ fit (rep terms) of a series known to be a plateau."""
    x = (reps - REFERENCE_REPS) / 5
    taus = np.unique(t)[1:-1]
    if taus.size == 0:
        return np.nan
    design = np.stack([np.column_stack([np.ones_like(t), np.minimum(t - tau, 0), x, x * x]) for tau in taus])
    xtx = design.transpose(0, 2, 1) @ design + 1e-9 * np.eye(4)
    beta = np.linalg.solve(xtx, (design.transpose(0, 2, 1) @ y)[..., None])[..., 0]
    sse = ((y[None, :] - np.einsum("knp,kp->kn", design, beta)) ** 2).sum(axis=1)
    return float(taus[np.argmin(sse)])


def ceiling(known: pl.DataFrame, cases: pl.DataFrame) -> tuple[dict, pl.DataFrame]:
    """Session noise SD per scenario and, per series, the Bayes accuracy against its nearest
    other-class path and (plateaus) the error in weeks of the least-squares start."""
    err = pl.col("y") - pl.col("y_true")
    centred = err - err.median().over("scenario", "seed", "trainee_id", "lift", "start")
    sigma = dict(known.group_by("scenario").agg((centred.abs().median() * 1.4826).alias("s")).rows())
    rows = []
    joined = known.join(cases.select(*KEYS, "truth", "true_since", "last_day"), on=KEYS).sort(*KEYS, "t")
    for key, g in joined.group_by(KEYS, maintain_order=True):
        if g.height < 3:
            continue
        t, truth = g.get_column("t").to_numpy(), g.item(0, "truth")
        paths = {k: v / sigma[key[0]] ** 2 for k, v in
                 other_class_paths(t, g.get_column("y_true").to_numpy(), truth).items() if v.size}
        if not paths:
            continue
        lam = min(v.min() for v in paths.values())
        typical = min(norm.cdf(np.sqrt(v) / 2).mean() for v in paths.values())
        start_err = None
        if truth == "plateau":
            found = plateau_start_told(t, g.get_column("y").to_numpy(), g.get_column("reps").to_numpy())
            start_err = abs(found + (g.item(0, "last_day") - g.item(0, "true_since")).days / 7)
        rows.append((*key, truth, lam, float(norm.cdf(np.sqrt(lam) / 2)), float(typical), start_err))
    per = pl.DataFrame(rows, orient="row", schema=[*KEYS, "truth", "lam", "p_right", "p_typical", "start_err"])
    return sigma, per


# --------------------------------------------------------------------------
# Running and reporting
# --------------------------------------------------------------------------


def run(seeds: list[int], n_trainees: int | None, names: list[str]) -> dict[str, pl.DataFrame]:
    scored, base, known, timing = [], [], [], {"generate": 0.0, "detect": 0.0, "baseline": 0.0}
    for name in names:
        for seed in seeds:
            t0 = time.perf_counter()
            tables, truth = scenarios.generate(name, seed, n_trainees)
            sets = catalog.annotate(tables["sets"])
            as_of = sets.group_by("trainee_id").agg(pl.col("date").max().alias("as_of"))
            t1 = time.perf_counter()
            detected, _ = trends.lift_trends(sets, as_of)
            t2 = time.perf_counter()
            cases = truth_table(truth)
            tag = [pl.lit(name).alias("scenario"), pl.lit(seed).alias("seed")]
            got = (cases.join(adapt(detected), on=["trainee_id", "lift"], how="left")
                   .with_columns(pl.col("status").fill_null("insufficient_data"), *tag))
            scored.append(got)
            series = main_series(sets, as_of, max(HORIZON_WEEKS, BASELINE_WEEKS))
            naive = naive_baseline(series)
            base.append(cases.select("trainee_id", "lift", "truth").join(naive, on=["trainee_id", "lift"], how="left")
                        .with_columns(pl.col("status").fill_null("insufficient_data"), *tag))
            known.append(against_truth(series, truth).with_columns(*tag))
            t3 = time.perf_counter()
            timing["generate"] += t1 - t0
            timing["detect"] += t2 - t1
            timing["baseline"] += t3 - t2
    return {"scored": pl.concat(scored), "baseline": pl.concat(base), "known": pl.concat(known),
            "timing": timing}


def _f(x, digits: int = 3) -> str:
    return "  -  " if x is None else f"{x:.{digits}f}"


def report(res: dict, names: list[str]) -> dict:
    scored, base = res["scored"], res["baseline"]
    t0 = time.perf_counter()
    sigma, per = ceiling(res["known"], scored)
    res["timing"]["ceiling"] = time.perf_counter() - t0
    # the ceiling over the series the detector scored
    per = per.join(scored.select(*KEYS, "status"), on=KEYS).filter(pl.col("status") != "insufficient_data")
    figures: dict = {"rope_pct_per_week": ROPE, "scenarios": {}, "pooled": {}}
    header = (f"{'scenario':15s} {'n':>5s} {'insuf':>5s} {'top':>6s} {'commit':>6s} {'cover':>6s} {'ECE':>6s} "
              f"{'Brier':>6s} {'rec:prog':>8s} {'plat':>5s} {'decl':>5s} | {'TS top':>6s} {'TS com':>6s} "
              f"{'TS cov':>6s} | {'ceil':>5s} {'typ':>5s} {'sigma%':>6s} | {'start':>5s} {'in80':>5s}")
    print(header)
    print("-" * len(header))
    for name in [*names, "pooled"]:
        d = scored if name == "pooled" else scored.filter(pl.col("scenario") == name)
        b = base if name == "pooled" else base.filter(pl.col("scenario") == name)
        c = per if name == "pooled" else per.filter(pl.col("scenario") == name)
        s = scenarios.score(d, CLASSES)
        sb = scenarios.score(b, CLASSES)
        starts = scenarios.since_errors(d.filter((pl.col("truth") == "plateau") & (pl.col("status") == "plateau")),
                                        "plateau_since")
        ceil = c.get_column("p_right").mean() if c.height else None
        typ = c.get_column("p_typical").mean() if c.height else None
        entry = {"detector": s, "baseline": sb, "plateau_start": starts,
                 "ceiling": {"mean_p_right": ceil, "mean_p_typical": typ, "n": c.height,
                             "by_class": dict(c.group_by("truth").agg(pl.col("p_right").mean()).rows()),
                             "median_lambda": dict(c.group_by("truth").agg(pl.col("lam").median()).rows()),
                             "told_start_median_error_weeks": c.get_column("start_err").drop_nulls().median()}}
        if name != "pooled":
            entry["ceiling"]["sigma_pct"] = 100 * sigma.get(name, float("nan"))
            figures["scenarios"][name] = entry
        else:
            figures["pooled"] = entry
        rec = s.get("recall", {})
        print(f"{name:15s} {s['n']:5d} {s['insufficient']:5d} {_f(s.get('top_accuracy'))} "
              f"{_f(s.get('committed_accuracy'))} {_f(s.get('coverage'))} {_f(s.get('ece'))} {_f(s.get('brier'))} "
              f"{_f(rec.get('progressing')):>8s} {_f(rec.get('plateau'), 2):>5s} {_f(rec.get('declining'), 2):>5s} | "
              f"{_f(sb.get('top_accuracy'))} {_f(sb.get('committed_accuracy'))} {_f(sb.get('coverage'))} | "
              f"{_f(ceil, 2):>5s} {_f(typ, 2):>5s} {(_f(100 * sigma[name], 2) if name in sigma else '  -  '):>6s} | "
              f"{_f(starts['median_error_weeks'], 1):>5s} {_f(starts['interval_coverage'], 2):>5s}")
    pooled = figures["pooled"]
    s, sb = pooled["detector"], pooled["baseline"]
    print("\ncolumns: top = top-class accuracy; commit/cover = accuracy and coverage of committed calls; rec = "
          "top-class recall; TS = naive Theil-Sen baseline; ceil = equal-odds Bayes accuracy against the nearest "
          "other-class path (typ: against a typical one, averaged over the change time); start = plateau_since median error (weeks) on true plateaus called plateau; in80 = "
          "share of those whose 80% interval holds the true start")
    print(f"\npooled truth mix (scored): {({k: round(v, 3) for k, v in s['truth_mix'].items()})}")
    print("risk-coverage (commit when top-class p >= threshold):")
    for r in s["risk_coverage"]:
        print(f"  p >= {r['threshold']:.2f}: coverage {_f(r['coverage'])}  accuracy {_f(r['accuracy'])}")
    print("reliability (top-class p bins): " + ", ".join(
        f"[{r['bin'] / 10:.1f},{(r['bin'] + 1) / 10:.1f}) n={r['n']} p={r['confidence']:.2f} acc={r['accuracy']:.2f}"
        for r in s["reliability"]))
    c = pooled["ceiling"]
    gap = s["top_accuracy"] - c["mean_p_right"]
    print(f"ceiling (pooled, {c['n']} series): nearest {c['mean_p_right']:.3f}, typical {c['mean_p_typical']:.3f}; "
          f"nearest by class "
          f"{({k: round(v, 3) for k, v in c['by_class'].items()})}; median lambda "
          f"{({k: round(v, 2) for k, v in c['median_lambda'].items()})}")
    print(f"detector top-class accuracy {s['top_accuracy']:.3f} = ceiling {gap:+.3f} "
          f"({100 * s['top_accuracy'] / c['mean_p_right']:.0f}% of it); naive baseline {sb['top_accuracy']:.3f}")
    print(f"plateau start: detector median error {_f(pooled['plateau_start']['median_error_weeks'], 1)} weeks "
          f"(n={pooled['plateau_start']['n']}), 80% interval coverage {_f(pooled['plateau_start']['interval_coverage'], 2)}; "
          f"least squares told it is a plateau: {_f(c['told_start_median_error_weeks'], 1)} weeks")
    return figures


def main() -> None:
    args = scenarios.benchmark_arguments(__doc__.splitlines()[0], scenarios.LIFT_SCENARIOS, 60)
    start = time.perf_counter()
    res = run(args.seeds, args.trainees, args.scenarios)
    n = res["scored"].height
    print(f"{n} main-lift series: scenarios {', '.join(args.scenarios)}; seeds {args.seeds}; ROPE {ROPE} %/week")
    scenarios.finish_benchmark(report(res, args.scenarios), args, start, res["timing"])


if __name__ == "__main__":
    main()
