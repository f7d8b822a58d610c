"""Column maps: which column of any CSV holds each set field (``import --map``).

A map is a TOML file (read with :mod:`tomllib`)::

    date = "Workout Date"          # required
    date_format = "%d/%m/%Y %H:%M" # optional, strptime-style
    exercise = "Exercise"          # required
    weight = "Load"                # optional (empty/0 = bodyweight)
    weight_unit = "kg"             # "kg" or "lb" for every row, and/or
    weight_unit_column = "Unit"    # a column whose cells say kg/lb/lbs
    reps = "Reps"                  # required
    rpe = "RPE"
    set_type = "Type"
    session = "Workout #"          # the session is the date plus this value
    duration = "Seconds"           # the set's time (45, 0:45): with no reps, a timed set
    distance = "Distance"          # with no reps, a timed set (a carry)
    distance_unit = "m"            # m (default), km, mi, ft, yd
    rest = "Rest"                  # the rest after the set (90, 1:30), to rest_s
    session_duration = "Duration"  # the workout's length (1:05:00, 65m), to session_s
    notes = "Note"

    [set_type_values]              # source value -> warmup/working/drop/failure
    "warm-up" = "warmup"
    "*" = "working"                # any other value (else such rows are rejected)

:func:`load_map` checks the map itself; :meth:`ColumnMap.resolve` checks it
against a file's header. Both raise :class:`DataFileError` naming the map
file and the key. :func:`suggest_map` writes a map from a header (and a few
sample rows) through :data:`SYNONYMS`, for ``import --inspect`` and the
unknown-format error.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from analysis import schema
from analysis.errors import DataFileError
from analysis.io import canonical, units
from analysis.io.headers import normalise

REQUIRED = ("date", "exercise", "reps")
COLUMN_KEYS = ("date", "exercise", "weight", "weight_unit_column", "reps", "rpe", "set_type",
               "session", "duration", "distance", "rest", "session_duration", "notes")
"""Keys whose value names a column of the file."""
KEYS = ("date", "date_format", "exercise", "weight", "weight_unit", "weight_unit_column", "reps", "rpe",
        "set_type", "set_type_values", "session", "duration", "distance", "distance_unit", "rest",
        "session_duration", "notes")
ANY = "*"
"""The set_type_values key for every value the map does not name."""

USAGE = "analysis import {file} --trainee ID --out DIR --map map.toml"


@dataclass(frozen=True)
class ColumnMap:
    """A checked map: field -> column name, and how to read dates, units and set types."""

    path: Path
    columns: dict[str, str]
    date_format: str | None = None
    weight_unit: str | None = None
    distance_unit: str = "m"
    set_type_values: dict[str, str] | None = None
    """Lower-cased source value -> canonical set type (:data:`ANY` for the rest)."""

    def resolve(self, names: list[str], source: object) -> dict[str, str]:
        """Field -> the file's column (exact name, else the one equal in case and spacing)."""
        by_name: dict[str, list[str]] = {}
        for name in names:
            by_name.setdefault(normalise(name), []).append(name)
        out = {}
        for key, wanted in self.columns.items():
            found = [wanted] if wanted in names else by_name.get(normalise(wanted), [])
            if len(found) != 1:
                shown = ", ".join(names) if len(names) <= 30 else ", ".join(names[:30]) + ", ..."
                raise DataFileError(
                    self.path, f"{key} = {wanted!r}: {source} has no such column (its columns: {shown})"
                )
            out[key] = found[0]
        return out


