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
- **Timed exercises** (``Sets×Time`` filled, ``Sets×Reps`` empty, e.g.
  ``3×60s`` or ``3×1:00``) are that many timed sets of that time (rows
  read: the sets), unless the name is cardio
  (:func:`analysis.io.canonical.timed_sets`); a ``Sets×Time`` that does not
  read as sets × time is one rejected row naming it.
- **Sessions.** The session is the workout: its date and start time
  (``2026/08/11`` and ``10:56 PM`` -> ``2026-08-11 22:56``), or the date and
  workout number (``2026-08-11 #12``) when the start time is missing. An
  exercise on two lines of one workout continues its set_index.
- **Summaries** (Top Set, e1RM, Reps, Volume) are derived from the sets and
  not read; ``Notes`` become the sets' notes. ``Duration (hours)``, else
  start to end time (past midnight if need be), is the session's length
  (``session_s``).
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
    sets, timed = canonical.timed_sets(sets, pl.col("_exercise"), pl.col("_reps"), pl.col("_seconds"))
    reps = pl.col("_reps")
    frame, rejects = canonical.canonical(
        sets,
        schema.SETS,
        {
            "date": pl.col("_when"),
            "session_id": pl.col("_session"),
            "exercise": pl.col("_exercise"),
            "weight_kg": weight,
            **timed.columns,
            "session_s": pl.col("_session_s"),
            "set_type": pl.lit("working"),
            "set_index": pl.col("_index"),
            "notes": pl.col("_notes"),
        },
        [
            canonical.malformed_line(table.width),
            Rule(pl.col("_timed") & pl.col("_seconds").is_null(), header.columns.get("sets_time", "Sets×Time"),
                 pl.col("_time").fill_null(""), "Sets×Time does not read as sets × time (like 3×60s)"),
            Rule((pl.col("_set") == 0) & ~pl.col("_timed"), "line", pl.col("_exercise").fill_null(""),
                 "no sets on this line"),
            *timed.rules,
            Rule(((units.number(reps) == 0) & pl.col("_seconds").is_null()) | (reps == "-"), "reps",
                 pl.format("set {}: {}", "_set", reps), MISSED),
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
    hours = units.number(text(column("hours"))) * 3600
    span = (_minutes(_clock(text(column("end")))) - _minutes(start)) * 60
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
        _session_s=pl.coalesce(pl.when(hours > 0).then(hours), pl.when(span < 0).then(span + 86400).otherwise(span)
                               ).replace(0, None).cast(pl.String),
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


def _minutes(clock: pl.Expr) -> pl.Expr:
    """``22:56`` -> minutes since midnight."""
    parts = clock.str.split(":").list.eval(pl.element().cast(pl.Int32))
    return parts.list.get(0, null_on_oob=True) * 60 + parts.list.get(1, null_on_oob=True)


def _timed_sets(base: pl.DataFrame) -> pl.DataFrame:
    """The sets of timed lines: ``3×60s`` -> three rows (``_set`` 1-3) of 60 s;
    an unreadable ``Sets×Time`` one row (``_set`` 0) with no seconds."""
    found = pl.col("_time").str.extract_groups(r"^(\d+)\s*[×xX*]\s*(.+)$")
    lines = base.filter("_timed").with_columns(
        _n=found.struct.field("1").cast(pl.Int64), _seconds=units.seconds(found.struct.field("2")))
    readable = (pl.col("_n") > 0) & (pl.col("_seconds") > 0)
    lines = lines.with_columns(
        _set=pl.when(readable).then(pl.int_ranges(1, pl.col("_n") + 1)).otherwise(pl.lit([0], pl.List(pl.Int64))),
        _seconds=pl.when(readable).then("_seconds"),
    ).explode("_set")
    return lines.drop("_n").with_columns(_reps=pl.lit(None, pl.String), _weight=pl.lit(None, pl.String))


def _set_cells(base: pl.DataFrame, frame: pl.DataFrame, pairs: dict[int, dict[str, str]]) -> pl.DataFrame:
    """One row per filled set pair (``_set`` = N), the sets of timed lines, and
    one row per line without any (``_set`` = 0)."""
    parts = []
    for n, names in pairs.items():
        cells = frame.select(_reps=_cell(names["reps"]), _weight=_cell(names.get("weight")))
        parts.append(
            pl.concat([base, cells], how="horizontal")
            .with_columns(_set=pl.lit(n, dtype=pl.Int64))
            .filter(pl.col("_reps").is_not_null() | pl.col("_weight").is_not_null())
        )
    sets = pl.concat(parts).with_columns(_seconds=pl.lit(None, pl.Float64))
    timed = _timed_sets(base)
    empty = base.join(pl.concat([sets, timed.select(sets.columns)]).select("_line").unique(), on="_line",
                      how="anti").with_columns(
        _reps=pl.lit(None, dtype=pl.String), _weight=pl.lit(None, dtype=pl.String), _set=pl.lit(0, dtype=pl.Int64),
        _seconds=pl.lit(None, pl.Float64))
    sets = pl.concat([sets, timed.select(sets.columns), empty]).sort("_line", "_set", maintain_order=True)
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
