"""Relative strength: DOTS, Wilks, Wilks 2020, IPF GL points and ratios to bodyweight.

Coefficients, bodyweight clamps and the IPF GL 35 kg floor as in
../shared/DOMAIN.md, "Relative strength", which takes them from the
OpenPowerlifting project's coefficient code (``modules/coefficients/src/``:
``dots.rs``, ``wilks.rs``, ``wilks2020.rs``, ``goodlift.rs``). All scores are
unrounded floats (OpenPowerlifting stores points to 0.01).

Unknown is never guessed: a null total, a null or non-positive bodyweight, or
a sex other than ``"F"``/``"M"`` gives a null score. (OpenPowerlifting scores
its "Mx" category with the men's formula; the canonical ``trainees`` table
only knows F and M, so anything else is unknown here.)
"""

from __future__ import annotations

import datetime as dt

import polars as pl

MAIN_LIFTS = ("squat", "bench", "deadlift")
"""The lifts of a powerlifting total; ``ohp`` and others are ignored here."""

MAX_GAP_DAYS = 14
"""A bodyweight logged further than this from the lift date is not used."""

# (coefficients, (low, high) bodyweight clamp in kg) by sex
DOTS = {
    # points = total * 500 / (A x^4 + B x^3 + C x^2 + D x + E)
    "M": ((-0.0000010930, 0.0007391293, -0.1918759221, 24.0900756, -307.75076), (40.0, 210.0)),
    "F": ((-0.0000010706, 0.0005158568, -0.1126655495, 13.6175032, -57.96288), (40.0, 150.0)),
}
WILKS = {
    # points = total * 500 / (a + b x + c x^2 + d x^3 + e x^4 + f x^5)
    "M": ((-216.0475144, 16.2606339, -0.002388645, -0.00113732, 7.01863e-06, -1.291e-08),
          (40.0, 201.9)),
    "F": ((594.31747775582, -27.23842536447, 0.82112226871, -0.00930733913, 0.00004731582,
           -0.00000009054), (26.51, 154.53)),
}
WILKS2020 = {
    # points = total * 600 / (a + b x + c x^2 + d x^3 + e x^4 + f x^5)
    "M": ((47.4617885411949, 8.47206137941125, 0.073694103462609, -0.00139583381094385,
           0.00000707665973070743, -0.0000000120804336482315), (40.0, 200.95)),
    "F": ((-125.425539779509, 13.7121941940668, -0.0330725063103405, -0.0010504000506583,
           0.00000938773881462799, -0.000000023334613884954), (40.0, 150.95)),
}
IPF_GL = {
    # points = total * 100 / (A - B e^(-C x)); raw ("classic") equipment
    ("M", "total"): (1199.72839, 1025.18162, 0.009210),
    ("F", "total"): (610.32796, 1045.59282, 0.03048),
    ("M", "bench"): (320.98041, 281.40258, 0.01008),
    ("F", "bench"): (142.40398, 442.52671, 0.04724),
}
IPF_GL_MIN_BODYWEIGHT = 35.0
"""Below this bodyweight IPF GL points are 0 (OpenPowerlifting ``goodlift.rs``)."""


def dots(total: pl.Expr | str, bodyweight: pl.Expr | str, sex: pl.Expr | str) -> pl.Expr:
    """DOTS points (Tim Konertz, BVDK): total * 500 / quartic(bodyweight).

    Bodyweight clamped to 40-210 kg (men), 40-150 kg (women); OpenPowerlifting ``dots.rs``.
    """
    return _by_sex(sex, lambda s: _points(total, bodyweight, DOTS[s], 500.0, quartic=True))


def wilks(total: pl.Expr | str, bodyweight: pl.Expr | str, sex: pl.Expr | str) -> pl.Expr:
    """Original Wilks points: total * 500 / quintic(bodyweight).

    Bodyweight clamped to 40-201.9 kg (men), 26.51-154.53 kg (women); OpenPowerlifting ``wilks.rs``.
    """
    return _by_sex(sex, lambda s: _points(total, bodyweight, WILKS[s], 500.0))


