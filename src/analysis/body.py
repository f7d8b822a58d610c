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

Size status weighs limb girths against the waist and body fat: girths
rising while the waist rises faster is fat gain, not muscle ("flat").
"""

from __future__ import annotations

import math

import polars as pl
from scipy import stats

SIZE_WINDOW_WEEKS = 26
"""Girth changes need 6-12 weeks or more to beat tape error (DOMAIN.md), so
size is judged over a longer window than strength."""
MIN_MEASUREMENTS = 4
MIN_SPAN_WEEKS = 8.0
LIMB_GIRTHS = ("arm_cm", "chest_cm", "thigh_cm", "calf_cm", "forearm_cm", "neck_cm",
               "corrected_arm_cm", "corrected_thigh_cm", "corrected_calf_cm", "arm_muscle_area_cm2")
FAT_MEASURES = ("waist_cm", "body_fat_pct")
MIN_LIMB_RATE = 0.01
"""cm a week: under ~0.5 cm a year is not worth calling growth or loss."""
FAT_TO_LIMB_RATIO = 2.0
"""Waist rising more than twice as fast as the limbs (cm/week): fat gain."""
SKINFOLD_SITES = {"arm_cm": "triceps", "thigh_cm": "thigh", "calf_cm": "calf"}


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
             (y - y.mean()).alias("dy"), (t - t.mean()).alias("dt"))
        .with_columns((pl.col("dy") - pl.col("slope_per_week") * pl.col("dt")).list.eval(pl.element() ** 2)
                      .list.sum().alias("sse"))
        .drop("dy", "dt")
    )
    dof = (fitted["n"] - 2).clip(1).to_numpy()
    t_crit = stats.t.ppf(0.975, dof)
    se = (fitted["sse"] / (fitted["n"] - 2).clip(1) / fitted["sxx"]).sqrt()
    return fitted.with_columns(
        se.alias("se"),
        (pl.col("slope_per_week") - pl.Series(t_crit) * se).alias("low"),
        (pl.col("slope_per_week") + pl.Series(t_crit) * se).alias("high"),
    ).drop("sxx", "sse").sort("trainee_id", "measure")


def size_status(trends: pl.DataFrame, as_of: pl.DataFrame) -> pl.DataFrame:
    """growing / flat / shrinking / insufficient_data per trainee, with the
    evidence in words.

    A measure counts when it has MIN_MEASUREMENTS over MIN_SPAN_WEEKS. Limb
    girths decide: growing when the 95% interval of the mean limb slope
    (SE of a mean of independent slopes) is above 0
    and it beats MIN_LIMB_RATE, unless the waist (or body fat) rises
    significantly and the waist faster than FAT_TO_LIMB_RATIO x the limbs:
    that is fat gain, read as flat. Shrinking when the limbs fall likewise.
    Without limb girths there is no size verdict (bodyweight alone cannot
    tell muscle from fat).
    """
    usable = trends.filter((pl.col("n") >= MIN_MEASUREMENTS) & (pl.col("span_weeks") >= MIN_SPAN_WEEKS))
    limb_se = (pl.col("se") ** 2).sum().sqrt() / pl.len()  # of the mean of independent slopes
    limbs = (usable.filter(pl.col("measure").is_in(LIMB_GIRTHS) & (pl.col("measure") != "arm_muscle_area_cm2"))
             .group_by("trainee_id")
             .agg(pl.col("slope_per_week").mean().alias("limb_rate"), limb_se.alias("limb_se"),
                  pl.len().alias("limb_measures"))
             .with_columns((pl.col("limb_rate") - 1.96 * pl.col("limb_se")).alias("limb_low"),
                           (pl.col("limb_rate") + 1.96 * pl.col("limb_se")).alias("limb_high")))
    waist = usable.filter(pl.col("measure") == "waist_cm").select(
        "trainee_id", pl.col("slope_per_week").alias("waist_rate"), pl.col("low").alias("waist_low"))
    fat = usable.filter(pl.col("measure") == "body_fat_pct").select(
        "trainee_id", pl.col("low").alias("fat_low"))
    joined = (as_of.select("trainee_id").join(limbs, on="trainee_id", how="left")
              .join(waist, on="trainee_id", how="left").join(fat, on="trainee_id", how="left"))
    fat_gain = ((pl.col("waist_low") > 0) & (pl.col("waist_rate") > FAT_TO_LIMB_RATIO * pl.col("limb_rate"))
                ) | (pl.col("fat_low") > 0)
    growing = (pl.col("limb_low") > 0) & (pl.col("limb_rate") > MIN_LIMB_RATE)
    shrinking = (pl.col("limb_high") < 0) & (pl.col("limb_rate") < -MIN_LIMB_RATE)
    status = (pl.when(pl.col("limb_rate").is_null()).then(pl.lit("insufficient_data"))
              .when(growing & fat_gain.fill_null(False)).then(pl.lit("flat"))
              .when(growing).then(pl.lit("growing"))
              .when(shrinking).then(pl.lit("shrinking"))
              .otherwise(pl.lit("flat")))
    evidence = (pl.when(pl.col("limb_rate").is_null()).then(pl.lit("no limb girths measured often enough"))
                .when(growing & fat_gain.fill_null(False)).then(pl.lit("limb girths rising, but the waist faster: fat gain"))
                .otherwise(pl.lit("limb girths") + pl.format(" {} cm a week on average",
                                                               pl.col("limb_rate").round(3).cast(pl.String))))
    return joined.with_columns(status.alias("status"), evidence.alias("evidence")).sort("trainee_id")


def size(body: pl.DataFrame, trainees: pl.DataFrame, as_of: pl.DataFrame,
         window_weeks: int = SIZE_WINDOW_WEEKS) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per trainee: the size status and the trend of every measure."""
    measures = derived_measures(body, trainees) if body.height else body
    smoothed = _smoothed_bodyweight(measures)
    trends = measure_trends(smoothed, as_of, window_weeks)
    return size_status(trends, as_of), trends


def _smoothed_bodyweight(measures: pl.DataFrame) -> pl.DataFrame:
    """Bodyweight replaced by its 7-day rolling mean; other measures as they are."""
    if measures.is_empty():
        return measures
    rolled = rolling_bodyweight(measures).select(
        "trainee_id", "date", pl.lit("bodyweight_kg").alias("measure"), pl.col("rolling_kg").alias("value"))
    return pl.concat([measures.filter(pl.col("measure") != "bodyweight_kg"), rolled]).sort(
        "trainee_id", "measure", "date")

