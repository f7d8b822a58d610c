"""Volume, intensity and what the training emphasised.

Volume load = sum of reps x load over working sets (warm-ups excluded; drop
and failure sets count). Sets without an external load (bodyweight work) add
no kilograms but are never silently lost: they are counted in
``unloaded_sets`` beside the tonnage.

Beyond tonnage (sources in ../shared/DOMAIN.md):

* :func:`hard_sets_per_muscle`: hard sets per muscle and ISO week, a
  secondary muscle counting 0.5 (Pelland et al. 2024), with
  :data:`HARD_SET_REFERENCES` (Schoenfeld et al. 2017; Baz-Valle et al. 2022).
* :func:`intensity`: %1RM of each set against the trainee's e1RM trend.
* :func:`zone` / :func:`set_zones`: NSCA strength / hypertrophy / endurance
  zone of each working set from reps and %1RM; :func:`weekly_focus` the
  shares per week.
* :func:`inol`: Hristov's INOL per lift and session, with its bands.
* :func:`blocks`: mesocycle segmentation into strength, hypertrophy (and
  endurance) blocks, deload weeks and breaks, scored against the synthetic
  cohort by ``benchmarks/block_accuracy.py``.
* :func:`flag_ramp_warmups`: an opt-in cleaning step for lifters who do not
  flag their warm-ups.

Pipeline: ``catalog.annotate`` -> ``trends.lift_trends`` -> :func:`intensity`
-> :func:`set_zones` -> :func:`weekly_focus` -> :func:`blocks`.
"""

from __future__ import annotations

import polars as pl

from analysis import strength
from analysis.catalog import Catalog, annotate, load_catalog

WORKING = pl.col("set_type") != "warmup"


def _exercise_col(sets: pl.DataFrame) -> str:
    return "lift" if "lift" in sets.columns else "exercise"


def _aggregate(sets: pl.DataFrame, keys: list[str | pl.Expr]) -> pl.DataFrame:
    load = pl.col("weight_kg").fill_null(0)
    return (
        sets.filter(WORKING)
        .group_by(keys)
        .agg(
            (pl.col("reps") * load).sum().cast(pl.Float64).alias("volume_load_kg"),
            pl.len().alias("sets"),
            pl.col("reps").sum().alias("reps"),
            (load == 0).sum().alias("unloaded_sets"),
        )
    )


def week_start(date: str = "date") -> pl.Expr:
    """Monday of the ISO week a date falls in."""
    return pl.col(date).dt.truncate("1w").alias("week")


def volume_by_session(sets: pl.DataFrame) -> pl.DataFrame:
    """Volume load per trainee and session (tidy, sorted by date)."""
    return _aggregate(sets, ["trainee_id", "session_id", "date"]).sort("trainee_id", "date", "session_id")


def fill_span(frame: pl.DataFrame, column: str, every: str, values: list[str]) -> pl.DataFrame:
    """Every ``every`` step (``1d``, ``1w``) of each trainee's span in
    ``column``; steps without data get 0 in ``values``."""
    span = (
        frame.group_by("trainee_id")
        .agg(pl.date_ranges(pl.col(column).min(), pl.col(column).max(), every).first().alias(column))
        .explode(column)
    )
    return (
        span.join(frame, on=["trainee_id", column], how="left")
        .with_columns(pl.col(values).fill_null(0))
        .sort("trainee_id", column)
    )


def _fill_weeks(weekly: pl.DataFrame, values: list[str]) -> pl.DataFrame:
    """Every week of each trainee's logged span, weeks without data as 0."""
    return fill_span(weekly, "week", "1w", values)


def volume_by_week(sets: pl.DataFrame) -> pl.DataFrame:
    """Volume load per trainee and ISO week (weeks start on Monday).

    Weeks without training inside the trainee's logged span appear with zero
    volume, so a missed week shows as a gap rather than disappearing.
    """
    weekly = _aggregate(sets, ["trainee_id", week_start()])
    return _fill_weeks(weekly, ["volume_load_kg", "sets", "reps", "unloaded_sets"])


