"""Lyfta exports -> canonical sets.

``Title,Date,Duration,Exercise,"Superset id",Weight,Reps,Distance,Time,"Set Type"``
(some exports put a space before ``Title``; ``Notes`` and ``RPE`` are read
when present). One row per set, in workout order, without a set number:
the canonical set_index is the set's place in the export, and identical
lines are separate sets (no duplicates within a file). ``Date``
(``2025-12-11 12:41:04``) is the workout start, so it is also the session
id; ``Duration`` (``01:07:28``) is the session's length (``session_s``)
and ``Title`` is not set data. Cells
written ``null`` (or ``NaN``) are empty.

Decisions:

- **Units.** The file names no unit: ``--unit`` decides, else the unit is
  guessed as for Strong (:func:`analysis.io.units.guess_unit`: pounds when
  loads carry pound float noise or exceed 400, else kilograms) and a
  warning states the guess and the ``--unit`` that overrides it.
- **Bodyweight.** Bodyweight moves carry weight ``0.000``: the canonical
  weight is empty, as for the other apps.
- **Set types.** ``NORMAL_SET`` -> working, ``WARMUP_SET`` -> warmup,
  ``DROP_SET`` -> drop, ``FAILURE_SET`` -> failure. ``BACK_OFF_SET`` and
  ``NEGATIVE_REPS_SET`` are work sets of another kind and read as working.
  Any other type is also read as working, never dropped, and a warning
  names each such type with its number of rows. An empty type is working.
  Names are compared without case, ``_`` or a ``SET`` suffix
  (``warm_up_set`` = ``WARMUP_SET``).
- **Timed sets.** Rows with a time (``Time``) or a distance but no reps
  are timed sets (a plank, a carry) unless they are cardio
  (:func:`analysis.io.canonical.timed_sets`); distances are in km for kg
  accounts and miles for lb accounts.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis import schema
from analysis.io import canonical, headers, units
from analysis.io.canonical import Export, text

FORMAT = "lyfta"
SET_TYPES = {
    "NORMAL": "working",
    "WARMUP": "warmup",
    "DROP": "drop",
    "FAILURE": "failure",
    "BACKOFF": "working",
    "NEGATIVEREPS": "working",
}
EMPTY = ("null", "nan", "none", "undefined")
"""Cell texts that mean "no value"."""


def matches(columns: list[str]) -> bool:
    return headers.match(columns, headers.LYFTA, headers.LYFTA_REQUIRED) is not None


def read(path: Path, unit: str | None = None) -> Export:
    table, header = headers.read_export(path, headers.LYFTA, headers.LYFTA_REQUIRED,
                                        "not a Lyfta export (needs Date, Exercise, Weight, Reps, Set Type)")
    col = header.columns
    values = [col[f] for f in ("weight", "reps", "distance", "time", "set_type", "notes", "rpe") if f in col]
    frame = table.frame.with_columns(
        pl.when(text(c).str.to_lowercase().is_in(EMPTY)).then(None).otherwise(pl.col(c)).alias(c) for c in values
    )
    frame = frame.with_columns(canonical.iso_datetimes(frame.get_column(col["date"])))
    weight, _, warnings = canonical.weight_kg(header, frame, unit, path)
    column = header.col
    written = text(column("set_type"))
    kind = written.str.to_uppercase().str.replace_all(r"[^A-Z]", "").str.replace(r"SET$", "")
    set_type = kind.replace_strict(SET_TYPES, default=pl.lit("working"))
    warnings += _unknown_types(frame, written, kind, path)
    frame, timed = canonical.timed_sets(frame, column("exercise"), column("reps"),
                                        canonical.seconds(frame, column("time")), canonical.metres(header, unit))
    frame = frame.with_columns(_session_s=canonical.seconds(frame, column("duration")))
    sets, rejects = canonical.canonical(
        frame,
        schema.SETS,
        {
            "date": column("date"),
            "session_id": column("date"),
            "exercise": column("exercise"),
            "weight_kg": weight,
            **timed.columns,
            "session_s": pl.col("_session_s"),
            "rpe": canonical.rpe(column("rpe")),
            "set_type": set_type,
            "notes": column("notes"),
        },
        [canonical.malformed_line(table.width), *timed.rules],
        index=True,
    )
    return Export(schema.SETS, sets, rejects, table.warnings + warnings)


def _unknown_types(frame: pl.DataFrame, written: pl.Expr, kind: pl.Expr, path: Path) -> list[str]:
    """A warning naming the set types read as working without being known."""
    unknown = (
        frame.select(written.alias("type"), kind.alias("kind"))
        .filter((pl.col("kind") != "") & ~pl.col("kind").is_in(list(SET_TYPES)))
        .group_by("type", maintain_order=True)
        .len()
    )
    if unknown.is_empty():
        return []
    named = ", ".join(f"{name} ({n} row{'s' if n != 1 else ''})" for name, n in unknown.iter_rows())
    return [f"{path}: set types not known to this reader, read as working sets: {named}"]
