"""What a report run was made from, so that a rerun redoes only what changed.

Content hashes, kept in ``<out>/.manifest.json``:

- the **run fingerprint**: SHA-256 of the dataset (every table file; for a
  partitioned dataset its manifest, which holds each partition's SHA-256),
  of the report notebook, of the suite's own code and of the run's
  ``--params`` file, the polars version (its row hashes are per version) and
  the run's options (``--pdf`` among them). If it matches the last complete
  run and every report is still there, nothing is read or analysed: an
  unchanged scheduled run ends in about a second.
- per trainee, an **input key** (:func:`input_keys`): their input digest
  (:attr:`analysis.io.native.DatasetFolder.digests`: their sets, body rows,
  trainees row and goals) with the code, notebook and options. ``--changed-only``
  reads, validates and analyses only trainees whose key changed; everyone
  else's summary (``rows``: what the index shows of it) and prepared slice
  are reused, and the rejects of their sets and body rows come from
  ``checked`` (keyed by those rows, their lines and the code alone, so a run
  for a few trainees keeps everyone's). The trainees and goals tables are
  small and validated whole every run.
- per trainee, an **output digest** (:func:`trainee_digests`): a hash of
  their prepared tables and summary. A re-analysed trainee is rendered only
  if it changed, so a rejected row that changes nothing costs no report; a
  failed report is always retried (failures are not recorded).
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
from analysis.io.native import file_digest
from analysis.report.slug import folder_name

if TYPE_CHECKING:
    from analysis import progress

FILE = ".manifest.json"


def code_digest() -> str:
    """SHA-256 over every file of the suite's package but bytecode: code,
    catalog, stylesheet, templates (a changed formula or template re-renders
    every report even if the version was not bumped)."""
    root = resources.files("analysis")
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(str(root)).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(str(root)).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run_fingerprint(data: native.DatasetFolder, notebook: Path, options: dict, params_file: Path | None = None) -> dict:
    """Everything a run's output depends on, as hashes and values
    (``params_file``: the ``--params`` file the options were read from)."""
    return {
        "data": {p.relative_to(data.folder).as_posix(): file_digest(p) for p in data.files()},
        "notebook": file_digest(notebook),
        "code": code_digest(),
        "polars": version("polars"),
        "options": options,
        "params": params_file and file_digest(params_file),
    }


def _sha256(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def check_keys(fingerprint: dict, data_dir: Path, owned: dict[str, str]) -> dict[str, str]:
    """Per trainee, what the rejects of their sets and body rows depend on:
    those rows (``owned``: :attr:`~analysis.io.native.DatasetFolder.owned_digests`),
    the code (the validation rules), polars (row hashes) and the folder
    (rejects name their file)."""
    base = _sha256(fingerprint["code"], fingerprint["polars"], str(data_dir))
    return {tid: _sha256(base, digest) for tid, digest in owned.items()}


def input_keys(fingerprint: dict, checks: dict[str, str], digests: dict[str, str]) -> dict[str, str]:
    """Per trainee, what their analysis and report depend on: their check
    key, their input digest (:attr:`~analysis.io.native.DatasetFolder.digests`),
    the notebook and the options that change an analysis."""
    options = {k: fingerprint["options"][k] for k in ("window_weeks", "as_of", "since")}
    base = _sha256(fingerprint["notebook"], options)
    return {tid: _sha256(base, key, digests[tid]) for tid, key in checks.items()}


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
    """Output digest of each trainee's last good report."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Input key each of those reports was made from."""
    rows: dict[str, dict] = field(default_factory=dict)
    """What the index shows of each of those reports' summary."""
    checked: dict[str, list] = field(default_factory=dict)
    """Per trainee: [check key, their rejected rows as (table, source, line, column, value, reason)]."""

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        path = Path(out_dir) / FILE
        try:
            data = json.loads(path.read_text())
            return cls(fingerprint=data.get("fingerprint"), trainees=dict(data.get("trainees", {})),
                       inputs=dict(data.get("inputs", {})), rows=dict(data.get("rows", {})),
                       checked=dict(data.get("checked", {})))
        except (OSError, ValueError, AttributeError, TypeError):
            return cls()  # missing or unreadable: everything counts as changed

    def save(self, out_dir: Path) -> None:
        data = {"fingerprint": self.fingerprint, "trainees": dict(sorted(self.trainees.items())),
                "inputs": dict(sorted(self.inputs.items())), "rows": dict(sorted(self.rows.items())),
                "checked": dict(sorted(self.checked.items()))}
        native.write_text_atomic(Path(out_dir) / FILE, json.dumps(data, indent=0, ensure_ascii=False) + "\n")

    def forget(self, trainee_id: str) -> None:
        """Drop a trainee's report (failed, or no longer in the dataset): the next run redoes it."""
        for kept in (self.trainees, self.inputs, self.rows):
            kept.pop(trainee_id, None)

    def up_to_date(self, fingerprint: dict, out_dir: Path) -> bool:
        """The last complete run had these inputs and all its reports exist
        (and their PDFs, for a ``--pdf`` run). ``trainees`` is keyed by
        trainee id; their reports are in their folders
        (:func:`~analysis.report.slug.folder_name`)."""
        files = ("report.html", "report.pdf") if fingerprint["options"].get("pdf") else ("report.html",)
        return (self.fingerprint == fingerprint and bool(self.trainees)
                and all((Path(out_dir) / folder_name(tid) / name).is_file()
                        for tid in self.trainees for name in files))
