"""Wide spreadsheet logs (the rweightlifting layout) -> canonical sets.

``date,exercise,equipment,variant,set1weight,set1reps,set2weight,...``: one
line per exercise and day, a column pair per set, loads in pounds unless
``--unit`` says otherwise. Lines may stop early; a pair with neither weight
nor reps is not a set. Rows read are the sets found, each with its line (a
line without any set counts as one rejected row). The exercise name carries
variant and equipment (:func:`analysis.catalog.compose_name`), e.g.
``squat (low bar, barbell)``.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from analysis import catalog, schema
from analysis.errors import DataFileError
from analysis.io import canonical, headers, textfile
from analysis.io.canonical import Export, text

FORMAT = "wide"
DEFAULT_UNIT = "lb"
SET_COLUMN = re.compile(r"^set(\d+)(weight|reps)$")


def matches(columns: list[str]) -> bool:
    names = [headers.normalise(c) for c in columns]
    return {"date", "exercise"} <= set(names) and any(SET_COLUMN.match(n) for n in names)


def read(path: Path, unit: str | None = None) -> Export:
    table = textfile.read_table(path, ragged=True)
    if not matches(table.columns):
        raise DataFileError(path, "not a wide log (needs date, exercise and set1weight, set1reps, ... columns)")
    by_name = {headers.normalise(c): c for c in table.columns}
    exercise = catalog.compose_name(*(text(by_name.get(c)) for c in ("exercise", "equipment", "variant")))
    base = table.frame.select("_line", "_fields", date=text(by_name["date"]), exercise=exercise)
    sets = _long(base, table.frame, by_name).sort("_line", "_set", maintain_order=True)
    sets = sets.with_columns(canonical.iso_datetimes(sets.get_column("date")))
    header = headers.Header({"weight": "weight"}, {})
    weight, _, warnings = canonical.weight_kg(header, sets, unit, path, default=DEFAULT_UNIT)
    frame, rejects = canonical.canonical(
        sets,
        schema.SETS,
        {
            "date": pl.col("date"),
            "session_id": pl.col("date"),
            "exercise": pl.col("exercise"),
            "weight_kg": weight,
            "reps": pl.col("reps"),
        },
        [
            canonical.malformed_line(table.width, short_ok=True),
            canonical.Rule(pl.col("_set") == 0, "line", pl.col("exercise"), "no sets on this line"),
        ],
        index=True,
    )
    return Export(schema.SETS, frame, rejects, table.warnings + warnings)


def _cell(name: str | None) -> pl.Expr:
    """A text cell, null when empty (or when the column is absent)."""
    return text(name).replace("", None)


def _long(base: pl.DataFrame, frame: pl.DataFrame, by_name: dict[str, str]) -> pl.DataFrame:
    """One row per set: the non-empty weight/reps column pairs of each line."""
    numbers = sorted({int(m.group(1)) for n in by_name if (m := SET_COLUMN.match(n))})
    parts = []
    for n in numbers:
        weight, reps = _cell(by_name.get(f"set{n}weight")), _cell(by_name.get(f"set{n}reps"))
        parts.append(
            pl.concat([base, frame.select(weight.alias("weight"), reps.alias("reps"))], how="horizontal")
            .with_columns(_set=pl.lit(n))
            .filter(pl.col("weight").is_not_null() | pl.col("reps").is_not_null())
        )
    sets = pl.concat(parts)
    empty = base.join(sets.select("_line"), on="_line", how="anti").with_columns(
        weight=pl.lit(None, dtype=pl.String), reps=pl.lit(None, dtype=pl.String), _set=pl.lit(0)
    )
    return pl.concat([sets, empty])
