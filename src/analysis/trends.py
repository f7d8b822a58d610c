"""Strength trends per lift: how likely progressing, on a plateau (since when) or declining.

The series is the session-best e1RM of each trainee and lift over the last
:data:`HORIZON_WEEKS` weeks (a long progression before a stall is what makes
the stall visible), on a log scale, with the reps of the set it came from.

The answer is a posterior (:mod:`analysis.segmented`): Bayesian model
averaging over one line, a break with a free slope after it, and flat since
the break, every candidate break week integrated out, with conjugate priors
(:data:`PRIOR`) and rep-range terms ``x = (reps - 5) / 5`` and ``x²`` fitted
jointly, so a switch between a 10-12-rep and a 3-5-rep block does not read as
a jump or a drop (the formulas' rep-range bias; Reynolds et al. 2006), and
hinges every :data:`KNOT_WEEKS` weeks before the break (a linear spline with
a prior on each slope change), so the stretch before a stall may slow down
gradually as real progress does. Deload weeks, easy days and logging slips
are down-weighted by a Student-t likelihood
(:func:`analysis.segmented.student_t_weights`), not cut. Each series is
judged on its own data only (fixed priors, nothing pooled across trainees).

The current rate is *progressing* above +:data:`ROPE_PCT_PER_WEEK` % a week,
*declining* below its negative and *plateau* inside (the region of practical
equivalence; Kruschke 2018). ``p_progressing, p_plateau, p_declining`` are
its posterior probabilities. ``status`` is the most probable class when that
probability reaches :data:`COMMIT_PROBABILITY`, else ``uncertain`` ("too
early to tell"), with ``weeks_to_settle``; ``insufficient_data`` with fewer
than :data:`MIN_SESSIONS` sessions in the horizon or fewer than
:data:`MIN_RECENT_SESSIONS` in the last :data:`STALE_WEEKS` weeks, with the
reason in ``evidence``. ``plateau_since`` is the posterior median of the
date the flat stretch began (given a plateau), ``plateau_since_low/high``
its 80% interval; ``change_pct_per_week`` the posterior mean of the current
rate, ``change_low/high`` its 95% interval.

Figures stay inside the data: ``current_kg`` is the median session-best
e1RM of the lift's last 4 weeks of sessions and ``e1rm_reps`` the median reps
of those sets (no extrapolation to a rep range it was not trained at; real
logs have level shifts, a new machine or grip, that a trend must not smear);
the trend lines are drawn at the reps of those weeks.

``benchmarks/plateau_accuracy.py`` scores it on the scenario grid
(:mod:`analysis.scenarios`).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from scipy.special import ndtr  # not scipy.stats: 0.4 s more to import, in every process

from analysis import segmented, strength

HORIZON_WEEKS = 104
"""Two years of log: long progressions make later stalls visible."""
MIN_SESSIONS = 8
STALE_WEEKS = 4
MIN_RECENT_SESSIONS = 2
"""Sessions a lift needs in the last :data:`STALE_WEEKS` weeks: one recent
session cannot show where the lift is now."""
RECENT_WEEKS = 4
"""The reps a lift was trained at over its last 4 weeks set the scale of its e1RM."""
REFERENCE_REPS = 5
ROPE_PCT_PER_WEEK = 0.15
"""Region of practical equivalence of the e1RM rate: a 2% change (the smallest
worthwhile 1RM difference, low end of 2-4%; Grgic et al. 2020) spread over a
13-week quarter is 0.15 %/week. Slower than that is a plateau for a coach."""
ROPE = math.log1p(ROPE_PCT_PER_WEEK / 100)
SIGMA_REF = 0.035
"""Typical session noise of log e1RM (3.5%; DOMAIN.md, "Saying how sure")."""
KNOT_WEEKS = 13.0
"""Spacing of the spline knots that let the trend before a break bend: a
quarter year (on the tuning seeds 8 and 13 weeks scored alike, 4 worse;
fewer knots are faster)."""
KNOTS = np.arange(KNOT_WEEKS, HORIZON_WEEKS, KNOT_WEEKS)
HINGE_SD = 0.0025
"""Prior SD of a slope change at a knot (0.25 %/week; 0.5 and 1.0 %/week had
a worse Brier score on the tuning seeds)."""


PRIOR = segmented.Prior(
    sigma_ref=SIGMA_REF,
    level_sd=1.0,
    slope_sd=0.01,  # 1 %/week: novices gain 1-2.5, intermediates 0.25-0.5 (DOMAIN.md)
    z_sd=(0.1, 0.05, *([HINGE_SD] * len(KNOTS))),  # rep-range bias under 10% per 5 reps; spline bends
    model_prior=(1 / 3, 1 / 3, 1 / 3),
    temper=1.0,
)
T_NU = 4.0
"""Degrees of freedom of the Student-t likelihood (heavy tails for deloads and slips)."""
COMMIT_PROBABILITY = 0.7
"""A class is stated when its calibrated probability reaches this. Chosen on
the scenario grid's tuning seeds 1-3 from the risk-coverage curve (Chow
1970): committing at 0.6 / 0.7 / 0.8 was right 73.8% / 83.2% / 89.4% of the
time on 37% / 21% / 12% of the series; at 0.7 a stated call is right about
five times in six, and a quarter of those hard series still get one."""
SETTLE_MAX_WEEKS = 26
CALIBRATION_T = 3.0
"""Temperature on the posterior class probabilities. The models are simpler
than real logs (curved progress, loads chosen from a lagging guess of the
1RM, autocorrelated readiness), so the raw posterior is over-confident: on
the scenario grid's tuning seeds 1-3 its top class was right 56% of the time
while stating more (expected calibration error 0.24, Brier 0.635). T = 2 /
3 / 4 gave calibration errors 0.106 / 0.031 / 0.025 and Brier scores 0.549 /
0.532 / 0.534: T = 3 has the best Brier score, a proper scoring rule."""

BREAK_DATE_T = 6.0
"""Temperature on the posterior over break dates (the plateau start and its
80% interval). On the tuning seeds' 945 true plateaus whose top class was
plateau, T = 1 / 3 / 6 / 12 gave intervals holding the true start 39% / 64% /
70% / 70% of the time (median error 7.1 / 8.0 / 8.4 / 9.3 weeks): the
intervals stop widening usefully past 6, where the rest is bias (progress
that slowed before it stopped)."""

SERIES_KEYS = ["trainee_id", "lift"]
CLASSES = ("progressing", "plateau", "declining")


# --------------------------------------------------------------------------
# The series
# --------------------------------------------------------------------------


def session_series(sets: pl.DataFrame | None, as_of: pl.DataFrame, formula: str = strength.DEFAULT_FORMULA,
                   horizon_weeks: int = HORIZON_WEEKS, best: pl.DataFrame | None = None) -> pl.DataFrame:
    """Session-best e1RM per trainee and lift within the horizon before as_of.

    ``sets`` are annotated (``lift``); ``as_of`` has ``trainee_id, as_of``.
    Adds ``t`` (weeks since the horizon start), ``y`` (log e1RM) and
    ``week`` (the calendar week, Monday-based, of the session). ``best``:
    :func:`analysis.strength.session_best_e1rm` of ``sets`` by ``formula``
    when the caller has it (``sets`` is then not read).
    """
    best = (best if best is not None else strength.session_best_e1rm(sets, formula)).rename({"exercise": "lift"})
    horizon = pl.col("as_of") - pl.duration(weeks=horizon_weeks)
    return (
        best.join(as_of.select("trainee_id", "as_of"), on="trainee_id")
        .filter(pl.col("date").is_between(horizon, pl.col("as_of")))
        .with_columns(
            ((pl.col("date") - horizon).dt.total_days() / 7).alias("t"),
            pl.col("e1rm_kg").log().alias("y"),
            (pl.col("date").dt.truncate("1w").cast(pl.Int64) // 7).alias("week"),
        )
        .sort(*SERIES_KEYS, "date", "session_id")
    )


def rep_terms() -> tuple[pl.Expr, pl.Expr]:
    """The rep-range regressors: (r - 5) / 5 and its square (5 reps: no offset)."""
    x = (pl.col("reps").cast(pl.Float64) - REFERENCE_REPS) / 5
    return x, x * x


# --------------------------------------------------------------------------
# The posterior
# --------------------------------------------------------------------------


def _judgeable(series: pl.DataFrame) -> pl.DataFrame:
    """Per series: sessions, last session, and whether there is enough to judge."""
    return series.group_by(SERIES_KEYS).agg(
        pl.len().alias("sessions"),
        (pl.col("date") >= pl.col("as_of") - pl.duration(weeks=STALE_WEEKS)).sum().alias("recent_sessions"),
    ).with_columns(
        ((pl.col("sessions") >= MIN_SESSIONS) & (pl.col("recent_sessions") >= MIN_RECENT_SESSIONS)).alias("enough"),
        pl.when(pl.col("sessions") < MIN_SESSIONS)
        .then(pl.format("{} sessions with a load in the last {} weeks ({} needed)", "sessions",
                        pl.lit(HORIZON_WEEKS), pl.lit(MIN_SESSIONS)))
        .when(pl.col("recent_sessions") < MIN_RECENT_SESSIONS)
        .then(pl.format("{} sessions in the last {} weeks ({} needed to say where it is now)", "recent_sessions",
                        pl.lit(STALE_WEEKS), pl.lit(MIN_RECENT_SESSIONS)))
        .alias("evidence"),
    ).sort(SERIES_KEYS)


def covariates(t: np.ndarray, d1: np.ndarray) -> np.ndarray:
    """The nuisance columns of a session: rep terms x, x² and the hinges min(t - k, 0)."""
    return np.column_stack([d1, d1 * d1, np.minimum(t[:, None] - KNOTS[None, :], 0.0)])


def _arrays(points: pl.DataFrame, w: np.ndarray) -> segmented.Series:
    d1, _ = rep_terms()
    z = covariates(points.get_column("t").to_numpy(), points.select(d1).to_series().to_numpy())
    return segmented.Series(sid=points.get_column("sid").to_numpy(), t=points.get_column("t").to_numpy(),
                            y=points.get_column("y").to_numpy(), w=w, week=points.get_column("week").to_numpy(),
                            z=z)


def _reweighted(s: segmented.Series, comp: segmented.Components) -> tuple[np.ndarray, np.ndarray]:
    """Student-t weights of every session and each series' robust residual SD
    (the prior's scale in the second fit), from the first fit's residuals."""
    resid = s.y - segmented.predict(comp, s.sid, s.t, s.z)
    scale = (pl.DataFrame({"sid": s.sid, "resid": resid}).group_by("sid")
             .agg(pl.max_horizontal(segmented.robust_sd(pl.col("resid")), pl.lit(0.01)).alias("scale"))
             .sort("sid").get_column("scale").to_numpy())
    return segmented.student_t_weights(resid, scale[s.sid], T_NU), scale


def posterior(series: pl.DataFrame) -> tuple[pl.DataFrame, segmented.Components, pl.DataFrame]:
    """The judged series' points (with ``sid``), the posterior components
    (second fit, robust weights) and the per-series frame (``_judgeable``)."""
    judged = _judgeable(series)
    ids = judged.filter("enough").with_row_index("sid").select(*SERIES_KEYS, pl.col("sid").cast(pl.Int64))
    points = series.join(ids, on=SERIES_KEYS).sort("sid", "t")
    if points.is_empty():
        return points, None, judged
    s = _arrays(points, np.ones(points.height))
    first = segmented.fit(s, PRIOR, ROPE, knots=KNOTS)
    s.w, scale = _reweighted(s, first)
    return points.with_columns(pl.Series("w", s.w)), segmented.fit(s, PRIOR, ROPE, scale, KNOTS), judged


def detect(series: pl.DataFrame) -> pl.DataFrame:
    """Status, class probabilities, plateau start and current rate per trainee and lift."""
    return detect_from(*posterior(series))


SUMMARY_SCHEMA = {
    **{f"p_{c}": pl.Float64 for c in CLASSES},
    "plateau_since_low": pl.Date, "plateau_since": pl.Date, "plateau_since_high": pl.Date,
    "change_pct_per_week": pl.Float64, "change_low": pl.Float64, "change_high": pl.Float64,
    "current_kg": pl.Float64, "e1rm_reps": pl.Int64, "sigma": pl.Float64, "weeks_to_settle": pl.Int64, "settles_as": pl.String,
}


def detect_from(points: pl.DataFrame, comp: segmented.Components | None, judged: pl.DataFrame) -> pl.DataFrame:
    """:func:`detect` from a computed :func:`posterior`."""
    per = (_per_series(points, comp) if comp is not None
           else pl.DataFrame(schema={"trainee_id": pl.String, "lift": pl.String, **SUMMARY_SCHEMA}))
    dates = ("plateau_since", "plateau_since_low", "plateau_since_high")
    return (
        judged.join(per, on=SERIES_KEYS, how="left")
        .with_columns(segmented.committed_status(CLASSES, COMMIT_PROBABILITY).alias("status"))
        .with_columns(*(pl.when(pl.col("status") == "plateau").then(pl.col(c)).alias(c) for c in dates),
                      *(pl.when(pl.col("status") == "uncertain").then(pl.col(c)).alias(c)
                        for c in ("weeks_to_settle", "settles_as")))
        .select(*SERIES_KEYS, "status", *(f"p_{c}" for c in CLASSES), "plateau_since", "plateau_since_low",
                "plateau_since_high", "change_pct_per_week", "change_low", "change_high", "current_kg",
                "e1rm_reps", "weeks_to_settle", "settles_as", "sessions", "sigma", "evidence")
        .sort(SERIES_KEYS)
    )


def _pct(log_rate) -> np.ndarray:
    return np.expm1(log_rate) * 100


def _per_series(points: pl.DataFrame, comp: segmented.Components) -> pl.DataFrame:
    """Posterior summaries of every judged series, keyed by trainee and lift."""
    n = points.get_column("sid").max() + 1
    probs = calibrated(segmented.class_probabilities(comp, n))
    since = segmented.flat_since(comp, n, temperature=BREAK_DATE_T)
    rate = segmented.rate_summary(comp, n)
    recent = _recent_reps(points)
    s_last = recent.get_column("t_last").to_numpy()
    sigma = np.bincount(comp.sid, weights=comp.weight * comp.sigma, minlength=n)
    settle_weeks, settle_class = weeks_to_settle(rate[:, 0], rate[:, 1], _segment_weeks(comp, s_last, n),
                                                probs)
    dates = ("plateau_since_low", "plateau_since", "plateau_since_high")
    return recent.select(*SERIES_KEYS, "horizon_start").with_columns(
        *(pl.Series(f"p_{c}", probs[:, k]) for k, c in enumerate(CLASSES)),
        *(pl.Series(name, since[:, j]) for j, name in enumerate(dates)),
        pl.Series("change_pct_per_week", _pct(rate[:, 0])),
        pl.Series("change_low", _pct(rate[:, 2])), pl.Series("change_high", _pct(rate[:, 3])),
        recent.get_column("recent_kg").alias("current_kg"),
        recent.get_column("recent_reps").round().cast(pl.Int64).alias("e1rm_reps"),
        pl.Series("sigma", sigma),
        pl.Series("weeks_to_settle", settle_weeks, dtype=pl.Int64), pl.Series("settles_as", settle_class),
    ).with_columns(segmented.week_date(pl.col(c)).alias(c) for c in dates).drop("horizon_start")


def _recent_reps(points: pl.DataFrame) -> pl.DataFrame:
    """Per series (by sid): last t, the mean rep term, median session e1RM
    and median reps of its last 4 weeks, the horizon start."""
    d1, _ = rep_terms()
    last = pl.col("t").max()
    recent = pl.col("t") >= last - RECENT_WEEKS
    return (
        points.group_by("sid", *SERIES_KEYS)
        .agg(last.alias("t_last"), d1.filter(recent).mean().alias("d1"),
             pl.col("e1rm_kg").filter(recent).median().alias("recent_kg"),
             pl.col("reps").filter(recent).median().alias("recent_reps"),
             (pl.col("as_of").first() - pl.duration(weeks=HORIZON_WEEKS)).alias("horizon_start"))
        .sort("sid")
    )


def _segment_weeks(comp: segmented.Components, t_last: np.ndarray, n: int) -> np.ndarray:
    """Posterior mean length (weeks) of the current segment: since the break, or the whole line."""
    return np.bincount(comp.sid, weights=comp.weight * np.maximum(t_last[comp.sid] - comp.tau, 1.0), minlength=n)


def calibrated(p: np.ndarray, temperature: float | None = None) -> np.ndarray:
    """Class probabilities (last axis) tempered: p^(1/T), renormalised
    (temperature scaling; Guo et al. 2017, ICML)."""
    temperature = CALIBRATION_T if temperature is None else temperature
    tempered = np.clip(p, 1e-12, 1.0) ** (1 / temperature)
    return tempered / tempered.sum(axis=-1, keepdims=True)


def weeks_to_settle(mean: np.ndarray, sd: np.ndarray, segment_weeks: np.ndarray, now: np.ndarray | None = None,
                    rope: float = ROPE, threshold: float = COMMIT_PROBABILITY,
                    horizon: int = SETTLE_MAX_WEEKS) -> tuple[list, list]:
    """The fewest weeks of further logs after which the class the current
    rate points to could reach ``threshold``, if the current trend held at
    the same frequency: a lower bound (the chance of a change in the weeks
    to come never leaves the posterior, so the real wait is longer; tested).

    The rate's posterior is taken as normal (``mean``, ``sd``); the SD of a
    least-squares slope over a segment of T weeks falls as T^-1.5 (DOMAIN.md),
    so after k more weeks it is sd (T / (T + k))^1.5 while the mean stays.
    The class probability (calibrated as the reported ones are) gains what
    that normal gains from week 0 to week k, added to ``now`` (the reported
    probabilities, (S, 3); default: the normal's own). Null (and no class)
    when not within ``horizon`` weeks.
    """
    k = np.arange(0, horizon + 1)[None, :]
    sd_k = sd[:, None] * (segment_weeks[:, None] / (segment_weeks[:, None] + k)) ** 1.5
    mu = mean[:, None]
    up = ndtr((mu - rope) / sd_k)
    down = ndtr((-rope - mu) / sd_k)
    cls = np.where(mean > rope, 0, np.where(mean < -rope, 2, 1))
    rows = np.arange(len(mean))
    p = calibrated(np.stack([up, 1 - up - down, down], axis=-1))[rows, :, cls]
    if now is not None:
        p = p - p[:, :1] + now[rows, cls][:, None]
    reached = p[:, 1:] >= threshold
    weeks = np.where(reached.any(1), reached.argmax(1) + 1, -1)
    names = [CLASSES[c] if w > 0 else None for c, w in zip(cls, weeks)]
    return [int(w) if w > 0 else None for w in weeks], names


# --------------------------------------------------------------------------
# Every trainee, in chunks
# --------------------------------------------------------------------------

CHUNK_TRAINEES = 125
"""Trainees per pass: every step is per trainee, so chunks give the same
answer. At 10M sets of 3-year logs 125 trainees a chunk took the detector
from ~65 to ~50 CPU seconds against 500 (smaller batched matrices stay in
cache) and its extra memory from +1.7 to +0.2 GB (benchmarks/trend_speed.py)."""


def lift_trends(sets: pl.DataFrame | None, as_of: pl.DataFrame, formula: str = strength.DEFAULT_FORMULA,
                chunk_trainees: int = CHUNK_TRAINEES, best: pl.DataFrame | None = None,
                ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Status per trainee and lift (:func:`detect`) and the trend lines
    (:func:`trend_lines`), computed in chunks of trainees to bound memory.

    ``best``: :func:`analysis.strength.session_best_e1rm` of ``sets`` by
    ``formula`` when the caller has it (``sets`` may then be None): the
    session series of every trainee come from it at once (a small table)
    and are chunked."""
    best = best if best is not None else strength.session_best_e1rm(sets, formula)
    whole = session_series(None, as_of, formula, best=best)
    ids = whole.get_column("trainee_id").unique().sort()
    detected, lines = [], []
    for start in range(0, len(ids), chunk_trainees):
        chunk = ids.slice(start, chunk_trainees).implode()
        points, comp, judged = posterior(whole.filter(pl.col("trainee_id").is_in(chunk)))
        detected.append(detect_from(points, comp, judged))
        lines.append(trend_lines(points, comp))
    if not detected:  # no trainee at all: the empty tables
        points, comp, judged = posterior(whole)
        return detect_from(points, comp, judged), trend_lines(points, comp)
    return pl.concat(detected), pl.concat(lines)


LINE_SCHEMA = {"trainee_id": pl.String, "lift": pl.String, "date": pl.Date, "trend_kg": pl.Float64,
               "low_kg": pl.Float64, "high_kg": pl.Float64}


def trend_lines(points: pl.DataFrame, comp: segmented.Components | None) -> pl.DataFrame:
    """The posterior mean trend at each session (kg, at the reps the lift was
    trained at over its last 4 weeks) with the 95% range of session values
    around it (± 1.96 residual SD): tidy trainee_id, lift, date, trend_kg,
    low_kg, high_kg."""
    if comp is None:
        return pl.DataFrame(schema=LINE_SCHEMA)
    recent = _recent_reps(points)
    d1 = recent.get_column("d1").to_numpy()
    sid = points.get_column("sid").to_numpy()
    t = points.get_column("t").to_numpy()
    trend = segmented.predict(comp, sid, t, covariates(t, d1[sid]))
    n = len(d1)
    sigma = np.bincount(comp.sid, weights=comp.weight * comp.sigma, minlength=n)[sid]
    return (
        points.select(*SERIES_KEYS, "date")
        .with_columns(pl.Series("trend_kg", np.exp(trend)), pl.Series("low_kg", np.exp(trend - 1.96 * sigma)),
                      pl.Series("high_kg", np.exp(trend + 1.96 * sigma)))
        .unique([*SERIES_KEYS, "date"], keep="first", maintain_order=True)
    )
