"""The strength trend detector on series whose answer is known."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from analysis import trends

START = dt.date(2026, 1, 5)
AS_OF = START + dt.timedelta(weeks=26)


def series_from(one_rm, reps=None, noise=0.0, seed=0, per_week=2, lift="bench press", trainee="T1"):
    """Session bests that hit a true 1RM path (kg per week) exactly, or with noise.

    Loads come from Epley at the given reps, so e1RM equals the true 1RM.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(26 * per_week):
        week = i / per_week
        date = START + dt.timedelta(days=round(week * 7))
        r = reps(week) if reps else 5
        true = one_rm(week) * math.exp(rng.normal(0, noise))
        rows.append((trainee, lift, f"s{i}", date, true / (1 + r / 30), r))
    sets = pl.DataFrame(rows, orient="row", schema={
        "trainee_id": pl.String, "lift": pl.String, "session_id": pl.String, "date": pl.Date,
        "weight_kg": pl.Float64, "reps": pl.Int64}).with_columns(
        pl.lit(None, pl.Float64).alias("rpe"), pl.lit("working").alias("set_type"))
    as_of = pl.DataFrame({"trainee_id": [trainee], "as_of": [AS_OF]})
    return trends.session_series(sets, as_of)


def detect(series):
    return trends.detect_segmented(series).row(0, named=True)


def test_steady_progress_is_progressing_and_the_interval_covers_the_rate():
    many = pl.concat([series_from(lambda w: 100 * 1.01 ** w, noise=0.02, seed=s, trainee=f"T{s}")
                      for s in range(40)])
    got = trends.detect_segmented(many)
    assert (got["status"] == "progressing").all()
    assert got["change_pct_per_week"].median() == pytest.approx(1.0, abs=0.1)
    covered = ((got["change_low"] < 1.0) & (1.0 < got["change_high"])).mean()
    assert covered >= 0.85


def test_plateau_is_found_with_its_start():
    since = 14.0  # weeks after the start
    got = detect(series_from(lambda w: 100 * 1.015 ** min(w, since), noise=0.02, seed=1))
    assert got["status"] == "plateau"
    true_start = START + dt.timedelta(weeks=since)
    assert abs((got["plateau_since"] - true_start).days) <= 10


def test_a_recent_plateau_after_slow_progress_is_found_by_the_flat_model():
    # 0.6 %/week for 18 weeks, then flat for 8, 2.5% noise: a free slope after
    # the break costs too much to beat one line (7 of 40 found that way).
    many = pl.concat([series_from(lambda w: 100 * 1.006 ** min(w, 18), noise=0.025, seed=s, trainee=f"T{s}")
                      for s in range(40)])
    got = trends.detect_segmented(many)
    plateaus = got.filter(pl.col("status") == "plateau")
    assert plateaus.height >= 20
    assert (plateaus["change_pct_per_week"] == 0).all()
    assert ((plateaus["change_low"] < 0) & (plateaus["change_high"] > 0)).all()
    since = (plateaus["plateau_since"] - (START + dt.timedelta(weeks=18))).dt.total_days().abs()
    assert since.median() <= 14


def test_decline_is_declining():
    got = detect(series_from(lambda w: 100 * 1.01 ** min(w, 12) * 0.99 ** max(w - 12, 0), noise=0.02, seed=2))
    assert got["status"] == "declining"
    assert got["change_pct_per_week"] == pytest.approx(-1.0, abs=0.4)


def test_block_switch_in_rep_range_is_not_a_jump():
    # Constant true 1RM; a lifter who does more reps at a given % than Epley
    # predicts: 12-rep blocks over-estimate by ~8%, alternating with 3-rep blocks.
    def biased(w):
        return 100 * (1.08 if int(w // 4) % 2 == 0 else 1.0)
    got = detect(series_from(biased, reps=lambda w: 12 if int(w // 4) % 2 == 0 else 3, noise=0.01, seed=3))
    assert got["status"] == "plateau"
    assert abs(got["change_pct_per_week"]) < 0.15


def test_deload_weeks_do_not_make_a_decline():
    def with_deloads(w):
        base = 100 * 1.008 ** w
        return base * (0.85 if int(w) % 5 == 4 else 1.0)  # every fifth week light
    got = detect(series_from(with_deloads, noise=0.015, seed=4))
    assert got["status"] == "progressing"
    assert got["change_pct_per_week"] == pytest.approx(0.8, abs=0.25)


def test_too_few_or_stale_sessions_are_insufficient_data():
    few = series_from(lambda w: 100.0).head(trends.MIN_SESSIONS - 1)
    assert detect(few)["status"] == "insufficient_data"
    stale = series_from(lambda w: 100.0).filter(pl.col("date") < AS_OF - dt.timedelta(weeks=trends.STALE_WEEKS + 1))
    assert detect(stale)["status"] == "insufficient_data"


def test_many_trainees_in_one_pass_match_one_at_a_time():
    # (lifts of one trainee share day effects, so independence is per trainee)
    paths = {"a": lambda w: 100 * 1.01 ** w, "b": lambda w: 80 * 1.015 ** min(w, 10), "c": lambda w: 60.0}
    one_by_one = {k: detect(series_from(p, noise=0.02, seed=5, trainee=k)) for k, p in paths.items()}
    together = trends.detect_segmented(pl.concat(
        [series_from(p, noise=0.02, seed=5, trainee=k) for k, p in paths.items()]))
    for row in together.iter_rows(named=True):
        alone = one_by_one[row["trainee_id"]]
        assert row["status"] == alone["status"]
        assert row["change_pct_per_week"] == pytest.approx(alone["change_pct_per_week"])


def test_trend_lines_follow_the_fit():
    series = series_from(lambda w: 100 * 1.01 ** w)
    detected = trends.detect_segmented(series)
    lines = trends.trend_lines(series, detected)
    assert lines.height == series.height
    assert (lines["low_kg"] <= lines["trend_kg"]).all() and (lines["trend_kg"] <= lines["high_kg"]).all()
    assert lines["trend_kg"][-1] == pytest.approx(100 * 1.01 ** 25.5, rel=0.01)
