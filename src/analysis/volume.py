"""Volume load (tonnage) and training frequency.

Volume load = sum of reps x load over working sets (warm-ups excluded; drop
and failure sets count). Sets without an external load (bodyweight work) add
no kilograms but are never silently lost: they are counted in
``unloaded_sets`` beside the tonnage.
"""

from __future__ import annotations

import polars as pl

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


def _fill_weeks(weekly: pl.DataFrame, values: list[str]) -> pl.DataFrame:
    """Every week of each trainee's logged span, weeks without data as 0."""
    span = (
        weekly.group_by("trainee_id")
        .agg(pl.date_ranges(pl.col("week").min(), pl.col("week").max(), "1w").first().alias("week"))
        .explode("week")
    )
    return (
        span.join(weekly, on=["trainee_id", "week"], how="left")
        .with_columns(pl.col(values).fill_null(0))
        .sort("trainee_id", "week")
    )


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
