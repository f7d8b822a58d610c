"""Size measures and their trends: is the trainee growing, flat or shrinking?

Measures are the canonical long ``body`` table (trainee_id, date, measure,
value). Derived measures (formulas in ../shared/DOMAIN.md):

* bodyweight as a 7-day rolling mean (day-to-day water and gut content are
  noise);
* skinfold-corrected girth = girth - pi * skinfold / 10 (cm, mm);
* corrected arm muscle area, Heymsfield et al. 1982:
  (MAC - pi * TSF)^2 / (4 pi) - 10 (men) or - 6.5 (women), cm and cm^2;
* body fat by Jackson-Pollock 3-site (men: chest, abdomen, thigh; women:
  triceps, suprailiac, thigh) and Siri: %BF = 495 / BD - 450;
* FFMI = fat-free mass / height^2 and normalised FFMI = FFMI + 6.1 (1.8 - h)
  (Kouri et al. 1995).

Size status (:func:`size_status`) is a posterior, as the lifts' is
(:mod:`analysis.trends`, :mod:`analysis.segmented`):

* The series. Per trainee, every limb girth (:data:`LIMB_SERIES`: arm,
  chest, thigh, calf, forearm, neck; a site's skinfold-corrected girth in
  place of the raw one when it was taken on as many days, so no site counts
  twice) over the last :data:`SIZE_HORIZON_WEEKS` weeks before as_of forms
  ONE series in cm, ``y`` = the girth, with each measure's own level as a
  nuisance offset (one-hot, the trainee's first measure the reference, prior
  SD :data:`OFFSET_SD_CM`). The common slope is the mean limb-girth rate in
  cm a week. Per-measure noise differs (a chest tape reading is rougher than
  an arm's), so points are weighted by their measure's precision.
* The models. Bayesian model averaging over one line, a break with a free
  slope after it, and flat since the break, every candidate break week (the
  first measurement day of a week, with at least :data:`MIN_DAYS_BEFORE`
  measurement days before it and :data:`MIN_DAYS_AFTER` days and
  :data:`MIN_WEEKS_AFTER` weeks after it) integrated out, with the conjugate
  priors of :data:`SIZE_PRIOR` (tape noise :data:`SIGMA_REF_CM`, slopes
  within about 0.05 cm a week, a lean toward "flat since some week": girth
  growth plateaus) and a power posterior (``temper``) for calibration.
  Tape slips are down-weighted by a Student-t likelihood
  (:func:`analysis.segmented.student_t_weights`, :data:`SIZE_T_NU` degrees
  of freedom) from a first fit's residuals, then the model is fitted again.
* The classes. The current mean limb rate is *growing* above
  +:data:`SIZE_ROPE_CM_PER_WEEK` cm a week, *shrinking* below its negative
  and *flat* inside (region of practical equivalence; Kruschke 2018). 0.02
  cm a week is about half a centimetre over 6 months on the mean limb girth:
  the smallest change tape measurements confirm (girth changes usually need
  6-12 weeks to beat measurement error; DOMAIN.md, "Size measures", "How
  much change is real").
* Fat gain. The waist is fitted the same way (its own series). With the
  normal approximations of both current rates (posterior mean and SD), the
  share of the growing mass in which the waist rises faster than
  :data:`FAT_TO_LIMB_RATIO` times the limbs, ``p_fat_gain`` = P(waist rate >
  ratio x limb rate | limb rate > rope), is moved from ``p_growing`` to
  ``p_flat``: limbs rising with a faster-rising waist is fat, not muscle
  (DOMAIN.md: "Waist girth rising with arm girth suggests fat gain").
* The verdict. ``status`` is the most probable class when its probability
  reaches :data:`SIZE_COMMIT_PROBABILITY`, else ``uncertain`` (too early to
  tell; abstaining below a threshold, Chow 1970); ``insufficient_data`` with
  no limb girths, fewer than :data:`MIN_MEASUREMENTS` limb measurement days
  or a span under :data:`MIN_SPAN_WEEKS` weeks within the horizon.
  ``flat_since`` is the posterior median date the current flat stretch began
  (given flat), ``flat_since_low/high`` its 80% interval; the limb rate is
  the posterior mean with its 95% interval.

Without limb girths there is no size verdict (bodyweight alone cannot tell
muscle from fat). :func:`measure_trends` keeps per-measure least-squares
slopes over :data:`SIZE_WINDOW_WEEKS` weeks for the report tables.

The constants were chosen on the scenario grid's tuning seeds 1-3
(``benchmarks/size_accuracy.py``, :mod:`analysis.scenarios`); on seeds 4-6,
untouched: committed accuracy 0.95-1.00 in every size scenario, coverage
0.84, expected calibration error 0.025. The flat-since 80% interval holds
the true stop about 65% of the time (too narrow: growth that slows before it
stops is fitted with one straight line before the break).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import polars as pl
from scipy import special  # not scipy.stats: 0.4 s more to import, in every process

from analysis import segmented

SIZE_WINDOW_WEEKS = 26
"""Window of the per-measure least-squares slopes of :func:`measure_trends`
(the report's tables); the size verdict itself uses :data:`SIZE_HORIZON_WEEKS`."""
SIZE_HORIZON_WEEKS = 104
"""Two years of measurements: a long growth phase makes a later stop visible."""
MIN_MEASUREMENTS = 4
"""Limb measurement days a verdict needs (and days a waist series needs)."""
MIN_SPAN_WEEKS = 8.0
"""Weeks from the first to the last limb measurement a verdict needs: girth
changes need 6-12 weeks to beat tape error (DOMAIN.md)."""
LIMB_GIRTHS = ("arm_cm", "chest_cm", "thigh_cm", "calf_cm", "forearm_cm", "neck_cm",
               "corrected_arm_cm", "corrected_thigh_cm", "corrected_calf_cm", "arm_muscle_area_cm2")
LIMB_SERIES = tuple(m for m in LIMB_GIRTHS if m != "arm_muscle_area_cm2")
"""The girths (cm) of the limb series; the arm muscle area is in cm^2."""
FAT_MEASURES = ("waist_cm", "body_fat_pct")
FAT_TO_LIMB_RATIO = 2.0
"""Waist rising more than twice as fast as the limbs (cm/week): fat gain."""
SKINFOLD_SITES = {"arm_cm": "triceps", "thigh_cm": "thigh", "calf_cm": "calf"}

SIZE_ROPE_CM_PER_WEEK = 0.02
"""Region of practical equivalence of the mean limb-girth rate: about half a
centimetre over 6 months, the smallest change tape measurements confirm
(girth changes usually need 6-12 weeks to beat measurement error;
DOMAIN.md). The scenario generator labels its truth with this constant."""
SIGMA_REF_CM = 0.4
"""Typical tape noise of a girth reading, cm (same site, same time of day)."""
OFFSET_SD_CM = 50.0
"""Prior SD of a measure's offset from the trainee's first measure (chest vs arm: ~70 cm)."""
SIZE_PRIOR = segmented.Prior(
    sigma_ref=SIGMA_REF_CM,
    level_sd=50.0,
    slope_sd=0.05,  # cm/week: a mean limb girth rarely changes faster than ~2.5 cm a year
    model_prior=(0.2, 0.2, 0.6),
    temper=1.5,
)
"""Fixed priors of the limb series (``z_sd`` is set per batch:
:data:`OFFSET_SD_CM` for every measure offset).

``model_prior`` (line, free break, flat since the break) puts 0.6 on "flat
since some week": girth growth plateaus (DOMAIN.md, "The question coaches
ask"), and with the break date spread over up to two years of weeks a
uniform 1/3 let one long straight line outweigh a plateau of the last 8-20
weeks (the scenario grid's stops were read "growing" with confidence).
``temper`` 1.5 widens the posterior for what the models leave out (same-day
tape errors shared across sites, diminishing returns before a stop). Both,
with :data:`MIN_DAYS_AFTER` and :data:`SIZE_COMMIT_PROBABILITY`, were chosen
on the scenario grid's tuning seeds 1-3 (``benchmarks/size_accuracy.py``):
committed accuracy >= 0.94 in every size scenario, coverage 0.83, ECE 0.027."""
MIN_DAYS_BEFORE = 3
"""Measurement days a break needs before it ("flat all along" excepted)."""
MIN_DAYS_AFTER = 3
"""Measurement days a break needs after it."""
MIN_WEEKS_AFTER = 6.0
"""Weeks a break needs after it (to the last measurement): girth changes
need 6-12 weeks to beat tape error (DOMAIN.md), so a stop more recent than
that is not yet distinguishable from noise and no break is placed there."""
WAIST_PRIOR = dataclasses.replace(SIZE_PRIOR, slope_sd=0.1, model_prior=(1 / 3, 1 / 3, 1 / 3))
"""The waist's: as the limbs', but its slopes within about 0.1 cm a week
(fat gain moves the waist faster than muscle moves the limbs) and no lean
toward a plateau (only its current rate is used)."""
SCALE_PRIOR_POINTS = 4.0
"""A measure's own residual scale is shrunk toward the trainee's pooled one
as if the latter were worth this many points."""
PREDICT_MIN_WEIGHT = 0.02
"""The first fit's trend (for the residuals) averages the components holding
at least this share of a series' posterior (the bulk; keeps it fast)."""
SIZE_T_NU = 4.0
"""Degrees of freedom of the Student-t likelihood (heavy tails for tape slips)."""
MIN_SCALE_CM = 0.1
"""Floor of a robust residual scale (the tape's 1 mm resolution)."""
SIZE_COMMIT_PROBABILITY = 0.8
"""A class is stated when its posterior probability reaches this (else
``uncertain``; Chow 1970), read off the grid's risk-coverage curve on the
tuning seeds."""
SIZE_CLASSES = ("growing", "flat", "shrinking")
CHUNK_TRAINEES = 1000
"""Trainees per pass of the posterior: every step is per trainee, so chunks
give the same answer and memory stays bounded."""


# --------------------------------------------------------------------------
# Formulas (scalar or polars expressions alike)
# --------------------------------------------------------------------------


def corrected_girth(girth_cm, skinfold_mm):
    """Girth less the skinfold's fat shell: girth - pi * skinfold(mm) / 10."""
    return girth_cm - math.pi * skinfold_mm / 10


def arm_muscle_area(mac_cm, tsf_mm, male: bool):
    """Corrected arm muscle area, cm^2 (Heymsfield et al. 1982)."""
    return (mac_cm - math.pi * tsf_mm / 10) ** 2 / (4 * math.pi) - (10 if male else 6.5)


def body_density_jp3(sum_mm, age, male: bool):
    """Jackson-Pollock 3-site body density from the sum of the three skinfolds (mm)."""
    if male:
        return 1.10938 - 0.0008267 * sum_mm + 0.0000016 * sum_mm ** 2 - 0.0002574 * age
    return 1.0994921 - 0.0009929 * sum_mm + 0.0000023 * sum_mm ** 2 - 0.0001392 * age


def siri(density):
    """Body fat % from body density (Siri 1961)."""
    return 495 / density - 450


def ffmi(weight_kg, body_fat_pct, height_cm):
    """Fat-free mass index, kg/m^2."""
    return weight_kg * (1 - body_fat_pct / 100) / (height_cm / 100) ** 2


def normalised_ffmi(ffmi_value, height_cm):
    """FFMI scaled to 1.8 m (Kouri et al. 1995)."""
    return ffmi_value + 6.1 * (1.8 - height_cm / 100)


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def rolling_bodyweight(body: pl.DataFrame) -> pl.DataFrame:
    """Bodyweight with its 7-day rolling mean (the days logged among the day
    and the 6 before it): trainee_id, date, bodyweight_kg, rolling_kg."""
    daily = (body.filter(pl.col("measure") == "bodyweight_kg")
             .group_by("trainee_id", "date").agg(pl.col("value").mean().alias("bodyweight_kg"))
             .sort("trainee_id", "date"))
    return daily.with_columns(
        pl.col("bodyweight_kg").rolling_mean_by("date", window_size="7d").over("trainee_id").alias("rolling_kg"))


def derived_measures(body: pl.DataFrame, trainees: pl.DataFrame) -> pl.DataFrame:
    """The body table plus what its measures allow on each day: corrected
    girths, arm muscle area, JP3 body fat (when not logged), FFMI and its
    normalised form. Long form, like the input."""
    wide = body.pivot(on="measure", index=["trainee_id", "date"], values="value", aggregate_function="mean")
    people = trainees.select("trainee_id", "sex", "birth_year", "height_cm")
    wide = wide.join(people, on="trainee_id", how="left")
    col = _maybe(wide)
    male = pl.col("sex") == "M"
    age = pl.col("date").dt.year() - pl.col("birth_year")
    derived = [corrected_girth(col(g), col(f"skinfold_{site}_mm")).alias(f"corrected_{g}")
               for g, site in SKINFOLD_SITES.items()]
    derived.append(pl.when(pl.col("sex").is_not_null()).then(
        (col("arm_cm") - math.pi * col("skinfold_triceps_mm") / 10) ** 2 / (4 * math.pi)
        - pl.when(male).then(10.0).otherwise(6.5)).alias("arm_muscle_area_cm2"))
    men = col("skinfold_chest_mm") + col("skinfold_abdomen_mm") + col("skinfold_thigh_mm")
    women = col("skinfold_triceps_mm") + col("skinfold_suprailiac_mm") + col("skinfold_thigh_mm")
    density = pl.when(male).then(body_density_jp3(men, age, True)).when(pl.col("sex") == "F").then(
        body_density_jp3(women, age, False))
    fat = pl.coalesce(col("body_fat_pct"), siri(density))
    derived += [fat.alias("body_fat_pct")]
    with_fat = wide.with_columns(derived)
    index = ffmi(pl.col("bodyweight_kg") if "bodyweight_kg" in wide.columns else pl.lit(None, pl.Float64),
                 pl.col("body_fat_pct"), pl.col("height_cm"))
    with_fat = with_fat.with_columns(index.alias("ffmi"), normalised_ffmi(index, pl.col("height_cm")).alias("ffmi_normalised"))
    measures = [c for c in with_fat.columns if c not in ("trainee_id", "date", "sex", "birth_year", "height_cm")]
    return (with_fat.unpivot(index=["trainee_id", "date"], on=measures, variable_name="measure", value_name="value")
            .drop_nulls("value").filter(pl.col("value").is_finite()).sort("trainee_id", "measure", "date"))


def _maybe(frame: pl.DataFrame):
    """Column accessor that gives nulls for measures nobody logged."""
    def col(name: str) -> pl.Expr:
        return pl.col(name) if name in frame.columns else pl.lit(None, dtype=pl.Float64)
    return col


def measure_trends(body: pl.DataFrame, as_of: pl.DataFrame, window_weeks: int = SIZE_WINDOW_WEEKS) -> pl.DataFrame:
    """Least-squares slope per trainee and measure over the window before
    as_of, with its 95% interval (t distribution): trainee_id, measure, n,
    span_weeks, first, last, slope_per_week, low, high. Bodyweight uses the
    7-day rolling mean of the days it was logged."""
    start = pl.col("as_of") - pl.duration(weeks=window_weeks)
    recent = (body.join(as_of.select("trainee_id", "as_of"), on="trainee_id")
              .filter(pl.col("date").is_between(start, pl.col("as_of")))
              .with_columns(((pl.col("date") - start).dt.total_days() / 7).alias("t")))
    t, y = pl.col("t"), pl.col("value")
    fitted = (
        recent.sort("date").group_by("trainee_id", "measure")
        .agg(pl.len().alias("n"), (t.max() - t.min()).alias("span_weeks"),
             y.first().alias("first"), y.last().alias("last"),
             (pl.cov(t, y) / t.var()).alias("slope_per_week"),
             ((t - t.mean()) ** 2).sum().alias("sxx"),
             ((y - y.mean()) ** 2).sum().alias("syy"))
        .with_columns((pl.col("syy") - pl.col("slope_per_week") ** 2 * pl.col("sxx")).clip(0.0).alias("sse"))
        .drop("syy")
    )
    dof = (fitted["n"] - 2).clip(1).to_numpy()
    t_crit = special.stdtrit(dof, 0.975)
    se = (fitted["sse"] / (fitted["n"] - 2).clip(1) / fitted["sxx"]).sqrt()
    return fitted.with_columns(
        se.alias("se"),
        (pl.col("slope_per_week") - pl.Series(t_crit) * se).alias("low"),
        (pl.col("slope_per_week") + pl.Series(t_crit) * se).alias("high"),
    ).drop("sxx", "sse").sort("trainee_id", "measure")


# --------------------------------------------------------------------------
# Size status: the posterior
# --------------------------------------------------------------------------

BODY_SCHEMA = {"trainee_id": pl.String, "date": pl.Date, "measure": pl.String, "value": pl.Float64}
STATUS_SCHEMA = {
    "trainee_id": pl.String, "status": pl.String,
    "p_growing": pl.Float64, "p_flat": pl.Float64, "p_shrinking": pl.Float64,
    "flat_since": pl.Date, "flat_since_low": pl.Date, "flat_since_high": pl.Date,
    "limb_rate_cm_per_week": pl.Float64, "limb_rate_low": pl.Float64, "limb_rate_high": pl.Float64,
    "p_fat_gain": pl.Float64, "evidence": pl.String,
}
_SUMMARY = ("p_growing", "p_flat", "p_shrinking", "since_low", "since", "since_high",
            "limb_rate_cm_per_week", "limb_rate_sd", "limb_rate_low", "limb_rate_high")


def _in_horizon(measures: pl.DataFrame, as_of: pl.DataFrame, names) -> pl.DataFrame:
    """The named measures within the horizon before as_of, with ``t`` (weeks
    since the horizon start), ``week`` (Monday-based week number) and
    ``horizon_start``."""
    horizon = pl.col("as_of") - pl.duration(weeks=SIZE_HORIZON_WEEKS)
    return (
        measures.filter(pl.col("measure").is_in(list(names)))
        .join(as_of.select("trainee_id", "as_of"), on="trainee_id")
        .filter(pl.col("date").is_between(horizon, pl.col("as_of")))
        .with_columns(horizon.cast(pl.Date).alias("horizon_start"),
                      ((pl.col("date") - horizon).dt.total_days() / 7).alias("t"),
                      (pl.col("date").dt.truncate("1w").cast(pl.Int64) // 7).alias("week"))
    )


def limb_points(measures: pl.DataFrame, as_of: pl.DataFrame) -> pl.DataFrame:
    """The limb girths that make each trainee's series: per site, the
    skinfold-corrected girth when it was taken on at least as many days as
    the raw one (it is taken only on days with both), else the raw girth."""
    points = _in_horizon(measures, as_of, LIMB_SERIES).with_columns(
        pl.col("measure").str.replace("^corrected_", "").alias("site"))
    chosen = (points.group_by("trainee_id", "site", "measure").agg(pl.len().alias("days"))
              .with_columns(pl.col("measure").str.starts_with("corrected_").alias("corrected"))
              .sort("trainee_id", "site", "days", "corrected", descending=[False, False, True, True])
              .unique(["trainee_id", "site"], keep="first", maintain_order=True)
              .select("trainee_id", "measure"))
    return points.join(chosen, on=["trainee_id", "measure"]).drop("site")


def _judged(points: pl.DataFrame) -> pl.DataFrame:
    """Per trainee: measurement days, span (weeks), whether that is enough."""
    return (points.group_by("trainee_id")
            .agg(pl.col("date").n_unique().alias("days"), (pl.col("t").max() - pl.col("t").min()).alias("span"))
            .with_columns(((pl.col("days") >= MIN_MEASUREMENTS) & (pl.col("span") >= MIN_SPAN_WEEKS)).alias("enough")))


def _arrays(points: pl.DataFrame, m: int, w: np.ndarray) -> segmented.Series:
    k = points.get_column("k").to_numpy()
    z = (k[:, None] == np.arange(1, m + 1)[None, :]).astype(float)
    return segmented.Series(sid=points.get_column("sid").to_numpy(), t=points.get_column("t").to_numpy(),
                            y=points.get_column("y").to_numpy().astype(float), w=w,
                            week=points.get_column("break_week").to_numpy(), z=z)


def _fit(points: pl.DataFrame, per_day: int, prior: segmented.Prior) -> segmented.Components:
    """Posterior of series ``sid`` 0..S-1 (points sorted by sid, t).

    ``k`` numbers each trainee's measures (0: the reference, no offset);
    ``per_day`` is the series' measures a day, so that a break needs
    :data:`MIN_DAYS_BEFORE` measurement days before it and
    :data:`MIN_DAYS_AFTER` after it. A first fit with equal weights gives
    residuals; their robust scale per trainee and measure (shrunk toward the
    trainee's over all measures, :data:`SCALE_PRIOR_POINTS`) weights each
    measure by its precision, and the Student-t weights at that scale
    down-weight slips; the second fit uses both."""
    m = int(points.get_column("k").max())
    prior = dataclasses.replace(prior, z_sd=(OFFSET_SD_CM,) * m, min_before=MIN_DAYS_BEFORE * per_day,
                                min_after=MIN_DAYS_AFTER * per_day)
    s = _arrays(points, m, np.ones(points.height))
    first = segmented.fit(s, prior, SIZE_ROPE_CM_PER_WEEK)
    resid = s.y - segmented.predict(first, s.sid, s.t, s.z, min_weight=PREDICT_MIN_WEIGHT)
    n_m = pl.len().over("sid", "k")
    pooled = pl.max_horizontal(segmented.robust_sd(pl.col("r")).over("sid"), pl.lit(MIN_SCALE_CM))
    own = pl.max_horizontal(segmented.robust_sd(pl.col("r")).over("sid", "k"), pl.lit(MIN_SCALE_CM))
    scales = pl.DataFrame({"sid": s.sid, "k": points.get_column("k").to_numpy(), "r": resid}).select(
        pooled.alias("pooled"),
        ((n_m * own ** 2 + SCALE_PRIOR_POINTS * pooled ** 2) / (n_m + SCALE_PRIOR_POINTS)).sqrt().alias("own"))
    pooled, own = scales.get_column("pooled").to_numpy(), scales.get_column("own").to_numpy()
    s.w = segmented.student_t_weights(resid, own, SIZE_T_NU) * (pooled / own) ** 2
    return segmented.fit(s, prior, SIZE_ROPE_CM_PER_WEEK)


def _posterior_summary(points: pl.DataFrame, judged: pl.DataFrame, prior: segmented.Prior) -> pl.DataFrame:
    """Per judged trainee (``enough``): class probabilities, flat-since
    quantiles (t) and the current rate (mean, SD, 95% interval). Trainees
    are fitted in passes of at most :data:`CHUNK_TRAINEES` that share their
    number of measures (so a break's minimum points before and after are a
    number of days)."""
    ids = (judged.filter("enough").sort("trainee_id").with_row_index("row")
           .select("trainee_id", pl.col("row").cast(pl.Int64)))
    if ids.is_empty():
        return pl.DataFrame(schema={"trainee_id": pl.String, **{c: pl.Float64 for c in _SUMMARY}})
    points = (points.join(ids, on="trainee_id")
              .with_columns((pl.col("measure").rank("dense").over("row") - 1).cast(pl.Int64).alias("k"))
              .with_columns((pl.col("k").max().over("row") + 1).alias("per_day")))
    groups = (points.group_by("row").agg(pl.col("per_day").first()).sort("per_day", "row")
              .with_columns((pl.int_range(pl.len()).over("per_day") // CHUNK_TRAINEES).alias("chunk")))
    points = points.join(groups.select("row", "chunk"), on="row").sort("per_day", "chunk", "row", "t", "k")
    # no break candidate in the last MIN_WEEKS_AFTER weeks: those points join the week before them
    tail = pl.col("t") > pl.col("t").max().over("row") - MIN_WEEKS_AFTER
    points = points.with_columns(pl.when(tail).then(None).otherwise(pl.col("week")).forward_fill().over("row")
                                 .fill_null(pl.col("week")).alias("break_week"))
    out = np.full((ids.height, len(_SUMMARY)), np.nan)
    for part in points.partition_by("per_day", "chunk", maintain_order=True):
        part = part.with_columns((pl.col("row").rank("dense") - 1).cast(pl.Int64).alias("sid"))
        rows = part.unique("sid").sort("sid").get_column("row").to_numpy()
        n = len(rows)
        comp = _fit(part, int(part.get_column("per_day")[0]), prior)
        out[rows] = np.column_stack([segmented.class_probabilities(comp, n), segmented.flat_since(comp, n),
                                     segmented.rate_summary(comp, n)])
    return ids.select("trainee_id").with_columns(pl.Series(name, out[:, j]) for j, name in enumerate(_SUMMARY))


def fat_gain_share(limb_mean, limb_sd, waist_mean, waist_sd, ratio: float | None = None,
                   rope: float | None = None, nodes: int = 32) -> np.ndarray:
    """P(waist rate > ratio x limb rate | limb rate > rope), both rates
    independent normals (their posterior means and SDs).

    With x the standardised limb rate and v = P(X > x) running from 0 to
    P(X > a), a = (rope - mean) / sd, this is the mean over v of
    Phi((waist_mean - ratio (limb_mean + limb_sd x(v))) / waist_sd):
    Gauss-Legendre on v. ``ratio`` and ``rope`` default to
    :data:`FAT_TO_LIMB_RATIO` and :data:`SIZE_ROPE_CM_PER_WEEK`."""
    ratio = FAT_TO_LIMB_RATIO if ratio is None else ratio
    rope = SIZE_ROPE_CM_PER_WEEK if rope is None else rope
    limb_mean, waist_mean = np.asarray(limb_mean, float), np.asarray(waist_mean, float)
    limb_sd = np.maximum(np.asarray(limb_sd, float), 1e-9)
    waist_sd = np.maximum(np.asarray(waist_sd, float), 1e-9)
    tail = special.ndtr((limb_mean - rope) / limb_sd)
    x, wq = np.polynomial.legendre.leggauss(nodes)
    v = tail[:, None] * (x[None, :] + 1) / 2
    limb = limb_mean[:, None] - limb_sd[:, None] * special.ndtri(np.maximum(v, 1e-300))
    inside = special.ndtr((waist_mean[:, None] - ratio * limb) / waist_sd[:, None])
    share = (inside * wq[None, :]).sum(1) / 2
    # limbs surely below the rope: the limit at the rope itself
    edge = special.ndtr((waist_mean - ratio * np.maximum(limb_mean, rope)) / waist_sd)
    return np.where(tail > 1e-12, np.clip(share, 0.0, 1.0), edge)


def size_status(measures: pl.DataFrame, as_of: pl.DataFrame) -> pl.DataFrame:
    """Status, class probabilities, flat-since dates, current mean limb rate,
    P(fat gain) and the evidence in words, one row per trainee of ``as_of``
    (see the module docstring). ``measures`` is the long body table with
    the derived measures (:func:`derived_measures`)."""
    if measures.is_empty() or not set(BODY_SCHEMA) <= set(measures.columns):
        measures = pl.DataFrame(schema=BODY_SCHEMA)
    limbs = limb_points(measures, as_of)
    judged = _judged(limbs)
    summary = _posterior_summary(limbs.with_columns(pl.col("value").alias("y")), judged, SIZE_PRIOR)

    waist = (_in_horizon(measures, as_of, ["waist_cm"]).join(summary.select("trainee_id"), on="trainee_id")
             .with_columns(pl.col("value").alias("y")))
    waist_summary = _posterior_summary(waist, _judged(waist), WAIST_PRIOR).select(
        "trainee_id", pl.col("limb_rate_cm_per_week").alias("waist_rate"), pl.col("limb_rate_sd").alias("waist_sd"))
    summary = summary.join(waist_summary, on="trainee_id", how="left")
    share = fat_gain_share(*(summary.get_column(c).fill_null(np.nan).to_numpy()
                             for c in ("limb_rate_cm_per_week", "limb_rate_sd", "waist_rate", "waist_sd")))
    summary = summary.with_columns(pl.Series("p_fat_gain", share).fill_nan(None))

    horizon_start = as_of.select("trainee_id", (pl.col("as_of") - pl.duration(weeks=SIZE_HORIZON_WEEKS))
                                 .cast(pl.Date).alias("horizon_start"))
    frame = (as_of.select("trainee_id").unique(maintain_order=True)
             .join(judged, on="trainee_id", how="left").join(summary, on="trainee_id", how="left")
             .join(horizon_start, on="trainee_id", how="left"))
    moved = pl.col("p_growing") * pl.col("p_fat_gain").fill_null(0.0)
    grew_top = (pl.col("p_growing") >= pl.col("p_flat")) & (pl.col("p_growing") >= pl.col("p_shrinking"))
    frame = frame.with_columns(
        (grew_top & (pl.col("p_fat_gain") > 0.5)).fill_null(False).alias("fat_gain"),
        (pl.col("p_growing") - moved).alias("p_growing"), (pl.col("p_flat") + moved).alias("p_flat"))
    frame = frame.with_columns(segmented.committed_status(SIZE_CLASSES, SIZE_COMMIT_PROBABILITY).alias("status"))
    flat = (pl.col("status") == "flat") & ~pl.col("fat_gain")
    frame = frame.with_columns(
        *(pl.when(flat).then(segmented.week_date(pl.col(src))).alias(dst) for src, dst in
          (("since", "flat_since"), ("since_low", "flat_since_low"), ("since_high", "flat_since_high"))))
    return frame.with_columns(_evidence().alias("evidence")).select(
        *(pl.col(c).cast(t) for c, t in STATUS_SCHEMA.items())).sort("trainee_id")


def _num(name: str, digits: int = 3) -> pl.Expr:
    return (pl.col(name).round(digits) + 0.0).cast(pl.String)  # + 0.0: no "-0.0"


def _evidence() -> pl.Expr:
    """The verdict's grounds in words."""
    rate = pl.format("mean limb girth {} cm a week (95% interval {} to {}); P(growing) {}, P(flat) {}, "
                     "P(shrinking) {}", _num("limb_rate_cm_per_week"), _num("limb_rate_low"),
                     _num("limb_rate_high"), _num("p_growing", 2), _num("p_flat", 2), _num("p_shrinking", 2))
    status = pl.col("status")
    need = f"a verdict needs {MIN_MEASUREMENTS} days over {MIN_SPAN_WEEKS:g} weeks"
    return (
        pl.when(pl.col("days").is_null())
        .then(pl.lit(f"no limb girths measured in the last {SIZE_HORIZON_WEEKS} weeks"))
        .when(pl.col("days") < MIN_MEASUREMENTS)
        .then(pl.format(f"only {{}} limb measurement days in the last {SIZE_HORIZON_WEEKS} weeks ({need})",
                        pl.col("days")))
        .when(status == "insufficient_data")
        .then(pl.format(f"limb measurements span only {{}} weeks ({need})", _num("span", 1)))
        .when(pl.col("fat_gain"))
        .then(pl.format("limb girths rising, but the waist faster: fat gain (P {}); {}", _num("p_fat_gain", 2), rate))
        .when(status == "flat")
        .then(pl.format("flat since {} (80% interval {} to {}); {}", pl.col("flat_since"), pl.col("flat_since_low"),
                        pl.col("flat_since_high"), rate))
        .when(status == "uncertain").then(pl.format("too early to tell: {}", rate))
        .otherwise(rate)
    )


def size(body: pl.DataFrame, trainees: pl.DataFrame, as_of: pl.DataFrame,
         window_weeks: int = SIZE_WINDOW_WEEKS) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per trainee: the size status (:func:`size_status`) and the
    least-squares trend of every measure over ``window_weeks``
    (:func:`measure_trends`, for the report tables)."""
    measures = derived_measures(body, trainees) if body.height else body
    smoothed = _smoothed_bodyweight(measures)
    trends = measure_trends(smoothed, as_of, window_weeks) if smoothed.height else _empty_trends()
    return size_status(measures, as_of), trends


def _empty_trends() -> pl.DataFrame:
    return pl.DataFrame(schema={"trainee_id": pl.String, "measure": pl.String, "n": pl.UInt32,
                                "span_weeks": pl.Float64, "first": pl.Float64, "last": pl.Float64,
                                "slope_per_week": pl.Float64, "se": pl.Float64, "low": pl.Float64,
                                "high": pl.Float64})


def _smoothed_bodyweight(measures: pl.DataFrame) -> pl.DataFrame:
    """Bodyweight replaced by its 7-day rolling mean; other measures as they are."""
    if measures.is_empty():
        return measures
    rolled = rolling_bodyweight(measures).select(
        "trainee_id", "date", pl.lit("bodyweight_kg").alias("measure"), pl.col("rolling_kg").alias("value"))
    return pl.concat([measures.filter(pl.col("measure") != "bodyweight_kg"), rolled]).sort(
        "trainee_id", "measure", "date")
