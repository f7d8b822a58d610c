"""Property: corrupting a valid Strong export never breaks the importer.

Whatever happens to the bytes (flips, truncation, dropped or doubled
delimiters, shuffled lines), an import either refuses the file with a
DataFileError (and writes nothing) or accounts for every row it read:
read = kept + rejected + duplicates, matching what lands in the folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import DataFileError
from analysis.io.importer import import_files

VALID = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
    '2024-03-04 18:30:00,"Legs, heavy",1h 5m,"Squat (Barbell)",W,40.0,10,0,0,"","",\n'
    '2024-03-04 18:30:00,"Legs, heavy",1h 5m,"Squat (Barbell)",1,100.0,5,0,0,"felt ""good""",,8\n'
    '2024-03-04 18:30:00,"Legs, heavy",1h 5m,"Squat (Barbell)",2,100.0,5,0,0,,,0\n'
    '2024-03-04 18:30:00,"Legs, heavy",1h 5m,"Squat (Barbell)",D,70.0,8,0,0,,,\n'
    '2024-03-04 18:30:00,"Legs, heavy",1h 5m,"Leg Press",1,180.0,12,0,0,,,9\n'
    '2024-03-04 18:30:00,"Legs, heavy",1h 5m,"Plank",1,0,0,0,60,,,\n'
    '2024-03-06 07:10:00,"Push",45m,"Bench Press (Barbell)",1,80.0,8,0,0,"",,\n'
    '2024-03-06 07:10:00,"Push",45m,"Bench Press (Barbell)",2,82.5,6,0,0,,,9.5\n'
    '2024-03-06 07:10:00,"Push",45m,"Pull Up",1,0,10,0,0,,,\n'
).encode()


def flip(data: bytes, position: int, value: int) -> bytes:
    i = position % len(data)
    return data[:i] + bytes([value]) + data[i + 1 :]


def truncate(data: bytes, position: int, _: int) -> bytes:
    return data[: position % len(data)]


def drop_delimiter(data: bytes, position: int, _: int) -> bytes:
    commas = [i for i, b in enumerate(data) if b == ord(",")]
    i = commas[position % len(commas)] if commas else 0
    return data[:i] + data[i + 1 :]


def double_delimiter(data: bytes, position: int, _: int) -> bytes:
    commas = [i for i, b in enumerate(data) if b == ord(",")]
    i = commas[position % len(commas)] if commas else 0
    return data[:i] + b"," + data[i:]


def shuffle_lines(data: bytes, position: int, value: int) -> bytes:
    lines = data.split(b"\n")
    i, j = position % len(lines), value % len(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def duplicate_line(data: bytes, position: int, _: int) -> bytes:
    lines = data.split(b"\n")
    i = position % len(lines)
    return b"\n".join(lines[: i + 1] + lines[i:])


CORRUPTIONS = [flip, truncate, drop_delimiter, double_delimiter, shuffle_lines, duplicate_line]
corruption = st.tuples(st.sampled_from(CORRUPTIONS), st.integers(0, 10_000), st.integers(0, 255))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(corruption, min_size=1, max_size=4))
def test_corrupted_strong_exports_fail_cleanly_or_account_exactly(corruptions):
    data = VALID
    for fn, position, value in corruptions:
        data = fn(data, position, value) if data else data
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "strong.csv", Path(tmp) / "ds"
        path.write_bytes(data)
        try:
            summary = import_files([path], "T1", out, fmt="auto", unit="kg")
        except DataFileError:
            assert not out.exists()
            return
        f = summary.files[0]
        assert f.read == f.kept + f.rejected + f.duplicates
        table = out / f"{f.table}.csv"
        kept = pl.read_csv(table).height if table.exists() else 0
        rejected = pl.read_csv(out / "rejects.csv").height if (out / "rejects.csv").exists() else 0
        assert (kept, rejected) == (f.kept, f.rejected)


def test_the_uncorrupted_export_is_clean(tmp_path):
    (tmp_path / "strong.csv").write_bytes(VALID)
    f = import_files([tmp_path / "strong.csv"], "T1", tmp_path / "ds", unit="kg").files[0]
    assert (f.read, f.kept, f.rejected, f.duplicates) == (9, 9, 0, 0)  # the plank is a timed set
