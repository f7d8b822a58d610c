"""Estimated one-rep max (e1RM): formulas, the RTS RPE chart, session bests.

Formulas as collected in ../shared/DOMAIN.md (Epley 1985, Brzycki 1993,
Lander 1985, Lombardi 1989, Mayhew et al. 1992, O'Conner et al. 1989,
Wathan 1994); the RPE chart after Tuchscherer (2008, Reactive Training
Systems). Every formula returns the load itself at one rep.

Epley, Brzycki, Lander and Wathan agree within 4% up to 8 reps; Mayhew,
O'Conner and Lombardi differ from them by 6-8% even at 3-8 reps, and all
seven spread 12.6% at 12 reps (measured in tests/test_strength.py). Valid range: 1 to :data:`MAX_REPS` reps. Past ~10 reps the formulas diverge
and prediction error grows (Reynolds et al. 2006, JSCR 20(3)), so longer sets
give no estimate (null) rather than a misleading one.
"""

from __future__ import annotations

import polars as pl

MAX_REPS = 12
"""Longest set that still gets an estimate (Reynolds et al. 2006 advise <= 10)."""

DEFAULT_FORMULA = "epley"
"""Epley tracks the RTS chart's RPE-10 column within 2% over 2-10 reps, so estimates from sets with and without RPE stay on one scale."""


def _epley(w: pl.Expr, r: pl.Expr) -> pl.Expr:
    return w * (1 + r / 30)


def _brzycki(w: pl.Expr, r: pl.Expr) -> pl.Expr:
    return w * 36 / (37 - r)


def _lander(w: pl.Expr, r: pl.Expr) -> pl.Expr:
    return 100 * w / (101.3 - 2.67123 * r)


def _lombardi(w: pl.Expr, r: pl.Expr) -> pl.Expr:
    return w * r.cast(pl.Float64).pow(0.10)


def _mayhew(w: pl.Expr, r: pl.Expr) -> pl.Expr:
    return 100 * w / (52.2 + 41.9 * (-0.055 * r).exp())


def _oconner(w: pl.Expr, r: pl.Expr) -> pl.Expr:
    return w * (1 + 0.025 * r)


def _wathan(w: pl.Expr, r: pl.Expr) -> pl.Expr:
    return 100 * w / (48.8 + 53.8 * (-0.075 * r).exp())


FORMULAS = {
    "epley": _epley,
    "brzycki": _brzycki,
    "lander": _lander,
    "lombardi": _lombardi,
    "mayhew": _mayhew,
    "oconner": _oconner,
    "wathan": _wathan,
}

RTS_PERCENT = (
    1.000, .978, .955, .939, .922, .907, .892, .878, .863, .850, .837, .824, .811,
    .799, .786, .774, .762, .751, .739, .723, .707, .694, .680, .667, .653, .640,
    .626, .613, .599, .586, .572,
)
"""%1RM by (reps, RPE), flattened: index 2(r-1) + 2(10-RPE) (Tuchscherer 2008)."""

RPE_MIN = 6.0
"""Lowest RPE the chart covers at one rep; see :func:`rts_percent`."""


def e1rm(weight: pl.Expr | str, reps: pl.Expr | str, formula: str = DEFAULT_FORMULA) -> pl.Expr:
    """e1RM of a set by ``formula``; the load itself at 1 rep; null outside 1-12 reps."""
    if formula not in FORMULAS:
        raise ValueError(f"unknown e1RM formula {formula!r}; known: {', '.join(FORMULAS)}")
    w, r = _expr(weight), _expr(reps)
    return (
        pl.when(r == 1).then(w)
        .when(r.is_between(2, MAX_REPS)).then(FORMULAS[formula](w, r))
        .otherwise(None)
        .cast(pl.Float64)
    )


def rts_percent(reps: pl.Expr | str, rpe: pl.Expr | str) -> pl.Expr:
    """%1RM for ``reps`` at ``rpe`` from the RTS chart; null off the chart.

    RPE in half steps; the chart spans (reps - 1) + (10 - RPE) <= 15.
    """
    r, e = _expr(reps), _expr(rpe)
    index = 2 * (r - 1) + 2 * (10 - e)
    on_chart = (
        r.is_between(1, MAX_REPS)
        & e.is_between(RPE_MIN, 10)
        & (index == index.round(0))
        & index.is_between(0, len(RTS_PERCENT) - 1)
    )
    chart = dict(enumerate(RTS_PERCENT))
    return (
        pl.when(on_chart).then(index).otherwise(-1).cast(pl.Int64)
        .replace_strict(chart, default=None, return_dtype=pl.Float64)
    )


def e1rm_rpe(weight: pl.Expr | str, reps: pl.Expr | str, rpe: pl.Expr | str) -> pl.Expr:
    """e1RM from load, reps and RPE through the RTS chart: w / %1RM(r, RPE)."""
    return _expr(weight) / rts_percent(reps, rpe)


RPE_TRUSTED = 7.0
"""Self-rated RPE is off by ~1 rep near failure and more further away
(Zourdos et al. 2016; Helms et al. 2016): the chart is used from RPE 7."""


def with_e1rm(sets: pl.DataFrame, formula: str = DEFAULT_FORMULA) -> pl.DataFrame:
    """Sets with ``e1rm_kg``: RTS chart where RPE >= 7 is logged, else ``formula``.

    Warm-ups and unloaded sets get no estimate.
    """
    rpe = pl.when(pl.col("rpe") >= RPE_TRUSTED).then(pl.col("rpe"))
    estimate = pl.coalesce(e1rm_rpe("weight_kg", "reps", rpe), e1rm("weight_kg", "reps", formula))
    usable = (pl.col("set_type") != "warmup") & (pl.col("weight_kg") > 0)
    return sets.with_columns(pl.when(usable).then(estimate).alias("e1rm_kg"))


