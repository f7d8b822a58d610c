"""Block response: what each training block did to strength and size.

Coaches plan in blocks (DOMAIN.md, "Programming in phases"): did the
strength block make the trainee stronger, the hypertrophy block bigger?
For every block (detected by :func:`analysis.volume.blocks`, or given),
:func:`block_response` measures each featured lift's e1RM change over the
block (in %) and each body measure's change (girths in cm, bodyweight in
kg), from the block's first to its last day, with a 95% interval.

Method (:func:`_joint_fit`): one continuous piecewise-linear line per series
(a trainee's lift, on the log scale of its session-best e1RMs, or a body
measure) across all of the trainee's blocks, its knots at the block
boundaries: a linear spline with known knots, i.e. segmented regression
with the breakpoints given (Hastie, Tibshirani & Friedman, *The Elements of
Statistical Learning*, 2nd ed., 5.2; Muggeo 2003, Stat Med 22(19)). The
level at a boundary is shared by the blocks on both sides and estimated
from both, instead of each block's line floating free. For lifts the
e1RM's bias by rep range (it changes with the block: 1-5 reps, then 8-12)
is a covariate, :func:`analysis.trends.rep_terms`, as in the verdict's
trend. The slopes of a series' blocks of one kind are drawn around their
kind's mean with a between-block SD τ (a random-effects prior: the strength
blocks of a squat borrow strength from each other, as studies do in a
meta-analysis), τ² estimated by DerSimonian & Laird (1986) from a first fit
with a weak prior (:func:`_between_block_var`), at least :data:`MIN_TAU`.
Robust: Student-t weights (ν = :data:`analysis.trends.T_NU`) from the first
fit's residuals (one EM step; Lange, Little & Taylor 1989, JASA 84(408));
the noise SD is the series' weighted residual SD. A block's change is the
fitted value at its last day minus that at its first day; its interval
comes from the posterior covariance, widened by :data:`INTERVAL_SCALE`.
Blocks with fewer than :data:`MIN_POINTS` points of a series (or shorter
than :data:`MIN_WEEKS`) get no change for it. The verdict's posterior
trend is not used: it bends at most every 13 weeks
(:data:`analysis.trends.KNOT_WEEKS`), spreading a 6-week block's gain over
its neighbours.

:func:`block_training` reads the block's training against the five acute
variables: sessions, volume load and hard sets a week, the share of sets
in the block's intended zone, rest and the compound share.

Observational, not causal: a block's change is what happened during it,
with everything else that happened too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from analysis import segmented, trends
from analysis.segmented import robust_sd

MIN_POINTS = 2
"""Points of a series a block needs for a change."""
MIN_NOISE = {"%": 0.01, "kg": 0.1, "cm": 0.1, "mm": 0.5, "points": 0.2}
"""Floors of a point's noise SD per unit (log units for e1RMs: 1%), so a
series of identical numbers does not claim a perfect line."""
WEAK_SLOPE_SD = {"%": 0.02, "kg": 1.0, "cm": 0.5, "mm": 1.0, "points": 0.5}
"""Per week: the first fit's SD of a block's slope around its kind's mean,
wide (2 %/week for e1RMs, half a centimetre for girths), only so that
blocks without points stay defined."""
MIN_TAU = {"%": 0.002, "kg": 0.05, "cm": 0.02, "mm": 0.05, "points": 0.02}
"""Per week: the least between-block SD of the slopes of one kind."""
OFFSET_SD = 0.05
"""SD of a block's e1RM offset (log units): lifters load from their belief of
their 1RM, reset block by block, and reps that hit the target track the load,
so a block's e1RMs sit off the true 1RM by its own few percent (0.05 scored
better than 0.01, 0.03 and 0.2 on the tuning seeds)."""
Z95 = 1.959963984540054
INTERVAL_SCALE = {"%": 1.35, "cm": 1.2, "kg": 2.8}
"""Widening of the 95% intervals, calibrated on the block_response
scenario's tuning seeds 1-3 (benchmarks/block_response.py) to cover the true
change about 95% of the time: readiness and daily bodyweights are
autocorrelated, so independent residuals understate the noise of a line."""
MIN_WEEKS = 2
"""Blocks shorter than this get no change (a deload week, a single week)."""
BLOCK_KEYS = ("trainee_id", "kind", "start", "end", "weeks")
RESPONSE_SCHEMA = {"trainee_id": pl.String, "kind": pl.String, "start": pl.Date, "end": pl.Date,
                   "weeks": pl.Int64, "measure": pl.String, "unit": pl.String, "change": pl.Float64,
                   "low": pl.Float64, "high": pl.Float64, "n": pl.Int64}
GAP = "gap"
"""The kind of a stretch between (or before, after) the given blocks."""


def _in_blocks(points: pl.DataFrame, blocks: pl.DataFrame) -> pl.DataFrame:
    """``points`` (trainee_id, date, ...) with the block each falls in (inclusive dates)."""
    return (
        points.sort("date")
        .join_asof(blocks.select(*BLOCK_KEYS).sort("start"), left_on="date", right_on="start",
                   by="trainee_id", strategy="backward", check_sortedness=False)
        .filter(pl.col("start").is_not_null() & (pl.col("date") <= pl.col("end")))
    )


def _noise(points: pl.DataFrame) -> pl.DataFrame:
    """A point's noise SD per series (``sid``): robust SD of the differences of
    consecutive points / sqrt 2 (slow trends cancel), at least the unit's floor:
    the first fit's noise."""
    floor = pl.col("unit").replace_strict(MIN_NOISE, default=0.0, return_dtype=pl.Float64)
    return (
        points.group_by("sid")
        .agg((robust_sd(pl.col("y").diff().drop_nulls()) / 2 ** 0.5).alias("sigma"), floor.first().alias("floor"))
        .select("sid", pl.max_horizontal(pl.col("sigma").fill_null(0), "floor").alias("sigma"))
        .sort("sid")
    )


