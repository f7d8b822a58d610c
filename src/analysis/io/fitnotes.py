"""FitNotes workout exports -> canonical sets.

``Date,Exercise,Category,Weight (kgs|lbs),Reps,Distance,Distance Unit,Time[,Comment]``
or ``Date,Exercise,Category,Weight,Weight Unit,Reps,...``. Dates carry no
time, so the session is the day. Some exports leave fields unquoted, so a
name like ``Overhead Press (Each Side, Dumbbells)`` spills into extra
fields; they are joined back into the exercise (or, when the numbers only
line up that way, the trailing comment). ``Time`` (``0:00:30``) or a
distance (in its ``Distance Unit``) without reps makes a timed set unless
the name is cardio (:func:`analysis.io.canonical.timed_sets`).
"""

from __future__ import annotations

from pathlib import Path

from analysis import schema
from analysis.errors import DataFileError
from analysis.io import canonical, headers, textfile, units
from analysis.io.canonical import Export, text

FORMAT = "fitnotes"


def matches(columns: list[str]) -> bool:
    return headers.match(columns, headers.FITNOTES, headers.FITNOTES_REQUIRED) is not None


def read(path: Path, unit: str | None = None) -> Export:
    content, decode_warnings = textfile.decode(path)
    names = textfile.header_fields(textfile.first_line(content), ",")
    header = headers.match(names, headers.FITNOTES, headers.FITNOTES_REQUIRED)
    if header is None:
        raise DataFileError(path, "not a FitNotes export (needs Date, Exercise, Category, Weight, Reps)")
    table = textfile.read_table(path, text=content, sep=",", spill=_spill(names, header))
    frame = table.frame.with_columns(canonical.iso_datetimes(table.frame.get_column(header.columns["date"])))
    column = header.col
    frame, timed = canonical.timed_sets(frame, column("exercise"), column("reps"),
                                        canonical.seconds(frame, column("time")), canonical.metres(header, unit))
    # cardio rows leave Weight Unit empty: they do not make the unit unknown
    weight, unit_rules, warnings = canonical.weight_kg(header, frame, unit, path, strength=~timed.cardio)
    sets, rejects = canonical.canonical(
        frame,
        schema.SETS,
        {
            "date": column("date"),
            "session_id": column("date"),
            "exercise": column("exercise"),
            "weight_kg": weight,
            **timed.columns,
            "notes": column("comment"),
        },
        [canonical.malformed_line(table.width), *unit_rules, *timed.rules],
        index=True,
    )
    return Export(schema.SETS, sets, rejects, decode_warnings + warnings)


def _spill(names: list[str], header: headers.Header) -> textfile.Spill:
    """Rejoin surplus fields into Exercise; into Comment instead when only then
    Category reads as text and Weight and Reps as numbers."""
    index = {fld: names.index(name) for fld, name in header.columns.items()}
    numeric = [index[f] for f in ("weight", "reps") if f in index]
    candidates = [index[f] for f in ("exercise", "comment") if f in index]

    def fits(row: list[str]) -> bool:
        category = row[index["category"]]
        numbers = all(_is_number_or_empty(row[i]) for i in numeric)
        return numbers and not (category and _is_number_or_empty(category))

    return textfile.spill_into(candidates, fits)


def _is_number_or_empty(value: str) -> bool:
    try:
        float(value or 0)
    except ValueError:
        return False
    return True
