"""StrongLifts exports: set cells, missed sets, kg and lb accounts, sessions, bodyweight."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.io import importer, units
from analysis.io.importer import import_files

FIXED = ("Date (yyyy/mm/dd),Workout,Workout Name,Program Name,Body Weight (KG),Exercise,Sets×Reps,Sets×Time,"
         "Top Set (Reps×{u}),e1RM ({u}),Reps,Volume ({u}),Workout Volume ({u}),Duration (hours),"
         "Start Time (h:mm),End Time (h:mm),Notes")


def header(unit: str = "KG", sets: int = 6, bodyweight: str = "KG") -> str:
    pairs = "".join(f",Set {n} (Reps),Set {n} ({unit})" for n in range(1, sets + 1))
    return FIXED.format(u=unit).replace("Body Weight (KG)", f"Body Weight ({bodyweight})") + pairs + "\n"


def row(date: str, workout: int, bodyweight: str, exercise: str, sets: list[tuple[str, str]], *,
        name: str = "Workout A", sets_reps: str = "5/5/5", sets_time: str = "", start: str = "10:56 PM",
        notes: str = "", width: int = 6) -> str:
    cells = [c for pair in sets for c in pair] + [""] * (2 * (width - len(sets)))
    fixed = [date, str(workout), f'"{name}"', '"Stronglifts 5×5"', bodyweight, f'"{exercise}"', sets_reps,
             sets_time, "", "", "", "", "", "1.02", start, "11:58 PM", f'"{notes}"']
    return ",".join(fixed + cells) + "\n"


MISSED = "missed set (0 reps)"

KG_EXPORT = header() + (
    row("2024/05/06", 41, "80.2", "Squat", [("5", "100")] * 4 + [("0", "100")], sets_reps="5/5/5/5/-")
    + row("2024/05/06", 41, "80.2", "Bench Press", [("5", "62.5")] * 2 + [("0", "62.5")] + [("5", "62.5")] * 2,
          sets_reps="5/5/-/5/5")
    + row("2024/05/06", 41, "80.2", "Barbell Row", [("5", "60")] * 5, notes="grip, wide")
    + row("2024/05/06", 42, "80.2", "Chin-up", [("8", "0"), ("8", "0"), ("6", "0")], name="Workout B",
          start="11:40 PM")
    + row("2024/05/06", 42, "80.2", "Deadlift", [("5", "140")], name="Workout B", start="11:40 PM", sets_reps="1×5")
    + row("2024/05/06", 42, "80.2", "Plank", [], name="Workout B", start="11:40 PM", sets_reps="",
          sets_time="3×60s")
    + row("2024/05/08", 43, "80.6", "Squat", [("5", "102.5")] * 5, start="7:05 am")
    + row("2024/05/08", 43, "80.6", "Overhead Press", [("0", "40")] * 5, sets_reps="-/-/-/-/-", start="7:05 am")
    + row("2024/05/08", 43, "80.6", "Dips", [], sets_reps="", start="7:05 am")
)
# set cells read: 5 + 5 + 5 + 3 + 1 + 3 (plank: 3×60s) + 5 + 5 + 1 (dips line) = 33
# sets: 4 + 4 + 5 + 3 + 1 + 3 timed + 5 = 25; rejected: 7 missed + 1 line without sets = 8


def test_kg_export_with_bom_missed_sets_and_exact_accounting(read):
    export, kept, rejects = read("stronglifts.csv", "\ufeff" + KG_EXPORT)
    assert (export.read, kept.height, rejects.height, export.duplicates) == (33, 25, 8, 0)
    assert export.warnings == []  # the set columns name the unit
    reasons = rejects.group_by("reason").len().sort("reason").rows()
    assert reasons == [(MISSED, 7), ("no sets on this line", 1)]
    plank = kept.filter(pl.col("exercise") == "Plank")
    assert plank["duration_s"].to_list() == [60.0] * 3 and plank["reps"].to_list() == [0] * 3
    # Duration (hours) 1.02 is the session's length
    assert kept["session_s"].unique().to_list() == [pytest.approx(1.02 * 3600)]
    assert rejects.filter(pl.col("reason") == MISSED)["value"].to_list()[:2] == ["set 5: 0", "set 3: 0"]
    squat = kept.filter((pl.col("exercise") == "Squat") & (pl.col("session_id") == "2024-05-06 22:56"))
    assert squat["set_index"].to_list() == [0, 1, 2, 3]
    bench = kept.filter(pl.col("exercise") == "Bench Press")
    assert bench["set_index"].to_list() == [0, 1, 3, 4]  # from the column number: Set 3 was missed
    assert bench["weight_kg"].to_list() == pytest.approx([62.5] * 4, abs=0.01)
    assert kept.filter(pl.col("exercise") == "Chin-up")["weight_kg"].to_list() == [None] * 3  # bodyweight
    assert set(kept.filter(pl.col("exercise") == "Barbell Row")["notes"]) == {"grip, wide"}
    assert set(kept["set_type"]) == {"working"}
    # workouts A and B on one day stay apart; 7:05 am is 07:05
    assert kept["session_id"].unique().sort().to_list() == [
        "2024-05-06 22:56", "2024-05-06 23:40", "2024-05-08 07:05"
    ]


def test_bodyweight_per_workout_is_a_body_table(read):
    export, _, _ = read("stronglifts.csv", KG_EXPORT)
    [body] = export.extra
    kept, rejects = importer.validate_export(body, "stronglifts.csv", "T1")
    assert (body.read, kept.height, rejects.height) == (3, 3, 0)  # one per workout
    assert kept.select(pl.col("date").cast(pl.String), "measure", "value").rows() == [
        ("2024-05-06", "bodyweight_kg", 80.2), ("2024-05-06", "bodyweight_kg", 80.2),
        ("2024-05-08", "bodyweight_kg", 80.6),
    ]
    assert body.frame["_line"].to_list() == [2, 5, 8]  # each workout's first line


def test_lb_account_converts_sets_but_not_the_kg_bodyweight(read):
    text = header("LB") + (
        row("2023/11/20", 1, "90.0", "Squat", [("5", "225")] * 3, start="6:30 PM")
        + row("2023/11/20", 1, "90.0", "Bench Press", [("5", "135"), ("5", "135"), ("3", "135")], start="6:30 PM")
        + row("2023/11/20", 1, "90.0", "Deadlift", [("5", "315"), ("0", "315")], start="6:30 PM")
    )
    export, kept, rejects = read("stronglifts_lb.csv", text)
    assert (export.read, kept.height, rejects.height) == (8, 7, 1)
    assert rejects["reason"].to_list() == [MISSED]
    for exercise, pounds in (("Squat", 225), ("Bench Press", 135), ("Deadlift", 315)):
        loads = kept.filter(pl.col("exercise") == exercise)["weight_kg"].to_list()
        assert loads == pytest.approx([pounds * units.LB_TO_KG] * len(loads), abs=0.01)
    body, _ = importer.validate_export(export.extra[0], "stronglifts_lb.csv", "T1")
    assert body["value"].to_list() == [90.0]  # Body Weight (KG) stays kg
    export, kept, _ = read("stronglifts_lb.csv", text, unit="kg")
    assert any("weights are in lb; --unit kg ignored" in w for w in export.warnings)
    assert kept["weight_kg"].max() == pytest.approx(315 * units.LB_TO_KG, abs=0.01)


def test_header_variants_five_sets_24h_times_missing_start_and_lb_bodyweight(read):
    text = header(sets=5, bodyweight="LB") + (
        row("2024/01/02", 7, "180", "Squat", [("5", "60"), ("-", "60")], start="18:05", width=5)
        + row("2024/01/02", 8, "180", "Squat", [("5", "62.5")], start="", width=5)
    )
    export, kept, rejects = read("stronglifts.csv", text)
    assert (export.read, kept.height, rejects.height) == (3, 2, 1)
    assert rejects["reason"].to_list() == [MISSED]  # a "-" reps cell is a missed set too
    assert kept["session_id"].to_list() == ["2024-01-02 18:05", "2024-01-02 #8"]
    body, _ = importer.validate_export(export.extra[0], "s.csv", "T1")
    assert body["value"].to_list() == pytest.approx([180 * units.LB_TO_KG] * 2, abs=0.01)


def test_an_exercise_on_two_lines_of_a_workout_keeps_distinct_set_indexes(read):
    text = header() + (
        row("2024/05/06", 1, "80", "Squat", [("5", "100")] * 2)
        + row("2024/05/06", 1, "80", "Squat", [("5", "100")] * 2)
    )
    _, kept, _ = read("stronglifts.csv", text)
    assert kept["set_index"].to_list() == [0, 1, 6, 7]
    assert kept.unique(importer.IDENTITY["sets"][1:]).height == 4  # not taken for duplicates


def test_import_writes_sets_and_body_with_exact_accounting(tmp_path, write):
    path = write("stronglifts.csv", KG_EXPORT)
    summary = import_files([path], "T1", tmp_path / "ds")
    counts = [(f.table, f.read, f.kept, f.rejected, f.duplicates) for f in summary.files]
    # the second workout of 2024-05-06 logged the same bodyweight: one measurement for the day
    assert counts == [("sets", 33, 25, 8, 0), ("body", 3, 2, 0, 1)]
    assert pl.read_csv(tmp_path / "ds" / "sets.csv").height == 25
    assert pl.read_csv(tmp_path / "ds" / "body.csv").rows() == [
        ("T1", "2024-05-06", "bodyweight_kg", 80.2), ("T1", "2024-05-08", "bodyweight_kg", 80.6)
    ]
    assert pl.read_csv(tmp_path / "ds" / "rejects.csv").height == 8
    text = "\n".join(summary.lines())
    assert "Imported 1 file(s)" in text and "(stronglifts, body): 3 rows read, 2 kept" in text
    again = import_files([path], "T1", tmp_path / "ds")
    assert [(f.read, f.kept, f.rejected, f.duplicates) for f in again.files] == [(33, 0, 8, 25), (3, 0, 0, 3)]
    assert pl.read_csv(tmp_path / "ds" / "rejects.csv").height == 8  # listed once
