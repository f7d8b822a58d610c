"""A whole club at once: a folder of trainee folders, or a roster CSV.

Two ways to say whose each export is:

- **A club folder** (:func:`import_club`): each subfolder of the folder
  is a trainee, named by the subfolder (NFC-normalised and stripped, like
  every trainee id), and holds that trainee's exports, body files included;
  files in deeper folders belong to the same trainee. A file directly in
  the club folder belongs to no one and is an error naming it. Hidden
  files and folders (a leading dot: ``.DS_Store``, ``.git``) are skipped and
  listed in the summary; an empty trainee folder is noted.
- **A roster** (:func:`import_club` with ``roster``): a CSV with the header
  ``trainee_id,file[,unit][,format]`` (any order, comma-separated, UTF-8),
  one line per file; ``file`` is relative to the roster's folder or
  absolute; an empty ``unit``/``format`` cell takes ``--unit``/``--format``.
  Every problem (a missing or unknown column, an empty or invalid id, a
  file that does not exist, an unknown unit or format) is reported with its
  roster line and column, all in one error, before any export is read.

Either way every file is read and validated before anything is written
(:func:`analysis.io.importer.import_sources`): one unreadable file anywhere
and the dataset folder is left as it was. Into a dataset partitioned by
trainee, the whole club is one commit.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from analysis.errors import DataFileError
from analysis.io import detect, units
from analysis.io.importer import ImportSummary, Source, check_format, check_trainee_id, import_sources

ROSTER_COLUMNS = ("trainee_id", "file", "unit", "format")
ROSTER_REQUIRED = ("trainee_id", "file")


def import_club(
    source: str | os.PathLike,
    out_dir: str | os.PathLike,
    roster: bool = False,
    fmt: str = "auto",
    unit: str | None = None,
    aliases_file: str | os.PathLike | None = None,
    column_map: str | os.PathLike | None = None,
    partition: bool = False,
) -> ImportSummary:
    """Import a club into ``out_dir``: ``source`` is a club folder (one
    subfolder per trainee) or, with ``roster``, a roster CSV listing each
    trainee's files; ``partition`` makes a new ``out_dir`` partitioned by trainee."""
    fmt, unit = _check_options(fmt, unit, column_map)
    source = Path(source)
    if roster:
        sources, notes = roster_sources(source, fmt, unit, mapped=column_map is not None), []
        root = source.parent
    else:
        if _inside(Path(out_dir), source):
            raise ValueError(f"--out {out_dir} is inside the club folder {source}: it would be read as a trainee "
                             "on the next import; put the dataset elsewhere")
        (sources, notes), root = folder_sources(source, fmt, unit), source
    summary = import_sources(sources, out_dir, aliases_file=aliases_file, column_map=column_map, root=root,
                             partition=partition)
    summary.notes = notes
    return summary


def _check_options(fmt: str, unit: str | None, column_map) -> tuple[str, str | None]:
    check_format(fmt)
    if column_map is not None and fmt != "auto":
        raise ValueError(f"--format {fmt} and --map exclude each other: a mapped file is read through its map")
    return fmt, units.check_unit(unit)


# --------------------------------------------------------------------------
# A club folder
# --------------------------------------------------------------------------


def folder_sources(folder: Path, fmt: str = "auto", unit: str | None = None) -> tuple[list[Source], list[str]]:
    """The files of each trainee folder, and notes on what was skipped."""
    if not folder.is_dir():
        raise DataFileError(folder, "not a folder")
    hidden: list[str] = []
    empty: list[str] = []
    stray: list[str] = []
    sources: list[Source] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            hidden.append(entry.name + ("/" if entry.is_dir() else ""))
        elif not entry.is_dir():
            stray.append(entry.name)
    if stray:
        raise DataFileError(folder, "files directly in a club folder belong to no trainee (move each into its "
                                    f"trainee's folder): {', '.join(stray)}")
    trainees = [e for e in sorted(folder.iterdir()) if e.is_dir() and not e.name.startswith(".")]
    if not trainees:
        raise DataFileError(folder, "no trainee folders in it (a club folder holds one folder per trainee)")
    for sub in trainees:
        try:
            trainee_id = check_trainee_id(sub.name)
        except ValueError as err:
            raise DataFileError(sub, f"the folder name is not a trainee id: {err}") from None
        files = _files(sub, folder, hidden)
        if not files:
            empty.append(sub.name + "/")
        sources += [Source(path, trainee_id, fmt, unit) for path in files]
    if not sources:
        raise DataFileError(folder, "its trainee folders hold no files")
    notes = []
    if hidden:
        notes.append(f"Skipped hidden files and folders: {', '.join(hidden)}")
    if empty:
        notes.append(f"No files in: {', '.join(empty)}")
    return sources, notes