def wilks2020(total: pl.Expr | str, bodyweight: pl.Expr | str, sex: pl.Expr | str) -> pl.Expr:
    """Wilks 2020 points (revision of 2020-03-09): total * 600 / quintic(bodyweight).

    Bodyweight clamped to 40-200.95 kg (men), 40-150.95 kg (women); OpenPowerlifting
    ``wilks2020.rs``. Not on the original Wilks scale (600, not 500).
    """
    return _by_sex(sex, lambda s: _points(total, bodyweight, WILKS2020[s], 600.0))


def ipf_gl(
    total: pl.Expr | str, bodyweight: pl.Expr | str, sex: pl.Expr | str, event: str = "total"
) -> pl.Expr:
    """IPF GL (Goodlift) points, raw/classic: total * 100 / (A - B e^(-C bodyweight)).

    ``event`` is ``"total"`` (squat + bench + deadlift) or ``"bench"`` (bench only);
    ``total`` is then the bench. 0 below 35 kg, no upper clamp; OpenPowerlifting
    ``goodlift.rs`` (its non-negativity guard never binds: A - B e^(-35 C) > 0 for all four).
    """
    if event not in ("total", "bench"):
        raise ValueError(f"unknown IPF GL event {event!r}; known: total, bench")
    t, x = _expr(total), _bodyweight(bodyweight)

    def points(s: str) -> pl.Expr:
        a, b, c = IPF_GL[(s, event)]
        return (
            pl.when(t.is_null()).then(None)
            .when(x < IPF_GL_MIN_BODYWEIGHT).then(pl.lit(0.0))
            .otherwise(t * 100.0 / (a - b * (-c * x).exp()))  # null bodyweight -> null
        )

    return _by_sex(sex, points)


def bodyweight_near(
    dates_frame: pl.DataFrame, body: pl.DataFrame, max_gap_days: int = MAX_GAP_DAYS
) -> pl.DataFrame:
    """``dates_frame`` (``trainee_id, date, ...``) with the nearest logged bodyweight.

    Adds ``bodyweight_kg`` and ``bodyweight_date``: the ``bodyweight_kg`` measure in
    ``body`` nearest the row's date, before or after, at most ``max_gap_days`` away
    (inclusive); null otherwise. An as-of join (``strategy="nearest"``); on a tie the
    later weigh-in wins (polars' rule). Several weigh-ins on one date: their mean.
    Rows keep their order.
    """
    weights = (
        body.filter((pl.col("measure") == "bodyweight_kg") & pl.col("value").is_not_null())
        .group_by("trainee_id", "date")
        .agg(pl.col("value").mean().alias("bodyweight_kg"))
        .select("trainee_id", "date", "bodyweight_kg", pl.col("date").alias("bodyweight_date"))
        .sort("date")
    )
    rows = dates_frame.with_row_index("__row")
    dated = rows.filter(pl.col("date").is_not_null()).sort("date")
    joined = dated.join_asof(
        weights,
        on="date",
        by="trainee_id",
        strategy="nearest",
        tolerance=dt.timedelta(days=max_gap_days),
        check_sortedness=False,  # sorted by date above; polars cannot check within `by` groups
    )
    undated = rows.filter(pl.col("date").is_null())
    return pl.concat([joined, undated], how="diagonal_relaxed").sort("__row").drop("__row")


