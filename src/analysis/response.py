"""Block response: what each training block did to strength and size.

Coaches plan in blocks (DOMAIN.md, "Programming in phases"): did the
strength block make the trainee stronger, the hypertrophy block bigger?
For every block (detected by :func:`analysis.volume.blocks`, or given),
:func:`block_response` measures

- each featured lift's e1RM change over the block, in %, at the reps the
  block trained (the block's own session-best e1RMs: nothing is carried
  across rep ranges);
- each body measure's change (girths in cm, bodyweight in kg);

as a straight line through the block's points (least squares on the days
of the block; e1RMs on the log scale), its change from the block's first to
its last day, and a 95% interval from the slope's standard error. The noise
of a point is the series' own (the lift's or measure's whole log): a robust
SD of its point-to-point differences over sqrt 2 (:func:`_noise`; slow
trends cancel in differences), so a block of four sessions borrows the
noise level of a hundred instead of guessing it from two degrees of
freedom. A trainee's blocks of one kind are then partially pooled
(:func:`_pooled`: blocks that agree within their noise share their mean,
blocks that disagree keep their own slopes), and the intervals widened by
:data:`INTERVAL_SCALE`, calibrated on the scenario grid's tuning seeds.
The verdict's posterior trend is not used here: it
bends at most every 13 weeks (:data:`analysis.trends.KNOT_WEEKS`), so it
spreads a 6-week block's gain over its neighbours, the global slope the
block question must not be answered with. Fewer than
:data:`MIN_POINTS` points in a block (or a block shorter than
:data:`MIN_WEEKS`) give no change.

:func:`block_training` reads the block's training against the five acute
variables: sessions, volume load and hard sets a week, the share of sets
in the block's intended zone, rest and the compound share.

Observational, not causal: a block's change is what happened during it,
with everything else that happened too.
"""

from __future__ import annotations

import polars as pl

from analysis.segmented import robust_sd

MIN_POINTS = 2
"""Points a line needs (the noise comes from the whole series)."""
MIN_NOISE = {"%": 0.01, "kg": 0.1, "cm": 0.1, "mm": 0.5, "points": 0.2}
"""Floors of a point's noise SD per unit (log units for e1RMs: 1%), so a
series of identical numbers does not claim a perfect line."""
Z95 = 1.959963984540054
INTERVAL_SCALE = {"%": 1.5, "kg": 2.5}
"""Widening of the 95% intervals, calibrated on the block_response
scenario's tuning seeds 1-3 (benchmarks/block_response.py) to cover the true
change about 95% of the time: e1RMs lag the true 1RM by the loads lifters
choose (0-2 weeks), and daily bodyweights are autocorrelated, so the noise
of point-to-point differences understates both. Girths need none."""
MIN_WEEKS = 2
"""Blocks shorter than this get no change (a deload week, a single week)."""
BLOCK_KEYS = ("trainee_id", "kind", "start", "end", "weeks")
RESPONSE_SCHEMA = {"trainee_id": pl.String, "kind": pl.String, "start": pl.Date, "end": pl.Date,
                   "weeks": pl.Int64, "measure": pl.String, "unit": pl.String, "change": pl.Float64,
                   "low": pl.Float64, "high": pl.Float64, "n": pl.Int64}


def _in_blocks(points: pl.DataFrame, blocks: pl.DataFrame) -> pl.DataFrame:
    """``points`` (trainee_id, date, ...) with the block each falls in (inclusive dates)."""
    return (
        points.sort("date")
        .join_asof(blocks.select(*BLOCK_KEYS).sort("start"), left_on="date", right_on="start",
                   by="trainee_id", strategy="backward", check_sortedness=False)
        .filter(pl.col("start").is_not_null() & (pl.col("date") <= pl.col("end")))
    )


def _noise(points: pl.DataFrame, floor: pl.Expr) -> pl.DataFrame:
    """A point's noise SD per series (trainee, measure): robust SD of the
    differences of consecutive points / sqrt 2, at least ``floor``."""
    return (
        points.sort("date").group_by("trainee_id", "measure")
        .agg((robust_sd(pl.col("y").diff().drop_nulls()) / 2 ** 0.5).alias("sigma"), floor.first().alias("floor"))
        .select("trainee_id", "measure", pl.max_horizontal(pl.col("sigma").fill_null(0), "floor").alias("sigma"))
    )


