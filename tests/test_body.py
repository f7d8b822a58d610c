"""Size formulas (check values by hand from DOMAIN.md's formulas) and the size status."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from analysis import body

D0 = dt.date(2026, 1, 4)


def test_corrected_girth():
    assert body.corrected_girth(35.0, 10.0) == pytest.approx(35 - math.pi)  # 31.858 cm


def test_arm_muscle_area_heymsfield():
    # (30 - pi * 1.0)^2 / (4 pi) - 10 = 26.85841^2 / 12.56637 - 10 = 57.40512 - 10
    assert body.arm_muscle_area(30.0, 10.0, male=True) == pytest.approx(47.40512, abs=1e-4)
    assert body.arm_muscle_area(30.0, 10.0, male=False) == pytest.approx(50.90512, abs=1e-4)


def test_jackson_pollock_and_siri():
    # men, S = 60 mm, 30 y: 1.10938 - 0.049602 + 0.00576 - 0.007722 = 1.057816
    density = body.body_density_jp3(60, 30, male=True)
    assert density == pytest.approx(1.057816, abs=1e-6)
    assert body.siri(density) == pytest.approx(495 / 1.057816 - 450)  # 17.95 %
    # women, S = 60 mm, 30 y: 1.0994921 - 0.059574 + 0.00828 - 0.004176 = 1.0440221
    assert body.body_density_jp3(60, 30, male=False) == pytest.approx(1.0440221, abs=1e-6)


def test_ffmi_and_normalised():
    assert body.ffmi(80.0, 15.0, 180.0) == pytest.approx(68 / 3.24)  # 20.99
    assert body.normalised_ffmi(20.0, 170.0) == pytest.approx(20.0 + 6.1 * 0.1)


def long(rows):
    return pl.DataFrame(rows, orient="row", schema={"trainee_id": pl.String, "date": pl.Date,
                                                    "measure": pl.String, "value": pl.Float64})


PEOPLE = pl.DataFrame({"trainee_id": ["T1"], "sex": ["M"], "birth_year": [1996], "height_cm": [180.0]})


def test_derived_measures_from_skinfolds():
    got = body.derived_measures(long([
        ("T1", D0, "arm_cm", 35.0), ("T1", D0, "skinfold_triceps_mm", 10.0), ("T1", D0, "bodyweight_kg", 80.0),
        ("T1", D0, "skinfold_chest_mm", 20.0), ("T1", D0, "skinfold_abdomen_mm", 25.0),
        ("T1", D0, "skinfold_thigh_mm", 15.0),
    ]), PEOPLE)
    values = dict(got.select("measure", "value").rows())
    assert values["corrected_arm_cm"] == pytest.approx(35 - math.pi)
    age = 2026 - 1996
    fat = body.siri(body.body_density_jp3(60, age, male=True))
    assert values["body_fat_pct"] == pytest.approx(fat)
    assert values["ffmi"] == pytest.approx(80 * (1 - fat / 100) / 3.24)
    assert values["arm_muscle_area_cm2"] == pytest.approx(body.arm_muscle_area(35.0, 10.0, male=True))


def test_rolling_bodyweight_is_a_7_day_mean_of_logged_days():
    got = body.rolling_bodyweight(long([("T1", D0 + dt.timedelta(days=d), "bodyweight_kg", v)
                                        for d, v in ((0, 80.0), (2, 82.0), (8, 84.0))]))
    # day 8's window is days 2-8 (the day and the 6 before): (82 + 84) / 2
    assert got["rolling_kg"].to_list() == [80.0, 81.0, 83.0]


def girth_log(arm, waist, weeks=24, every=2, trainee="T1"):
    rows = []
    for w in range(0, weeks + 1, every):
        day = D0 + dt.timedelta(weeks=w)
        rows += [(trainee, day, "arm_cm", arm(w)), (trainee, day, "thigh_cm", 55 + (arm(w) - 35) * 1.5),
                 (trainee, day, "waist_cm", waist(w))]
    return long(rows)


def status_of(log, trainee="T1"):
    as_of = pl.DataFrame({"trainee_id": [trainee], "as_of": [D0 + dt.timedelta(weeks=24)]})
    return body.size(log, PEOPLE, as_of)[0].row(0, named=True)


WOBBLE = [0.2, -0.2, 0.1, -0.1, 0.0, 0.15, -0.15, 0.05, -0.05, 0.1, -0.1, 0.0, 0.2]


def test_limbs_up_and_waist_steady_is_growing():
    got = status_of(girth_log(lambda w: 35 + 0.05 * w + WOBBLE[w // 2], lambda w: 84 + WOBBLE[w // 2]))
    assert got["status"] == "growing"


def test_waist_rising_faster_than_limbs_is_fat_gain_not_growth():
    got = status_of(girth_log(lambda w: 35 + 0.03 * w + WOBBLE[w // 2], lambda w: 84 + 0.15 * w + WOBBLE[w // 2]))
    assert got["status"] == "flat" and "fat" in got["evidence"]


def test_limbs_down_is_shrinking_and_noise_is_flat():
    assert status_of(girth_log(lambda w: 36 - 0.05 * w + WOBBLE[w // 2], lambda w: 84.0))["status"] == "shrinking"
    assert status_of(girth_log(lambda w: 35 + WOBBLE[w // 2], lambda w: 84 + WOBBLE[w // 2]))["status"] == "flat"


def test_bodyweight_alone_or_too_few_girths_is_insufficient_data():
    weights = long([("T1", D0 + dt.timedelta(days=d), "bodyweight_kg", 80 + d / 30) for d in range(0, 168, 2)])
    assert status_of(weights)["status"] == "insufficient_data"
    few = girth_log(lambda w: 35 + 0.05 * w, lambda w: 84.0, weeks=4)
    assert status_of(few)["status"] == "insufficient_data"


# --------------------------------------------------------------------------
# Size status as a posterior (segmented model averaging of the mean limb girth)
# --------------------------------------------------------------------------

LIMBS = {"arm_cm": 36.0, "chest_cm": 104.0, "thigh_cm": 57.0}


def tape_log(limb_rate, waist_rate=0.0, weeks=30, every=1, noise=0.3, seed=3, trainee="T1", start=D0):
    """Weekly (or every ``every`` weeks) tape: three limb girths rising at
    ``limb_rate(week)`` cm (a function of the week: the total change since
    the start) and the waist at ``waist_rate`` cm a week, Gaussian noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for w in range(0, weeks + 1, every):
        day = start + dt.timedelta(weeks=w)
        rows += [(trainee, day, m, base + limb_rate(w) + rng.normal(0, noise)) for m, base in LIMBS.items()]
        rows.append((trainee, day, "waist_cm", 84.0 + waist_rate * w + rng.normal(0, noise)))
    return long(rows)


