"""Rest between sets and training density: the rest-period variable of a log.

Rest is the third of the five acute variables (DOMAIN.md): strength work
rests 2-5 min, hypertrophy work 30-90 s, endurance work 30 s or less (NSCA,
Essentials of Strength Training and Conditioning, 4th ed.; the seeds give
3-5 min and 60-90 s). A log shows it in one of two ways:

- **logged**: the set's ``rest_s`` (Strong's rest timer, a mapped column);
- **estimated** from the session's length (``session_s``: Strong's Duration,
  Hevy's start and end, Lyfta, StrongLifts) and its number of sets: rest per
  set = length / sets - :data:`SET_WORK_S`, never below 0. Such rests are
  flagged ``estimated``. Sessions longer than :data:`LONG_SESSION_S` (a timer
  left running) and sessions of one set are left out.

A session's rest is the median of its logged rests when it has any, else
its estimate. Per set, the logged rest, else the session's estimate: so the
rests of sets in each rep zone (:func:`analysis.volume.zone`) show whether
heavy sets got the long rests they need.

Density is work per time: sets per hour and volume load per minute of the
session (both null without a session length).
"""

from __future__ import annotations

import polars as pl

from analysis.volume import ZONES, week_start

SET_WORK_S = 40.0
"""Seconds a set itself takes, with setting up. An assumption, not a
measurement: 8-10 reps at the common 2-4 s a rep, plus unracking and
re-racking. Estimated rests are flagged so a reader knows."""
LONG_SESSION_S = 4 * 3600.0
"""Longer sessions are a timer left running, not training: left out."""
REST_ZONE_S = {"strength": 120.0, "hypertrophy": 30.0}
"""Lower bounds of the NSCA rest zones: strength from 2 min; hypertrophy from
30 s (up to 90 s, and a rest between 90 s and 2 min is still read as
hypertrophy); endurance below 30 s."""

SESSION_COLUMNS = ("trainee_id", "session_id", "date", "set_type", "weight_kg", "reps", "rest_s", "session_s")


def rest_zone(seconds: pl.Expr) -> pl.Expr:
    """The NSCA zone a rest falls in (:data:`REST_ZONE_S`); null for null."""
    return (
        pl.when(seconds >= REST_ZONE_S["strength"]).then(pl.lit("strength"))
        .when(seconds >= REST_ZONE_S["hypertrophy"]).then(pl.lit("hypertrophy"))
        .when(seconds.is_not_null()).then(pl.lit("endurance"))
    )


def session_rest(sets: pl.DataFrame) -> pl.DataFrame:
    """Per trainee and session: its rest and density.

    Tidy: ``trainee_id, session_id, date, sets, session_s, rest_s``
    (logged median, else the estimate; null when neither), ``estimated``,
    ``sets_per_hour``, ``load_kg_per_min`` (volume load of working sets per
    minute). ``sets`` needs the columns of :data:`SESSION_COLUMNS`.
    """
    working = pl.col("set_type") != "warmup"
    length = pl.col("session_s").drop_nulls().first()
    sessions = (
        sets.lazy()
        .group_by("trainee_id", "session_id")
        .agg(
            pl.col("date").min(),
            pl.len().alias("sets"),
            pl.when(length <= LONG_SESSION_S).then(length).alias("session_s"),
            pl.col("rest_s").median().alias("logged_s"),
            (pl.col("reps") * pl.col("weight_kg").fill_null(0)).filter(working).sum().cast(pl.Float64)
            .alias("volume_load_kg"),
        )
    )
    estimate = (pl.col("session_s") / pl.col("sets") - SET_WORK_S).clip(lower_bound=0)
    return (
        sessions.with_columns(
            pl.coalesce("logged_s", pl.when(pl.col("sets") > 1).then(estimate)).alias("rest_s"),
            (pl.col("logged_s").is_null() & (pl.col("sets") > 1) & pl.col("session_s").is_not_null())
            .alias("estimated"),
            (pl.col("sets") / (pl.col("session_s") / 3600)).alias("sets_per_hour"),
            (pl.col("volume_load_kg") / (pl.col("session_s") / 60)).alias("load_kg_per_min"),
        )
        .select("trainee_id", "session_id", "date", "sets", "session_s", "rest_s", "estimated",
                "sets_per_hour", "load_kg_per_min")
        .sort("trainee_id", "date", "session_id")
        .collect()
    )


def set_rest(zoned_sets: pl.DataFrame, sessions: pl.DataFrame) -> pl.DataFrame:
    """Per working set with a zone: ``trainee_id, date, zone, rest_s, estimated``.

    The set's logged rest, else its session's estimate (:func:`session_rest`).
    ``zoned_sets``: sets with ``zone`` (:func:`analysis.volume.set_zones`) and ``rest_s``.
    """
    estimates = sessions.filter("estimated").select("trainee_id", "session_id", pl.col("rest_s").alias("_est"))
    return (
        zoned_sets.filter(pl.col("zone").is_not_null())
        .select("trainee_id", "session_id", "date", "zone", "rest_s")
        .join(estimates, on=["trainee_id", "session_id"], how="left", nulls_equal=True)
        .select("trainee_id", "date", "zone", pl.coalesce("rest_s", "_est").alias("rest_s"),
                (pl.col("rest_s").is_null() & pl.col("_est").is_not_null()).alias("estimated"))
        .drop_nulls("rest_s")
    )


def weekly_rest(sessions: pl.DataFrame) -> pl.DataFrame:
    """Per trainee and ISO week: ``median_rest_s``, ``estimated_share`` (of
    the sessions with a rest), ``sets_per_hour`` and ``load_kg_per_min`` (medians)."""
    return (
        sessions.filter(pl.col("rest_s").is_not_null())
        .group_by("trainee_id", week_start())
        .agg(pl.col("rest_s").median().alias("median_rest_s"), pl.col("estimated").mean().alias("estimated_share"),
             pl.col("sets_per_hour").median(), pl.col("load_kg_per_min").median(), pl.len().alias("sessions"))
        .sort("trainee_id", "week")
    )


def rest_summary(sessions: pl.DataFrame, per_set: pl.DataFrame) -> pl.DataFrame:
    """One row per trainee over the given sessions and sets (the report window):
    ``median_s``, ``zone`` (of the median), ``estimated`` (any session's rest
    estimated), ``sessions`` (with a rest), ``sets_per_hour`` (median) and
    the median rest of sets in each rep zone (``strength_s``, ...)."""
    by_session = sessions.group_by("trainee_id").agg(
        pl.col("rest_s").median().alias("median_s"),
        pl.col("estimated").filter(pl.col("rest_s").is_not_null()).any().alias("estimated"),
        pl.col("rest_s").is_not_null().sum().alias("sessions"),
        pl.col("sets_per_hour").median(),
    )
    by_zone = per_set.group_by("trainee_id").agg(
        pl.col("rest_s").filter(pl.col("zone") == z).median().alias(f"{z}_s") for z in ZONES
    )
    return by_session.join(by_zone, on="trainee_id", how="left").with_columns(
        rest_zone(pl.col("median_s")).alias("zone"))
