"""e1RM formulas and the RTS chart against check values from their sources."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from analysis import strength


def e1rm_of(weight, reps, formula):
    frame = pl.DataFrame({"w": [float(weight)], "r": [reps]})
    return frame.select(strength.e1rm("w", "r", formula)).item()


# %1RM at 10 reps as each source's formula gives it (its inverse), e.g.
# Brzycki 1993: (37 - r) / 36; Epley 1985: 1 / (1 + r/30); Lander 1985:
# (101.3 - 2.67123 r) / 100; Mayhew 1992: 52.2 + 41.9 e^(-0.055 r) %;
# Wathan 1994: 48.8 + 53.8 e^(-0.075 r) %; O'Conner 1989: 1 / (1 + 0.025 r);
# Lombardi 1989: r^-0.10.
TEN_REP_PERCENT = {
    "brzycki": 0.75, "epley": 0.75, "lander": 0.745877, "mayhew": 0.763742,
    "wathan": 0.742133, "oconner": 0.80, "lombardi": 0.794328,
}


@pytest.mark.parametrize("formula", list(strength.FORMULAS))
def test_one_rep_returns_the_load(formula):
    assert e1rm_of(142.5, 1, formula) == 142.5


@pytest.mark.parametrize(("formula", "percent"), TEN_REP_PERCENT.items())
def test_ten_rep_check_values(formula, percent):
    assert e1rm_of(100, 10, formula) == pytest.approx(100 / percent, rel=1e-5)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [("epley", 116.667), ("brzycki", 112.5), ("lander", 113.709), ("lombardi", 117.462),
     ("mayhew", 119.011), ("oconner", 112.5), ("wathan", 116.583)],
)
def test_five_reps_at_100_kg(formula, expected):
    assert e1rm_of(100, 5, formula) == pytest.approx(expected, abs=1e-3)


def spread(reps, formulas):
    values = [e1rm_of(100, reps, f) for f in formulas]
    return max(values) / min(values)


def test_formulas_agree_up_to_8_reps_and_diverge_past_10():
    # Measured: DOMAIN.md's "within about 3% up to ~8 reps" is nearly true of
    # these four (within 4%); Mayhew, O'Conner and Lombardi sit 6-8% apart
    # even at 3-8 reps, and all seven spread to 12.6% at 12 reps.
    close = ("epley", "brzycki", "lander", "wathan")
    assert all(spread(r, close) < 1.04 for r in range(2, 9))
    assert spread(5, strength.FORMULAS) > 1.05
    assert spread(12, strength.FORMULAS) > 1.12 > spread(8, strength.FORMULAS)


@pytest.mark.parametrize("reps", [0, 13, 20])
def test_no_estimate_outside_the_valid_rep_range(reps):
    assert e1rm_of(100, reps, "epley") is None


def test_unknown_formula_is_named():
    with pytest.raises(ValueError, match="known: epley"):
        strength.e1rm("w", "r", "magic")


@pytest.mark.parametrize(
    ("reps", "rpe", "percent"),
    # RTS chart (Tuchscherer 2008): 1@10 100%, 1@9.5 97.8%, 3@8 86.3%, 5@8 81.1%,
    # 3@8.5 87.8%, 8@10 (index 14) 78.6%, 12@6 57.2% (last cell)
    [(1, 10, 1.0), (1, 9.5, 0.978), (3, 8, 0.863), (5, 8, 0.811), (3, 8.5, 0.878),
     (8, 10, 0.786), (12, 6, 0.572)],
)
def test_rts_chart_cells(reps, rpe, percent):
    frame = pl.DataFrame({"r": [reps], "e": [float(rpe)]})
    assert frame.select(strength.rts_percent("r", "e")).item() == pytest.approx(percent)


@pytest.mark.parametrize(("reps", "rpe"), [(12, 5.5), (2, 7.25), (1, 11), (13, 9), (5, None)])
def test_rts_chart_off_the_chart_is_null(reps, rpe):
    frame = pl.DataFrame({"r": [reps], "e": [rpe]}, schema={"r": pl.Int64, "e": pl.Float64})
    assert frame.select(strength.rts_percent("r", "e")).item() is None


def test_epley_default_tracks_the_rts_rpe10_column():
    assert strength.epley_rts_gap() < 0.02


def sets_frame(rows):
    return pl.DataFrame(
        rows, orient="row",
        schema={"trainee_id": pl.String, "exercise": pl.String, "session_id": pl.String, "date": pl.Date,
                "weight_kg": pl.Float64, "reps": pl.Int64, "rpe": pl.Float64, "set_type": pl.String},
    )


def test_session_best_uses_working_sets_and_rpe_when_logged():
    day = dt.date(2025, 3, 3)
    sets = sets_frame([
        ("T1", "bench", "s1", day, 140.0, 3, None, "warmup"),     # heavy warm-up: ignored
        ("T1", "bench", "s1", day, 100.0, 5, None, "working"),    # Epley 116.67
        ("T1", "bench", "s1", day, 100.0, 5, 8.0, "working"),     # RTS 5@8: 100/0.811 = 123.30
        ("T1", "bench", "s1", day, None, 10, None, "working"),    # no load: no estimate
        ("T1", "squat", "s1", day, 120.0, 15, None, "working"),   # too many reps: no estimate
    ])
    best = strength.session_best_e1rm(sets)
    assert best.select("exercise", "e1rm_kg").rows() == [("bench", pytest.approx(123.304, abs=1e-3))]
    assert best.row(0, named=True)["rpe"] == 8.0


def test_personal_records_by_kind():
    d = [dt.date(2025, 3, day) for day in (3, 10, 17, 24)]
    sets = sets_frame([
        ("T1", "bench", "s1", d[0], 100.0, 5, None, "working"),   # baseline
        ("T1", "bench", "s2", d[1], 100.0, 6, None, "working"),   # rep PR at 100, e1RM PR (120)
        ("T1", "bench", "s3", d[2], 105.0, 3, None, "working"),   # load PR; e1RM 115.5: none
        ("T1", "bench", "s4", d[3], 100.0, 6, None, "working"),   # equal: no PR
    ]).rename({"exercise": "lift"})
    prs = strength.personal_records(sets)
    assert prs.select("date", "kind", "value_kg", "reps").rows() == [
        (d[1], "e1rm", pytest.approx(120.0), 6),
        (d[1], "reps", 100.0, 6),
        (d[2], "load", 105.0, None),
    ]
