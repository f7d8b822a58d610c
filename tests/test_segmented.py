"""segmented.predict against the posterior mean computed point by point."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import segmented


def _random_components(rng: np.random.Generator, n_series: int, m: int) -> segmented.Components:
    """Components in fit's order (series, model, τ), weights summing to 1 per series; series 2 has none."""
    sid, model, tau = [], [], []
    for s in range(n_series):
        if s == 2:
            continue
        for k in range(3):
            n = 1 if k == 0 else int(rng.integers(1, 12))
            taus = np.sort(rng.choice(np.arange(0.0, 60.0, 1 / 7), n, replace=False))
            sid += [s] * n
            model += [k] * n
            tau += list(taus)
    sid, model, tau = np.array(sid), np.array(model), np.array(tau)
    raw = rng.exponential(1.0, len(sid)) ** 3  # some tiny weights, below min_weight
    weight = raw / np.bincount(sid, weights=raw, minlength=n_series)[sid]
    coef = rng.normal(0.0, 1.0, (len(sid), 3 + m))
    coef[model == 0, 1] = 0.0  # line: no b1
    coef[model == 2, 2] = 0.0  # flat: no b2
    zeros = np.zeros(len(sid))
    return segmented.Components(sid=sid, model=model, tau=tau, weight=weight, coef=coef, rate_loc=zeros,
                                rate_scale=zeros, df=zeros, sigma=zeros, p_class=np.zeros((len(sid), 3)))


def _dense(comp: segmented.Components, sid, t, z, min_weight: float) -> np.ndarray:
    """Σ_k w_k [a_k + b1_k min(t-τ_k, 0) + b2_k max(t-τ_k, 0) + c_k'z] over each point's kept components."""
    out = np.zeros(len(sid))
    for i in range(len(sid)):
        mine = comp.sid == sid[i]
        if not mine.any():
            continue
        w = comp.weight[mine]
        kept = w >= min(min_weight, w.max())
        w = w[kept] / w[kept].sum()
        c, u = comp.coef[mine][kept], t[i] - comp.tau[mine][kept]
        out[i] = np.sum(w * (c[:, 0] + c[:, 1] * np.minimum(u, 0) + c[:, 2] * np.maximum(u, 0) + c[:, 3:] @ z[i]))
    return out


@pytest.mark.parametrize("min_weight", [0.0, 1e-3, 0.05])
def test_predict_matches_the_dense_mean(min_weight):
    rng = np.random.default_rng(7)
    n_series, m = 6, 3
    comp = _random_components(rng, n_series, m)
    n = 400
    sid = rng.integers(0, n_series, n)  # unsorted, series 2 without components
    t = rng.uniform(-10.0, 70.0, n)  # before, among and after the break dates
    t[:40] = comp.tau[rng.integers(0, len(comp.tau), 40)]  # exactly at break dates
    z = rng.normal(0.0, 1.0, (n, m))
    got = segmented.predict(comp, sid, t, z, min_weight=min_weight)
    want = _dense(comp, sid, t, z, min_weight)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    assert np.all(got[sid == 2] == 0.0)


def test_predict_without_covariates_or_components():
    rng = np.random.default_rng(3)
    comp = _random_components(rng, 4, 0)
    sid, t = np.array([0, 1, 3, 3]), np.array([5.0, 20.0, -3.0, 80.0])
    z = np.zeros((4, 0))
    np.testing.assert_allclose(segmented.predict(comp, sid, t, z, 0.0), _dense(comp, sid, t, z, 0.0), rtol=1e-9)
    empty = segmented.Components(*(np.zeros(0) for _ in range(4)), np.zeros((0, 3)), *(np.zeros(0) for _ in range(4)),
                                 np.zeros((0, 3)))
    empty.sid = np.zeros(0, int)
    assert np.all(segmented.predict(empty, sid, t, np.zeros((4, 0))) == 0.0)
