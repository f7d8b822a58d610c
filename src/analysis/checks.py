"""The value checks of the canonical tables, as pandera models.

:func:`analysis.schema.validate` parses a table's text to typed columns,
then runs its model here (:func:`failure_cases`). Kept apart from
:mod:`analysis.schema` so that a process that reads no table (a report
worker) does not import pandera and pandas (half a second).
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from analysis.schema import (
    BODY_MEASURES,
    MAX_DISTANCE_M,
    MAX_LOAD_KG,
    MAX_REPS,
    SET_TYPES,
    SKINFOLD_PATTERN,
    SKINFOLD_RANGE_MM,
    TIMED_SET,
    TRAINEE_ID_PATTERN,
)


class SetsSchema(pa.DataFrameModel):
    """One row per set (DESIGN.md, canonical data)."""

    trainee_id: str = pa.Field(str_matches=TRAINEE_ID_PATTERN)
    date: pl.Date = pa.Field()
    exercise: str = pa.Field(str_length={"min_value": 1, "max_value": 200})
    weight_kg: float = pa.Field(ge=0, le=MAX_LOAD_KG, nullable=True)
    reps: int = pa.Field(ge=0, le=MAX_REPS)
    rpe: float = pa.Field(ge=1, le=10, nullable=True)
    set_type: str = pa.Field(isin=SET_TYPES)
    session_id: str = pa.Field(nullable=True)
    set_index: int = pa.Field(ge=0, nullable=True)
    duration_s: float = pa.Field(gt=0, le=24 * 3600, nullable=True)
    distance_m: float = pa.Field(gt=0, le=MAX_DISTANCE_M, nullable=True)
    rest_s: float = pa.Field(ge=0, le=24 * 3600, nullable=True)
    session_s: float = pa.Field(gt=0, nullable=True)  # as logged: a forgotten timer runs for days
    notes: str = pa.Field(nullable=True)

    @pa.dataframe_check(error="0 reps with a load and no time or distance: not a completed set")
    def completed_set(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            ~((pl.col("reps") == 0) & (pl.col("weight_kg").fill_null(0) > 0) & ~TIMED_SET)
        )

    class Config:
        strict = True


class BodySchema(pa.DataFrameModel):
    """Body measurements in long form: one value per trainee, date, measure."""

    trainee_id: str = pa.Field(str_matches=TRAINEE_ID_PATTERN)
    date: pl.Date = pa.Field()
    measure: str = pa.Field()
    value: float = pa.Field()

    @pa.dataframe_check(error="unknown measure (see docs/data-formats.md)")
    def known_measure(cls, data: pa.PolarsData) -> pl.LazyFrame:
        m = pl.col("measure")
        return data.lazyframe.select(
            m.is_in(list(BODY_MEASURES)) | m.str.contains(SKINFOLD_PATTERN.pattern)
        )

    @pa.dataframe_check(error="value outside the plausible range for this measure")
    def plausible_value(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_plausible_body_value())

    class Config:
        strict = True


class TraineesSchema(pa.DataFrameModel):
    """Who the trainees are; every column but trainee_id is optional."""

    trainee_id: str = pa.Field(str_matches=TRAINEE_ID_PATTERN, unique=True)
    name: str = pa.Field(nullable=True)
    sex: str = pa.Field(isin=["F", "M"], nullable=True)
    birth_year: int = pa.Field(ge=1900, le=dt.date.today().year, nullable=True)
    height_cm: float = pa.Field(ge=100, le=250, nullable=True)
    goal: str = pa.Field(isin=["strength", "hypertrophy", "general"], nullable=True)
    experience: str = pa.Field(isin=["novice", "intermediate", "advanced"], nullable=True)

    class Config:
        strict = True


class GoalsSchema(pa.DataFrameModel):
    """A coach's goals: a 1RM in kg for an exercise, or a body measure's value."""

    trainee_id: str = pa.Field(str_matches=TRAINEE_ID_PATTERN)
    what: str = pa.Field(str_length={"min_value": 1, "max_value": 200})
    target: float = pa.Field(gt=0)
    by_date: pl.Date = pa.Field(nullable=True)

    @pa.dataframe_check(error="target outside the plausible range for this measure (or above 1000 kg for a lift)")
    def plausible_target(cls, data: pa.PolarsData) -> pl.LazyFrame:
        measure = pl.col("what").is_in(list(BODY_MEASURES)) | pl.col("what").str.contains(SKINFOLD_PATTERN.pattern)
        in_range = _plausible_body_value(pl.col("what"), pl.col("target"))
        return data.lazyframe.select(pl.when(measure).then(in_range).otherwise(pl.col("target") <= MAX_LOAD_KG))

    class Config:
        strict = True


def _plausible_body_value(measure: pl.Expr | None = None, value: pl.Expr | None = None) -> pl.Expr:
    measure = pl.col("measure") if measure is None else measure
    value = pl.col("value") if value is None else value
    skinfold = measure.str.contains(SKINFOLD_PATTERN.pattern)
    bounds = []
    for i in (0, 1):
        per_measure = {name: rng[i] for name, rng in BODY_MEASURES.items()}
        bound = measure.replace_strict(per_measure, default=None, return_dtype=pl.Float64)
        bounds.append(pl.when(skinfold).then(SKINFOLD_RANGE_MM[i]).otherwise(bound))
    low, high = bounds
    # unknown measures are reported by known_measure, not twice here
    return value.is_between(low, high) | low.is_null()


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "sets": SetsSchema, "body": BodySchema, "trainees": TraineesSchema, "goals": GoalsSchema}


def failure_cases(frame: pl.DataFrame, table: str) -> pl.DataFrame | None:
    """pandera's failure cases of the ``table`` model on the typed ``frame``
    (every check, lazily: all failures at once); None when it passes."""
    try:
        MODELS[table].validate(frame, lazy=True)
        return None
    except pa.errors.SchemaErrors as err:
        return err.failure_cases
