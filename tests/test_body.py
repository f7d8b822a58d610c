"""Size formulas (check values by hand from DOMAIN.md's formulas) and the size status."""

from __future__ import annotations

import datetime as dt
import math

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
