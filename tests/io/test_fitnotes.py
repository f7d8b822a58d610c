"""FitNotes exports: both headers, units, spilled exercise names, cardio."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.io.canonical import CARDIO

OLD = "Date,Exercise,Category,Weight ({unit}),Reps,Distance,Distance Unit,Time,Comment\n"
NEW = "Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time\n"


@pytest.mark.parametrize(("unit", "expected"), [("kgs", 100.0), ("lbs", 45.36)])
def test_old_header_names_the_unit(read, unit, expected):
    text = OLD.format(unit=unit) + (
        "2019-02-14,Flat Barbell Bench Press,Chest,100.0,5,,,,\n"
        "2019-02-14,Flat Barbell Bench Press,Chest,100.0,5,,,,\n"  # identical sets are real sets
        "2019-02-14,Pull Up,Back,0.0,8,,,,\n"
    )
    export, kept, rejects = read("fitnotes.csv", text)
    assert export.duplicates == 0 and rejects.is_empty()
    assert kept["weight_kg"].to_list() == [expected, expected, None]
    assert kept["set_index"].to_list() == [0, 1, 0]
    assert kept["session_id"].to_list() == ["2019-02-14"] * 3


def test_new_header_with_unit_column_and_cardio(read):
    text = NEW + (
        "2021-06-01,Deadlift,Back,225.0,lbs,5,,,\n"
        "2021-06-01,Deadlift,Back,140.0,kgs,3,,,\n"
        "2021-06-01,Plank,Abs,,,,,,0:01:30\n"
        "2021-06-01,Running,Cardio,,,,5.0,km,0:30:00\n"
    )
    _, kept, rejects = read("fitnotes.csv", text)
    assert kept["weight_kg"].to_list() == [102.06, 140.0, None]
    # the plank is a timed set of 90 s; running is cardio
    assert kept["duration_s"].to_list() == [None, None, 90.0] and kept["reps"].to_list() == [5, 3, 0]
    assert rejects["reason"].to_list() == [CARDIO]


def test_unit_column_on_every_strength_row_is_no_guess(read):
    # Weight Unit says lbs on every strength row and is empty on cardio rows
    text = NEW + (
        "2021-06-01,Deadlift,Back,225.0,lbs,5,,,\n"
        "2021-06-01,Pull Up,Back,0.0,lbs,8,,,\n"
        "2021-06-01,Walking,Cardio,,,,1.5,km,0:20:00\n"
        "2021-06-01,Running,Cardio,,,,5.0,km,0:30:00\n"
    )
    export, kept, rejects = read("fitnotes.csv", text)
    assert export.warnings == []
    assert kept["weight_kg"].to_list() == [pytest.approx(225 * 0.45359237, abs=0.01), None]
    assert (export.read, kept.height, rejects.height) == (4, 2, 2)


def test_a_strength_load_without_a_unit_is_still_guessed(read):
    text = NEW + "2021-06-01,Deadlift,Back,225.0,lbs,5,,,\n2021-06-01,Squat,Legs,100.0,,5,,,\n"
    export, kept, _ = read("fitnotes.csv", text)
    assert len(export.warnings) == 1 and "does not say its weight unit; guessed kg" in export.warnings[0]
    assert kept["weight_kg"].to_list() == [102.06, 100.0]


def test_unquoted_names_with_commas_are_rejoined(read):
    text = OLD.format(unit="kgs") + (
        "2020-01-05,Overhead Press (Each Side, Dumbbells),Shoulders,20.0,10,,,,\n"
        "2020-01-05,Curl,Biceps,12.5,10,,,,left arm, then right\n"
        '2020-01-05,"Row (Cable, Wide)",Back,50.0,10,,,,\n'
    )
    _, kept, rejects = read("fitnotes.csv", text)
    assert rejects.is_empty()
    assert kept["exercise"].to_list() == ["Overhead Press (Each Side, Dumbbells)", "Curl", "Row (Cable, Wide)"]
    assert kept["notes"].to_list() == [None, "left arm, then right", None]
    assert kept.filter(pl.col("exercise") == "Curl")["weight_kg"].to_list() == [12.5]


def test_short_line_is_rejected(read):
    text = OLD.format(unit="kgs") + "2020-01-05,Squat,Legs,100.0,5,,,,\n2020-01-05,Squat,Legs,100.0\n"
    _, kept, rejects = read("fitnotes.csv", text)
    assert kept.height == 1
    assert rejects["line"].to_list() == [3] and "fields" in rejects["reason"].item()
