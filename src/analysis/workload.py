"""Workload and recovery: daily load, ACWR, monotony/strain, failure share, flags.

Everything here is a *flag*, not a diagnosis (DOMAIN.md, "Workload and
recovery"). The load is volume load (reps x kg) of the non-warm-up sets, as in
:mod:`analysis.volume`.

- ACWR, EWMA form (Williams et al. 2017, Br J Sports Med 51(3):209-210):
  ``EWMA_t = l*load_t + (1-l)*EWMA_(t-1)``, ``l = 2/(N+1)``, acute N = 7,
  chronic N = 28 days. >= 1.5 is the "spike" of Gabbett 2016 (Br J Sports Med
  50(5):273-280); the ratio and its bands are criticised (Lolli et al. 2019,
  Br J Sports Med 53(15):921-922; Impellizzeri et al. 2020, Int J Sports
  Physiol Perform 15(6):907-913), so they are loose flags only.
- Foster monotony = mean daily load over 7 days / SD, strain = weekly load x
  monotony, > 2 flagged (Foster 1998, Med Sci Sports Exerc 30(7):1164-1168).
- Failure share: training to failure is associated with more injury risk, so
  a rising share of failure / RPE 10 sets is shown.

All functions work on every trainee in one pass (window expressions
``.over("trainee_id")``), never a Python loop over trainees.
"""

from __future__ import annotations

import polars as pl

from analysis import volume
from analysis.volume import WORKING, week_start

ACUTE_DAYS = 7
CHRONIC_DAYS = 28
"""Williams et al. 2017: acute 7-day and chronic 28-day EWMA."""
ACWR_SPIKE = 1.5
"""Gabbett 2016: ACWR >= 1.5 is a "spike"."""
ACWR_LOW = 0.8
"""Lower edge of the commonly quoted 0.8-1.3 band: load well below usual."""
MONOTONY_HIGH = 2.0
"""Foster 1998: monotony > 2 is the usual flag."""
FAILURE_SHARE_HIGH = 0.20
"""Failure share (pooled over 4 weeks) above this, and higher than the 4
weeks before, is flagged. A working heuristic, not a published cut-off."""
FAILURE_WINDOW_WEEKS = 4

CAVEAT = "A flag worth a look, not a diagnosis."
ACWR_CAVEAT = (
    "A flag worth a look, not a diagnosis: ACWR and its bands are loose "
    "indicators (criticised by Lolli 2019 and Impellizzeri 2020)."
)

FLAGS_SCHEMA = {
    "trainee_id": pl.String,
    "flag": pl.String,
    "value": pl.Float64,
    "threshold": pl.Float64,
    "message": pl.String,
}


def _lambda(days: int) -> float:
    return 2.0 / (days + 1)


def _fill_days(daily: pl.DataFrame) -> pl.DataFrame:
    """Every calendar day of each trainee's span; missing days as 0 load."""
    return volume.fill_span(daily, "date", "1d", ["load_kg", "sets"])


def daily_load(sets: pl.DataFrame) -> pl.DataFrame:
    """Volume load per trainee and calendar day: ``trainee_id, date, load_kg, sets``.

    ``load_kg`` = sum of reps x kg over working, drop and failure sets
    (warm-ups excluded), ``sets`` = how many such sets. The bodyweight rule of
    :mod:`analysis.volume` holds: a set without an external load (null or 0
    kg) adds 0 kg but is counted in ``sets``. Every day from the trainee's
    first to last logged day (any set type) is present; rest days have 0.
    Streaming: on 10M sets an eager group-by holds ~1 GB of hash tables.
    """
    per_day = (
        sets.lazy().group_by("trainee_id", "date")
        .agg(
            (pl.col("reps") * pl.col("weight_kg").fill_null(0)).filter(WORKING).sum().cast(pl.Float64).alias("load_kg"),
            WORKING.sum().cast(pl.Int64).alias("sets"),
        )
        .collect(engine="streaming")
    )
    return _fill_days(per_day).select("trainee_id", "date", "load_kg", "sets")


