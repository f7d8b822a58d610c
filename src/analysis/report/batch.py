"""Batch reports: one analysis pass for all trainees, then one notebook each.

``run`` takes the output folder's lock, reads and validates the dataset,
computes every trainee's tables in one vectorized pass, saves the slices of
the trainees to render, executes the report notebook for each in parallel
workers (local processes or Dask), and writes each ``report.html`` and
``summary.json`` atomically as it arrives (and, with ``pdf``, prints
``report.pdf`` beside it: :mod:`analysis.report.pdf`), then the index and the
manifest.
A failing trainee does not stop the others: its partly executed notebook is
kept as ``failed.ipynb`` and it is listed in the index and the log.

Trainee ids can be any text: every file of a trainee (``<out>/<folder>/``,
``<out>/.prepared/<folder>/``, the index link) is named by the id's folder
name (:mod:`analysis.report.slug`), never by the id itself; the executors and
the report notebook are given the folder name. ``summary.json``, the index
text, the log and the manifest keep the real id.

A dataset with no valid set left (every row rejected) stops the run with
:class:`~analysis.io.native.NoValidSets` after writing ``rejects.csv``: no
report, index or manifest is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from analysis import __version__
from analysis.io import native
from analysis.report import REPORT_NOTEBOOK, manifest, slug
from analysis.report.lock import run_lock
from analysis.report.pdf import Printer, PrintFailed

if TYPE_CHECKING:
    from analysis.report.render import Rendered

# The notebook machinery (papermill, nbformat, matplotlib: ~3 s of imports)
# is imported only when there is something to render.

PREPARED = ".prepared"
MANIFEST_EVERY = 5.0  # seconds between manifest saves, so a killed run loses little work


@dataclass
class BatchResult:
    reports: dict[str, Path] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    unchanged: int = 0
    rejected_rows: int = 0
    notes: list[str] = field(default_factory=list)


def run(data_dir: str | Path, out_dir: str | Path, trainees: list[str] | None = None,
        as_of: dt.date | None = None, since: dt.date | None = None, window_weeks: int = 8,
        jobs: int | None = None, changed_only: bool = False, dask=None, wait_seconds: float = 0,
        log=functools.partial(print, flush=True), progress_bar: bool | None = None, pdf: bool = False,
        params_file: Path | None = None) -> BatchResult:
    """Build every (or the named) trainee's report into ``out_dir``.

    ``as_of`` and ``since`` bound the logs used (a back-dated run gives the
    report of that day); ``changed_only`` renders only trainees whose inputs,
    the notebook or the code changed since the last run; ``dask`` is a
    scheduler address (or Client) to render on instead of local processes.
    ``pdf`` also prints each report to ``report.pdf``; ``params_file`` (the
    run's ``--params``) is part of the run fingerprint.
    Raises :class:`~analysis.report.lock.RunLocked` if another run holds
    ``out_dir`` for longer than ``wait_seconds``, and
    :class:`~analysis.report.pdf.PdfUnavailable` (before reading the data)
    if ``pdf`` is asked for without Playwright or Chromium.
    """
    out_dir = Path(out_dir)
    if trainees:
        trainees = list(dict.fromkeys(slug.normalise(t) for t in trainees))
    with run_lock(out_dir, wait_seconds):
        _remove_leftovers(out_dir)
        options = {"trainees": sorted(trainees) if trainees else None, "window_weeks": window_weeks,
                   "as_of": as_of and as_of.isoformat(), "since": since and since.isoformat(), "pdf": pdf}
        fingerprint = manifest.run_fingerprint(Path(data_dir), REPORT_NOTEBOOK, options, params_file)
        done = manifest.Manifest.load(out_dir)
        if changed_only and done.up_to_date(fingerprint, out_dir):
            log(f"nothing changed since the last run: {len(done.trainees)} reports up to date")
            return BatchResult(unchanged=len(done.trainees))
        with Printer() if pdf else contextlib.nullcontext() as printer:
            return _build(Path(data_dir), out_dir, trainees, as_of, since, window_weeks, jobs, changed_only,
                          dask, log, progress_bar, fingerprint, done, printer)


def _build(data_dir, out_dir, trainees, as_of, since, window_weeks, jobs, changed_only, dask, log,
           progress_bar, fingerprint, done: manifest.Manifest, printer: Printer | None) -> BatchResult:
    import polars as pl

    from analysis import progress
    from analysis.report import executors
    from analysis.report.view import slices

    dataset = native.read_dataset(data_dir)
    result = BatchResult(rejected_rows=dataset.rejects.height, notes=list(dataset.notes))
    _write_rejects(dataset, data_dir, out_dir, log)
    in_span = pl.col("date") >= since if since else pl.lit(True)
    sets = dataset.sets.filter(in_span)
    known = sets.get_column("trainee_id").unique().sort().to_list()
    folders, refused = slug.folder_names(known)
    wanted = trainees or known
    for tid in sorted(set(wanted) - set(known)):
        result.failures[tid] = "no valid sets for this trainee in the dataset" + (f" since {since}" if since else "")
    for tid in sorted(set(wanted) & set(refused)):
        result.failures[tid] = refused[tid]
    wanted = [t for t in wanted if t in folders]
    sets = sets.filter(pl.col("trainee_id").is_in(pl.Series(wanted, dtype=pl.String).implode()))
    analysis = progress.analyse(sets, dataset.trainees, as_of, window_weeks, body=dataset.body.filter(in_span),
                                goals=dataset.goals)
    summaries = {tid: analysis.summary(tid) for tid in wanted}
    digests = manifest.trainee_digests(analysis, summaries)
    todo = [tid for tid in wanted if not changed_only or done.trainees.get(tid) != digests[tid]
            or not (out_dir / folders[tid] / "report.html").is_file()
            or (printer is not None and not (out_dir / folders[tid] / "report.pdf").is_file())]
    result.unchanged = len(wanted) - len(todo)
    prepared = out_dir / PREPARED
    for view in slices(analysis, todo, summaries):
        view.save(prepared / folders[view.trainee_id])
    present, n_sets = set(dataset.trainee_ids), sets.height
    del dataset, sets, analysis  # while rendering the parent keeps only the summaries
    workers = min(jobs or _cores(), max(1, len(todo)))  # no idle workers starting kernels
    where = f"on Dask at {dask}" if dask else f"with {workers} process(es)"
    log(f"analysed {len(wanted)} trainee(s), {n_sets} sets; rendering {len(todo)} report(s) {where}"
        + (f", {result.unchanged} unchanged" if result.unchanged else ""))
    owner = {folders[tid]: tid for tid in todo}  # workers know a trainee by its folder name
    rendered = (executors.dask_cluster(list(owner), prepared, window_weeks, dask) if dask
                else executors.local_processes(list(owner), prepared, window_weeks, workers))
    ticker = _Ticker(len(todo), log, sys.stderr.isatty() if progress_bar is None else progress_bar)
    saved = time.monotonic()
    for report in rendered:
        tid = owner[report.name]
        _write_report(out_dir, report, summaries[tid])
        error = report.error or _write_pdf(printer, out_dir / report.name, summaries[tid]["as_of"])
        if error:
            result.failures[tid] = error
            done.trainees.pop(tid, None)
            ticker.failed(tid, error)
        else:
            result.reports[tid] = out_dir / report.name / "report.html"
            done.trainees[tid] = digests[tid]
        ticker.tick(len(result.failures))
        if time.monotonic() - saved > MANIFEST_EVERY:
            done.fingerprint = None  # incomplete until the run ends
            done.save(out_dir)
            saved = time.monotonic()
    ticker.close()
    if printer is not None and printer.count:
        log(f"printed {printer.count} PDF(s) in {printer.seconds:.1f} s ({printer.seconds / printer.count:.2f} s each)")
    if trainees is None:  # the overview is of the whole roster, not of a run for a few
        _write_cohort_overview(out_dir, result, log)
    done.trainees = {tid: d for tid, d in done.trainees.items() if tid in present}
    done.fingerprint = None if result.failures else fingerprint  # failures are retried next time
    done.save(out_dir)
    _write_index(summaries, wanted, folders, result, out_dir)
    return result


def _write_cohort_overview(out_dir: Path, result: BatchResult, log) -> None:
    """``cohort.html``: the cohort overview notebook run on the reports'
    summaries, in a kernel of this process (shut down after)."""
    from analysis.report import kernel, render

    overview = render.render_cohort(out_dir)
    kernel.discard_worker_kernel()
    if overview.error:
        result.failures[overview.name] = overview.error
        log(f"FAILED {overview.name}: {overview.error}")
        (out_dir / "cohort.html").unlink(missing_ok=True)
        if overview.failed_notebook:
            native.write_text_atomic(out_dir / "cohort-failed.ipynb", overview.failed_notebook)
    else:
        native.write_text_atomic(out_dir / "cohort.html", overview.html)
        (out_dir / "cohort-failed.ipynb").unlink(missing_ok=True)


def _remove_leftovers(out_dir: Path) -> None:
    """Temporary files of a run that was killed (we hold the lock: nobody
    else is writing). Its finished files are whole: every write is a rename."""
    for path in out_dir.glob("**/.*.tmp"):
        path.unlink(missing_ok=True)


def _cores() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _write_report(out_dir: Path, report: Rendered, summary: dict) -> None:
    """A report's files, each written atomically, in ``out_dir/<report.name>``
    (the trainee's folder name: the executors are given folder names). A
    failed report removes the previous one (a stale report read as current
    is worse than none) and keeps the failed notebook."""
    if not slug.is_folder_name(report.name):  # never a path from anything else
        raise ValueError(f"not a report folder name: {report.name!r}")
    target = out_dir / report.name
    if report.error:
        for name in ("report.html", "summary.json", "report.pdf"):
            (target / name).unlink(missing_ok=True)
        if report.failed_notebook:
            native.write_text_atomic(target / "failed.ipynb", report.failed_notebook)
        return
    native.write_text_atomic(target / "report.html", report.html)
    native.write_text_atomic(target / "summary.json", json.dumps(summary, indent=2) + "\n")
    (target / "failed.ipynb").unlink(missing_ok=True)


def _write_pdf(printer: Printer | None, folder: Path, as_of: str) -> str | None:
    """Print ``folder/report.html`` to ``report.pdf``; without a printer,
    remove a ``report.pdf`` left from an earlier run (it would no longer match
    the report). Returns the error if the PDF could not be printed."""
    path = folder / "report.pdf"
    if printer is None:
        path.unlink(missing_ok=True)
        return None
    try:
        data = printer.print(folder / "report.html", as_of)
    except PrintFailed as err:
        path.unlink(missing_ok=True)
        return f"PDF not printed: {err}"
    native.write_atomic(path, lambda tmp: Path(tmp).write_bytes(data))
    return None


class _Ticker:
    """Progress: a bar on a terminal, a plain log line every 5% otherwise
    (cron mails and journald keep lines, not redrawn bars)."""

    def __init__(self, total: int, log, bar: bool):
        self.total, self.log, self.done, self.start = total, log, 0, time.monotonic()
        self.every = max(1, total // 20)
        self.bar = None
        if bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="report", file=sys.stderr)

    def tick(self, failures: int) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update()
            self.bar.set_postfix(failed=failures)
        elif self.done % self.every == 0 or self.done == self.total:
            seconds = time.monotonic() - self.start
            self.log(f"rendered {self.done}/{self.total} reports in {seconds:.0f} s "
                     f"({seconds / self.done:.2f} s each), {failures} failed")

    def failed(self, trainee_id: str, error: str) -> None:
        message = f"FAILED {trainee_id}: {error}"
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)
        else:
            self.log(message)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _write_rejects(dataset: native.Dataset, data_dir: Path, out_dir: Path, log) -> None:
    """``rejects.csv`` (or remove a previous run's); with no valid set left,
    stop here with one error naming it."""
    path = out_dir / "rejects.csv"
    if dataset.rejects.height:
        native.write_csv_atomic(dataset.rejects, path)
    else:
        path.unlink(missing_ok=True)
    native.require_valid_sets(dataset, data_dir, path)
    if dataset.rejects.height:
        log(f"{dataset.rejects.height} input rows rejected: see {path}")
    for note in dataset.notes:
        log(note)


def _write_index(summaries: dict[str, dict], wanted: list[str], folders: dict[str, str], result: BatchResult,
                 out_dir: Path) -> None:
    from analysis.report import html

    rows = []
    for tid in wanted:
        if tid in result.failures:
            continue
        s = summaries[tid]
        name = s["profile"].get("name")
        label = f"{name} ({tid})" if name else tid
        main = [lift for lift in s["lifts"] if lift["featured"]]  # main lifts, else the most trained
        # index_page links to <trainee_id>/report.html: give it the folder, the label shows the id
        rows.append({"trainee_id": folders[tid], "name": label, "as_of": s["as_of"],
                     "strength": s["strength"]["status"], "size": s["size"]["status"],
                     "lift_counts": [sum(lift["status"] == k for lift in main)
                                     for k in ("progressing", "plateau", "declining", "uncertain")],
                     "plateaus": [(lift["exercise"], lift["plateau_since"]) for lift in main if lift["status"] == "plateau"],
                     "focus": s["focus"], "pdf": (out_dir / folders[tid] / "report.pdf").is_file()})
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    native.write_text_atomic(out_dir / "index.html", html.index_page(
        rows, result.failures, f"generated {stamp} · analysis {__version__}",
        overview="cohort.html" if (out_dir / "cohort.html").is_file() else None))