def volume_by_exercise_week(sets: pl.DataFrame) -> pl.DataFrame:
    """Volume load per trainee, exercise and ISO week."""
    exercise = _exercise_col(sets)
    return (
        _aggregate(sets, ["trainee_id", pl.col(exercise).alias("exercise"), week_start()])
        .sort("trainee_id", "exercise", "week")
    )


def sessions_per_week(sets: pl.DataFrame) -> pl.DataFrame:
    """Distinct sessions per trainee and ISO week, empty weeks as 0."""
    counted = sets.group_by("trainee_id", week_start()).agg(
        pl.col("session_id").n_unique().alias("sessions")
    )
    return _fill_weeks(counted, ["sessions"])


# --------------------------------------------------------------------------
# Hard sets per muscle
# --------------------------------------------------------------------------

HARD_RPE = 7.0
"""A working set counts as hard (near failure) at RPE >= 7, i.e. three reps or
fewer in reserve (RPE = 10 - RIR; Zourdos et al. 2016)."""

SECONDARY_WEIGHT = 0.5
"""A set counts 1 for each primary muscle and 0.5 for each secondary muscle
(fractional counting, which fitted growth and strength best in Pelland et
al. 2024)."""

UNKNOWN_MUSCLE = "unknown"
"""Muscle under which sets of exercises the catalog does not know are counted."""

HARD_SET_REFERENCES = {
    "growth_pct_per_weekly_set": 0.37,
    "min_sets_per_week": 10,
    "trained_sets_per_week": (12, 20),
}
"""Reference figures for weekly hard sets per muscle, for the report.

``growth_pct_per_weekly_set``: each extra weekly set went with about 0.37%
more muscle growth (Schoenfeld, Ogborn & Krieger 2017, J Sports Sci 35(11),
meta-analysis); ``min_sets_per_week``: 10 or more weekly sets per muscle gave
the largest gains in that analysis; ``trained_sets_per_week``: 12-20 weekly
sets per muscle suggested for trained people (Baz-Valle et al. 2022)."""


def _with_lift(sets: pl.DataFrame, catalog: Catalog | None = None) -> pl.DataFrame:
    """``sets`` with the catalog's ``lift`` column (kept when already there)."""
    if "lift" in sets.columns:
        return sets
    return annotate(sets, catalog, columns=("lift",))


def hard_sets_per_muscle(sets: pl.DataFrame, catalog: Catalog | None = None) -> pl.DataFrame:
    """Hard sets per trainee, ISO week and muscle (tidy, fractional counts).

    A hard set is a working set (not a warm-up; drop and failure sets count)
    with at least one rep, or a timed set (a plank, a hold, a carry:
    :data:`analysis.schema.TIMED_SET`), and RPE >= :data:`HARD_RPE` or **no RPE logged**:
    most logs carry no RPE, and training sets in them are usually taken
    close to failure, so an unknown RPE counts as hard. Each hard set counts
    1 for every primary muscle of its exercise and :data:`SECONDARY_WEIGHT`
    for every secondary muscle (Pelland et al. 2024). Sets of exercises the
    catalog does not know count 1 under the muscle :data:`UNKNOWN_MUSCLE`,
    so they show instead of vanishing.

    Sets are counted per (trainee, week, lift) first and the catalog's muscle
    lists joined onto those counts (the lists are per exercise: joining them
    to millions of sets would copy them per set). Only muscles with hard
    sets appear; a week without any is absent.

    Returns ``trainee_id, week, muscle, hard_sets`` sorted by trainee, week
    and muscle.
    """
    exercises = (catalog or load_catalog()).exercises.select(
        pl.col("exercise").alias("lift"), "primary", "secondary")
    done = (pl.col("reps") > 0) | pl.col("duration_s").is_not_null() | pl.col("distance_m").is_not_null()
    hard = WORKING & done & (pl.col("rpe").is_null() | (pl.col("rpe") >= HARD_RPE))
    sets = sets.with_columns(pl.lit(None, pl.Float64).alias(c) for c in ("rpe", "duration_s", "distance_m")
                             if c not in sets.columns)
    per_lift = (
        _with_lift(sets.select("trainee_id", "date", "exercise", "reps", "rpe", "set_type", "duration_s", "distance_m",
                               *(["lift"] if "lift" in sets.columns else [])), catalog)
        .filter(hard)
        .group_by("trainee_id", week_start(), "lift")
        .agg(pl.len().cast(pl.Float64).alias("hard_sets"))
        .join(exercises, on="lift", how="left")
    )
    known = pl.col("primary").is_not_null()
    counted = pl.concat([
        per_lift.filter(known).explode("primary").select(
            "trainee_id", "week", pl.col("primary").alias("muscle"), "hard_sets"),
        per_lift.filter(known).explode("secondary").drop_nulls("secondary").select(
            "trainee_id", "week", pl.col("secondary").alias("muscle"),
            (pl.col("hard_sets") * SECONDARY_WEIGHT).alias("hard_sets")),
        per_lift.filter(~known).select("trainee_id", "week", pl.lit(UNKNOWN_MUSCLE).alias("muscle"), "hard_sets"),
    ])
    return counted.group_by("trainee_id", "week", "muscle").agg(pl.col("hard_sets").sum()).sort(
        "trainee_id", "week", "muscle")