def acwr(daily: pl.DataFrame) -> pl.DataFrame:
    """Acute, chronic EWMA load and their ratio: ``trainee_id, date, acute, chronic, acwr``.

    Williams et al. 2017: ``l = 2/(N+1)`` with N = 7 (acute) and 28 (chronic),
    over the gap-free daily series (missing days are filled with 0 here too).
    Both EWMAs are seeded with the trainee's first day's load (``EWMA_0 =
    load_0``). ``acwr`` is null during the first 28 days of a trainee's span
    (the chronic EWMA is still mostly seed, not history) and where chronic is 0.
    """
    filled = _fill_days(daily.select("trainee_id", "date", "load_kg", pl.lit(0).alias("sets")))
    load = pl.col("load_kg")
    return filled.select(
        "trainee_id",
        "date",
        load.ewm_mean(alpha=_lambda(ACUTE_DAYS), adjust=False).over("trainee_id").alias("acute"),
        load.ewm_mean(alpha=_lambda(CHRONIC_DAYS), adjust=False).over("trainee_id").alias("chronic"),
        pl.int_range(pl.len()).over("trainee_id").alias("_day"),
    ).with_columns(
        pl.when((pl.col("_day") >= CHRONIC_DAYS) & (pl.col("chronic") > 0))
        .then(pl.col("acute") / pl.col("chronic"))
        .alias("acwr")
    ).drop("_day")


def monotony_strain(daily: pl.DataFrame) -> pl.DataFrame:
    """Foster monotony and strain per ISO week: ``trainee_id, week, weekly_load_kg, monotony, strain``.

    Monotony = mean of the 7 daily loads / their SD, rest days counting 0;
    strain = weekly load x monotony (Foster 1998). The SD is the *population*
    SD (ddof = 0): the 7 days are the whole week described, not a sample, and
    Foster does not specify; a sample SD (Excel STDEV) would give a monotony
    sqrt(6/7) ~ 0.93 times this one. SD = 0 (every day the same, including an
    all-rest week) gives null monotony and strain, not infinity. Only full
    Monday-Sunday weeks inside the trainee's span are reported.
    """
    filled = _fill_days(daily.select("trainee_id", "date", "load_kg", pl.lit(0).alias("sets")))
    load = pl.col("load_kg")
    weekly = (
        filled.group_by("trainee_id", week_start())
        .agg(
            load.sum().alias("weekly_load_kg"),
            load.mean().alias("_mean"),
            load.std(ddof=0).alias("_sd"),
            pl.len().alias("_days"),
        )
        .filter(pl.col("_days") == 7)
    )
    sd_zero = pl.col("_sd") <= 1e-9 * pl.col("_mean")  # float noise on equal days
    monotony = pl.when(~sd_zero).then(pl.col("_mean") / pl.col("_sd"))
    return (
        weekly.with_columns(monotony.alias("monotony"))
        .with_columns((pl.col("weekly_load_kg") * pl.col("monotony")).alias("strain"))
        .select("trainee_id", "week", "weekly_load_kg", "monotony", "strain")
        .sort("trainee_id", "week")
    )


def failure_share(sets: pl.DataFrame) -> pl.DataFrame:
    """Share of working sets taken to failure per ISO week: ``trainee_id, week, working_sets, failure_sets, share``.

    Working sets are the non-warm-up sets (working, drop, failure), as in
    :mod:`analysis.volume`; a failure set is ``set_type == "failure"`` or RPE
    >= 10. Weeks without working sets inside the span appear with 0 sets and a
    null share.
    """
    failed = (pl.col("set_type") == "failure") | (pl.col("rpe") >= 10).fill_null(False)
    weekly = (
        sets.filter(WORKING)
        .group_by("trainee_id", week_start())
        .agg(pl.len().cast(pl.Int64).alias("working_sets"), failed.sum().cast(pl.Int64).alias("failure_sets"))
    )
    return (
        volume.fill_span(weekly, "week", "1w", ["working_sets", "failure_sets"])
        .with_columns(
            pl.when(pl.col("working_sets") > 0)
            .then(pl.col("failure_sets") / pl.col("working_sets"))
            .alias("share")
        )
        .select("trainee_id", "week", "working_sets", "failure_sets", "share")
    )


