"""The scenario grid: deterministic, valid canonical data, truth that follows its own conventions."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import polars as pl
import pytest

from analysis import scenarios, schema, synth


@pytest.fixture(scope="module")
def grid():
    return {name: scenarios.generate(name, 11) for name in scenarios.SCENARIOS}


def _validate(frame: pl.DataFrame, table: schema.Table) -> schema.Validated:
    raw = frame.select(pl.all().cast(pl.String)).with_columns(
        pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("_line"))
    return schema.validate(raw, table, table.name)


def test_same_seed_same_cohort_other_seed_other_cohort():
    a_tables, a_truth = scenarios.generate("deloads_slips", 5, n_trainees=6)
    b_tables, b_truth = scenarios.generate("deloads_slips", 5, n_trainees=6)
    assert a_truth == b_truth
    for name in ("sets", "body", "trainees"):
        assert a_tables[name].equals(b_tables[name])
    c_tables, _ = scenarios.generate("deloads_slips", 6, n_trainees=6)
    assert not a_tables["sets"].equals(c_tables["sets"])
    # scenarios are drawn independently: the same seed gives different cohorts
    d_tables, _ = scenarios.generate("noisy", 5, n_trainees=6)
    assert not a_tables["trainees"].equals(d_tables["trainees"])


def test_grid_is_named_and_split():
    assert len(scenarios.LIFT_SCENARIOS) >= 8 and len(scenarios.SIZE_SCENARIOS) >= 5
    assert set(scenarios.SCENARIOS) == {*scenarios.LIFT_SCENARIOS, *scenarios.SIZE_SCENARIOS}
    assert all(isinstance(v, str) and v for v in scenarios.SCENARIOS.values())
    with pytest.raises(ValueError):
        scenarios.generate("nope", 1)


@pytest.mark.parametrize("name", ["steady", "deloads_slips", "once_a_week", "mixed", "size_fat_gain"])
def test_tables_are_valid_canonical_data(name):
    tables, _ = scenarios.generate(name, 3, n_trainees=12)
    assert tables["sets"].schema == pl.Schema(synth.SETS_OUT)
    assert tables["body"].schema == pl.Schema(synth.BODY_OUT)
    assert tables["trainees"].schema == pl.Schema(synth.TRAINEES_OUT)
    for frame, table in ((tables["sets"], schema.SETS), (tables["body"], schema.BODY),
                         (tables["trainees"], schema.TRAINEES)):
        checked = _validate(frame, table)
        assert checked.rejected == 0, checked.rejects.head()
    assert set(tables["sets"]["exercise"].unique()) <= {*synth.MAIN_LIFTS, *synth.ACCESSORIES}


@pytest.mark.parametrize("name", scenarios.LIFT_SCENARIOS)
def test_every_lift_scenario_mixes_the_classes(grid, name):
    _, truth = grid[name]
    statuses = Counter(lift["status"] for p in truth["trainees"].values() for lift in p["lifts"].values())
    n = sum(statuses.values())
    assert n >= 200
    assert set(statuses) == {"progressing", "plateau", "declining"}
    assert all(statuses[c] / n >= 0.15 for c in statuses), statuses  # no constant answer scores
    assert max(statuses.values()) / n <= 0.55, statuses


def test_truth_follows_the_rope_on_the_path(grid):
    rope = scenarios.ROPE_PCT_PER_WEEK
    for name in scenarios.LIFT_SCENARIOS:
        tables, truth = grid[name]
        last_logged = dict(tables["sets"].group_by("trainee_id").agg(pl.col("date").max()).rows())
        for tid, person in truth["trainees"].items():
            last = dt.date.fromisoformat(person["last_day"])
            assert last_logged[tid] == last
            for lift, t in person["lifts"].items():
                dates = pl.Series([last - dt.timedelta(days=21), last])
                a, b = np.log(synth.true_one_rm(t, dates))
                rate = 100 * (b - a) / 3
                assert rate == pytest.approx(t["rate_pct_per_week"], abs=1e-3)
                expected = "progressing" if rate > rope else "declining" if rate < -rope else "plateau"
                assert t["status"] == expected, (tid, lift, rate)
                assert t["path"][-1][0] == person["last_day"] and t["path"][0][0] == person["start"]
                gaps = np.diff([dt.date.fromisoformat(d).toordinal() for d, _ in t["path"]])
                assert gaps.max() <= 7
                if t["status"] == "progressing":
                    assert t["plateau_since"] is None
                    continue
                since = dt.date.fromisoformat(t["change_since"])
                assert 21 <= (last - since).days <= 16 * 7, (tid, lift)
                assert t["plateau_since"] == (t["change_since"] if t["status"] == "plateau" else None)


def test_recent_changes_are_recent(grid):
    _, truth = grid["recent_change"]
    weeks = [(dt.date.fromisoformat(p["last_day"]) - dt.date.fromisoformat(t["change_since"])).days / 7
             for p in truth["trainees"].values() for t in p["lifts"].values() if t["status"] != "progressing"]
    assert weeks and max(weeks) <= 8 and min(weeks) >= 3


def test_log_lengths_and_top_level_keys(grid):
    weeks = []
    for name in scenarios.LIFT_SCENARIOS:
        _, truth = grid[name]
        assert {"seed", "scenario", "start", "end", "trainees"} <= set(truth)
        assert truth["scenario"] == name and truth["seed"] == 11
        for p in truth["trainees"].values():
            weeks.append((dt.date.fromisoformat(p["last_day"]) - dt.date.fromisoformat(p["start"])).days / 7)
            assert {"scenario", "sex", "experience", "blocks", "size", "lifts"} <= set(p)
        assert truth["end"] == max(p["last_day"] for p in truth["trainees"].values())
    assert min(weeks) >= 19 and max(weeks) <= 131 and max(weeks) >= 80


def test_scenario_conditions_show_in_the_logs(grid):
    # block switches: 1-5 rep strength blocks and a short final block
    _, truth = grid["block_switches"]
    final = [(dt.date.fromisoformat(p["blocks"][-1]["end"]) - dt.date.fromisoformat(p["blocks"][-1]["start"])).days
             for p in truth["trainees"].values()]
    assert max(final) < 14
    # deloads every few weeks and logging slips (loads far off the lifter's usual)
    tables, truth = grid["deloads_slips"]
    deloads = [sum(b["kind"] == "deload" for b in p["blocks"]) for p in truth["trainees"].values()]
    assert min(deloads) >= 2
    sets = tables["sets"].filter(pl.col("exercise").is_in(synth.MAIN_LIFTS))
    ratio = sets.with_columns((pl.col("weight_kg") / pl.col("weight_kg").median().over("trainee_id", "exercise"))
                              .alias("r"))
    assert ratio.filter(pl.col("r") > 1.8).height > 0 and ratio.filter(pl.col("r") < 0.2).height > 0
    # once a week: no main lift twice in a week
    tables, _ = grid["once_a_week"]
    per_week = (tables["sets"].filter(pl.col("exercise").is_in(synth.MAIN_LIFTS))
                .group_by("trainee_id", "exercise", pl.col("date").dt.truncate("1w"))
                .agg(pl.col("session_id").n_unique()))
    assert per_week["session_id"].max() == 1
    # RPE logged by some trainees only; some warm-ups flagged, some not
    tables, truth = grid["rpe_varied"]
    logs = {p["logs_rpe"] for p in truth["trainees"].values()}
    assert logs == {True, False}
    assert {"warmup", "working"} <= set(tables["sets"]["set_type"].unique())
    # noise: the noisy scenario's trainees are noisier
    noisy = [p["noise_pct"] for p in grid["noisy"][1]["trainees"].values()]
    steady = [p["noise_pct"] for p in grid["steady"][1]["trainees"].values()]
    assert min(noisy) >= 6 and max(steady) <= 3.5


def test_size_scenarios_carry_the_size_truth(grid):
    rope = scenarios.SIZE_ROPE_CM_PER_WEEK
    expected = {"size_growing": "growing", "size_grow_then_stop": "flat", "size_flat": "flat",
                "size_fat_gain": "flat", "size_shrinking": "shrinking"}
    for name in scenarios.SIZE_SCENARIOS:
        tables, truth = grid[name]
        people = truth["trainees"]
        assert len(people) >= 200
        last_logged = dict(tables["sets"].group_by("trainee_id").agg(pl.col("date").max()).rows())
        girths = tables["body"].filter(pl.col("measure") != "bodyweight_kg")
        measured = set(girths["trainee_id"].unique())
        statuses = Counter(p["size"]["status"] for p in people.values())
        assert statuses[expected[name]] >= 0.85 * len(people)
        for tid, p in people.items():
            size = p["size"]
            assert last_logged[tid] == dt.date.fromisoformat(p["last_day"])
            if size["status"] == "insufficient_data":
                assert tid not in measured
                continue
            assert tid in measured
            rate = scenarios.limb_rate(size["change_per_week"])
            if name == "size_fat_gain":
                assert size["status"] == "flat"
                assert size["change_per_week"]["waist_cm"] > 3 * rate > 0
            else:
                assert size["status"] == ("growing" if rate > rope else "shrinking" if rate < -rope else "flat")
            if name == "size_grow_then_stop":
                weeks = (dt.date.fromisoformat(p["last_day"]) - dt.date.fromisoformat(size["flat_since"])).days / 7
                assert 8 <= weeks <= 20
            else:
                assert size["flat_since"] is None
        # girths every 1-3 weeks (some skipped)
        gaps = (girths.filter(pl.col("measure") == "arm_cm").sort("trainee_id", "date")
                .with_columns(pl.col("date").diff().dt.total_days().over("trainee_id").alias("gap"))
                .group_by("trainee_id").agg(pl.col("gap").min()))
        assert gaps["gap"].min() >= 5 and gaps["gap"].max() <= 23


def test_scoring_helpers():
    frame = pl.DataFrame({
        "truth": ["progressing", "plateau", "declining", "plateau", "plateau"],
        "status": ["progressing", "uncertain", "declining", "plateau", "insufficient_data"],
    })
    d = scenarios.with_probabilities(frame, scenarios.CLASSES)
    s = scenarios.score(d, scenarios.CLASSES)
    assert s["n"] == 5 and s["insufficient"] == 1 and s["scored"] == 4
    assert s["committed_accuracy"] == 1.0 and s["coverage"] == 0.75
    # the uncertain row is uniform: its argmax is the first class, wrong here
    assert s["top_accuracy"] == 0.75
    assert s["brier"] == pytest.approx((0 + (2 * (1 / 3) ** 2 + (2 / 3) ** 2) + 0 + 0) / 4)
    assert s["risk_coverage"][0]["coverage"] == 0.75