def compound_share(sets: pl.DataFrame, catalog: Catalog | None = None) -> pl.DataFrame:
    """Exercise selection per trainee and ISO week: the share of working sets
    (with reps, or timed) in compound, multi-joint exercises (the catalog's
    ``mechanics``), among the sets of exercises the catalog knows.

    Tidy: ``trainee_id, week, compound_share, known_sets``. Counted per
    (trainee, week, lift) first, then the mechanics joined per lift.
    """
    mechanics = (catalog or load_catalog()).exercises.select(pl.col("exercise").alias("lift"), "mechanics")
    done = (pl.col("reps") > 0) | pl.col("duration_s").is_not_null() | pl.col("distance_m").is_not_null()
    return (
        _with_lift(sets, catalog).filter(WORKING & done)
        .group_by("trainee_id", week_start(), "lift").agg(pl.len().alias("sets"))
        .join(mechanics, on="lift", how="inner")
        .group_by("trainee_id", "week")
        .agg(((pl.col("mechanics") == "compound") * pl.col("sets")).sum().truediv(pl.col("sets").sum())
             .alias("compound_share"), pl.col("sets").sum().alias("known_sets"))
        .sort("trainee_id", "week")
    )


RAMP_WARMUP_FRACTION = 0.85
"""See :func:`flag_ramp_warmups`."""


def flag_ramp_warmups(sets: pl.DataFrame, fraction: float = RAMP_WARMUP_FRACTION) -> pl.DataFrame:
    """``sets`` with unflagged warm-ups marked ``warmup`` (opt-in cleaning).

    Many lifters never tick the warm-up box, so their ramp-up sets read as
    working sets: they add light, easy sets to the zone shares, INOL and
    hard-set counts. A ``working`` set is taken for a warm-up when, within
    its session and lift, it is lighter than ``fraction`` of the session's
    top working load for that lift **and** comes before the first set at
    that top load (by ``set_index``, else file order). Back-off and drop sets
    (after the top set) and ``drop`` / ``failure`` sets are never touched;
    sets without a load neither. An ascending pyramid's lighter sets below
    85% of its top set would be read as warm-ups too, which is why this is
    a separate, explicit step and not part of the other functions.
    """
    lift = "lift" if "lift" in sets.columns else "exercise"
    key = ["trainee_id", "session_id", lift]
    order = pl.col("set_index") if "set_index" in sets.columns else pl.int_range(pl.len())
    weight = pl.col("weight_kg")
    top = weight.filter(WORKING).max()
    first_top = pl.col("_order").filter(WORKING & (weight >= top)).min()
    ramp = (pl.col("set_type") == "working") & (weight < fraction * top.over(key)) & (
        pl.col("_order") < first_top.over(key))
    return sets.with_columns(order.alias("_order")).with_columns(
        pl.when(ramp.fill_null(False)).then(pl.lit("warmup")).otherwise(pl.col("set_type")).alias("set_type")
    ).drop("_order")


