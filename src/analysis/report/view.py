"""One trainee's slice of the analysis: what a report notebook reads.

A batch run computes :class:`~analysis.progress.Progress` for everyone once,
then saves each trainee's slice to its own folder (:meth:`TraineeView.save`);
the notebook loads only that folder. Opened by hand on a dataset folder, the
notebook computes the same slice directly (:func:`load_view`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis import progress
from analysis.io import native
from analysis.report import slug

TABLES = ("e1rm_sessions", "trend", "lifts", "records", "weekly_volume", "sessions_per_week", "body", "acwr",
          "weekly_focus", "blocks", "hard_sets", "weekly_rest")


@dataclass
class TraineeView:
    trainee_id: str
    profile: dict
    summary: dict
    window_start: dt.date
    e1rm_sessions: pl.DataFrame
    trend: pl.DataFrame
    lifts: pl.DataFrame
    records: pl.DataFrame
    body: pl.DataFrame
    acwr: pl.DataFrame
    weekly_focus: pl.DataFrame
    blocks: pl.DataFrame
    hard_sets: pl.DataFrame
    weekly_volume: pl.DataFrame
    sessions_per_week: pl.DataFrame
    weekly_rest: pl.DataFrame

    @property
    def as_of(self) -> dt.date:
        return dt.date.fromisoformat(self.summary["as_of"])

    @property
    def display_name(self) -> str:
        name = self.profile.get("name")
        return f"{name} ({self.trainee_id})" if name else self.trainee_id

    def _featured(self) -> pl.DataFrame:
        """The lifts the strength section follows (progress._lifts)."""
        return self.lifts.filter(pl.col("featured"))

    @property
    def featured_are_main(self) -> bool:
        """Whether the featured lifts are the main lifts (else the most trained)."""
        return self._featured().get_column("main_lift").is_not_null().any()

    def featured_sessions(self) -> pl.DataFrame:
        """Session-best e1RM of the featured lifts."""
        return self.e1rm_sessions.filter(pl.col("exercise").is_in(self._featured().get_column("exercise").implode()))

    def recent_records(self, featured_only: bool = True) -> pl.DataFrame:
        """PRs set inside the report window (of the featured lifts), newest first."""
        recent = self.records.filter(pl.col("date") >= self.window_start)
        if featured_only:
            recent = recent.filter(pl.col("lift").is_in(self._featured().get_column("exercise").implode()))
        return recent.sort("date", "lift", "kind", "value_kg", descending=[True, False, False, False])

    def save(self, folder: str | Path) -> None:
        """Write the slice (Parquet tables + JSON) for a notebook to load."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            getattr(self, name).write_parquet(folder / f"{name}.parquet")
        meta = {"profile": self.profile, "summary": self.summary,
                "window_start": self.window_start.isoformat()}
        (folder / "view.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: str | Path) -> TraineeView:
        folder = Path(folder)
        meta = json.loads((folder / "view.json").read_text())
        tables = {name: pl.read_parquet(folder / f"{name}.parquet") for name in TABLES}
        return cls(trainee_id=meta["summary"]["trainee_id"], profile=meta["profile"],
                   summary=meta["summary"], window_start=dt.date.fromisoformat(meta["window_start"]),
                   **tables)


def slice_for(result: progress.Progress, trainee_id: str) -> TraineeView:
    """One trainee's tables and summary out of an all-trainee result."""
    return next(slices(result, [trainee_id], {trainee_id: result.summary(trainee_id)}))


def slices(result: progress.Progress, trainee_ids: list[str], summaries: dict[str, dict]) -> Iterator[TraineeView]:
    """Each named trainee's view, partitioning every table once (filtering
    per trainee would scan every table once per trainee)."""
    wanted = pl.col("trainee_id").is_in(pl.Series(trainee_ids, dtype=pl.String).implode())
    parts = {name: getattr(result, name).filter(wanted).partition_by("trainee_id", as_dict=True)
             for name in TABLES}
    empty = {name: getattr(result, name).clear() for name in TABLES}
    profiles = {row["trainee_id"]: row for row in result.trainees.filter(wanted).iter_rows(named=True)}
    starts = dict(result.as_of.select("trainee_id", "window_start").iter_rows())
    for tid in trainee_ids:
        yield TraineeView(
            trainee_id=tid,
            profile=profiles.get(tid, {"trainee_id": tid}),
            summary=summaries[tid],
            window_start=starts[tid],
            **{name: parts[name].get((tid,), empty[name]) for name in TABLES},
        )


def load_view(trainee_id: str, data_dir: str | Path, as_of: str | None = None,
              window_weeks: int = 8) -> TraineeView:
    """The trainee's view from a prepared folder (written by a batch run:
    ``data_dir/<folder>``, the folder named by :func:`~analysis.report.slug.folder_name`)
    or, failing that, computed from a dataset folder.

    ``trainee_id`` is the id or, as a batch run passes it, the folder name
    itself; the id never becomes a path (``../x`` is looked up as ``x~<hash>``).
    """
    candidates = [trainee_id] if slug.is_folder_name(trainee_id) else []
    candidates.append(slug.folder_name(trainee_id))
    for name in candidates:
        if (Path(data_dir) / name / "view.json").is_file():
            return TraineeView.load(Path(data_dir) / name)
    if not native.has_table(data_dir, "sets"):
        raise FileNotFoundError(f"{data_dir}: no prepared view for trainee {trainee_id!r} and no dataset")
    trainee_id = slug.normalise(trainee_id)
    dataset = native.read_dataset(data_dir)
    sets = dataset.sets.filter(pl.col("trainee_id") == trainee_id)
    if sets.is_empty():
        raise KeyError(f"no sets for trainee {trainee_id!r} in {data_dir}")
    when = dt.date.fromisoformat(as_of) if as_of else None
    result = progress.analyse(sets, dataset.trainees, when, window_weeks, body=dataset.body, goals=dataset.goals)
    return slice_for(result, trainee_id)