def relative_strength(
    lifts: pl.DataFrame,
    body: pl.DataFrame,
    trainees: pl.DataFrame,
    *,
    max_gap_days: int = MAX_GAP_DAYS,
) -> pl.DataFrame:
    """Relative strength per trainee from current e1RMs, bodyweight and sex.

    ``lifts``: ``trainee_id, date, main_lift, e1rm_kg``, the best estimate per main
    lift as of each date. Per trainee and lift the latest non-null estimate counts;
    ``date`` is the trainee's latest date in ``lifts``, and the bodyweight the one
    nearest it (:func:`bodyweight_near`). One row per trainee in ``lifts``:
    ``trainee_id, date, sex, bodyweight_kg, bodyweight_date, squat_kg, bench_kg,
    deadlift_kg, total_kg`` (null unless all three known), ``dots, wilks, wilks2020,
    ipf_gl_total, ipf_gl_bench, squat_per_bw, bench_per_bw, deadlift_per_bw`` and
    ``missing``: what is unknown ("sex unknown; no bodyweight within 14 days; no
    deadlift e1RM"), null when nothing is.
    """
    current = (
        lifts.filter(pl.col("main_lift").is_in(MAIN_LIFTS) & pl.col("e1rm_kg").is_not_null())
        .sort("date", "e1rm_kg")
        .group_by("trainee_id", "main_lift")
        .last()
    )
    per_lift = current.group_by("trainee_id").agg(
        pl.col("e1rm_kg").filter(pl.col("main_lift") == lift).first().cast(pl.Float64).alias(f"{lift}_kg")
        for lift in MAIN_LIFTS
    )
    sexes = trainees.select(
        "trainee_id", pl.when(pl.col("sex").is_in(["F", "M"])).then(pl.col("sex")).alias("sex")
    ).unique("trainee_id", keep="first")
    frame = (
        lifts.group_by("trainee_id").agg(pl.col("date").max())
        .join(per_lift, on="trainee_id", how="left")
        .join(sexes, on="trainee_id", how="left")
    )
    frame = bodyweight_near(frame, body, max_gap_days)
    total = pl.col("squat_kg") + pl.col("bench_kg") + pl.col("deadlift_kg")
    bw = pl.col("bodyweight_kg")
    missing = pl.concat_str(
        [
            pl.when(pl.col("sex").is_null()).then(pl.lit("sex unknown")),
            pl.when(bw.is_null()).then(pl.lit(f"no bodyweight within {max_gap_days} days")),
            *(pl.when(pl.col(f"{lift}_kg").is_null()).then(pl.lit(f"no {lift} e1RM"))
              for lift in MAIN_LIFTS),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return (
        frame.with_columns(total.alias("total_kg"))
        .with_columns(
            dots("total_kg", bw, "sex").alias("dots"),
            wilks("total_kg", bw, "sex").alias("wilks"),
            wilks2020("total_kg", bw, "sex").alias("wilks2020"),
            ipf_gl("total_kg", bw, "sex", "total").alias("ipf_gl_total"),
            ipf_gl("bench_kg", bw, "sex", "bench").alias("ipf_gl_bench"),
            *((pl.col(f"{lift}_kg") / _bodyweight(bw)).alias(f"{lift}_per_bw") for lift in MAIN_LIFTS),
            pl.when(missing != "").then(missing).alias("missing"),
        )
        .select(
            "trainee_id", "date", "sex", "bodyweight_kg", "bodyweight_date",
            "squat_kg", "bench_kg", "deadlift_kg", "total_kg",
            "dots", "wilks", "wilks2020", "ipf_gl_total", "ipf_gl_bench",
            "squat_per_bw", "bench_per_bw", "deadlift_per_bw", "missing",
        )
        .sort("trainee_id")
    )


def _points(
    total: pl.Expr | str,
    bodyweight: pl.Expr | str,
    spec: tuple[tuple[float, ...], tuple[float, float]],
    numerator: float,
    quartic: bool = False,
) -> pl.Expr:
    """total * numerator / polynomial(clamped bodyweight)."""
    coefficients, (low, high) = spec
    x = _bodyweight(bodyweight).clip(low, high)
    # DOTS lists its coefficients from x^4 down, Wilks from x^0 up
    powers = range(len(coefficients) - 1, -1, -1) if quartic else range(len(coefficients))
    denominator = sum((k * x.pow(p) for k, p in zip(coefficients, powers)), pl.lit(0.0))
    return _expr(total) * numerator / denominator


def _by_sex(sex: pl.Expr | str, per_sex) -> pl.Expr:
    s = _expr(sex)
    return (
        pl.when(s == "M").then(per_sex("M"))
        .when(s == "F").then(per_sex("F"))
        .otherwise(None)
        .cast(pl.Float64)
    )


def _bodyweight(bodyweight: pl.Expr | str) -> pl.Expr:
    """Bodyweight in kg; null unless positive (0 is "not weighed", not a weight)."""
    x = _expr(bodyweight).cast(pl.Float64)
    return pl.when(x > 0).then(x)


def _expr(x: pl.Expr | str) -> pl.Expr:
    return pl.col(x) if isinstance(x, str) else x
