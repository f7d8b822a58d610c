"""Strong exports -> canonical sets.

One row per set; ``Date`` is the workout start, so it is also the session
id (two workouts on one day stay apart). Every known header variant reads
the same way: classic and 2024+ (no unit: ``--unit`` or a stated guess),
Android (``;``, with Weight Unit and Distance Unit columns), 2017-19 without
Duration/RPE, 2016-17 legacy (``kg``/``km`` headers, Set Order from 0) and
translated headers (German). Set Order ``W``/``D``/``F`` mark warm-up, drop
and failure sets. A ``Rest Timer`` row right after a set of the same
exercise and workout is that set's rest: its Seconds become the set's
``rest_s`` and the row is counted as folded (other rest-timer rows are
rejected). ``Seconds`` and ``Distance`` without reps make a timed set
(:func:`analysis.io.canonical.timed_sets`); ``Duration`` (or Android's
``Workout Duration``) is the session's length, ``session_s``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis import schema
from analysis.io import canonical, headers, units
from analysis.io.canonical import Export, Rule, text

FORMAT = "strong"
SPECIAL_SETS = {"W": "warmup", "D": "drop", "F": "failure"}
REST_TIMER = "REST TIMER"


def matches(columns: list[str]) -> bool:
    return headers.match(columns, headers.STRONG, headers.STRONG_REQUIRED) is not None


def read(path: Path, unit: str | None = None) -> Export:
    table, header = headers.read_export(path, headers.STRONG, headers.STRONG_REQUIRED,
                                        "not a Strong export (needs Date, Exercise Name, Set Order, Weight, Reps)")
    col = header.columns
    frame = table.frame.with_columns(_order=text(col["set_order"]).str.to_uppercase().fill_null("")).with_columns(
        _numbered=pl.col("_order").str.contains(r"^\d+$"))
    key = [col["date"], col["exercise"], col["set_order"]]
    frame, repeats = canonical.drop_repeats(frame, table.columns, pl.col("_numbered"), key)
    frame, folded = _fold_rest_timers(frame, header)
    column = header.col
    frame, timed = canonical.timed_sets(frame, column("exercise"), column("reps"),
                                        canonical.seconds(frame, column("seconds")), canonical.metres(header, unit))
    frame = frame.with_columns(_session_s=canonical.seconds(frame, column("duration")))
    weight, unit_rules, warnings = canonical.weight_kg(header, frame, unit, path, strength=~timed.cardio)
    frame = frame.with_columns(canonical.iso_datetimes(frame.get_column(col["date"])))
    order, numbered = pl.col("_order"), pl.col("_numbered")

    sets, rejects = canonical.canonical(
        frame,
        schema.SETS,
        {
            "date": column("date"),
            "session_id": column("date"),
            "exercise": column("exercise"),
            "weight_kg": weight,
            **timed.columns,
            "rest_s": pl.col("_rest"),
            "session_s": pl.col("_session_s"),
            "rpe": canonical.rpe(column("rpe")),
            "set_type": pl.when(numbered).then(pl.lit("working")).otherwise(
                order.replace_strict(SPECIAL_SETS, default=None)
            ),
            "notes": column("notes"),
        },
        [
            canonical.malformed_line(table.width),
            Rule(order == REST_TIMER, "set_order", order, "rest timer with no set of its exercise just before it"),
            Rule(
                ~numbered & ~order.is_in(list(SPECIAL_SETS)),
                "set_order",
                column("set_order").fill_null(""),
                "set order is not a number or W/D/F",
            ),
            *unit_rules,
            *timed.rules,
        ],
        index=True,
    )
    return Export(schema.SETS, sets, rejects, table.warnings + warnings, repeats, folded)


def _fold_rest_timers(frame: pl.DataFrame, header: headers.Header) -> tuple[pl.DataFrame, int]:
    """``_rest`` (seconds) on each set followed by a rest-timer row of its
    workout and exercise, those rest-timer rows removed, and their count."""
    rest = pl.col("_order") == REST_TIMER
    same = pl.all_horizontal(header.col(f).eq_missing(header.col(f).shift(1)) for f in ("date", "exercise"))
    folds = rest & same & ~rest.shift(1).fill_null(True)
    seconds = units.number(text(header.col("seconds")))
    frame = frame.with_columns(_fold=folds.fill_null(False)).with_columns(
        _rest=pl.when(pl.col("_fold").shift(-1)).then(seconds.shift(-1).cast(pl.String))
    )
    folded = int(frame.get_column("_fold").sum())
    return (frame.filter(~pl.col("_fold")) if folded else frame).drop("_fold"), folded
