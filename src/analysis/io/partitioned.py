"""Datasets partitioned by trainee: one Parquet file per trainee and table,
committed by a manifest written last.

A partitioned dataset folder::

    dataset.json                           the commit: which file holds each trainee's rows
    sets/<folder>/part-<digest>.parquet    one trainee's sets (canonical columns and types)
    body/<folder>/part-<digest>.parquet    one trainee's body measurements (long form)
    rejects-<digest>.csv                   the rows imports rejected, when any (as rejects.csv)
    trainees.csv, goals.csv                as in a CSV dataset (small; edited by hand)

``<folder>`` is the trainee's folder name (:func:`analysis.report.slug.folder_name`),
``<digest>`` the start of the file's SHA-256. A writer (:func:`writer`,
:func:`commit`) never changes a file in place: it writes the new partitions
under new names, then replaces ``dataset.json`` (a rename, atomic), then
removes the files it superseded. Readers read only the files the manifest
names, so a writer killed at any point (even ``kill -9``) leaves the
previous state readable; the next writer removes what a killed one left.
This is the copy-on-write table layout of Delta Lake and Apache Iceberg
(a log or manifest naming immutable data files), reduced to one manifest.

Because every file is named by its content, a trainee's entry in the
manifest is also the digest of their rows: an incremental report run knows
what changed without opening a single partition.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis import schema
from analysis.errors import DataFileError
from analysis.io import native
from analysis.report.slug import folder_name

MANIFEST = "dataset.json"
LOCK = ".import.lock"
TABLES = ("sets", "body")
"""The tables partitioned by trainee; trainees and goals stay one file each."""
LAYOUT = "partitioned by trainee"
VERSION = 1
DIGEST_CHARS = 16  # of the SHA-256 in a file name


@dataclass(frozen=True)
class Part:
    """One file of the dataset: its path relative to the folder, its SHA-256 and rows."""

    file: str
    digest: str
    rows: int


@dataclass
class Snapshot:
    """One committed state of a partitioned dataset (its ``dataset.json``)."""

    folder: Path
    parts: dict[str, dict[str, Part]] = field(default_factory=lambda: {t: {} for t in TABLES})
    """table -> trainee id -> the file holding that trainee's rows."""
    rejects: Part | None = None
    converted_from: dict[str, str] = field(default_factory=dict)
    """The CSV files ``analysis convert`` replaced (name -> SHA-256), in case it was killed before removing them."""

    @classmethod
    def load(cls, folder: str | os.PathLike) -> Snapshot:
        folder = Path(folder)
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("layout") != LAYOUT or data.get("version") != VERSION:
                raise ValueError
            parts = {t: {tid: Part(*entry) for tid, entry in data[t].items()} for t in TABLES}
            rejects = Part(*data["rejects"]) if data.get("rejects") else None
            return cls(folder, parts, rejects, dict(data.get("converted_from", {})))
        except OSError as err:
            raise DataFileError(path, f"cannot be read ({err.strerror})") from None
        except (ValueError, TypeError, KeyError, AttributeError):
            raise DataFileError(path, f"not a dataset manifest ({LAYOUT}, version {VERSION})") from None

    @property
    def trainee_ids(self) -> list[str]:
        """Every trainee with sets, sorted."""
        return sorted(self.parts["sets"])

    def paths(self, table: str, trainees: Iterable[str] | None = None) -> list[Path]:
        """The files holding ``table`` for these trainees (everyone's when None)."""
        held = self.parts[table]
        chosen = sorted(held) if trainees is None else [t for t in trainees if t in held]
        return [self.folder / held[t].file for t in chosen]

    def files(self) -> set[str]:
        return {p.file for table in self.parts.values() for p in table.values()} | (
            {self.rejects.file} if self.rejects else set())

    def to_json(self) -> str:
        data = {"layout": LAYOUT, "version": VERSION,
                **{t: {tid: [p.file, p.digest, p.rows] for tid, p in sorted(self.parts[t].items())} for t in TABLES},
                "rejects": [self.rejects.file, self.rejects.digest, self.rejects.rows] if self.rejects else None,
                "converted_from": self.converted_from}
        return json.dumps(data, indent=0, ensure_ascii=False) + "\n"


