"""App exports as text tables: encoding, delimiter, line numbers, field counts.

:func:`read_table` returns one string column per header name plus ``_line``
(the input line a row starts on) and ``_fields`` (how many fields that line
had), so the readers can reject a malformed line instead of the whole file.

Well-formed files take polars' fast path; a file whose lines do not line up
with its rows (blank lines, quoted line breaks, lines with too many fields)
is read again with Python's csv module, row by row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis.errors import DataFileError
from analysis.io import native

SEPARATORS = (",", ";", "\t")
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
HEAD_BYTES = 64 * 1024
BOM = b"\xef\xbb\xbf"
BANNER = re.compile(r"^#{2,}\s*([A-Za-z][A-Za-z0-9 &/_-]*?)\s*#*\s*$")

Spill = Callable[[list[str], int], list[str]]
"""Repairs a line with ``n`` surplus fields (returns the header's field count)."""


@dataclass
class TextTable:
    """The rows of one delimited table, all text."""

    frame: pl.DataFrame
    columns: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.columns)


def decode(path: Path) -> tuple[str, list[str]]:
    """Text of an export: UTF-8, else Windows-1252/Latin-1 with a warning.

    Apps write UTF-8, but a file that went through a spreadsheet on Windows
    often comes back as Windows-1252; reading it as such keeps the rows
    (only accented letters could be wrong), and the warning says so.
    """
    try:
        return native.decode_text(path), []
    except DataFileError as err:  # native names a decoding failure "not UTF-8 (...)"
        if not err.problem.startswith("not UTF-8"):
            raise
        problem = err.problem.split(";")[0]
    text = native.decode_text(path, FALLBACK_ENCODINGS)
    return text, [f"{path}: {problem}; read as Windows-1252/Latin-1, check accented names"]


def first_line(text: str) -> str:
    """The first non-blank line (the header of a table)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].rstrip("\r")
        if line.strip():
            return line
        start = end + 1
    return ""


def sniff_separator(header: str) -> str:
    """The delimiter used most in a header line (outside quotes)."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    return max(SEPARATORS, key=unquoted.count)


def header_fields(header: str, sep: str) -> list[str]:
    """Column names of a header line (a stray carriage return is dropped)."""
    return [name.strip() for name in next(csv.reader([header.replace("\r", "")], delimiter=sep))]


def read_table(
    path: Path,
    *,
    text: str | None = None,
    sep: str | None = None,
    spill: Spill | None = None,
    ragged: bool = False,
    first_line_no: int = 1,
) -> TextTable:
    """Read a delimited table (``text`` defaults to the decoded file).

    ``spill`` repairs lines with surplus fields (FitNotes' unquoted names);
    without it such lines keep the header's width and report their
    ``_fields``. ``ragged`` tables may have short lines throughout (else a
    table where no line fits the header is refused as a delimiter mix-up).
    ``first_line_no`` is the file line the text starts on.
    """
    if text is None and path.suffix == ".parquet":
        frame = native.read_text_table(path)
        columns = [c for c in frame.columns if c != "_line"]
        return TextTable(frame.with_columns(_fields=pl.lit(len(columns), dtype=pl.Int64)), columns)
    data = _read_bytes(path) if text is None else text.encode("utf-8")
    warnings: list[str] = []
    frame = None
    if data and not data.isspace() and b"\x00" not in data[:8192]:
        columns, sep = _header(data[:HEAD_BYTES].decode("utf-8", errors="replace"), sep, path)
        frame = _read_fast(data, columns, sep)
    if frame is None:
        if text is None:
            text, warnings = decode(path)
        columns, sep = _header(text, sep, path)
        frame = _read_fast(text.encode("utf-8"), columns, sep) if warnings else None
        if frame is None:
            frame = _read_careful(text, columns, sep, spill, path)
    if frame.height == 0:
        raise DataFileError(path, "header only, no data rows")
    if first_line_no != 1:
        frame = frame.with_columns(pl.col("_line") + (first_line_no - 1))
    if not ragged:
        _check_some_rows_fit(frame, len(columns), sep, path)
    return TextTable(frame, columns, warnings)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise DataFileError(path, f"cannot be read ({err.strerror})") from None


def _header(text: str, sep: str | None, path: Path) -> tuple[list[str], str]:
    """Column names and delimiter from the first line of a table."""
    header = first_line(text.lstrip("\ufeff"))
    sep = sep or sniff_separator(header)
    columns = header_fields(header, sep)
    _check_header(columns, path)
    return columns, sep


def _check_header(columns: list[str], path: Path) -> None:
    seen = set()
    for i, name in enumerate(columns, start=1):
        if not name:
            raise DataFileError(path, f"header column {i} has no name")
        if name in seen:
            raise DataFileError(path, f"header names column '{name}' twice")
        seen.add(name)


