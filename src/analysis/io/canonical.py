"""What every reader hands the importer, and the rules the readers share.

A reader turns one export into an :class:`Export`: the canonical table's
columns as text plus ``_line`` (the source line), and the rows it refused
itself (a cardio entry, a malformed line) with line, column, value and
reason. :func:`analysis.schema.validate` does the typing and value checks on
the rest, so every reject names a real source line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from analysis import catalog, schema
from analysis.io import units
from analysis.io.headers import Header

LINE = "_line"
REJECTS_SCHEMA = {"line": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}

CARDIO = "cardio, warm-up or mobility (the catalog's cardio mark), not a strength set"
"""Rows with time or distance but no reps of a cardio-marked name
(:data:`analysis.catalog.CARDIO_WORDS`: runs, bikes, stretching, warm-ups)
are not strength sets; they are rejected with this reason rather than
dropped, so they stay visible in rejects.csv."""
UNKNOWN_DISTANCE = "distance without reps for a name the catalog does not know: taken for cardio"


@dataclass
class Export:
    """One export file as canonical text rows."""

    table: schema.Table
    frame: pl.DataFrame
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECTS_SCHEMA))
    """Rows the reader refused: line, column, value, reason."""
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0
    """Lines repeating an earlier line of the same file (counted as read)."""
    folded: int = 0
    """Lines that are facts about the set before them (Strong's rest-timer
    rows, read into that set's ``rest_s``), counted as read."""
    extra: list[Export] = field(default_factory=list)
    """Further tables read from the same file (StrongLifts: the bodyweight of
    each workout, for body.csv); each keeps its own row accounting."""

    @property
    def read(self) -> int:
        return self.frame.height + self.rejects.height + self.duplicates + self.folded


def text(value: pl.Expr | str | None) -> pl.Expr:
    """A column (by name) or expression as trimmed text; None is an empty column."""
    if value is None:
        return pl.lit(None, dtype=pl.String)
    expr = pl.col(value) if isinstance(value, str) else value
    return expr.cast(pl.String).str.strip_chars()


# --------------------------------------------------------------------------
# Rejects decided by a reader
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Refuse rows where ``when`` holds, naming ``column``, its ``value`` and a reason."""

    when: pl.Expr
    column: str
    value: pl.Expr
    reason: str | pl.Expr


def split(frame: pl.DataFrame, rules: list[Rule]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows no rule refuses, and one reject per refused row (the first rule that applies).

    The rules are evaluated as cheap flags on every row; values and reasons
    are built only for the refused rows.
    """
    if not rules:
        return frame, pl.DataFrame(schema=REJECTS_SCHEMA)
    which = pl.coalesce(*(pl.when(r.when).then(pl.lit(i, dtype=pl.Int32)) for i, r in enumerate(rules)))
    flagged = frame.lazy().with_columns(_rule=which).collect()
    refused = flagged.filter(pl.col("_rule").is_not_null())

    def pick(part: str) -> pl.Expr:
        chosen = pl.lit(None, dtype=pl.String)
        for i, rule in enumerate(rules):
            value = getattr(rule, part)
            value = pl.lit(value) if isinstance(value, str) else value.cast(pl.String)
            chosen = pl.when(pl.col("_rule") == i).then(value).otherwise(chosen)
        return chosen.alias(part)

    rejects = refused.select(pl.col(LINE).alias("line"), pick("column"), pick("value"), pick("reason"))
    kept = flagged.filter(pl.col("_rule").is_null()).drop("_rule") if refused.height else frame
    return kept, rejects.cast(REJECTS_SCHEMA)


def malformed_line(width: int, *, short_ok: bool = False) -> Rule:
    """Reject lines whose field count differs from the header's."""
    fields = pl.col("_fields")
    wrong = fields > width if short_ok else fields != width
    reason = pl.format(
        "line has {} fields, the header has {} (truncated or hand-edited?)", fields, pl.lit(width)
    )
    return Rule(wrong, "line", fields, reason)


@dataclass(frozen=True)
class Timed:
    """The canonical ``reps``, ``duration_s`` and ``distance_m`` of a reader's
    rows, and the rules refusing cardio (see :func:`timed_sets`)."""

    columns: dict[str, pl.Expr]
    rules: list[Rule]
    cardio: pl.Expr
    """True on rows refused as cardio (they name no weight unit)."""


def timed_sets(frame: pl.DataFrame, exercise: pl.Expr, reps: pl.Expr,
               seconds: pl.Series | pl.Expr | None = None,
               metres: pl.Series | pl.Expr | None = None) -> tuple[pl.DataFrame, Timed]:
    """Sets counted by time or distance instead of reps (planks, holds, carries).

    ``seconds`` and ``metres`` are Float64 (null when not logged), kept on
    the returned frame as ``_seconds`` and ``_metres`` so the rules and
    columns read them once. A row without reps but with a time or distance is a timed set
    (``reps`` 0, ``duration_s``, ``distance_m``; its load stays in
    ``weight_kg``), unless its name carries the catalog's cardio mark
    (:data:`CARDIO`) or, with a distance, is a name the catalog does not
    know (:data:`UNKNOWN_DISTANCE`): those rows are refused. Times and
    distances of sets with reps are kept too.
    """
    nothing = pl.lit(None, pl.Float64)
    frame = frame.with_columns(_seconds=nothing if seconds is None else seconds,
                               _metres=nothing if metres is None else metres)
    seconds, metres = pl.col("_seconds"), pl.col("_metres")
    # the names as written, once each (matching ignores case and spacing)
    marks = catalog.cardio_mark(frame.select(exercise.unique().alias("exercise")).get_column("exercise"))
    name = text(exercise)
    no_reps = units.number(reps).fill_null(0) == 0
    timed = (seconds.fill_null(0) > 0) | (metres.fill_null(0) > 0)
    cardio = no_reps & timed & exercise.is_in(marks.filter("cardio").get_column("exercise").implode())
    unknown = no_reps & (metres.fill_null(0) > 0) & exercise.is_in(
        marks.filter(~pl.col("in_catalog")).get_column("exercise").implode())
    return frame, Timed(
        {
            "reps": pl.when(no_reps & timed).then(pl.lit("0")).otherwise(reps),
            "duration_s": pl.when(seconds > 0).then(seconds.round(1)),
            "distance_m": pl.when(metres > 0).then(metres.round(1)),
        },
        [Rule(cardio, "exercise", name, CARDIO), Rule(unknown, "exercise", name, UNKNOWN_DISTANCE)],
        cardio | unknown,
    )


def metres(header: Header, unit: str | None) -> pl.Expr:
    """The distance column in metres (Float64; null when not logged).

    A distance-unit column wins (row by row), then a unit in the column
    name, then the account's system (:data:`analysis.io.units.METRIC_DISTANCE`
    of the weight unit the header names, else ``unit``, else kg).
    """
    if not header.has("distance"):
        return pl.lit(None, pl.Float64)
    value = units.number(text(header.columns["distance"]))
    named = header.units.get("distance") or units.METRIC_DISTANCE[header.units.get("weight") or unit or "kg"]
    scale = units.DISTANCE_UNITS[named]
    if header.has("distance_unit"):
        return value * units.distance_factor(text(header.columns["distance_unit"])).fill_null(scale)
    return value * scale


def unknown_unit(unit_text: pl.Expr, scale: pl.Expr, column: str) -> Rule:
    """Refuse rows whose unit cell names no unit we can convert."""
    return Rule(unit_text.is_not_null() & scale.is_null(), column, unit_text, "unknown unit")


# --------------------------------------------------------------------------
# Shared column rules
# --------------------------------------------------------------------------


def rpe(value: pl.Expr) -> pl.Expr:
    """RPE text; 0 means unrated in the apps, so it becomes empty."""
    return pl.when(units.number(value) == 0).then(None).otherwise(value)


def set_index(frame: pl.DataFrame, session: pl.Expr, exercise: pl.Expr) -> pl.Series:
    """Position of each set within its exercise in the session, from 0 (file order).

    Apps number sets differently (Strong from 1 or 0 with W/D/F for special
    sets, Hevy from 0, FitNotes not at all), so the canonical index is the
    set's place in the export, which is stable across re-exports. An exercise
    usually sits in one run of lines per session; then the position is the
    offset in the run (no grouping needed), else the count of earlier sets.
    """
    keys = frame.select(session.alias("s"), exercise.alias("e"))
    same = pl.col("s").eq_missing(pl.col("s").shift()) & pl.col("e").eq_missing(pl.col("e").shift())
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    keys = keys.with_columns(_new=~same.fill_null(False))
    if keys.filter("_new").select(pl.struct("s", "e").is_duplicated().any()).item():
        position = row.over("s", "e")
    else:
        position = row - pl.when("_new").then(row).forward_fill()
    return keys.select(position.cast(pl.String).alias("_set_index")).to_series()


def drop_repeats(
    frame: pl.DataFrame, columns: list[str], numbered: pl.Expr, key: list[str]
) -> tuple[pl.DataFrame, int]:
    """Drop lines of numbered sets identical to the line just before them.

    An app writes each numbered set once, so such a line is a duplicate
    (copied or exported twice). Identical unnumbered lines (Strong warm-ups
    ``W``) are real, separate sets, and so is an exercise done again later
    in the workout: only adjacent repeats count. ``key`` (workout, exercise,
    set number) narrows the search before whole lines are compared.
    """

    def same(names: list[str]) -> pl.Expr:
        return pl.all_horizontal(pl.col(c).eq_missing(pl.col(c).shift()) for c in names)

    if not frame.select((same(key) & numbered).any()).item():
        return frame, 0
    flags = frame.select((same(columns) & numbered).fill_null(False).alias("r")).get_column("r")
    return frame.filter(~flags), int(flags.sum())


DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%d %b %Y, %H:%M",
    "%d %b %Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d",
)
ISO_PATTERN = r"^\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2})?)?$"


