"""Datasets partitioned by trainee: import, convert, reading one trainee's
files only, and kill -9 in the middle of an import (nothing torn, the
previous state readable, the rerun completes)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from analysis import cli, synth
from analysis.errors import DataFileError
from analysis.io import native, partitioned
from analysis.io.importer import import_files, import_sources, Source

SETS = "trainee_id,date,exercise,weight_kg,reps\n"


def sets_file(write, name: str, trainee: str, days: range, weight: float = 100.0) -> Path:
    """A canonical sets file (the ``native`` import format) of one trainee."""
    rows = "".join(f"{trainee},2025-01-{d:02d},Back Squat,{weight + d},5\n" for d in days)
    return write(name, SETS + rows + f"{trainee},2025-01-{days[0]:02d},Back Squat,5000,5\n")  # one reject


def files_of(folder: Path) -> dict[str, int]:
    """Every data file (relative path -> mtime) of a dataset folder."""
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != partitioned.LOCK}


def state(folder: Path) -> tuple:
    """What a reader sees: every table, sorted."""
    data = native.read_dataset(folder)
    snapshot = partitioned.Snapshot.load(folder)
    return (data.sets.sort("trainee_id", "date").rows(), data.body.sort("trainee_id", "date").rows(),
            partitioned.read_rejects(snapshot).sort("source", "line").rows())


def test_import_writes_only_the_partitions_it_touches(write, tmp_path):
    out = tmp_path / "club"
    anna = sets_file(write, "anna.csv", "anna", range(1, 11))
    first = import_files([anna], "anna", out, partition=True)
    assert first.files[0].kept == 10 and first.files[0].rejected == 1
    snapshot = partitioned.Snapshot.load(out)
    assert list(snapshot.parts["sets"]) == ["anna"] and snapshot.parts["sets"]["anna"].rows == 10
    assert (out / snapshot.parts["sets"]["anna"].file).parent == out / "sets" / "anna"
    assert first.rejects_file == out / snapshot.rejects.file and not (out / "sets.csv").exists()
    before = files_of(out)

    import_files([sets_file(write, "zoe.csv", "Zoë O'Brien", range(1, 6))], "Zoë O'Brien", out)
    after = files_of(out)
    assert {k: v for k, v in after.items() if k.startswith("sets/anna/")} == {
        k: v for k, v in before.items() if k.startswith("sets/anna/")}  # anna's file untouched
    zoe = partitioned.Snapshot.load(out).parts["sets"]["Zoë O'Brien"]
    assert zoe.file.startswith("sets/Zoe-O-Brien~") and zoe.rows == 5  # the folder rule of report folders

    manifest = (out / partitioned.MANIFEST).read_bytes()
    again = import_files([anna], "anna", out)  # the same export again adds nothing
    assert again.files[0].kept == 0 and again.files[0].duplicates == 10
    assert (out / partitioned.MANIFEST).read_bytes() == manifest and files_of(out) == after


def test_partitioned_and_csv_imports_read_the_same(write, tmp_path):
    sources = [Source(sets_file(write, f"{t}.csv", t, range(1, 8), weight=60.0 + i), t) for i, t in enumerate("abc")]
    import_sources(sources, tmp_path / "csv")
    import_sources(sources, tmp_path / "part", partition=True)
    csv, part = native.read_dataset(tmp_path / "csv"), native.read_dataset(tmp_path / "part")
    assert part.sets.equals(csv.sets) and part.rejects.is_empty()
    assert native.read_dataset(tmp_path / "part", ["b"]).sets.equals(csv.sets.filter(pl.col("trainee_id") == "b"))
    folder = native.DatasetFolder(tmp_path / "part")
    assert folder.trainee_ids == ["a", "b", "c"] and folder.rows == {"a": 7, "b": 7, "c": 7}
    assert set(folder.digests) == {"a", "b", "c"}
    rejects = partitioned.read_rejects(partitioned.Snapshot.load(tmp_path / "part"))
    assert rejects.equals(native.read_rejects_file(tmp_path / "csv" / "rejects.csv"))


def test_reading_one_trainee_opens_only_their_files(write, tmp_path):
    out = tmp_path / "club"
    for t in ("anna", "ben"):
        import_files([sets_file(write, f"{t}.csv", t, range(1, 6))], t, out, partition=True)
    ben = partitioned.Snapshot.load(out).paths("sets", ["ben"])[0]
    ben.write_bytes(b"not parquet at all")
    assert native.read_dataset(out, ["anna"]).sets.height == 5
    before = native.DatasetFolder(out).digests  # from the manifest: no partition opened
    assert set(before) == {"anna", "ben"}
    with pytest.raises(DataFileError, match="not readable Parquet"):
        native.read_dataset(out)
    with pytest.raises(DataFileError, match="not readable Parquet"):
        import_files([sets_file(write, "ben2.csv", "ben", range(6, 9))], "ben", out)


def test_convert_moves_a_csv_dataset_in_place(tmp_path, capsys):
    csv = tmp_path / "csv"
    synth.write_cohort(csv, n_trainees=3, seed=5, weeks=8)
    pl.DataFrame({"source": ["x.csv"], "line": [2], "column": ["reps"], "value": ["x"],
                  "reason": ["not a whole number"]}).write_csv(csv / "rejects.csv")
    folder = tmp_path / "part"
    shutil.copytree(csv, folder)
    assert cli.main(["convert", str(folder)]) == 0
    assert "3 trainee(s)" in capsys.readouterr().out
    assert not any((folder / f"{n}.csv").exists() for n in ("sets", "body", "rejects"))
    assert (folder / "trainees.csv").read_bytes() == (csv / "trainees.csv").read_bytes()
    before, after = native.read_dataset(csv), native.read_dataset(folder)
    for name in ("sets", "body", "trainees", "goals"):
        assert getattr(after, name).equals(getattr(before, name).sort("trainee_id", maintain_order=True)), name
    assert partitioned.read_rejects(partitioned.Snapshot.load(folder)).equals(native.read_rejects_file(csv / "rejects.csv"))
    assert cli.main(["convert", str(folder)]) == 2 and "already partitioned" in capsys.readouterr().err


def test_convert_refuses_invalid_rows_and_import_refuses_mixing_layouts(write, tmp_path, capsys):
    folder = write("ds/sets.csv", SETS + "a,2025-01-02,Bench,100,5\na,2025-01-03,Bench,100,five\n").parent
    assert cli.main(["convert", str(folder)]) == 2
    assert "fail validation" in capsys.readouterr().err and not (folder / partitioned.MANIFEST).exists()
    with pytest.raises(DataFileError, match="analysis convert"):
        import_files([sets_file(write, "a.csv", "a", range(1, 3))], "a", folder, partition=True)


def test_a_convert_killed_before_removing_the_csv_files_reads_as_converted(tmp_path):
    folder = tmp_path / "ds"
    synth.write_cohort(folder, n_trainees=2, seed=5, weeks=6)
    saved = (folder / "sets.csv").read_bytes()
    partitioned.convert(folder)
    (folder / "sets.csv").write_bytes(saved)  # as if killed between the commit and the removal
    assert native.read_dataset(folder).sets.height == pl.read_csv(folder / "sets.csv").height
    (folder / "sets.csv").write_bytes(saved + b"T001,2026-09-28,Bench,50,5\n")  # but not a sets.csv edited since
    with pytest.raises(DataFileError, match="is not read"):
        native.read_dataset(folder)
    (folder / "sets.csv").write_bytes(saved)
    with partitioned.writer(folder):  # the next writer removes the left-over
        pass
    assert not (folder / "sets.csv").exists()


def test_a_reader_racing_a_commit_reads_the_new_state(write, tmp_path, monkeypatch):
    out = tmp_path / "club"
    import_files([sets_file(write, "a.csv", "a", range(1, 4))], "a", out, partition=True)
    real, calls = partitioned.read_text, []

    def racing(snapshot, table, trainees=None):
        calls.append(table)
        if len(calls) == 1:  # a commit lands between loading the manifest and reading a partition
            import_files([sets_file(write, "a2.csv", "a", range(4, 6))], "a", out)
            return real(snapshot, table, trainees)
        return real(snapshot, table, trainees)

    monkeypatch.setattr(partitioned, "read_text", racing)
    assert native.read_dataset(out).sets.height == 5


# --------------------------------------------------------------------------
# kill -9 in the middle of an import
# --------------------------------------------------------------------------

CHILD = """
import pathlib, sys, time
from analysis.io import importer, native, partitioned