# --------------------------------------------------------------------------
# Intensity (%1RM)
# --------------------------------------------------------------------------


def intensity(sets: pl.DataFrame, reference: pl.DataFrame, catalog: Catalog | None = None,
              best: pl.DataFrame | None = None) -> pl.DataFrame:
    """``sets`` (rows and order unchanged) with ``reference_kg`` and ``pct_1rm``.

    ``pct_1rm`` = 100 x load / the trainee's reference e1RM for that lift on
    that date. The reference is the e1RM **trend** (``reference``: the
    ``trend`` table of :func:`analysis.trends.lift_trends`, columns
    ``trainee_id, lift, date, trend_kg``) at the latest trend point on or
    before the set's date (as-of join, backward, by trainee and lift). The
    trend smooths day-to-day readiness (2-4%) and sits at the reps the lift
    was trained at in its last 4 weeks, so a heavy single or a light session
    does not move every other set's percentage. Where there is no trend point yet (a lift with
    too few sessions for a trend, or dates before the trend's horizon) the
    reference is the best session e1RM so far (:func:`analysis.strength.session_best_e1rm`,
    running maximum up to and including the set's date; so a lift's first
    session is measured against its own best set).

    Sets without a load (bodyweight, null or 0 kg) get no percentage; a set
    above the reference reads over 100%. Warm-ups get a percentage too (it
    is a fact about the set); the zone and INOL functions skip them.
    ``sets`` need ``lift`` (added with the catalog if missing). ``best``:
    :func:`analysis.strength.session_best_e1rm` of ``sets`` when the caller
    has it already.
    """
    keys = ["trainee_id", "lift"]
    sets = _with_lift(sets, catalog)
    best = (
        (best if best is not None else strength.session_best_e1rm(sets)).rename({"exercise": "lift"})
        .group_by(*keys, "date").agg(pl.col("e1rm_kg").max())
        .sort(*keys, "date")
        .select(*keys, "date", pl.col("e1rm_kg").cum_max().over(keys).alias("best_kg"))
        .sort("date")
    )
    trend = (
        reference.select(*keys, "date", "trend_kg").drop_nulls("trend_kg")
        .unique([*keys, "date"], keep="last").sort("date")
    )
    index = "_row"
    looked_up = (
        sets.select(*keys, "date").with_row_index(index).sort("date")
        .join_asof(trend, on="date", by=keys, strategy="backward", check_sortedness=False)
        .join_asof(best, on="date", by=keys, strategy="backward", check_sortedness=False)
        .sort(index)
    )
    ref = looked_up.select(pl.coalesce("trend_kg", "best_kg").alias("reference_kg")).to_series()
    load = pl.col("weight_kg")
    return sets.drop("reference_kg", "pct_1rm", strict=False).with_columns(ref).with_columns(
        pl.when(load > 0).then(100 * load / pl.col("reference_kg")).alias("pct_1rm"))


# --------------------------------------------------------------------------
# Training zones (NSCA)
# --------------------------------------------------------------------------

ZONES = ("strength", "hypertrophy", "endurance")

ZONE_PERCENT = {"strength": 85.0, "hypertrophy": 67.0}
"""Lower %1RM bound of the strength and hypertrophy zones (NSCA, Essentials
of Strength Training and Conditioning, 4th ed.): strength >= 85%, 1-6 reps;
hypertrophy 67-85%, 6-12 reps; endurance <= 67%, >= 12 reps."""

NSCA_REP_PERCENT = {1: 100.0, 2: 95.0, 3: 93.0, 4: 90.0, 5: 87.0, 6: 85.0, 7: 83.0, 8: 80.0,
                    9: 77.0, 10: 75.0, 11: 70.0, 12: 67.0, 15: 65.0}
