"""Strong exports -> canonical sets.

One row per set; ``Date`` is the workout start, so it is also the session
id (two workouts on one day stay apart). Every known header variant reads
the same way: classic and 2024+ (no unit: ``--unit`` or a stated guess),
Android (``;``, with Weight Unit and Distance Unit columns), 2017-19 without
Duration/RPE, 2016-17 legacy (``kg``/``km`` headers, Set Order from 0) and
translated headers (German). Set Order ``W``/``D``/``F`` mark warm-up, drop
and failure sets; ``Rest Timer`` rows are not sets.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis import schema
from analysis.io import canonical, headers
from analysis.io.canonical import Export, Rule, text

FORMAT = "strong"
SPECIAL_SETS = {"W": "warmup", "D": "drop", "F": "failure"}


def matches(columns: list[str]) -> bool:
    return headers.match(columns, headers.STRONG, headers.STRONG_REQUIRED) is not None


def read(path: Path, unit: str | None = None) -> Export:
    table, header = headers.read_export(path, headers.STRONG, headers.STRONG_REQUIRED,
                                        "not a Strong export (needs Date, Exercise Name, Set Order, Weight, Reps)")
    col = header.columns
    order = text(col["set_order"]).str.to_uppercase().fill_null("")
    key = [col["date"], col["exercise"], col["set_order"]]
    frame, repeats = canonical.drop_repeats(table.frame, table.columns, order.str.contains(r"^\d+$"), key)
    weight, unit_rules, warnings = canonical.weight_kg(header, frame, unit, path)
    frame = frame.with_columns(
        canonical.iso_datetimes(frame.get_column(col["date"])), _order=order
    ).with_columns(_numbered=pl.col("_order").str.contains(r"^\d+$"))
    order, numbered, column = pl.col("_order"), pl.col("_numbered"), header.col

    sets, rejects = canonical.canonical(
        frame,
        schema.SETS,
        {
            "date": column("date"),
            "session_id": column("date"),
            "exercise": column("exercise"),
            "weight_kg": weight,
            "reps": column("reps"),
            "rpe": canonical.rpe(column("rpe")),
            "set_type": pl.when(numbered).then(pl.lit("working")).otherwise(
                order.replace_strict(SPECIAL_SETS, default=None)
            ),
            "notes": column("notes"),
        },
        [
            canonical.malformed_line(table.width),
            Rule(order == "REST TIMER", "set_order", order, "rest timer entry, not a set"),
            Rule(
                ~numbered & ~order.is_in(list(SPECIAL_SETS)),
                "set_order",
                column("set_order").fill_null(""),
                "set order is not a number or W/D/F",
            ),
            *unit_rules,
            canonical.cardio(column("reps"), canonical.timed(column("distance"), column("seconds"))),
        ],
        index=True,
    )
    return Export(schema.SETS, sets, rejects, table.warnings + warnings, repeats)