def load_map(path: str | os.PathLike) -> ColumnMap:
    """Read and check a map file (keys, values, units, set types)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as err:
        raise DataFileError(path, f"cannot be read ({err.strerror})") from None
    except tomllib.TOMLDecodeError as err:
        raise DataFileError(path, f"not a valid TOML column map ({err})") from None

    def bad(key: str, problem: str) -> DataFileError:
        return DataFileError(path, f"{key}: {problem}")

    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise bad(unknown[0], f"unknown key; a map has the keys {', '.join(KEYS)}")
    for key in REQUIRED:
        if key not in data:
            raise bad(key, "missing; a map names at least the date, exercise and reps columns")
    columns = {}
    for key in COLUMN_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, str) or not value.strip():
                raise bad(key, f"must name a column (a non-empty text), not {value!r}")
            columns[key] = value.strip()
    date_format = data.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise bad("date_format", f"{date_format!r} is not a strptime format (like \"%d/%m/%Y %H:%M\")")
    weight_unit = data.get("weight_unit")
    if weight_unit is not None:
        if not isinstance(weight_unit, str) or weight_unit.strip().lower() not in units.WEIGHT_UNITS:
            raise bad("weight_unit", f"{weight_unit!r} is not a weight unit; use \"kg\" or \"lb\"")
        weight_unit = units.check_unit(weight_unit)
    if "weight" not in columns:
        for key in ("weight_unit", "weight_unit_column"):
            if key in data:
                raise bad(key, "given without a weight column (key weight)")
    distance_unit = data.get("distance_unit", "m")
    if not isinstance(distance_unit, str) or distance_unit.strip().lower() not in units.DISTANCE_UNITS:
        raise bad("distance_unit", f"{distance_unit!r} is not a distance unit; use m, km, mi, ft or yd")
    values = data.get("set_type_values")
    if values is not None:
        if "set_type" not in columns:
            raise bad("set_type_values", "given without a set_type column (key set_type)")
        if not isinstance(values, dict):
            raise bad("set_type_values", "must be a table ([set_type_values], then \"source value\" = \"warmup\")")
        checked = {}
        for source, target in values.items():
            if target not in schema.SET_TYPES:
                raise bad(f"set_type_values.{source}",
                          f"{target!r} is not a set type; use one of {', '.join(schema.SET_TYPES)}")
            checked[source.strip().lower()] = target
        values = checked
    return ColumnMap(path, columns, date_format, weight_unit, distance_unit.strip().lower(), values)


# --------------------------------------------------------------------------
# Suggesting a map from a header
# --------------------------------------------------------------------------

SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum", "date (yyyy/mm/dd)", "start_time", "start time", "workout date", "day",
             "timestamp", "datetime", "date/time", "date time"),
    "exercise": ("exercise name", "exercise_title", "exercise title", "name der übung", "exercise",
                 "exercise_name", "übung", "uebung", "movement", "lift", "exercice", "ejercicio"),
    "weight": ("weight", "weight_kg", "weight_lbs", "weight_lb", "weight (kgs)", "weight (lbs)", "weight (kg)",
               "weight (lb)", "weight(kg)", "weight(kgs)", "weight(lb)", "weight(lbs)", "kg", "kgs", "lbs",
               "lb", "gewicht", "load", "weight_kgs", "poids", "peso"),
    "weight_unit_column": ("weight unit", "weight_unit", "weightunit", "gewichtseinheit", "unit", "units",
                           "einheit"),
    "reps": ("reps", "wiederh.", "wiederholungen", "repetitions", "rep", "reps_count", "répétitions",
             "repeticiones"),
    "rpe": ("rpe",),
    "set_type": ("set_type", "set type", "settype", "type", "set order", "reihenfolge festlegen",
                 "iswarmup", "is warmup", "is_warmup", "warmup", "warm-up", "warm up"),
    "session": ("session", "session_id", "session id", "workout id", "workout_id"),
    "duration": ("duration_seconds", "duration (s)", "duration(s)", "duration (seconds)", "duration_s",
                 "seconds", "sekunden", "time (s)", "time(s)"),
    "distance": ("distance", "distance_km", "distance_miles", "distance (m)", "distance(m)", "distance (km)",
                 "km", "mi", "entfernung", "distanz"),
    "rest": ("rest", "rest_s", "rest (s)", "rest(s)", "rest_seconds", "rest seconds", "rest time"),
    "notes": ("notes", "note", "comment", "comments", "exercise_notes", "notizen"),
}
"""Normalised header names (:func:`analysis.io.headers.normalise`) per map key, best first."""

UNIT_IN_NAME = re.compile(r"(?:^|[^a-z])(kgs?|lbs?|kilograms|pounds)(?:[^a-z]|$)")
SET_COLUMNS = re.compile(r"^set (\d+) \((reps|kgs?|lbs?)\)$")
"""StrongLifts' ``Set N (Reps)``/``Set N (KG|LB)`` pairs."""
STRONG_ORDER = ("set order", "reihenfolge festlegen")
WARMUP_FLAGS = ("iswarmup", "is warmup", "is_warmup", "warmup", "warm-up", "warm up")
DEFAULT_SET_TYPES = {"normal": "working", "normal_set": "working", "working": "working", "warmup": "warmup",
                     "warmup_set": "warmup", "dropset": "drop", "drop_set": "drop", "failure": "failure",
                     "failure_set": "failure"}
EXTRA_DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d/%m/%y", "%m/%d/%y",
                      "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f")


