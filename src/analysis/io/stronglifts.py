"""StrongLifts exports -> canonical sets, and the bodyweight of each workout.

One line per exercise and workout::

    Date (yyyy/mm/dd),Workout,Workout Name,Program Name,Body Weight (KG),Exercise,
    Sets×Reps,Sets×Time,Top Set (Reps×KG),e1RM (KG),Reps,Volume (KG),
    Workout Volume (KG),Duration (hours),Start Time (h:mm),End Time (h:mm),Notes,
    Set 1 (Reps),Set 1 (KG),...,Set 6 (KG)

Pound accounts write ``(LB)`` in the set and volume columns but keep
``Body Weight (KG)``. The set columns name the unit of the loads, so
``--unit`` does not override them (a warning says so when it differs).

Decisions:

- **Rows read are set cells.** Each ``Set N (Reps)``/``Set N (KG|LB)`` pair
  with something in it is one row read, with set_index N - 1 (the column
  number, from 0). A pair with reps > 0 is a set. A pair with 0 reps
  (shown ``-`` in ``Sets×Reps``) is a set the lifter missed, not a set: it
  is rejected with the reason "missed set (0 reps)", so it is listed in
  rejects.csv and read = kept + rejected + duplicates still holds. Empty
  pairs (a 3-set exercise leaves Set 4-6 empty) are not sets and not rows.
  A line without any filled pair counts as one rejected row ("no sets on
  this line").
- **Timed exercises** (``Sets×Time`` filled, ``Sets×Reps`` empty) are
  rejected as cardio/duration-only sets, pair by pair (or the line).
- **Sessions.** The session is the workout: its date and start time
  (``2026/08/11`` and ``10:56 PM`` -> ``2026-08-11 22:56``), or the date and
  workout number (``2026-08-11 #12``) when the start time is missing. An
  exercise on two lines of one workout continues its set_index.
- **Summaries** (Top Set, e1RM, Reps, Volume, Duration, End Time) are derived
  from the sets and not read; ``Notes`` become the sets' notes.
- **Bodyweight.** ``Body Weight (KG)`` goes to body.csv as bodyweight_kg: one
  measurement per workout, from the workout's first line that has one
  (its line in rejects, if refused). Empty or 0 is no measurement. It is a
  second table of the same export (:attr:`Export.extra`) with its own row
  accounting (rows read = workouts with a bodyweight).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from analysis import schema
from analysis.errors import DataFileError
from analysis.io import canonical, headers, textfile, units
from analysis.io.canonical import Export, Rule, text

FORMAT = "stronglifts"
SET_COLUMN = re.compile(r"^set (\d+) \((reps|kgs?|lbs?)\)$")
MISSED = "missed set (0 reps)"
CLOCK = r"^(\d{1,2}):(\d{2})(?::\d{2})?\s*([AaPp]\.?[Mm]\.?)?$"


def set_columns(columns: list[str]) -> tuple[dict[int, dict[str, str]], set[str]]:
    """``{N: {"reps": name, "weight": name}}`` for each set with a reps column,
    and the units the weight columns name."""
    pairs: dict[int, dict[str, str]] = {}
    named: set[str] = set()
    for name in columns:
        found = SET_COLUMN.match(headers.normalise(name))
        if found:
            kind = "reps" if found[2] == "reps" else "weight"
            pairs.setdefault(int(found[1]), {})[kind] = name
            if kind == "weight":
                named.add(units.check_unit(found[2]))
    return {n: p for n, p in sorted(pairs.items()) if "reps" in p}, named


def matches(columns: list[str]) -> bool:
    pairs, _ = set_columns(columns)
    header = headers.match(columns, headers.STRONGLIFTS, headers.STRONGLIFTS_REQUIRED)
    return header is not None and any("weight" in p for p in pairs.values())


def read(path: Path, unit: str | None = None) -> Export:
    table = textfile.read_table(path)
    header = headers.match(table.columns, headers.STRONGLIFTS, headers.STRONGLIFTS_REQUIRED)
    pairs, named = set_columns(table.columns)
    if header is None or not any("weight" in p for p in pairs.values()):
        raise DataFileError(
            path, "not a StrongLifts export (needs Date (yyyy/mm/dd), Exercise, Set 1 (Reps), Set 1 (KG) or (LB))"
        )
    if len(named) > 1:
        raise DataFileError(path, "the set columns name both KG and LB; a StrongLifts export uses one unit")
    set_unit = named.pop() if named else None
    base = _workouts(table, header)
    sets = _set_cells(base, table.frame, pairs)
    weight, _, warnings = canonical.weight_kg(
        headers.Header({"weight": "_weight"}, {"weight": set_unit} if set_unit else {}), sets, unit, path
    )
    reps = pl.col("_reps")
    frame, rejects = canonical.canonical(
        sets,
        schema.SETS,
        {
            "date": pl.col("_when"),
            "session_id": pl.col("_session"),
            "exercise": pl.col("_exercise"),
            "weight_kg": weight,
            "reps": reps,
            "set_type": pl.lit("working"),
            "set_index": pl.col("_index"),
            "notes": pl.col("_notes"),
        },
        [
            canonical.malformed_line(table.width),
            Rule(pl.col("_timed"), header.columns.get("sets_time", "Sets×Time"), pl.col("_time").fill_null(""),
                 canonical.CARDIO),
            Rule(pl.col("_set") == 0, "line", pl.col("_exercise").fill_null(""), "no sets on this line"),
            Rule((units.number(reps) == 0) | (reps == "-"), "reps", pl.format("set {}: {}", "_set", reps), MISSED),
        ],
    )
    body = _bodyweights(base, table.width, header.units.get("bodyweight") or set_unit or unit or "kg")
    extra = [body] if body.read else []
    return Export(schema.SETS, frame, rejects, table.warnings + warnings, extra=extra)


def _workouts(table: textfile.TextTable, header: headers.Header) -> pl.DataFrame:
    """One row per line: its workout (date, start, session), exercise and line facts."""
    column = header.col
    frame = table.frame.with_columns(canonical.iso_datetimes(table.frame.get_column(header.columns["date"])))
    day = text(column("date"))
    start = _clock(text(column("start")))
    workout = text(column("workout")).replace("", None)
    timed = text(column("sets_time")).str.contains(r"[1-9]").fill_null(False)
    by_reps = text(column("sets_reps")).replace("", None).is_not_null()
    return frame.select(
        "_line",
        "_fields",
        _day=day,
        _when=pl.coalesce(pl.format("{} {}", day, start), day),
        _session=pl.coalesce(pl.format("{} {}", day, start), pl.format("{} #{}", day, workout), day),
        _exercise=text(column("exercise")),
        _notes=text(column("notes")),
        _time=text(column("sets_time")),
        _timed=timed & ~by_reps,
        _bodyweight=text(column("bodyweight")).replace("", None),
    )


def _clock(value: pl.Expr) -> pl.Expr:
    """``10:56 PM`` / ``8:00 am`` / ``22:56`` -> ``22:56`` (null when not a time)."""
    hour = value.str.extract(CLOCK, 1).cast(pl.Int32)
    minute = value.str.extract(CLOCK, 2)
    half = value.str.extract(CLOCK, 3).str.to_uppercase().str.slice(0, 1)
    hour = pl.when(half == "P").then(hour % 12 + 12).when(half == "A").then(hour % 12).otherwise(hour)
    hour = pl.when(hour < 24).then(hour)
    return pl.format("{}:{}", hour.cast(pl.String).str.zfill(2), minute)


def _set_cells(base: pl.DataFrame, frame: pl.DataFrame, pairs: dict[int, dict[str, str]]) -> pl.DataFrame:
    """One row per filled set pair (``_set`` = N), and one per line without any (``_set`` = 0)."""
    parts = []
    for n, names in pairs.items():
        cells = frame.select(_reps=_cell(names["reps"]), _weight=_cell(names.get("weight")))
        parts.append(
            pl.concat([base, cells], how="horizontal")
            .with_columns(_set=pl.lit(n, dtype=pl.Int64))
            .filter(pl.col("_reps").is_not_null() | pl.col("_weight").is_not_null())
        )
    sets = pl.concat(parts)
    empty = base.join(sets.select("_line").unique(), on="_line", how="anti").with_columns(
        _reps=pl.lit(None, dtype=pl.String), _weight=pl.lit(None, dtype=pl.String), _set=pl.lit(0, dtype=pl.Int64)
    )
    sets = pl.concat([sets, empty]).sort("_line", "_set", maintain_order=True)
    # an exercise on a later line of the same workout continues after the columns of its earlier lines
    width = max(pairs)
    lines = sets.select("_session", "_exercise", "_line").unique(maintain_order=True)
    earlier = lines.with_columns(_k=pl.int_range(pl.len(), dtype=pl.Int64).over("_session", "_exercise"))
    sets = sets.join(earlier, on=["_session", "_exercise", "_line"], how="left", nulls_equal=True,
                     maintain_order="left")
    return sets.with_columns(_index=(pl.col("_set") - 1 + pl.col("_k") * width).cast(pl.String))


def _cell(name: str | None) -> pl.Expr:
    """A text cell, null when empty (or when the column is absent)."""
    return text(name).replace("", None)


def _bodyweights(base: pl.DataFrame, width: int, unit: str) -> Export:
    """Body Weight per workout as long body rows (bodyweight_kg)."""
    given = base.filter(
        pl.col("_bodyweight").is_not_null() & (units.number(pl.col("_bodyweight")).fill_null(1) != 0)
    )
    first = (
        given.sort(pl.col("_fields") != width, "_line", maintain_order=True)
        .unique("_session", keep="first", maintain_order=True)
        .sort("_line")
    )
    body, rejects = canonical.canonical(
        first,
        schema.BODY,
        {
            "date": pl.col("_day"),
            "measure": pl.lit("bodyweight_kg"),
            "value": units.converted(pl.col("_bodyweight"), units.WEIGHT_UNITS[unit]),
        },
        [canonical.malformed_line(width)],
    )
    return Export(schema.BODY, body, rejects)