def _files(sub: Path, root: Path, hidden: list[str]) -> list[Path]:
    """The files under a trainee folder (deeper folders too), hidden ones left out (and listed)."""
    found = []
    for entry in sorted(sub.iterdir()):
        if entry.name.startswith("."):
            hidden.append(entry.relative_to(root).as_posix() + ("/" if entry.is_dir() else ""))
        elif entry.is_dir():
            found += _files(entry, root, hidden)
        elif entry.is_file():
            found.append(entry)
    return found


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


# --------------------------------------------------------------------------
# A roster
# --------------------------------------------------------------------------


def roster_sources(roster: Path, fmt: str = "auto", unit: str | None = None, mapped: bool = False) -> list[Source]:
    """The roster's files, each with its trainee, format and unit; one
    :class:`DataFileError` listing every problem (line and column)."""
    try:
        text = roster.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(roster, "no such roster file") from None
    except IsADirectoryError:
        raise DataFileError(roster, "a roster is a CSV file, not a folder") from None
    except UnicodeDecodeError:
        raise DataFileError(roster, "not UTF-8 text (save the roster as UTF-8 CSV)") from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None or not any(h.strip() for h in header):
        raise DataFileError(roster, "empty; a roster starts with the header trainee_id,file[,unit][,format]")
    header = [h.strip().lower() for h in header]
    unknown = [h for h in header if h not in ROSTER_COLUMNS]
    missing = [c for c in ROSTER_REQUIRED if c not in header]
    doubled = sorted({h for h in header if header.count(h) > 1})
    problems = []
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(map(repr, unknown))} "
                        f"(the columns are {', '.join(ROSTER_COLUMNS)})")
    if doubled:
        problems.append(f"line 1: column(s) given twice: {', '.join(doubled)}")
    if problems:
        raise _roster_error(roster, problems)
    sources = []
    for fields in rows:
        line = rows.line_num - sum(f.count("\n") for f in fields)  # the line the row starts on
        if not any(f.strip() for f in fields):
            continue  # blank line (or only commas)
        if len(fields) != len(header):
            problems.append(f"line {line}: {len(fields)} fields, the header has {len(header)}")
            continue
        cell = {h: f.strip() for h, f in zip(header, fields)}
        row_problems = []

        def bad(column: str, why: str) -> None:
            row_problems.append(f"line {line}, column {column}: {why}")

        trainee_id = cell["trainee_id"]
        if not trainee_id:
            bad("trainee_id", "empty")
        else:
            try:
                trainee_id = check_trainee_id(trainee_id)
            except ValueError as err:
                bad("trainee_id", str(err))
        path = None
        if not cell["file"]:
            bad("file", "empty")
        else:
            path = Path(cell["file"])
            path = path if path.is_absolute() else roster.parent / path
            if path.is_dir():
                bad("file", f"{cell['file']!r} is a folder, not a file")
            elif not path.is_file():
                bad("file", f"no such file {cell['file']!r} (looked for {path})")
        row_unit = unit
        if cell.get("unit"):
            try:
                row_unit = units.check_unit(cell["unit"])
            except ValueError as err:
                bad("unit", str(err))
        row_fmt = fmt
        if cell.get("format"):
            row_fmt = cell["format"].lower()
            if mapped and row_fmt != "auto":
                bad("format", f"{row_fmt!r} and --map exclude each other: "
                              "with --map every file is read through the map")
            elif row_fmt != "auto" and row_fmt not in detect.FORMATS:
                bad("format", f"unknown format {row_fmt!r}; use auto or one of {', '.join(detect.FORMATS)}")
        problems += row_problems
        if not row_problems:
            sources.append(Source(path, trainee_id, row_fmt, row_unit))
    if problems:
        raise _roster_error(roster, problems)
    if not sources:
        raise DataFileError(roster, "lists no files")
    return sources


def _roster_error(roster: Path, problems: list[str]) -> DataFileError:
    if len(problems) == 1:
        return DataFileError(roster, problems[0])
    return DataFileError(roster, f"{len(problems)} problems:\n  " + "\n  ".join(problems))
