"""Strength trends per lift: progressing, plateau (since when), declining.

The series is the session-best e1RM of each trainee and lift, on a log scale,
with the reps of the set it came from. Two detectors:

* :func:`detect_segmented` (the default): two-phase (segmented) regression
  (Hinkley 1969), ``log e1RM = a + b1 min(t-τ, 0) + b2 max(t-τ, 0) + c1 x +
  c2 x²`` with ``x = (reps - 5) / 5``, the breakpoint τ searched over the
  series' session dates. Three models compete by the Bayesian information
  criterion: one line, the break with ``b2`` fitted, and the break with
  ``b2 = 0`` (flat since τ: the plateau hypothesis itself, one parameter
  fewer). With ``rule="change_test"`` a break is kept instead when the
  slopes before and after it differ at 5% allowing for the search (Andrews
  1993). The rep terms are fitted jointly with
  the trend, so a switch between a 10-12-rep and a 3-5-rep block does not
  read as a jump or a drop (the formulas' rep-range bias; Reynolds et al.
  2006). Before the final fit, what a trainee's lifts share on a day
  (readiness) is taken out, and deload weeks and outlying easy sessions
  (2.5 robust SDs below the first fit) are left out.
* :func:`detect_theil_sen`: Theil-Sen slope over the trailing window with
  Sen's (1968) confidence interval, and plateau start from the rolling best:
  the last session that beat every earlier one by more than the minimal
  detectable change (MDC95 = 2.77 x typical error; Hopkins 2000).

Both run over every trainee and lift at once: sufficient statistics by
prefix sums (polars), the small linear systems in one batched numpy solve.
``benchmarks/plateau_accuracy.py`` scores them against the synthetic
cohort's ground truth.

Status rules (both detectors): ``insufficient_data`` with fewer than
:data:`MIN_SESSIONS` sessions in the horizon or none in the last
:data:`STALE_WEEKS` weeks; otherwise ``progressing`` / ``declining`` when the
final segment's slope differs from zero at 95% (|t| > 2) and by more than
:data:`MIN_RATE_PCT` % a week; ``plateau`` otherwise.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from analysis import strength

HORIZON_WEEKS = 26
"""How far back the detector looks; an older plateau start reads as the horizon start."""
MIN_SESSIONS = 8
STALE_WEEKS = 4
MIN_SEGMENT_WEEKS = 3.0
"""Shortest final segment (weeks) a breakpoint may leave: a shorter stall is noise."""
MIN_SEGMENT_SESSIONS = 5
MIN_RATE_PCT = 0.1
"""Slopes within ±0.1 %/week are flat whatever their t value (0.2%/week is an
advanced lifter's gain; Latella 2020)."""
T_CRIT = 2.0
T_BREAK_CRIT = 2.97
"""|t| a slope change needs when its date was searched for: the 5% sup-Wald
critical value for one break with 15% trimming (Andrews 1993, 8.85 = 2.97²);
a plain 2 finds a break in a third of steady series."""
TRIM_SD = 2.5
REFERENCE_REPS = 5
"""e1RM is put on the scale of a 5-rep set: 3-6 reps near failure give the
most trustworthy estimates (DOMAIN.md; Reynolds et al. 2006)."""
RIDGE = 1e-8

SERIES_KEYS = ["trainee_id", "lift"]


# --------------------------------------------------------------------------
# The series
# --------------------------------------------------------------------------


def session_series(sets: pl.DataFrame, as_of: pl.DataFrame, formula: str = strength.DEFAULT_FORMULA,
                   horizon_weeks: int = HORIZON_WEEKS) -> pl.DataFrame:
    """Session-best e1RM per trainee and lift within the horizon before as_of.

    ``sets`` are annotated (``lift``, ``main_lift``); ``as_of`` has
    ``trainee_id, as_of``. Adds ``t`` (weeks since the horizon start),
    ``y`` (log e1RM).
    """
    best = strength.session_best_e1rm(sets, formula).rename({"exercise": "lift"})
    horizon = pl.col("as_of") - pl.duration(weeks=horizon_weeks)
    return (
        best.join(as_of.select("trainee_id", "as_of"), on="trainee_id")
        .filter(pl.col("date").is_between(horizon, pl.col("as_of")))
        .with_columns(
            ((pl.col("date") - horizon).dt.total_days() / 7).alias("t"),
            pl.col("e1rm_kg").log().alias("y"),
        )
        .sort(*SERIES_KEYS, "date", "session_id")
    )


# --------------------------------------------------------------------------
# Segmented regression
# --------------------------------------------------------------------------

_SUMS = ("n", "t", "tt", "y", "ty", "d1", "d2", "d1t", "d2t")
_TOTALS = (*_SUMS, "yy", "d1y", "d2y", "d1d1", "d2d2", "d1d2")


def rep_terms() -> tuple[pl.Expr, pl.Expr]:
    """The rep-range regressors: (r - 5) / 5 and its square (5 reps: no offset)."""
    x = (pl.col("reps").cast(pl.Float64) - REFERENCE_REPS) / 5
    return x, x * x


def _weighted_terms(w: pl.Expr) -> list[pl.Expr]:
    t, y = pl.col("t"), pl.col("y")
    d1, d2 = rep_terms()
    terms = {"n": w, "t": w * t, "tt": w * t * t, "y": w * y, "ty": w * t * y,
             "d1": w * d1, "d2": w * d2, "d1t": w * d1 * t, "d2t": w * d2 * t,
             "yy": w * y * y, "d1y": w * d1 * y, "d2y": w * d2 * y,
             "d1d1": w * d1 * d1, "d2d2": w * d2 * d2, "d1d2": w * d1 * d2}
    return [e.alias(f"s_{k}") for k, e in terms.items()]


def _candidates(series: pl.DataFrame) -> pl.DataFrame:
    """Every allowed breakpoint with the before-τ prefix sums and series totals."""
    w = pl.col("w")
    summed = series.with_columns(_weighted_terms(w))
    totals = summed.group_by(SERIES_KEYS).agg(
        *(pl.col(f"s_{k}").sum().alias(f"all_{k}") for k in _TOTALS),
        pl.col("t").filter(w > 0).max().alias("t_end"),
    )
    before = summed.with_columns(pl.col([f"s_{k}" for k in _SUMS]).cum_sum().over(SERIES_KEYS))
    cands = before.join(totals, on=SERIES_KEYS).with_columns(
        pl.col("t").alias("tau"), (pl.col("t_end") - pl.col("t")).alias("weeks_after"),
        (pl.col("all_n") - pl.col("s_n")).alias("n_after"),
    )
    allowed = (
        (pl.col("w") > 0)
        & (pl.col("s_n") >= MIN_SEGMENT_SESSIONS)
        & (((pl.col("n_after") >= MIN_SEGMENT_SESSIONS) & (pl.col("weeks_after") >= MIN_SEGMENT_WEEKS))
           | (pl.col("n_after") == 0))  # τ at the last session: the no-break line
    )
    return cands.filter(allowed)


def _normal_equations(c: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """X'X and X'y for regressors [1, min(t-τ,0), max(t-τ,0), d1, d2]."""
    tau = c.get_column("tau").to_numpy()
    b = {k: c.get_column(f"s_{k}").to_numpy() for k in _SUMS}  # sums up to τ
    tot = {k: c.get_column(f"all_{k}").to_numpy() for k in _TOTALS}
    a = {k: tot[k] - b[k] for k in _SUMS}  # sums after τ
    s1 = b["t"] - tau * b["n"]
    s11 = b["tt"] - 2 * tau * b["t"] + tau ** 2 * b["n"]
    s2 = a["t"] - tau * a["n"]
    s22 = a["tt"] - 2 * tau * a["t"] + tau ** 2 * a["n"]
    d1x1, d2x1 = b["d1t"] - tau * b["d1"], b["d2t"] - tau * b["d2"]
    d1x2, d2x2 = a["d1t"] - tau * a["d1"], a["d2t"] - tau * a["d2"]
    n, d1, d2 = tot["n"], tot["d1"], tot["d2"]
    rows = {  # the upper triangle of X'X; the matrix is symmetric
        (0, 0): n, (0, 1): s1, (0, 2): s2, (0, 3): d1, (0, 4): d2,
        (1, 1): s11, (1, 2): 0.0, (1, 3): d1x1, (1, 4): d2x1,
        (2, 2): s22, (2, 3): d1x2, (2, 4): d2x2,
        (3, 3): tot["d1d1"], (3, 4): tot["d1d2"], (4, 4): tot["d2d2"],
    }
    xtx = np.empty((len(n), 5, 5))
    for (i, j), value in rows.items():
        xtx[:, i, j] = value
        xtx[:, j, i] = value
    for i in range(5):  # a tiny ridge keeps regressors that never vary solvable
        xtx[:, i, i] += RIDGE * np.maximum(np.abs(xtx[:, i, i]), 1.0)
    xty = np.stack([
        tot["y"], b["ty"] - tau * b["y"], a["ty"] - tau * a["y"], tot["d1y"], tot["d2y"],
    ], -1)
    return xtx, xty


def _solve(xtx: np.ndarray, xty: np.ndarray, yy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched least squares from the normal equations: (X'X)⁻¹, β and the SSE."""
    inv = np.linalg.inv(xtx)
    beta = np.einsum("cij,cj->ci", inv, xty)
    return inv, beta, np.maximum(yy - np.einsum("ij,ij->i", beta, xty), 1e-12)


def _without_final_slope(inv: np.ndarray, beta: np.ndarray, sse: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The flat model from the free one: least squares under ``b2 = 0``,
    ``β_r = β - (X'X)⁻¹ e2 b2 / (X'X)⁻¹₂₂`` and ``SSE_r = SSE + b2² / (X'X)⁻¹₂₂``
    (restricted least squares; Greene, Econometric Analysis, 5.3). Returns the
    coefficients of [1, min(t-τ,0), d1, d2] and the SSE."""
    v22 = inv[:, 2, 2]
    restricted = beta - inv[:, :, 2] * (beta[:, 2] / v22)[:, None]
    return restricted[:, [0, 1, 3, 4]], sse + beta[:, 2] ** 2 / v22


def _fit(series: pl.DataFrame) -> pl.DataFrame:
    """The three models per series, each at its best breakpoint by SSE.

    Long: one row per series and ``model``: ``line`` (no break; 4
    parameters), ``free`` (the slope after τ fitted; 5 + τ) and ``flat``
    (no change after τ, the plateau hypothesis; 4 + τ), with BIC, the trend
    (level, slopes, τ), the final slope's standard error, the rep offsets
    and the residual SD. For ``flat`` the standard error is the free slope's
    at the same τ: the interval shows how small a change the data rule out.
    """
    cands = _candidates(series)
    xtx, xty = _normal_equations(cands)
    yy = cands.get_column("all_yy").to_numpy()
    inv, beta, sse = _solve(xtx, xty, yy)
    beta_flat, sse_flat = _without_final_slope(inv, beta, sse)
    n = cands.get_column("all_n").to_numpy()
    breaks = cands.get_column("n_after").to_numpy() > 0
    dof_free = np.maximum(n - np.where(breaks, 5, 4), 1)
    se_free = np.sqrt(sse / dof_free * np.where(breaks, inv[:, 2, 2], inv[:, 1, 1]))
    change_var = sse / dof_free * (inv[:, 2, 2] + inv[:, 1, 1] - 2 * inv[:, 1, 2])
    t_change = (beta[:, 2] - beta[:, 1]) / np.sqrt(np.maximum(change_var, 1e-18))
    free_i, flat_i, line_i = _best_candidates(cands.select(*SERIES_KEYS), sse, sse_flat, breaks)
    common = cands.select(*SERIES_KEYS, "tau", "date", pl.col("all_n").alias("n_all"))

    def model(i: np.ndarray, name: str, params: int, sse: np.ndarray, dof: np.ndarray, coef: np.ndarray,
              slope_after: np.ndarray, t_change: np.ndarray) -> pl.DataFrame:
        return common[i].with_columns(
            pl.lit(name).alias("model"), pl.lit(params, pl.Int64).alias("params"), pl.Series("sse", sse[i]),
            pl.Series("sigma", np.sqrt(sse[i] / dof[i])), pl.Series("level", coef[i, 0]),
            pl.Series("slope_before", coef[i, 1]), pl.Series("slope_after", slope_after),
            pl.Series("se_after", se_free[i]), pl.Series("off1", coef[i, -2]), pl.Series("off2", coef[i, -1]),
            pl.Series("t_change", t_change))

    n_, sse_ = pl.col("n_all"), pl.col("sse")
    return (
        pl.concat([
            model(line_i, "line", 4, sse, dof_free, beta, beta[line_i, 1], np.zeros(len(line_i))),
            model(free_i, "free", 6, sse, dof_free, beta, beta[free_i, 2], t_change[free_i]),
            model(flat_i, "flat", 5, sse_flat, np.maximum(n - 4, 1), beta_flat, np.zeros(len(flat_i)),
                  np.zeros(len(flat_i))),
        ])
        .with_columns((n_ * (sse_ / n_).log() + pl.col("params") * n_.log()).alias("bic"))
        .sort(*SERIES_KEYS, "model")
    )


def _best_candidates(keys: pl.DataFrame, sse: np.ndarray, sse_flat: np.ndarray,
                     breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row numbers of each series' best free break, best flat break (least SSE,
    ties to the earlier date) and its line."""
    rows = keys.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("i"), pl.Series("free", sse),
                             pl.Series("flat", sse_flat), pl.Series("breaks", breaks))
    brk = rows.filter("breaks")
    best = [brk.group_by(SERIES_KEYS).agg(pl.col("i").sort_by(m, "i").first()).get_column("i").sort().to_numpy()
            for m in ("free", "flat")]
    return best[0], best[1], rows.filter(~pl.col("breaks")).get_column("i").to_numpy()


BREAK_RULES = ("bic", "change_test")
DEFAULT_RULE = "bic"
"""Scored on 720 synthetic lift series (benchmarks/plateau_accuracy.py): BIC
over line, free break and flat break 0.701 accuracy and 2.8 weeks median
plateau-start error (line and free break only: 0.675 and 3.1); the sup-Wald
slope-change test 0.646 and 3.0; Theil-Sen with a rolling best 0.588 and
15.0. The benchmark's ceiling for any detector on those logs is 0.777."""


def _choose(fit: pl.DataFrame, rule: str) -> pl.DataFrame:
    """One model per series.

    ``bic``: the lowest BIC of line, free break and flat since τ (on a tie,
    the one with fewer parameters);
    ``change_test``: the free break when the slopes before and after τ
    differ (sup-Wald, |t| > 2.97), else the line.
    """
    if rule == "bic":
        chosen = fit.sort("bic", "params", maintain_order=True).group_by(  # a tie: the simpler model
            SERIES_KEYS, maintain_order=True).first()
    elif rule == "change_test":
        chosen = (fit.filter((pl.col("model") == "line")
                             | ((pl.col("model") == "free") & (pl.col("t_change").abs() > T_BREAK_CRIT)))
                  .sort(pl.col("model") == "line", maintain_order=True)
                  .group_by(SERIES_KEYS, maintain_order=True).first())
    else:
        raise ValueError(f"unknown break rule {rule!r}; known: {', '.join(BREAK_RULES)}")
    return chosen.with_columns((pl.col("model") != "line").alias("breaks"))


def _trend_at(t: pl.Expr) -> pl.Expr:
    """The fitted log e1RM trend (5-rep scale) at time ``t`` (weeks)."""
    u = t - pl.col("tau")
    return (pl.col("level") + pl.col("slope_before") * pl.min_horizontal(u, 0)
            + pl.col("slope_after") * pl.max_horizontal(u, 0))


def _pct(log_slope: pl.Expr) -> pl.Expr:
    return (log_slope.exp() - 1) * 100


def _predict() -> pl.Expr:
    """Fitted log e1RM of each session under its series' chosen model."""
    d1, d2 = rep_terms()
    return _trend_at(pl.col("t")) + pl.col("off1") * d1 + pl.col("off2") * d2


def segmented(series: pl.DataFrame, rule: str = DEFAULT_RULE) -> pl.DataFrame:
    """Per trainee and lift: the two-phase fit, after removing what the lifts share.

    A first fit gives each session's residual. What all of a trainee's lifts
    share on a day (readiness) is estimated leave-one-out from the other
    lifts that day and subtracted; weeks where the lifts together sit far
    below their trend (deloads) and single sessions far below it (easy
    days) are left out. Then the model is refitted. Returns the chosen model
    (breakpoint, slopes in log units per week with the final slope's
    standard error, rep-range offsets, residual SD).
    """
    first = _choose(_fit(series.with_columns(pl.lit(1.0).alias("w"))), rule)
    resid = series.join(first, on=SERIES_KEYS, how="left").with_columns((pl.col("y") - _predict()).alias("resid"))
    adjusted = _remove_shared_effects(resid)
    return _choose(_fit(adjusted.select(*series.columns, "w")), rule).join(
        adjusted.group_by(SERIES_KEYS).agg((pl.col("w") == 0).sum().alias("left_out")), on=SERIES_KEYS, how="left")


def _robust_sd(x: pl.Expr) -> pl.Expr:
    return 1.4826 * (x - x.median()).abs().median()


def _remove_shared_effects(resid: pl.DataFrame) -> pl.DataFrame:
    """Day effects out of ``y``; deload weeks and outlying low sessions weighted 0."""
    day = ["trainee_id", "date"]
    others = pl.len().over(day) - 1
    loo_day = (pl.col("resid").sum().over(day) - pl.col("resid")) / others
    shrink = others / (others + 1)
    week = ["trainee_id", pl.col("date").dt.truncate("1w")]
    week_effect = pl.col("resid").median().over(week)
    week_sd = _robust_sd(pl.col("resid").median().over(week)).over("trainee_id")
    low_week = (week_effect < -TRIM_SD * week_sd) & (pl.len().over(week) >= 2)
    adjusted = resid.with_columns(
        (pl.col("y") - pl.when(others > 0).then(loo_day * shrink).otherwise(0.0)).alias("y"),
        (pl.col("resid") - pl.when(others > 0).then(loo_day * shrink).otherwise(0.0)).alias("resid_adj"),
        low_week.alias("deload"),
    )
    low_session = pl.col("resid_adj") < -TRIM_SD * _robust_sd(pl.col("resid_adj")).over(SERIES_KEYS)
    return adjusted.with_columns(
        pl.when(pl.col("deload") | low_session).then(0.0).otherwise(1.0).alias("w"))


def status_from_slope(slope: pl.Expr, se: pl.Expr) -> pl.Expr:
    """progressing / declining when |t| > 2 and beyond ±MIN_RATE_PCT %/week, else plateau."""
    pct = (slope.exp() - 1) * 100
    t = slope / se
    return (
        pl.when((t > T_CRIT) & (pct > MIN_RATE_PCT)).then(pl.lit("progressing"))
        .when((t < -T_CRIT) & (pct < -MIN_RATE_PCT)).then(pl.lit("declining"))
        .otherwise(pl.lit("plateau"))
    )


def _enough(series: pl.DataFrame) -> pl.DataFrame:
    """Series with enough recent data to judge."""
    return series.group_by(SERIES_KEYS).agg(
        pl.len().alias("sessions"),
        (pl.col("date").max() >= pl.col("as_of").first() - pl.duration(weeks=STALE_WEEKS)).alias("recent"),
        pl.col("date").min().alias("first_date"),
        pl.col("t").max().alias("t_last"),
        pl.col("as_of").first(),
    ).with_columns(((pl.col("sessions") >= MIN_SESSIONS) & pl.col("recent")).alias("enough"))


def detect_segmented(series: pl.DataFrame, rule: str = DEFAULT_RULE) -> pl.DataFrame:
    """Status and plateau start per trainee and lift by segmented regression."""
    fit = segmented(series, rule)
    status = status_from_slope(pl.col("slope_after"), pl.col("se_after"))
    return (
        _enough(series).join(fit, on=SERIES_KEYS, how="left")
        .with_columns(pl.when(pl.col("enough") & pl.col("slope_after").is_not_null()).then(status)
                      .otherwise(pl.lit("insufficient_data")).alias("status"))
        .with_columns(
            pl.when(pl.col("status") == "plateau")
            .then(pl.when(pl.col("breaks")).then(pl.col("date")).otherwise(pl.col("first_date")))
            .alias("plateau_since"),
            _pct(pl.col("slope_after")).alias("change_pct_per_week"),
            _pct(pl.col("slope_after") - 1.96 * pl.col("se_after")).alias("change_low"),
            _pct(pl.col("slope_after") + 1.96 * pl.col("se_after")).alias("change_high"),
            _trend_at(pl.col("t_last")).exp().alias("current_kg"),
        )
        .select(*SERIES_KEYS, "status", "plateau_since", "change_pct_per_week", "change_low", "change_high",
                "current_kg", "sessions", "slope_after", "se_after", "sigma", "breaks",
                pl.col("date").alias("break_date"), "tau", "level", "slope_before", "off1", "off2")
        .sort(SERIES_KEYS)
    )


# --------------------------------------------------------------------------
# Theil-Sen over the trailing window (the comparison method)
# --------------------------------------------------------------------------


def detect_theil_sen(series: pl.DataFrame, window_weeks: int = 8) -> pl.DataFrame:
    """Status by Theil-Sen slope of rep-range-corrected log e1RM in the window;
    plateau start from the last rolling best beyond the MDC."""
    offsets = segmented(series).select(*SERIES_KEYS, "off1", "off2")
    d1, d2 = rep_terms()
    corrected = series.join(offsets, on=SERIES_KEYS, how="left").with_columns(
        (pl.col("y") - (pl.col("off1") * d1 + pl.col("off2") * d2).fill_null(0.0)).alias("yc"))
    window = corrected.filter(pl.col("date") >= pl.col("as_of") - pl.duration(weeks=window_weeks))
    slopes = _pairwise_slopes(window)
    best = _last_meaningful_best(corrected)
    status = status_from_slope(pl.col("slope"), pl.col("se"))
    return (
        _enough(series).join(slopes, on=SERIES_KEYS, how="left").join(best, on=SERIES_KEYS, how="left")
        .with_columns(pl.when(pl.col("enough") & pl.col("slope").is_not_null()).then(status)
                      .otherwise(pl.lit("insufficient_data")).alias("status"))
        .with_columns(
            pl.when(pl.col("status") == "plateau").then(pl.coalesce("best_date", "first_date")).alias("plateau_since"),
            _pct(pl.col("slope")).alias("change_pct_per_week"),
        )
        .select(*SERIES_KEYS, "status", "plateau_since", "change_pct_per_week", "sessions")
        .sort(SERIES_KEYS)
    )


def _pairwise_slopes(window: pl.DataFrame) -> pl.DataFrame:
    """Theil-Sen median slope and a standard error from Sen's 95% interval."""
    pts = window.select(*SERIES_KEYS, "t", "yc").with_row_index("i")
    pairs = pts.join(pts, on=SERIES_KEYS, suffix="_b").filter(
        (pl.col("i") < pl.col("i_b")) & (pl.col("t_b") > pl.col("t")))
    n = pl.col("n_pts")
    big_n = pl.len()
    c = 1.96 * (n * (n - 1) * (2 * n + 5) / 18).sqrt()
    return (
        pairs.with_columns(((pl.col("yc_b") - pl.col("yc")) / (pl.col("t_b") - pl.col("t"))).alias("s"))
        .join(pts.group_by(SERIES_KEYS).agg(pl.len().cast(pl.Float64).alias("n_pts")), on=SERIES_KEYS)
        .group_by(SERIES_KEYS)
        .agg(
            pl.col("s").median().alias("slope"),
            pl.col("s").quantile(((big_n - c) / 2 / big_n).clip(0, 1).first(), "nearest").alias("lo"),
            pl.col("s").quantile(((big_n + c) / 2 / big_n).clip(0, 1).first(), "nearest").alias("hi"),
        )
        .with_columns(((pl.col("hi") - pl.col("lo")) / (2 * 1.96)).alias("se"))
    )


def _last_meaningful_best(corrected: pl.DataFrame) -> pl.DataFrame:
    """Date of the last session that beat all earlier ones by more than MDC95."""
    diff = pl.col("yc").diff().over(SERIES_KEYS)
    typical_error = diff.std().over(SERIES_KEYS) / math.sqrt(2)
    previous_best = pl.col("yc").cum_max().shift(1).over(SERIES_KEYS)
    new_best = pl.col("yc") > previous_best + 2.77 * typical_error
    return (
        corrected.with_columns(new_best.alias("new_best"))
        .filter(pl.col("new_best"))
        .group_by(SERIES_KEYS)
        .agg(pl.col("date").max().alias("best_date"))
    )


DETECTORS = {"segmented": detect_segmented, "theil_sen": detect_theil_sen}

CHUNK_TRAINEES = 500
"""Trainees per pass: every step is per trainee, so chunks give the same
answer; 500 keeps 10M sets under 2 GB (benchmarks/trend_speed.py)."""


def lift_trends(sets: pl.DataFrame, as_of: pl.DataFrame, formula: str = strength.DEFAULT_FORMULA,
                chunk_trainees: int = CHUNK_TRAINEES) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Status per trainee and lift (:func:`detect_segmented`) and the trend
    lines, computed in chunks of trainees to bound memory."""
    ids = sets.get_column("trainee_id").unique().sort()
    detected, lines = [], []
    for start in range(0, len(ids), chunk_trainees):
        chunk = ids.slice(start, chunk_trainees).implode()
        series = session_series(sets.filter(pl.col("trainee_id").is_in(chunk)), as_of, formula)
        found = detect_segmented(series)
        detected.append(found)
        lines.append(trend_lines(series, found))
    return pl.concat(detected), pl.concat(lines)


def trend_lines(series: pl.DataFrame, detected: pl.DataFrame) -> pl.DataFrame:
    """The fitted trend at each session (kg, 5-rep scale) with the 95% range
    of session values around it (± 1.96 residual SD): tidy trainee_id, lift,
    date, trend_kg, low_kg, high_kg."""
    fit = detected.filter(pl.col("status") != "insufficient_data").select(
        *SERIES_KEYS, "tau", "level", "slope_before", "slope_after", "sigma")
    trend = _trend_at(pl.col("t"))
    return (
        series.join(fit, on=SERIES_KEYS)
        .select(*SERIES_KEYS, "date", trend.exp().alias("trend_kg"),
                (trend - 1.96 * pl.col("sigma")).exp().alias("low_kg"),
                (trend + 1.96 * pl.col("sigma")).exp().alias("high_kg"))
        .unique([*SERIES_KEYS, "date"], keep="first", maintain_order=True)
    )
