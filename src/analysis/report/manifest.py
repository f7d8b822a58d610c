"""What a report run was made from, so that a rerun redoes only what changed.

Two levels of content hashes, kept in ``<out>/.manifest.json``:

- the **run fingerprint**: SHA-256 of every dataset file, of the report
  notebook, of the suite's own code and of the run's ``--params`` file, the
  polars version (its row hashes are per version) and the run's options
  (``--pdf`` among them). If it matches the last complete
  run and every report is still there, nothing is read or analysed: an
  unchanged scheduled run ends in well under a second.
- a **trainee digest**: a hash of that trainee's prepared tables and summary,
  computed for everyone in one vectorized pass. ``--changed-only`` renders
  only trainees whose digest differs from the manifest's, so an edit to one
  trainee's log (or a rejected row that changes nothing) costs one report,
  and a failed report is always retried (failures are not recorded).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import __version__
from analysis.io import native
from analysis.report.slug import folder_name

if TYPE_CHECKING:
    from analysis import progress

FILE = ".manifest.json"


def file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def code_digest() -> str:
    """SHA-256 over the suite's own source and data files (a changed
    formula re-renders every report even if the version was not bumped)."""
    root = resources.files("analysis")
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(str(root)).rglob("*")):
        if path.is_file() and path.suffix in {".py", ".csv", ".css", ".tpl", ".ipynb"}:
            digest.update(path.relative_to(str(root)).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run_fingerprint(data_dir: Path, notebook: Path, options: dict, params_file: Path | None = None) -> dict:
    """Everything a run's output depends on, as hashes and values
    (``params_file``: the ``--params`` file the options were read from)."""
    return {
        "data": {p.name: file_digest(p) for p in native.dataset_files(data_dir)},
        "notebook": file_digest(notebook),
        "code": code_digest(),
        "polars": version("polars"),
        "options": options,
        "params": params_file and file_digest(params_file),
    }


def trainee_digests(analysis: progress.Progress, summaries: dict[str, dict]) -> dict[str, str]:
    """Per trainee, a SHA-256 of their report inputs: every prepared table
    (row hashes from one group-by per table) and their summary."""
    import polars as pl

    from analysis.report.view import TABLES

    digests = {tid: hashlib.sha256(json.dumps(s, sort_keys=True, default=str).encode()) for tid, s in summaries.items()}
    for name in TABLES:
        rows = (
            getattr(analysis, name)
            .select("trainee_id", pl.struct(pl.exclude("trainee_id")).hash(seed=0).alias("h"))
            .group_by("trainee_id")
            .agg(pl.col("h").sort().cast(pl.String).str.join(","))
        )
        for tid, joined in rows.iter_rows():
            if tid in digests:
                digests[tid].update(f"{name}:{joined};".encode())
    return {tid: d.hexdigest() for tid, d in digests.items()}


@dataclass
class Manifest:
    fingerprint: dict | None = None
    trainees: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        path = Path(out_dir) / FILE
        try:
            data = json.loads(path.read_text())
            return cls(fingerprint=data.get("fingerprint"), trainees=dict(data.get("trainees", {})))
        except (OSError, ValueError, AttributeError):
            return cls()  # missing or unreadable: everything counts as changed

    def save(self, out_dir: Path) -> None:
        text = json.dumps({"fingerprint": self.fingerprint, "trainees": dict(sorted(self.trainees.items()))},
                          indent=1) + "\n"
        native.write_text_atomic(Path(out_dir) / FILE, text)

    def up_to_date(self, fingerprint: dict, out_dir: Path) -> bool:
        """The last complete run had these inputs and all its reports exist
        (and their PDFs, for a ``--pdf`` run). ``trainees`` is keyed by
        trainee id; their reports are in their folders
        (:func:`~analysis.report.slug.folder_name`)."""
        files = ("report.html", "report.pdf") if fingerprint["options"].get("pdf") else ("report.html",)
        return (self.fingerprint == fingerprint and bool(self.trainees)
                and all((Path(out_dir) / folder_name(tid) / name).is_file()
                        for tid in self.trainees for name in files))