def verdict(log, weeks, trainee="T1"):
    as_of = pl.DataFrame({"trainee_id": [trainee], "as_of": [D0 + dt.timedelta(weeks=weeks)]})
    status = body.size(log, PEOPLE, as_of)[0]
    assert status.height == 1
    return status.row(0, named=True)


def cohort(limb_rate, weeks, n=10, **kwargs):
    """The size status of n trainees with the same truth and their own noise
    (seeds 0..n-1), judged in one batch at week ``weeks``."""
    ids = [f"S{seed:02d}" for seed in range(n)]
    logs = pl.concat([tape_log(limb_rate, weeks=weeks, seed=seed, trainee=tid, **kwargs)
                      for seed, tid in enumerate(ids)])
    people = pl.DataFrame({"trainee_id": ids, "sex": "M", "birth_year": 1990, "height_cm": 180.0})
    as_of = pl.DataFrame({"trainee_id": ids, "as_of": D0 + dt.timedelta(weeks=weeks)})
    status = body.size(logs, people, as_of)[0]
    assert status["trainee_id"].to_list() == ids
    sums = status.select(pl.sum_horizontal("p_growing", "p_flat", "p_shrinking")).to_series()
    assert sums.to_numpy() == pytest.approx(1.0)
    return status


def test_clear_grower_is_growing_with_high_probability():
    # +0.05 cm a week on every limb girth for 30 weeks, tape noise 0.3 cm, weekly
    got = cohort(lambda w: 0.05 * w, 30)
    assert got.filter(pl.col("status").is_in(["flat", "shrinking"])).is_empty()
    sure = got.filter((pl.col("status") == "growing") & (pl.col("p_growing") > 0.9))
    assert sure.height >= 8, got
    assert got["p_growing"].median() > 0.9
    assert got.select((pl.col("limb_rate_low") < 0.05) & (0.05 < pl.col("limb_rate_high"))).to_series().sum() >= 8
    assert got["flat_since"].null_count() == got.height


def test_growth_that_stopped_is_flat_since_the_stop():
    # grew 0.05 cm a week for 20 weeks, then flat for 20 weeks
    stop = 20
    got = cohort(lambda w: 0.05 * min(w, stop), 40)
    assert got.filter(pl.col("status") == "flat").height >= 9, got
    stopped = D0 + dt.timedelta(weeks=stop)
    flat = got.filter(pl.col("status") == "flat")
    assert flat.select(pl.col("flat_since").is_between(pl.col("flat_since_low"), pl.col("flat_since_high"))
                       ).to_series().all()
    # 80% intervals: most hold the true stop
    assert flat.select(pl.lit(stopped).is_between(pl.col("flat_since_low"), pl.col("flat_since_high"))
                       ).to_series().sum() >= 6
    assert flat.select(((pl.col("flat_since") - stopped).dt.total_days().abs() <= 6 * 7).all()).item()
    one = verdict(tape_log(lambda w: 0.05 * min(w, stop), weeks=40), 40)
    assert one["status"] == "flat" and "flat since" in one["evidence"]
    # the old 26-week least-squares slope still saw growth in this log
    assert body.measure_trends(tape_log(lambda w: 0.05 * min(w, stop), weeks=40),
                               pl.DataFrame({"trainee_id": ["T1"], "as_of": [D0 + dt.timedelta(weeks=40)]})
                               ).filter(pl.col("measure") == "arm_cm")["slope_per_week"].item() > 0.01


