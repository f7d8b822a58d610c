"""Score per-block response and goal dates on the block_response scenario (analysis.scenarios).

    python benchmarks/block_response.py [--seeds 4 5 6] [--trainees N] [--json FILE]

For every seed the block_response cohort is generated (hypertrophy and
strength blocks of 3-12 weeks whose true 1RM and girth rates depend on the
block kind; girths every 1-3 weeks) and the pipeline runs as the report would
(``progress.analyse`` with the body log). Block response
(``response.block_response``) is scored twice against the true change of
every lift's 1RM (%), girth (cm) and bodyweight (kg) over each true block,
from its first to its last day:

* on the true blocks passed in: the response estimator alone;
* on the detected blocks: each true block is matched to the reported block
  overlapping it most (days, ends included), whose estimate is compared with
  the true block's change.

Printed per true kind and pooled, for blocks of at least 6 weeks and shorter
blocks apart: the median absolute error (1RM in percentage points, target
<= 1; girths in cm, target <= 0.2; bodyweight in kg), the share of true
changes inside [low, high], and counts (``est`` = true changes given an
estimate; missing estimates are counted, not scored).

Goals (``goals.expected_dates``, no by_date): for goals the true path reaches
within 16 weeks of the last log, the share given an expected date and its
median absolute error in weeks (target <= 3), and the share whose true date
lies in [expected_low, expected_high]; for goals it does not reach, the share
given no date or one more than 16 weeks after the last log. Tuning seeds are
1-3, the default scoring seeds 4-6 were not used for tuning.
"""

from __future__ import annotations

import argparse
import time

import polars as pl

from analysis import goals, progress, response, scenarios

SCENARIO = "block_response"
LONG_WEEKS = 6
HORIZON_DAYS = scenarios.FUTURE_DAYS
BLOCK = ["trainee_id", "start", "end"]
FAMILIES = {"%": ("1RM", "pp", 1.0), "cm": ("girth", "cm", 0.2), "kg": ("bodyweight", "kg", None)}
"""Unit -> (label, error unit, target median absolute error)."""
GOAL_TARGET_WEEKS = 3.0
KIND_ORDER = {"hypertrophy": 0, "strength": 1, "deload": 2, "all": 3}


