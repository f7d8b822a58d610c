"""Per-trainee progress over a window, for every trainee in one pass.

:func:`analyse` computes the tables a report shows and the summary.json of
DESIGN.md for all trainees at once (vectorized polars, no per-trainee loop
until the summaries are assembled). Lift and size statuses read
``insufficient_data`` until the trend detectors land (issues 4 and 5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from analysis import catalog, strength, volume

LIFT_STATUSES = ("progressing", "plateau", "declining", "insufficient_data")
SIZE_STATUSES = ("growing", "flat", "shrinking", "insufficient_data")

ZONE_REPS = {"strength": (1, 6), "hypertrophy": (7, 12), "endurance": (13, None)}
"""Training zone of a working set by reps (NSCA Essentials, 4th ed.): the
tables overlap at 6 and 12 reps; 6 counts as strength, 12 as hypertrophy."""


@dataclass
class Progress:
    """All trainees' report tables (tidy, keyed by trainee_id) and summaries."""

    as_of: pl.DataFrame  # trainee_id, as_of, window_start
    e1rm_sessions: pl.DataFrame
    lifts: pl.DataFrame
    weekly_volume: pl.DataFrame
    sessions_per_week: pl.DataFrame
    focus: pl.DataFrame
    trainees: pl.DataFrame
    window_weeks: int

    def summary(self, trainee_id: str) -> dict:
        """summary.json for one trainee (DESIGN.md contract)."""
        when = self.as_of.filter(pl.col("trainee_id") == trainee_id).row(0, named=True)
        lifts = self.lifts.filter(pl.col("trainee_id") == trainee_id)
        focus = self.focus.filter(pl.col("trainee_id") == trainee_id)
        shares = {z: 0.0 for z in ZONE_REPS} | {r["zone"]: r["share"] for r in focus.iter_rows(named=True)}
        return {
            "trainee_id": trainee_id,
            "as_of": when["as_of"].isoformat(),
            "window_weeks": self.window_weeks,
            "lifts": [
                {
                    "exercise": r["exercise"],
                    "main_lift": r["main_lift"],
                    "status": r["status"],
                    "plateau_since": r["plateau_since"],
                    "e1rm_kg": _round(r["e1rm_kg"]),
                    "best_e1rm_kg": _round(r["best_e1rm_kg"]),
                    "change_pct_per_week": _round(r["change_pct_per_week"], 2),
                    "sessions_in_window": r["sessions_in_window"],
                }
                for r in lifts.iter_rows(named=True)
            ],
            "strength": {"status": _overall(lifts)},
            "size": {"status": "insufficient_data"},
            "focus": {z: round(v, 3) for z, v in shares.items()},
        }


def analyse(sets: pl.DataFrame, trainees: pl.DataFrame, as_of: dt.date | None = None,
            window_weeks: int = 8) -> Progress:
    """Every trainee's tables up to ``as_of`` (default: their last logged day)."""
    sets = catalog.annotate(sets)
    when = _as_of(sets, as_of, window_weeks)
    sets = sets.join(when, on="trainee_id").filter(pl.col("date") <= pl.col("as_of"))
    in_window = sets.filter(pl.col("date") >= pl.col("window_start"))
    sessions = strength.session_best_e1rm(sets).join(
        sets.select("lift", "main_lift").unique("lift"), left_on="exercise", right_on="lift", how="left"
    )
    return Progress(
        as_of=when,
        e1rm_sessions=sessions,
        lifts=_lifts(sessions, when),
        weekly_volume=volume.volume_by_week(sets),
        sessions_per_week=volume.sessions_per_week(sets),
        focus=focus_shares(in_window),
        trainees=trainees,
        window_weeks=window_weeks,
    )


def _as_of(sets: pl.DataFrame, as_of: dt.date | None, window_weeks: int) -> pl.DataFrame:
    last = sets.group_by("trainee_id").agg(pl.col("date").max().alias("as_of"))
    if as_of is not None:
        last = last.with_columns(pl.lit(as_of).alias("as_of"))
    return last.with_columns(
        (pl.col("as_of") - pl.duration(weeks=window_weeks) + pl.duration(days=1)).alias("window_start")
    ).sort("trainee_id")


def _lifts(sessions: pl.DataFrame, when: pl.DataFrame) -> pl.DataFrame:
    """Per trainee and lift: latest and best e1RM, change per week in the window.

    The change is the least-squares slope of log session-best e1RM over days,
    as % per week (a provisional estimate until the trend detector lands).
    """
    days = (pl.col("date") - pl.col("window_start")).dt.total_days().cast(pl.Float64)
    log_e1rm = pl.col("e1rm_kg").log()
    window = pl.col("date") >= pl.col("window_start")
    slope = pl.cov(days.filter(window), log_e1rm.filter(window)) / days.filter(window).var()
    n_window = window.sum()
    return (
        sessions.join(when, on="trainee_id")
        .sort("date")
        .group_by("trainee_id", "exercise")
        .agg(
            pl.col("main_lift").first(),
            pl.col("e1rm_kg").last(),
            pl.col("e1rm_kg").max().alias("best_e1rm_kg"),
            pl.when(n_window >= 3).then(((slope * 7).exp() - 1) * 100).alias("change_pct_per_week"),
            n_window.cast(pl.Int64).alias("sessions_in_window"),
        )
        .with_columns(
            pl.lit("insufficient_data").alias("status"),
            pl.lit(None, dtype=pl.String).alias("plateau_since"),
        )
        .sort("trainee_id", pl.col("main_lift").is_null(), "sessions_in_window", "exercise",
              descending=[False, False, True, False])
    )


def zone(reps: pl.Expr) -> pl.Expr:
    """NSCA training zone of a set by its reps (see :data:`ZONE_REPS`)."""
    return (
        pl.when(reps <= ZONE_REPS["strength"][1]).then(pl.lit("strength"))
        .when(reps <= ZONE_REPS["hypertrophy"][1]).then(pl.lit("hypertrophy"))
        .otherwise(pl.lit("endurance"))
    )


def focus_shares(sets: pl.DataFrame) -> pl.DataFrame:
    """Share of working sets per zone and trainee (tidy: trainee_id, zone, sets, share)."""
    return (
        sets.filter(volume.WORKING & (pl.col("reps") > 0))
        .group_by("trainee_id", zone(pl.col("reps")).alias("zone"))
        .agg(pl.len().alias("sets"))
        .with_columns((pl.col("sets") / pl.col("sets").sum().over("trainee_id")).alias("share"))
        .sort("trainee_id", "zone")
    )


def _overall(lifts: pl.DataFrame) -> str:
    """Strength status across main lifts: the most common known status."""
    main = lifts.filter(pl.col("main_lift").is_not_null() & (pl.col("status") != "insufficient_data"))
    if main.is_empty():
        return "insufficient_data"
    return main.get_column("status").mode().sort().item(0)


def _round(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)
