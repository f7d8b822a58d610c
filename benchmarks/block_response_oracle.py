"""How well could any estimator do on the block_response scenario? Oracle bounds.

    python benchmarks/block_response_oracle.py [--seeds 4 5 6] [--trainees N] [--json FILE]

The scenario's truth (analysis.scenarios, ``block_response``) holds every
main lift's true 1RM and every girth's and bodyweight's true value at knots
(weekly and at block boundaries, linear between them: log-linear for the
1RM), the trainee's total session noise (``noise_pct``) and the true path
16 weeks on. The response estimator (``response.block_response`` on the
true blocks, scored as in benchmarks/block_response.py) is fed, in place of
the logged points, at the logged session and measurement dates:

* ``truth``: the true values, no noise (the estimator's own structural error);
* ``truth + noise``: the true values plus noise drawn as the generator draws
  it (1RM: AR(1) readiness shared by the lifts, lift-specific session noise
  and bad days at the trainee's ``noise_pct``; girths: the day's tape effect
  and the tape's noise, some rounded to 0.5 cm; bodyweight: AR(1) water
  weight and scale noise), but no rep-range bias and no lag of the loads
  behind the truth (what an e1RM adds);
* ``log``: the logged session-best e1RMs and measurements (the benchmark).

Goals (reached within 16 weeks, as in the benchmark): the date at which a
constant rate from the current value reaches the target (log-linear for
lifts, linear for girths), from the last logged day, with

* the true current value and the true future rate (the least-squares rate of
  the true path over the 16 weeks ahead): the error of a constant-rate
  forecast itself;
* the true current value and the true current rate (over the last 3 weeks
  of the log, the truth convention of analysis.scenarios);
* the true current value and the estimated rate (``response.latest``, as ``goals.expected_dates`` uses it);
* the estimated current value and the true future rate;
* ``goals.expected_dates`` itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import time

import numpy as np
import polars as pl
from block_response import (HORIZON_DAYS, SCENARIO, LONG_WEEKS, block_scores, goal_scores, on_true_blocks,
                            truth_tables)
from scipy.signal import lfilter

from analysis import goals, progress, response, scenarios

LEVELS = ("truth", "truth + noise", "log")
GOAL_LEVELS = ("true current, true future rate", "true current, true current rate", "true current, estimated rate",
               "estimated current, true future rate", "goals.expected_dates")


def _days(dates: list[str]) -> np.ndarray:
    return np.array([dt.date.fromisoformat(d).toordinal() for d in dates], dtype=float)


def _true_at(knots: list[list], when: np.ndarray, log: bool) -> np.ndarray:
    """A truth path's value at ordinal days ``when`` (linear between knots; on the log scale for 1RMs)."""
    x, v = _days([k[0] for k in knots]), np.array([k[1] for k in knots])
    return np.exp(np.interp(when, x, np.log(v))) if log else np.interp(when, x, v)


def _lift_noise(rng, noise_pct: float, day0: int, n_days: int) -> tuple[np.ndarray, float]:
    """The generator's session noise recipe: AR(1) daily readiness (log units, from ``day0``) and the SD
    of the lift-specific part."""
    noise = noise_pct / 100
    share = rng.uniform(0.3, 0.7)
    phi = math.exp(-1 / rng.uniform(2, 10))
    s_ready = noise * math.sqrt(share)
    ready = lfilter([1.0], [1.0, -phi], rng.normal(0, s_ready * math.sqrt(1 - phi * phi), n_days + 60))[60:]
    return ready, noise * math.sqrt(1 - share)


