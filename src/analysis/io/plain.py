"""Canonical sets tables (another dataset's sets.csv or .parquet) as an import source.

Columns already have the canonical names; a missing ``set_index`` becomes
the set's position in its session, as for the app exports.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis import schema
from analysis.errors import DataFileError
from analysis.io import canonical, textfile
from analysis.io.canonical import Export

FORMAT = "native"
NAMES = [c.name for c in schema.SETS.columns]


def matches(columns: list[str]) -> bool:
    return {"date", "exercise", "reps"} <= set(columns)


def read(path: Path, unit: str | None = None) -> Export:
    """Read a canonical sets table; weights are kg by definition (``unit`` is not used)."""
    table = textfile.read_table(path)
    if not matches(table.columns):
        raise DataFileError(path, "not a canonical sets table (needs date, exercise, reps columns)")
    present = {n: pl.col(n) for n in NAMES if n in table.frame.columns}
    index = "set_index" not in present
    if index:  # number the sets within each session (by default the date)
        session = canonical.text(present.get("session_id")).replace("", None)
        present["session_id"] = pl.coalesce(session, canonical.text("date"))
    frame, rejects = canonical.canonical(
        table.frame, schema.SETS, present, [canonical.malformed_line(table.width)], index=index
    )
    return Export(schema.SETS, frame, rejects, table.warnings)
