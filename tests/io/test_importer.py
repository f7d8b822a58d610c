"""import_files: every real export, exact accounting, merging, de-duplication, bad input."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis.errors import DataFileError
from analysis.io import importer
from analysis.io.importer import import_files

STRONG = "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"


def strong_line(date: str = "2024-03-04 18:30:00", exercise: str = "Squat (Barbell)", order: str = "1",
                weight: str = "100.0", reps: str = "5") -> str:
    return f'{date},"Legs",1h,"{exercise}",{order},{weight},{reps},0,0,"","",\n'


def accounted(summary) -> None:
    for f in summary.files:
        assert f.read == f.kept + f.rejected + f.duplicates + f.folded, f


# (file, unit) -> (read, kept, rejected, duplicates), and a plausible heaviest load in kg
REAL = {
    ("strong_a_kg.csv", None): ((1903, 1882, 21, 0), (100, 200)),
    # 55 timed sets (holds, planks, hangs, carries) kept since timed sets are sets
    ("strong_a_lb.csv", "lb"): ((6625, 6431, 194, 0), (120, 200)),
    ("strong_c_sample.csv", None): ((250, 250, 0, 0), (50, 100)),
    ("hevy_kg.csv", None): ((7211, 6935, 276, 0), (150, 250)),
}


@pytest.mark.parametrize(("name", "unit"), list(REAL))
def test_real_exports_account_for_every_row(exports, tmp_path, name, unit):
    counts, (low, high) = REAL[(name, unit)]
    summary = import_files([exports / name], "T1", tmp_path, unit=unit)
    f = summary.files[0]
    assert (f.read, f.kept, f.rejected, f.duplicates) == counts
    sets = pl.read_csv(tmp_path / "sets.csv")
    assert sets.height == f.kept
    assert low <= sets["weight_kg"].max() <= high
    if f.rejected:
        assert pl.read_csv(tmp_path / "rejects.csv").height == f.rejected


def test_strong_lb_export_lands_in_kg_when_told(exports, tmp_path):
    import_files([exports / "strong_a_lb.csv"], "T1", tmp_path, unit="lb")
    sets = pl.read_csv(tmp_path / "sets.csv")
    squat = sets.filter(pl.col("exercise") == "Squat (Barbell)")["weight_kg"]
    assert 80 <= squat.max() <= 100  # 200 lb, not 200 kg
    written = pl.read_csv(tmp_path / "sets.csv", infer_schema=False)["weight_kg"].drop_nulls()
    assert written.str.contains(r"^\d+(\.\d{1,2})?$").all()  # no float noise left


def test_rweightlifting_files(exports, tmp_path):
    files = sorted((exports / "rweightlifting").glob("*.csv"))
    summary = import_files(files, "T1", tmp_path)
    accounted(summary)
    assert len(summary.files) == 18 and {f.format for f in summary.files} == {"wide"}
    assert (summary.total("read"), summary.total("kept"), summary.total("rejected")) == (15147, 15027, 120)


def test_reimport_and_overlapping_snapshots_add_nothing_new(exports, tmp_path, write):
    lines = (exports / "strong_a_kg.csv").read_text().splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    early = write("early.csv", header + "".join(body[: len(body) * 2 // 3]))
    late = write("late.csv", header + "".join(body[len(body) // 3 :]))
    first = import_files([early], "T1", tmp_path / "ds", unit="kg")
    second = import_files([late, early], "T1", tmp_path / "ds", unit="kg")
    accounted(first)
    accounted(second)
    full = import_files([exports / "strong_a_kg.csv"], "T1", tmp_path / "full", unit="kg")
    merged = pl.read_csv(tmp_path / "ds" / "sets.csv")
    assert merged.height == full.files[0].kept == first.total("kept") + second.total("kept")
    assert second.files[1].kept == 0 and second.files[1].duplicates == first.files[0].kept
    for _ in range(2):
        again = import_files([exports / "strong_a_kg.csv"], "T1", tmp_path / "ds", unit="kg")
        assert again.total("kept") == 0 and again.total("rejected") == full.files[0].rejected
    rejects = pl.read_csv(tmp_path / "ds" / "rejects.csv")
    assert (rejects["source"] == str(exports / "strong_a_kg.csv")).sum() == full.files[0].rejected  # listed once


def test_other_trainees_and_earlier_imports_are_kept(tmp_path, write):
    path = write("s.csv", STRONG + strong_line())
    import_files([path], "T1", tmp_path / "ds", unit="kg")
    summary = import_files([path], "T2", tmp_path / "ds", unit="kg")
    assert summary.files[0].kept == 1
    sets = pl.read_csv(tmp_path / "ds" / "sets.csv")
    assert sorted(sets["trainee_id"].to_list()) == ["T1", "T2"]


def test_canonical_files_import_and_other_trainees_rows_are_rejected(tmp_path, write):
    path = write("sets.csv", "trainee_id,date,exercise,weight_kg,reps\nT1,2025-01-06,Bench,100,5\nT9,2025-01-06,Bench,100,5\n,2025-01-07,Bench,90,5\n")
    summary = import_files([path], "T1", tmp_path / "ds")
    f = summary.files[0]
    assert (f.format, f.kept, f.rejected) == ("native", 2, 1)
    assert "another trainee" in pl.read_csv(tmp_path / "ds" / "rejects.csv")["reason"].item()


def test_body_files_go_to_body_csv(tmp_path, write):
    path = write("fn_body.csv", "Date,Time,Measurement,Value,Unit\n2025-01-06,07:00:00,Bodyweight,80,kgs\n")
    summary = import_files([path], "T1", tmp_path / "ds")
    assert summary.files[0].table == "body"
    body = pl.read_csv(tmp_path / "ds" / "body.csv")
    assert body.rows() == [("T1", "2025-01-06", "bodyweight_kg", 80.0)]
    assert import_files([path], "T1", tmp_path / "ds").files[0].duplicates == 1


def test_summary_lines(exports, tmp_path):
    summary = import_files([exports / "strong_a_kg.csv"], "T1", tmp_path)
    text = "\n".join(summary.lines())
    assert "1903 rows read, 1882 kept, 21 rejected, 0 duplicates skipped" in text
    assert "rejects.csv" in text and "guessed kg" in text
    assert summary.unknown_exercises.columns[0] == "exercise"


# --------------------------------------------------------------------------
# Bad input: a file error (nothing written) or a reject row, never a traceback
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"\n\n  \n", "empty file"),
        (STRONG.encode(), "header only"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"a|b|c\n1|2|3\n", "unknown format"),
        (b"foo,bar\n1,2\n", "matches none of strong, hevy"),
        ((STRONG + strong_line().replace(",", ";") * 2).encode(), "another delimiter"),
    ],
)
def test_unreadable_files_raise_and_write_nothing(tmp_path, write, content, problem):
    good = write("good.csv", STRONG + strong_line())
    bad = write("bad.csv", content)
    with pytest.raises(DataFileError) as err:
        import_files([good, bad], "T1", tmp_path / "ds", unit="kg")
    assert problem in str(err.value) and "bad.csv" in str(err.value)
    assert not (tmp_path / "ds").exists()


def test_truncated_last_line_is_rejected(tmp_path, write):
    text = STRONG + strong_line() + strong_line(order="2") + strong_line(order="3")[:40]
    summary = import_files([write("s.csv", text)], "T1", tmp_path, unit="kg")
    f = summary.files[0]
    assert (f.read, f.kept, f.rejected) == (3, 2, 1)
    reject = pl.read_csv(tmp_path / "rejects.csv").row(0, named=True)
    assert reject["line"] == 4 and "fields" in reject["reason"]


def test_latin1_file_is_read_with_a_warning(tmp_path, write):
    text = STRONG + strong_line(exercise="Kniebeuge (Langhantel) – schwer").replace("–", "-") + strong_line(exercise="Übung", order="2")
    summary = import_files([write("s.csv", text.encode("cp1252"))], "T1", tmp_path, unit="kg")
    assert summary.files[0].kept == 2
    assert any("not UTF-8" in w and "Windows-1252" in w for w in summary.warnings)
    assert "Übung" in pl.read_csv(tmp_path / "sets.csv")["exercise"].to_list()


def test_value_problems_become_rejects(tmp_path, write):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    text = STRONG + (
        strong_line()
        + strong_line(date=f"{future} 10:00:00")
        + strong_line(order="2", weight="-20")
        + strong_line(order="3", weight="2000")
        + strong_line(order="4", reps="0")
        + strong_line(order="5") + strong_line(order="5")  # duplicated row
    )
    summary = import_files([write("s.csv", text)], "T1", tmp_path, unit="kg")
    f = summary.files[0]
    assert (f.read, f.kept, f.rejected, f.duplicates) == (7, 2, 4, 1)
    rejects = pl.read_csv(tmp_path / "rejects.csv")
    got = dict(zip(rejects["line"].to_list(), rejects["reason"].to_list()))
    assert got == {
        3: "date in the future",
        4: "below the minimum 0",
        5: "above the maximum 1000.0",
        6: "0 reps with a load and no time or distance: not a completed set",
    }
    assert set(rejects["source"]) == {str(tmp_path / "s.csv")}


def test_bad_arguments(tmp_path, write):
    path = write("s.csv", STRONG + strong_line())
    with pytest.raises(ValueError, match="trainee id"):
        import_files([path], "a\tb", tmp_path)  # any text but control characters is an id
    with pytest.raises(ValueError, match="unit"):
        import_files([path], "T1", tmp_path, unit="stone")
    with pytest.raises(ValueError, match="format"):
        import_files([path], "T1", tmp_path, fmt="excel")


def test_an_invalid_existing_dataset_is_not_rewritten(tmp_path, write):
    write("ds/sets.csv", "trainee_id,date,exercise,reps\nT1,2025-01-06,Bench,five\n")
    with pytest.raises(DataFileError, match="fail validation"):
        import_files([write("s.csv", STRONG + strong_line())], "T1", tmp_path / "ds", unit="kg")
    assert (tmp_path / "ds" / "sets.csv").read_text().endswith("five\n")


def test_format_can_be_forced(tmp_path, write):
    path = write("s.txt", STRONG + strong_line())
    assert import_files([path], "T1", tmp_path, fmt="strong", unit="kg").files[0].kept == 1
    with pytest.raises(DataFileError, match="not a Hevy export"):
        import_files([path], "T1", tmp_path, fmt="hevy")


def test_timed_sets_differing_only_in_time_are_not_duplicates(tmp_path, write):
    header = "trainee_id,date,exercise,reps,duration_s\n"
    first = write("a.csv", header + "T1,2024-01-01,Plank,0,60\n")
    later = write("b.csv", header + "T1,2024-01-01,Plank,0,60\nT1,2024-01-01,Plank,0,90\n")
    import_files([first], "T1", tmp_path)
    f = import_files([later], "T1", tmp_path).files[0]
    assert (f.kept, f.duplicates) == (1, 1)
    assert pl.read_csv(tmp_path / "sets.csv")["duration_s"].to_list() == [60, 90]


def test_rejects_of_one_line_are_all_listed_and_not_again_on_reimport(tmp_path, write):
    text = "date,exercise,set1weight,set1reps,set2weight,set2reps\n2020-01-01,squat,100,5,100,5,100,5\n"
    path = write("wide.csv", text)
    for _ in range(2):
        f = import_files([path], "T1", tmp_path).files[0]
        assert (f.read, f.kept, f.rejected) == (2, 0, 2)
        assert pl.read_csv(tmp_path / "rejects.csv")["line"].to_list() == [2, 2]