def oracle_points(result: progress.Progress, truth: dict, noisy: bool, seed: int) -> progress.Progress:
    """``result`` with its main lifts' e1RMs and its body measurements replaced by the truth at their
    dates, plus the generator's noise when ``noisy``."""
    rng = np.random.default_rng([seed, 7])
    lifts, body = [], []
    sessions = result.e1rm_sessions.filter(pl.col("exercise").is_in(scenarios.MAIN))
    for tid, p in truth["trainees"].items():
        day0 = dt.date.fromisoformat(p["start"]).toordinal()
        n_days = dt.date.fromisoformat(p["last_day"]).toordinal() - day0 + 1
        ready, s_lift = _lift_noise(rng, p["noise_pct"], day0, n_days)
        mine = sessions.filter(pl.col("trainee_id") == tid)
        for lift, q in p["lifts"].items():
            s = mine.filter(pl.col("exercise") == lift)
            when = np.array([d.toordinal() for d in s["date"]], dtype=float)
            kg = _true_at(q["path"], when, log=True)
            if noisy:
                bad = np.where(rng.random(when.size) < 0.02, -rng.uniform(0.05, 0.12, when.size), 0.0)
                kg = kg * np.exp(ready[(when - day0).astype(int)] + bad + rng.normal(0, s_lift, when.size))
            lifts.append(s.with_columns(pl.Series("e1rm_kg", kg)))
        measured = result.body.filter(pl.col("trainee_id") == tid)
        tape, coarse = rng.uniform(0.2, 0.6), 0.5 if rng.random() < 0.3 else 0.1
        water = lfilter([1.0], [1.0, -0.8], rng.normal(0, 0.3, n_days))
        girth_days = measured.filter(pl.col("measure") != "bodyweight_kg")["date"].unique().sort()
        day_effect = dict(zip(girth_days, rng.normal(0, 0.12, len(girth_days))))
        for measure, knots in p["size"]["path"].items():
            s = measured.filter(pl.col("measure") == measure)
            when = np.array([d.toordinal() for d in s["date"]], dtype=float)
            value = _true_at(knots, when, log=False)
            if noisy and measure == "bodyweight_kg":
                value = value + water[(when - day0).astype(int)] + rng.normal(0, 0.25, when.size)
            elif noisy:
                scale = scenarios.TAPE_SCALE[scenarios.GIRTHS.index(measure)]
                value = value + np.array([day_effect[d] for d in s["date"]]) + rng.normal(0, tape * scale, when.size)
                value = np.round(value / coarse) * coarse
            body.append(s.with_columns(pl.Series("value", value)))
    others = result.e1rm_sessions.filter(~pl.col("exercise").is_in(scenarios.MAIN))
    return dataclasses.replace(result, e1rm_sessions=pl.concat([*lifts, others]), body=pl.concat(body))


def true_goal_inputs(truth: dict) -> pl.DataFrame:
    """Per goal: the true value on the last logged day, the true current rate (last 3 weeks) and the true
    future rate (least squares over the 16 weeks ahead); log units a week for lifts, cm a week for girths."""
    rows = []
    for tid, p in truth["trainees"].items():
        last = dt.date.fromisoformat(p["last_day"]).toordinal()
        for g in p["goals"]:
            what, lift = g["what"], g["what"] in scenarios.MAIN
            future = p["future_path"][what]
            x, v = (_days([k[0] for k in future]) - last) / 7, np.array([k[1] for k in future])
            y = np.log(v) if lift else v
            knots = p["lifts"][what]["path"] if lift else p["size"]["path"][what]
            back = _true_at(knots, np.array([last - scenarios.RATE_WINDOW_DAYS], dtype=float), log=lift)[0]
            now_rate = ((y[0] - (math.log(back) if lift else back)) / 3)
            rows.append((tid, what, g["target"], float(v[0]), float(now_rate), float(np.polyfit(x, y, 1)[0])))
    return pl.DataFrame(rows, orient="row", schema=["trainee_id", "what", "target", "true_current",
                                                    "true_now_rate", "true_future_rate"])


def goal_date(current: pl.Expr, rate: pl.Expr, lift: pl.Expr) -> pl.Expr:
    """Days from ``current`` to ``target`` at a constant ``rate`` (log units or cm a week); null when the
    rate does not move towards it or it is more than ``goals.MAX_WEEKS`` away."""
    gap = pl.when(lift).then((pl.col("target") / current).log()).otherwise(pl.col("target") - current)
    weeks = gap / rate
    days = pl.when((weeks >= 0) & (weeks <= goals.MAX_WEEKS)).then((7 * weeks).round(0).cast(pl.Int64))
    return pl.col("last_day") + pl.duration(days=days)


