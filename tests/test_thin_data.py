"""progress.analyse on thin data: it never raises, every lift gets a known
status, summary.json is built for every trainee, and a lift with nothing to
judge says why.

Scenarios: one lift with a single session in the horizon; an as-of date
before a trainee's first log or with only 1-3 sessions before it; a trainee
whose sets are all bodyweight (no load); weekly as-of dates over a real
export (strong_c_sample.csv).

"Says why": every ``insufficient_data`` lift in summary.json, and a
``strength.status`` of ``insufficient_data`` (e.g. no lift in view at all),
carries a non-empty ``evidence`` text, as ``size`` does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from analysis import progress, schema
from analysis.io import importer, native

EXPORTS = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "exports"
LIFT_STATUSES = {"progressing", "plateau", "declining", "uncertain", "insufficient_data"}
MON = dt.date(2025, 1, 6)


def day(i: int) -> dt.date:
    return MON + dt.timedelta(days=i)


def sets_frame(rows: list[tuple]) -> pl.DataFrame:
    """Canonical sets as the importer writes them, from
    (trainee, day index, exercise, weight kg or None, reps) rows: one session a day."""
    seen: Counter = Counter()
    text = []
    for line, (trainee, i, exercise, weight, reps) in enumerate(rows, start=2):
        date = day(i).isoformat()
        seen[trainee, date] += 1
        text.append({"trainee_id": trainee, "date": date, "exercise": exercise,
                     "weight_kg": None if weight is None else str(weight), "reps": str(reps),
                     "set_type": "working", "session_id": f"{trainee}-{date}",
                     "set_index": str(seen[trainee, date] - 1), "_line": line})
    raw = pl.DataFrame(text, schema={c: pl.String for c in text[0]} | {"_line": pl.Int64})
    validated = schema.validate(raw, schema.SETS, "test")
    assert validated.rejected == 0, validated.rejects
    return validated.kept


def no_trainees() -> pl.DataFrame:
    return native.empty_table(schema.TRAINEES)


def progressing(trainee: str, exercise: str, days: range, start_kg: float = 100.0) -> list[tuple]:
    """Three sets of 5 a session, 1 kg more each session."""
    return [(trainee, d, exercise, start_kg + n, 5) for n, d in enumerate(days) for _ in range(3)]


def check(result: progress.Progress, trainee_ids: list[str]) -> dict[str, dict]:
    """Known statuses everywhere; summary.json for every trainee, JSON-serialisable."""
    statuses = set(result.lifts.get_column("status").to_list())
    assert statuses <= LIFT_STATUSES, statuses
    summaries = {}
    for tid in trainee_ids:
        summary = result.summary(tid)
        json.dumps(summary)
        assert summary["trainee_id"] == tid
        assert {lift["status"] for lift in summary["lifts"]} <= LIFT_STATUSES
        summaries[tid] = summary
    return summaries


def assert_says_why(summaries: dict[str, dict]) -> None:
    """Every insufficient_data lift, and a strength status of insufficient_data,
    carries a non-empty ``evidence`` text (as ``size`` does)."""
    for tid, summary in summaries.items():
        for lift in summary["lifts"]:
            if lift["status"] == "insufficient_data":
                assert _text(lift.get("evidence")), (tid, lift)
        strength = summary["strength"]
        if not any(lift["status"] != "insufficient_data" for lift in summary["lifts"]):
            assert strength["status"] == "insufficient_data", (tid, strength)
        if strength["status"] == "insufficient_data":
            assert _text(strength.get("evidence")), (tid, strength)


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


# --------------------------------------------------------------------------
# The scenarios
# --------------------------------------------------------------------------


def single_session_lift():
    """(a) Bench every 3-4 days for 12 weeks; one squat session in the horizon."""
    rows = progressing("T1", "Bench Press (Barbell)", range(0, 84, 3)) + [("T1", 80, "Squat (Barbell)", 120.0, 5)]
    return sets_frame(rows), None, ["T1"]


def before_first_log():
    """(b) T2 starts logging after the as-of date: nothing of T2's is in view (T1 is judged)."""
    rows = progressing("T1", "Bench Press (Barbell)", range(0, 84, 3)) + progressing(
        "T2", "Squat (Barbell)", range(70, 120, 3))
    return sets_frame(rows), day(60), ["T1", "T2"]


def before_everyones_first_log():
    """(b) The as-of date is before every trainee's first log: nothing in view at all."""
    rows = progressing("T1", "Bench Press (Barbell)", range(10, 84, 3)) + progressing(
        "T2", "Squat (Barbell)", range(20, 84, 3))
    return sets_frame(rows), day(5), ["T1", "T2"]


def few_sessions_before(n: int):
    """(b) T2 has only ``n`` sessions before the as-of date (more after it)."""
    def scenario():
        rows = progressing("T1", "Bench Press (Barbell)", range(0, 84, 3)) + progressing(
            "T2", "Squat (Barbell)", range(81 - 3 * n, 120, 3))
        return sets_frame(rows), day(80), ["T1", "T2"]
    return scenario