def _check_some_rows_fit(frame: pl.DataFrame, width: int, sep: str, path: Path) -> None:
    if width > 1 and not (frame.get_column("_fields") == width).any():
        shown = {",": "','", ";": "';'", "\t": "tab"}[sep]
        raise DataFileError(
            path,
            f"no data line has the header's {width} fields when split on {shown}; "
            "was the file saved with another delimiter?",
        )


# --------------------------------------------------------------------------
# Fast path: polars
# --------------------------------------------------------------------------


def _read_fast(data: bytes, columns: list[str], sep: str) -> pl.DataFrame | None:
    """polars' reader on UTF-8 bytes, or None when lines and rows do not line up."""
    first = data[3:4] if data.startswith(BOM) else data[:1]
    if first in (b"\n", b"\r"):
        return None  # a leading blank line: line numbers need the careful path
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            separator=sep,
            infer_schema=False,
            new_columns=columns,
            raise_if_empty=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError, pl.exceptions.NoDataError):
        return None  # a line with too many fields, a stray quote, not UTF-8, ...
    end = len(data)  # the data without its trailing line breaks (not copied: large)
    while end and data[end - 1] in b"\r\n":
        end -= 1
    if data.count(b"\n", 0, end) != frame.height or not _no_short_lines(data, end, frame, sep):
        return None  # blank lines, quoted line breaks or short lines
    return frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_line"),
        pl.lit(len(columns), dtype=pl.Int64).alias("_fields"),
    )


def _no_short_lines(data: bytes, end: int, frame: pl.DataFrame, sep: str) -> bool:
    """True when every line of ``data[:end]`` has the header's field count.

    polars pads short lines with nulls and refuses long ones, so the lines
    are all full exactly when the delimiters outside quoted values add up.
    """
    inside = frame.select(pl.all().str.count_matches(sep, literal=True).sum()).sum_horizontal().item()
    header_end = data.find(b"\n", 0, end)
    header_inside = data.count(sep.encode(), 0, header_end if header_end >= 0 else end) - (frame.width - 1)
    outside = data.count(sep.encode(), 0, end) - int(inside) - header_inside
    return outside == (frame.width - 1) * (frame.height + 1)


# --------------------------------------------------------------------------
# Careful path: Python's csv module, exact line numbers
# --------------------------------------------------------------------------


def _read_careful(
    text: str, columns: list[str], sep: str, spill: Spill | None, path: Path
) -> pl.DataFrame:
    width = len(columns)
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    rows: list[list[str]] = []
    lines: list[int] = []
    counts: list[int] = []
    start, seen_header = 1, False
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                start = reader.line_num + 1
                continue
            if not seen_header:
                seen_header = True
            else:
                if len(row) > width and spill is not None:
                    row = spill(row, len(row) - width)
                counts.append(len(row))
                rows.append((row + [""] * width)[:width] if len(row) < width else row[:width])
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise DataFileError(path, f"line {reader.line_num}: {err}") from None
    return native.rows_frame(rows, columns, _line=pl.Series(lines, dtype=pl.Int64),
                             _fields=pl.Series(counts, dtype=pl.Int64))


def spill_into(candidates: Sequence[int], fits: Callable[[list[str]], bool]) -> Spill:
    """A :data:`Spill` that rejoins surplus fields (with commas) into an unquoted text column.

    Tries each candidate column (an index into the header) in turn and keeps
    the first repair ``fits`` accepts; else the first candidate.
    """

    def repair(row: list[str], surplus: int) -> list[str]:
        tries = [
            row[:i] + [",".join(row[i : i + surplus + 1])] + row[i + surplus + 1 :]
            for i in candidates
        ]
        return next((t for t in tries if fits(t)), tries[0])

    return repair


# --------------------------------------------------------------------------
# Sectioned files (JEFIT)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    name: str
    text: str
    first_line: int


def sections(text: str) -> dict[str, Section]:
    """Split a file of ``### NAME ###`` banners into named sections.

    A line of only ``#`` closes a section. Each section keeps the file line
    its text starts on, so rows inside it keep their real line numbers.
    """
    found: dict[str, Section] = {}
    name, start, body = None, 0, []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        banner = BANNER.match(line.strip())
        closing = line.strip() and set(line.strip()) == {"#"}
        if banner or closing:
            if name is not None:
                found[name] = Section(name, "\n".join(body), start)
            name = banner.group(1).upper() if banner else None
            start, body = number + 1, []
        elif name is not None:
            body.append(line)
    if name is not None:
        found[name] = Section(name, "\n".join(body), start)
    return found