def iso_datetimes(values: pl.Series) -> pl.Series:
    """Dates in the export's own format as ISO text (``2024-06-10 22:05``).

    An export writes every date one way, so the format is found from its
    first date. Values in another format stay as they are, and validation
    rejects them with their own text.
    """
    sample = values.head(1000).drop_nulls().str.strip_chars()
    sample = sample.filter(sample != "")
    if sample.is_empty() or sample.str.contains(ISO_PATTERN).first():
        return values
    fmt = next((f for f in DATETIME_FORMATS if parses(sample.first(), f)), None)
    if fmt is None:
        return values
    parsed = values.str.strip_chars().str.strptime(pl.Datetime, fmt, strict=False)
    out_fmt = "%Y-%m-%d %H:%M" if "%H" in fmt else "%Y-%m-%d"
    return (
        pl.select(pl.when(parsed.is_null()).then(values).otherwise(parsed.dt.to_string(out_fmt)))
        .to_series()
        .alias(values.name)
    )


def seconds(frame: pl.DataFrame, value: pl.Expr) -> pl.Series:
    """A duration column of ``frame`` in seconds (:func:`analysis.io.units.seconds`),
    parsed once per distinct text: a workout's length repeats on every set."""
    texts = frame.with_columns(text(value).alias("_text")).get_column("_text")  # a missing column: all null
    distinct = texts.unique()
    parsed = distinct.to_frame().select(units.seconds(pl.col("_text"))).to_series()
    return texts.replace_strict(distinct, parsed, default=None, return_dtype=pl.Float64)


