"""Export column names -> the readers' field names (and the unit a name implies).

One alias table per app. A header matches a table when it has the table's
required fields; :func:`match` returns which column holds each field and any
weight or distance unit written into the column name (``Weight (lbs)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from analysis.errors import DataFileError
from analysis.io import textfile


def normalise(name: str) -> str:
    """Lower case, single spaces, no BOM or surrounding quotes."""
    return " ".join(name.replace("\ufeff", "").strip().strip('"').lower().split())


@dataclass(frozen=True)
class Alias:
    field: str
    unit: str | None = None


def _aliases(table: dict[str, tuple[str, ...] | dict[str, str | None]]) -> dict[str, Alias]:
    out = {}
    for fld, names in table.items():
        units = names if isinstance(names, dict) else dict.fromkeys(names)
        out.update({name: Alias(fld, unit) for name, unit in units.items()})
    return out


# German names from Strong's translated export (DOMAIN.md lists Datum, Name der
# Übung, Reihenfolge festlegen, Wiederh., Dauer; the others are the app's wording
# as far as known and harmless when absent).
STRONG = _aliases({
    "date": ("date", "datum"),
    "workout": ("workout name", "workout-name", "trainingsname", "name des trainings"),
    "duration": ("duration", "workout duration", "dauer"),
    "exercise": ("exercise name", "name der übung"),
    "set_order": ("set order", "reihenfolge festlegen"),
    "weight": {"weight": None, "gewicht": None, "kg": "kg", "lbs": "lb", "lb": "lb"},
    "weight_unit": ("weight unit", "gewichtseinheit"),
    "reps": ("reps", "wiederh.", "wiederholungen"),
    "distance": {"distance": None, "entfernung": None, "distanz": None, "km": "km", "mi": "mi"},
    "distance_unit": ("distance unit", "entfernungseinheit"),
    "seconds": ("seconds", "sekunden"),
    "notes": ("notes", "notizen"),
    "workout_notes": ("workout notes", "workout-notizen", "trainingsnotizen"),
    "rpe": ("rpe",),
})
STRONG_REQUIRED = ("date", "exercise", "set_order", "weight", "reps")

HEVY = _aliases({
    "title": ("title",),
    "start_time": ("start_time",),
    "end_time": ("end_time",),
    "exercise": ("exercise_title",),
    "exercise_notes": ("exercise_notes",),
    "set_index": ("set_index",),
    "set_type": ("set_type",),
    "weight": {"weight_kg": "kg", "weight_lbs": "lb"},
    "reps": ("reps",),
    "distance": {"distance_km": "km", "distance_miles": "mi"},
    "seconds": ("duration_seconds",),
    "rpe": ("rpe",),
})
HEVY_REQUIRED = ("start_time", "exercise", "set_index", "set_type", "weight", "reps")

FITNOTES = _aliases({
    "date": ("date",),
    "exercise": ("exercise",),
    "category": ("category",),
    "weight": {"weight": None, "weight (kgs)": "kg", "weight (lbs)": "lb"},
    "weight_unit": ("weight unit",),
    "reps": ("reps",),
    "distance": ("distance",),
    "distance_unit": ("distance unit",),
    "time": ("time",),
    "comment": ("comment",),
})
FITNOTES_REQUIRED = ("date", "exercise", "category", "weight", "reps")

LYFTA = _aliases({
    "title": ("title",),
    "date": ("date",),
    "duration": ("duration",),
    "exercise": ("exercise",),
    "superset": ("superset id",),
    "weight": ("weight",),
    "reps": ("reps",),
    "distance": ("distance",),
    "time": ("time",),
    "set_type": ("set type",),
    "notes": ("notes",),
    "rpe": ("rpe",),
})
LYFTA_REQUIRED = ("date", "exercise", "weight", "reps", "set_type")

# StrongLifts: the fixed columns; the ``Set N (Reps)``/``Set N (KG|LB)`` pairs
# are found by pattern in analysis.io.stronglifts.
STRONGLIFTS = _aliases({
    "date": ("date (yyyy/mm/dd)", "date"),
    "workout": ("workout",),
    "bodyweight": {"body weight (kg)": "kg", "body weight (kgs)": "kg", "body weight (lb)": "lb",
                   "body weight (lbs)": "lb", "body weight": None},
    "exercise": ("exercise",),
    "sets_reps": ("sets×reps", "setsxreps"),
    "sets_time": ("sets×time", "setsxtime"),
    "start": ("start time (h:mm)", "start time"),
    "end": ("end time (h:mm)", "end time"),
    "hours": ("duration (hours)",),
    "notes": ("notes",),
})
STRONGLIFTS_REQUIRED = ("date", "exercise")

FITNOTES_BODY = _aliases({
    "date": ("date",),
    "time": ("time",),
    "measure": ("measurement",),
    "value": ("value",),
    "unit": ("unit",),
    "comment": ("comment",),
})
FITNOTES_BODY_REQUIRED = ("date", "time", "measure", "value", "unit")


@dataclass(frozen=True)
class Header:
    """Which export column holds each field, and units named in the header."""

    columns: dict[str, str]
    units: dict[str, str]

    def has(self, fld: str) -> bool:
        return fld in self.columns

    def col(self, fld: str) -> pl.Expr:
        """The export's column for a field (an empty column when it has none)."""
        return pl.col(self.columns[fld]) if fld in self.columns else pl.lit(None, dtype=pl.String)


def read_export(path, aliases: dict[str, Alias], required: tuple[str, ...], not_this: str):
    """The file's table (:func:`analysis.io.textfile.read_table`) and its
    header matched onto an alias table; ``DataFileError(path, not_this)``
    when a required field is missing."""
    table = textfile.read_table(path)
    header = match(table.columns, aliases, required)
    if header is None:
        raise DataFileError(path, not_this)
    return table, header


def match(names: list[str], aliases: dict[str, Alias], required: tuple[str, ...]) -> Header | None:
    """Map a header onto an alias table; None when a required field is missing."""
    columns, units = {}, {}
    for name in names:
        alias = aliases.get(normalise(name))
        if alias is None or alias.field in columns:
            continue
        columns[alias.field] = name
        if alias.unit:
            units[alias.field] = alias.unit
    if not all(f in columns for f in required):
        return None
    return Header(columns, units)
