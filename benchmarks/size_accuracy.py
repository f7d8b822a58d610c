"""Score the size status against the synthetic cohort's truth.

    python benchmarks/size_accuracy.py [--seeds 1 2 3] [--trainees 60]

Truth (synth.py): limb girths growing, flat, shrinking, or rising with a
faster-rising waist (fat gain, truth "flat"); some trainees log no body
measurements (truth "insufficient_data"). Prints accuracy, per-class recall
and precision, the confusion matrix and accuracy per scenario.
"""

from __future__ import annotations

import argparse
import time

import polars as pl

from analysis import body, progress, synth


def run(seeds: list[int], n_trainees: int) -> pl.DataFrame:
    rows = []
    for seed in seeds:
        tables, truth = synth.generate(n_trainees=n_trainees, seed=seed)
        as_of = progress.as_of_dates(tables["sets"])
        status, _ = body.size(tables["body"], tables["trainees"], as_of)
        known = pl.DataFrame([(tid, p["size"]["status"], p["size"]["scenario"]) for tid, p in truth["trainees"].items()],
                             orient="row", schema=["trainee_id", "truth", "scenario"])
        rows.append(status.join(known, on="trainee_id").with_columns(pl.lit(seed).alias("seed")))
    return pl.concat(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--trainees", type=int, default=60)
    args = parser.parse_args()
    start = time.perf_counter()
    d = run(args.seeds, args.trainees)
    right = pl.col("status") == pl.col("truth")
    print(f"size status on {d.height} trainees (seeds {args.seeds}): accuracy {d.select(right.mean()).item():.3f} "
          f"({time.perf_counter() - start:.1f} s)")
    share = right.mean().round(2).alias("share")
    print("recall:   ", dict(d.group_by("truth").agg(share).sort("truth").rows()))
    print("precision:", dict(d.group_by("status").agg(share).sort("status").rows()))
    print("by scenario:", dict(d.group_by("scenario").agg(share).sort("scenario").rows()))
    print("confusion (rows: truth, columns: detected):")
    print(d.group_by("truth", "status").len().pivot(on="status", index="truth", values="len").fill_null(0).sort("truth"))


if __name__ == "__main__":
    main()
