"""Lyfta exports: header variants, set types, bodyweight, cardio, units."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.io import units

HEADER = 'Title,Date,Duration,Exercise,"Superset id",Weight,Reps,Distance,Time,"Set Type"\n'
LEADING_SPACE = " " + HEADER  # as some real exports write it
UNQUOTED = "Title,Date,Duration,Exercise,Superset id,Weight,Reps,Distance,Time,Set Type\n"
from analysis.io.canonical import CARDIO


def row(exercise: str, weight: str, reps: str, kind: str = "NORMAL_SET", superset: str = "",
        distance: str = "null", time: str = "null", title: str = "Push, heavy",
        start: str = "2025-12-11 12:41:04") -> str:
    return f'"{title}","{start}",01:07:28,"{exercise}",{superset},{weight},{reps},{distance},{time},{kind}\n'


WORKOUT = (
    row("Bench Press (Barbell)", "60.000", "10", "WARMUP_SET")
    + row("Bench Press (Barbell)", "100.000", "5")
    + row("Bench Press (Barbell)", "100.000", "5")  # an identical set is a real, second set
    + row("Bench Press (Barbell)", "70.000", "8", "DROP_SET")
    + row("Bench Press (Barbell)", "60.000", "6", "FAILURE_SET")
    + row("Pull Up", "0.000", "8")  # bodyweight
    + row("Row (Cable, Wide)", "55.500", "10", superset="1")
    + row("Dips (Weighted, Belt)", "10.000", "8", superset="1")
    + row("Row (Cable, Wide)", "55.500", "10", superset="1")
    + row("Dips (Weighted, Belt)", "10.000", "8", superset="1")
    + row("Plank", "null", "", time="1:30")  # line 12: a timed set (time, no reps)
    + row("Treadmill Running", "null", "", distance="2.5", time="20:00")  # line 13: cardio
    + row("Squat (Barbell)", "120.000", "5", title="Legs", start="2025-12-11 18:02:10")
)


def test_bom_quoted_names_set_types_bodyweight_cardio_and_sessions(read):
    export, kept, rejects = read("lyfta.csv", "\ufeff" + LEADING_SPACE + WORKOUT, unit="kg")
    assert (export.read, kept.height, rejects.height, export.duplicates) == (13, 12, 1, 0)
    assert dict(zip(rejects["line"].to_list(), rejects["reason"].to_list())) == {13: CARDIO}
    plank = kept.filter(pl.col("exercise") == "Plank")
    assert plank.select("reps", "duration_s").row(0) == (0, 90.0)
    assert kept["session_s"].unique().to_list() == [4048.0]  # Duration 01:07:28
    bench = kept.filter(pl.col("exercise") == "Bench Press (Barbell)")
    assert bench["set_type"].to_list() == ["warmup", "working", "working", "drop", "failure"]
    assert bench["set_index"].to_list() == [0, 1, 2, 3, 4]
    assert bench["weight_kg"].to_list() == pytest.approx([60.0, 100.0, 100.0, 70.0, 60.0], abs=0.01)
    assert kept.filter(pl.col("exercise") == "Pull Up")["weight_kg"].to_list() == [None]
    # names with commas stay whole; supersets alternate, each exercise counts its own sets
    row_sets = kept.filter(pl.col("exercise") == "Row (Cable, Wide)")
    assert row_sets["set_index"].to_list() == [0, 1] and row_sets["weight_kg"].to_list() == [55.5, 55.5]
    assert kept.filter(pl.col("exercise") == "Dips (Weighted, Belt)")["set_index"].to_list() == [0, 1]
    # two workouts on one day stay two sessions
    assert kept["session_id"].unique().sort().to_list() == ["2025-12-11 12:41:04", "2025-12-11 18:02:10"]
    assert kept["date"].cast(pl.String).unique().to_list() == ["2025-12-11"]
    assert export.warnings == []  # --unit given, every set type known


@pytest.mark.parametrize("header", [HEADER, LEADING_SPACE, UNQUOTED, "\ufeff" + HEADER])
def test_header_variants(read, header):
    export, kept, rejects = read("lyfta.csv", header + row("Squat (Barbell)", "100.000", "5"), unit="kg")
    assert (export.read, kept.height, rejects.height) == (1, 1, 0)
    assert kept["weight_kg"].to_list() == [100.0]


def test_notes_and_rpe_columns_are_read_when_present(read):
    header = HEADER.rstrip("\n") + ",Notes,RPE\n"
    text = header + row("Squat (Barbell)", "100.000", "5").rstrip("\n") + ',"slow, paused",8.5\n'
    _, kept, _ = read("lyfta.csv", text, unit="kg")
    assert kept["notes"].to_list() == ["slow, paused"] and kept["rpe"].to_list() == [8.5]


def test_pounds_when_told(read):
    text = HEADER + row("Bench Press (Barbell)", "225.000", "5") + row("Pull Up", "0.000", "10")
    export, kept, _ = read("lyfta.csv", text, unit="lb")
    assert kept["weight_kg"].to_list()[0] == pytest.approx(225 * units.LB_TO_KG, abs=0.01)
    assert kept["weight_kg"].to_list()[1] is None
    assert export.warnings == []


def test_unit_guess_is_stated(read):
    export, kept, _ = read("lyfta.csv", HEADER + row("Squat (Barbell)", "100.000", "5"))
    assert "does not say its weight unit; guessed kg" in export.warnings[0] and "--unit lb" in export.warnings[0]
    assert kept["weight_kg"].to_list() == [100.0]
    export, kept, _ = read("lyfta.csv", HEADER + row("Deadlift (Barbell)", "405.000", "3"))
    assert "guessed lb" in export.warnings[0] and "--unit kg" in export.warnings[0]
    assert kept["weight_kg"].to_list() == [pytest.approx(405 * units.LB_TO_KG, abs=0.01)]


def test_other_set_types_are_working_and_unknown_ones_are_named(read):
    text = HEADER + (
        row("Squat (Barbell)", "100.000", "5", "BACK_OFF_SET")
        + row("Squat (Barbell)", "100.000", "3", "NEGATIVE_REPS_SET")
        + row("Squat (Barbell)", "90.000", "5", "CLUSTER_SET")
        + row("Squat (Barbell)", "90.000", "5", "CLUSTER_SET")
        + row("Squat (Barbell)", "80.000", "5", "")
        + row("Squat (Barbell)", "40.000", "5", "warm_up_set")
    )
    export, kept, rejects = read("lyfta.csv", text, unit="kg")
    assert (export.read, kept.height, rejects.height) == (6, 6, 0)  # no set is dropped
    assert kept["set_type"].to_list() == ["working"] * 5 + ["warmup"]
    [warning] = export.warnings
    assert warning.endswith("lyfta.csv: set types not known to this reader, read as working sets: CLUSTER_SET (2 rows)")


def test_short_line_is_rejected_with_its_line(read):
    text = HEADER + row("Squat (Barbell)", "100.000", "5") + '"Legs","2025-12-11 12:41:04",01:07:28,"Squat"\n'
    export, kept, rejects = read("lyfta.csv", text, unit="kg")
    assert (export.read, kept.height) == (2, 1)
    assert rejects["line"].to_list() == [3] and "fields" in rejects["reason"].item()
