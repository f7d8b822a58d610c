"""Batch reports: one analysis pass for all trainees, then one notebook each.

``run`` reads and validates the dataset, computes every trainee's tables in
one vectorized pass, saves each trainee's slice, executes the report notebook
per trainee with papermill (in parallel processes), exports HTML with
nbconvert (code hidden), writes ``summary.json`` beside it, and an index.
A failing trainee does not stop the others; its executed notebook is kept
as ``failed.ipynb`` for debugging.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis import __version__, progress
from analysis.io import native
from analysis.report import html
from analysis.report.view import slice_for

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"
REPORT_NOTEBOOK = NOTEBOOKS / "trainee_report.ipynb"
PREPARED = ".prepared"


@dataclass
class BatchResult:
    reports: dict[str, Path] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    rejected_rows: int = 0
    notes: list[str] = field(default_factory=list)


def run(data_dir: str | Path, out_dir: str | Path, trainees: list[str] | None = None,
        as_of: dt.date | None = None, window_weeks: int = 8, jobs: int | None = None,
        log=print) -> BatchResult:
    """Build every (or the named) trainee's report into ``out_dir``."""
    out_dir = Path(out_dir)
    dataset = native.read_dataset(data_dir)
    result = BatchResult(rejected_rows=dataset.rejects.height, notes=list(dataset.notes))
    known = dataset.trainee_ids
    wanted = trainees or known
    unknown = sorted(set(wanted) - set(known))
    for tid in unknown:
        result.failures[tid] = "no valid sets for this trainee in the dataset"
    wanted = [t for t in wanted if t in known]
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_rejects(dataset, out_dir, log)
    sets = dataset.sets.filter(pl.col("trainee_id").is_in(wanted))
    analysis = progress.analyse(sets, dataset.trainees, as_of, window_weeks, body=dataset.body)
    prepared = out_dir / PREPARED
    for tid in wanted:
        slice_for(analysis, tid).save(prepared / tid)
    jobs = jobs or _jobs()
    log(f"analysed {len(wanted)} trainee(s), {sets.height} sets; rendering with {jobs} process(es)")
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(render, tid, prepared, out_dir, window_weeks): tid for tid in wanted}
        for future in as_completed(futures):
            tid = futures[future]
            error = future.result()
            if error:
                result.failures[tid] = error
                log(f"FAILED {tid}: {error}")
            else:
                result.reports[tid] = out_dir / tid / "report.html"
    _write_index(analysis, wanted, result, out_dir)
    return result


def _jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def render(trainee_id: str, prepared: Path, out_dir: Path, window_weeks: int) -> str | None:
    """Execute and export one trainee's report; the error text if it failed."""
    import papermill

    target = out_dir / trainee_id
    target.mkdir(parents=True, exist_ok=True)
    executed = target / ".report.ipynb"
    try:
        papermill.execute_notebook(
            str(REPORT_NOTEBOOK), str(executed),
            parameters={"trainee_id": trainee_id, "data_dir": str(prepared.resolve()),
                        "as_of": "", "window_weeks": window_weeks},
            kernel_name="python3", progress_bar=False, log_output=False,
            cwd=str(NOTEBOOKS),
        )
    except Exception as err:  # papermill raises PapermillExecutionError and kernel errors
        if executed.exists():
            shutil.move(executed, target / "failed.ipynb")
        return _short_error(err)
    (target / "failed.ipynb").unlink(missing_ok=True)
    summary = json.loads((prepared / trainee_id / "view.json").read_text())["summary"]
    native.write_text_atomic(target / "report.html", export_html(executed, summary))
    native.write_text_atomic(target / "summary.json", json.dumps(summary, indent=2, sort_keys=False) + "\n")
    executed.unlink()
    return None


def export_html(notebook: Path, summary: dict) -> str:
    """nbconvert's HTML of the executed notebook, code and prompts hidden,
    inside the suite's self-contained page."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="basic", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"notebook-only"}), enabled=True)
    executed = nbformat.read(notebook, as_version=4)
    for i, cell in enumerate(executed.cells):
        cell["id"] = f"cell-{i}"  # papermill's injected cell has a random id: keep bytes stable
    body, _ = exporter.from_notebook_node(executed)
    title = f"Progress report {summary['trainee_id']} as of {summary['as_of']}"
    return html.page(title, body, footer=f"analysis {__version__} · data as of {summary['as_of']}")


def _short_error(err: Exception) -> str:
    text = str(err).strip().splitlines()
    lines = [line for line in text if line.strip() and not line.startswith("-")]
    return (lines[-1] if lines else type(err).__name__)[:300]


def _write_rejects(dataset: native.Dataset, out_dir: Path, log) -> None:
    path = out_dir / "rejects.csv"
    if dataset.rejects.height:
        native.write_csv_atomic(dataset.rejects, path)
        log(f"{dataset.rejects.height} input rows rejected: see {path}")
    else:
        path.unlink(missing_ok=True)
    for note in dataset.notes:
        log(note)


def _write_index(analysis: progress.Progress, wanted: list[str], result: BatchResult, out_dir: Path) -> None:
    names = dict(analysis.trainees.select("trainee_id", "name").iter_rows()) if analysis.trainees.height else {}
    rows = []
    for tid in wanted:
        if tid in result.failures:
            continue
        s = analysis.summary(tid)
        label = f"{names[tid]} ({tid})" if names.get(tid) else tid
        main = [lift for lift in s["lifts"] if lift["main_lift"]]
        rows.append({"trainee_id": tid, "name": label, "as_of": s["as_of"],
                     "strength": s["strength"]["status"], "size": s["size"]["status"],
                     "plateaus": [(lift["exercise"], lift["plateau_since"]) for lift in main if lift["status"] == "plateau"],
                     "focus": s["focus"]})
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    native.write_text_atomic(out_dir / "index.html", html.index_page(rows, result.failures, f"generated {stamp} · analysis {__version__}"))
