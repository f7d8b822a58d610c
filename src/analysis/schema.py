"""The canonical tables (sets, body, trainees) and their validation.

Every table arrives as text (a column of strings per input column, plus the
input's line number in ``_line``). :func:`validate` parses each column to its
canonical type, checks values with pandera (:mod:`analysis.checks`), and splits the rows into the kept
table and a rejects table naming source file, line, column, value and reason.
No row is dropped silently: ``read = kept + rejected``.

The tables are described in ``docs/data-formats.md`` (from DESIGN.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from analysis.errors import DataFileError

TRAINEE_ID_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]{1,100}$"
"""A trainee id is any text of 1-100 characters without control characters,
in any alphabet; it is trimmed and NFC-normalised before this check (so
``José`` typed with a combining accent is the same trainee). Ids never name
files directly: reports go to a folder derived from the id
(:func:`analysis.report.slug.folder_name`)."""
ID_COLUMNS = ("trainee_id",)
"""Text columns holding trainee ids: NFC-normalised when validated."""

SET_TYPES = ("working", "warmup", "drop", "failure")
MAX_LOAD_KG = 1000.0
"""Heavier than any recorded barbell lift (deadlift WR ~500 kg) with room for
sled leg presses; a 2,000 kg entry is a typo or a unit slip."""
MAX_REPS = 1000
MAX_DISTANCE_M = 50_000.0
"""A marathon is 42 km; no carry or sled push comes near."""
TIMED_SET = pl.col("duration_s").is_not_null() | pl.col("distance_m").is_not_null()
"""A set counted by time or distance (a plank, a hold, a carry): logged with
0 reps, it is a working set for its muscles but never enters e1RM, volume
load, %1RM zones or workload (its reps are 0)."""

BODY_MEASURES = {
    # measure: (low, high) plausible range in the canonical unit
    "bodyweight_kg": (25.0, 350.0),
    "arm_cm": (10.0, 80.0),
    "forearm_cm": (10.0, 60.0),
    "chest_cm": (50.0, 200.0),
    "waist_cm": (40.0, 250.0),
    "hip_cm": (50.0, 250.0),
    "thigh_cm": (25.0, 120.0),
    "calf_cm": (15.0, 80.0),
    "neck_cm": (20.0, 70.0),
    "body_fat_pct": (2.0, 70.0),
}
SKINFOLD_RANGE_MM = (1.0, 100.0)
SKINFOLD_PATTERN = re.compile(r"^skinfold_[a-z]+_mm$")


# --------------------------------------------------------------------------
# Column specifications: the text -> typed parse step
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "str", "float", "int", "date", "measure"
    required: bool = False


SETS_COLUMNS = (
    Column("trainee_id", "str", required=True),
    Column("date", "date", required=True),
    Column("exercise", "str", required=True),
    Column("weight_kg", "float"),
    Column("reps", "int", required=True),
    Column("rpe", "float"),
    Column("set_type", "str"),
    Column("session_id", "str"),
    Column("set_index", "int"),
    Column("duration_s", "float"),
    Column("distance_m", "float"),
    Column("rest_s", "float"),
    Column("session_s", "float"),
    Column("notes", "str"),
)
TRAINEES_COLUMNS = (
    Column("trainee_id", "str", required=True),
    Column("name", "str"),
    Column("sex", "str"),
    Column("birth_year", "int"),
    Column("height_cm", "float"),
    Column("goal", "str"),
    Column("experience", "str"),
)
GOALS_COLUMNS = (
    Column("trainee_id", "str", required=True),
    Column("what", "str", required=True),
    Column("target", "float", required=True),
    Column("by_date", "date"),
)
BODY_LONG_COLUMNS = (
    Column("trainee_id", "str", required=True),
    Column("date", "date", required=True),
    Column("measure", "str", required=True),
    Column("value", "float", required=True),
)

@dataclass(frozen=True)
class Table:
    """A canonical table: its columns (text parse); its value checks are
    :data:`analysis.checks.MODELS` ``[name]``."""

    name: str
    columns: tuple[Column, ...]
    defaults: dict[str, str]


SETS = Table("sets", SETS_COLUMNS, {"set_type": "working"})
BODY = Table("body", BODY_LONG_COLUMNS, {})
TRAINEES = Table("trainees", TRAINEES_COLUMNS, {})
GOALS = Table("goals", GOALS_COLUMNS, {})

REJECTS_SCHEMA = {
    "source": pl.String,
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason": pl.String,
}


def empty_rejects() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECTS_SCHEMA)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


@dataclass
class Validated:
    """The outcome of validating one table from one source."""

    kept: pl.DataFrame
    rejects: pl.DataFrame
    read: int

    @property
    def rejected(self) -> int:
        return self.rejects.height


def require_columns(raw: pl.DataFrame, table: Table, source: str) -> None:
    """Raise a file-level error when a required column is missing."""
    missing = [c.name for c in table.columns if c.required and c.name not in raw.columns]
    if missing:
        found = [c for c in raw.columns if not c.startswith("_")]
        hint = ""
        if len(found) == 1 and any(d in found[0] for d in ";\t|"):
            hint = " (the header looks like it uses another delimiter than ',')"
        raise DataFileError(
            source,
            f"missing required column(s) {', '.join(missing)}; "
            f"found {', '.join(found[:12]) or 'none'}{hint}",
        )


def validate(raw: pl.DataFrame, table: Table, source: str) -> Validated:
    """Parse text columns to canonical types and check values.

    ``raw`` holds string columns, ``_line`` (the input line each row came
    from) and optionally ``_problem`` (a reason the reader already found to
    reject the row, e.g. a wrong number of fields). Unknown columns are ignored; optional missing columns are added as
    null (or their default). Returns the kept rows (canonical types and
    column order) and one reject per rejected row, naming every problem.
    """
    require_columns(raw, table, source)
    raw = raw.with_row_index("_row")
    if "_problem" not in raw.columns:
        raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias("_problem"))
    unreadable = raw.filter(pl.col("_problem").is_not_null())
    raw = raw.filter(pl.col("_problem").is_null())
    parsed, parse_errors = _parse(raw, table, source)
    check_errors = _check(parsed, table, source)
    read_errors = unreadable.select(
        pl.lit(source).alias("source"), "_row", pl.col("_line").alias("line"),
        pl.lit("(row)").alias("column"), pl.lit(None, dtype=pl.String).alias("value"),
        pl.col("_problem").alias("reason"),
    )
    rejects = _one_row_per_row(pl.concat([read_errors, parse_errors, check_errors], how="vertical_relaxed"))
    bad_rows = rejects.get_column("_row").implode()
    kept = parsed.filter(~pl.col("_row").is_in(bad_rows)).drop("_row", "_line")
    return Validated(kept=kept, rejects=rejects.drop("_row"), read=raw.height + unreadable.height)


def _parse(raw: pl.DataFrame, table: Table, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    # Strip each text column once: the typed and problem expressions below
    # reuse it (eager selects do not share sub-expressions).
    clean = raw.select("_row", "_line", *(_clean_text(raw, table, col) for col in table.columns))
    exprs, flags, problems = [pl.col("_row"), pl.col("_line")], [], []
    for col in table.columns:
        text = pl.col(col.name)
        typed, problem = _typed(text, col)
        exprs.append(typed.alias(col.name))
        if problem is not None:
            flags.append(problem)
            problems.append(
                pl.when(problem)
                .then(pl.struct(column=pl.lit(col.name), value=text, reason=_parse_reason(col, text)))
                .alias(col.name)
            )
    # lazily, so each typed column is computed once although the checks reuse it
    parsed = clean.lazy().select(*exprs, pl.any_horizontal(flags).alias("_bad")).collect()
    if "session_id" in parsed.columns:
        # a session is a trainee's workout: by default its date (and time, if given)
        parsed = parsed.with_columns(pl.coalesce("session_id", clean.get_column("date")).alias("session_id"))
    # describe the problems of the flagged rows only
    errors = (
        clean.filter(parsed.get_column("_bad"))
        .select("_row", pl.col("_line").alias("line"), *problems)
        .unpivot(index=["_row", "line"], value_name="err")
        .drop_nulls("err")
        .unnest("err")
        .select(pl.lit(source).alias("source"), "_row", "line", "column", "value", "reason")
    )
    return parsed.drop("_bad"), errors


def _clean_text(raw: pl.DataFrame, table: Table, col: Column) -> pl.Expr:
    """A column's text, trimmed; empty is null, then the column's default."""
    text = pl.col(col.name).str.strip_chars() if col.name in raw.columns else pl.lit(None, dtype=pl.String)
    if col.name in ID_COLUMNS:
        text = text.str.normalize("NFC")
    text = text.replace("", None)  # one pass (a when/then would strip twice)
    if col.name in table.defaults:
        text = text.fill_null(table.defaults[col.name])
    return text.alias(col.name)


def _typed(text: pl.Expr, col: Column) -> tuple[pl.Expr, pl.Expr | None]:
    """Typed expression for a text column, and an expression flagging bad text."""
    if col.kind == "str":
        return text, (text.is_null() if col.required else None)
    if col.kind == "float":
        typed = text.cast(pl.Float64, strict=False)  # reads "+5"; inf and nan are refused
        typed = pl.when(typed.is_finite()).then(typed)
    elif col.kind == "int":
        as_float = text.cast(pl.Float64, strict=False)
        typed = pl.when(as_float == as_float.round(0)).then(as_float).cast(pl.Int64)
    elif col.kind == "date":
        typed = parse_date(text)
    else:  # pragma: no cover - a programming error
        raise ValueError(col.kind)
    bad = typed.is_null() & text.is_not_null()
    if col.required:
        bad = bad | text.is_null()
    return typed, bad


def parse_date(text: pl.Expr) -> pl.Expr:
    """ISO date, optionally followed by a time (``2025-09-30 18:05[:00]``)."""
    date = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    rest = text.str.slice(10)
    ok_rest = (rest == "") | rest.str.contains(r"^[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
    return pl.when(ok_rest).then(date)


def _parse_reason(col: Column, text: pl.Expr) -> pl.Expr:
    what = {"float": "a number", "int": "a whole number", "date": "a date (YYYY-MM-DD)"}
    return (
        pl.when(text.is_null())
        .then(pl.lit(f"{col.name} is required but empty"))
        .otherwise(pl.lit(f"not {what.get(col.kind, 'text')}"))
    )


ROW_CHECK_COLUMNS = {
    "0 reps with a load and no time or distance: not a completed set": "reps",
    "unknown measure (see docs/data-formats.md)": "measure",
    "value outside the plausible range for this measure": "value",
    "target outside the plausible range for this measure (or above 1000 kg for a lift)": "target",
}
"""Row-level (dataframe) checks and the column each one is about."""


def _check(parsed: pl.DataFrame, table: Table, source: str) -> pl.DataFrame:
    """Run the pandera model on every row; failures as rejects.

    Empty required cells were reported by the parse step, so pandera's
    not-nullable failures are not repeated.
    """
    from analysis import checks  # pandera (and pandas) only where a table is validated

    cases = checks.failure_cases(parsed.drop("_row", "_line"), table.name)
    if cases is None:
        return _errors_frame([])
    cases = cases.filter(pl.col("index").is_not_null() & (pl.col("check") != "not_nullable"))
    names = [c.name for c in table.columns]
    cells = parsed.select(
        "_row", pl.col("_line").alias("line"), *(pl.col(n).cast(pl.String).alias(f"_{n}") for n in names)
    ).with_row_index("index")
    row_check = pl.col("check").replace_strict(ROW_CHECK_COLUMNS, default=None)
    column = pl.coalesce(row_check, pl.col("column"), pl.col("check"))
    cell = pl.coalesce(
        *(pl.when(column == n).then(pl.col(f"_{n}")) for n in names),
        pl.col("failure_case").cast(pl.String),
    )
    return (
        cases.with_columns(pl.col("index").cast(pl.UInt32))
        .join(cells, on="index", how="inner")
        .select(
            pl.lit(source).alias("source"),
            "_row",
            pl.col("line").cast(pl.Int64),
            column.alias("column"),
            cell.alias("value"),
            _check_reason(pl.col("check")).alias("reason"),
        )
    )


def _check_reason(check: pl.Expr) -> pl.Expr:
    """Plain words for pandera's check names."""
    return (
        check.str.replace(r"^greater_than_or_equal_to\((.*)\)$", "below the minimum ${1}")
        .str.replace(r"^less_than_or_equal_to\((.*)\)$", "above the maximum ${1}")
        .str.replace(r"^isin\((.*)\)$", "not one of ${1}")
        .str.replace(r"^str_matches\(.*\)$", "not a valid id (1-100 characters, no control characters)")
        .str.replace(r"^str_length\(.*\)$", "text empty or too long")
        .str.replace(r"^field_uniqueness$", "duplicate id")
    )


_ERRORS_SCHEMA = {"source": pl.String, "_row": pl.UInt32, **{k: v for k, v in REJECTS_SCHEMA.items() if k != "source"}}


def _errors_frame(rows: list) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=_ERRORS_SCHEMA, orient="row")


def _one_row_per_row(errors: pl.DataFrame) -> pl.DataFrame:
    """One reject per rejected row; several problems on a row are joined."""
    if errors.is_empty():
        return _errors_frame([])
    return (
        errors.cast(_ERRORS_SCHEMA)
        .group_by("_row", maintain_order=True)
        .agg(
            pl.col("source").first(),
            pl.col("line").first(),
            pl.col("column").str.join("; "),
            pl.col("value").fill_null("").str.join("; "),
            pl.col("reason").str.join("; "),
        )
        .sort("_row")
        .select(list(_ERRORS_SCHEMA))
    )