def all_bodyweight():
    """(c) T2's sets all have an empty weight (pull-ups, push-ups, dips)."""
    rows = progressing("T1", "Bench Press (Barbell)", range(0, 84, 3)) + [
        ("T2", d, ex, None, 8 + n % 3) for n, d in enumerate(range(0, 84, 2))
        for ex in ("Pull Up", "Push Up", "Chest Dip")
    ]
    return sets_frame(rows), None, ["T1", "T2"]


def only_bodyweight_trainee():
    """(c) The only trainee in the table logs no load at all."""
    rows = [("T1", d, ex, None, 10) for d in range(0, 84, 2) for ex in ("Pull Up", "Push Up")]
    return sets_frame(rows), None, ["T1"]


SCENARIOS = {
    "single_session_lift": single_session_lift,
    "as_of_before_first_log": before_first_log,
    "as_of_before_everyones_first_log": before_everyones_first_log,
    **{f"{n}_sessions_before_as_of": few_sessions_before(n) for n in (1, 2, 3)},
    "all_bodyweight": all_bodyweight,
    "only_bodyweight_trainee": only_bodyweight_trainee,
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_thin_data_never_raises(name):
    sets, as_of, ids = SCENARIOS[name]()
    check(progress.analyse(sets, no_trainees(), as_of=as_of, window_weeks=8), ids)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_thin_data_says_why(name):
    sets, as_of, ids = SCENARIOS[name]()
    assert_says_why(check(progress.analyse(sets, no_trainees(), as_of=as_of, window_weeks=8), ids))


def test_single_session_lift_is_insufficient_data():
    sets, as_of, _ = single_session_lift()
    lifts = progress.analyse(sets, no_trainees(), as_of=as_of).lifts
    squat = lifts.filter(pl.col("exercise") == "back squat")
    assert squat.get_column("status").to_list() == ["insufficient_data"]
    assert squat.get_column("change_pct_per_week").to_list() == [None]
    bench = lifts.filter(pl.col("exercise") == "bench press").get_column("status").to_list()
    assert bench and bench[0] != "insufficient_data"  # the well-logged lift is still judged


@pytest.mark.parametrize("name", ["as_of_before_first_log", "as_of_before_everyones_first_log", *(f"{n}_sessions_before_as_of" for n in (1, 2, 3))])
def test_trainee_with_little_before_as_of_has_no_verdict(name):
    sets, as_of, _ = SCENARIOS[name]()
    result = progress.analyse(sets, no_trainees(), as_of=as_of)
    summary = result.summary("T2")
    assert summary["as_of"] == as_of.isoformat()
    assert all(lift["status"] == "insufficient_data" for lift in summary["lifts"])
    assert summary["strength"]["status"] == "insufficient_data"
    assert all(lift["last_session"] <= as_of.isoformat() for lift in summary["lifts"])  # nothing after as_of


def test_bodyweight_only_trainee_has_no_load_verdict():
    sets, as_of, _ = all_bodyweight()
    summary = progress.analyse(sets, no_trainees(), as_of=as_of).summary("T2")
    assert summary["strength"]["status"] == "insufficient_data"
    assert all(lift["status"] == "insufficient_data" for lift in summary["lifts"])


# --------------------------------------------------------------------------
# (d) Weekly as-of dates over a real export
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def strong_c(tmp_path_factory) -> native.Dataset:
    path = EXPORTS / "strong_c_sample.csv"
    if not path.is_file():
        pytest.skip(f"real export not found at {path}")
    folder = tmp_path_factory.mktemp("strong_c")
    importer.import_files([path], "C1", folder, unit="kg")
    return native.read_dataset(folder)


def weekly(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every 7 days back from ``last``, down to a week before ``first``."""
    dates, d = [], last
    while d >= first - dt.timedelta(days=7):
        dates.append(d)
        d -= dt.timedelta(days=7)
    return dates[::-1]


def test_weekly_as_of_over_real_export_never_raises(strong_c):
    dates = strong_c.sets.get_column("date")
    failures = []
    for as_of in weekly(dates.min(), dates.max()):
        try:
            check(progress.analyse(strong_c.sets, strong_c.trainees, as_of=as_of, window_weeks=8,
                                   body=strong_c.body), strong_c.trainee_ids)
        except Exception as err:  # noqa: BLE001 - collect every failing date
            failures.append(f"{as_of}: {type(err).__name__}: {err}")
    assert not failures, "\n".join(failures)


def test_weekly_as_of_over_real_export_says_why(strong_c):
    dates = strong_c.sets.get_column("date")
    for as_of in weekly(dates.min(), dates.max()):
        result = progress.analyse(strong_c.sets, strong_c.trainees, as_of=as_of, window_weeks=8, body=strong_c.body)
        assert_says_why(check(result, strong_c.trainee_ids))
