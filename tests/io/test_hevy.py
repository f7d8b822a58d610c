"""Hevy exports: dates, units, set types, bodyweight and duplicate lines."""

from __future__ import annotations

import polars as pl

from analysis.io.canonical import CARDIO

HEADER = ('"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes",'
          '"set_index","set_type","{weight}","reps","{distance}","duration_seconds","rpe"\n')
KG = HEADER.format(weight="weight_kg", distance="distance_km")
LB = HEADER.format(weight="weight_lbs", distance="distance_miles")


def row(start: str, exercise: str, index: int, kind: str, weight: str, reps: str, rpe: str = "", seconds: str = "0"):
    return f'"W","{start}","{start}","","{exercise}",,"",{index},"{kind}",{weight},{reps},,{seconds},{rpe}\n'


def test_dates_set_types_and_bodyweight(read):
    text = KG + (
        row("15 Sep 2025, 07:48", "Squat (Barbell)", 0, "warmup", "60", "5", "6")
        + row("15 Sep 2025, 07:48", "Squat (Barbell)", 1, "normal", "100", "5", "8.5")
        + row("15 Sep 2025, 07:48", "Squat (Barbell)", 2, "failure", "100", "4", "10")
        + row("15 Sep 2025, 07:48", "Squat (Barbell)", 3, "dropset", "70", "8")
        + row("15 Sep 2025, 18:10", "Pull Up", 0, "normal", "", "10")
        + row("14 Sep 2025, 07:30", "Warm Up", 0, "normal", "", "", seconds="300")
    )
    export, kept, rejects = read("hevy.csv", text)
    assert export.read == 6 and kept.height == 5
    assert rejects["reason"].to_list() == [CARDIO]
    squat = kept.filter(pl.col("exercise") == "Squat (Barbell)")
    assert squat["set_type"].to_list() == ["warmup", "working", "failure", "drop"]
    assert squat["rpe"].to_list() == [6.0, 8.5, 10.0, None]
    assert squat["date"].cast(pl.String).unique().to_list() == ["2025-09-15"]
    assert set(kept["session_id"]) == {"2025-09-15 07:48", "2025-09-15 18:10"}
    assert kept.filter(pl.col("exercise") == "Pull Up")["weight_kg"].to_list() == [None]


def test_pound_accounts(read):
    _, kept, _ = read("hevy_lb.csv", LB + row("10 Jun 2024, 22:05", "Bench Press (Barbell)", 0, "normal", "225", "5"))
    assert kept["weight_kg"].to_list() == [102.06]


def test_unknown_set_type_is_rejected(read):
    _, kept, rejects = read("hevy.csv", KG + row("10 Jun 2024, 22:05", "Curl", 0, "superset", "10", "10"))
    assert kept.is_empty() and rejects["column"].to_list() == ["set_type"]


def test_duplicated_line_is_skipped_but_a_repeated_exercise_is_not(read):
    first = row("10 Jul 2024, 08:52", "Wrist Curl", 0, "normal", "4", "12")
    second = row("10 Jul 2024, 08:52", "Wrist Curl", 1, "normal", "4", "12")
    export, kept, _ = read("hevy.csv", KG + first + first + second + first + second)
    assert export.duplicates == 1 and kept.height == 4  # the exercise was done twice
    assert kept["set_index"].to_list() == [0, 1, 2, 3]
