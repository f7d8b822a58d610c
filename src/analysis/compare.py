"""Periods compared: the report window against the window before it, and the
current block against the previous block of the same kind.

What users of lifting tools ask for beside trends: "this month against last
month". Each period is read on the same measures, the acute variables of
DOMAIN.md plus the outcomes: sessions, volume load and working sets a week
(with reps), compound share (exercise selection), rest, each featured lift's e1RM (the
median session-best e1RM of the period) and the mean limb girth and
bodyweight (means of the period's measurements).

Tidy: one row per trainee, measure and period; :func:`table` pairs them
with the change and an arrow.
"""

from __future__ import annotations

import polars as pl

from analysis.verdict import LIMBS

PERIODS = ("previous", "current")
ARROW_TOLERANCE = 0.02
"""Changes within ±2% of the previous value get a flat arrow."""
UNITS = {"sessions a week": "", "volume load a week": "kg", "working sets a week": "", "compound share": "%",
         "rest": "s", "limb girth": "cm", "bodyweight": "kg"}


def windows(as_of: pl.DataFrame) -> pl.DataFrame:
    """``trainee_id, period, start, end`` of the window (``as_of``: trainee_id,
    as_of, window_start) and the window of the same length before it."""
    length = pl.col("as_of") - pl.col("window_start")
    current = as_of.select("trainee_id", pl.lit("current").alias("period"), pl.col("window_start").alias("start"),
                           pl.col("as_of").alias("end"))
    previous = as_of.select("trainee_id", pl.lit("previous").alias("period"),
                            (pl.col("window_start") - length - pl.duration(days=1)).alias("start"),
                            (pl.col("window_start") - pl.duration(days=1)).alias("end"))
    return pl.concat([previous, current])


def _placed(frame: pl.DataFrame, periods: pl.DataFrame, date: str = "date") -> pl.DataFrame:
    """Rows of ``frame`` with the period their ``date`` (or week) falls in."""
    return (frame.join(periods, on="trainee_id")
            .filter(pl.col(date).is_between(pl.col("start"), pl.col("end"))))


def period_values(result, periods: pl.DataFrame) -> pl.DataFrame:
    """``trainee_id, period, measure, value`` for the given periods
    (``trainee_id, period, start, end``; weekly tables count the weeks that
    start inside a period)."""
    keys = ["trainee_id", "period"]

    def weekly(table: pl.DataFrame, measure: str, value: pl.Expr) -> pl.DataFrame:
        return _placed(table, periods, "week").group_by(keys).agg(value.alias("value")).with_columns(
            pl.lit(measure).alias("measure"))

    featured = result.lifts.filter("featured").select("trainee_id", "exercise")
    lifts = (_placed(result.e1rm_sessions.join(featured, on=["trainee_id", "exercise"]), periods)
             .group_by(*keys, pl.col("exercise").alias("measure")).agg(pl.col("e1rm_kg").median().alias("value")))
    body = result.body.filter(pl.col("measure").is_in(list(LIMBS)) | (pl.col("measure") == "bodyweight_kg"))
    girths = (_placed(body, periods)
              .with_columns(pl.when(pl.col("measure") == "bodyweight_kg").then(pl.lit("bodyweight"))
                            .otherwise(pl.lit("limb girth")).alias("kind"))
              .group_by(*keys, "kind", "measure").agg(pl.col("value").mean())
              .group_by(*keys, pl.col("kind").alias("measure")).agg(pl.col("value").mean()))
    parts = [
        weekly(result.sessions_per_week, "sessions a week", pl.col("sessions").mean()),
        weekly(result.weekly_volume, "volume load a week", pl.col("volume_load_kg").mean()),
        weekly(result.weekly_focus, "working sets a week", pl.col("sets").mean()),
        weekly(result.weekly_compound, "compound share",
               100 * (pl.col("compound_share") * pl.col("known_sets")).sum() / pl.col("known_sets").sum()),
        weekly(result.weekly_rest, "rest", pl.col("median_rest_s").median()),
        lifts, girths,
    ]
    columns = [*keys, "measure", "value"]
    return pl.concat([p.select(columns) for p in parts], how="vertical_relaxed").sort(*keys, "measure")


def table(values: pl.DataFrame) -> pl.DataFrame:
    """``trainee_id, measure, previous, current, change, arrow`` (↑ ↓ →;
    :data:`ARROW_TOLERANCE`), with every measure either period has."""
    wide = values.pivot(on="period", index=["trainee_id", "measure"], values="value")
    for p in PERIODS:
        if p not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(p))
    change = pl.col("current") - pl.col("previous")
    flat = change.abs() <= ARROW_TOLERANCE * pl.col("previous").abs()
    arrow = pl.when(change.is_null()).then(None).when(flat).then(pl.lit("→")).when(change > 0).then(pl.lit("↑")) \
        .otherwise(pl.lit("↓"))
    return wide.select("trainee_id", "measure", "previous", "current", change.alias("change"), arrow.alias("arrow"))


def window_comparison(result) -> pl.DataFrame:
    """:func:`table` of the report window against the window before it."""
    return table(period_values(result, windows(result.as_of)))


def block_comparison(result) -> pl.DataFrame:
    """:func:`table` of each trainee's current block against the previous
    block of the same kind (none when the current block is its kind's first),
    with ``current_start`` and ``previous_start``."""
    blocks = result.blocks.filter(pl.col("kind").is_in(["strength", "hypertrophy", "endurance"]))
    current = blocks.group_by("trainee_id").agg(pl.all().sort_by("start").last()).join(
        result.blocks.group_by("trainee_id").agg(pl.col("start").max().alias("latest")), on="trainee_id")
    current = current.filter(pl.col("start") == pl.col("latest"))  # the latest block is a training block
    previous = (blocks.join(current.select("trainee_id", "kind", pl.col("start").alias("current_start")),
                            on=["trainee_id", "kind"])
                .filter(pl.col("start") < pl.col("current_start"))
                .group_by("trainee_id").agg(pl.all().sort_by("start").last()))
    periods = pl.concat([
        current.select("trainee_id", pl.lit("current").alias("period"), "start", "end"),
        previous.select("trainee_id", pl.lit("previous").alias("period"), "start", "end"),
    ]).filter(pl.col("trainee_id").is_in(previous.get_column("trainee_id").implode()))
    starts = periods.pivot(on="period", index="trainee_id", values="start")
    if periods.is_empty():
        return table(period_values(result, periods)).with_columns(
            pl.lit(None, pl.Date).alias("current_start"), pl.lit(None, pl.Date).alias("previous_start"))
    return table(period_values(result, periods)).join(
        starts.rename({"current": "current_start", "previous": "previous_start"}), on="trainee_id")