@dataclass
class Suggestion:
    """A suggested map: the keys' values, and comments for the reader of the TOML."""

    values: dict[str, str]
    set_type_values: dict[str, str]
    notes: list[str]

    def toml(self) -> str:
        lines = ["# Column map for analysis import --map, suggested from the header: check it.",
                 *(f"# {n}" for n in self.notes)]
        for key in KEYS:
            if key == "set_type_values":
                continue
            if key in self.values:
                lines.append(f"{key} = {_quote(self.values[key])}")
            elif key in REQUIRED:
                lines.append(f'# {key} = "..."  # no column looks like the {key}: name it')
            elif key == "weight_unit" and "weight" in self.values and "weight_unit_column" not in self.values:
                lines.append('# weight_unit = "kg"  # the header names no unit: "kg" or "lb" (else --unit, or a guess)')
        if self.set_type_values:
            lines += ["", "[set_type_values]"]
            lines += [f"{_quote(k)} = {_quote(v)}" for k, v in self.set_type_values.items()]
        return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a valid TOML basic string


def suggest_map(columns: list[str], samples: dict[str, list[str]] | None = None) -> Suggestion:
    """A map for a header from :data:`SYNONYMS`; ``samples`` (column -> some values)
    refine the date format and the set-type values."""
    samples = samples or {}
    by_name: dict[str, str] = {}
    for name in columns:
        by_name.setdefault(normalise(name), name)
    values: dict[str, str] = {}
    notes: list[str] = []
    used: set[str] = set()
    for key, names in SYNONYMS.items():
        found = next((by_name[n] for n in names if n in by_name and by_name[n] not in used), None)
        if found is not None:
            values[key] = found
            used.add(found)
    pairs = _set_pairs(columns)
    if pairs:  # StrongLifts: one line per exercise, sets in Set N columns
        reps, load = pairs
        values["reps"], values["weight"] = reps, load
        notes.append(
            "Partial: one row per exercise with Set 1..N columns (StrongLifts); this map reads only "
            "Set 1 of each row. Import without --map to read every set."
        )
    if "reps" not in values:  # a name starting with reps (Reps×..., Reps (count))
        found = next((n for n in columns if re.match(r"^(reps|wiederh)", normalise(n)) and n not in used), None)
        if found:
            values["reps"] = found
    if "weight" in values:
        unit = _unit_in_name(values["weight"])
        if unit and "weight_unit_column" not in values:
            values["weight_unit"] = unit
    else:
        values.pop("weight_unit_column", None)
    date_format = _date_format(values.get("date"), samples)
    if date_format:
        values["date_format"] = date_format
    types = _set_type_values(values.get("set_type"), samples) if "set_type" in values else {}
    return Suggestion(values, types, notes)


def _set_pairs(columns: list[str]) -> tuple[str, str] | None:
    first: dict[str, str] = {}
    for name in columns:
        m = SET_COLUMNS.match(normalise(name))
        if m and m.group(1) == "1":
            first["reps" if m.group(2) == "reps" else "load"] = name
    return (first["reps"], first["load"]) if len(first) == 2 else None


def _unit_in_name(name: str) -> str | None:
    m = UNIT_IN_NAME.search(normalise(name))
    return units.check_unit(m.group(1)) if m else None


def _date_format(column: str | None, samples: dict[str, list[str]]) -> str | None:
    """A strptime format when the sample dates need one (auto-detected ones do not)."""
    if column is None:
        return None
    values = [v.strip() for v in samples.get(column, []) if v and v.strip()][:200]
    if not values or re.match(canonical.ISO_PATTERN, values[0]):
        return None
    if any(canonical.parses(values[0], f) for f in canonical.DATETIME_FORMATS):
        return None  # read as it is
    return next((f for f in EXTRA_DATE_FORMATS if all(canonical.parses(v, f) for v in values)), None)


def _set_type_values(column: str, samples: dict[str, list[str]]) -> dict[str, str]:
    name = normalise(column)
    if name in STRONG_ORDER:
        return {"W": "warmup", "D": "drop", "F": "failure", ANY: "working"}
    if name in WARMUP_FLAGS:
        return {"true": "warmup", "false": "working", "1": "warmup", "0": "working",
                "yes": "warmup", "no": "working"}
    seen = sorted({v.strip() for v in samples.get(column, []) if v and v.strip()}, key=str.lower)
    if not seen:
        return {**DEFAULT_SET_TYPES, ANY: "working"}
    return {**{v: _set_type(v) for v in seen}, ANY: "working"}


def _set_type(value: str) -> str:
    low = value.lower()
    for part, kind in (("warm", "warmup"), ("drop", "drop"), ("fail", "failure")):
        if part in low:
            return kind
    return "working"


def unknown_format_help(columns: list[str], path: object = "FILE") -> str:
    """The suggested map and how to use it, for the unknown-format error."""
    return (
        "\nTo import it anyway, save this suggested column map as map.toml, check it, then run "
        f"{USAGE.format(file=path)}:\n\n" + suggest_map(columns).toml()
    )
