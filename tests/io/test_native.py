"""Reading canonical dataset folders: row accounting, rejects, file errors."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.errors import DataFileError
from analysis.io import native

HEADER = "trainee_id,date,exercise,weight_kg,reps,rpe,set_type\n"


def dataset(write, sets: str, **others: str):
    path = write("ds/sets.csv", sets)
    for name, text in others.items():
        write(f"ds/{name}.csv", text)
    return path.parent


def test_valid_rows_are_kept_with_canonical_types(write):
    folder = dataset(write, HEADER + "T1,2025-01-06,Bench Press,100,5,8.5,working\nT1,2025-01-06,Pull Up,,8,,\n")
    ds = native.read_dataset(folder)
    assert ds.sets.height == 2
    assert ds.sets.schema["date"] == pl.Date
    assert ds.sets.schema["reps"] == pl.Int64
    assert ds.sets["weight_kg"].to_list() == [100.0, None]
    assert ds.sets["set_type"].to_list() == ["working", "working"]  # default
    assert ds.sets["session_id"].to_list() == ["2025-01-06", "2025-01-06"]
    assert ds.rejects.is_empty()


def test_bad_rows_go_to_rejects_with_line_column_and_reason(write):
    folder = dataset(write, HEADER
                     + "T1,2025-01-06,Bench,100,5,,\n"        # line 2 ok
                     + "T1,2025-13-06,Bench,100,5,,\n"        # line 3 bad date
                     + "T1,2025-01-06,Bench,100,five,,\n"     # line 4 bad reps
                     + "T1,2025-01-06,Bench,2000,5,,\n"       # line 5 absurd load
                     + "T1,2025-01-06,Bench,60,0,,\n"         # line 6 0 reps with a load
                     + "x" * 101 + ",2025-01-06,Bench,60,5,11,warm\n")  # line 7 several problems
    ds = native.read_dataset(folder)
    counts = ds.counts.row(0, named=True)
    assert (counts["read"], counts["kept"], counts["rejected"]) == (6, 1, 5)
    rejects = {r["line"]: r for r in ds.rejects.iter_rows(named=True)}
    assert set(rejects) == {3, 4, 5, 6, 7}
    assert rejects[3]["column"] == "date" and "date" in rejects[3]["reason"]
    assert rejects[4]["column"] == "reps" and rejects[4]["value"] == "five"
    assert rejects[5]["column"] == "weight_kg" and "maximum" in rejects[5]["reason"]
    assert rejects[6]["column"] == "reps" and "0 reps" in rejects[6]["reason"]
    assert set(rejects[7]["column"].split("; ")) == {"trainee_id", "rpe", "set_type"}
    assert all(r["source"].endswith("sets.csv") for r in rejects.values())


def test_line_numbers_follow_multiline_quoted_fields(write):
    folder = dataset(write, "trainee_id,date,exercise,reps,notes\n"
                     'T1,2025-01-06,Bench,5,"felt\ngood"\n'
                     "T1,2025-01-06,Bench,x,\n")
    ds = native.read_dataset(folder)
    assert ds.rejects["line"].to_list() == [4]
    assert ds.sets["notes"].to_list() == ["felt\ngood"]


def test_body_wide_becomes_long_and_bad_values_reject_only_their_cell(write):
    folder = dataset(write, HEADER + "T1,2025-01-06,Bench,100,5,,\n",
                     body="trainee_id,date,bodyweight_kg,arm_cm,comment\n"
                          "T1,2025-01-06,80.5,,ok\nT1,2025-01-13,81,900,\n")
    ds = native.read_dataset(folder)
    assert ds.body.sort("date", "measure").rows() == [
        ("T1", __import__("datetime").date(2025, 1, 6), "bodyweight_kg", 80.5),
        ("T1", __import__("datetime").date(2025, 1, 13), "bodyweight_kg", 81.0),
    ]
    body_rejects = ds.rejects.filter(pl.col("source").str.ends_with("body.csv"))
    assert body_rejects.rows() == [(body_rejects["source"][0], 3, "value", "900.0",
                                    "value outside the plausible range for this measure")]
    assert any("comment" in note for note in ds.notes)


def test_trainees_table_checks_sex_and_unique_ids(write):
    folder = dataset(write, HEADER + "T1,2025-01-06,Bench,100,5,,\n",
                     trainees="trainee_id,sex,height_cm\nT1,M,180\nT2,X,170\nT1,F,165\n")
    ds = native.read_dataset(folder)
    assert ds.trainees.height == 0 or ds.trainees["trainee_id"].to_list() == []
    reasons = dict(ds.rejects.filter(pl.col("source").str.ends_with("trainees.csv")).select("line", "reason").rows())
    assert "not one of" in reasons[3]
    assert "duplicate id" in reasons[2] and "duplicate id" in reasons[4]


def test_parquet_dataset_reads_like_csv(tmp_path):
    (tmp_path / "ds").mkdir()
    pl.DataFrame({"trainee_id": ["T1", "T1"], "date": ["2025-01-06", "2025-01-07"],
                  "exercise": ["Squat", "Squat"], "weight_kg": [100.0, -5.0], "reps": [5, 5]}
                 ).with_columns(pl.col("date").str.to_date()).write_parquet(tmp_path / "ds" / "sets.parquet")
    ds = native.read_dataset(tmp_path / "ds")
    assert ds.sets.height == 1
    assert ds.rejects.select("line", "column").rows() == [(3, "weight_kg")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (HEADER.encode(), "header only"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("trainee_id,date,exercise,reps\nT1,2025-01-06,Übung,5\n".encode("latin-1"), "not UTF-8"),
        (b"trainee_id;date;exercise;reps\nT1;2025-01-06;Bench;5\n", "another delimiter"),
        (b"trainee_id,date,reps\nT1,2025-01-06,5\n", "missing required column(s) exercise"),
        (b"trainee_id,date,date,exercise,reps\n", "twice"),
    ],
)
def test_unreadable_files_raise_one_clear_error(write, content, message):
    folder = dataset(write, "")
    (folder / "sets.csv").write_bytes(content)
    with pytest.raises(DataFileError) as err:
        native.read_dataset(folder)
    assert message in err.value.problem
    assert err.value.path.endswith("sets.csv")


def test_ragged_rows_are_rejected_and_the_rest_kept(write):
    folder = dataset(write, 'trainee_id,date,exercise,reps\nT1,2025-01-06,"Bench, flat",5\n'
                     "T1,2025-01-06,Bench,5,extra\nT1,2025-01-07,Squat,5\nT1,2025-01-07\n")
    ds = native.read_dataset(folder)
    assert ds.sets["exercise"].to_list() == ["Bench, flat", "Squat"]
    assert ds.rejects.select("line", "reason").rows() == [
        (3, "5 fields, the header has 4 (truncated or hand-edited line?)"),
        (5, "2 fields, the header has 4 (truncated or hand-edited line?)"),
    ]


def test_missing_folder_or_sets_file(tmp_path):
    with pytest.raises(DataFileError, match="no such dataset folder"):
        native.read_dataset(tmp_path / "nope")
    with pytest.raises(DataFileError, match="no sets.csv"):
        native.read_dataset(tmp_path)


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    native.write_csv_atomic(pl.DataFrame({"a": [1]}), tmp_path / "x" / "a.csv")
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["a.csv"]
    assert (tmp_path / "x" / "a.csv").read_text() == "a\n1\n"
