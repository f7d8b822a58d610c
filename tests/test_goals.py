"""Goals (goals.csv): validation, expected dates and the reasons for none."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from analysis import compare, goals, schema

AS_OF = dt.date(2026, 3, 2)
WEEKS = 12


def result(status: str = "progressing", rate: float = 1.0, noise: float = 0.0, seed: int = 1):
    """A strength block of 12 weeks to AS_OF: squat e1RMs (5 reps, every other
    day) at ``rate`` %/week reaching 100 kg at AS_OF (plus log-normal
    ``noise``); the waist 85 cm at AS_OF falling 0.25 cm a week, the arm 38 cm
    rising 0.05, measured weekly."""
    rng = np.random.default_rng(seed)
    start = AS_OF - dt.timedelta(weeks=WEEKS)
    days = np.arange(0, 7 * WEEKS + 1, 2)
    weeks = (days - days[-1]) / 7
    e1rm = 100 * (1 + rate / 100) ** weeks * np.exp(rng.normal(0, noise, days.size))
    week_days = np.arange(0, 7 * WEEKS + 1, 7)
    ago = (week_days - week_days[-1]) / 7
    return SimpleNamespace(
        as_of=pl.DataFrame({"trainee_id": ["T1"], "as_of": [AS_OF], "window_start": [AS_OF - dt.timedelta(55)]}),
        blocks=pl.DataFrame({"trainee_id": ["T1"], "kind": ["strength"], "start": [start], "end": [AS_OF],
                             "weeks": [WEEKS + 1]}),
        lifts=pl.DataFrame({"trainee_id": ["T1"], "exercise": ["back squat"], "featured": [True],
                            "status": [status], "evidence": [None]}, schema_overrides={"evidence": pl.String}),
        e1rm_sessions=pl.DataFrame({"trainee_id": "T1", "exercise": "back squat",
                                    "date": [start + dt.timedelta(days=int(d)) for d in days],
                                    "e1rm_kg": e1rm, "reps": 5}),
        body=pl.DataFrame({"trainee_id": "T1", "measure": ["waist_cm"] * ago.size + ["arm_cm"] * ago.size,
                           "date": [start + dt.timedelta(days=int(d)) for d in week_days] * 2,
                           "value": np.r_[85 - 0.25 * ago, 38 + 0.05 * ago]}),
    )


def goal(what: str, target: float, by_date: dt.date | None = None) -> pl.DataFrame:
    return pl.DataFrame({"trainee_id": ["T1"], "what": [what], "target": [target], "by_date": [by_date]},
                        schema_overrides={"by_date": pl.Date})


def one(res, what: str, target: float, by_date: dt.date | None = None) -> dict:
    return goals.expected_dates(res, goal(what, target, by_date)).row(0, named=True)


def test_a_lift_goal_by_its_alias_gets_a_date_from_the_blocks_rate_and_an_interval():
    row = one(result(), "Squat (Barbell)", 110.0)
    # the joint block fit at the last session (AS_OF): 100 kg, 1 %/week
    assert (row["current"], row["unit"], row["reason"]) == (pytest.approx(100.0, abs=0.01), "kg 1RM", None)
    weeks = math.log(110 / 100) / math.log(1.01)  # 9.6 weeks
    assert abs((row["expected_date"] - AS_OF).days - 7 * weeks) <= 1
    assert row["expected_low"] < row["expected_date"] < row["expected_high"]
    noisy = one(result(noise=0.03), "back squat", 110.0)  # 3% session noise: a wider interval, still about right
    assert abs((noisy["expected_date"] - AS_OF).days - 7 * weeks) <= 4 * 7
    assert (noisy["expected_high"] - noisy["expected_low"]) > (row["expected_high"] - row["expected_low"])


@pytest.mark.parametrize(("res", "target", "by_date", "reason"), [
    (result(), 95.0, None, "reached"),
    (result(status="plateau", rate=0.02), 110.0, None, "on a plateau"),
    (result(status="declining", rate=-0.5), 110.0, None, "not on the current trend"),
    (result(), 110.0, AS_OF + dt.timedelta(weeks=4), "not on the current trend before by_date"),
    (result(rate=0.05), 300.0, None, "more than 104 weeks away on the current trend"),
])
def test_no_date_and_the_reason_why(res, target, by_date, reason):
    row = one(res, "back squat", target, by_date)
    assert (row["expected_date"], row["reason"]) == (None, reason)


def test_a_rate_interval_reaching_zero_leaves_the_late_end_open():
    row = one(result(status="uncertain", rate=0.3, noise=0.04, seed=3), "back squat", 105.0)
    assert row["expected_date"] is not None and row["expected_high"] is None


def test_body_goals_go_down_for_the_waist_and_up_for_the_arms():
    waist = one(result(), "waist_cm", 80.0)
    assert abs((waist["expected_date"] - AS_OF).days - 7 * 20) <= 1
    assert one(result(), "waist_cm", 86.0)["reason"] == "reached"
    assert one(result(), "arm_cm", 37.0)["reason"] == "reached"
    arm = one(result(), "arm_cm", 39.0)
    assert abs((arm["expected_date"] - AS_OF).days - 7 * 20) <= 1


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
