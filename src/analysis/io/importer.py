"""Import exports into a dataset folder: read, validate, de-duplicate, merge.

:func:`import_files` reads and validates every file before it writes
anything, so an unreadable file (:class:`~analysis.errors.DataFileError`)
leaves the folder as it was. New sets are appended to ``sets.csv`` (body
measurements to ``body.csv``; a file holding both, like a StrongLifts
export with its bodyweights, to both), rejected rows to ``rejects.csv``;
each file is written through a temporary file and a rename. A folder
partitioned by trainee (:mod:`analysis.io.partitioned`) gets new files for
the trainees with new rows only, and the import commits them at once.

A row that is already in the folder (or earlier in the same import) is a
duplicate and skipped, so importing the same export twice, or a later
snapshot that overlaps an earlier one, adds only what is new. Identity: a
set is (trainee, date, session, exercise, set index, load, reps, time,
distance, set type);
a body measurement is (trainee, date, measure, value). For every file
(and each table a file yields): rows read = kept + rejected + duplicates
skipped (+ rows folded into another, like Strong's rest-timer rows).

:func:`import_sources` is the same for files of several trainees at once
(each file with its own trainee, format and unit): the club import of
:mod:`analysis.io.club`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis import catalog, schema
from analysis.errors import DataFileError
from analysis.io import canonical, colmap, detect, mapped, native, partitioned, units
from analysis.io.canonical import Export

IDENTITY = {
    "sets": ["trainee_id", "date", "session_id", "exercise", "set_index", "weight_kg", "reps", "duration_s",
             "distance_m", "set_type"],
    "body": ["trainee_id", "date", "measure", "value"],
}
TABLES = {"sets": schema.SETS, "body": schema.BODY}
REJECTS_FILE = "rejects.csv"  # the third table an import writes


@dataclass(frozen=True)
class FileResult:
    """Row accounting for one imported file."""

    path: str
    format: str
    table: str
    read: int
    kept: int
    rejected: int
    duplicates: int
    extra: bool = False
    """A further table of the same file (StrongLifts' bodyweights beside its sets)."""
    trainee_id: str = ""
    folded: int = 0
    """Rows that are facts about the set before them (Strong's rest timers)."""

    @property
    def folded_words(self) -> str:
        return f", {self.folded} rest-timer rows read into their sets" if self.folded else ""


@dataclass(frozen=True)
class Source:
    """One file to import: whose it is, its format (or ``auto``) and unit."""

    path: Path
    trainee_id: str
    fmt: str = "auto"
    unit: str | None = None


@dataclass
class ImportSummary:
    """What an import did, file by file, and what to look at."""

    trainee_id: str | None
    """The one trainee of :func:`import_files`; None for a club import (one per file)."""
    out_dir: Path
    files: list[FileResult]
    unknown_exercises: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What a club import left out (hidden files, empty folders)."""
    root: Path | None = None
    """The club folder or roster folder: file names are shown relative to it."""
    rejects_file: Path | None = None
    """Where the folder lists the rows imports rejected."""

    def total(self, what: str) -> int:
        return sum(getattr(f, what) for f in self.files)

    def lines(self) -> list[str]:
        """The plain-text report the command line prints."""
        count = sum(not f.extra for f in self.files)
        if self.trainee_id is None:
            trainees = len({f.trainee_id for f in self.files})
            out = [f"Imported {count} file(s) for {trainees} trainee(s) into {self.out_dir}"]
            out += self._table()
        else:
            out = [f"Imported {count} file(s) for trainee {self.trainee_id} into {self.out_dir}"]
            for f in self.files:
                label = f"{f.format}, {f.table}" if f.extra else f.format
                out.append(
                    f"  {f.path} ({label}): {f.read} rows read, {f.kept} kept, "
                    f"{f.rejected} rejected, {f.duplicates} duplicates skipped{f.folded_words}"
                )
            if len(self.files) > 1:
                out.append(
                    f"  total: {self.total('read')} rows read, {self.total('kept')} kept, "
                    f"{self.total('rejected')} rejected, {self.total('duplicates')} duplicates skipped"
                )
        out += self.notes
        if self.total("rejected"):
            out.append(f"Rejected rows (with line and reason): {self.rejects_file}")
        if self.unknown_exercises.height:
            out.append(
                f"Exercise names not in the catalog ({self.unknown_exercises.height}); "
                "map them with --aliases FILE:"
            )
            names = self.unknown_exercises.select("exercise", "sets").iter_rows()
            out += [f"  {name} ({n} sets)" for name, n in names]
        out += [f"Warning: {w}" for w in self.warnings]
        return out

    def _table(self) -> list[str]:
        """One row per file (and further table): trainee, file, format, counts; then the total."""
        counts = ("read", "kept", "rejected", "duplicates", *(("folded",) if self.total("folded") else ()))
        head = ("trainee", "file", "format", *counts)
        rows = [
            (f.trainee_id, self._shown(f.path), f"{f.format}, {f.table}" if f.extra else f.format,
             *(str(getattr(f, c)) for c in counts))
            for f in self.files
        ]
        rows.append(("total", "", "", *(str(self.total(c)) for c in counts)))
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

        def line(row: tuple[str, ...]) -> str:
            cells = [v.ljust(w) if i < 3 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths))]
            return "  " + "  ".join(cells).rstrip()

        return [line(head), *(line(r) for r in rows)]

    def _shown(self, path: str) -> str:
        if self.root is not None:
            try:
                return Path(path).relative_to(self.root).as_posix()
            except ValueError:
                pass
        return path


def import_files(
    paths: Iterable[str | os.PathLike],
    trainee_id: str,
    out_dir: str | os.PathLike,
    fmt: str = "auto",
    unit: str | None = None,
    aliases_file: str | os.PathLike | None = None,
    column_map: str | os.PathLike | None = None,
    partition: bool = False,
) -> ImportSummary:
    """Import export files for one trainee into the dataset folder ``out_dir``.

    ``fmt`` is a key of :data:`analysis.io.detect.FORMATS` or ``auto``;
    ``unit`` (``kg``/``lb``) is the weight unit of exports that do not state
    one. ``column_map`` is a TOML column map (:mod:`analysis.io.colmap`):
    every file is then read through it instead of a format's reader;
    ``partition`` makes a new folder partitioned by trainee. Raises
    ``ValueError`` for a bad trainee id, format or unit and
    :class:`DataFileError` for a file (or map) that cannot be read (nothing
    written).
    """
    trainee_id = check_trainee_id(trainee_id)
    check_format(fmt)
    if column_map is not None and fmt != "auto":
        raise ValueError(f"--format {fmt} and --map exclude each other: a mapped file is read through its map")
    unit = units.check_unit(unit)
    sources = [Source(Path(p), trainee_id, fmt, unit) for p in paths]
    summary = import_sources(sources, out_dir, aliases_file=aliases_file, column_map=column_map, partition=partition)
    summary.trainee_id = trainee_id
    return summary


def check_trainee_id(trainee_id: str) -> str:
    """The id as validation keeps it (NFC, stripped), or ``ValueError``."""
    trainee_id = unicodedata.normalize("NFC", trainee_id.strip())  # as validation normalises the file's ids
    if not re.match(schema.TRAINEE_ID_PATTERN, trainee_id):
        raise ValueError(f"invalid trainee id {trainee_id!r}: 1-100 characters, no control characters")
    return trainee_id


def check_format(fmt: str) -> str:
    if fmt != "auto" and fmt not in detect.FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use auto or one of {', '.join(detect.FORMATS)}")
    return fmt


def import_sources(
    sources: Iterable[Source],
    out_dir: str | os.PathLike,
    aliases_file: str | os.PathLike | None = None,
    column_map: str | os.PathLike | None = None,
    root: Path | None = None,
    partition: bool = False,
) -> ImportSummary:
    """Import files, each of its own trainee (format, unit), into ``out_dir``.

    Every file is read and validated before anything is written: a
    :class:`DataFileError` for any file leaves the folder as it was. A
    partitioned folder (or a new one, with ``partition``) gets only the
    partitions of the trainees with new rows, committed at once
    (:mod:`analysis.io.partitioned`). The
    sources' trainee ids, formats and units must already be checked
    (:func:`check_trainee_id`, :func:`check_format`,
    :func:`analysis.io.units.check_unit`). With ``column_map`` every file is
    read through it (their formats must be ``auto``).
    """
    sources = list(sources)
    out_dir = Path(out_dir)
    known = catalog.load_catalog(aliases_file)
    if column_map is not None:
        cmap = colmap.load_map(column_map)
        formats = [mapped.FORMAT] * len(sources)
        exports = [mapped.read(s.path, cmap, s.unit) for s in sources]
    else:
        formats = [detect.detect_format(s.path) if s.fmt == "auto" else s.fmt for s in sources]
        exports = [detect.FORMATS[f].read(s.path, s.unit) for s, f in zip(sources, formats)]
    parts = [(source, name, part, part is not export)
             for source, name, export in zip(sources, formats, exports) for part in (export, *export.extra)]
    if partition or partitioned.is_partitioned(out_dir):
        if not partitioned.is_partitioned(out_dir) and native.dataset_files(out_dir):
            raise DataFileError(out_dir, "holds a CSV dataset: move it to the partitioned layout first "
                                         f"(analysis convert {out_dir})")
        with partitioned.writer(out_dir, create=True) as snapshot:
            owners = sorted({s.trainee_id for s in sources})
            before = {name: partitioned.valid_rows(snapshot, name, owners) for name in TABLES}
            before["rejects"] = partitioned.read_rejects(snapshot)
            merged = _merge(parts, before)
            grown = {name: partitioned.by_trainee(merged.after[name].filter(
                pl.col("trainee_id").is_in(pl.Series(sorted(merged.grown[name]), dtype=pl.String).implode())))
                for name in TABLES}
            listed = merged.after["rejects"] if merged.after["rejects"].height > before["rejects"].height else None
            if any(grown.values()) or listed is not None:  # else nothing to commit
                snapshot = partitioned.commit(snapshot, grown, listed)
        rejects_file = out_dir / snapshot.rejects.file if snapshot.rejects else None
    else:
        before = {name: _existing(out_dir, table) for name, table in TABLES.items()}
        before["rejects"] = _old_rejects(out_dir / REJECTS_FILE)
        merged = _merge(parts, before)
        for name, frame in merged.after.items():
            if frame.height > before[name].height:
                native.write_csv_atomic(frame, out_dir / f"{name}.csv")
        rejects_file = out_dir / REJECTS_FILE
    unknown = catalog.unknown_exercises(pl.concat(merged.imported_sets), known)
    return ImportSummary(None, out_dir, merged.results, unknown, merged.warnings, root=root, rejects_file=rejects_file)


@dataclass
class _Merged:
    after: dict[str, pl.DataFrame]
    grown: dict[str, set[str]]
    """Per table, the trainees who got new rows."""
    results: list[FileResult]
    warnings: list[str]
    imported_sets: list[pl.DataFrame]


def _merge(parts: list[tuple[Source, str, Export, bool]], before: dict[str, pl.DataFrame]) -> _Merged:
    """Validate each export (or further table of one) and add its new rows
    to the folder's tables, its new rejects to the rejects table."""
    after = dict(before)
    merged = _Merged(after, {name: set() for name in TABLES}, [], [], [native.empty_table(schema.SETS)])
    for source, name, export, extra in parts:
        kept, refused = validate_export(export, str(source.path), source.trainee_id)
        table = export.table.name
        new, duplicates = _new_rows(kept, after[table], IDENTITY[table])
        after[table] = pl.concat([after[table], new])
        if new.height:
            merged.grown[table].add(source.trainee_id)
        if table == "sets":
            merged.imported_sets.append(kept)
        listed = refused.join(after["rejects"], on=list(schema.REJECTS_SCHEMA), how="anti", nulls_equal=True)
        after["rejects"] = pl.concat([after["rejects"], listed])  # a re-import lists no reject twice
        merged.warnings += export.warnings
        duplicates += export.duplicates
        merged.results.append(FileResult(str(source.path), name, table, export.read, new.height, refused.height,
                                         duplicates, extra, source.trainee_id, export.folded))
    return merged


# --------------------------------------------------------------------------
# One export: trainee, reader rejects, validation
# --------------------------------------------------------------------------


def validate_export(export: Export, source: str, trainee_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Kept rows (canonical types) and rejects (source, line, column, value, reason).

    Adds the trainee, refuses future dates and rows naming another trainee,
    validates the rest with :func:`analysis.schema.validate` and joins the
    reader's own rejects.
    """
    rules = [canonical.future_date(pl.col("date"))]
    frame = export.frame
    if "trainee_id" in frame.columns:
        given = canonical.text("trainee_id").replace("", None)
        rules.append(
            canonical.Rule(
                given.is_not_null() & (given != trainee_id),
                "trainee_id",
                given,
                f"row is for another trainee than {trainee_id}",
            )
        )
    frame, refused = canonical.split(frame, rules)
    validated = schema.validate(frame.with_columns(trainee_id=pl.lit(trainee_id)), export.table, source)
    early = pl.concat([export.rejects, refused]).select(pl.lit(source).alias("source"), pl.all())
    rejects = pl.concat([early, validated.rejects]).sort("line", maintain_order=True)
    return validated.kept, rejects


def _new_rows(kept: pl.DataFrame, existing: pl.DataFrame, identity: list[str]) -> tuple[pl.DataFrame, int]:
    """Rows of ``kept`` not already in ``existing`` (nor earlier in ``kept``)."""
    unique = kept.unique(identity, keep="first", maintain_order=True)
    new = unique.join(existing.select(identity), on=identity, how="anti", nulls_equal=True)
    order = [c for c in ("date", "session_id") if c in new.columns]
    return new.sort(order, maintain_order=True), kept.height - new.height


# --------------------------------------------------------------------------
# The dataset folder
# --------------------------------------------------------------------------


def _existing(out_dir: Path, table: schema.Table) -> pl.DataFrame:
    """The folder's current table (validated), or an empty one.

    A table with invalid rows is refused rather than rewritten without them.
    """
    if (out_dir / f"{table.name}.parquet").exists():
        raise DataFileError(out_dir / f"{table.name}.parquet", "import writes CSV; this folder keeps Parquet")
    path = out_dir / f"{table.name}.csv"
    return native.read_valid_table(path, table) if path.exists() else native.empty_table(table)


def _old_rejects(path: Path) -> pl.DataFrame:
    return native.read_rejects_file(path) if path.exists() else schema.empty_rejects()