def _fmt(expr: pl.Expr, digits: int = 2) -> pl.Expr:
    rounded = expr.round(digits)
    return (rounded.cast(pl.Int64) if digits == 0 else rounded).cast(pl.String)


def _flag_rows(
    frame: pl.DataFrame, flag: str, value: pl.Expr, threshold: float, message: pl.Expr, caveat: str = CAVEAT
) -> pl.DataFrame:
    return frame.select(
        pl.col("trainee_id"),
        pl.lit(flag).alias("flag"),
        value.cast(pl.Float64).alias("value"),
        pl.lit(threshold, dtype=pl.Float64).alias("threshold"),
        pl.concat_str(message, pl.lit(" " + caveat)).alias("message"),
    )


def flags(sets: pl.DataFrame, as_of: pl.DataFrame, daily: pl.DataFrame | None = None) -> pl.DataFrame:
    """Workload flags as of each trainee's date: ``trainee_id, flag, value, threshold, message``.

    ``as_of`` has ``trainee_id, as_of`` (a date); sets after it are ignored and
    trainees not listed are not looked at. Flags:

    - ``acwr_spike``: ACWR >= 1.5 (Gabbett 2016) on the trainee's last
      training day (a day with working sets) on or before ``as_of``; a rest
      day would read low by construction of the 7-day EWMA;
    - ``acwr_low``: ACWR < 0.8 on that day, load well below what the trainee
      is used to;
    - ``monotony_high``: monotony > 2 in the last full week (Foster 1998);
    - ``failure_share_rising``: pooled failure share of the 4 ISO weeks up to
      and including the ``as_of`` week is above 20 % and above the pooled
      share of the 4 weeks before (which must hold working sets).

    Zero rows when nothing is flagged. Messages are worded as flags ("worth
    a look, not a diagnosis"); the ACWR ones add that ACWR is criticised
    (Lolli 2019, Impellizzeri 2020).

    ``daily``: :func:`daily_load` of the same sets up to each trainee's
    ``as_of`` (trainees not listed left out), when the caller has it.
    """
    as_of = as_of.select("trainee_id", pl.col("as_of").cast(pl.Date))
    sets = sets.select(c for c in ("trainee_id", "date", "set_type", "rpe", "reps", "weight_kg") if c in sets.columns)
    if as_of.get_column("trainee_id").is_duplicated().any():  # a set counts once per listed date, as joined
        sets = sets.join(as_of, on="trainee_id", how="inner")
        limit = pl.col("as_of")
    else:  # each set's date looked up, not joined onto every set
        limit = pl.col("trainee_id").replace_strict(as_of.get_column("trainee_id"), as_of.get_column("as_of"),
                                                    default=None)
    if daily is None:
        upto = sets.filter(pl.col("date") <= limit)
        if upto.is_empty():
            return pl.DataFrame(schema=FLAGS_SCHEMA)
        daily = daily_load(upto)
    elif daily.is_empty():
        return pl.DataFrame(schema=FLAGS_SCHEMA)
    out = []

    # ACWR on the last training day: on rest days the 7-day EWMA dips by
    # design (3 sessions a week at a steady load read ~0.76 on a Sunday)
    last_training = daily.filter(pl.col("sets") > 0).group_by("trainee_id").agg(pl.col("date").max())
    ratio = acwr(daily).join(last_training, on=["trainee_id", "date"], how="semi").drop_nulls("acwr")
    on_day = pl.concat_str(pl.lit("ACWR "), _fmt(pl.col("acwr")), pl.lit(" on "), pl.col("date").cast(pl.String))
    out.append(_flag_rows(
        ratio.filter(pl.col("acwr") >= ACWR_SPIKE), "acwr_spike", pl.col("acwr"), ACWR_SPIKE,
        pl.concat_str(on_day, pl.lit(
            f" (7-day vs 28-day EWMA load) is at or above {ACWR_SPIKE}, the 'spike' level in Gabbett 2016: "
            "recent load is well above what this trainee is used to.")),
        ACWR_CAVEAT,
    ))
    out.append(_flag_rows(
        ratio.filter(pl.col("acwr") < ACWR_LOW), "acwr_low", pl.col("acwr"), ACWR_LOW,
        pl.concat_str(on_day, pl.lit(
            f" (7-day vs 28-day EWMA load) is below {ACWR_LOW}: recent load is well below what this "
            "trainee is used to (a deload, a break, or unlogged sessions?).")),
        ACWR_CAVEAT,
    ))

    mono = monotony_strain(daily).filter(pl.col("week") == pl.col("week").max().over("trainee_id"))
    out.append(_flag_rows(
        mono.filter(pl.col("monotony") > MONOTONY_HIGH), "monotony_high", pl.col("monotony"), MONOTONY_HIGH,
        pl.concat_str(
            pl.lit("Training monotony "), _fmt(pl.col("monotony")), pl.lit(" in the week of "),
            pl.col("week").cast(pl.String),
            pl.lit(f" is above {MONOTONY_HIGH} (Foster 1998): daily loads were very similar, with little "
                   "hard/easy contrast; strain "), _fmt(pl.col("strain"), 0), pl.lit(" kg."),
        ),
    ))

    # the failure share reads the 2 x 4 ISO weeks up to the as_of week only
    since = limit.dt.truncate("1w") - pl.duration(weeks=2 * FAILURE_WINDOW_WEEKS - 1)
    out.append(_failure_flags(sets.filter(pl.col("date").is_between(since, limit)), as_of))
    return pl.concat(out, how="vertical").sort("trainee_id", "flag")