def goal_oracles(result: progress.Progress, truth: dict, wanted: pl.DataFrame) -> pl.DataFrame:
    """``wanted`` (the benchmark's goals) with an ``expected_date`` per level of GOAL_LEVELS (long)."""
    asked = wanted.select("trainee_id", "what", "target", pl.lit(None, pl.Date).alias("by_date"))
    found = goals.expected_dates(result, asked)
    carried = found.select("trainee_id", "what", "target", "expected_date", pl.col("current").alias("est_current"))
    # the estimated rates goals.expected_dates uses, in log units or cm a week
    rates = response.latest(result).select("trainee_id", pl.col("measure").alias("what"),
                                           pl.col("rate").alias("est_rate"))
    d = (wanted.join(true_goal_inputs(truth), on=["trainee_id", "what", "target"])
         .join(carried, on=["trainee_id", "what", "target"], how="left")
         .join(rates, on=["trainee_id", "what"], how="left")
         .with_columns(pl.col("what").is_in(scenarios.MAIN).alias("lift")))
    lift = pl.col("lift")
    levels = {
        GOAL_LEVELS[0]: goal_date(pl.col("true_current"), pl.col("true_future_rate"), lift),
        GOAL_LEVELS[1]: goal_date(pl.col("true_current"), pl.col("true_now_rate"), lift),
        GOAL_LEVELS[2]: goal_date(pl.col("true_current"), pl.col("est_rate"), lift),
        GOAL_LEVELS[3]: goal_date(pl.col("est_current"), pl.col("true_future_rate"), lift),
        GOAL_LEVELS[4]: pl.col("expected_date"),
    }
    return pl.concat([d.with_columns(expr.alias("expected_date"), pl.lit(name).alias("level"),
                                     pl.lit(None, pl.Date).alias("expected_low"),
                                     pl.lit(None, pl.Date).alias("expected_high"))
                      .select("level", "trainee_id", "what", "lift", "true_date", "last_day", "expected_date",
                              "expected_low", "expected_high")
                      for name, expr in levels.items()])


def run(seeds: list[int], n_trainees: int | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    blocks_out, goals_out = [], []
    for seed in seeds:
        tables, truth = scenarios.generate(SCENARIO, seed, n_trainees)
        blocks, changes, wanted = truth_tables(truth)
        result = progress.analyse(tables["sets"], tables["trainees"], body=tables["body"])
        fed = {"truth": oracle_points(result, truth, False, seed),
               "truth + noise": oracle_points(result, truth, True, seed), "log": result}
        for level in LEVELS:
            blocks_out.append(on_true_blocks(fed[level], blocks, changes)
                              .with_columns(pl.lit(seed).alias("seed"), pl.lit(level).alias("level")))
        goals_out.append(goal_oracles(result, truth, wanted).with_columns(pl.lit(seed).alias("seed")))
    return pl.concat(blocks_out, how="vertical_relaxed"), pl.concat(goals_out, how="vertical_relaxed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[4, 5, 6])
    parser.add_argument("--trainees", type=int, default=None)
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args()
    start = time.perf_counter()
    blocks, wanted = run(args.seeds, args.trainees)
    figures: dict = {"blocks": {}, "goals": {}}
    print(f"{SCENARIO} oracle bounds, seeds {args.seeds}; true blocks >= {LONG_WEEKS} weeks, median absolute "
          f"error (coverage of the 95% intervals)")
    print(f"{'fed':16s} {'kind':12s} {'1RM pp':>14s} {'girth cm':>14s} {'bodyweight kg':>14s}")
    for level in LEVELS:
        table = block_scores(blocks.filter(pl.col("level") == level)).filter(pl.col("length") == f">={LONG_WEEKS} wk")
        figures["blocks"][level] = table.to_dicts()
        for kind in ("hypertrophy", "strength", "all"):
            rows = {r["unit"]: r for r in table.filter(pl.col("kind") == kind).to_dicts()}
            cells = [f"{rows[u]['mae']:6.2f} ({rows[u]['coverage']:.2f})" if u in rows else "-" for u in ("%", "cm", "kg")]
            print(f"{level:16s} {kind:12s} " + " ".join(f"{c:>14s}" for c in cells))
    print(f"\ngoals reached within {HORIZON_DAYS // 7} weeks: median absolute date error, weeks (share dated); "
          "lifts / girths / all")
    for level in GOAL_LEVELS:
        d = wanted.filter(pl.col("level") == level)
        parts = {name: goal_scores(d.filter(sel)) for name, sel in
                 (("lifts", pl.col("lift")), ("girths", ~pl.col("lift")), ("all", pl.lit(True)))}
        figures["goals"][level] = parts
        print(f"{level:38s} " + "  ".join(
            f"{g['median_error_weeks']:5.1f} ({g['reached_dated_share']:.2f})" for g in parts.values()))
    seconds = time.perf_counter() - start
    print(f"time {seconds:.1f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures | {"seeds": args.seeds, "seconds": round(seconds, 1)}, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
