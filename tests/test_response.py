"""Block response: per-block change of e1RM and girths, and its words."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from analysis import response, verdict

START = dt.date(2025, 1, 6)  # a Monday
BLOCKS = pl.DataFrame({
    "trainee_id": ["T1", "T1"], "kind": ["strength", "hypertrophy"],
    "start": [START, START + dt.timedelta(weeks=8)],
    "end": [START + dt.timedelta(weeks=8, days=-1), START + dt.timedelta(weeks=16, days=-1)],
    "weeks": [8, 8],
})


def result(noise: float = 0.0, seed: int = 1):
    """Squat e1RM +1 %/week in the strength block, flat in the hypertrophy
    block; arm girth flat, then +0.1 cm a week in the hypertrophy block."""
    rng = np.random.default_rng(seed)
    days = np.arange(0, 16 * 7, 2)
    dates = [START + dt.timedelta(days=int(d)) for d in days]
    log_e1rm = np.log(100) + np.where(days < 56, days, 56) * math.log1p(0.01) / 7 + rng.normal(0, noise, len(days))
    arm_days = np.arange(0, 16 * 7, 7)
    arm = 38 + np.where(arm_days < 56, 0, (arm_days - 56) * 0.1 / 7) + rng.normal(0, noise * 20, len(arm_days))
    return SimpleNamespace(
        blocks=BLOCKS,
        lifts=pl.DataFrame({"trainee_id": ["T1", "T1"], "exercise": ["back squat", "curl"], "featured": [True, False]}),
        e1rm_sessions=pl.DataFrame({"trainee_id": "T1", "exercise": "back squat", "date": dates,
                                    "e1rm_kg": np.exp(log_e1rm), "reps": 5}),
        body=pl.DataFrame({"trainee_id": "T1", "measure": "arm_cm",
                           "date": [START + dt.timedelta(days=int(d)) for d in arm_days], "value": arm}),
    )


def test_exact_lines_recover_each_blocks_change():
    found = response.block_response(result())
    squat = found.filter(pl.col("measure") == "back squat").sort("start")
    days = 8 * 7 - 1
    assert squat["change"].to_list() == pytest.approx([100 * (1.01 ** (days / 7) - 1), 0.0], abs=0.05)
    arm = found.filter(pl.col("measure") == "arm_cm").sort("start")
    assert arm["unit"].to_list() == ["cm", "cm"]
    assert arm["change"].to_list() == pytest.approx([0.0, 0.1 * days / 7], abs=0.01)
    assert found.filter(pl.col("measure") == "curl").is_empty()  # not a featured lift


def test_intervals_cover_the_truth_with_white_noise_and_the_widening():
    truth = 100 * (1.01 ** (55 / 7) - 1)
    hits = []
    for seed in range(200):
        row = response.block_response(result(noise=0.02, seed=seed)).filter(
            (pl.col("measure") == "back squat") & (pl.col("kind") == "strength")).row(0, named=True)
        hits.append(row["low"] <= truth <= row["high"])
    # a 95% interval widened 1.5x (INTERVAL_SCALE, for real logs' lag) covers white noise ~99.7% of the time
    assert np.mean(hits) >= 0.97


def test_noisy_blocks_of_one_kind_share_their_slope():
    """Four 4-week blocks (strength +1 %/week, hypertrophy flat, twice), 3%
    session noise: the joint fit pools each kind's blocks, so each block's
    change is closer to the truth than a block's own straight line gets."""
    start, days = START, np.arange(0, 16 * 7, 2)
    blocks = pl.DataFrame({"trainee_id": "T1", "kind": ["strength", "hypertrophy"] * 2,
                           "start": [start + dt.timedelta(weeks=4 * i) for i in range(4)],
                           "end": [start + dt.timedelta(weeks=4 * i + 4, days=-1) for i in range(4)], "weeks": 4})
    rate = np.where((days // 28) % 2 == 0, math.log1p(0.01) / 7, 0.0)
    errors, alone = [], []
    for seed in range(40):
        y = np.log(100) + np.r_[0, np.cumsum(rate[:-1] * 2)] + np.random.default_rng(seed).normal(0, 0.03, days.size)
        res = result()
        res.e1rm_sessions = pl.DataFrame({"trainee_id": "T1", "exercise": "back squat", "reps": 5,
                                          "date": [start + dt.timedelta(days=int(d)) for d in days],
                                          "e1rm_kg": np.exp(y)})
        found = response.block_response(res, blocks=blocks).filter(pl.col("measure") == "back squat").sort("start")
        true = [100 * (1.01 ** (27 / 7) - 1), 0.0] * 2
        errors += list(np.abs(found["change"].to_numpy() - true))
        first = days < 28
        alone.append(abs(100 * (np.exp(np.polyfit(days[first], y[first], 1)[0] * 27) - 1) - true[0]))
    assert np.median(errors) < 0.8 * np.median(alone)  # 1.5 pp against 2.1 pp


def test_blocks_too_short_or_without_points_give_no_change():
    short = BLOCKS.with_columns(pl.lit(1).alias("weeks"))
    assert response.block_response(result(), blocks=short).is_empty()


def block(lift: tuple[float, float], limbs: list[tuple[float, float]]) -> dict:
    lo, hi = lift
    return {"kind": "strength", "weeks": 6, "response": {
        "lifts": [{"exercise": "back squat", "change": (lo + hi) / 2, "low": lo, "high": hi, "n": 12}],
        "body": [{"measure": "arm_cm", "unit": "cm", "change": (a + b) / 2, "low": a, "high": b, "n": 4}
                 for a, b in limbs]}}


@pytest.mark.parametrize(("lift", "limbs", "words"), [
    ((1.5, 6.8), [(-0.3, 0.4)], "most likely neural"),
    ((1.5, 6.8), [(0.1, 0.7)], "hypertrophy carrying strength"),
    ((-1.0, 6.8), [(0.1, 0.7)], None),  # strength interval not above zero
    ((1.5, 6.8), [(-0.9, 1.4)], None),  # girth interval wider than the tape's noise
    ((1.5, 6.8), [], None),  # no girths
])
def test_neural_or_hypertrophy_only_when_the_intervals_say_so(lift, limbs, words):
    assert verdict.strength_and_size(block(lift, limbs)) == words


def test_block_words_name_clear_changes_and_count_the_rest():
    b = block((1.5, 6.8), [(-0.3, 0.4)])
    assert verdict.block_reading(b) == ("Strength block, 6 weeks: back squat +4.2% (+1.5 to +6.8), "
                                        "arm +0.1 cm (-0.3 to +0.4) (most likely neural)")
    assert verdict.block_reading(b, concise=True) == ("Strength block, 6 weeks: back squat +4.2% (+1.5 to +6.8), "
                                                      "no clear change in 1 other measure (most likely neural)")