stage, out, files = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3:]

def stop():
    print("ready", flush=True)
    time.sleep(600)

written = []
if stage == "partitions":  # after the first new partition, before the others and the manifest
    real_part = partitioned._write_part
    def write_part(*args):
        if written:
            stop()
        written.append(real_part(*args))
        return written[-1]
    partitioned._write_part = write_part
elif stage == "manifest":  # every partition written, the manifest not yet
    real_text = native.write_text_atomic
    def write_text(path, text):
        if path.name == partitioned.MANIFEST:
            stop()
        return real_text(path, text)
    native.write_text_atomic = write_text
elif stage == "cleanup":  # committed, the superseded files not yet removed
    real_unlink = pathlib.Path.unlink
    def unlink(self, missing_ok=False):
        if self.suffix == ".parquet":
            stop()
        return real_unlink(self, missing_ok=missing_ok)
    pathlib.Path.unlink = unlink
sources = [importer.Source(pathlib.Path(f), pathlib.Path(f).stem) for f in files]
importer.import_sources(sources, out)
"""


@pytest.mark.parametrize("stage", ["partitions", "manifest", "cleanup"])
def test_kill_9_in_the_middle_of_an_import(write, tmp_path, stage):
    out = tmp_path / "club"
    first = [sets_file(write, f"v1/{t}.csv", t, range(1, 6)) for t in ("anna", "ben")]
    import_sources([Source(p, p.stem) for p in first], out, partition=True)
    previous = state(out)
    second = [sets_file(write, f"v2/{t}.csv", t, range(4, 12), weight=90.0) for t in ("anna", "ben", "cleo")]
    child = subprocess.Popen([sys.executable, "-c", CHILD, stage, str(out), *map(str, second)],
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert child.stdout.readline().strip() == "ready"
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()

    killed = state(out)  # readable, and whole: the previous state or, once committed, the new one
    assert killed == previous if stage != "cleanup" else killed != previous
    orphans = set(files_of(out)) - partitioned.Snapshot.load(out).files() - {partitioned.MANIFEST}
    assert orphans  # the killed import's files, never read

    import_sources([Source(p, p.stem) for p in second], out)  # the rerun completes
    reference = tmp_path / "reference"
    import_sources([Source(p, p.stem) for p in first], reference, partition=True)
    import_sources([Source(p, p.stem) for p in second], reference)
    assert state(out)[:2] == state(reference)[:2]
    assert set(files_of(out)) == partitioned.Snapshot.load(out).files() | {partitioned.MANIFEST}
    assert json.loads((out / partitioned.MANIFEST).read_text())["sets"].keys() == {"anna", "ben", "cleo"}
