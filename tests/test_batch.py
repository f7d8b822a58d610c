"""Scheduled batch runs: incremental reruns, the lock, back-dated runs, a
killed run, and the Dask executor. Real runs (papermill, kernels) on a tiny
synthetic cohort."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import shutil
import sys
import time
from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from analysis import cli, synth
from analysis.io import native
from analysis.report import REPORT_NOTEBOOK, batch, manifest
from analysis.report.lock import RunLocked, run_lock

QUIET = {"log": lambda *_: None, "progress_bar": False}


@pytest.fixture()
def cohort(tmp_path):
    folder = tmp_path / "data"
    synth.write_cohort(folder, n_trainees=2, seed=5, weeks=10)
    return folder


def _add_session(folder: Path, trainee_id: str) -> None:
    """Append one set a day after the trainee's last, as a coach's new log would."""
    sets = pl.read_csv(folder / "sets.csv", infer_schema=False)
    last = sets.filter(pl.col("trainee_id") == trainee_id).sort("date").tail(1)
    day = dt.date.fromisoformat(last["date"][0]) + dt.timedelta(days=1)
    new = last.with_columns(pl.lit(day.isoformat()).alias("date"))
    pl.concat([sets, new]).write_csv(folder / "sets.csv")


def test_changed_only_renders_only_what_changed(cohort, tmp_path):
    out = tmp_path / "reports"
    first = batch.run(cohort, out, changed_only=True, jobs=1, **QUIET)
    assert set(first.reports) == {"T001", "T002"}
    t001 = (out / "T001" / "report.html").stat().st_mtime_ns

    unchanged = batch.run(cohort, out, changed_only=True, jobs=1, **QUIET)
    assert unchanged.reports == {} and unchanged.unchanged == 2  # the fingerprint short cut

    _add_session(cohort, "T002")
    rerun = batch.run(cohort, out, changed_only=True, jobs=1, **QUIET)
    assert set(rerun.reports) == {"T002"} and rerun.unchanged == 1
    assert (out / "T001" / "report.html").stat().st_mtime_ns == t001
    summary = json.loads((out / "T002" / "summary.json").read_text())
    assert summary["as_of"] == pl.read_csv(cohort / "sets.csv").filter(
        pl.col("trainee_id") == "T002")["date"].max()


def test_fingerprint_follows_data_notebook_code_and_options(cohort, tmp_path):
    notebook = tmp_path / "report.ipynb"
    notebook.write_bytes(REPORT_NOTEBOOK.read_bytes())
    base = manifest.run_fingerprint(native.DatasetFolder(cohort), notebook, {"window_weeks": 8})
    assert manifest.run_fingerprint(native.DatasetFolder(cohort), notebook, {"window_weeks": 8}) == base
    assert manifest.run_fingerprint(native.DatasetFolder(cohort), notebook, {"window_weeks": 6}) != base
    notebook.write_bytes(notebook.read_bytes() + b"\n")
    assert manifest.run_fingerprint(native.DatasetFolder(cohort), notebook, {"window_weeks": 8})["notebook"] != base["notebook"]
    _add_session(cohort, "T001")
    assert manifest.run_fingerprint(native.DatasetFolder(cohort), notebook, {"window_weeks": 8})["data"] != base["data"]
    assert base["code"] == manifest.code_digest() and len(base["code"]) == 64


def test_code_digest_follows_every_file_of_the_package_but_bytecode(tmp_path, monkeypatch):
    package = tmp_path / "analysis"
    shutil.copytree(Path(str(resources.files("analysis"))), package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(manifest.resources, "files", lambda _: package)
    base = manifest.code_digest()
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.pyc").write_bytes(b"bytecode")
    assert manifest.code_digest() == base
    template = package / "report" / "templates" / "verdict.html.j2"
    template.write_text(template.read_text() + "<!-- changed -->\n")
    assert manifest.code_digest() != base


def test_a_second_run_waits_or_exits_with_a_clear_message(cohort, tmp_path, capsys):
    out = tmp_path / "reports"
    with run_lock(out):
        with pytest.raises(RunLocked, match="another report run"):
            batch.run(cohort, out, **QUIET)
        assert cli.main(["report", "--data", str(cohort), "--out", str(out), "--no-progress"]) == 3
        err = capsys.readouterr().err
        assert f"pid {os.getpid()}" in err and "--wait" in err
    assert not (out / "index.html").exists()


def test_lock_is_released_when_its_holder_is_killed(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from analysis.report.lock import run_lock\n"
        f"with run_lock(Path({str(tmp_path)!r})):\n    print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(RunLocked):
        with run_lock(tmp_path):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with run_lock(tmp_path, wait_seconds=5):
        pass


def test_back_dated_run_reproduces_that_day(cohort, tmp_path):
    sets = pl.read_csv(cohort / "sets.csv", try_parse_dates=True)
    as_of = sets["date"].min() + dt.timedelta(weeks=7)
    since = sets["date"].min() + dt.timedelta(weeks=1)
    out = tmp_path / "reports"
    status = cli.main(["report", "--data", str(cohort), "--out", str(out), "--trainee", "T001",
                       "--as-of", as_of.isoformat(), "--since", since.isoformat(), "--no-progress"])
    assert status == 0
    assert json.loads((out / "T001" / "summary.json").read_text())["as_of"] == as_of.isoformat()
    used = pl.read_parquet(out / batch.PREPARED / "T001" / "e1rm_sessions.parquet")["date"]
    assert since <= used.min() and used.max() <= as_of

    truncated = tmp_path / "truncated"  # the log as it stood on that day: same report
    truncated.mkdir()
    for name in ("sets", "body"):
        pl.read_csv(cohort / f"{name}.csv", infer_schema=False).filter(
            (pl.col("date") >= since.isoformat()) & (pl.col("date") <= as_of.isoformat())
        ).write_csv(truncated / f"{name}.csv")
    (truncated / "trainees.csv").write_bytes((cohort / "trainees.csv").read_bytes())
    again = tmp_path / "again"
    assert cli.main(["report", "--data", str(truncated), "--out", str(again), "--trainee", "T001",
                     "--as-of", as_of.isoformat(), "--no-progress"]) == 0
    assert (again / "T001" / "report.html").read_bytes() == (out / "T001" / "report.html").read_bytes()


def test_killed_run_leaves_whole_files_and_the_next_run_completes(tmp_path):
    data = tmp_path / "data"
    synth.write_cohort(data, n_trainees=6, seed=8, weeks=10)
    out = tmp_path / "reports"
    command = [sys.executable, "-m", "analysis.cli", "report", "--data", str(data), "--out", str(out),
               "--jobs", "2", "--no-progress"]
    run = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(out.glob("T*/report.html")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)  # the run, its workers and their kernels, mid-batch
    run.wait()
    for report in out.glob("T*/report.html"):
        assert report.read_text().rstrip().endswith("</html>")
    assert not (out / "index.html").exists()

    assert cli.main(command[3:] + ["--changed-only"]) == 0
    assert len(list(out.glob("T*/report.html"))) == 6
    assert not list(out.glob("**/.*.tmp"))
    assert "T006" in (out / "index.html").read_text()


def test_dask_executor_gives_the_same_reports(cohort, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = tmp_path / "local"
    batch.run(cohort, local, trainees=["T001"], jobs=1, **QUIET)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        result = batch.run(cohort, tmp_path / "dask", trainees=["T001"], dask=client, **QUIET)
    assert result.failures == {}
    assert (tmp_path / "dask" / "T001" / "report.html").read_bytes() == (local / "T001" / "report.html").read_bytes()