def is_partitioned(folder: str | os.PathLike) -> bool:
    return (Path(folder) / MANIFEST).is_file()


def leftover_tables(snapshot: Snapshot) -> list[Path]:
    """Single-file sets/body tables beside the manifest. Those ``analysis
    convert`` replaced (same SHA-256) are left-overs of a convert killed
    before it removed them, and are ignored; any other is an error: which
    layout holds the truth would be a guess."""
    found = []
    for name in TABLES + ("rejects",):
        for ext in (".csv", ".parquet"):
            path = snapshot.folder / f"{name}{ext}"
            if path.is_file():
                if snapshot.converted_from.get(path.name) != native.file_digest(path):
                    raise DataFileError(path, f"this folder is partitioned ({MANIFEST}): a {path.name} beside "
                                              "it is not read; import it (analysis import) or remove it")
                found.append(path)
    return found


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def read_text(snapshot: Snapshot, table: str, trainees: Iterable[str] | None = None) -> pl.DataFrame | None:
    """The rows of ``table`` for these trainees (everyone's when None) as
    text, as :func:`analysis.io.native.read_text_table` gives a file, with
    ``_source`` (the partition file) and ``_line`` (row number + 1, as if
    under a header); None when none of them has rows. One lazy scan over
    their partitions: the other trainees' files are not opened."""
    paths = snapshot.paths(table, trainees)
    if not paths:
        return None
    try:
        frame = pl.scan_parquet([str(p) for p in paths], include_file_paths="_source").collect()
    except FileNotFoundError as err:
        raise Superseded(str(err)) from None
    except Exception as err:  # polars raises several types for corrupt files
        missing = [p for p in paths if not p.is_file()]
        if missing:
            raise Superseded(str(missing[0])) from None
        raise DataFileError(snapshot.folder / table, f"a partition is not readable Parquet ({type(err).__name__}: "
                                                      f"{str(err).splitlines()[0][:200]})") from None
    lines = (pl.int_range(pl.len(), dtype=pl.Int64).over("_source") + 2).alias("_line")
    return native.parquet_as_text(frame.drop("_source")).with_columns(frame.get_column("_source"),
                                                                      frame.select(lines).to_series())


class Superseded(Exception):
    """A partition vanished while it was read: a writer committed a new
    state meanwhile. The reader loads the new manifest and reads again."""


def valid_rows(snapshot: Snapshot, table: str, trainees: Iterable[str]) -> pl.DataFrame:
    """These trainees' rows of ``table`` (validated), which an import adds
    to: a partition with an invalid row is refused, as a CSV table is."""
    raw = read_text(snapshot, table, trainees)
    if raw is None:
        return native.empty_table(native.TABLES[table])
    validated, _ = native.validate_text(raw, native.TABLES[table], str(snapshot.folder / table))
    return native.require_valid(validated, snapshot.folder / table)


def read_rejects(snapshot: Snapshot) -> pl.DataFrame:
    """The rows imports rejected so far (the rejects.csv of a CSV dataset)."""
    if snapshot.rejects is None:
        return schema.empty_rejects()
    return native.read_rejects_file(snapshot.folder / snapshot.rejects.file)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