@dataclass
class _Design:
    """The series' points and knots as arrays: point i of series ``sid[i]`` lies
    between knots ``k[i]`` and ``k[i] + 1`` at fraction ``u[i]``; series have
    ``m`` knots (columns 0..K-1), ``q`` covariates ``z`` (columns K..K+q-1) and
    a slope mean per kind (columns K+q..); ``length`` (weeks) and ``kind``
    (-1: none) per segment."""

    sid: np.ndarray
    k: np.ndarray
    u: np.ndarray
    z: np.ndarray
    y: np.ndarray
    m: np.ndarray
    length: np.ndarray
    kind: np.ndarray
    points: np.ndarray
    """Points per segment (series x segment)."""
    weak: np.ndarray
    floor: np.ndarray
    """Per series: WEAK_SLOPE_SD and MIN_TAU of its unit; MIN_NOISE."""
    min_tau: np.ndarray
    n_kinds: int
    offsets: bool
    """An offset per segment (columns after the kind means)."""

    @property
    def shape(self) -> tuple[int, int, int]:
        """Series, knot columns K, all columns P."""
        n_knots = self.length.shape[1] + 1
        return self.m.size, n_knots, n_knots + self.z.shape[1] + self.n_kinds + self.offsets * (n_knots - 1)

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Every point's non-zero columns and values of the design matrix."""
        _, n_knots, _ = self.shape
        q = self.z.shape[1]
        cols = [self.k, self.k + 1, *(np.full(self.k.size, n_knots + i) for i in range(q))]
        vals = [1 - self.u, self.u, *self.z.T]
        if self.offsets:
            cols.append(n_knots + q + self.n_kinds + self.k)
            vals.append(np.ones(self.k.size))
        return np.column_stack(cols), np.column_stack(vals)


def _gram(sid: np.ndarray, cols: np.ndarray, vals: np.ndarray, w: np.ndarray, n_series: int,
          p: int) -> np.ndarray:
    """Σ w x xᵀ per series (series x p x p) from rows' non-zero columns and values."""
    flat = (sid[:, None, None] * p + cols[:, :, None]) * p + cols[:, None, :]
    prod = w[:, None, None] * vals[:, :, None] * vals[:, None, :]
    return np.bincount(flat.ravel(), prod.ravel(), n_series * p * p).reshape(n_series, p, p)