"""%1RM at which a number of reps is a maximal set (the NSCA's %1RM-repetitions
table, Essentials 4th ed.). It lines up with the zone table (6 reps = 85%,
12 reps = 67%), so reps and %1RM can be read on one scale."""

_REP_SLOPE = (NSCA_REP_PERCENT[12] - NSCA_REP_PERCENT[15]) / 3


def rep_percent(reps: pl.Expr) -> pl.Expr:
    """%1RM at which ``reps`` are a maximal set (:data:`NSCA_REP_PERCENT`).

    Linear between the table's rows (13 reps: 66.3%, 14: 65.7%) and past 15
    reps continued at the table's last slope (2/3 point a rep; 30 reps: 55%).
    """
    r = reps.cast(pl.Int64)
    table = {n: NSCA_REP_PERCENT.get(n, NSCA_REP_PERCENT[12] - (n - 12) * _REP_SLOPE) for n in range(1, 16)}
    return (
        pl.when(r > 15).then(NSCA_REP_PERCENT[15] - (r - 15).cast(pl.Float64) * _REP_SLOPE)
        .when(r >= 1).then(r.replace_strict(table, default=None, return_dtype=pl.Float64))
    )


def zone(reps: pl.Expr | str, pct: pl.Expr | str | None = None) -> pl.Expr:
    """NSCA training zone of a set from its reps and, when known, its %1RM.

    Reps are put on the %1RM scale with :func:`rep_percent` (the NSCA's own
    reps-%1RM table, on which 6 reps = 85% and 12 reps = 67%, exactly the
    zone boundaries). The set's position is the mean of that and its %1RM,
    and the zone follows from :data:`ZONE_PERCENT`: >= 85 strength, >= 67
    hypertrophy, below endurance. Without a %1RM (null or ``pct`` not given)
    the reps alone decide.

    What that means:

    * reps and %1RM in the same zone: that zone;
    * the overlaps: 6 reps is strength from 85% up and hypertrophy below;
      12 reps is hypertrophy from 67% up and endurance below. By reps alone
      6 counts as strength and 12 as hypertrophy (as in
      :data:`analysis.progress.ZONE_REPS`);
    * reps and %1RM disagree: the zone the set is nearer to. The mean is the
      nearest NSCA box (zone rectangle of reps x %1RM) by the summed distance
      on the common %-scale. 8 reps at 85% (a near-maximal 8; 8 reps are a
      max at 80%) sits at 82.5: hypertrophy, the reps are two reps inside
      hypertrophy and the load only on its upper edge. 5 reps at 80% sits at
      83.5: hypertrophy (a submaximal 5). 8 reps at 92% sits at 86:
      strength. A light triple at 60% sits at 76.5: hypertrophy.

    Boundaries are inclusive upwards: exactly 85.0 is strength, exactly 67.0
    hypertrophy. Reps below 1 give null.
    """
    r = pl.col(reps) if isinstance(reps, str) else reps
    x = rep_percent(r)
    if pct is not None:
        p = pl.col(pct) if isinstance(pct, str) else pct
        x = pl.when(p.is_not_null()).then((x + p) / 2).otherwise(x)
    return (
        pl.when(x >= ZONE_PERCENT["strength"]).then(pl.lit("strength"))
        .when(x >= ZONE_PERCENT["hypertrophy"]).then(pl.lit("hypertrophy"))
        .when(x.is_not_null()).then(pl.lit("endurance"))
    )


ZONE_RULES = ("reps_pct", "reps")


def set_zones(sets: pl.DataFrame, rule: str = "reps_pct") -> pl.DataFrame:
    """``sets`` with ``zone`` for working sets with at least one rep (null otherwise).

    ``rule="reps_pct"`` (default) uses ``pct_1rm`` (from :func:`intensity`)
    where known, else the reps; ``rule="reps"`` the reps only. See :func:`zone`.
    """
    if rule not in ZONE_RULES:
        raise ValueError(f"unknown zone rule {rule!r}; known: {', '.join(ZONE_RULES)}")
    pct = "pct_1rm" if rule == "reps_pct" and "pct_1rm" in sets.columns else None
    counted = WORKING & (pl.col("reps") > 0)
    return sets.with_columns(pl.when(counted).then(zone("reps", pct)).alias("zone"))


