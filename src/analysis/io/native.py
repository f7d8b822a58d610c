"""Canonical dataset folders: ``sets``, ``body`` and ``trainees`` as CSV or Parquet.

:func:`read_dataset` returns validated tables, a rejects table and per-file
counts (read = kept + rejected). A file that cannot be read at all raises
:class:`~analysis.errors.DataFileError` naming the file and the problem.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis import schema
from analysis.errors import DataFileError

TABLE_FILES = ("sets", "body", "trainees", "goals")


@dataclass
class Dataset:
    """Validated canonical tables of one dataset folder."""

    sets: pl.DataFrame
    body: pl.DataFrame = field(default_factory=lambda: empty_table(schema.BODY))
    trainees: pl.DataFrame = field(default_factory=lambda: empty_table(schema.TRAINEES))
    goals: pl.DataFrame = field(default_factory=lambda: empty_table(schema.GOALS))
    rejects: pl.DataFrame = field(default_factory=schema.empty_rejects)
    counts: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=COUNTS_SCHEMA)
    )
    notes: list[str] = field(default_factory=list)

    @property
    def trainee_ids(self) -> list[str]:
        return self.sets.get_column("trainee_id").unique().sort().to_list()


COUNTS_SCHEMA = {"file": pl.String, "read": pl.Int64, "kept": pl.Int64, "rejected": pl.Int64}


def read_dataset(folder: str | os.PathLike) -> Dataset:
    """Read and validate a dataset folder (``sets`` required)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFileError(folder, "no such dataset folder")
    sets_path = _table_path(folder, "sets")
    if sets_path is None:
        raise DataFileError(folder, "no sets.csv or sets.parquet in this folder")
    results, notes = {}, []
    for name, table in (("sets", schema.SETS), ("body", schema.BODY), ("trainees", schema.TRAINEES),
                        ("goals", schema.GOALS)):
        path = _table_path(folder, name)
        if path is None:
            continue
        raw = read_text_table(path)
        if name == "body":
            raw, ignored = body_to_long(raw, str(path))
            if ignored:
                notes.append(f"{path}: ignored columns that are not measures: {', '.join(ignored)}")
        results[name] = (str(path), schema.validate(raw, table, str(path)))
    counts = pl.DataFrame(
        [(src, v.read, v.kept.height, v.rejected) for src, v in results.values()],
        schema=COUNTS_SCHEMA,
        orient="row",
    )
    return Dataset(
        sets=results["sets"][1].kept,
        body=results["body"][1].kept if "body" in results else empty_table(schema.BODY),
        trainees=results["trainees"][1].kept if "trainees" in results else empty_table(schema.TRAINEES),
        goals=results["goals"][1].kept if "goals" in results else empty_table(schema.GOALS),
        rejects=pl.concat([v.rejects for _, v in results.values()]),
        counts=counts,
        notes=notes,
    )


class NoValidSets(DataFileError):
    """Every row of the sets table was rejected: nothing is left to analyse.
    The command line turns it into one message and exit status 2."""

    def __init__(self, folder: object, rejected: int, rejects_file: object | None):
        where = (f"see {rejects_file}" if rejects_file is not None
                 else "listed above; --rejects FILE writes them all")
        super().__init__(folder, f"{rejected} row{'' if rejected == 1 else 's'} rejected, {where}")
        self.rejected, self.rejects_file = rejected, rejects_file

    def __str__(self) -> str:
        return f"no valid sets left in {self.path}: {self.problem}"


def require_valid_sets(dataset: Dataset, folder: str | os.PathLike, rejects_file: object | None) -> None:
    """Raise :class:`NoValidSets` if no row of the sets table is valid;
    ``rejects_file`` is where the rejected rows were written (None: nowhere)."""
    if dataset.sets.is_empty():
        sets_rows = dataset.counts.filter(pl.col("file") == str(_table_path(Path(folder), "sets")))
        rejected = sets_rows.get_column("rejected").sum() if sets_rows.height else dataset.rejects.height
        raise NoValidSets(folder, rejected, rejects_file)


def has_table(folder: str | os.PathLike, name: str) -> bool:
    """Whether a dataset folder holds the table ``name`` (CSV or Parquet)."""
    return _table_path(Path(folder), name) is not None


def dataset_files(folder: str | os.PathLike) -> list[Path]:
    """The files :func:`read_dataset` reads from a folder."""
    return [path for name in TABLE_FILES if (path := _table_path(Path(folder), name)) is not None]


def _table_path(folder: Path, name: str) -> Path | None:
    for ext in (".parquet", ".csv"):
        if (folder / f"{name}{ext}").is_file():
            return folder / f"{name}{ext}"
    return None


def empty_table(table: schema.Table) -> pl.DataFrame:
    """A table with no rows and the canonical columns and types."""
    raw = pl.DataFrame(
        schema={c.name: pl.String for c in table.columns} | {"_line": pl.Int64, "_problem": pl.String}
    )
    return schema.validate(raw, table, "").kept


# --------------------------------------------------------------------------
# Reading files as text
# --------------------------------------------------------------------------


