"""Rest and density (logged and estimated), and timed sets in the analysis."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis import progress, rest, strength, volume, workload

DAY = dt.date(2025, 3, 3)


def sets_frame(rows: list[dict]) -> pl.DataFrame:
    base = {"trainee_id": "T1", "date": DAY, "session_id": "s1", "exercise": "Bench Press (Barbell)",
            "set_type": "working", "weight_kg": 100.0, "reps": 5, "rpe": None, "duration_s": None,
            "distance_m": None, "rest_s": None, "session_s": None}
    schema = {"trainee_id": pl.String, "date": pl.Date, "session_id": pl.String, "exercise": pl.String,
              "set_type": pl.String, "weight_kg": pl.Float64, "reps": pl.Int64, "rpe": pl.Float64,
              "duration_s": pl.Float64, "distance_m": pl.Float64, "rest_s": pl.Float64, "session_s": pl.Float64}
    return pl.DataFrame([base | r for r in rows], schema=schema)


@pytest.mark.parametrize(("seconds", "zone"), [(10, "endurance"), (29.9, "endurance"), (30, "hypertrophy"),
                                               (90, "hypertrophy"), (119, "hypertrophy"), (120, "strength"),
                                               (300, "strength")])
def test_rest_zones_follow_the_nsca_bounds(seconds, zone):
    assert pl.select(rest.rest_zone(pl.lit(seconds, pl.Float64))).item() == zone


def test_logged_rest_wins_and_estimates_are_flagged():
    frame = sets_frame(
        [{"session_id": "logged", "rest_s": r, "session_s": 3600.0} for r in (180.0, 200.0, 240.0)]
        + [{"session_id": "timed", "session_s": 3600.0}] * 20  # 3600 / 20 - 40 = 140 s
        + [{"session_id": "forgotten", "session_s": 42 * 3600.0}] * 10  # a timer left running
        + [{"session_id": "unknown"}] * 5
    )
    by = {r["session_id"]: r for r in rest.session_rest(frame).iter_rows(named=True)}
    assert (by["logged"]["rest_s"], by["logged"]["estimated"]) == (200.0, False)
    assert by["timed"]["rest_s"] == pytest.approx(140.0) and by["timed"]["estimated"]
    assert by["timed"]["sets_per_hour"] == pytest.approx(20.0)
    assert by["timed"]["load_kg_per_min"] == pytest.approx(20 * 500 / 60)
    assert by["forgotten"]["rest_s"] is None and by["forgotten"]["session_s"] is None
    assert by["unknown"]["rest_s"] is None and not by["unknown"]["estimated"]


def test_rest_by_rep_zone_shows_heavy_sets_rest_longer():
    heavy = [{"reps": 3, "rest_s": 240.0}] * 4
    light = [{"reps": 10, "weight_kg": 60.0, "rest_s": 75.0}] * 4
    frame = sets_frame(heavy + light)
    zoned = volume.set_zones(frame)
    sessions = rest.session_rest(frame)
    summary = rest.rest_summary(sessions, rest.set_rest(zoned, sessions)).row(0, named=True)
    assert (summary["strength_s"], summary["hypertrophy_s"], summary["endurance_s"]) == (240.0, 75.0, None)
    assert summary["estimated"] is False and summary["sessions"] == 1


def test_timed_sets_count_as_hard_sets_but_never_as_load():
    frame = sets_frame([
        {"exercise": "Plank", "weight_kg": None, "reps": 0, "duration_s": 60.0},
        {"exercise": "Plank", "weight_kg": None, "reps": 0, "duration_s": 90.0},
        {"exercise": "Farmer's Walk", "weight_kg": 40.0, "reps": 0, "distance_m": 30.0},
        {"reps": 5},
    ])
    hard = volume.hard_sets_per_muscle(frame)
    assert hard.filter(pl.col("muscle") == "abs")["hard_sets"].item() == 2.5  # 2 planks + the carry as secondary
    assert hard.filter(pl.col("muscle") == "forearms")["hard_sets"].item() == 1.0  # the carry
    assert volume.volume_by_week(frame)["volume_load_kg"].sum() == 500.0  # the bench set only
    assert workload.daily_load(frame)["load_kg"].sum() == 500.0
    zoned = volume.set_zones(frame)
    assert zoned.filter(pl.col("reps") == 0)["zone"].null_count() == 3
    assert strength.session_best_e1rm(frame)["exercise"].to_list() == ["Bench Press (Barbell)"]


def test_longest_hold_is_a_record_with_its_first_date():
    frame = sets_frame([
        {"exercise": "Plank", "weight_kg": None, "reps": 0, "duration_s": 60.0, "date": DAY},
        {"exercise": "Plank", "weight_kg": None, "reps": 0, "duration_s": 95.0, "date": DAY + dt.timedelta(7)},
        {"exercise": "Plank", "weight_kg": None, "reps": 0, "duration_s": 95.0, "date": DAY + dt.timedelta(14)},
        {"exercise": "Plank", "set_type": "warmup", "weight_kg": None, "reps": 0, "duration_s": 300.0},
    ])
    holds = strength.longest_holds(progress.catalog.annotate(frame, columns=("lift",)))
    assert holds.select("lift", "longest_s", "date", "sets").row(0) == ("plank", 95.0, DAY + dt.timedelta(7), 3)


def test_summary_carries_rest_and_timed_sets():
    days = [DAY + dt.timedelta(days=7 * w + d) for w in range(6) for d in (0, 3)]
    rows = [{"date": d, "session_id": str(d), "session_s": 3000.0, "reps": 5} for d in days for _ in range(10)]
    rows += [{"date": d, "session_id": str(d), "exercise": "Plank", "weight_kg": None, "reps": 0,
              "duration_s": 45.0 + i, "session_s": 3000.0} for i, d in enumerate(days)]
    frame = sets_frame(rows)
    trainees = pl.DataFrame({"trainee_id": ["T1"], "sex": ["F"], "birth_year": [1990], "height_cm": [170.0]})
    result = progress.analyse(frame, trainees)
    summary = result.summary("T1")
    # 11 sets in 3000 s: 3000 / 11 - 40 = 232.7 s, estimated
    assert summary["rest"]["median_s"] == pytest.approx(233, abs=1)
    assert summary["rest"]["estimated"] is True and summary["rest"]["zone"] == "strength"
    assert summary["timed_sets"] == [{"exercise": "plank", "longest_s": 56.0, "date": days[-1].isoformat(),
                                      "weight_kg": None, "sets": 12}]