def _lines(points: pl.DataFrame, noise: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Least-squares line of ``y`` on ``t`` (days) per group: n, slope and its
    standard error from the series' noise SD."""
    t, y = pl.col("t"), pl.col("y")
    fitted = points.group_by(keys).agg(
        pl.len().alias("n"),
        ((t - t.mean()) ** 2).sum().alias("sxx"), ((t - t.mean()) * (y - y.mean())).sum().alias("sxy"),
    ).join(noise, on=["trainee_id", "measure"], how="left")
    usable = (pl.col("n") >= MIN_POINTS) & (pl.col("sxx") > 0)
    return fitted.with_columns(pl.when(usable).then(pl.col("sxy") / pl.col("sxx")).alias("slope"),
                               pl.when(usable).then(pl.col("sigma") / pl.col("sxx").sqrt()).alias("se"))


def _pooled(lines: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Block slopes partially pooled with the other blocks of their group
    (``keys``: a trainee's blocks of one kind), the random-effects model of
    meta-analysis: each block's slope is drawn around the group's mean with
    a between-block SD τ, estimated by DerSimonian & Laird (1986). A slope is
    moved towards the group mean by B = se² / (se² + τ²) and its variance is
    (1 - B) se² + B² / Σ w* (w* = 1 / (se² + τ²); the mean's own
    uncertainty). A group of one block, or blocks that disagree far beyond
    their noise, keep their own slopes."""
    s, se2 = pl.col("slope"), pl.col("se") ** 2
    w = 1 / se2
    sw, sw2 = w.sum().over(keys), (w ** 2).sum().over(keys)
    mean = (w * s).sum().over(keys) / sw
    q = (w * (s - mean) ** 2).sum().over(keys)
    k = s.count().over(keys)
    tau2 = pl.when(k > 1).then(((q - (k - 1)) / (sw - sw2 / sw)).clip(lower_bound=0)).otherwise(0.0)
    shrink = se2 / (se2 + pl.col("_tau2"))
    w_star = (1 / (se2 + pl.col("_tau2"))).sum().over(keys)
    usable = lines.filter(pl.col("slope").is_not_null()).with_columns(_mean=mean, _tau2=tau2)
    pooled = usable.with_columns(
        (s - shrink * (s - pl.col("_mean"))).alias("slope"),
        ((1 - shrink) * se2 + shrink ** 2 / w_star).sqrt().alias("se"),
    ).drop("_mean", "_tau2")
    return pl.concat([pooled, lines.filter(pl.col("slope").is_null())], how="vertical_relaxed")


def _changes(lines: pl.DataFrame, log_scale: bool) -> pl.DataFrame:
    """Change over the block (first to last day) with its 95% interval."""
    days = (pl.col("end") - pl.col("start")).dt.total_days()
    scale = pl.col("unit").replace_strict(INTERVAL_SCALE, default=1.0, return_dtype=pl.Float64)
    mid, half = pl.col("slope") * days, Z95 * scale * pl.col("se") * days
    if log_scale:
        def pct(x: pl.Expr) -> pl.Expr:
            return 100 * (x.exp() - 1)
        return lines.with_columns(pct(mid).alias("change"), pct(mid - half).alias("low"), pct(mid + half).alias("high"))
    return lines.with_columns(mid.alias("change"), (mid - half).alias("low"), (mid + half).alias("high"))


def _body_unit(measure: pl.Expr) -> pl.Expr:
    """A body measure's unit from its name (``arm_cm`` -> cm; ``body_fat_pct`` -> points)."""
    suffix = measure.str.extract(r"_([a-z]+)$")
    return suffix.replace_strict({"kg": "kg", "cm": "cm", "mm": "mm", "pct": "points"}, default=suffix)


def block_response(result, blocks: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per block and measure: change over the block with its 95% interval.

    ``result``: an :class:`analysis.progress.Progress`. ``blocks``
    (``trainee_id, kind, start, end, weeks``) default to the detected
    training blocks (``off`` stretches left out). Tidy: ``trainee_id, kind,
    start, end, weeks, measure`` (a featured lift, or a body measure),
    ``unit`` (``%``, ``cm``, ``kg``), ``change, low, high``, ``n`` (points).
    """
    blocks = result.blocks.filter(pl.col("kind") != "off") if blocks is None else blocks
    blocks = blocks.select(*BLOCK_KEYS).filter(pl.col("weeks") >= MIN_WEEKS)
    featured = result.lifts.filter("featured").select("trainee_id", pl.col("exercise"))
    sessions = result.e1rm_sessions.join(featured, on=["trainee_id", "exercise"]).select(
        "trainee_id", pl.col("exercise").alias("measure"), "date", pl.col("e1rm_kg").log().alias("y"))
    body = result.body.select("trainee_id", "measure", "date", pl.col("value").alias("y"))
    parts = []
    for points, unit, log_scale in ((sessions, pl.lit("%"), True), (body, _body_unit(pl.col("measure")), False)):
        points = points.with_columns(unit.alias("unit"))
        noise = _noise(points, pl.col("unit").replace_strict(MIN_NOISE, default=0.0, return_dtype=pl.Float64))
        placed = _in_blocks(points, blocks).with_columns(
            (pl.col("date") - pl.col("start")).dt.total_days().cast(pl.Float64).alias("t"))
        lines = _lines(placed, noise, [*BLOCK_KEYS, "measure", "unit"])
        pool = ["trainee_id", "kind"] if log_scale else ["trainee_id", "kind", "measure"]
        parts.append(_changes(_pooled(lines, pool), log_scale))
    if not any(p.height for p in parts):
        return pl.DataFrame(schema=RESPONSE_SCHEMA)
    return (
        pl.concat([p.select(list(RESPONSE_SCHEMA)) for p in parts], how="vertical_relaxed")
        .cast(RESPONSE_SCHEMA)
        .sort("trainee_id", "start", "unit", "measure")
    )


def _weeks_in_blocks(weekly: pl.DataFrame, blocks: pl.DataFrame) -> pl.DataFrame:
    """Weekly rows (``trainee_id, week, ...``) with the block their week falls in."""
    return _in_blocks(weekly.rename({"week": "date"}), blocks)


def block_training(result, blocks: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per block: the acute variables of DOMAIN.md as trained.

    Tidy: ``trainee_id, kind, start, end, weeks``, ``sessions_per_week``,
    ``volume_load_kg_per_week`` (means over the block's weeks, empty weeks
    as 0), ``intended_share`` (the share of zoned working sets in the
    block's own zone; null for deload and off blocks), ``rest_s`` (median of
    the weeks' median rests), ``rest_estimated`` (any of them estimated) and
    ``compound_share`` (exercise selection: working sets in compound lifts).
    """
    blocks = (result.blocks if blocks is None else blocks).select(*BLOCK_KEYS)
    keys = list(BLOCK_KEYS)
    zone_share = pl.coalesce(*(pl.when(pl.col("kind") == z).then(pl.col(z)) for z in ("strength", "hypertrophy",
                                                                                       "endurance")))
    parts = [
        _weeks_in_blocks(result.sessions_per_week, blocks).group_by(keys).agg(
            pl.col("sessions").mean().alias("sessions_per_week")),
        _weeks_in_blocks(result.weekly_volume, blocks).group_by(keys).agg(
            pl.col("volume_load_kg").mean().alias("volume_load_kg_per_week")),
        _weeks_in_blocks(result.weekly_focus, blocks).group_by(keys).agg(
            pl.when(zone_share.is_not_null().any())
            .then((zone_share * pl.col("sets")).sum() / pl.col("sets").filter(zone_share.is_not_null()).sum())
            .alias("intended_share")),
        _weeks_in_blocks(result.weekly_rest, blocks).group_by(keys).agg(
            pl.col("median_rest_s").median().alias("rest_s"),
            (pl.col("estimated_share") > 0).any().alias("rest_estimated")),
        _weeks_in_blocks(result.weekly_compound, blocks).group_by(keys).agg(
            ((pl.col("compound_share") * pl.col("known_sets")).sum() / pl.col("known_sets").sum())
            .alias("compound_share")),
    ]
    out = blocks
    for part in parts:
        out = out.join(part, on=keys, how="left", nulls_equal=True)
    return out.sort("trainee_id", "start")


def block_hard_sets(result, blocks: pl.DataFrame | None = None) -> pl.DataFrame:
    """Hard sets a week per muscle in each block: ``trainee_id, start, muscle, per_week``."""
    blocks = (result.blocks if blocks is None else blocks).select(*BLOCK_KEYS)
    return (
        _weeks_in_blocks(result.weekly_hard_sets, blocks)
        .group_by("trainee_id", "start", "weeks", "muscle").agg(pl.col("hard_sets").sum())
        .select("trainee_id", "start", "muscle", (pl.col("hard_sets") / pl.col("weeks")).alias("per_week"))
        .sort("trainee_id", "start", "per_week", "muscle", descending=[False, False, True, False])  # ties: stable bytes
    )
