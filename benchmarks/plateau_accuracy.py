"""Score the strength-trend detectors against the synthetic cohort's truth.

    python benchmarks/plateau_accuracy.py [--seeds 1 2 3] [--trainees 60]

For each seed a cohort is generated (synth.py: noise, block switches, deloads,
RPE missing for about half the trainees), every main lift is classified as of
the trainee's last logged day, and the result is compared with truth.json:
overall and per-class accuracy (recall), precision, the confusion matrix, the
median error of plateau_since in weeks, and accuracy by how long ago the
true change began (a recent change has had little time to show).

Then the ceiling: how well any detector could do on the same logs. For each
series the noise-free true path (truth.json) at its sessions, deload weeks
out, is compared with the nearest path the generator could have drawn in
another class: a plateau with one straight line, a decline with flat since
some date, a progression with flat over at least its last 4 weeks (the
shortest plateau drawn). With the session noise SD sigma known (measured
against the truth, within series and block), telling two known paths apart
at equal odds is right with probability 1 - Phi(-sqrt(lambda) / 2),
lambda = (squared distance of the paths) / sigma^2 (the Neyman-Pearson
likelihood-ratio test). The mean over series is an optimistic ceiling: a real
detector knows neither path. For plateau_since: told that a series is a
plateau, where does least squares put its start (flat since τ, rep terms,
deload weeks out)?
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import polars as pl
from scipy.stats import norm

from analysis import catalog, synth, trends

METHODS = {
    "segmented (BIC)": lambda s: trends.detect_segmented(s, "bic"),
    "segmented (slope-change test)": lambda s: trends.detect_segmented(s, "change_test"),
    "theil-sen + rolling best": trends.detect_theil_sen,
}


def truth_table(truth: dict) -> pl.DataFrame:
    rows = [(tid, lift, t["status"], t["plateau_since"], t["change_since"], p["experience"])
            for tid, p in truth["trainees"].items() for lift, t in p["lifts"].items()]
    return pl.DataFrame(rows, orient="row", schema=["trainee_id", "lift", "truth", "true_since",
                                                     "change_since", "experience"]).with_columns(
        pl.col("true_since", "change_since").str.to_date())


def run(seeds: list[int], n_trainees: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    results, ceilings = [], []
    for seed in seeds:
        tables, truth = synth.generate(n_trainees=n_trainees, seed=seed)
        sets = catalog.annotate(tables["sets"])
        as_of = sets.group_by("trainee_id").agg(pl.col("date").max().alias("as_of"))
        series = trends.session_series(sets, as_of)
        known = truth_table(truth).with_columns(
            ((dt.date.fromisoformat(truth["end"]) - pl.col("change_since")).dt.total_days() / 7).alias("weeks_since"))
        for name, detect in METHODS.items():
            got = detect(series).join(known, on=["trainee_id", "lift"])
            results.append(got.select("trainee_id", "lift", "status", "plateau_since", "truth", "true_since",
                                      "weeks_since", "experience").with_columns(
                pl.lit(name).alias("method"), pl.lit(seed).alias("seed")))
        ceilings.append(against_truth(series, truth).with_columns(pl.lit(seed).alias("seed")))
    return pl.concat(results), pl.concat(ceilings)


def against_truth(series: pl.DataFrame, truth: dict) -> pl.DataFrame:
    """Main-lift sessions outside deload weeks with the true log 1RM (``y_true``) and the block."""
    blocks = pl.DataFrame([(tid, b["start"], b["end"], b["kind"]) for tid, p in truth["trainees"].items()
                           for b in p["blocks"]], orient="row", schema=["trainee_id", "start", "end", "block"]
                          ).with_columns(pl.col("start", "end").str.to_date())
    main = (series.filter(pl.col("lift").is_in(synth.MAIN_LIFTS)).join(blocks, on="trainee_id")
            .filter(pl.col("date").is_between("start", "end") & (pl.col("block") != "deload"))
            .sort("trainee_id", "lift", "t"))
    y_true = np.concatenate([np.log(synth.true_one_rm(truth["trainees"][tid]["lifts"][lift], g.get_column("date")))
                             for (tid, lift), g in main.group_by("trainee_id", "lift", maintain_order=True)])
    return main.with_columns(pl.Series("y_true", y_true)).select(
        "trainee_id", "lift", "date", "t", "block", "reps", "y", "y_true")


def _sse(t: np.ndarray, y: np.ndarray, columns: list[np.ndarray]) -> float:
    x = np.column_stack([np.ones_like(t), *columns])
    r = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    return float(r @ r)


def nearest_other_class(t: np.ndarray, y: np.ndarray, truth: str) -> float:
    """Squared distance from a true path to the nearest path of another class (see the module doc)."""
    if truth == "plateau":
        return _sse(t, y, [t])
    flat_since = [tau for tau in np.unique(t)[1:] if truth == "declining" or t[-1] - tau >= 4]
    return min((_sse(t, y, [np.minimum(t - tau, 0)]) for tau in flat_since), default=np.inf)


def plateau_start_told(t: np.ndarray, y: np.ndarray, reps: np.ndarray) -> float:
    """τ of the best flat-since-τ fit (rep terms as in trends) of a series known to be a plateau."""
    x = (reps - trends.REFERENCE_REPS) / 5
    taus = np.unique(t)[1:-1]
    return taus[np.argmin([_sse(t, y, [np.minimum(t - tau, 0), x, x * x]) for tau in taus])]


def ceiling(known: pl.DataFrame, cases: pl.DataFrame) -> tuple[float, pl.DataFrame]:
    """Session noise SD and, per series, the Bayes accuracy against its nearest other-class path
    and (plateaus) the error in weeks of the start least squares finds when told it is a plateau."""
    err = pl.col("y") - pl.col("y_true")
    sigma = known.select((err - err.mean().over("seed", "trainee_id", "lift", "block")).std()).item()
    keys = ["seed", "trainee_id", "lift"]
    rows = []
    joined = known.join(cases.select(*keys, "truth", "weeks_since", "true_since"), on=keys).sort(*keys, "t")
    for _, g in joined.group_by(keys, maintain_order=True):
        if g.height < trends.MIN_SESSIONS:
            continue
        t, truth = g.get_column("t").to_numpy(), g.item(0, "truth")
        lam = nearest_other_class(t, g.get_column("y_true").to_numpy(), truth) / sigma ** 2
        start_err = None
        if truth == "plateau":
            found = plateau_start_told(t, g.get_column("y").to_numpy(), g.get_column("reps").to_numpy())
            start_err = abs(found - (t[-1] - (g.item(-1, "date") - g.item(0, "true_since")).days / 7))
        rows.append((truth, g.item(0, "weeks_since"), lam, start_err))
    per = pl.DataFrame(rows, orient="row", schema=["truth", "weeks_since", "lam", "start_err"]).with_columns(
        pl.Series("p_right", 1 - norm.cdf(-np.sqrt([r[2] for r in rows]) / 2)))
    return sigma, per


def report_ceiling(scored: pl.DataFrame, known: pl.DataFrame) -> None:
    cases = scored.filter(pl.col("method") == next(iter(METHODS)))
    sigma, per = ceiling(known, cases)
    print(f"\n== ceiling: session noise SD {sigma * 100:.1f}% (log e1RM against the true 1RM, within series and "
          f"block); equal-odds Bayes accuracy against the nearest other-class path, mean of {per.height} "
          f"series: {per.get_column('p_right').mean():.3f}")
    print("by class:", {r[0]: f"{r[1]:.2f} (median lambda {r[2]:.1f})" for r in
                        per.group_by("truth").agg(pl.col("p_right").mean(), pl.col("lam").median()).sort("truth").rows()})
    print("share whose whole difference is under 2 noise SDs (lambda < 4):",
          {r[0]: f"{r[1]:.2f}" for r in per.group_by("truth").agg((pl.col("lam") < 4).mean()).sort("truth").rows()})
    by_age = (per.filter(pl.col("truth") != "progressing")
              .group_by((pl.col("weeks_since") // 4 * 4).cast(pl.Int32).alias("w")).agg(pl.col("p_right").mean())
              .sort("w"))
    print("plateau/decline ceiling by weeks since the true change:",
          {f"{r[0]}-{r[0] + 3}": f"{r[1]:.2f}" for r in by_age.rows()})
    print(f"plateau_since, told the series is a plateau: least-squares start median error "
          f"{per.get_column('start_err').median():.1f} weeks")


def report(scored: pl.DataFrame) -> None:
    right = pl.col("status") == pl.col("truth")
    for name in METHODS:
        d = scored.filter(pl.col("method") == name)
        plateau_err = d.filter((pl.col("truth") == "plateau") & (pl.col("status") == "plateau")).select(
            ((pl.col("plateau_since") - pl.col("true_since")).dt.total_days().abs() / 7).median()).item()
        print(f"\n== {name}: accuracy {d.select(right.mean()).item():.3f} on {d.height} lift series; "
              f"plateau_since median error {plateau_err:.1f} weeks")
        recall = d.group_by("truth").agg(right.mean().alias("recall"), pl.len().alias("n")).sort("truth")
        precision = d.group_by("status").agg(right.mean().alias("precision"), pl.len().alias("n")).sort("status")
        print("recall:   ", {r[0]: f"{r[1]:.2f} (n={r[2]})" for r in recall.rows()})
        print("precision:", {r[0]: f"{r[1]:.2f} (n={r[2]})" for r in precision.rows()})
        confusion = d.group_by("truth", "status").len().pivot(on="status", index="truth", values="len").fill_null(0)
        print("confusion (rows: truth, columns: detected):")
        print(confusion.sort("truth"))
        by_age = (d.filter(pl.col("truth") != "progressing")
                  .with_columns((pl.col("weeks_since") // 4 * 4).cast(pl.Int32).alias("weeks_since_change"))
                  .group_by("weeks_since_change").agg(right.mean().alias("accuracy"), pl.len().alias("n"))
                  .sort("weeks_since_change"))
        print("plateau/decline accuracy by weeks since the true change:",
              {f"{r[0]}-{r[0] + 3}": f"{r[1]:.2f} (n={r[2]})" for r in by_age.rows()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--trainees", type=int, default=60)
    args = parser.parse_args()
    start = time.perf_counter()
    scored, known = run(args.seeds, args.trainees)
    print(f"{scored.height // len(METHODS)} lift series from seeds {args.seeds}, "
          f"{args.trainees} trainees each ({time.perf_counter() - start:.1f} s)")
    report(scored)
    report_ceiling(scored, known)


if __name__ == "__main__":
    main()
