"""Incremental scheduled runs: ``--changed-only`` reads, validates and
analyses only the trainees whose inputs changed (in a partitioned dataset
the others' files are never opened), keeps everyone's rejects, rebuilds the
index and cohort overview from summaries, renders a few reports in this
process (byte-identical to a kernel process's), and survives kill -9."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from analysis import cli, synth
from analysis.io import native, partitioned
from analysis.io.importer import import_files
from analysis.report import batch, kernel, render


def _quiet(lines: list[str]) -> dict:
    return {"log": lines.append, "progress_bar": False}


def _cohort(tmp_path: Path, n: int, partition: bool) -> Path:
    folder = tmp_path / "data"
    synth.write_cohort(folder, n_trainees=n, seed=6, weeks=10)
    if partition:
        partitioned.convert(folder)
    return folder


def _log_a_session(data: Path, trainee_id: str, tmp_path: Path, extra: str = "") -> str:
    """Import one more set for the trainee, a day after their last (as a
    coach's next export would), through ``analysis import``; its date."""
    last = native.read_dataset(data, [trainee_id]).sets.sort("date").tail(1)
    day = (last["date"][0] + dt.timedelta(days=1)).isoformat()
    row = last.select("exercise", "weight_kg", "reps").row(0)
    export = tmp_path / f"export-{trainee_id}-{day}.csv"
    export.write_text(f"date,exercise,weight_kg,reps\n{day},{row[0]},{row[1]},{row[2]}\n{extra}")
    import_files([export], trainee_id, data)
    return day


def test_partitioned_rerun_reads_only_the_changed_trainee(tmp_path):
    data, out = _cohort(tmp_path, 3, partition=True), tmp_path / "reports"
    first = batch.run(data, out, changed_only=True, jobs=2, **_quiet([]))
    assert set(first.reports) == {"T001", "T002", "T003"}
    kept = {t: (out / t / "report.html").stat().st_mtime_ns for t in ("T001", "T003")}
    overview = (out / "cohort.html").stat().st_mtime_ns
    snapshot = partitioned.Snapshot.load(data)
    for tid in ("T001", "T003"):  # never opened again: unreadable from now on
        for table in partitioned.TABLES:
            for path in snapshot.paths(table, [tid]):
                path.write_bytes(b"not parquet")

    day = _log_a_session(data, "T002", tmp_path)
    lines: list[str] = []
    rerun = batch.run(data, out, changed_only=True, jobs=2, **_quiet(lines))
    assert set(rerun.reports) == {"T002"} and rerun.unchanged == 2 and rerun.failures == {}
    assert any("analysed 1 trainee(s)" in line and "2 unchanged, not read" in line
               and "with 1 process(es)" in line for line in lines), lines
    assert {t: (out / t / "report.html").stat().st_mtime_ns for t in kept} == kept  # byte-identical: not rewritten
    assert json.loads((out / "T002" / "summary.json").read_text())["as_of"] == day
    index = (out / "index.html").read_text()
    assert all(f'href="{t}/report.html"' in index for t in ("T001", "T002", "T003"))
    assert (out / "cohort.html").stat().st_mtime_ns > overview
    assert batch.run(data, out, changed_only=True, **_quiet(lines)).unchanged == 3  # then nothing to do
    assert lines[-1].startswith("nothing changed")


def test_a_run_racing_an_import_reads_the_new_state(tmp_path, monkeypatch):
    data, out = _cohort(tmp_path, 2, partition=True), tmp_path / "reports"
    real, calls = partitioned.read_text, []

    def racing(snapshot, table, trainees=None):
        calls.append(table)
        if len(calls) == 1:  # an import commits after the run loaded the manifest
            _log_a_session(data, "T001", tmp_path)
        return real(snapshot, table, trainees)

    monkeypatch.setattr(partitioned, "read_text", racing)
    lines: list[str] = []
    result = batch.run(data, out, jobs=1, **_quiet(lines))
    assert result.failures == {} and any("reading it again" in line for line in lines)
    assert json.loads((out / "T001" / "summary.json").read_text())["as_of"] == str(
        native.read_dataset(data, ["T001"]).sets["date"].max())


def test_csv_rerun_validates_only_the_changed_trainee_and_keeps_every_reject(tmp_path):
    data, out = _cohort(tmp_path, 3, partition=False), tmp_path / "reports"
    with open(data / "sets.csv", "a") as sets:
        sets.write("T001,2026-08-01,s1,Bench Press,0,working,60,five,\n")  # rejected
    batch.run(data, out, changed_only=True, jobs=1, **_quiet([]))
    assert pl.read_csv(out / "rejects.csv")["line"].len() == 1

    last = pl.read_csv(data / "sets.csv", infer_schema=False).filter(pl.col("trainee_id") == "T002").tail(1)
    day = (dt.date.fromisoformat(last["date"][0]) + dt.timedelta(days=1)).isoformat()
    with open(data / "sets.csv", "a") as sets:  # a hand edit: one more set, and one rejected
        sets.write(last.with_columns(date=pl.lit(day)).write_csv(include_header=False))
        sets.write("T002,2026-08-01,s1,Bench Press,0,working,-5,5,\n")
    lines: list[str] = []
    rerun = batch.run(data, out, changed_only=True, jobs=1, **_quiet(lines))
    assert set(rerun.reports) == {"T002"} and any("analysed 1 trainee(s)" in line for line in lines)
    assert json.loads((out / "T002" / "summary.json").read_text())["as_of"] == day
    full = tmp_path / "full"
    batch.run(data, full, jobs=1, **_quiet([]))
    assert (out / "rejects.csv").read_bytes() == (full / "rejects.csv").read_bytes()
    assert pl.read_csv(out / "rejects.csv")["line"].len() == 2


def test_a_trainee_added_above_the_others_in_trainees_csv_changes_nobody_else(tmp_path):
    data, out = _cohort(tmp_path, 2, partition=True), tmp_path / "reports"
    batch.run(data, out, changed_only=True, jobs=1, **_quiet([]))
    roster = (data / "trainees.csv").read_text().splitlines(keepends=True)
    (data / "trainees.csv").write_text(roster[0] + "T000,Ada,F,1990,170,strength,novice\n" + "".join(roster[1:]))
    lines: list[str] = []
    rerun = batch.run(data, out, changed_only=True, jobs=1, **_quiet(lines))
    assert rerun.reports == {} and rerun.unchanged == 2
    assert any(line.startswith("analysed 0 trainee(s)") for line in lines), lines


def test_a_run_for_one_trainee_still_lists_everyones_rejects(tmp_path):
    data, out = _cohort(tmp_path, 2, partition=False), tmp_path / "reports"
    with open(data / "sets.csv", "a") as sets:
        sets.write("T001,2026-08-01,s1,Bench Press,0,working,60,five,\n")
    assert cli.main(["report", "--data", str(data), "--out", str(out), "--trainee", "T002",
                     "--no-progress"]) == 0
    assert pl.read_csv(out / "rejects.csv")["value"].to_list() == ["five"]


def test_the_cohort_overview_from_the_roster_part_equals_one_from_whole_summaries(tmp_path):
    data, out = _cohort(tmp_path, 3, partition=False), tmp_path / "reports"
    batch.run(data, out, jobs=1, **_quiet([]))
    whole = render.render_cohort(out, kernel.in_process_kernel())
    assert whole.error is None and whole.html == (out / "cohort.html").read_text()
    assert sorted(p.parent.name for p in (out / batch.ROSTER).glob("*/summary.json")) == ["T001", "T002", "T003"]


def test_in_process_reports_equal_a_kernel_process_s(tmp_path):
    data, out = _cohort(tmp_path, 2, partition=False), tmp_path / "reports"
    batch.run(data, out, trainees=["T001"], jobs=1, **_quiet([]))  # in a worker's in-process kernel
    prepared = out / batch.PREPARED
    kernel.discard_worker_kernel()
    from_process = render.render("T001", prepared, 8).html  # a kernel process
    kernel.discard_worker_kernel()
    assert from_process == (out / "T001" / "report.html").read_text()
    here = kernel.in_process_kernel()
    failed = render.render("T009", prepared, 8, here)  # no such slice: the notebook fails, the kernel is replaced
    assert failed.error and failed.failed_notebook and failed.html is None
    assert render.render("T001", prepared, 8, here).html == from_process


def test_a_stuck_cell_in_process_fails_its_report_on_time(tmp_path, monkeypatch):
    stuck = tmp_path / "stuck.ipynb"
    stuck.write_text(json.dumps({
        "cells": [{"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "execution_count": None,
                   "source": "import time\nfor _ in range(600):\n    time.sleep(0.1)"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5}))
    monkeypatch.setattr(render, "CELL_TIMEOUT", 1)
    start = time.monotonic()
    failed = render._execute("stuck", stuck, {}, lambda _: ("", ""), kernel.in_process_kernel())
    assert "cell timeout" in failed.error and time.monotonic() - start < 20


def test_kill_9_in_the_middle_of_an_incremental_run(tmp_path):
    data, out = _cohort(tmp_path, 4, partition=True), tmp_path / "reports"
    command = [sys.executable, "-m", "analysis.cli", "report", "--data", str(data), "--out", str(out),
               "--changed-only", "--jobs", "2", "--no-progress"]
    assert cli.main(command[3:]) == 0
    before = {p: p.stat().st_mtime_ns for p in out.glob("T*/report.html")}
    index = (out / "index.html").read_bytes()
    changed = {tid: _log_a_session(data, tid, tmp_path) for tid in ("T001", "T002", "T004")}

    run = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while (all(p.stat().st_mtime_ns == t for p, t in before.items() if p.exists())
           and time.monotonic() < deadline):
        time.sleep(0.02)
    os.killpg(run.pid, signal.SIGKILL)  # mid-run: after its first new report, before its index
    run.wait()
    assert (out / "index.html").read_bytes() == index  # the previous state, whole
    for report in out.glob("T*/report.html"):
        assert report.read_text().rstrip().endswith("</html>")
        json.loads((report.parent / "summary.json").read_text())
    assert native.read_dataset(data).sets.height > 0  # the dataset is only read

    assert cli.main(command[3:]) == 0  # the rerun completes
    assert not list(out.glob("*/.*.tmp"))
    for tid, day in changed.items():
        assert json.loads((out / tid / "summary.json").read_text())["as_of"] == day
    assert (out / "T003" / "report.html").stat().st_mtime_ns == before[out / "T003" / "report.html"]
    assert "T004" in (out / "index.html").read_text()


@pytest.mark.parametrize("partition", [False, True])
def test_validate_reads_both_layouts(tmp_path, capsys, partition):
    data = _cohort(tmp_path, 2, partition)
    assert cli.main(["validate", str(data)]) == 0
    printed = capsys.readouterr().out
    assert ("sets: " if partition else "sets.csv: ") in printed and "0 rejected" in printed