def _solve(d: _Design, w: np.ndarray, sigma: np.ndarray, tau: np.ndarray,
           offset_sd: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior mean and covariance of the columns (series x P, series x P x P)
    given point weights ``w``, noise SD per series and slope SD around the kind
    mean per series and kind; and the effective number of parameters per series."""
    n_series, n_knots, p = d.shape
    cols, vals = d.rows()
    data = _gram(d.sid, cols, vals, w / sigma[d.sid] ** 2, n_series, p)
    rhs = np.bincount((d.sid[:, None] * p + cols).ravel(), ((w / sigma[d.sid] ** 2 * d.y)[:, None] * vals).ravel(),
                      n_series * p).reshape(n_series, p)
    s, j = np.nonzero(d.kind >= 0)
    g = d.kind[s, j]
    seg_cols = np.column_stack([j, j + 1, n_knots + d.z.shape[1] + g])
    seg_vals = np.column_stack([-1 / d.length[s, j], 1 / d.length[s, j], -np.ones(s.size)])
    prior = _gram(s, seg_cols, seg_vals, 1 / tau[s, g] ** 2, n_series, p)
    diag = np.ones((n_series, p))  # unused knot columns
    diag[:, n_knots:n_knots + d.z.shape[1]] = 1 / np.asarray(trends.PRIOR.z_sd[:d.z.shape[1]]) ** 2
    means = n_knots + d.z.shape[1]
    diag[:, means:means + d.n_kinds] = 1 / (10 * d.weak[:, None]) ** 2  # kind means: nearly flat
    if d.offsets:
        diag[:, means + d.n_kinds:] = np.where(d.kind >= 0, 1 / offset_sd[:, None] ** 2, 1.0)
    used = np.arange(n_knots)[None, :] < d.m[:, None]
    diag[:, :n_knots] = np.where(used, 0.0, 1.0)
    precision = data + prior + diag[:, :, None] * np.eye(p)
    cov = np.linalg.inv(precision)
    mean = np.einsum("spq,sq->sp", cov, rhs)
    edf = np.einsum("spq,sqp->s", cov, data)
    return mean, cov, edf


def _predict(d: _Design, mean: np.ndarray) -> np.ndarray:
    cols, vals = d.rows()
    return np.einsum("ij,ij->i", mean[d.sid[:, None], cols], vals)


def _slopes(d: _Design, mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every segment's slope (a week) and its variance (series x segment)."""
    j = np.arange(d.length.shape[1])
    slope = (mean[:, j + 1] - mean[:, j]) / d.length
    var = (cov[:, j + 1, j + 1] + cov[:, j, j] - 2 * cov[:, j, j + 1]) / d.length ** 2
    return slope, var


def _between_block_var(d: _Design, slope: np.ndarray, var: np.ndarray) -> np.ndarray:
    """τ² per series and kind by DerSimonian & Laird (1986) over the segments of
    that kind with at least MIN_POINTS points: max(0, (Q - (k - 1)) / (Σw -
    Σw² / Σw)), w = 1 / var, Q the weighted sum of squares about the weighted
    mean; 0 for fewer than two such segments."""
    n_series = d.m.size
    ok = (d.kind >= 0) & (d.points >= MIN_POINTS)
    group = np.where(ok, np.arange(n_series)[:, None] * d.n_kinds + d.kind, 0)[ok]
    w, b = 1 / var[ok], slope[ok]
    n = n_series * d.n_kinds

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(group, x, n)

    sw, k = total(w), total(np.ones_like(w))
    mean = total(w * b) / np.maximum(sw, 1e-300)
    q = total(w * (b - mean[group]) ** 2)
    denom = sw - total(w * w) / np.maximum(sw, 1e-300)
    tau2 = np.where((k > 1) & (denom > 0), np.maximum(q - (k - 1), 0) / np.where(denom > 0, denom, 1), 0.0)
    return tau2.reshape(n_series, d.n_kinds)


def _joint_fit(d: _Design, sigma0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and covariance of every series' columns: a first fit with
    the weak slope prior and the first noise gives Student-t weights and the
    noise (weighted residual SD); a second weak fit, τ² per kind; then the
    final fit."""
    n_series, _, _ = d.shape
    weak = np.repeat(d.weak[:, None], d.n_kinds, axis=1)
    offset = np.full(n_series, OFFSET_SD)
    mean, _, edf = _solve(d, np.ones(d.y.size), sigma0, weak, offset)
    resid = d.y - _predict(d, mean)
    w = segmented.student_t_weights(resid, sigma0[d.sid], trends.T_NU)
    dof = np.bincount(d.sid, minlength=n_series) - edf
    rss = np.bincount(d.sid, w * resid ** 2, n_series)
    sigma = np.maximum(np.where(dof > 1, np.sqrt(rss / np.maximum(dof, 1)), sigma0), d.floor)
    mean, cov, _ = _solve(d, w, sigma, weak, offset)
    tau = np.maximum(np.sqrt(_between_block_var(d, *_slopes(d, mean, cov))), d.min_tau[:, None])
    return _solve(d, w, sigma, tau, offset)[:2]


def _locate(frame: pl.DataFrame, at: str, segments: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (with ``sid``) with the segment ``k_<at>`` that date column ``at``
    falls in and its fraction ``u_<at>`` along it (the last knot: the end of the
    last segment)."""
    return (
        frame.sort(at)
        .join_asof(segments.sort("knot"), left_on=at, right_on="knot", by="sid", strategy="backward",
                   check_sortedness=False)
        .with_columns(pl.col("k").alias(f"k_{at}"),
                      ((pl.col(at) - pl.col("knot")).dt.total_days()
                       / (pl.col("next") - pl.col("knot")).dt.total_days()).alias(f"u_{at}"))
        .drop("k", "knot", "next", "kind_code")
    )


def _design(points: pl.DataFrame, blocks: pl.DataFrame) -> tuple[_Design, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The design of every series (trainee, measure) with two or more dates,
    its knots the first and last date and every block's first day and the day
    after its last between them; the series (``sid, trainee_id, measure, unit,
    first, last``), the segments (``sid, k, knot, next, kind_code``) and the
    points placed on them (sorted by series and date)."""
    series = (points.group_by("trainee_id", "measure", "unit")
              .agg(pl.col("date").min().alias("first"), pl.col("date").max().alias("last"))
              .filter(pl.col("last") > pl.col("first")).sort("trainee_id", "measure")
              .with_row_index("sid").with_columns(pl.col("sid").cast(pl.Int64)))
    bounds = pl.concat([blocks.select("trainee_id", pl.col("start").alias("knot")),
                        blocks.select("trainee_id", (pl.col("end") + pl.duration(days=1)).alias("knot"))])
    knots = pl.concat([
        series.select("sid", pl.col("first").alias("knot")), series.select("sid", pl.col("last").alias("knot")),
        series.join(bounds, on="trainee_id").filter(pl.col("knot").is_between("first", "last", closed="none"))
        .select("sid", "knot"),
    ]).unique().sort("sid", "knot")
    kinds = sorted({*blocks.get_column("kind").unique().to_list(), GAP})
    segments = (
        knots.with_columns(pl.col("knot").shift(-1).over("sid").alias("next"),
                           (pl.int_range(pl.len()).over("sid")).cast(pl.Int64).alias("k"))
        .filter(pl.col("next").is_not_null())
        .join(series.select("sid", "trainee_id"), on="sid")
        .sort("knot")
        .join_asof(blocks.select("trainee_id", "kind", pl.col("start").alias("_start"), pl.col("end").alias("_end"))
                   .sort("_start"), left_on="knot", right_on="_start", by="trainee_id", strategy="backward",
                   check_sortedness=False)
        .with_columns(pl.when(pl.col("knot") <= pl.col("_end")).then("kind").otherwise(pl.lit(GAP))
                      .replace_strict(kinds, list(range(len(kinds))), return_dtype=pl.Int64).alias("kind_code"))
        .select("sid", "k", "knot", "next", "kind_code").sort("sid", "k")
    )
    placed = _locate(points.join(series.select("trainee_id", "measure", "sid"), on=["trainee_id", "measure"]),
                     "date", segments).sort("sid", "date")
    n_series = series.height
    m = knots.group_by("sid").len().sort("sid").get_column("len").to_numpy()
    n_seg = int(m.max()) - 1 if n_series else 1
    s, j = segments.get_column("sid").to_numpy(), segments.get_column("k").to_numpy()
    length, kind = np.ones((n_series, n_seg)), np.full((n_series, n_seg), -1)
    length[s, j] = (segments.get_column("next") - segments.get_column("knot")).dt.total_days().to_numpy() / 7
    kind[s, j] = segments.get_column("kind_code").to_numpy()
    sid, k = placed.get_column("sid").to_numpy(), placed.get_column("k_date").to_numpy()
    unit = series.get_column("unit")

    def per_unit(table: dict) -> np.ndarray:
        return unit.replace_strict(table, default=table["points"], return_dtype=pl.Float64).to_numpy()

    z = (np.column_stack([placed.select(x).to_series().to_numpy() for x in trends.rep_terms()])
         if "reps" in placed.columns else np.zeros((placed.height, 0)))
    design = _Design(sid=sid, k=k, u=placed.get_column("u_date").to_numpy(), z=z, y=placed.get_column("y").to_numpy(),
                     m=m, length=length, kind=kind,
                     points=np.bincount(sid * n_seg + k, minlength=n_series * n_seg).reshape(n_series, n_seg),
                     weak=per_unit(WEAK_SLOPE_SD), floor=per_unit(MIN_NOISE), min_tau=per_unit(MIN_TAU),
                     n_kinds=len(kinds), offsets="reps" in placed.columns)
    return design, series, segments.join(placed.select("sid").unique(), on="sid").sort("sid", "k"), placed


@dataclass
class _Fit:
    """The joint fit of a set of series: design, frames (see :func:`_design`), posterior."""

    design: _Design
    series: pl.DataFrame
    segments: pl.DataFrame
    placed: pl.DataFrame
    mean: np.ndarray
    cov: np.ndarray


def _fit(points: pl.DataFrame, blocks: pl.DataFrame) -> _Fit | None:
    """The joint fit of ``points`` (``trainee_id, measure, unit, date, y[, reps]``)
    with knots at ``blocks``; None without a series of two dates."""
    design, series, segments, placed = _design(points, blocks)
    if not series.height:
        return None
    sigma0 = _noise(placed.join(series.select("sid", "unit"), on="sid")).get_column("sigma").to_numpy()
    return _Fit(design, series, segments, placed, *_joint_fit(design, sigma0))


def _changes(points: pl.DataFrame, blocks: pl.DataFrame, reported: pl.DataFrame) -> pl.DataFrame:
    """Per reported block and series: the change of the joint fit from the
    block's first to its last day (series clipped to its own dates, the
    slope carried over the block), its 95% interval and the block's points."""
    fit = _fit(points, blocks)
    if fit is None:
        return pl.DataFrame()
    series, segments, mean, cov = fit.series, fit.segments, fit.mean, fit.cov
    counts = _in_blocks(points, reported).group_by(*BLOCK_KEYS, "measure").len("n")
    asked = (reported.join(series, on="trainee_id")
             .with_columns(pl.col("start").clip("first", "last").alias("t0"), pl.col("end").clip("first", "last")
                           .alias("t1"))
             .filter(pl.col("t1") > pl.col("t0")))
    asked = _locate(_locate(asked, "t0", segments), "t1", segments).join(
        counts, on=[*BLOCK_KEYS, "measure"], how="left").filter(pl.col("n") >= MIN_POINTS)
    s, k0, k1 = (asked.get_column(c).to_numpy() for c in ("sid", "k_t0", "k_t1"))
    u0, u1 = asked.get_column("u_t0").to_numpy(), asked.get_column("u_t1").to_numpy()
    cols = np.column_stack([k1, k1 + 1, k0, k0 + 1])
    vals = np.column_stack([1 - u1, u1, u0 - 1, -u0])
    stretch = ((asked.get_column("end") - asked.get_column("start")).dt.total_days()
               / (asked.get_column("t1") - asked.get_column("t0")).dt.total_days()).to_numpy()
    change = np.einsum("ij,ij->i", mean[s[:, None], cols], vals) * stretch
    var = np.einsum("ij,ijk,ik->i", vals, cov[s[:, None, None], cols[:, :, None], cols[:, None, :]], vals)
    return asked.with_columns(pl.Series("mid", change), pl.Series("se", np.sqrt(var) * stretch))


def _interval(changes: pl.DataFrame, log_scale: bool) -> pl.DataFrame:
    """Change and 95% interval (on the log scale: in %)."""
    scale = pl.col("unit").replace_strict(INTERVAL_SCALE, default=1.0, return_dtype=pl.Float64)
    mid, half = pl.col("mid"), Z95 * scale * pl.col("se")
    if log_scale:
        def pct(x: pl.Expr) -> pl.Expr:
            return 100 * (x.exp() - 1)
        return changes.with_columns(pct(mid).alias("change"), pct(mid - half).alias("low"), pct(mid + half).alias("high"))
    return changes.with_columns(mid.alias("change"), (mid - half).alias("low"), (mid + half).alias("high"))


def _body_unit(measure: pl.Expr) -> pl.Expr:
    """A body measure's unit from its name (``arm_cm`` -> cm; ``body_fat_pct`` -> points)."""
    suffix = measure.str.extract(r"_([a-z]+)$")
    return suffix.replace_strict({"kg": "kg", "cm": "cm", "mm": "mm", "pct": "points"}, default=suffix)


def _points(result) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The featured lifts' session-best log e1RMs (with their reps) and the body
    measurements: ``trainee_id, measure, unit, date, y[, reps]``."""
    featured = result.lifts.filter("featured").select("trainee_id", pl.col("exercise"))
    sessions = result.e1rm_sessions.join(featured, on=["trainee_id", "exercise"]).select(
        "trainee_id", pl.col("exercise").alias("measure"), pl.lit("%").alias("unit"), "date",
        pl.col("e1rm_kg").log().alias("y"), "reps")
    body = result.body.select("trainee_id", "measure", _body_unit(pl.col("measure")).alias("unit"), "date",
                              pl.col("value").alias("y"))
    return sessions, body


def _training_blocks(result, blocks: pl.DataFrame | None) -> pl.DataFrame:
    return (result.blocks.filter(pl.col("kind") != "off") if blocks is None else blocks).select(*BLOCK_KEYS)


def block_response(result, blocks: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per block and measure: change over the block with its 95% interval.

    ``result``: an :class:`analysis.progress.Progress`. ``blocks``
    (``trainee_id, kind, start, end, weeks``) default to the detected
    training blocks (``off`` stretches left out); all of them are knots of
    the joint fit, those of :data:`MIN_WEEKS` or more get a change. Tidy:
    ``trainee_id, kind, start, end, weeks, measure`` (a featured lift, or a
    body measure), ``unit`` (``%``, ``cm``, ``kg``), ``change, low, high``,
    ``n`` (points).
    """
    blocks = _training_blocks(result, blocks)
    reported = blocks.filter(pl.col("weeks") >= MIN_WEEKS)
    parts = [_interval(c, points.get_column("unit").eq("%").any()) for points in _points(result)
             if (c := _changes(points, blocks, reported)).height]
    if not parts:
        return pl.DataFrame(schema=RESPONSE_SCHEMA)
    return (
        pl.concat([p.select(list(RESPONSE_SCHEMA)) for p in parts], how="vertical_relaxed")
        .cast(RESPONSE_SCHEMA)
        .sort("trainee_id", "start", "unit", "measure")
    )


LATEST_SCHEMA = {"trainee_id": pl.String, "measure": pl.String, "unit": pl.String, "date": pl.Date,
                 "level": pl.Float64, "rate": pl.Float64, "rate_se": pl.Float64}


def latest(result, trainees: list[str] | None = None) -> pl.DataFrame:
    """Per series (featured lift, body measure) of these trainees (everyone's
    when None): where its trend is now.

    ``level``: the joint fit at the series' last date (log kg for lifts, at
    the reps and in the block of the last session); ``rate`` (a week, log
    units for lifts) and ``rate_se``: the mean slope of the series' blocks of
    the kind of its last segment (the block under way): the pace that kind
    of training has given this trainee, from all of its blocks.
    """
    blocks = _training_blocks(result, None)
    parts = []
    for points in _points(result):
        if trainees is not None:
            points = points.filter(pl.col("trainee_id").is_in(pl.Series(trainees, dtype=pl.String).implode()))
        fit = _fit(points, blocks)
        if fit is None:
            continue
        d, mean, cov = fit.design, fit.mean, fit.cov
        last = np.r_[np.flatnonzero(np.diff(d.sid)), d.sid.size - 1]
        s = d.sid[last]
        col = d.shape[1] + d.z.shape[1] + d.kind[s, d.m[s] - 2]
        parts.append(fit.placed[last].select("trainee_id", "measure", "unit", "date").with_columns(
            pl.Series("level", _predict(d, mean)[last]), pl.Series("rate", mean[s, col]),
            pl.Series("rate_se", np.sqrt(cov[s, col, col]))))
    return pl.concat(parts).cast(LATEST_SCHEMA) if parts else pl.DataFrame(schema=LATEST_SCHEMA)


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