def weekly_focus(zoned_sets: pl.DataFrame) -> pl.DataFrame:
    """Per trainee and ISO week: the share of working sets in each zone.

    Tidy: ``trainee_id, week, strength, hypertrophy, endurance`` (shares of
    the week's zoned working sets, summing to 1), ``sets`` (zoned working
    sets), ``volume_load_kg`` (reps x load over working sets; bodyweight
    sets add 0), and for deload detection ``sessions`` (distinct sessions),
    ``relative_volume`` (sum of reps x %1RM / 100 over sets with a %1RM,
    DOMAIN.md's relative volume in units of 1RM-reps; null when no set of
    the week has a %1RM) and ``mean_pct`` (mean %1RM of the week's working
    sets).
    Weeks without training inside a trainee's span appear with 0 sets and
    null shares, so a missed week stays visible.
    """
    counted = WORKING & (pl.col("reps") > 0)
    has_pct = "pct_1rm" in zoned_sets.columns
    pct = pl.col("pct_1rm") if has_pct else pl.lit(None, pl.Float64)
    weekly = (
        zoned_sets.filter(counted & pl.col("zone").is_not_null())
        .group_by("trainee_id", week_start())
        .agg(
            *((pl.col("zone") == z).mean().alias(z) for z in ZONES),
            pl.len().alias("sets"),
            (pl.col("reps") * pl.col("weight_kg").fill_null(0)).sum().cast(pl.Float64).alias("volume_load_kg"),
            pl.col("session_id").n_unique().alias("sessions"),
            pl.when(pct.is_not_null().any()).then((pl.col("reps") * pct / 100).sum()).alias("relative_volume"),
            pct.mean().alias("mean_pct"),
        )
    )
    return _fill_weeks(weekly, ["sets", "volume_load_kg", "sessions"]).select(
        "trainee_id", "week", *ZONES, "sets", "volume_load_kg", "sessions", "relative_volume", "mean_pct")


# --------------------------------------------------------------------------
# INOL
# --------------------------------------------------------------------------

INOL_MAX_PCT = 96.0
"""%1RM is clamped here so a set at (or above) the reference does not divide by
zero: one rep at 100% counts as one rep at 96% (0.25)."""

INOL_BANDS = ((0.4, "too little"), (1.0, "productive"), (2.0, "hard"))
"""Upper bounds of Hristov's (2005) bands per lift per session: below 0.4 too
little, 0.4-1.0 productive, 1.0-2.0 hard (tough but fine now and then),
above 2.0 very hard. A value on a bound falls in the lower band."""


def inol_band(value: pl.Expr) -> pl.Expr:
    """Hristov's band of an INOL value (:data:`INOL_BANDS`)."""
    (low, a), (mid, b), (high, c) = INOL_BANDS
    return (
        pl.when(value < low).then(pl.lit(a))
        .when(value <= mid).then(pl.lit(b))
        .when(value <= high).then(pl.lit(c))
        .when(value.is_not_null()).then(pl.lit("very hard"))
    )


def inol(sets_with_pct: pl.DataFrame) -> pl.DataFrame:
    """INOL per trainee, lift and session (Hristov 2005).

    INOL = sum over the session's working sets of the lift of
    reps / (100 - %1RM), with %1RM from :func:`intensity` clamped at
    :data:`INOL_MAX_PCT`. Warm-ups and sets without a %1RM (no load, no
    reference) are left out. Tidy: ``trainee_id, lift, session_id, date,
    inol, band`` (:func:`inol_band`).

    INOL and its bands come from weightlifting, where sets are short: 3 x 10
    at 70% already scores 1.0, so hypertrophy sessions of 8-15-rep sets
    read hard or very hard. Compare a lift's INOL with its own history
    rather than across rep ranges.
    """
    pct = pl.col("pct_1rm").clip(upper_bound=INOL_MAX_PCT)
    return (
        sets_with_pct.filter(WORKING & (pl.col("reps") > 0) & pl.col("pct_1rm").is_not_null())
        .group_by("trainee_id", "lift", "session_id")
        .agg(pl.col("date").min(), (pl.col("reps") / (100 - pct)).sum().alias("inol"))
        .with_columns(inol_band(pl.col("inol")).alias("band"))
        .sort("trainee_id", "lift", "date", "session_id")
    )


