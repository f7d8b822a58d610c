"""Relative strength scores against check values from DOMAIN.md and OpenPowerlifting."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis import relative

D = dt.date


def score(fn, total, bodyweight, sex, **kw):
    frame = pl.DataFrame(
        {"t": [total], "bw": [bodyweight], "s": [sex]},
        schema={"t": pl.Float64, "bw": pl.Float64, "s": pl.String},
    )
    return frame.select(fn("t", "bw", "s", **kw)).item()


# --------------------------------------------------------------------------
# Check values (DOMAIN.md "Relative strength"; OpenPowerlifting's own tests)
# --------------------------------------------------------------------------


def test_dots_check_value_man_100kg_total_700():
    assert round(score(relative.dots, 700, 100, "M"), 2) == 430.86


def test_wilks_check_values():
    assert score(relative.wilks, 500, 60, "F") == pytest.approx(557.4434, abs=5e-5)
    # OpenPowerlifting wilks.rs: coefficient men 100 kg = 0.608589071906651
    assert score(relative.wilks, 1000, 100, "M") == pytest.approx(608.589071906651, rel=1e-12)


@pytest.mark.parametrize(
    ("sex", "bodyweight", "coefficient"),
    [
        ("M", 80, 0.8191), ("F", 60, 1.3190),  # DOMAIN.md
        ("M", 100, 0.7294), ("F", 100, 1.0525),  # Wilks 2020 table (wilks2020.rs tests)
    ],
)
def test_wilks2020_coefficient(sex, bodyweight, coefficient):
    assert round(score(relative.wilks2020, 1, bodyweight, sex), 4) == coefficient
    assert round(score(relative.wilks2020, 500, bodyweight, sex) / 500, 4) == coefficient


# IPF GL = total * 100 / (A - B e^(-C x)), by hand:
#  man, total, x=100, T=700:  C x = 0.009210*100 = 0.921; e^-0.921 = 0.39812072;
#    B e = 1025.18162*0.39812072 = 408.14605; den = 1199.72839 - 408.14605 = 791.58234;
#    70000 / 791.58234 = 88.43047
#  woman, total, x=60, T=500: C x = 0.03048*60 = 1.8288; e^-1.8288 = 0.16060618;
#    B e = 1045.59282*0.16060618 = 167.92867; den = 610.32796 - 167.92867 = 442.39929;
#    50000 / 442.39929 = 113.02007
#  man, bench, x=90, B=180:   C x = 0.01008*90 = 0.9072; e^-0.9072 = 0.40365287;
#    B e = 281.40258*0.40365287 = 113.58896; den = 320.98041 - 113.58896 = 207.39145;
#    18000 / 207.39145 = 86.79239
#  woman, bench, x=70.5, B=122.5 (published: S. Torronen, 2019 IPF World Classic Bench,
#    96.78; OpenPowerlifting goodlift.rs test): C x = 0.04724*70.5 = 3.33042;
#    e^-3.33042 = 0.03577808; B e = 15.83275; den = 142.40398 - 15.83275 = 126.57123;
#    12250 / 126.57123 = 96.78345
@pytest.mark.parametrize(
    ("sex", "bodyweight", "total", "event", "points"),
    [
        ("M", 100, 700, "total", 88.43047),
        ("F", 60, 500, "total", 113.02007),
        ("M", 90, 180, "bench", 86.79239),
        ("F", 70.5, 122.5, "bench", 96.78345),
    ],
)
def test_ipf_gl_hand_computed(sex, bodyweight, total, event, points):
    assert score(relative.ipf_gl, total, bodyweight, sex, event=event) == pytest.approx(points, abs=1e-5)


def test_ipf_gl_published_example_rounds_like_the_federation():
    assert round(score(relative.ipf_gl, 122.5, 70.5, "F", event="bench"), 2) == 96.78


def test_ipf_gl_default_event_is_total():
    assert score(relative.ipf_gl, 700, 100, "M") == score(relative.ipf_gl, 700, 100, "M", event="total")


def test_ipf_gl_unknown_event_raises():
    with pytest.raises(ValueError, match="IPF GL event"):
        relative.ipf_gl("t", "bw", "s", event="deadlift")


# --------------------------------------------------------------------------
# Bodyweight limits
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "sex", "low", "high"),
    [
        (relative.dots, "M", 40.0, 210.0),
        (relative.dots, "F", 40.0, 150.0),
        (relative.wilks, "M", 40.0, 201.9),
        (relative.wilks, "F", 26.51, 154.53),
        (relative.wilks2020, "M", 40.0, 200.95),
        (relative.wilks2020, "F", 40.0, 150.95),
    ],
)
def test_bodyweight_clamped_to_the_formula_range(fn, sex, low, high):
    at_low, at_high = score(fn, 500, low, sex), score(fn, 500, high, sex)
    assert score(fn, 500, low - 5, sex) == at_low
    assert score(fn, 500, high + 40, sex) == at_high
    # and only outside it: just inside the range the score moves
    assert score(fn, 500, low + 0.5, sex) != pytest.approx(at_low, rel=1e-6)
    assert score(fn, 500, high - 0.5, sex) != pytest.approx(at_high, rel=1e-6)


@pytest.mark.parametrize(
    ("sex", "bodyweight", "coefficient"),
    # wilks2020.rs tests: below and above the published table
    [("M", 20, 1.3895), ("M", 400, 0.6122), ("F", 20, 1.8486), ("F", 200, 0.9627)],
)
def test_wilks2020_out_of_table_values(sex, bodyweight, coefficient):
    assert round(score(relative.wilks2020, 1, bodyweight, sex), 4) == coefficient


def test_ipf_gl_zero_below_35kg_and_unclamped_above():
    assert score(relative.ipf_gl, 500, 34.99, "M") == 0.0
    assert score(relative.ipf_gl, 100, 30, "F", event="bench") == 0.0
    # at 35 kg: C x = 0.32235; e^-0.32235 = 0.72444459; den = 1199.72839 - 742.68728
    # = 457.04111; 50000 / 457.04111 = 109.39935
    assert score(relative.ipf_gl, 500, 35, "M") == pytest.approx(109.39935, abs=1e-5)
    assert score(relative.ipf_gl, 700, 250, "M") < score(relative.ipf_gl, 700, 200, "M")


# --------------------------------------------------------------------------
# Unknown -> null
# --------------------------------------------------------------------------

ALL_SCORES = [
    (relative.dots, {}), (relative.wilks, {}), (relative.wilks2020, {}),
    (relative.ipf_gl, {"event": "total"}), (relative.ipf_gl, {"event": "bench"}),
]


@pytest.mark.parametrize(("fn", "kw"), ALL_SCORES)
@pytest.mark.parametrize(
    ("total", "bodyweight", "sex"),
    [
        (500, 80, None), (500, 80, "X"), (500, 80, ""),  # sex unknown
        (500, None, "M"), (500, 0, "F"), (500, -70, "M"),  # bodyweight unknown
        (None, 80, "M"), (None, 30, "F"),  # total unknown (GL: null, not 0, below 35 kg)
    ],
)
def test_unknown_inputs_give_null(fn, kw, total, bodyweight, sex):
    assert score(fn, total, bodyweight, sex, **kw) is None


def test_scores_accept_expressions_and_mixed_rows():
    frame = pl.DataFrame({"t": [700.0, 700.0, 500.0], "bw": [100.0, 100.0, 60.0], "s": ["M", None, "F"]})
    out = frame.select(relative.wilks(pl.col("t"), pl.col("bw"), pl.col("s")).alias("w"))["w"]
    assert out[1] is None
    assert out[2] == pytest.approx(557.4434, abs=5e-5)


# --------------------------------------------------------------------------
# Nearest bodyweight
# --------------------------------------------------------------------------


def body_frame(rows):
    return pl.DataFrame(rows, schema=["trainee_id", "date", "measure", "value"], orient="row")


BODY = body_frame([
    ("a", D(2025, 3, 1), "bodyweight_kg", 80.0),
    ("a", D(2025, 3, 11), "bodyweight_kg", 82.0),
    ("a", D(2025, 3, 5), "waist_cm", 85.0),  # not a bodyweight
    ("b", D(2025, 3, 6), "bodyweight_kg", 60.0),  # someone else's
    ("c", D(2025, 3, 10), "bodyweight_kg", 70.0),
    ("c", D(2025, 3, 10), "bodyweight_kg", 71.0),  # same day twice: mean
])


def near(rows, max_gap_days=14):
    dates = pl.DataFrame(rows, schema={"trainee_id": pl.String, "date": pl.Date}, orient="row")
    return relative.bodyweight_near(dates, BODY, max_gap_days=max_gap_days)


def test_bodyweight_near_before_after_tie_and_order():
    out = near([
        ("a", D(2025, 3, 20)),  # after the last weigh-in (9 days)
        ("a", D(2025, 2, 25)),  # before the first one (4 days)
        ("a", D(2025, 3, 6)),  # 5 days from each: the later one wins
        ("a", D(2025, 3, 4)),  # nearer the earlier one (3 vs 7 days), not b's 2 days
        ("c", D(2025, 3, 10)),  # exact date, two weigh-ins
    ])
    assert out["trainee_id"].to_list() == ["a", "a", "a", "a", "c"]
    assert out["date"].to_list() == [D(2025, 3, 20), D(2025, 2, 25), D(2025, 3, 6), D(2025, 3, 4), D(2025, 3, 10)]
    assert out["bodyweight_kg"].to_list() == [82.0, 80.0, 82.0, 80.0, 70.5]
    assert out["bodyweight_date"].to_list() == [
        D(2025, 3, 11), D(2025, 3, 1), D(2025, 3, 11), D(2025, 3, 1), D(2025, 3, 10)
    ]


def test_bodyweight_near_tolerance_is_inclusive():
    out = near([
        ("a", D(2025, 3, 25)),  # 14 days after 03-11: used
        ("a", D(2025, 3, 26)),  # 15 days: too far
        ("a", D(2025, 2, 15)),  # 14 days before 03-01: used
        ("a", D(2025, 2, 14)),  # 15 days before: too far
    ])
    assert out["bodyweight_kg"].to_list() == [82.0, None, 80.0, None]
    assert near([("a", D(2025, 3, 20))], max_gap_days=7)["bodyweight_kg"].to_list() == [None]


def test_bodyweight_near_unknown_trainee_and_null_date():
    out = near([("z", D(2025, 3, 1)), ("a", None), ("a", D(2025, 3, 1))])
    assert out["bodyweight_kg"].to_list() == [None, None, 80.0]
    assert out.columns == ["trainee_id", "date", "bodyweight_kg", "bodyweight_date"]


# --------------------------------------------------------------------------
# relative_strength
# --------------------------------------------------------------------------


def test_relative_strength_small_frame():
    lifts = pl.DataFrame(
        [
            ("a", D(2025, 1, 1), "squat", 180.0),  # superseded by the later estimate
            ("a", D(2025, 2, 1), "squat", 200.0),
            ("a", D(2025, 2, 1), "bench", 140.0),
            ("a", D(2025, 1, 20), "deadlift", 260.0),
            ("a", D(2025, 2, 1), "ohp", 90.0),  # not part of the total
            ("b", D(2025, 2, 1), "squat", 100.0),
            ("b", D(2025, 2, 1), "bench", 60.0),
            ("b", D(2025, 2, 1), "deadlift", None),  # no estimate
            ("c", D(2025, 2, 1), "bench", 50.0),
        ],
        schema=["trainee_id", "date", "main_lift", "e1rm_kg"],
        orient="row",
    )
    body = body_frame([
        ("a", D(2025, 1, 30), "bodyweight_kg", 100.0),
        ("b", D(2025, 2, 3), "bodyweight_kg", 60.0),
        ("c", D(2025, 1, 10), "bodyweight_kg", 55.0),  # 22 days away
    ])
    trainees = pl.DataFrame({"trainee_id": ["a", "b", "c"], "sex": ["M", "F", None]})
    out = relative.relative_strength(lifts, body, trainees)

    assert out.columns == [
        "trainee_id", "date", "sex", "bodyweight_kg", "bodyweight_date",
        "squat_kg", "bench_kg", "deadlift_kg", "total_kg",
        "dots", "wilks", "wilks2020", "ipf_gl_total", "ipf_gl_bench",
        "squat_per_bw", "bench_per_bw", "deadlift_per_bw", "missing",
    ]
    a, b, c = out.rows(named=True)

    # a: man, 100 kg, total 200 + 140 + 260 = 600
    assert (a["trainee_id"], a["date"], a["sex"], a["bodyweight_kg"]) == ("a", D(2025, 2, 1), "M", 100.0)
    assert (a["squat_kg"], a["bench_kg"], a["deadlift_kg"], a["total_kg"]) == (200.0, 140.0, 260.0, 600.0)
    assert a["dots"] == pytest.approx(430.8610351917211 * 600 / 700, rel=1e-12)  # check value, scaled
    assert a["wilks"] == pytest.approx(0.608589071906651 * 600, rel=1e-12)  # wilks.rs coefficient
    assert round(a["wilks2020"] / 600, 4) == 0.7294  # table value, 100 kg
    # 60000 / 791.58234 (see above) = 75.79755
    assert a["ipf_gl_total"] == pytest.approx(75.79755, abs=1e-5)
    # bench: C x = 1.008; e^-1.008 = 0.36494815; den = 320.98041 - 102.69735 = 218.28306;
    # 14000 / 218.28306 = 64.13691
    assert a["ipf_gl_bench"] == pytest.approx(64.13691, abs=1e-5)
    assert (a["squat_per_bw"], a["bench_per_bw"], a["deadlift_per_bw"]) == (2.0, 1.4, 2.6)
    assert a["missing"] is None

    # b: woman, 60 kg, no deadlift: no total, but bench-only scores and ratios
    assert (b["sex"], b["bodyweight_kg"], b["bodyweight_date"]) == ("F", 60.0, D(2025, 2, 3))
    assert b["total_kg"] is None
    assert [b[k] for k in ("dots", "wilks", "wilks2020", "ipf_gl_total")] == [None] * 4
    # C x = 0.04724*60 = 2.8344; e^-2.8344 = 0.05875377; den = 142.40398 - 26.00011
    # = 116.40387; 6000 / 116.40387 = 51.54468
    assert b["ipf_gl_bench"] == pytest.approx(51.54468, abs=1e-5)
    assert b["bench_per_bw"] == 1.0 and b["deadlift_per_bw"] is None
    assert b["squat_per_bw"] == pytest.approx(100 / 60)
    assert b["missing"] == "no deadlift e1RM"

    # c: sex unknown, bodyweight too far away, only a bench
    assert c["bodyweight_kg"] is None and c["bench_per_bw"] is None
    assert c["ipf_gl_bench"] is None
    assert c["missing"] == "sex unknown; no bodyweight within 14 days; no squat e1RM; no deadlift e1RM"


def test_relative_strength_trainee_without_a_trainees_row_and_custom_gap():
    lifts = pl.DataFrame(
        {"trainee_id": ["x"] * 3, "date": [D(2025, 5, 1)] * 3,
         "main_lift": ["squat", "bench", "deadlift"], "e1rm_kg": [100.0, 70.0, 120.0]}
    )
    body = body_frame([("x", D(2025, 5, 10), "bodyweight_kg", 70.0)])
    trainees = pl.DataFrame({"trainee_id": ["y"], "sex": ["F"]})
    out = relative.relative_strength(lifts, body, trainees, max_gap_days=7)
    row = out.row(0, named=True)
    assert row["total_kg"] == 290.0
    assert row["sex"] is None and row["dots"] is None and row["bench_per_bw"] is None
    assert row["missing"] == "sex unknown; no bodyweight within 7 days"