def _failure_flags(upto: pl.DataFrame, as_of: pl.DataFrame) -> pl.DataFrame:
    """Failure share pooled over the last 4 weeks vs the 4 before."""
    n = FAILURE_WINDOW_WEEKS
    anchor = as_of.with_columns(week_start("as_of").alias("_anchor"))
    weeks_back = (
        (pl.col("_anchor") - pl.col("week")).dt.total_days() // 7
    )
    windows = (
        failure_share(upto)
        .join(anchor, on="trainee_id", how="inner")
        .with_columns(weeks_back.alias("_back"))
        .filter(pl.col("_back").is_between(0, 2 * n - 1))
        .group_by("trainee_id")
        .agg(
            pl.col("failure_sets").filter(pl.col("_back") < n).sum().alias("f_recent"),
            pl.col("working_sets").filter(pl.col("_back") < n).sum().alias("w_recent"),
            pl.col("failure_sets").filter(pl.col("_back") >= n).sum().alias("f_prior"),
            pl.col("working_sets").filter(pl.col("_back") >= n).sum().alias("w_prior"),
        )
        .filter((pl.col("w_recent") > 0) & (pl.col("w_prior") > 0))
        .with_columns(
            (pl.col("f_recent") / pl.col("w_recent")).alias("recent"),
            (pl.col("f_prior") / pl.col("w_prior")).alias("prior"),
        )
    )
    pct = lambda c: _fmt(pl.col(c) * 100, 0)  # noqa: E731
    return _flag_rows(
        windows.filter((pl.col("recent") > FAILURE_SHARE_HIGH) & (pl.col("recent") > pl.col("prior"))),
        "failure_share_rising", pl.col("recent"), FAILURE_SHARE_HIGH,
        pl.concat_str(
            pl.lit("Sets to failure / RPE 10 rose to "), pct("recent"), pl.lit(" % of working sets ("),
            pl.col("f_recent").cast(pl.String), pl.lit(" of "), pl.col("w_recent").cast(pl.String),
            pl.lit(f") in the last {n} weeks, from "), pct("prior"), pl.lit(f" % in the {n} weeks before; "
            f"above {FAILURE_SHARE_HIGH * 100:.0f} %. Training to failure is associated with more injury risk."),
        ),
    )
