"""Goals (goals.csv): validation, expected dates and the reasons for none."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import polars as pl
import pytest

from analysis import compare, goals, schema

AS_OF = dt.date(2026, 3, 2)


def result(status: str = "progressing", rate: float = 1.0, low: float = 0.5, high: float = 1.5):
    return SimpleNamespace(
        as_of=pl.DataFrame({"trainee_id": ["T1"], "as_of": [AS_OF], "window_start": [AS_OF - dt.timedelta(55)]}),
        lifts=pl.DataFrame({"trainee_id": ["T1"], "exercise": ["back squat"], "e1rm_kg": [100.0],
                            "change_pct_per_week": [rate], "change_low": [low], "change_high": [high],
                            "status": [status], "evidence": [None]}, schema_overrides={"evidence": pl.String}),
        body_trends=pl.DataFrame({"trainee_id": ["T1", "T1"], "measure": ["waist_cm", "arm_cm"], "last": [85.0, 38.0],
                                  "slope_per_week": [-0.25, 0.05], "low": [-0.4, -0.01], "high": [-0.1, 0.11]}),
    )


def goal(what: str, target: float, by_date: dt.date | None = None) -> pl.DataFrame:
    return pl.DataFrame({"trainee_id": ["T1"], "what": [what], "target": [target], "by_date": [by_date]},
                        schema_overrides={"by_date": pl.Date})


def one(res, what: str, target: float, by_date: dt.date | None = None) -> dict:
    return goals.expected_dates(res, goal(what, target, by_date)).row(0, named=True)


def test_a_lift_goal_by_its_alias_gets_a_date_from_the_rate_and_an_interval_from_its_interval():
    row = one(result(), "Squat (Barbell)", 110.0)
    # the last 4 weeks' median (100 kg) is about 2 weeks old: 102.01 kg now at 1 %/week
    assert (row["current"], row["unit"], row["reason"]) == (pytest.approx(102.01), "kg 1RM", None)
    weeks = math.log(110 / 102.01) / math.log(1.01)  # 7.6 weeks
    assert row["expected_date"] == AS_OF + dt.timedelta(days=round(7 * weeks))
    assert row["expected_low"] < row["expected_date"] < row["expected_high"]
    assert row["expected_high"] == AS_OF + dt.timedelta(days=round(7 * math.log(110 / 102.01) / math.log(1.005)))


@pytest.mark.parametrize(("res", "target", "by_date", "reason"), [
    (result(), 95.0, None, "reached"),
    (result(status="plateau", rate=0.02, low=-0.1, high=0.1), 110.0, None, "on a plateau"),
    (result(status="declining", rate=-0.5, low=-0.9, high=-0.1), 110.0, None, "not on the current trend"),
    (result(), 110.0, AS_OF + dt.timedelta(weeks=4), "not on the current trend before by_date"),
    (result(rate=0.05, low=0.01, high=0.1), 300.0, None, "more than 104 weeks away on the current trend"),
])
def test_no_date_and_the_reason_why(res, target, by_date, reason):
    row = one(res, "back squat", target, by_date)
    assert (row["expected_date"], row["reason"]) == (None, reason)


def test_a_rate_interval_reaching_zero_leaves_the_late_end_open():
    row = one(result(status="uncertain", rate=0.5, low=-0.2, high=1.2), "back squat", 105.0)
    assert row["expected_date"] is not None and row["expected_high"] is None


def test_body_goals_go_down_for_the_waist_and_up_for_the_arms():
    waist = one(result(), "waist_cm", 80.0)
    assert waist["expected_date"] == AS_OF + dt.timedelta(weeks=20)
    assert one(result(), "waist_cm", 86.0)["reason"] == "reached"
    assert one(result(), "arm_cm", 37.0)["reason"] == "reached"
    arm = one(result(), "arm_cm", 39.0)
    assert arm["expected_date"] == AS_OF + dt.timedelta(weeks=20) and arm["expected_high"] is None


def test_a_lift_not_in_the_log_says_so():
    assert one(result(), "Muscle Up", 10.0)["reason"] == "not in the log"


def test_goals_csv_rows_are_validated_with_reasons():
    raw = pl.DataFrame({
        "trainee_id": ["T1", "T1", "T1", "T1", "T1"], "what": ["back squat", "arm_cm", "arm_cm", "bench", ""],
        "target": ["150", "500", "40", "-5", "10"], "by_date": ["2026-12-31", "", "31/12/2026", "", ""],
        "_line": [2, 3, 4, 5, 6],
    })
    validated = schema.validate(raw, schema.GOALS, "goals.csv")
    assert validated.kept.get_column("what").to_list() == ["back squat"]
    reasons = dict(zip(validated.rejects["line"].to_list(), validated.rejects["column"].to_list()))
    assert reasons == {3: "target", 4: "by_date", 5: "target", 6: "what"}


def test_comparison_arrows_and_the_window_before():
    when = pl.DataFrame({"trainee_id": ["T1"], "as_of": [AS_OF], "window_start": [AS_OF - dt.timedelta(55)]})
    periods = compare.windows(when).sort("period")
    assert periods.select("start", "end").rows() == [
        (AS_OF - dt.timedelta(55), AS_OF), (AS_OF - dt.timedelta(111), AS_OF - dt.timedelta(56))]
    values = pl.DataFrame({"trainee_id": "T1", "period": ["previous", "current"] * 3,
                           "measure": ["a", "a", "b", "b", "c", "c"], "value": [100.0, 101.0, 10.0, 12.0, 5.0, 4.0]})
    got = compare.table(values).sort("measure")
    assert got["arrow"].to_list() == ["→", "↑", "↓"] and got["change"].to_list() == [1.0, 2.0, -1.0]
