"""Bayesian model averaging over segmented linear trends, break dates integrated out.

One series is ``y`` against time ``t`` (weeks) with optional nuisance
covariates ``z`` (e.g. rep-range terms) and per-point weights ``w``. Three
models explain its trend:

* ``line``: ``y = a + b t + c'z``;
* ``free``: a break at τ, ``y = a + b1 min(t-τ, 0) + b2 max(t-τ, 0) + c'z``;
* ``flat``: a break at τ and nothing since, ``b2 = 0`` (the plateau itself);
  τ at the first point is "flat all along".

Each has the conjugate Normal-Inverse-Gamma prior (Bayesian linear
regression; Gelman et al., *Bayesian Data Analysis*, 3rd ed., 14.8;
O'Hagan & Forster, *Kendall's Advanced Theory of Statistics 2B*, 11.7):
``β | σ² ~ N(0, σ² V0)``, ``σ² ~ Inv-Gamma(a0, b0)``, with ``V0`` diagonal and
fixed (the prior SDs in :class:`Prior`, in units of ``y``, divided by the
reference noise ``sigma_ref`` so that they hold at typical noise). The
marginal likelihood of every model and every candidate break date is then
exact, and so is the posterior over (model, τ): nothing is *selected*.
Break dates are candidates at the first point of each week.

Robustness (deload weeks, easy days, logging slips): the caller passes
weights. :func:`student_t_weights` gives the Student-t likelihood's
scale-mixture weights at their conditional expectation from a first fit
(one EM step of the t model; Lange, Little & Taylor 1989, JASA 84(408)).

Calibration: weights are multiplied by ``1 / temper`` (a power posterior,
likelihood^(1/temper); Grünwald 2012 "safe Bayes", Holmes & Walker 2017),
which widens the posterior where the models are too simple for real data
(curved progress, autocorrelated readiness). ``temper`` is a fixed constant
chosen on the scenario grid's tuning seeds.

The current rate ``b`` (line) / ``b2`` (free) / 0 (flat) is classed against
a region of practical equivalence ``±rope`` (Kruschke 2018): up, flat or
down. Everything runs batched over all series in numpy (prefix sums of the
sufficient statistics, one batched inverse per model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import special  # not scipy.stats: 0.4 s more to import, in every process


@dataclass(frozen=True)
class Prior:
    """Fixed prior constants (never pooled across series)."""

    sigma_ref: float
    """Typical residual SD of ``y``; the Inverse-Gamma prior is centred on it."""
    level_sd: float
    slope_sd: float
    """Prior SD of every slope (``b``, ``b1``, ``b2``), units of y per week."""
    z_sd: tuple[float, ...] = ()
    a0: float = 2.0
    model_prior: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)
    """Prior probability of line, free, flat (spread evenly over break dates)."""
    temper: float = 1.0
    min_before: int = 3
    """Points a break needs before it (flat all along excepted)."""
    min_after: int = 3
    """Points a break needs after it."""
    min_weeks_after: float = 3.0
    """Weeks a break needs after it: a shorter stall is not a plateau yet."""
    last_segment_weeks: float = 4.0
    """The line's hinges stop this many weeks before its last point."""


MODELS = ("line", "free", "flat")


@dataclass
class Series:
    """Points of many series, sorted by series then t."""

    sid: np.ndarray  # int, 0..S-1, non-decreasing
    t: np.ndarray
    y: np.ndarray
    w: np.ndarray
    week: np.ndarray  # int week number of each point (break candidates: first point of a week)
    z: np.ndarray  # (n, m) covariates

    @property
    def n_series(self) -> int:
        return int(self.sid[-1]) + 1 if len(self.sid) else 0


@dataclass
class Components:
    """The posterior's components: one row per (series, model, τ)."""

    sid: np.ndarray
    model: np.ndarray  # 0 line, 1 free, 2 flat
    tau: np.ndarray
    weight: np.ndarray  # posterior probability within its series
    coef: np.ndarray  # (K, 3 + m) posterior mean of [a, b1, b2, c...] (b1 = 0 for line, b2 = 0 for flat)
    rate_loc: np.ndarray
    rate_scale: np.ndarray
    df: np.ndarray
    sigma: np.ndarray  # posterior mean of σ (sqrt of E σ²)
    p_class: np.ndarray  # (K, 3): P(rate > rope), P(|rate| <= rope), P(rate < -rope)
    since: np.ndarray | None = None  # when the final straight stretch began: τ, or the line's last hinge


