"""The block_response scenario: valid logs with girths, and truth consistent with its own paths."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from analysis import scenarios, schema, synth

SCENARIO = "block_response"


@pytest.fixture(scope="module")
def cohort():
    return scenarios.generate(SCENARIO, 7, n_trainees=12)


def _day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def _at(path: list, iso: str) -> float:
    return next(v for d, v in path if d == iso)


def test_a_family_apart_from_the_grid():
    assert SCENARIO in scenarios.BLOCK_SCENARIOS and SCENARIO not in scenarios.SCENARIOS
    a_tables, a_truth = scenarios.generate(SCENARIO, 3, n_trainees=3)
    b_tables, b_truth = scenarios.generate(SCENARIO, 3, n_trainees=3)
    assert a_truth == b_truth and a_tables["body"].equals(b_tables["body"])


def test_tables_are_valid_canonical_data_with_girths(cohort):
    tables, truth = cohort
    for frame, table in ((tables["sets"], schema.SETS), (tables["body"], schema.BODY),
                         (tables["trainees"], schema.TRAINEES)):
        raw = frame.select(pl.all().cast(pl.String)).with_columns(
            pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("_line"))
        assert schema.validate(raw, table, table.name).rejected == 0
    people = set(truth["trainees"])
    body = tables["body"]
    for measure in ("bodyweight_kg", *scenarios.GIRTHS):
        assert set(body.filter(pl.col("measure") == measure)["trainee_id"]) == people
    gaps = (body.filter(pl.col("measure") == "arm_cm").sort("trainee_id", "date")
            .with_columns(pl.col("date").diff().dt.total_days().over("trainee_id").alias("gap")))
    assert 5 <= gaps["gap"].min() and gaps.group_by("trainee_id").agg(pl.col("gap").min())["gap"].max() <= 23


def test_blocks_tile_the_log_and_set_the_reps(cohort):
    tables, truth = cohort
    weeks = []
    for tid, p in truth["trainees"].items():
        blocks = p["blocks"]
        assert blocks[0]["start"] == p["start"] and blocks[-1]["end"] == p["last_day"]
        for a, b in zip(blocks, blocks[1:]):
            assert _day(b["start"]) == _day(a["end"]) + dt.timedelta(days=1) and a["kind"] != b["kind"]
        for b in blocks[:-1]:
            assert b["weeks"] == (_day(b["end"]) - _day(b["start"])).days // 7 + 1
            if b["kind"] == "deload":
                assert b["weeks"] == 1
            else:
                assert 3 <= b["weeks"] <= 12
                weeks.append(b["weeks"])
    assert np.mean(np.array(weeks) >= 6) >= 0.5
    # the heaviest set of a main lift in a session: 8-12 reps in hypertrophy blocks, 1-5 in strength blocks
    kinds = pl.DataFrame([(tid, b["kind"], _day(b["start"]), _day(b["end"])) for tid, p in truth["trainees"].items()
                          for b in p["blocks"]], orient="row", schema=["trainee_id", "kind", "start", "end"])
    top = (tables["sets"].filter(pl.col("exercise").is_in(synth.MAIN_LIFTS))
           .sort("weight_kg").group_by("trainee_id", "session_id", "exercise").last()
           .join(kinds, on="trainee_id").filter(pl.col("date").is_between("start", "end")))
    reps = dict(top.group_by("kind").agg(pl.col("reps").median()).rows())
    assert 1 <= reps["strength"] <= 5 and 8 <= reps["hypertrophy"] <= 12


def test_block_changes_are_the_paths_at_the_block_ends(cohort):
    _, truth = cohort
    for p in truth["trainees"].values():
        for b in p["blocks"]:
            dates = pl.Series([_day(b["start"]), _day(b["end"])])
            for lift, change in b["one_rm_change_pct"].items():
                first, last = synth.true_one_rm(p["lifts"][lift], dates)
                assert change == pytest.approx(100 * (last / first - 1), abs=1e-9)
            for m, change in b["girth_change_cm"].items():
                path = p["size"]["path"][m]
                assert change == pytest.approx(_at(path, b["end"]) - _at(path, b["start"]), abs=1e-9)
            path = p["size"]["path"]["bodyweight_kg"]
            assert b["bodyweight_change_kg"] == pytest.approx(_at(path, b["end"]) - _at(path, b["start"]), abs=1e-9)


def test_rates_depend_on_the_block_kind(cohort):
    _, truth = cohort

    def rate(kind: str, key: str, names: tuple[str, ...]) -> float:
        return float(np.mean([b[key][n] / b["weeks"] for p in truth["trainees"].values() for b in p["blocks"]
                              if b["kind"] == kind for n in names]))

    assert rate("strength", "one_rm_change_pct", synth.MAIN_LIFTS) > 2 * rate(
        "hypertrophy", "one_rm_change_pct", synth.MAIN_LIFTS) > 0
    assert rate("hypertrophy", "girth_change_cm", scenarios.LIMBS) > 3 * abs(
        rate("strength", "girth_change_cm", scenarios.LIMBS))


def test_future_paths_and_goals_agree(cohort):
    _, truth = cohort
    reached, goals = [], 0
    for p in truth["trainees"].values():
        last = _day(p["last_day"])
        future = p["future_path"]
        assert set(future) == {*synth.MAIN_LIFTS, *scenarios.GIRTHS}
        for m, path in future.items():
            assert [_day(d) for d, _ in path] == [last + dt.timedelta(days=k) for k in range(16 * 7 + 1)]
            now = p["lifts"][m]["path"] if m in p["lifts"] else p["size"]["path"][m]
            assert path[0][1] == pytest.approx(now[-1][1]) and now[-1][0] == p["last_day"]
        assert 3 <= len(p["goals"]) <= 4
        for g in p["goals"]:
            path = future[g["what"]]
            assert g["target"] > path[0][1]
            first = next((d for d, v in path if v >= g["target"]), None)
            assert g["true_reach_date"] == first
            goals += 1
            if first is not None:
                reached.append((_day(first) - last).days / 7)
    assert 0.4 <= len(reached) / goals < 0.95
    assert np.median(reached) >= 2
