"""Which export format is this file? Decided from its first line (header).

:data:`FORMATS` lists every format in the order it is tried: the first
whose header test passes wins (so a canonical sets table is not mistaken
for a body sheet with a ``weight`` column).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.errors import DataFileError
from analysis.io import body, colmap, fitnotes, hevy, jefit, lyfta, plain, strong, stronglifts, textfile, wide
from analysis.io.canonical import Export


@dataclass(frozen=True)
class Format:
    name: str
    matches: Callable[[list[str]], bool]
    read: Callable[[Path, str | None], Export]


FORMATS = {
    f.name: f
    for f in (
        Format(strong.FORMAT, strong.matches, strong.read),
        Format(hevy.FORMAT, hevy.matches, hevy.read),
        Format(fitnotes.FORMAT, fitnotes.matches, fitnotes.read),
        Format(body.FITNOTES_FORMAT, body.matches_fitnotes, body.read_fitnotes),
        Format(lyfta.FORMAT, lyfta.matches, lyfta.read),
        Format(stronglifts.FORMAT, stronglifts.matches, stronglifts.read),
        Format(jefit.FORMAT, jefit.matches, jefit.read),
        Format(wide.FORMAT, wide.matches, wide.read),
        Format(plain.FORMAT, plain.matches, plain.read),
        Format(body.FORMAT, body.matches, body.read),
    )
}


def detect_format(path: str | os.PathLike) -> str:
    """The name of the file's format (a key of :data:`FORMATS`)."""
    path = Path(path)
    if path.suffix == ".parquet":
        return _detect(path, _parquet_columns(path))
    line = textfile.first_line(_head(path))
    return _detect(path, textfile.header_fields(line, textfile.sniff_separator(line)), line)


def find_format(columns: list[str]) -> str | None:
    """The first format whose header test passes, or None."""
    return next((fmt.name for fmt in FORMATS.values() if fmt.matches(columns)), None)


def _detect(path: Path, columns: list[str], line: str = "") -> str:
    found = find_format(columns)
    if found is not None:
        return found
    hint = ""
    if len(columns) <= 1 and any(d in line for d in "|:"):
        hint = " (is it delimited by something other than comma, semicolon or tab?)"
    shown = line if len(line) <= 100 else line[:100] + "..."
    suggestion = colmap.unknown_format_help(columns, path) if len(columns) > 1 else ""
    raise DataFileError(
        path, f"unknown format{hint}: header {shown!r} matches none of {', '.join(FORMATS)}{suggestion}"
    )


def _parquet_columns(path: Path) -> list[str]:
    try:
        return pl.read_parquet_schema(path).names()
    except Exception as err:  # polars raises several types for missing or corrupt files
        raise DataFileError(path, f"not a readable Parquet file ({type(err).__name__})") from None


def _head(path: Path) -> str:
    """The start of a text file, refusing unreadable, empty and binary files."""
    try:
        with path.open("rb") as handle:
            data = handle.read(textfile.HEAD_BYTES)
    except OSError as err:
        raise DataFileError(path, f"cannot be read ({err.strerror})") from None
    if not data.strip():
        raise DataFileError(path, "empty file")
    if b"\x00" in data:
        raise DataFileError(path, "binary data, not a text (CSV) file")
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")