# --------------------------------------------------------------------------
# Mesocycle blocks
# --------------------------------------------------------------------------

BLOCK_KINDS = ("strength", "hypertrophy", "endurance", "deload", "off")

STRENGTH_EMPHASIS_SHARE = 0.25
"""A training week emphasises strength when at least one in four of its zoned
working sets is in the strength zone. Assistance work usually stays at 8-15
reps whatever the block, so even in a strength block the heavy sets are a
minority of all sets, while in a hypertrophy block they are occasional. On
the synthetic cohort (tuning seeds 1-2, reps and %1RM) hypertrophy weeks
reach at most about 0.21 and the 10th percentile of strength weeks is about
0.26; a plurality rule (a third) misreads a fifth of the strength weeks,
whose 5-6-rep sets at about 80% the NSCA table puts in hypertrophy."""

ENDURANCE_EMPHASIS_SHARE = 2 / 3
"""A week that does not emphasise strength emphasises endurance only when more
than two of three zoned sets are endurance sets; otherwise hypertrophy.
Assistance work often runs at 12-15 reps in any block, and light sets taken
near failure grow muscle about as well as moderate loads (Schoenfeld et al.
2017, J Strength Cond Res 31(12)), so a week mixing the two reads as
hypertrophy."""

DELOAD_RATIO = 0.75
"""A deload week's dose per session is below this fraction of the trailing
median (:data:`DELOAD_BASELINE_WEEKS` training weeks before it): at least a
quarter less work per session than the trainee's recent norm.

The dose is relative volume (reps x %1RM; DOMAIN.md), so a heavy lift's
tonnage (leg press, deadlift) does not drown the rest, and it is taken per
session, so a week with a missed session is not a deload. On the synthetic
cohort (benchmarks/block_accuracy.py, tuning seeds 1-2) true deloads sit at
a median 0.61 of the baseline (95th percentile 0.73) and ordinary weeks at
1.04 (5th percentile 0.82): 0.75 falls in the gap. The first rule tried,
weekly volume load below 0.65 of the baseline, missed deloads that follow
strength blocks (a strength week has little tonnage to begin with) and
flagged weeks with a missed session (0.88 vs 0.95 week agreement)."""
DELOAD_BASELINE_WEEKS = 4
DELOAD_MIN_BASELINE = 2
"""Training weeks needed before a week can be judged a deload."""


def _dose(weekly: pl.DataFrame, dose: str, per_session: bool) -> pl.Expr:
    per = pl.col("sessions") if per_session and "sessions" in weekly.columns else pl.lit(1)
    if dose == "relative_volume" and "relative_volume" in weekly.columns:
        value = pl.coalesce("relative_volume", "volume_load_kg")
    else:
        value = pl.col("volume_load_kg")
    return value / per


