"""Hevy exports -> canonical sets.

One row per set, newest workout first; ``start_time`` (``"10 Jun 2024,
22:05"``) is the session. Weights are in ``weight_kg`` or, for pound
accounts, ``weight_lbs``; bodyweight sets leave the weight empty. set_type
``normal``/``warmup``/``failure``/``dropset`` map to the canonical set types.
``duration_seconds`` and ``distance_km`` (``distance_miles``) without reps
make a timed set; ``start_time`` to ``end_time`` is the session's length.
"""

from __future__ import annotations

from pathlib import Path

from analysis import schema
from analysis.io import canonical, headers, units
from analysis.io.canonical import Export, text

FORMAT = "hevy"
SET_TYPES = {"normal": "working", "warmup": "warmup", "failure": "failure", "dropset": "drop"}


def matches(columns: list[str]) -> bool:
    return headers.match(columns, headers.HEVY, headers.HEVY_REQUIRED) is not None


def _times(header: headers.Header) -> list[str]:
    return [header.columns[f] for f in ("start_time", "end_time") if header.has(f)]


def read(path: Path, unit: str | None = None) -> Export:
    needs = "start_time, exercise_title, set_index, set_type, weight_kg or weight_lbs, reps"
    table, header = headers.read_export(path, headers.HEVY, headers.HEVY_REQUIRED, f"not a Hevy export (needs {needs})")
    col = header.columns
    numbered = text(col["set_index"]).str.contains(r"^\d+$")
    key = [col["start_time"], col["exercise"], col["set_index"]]
    frame, repeats = canonical.drop_repeats(table.frame, table.columns, numbered, key)
    weight, _, warnings = canonical.weight_kg(header, frame, unit, path)
    column = header.col
    frame, timed = canonical.timed_sets(frame, column("exercise"), column("reps"),
                                        units.number(text(column("seconds"))), canonical.metres(header, unit))
    frame = frame.with_columns(canonical.iso_datetimes(frame.get_column(c)) for c in _times(header))
    kind = text(column("set_type")).str.to_lowercase()
    sets, rejects = canonical.canonical(
        frame,
        schema.SETS,
        {
            "date": column("start_time"),
            "session_id": column("start_time"),
            "exercise": column("exercise"),
            "weight_kg": weight,
            **timed.columns,
            "session_s": canonical.session_seconds(column("start_time"), column("end_time")),
            "rpe": canonical.rpe(column("rpe")),
            "set_type": kind.replace_strict(SET_TYPES, default=kind),
            "notes": column("exercise_notes"),
        },
        [
            canonical.malformed_line(table.width),
            *timed.rules,
        ],
        index=True,
    )
    return Export(schema.SETS, sets, rejects, table.warnings + warnings, repeats)
