"""Volume load and frequency: hand-computed sums, gaps kept as zero weeks.
Hard sets, %1RM, zones, INOL, deloads and blocks: values checked by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis import catalog, volume

MON = dt.date(2025, 3, 3)


def sets_frame(rows):
    return pl.DataFrame(rows, orient="row", schema={
        "trainee_id": pl.String, "date": pl.Date, "session_id": pl.String, "exercise": pl.String,
        "weight_kg": pl.Float64, "reps": pl.Int64, "set_type": pl.String})


SETS = sets_frame([
    ("T1", MON, "a", "squat", 60.0, 5, "warmup"),          # excluded
    ("T1", MON, "a", "squat", 100.0, 5, "working"),        # 500
    ("T1", MON, "a", "squat", 100.0, 4, "failure"),        # 400
    ("T1", MON, "a", "pull-up", None, 8, "working"),       # unloaded
    ("T1", MON + dt.timedelta(days=2), "b", "bench", 80.0, 8, "drop"),  # 640, same week
    ("T1", MON + dt.timedelta(days=14), "c", "bench", 80.0, 5, "working"),  # 400, two weeks later
    ("T2", MON, "x", "squat", 50.0, 10, "working"),        # 500
])


def test_volume_by_session_sums_reps_times_load_of_working_sets():
    got = volume.volume_by_session(SETS).select("trainee_id", "session_id", "volume_load_kg", "sets", "unloaded_sets")
    assert got.rows() == [("T1", "a", 900.0, 3, 1), ("T1", "b", 640.0, 1, 0), ("T1", "c", 400.0, 1, 0),
                          ("T2", "x", 500.0, 1, 0)]


def test_volume_by_week_keeps_empty_weeks_as_zero():
    got = volume.volume_by_week(SETS).filter(pl.col("trainee_id") == "T1")
    assert got.select("week", "volume_load_kg").rows() == [
        (MON, 1540.0), (MON + dt.timedelta(days=7), 0.0), (MON + dt.timedelta(days=14), 400.0)]


def test_volume_by_exercise_week():
    got = volume.volume_by_exercise_week(SETS).filter(pl.col("trainee_id") == "T1")
    assert dict(got.filter(pl.col("week") == MON).select("exercise", "volume_load_kg").rows()) == {
        "squat": 900.0, "pull-up": 0.0, "bench": 640.0}


def test_sessions_per_week_counts_distinct_sessions_with_zero_weeks():
    got = volume.sessions_per_week(SETS).filter(pl.col("trainee_id") == "T1")
    assert got["sessions"].to_list() == [2, 0, 1]


# --------------------------------------------------------------------------
# Hard sets per muscle
# --------------------------------------------------------------------------

def rpe_sets(rows):
    return pl.DataFrame(rows, orient="row", schema={
        "trainee_id": pl.String, "date": pl.Date, "session_id": pl.String, "exercise": pl.String,
        "weight_kg": pl.Float64, "reps": pl.Int64, "rpe": pl.Float64, "set_type": pl.String})


WED = MON + dt.timedelta(days=2)
NEXT = MON + dt.timedelta(days=7)
HARD = rpe_sets([
    ("T1", MON, "a", "Bench Press (Barbell)", 60.0, 8, None, "warmup"),   # warm-up: no
    ("T1", MON, "a", "Bench Press (Barbell)", 80.0, 8, 8.0, "working"),   # hard
    ("T1", MON, "a", "Bench Press (Barbell)", 80.0, 8, None, "working"),  # RPE unknown: hard
    ("T1", MON, "a", "Bench Press (Barbell)", 70.0, 8, 6.0, "working"),   # RPE 6: not hard
    ("T1", MON, "a", "Bench Press (Barbell)", 80.0, 0, None, "failure"),  # no rep: no
    ("T1", WED, "b", "overhead press", 50.0, 5, 9.0, "working"),          # hard
    ("T1", WED, "b", "Mystery Machine", 40.0, 12, None, "working"),       # unknown exercise
    ("T1", WED, "b", "Mystery Machine", 40.0, 12, None, "drop"),          # drop sets count
    ("T1", NEXT, "c", "bench press", 80.0, 5, 7.0, "working"),            # RPE 7 counts
])


def test_hard_sets_count_primary_one_secondary_half():
    # bench press: chest, triceps primary; front delts secondary.
    # overhead press: front delts, triceps primary; side delts, upper back, abs secondary.
    got = volume.hard_sets_per_muscle(HARD)
    assert got.columns == ["trainee_id", "week", "muscle", "hard_sets"]
    first = dict(got.filter(pl.col("week") == MON).select("muscle", "hard_sets").rows())
    assert first == {"chest": 2.0, "triceps": 2.0 + 1.0, "front delts": 2 * 0.5 + 1.0,
                     "side delts": 0.5, "upper back": 0.5, "abs": 0.5, "unknown": 2.0}
    second = dict(got.filter(pl.col("week") == NEXT).select("muscle", "hard_sets").rows())
    assert second == {"chest": 1.0, "triceps": 1.0, "front delts": 0.5}


def test_hard_sets_use_an_existing_lift_column():
    annotated = catalog.annotate(HARD, columns=("lift",))
    assert volume.hard_sets_per_muscle(annotated).equals(volume.hard_sets_per_muscle(HARD))


def test_hard_set_references():
    refs = volume.HARD_SET_REFERENCES
    assert refs["min_sets_per_week"] == 10
    assert refs["trained_sets_per_week"] == (12, 20)
    assert refs["growth_pct_per_weekly_set"] == 0.37


# --------------------------------------------------------------------------
# Intensity
# --------------------------------------------------------------------------

TREND = pl.DataFrame({
    "trainee_id": ["T1", "T1"], "lift": ["back squat", "back squat"],
    "date": [MON + dt.timedelta(days=7), MON + dt.timedelta(days=14)], "trend_kg": [100.0, 110.0]})


def test_intensity_against_trend_then_best_so_far():
    sets = rpe_sets([
        ("T1", MON + dt.timedelta(days=10), "c", "back squat", 100.0, 1, None, "working"),  # trend of day 7
        ("T1", MON, "a", "back squat", 80.0, 5, None, "working"),     # no trend yet: own best 80*(1+5/30)
        ("T1", MON + dt.timedelta(days=7), "b", "back squat", 90.0, 3, None, "working"),   # trend 100
        ("T1", MON + dt.timedelta(days=14), "d", "back squat", 99.0, 3, None, "working"),  # trend 110
        ("T1", MON, "a", "bench press", 60.0, 5, None, "working"),    # best 70 so far
        ("T1", MON + dt.timedelta(days=7), "b", "bench press", 50.0, 10, None, "working"),  # 66.7 < 70
        ("T1", MON + dt.timedelta(days=7), "b", "pull-up", None, 8, None, "working"),       # no load
    ])
    got = volume.intensity(sets, TREND)
    assert got.columns == [*sets.columns, "lift", "reference_kg", "pct_1rm"]
    ref = got.get_column("reference_kg").to_list()
    pct = got.get_column("pct_1rm").to_list()
    squat_best = 80 * (1 + 5 / 30)
    assert ref[:4] == pytest.approx([100.0, squat_best, 100.0, 110.0])
    assert pct[:4] == pytest.approx([100.0, 100 * 80 / squat_best, 90.0, 90.0])
    assert ref[4:6] == pytest.approx([70.0, 70.0])
    assert pct[4:6] == pytest.approx([100 * 60 / 70, 100 * 50 / 70])
    assert pct[6] is None


# --------------------------------------------------------------------------
# Zones
# --------------------------------------------------------------------------

ZONE_CASES = [
    # reps, %1RM, zone
    (5, 90.0, "strength"),
    (1, None, "strength"),
    (6, None, "strength"),        # the 6-rep overlap by reps alone: strength
    (7, None, "hypertrophy"),
    (12, None, "hypertrophy"),    # the 12-rep overlap by reps alone: hypertrophy
    (13, None, "endurance"),
    (20, None, "endurance"),
    (6, 85.0, "strength"),        # at 6 reps the %1RM decides: (85 + 85) / 2
    (6, 84.0, "hypertrophy"),     # 84.5
    (12, 67.0, "hypertrophy"),    # 67.0, inclusive
    (12, 66.0, "endurance"),      # 66.5
    (8, 85.0, "hypertrophy"),     # near-max 8: (80 + 85) / 2 = 82.5
    (8, 92.0, "strength"),        # (80 + 92) / 2 = 86
    (5, 80.0, "hypertrophy"),     # submaximal 5: (87 + 80) / 2 = 83.5
    (3, 60.0, "hypertrophy"),     # light triple: (93 + 60) / 2 = 76.5
    (15, 50.0, "endurance"),
    (0, None, None),
]


def test_zone_boundaries_and_disagreements():
    frame = pl.DataFrame(ZONE_CASES, orient="row", schema={"reps": pl.Int64, "pct": pl.Float64, "want": pl.String})
    got = frame.select(volume.zone("reps", "pct").alias("zone"), "want")
    assert got.get_column("zone").to_list() == got.get_column("want").to_list()


def test_rep_percent_follows_the_nsca_table():
    got = pl.DataFrame({"reps": [1, 6, 10, 12, 13, 15, 30]}).select(volume.rep_percent(pl.col("reps")))
    assert got.to_series().to_list() == pytest.approx([100, 85, 75, 67, 67 - 2 / 3, 65, 55])


def test_reps_only_zones_split_at_6_and_12():
    reps = pl.DataFrame({"reps": list(range(1, 31))})
    zones = reps.select(volume.zone("reps")).to_series().to_list()
    assert zones == ["strength"] * 6 + ["hypertrophy"] * 6 + ["endurance"] * 18


def test_set_zones_skips_warmups_and_rule_reps_ignores_pct():
    sets = pl.DataFrame({"reps": [8, 8, 8], "pct_1rm": [92.0, 92.0, None],
                         "set_type": ["working", "warmup", "working"]})
    assert volume.set_zones(sets)["zone"].to_list() == ["strength", None, "hypertrophy"]
    assert volume.set_zones(sets, "reps")["zone"].to_list() == ["hypertrophy", None, "hypertrophy"]
    with pytest.raises(ValueError):
        volume.set_zones(sets, "pct")


def test_weekly_focus_shares_and_empty_weeks():
    sets = rpe_sets([
        ("T1", MON, "a", "squat", 100.0, 3, None, "working"),
        ("T1", MON, "a", "squat", 100.0, 3, None, "working"),
        ("T1", WED, "b", "squat", 80.0, 8, None, "working"),
        ("T1", WED, "b", "squat", 50.0, 15, None, "working"),
        ("T1", WED, "b", "squat", 40.0, 8, None, "warmup"),    # not counted
        ("T1", MON + dt.timedelta(days=14), "c", "squat", 80.0, 10, None, "working"),
    ]).with_columns(pl.Series("pct_1rm", [90.0, 90.0, 70.0, 50.0, 40.0, 70.0]))
    got = volume.weekly_focus(volume.set_zones(sets))
    assert got.select("week", "strength", "hypertrophy", "endurance", "sets", "volume_load_kg", "sessions").rows() == [
        (MON, 0.5, 0.25, 0.25, 4, 600.0 + 640.0 + 750.0, 2),
        (NEXT, None, None, None, 0, 0.0, 0),
        (MON + dt.timedelta(days=14), 0.0, 1.0, 0.0, 1, 800.0, 1),
    ]
    assert got.get_column("relative_volume").to_list()[::2] == pytest.approx(
        [2 * 3 * 0.9 + 8 * 0.7 + 15 * 0.5, 10 * 0.7])


# --------------------------------------------------------------------------
# INOL
# --------------------------------------------------------------------------


def test_inol_by_hand():
    def session(sid, day, rows, lift="back squat"):
        return [("T1", MON + dt.timedelta(days=day), sid, lift, reps, pct, kind) for reps, pct, kind in rows]

    rows = (
        session("a", 0, [(5, 80.0, "working")] * 3 + [(5, 40.0, "warmup")])   # 3 * 5/20 = 0.75
        + session("b", 2, [(1, 100.0, "working"), (2, 90.0, "working")])       # 1/4 + 2/10 = 0.45
        + session("c", 4, [(5, 80.0, "working")] * 5)                          # 1.25
        + session("d", 7, [(3, 90.0, "working")] * 10)                         # 3.0
        + session("e", 9, [(3, 70.0, "working"), (8, None, "working")])        # 0.1; no %: left out
        + session("e", 9, [(10, 80.0, "working")] * 2, lift="bench press")     # 1.0 exactly
    )
    sets = pl.DataFrame(rows, orient="row", schema={
        "trainee_id": pl.String, "date": pl.Date, "session_id": pl.String, "lift": pl.String,
        "reps": pl.Int64, "pct_1rm": pl.Float64, "set_type": pl.String})
    got = volume.inol(sets)
    assert got.columns == ["trainee_id", "lift", "session_id", "date", "inol", "band"]
    values = {(r["lift"], r["session_id"]): (r["inol"], r["band"]) for r in got.iter_rows(named=True)}
    expected = {
        ("back squat", "a"): (0.75, "productive"),
        ("back squat", "b"): (0.45, "productive"),
        ("back squat", "c"): (1.25, "hard"),
        ("back squat", "d"): (3.0, "very hard"),
        ("back squat", "e"): (0.1, "too little"),
        ("bench press", "e"): (1.0, "productive"),
    }
    assert values.keys() == expected.keys()
    for key, (inol, band) in expected.items():
        assert values[key][0] == pytest.approx(inol)
        assert values[key][1] == band


def test_inol_band_bounds_fall_in_the_lower_band():
    got = pl.DataFrame({"x": [0.39, 0.4, 1.0, 1.01, 2.0, 2.01, None]}).select(volume.inol_band(pl.col("x")))
    assert got.to_series().to_list() == [
        "too little", "productive", "productive", "hard", "hard", "very hard", None]


# --------------------------------------------------------------------------
# Deloads and blocks
# --------------------------------------------------------------------------

SHARES = {"S": (0.5, 0.3, 0.2, 80.0), "H": (0.05, 0.7, 0.25, 70.0), "D": (0.0, 0.7, 0.3, 65.0),
          "E": (0.0, 0.2, 0.8, 55.0)}


def weekly_frame(pattern, dose=None, sessions=None, trainee="T1", mean_pct=None):
    """A weekly_focus-shaped frame: one letter per week (S, H, D, E, or - for no training)."""
    rows = []
    for i, letter in enumerate(pattern):
        week = MON + dt.timedelta(weeks=i)
        n = 3 if sessions is None else sessions[i]
        if letter == "-":
            rows.append((trainee, week, None, None, None, 0, 0.0, 0, None, None))
            continue
        s, h, e, pct = SHARES[letter]
        per_session = (15.0 if letter == "D" else 30.0) if dose is None else dose[i]
        pct = pct if mean_pct is None else mean_pct[i]
        rows.append((trainee, week, s, h, e, 20 * n, 1000.0 * n, n, per_session * n, pct))
    return pl.DataFrame(rows, orient="row", schema={
        "trainee_id": pl.String, "week": pl.Date, "strength": pl.Float64, "hypertrophy": pl.Float64,
        "endurance": pl.Float64, "sets": pl.Int64, "volume_load_kg": pl.Float64, "sessions": pl.Int64,
        "relative_volume": pl.Float64, "mean_pct": pl.Float64})


def test_deload_is_a_drop_below_three_quarters_of_the_trailing_median_per_session():
    dose = [10, 4, 10, 10, 10, 7, 10, 8, 10, 10, 7, 10, 10, 10]
    sessions = [3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 3, 3, 3, 3]
    pct = [70.0] * 14
    pct[10] = 85.0   # week 10 drops the dose but gets heavier: a switch to strength work, not a deload
    weekly = weekly_frame("H" * 14, dose=dose, sessions=sessions, mean_pct=pct)
    got = volume.week_kinds(weekly)
    # week 1: only one training week before it, not judged; week 5: 7 < 0.75 * 10;
    # week 7: 8 is not; week 9: one session of the usual dose (a missed session) is not.
    assert [i for i, k in enumerate(got["kind"]) if k == "deload"] == [5]
    assert got["baseline_dose"][5] == 10.0
    assert got["dose"][9] == 10.0
    unguarded = volume.week_kinds(weekly, heavier_guard=False)
    assert [i for i, k in enumerate(unguarded["kind"]) if k == "deload"] == [5, 10]
    # the plain rule (weekly totals below 65%) misses the 30% drop and takes the missed sessions for a deload
    plain = volume.week_kinds(weekly, per_session=False, deload_ratio=0.65)
    assert [i for i, k in enumerate(plain["kind"]) if k == "deload"] == [9]


def test_week_emphasis_thresholds():
    weekly = weekly_frame("HSEH").with_columns(
        pl.Series("strength", [0.24, 0.25, 0.0, 0.0]),
        pl.Series("endurance", [0.5, 0.5, 0.7, 2 / 3]))
    assert volume.week_kinds(weekly)["kind"].to_list() == ["hypertrophy", "strength", "endurance", "hypertrophy"]


def block_rows(found):
    return found.select("block", "kind", "start", "end", "weeks").rows()


def week(i):
    return MON + dt.timedelta(weeks=i)


def test_blocks_on_a_clean_pattern():
    got = volume.blocks(weekly_frame("HHHHDSSSSDHHH"))
    assert got.columns == ["trainee_id", "block", "kind", "start", "end", "weeks"]
    assert block_rows(got) == [
        (1, "hypertrophy", week(0), week(4) - dt.timedelta(days=1), 4),
        (2, "deload", week(4), week(5) - dt.timedelta(days=1), 1),
        (3, "strength", week(5), week(9) - dt.timedelta(days=1), 4),
        (4, "deload", week(9), week(10) - dt.timedelta(days=1), 1),
        (5, "hypertrophy", week(10), week(13) - dt.timedelta(days=1), 3),
    ]


def test_blocks_smooth_one_week_islands_but_keep_deloads_and_long_breaks():
    # H H S H: the S island is absorbed; S - S: a missed week inside a block is absorbed;
    # the D between two S weeks stays; -- is a two-week break; the last S week is an edge, not an island.
    got = volume.blocks(weekly_frame("HHSHHDSS-SDS--HHS"))
    assert [(k, w) for _, k, _, _, w in block_rows(got)] == [
        ("hypertrophy", 5), ("deload", 1), ("strength", 4), ("deload", 1), ("strength", 1),
        ("off", 2), ("hypertrophy", 2), ("strength", 1)]


def test_blocks_for_several_trainees_at_once():
    weekly = pl.concat([weekly_frame("HHHDSS", trainee="A"), weekly_frame("SSSDHH", trainee="B")])
    got = volume.blocks(weekly)
    assert got.select("trainee_id", "block", "kind", "weeks").rows() == [
        ("A", 1, "hypertrophy", 3), ("A", 2, "deload", 1), ("A", 3, "strength", 2),
        ("B", 1, "strength", 3), ("B", 2, "deload", 1), ("B", 3, "hypertrophy", 2)]


# --------------------------------------------------------------------------
# Unflagged warm-ups
# --------------------------------------------------------------------------


def test_flag_ramp_warmups():
    sets = pl.DataFrame({
        "trainee_id": ["T1"] * 8, "session_id": ["a"] * 8,
        "exercise": ["squat"] * 6 + ["bench press"] * 2,
        "set_index": [0, 1, 2, 3, 4, 5, 6, 7],
        "weight_kg": [40.0, 60.0, 80.0, 100.0, 100.0, 80.0, 60.0, 62.5],
        "set_type": ["working", "working", "drop", "working", "working", "working", "working", "working"],
    })
    got = volume.flag_ramp_warmups(sets)["set_type"].to_list()
    # ramp below 85% of the top load before it: warm-ups; the drop set and the back-off set stay;
    # 60 kg bench before 62.5 kg is 96% of it: a working set.
    assert got == ["warmup", "warmup", "drop", "working", "working", "working", "working", "working"]


def test_blocks_without_smoothing_keep_islands():
    got = volume.blocks(weekly_frame("HHSHH"), smooth=False)
    assert [(k, w) for _, k, _, _, w in block_rows(got)] == [
        ("hypertrophy", 2), ("strength", 1), ("hypertrophy", 2)]


def test_hard_sets_without_an_rpe_column_count_every_working_set():
    got = volume.hard_sets_per_muscle(SETS.drop("exercise").with_columns(pl.lit("lateral raise").alias("exercise")))
    # lateral raise: side delts only; T1 has 5 working sets (the warm-up is left out) in two weeks
    assert got.select("trainee_id", "muscle", "hard_sets").rows() == [
        ("T1", "side delts", 4.0), ("T1", "side delts", 1.0), ("T2", "side delts", 1.0)]