def week_kinds(weekly: pl.DataFrame, *, strength_share: float = STRENGTH_EMPHASIS_SHARE,
               endurance_share: float = ENDURANCE_EMPHASIS_SHARE, deload_ratio: float = DELOAD_RATIO,
               dose: str = "relative_volume", per_session: bool = True,
               heavier_guard: bool = True) -> pl.DataFrame:
    """Each week of :func:`weekly_focus` with its ``kind`` before smoothing.

    ``off``: no zoned working sets. ``deload``: the week's dose per session
    (``dose``: relative volume, sum of reps x %1RM, falling back to volume
    load; per session so a missed session is not a deload) is below
    ``deload_ratio`` times the median of the previous
    :data:`DELOAD_BASELINE_WEEKS` training weeks, and (``heavier_guard``) the
    week's mean %1RM is not above that baseline's median: a week that gets
    heavier while the dose drops is a switch to strength work, not a
    deload. Otherwise the emphasis: ``strength`` when the strength share is
    at least ``strength_share``, else ``hypertrophy`` or ``endurance``,
    hypertrophy unless the endurance share is above ``endurance_share``.

    Returns ``weekly`` sorted by trainee and week with ``kind``, ``dose``
    (per session) and ``baseline_dose`` (the trailing median it was compared
    with; null for untrained weeks and before two training weeks).
    """
    trainee = "trainee_id"
    weekly = weekly.sort(trainee, "week")
    trained = weekly.filter(pl.col("sets") > 0).with_columns(_dose(weekly, dose, per_session).alias("dose"))
    prior = {c: pl.col(c).shift(1).rolling_median(DELOAD_BASELINE_WEEKS, min_samples=DELOAD_MIN_BASELINE)
             .over(trainee) for c in ("dose", "mean_pct") if c in trained.columns}
    trained = trained.with_columns(*(e.alias(f"baseline_{c}") for c, e in prior.items()))
    low = pl.col("dose") < deload_ratio * pl.col("baseline_dose")
    if heavier_guard and "mean_pct" in trained.columns:
        low = low & ~(pl.col("mean_pct") > pl.col("baseline_mean_pct")).fill_null(False)
    kind = (
        pl.when(low.fill_null(False)).then(pl.lit("deload"))
        .when(pl.col("strength") >= strength_share).then(pl.lit("strength"))
        .when(pl.col("endurance") > endurance_share).then(pl.lit("endurance"))
        .otherwise(pl.lit("hypertrophy"))
    )
    kinds = trained.select(trainee, "week", kind.alias("kind"), "dose", "baseline_dose")
    return weekly.join(kinds, on=[trainee, "week"], how="left").with_columns(
        pl.col("kind").fill_null("off"))


def blocks(weekly: pl.DataFrame, smooth: bool = True, **rules) -> pl.DataFrame:
    """Mesocycle blocks per trainee from :func:`weekly_focus`.

    Each week gets a kind (:func:`week_kinds`: deload, else its emphasis,
    ``off`` without training). Single-week noise is smoothed: a one-week
    island between two weeks of the same training kind (strength,
    hypertrophy, endurance) takes their kind, unless it is a deload (a
    deload is one week by design). A single missed week inside a block is
    absorbed too (the block went on); longer breaks, and breaks between
    blocks of different kinds, stay ``off``. Runs of equal
    kind (run-length encoding per trainee, no per-trainee loop) are the blocks.

    Returns ``trainee_id, block`` (1, 2, ... per trainee), ``kind``,
    ``start`` (Monday of the first week), ``end`` (Sunday of the last week)
    and ``weeks``. ``smooth=False`` skips the smoothing; ``rules`` are
    passed to :func:`week_kinds`.
    """
    trainee = "trainee_id"
    kinds = week_kinds(weekly, **rules)
    before, after = (pl.col("kind").shift(n).over(trainee) for n in (1, -1))
    training = before.is_in(["strength", "hypertrophy", "endurance"])
    island = (pl.col("kind") != before) & (before == after) & training & (pl.col("kind") != "deload") & smooth
    smoothed = kinds.with_columns(pl.when(island.fill_null(False)).then(before).otherwise(pl.col("kind")).alias("kind"))
    return (
        smoothed.with_columns(pl.col("kind").rle_id().over(trainee).alias("run"))
        .group_by(trainee, "run")
        .agg(pl.col("kind").first(), pl.col("week").min().alias("start"),
             (pl.col("week").max() + pl.duration(days=6)).alias("end"), pl.len().alias("weeks"))
        .sort(trainee, "run")
        .with_columns((pl.col("run").rank("dense").over(trainee)).cast(pl.Int64).alias("block"))
        .select(trainee, "block", "kind", "start", "end", pl.col("weeks").cast(pl.Int64))
    )
