"""Body-measurement files -> the canonical long body table.

Three layouts:

- wide (a coach's spreadsheet): a date column and one column per measure,
  named canonically (``arm_cm``) or plainly with a unit (``Bodyweight (lb)``,
  ``Waist [in]``, ``Body fat %``); other columns are ignored with a warning;
- long: ``date, measure, value`` and optionally ``unit`` and ``trainee_id``;
- FitNotes body tracker: ``Date,Time,Measurement,Value,Unit[,Comment]``.

Names map onto the canonical measures (``Biceps`` -> ``arm_cm``); pounds,
inches and millimetres are converted. A value without a unit is taken in the
canonical unit, or in pounds and inches with ``--unit lb``. Measures that map
to nothing keep their name so validation rejects them by name. Rows read are
the measurements (a wide sheet's non-empty cells), each with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis import schema
from analysis.errors import DataFileError
from analysis.io import canonical, headers, textfile, units
from analysis.io.canonical import Export, Rule, text

FORMAT = "body"
FITNOTES_FORMAT = "fitnotes_body"

STEMS = {
    "bodyweight": ("bodyweight", "body weight", "weight", "bw", "body mass"),
    "arm": ("arm", "arms", "biceps", "bicep", "upper arm"),
    "forearm": ("forearm", "forearms"),
    "chest": ("chest",),
    "waist": ("waist",),
    "hip": ("hip", "hips"),
    "thigh": ("thigh", "thighs"),
    "calf": ("calf", "calves"),
    "neck": ("neck",),
    "body_fat": ("body fat", "bodyfat", "body fat percentage", "bf"),
}
SYNONYMS = {name: stem for stem, names in STEMS.items() for name in names}
UNIT_SUFFIX = re.compile(
    r"^(?P<name>.*?)\s*(?:\((?P<p>[^)]*)\)|\[(?P<b>[^\]]*)\]|[_ ](?P<s>kgs?|lbs?|cm|in|mm|pct)|(?P<pct>%))$"
)
KINDS = {"bodyweight": "mass", "body_fat": "percent"}  # the rest are lengths
PERCENT = {"%": 1.0, "pct": 1.0, "percent": 1.0}
SKINFOLD = re.compile(r"^(?:skinfold[ _]?(?P<a>[a-z]+)|(?P<b>[a-z]+)[ _]skinfold)$")


@dataclass(frozen=True)
class Measure:
    """A measure name resolved: canonical name, factor to its unit, or a problem."""

    name: str
    factor: float | None
    problem: str | None = None


def resolve(label: str, unit: str | None, imperial: bool) -> Measure | None:
    """Canonical measure for a name (and unit); None when the name is no measure.

    Canonical names (``arm_cm``) are in their canonical unit.
    """
    name = headers.normalise(label)
    if name in schema.BODY_MEASURES or schema.SKINFOLD_PATTERN.match(name):
        return Measure(name, 1.0)
    name, named_unit = _split_unit(name)
    unit = headers.normalise(unit) if unit else named_unit
    skinfold = SKINFOLD.match(name)
    stem = SYNONYMS.get(name.replace("_", " "))
    if skinfold:
        canonical_name, kind = f"skinfold_{skinfold['a'] or skinfold['b']}_mm", "skinfold"
    elif stem:
        kind = KINDS.get(stem, "length")
        canonical_name = {"mass": f"{stem}_kg", "percent": "body_fat_pct"}.get(kind, f"{stem}_cm")
    else:
        return None
    return Measure(canonical_name, *_factor(kind, unit, imperial))


def _split_unit(name: str) -> tuple[str, str | None]:
    """``waist (in)`` -> (``waist``, ``in``); names without a unit unchanged."""
    match = UNIT_SUFFIX.match(name)
    if not match:
        return name, None
    unit = match["p"] or match["b"] or match["s"] or match["pct"]
    return match["name"].strip(), unit.strip()


def _factor(kind: str, unit: str | None, imperial: bool) -> tuple[float | None, str | None]:
    """Factor from ``unit`` to the canonical unit of a kind of measure."""
    table = {"mass": units.WEIGHT_UNITS, "percent": PERCENT, "skinfold": {"mm": 1.0}}.get(kind, units.LENGTH_UNITS)
    if unit is None:
        default = {"mass": "lb", "length": "in"}.get(kind) if imperial else None
        return (table[default] if default else 1.0), None
    if unit not in table:
        return None, f"unit '{unit}' does not fit a {kind} measure"
    return table[unit], None


# --------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------


def matches(columns: list[str]) -> bool:
    """A date column and measure/value columns, or mostly measure columns."""
    names = {headers.normalise(c) for c in columns}
    if "date" not in names:
        return False
    others = [c for c in columns if headers.normalise(c) not in {"date", "trainee_id"}]
    measures = sum(resolve(c, None, False) is not None for c in others)
    return {"measure", "value"} <= names or (measures > 0 and measures * 2 >= len(others))


def matches_fitnotes(columns: list[str]) -> bool:
    return headers.match(columns, headers.FITNOTES_BODY, headers.FITNOTES_BODY_REQUIRED) is not None


def read(path: Path, unit: str | None = None) -> Export:
    """A wide or long body table."""
    table = textfile.read_table(path)
    by_name = {headers.normalise(c): c for c in table.columns}
    if "date" not in by_name:
        raise DataFileError(path, "a body table needs a date column")
    keys = {"date": text(by_name["date"]), "_line": pl.col("_line"), "_fields": pl.col("_fields")}
    if "trainee_id" in by_name:
        keys["trainee_id"] = text(by_name["trainee_id"])
    if {"measure", "value"} <= set(by_name):
        long = table.frame.select(
            **keys,
            _label=text(by_name["measure"]),
            _unit=text(by_name.get("unit")).replace("", None),
            value=text(by_name["value"]),
        )
        return _export(long, table, unit)
    return _wide(table, keys, unit, path)


def read_fitnotes(path: Path, unit: str | None = None) -> Export:
    """A FitNotes body-tracker export."""
    table = textfile.read_table(path, sep=",")
    header = headers.match(table.columns, headers.FITNOTES_BODY, headers.FITNOTES_BODY_REQUIRED)
    if header is None:
        raise DataFileError(path, "not a FitNotes body tracker (needs Date, Time, Measurement, Value, Unit)")
    col = header.columns
    long = table.frame.select(
        "_line",
        "_fields",
        date=text(col["date"]),
        _label=text(col["measure"]),
        _unit=text(col["unit"]).replace("", None),
        value=text(col["value"]),
    )
    return _export(long, table, unit)


def _wide(table: textfile.TextTable, keys: dict[str, pl.Expr], unit: str | None, path: Path) -> Export:
    """Unpivot the measure columns; empty cells are absent measurements."""
    key_names = {"date", "trainee_id"}
    measures = [c for c in table.columns if headers.normalise(c) not in key_names and resolve(c, None, False)]
    ignored = [c for c in table.columns if c not in measures and headers.normalise(c) not in key_names]
    if not measures:
        raise DataFileError(path, "no measure columns (e.g. bodyweight_kg, Waist (cm)) nor measure/value")
    long = (
        table.frame.select(**keys, **{c: text(c) for c in measures})
        .unpivot(index=list(keys), on=measures, variable_name="_label", value_name="value")
        .filter(pl.col("value").replace("", None).is_not_null())
        .with_columns(_unit=pl.lit(None, dtype=pl.String))
        .sort("_line", maintain_order=True)
    )
    export = _export(long, table, unit)
    if ignored:
        export.warnings.append(f"{path}: ignored columns that are not measures: {', '.join(ignored)}")
    return export


LOOKUP_SCHEMA = {"_label": pl.String, "_unit": pl.String, "measure": pl.String, "_factor": pl.Float64,
                 "_problem": pl.String}


def _export(long: pl.DataFrame, table: textfile.TextTable, unit: str | None) -> Export:
    """Resolve labels and units (once per distinct pair), convert, check lines."""
    lookup = []
    for label, unit_text in long.select("_label", "_unit").unique().iter_rows():
        measure = resolve(label or "", unit_text, unit == "lb") or Measure(label, 1.0)
        lookup.append((label, unit_text, measure.name, measure.factor, measure.problem))
    frame = long.join(
        pl.DataFrame(lookup, schema=LOOKUP_SCHEMA, orient="row"),
        on=["_label", "_unit"], how="left", nulls_equal=True, maintain_order="left",
    )
    frame = frame.with_columns(canonical.iso_datetimes(frame.get_column("date")))
    columns = {"date": pl.col("date"), "measure": pl.col("measure"),
               "value": units.converted(pl.col("value"), pl.col("_factor"))}
    if "trainee_id" in frame.columns:
        columns["trainee_id"] = pl.col("trainee_id")
    body, rejects = canonical.canonical(
        frame,
        schema.BODY,
        columns,
        [
            canonical.malformed_line(table.width),
            Rule(pl.col("_problem").is_not_null(), "unit", pl.col("_unit"), pl.col("_problem")),
        ],
    )
    return Export(schema.BODY, body, rejects, list(table.warnings))
