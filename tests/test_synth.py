"""The synthetic cohort: valid canonical data whose log matches its truth."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest

from analysis import synth
from analysis.io import native


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort")
    truth = synth.write_cohort(folder, n_trainees=16, seed=3)
    return folder, truth


def test_cohort_is_valid_canonical_data(cohort):
    folder, truth = cohort
    ds = native.read_dataset(folder)
    assert ds.rejects.is_empty()
    assert ds.sets["trainee_id"].n_unique() == 16
    assert json.loads((folder / "truth.json").read_text()) == truth


def test_same_seed_same_bytes(tmp_path):
    synth.write_cohort(tmp_path / "a", n_trainees=3, seed=11)
    synth.write_cohort(tmp_path / "b", n_trainees=3, seed=11)
    for name in ("sets.csv", "body.csv", "trainees.csv", "truth.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_cohort_has_the_variety_the_detectors_need(cohort):
    folder, truth = cohort
    people = truth["trainees"].values()
    assert {p["sex"] for p in people} == {"F", "M"}
    assert len({p["experience"] for p in people}) >= 2
    assert {True, False} == {p["logs_rpe"] for p in people}
    statuses = [lift["status"] for p in people for lift in p["lifts"].values()]
    assert {"progressing", "plateau", "declining"} <= set(statuses)
    kinds = {b["kind"] for p in people for b in p["blocks"]}
    assert kinds == {"hypertrophy", "strength", "deload"}


def test_working_sets_follow_the_block_zones(cohort):
    folder, truth = cohort
    sets = pl.read_csv(folder / "sets.csv", try_parse_dates=True)
    canonical = {name: lift for app in synth.APP_NAMES.values() for lift, name in app.items()}
    rows = []
    for tid, person in truth["trainees"].items():
        for block in person["blocks"]:
            rows.append((tid, block["kind"], block["start"], block["end"]))
    blocks = pl.DataFrame(rows, orient="row", schema=["trainee_id", "kind", "start", "end"]).with_columns(
        pl.col("start", "end").str.to_date())
    main = (
        sets.with_columns(pl.col("exercise").replace(canonical).alias("lift"))
        .filter(pl.col("lift").is_in(synth.MAIN_LIFTS) & pl.col("set_type").is_in(["working", "failure"])
                & pl.col("rpe").is_not_null())
        .join(blocks, on="trainee_id")
        .filter(pl.col("date").is_between(pl.col("start"), pl.col("end")))
    )
    reps = dict(main.group_by("kind").agg(pl.col("reps").median()).rows())
    assert reps["strength"] <= 6 < 8 <= reps["hypertrophy"]


def test_changes_start_inside_the_log_and_at_least_four_weeks_before_its_end():
    _, truth = synth.generate(n_trainees=30, seed=5)
    end = dt.date.fromisoformat(truth["end"])
    changes = [t for p in truth["trainees"].values() for t in p["lifts"].values() if t["status"] != "progressing"]
    assert len(changes) > 20
    for lift in changes:
        since = dt.date.fromisoformat(lift["change_since"])
        assert truth["start"] < lift["change_since"] and (end - since).days >= 28
        assert (lift["plateau_since"] is not None) == (lift["status"] == "plateau")
        assert (lift["rate_pct_per_week"] < 0) == (lift["status"] == "declining")


def test_body_truth_matches_the_logged_arm_girths():
    tables, truth = synth.generate(n_trainees=30, seed=9)
    body = tables["body"].filter(pl.col("measure") == "arm_cm")
    for tid, person in truth["trainees"].items():
        arm = body.filter(pl.col("trainee_id") == tid).sort("date")
        if person["size"]["status"] == "insufficient_data":
            assert arm.is_empty()
            continue
        days = (arm["date"] - arm["date"][0]).dt.total_days().to_numpy()
        slope_per_week = np.polyfit(days, arm["value"].to_numpy(), 1)[0] * 7
        expected = person["size"]["change_per_week"]["arm_cm"]
        assert slope_per_week == pytest.approx(expected, abs=0.03)


@pytest.mark.parametrize("weeks", [6, 10, 36])
def test_true_path_matches_the_truth_it_records(weeks):
    _, truth = synth.generate(n_trainees=20, seed=4, weeks=weeks)
    start, end = (dt.date.fromisoformat(truth[k]) for k in ("start", "end"))
    days = pl.date_range(start, end, eager=True)
    for person in truth["trainees"].values():
        for lift in person["lifts"].values():
            path = synth.true_one_rm(lift, days)
            assert path[0] == pytest.approx(lift["start_1rm_kg"], abs=0.01)
            assert path[-1] == pytest.approx(lift["end_1rm_kg"], abs=0.01)
            if lift["status"] == "plateau" and lift["plateau_since"] > truth["start"]:
                flat = path[(days >= dt.date.fromisoformat(lift["plateau_since"])).to_numpy()]
                assert flat.max() == pytest.approx(flat.min(), rel=1e-9)
