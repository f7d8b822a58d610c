"""``analysis import --inspect FILE``: what a file looks like and a map to import it.

Prints the header, the first rows as written, the format the importer
detects (or ``unknown``) and a suggested column map
(:func:`analysis.io.colmap.suggest_map`) as TOML ready to save.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from analysis.io import colmap, detect, native, textfile

SHOWN_ROWS = 5
SAMPLE_ROWS = 1000
"""Rows (from the first 64 KiB) whose values refine the suggestion."""
WIDTH = 160


def inspect_file(path: str | os.PathLike, rows: int = SHOWN_ROWS) -> list[str]:
    """The lines ``import --inspect`` prints for one file."""
    path = Path(path)
    if path.suffix == ".parquet":
        columns = detect._parquet_columns(path)
        frame = native.read_text_table(path).head(SAMPLE_ROWS)
        records = [[("" if v is None else str(v)) for v in r] for r in frame.select(columns).iter_rows()]
        sep, shown = ",", [",".join(r) for r in records[:rows]]
    else:
        head = detect._head(path)  # refuses unreadable, empty and binary files
        header = textfile.first_line(head)
        sep = textfile.sniff_separator(header)
        columns = textfile.header_fields(header, sep)
        body = head[head.find(header) + len(header):]
        shown = [line.rstrip("\r") for line in body.split("\n") if line.strip()][:rows]
        try:
            records = [r for r in csv.reader(io.StringIO(body), delimiter=sep) if any(c.strip() for c in r)]
        except csv.Error:
            records = []
        records = records[:SAMPLE_ROWS]
    samples = {name: [r[i] for r in records if i < len(r)] for i, name in enumerate(columns)}
    fmt = detect.find_format(columns)
    named = {",": "','", ";": "';'", "\t": "tab"}.get(sep, repr(sep))
    out = [f"{path}", f"header ({len(columns)} columns, separated by {named}):"]
    out += [f"  {i}: {name}" for i, name in enumerate(columns, start=1)]
    out.append(f"first {len(shown)} row(s):" if shown else "no data rows")
    out += [f"  {line if len(line) <= WIDTH else line[:WIDTH] + '...'}" for line in shown]
    if fmt is None:
        out.append("detected format: unknown (no reader recognises this header: import it with --map)")
    else:
        out.append(f"detected format: {fmt} (imported as such without --map)")
    out.append(f"suggested map (save as map.toml, check it, then: {colmap.USAGE.format(file=path)}):")
    out.append("")
    out += colmap.suggest_map(columns, samples).toml().rstrip("\n").split("\n")
    return out

