"""Score the strength-trend detectors against the synthetic cohort's truth.

    python benchmarks/plateau_accuracy.py [--seeds 1 2 3] [--trainees 60]

For each seed a cohort is generated (synth.py: noise, block switches, deloads,
RPE missing for about half the trainees), every main lift is classified as of
the trainee's last logged day, and the result is compared with truth.json:
overall and per-class accuracy (recall), precision, the confusion matrix, the
median error of plateau_since in weeks, and accuracy by how long ago the
true change began (a recent change has had little time to show).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import polars as pl

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


def run(seeds: list[int], n_trainees: int) -> pl.DataFrame:
    results = []
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
    return pl.concat(results)


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
    scored = run(args.seeds, args.trainees)
    print(f"{scored.height // len(METHODS)} lift series from seeds {args.seeds}, "
          f"{args.trainees} trainees each ({time.perf_counter() - start:.1f} s)")
    report(scored)


if __name__ == "__main__":
    main()
