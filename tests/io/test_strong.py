"""Strong exports: every header variant, set types, units, rejects."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.io import units
from analysis.io.canonical import CARDIO, UNKNOWN_DISTANCE

CLASSIC = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
NEW = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,RPE\n"
ANDROID = ("Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;"
           "Distance Unit;Seconds;Notes;Workout Notes;Workout Duration\n")
OLD = "Date,Workout Name,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes\n"
LEGACY = "Date,Workout Name,Exercise Name,Set Order,kg,Reps,km,Seconds,Notes\n"
GERMAN = ("Datum,Workout-Name,Dauer,Name der Übung,Reihenfolge festlegen,Gewicht,Wiederh.,"
          "Entfernung,Sekunden,Notizen,Workout-Notizen,RPE\n")


def test_classic_header_with_set_types_rpe_and_sessions(read):
    text = CLASSIC + (
        '2024-03-04 18:30:00,"Legs",1h 5m,"Squat (Barbell)",W,40.0,10,0,0,"","",\n'
        '2024-03-04 18:30:00,"Legs",1h 5m,"Squat (Barbell)",W,40.0,10,0,0,,,\n'
        '2024-03-04 18:30:00,"Legs",1h 5m,"Squat (Barbell)",1,100.0,5,0,0,"felt good",,8\n'
        '2024-03-04 18:30:00,"Legs",1h 5m,"Squat (Barbell)",2,100.0,5,0,0,,,0\n'
        '2024-03-04 18:30:00,"Legs",1h 5m,"Squat (Barbell)",D,70.0,8,0,0,,,\n'
        '2024-03-04 18:30:00,"Legs",1h 5m,"Squat (Barbell)",F,60.0,12,0,0,,,10\n'
        '2024-03-04 07:00:00,"Early",30m,"Pull Up",1,0,8,0,0,,,\n'
    )
    export, kept, rejects = read("strong.csv", text, unit="kg")
    assert rejects.is_empty() and kept.height == 7
    squat = kept.filter(pl.col("exercise") == "Squat (Barbell)")
    assert squat["set_type"].to_list() == ["warmup", "warmup", "working", "working", "drop", "failure"]
    assert squat["set_index"].to_list() == [0, 1, 2, 3, 4, 5]
    assert squat["rpe"].to_list() == [None, None, 8.0, None, None, 10.0]  # 0 = unrated
    assert squat["notes"].to_list()[2] == "felt good"
    # two workouts on one day stay two sessions
    assert kept["session_id"].unique().sort().to_list() == ["2024-03-04 07:00:00", "2024-03-04 18:30:00"]
    assert kept.filter(pl.col("exercise") == "Pull Up")["weight_kg"].to_list() == [None]  # bodyweight


def test_2024_header_and_pounds_are_exact(read):
    text = NEW + '2024-11-28 17:36:08,"B",35m,"Bench Press (Barbell)",1,225.0,5.0,0,0.0,\n'
    _, kept, _ = read("strong.csv", text, unit="lb")
    assert kept["weight_kg"].to_list() == [round(225 * units.LB_TO_KG, 2)] == [102.06]
    assert kept["reps"].to_list() == [5]


def test_float_noise_is_rounded_after_conversion(read):
    text = CLASSIC + '2023-01-16 15:17:55,"A",53m,"Curl",1,74.99999999999999,12,0,0,"","",\n'
    _, kept, _ = read("strong.csv", text, unit="lb")
    assert kept["weight_kg"].to_list() == [34.02]
    _, kept, _ = read("strong.csv", text, unit="kg")
    assert kept["weight_kg"].to_list() == [75.0]


def test_android_semicolons_with_unit_columns(read):
    text = ANDROID + (
        '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";1;100;kg;5;;;;0;"";""; 1h\n'
        '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";2;225;lbs;5;8;;;0;;;1h\n'
        '2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";3;100;stone;5;;;;0;;;1h\n'
        '2019-01-11 12:31:54;"Leg";"Running";1;;;;;5;km;1500;;;1h\n'
    )
    _, kept, rejects = read("android.csv", text, unit="lb")  # the file's units win
    assert kept["weight_kg"].to_list() == [100.0, 102.06]
    assert kept["rpe"].to_list() == [None, 8.0]
    got = dict(zip(rejects["line"].to_list(), rejects["reason"].to_list()))
    assert got == {4: "unknown unit", 5: CARDIO}


def test_2017_header_without_duration_and_rpe(read):
    text = OLD + '2018-05-02 18:00:00,"A","Bench Press (Barbell)",1,80,5,0,0,"",""\n'
    _, kept, rejects = read("strong.csv", text, unit="kg")
    assert rejects.is_empty() and kept["rpe"].to_list() == [None]


def test_legacy_kg_header_and_set_order_from_zero(read):
    text = LEGACY + (
        '2016-05-02 18:00:00,"A","Squat",0,60,5,0,0,""\n'
        '2016-05-02 18:00:00,"A","Squat",1,70,5,0,0,""\n'
    )
    export, kept, _ = read("strong.csv", text, unit="lb")  # header says kg
    assert kept["weight_kg"].to_list() == [60.0, 70.0]
    assert kept["set_index"].to_list() == [0, 1]
    assert any("says its weights are in kg" in w for w in export.warnings)


def test_german_headers(read):
    text = GERMAN + '2021-02-01 18:00:00,"Push",1h,"Bankdrücken (Langhantel)",1,80,5,0,0,"","",\n'
    _, kept, rejects = read("strong_de.csv", text, unit="kg")
    assert rejects.is_empty()
    assert kept["exercise"].to_list() == ["Bankdrücken (Langhantel)"]


def test_unit_guess_is_stated_and_overridable(read):
    noisy = CLASSIC + "".join(
        f'2023-01-{d:02d} 10:00:00,"A",1h,"Curl",1,{w},10,0,0,,,\n'
        for d, w in enumerate(["74.99999999999999", "37.49999999999999", "45.0", "50.0"], start=1)
    )
    export, kept, _ = read("noisy.csv", noisy)
    assert "guessed lb" in export.warnings[0] and "--unit kg" in export.warnings[0]
    assert kept["weight_kg"].to_list() == [34.02, 17.01, 20.41, 22.68]
    export, kept, _ = read("noisy.csv", noisy, unit="kg")
    assert export.warnings == [] and kept["weight_kg"].max() == 75.0
    clean = CLASSIC + '2023-01-01 10:00:00,"A",1h,"Squat",1,100.0,5,0,0,,,\n'
    export, _, _ = read("clean.csv", clean)
    assert "guessed kg" in export.warnings[0]


def test_rest_timers_timed_sets_cardio_and_bad_set_order(read):
    text = CLASSIC + (
        '2025-11-03 07:01:00,"Leg",55m,"Squat (Barbell)",1,80.0,5.0,0,0.0,"","",8\n'
        '2025-11-03 07:01:00,"Leg",55m,"Squat (Barbell)",Rest Timer,0,0.0,0,180.0,,,\n'  # folded: rest of line 2
        '2025-11-03 07:01:00,"Leg",55m,"Plank",1,0,0,0,60,,,\n'  # a timed set
        '2025-11-03 07:01:00,"Leg",55m,"Walking",1,0,0,0.5,0,,,\n'  # cardio
        '2025-11-03 07:01:00,"Leg",55m,"Squat (Barbell)",X,80.0,5.0,0,0.0,,,\n'
        '2025-11-03 07:01:00,"Leg",55m,"Bench Press (Barbell)",Rest Timer,0,0.0,0,90.0,,,\n'  # no bench set before
        '2025-11-03 07:01:00,"Leg",55m,"Farmer\'s Walk",1,32.0,0,0.04,0,,,\n'  # a loaded carry (km in a kg account)
        '2025-11-03 07:01:00,"Leg",55m,"Heavy Thing Push",1,50.0,0,0.02,0,,,\n'  # unknown name with a distance
    )
    export, kept, rejects = read("strong.csv", text, unit="kg")
    assert (export.read, kept.height, rejects.height, export.folded) == (8, 3, 4, 1)
    squat = kept.filter(pl.col("exercise") == "Squat (Barbell)").row(0, named=True)
    assert (squat["rest_s"], squat["session_s"]) == (180.0, 55 * 60)
    plank = kept.filter(pl.col("exercise") == "Plank").row(0, named=True)
    assert (plank["reps"], plank["duration_s"], plank["rest_s"]) == (0, 60.0, None)
    carry = kept.filter(pl.col("exercise") == "Farmer's Walk").row(0, named=True)
    assert (carry["reps"], carry["weight_kg"], carry["distance_m"]) == (0, 32.0, 40.0)
    got = dict(zip(rejects["line"].to_list(), rejects["reason"].to_list()))
    assert got == {
        5: CARDIO,
        6: "set order is not a number or W/D/F",
        7: "rest timer with no set of its exercise just before it",
        9: UNKNOWN_DISTANCE,
    }


def test_adjacent_repeated_numbered_line_is_a_duplicate(read):
    line = '2024-03-04 18:30:00,"Legs",1h,"Squat (Barbell)",1,100.0,5,0,0,,,\n'
    warm = '2024-03-04 18:30:00,"Legs",1h,"Squat (Barbell)",W,40.0,5,0,0,,,\n'
    export, kept, rejects = read("strong.csv", CLASSIC + warm + warm + line + line, unit="kg")
    assert (export.read, kept.height, rejects.height, export.duplicates) == (4, 3, 0, 1)


@pytest.mark.parametrize(
    ("weight", "reps", "reason"),
    [("-20", "5", "below the minimum 0"), ("2000", "5", "above the maximum 1000.0"),
     ("100", "0", "0 reps with a load and no time or distance: not a completed set"), ("abc", "5", "not a number")],
)
def test_bad_values_name_their_line(read, weight, reps, reason):
    text = CLASSIC + (
        '2024-03-04 18:30:00,"Legs",1h,"Squat",1,100,5,0,0,,,\n'
        f'2024-03-04 18:30:00,"Legs",1h,"Squat",2,{weight},{reps},0,0,,,\n'
    )
    _, kept, rejects = read("strong.csv", text, unit="kg")
    assert kept.height == 1 and rejects["line"].to_list() == [3]
    assert rejects["reason"].item() == reason


def test_an_exercise_done_again_later_continues_its_set_index(read):
    text = CLASSIC + "".join(
        f'2024-03-04 18:30:00,"Legs",1h,"{name}",{order},100,5,0,0,,,\n'
        for name, order in [("Squat", 1), ("Squat", 2), ("Lunge", 1), ("Squat", 1), ("Lunge", 1)]
    )
    _, kept, _ = read("strong.csv", text, unit="kg")
    assert kept["set_index"].to_list() == [0, 1, 0, 2, 1]
