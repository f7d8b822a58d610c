"""Any CSV read through a column map (``import --map``) -> canonical sets.

The map (:mod:`analysis.io.colmap`) names the columns; the rest is as for
the app readers: one row per set in file order, the canonical set_index is
the set's place within its exercise and session, identical lines are
separate sets (re-imports are de-duplicated by the importer), and
validation rejects what does not parse, with its line.

Decisions:

- **Dates.** With ``date_format`` the dates are parsed with it; without, a
  trailing UTC offset (``+0000``, ``Z``) is dropped (the time as written is
  kept) and the formats every reader knows are recognised. Dates that do
  not parse are rejected with their own text.
- **Sessions.** The date (with its time, if any), plus the ``session``
  column's value when the map names one, so a workout number or name
  repeated on other days is not one session.
- **Units.** ``weight_unit_column`` cells win row by row (an unknown unit
  is a reject), then ``weight_unit``, then ``--unit``, else the unit is
  guessed and a warning says so (as for Strong). 0 is a bodyweight set.
- **Set types.** An empty cell is working; other values go through
  ``set_type_values`` (compared without case; ``"*"`` for any other
  value), or must already be working/warmup/drop/failure. A value the map
  does not cover is rejected, naming the value, so the map can be fixed.
- **Timed sets.** A row with ``duration`` or ``distance`` above 0 and no
  reps is a timed set, unless it is cardio
  (:func:`analysis.io.canonical.timed_sets`). Durations, rests and session
  lengths read as seconds, clock times or words (:func:`analysis.io.units.seconds`).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis import schema
from analysis.io import canonical, colmap, headers, textfile, units
from analysis.io.canonical import Export, Rule, text

FORMAT = "map"
OFFSET = r"^(.*\d:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$"


def read(path: Path, cmap: colmap.ColumnMap, unit: str | None = None) -> Export:
    table = textfile.read_table(path)
    cols = cmap.resolve(table.columns, path)
    frame = table.frame.with_columns(_dates(table.frame.get_column(cols["date"]), cmap.date_format))

    def column(key: str) -> pl.Expr:
        return pl.col(cols[key]) if key in cols else pl.lit(None, dtype=pl.String)

    warnings: list[str] = []
    rules = [canonical.malformed_line(table.width)]
    weight = pl.lit(None, dtype=pl.String)
    if "weight" in cols:
        header = headers.Header(
            {"weight": cols["weight"], **({"weight_unit": cols["weight_unit_column"]}
                                          if "weight_unit_column" in cols else {})},
            {"weight": cmap.weight_unit} if cmap.weight_unit else {},
        )
        if cmap.weight_unit and unit and unit != cmap.weight_unit:
            warnings.append(f"{path}: the map says its weights are in {cmap.weight_unit}; --unit {unit} ignored")
        weight, unit_rules, unit_warnings = canonical.weight_kg(
            header, frame, None if cmap.weight_unit else unit, path
        )
        rules += unit_rules
        warnings += unit_warnings
    set_type = pl.lit("working")
    if "set_type" in cols:
        set_type, rule = _set_type(text(cols["set_type"]).fill_null(""), cmap.set_type_values)
        rules.append(rule)
    metres = units.number(text(column("distance"))) * units.DISTANCE_UNITS[cmap.distance_unit]
    frame, timed = canonical.timed_sets(frame, column("exercise"), column("reps"),
                                        canonical.seconds(frame, column("duration")), metres)
    frame = frame.with_columns(_session_s=canonical.seconds(frame, column("session_duration")),
                               _rest_s=canonical.seconds(frame, column("rest")))
    rules += timed.rules
    date = text(cols["date"])
    session = date
    if "session" in cols:
        given = text(cols["session"]).replace("", None)
        session = pl.when(given.is_null()).then(date).otherwise(pl.concat_str([date, pl.lit(" "), given]))
    sets, rejects = canonical.canonical(
        frame,
        schema.SETS,
        {
            "date": column("date"),
            "session_id": session,
            "exercise": column("exercise"),
            "weight_kg": weight,
            **timed.columns,
            "rpe": canonical.rpe(text(column("rpe"))),
            "set_type": set_type,
            "rest_s": pl.coalesce(pl.col("_rest_s").cast(pl.String), column("rest")),  # unread: rejected as written
            "session_s": pl.col("_session_s"),
            "notes": column("notes"),
        },
        rules,
        index=True,
    )
    return Export(schema.SETS, sets, rejects, table.warnings + warnings)


def _dates(values: pl.Series, fmt: str | None) -> pl.Series:
    """Dates as ISO text (see the module's decisions); unparsed ones as written."""
    stripped = pl.select(values.str.strip_chars().str.replace(OFFSET, "${1}")).to_series().alias(values.name)
    if fmt is None:
        return canonical.iso_datetimes(stripped)
    parsed = values.str.strip_chars().str.strptime(pl.Datetime, fmt, strict=False)
    if getattr(parsed.dtype, "time_zone", None):
        parsed = parsed.dt.replace_time_zone(None)
    out = "%Y-%m-%d %H:%M" if any(d in fmt for d in ("%H", "%I", "%M", "%T", "%R")) else "%Y-%m-%d"
    return (
        pl.select(pl.when(parsed.is_null()).then(values).otherwise(parsed.dt.to_string(out)))
        .to_series()
        .alias(values.name)
    )


def _set_type(written: pl.Expr, values: dict[str, str] | None) -> tuple[pl.Expr, Rule]:
    key = written.str.to_lowercase()
    if values is None:
        mapped = pl.when(key.is_in(list(schema.SET_TYPES))).then(key)
        why = f"set type not one of {', '.join(schema.SET_TYPES)} (map it with [set_type_values])"
    else:
        named = {k: v for k, v in values.items() if k != colmap.ANY}
        default = values.get(colmap.ANY)
        mapped = key.replace_strict(named, default=pl.lit(default, dtype=pl.String), return_dtype=pl.String)
        why = "set type not in the map's [set_type_values]"
    if values is None or "" not in values:
        mapped = pl.when(key == "").then(pl.lit("working")).otherwise(mapped)
    return mapped, Rule(mapped.is_null(), "set_type", written, why)
