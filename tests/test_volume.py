"""Volume load and frequency: hand-computed sums, gaps kept as zero weeks."""

from __future__ import annotations

import datetime as dt

import polars as pl

from analysis import volume

MON = dt.date(2025, 3, 3)


def sets_frame(rows):
    return pl.DataFrame(rows, orient="row", schema={
        "trainee_id": pl.String, "date": pl.Date, "session_id": pl.String, "exercise": pl.String,
        "weight_kg": pl.Float64, "reps": pl.Int64, "set_type": pl.String})


SETS = sets_frame([
    ("T1", MON, "a", "squat", 60.0, 5, "warmup"),          # excluded
    ("T1", MON, "a", "squat", 100.0, 5, "working"),        # 500
    ("T1", MON, "a", "squat", 100.0, 4, "failure"),        # 400
    ("T1", MON, "a", "pull-up", None, 8, "working"),       # unloaded
    ("T1", MON + dt.timedelta(days=2), "b", "bench", 80.0, 8, "drop"),  # 640, same week
    ("T1", MON + dt.timedelta(days=14), "c", "bench", 80.0, 5, "working"),  # 400, two weeks later
    ("T2", MON, "x", "squat", 50.0, 10, "working"),        # 500
])


def test_volume_by_session_sums_reps_times_load_of_working_sets():
    got = volume.volume_by_session(SETS).select("trainee_id", "session_id", "volume_load_kg", "sets", "unloaded_sets")
    assert got.rows() == [("T1", "a", 900.0, 3, 1), ("T1", "b", 640.0, 1, 0), ("T1", "c", 400.0, 1, 0),
                          ("T2", "x", 500.0, 1, 0)]


def test_volume_by_week_keeps_empty_weeks_as_zero():
    got = volume.volume_by_week(SETS).filter(pl.col("trainee_id") == "T1")
    assert got.select("week", "volume_load_kg").rows() == [
        (MON, 1540.0), (MON + dt.timedelta(days=7), 0.0), (MON + dt.timedelta(days=14), 400.0)]


def test_volume_by_exercise_week():
    got = volume.volume_by_exercise_week(SETS).filter(pl.col("trainee_id") == "T1")
    assert dict(got.filter(pl.col("week") == MON).select("exercise", "volume_load_kg").rows()) == {
        "squat": 900.0, "pull-up": 0.0, "bench": 640.0}


def test_sessions_per_week_counts_distinct_sessions_with_zero_weeks():
    got = volume.sessions_per_week(SETS).filter(pl.col("trainee_id") == "T1")
    assert got["sessions"].to_list() == [2, 0, 1]
