"""Reports end to end: a real papermill run on a tiny dataset, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from analysis import cli, progress, synth
from analysis.io import native
from analysis.report import batch, executors, html, kernel, render
from analysis.report.view import slice_for

REPO_EXPORTS = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "exports"

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Two synthetic trainees, one renamed with markup to test escaping."""
    folder = tmp_path_factory.mktemp("tiny")
    synth.write_cohort(folder, n_trainees=2, seed=4, weeks=12)
    trainees = pl.read_csv(folder / "trainees.csv").with_columns(
        pl.when(pl.col("trainee_id") == "T001").then(pl.lit(XSS)).otherwise(pl.col("name")).alias("name"))
    trainees.write_csv(folder / "trainees.csv")
    return folder


@pytest.fixture(scope="module")
def built(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = batch.run(tiny, out, jobs=2, log=lambda *_: None)
    return out, result


def test_every_trainee_gets_report_and_summary(built):
    out, result = built
    assert result.failures == {}
    assert sorted(result.reports) == ["T001", "T002"]
    for tid in ("T001", "T002"):
        assert (out / tid / "report.html").stat().st_size > 10_000
        summary = json.loads((out / tid / "summary.json").read_text())
        assert summary["trainee_id"] == tid
        assert {"trainee_id", "as_of", "window_weeks", "lifts", "strength", "size", "focus"} <= set(summary)
        assert summary["size"]["status"] in progress.SIZE_STATUSES
        assert summary["size"]["evidence"]
        assert set(summary["workload"]) == {"acwr", "acwr_date", "monotony", "strain"}
        assert isinstance(summary["flags"], list)
        assert summary["blocks"] and {b["kind"] for b in summary["blocks"]} <= {
            "strength", "hypertrophy", "endurance", "deload", "off"}
        assert summary["hard_sets_per_week"] and all(v >= 0 for v in summary["hard_sets_per_week"].values())
        assert sum(summary["focus"].values()) == pytest.approx(1.0, abs=0.01)
        main = {lift["main_lift"] for lift in summary["lifts"] if lift["main_lift"]}
        assert main == {"squat", "bench", "deadlift", "ohp"}
        for lift in summary["lifts"]:
            assert lift["status"] in progress.LIFT_STATUSES
            assert 0 < lift["e1rm_kg"] <= 1.2 * lift["best_e1rm_kg"]
            if lift["status"] != "insufficient_data":
                assert sum(lift["probabilities"].values()) == pytest.approx(1.0, abs=0.002)
        assert summary["verdict"]["text"].startswith("Last 8 weeks:")
        assert {f["kind"] for f in summary["verdict"]["findings"]} >= {"strength", "size", "lift"}
    index = (out / "index.html").read_text()
    assert 'href="T001/report.html"' in index and 'href="T002/report.html"' in index


def test_report_is_self_contained_with_code_hidden(built):
    out, _ = built
    page = (out / "T002" / "report.html").read_text()
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "load_view" not in page and "import " not in page  # no code cells
    assert "notebook-only" not in page and "Run by papermill" not in page
    assert len(re.findall(r'<img [^>]*src="data:image/svg\+xml;base64,', page)) == 7  # e1RM, focus by week, hard sets, body, volume, frequency, ACWR
    assert all(alt.strip() for alt in re.findall(r'alt="([^"]*)"', page))
    assert "Strength: main lifts" in page and "best e1RM (kg)" in page


def test_strings_from_data_are_escaped(built):
    out, _ = built
    for page in ((out / "T001" / "report.html").read_text(), (out / "index.html").read_text()):
        assert XSS not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_reports_are_deterministic(built, tiny, tmp_path):
    out, _ = built
    batch.run(tiny, tmp_path, trainees=["T002"], jobs=1, log=lambda *_: None)
    assert (tmp_path / "T002" / "report.html").read_bytes() == (out / "T002" / "report.html").read_bytes()
    assert (tmp_path / "T002" / "summary.json").read_bytes() == (out / "T002" / "summary.json").read_bytes()


def test_unknown_trainee_fails_alone_and_exit_status_is_1(tiny, tmp_path, capsys):
    status = cli.main(["report", "--data", str(tiny), "--out", str(tmp_path), "--trainee", "T002",
                       "--trainee", "NOPE", "--jobs", "1"])
    assert status == 1
    assert (tmp_path / "T002" / "report.html").exists()
    assert "NOPE" in capsys.readouterr().err
    assert "NOPE" in (tmp_path / "index.html").read_text()


def test_failing_notebook_is_kept_and_replaces_the_stale_report(tmp_path):
    prepared = tmp_path / batch.PREPARED
    prepared.mkdir()
    rendered = render.render("T404", prepared, 8)  # nothing prepared for T404: the notebook's first cell fails
    assert rendered.html is None and "T404" in rendered.error
    assert json.loads(rendered.failed_notebook)["cells"]  # the partly executed notebook, for debugging
    stale = tmp_path / "T404" / "report.html"
    stale.parent.mkdir()
    stale.write_text("last week's report")
    batch._write_report(tmp_path, rendered, {})
    assert (tmp_path / "T404" / "failed.ipynb").exists()
    assert not stale.exists()


def test_one_failing_report_does_not_stop_the_others(built, tmp_path):
    out, _ = built
    prepared = out / batch.PREPARED  # holds T001..: T404 has nothing and fails in its worker
    with executors.LocalWorkers() as local:
        results = {r.name: r for r in local.render(["T404", "T002"], prepared, 8, workers=1)}
    assert results["T404"].error and results["T404"].html is None
    assert results["T002"].error is None and "<h1>" in results["T002"].html


def test_unreadable_dataset_exits_2_with_one_message(tmp_path, capsys):
    (tmp_path / "sets.csv").write_bytes(b"\x00\x01binary")
    assert cli.main(["report", "--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "sets.csv" in err and "Traceback" not in err
    assert [p.name for p in (tmp_path / "out").iterdir()] == [".lock"]  # no report, no index


def test_validate_lists_rejects_and_writes_them(tmp_path, capsys):
    (tmp_path / "sets.csv").write_text("trainee_id,date,exercise,reps\nT1,2025-01-06,Bench,5\nT1,2025-01-06,Bench,x\n")
    assert cli.main(["validate", str(tmp_path), "--rejects", str(tmp_path / "rej.csv")]) == 1  # rows rejected
    out = capsys.readouterr().out
    assert "2 rows read, 1 kept, 1 rejected" in out and ":3: reps: not a whole number" in out
    assert pl.read_csv(tmp_path / "rej.csv")["line"].to_list() == [3]


def test_import_command_reads_a_real_export_and_reports_on_it(tmp_path, capsys):
    export = REPO_EXPORTS / "strong_a_kg.csv"
    if not export.exists():
        pytest.skip(f"no fixture at {export}")
    assert cli.main(["import", str(export), "--trainee", "alexandros", "--unit", "kg", "--out", str(tmp_path / "ds")]) == 0
    out = capsys.readouterr().out
    assert "1903 rows read" in out
    result = batch.run(tmp_path / "ds", tmp_path / "reports", jobs=1, log=lambda *_: None)
    assert result.failures == {} and list(result.reports) == ["alexandros"]
    summary = json.loads((tmp_path / "reports" / "alexandros" / "summary.json").read_text())
    assert any(lift["main_lift"] for lift in summary["lifts"])


def test_import_command_names_unknown_formats_and_exits_2(tmp_path, capsys):
    junk = tmp_path / "notes.csv"
    junk.write_text("hello,world\n1,2\n")
    assert cli.main(["import", str(junk), "--trainee", "x", "--out", str(tmp_path / "ds")]) == 2
    err = capsys.readouterr().err
    assert "notes.csv" in err and "strong" in err and "hevy" in err
    assert not (tmp_path / "ds").exists()


def test_warm_kernel_reports_do_not_depend_on_the_previous_notebook(built):
    """Reports rendered one after another in one warm kernel equal a report
    from a fresh kernel, byte for byte (namespace reset, counter reset)."""
    out, _ = built
    prepared = out / batch.PREPARED
    kernel.discard_worker_kernel()
    fresh = render.render("T002", prepared, 8).html
    render.render("T001", prepared, 8)
    again = render.render("T002", prepared, 8).html
    kernel.discard_worker_kernel()
    assert again == fresh
    assert fresh == (out / "T002" / "report.html").read_text()


def test_cohort_overview_is_built_and_linked(built):
    out, _ = built
    overview = (out / "cohort.html").read_text()
    assert "Cohort overview" in overview and "Stalled longest" in overview
    assert "<script" not in overview and "¶" not in overview
    assert 'href="cohort.html"' in (out / "index.html").read_text()


def test_a_trainee_without_main_lifts_is_judged_on_the_most_trained_lifts():
    tables, _ = synth.generate(n_trainees=2, seed=8, weeks=20)
    main_names = {n for app in synth.APP_NAMES.values() for lift, n in app.items() if lift in synth.MAIN_LIFTS}
    no_main = tables["sets"].filter(~((pl.col("trainee_id") == "T002")
                                      & pl.col("exercise").is_in([*synth.MAIN_LIFTS, *main_names])))
    result = progress.analyse(no_main, tables["trainees"])
    lifts = result.lifts.filter(pl.col("trainee_id") == "T002")
    featured = lifts.filter("featured")
    assert featured.height == progress.FEATURED_MAX and featured["main_lift"].is_null().all()
    most = lifts.sort("sessions_in_window", descending=True).get_column("sessions_in_window")
    assert featured["sessions_in_window"].min() >= most[progress.FEATURED_MAX]
    assert result.summary("T002")["strength"]["status"] != "insufficient_data"
    # T001 keeps its main lifts, and only them
    t1 = result.lifts.filter(pl.col("trainee_id") == "T001")
    assert t1.filter("featured")["main_lift"].is_not_null().all() and t1["main_lift"].is_not_null().sum() == 4
    view = slice_for(result, "T002")
    section = html.strength_section(view)
    assert "Strength: most-trained lifts" in section and "No main lift" in section and "<img" in section
    assert "most-trained lifts" in html.verdict(view)
    assert "Strength: main lifts" in html.strength_section(slice_for(result, "T001"))


def test_a_real_log_whose_main_lifts_lapsed_follows_what_is_trained_now(tmp_path, capsys):
    export = REPO_EXPORTS / "strong_a_lb.csv"
    if not export.exists():
        pytest.skip(f"no fixture at {export}")
    assert cli.main(["import", str(export), "--trainee", "lb", "--unit", "lb", "--out", str(tmp_path / "ds")]) == 0
    dataset = native.read_dataset(tmp_path / "ds")
    result = progress.analyse(dataset.sets, dataset.trainees)
    lifts = result.lifts
    assert lifts.filter(pl.col("main_lift").is_not_null())["status"].unique().to_list() == ["insufficient_data"]
    featured = lifts.filter("featured")
    assert featured.height == progress.FEATURED_MAX and featured["main_lift"].is_null().all()
    assert "skull crusher" in featured["exercise"].to_list()
    assert result.summary("lb")["strength"]["status"] in ("progressing", "plateau", "declining", "uncertain")