@contextmanager
def writer(folder: str | os.PathLike, create: bool = False) -> Iterator[Snapshot]:
    """Hold the dataset's writer lock (an ``flock``: a second import waits;
    a killed one releases it), remove what a killed writer left, and yield
    the current snapshot (an empty one for a new dataset with ``create``)."""
    folder = Path(folder)
    if not create and not is_partitioned(folder):
        raise DataFileError(folder, f"not a partitioned dataset (no {MANIFEST})")
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if is_partitioned(folder):
                snapshot = Snapshot.load(folder)
                for path in leftover_tables(snapshot):
                    path.unlink()
            else:
                snapshot = Snapshot(folder)
            _collect_garbage(snapshot)
            yield snapshot
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def commit(snapshot: Snapshot, tables: dict[str, dict[str, pl.DataFrame]],
           rejects: pl.DataFrame | None = None, converted_from: dict[str, str] | None = None) -> Snapshot:
    """Write each given trainee's whole ``table`` (their partition's new
    content) and, if given, the whole rejects table; then the manifest, which
    is the commit; then remove the files the new state no longer names.
    Call inside :func:`writer`. Returns the new snapshot."""
    folder = snapshot.folder
    parts = {t: dict(snapshot.parts[t]) for t in TABLES}
    for table, frames in tables.items():
        for tid, frame in frames.items():
            parts[table][tid] = _write_part(folder, f"{table}/{folder_name(tid)}/part", ".parquet",
                                            frame.write_parquet, frame.height)
    new_rejects = snapshot.rejects
    if rejects is not None:
        new_rejects = _write_part(folder, "rejects", ".csv", rejects.write_csv, rejects.height)
    new = Snapshot(folder, parts, new_rejects, converted_from if converted_from is not None else snapshot.converted_from)
    native.write_text_atomic(folder / MANIFEST, new.to_json())
    for gone in snapshot.files() - new.files():
        (folder / gone).unlink(missing_ok=True)
    return new


def _write_part(folder: Path, stem: str, suffix: str, write: Callable[[io.BytesIO], None], rows: int) -> Part:
    """A file named by its content (``<stem>-<digest><suffix>``), written atomically."""
    buffer = io.BytesIO()
    write(buffer)
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{stem}-{digest[:DIGEST_CHARS]}{suffix}"
    native.write_atomic(folder / relative, lambda tmp: Path(tmp).write_bytes(data))
    return Part(relative, digest, rows)


def _collect_garbage(snapshot: Snapshot) -> None:
    """Remove files the manifest does not name: a killed writer's new
    partitions and temporary files (we hold the lock: nobody is writing)."""
    folder, keep = snapshot.folder, snapshot.files()
    for table in TABLES:
        if not (folder / table).is_dir():
            continue
        for sub in os.scandir(folder / table):
            if not sub.is_dir():
                continue
            left = 0
            for entry in os.scandir(sub.path):
                if f"{table}/{sub.name}/{entry.name}" in keep:
                    left += 1
                else:
                    os.unlink(entry.path)
            if not left:
                os.rmdir(sub.path)
    for path in [*folder.glob("rejects-*.csv"), *folder.glob(".*.tmp")]:
        if path.name not in keep:
            path.unlink()


# --------------------------------------------------------------------------
# analysis convert
# --------------------------------------------------------------------------


def convert(folder: str | os.PathLike) -> Snapshot:
    """Move a CSV (single-file) dataset folder to the partitioned layout, in
    place: sets and body become one partition per trainee, rejects.csv the
    manifest's rejects; trainees and goals stay as they are. A table with
    invalid rows is refused (fix them first: nothing is dropped). Killed at
    any point, the folder reads as before (CSV) or after (partitioned)."""
    folder = Path(folder)
    if is_partitioned(folder):
        raise DataFileError(folder, f"already partitioned ({MANIFEST})")
    sources = {name: native.table_path(folder, name) for name in TABLES}
    if sources["sets"] is None:
        raise DataFileError(folder, "no sets.csv or sets.parquet in this folder")
    frames = {name: native.read_valid_table(path, table, "converting")
              for (name, path), table in zip(sources.items(), (schema.SETS, schema.BODY)) if path is not None}
    old_rejects = folder / "rejects.csv"
    rejects = native.read_rejects_file(old_rejects) if old_rejects.is_file() else None
    replaced = {p.name: native.file_digest(p) for p in [*sources.values(), old_rejects] if p is not None and p.is_file()}
    with writer(folder, create=True) as snapshot:
        new = commit(snapshot, {name: by_trainee(frame) for name, frame in frames.items()}, rejects,
                     converted_from=replaced)
        for name in replaced:
            (folder / name).unlink()
    return new


def by_trainee(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Each trainee's rows, in file order: what :func:`commit` takes for a table."""
    return {tid: part for (tid,), part in frame.partition_by("trainee_id", as_dict=True, maintain_order=True).items()}