def truth_tables(truth: dict) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The true blocks (trainee_id, kind, start, end, weeks), their true change per
    measure (trainee_id, start, end, measure, unit, true), and the goals."""
    blocks, changes, wanted = [], [], []
    for tid, p in truth["trainees"].items():
        for b in p["blocks"]:
            key = (tid, b["start"], b["end"])
            blocks.append((*key, b["kind"], b["weeks"]))
            changes += [(*key, m, "%", v) for m, v in b["one_rm_change_pct"].items()]
            changes += [(*key, m, "cm", v) for m, v in b["girth_change_cm"].items()]
            changes.append((*key, "bodyweight_kg", "kg", b["bodyweight_change_kg"]))
        wanted += [(tid, g["what"], g["target"], g["true_reach_date"], p["last_day"]) for g in p["goals"]]
    dates = pl.col("start", "end").str.to_date()
    return (pl.DataFrame(blocks, orient="row", schema=["trainee_id", "start", "end", "kind", "weeks"])
            .with_columns(dates).select("trainee_id", "kind", "start", "end", "weeks"),
            pl.DataFrame(changes, orient="row", schema=["trainee_id", "start", "end", "measure", "unit", "true"])
            .with_columns(dates),
            pl.DataFrame(wanted, orient="row", schema=["trainee_id", "what", "target", "true_date", "last_day"],
                         schema_overrides={"true_date": pl.String})
            .with_columns(pl.col("true_date", "last_day").str.to_date()))


def estimates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col("trainee_id"), pl.col("start", "end").cast(pl.Date), "measure",
                        pl.col("change", "low", "high").cast(pl.Float64))


def on_true_blocks(result: progress.Progress, blocks: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """True changes beside the estimates over the true blocks."""
    found = estimates(response.block_response(result, blocks=blocks))
    return changes.join(blocks, on=BLOCK).join(found, on=[*BLOCK, "measure"], how="left")


def on_detected_blocks(result: progress.Progress, blocks: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """True changes beside the estimates over the reported block overlapping each true block most
    (``kind_found``: its kind; null when none overlaps)."""
    found = response.block_response(result)
    reported = found.select("trainee_id", pl.col("kind").alias("kind_found"),
                            pl.col("start", "end").cast(pl.Date).name.suffix("_found")).unique()
    overlap = (pl.min_horizontal("end", "end_found") - pl.max_horizontal("start", "start_found")).dt.total_days() + 1
    match = (blocks.join(reported, on="trainee_id").with_columns(overlap.alias("overlap"))
             .filter(pl.col("overlap") > 0).sort("overlap", "start_found", descending=[True, False])
             .group_by(BLOCK, maintain_order=True).first()
             .select(*BLOCK, "kind_found", "start_found", "end_found"))
    return (changes.join(blocks, on=BLOCK).join(match, on=BLOCK, how="left")
            .join(estimates(found).rename({"start": "start_found", "end": "end_found"}),
                  on=["trainee_id", "start_found", "end_found", "measure"], how="left"))


def run(seeds: list[int], n_trainees: int | None) -> tuple[dict[str, pl.DataFrame], dict]:
    parts: dict[str, list[pl.DataFrame]] = {"true blocks": [], "detected blocks": [], "goals": []}
    timing = {"generate": 0.0, "analyse": 0.0, "response": 0.0, "goals": 0.0}
    for seed in seeds:
        t0 = time.perf_counter()
        tables, truth = scenarios.generate(SCENARIO, seed, n_trainees)
        blocks, changes, wanted = truth_tables(truth)
        t1 = time.perf_counter()
        result = progress.analyse(tables["sets"], tables["trainees"], body=tables["body"])
        t2 = time.perf_counter()
        parts["true blocks"].append(on_true_blocks(result, blocks, changes).with_columns(pl.lit(seed).alias("seed")))
        parts["detected blocks"].append(on_detected_blocks(result, blocks, changes)
                                        .with_columns(pl.lit(seed).alias("seed")))
        t3 = time.perf_counter()
        asked = wanted.select("trainee_id", "what", "target", pl.lit(None, pl.Date).alias("by_date"))
        dated = goals.expected_dates(result, asked).select(
            "trainee_id", "what", pl.col("target").cast(pl.Float64),
            pl.col("expected_date", "expected_low", "expected_high").cast(pl.Date))
        parts["goals"].append(wanted.join(dated, on=["trainee_id", "what", "target"], how="left")
                              .with_columns(pl.lit(seed).alias("seed")))
        t4 = time.perf_counter()
        for k, a, b in (("generate", t0, t1), ("analyse", t1, t2), ("response", t2, t3), ("goals", t3, t4)):
            timing[k] += b - a
    return {k: pl.concat(v, how="vertical_relaxed") for k, v in parts.items()}, timing


def block_scores(d: pl.DataFrame) -> pl.DataFrame:
    """Per true kind (and ``all``), block length and unit: counts, median absolute error, interval coverage."""
    d = d.with_columns(pl.when(pl.col("weeks") >= LONG_WEEKS).then(pl.lit(f">={LONG_WEEKS} wk"))
                       .otherwise(pl.lit(f"<{LONG_WEEKS} wk")).alias("length"))
    scored = pl.col("change").is_not_null()
    stats = [pl.len().alias("n"), scored.sum().alias("est"),
             (pl.col("change") - pl.col("true")).abs().median().alias("mae"),
             pl.col("true").is_between("low", "high").drop_nulls().mean().alias("coverage"),
             pl.struct("seed", *BLOCK).n_unique().alias("blocks")]
    keys = ["length", "unit"]
    return pl.concat([d.group_by("kind", *keys).agg(stats),
                      d.group_by(keys).agg(stats).with_columns(pl.lit("all").alias("kind"))],
                     how="diagonal").sort(pl.col("kind").replace_strict(KIND_ORDER, default=len(KIND_ORDER)),
                                          "length", "unit")


def goal_scores(g: pl.DataFrame) -> dict:
    horizon = pl.col("last_day") + pl.duration(days=HORIZON_DAYS)
    reached = g.filter(pl.col("true_date").is_not_null())
    dated = reached.filter(pl.col("expected_date").is_not_null())
    missed = g.filter(pl.col("true_date").is_null())
    interval = dated.filter(pl.col("expected_low").is_not_null() & pl.col("expected_high").is_not_null())
    return {
        "reached_n": reached.height,
        "reached_dated_share": dated.height / reached.height if reached.height else None,
        "median_error_weeks": dated.select(
            ((pl.col("expected_date") - pl.col("true_date")).dt.total_days().abs() / 7).median()).item(),
        "interval_coverage": interval.select(pl.col("true_date").is_between("expected_low", "expected_high")
                                             .mean()).item() if interval.height else None,
        "not_reached_n": missed.height,
        "not_reached_undated_share": missed.select(
            (pl.col("expected_date").is_null() | (pl.col("expected_date") > horizon)).mean()).item(),
    }


def _f(x, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _verdict(value: float | None, target: float) -> str:
    return "met" if value is not None and value <= target else "NOT met"


def report(scored: dict[str, pl.DataFrame]) -> dict:
    figures: dict = {}
    units = list(FAMILIES)
    header = f"{'kind':12s} {'length':7s} {'blocks':>6s} | " + " | ".join(
        f"{FAMILIES[u][0] + ' ' + FAMILIES[u][1]:>15s} {'n':>5s} {'est':>5s} {'cover':>5s}" for u in units)
    for name in ("true blocks", "detected blocks"):
        d = scored[name]
        table = block_scores(d)
        figures[name] = table.to_dicts()
        print(f"\nblock response on the {name}: median absolute error of the change over the block")
        print(header)
        print("-" * len(header))
        for (kind, length), rows in table.group_by("kind", "length", maintain_order=True):
            by_unit = {r["unit"]: r for r in rows.to_dicts()}
            cells = [f"{_f(r.get('mae')):>15s} {r.get('n', 0):5d} {r.get('est', 0):5d} {_f(r.get('coverage')):>5s}"
                     for r in (by_unit.get(u, {}) for u in units)]
            print(f"{kind:12s} {length:7s} {max(r['blocks'] for r in by_unit.values()):6d} | " + " | ".join(cells))
        long = table.filter((pl.col("kind") == "all") & (pl.col("length") == f">={LONG_WEEKS} wk"))
        for u, (label, err, target) in FAMILIES.items():
            mae = long.filter(pl.col("unit") == u).get_column("mae").to_list()
            if target is not None and mae:
                print(f"  {label}, blocks >= {LONG_WEEKS} weeks: {_f(mae[0])} {err} (target <= {target}): "
                      f"{_verdict(mae[0], target)}")
        if name == "detected blocks":
            matched = d.unique(["seed", *BLOCK]).select(pl.col("kind_found").is_not_null().mean().alias("matched"),
                                            (pl.col("kind_found") == pl.col("kind")).mean().alias("same_kind"))
            figures["matching"] = matched.to_dicts()[0]
            print(f"  true blocks with an overlapping reported block: {_f(matched['matched'][0])}; "
                  f"of the same kind: {_f(matched['same_kind'][0])}")
    g = goal_scores(scored["goals"])
    figures["goals"] = g
    print(f"\ngoals reached within {HORIZON_DAYS // 7} weeks: n {g['reached_n']}, given a date "
          f"{_f(g['reached_dated_share'])}, median error {_f(g['median_error_weeks'], 1)} weeks (target <= "
          f"{GOAL_TARGET_WEEKS:g}: {_verdict(g['median_error_weeks'], GOAL_TARGET_WEEKS)}), "
          f"true date in [low, high] {_f(g['interval_coverage'])}")
    print(f"goals not reached: n {g['not_reached_n']}, given no date or one after {HORIZON_DAYS // 7} weeks "
          f"{_f(g['not_reached_undated_share'])}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[4, 5, 6])
    parser.add_argument("--trainees", type=int, default=None,
                        help=f"per seed (default: the scenario's, {scenarios.DEFAULT_TRAINEES[SCENARIO]})")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    start = time.perf_counter()
    scored, timing = run(args.seeds, args.trainees)
    trainees = scored["true blocks"].select(pl.struct("seed", "trainee_id").n_unique()).item()
    print(f"{SCENARIO}: {trainees} trainees over seeds {args.seeds}")
    scenarios.finish_benchmark(report(scored), args, start, timing)


if __name__ == "__main__":
    main()