def session_seconds(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Seconds from ISO ``start`` to ``end`` text (null unless end is later)."""
    def when(value: pl.Expr) -> pl.Expr:
        return text(value).str.to_datetime("%Y-%m-%d %H:%M", strict=False)

    length = (when(end) - when(start)).dt.total_seconds()
    return pl.when(length > 0).then(length)


def parses(value: str, fmt: str) -> bool:
    """Whether ``value`` is a date/time in the strptime format ``fmt``."""
    try:
        dt.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def future_date(date_text: pl.Expr, today: dt.date | None = None) -> Rule:
    """Refuse dates after tomorrow (one day of slack for time zones)."""
    limit = ((today or dt.date.today()) + dt.timedelta(days=1)).isoformat()
    day = date_text.str.strip_chars().str.slice(0, 10)
    future = day.str.contains(r"^\d{4}-\d{2}-\d{2}$") & (day > limit)
    return Rule(future, "date", date_text, "date in the future")


def canonical(
    frame: pl.DataFrame,
    table: schema.Table,
    columns: dict[str, pl.Expr],
    rules: list[Rule],
    *,
    index: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The canonical text columns and ``_line`` of a reader's frame, and its rejects.

    ``rules`` are checked against the reader's frame (see :func:`split`);
    ``index`` numbers the sets (:func:`set_index`) before any row is refused.
    """
    names = [c.name for c in table.columns]
    unknown = set(columns) - set(names)
    if unknown:  # pragma: no cover - a programming error
        raise ValueError(f"not canonical columns: {unknown}")
    if index:
        frame = frame.with_columns(set_index(frame, columns["session_id"], columns["exercise"]))
        columns = {**columns, "set_index": pl.col("_set_index")}
    kept, rejects = split(frame, rules)
    exprs = [columns[n].cast(pl.String).alias(n) for n in names if n in columns]
    return kept.lazy().select(*exprs, pl.col(LINE)).collect(), rejects


def weight_kg(
    header: Header,
    frame: pl.DataFrame,
    unit: str | None,
    source: object,
    *,
    default: str | None = None,
    strength: pl.Expr | None = None,
) -> tuple[pl.Expr, list[Rule], list[str]]:
    """The weight column in kg (text), with the rules and warnings its unit brings.

    A unit column wins (row by row), then a unit in the column name, then
    ``unit`` (``--unit``), then the format's ``default``; with none of these
    the unit is guessed (:func:`analysis.io.units.guess_unit`) and a warning
    says so. With a unit column, only the loads it leaves without a unit are
    guessed, and only on ``strength`` rows (default: all rows; a cardio row
    without a unit is rejected anyway): an export that names the unit of
    every load gets no guess and no warning. Kilograms already rounded to
    0.01 pass through as written.
    """
    warnings: list[str] = []
    weight = text(header.columns["weight"])
    named = header.units.get("weight")
    if named and unit and named != unit:
        warnings.append(f"{source}: the file says its weights are in {named}; --unit {unit} ignored")
    fallback = named or unit or default
    unit_text = text(header.columns["weight_unit"]).replace("", None) if header.has("weight_unit") else None
    if fallback is None:
        loads = frame.get_column(header.columns["weight"])
        if unit_text is not None:
            unstated = unit_text.is_null() & (units.number(weight).fill_null(0) != 0)
            if strength is not None:
                unstated = unstated & strength.fill_null(True)
            loads = frame.filter(unstated).get_column(header.columns["weight"])
            fallback = None if loads.len() else "kg"  # no load relies on the fallback
        if fallback is None:
            fallback, warning = units.guess_unit(loads, source)
            warnings.append(warning)
    scale = units.WEIGHT_UNITS[fallback]
    if unit_text is not None:
        per_row = units.factor(unit_text)
        rule = unknown_unit(unit_text, per_row, "weight unit")
        return units.converted(weight, per_row.fill_null(scale), zero_is_empty=True), [rule], warnings
    if scale == 1.0 and units.is_rounded(frame.get_column(header.columns["weight"])):
        return units.zero_as_empty(weight), [], warnings
    return units.converted(weight, scale, zero_is_empty=True), [], warnings
