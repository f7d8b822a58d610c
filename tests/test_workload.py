"""Workload: daily load, EWMA ACWR, Foster monotony/strain, failure share, flags.

Check values are computed by hand in the comments (Williams 2017 EWMA,
Foster 1998 monotony with the population SD).
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analysis import workload

MON = dt.date(2025, 3, 3)  # a Monday
SCHEMA = {
    "trainee_id": pl.String, "date": pl.Date, "exercise": pl.String, "weight_kg": pl.Float64,
    "reps": pl.Int64, "rpe": pl.Float64, "set_type": pl.String, "session_id": pl.String,
}
LA, LC = 2 / 8, 2 / 29  # lambda = 2/(N+1): acute N=7, chronic N=28


def day(i: int) -> dt.date:
    return MON + dt.timedelta(days=i)


def sets_frame(rows) -> pl.DataFrame:
    """rows: (trainee, day index, weight, reps, rpe, set_type)."""
    return pl.DataFrame(
        [(t, day(i), "squat", w, r, rpe, st, f"{t}-{i}") for t, i, w, r, rpe, st in rows],
        orient="row", schema=SCHEMA,
    )


def from_loads(trainee: str, loads: list[float], start: int = 0) -> pl.DataFrame:
    """One working set of `load` kg x 1 rep per day; 0 = rest day (no row)."""
    return sets_frame([(trainee, start + i, float(x), 1, None, "working") for i, x in enumerate(loads) if x])


def as_of(**dates: int) -> pl.DataFrame:
    return pl.DataFrame({"trainee_id": list(dates), "as_of": [day(i) for i in dates.values()]})


# ---------------------------------------------------------------- daily_load


def test_daily_load_fills_rest_days_and_excludes_warmups():
    sets = sets_frame([
        ("A", 0, 60.0, 5, None, "warmup"),    # excluded
        ("A", 0, 100.0, 5, 8.0, "working"),   # 500
        ("A", 0, None, 10, None, "working"),  # bodyweight: 0 kg, but a set
        ("A", 3, 80.0, 8, None, "drop"),      # 640
        ("A", 3, 90.0, 3, None, "failure"),   # 270
        ("A", 5, 40.0, 5, None, "warmup"),    # warm-up only day: logged, 0 load
    ])
    got = workload.daily_load(sets)
    assert got.columns == ["trainee_id", "date", "load_kg", "sets"]
    assert got.select("date", "load_kg", "sets").rows() == [
        (day(0), 500.0, 2), (day(1), 0.0, 0), (day(2), 0.0, 0),
        (day(3), 910.0, 2), (day(4), 0.0, 0), (day(5), 0.0, 0),
    ]


# ---------------------------------------------------------------- acwr


def test_ewma_hand_computed_and_seeded_with_first_day():
    # daily loads 100, 0, 0, 200 (two rest days filled in)
    # acute  (l = 1/4):  100; .75*100 = 75; .75*75 = 56.25; .25*200 + .75*56.25 = 50 + 42.1875 = 92.1875
    # chronic (l = 2/29): 100; 27/29*100 = 93.10345; (27/29)^2*100 = 72900/841 = 86.68252;
    #                     2/29*200 + 27/29*72900/841 = (400*841 + 27*72900)/24389 = 2304700/24389 = 94.49752
    sets = from_loads("A", [100, 0, 0, 200])
    got = workload.acwr(workload.daily_load(sets))
    assert got.columns == ["trainee_id", "date", "acute", "chronic", "acwr"]
    assert got["acute"].to_list() == pytest.approx([100, 75, 56.25, 92.1875])
    assert got["chronic"].to_list() == pytest.approx([100, 2700 / 29, 72900 / 841, 2304700 / 24389])
    assert got["chronic"][3] == pytest.approx(94.49752, abs=1e-5)
    assert got["acwr"].null_count() == 4  # first 28 days: not enough history


def test_acwr_constant_load_is_one_after_28_days():
    got = workload.acwr(workload.daily_load(from_loads("A", [100] * 40)))
    assert got.height == 40
    assert got["acwr"][:28].null_count() == 28
    assert got["acwr"][28:].to_list() == pytest.approx([1.0] * 12)


def test_acwr_spike_value():
    # 35 days at 100 keep both EWMAs at exactly 100; then k = 7 days at 300:
    # EWMA_k = 300 - 200*(1-l)^k
    got = workload.acwr(workload.daily_load(from_loads("A", [100] * 35 + [300] * 7)))
    acute = 300 - 200 * 0.75**7              # 273.30
    chronic = 300 - 200 * (27 / 29) ** 7     # 178.72
    assert got["acwr"][-1] == pytest.approx(acute / chronic)
    assert got["acwr"][-1] == pytest.approx(1.529, abs=1e-3)


def test_acwr_null_where_chronic_is_zero():
    sets = pl.concat([from_loads("A", [100]), sets_frame([("A", 40, None, 10, None, "working")])])
    daily = workload.daily_load(sets).with_columns(pl.lit(0.0).alias("load_kg"))  # no load at all
    assert workload.acwr(daily)["acwr"].null_count() == 41


# ---------------------------------------------------------------- monotony


def test_monotony_of_a_known_week_population_sd():
    # loads 100,0,100,0,100,0,0: mean = 300/7 = 42.857
    # population SD: 3 days at +57.143, 4 at -42.857 -> var = (3*3265.31 + 4*1836.73)/7 = 2448.98, SD = 49.487
    # monotony = 42.857/49.487 = sqrt(3/4) = 0.8660 (sample SD would give 0.8018)
    # strain = 300 * 0.8660 = 259.81
    got = workload.monotony_strain(workload.daily_load(from_loads("A", [100, 0, 100, 0, 100, 0, 0, 100])))
    assert got.columns == ["trainee_id", "week", "weekly_load_kg", "monotony", "strain"]
    assert got.height == 1  # the second week (Monday only) is not a full week
    row = got.row(0, named=True)
    assert row["week"] == MON and row["weekly_load_kg"] == 300.0
    assert row["monotony"] == pytest.approx(math.sqrt(3) / 2)
    assert row["monotony"] == pytest.approx(0.8660, abs=1e-4)
    assert row["strain"] == pytest.approx(259.81, abs=1e-2)


def test_monotony_sd_zero_is_null_not_inf():
    # week 1: same load every day (SD 0); week 2: all rest (SD 0); week 3 varied
    loads = [100.3] * 7 + [0] * 7 + [100, 50, 0, 0, 0, 0, 100]
    got = workload.monotony_strain(workload.daily_load(from_loads("A", loads)))
    assert got["week"].to_list() == [MON, day(7), day(14)]
    assert got["weekly_load_kg"].to_list() == pytest.approx([702.1, 0.0, 250.0])
    assert got["monotony"][:2].to_list() == [None, None]
    assert got["strain"][:2].to_list() == [None, None]
    assert got["monotony"][2] is not None and math.isfinite(got["monotony"][2])


def test_monotony_only_full_weeks_inside_span():
    # span Wednesday (day 2) .. Tuesday two weeks later (day 15): only week of day 7 is full
    got = workload.monotony_strain(workload.daily_load(from_loads("A", [50] * 14, start=2)))
    assert got["week"].to_list() == [day(7)]


# ---------------------------------------------------------------- failure share


def test_failure_share_counts():
    sets = sets_frame([
        ("A", 0, 100.0, 5, 8.0, "working"),
        ("A", 0, 100.0, 5, None, "failure"),   # failure by type
        ("A", 1, 100.0, 3, 10.0, "working"),   # failure by RPE 10
        ("A", 1, 80.0, 8, None, "drop"),       # working, not failure (RPE null)
        ("A", 1, 60.0, 5, 10.0, "warmup"),     # not a working set
        ("A", 14, 100.0, 5, 9.5, "working"),   # two weeks later; week 2 empty
    ])
    got = workload.failure_share(sets)
    assert got.columns == ["trainee_id", "week", "working_sets", "failure_sets", "share"]
    assert got.select("week", "working_sets", "failure_sets", "share").rows() == [
        (MON, 4, 2, 0.5), (day(7), 0, 0, None), (day(14), 1, 0, 0.0)]


# ---------------------------------------------------------------- flags


def flagged(sets, dates) -> list[tuple[str, str]]:
    return workload.flags(sets, dates).select("trainee_id", "flag").rows()


def test_spike_flagged_and_message_is_a_flag_with_caveat():
    sets = from_loads("B", [100] * 35 + [300] * 7)
    got = workload.flags(sets, as_of(B=41))
    assert got.columns == ["trainee_id", "flag", "value", "threshold", "message"]
    assert got.select("trainee_id", "flag", "threshold").rows() == [("B", "acwr_spike", 1.5)]
    assert got["value"][0] == pytest.approx(1.529, abs=1e-3)
    msg = got["message"][0]
    assert "1.53" in msg and "Gabbett" in msg and "worth a look" in msg and "Lolli" in msg
    assert "Impellizzeri" in msg and "diagnos" in msg


def test_as_of_ignores_later_sets():
    sets = from_loads("B", [100] * 35 + [300] * 7)
    assert flagged(sets, as_of(B=34)) == []  # before the spike: ACWR 1.0


def test_low_acwr_flagged():
    # 7 days at 20 after 35 at 100: (20 + 80*.75^7) / (20 + 80*(27/29)^7) = 30.68/68.51 = 0.448
    got = workload.flags(from_loads("L", [100] * 35 + [20] * 7), as_of(L=41))
    assert got["flag"].to_list() == ["acwr_low"]
    assert got["value"][0] == pytest.approx(0.448, abs=1e-3)


def test_acwr_read_on_last_training_day_not_a_rest_day():
    # 3 sessions a week at a steady load: ACWR ~0.76 on a Sunday, ~1.17 on the Friday
    # (a warm-up logged on the last Sunday extends the span to that rest day)
    loads = [100, 0, 100, 0, 100, 0, 0] * 10
    sets = pl.concat([from_loads("S", loads), sets_frame([("S", 69, 20.0, 5, None, "warmup")])])
    daily = workload.daily_load(sets)
    assert daily["date"][-1] == day(69)
    assert workload.acwr(daily)["acwr"][-1] == pytest.approx(0.759, abs=1e-3)  # would read low
    assert flagged(sets, as_of(S=69)) == []


def test_monotony_flagged_in_last_full_week():
    # 100 x 6 days, 90 on Sunday: mean 98.571, pop SD 3.499 -> monotony 28.2 > 2
    sets = from_loads("M", [100] * 6 + [90] + [100, 0, 0])  # the 2nd week is not full
    got = workload.flags(sets, as_of(M=9))
    assert got["flag"].to_list() == ["monotony_high"]
    assert got["value"][0] == pytest.approx(98.5714 / 3.4993, rel=1e-3)
    assert "2025-03-03" in got["message"][0]


def failure_weeks(trainee: str, per_week: list[int], n: int = 10) -> pl.DataFrame:
    """n working sets each Monday, the first per_week[k] of them at RPE 10."""
    return sets_frame([
        (trainee, 7 * k, 100.0, 5, 10.0 if j < f else 8.0, "working")
        for k, f in enumerate(per_week) for j in range(n)
    ])


def test_failure_share_rising_flagged():
    # prior 4 weeks: 4/40 = 10 %; last 4 weeks: 12/40 = 30 % > 20 % and rising
    got = workload.flags(failure_weeks("F", [1, 1, 1, 1, 3, 3, 3, 3]), as_of(F=49))
    assert got["flag"].to_list() == ["failure_share_rising"]
    assert got["value"][0] == pytest.approx(0.3)
    msg = got["message"][0]
    assert "30 %" in msg and "10 %" in msg and "worth a look" in msg and "ACWR" not in msg


@pytest.mark.parametrize("per_week", [
    [4, 4, 4, 4, 3, 3, 3, 3],  # 30 % but falling from 40 %
    [0, 0, 0, 0, 1, 2, 2, 1],  # rising from 0 to 15 %: below 20 %
    [3, 3, 3, 3],              # no 4 weeks before to compare with
])
def test_failure_share_not_flagged(per_week):
    assert flagged(failure_weeks("F", per_week), as_of(F=7 * len(per_week) - 1)) == []


def test_nothing_flagged_gives_zero_rows_with_schema():
    got = workload.flags(from_loads("A", [100] * 40), as_of(A=39))  # ACWR 1.0, monotony SD 0
    assert got.height == 0
    assert got.schema == pl.Schema(workload.FLAGS_SCHEMA)
    assert workload.flags(from_loads("A", [100] * 40), as_of(Z=39)).height == 0  # not in the data


# ---------------------------------------------------------------- many trainees


def test_several_trainees_processed_independently_in_one_pass():
    parts = {
        "A": from_loads("A", [100] * 40),
        "B": from_loads("B", [100] * 35 + [300] * 7, start=3),
        "C": from_loads("C", [100, 0, 0, 200], start=10),
        "F": failure_weeks("F", [1, 1, 1, 1, 3, 3, 3, 3]),
    }
    both = pl.concat(parts.values()).sample(fraction=1.0, shuffle=True, seed=7)  # rows interleaved
    for name, fn in [("daily", lambda s: workload.daily_load(s)),
                     ("acwr", lambda s: workload.acwr(workload.daily_load(s))),
                     ("monotony", lambda s: workload.monotony_strain(workload.daily_load(s))),
                     ("failure", workload.failure_share)]:
        together = fn(both)
        for t, alone in parts.items():
            assert_frame_equal(together.filter(pl.col("trainee_id") == t), fn(alone), check_dtypes=False), name
    dates = as_of(A=39, B=44, C=13, F=49)
    # B's last full week (Mon day 35) is 100 x 3 then 300 x 4: mean 214.29, pop SD
    # 200*sqrt(3/7 * 4/7) = 98.97 -> monotony 2.165 > 2, flagged beside the spike
    got = workload.flags(both, dates)
    assert got.select("trainee_id", "flag").rows() == [
        ("B", "acwr_spike"), ("B", "monotony_high"), ("F", "failure_share_rising")]
    assert got["value"][1] == pytest.approx((1500 / 7) / (200 * math.sqrt(12 / 49)))
