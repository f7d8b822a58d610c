"""Body-measurement files: wide sheet, long form, FitNotes body tracker."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.io import body


def as_dict(kept: pl.DataFrame) -> dict[tuple[str, str], float]:
    return {(str(d), m): v for d, m, v in kept.select("date", "measure", "value").iter_rows()}


def test_wide_sheet_with_units_in_the_headers(read):
    text = (
        "Date,Bodyweight (lb),Waist [in],arm_cm,Body fat %,Triceps skinfold (mm),Notes\n"
        "2025-01-06,180,32,38.5,15,12,felt flat\n"
        "2025-01-13,181,,38.7,,,\n"
    )
    export, kept, rejects = read("coach.csv", text, fmt="body")
    assert rejects.is_empty() and export.read == 7
    got = as_dict(kept)
    assert got[("2025-01-06", "bodyweight_kg")] == 81.65
    assert got[("2025-01-06", "waist_cm")] == 81.28
    assert got[("2025-01-06", "arm_cm")] == 38.5
    assert got[("2025-01-06", "body_fat_pct")] == 15.0
    assert got[("2025-01-06", "skinfold_triceps_mm")] == 12.0
    assert any("Notes" in w for w in export.warnings)


def test_long_form_with_units_and_unknown_measures(read):
    text = (
        "date,measure,value,unit\n"
        "2025-01-06,Weight,82.5,kg\n"
        "2025-01-06,Biceps,15,in\n"
        "2025-01-06,shoulders,120,cm\n"
        "2025-01-06,waist,80,kg\n"
    )
    _, kept, rejects = read("body_long.csv", text)
    assert as_dict(kept) == {("2025-01-06", "bodyweight_kg"): 82.5, ("2025-01-06", "arm_cm"): 38.1}
    got = dict(zip(rejects["line"].to_list(), rejects["reason"].to_list()))
    assert got == {4: "unknown measure (see docs/data-formats.md)", 5: "unit 'kg' does not fit a length measure"}


def test_fitnotes_body_tracker(read):
    text = (
        "Date,Time,Measurement,Value,Unit,Comment\n"
        "2026-01-10,07:00:00,Bodyweight,180.0,lbs,\n"
        '2026-01-11,07:00:00,Body Fat,14.5,%,"after cardio, light"\n'
        "2026-01-11,07:00:00,Neck,not a number,cm,\n"
    )
    export, kept, rejects = read("fitnotes_body.csv", text)
    assert as_dict(kept) == {("2026-01-10", "bodyweight_kg"): 81.65, ("2026-01-11", "body_fat_pct"): 14.5}
    assert rejects["line"].to_list() == [4] and rejects["column"].item() == "value"


def test_unit_lb_means_imperial_for_unlabelled_columns(read):
    _, kept, _ = read("coach.csv", "date,bodyweight,waist\n2025-01-06,200,34\n", fmt="body", unit="lb")
    assert as_dict(kept) == {("2025-01-06", "bodyweight_kg"): 90.72, ("2025-01-06", "waist_cm"): 86.36}


@pytest.mark.parametrize(
    ("label", "unit", "name", "factor"),
    [("Bodyweight (lb)", None, "bodyweight_kg", 0.45359237), ("waist_in", None, "waist_cm", 2.54),
     ("Calves", "cm", "calf_cm", 1.0), ("chest_cm", None, "chest_cm", 1.0), ("Shoe size", None, None, None)],
)
def test_resolve(label, unit, name, factor):
    measure = body.resolve(label, unit, imperial=False)
    assert (measure.name, measure.factor) == (name, factor) if name else measure is None
