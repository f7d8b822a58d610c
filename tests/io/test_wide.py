"""The wide rweightlifting layout: one line per exercise and day, a column pair per set."""

from __future__ import annotations

import polars as pl

HEADER = "date,exercise,equipment,variant,set1weight,set1reps,set2weight,set2reps,set3weight,set3reps\n"


def test_pairs_become_sets_in_pounds(read):
    text = HEADER + (
        "2016-03-15,squat,barbell,high bar,115,5,135,5,,\n"
        "2016-03-15,chin-up,,,,8\n"                       # short line; reps only: bodyweight
        "2016-03-15,deadlift,barbell,conventional\n"     # no sets at all
        "2016-03-17,bench,barbell,flat,100,5,100,5,100,5,100,5\n"  # more fields than the header
    )
    export, kept, rejects = read("2016-03_program.csv", text)
    assert export.read == 3 + 1 + 3  # sets found (+1 row for the empty line)
    assert kept["exercise"].to_list() == ["squat (high bar, barbell)"] * 2 + ["chin-up"]
    assert kept["weight_kg"].to_list() == [52.16, 61.23, None]
    assert kept["set_index"].to_list() == [0, 1, 0]
    got = rejects.group_by("line").agg(pl.col("reason").first()).sort("line").rows()
    assert got[0] == (4, "no sets on this line")
    assert got[1][0] == 5 and "12 fields" in got[1][1]


def test_unit_can_be_overridden(read):
    _, kept, _ = read("w.csv", HEADER + "2020-01-01,squat,barbell,,100,5\n", unit="kg")
    assert kept["weight_kg"].to_list() == [100.0]


def test_real_files_load_in_a_sane_range(exports):
    from analysis.io import wide

    for path in sorted((exports / "rweightlifting").glob("*.csv")):
        sets = wide.read(path).frame
        loads = sets["weight_kg"].cast(pl.Float64, strict=False).drop_nulls()
        assert loads.max() < 300, path  # a 2016-2022 amateur in pounds: max ~560 lb deadlift