def fit(s: Series, prior: Prior, rope: float, scale: np.ndarray | None = None,
        knots: np.ndarray | None = None) -> Components:
    """The exact posterior over models and break dates of every series.

    ``scale`` (one per series, e.g. a robust SD of a first fit's residuals)
    replaces ``prior.sigma_ref`` in ``V0`` so that the prior SDs hold in the
    units of ``y`` whatever the series' noise (``β ~ N(0, σ² V0)`` with
    ``V0 = (sd / scale)²`` is ``N(0, sd²)`` at ``σ = scale``).

    ``knots``: the last ``len(knots)`` columns of ``z`` are hinges
    ``min(t - k, 0)`` at these times (a slope change at ``k``, a linear
    spline: the trend before a break need not be straight). A hinge is used
    only where it bends the stretch before the break (``k < τ``), or for the
    line, before its last :attr:`Prior.last_segment_weeks`, so that the
    current rate is always one straight final stretch."""
    scale = np.full(s.n_series, prior.sigma_ref) if scale is None else scale
    m = s.z.shape[1]
    y_bar = _series_mean(s, s.y)
    y = s.y - y_bar[s.sid]
    w = s.w / prior.temper
    terms = _terms(s.t, y, s.z)
    cum = np.cumsum(w[:, None] * terms, axis=0)
    start, end = _bounds(s.sid)
    base = np.where(start[:, None] > 0, cum[np.maximum(start - 1, 0)], 0.0)
    total = cum[end - 1] - base  # per series

    cand = _candidates(s, start, end, prior)
    blocks = []
    for model, idx in cand.items():
        sid = s.sid[idx]
        before = cum[idx] - base[sid]
        if model == "line":
            before = np.zeros_like(before)  # τ at the first point: everything is "after"
            tau = s.t[start[sid]]
        elif model == "flat" and len(idx):
            tau = s.t[idx]
            all_along = idx == start[sid]
            before[all_along] = 0.0
        else:
            tau = s.t[idx]
        xtx, xty, yy, n = _normal_equations(before, total[sid], tau, m)
        if knots is not None and len(knots):
            limit = s.t[end[sid] - 1] - prior.last_segment_weeks if model == "line" else tau
            _drop_hinges(xtx, xty, knots[None, :] >= limit[:, None], 3 + m - len(knots))
        keep = [0, 1, 2, *range(3, 3 + m)] if model != "flat" else [0, 1, *range(3, 3 + m)]
        block = _posterior(model, sid, tau, xtx[:, keep][:, :, keep], xty[:, keep], yy, n, prior, m, scale[sid])
        block["since"] = tau if model != "line" or knots is None or not len(knots) else np.maximum(
            tau, np.max(np.where(knots[None, :] < limit[:, None], knots[None, :], -np.inf), axis=1))
        blocks.append(block)
    comp = _concat(blocks)
    comp.coef[:, 0] += y_bar[comp.sid]
    _normalise(comp, prior, s.n_series)
    comp.p_class = _classes(comp, rope)
    return comp


def _series_mean(s: Series, x: np.ndarray) -> np.ndarray:
    w = np.bincount(s.sid, weights=s.w, minlength=s.n_series)
    return np.bincount(s.sid, weights=s.w * x, minlength=s.n_series) / np.maximum(w, 1e-12)


