"""Score the size status on the size scenarios of the grid (analysis.scenarios).

    python benchmarks/size_accuracy.py [--seeds 1 2 3] [--trainees N]
        [--scenarios size_growing ...] [--json FILE]

Scenarios: limb girths growing, growing then stopped 8-20 weeks before the
last log (truth flat), flat, rising with a much faster-rising waist (fat
gain, truth flat), shrinking; ~5% of trainees measure no girths (truth
insufficient_data). Truth is a ROPE of ``body.SIZE_ROPE_CM_PER_WEEK`` on the
mean true rate of arm, chest and thigh girth over the last 3 weeks (fat
gain: flat by definition). Printed per scenario and pooled: top-class
accuracy (argmax of p_growing / p_flat / p_shrinking; insufficient_data
counted, not scored), committed accuracy and coverage (uncertain abstains),
ECE (10 bins on the top-class probability), multi-class Brier score, the
risk-coverage curve, and on grow_then_stop the flat_since median error and
the share whose [flat_since_low, flat_since_high] holds the true stop.
Until the detector gives probabilities they are one-hot of its status.
"""

from __future__ import annotations

import time

import polars as pl

from analysis import body, progress, scenarios

CLASSES = ("growing", "flat", "shrinking")


def adapt(status: pl.DataFrame) -> pl.DataFrame:
    out = scenarios.with_probabilities(status, CLASSES)
    for c in ("flat_since", "flat_since_low", "flat_since_high"):
        if c not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Date).alias(c))
    return out.select("trainee_id", "status", *(f"p_{c}" for c in CLASSES),
                      "flat_since", "flat_since_low", "flat_since_high")


def run(seeds: list[int], n_trainees: int | None, names: list[str]) -> tuple[pl.DataFrame, dict]:
    rows, timing = [], {"generate": 0.0, "detect": 0.0}
    for name in names:
        for seed in seeds:
            t0 = time.perf_counter()
            tables, truth = scenarios.generate(name, seed, n_trainees)
            as_of = progress.as_of_dates(tables["sets"])
            t1 = time.perf_counter()
            status, _ = body.size(tables["body"], tables["trainees"], as_of)
            t2 = time.perf_counter()
            known = pl.DataFrame([(tid, p["size"]["status"], p["size"]["flat_since"], p["last_day"])
                                  for tid, p in truth["trainees"].items()], orient="row",
                                 schema={"trainee_id": pl.String, "truth": pl.String, "true_since": pl.String,
                                         "last_day": pl.String}).with_columns(
                pl.col("true_since", "last_day").str.to_date())
            rows.append(known.join(adapt(status), on="trainee_id", how="left").with_columns(
                pl.col("status").fill_null("insufficient_data"), pl.lit(name).alias("scenario"),
                pl.lit(seed).alias("seed")))
            timing["generate"] += t1 - t0
            timing["detect"] += t2 - t1
    return pl.concat(rows, how="vertical_relaxed"), timing


def _f(x, digits: int = 3) -> str:
    return "  -  " if x is None else f"{x:.{digits}f}"


def report(d: pl.DataFrame, names: list[str]) -> dict:
    figures: dict = {"size_rope_cm_per_week": scenarios.SIZE_ROPE_CM_PER_WEEK, "scenarios": {}}
    truth_known = pl.col("truth") != "insufficient_data"
    header = (f"{'scenario':20s} {'n':>5s} {'insuf':>5s} {'t-insuf':>7s} {'top':>6s} {'commit':>6s} {'cover':>6s} "
              f"{'ECE':>6s} {'Brier':>6s} | {'flat_since err':>14s} {'in80':>5s}")
    print(header)
    print("-" * len(header))
    for name in [*names, "pooled"]:
        sub = d if name == "pooled" else d.filter(pl.col("scenario") == name)
        s = scenarios.score(sub.filter(truth_known), CLASSES)
        s["truth_insufficient"] = sub.filter(~truth_known).height
        s["truth_insufficient_called_insufficient"] = sub.filter(~truth_known).select(
            (pl.col("status") == "insufficient_data").mean()).item()
        stops = scenarios.since_errors(sub.filter((pl.col("scenario") == "size_grow_then_stop") & truth_known
                                                  & (pl.col("truth") == "flat") & (pl.col("status") == "flat")),
                                       "flat_since")
        s["flat_since"] = stops
        if name == "pooled":
            figures["pooled"] = s
        else:
            figures["scenarios"][name] = s
        print(f"{name:20s} {s['n']:5d} {s['insufficient']:5d} {s['truth_insufficient']:7d} {_f(s.get('top_accuracy'))} "
              f"{_f(s.get('committed_accuracy'))} {_f(s.get('coverage'))} {_f(s.get('ece'))} {_f(s.get('brier'))} | "
              f"{_f(stops['median_error_weeks'], 1):>14s} {_f(stops['interval_coverage'], 2):>5s}")
    s = figures["pooled"]
    print("\ncolumns: n = trainees with girths (truth known); insuf = of them called insufficient_data (not scored); "
          "t-insuf = trainees with no girths; top = top-class accuracy; commit/cover = committed calls; "
          "flat_since err = median weeks on grow_then_stop called flat; in80 = 80% interval coverage")
    print(f"pooled recall: {({k: None if v is None else round(v, 3) for k, v in s['recall'].items()})}; truth mix "
          f"{({k: round(v, 3) for k, v in s['truth_mix'].items()})}; no-girth trainees called insufficient_data: "
          f"{_f(s['truth_insufficient_called_insufficient'], 2)}")
    print("risk-coverage (commit when top-class p >= threshold): " + "; ".join(
        f"{r['threshold']:.2f}: cov {_f(r['coverage'], 2)} acc {_f(r['accuracy'], 2)}" for r in s["risk_coverage"]))
    print("reliability (top-class p bins): " + ", ".join(
        f"[{r['bin'] / 10:.1f},{(r['bin'] + 1) / 10:.1f}) n={r['n']} p={r['confidence']:.2f} acc={r['accuracy']:.2f}"
        for r in s["reliability"]))
    confusion = (d.filter(truth_known).group_by("truth", "status").len()
                 .pivot(on="status", index="truth", values="len").fill_null(0).sort("truth"))
    print("confusion (rows: truth, columns: status):")
    print(confusion)
    figures["confusion"] = confusion.to_dicts()
    return figures


def main() -> None:
    args = scenarios.benchmark_arguments(__doc__.splitlines()[0], scenarios.SIZE_SCENARIOS, 200)
    start = time.perf_counter()
    d, timing = run(args.seeds, args.trainees, args.scenarios)
    print(f"size status on {d.height} trainees: scenarios {', '.join(args.scenarios)}; seeds {args.seeds}; "
          f"ROPE {scenarios.SIZE_ROPE_CM_PER_WEEK} cm/week (mean limb girth)")
    scenarios.finish_benchmark(report(d, args.scenarios), args, start, timing)


if __name__ == "__main__":
    main()