def read_text_table(path: str | os.PathLike) -> pl.DataFrame:
    """Every column as text plus ``_line``, the input line of each row.

    CSV must be UTF-8 (a BOM is allowed) and comma-separated. A row with the
    wrong number of fields is kept as a row whose ``_problem`` says so (it
    becomes a reject). Parquet rows are numbered from 2, as if under a header.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        return _read_parquet_text(path)
    text = decode_text(path)
    header = _header(text, path)
    frame = _read_csv_fast(text, header)
    if frame is None:
        frame = _read_csv_careful(text, header)
    if frame.height == 0:
        raise DataFileError(path, "header only, no data rows")
    return frame


def decode_text(path: Path, encodings: tuple[str, ...] = ("utf-8-sig",)) -> str:
    """Decode a text file, refusing empty and binary files."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataFileError(path, f"cannot be read ({err.strerror})") from None
    if not data.strip():
        raise DataFileError(path, "empty file")
    if b"\x00" in data[:8192]:
        raise DataFileError(path, "binary data, not a text (CSV) file")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as err:
            last = err
    line = data[: last.start].count(b"\n") + 1
    raise DataFileError(
        path,
        f"not UTF-8 text (byte 0x{data[last.start]:02x} on line {line}); re-save it as UTF-8",
    )


def _header(text: str, path: Path) -> list[str]:
    """The header record, checked: every column named, no name twice."""
    try:
        header = next(csv.reader(io.StringIO(text)))
    except csv.Error as err:
        raise DataFileError(path, f"line 1: {err}") from None
    seen = set()
    for i, name in enumerate(header, start=1):
        if not name.strip():
            raise DataFileError(path, f"header column {i} has no name")
        if name in seen:
            raise DataFileError(path, f"header names column '{name}' twice")
        seen.add(name)
    return header


def _read_csv_fast(text: str, header: list[str]) -> pl.DataFrame | None:
    """polars' reader, when every line is one row with the header's width;
    None otherwise (blank lines, multi-line fields, ragged rows)."""
    lines = pl.Series(text.rstrip("\r\n").split("\n")).str.strip_suffix("\r")
    outside_quotes = lines.str.replace_all(r'"[^"]*"', "")
    if not (outside_quotes.str.count_matches(",", literal=True) == len(header) - 1).all():
        return None
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError):
        return None
    if frame.height != lines.len() - 1:
        return None
    return frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_line"),
        pl.lit(None, dtype=pl.String).alias("_problem"),
    )


def _read_csv_careful(text: str, header: list[str]) -> pl.DataFrame:
    """Python's csv reader: exact line numbers, ragged rows flagged."""
    reader = csv.reader(io.StringIO(text))
    next(reader)
    rows, lines, problems = [], [], []
    start = reader.line_num + 1
    for row in reader:
        if row:
            problem = None
            if len(row) != len(header):
                problem = (f"{len(row)} fields, the header has {len(header)} "
                           "(truncated or hand-edited line?)")
                row = (row + [None] * len(header))[: len(header)]
            rows.append(row)
            lines.append(start)
            problems.append(problem)
        start = reader.line_num + 1
    return rows_frame(rows, header, _line=pl.Series(lines, dtype=pl.Int64),
                      _problem=pl.Series(problems, dtype=pl.String))


def rows_frame(rows: list[list[str]], columns: list[str], **extra: pl.Series) -> pl.DataFrame:
    """Text rows (all of the columns' width) as a frame of strings, plus extra columns."""
    frame = pl.DataFrame(
        [list(col) for col in zip(*rows)] if rows else [[] for _ in columns],
        schema={name: pl.String for name in columns},
        orient="col",
    )
    return frame.with_columns(series.alias(name) for name, series in extra.items())


def _read_parquet_text(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as err:  # polars raises several types for corrupt files
        raise DataFileError(path, f"not a readable Parquet file ({type(err).__name__})") from None
    if frame.height == 0:
        raise DataFileError(path, "no data rows")
    text = frame.select(
        pl.col(c).dt.to_string("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00$", "")
        if frame.schema[c] == pl.Datetime
        else pl.col(c).cast(pl.String)
        for c in frame.columns
    )
    return text.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_line"),
        pl.lit(None, dtype=pl.String).alias("_problem"),
    )


# --------------------------------------------------------------------------
# Body measurements: wide or long
# --------------------------------------------------------------------------


def body_to_long(raw: pl.DataFrame, source: str) -> tuple[pl.DataFrame, list[str]]:
    """Wide body tables (one column per measure) to the long canonical form.

    Returns the long text table and the columns ignored (not measures). Empty
    cells in a wide table are absent measurements, not rows.
    """
    if {"measure", "value"} <= set(raw.columns):
        return raw, []
    keys = [c for c in ("trainee_id", "date") if c in raw.columns]
    if len(keys) < 2:
        raise DataFileError(source, "a body table needs trainee_id and date columns")
    measures = [
        c for c in raw.columns
        if c in schema.BODY_MEASURES or schema.SKINFOLD_PATTERN.match(c)
    ]
    ignored = [c for c in raw.columns if c not in measures and c not in keys and not c.startswith("_")]
    if not measures:
        raise DataFileError(source, "no measure columns (e.g. bodyweight_kg, arm_cm) and no measure/value columns")
    long = (
        raw.unpivot(index=[*keys, "_line", "_problem"], on=measures, variable_name="measure", value_name="value")
        .filter(pl.col("value").str.strip_chars().replace("", None).is_not_null())
        .sort("_line", maintain_order=True)
    )
    return long, ignored


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it
    into place: readers never see a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_atomic(frame: pl.DataFrame, path: str | os.PathLike) -> None:
    """Write a frame as CSV, atomically."""
    write_atomic(path, frame.write_csv)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 text, atomically."""
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