def session_best_e1rm(sets: pl.DataFrame, formula: str = DEFAULT_FORMULA) -> pl.DataFrame:
    """Best e1RM per trainee, exercise and session, from working sets.

    Tidy: trainee_id, exercise, session_id, date, e1rm_kg, weight_kg, reps, rpe
    of the set that gave the best estimate.
    """
    exercise = "lift" if "lift" in sets.columns else "exercise"
    needed = ["trainee_id", exercise, "session_id", "date", "weight_kg", "reps", "rpe", "set_type"]
    return (
        with_e1rm(sets.select(needed), formula)
        .drop_nulls("e1rm_kg")
        .sort("e1rm_kg", descending=True, maintain_order=True)  # ties: the earlier set, every run
        .group_by("trainee_id", exercise, "session_id", maintain_order=True)
        .first()
        .select("trainee_id", pl.col(exercise).alias("exercise"), "session_id", "date",
                "e1rm_kg", "weight_kg", "reps", "rpe")
        .sort("trainee_id", "exercise", "date", "session_id")
    )


def epley_rts_gap() -> float:
    """Largest relative gap between Epley and the RTS RPE-10 column, 2-10 reps."""
    return max(
        abs(1 / (1 + r / 30) - RTS_PERCENT[2 * (r - 1)]) / RTS_PERCENT[2 * (r - 1)]
        for r in range(2, 11)
    )


def _expr(x: pl.Expr | str) -> pl.Expr:
    return pl.col(x) if isinstance(x, str) else x


def personal_records(sets: pl.DataFrame, formula: str = DEFAULT_FORMULA,
                     best: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every PR as it happened: tidy trainee_id, lift, date, kind, value_kg, reps.

    ``e1rm``: a session-best e1RM above every earlier one; ``load``: a load
    heavier than any lifted before (any reps); ``reps``: more reps than ever
    before at that load (kg, to 0.5). The first session of a lift sets the
    baseline and counts as no PR. ``best``: :func:`session_best_e1rm` of
    ``sets`` when the caller has it already.
    """
    keys = ["trainee_id", "lift"]
    best = (best if best is not None else session_best_e1rm(sets, formula)).rename({"exercise": "lift"})
    e1rm_prs = best.filter(
        pl.col("e1rm_kg") > pl.col("e1rm_kg").cum_max().shift(1).over(keys)
    ).select(*keys, "date", pl.lit("e1rm").alias("kind"), pl.col("e1rm_kg").alias("value_kg"), "reps")
    # per trainee, lift, load (to 0.5 kg) and day: the most reps and the heaviest load (no per-day
    # lists of sets), sorted by trainee and lift as categorical codes (cheap to hash and sort)
    code = [pl.col(k).to_physical() for k in keys]
    at_load = (
        sets.lazy().select(*keys, "date", "weight_kg", "reps", "set_type")
        .filter((pl.col("set_type") != "warmup") & (pl.col("weight_kg") > 0) & (pl.col("reps") > 0))
        .with_columns(pl.col(keys).cast(pl.Categorical))
        .group_by(*keys, (pl.col("weight_kg") * 2).round(0).alias("half_kg"), "date")
        .agg(pl.col("reps").max(), pl.col("weight_kg").max())
        .collect(engine="streaming")  # an eager group-by over millions of sets holds ~1 GB of hash tables
        .sort(*code, "half_kg", "date")
    )
    # the most reps before, per run of one trainee, lift and load: a running maximum over the
    # whole column with the run's number in the high bits
    same = pl.all_horizontal(c.eq_missing(c.shift(1)) for c in (*code, pl.col("half_kg")))
    running = (~same).cum_sum().cast(pl.Int64) * 2 ** 32 + pl.col("reps")
    rep_prs = at_load.lazy().filter(same & (running > running.cum_max().shift(1))).select(
        *keys, "date", pl.lit("reps").alias("kind"), pl.col("weight_kg").alias("value_kg"), "reps")
    load_prs = (
        at_load.lazy().group_by(*keys, "date").agg(pl.col("weight_kg").max().alias("top_kg"))
        .sort(*code, "date")
        .filter(pl.col("top_kg") > pl.col("top_kg").cum_max().shift(1).over(keys))
        .select(*keys, "date", pl.lit("load").alias("kind"), pl.col("top_kg").alias("value_kg"),
                pl.lit(None, pl.Int64).alias("reps"))
    )
    found = [f.with_columns(pl.col(k).cast(sets.schema[k]) for k in keys) for f in pl.collect_all([load_prs, rep_prs])]
    return pl.concat([e1rm_prs, *found]).sort(*keys, "date", "kind", "value_kg")


def longest_holds(sets: pl.DataFrame) -> pl.DataFrame:
    """The record of each timed exercise (planks, holds, hangs, carries).

    Tidy: ``trainee_id, lift, longest_s, date, weight_kg`` (the load of that
    set, if any), ``sets`` (timed working sets of the lift): the longest
    time of the lift's timed sets (0 reps with ``duration_s``), warm-ups
    left out; the first date it was reached.
    """
    keys = ["trainee_id", "lift"]
    timed = sets.filter((pl.col("reps") == 0) & pl.col("duration_s").is_not_null() & (pl.col("set_type") != "warmup"))
    return (
        timed.sort(*keys, pl.col("duration_s"), pl.col("date"), descending=[False, False, True, False])
        .group_by(keys, maintain_order=True)
        .agg(pl.col("duration_s").first().alias("longest_s"), pl.col("date").first(),
             pl.col("weight_kg").first(), pl.len().alias("sets"))
        .sort(keys)
    )