def _bounds(sid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and one-past-last point index of every series."""
    change = np.flatnonzero(np.diff(sid)) + 1
    return np.concatenate([[0], change]), np.concatenate([change, [len(sid)]])


# Per-point terms whose prefix sums give X'WX, X'Wy, y'Wy for any τ:
# [1, t, t², y, t y, y², z_j, z_j t, z_j y, z_j z_k (j <= k)]
def _terms(t: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    m = z.shape[1]
    cols = [np.ones_like(t), t, t * t, y, t * y, y * y]
    cols += [z[:, j] for j in range(m)] + [z[:, j] * t for j in range(m)] + [z[:, j] * y for j in range(m)]
    cols += [z[:, j] * z[:, k] for j in range(m) for k in range(j, m)]
    return np.column_stack(cols)


def _normal_equations(b: np.ndarray, tot: np.ndarray, tau: np.ndarray, m: int):
    """X'WX, X'Wy, y'Wy and Σw for X = [1, min(t-τ,0), max(t-τ,0), z]."""
    a = tot - b  # sums after τ
    n_, t_, tt_, y_, ty_, yy_ = range(6)
    z0, zt0, zy0, zz0 = 6, 6 + m, 6 + 2 * m, 6 + 3 * m
    p = 3 + m
    xtx = np.zeros((len(tau), p, p))
    xtx[:, 0, 0] = tot[:, n_]
    xtx[:, 0, 1] = b[:, t_] - tau * b[:, n_]
    xtx[:, 0, 2] = a[:, t_] - tau * a[:, n_]
    xtx[:, 1, 1] = b[:, tt_] - 2 * tau * b[:, t_] + tau ** 2 * b[:, n_]
    xtx[:, 2, 2] = a[:, tt_] - 2 * tau * a[:, t_] + tau ** 2 * a[:, n_]
    xty = np.zeros((len(tau), p))
    xty[:, 0] = tot[:, y_]
    xty[:, 1] = b[:, ty_] - tau * b[:, y_]
    xty[:, 2] = a[:, ty_] - tau * a[:, y_]
    k = zz0
    for j in range(m):
        xtx[:, 0, 3 + j] = tot[:, z0 + j]
        xtx[:, 1, 3 + j] = b[:, zt0 + j] - tau * b[:, z0 + j]
        xtx[:, 2, 3 + j] = a[:, zt0 + j] - tau * a[:, z0 + j]
        xty[:, 3 + j] = tot[:, zy0 + j]
        for i in range(j, m):
            xtx[:, 3 + j, 3 + i] = tot[:, k]
            k += 1
    upper = np.triu_indices(p, 1)
    xtx[:, upper[1], upper[0]] = xtx[:, upper[0], upper[1]]
    return xtx, xty, tot[:, yy_], tot[:, n_]


def _drop_hinges(xtx: np.ndarray, xty: np.ndarray, unused: np.ndarray, first: int) -> None:
    """Zero the data terms of the hinges a candidate does not use: only
    their prior is left, whose factor cancels in the marginal likelihood."""
    rows, cols = np.nonzero(unused)
    cols = cols + first
    xtx[rows, cols, :] = 0.0
    xtx[rows, :, cols] = 0.0
    xty[rows, cols] = 0.0


def _candidates(s: Series, start: np.ndarray, end: np.ndarray, prior: Prior) -> dict[str, np.ndarray]:
    """Point indices of the candidate break dates of each model."""
    idx = np.arange(len(s.t))
    before = idx - start[s.sid]
    after = end[s.sid] - 1 - idx
    first_of_week = np.concatenate([[True], (s.week[1:] != s.week[:-1]) | (s.sid[1:] != s.sid[:-1])])
    weeks_after = s.t[end[s.sid] - 1] - s.t
    inner = (first_of_week & (before >= prior.min_before) & (after >= prior.min_after)
             & (weeks_after >= prior.min_weeks_after))
    return {"line": start, "free": idx[inner], "flat": np.sort(np.concatenate([start, idx[inner]]))}


def _posterior(model: str, sid, tau, xtx, xty, yy, n, prior: Prior, m: int, scale: np.ndarray) -> dict:
    """Posterior of one model at each candidate (NIG conjugate update)."""
    sds = [prior.level_sd, prior.slope_sd, prior.slope_sd, *prior.z_sd]
    if model == "flat":
        sds = [sds[0], sds[1], *sds[3:]]
    v0_inv = (scale[:, None] / np.asarray(sds)[None, :]) ** 2
    lam = xtx + v0_inv[:, :, None] * np.eye(len(sds))[None]
    inv = np.linalg.inv(lam)
    mean = np.einsum("kij,kj->ki", inv, xty)
    b0 = (prior.a0 - 1) * prior.sigma_ref ** 2  # prior mean of σ²: σ_ref²
    an = prior.a0 + n / 2
    bn = b0 + 0.5 * np.maximum(yy - np.einsum("ki,ki->k", mean, xty), 0.0)
    _, logdet = np.linalg.slogdet(lam)
    logml = 0.5 * np.sum(np.log(v0_inv), axis=1) - 0.5 * logdet - an * np.log(bn) + special.gammaln(an)
    # line: b1's column is all zero, so its prior factor cancels and the slope is b2
    coef = np.zeros((len(tau), 3 + m))
    if model == "flat":
        coef[:, [0, 1, *range(3, 3 + m)]] = mean
        rate_loc = np.zeros(len(tau))
        rate_var = np.zeros(len(tau))
    else:
        coef[:] = mean
        rate_loc = mean[:, 2]
        rate_var = bn / an * inv[:, 2, 2]
    return {"sid": sid, "model": np.full(len(tau), MODELS.index(model)), "tau": tau, "logml": logml,
            "coef": coef, "rate_loc": rate_loc, "rate_scale": np.sqrt(rate_var), "df": 2 * an,
            "sigma": np.sqrt(bn / np.maximum(an - 1, 0.5))}


def _concat(blocks: list[dict]) -> Components:
    cat = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    order = np.lexsort((cat["tau"], cat["model"], cat["sid"]))
    comp = Components(sid=cat["sid"][order], model=cat["model"][order], tau=cat["tau"][order],
                      weight=cat["logml"][order], coef=cat["coef"][order], rate_loc=cat["rate_loc"][order],
                      rate_scale=cat["rate_scale"][order], df=cat["df"][order], sigma=cat["sigma"][order],
                      p_class=np.zeros((len(order), 3)), since=cat["since"][order])
    return comp


def _normalise(comp: Components, prior: Prior, n_series: int) -> None:
    """log ML + log prior -> posterior probabilities within each series."""
    key = comp.sid * 3 + comp.model
    count = np.bincount(key, minlength=n_series * 3)
    log_prior = np.log(np.asarray(prior.model_prior))[comp.model] - np.log(count[key])
    logp = comp.weight + log_prior
    start, _ = _bounds(comp.sid)
    top = np.maximum.reduceat(logp, start)
    p = np.exp(logp - top[comp.sid])
    comp.weight = p / np.add.reduceat(p, start)[comp.sid]


def _classes(comp: Components, rope: float) -> np.ndarray:
    """P(up), P(flat), P(down) of the current rate under each component."""
    scale = np.where(comp.rate_scale > 0, comp.rate_scale, 1.0)
    up = special.stdtr(comp.df, (comp.rate_loc - rope) / scale)  # t survival at rope
    down = special.stdtr(comp.df, (-rope - comp.rate_loc) / scale)
    flat_model = comp.model == 2
    up, down = np.where(flat_model, 0.0, up), np.where(flat_model, 0.0, down)
    return np.column_stack([up, 1 - up - down, down])


# --------------------------------------------------------------------------
# Summaries of the posterior, one row per series
# --------------------------------------------------------------------------


def class_probabilities(comp: Components, n_series: int) -> np.ndarray:
    """(S, 3): P(up), P(flat), P(down) of the current rate."""
    return np.column_stack([np.bincount(comp.sid, weights=comp.weight * comp.p_class[:, k], minlength=n_series)
                            for k in range(3)])


def flat_since(comp: Components, n_series: int, q: tuple[float, ...] = (0.1, 0.5, 0.9),
               temperature: float = 1.0) -> np.ndarray:
    """(S, len(q)): quantiles of the date (t) the current flat stretch began,
    given that the current rate is flat. A line that is flat throughout
    dates it from the first point. ``temperature`` tempers the posterior
    over break dates as the class probabilities are (mass^(1/T))."""
    mass = np.clip(comp.weight * comp.p_class[:, 1], 0.0, None) ** (1 / temperature)
    order = np.lexsort((comp.since, comp.sid))
    sid, tau, mass = comp.sid[order], comp.since[order], mass[order]
    total = np.bincount(sid, weights=mass, minlength=n_series)
    start, _ = _bounds(sid)
    cum = np.cumsum(mass)
    cum -= np.concatenate([[0.0], cum])[start][np.searchsorted(start, np.arange(len(sid)), side="right") - 1]
    out = np.full((n_series, len(q)), np.nan)
    for j, quantile in enumerate(q):
        reached = cum >= quantile * total[sid] - 1e-12
        first = np.where(reached, np.arange(len(sid)), len(sid))
        hit = np.minimum.reduceat(first, start)
        ok = (hit < len(sid)) & (total[sid[start]] > 0)
        out[sid[start][ok], j] = tau[hit[ok]]
    return out


def rate_summary(comp: Components, n_series: int, q: tuple[float, float] = (0.025, 0.975)) -> np.ndarray:
    """(S, 4): posterior mean, SD and the q-quantiles of the current rate.

    The mixture is collapsed per model (moment matching over break dates)
    into at most three parts: the line's t, the free breaks' normal and the
    flat model's point mass at 0; quantiles by bisection on that mixture's
    CDF."""
    var = comp.rate_scale ** 2 * comp.df / np.maximum(comp.df - 2, 1e-9)
    parts = []
    for model in range(3):
        wk = comp.weight * (comp.model == model)
        wsum = np.bincount(comp.sid, weights=wk, minlength=n_series)
        mean = np.bincount(comp.sid, weights=wk * comp.rate_loc, minlength=n_series) / np.maximum(wsum, 1e-300)
        second = np.bincount(comp.sid, weights=wk * (var + comp.rate_loc ** 2), minlength=n_series)
        sd = np.sqrt(np.maximum(second / np.maximum(wsum, 1e-300) - mean ** 2, 0.0))
        parts.append((wsum, mean, sd))
    mean = sum(w * mu for w, mu, _ in parts)
    second = sum(w * (sd ** 2 + mu ** 2) for w, mu, sd in parts)
    sd = np.sqrt(np.maximum(second - mean ** 2, 0.0))

    def cdf(x: np.ndarray) -> np.ndarray:
        total = np.zeros_like(x)
        for w, mu, s in parts:
            total += w * np.where(s > 0, special.ndtr((x - mu) / np.where(s > 0, s, 1.0)), (x >= mu) * 1.0)
        return total

    out = [mean, sd]
    for quantile in q:
        lo, hi = mean - 10 * sd - 1e-6, mean + 10 * sd + 1e-6
        for _ in range(50):
            mid = (lo + hi) / 2
            below = cdf(mid) < quantile
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        out.append((lo + hi) / 2)
    return np.column_stack(out)


def predict(comp: Components, sid: np.ndarray, t: np.ndarray, z: np.ndarray, min_weight: float = 1e-3) -> np.ndarray:
    """Posterior mean of the trend (with the covariates z) at points (sid, t),
    from the components holding at least ``min_weight`` of their series'
    probability (renormalised; the most probable one always).

    Exact, without pairing every point with every component: the mean is
    linear in the components, Σ_k w_k [a_k + b1_k min(u_k, 0) + b2_k max(u_k, 0)
    + c_k'z] with u_k = t - τ_k, so with the components sorted by (series, τ)
    a point's value is Σ w a + (Σ w c)'z plus the prefix sums of w b2 and
    w b2 τ over the components with τ <= t and the rest's sums of w b1 and
    w b1 τ (one sorted search per point)."""
    n_series = int(max(comp.sid.max(initial=-1), sid.max(initial=-1))) + 1
    keep = np.zeros(0, bool)
    if len(comp.sid):
        start, end = _bounds(comp.sid)
        top = np.repeat(np.maximum.reduceat(comp.weight, start), end - start)  # the series' most probable
        keep = comp.weight >= np.minimum(min_weight, top)
    c_sid, tau, coef, wt = comp.sid[keep], comp.tau[keep], comp.coef[keep], comp.weight[keep]
    wt = wt / np.bincount(c_sid, weights=wt, minlength=n_series)[c_sid]
    order = np.lexsort((tau, c_sid))
    c_sid, tau, coef, wt = c_sid[order], tau[order], coef[order], wt[order]
    first = np.searchsorted(c_sid, np.arange(n_series + 1))  # series s: components first[s]:first[s + 1]
    begin, stop = first[:-1], first[1:]
    level = np.bincount(c_sid, weights=wt * coef[:, 0], minlength=n_series)
    cz = np.zeros((n_series, coef.shape[1] - 3))
    present = begin < stop
    if cz.shape[1] and present.any():
        cz[present] = np.add.reduceat(wt[:, None] * coef[:, 3:], begin[present], axis=0)
    wb1, wb2 = wt * coef[:, 1], wt * coef[:, 2]
    cum = np.zeros((len(tau) + 1, 4))  # running sums of w b2, w b2 τ, w b1, w b1 τ
    np.cumsum(np.column_stack([wb2, wb2 * tau, wb1, wb1 * tau]), axis=0, out=cum[1:])
    # Each point's place among its series' τ (side right: τ <= t before it), by one search on
    # keys laid out series after series: τ - (series' first τ) + offset, t clipped to its
    # series' τ range ± 0.5 (outside it, all τ are on one side), series 1 apart.
    lo = np.where(present, tau[np.minimum(begin, len(tau) - 1)] if len(tau) else 0.0, 0.0)
    hi = np.where(present, tau[np.maximum(stop - 1, 0)] if len(tau) else 0.0, 0.0)
    offset = np.concatenate([[0.0], np.cumsum(hi - lo + 2.0)[:-1]]) - lo + 0.5
    key = np.clip(t, lo[sid] - 0.5, hi[sid] + 0.5) + offset[sid]
    j = np.clip(np.searchsorted(tau + offset[c_sid], key, side="right"), begin[sid], stop[sid])
    at_j, at_begin, at_stop = cum[j], cum[begin[sid]], cum[stop[sid]]
    return (level[sid] + np.einsum("ij,ij->i", cz[sid], z)
            + t * (at_j[:, 0] - at_begin[:, 0]) - (at_j[:, 1] - at_begin[:, 1])
            + t * (at_stop[:, 2] - at_j[:, 2]) - (at_stop[:, 3] - at_j[:, 3]))


def student_t_weights(resid: np.ndarray, scale: np.ndarray, nu: float) -> np.ndarray:
    """E[λ | r] of the t likelihood as a normal scale mixture: (ν + 1) / (ν + (r/s)²)."""
    return (nu + 1) / (nu + (resid / scale) ** 2)


# --------------------------------------------------------------------------
# Reading a posterior summary table (polars)
# --------------------------------------------------------------------------


def robust_sd(x: pl.Expr) -> pl.Expr:
    """1.4826 x the median absolute deviation: the SD of normal data, blind to outliers."""
    return 1.4826 * (x - x.median()).abs().median()


def committed_status(classes: tuple[str, ...], threshold: float) -> pl.Expr:
    """The most probable of ``p_<class>`` when it reaches ``threshold``, else
    ``uncertain``; ``insufficient_data`` where ``enough`` is not true or
    there are no probabilities (Chow 1970: abstain below a threshold)."""
    top = pl.max_horizontal(*(pl.col(f"p_{c}") for c in classes))
    chosen = pl.when(pl.col(f"p_{classes[0]}") == top).then(pl.lit(classes[0]))
    for c in classes[1:-1]:
        chosen = chosen.when(pl.col(f"p_{c}") == top).then(pl.lit(c))
    chosen = chosen.otherwise(pl.lit(classes[-1]))
    return (pl.when(~pl.col("enough").fill_null(False) | top.is_null()).then(pl.lit("insufficient_data"))
            .when(top >= threshold).then(chosen).otherwise(pl.lit("uncertain")))


def week_date(t: pl.Expr) -> pl.Expr:
    """A time ``t`` (weeks since the row's ``horizon_start``) as a date."""
    days = (t.fill_nan(None) * 7).round(0).cast(pl.Int64)
    return (pl.col("horizon_start") + pl.duration(days=days)).cast(pl.Date)