def test_shrinker_is_shrinking():
    got = cohort(lambda w: -0.05 * w, 30)
    assert got.filter(pl.col("status").is_in(["flat", "growing"])).is_empty()
    assert got.filter((pl.col("status") == "shrinking") & (pl.col("p_shrinking") > 0.9)).height >= 8, got
    assert (got["limb_rate_cm_per_week"] < 0).all()


def test_limbs_slowly_up_with_the_waist_fast_up_is_fat_gain_not_growth():
    got = cohort(lambda w: 0.02 * w, 30, waist_rate=0.15)
    assert got.filter(pl.col("status") == "growing").is_empty(), got
    assert got.filter(pl.col("p_fat_gain") > 0.5).height >= 8
    growers = cohort(lambda w: 0.05 * w, 30, waist_rate=0.0)
    assert (growers["p_fat_gain"] < 0.01).all()


def test_fat_gain_moves_growth_to_flat():
    got = verdict(tape_log(lambda w: 0.04 * w, waist_rate=0.2, noise=0.2), 30)
    assert got["status"] == "flat" and "fat gain" in got["evidence"]
    assert got["flat_since"] is None  # the limbs did not stop: no flat stretch to date


def test_four_measurements_over_two_weeks_is_insufficient():
    log = tape_log(lambda w: 0.05 * w, weeks=0)
    log = pl.concat([log.with_columns(pl.col("date") + dt.timedelta(days=d)) for d in (0, 4, 9, 14)])
    got = verdict(log, 4)
    assert got["status"] == "insufficient_data"
    assert got["p_growing"] is None and got["limb_rate_cm_per_week"] is None
    assert "span" in got["evidence"]


def test_empty_table_gives_one_insufficient_row_per_trainee():
    people = pl.DataFrame({"trainee_id": ["A", "B"], "sex": ["M", "F"], "birth_year": [1990, 1991],
                           "height_cm": [180.0, 165.0]})
    as_of = pl.DataFrame({"trainee_id": ["A", "B"], "as_of": [D0, D0]})
    status, trends = body.size(long([]), people, as_of)
    assert status["trainee_id"].to_list() == ["A", "B"]
    assert status["status"].to_list() == ["insufficient_data"] * 2
    assert status["evidence"].null_count() == 0
    assert {"trainee_id", "measure", "n", "span_weeks", "first", "last", "slope_per_week", "se", "low",
            "high"} <= set(trends.columns)


def test_thin_and_odd_logs_never_crash():
    one = long([("T1", D0, "arm_cm", 35.0)])
    weights = long([("T1", D0 + dt.timedelta(days=d), "bodyweight_kg", 80 + d / 30) for d in range(0, 200, 2)])
    later = tape_log(lambda w: 0.05 * w, start=D0 + dt.timedelta(weeks=10))
    for log in (one, weights, later):
        got = verdict(log, 5)  # as_of D0 + 5 weeks: before every tape day of ``later``
        assert got["status"] == "insufficient_data" and got["evidence"]


def test_one_batch_equals_one_at_a_time_and_chunks_do_not_matter(monkeypatch):
    logs = {"G": tape_log(lambda w: 0.05 * w, trainee="G", seed=1),
            "S": tape_log(lambda w: -0.05 * w, trainee="S", seed=2),
            "F": tape_log(lambda w: 0.0, trainee="F", seed=4, every=2)}
    people = pl.DataFrame({"trainee_id": list(logs), "sex": "M", "birth_year": 1990, "height_cm": 180.0})
    as_of = pl.DataFrame({"trainee_id": list(logs), "as_of": D0 + dt.timedelta(weeks=30)})
    together = body.size(pl.concat(logs.values()), people, as_of)[0]
    monkeypatch.setattr(body, "CHUNK_TRAINEES", 1)
    alone = pl.concat([body.size(log, people, as_of.filter(pl.col("trainee_id") == tid))[0]
                       for tid, log in logs.items()]).sort("trainee_id")
    assert together["status"].to_list() == ["flat", "growing", "shrinking"]
    exact = ["trainee_id", "status", "flat_since", "flat_since_low", "flat_since_high"]
    assert together.select(exact).equals(alone.select(exact))
    numbers = together.select(pl.col(pl.Float64)).columns
    np.testing.assert_allclose(together.select(numbers).to_numpy(), alone.select(numbers).to_numpy(), atol=1e-9)


def test_corrected_girth_replaces_the_raw_one_when_taken_as_often():
    rows = [("T1", D0 + dt.timedelta(weeks=w), m, v) for w in range(6)
            for m, v in (("arm_cm", 35.0), ("corrected_arm_cm", 31.0), ("thigh_cm", 55.0))]
    rows.append(("T1", D0, "corrected_thigh_cm", 50.0))  # once: the raw thigh stays
    as_of = pl.DataFrame({"trainee_id": ["T1"], "as_of": [D0 + dt.timedelta(weeks=6)]})
    got = body.limb_points(long(rows), as_of)
    assert sorted(got["measure"].unique().to_list()) == ["corrected_arm_cm", "thigh_cm"]
