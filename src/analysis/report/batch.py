"""Batch reports: analyse what changed, then one notebook per report.

``run`` takes the output folder's lock, reads and validates the dataset
trainee by trainee (:class:`~analysis.io.native.DatasetFolder`), analyses
them in chunks of about :data:`CHUNK_SETS` sets (one vectorized pass per
chunk: memory is bounded by the chunk, not the club), saves the slices of
the trainees to render, executes the report notebook for each (in local
worker processes, the first started and warmed up while the data is read,
or on Dask), and writes each ``report.html`` and ``summary.json`` atomically as it
arrives (and, with ``pdf``, prints ``report.pdf`` beside it:
:mod:`analysis.report.pdf`), then the cohort overview, the index and the
manifest.

With ``changed_only`` a trainee whose inputs (their sets, body rows,
trainees row and goals), the code, the notebook and the options are as in
the last run is not read at all: their summary (what the index shows of it),
prepared slice, report and rejects are reused (:mod:`analysis.report.manifest`).
In a partitioned dataset their files are not opened.

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
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import __version__
from analysis.io import native, partitioned
from analysis.report import REPORT_NOTEBOOK, executors, manifest, slug
from analysis.report.lock import run_lock

if TYPE_CHECKING:
    from analysis.report.pdf import Printer
    from analysis.report.render import Rendered

# The notebook machinery (papermill, nbformat, matplotlib: ~3 s of imports)
# is imported only when there is something to render, the analysis (scipy)
# only when there is something to analyse: an unchanged run needs neither.

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
    :class:`~analysis.errors.PdfUnavailable` (before reading the data)
    if ``pdf`` is asked for without Playwright or Chromium.
    """
    out_dir = Path(out_dir)
    if trainees:
        trainees = list(dict.fromkeys(slug.normalise(t) for t in trainees))
    with run_lock(out_dir, wait_seconds):
        options = {"trainees": sorted(trainees) if trainees else None, "window_weeks": window_weeks,
                   "as_of": as_of and as_of.isoformat(), "since": since and since.isoformat(), "pdf": pdf}
        for attempt in itertools.count(1):  # again if an import commits while the dataset is read
            data = native.DatasetFolder(data_dir)  # this attempt's state of the dataset
            fingerprint = manifest.run_fingerprint(data, REPORT_NOTEBOOK, options, params_file)
            done = manifest.Manifest.load(out_dir)
            if changed_only and done.up_to_date(fingerprint, out_dir):
                log(f"nothing changed since the last run: {len(done.trainees)} reports up to date")
                return BatchResult(unchanged=len(done.trainees))
            if pdf:
                from analysis.report.pdf import Printer
            try:
                # the first local worker starts now, and warms up on the other core while this process reads
                with (Printer() if pdf else contextlib.nullcontext() as printer,
                      contextlib.nullcontext() if dask else executors.LocalWorkers() as local):
                    return _build(data, out_dir, trainees, as_of, since, window_weeks, jobs, changed_only,
                                  dask, log, progress_bar, fingerprint, done, printer, local)
            except partitioned.Superseded:
                if attempt == native.READ_ATTEMPTS:
                    raise
                log("the dataset changed while it was read (an import committed): reading it again")


def _build(data: native.DatasetFolder, out_dir, trainees, as_of, since, window_weeks, jobs, changed_only, dask, log,
           progress_bar, fingerprint, done: manifest.Manifest, printer: Printer | None,
           local: executors.LocalWorkers | None) -> BatchResult:
    _remove_leftovers(out_dir)
    present = data.trainee_ids
    folders, refused = slug.folder_names(present)
    wanted = trainees or present
    result = BatchResult()
    for tid in sorted(set(wanted) - set(present)):
        result.failures[tid] = _no_sets(since)
    for tid in sorted(set(wanted) & set(refused)):
        result.failures[tid] = refused[tid]
    wanted = [t for t in wanted if t in folders]
    checks = manifest.check_keys(fingerprint, data.folder, data.owned_digests)
    keys = manifest.input_keys(fingerprint, checks, data.digests)
    fresh = [t for t in wanted if not changed_only or done.inputs.get(t) != keys[t] or t not in done.rows
             or not _on_disk(out_dir / folders[t], printer)]
    reused = len(wanted) - len(fresh)

    rejects = _Rejects(done, checks, data.read_shared())
    validated = set(fresh)
    for chunk in data.chunks([t for t in present if t not in validated and t not in rejects.known], CHUNK_SETS):
        rejects.add(data.read(chunk), chunk)  # a run for a few trainees still lists everyone's rejects
    analysed, todo = _analyse(data, fresh, folders, keys, trainees, as_of, since, window_weeks, changed_only,
                              done, rejects, result, out_dir, printer)
    _write_rejects(rejects, data, out_dir, log, result)

    workers = 1 if len(todo) <= ONE_WORKER_MAX else min(jobs or _cores(), len(todo))
    where = f"on Dask at {dask}" if dask else f"with {workers} process(es)"
    result.unchanged = reused + len(analysed.ids) - len(todo)
    log(f"analysed {len(analysed.ids)} trainee(s), {analysed.sets} sets"
        + (f" ({reused} unchanged, not read)" if reused else "")
        + f"; rendering {len(todo)} report(s) {where}"
        + (f", {result.unchanged} unchanged" if result.unchanged else ""))
    owner = {folders[tid]: tid for tid in todo}  # workers know a trainee by its folder name
    prepared = out_dir / PREPARED
    rendered = (executors.dask_cluster(list(owner), prepared, window_weeks, dask) if dask
                else local.render(list(owner), prepared, window_weeks, workers))
    ticker = _Ticker(len(todo), log, sys.stderr.isatty() if progress_bar is None else progress_bar)
    saved = time.monotonic()
    for report in rendered:
        tid = owner[report.name]
        summary = json.loads((prepared / report.name / "view.json").read_text())["summary"]
        _write_report(out_dir, report, summary)
        error = report.error or _write_pdf(printer, out_dir / report.name, summary["as_of"])
        if error:
            result.failures[tid] = error
            done.forget(tid)
            ticker.failed(tid, error)
        else:
            result.reports[tid] = out_dir / report.name / "report.html"
            done.trainees[tid], done.inputs[tid], done.rows[tid] = analysed.digests[tid], keys[tid], _index_row(summary)
        ticker.tick(len(result.failures))
        if time.monotonic() - saved > MANIFEST_EVERY:
            done.fingerprint = None  # incomplete until the run ends
            done.save(out_dir)
            saved = time.monotonic()
    ticker.close()
    if printer is not None and printer.count:
        log(f"printed {printer.count} PDF(s) in {printer.seconds:.1f} s ({printer.seconds / printer.count:.2f} s each)")
    if trainees is None:  # the overview is of the whole roster, not of a run for a few
        _write_cohort_overview(out_dir, result, log, local)
    for tid in set(done.trainees) - set(present):
        done.forget(tid)
    done.fingerprint = None if result.failures else fingerprint  # failures are retried next time
    done.save(out_dir)
    _write_index(done.rows, wanted, folders, result, out_dir)
    return result


CHUNK_SETS = 200_000
"""Sets read, validated and analysed at once: the parent's memory is bounded
by this, not by the club (benchmarks/incremental_speed.py measures it at
10M sets). A trainee's analysis does not depend on who else is in the chunk
(up to floating-point rounding in the batched linear algebra)."""
ONE_WORKER_MAX = 8
"""Up to this many reports render in the warm worker alone: starting
another worker costs about 3 s of imports and first-report set-up, what
rendering 4 reports costs (0.7 s each), and two workers halve the rest: they
break even at about 8 reports on 2 cores."""


@dataclass
class _Analysed:
    """The trainees analysed this run, their sets and their output digests."""

    ids: list[str] = field(default_factory=list)
    sets: int = 0
    digests: dict[str, str] = field(default_factory=dict)


def _analyse(data: native.DatasetFolder, fresh: list[str], folders: dict[str, str], keys: dict[str, str],
             named: list[str] | None, as_of, since, window_weeks: int, changed_only: bool, done: manifest.Manifest,
             rejects: _Rejects, result: BatchResult, out_dir: Path, printer) -> tuple[_Analysed, list[str]]:
    """Read, validate and analyse ``fresh`` trainees chunk by chunk; save the
    slices of those to render (returned) and record the others as unchanged."""
    import polars as pl

    from analysis import progress
    from analysis.report.view import slices

    analysed, todo = _Analysed(), []
    for chunk in data.chunks(fresh, CHUNK_SETS):
        dataset = data.read(chunk)
        rejects.add(dataset, chunk)
        in_span = pl.col("date") >= since if since else pl.lit(True)
        sets = dataset.sets.filter(in_span)
        has_sets = set(sets.get_column("trainee_id").unique().to_list())
        known = [t for t in chunk if t in has_sets]
        for tid in chunk:
            if tid not in has_sets:
                done.forget(tid)
                if named:
                    result.failures[tid] = _no_sets(since)
        if not known:
            continue
        analysis = progress.analyse(sets, dataset.trainees, as_of, window_weeks, body=dataset.body.filter(in_span),
                                    goals=dataset.goals)
        summaries = {tid: analysis.summary(tid) for tid in known}
        digests = manifest.trainee_digests(analysis, summaries)
        render = [t for t in known if not changed_only or done.trainees.get(t) != digests[t]
                  or not _on_disk(out_dir / folders[t], printer)]
        for view in slices(analysis, render, summaries):
            view.save(out_dir / PREPARED / folders[view.trainee_id])
        for tid in set(known) - set(render):  # same report as last time: only its inputs' key moves on
            done.inputs[tid], done.rows[tid] = keys[tid], _index_row(summaries[tid])
            if not (out_dir / ROSTER / folders[tid] / "summary.json").is_file():  # a reports folder from before
                _write_roster_summary(out_dir, folders[tid], summaries[tid])
        analysed.ids += known
        analysed.sets += sets.height
        analysed.digests |= digests
        todo += render
    return analysed, todo


def _no_sets(since: dt.date | None) -> str:
    return "no valid sets for this trainee in the dataset" + (f" since {since}" if since else "")


def _on_disk(folder: Path, printer: Printer | None) -> bool:
    """The trainee's report (and, with ``--pdf``, its PDF) is there."""
    return (folder / "report.html").is_file() and (printer is None or (folder / "report.pdf").is_file())


class _Rejects:
    """Rejected rows: of sets and body by trainee, this run's for the
    trainees it validated and the last run's for the others (whose check key
    is unchanged), with each trainee's number of valid sets (a dataset with
    none stops the run); and ``shared``'s (trainees, goals, rows naming no
    valid trainee id), validated every run."""

    TABLE_ORDER = {name: i for i, name in enumerate(native.TABLES)}

    def __init__(self, done: manifest.Manifest, checks: dict[str, str], shared: native.Dataset):
        self.checks = checks
        self.entries = {tid: entry for tid, entry in done.checked.items() if checks.get(tid) == entry[0]}
        self.known = set(self.entries)
        self.shared = [[table, *row] for (table, _), row in zip(shared.reject_owners.iter_rows(),
                                                                shared.rejects.iter_rows())]
        done.checked = self.entries  # saved with the manifest: the next run's cache

    def add(self, dataset: native.Dataset, trainees: list[str]) -> None:
        """The sets and body rejects of these trainees (:meth:`DatasetFolder.read`)."""
        counts = dict(dataset.sets.group_by("trainee_id").len().iter_rows())
        for tid in trainees:
            self.entries[tid] = [self.checks[tid], counts.get(tid, 0), []]
        for (table, tid), row in zip(dataset.reject_owners.iter_rows(), dataset.rejects.iter_rows()):
            if table in native.OWNED:
                self.entries[tid][2].append([table, *row])

    @property
    def valid_sets(self) -> int:
        return sum(entry[1] for entry in self.entries.values())

    def frame(self):
        """Every rejected row with its table, by table (sets, body, trainees, goals), then file and line."""
        import polars as pl

        from analysis import schema

        rows = [*self.shared, *(row for entry in self.entries.values() for row in entry[2])]
        frame = pl.DataFrame(rows, schema={"table": pl.String, **schema.REJECTS_SCHEMA}, orient="row")
        order = pl.col("table").replace_strict(self.TABLE_ORDER, return_dtype=pl.Int64)
        return frame.sort(order, "source", "line", maintain_order=True)


def _write_cohort_overview(out_dir: Path, result: BatchResult, log, local) -> None:
    """``cohort.html``: the cohort overview notebook run on the reports'
    summaries (their roster part, :data:`ROSTER`), in the warm local worker
    (:class:`~analysis.report.executors.LocalWorkers`; with Dask, in a
    kernel of this process)."""
    from analysis.report import kernel, render

    overview = (local.render_cohort(out_dir / ROSTER) if local is not None
                else render.render_cohort(out_dir / ROSTER, kernel.in_process_kernel()))
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
    else is writing), beside the files they were to replace: in ``out_dir``
    and the trainees' folders. Its finished files are whole: every write is a rename."""
    for path in [*out_dir.glob(".*.tmp"), *out_dir.glob("*/.*.tmp"), *out_dir.glob(f"{ROSTER}/*/.*.tmp")]:
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
        for path in (target / "report.html", target / "summary.json", target / "report.pdf",
                     out_dir / ROSTER / report.name / "summary.json"):
            path.unlink(missing_ok=True)
        if report.failed_notebook:
            native.write_text_atomic(target / "failed.ipynb", report.failed_notebook)
        return
    native.write_text_atomic(target / "report.html", report.html)
    native.write_text_atomic(target / "summary.json", json.dumps(summary, indent=2) + "\n")
    _write_roster_summary(out_dir, report.name, summary)
    (target / "failed.ipynb").unlink(missing_ok=True)


ROSTER = ".roster"
"""``<out>/.roster/<folder>/summary.json``: the part of each report's
summary the cohort overview reads (:func:`analysis.cohort.roster`), a
twentieth of its size, so the overview of 10,000 trainees parses 15 MB of
JSON instead of 290 MB."""
ROSTER_KEYS = ("trainee_id", "as_of", "profile", "sessions_per_week", "focus", "flags")


def _write_roster_summary(out_dir: Path, folder: str, summary: dict) -> None:
    part = {key: summary[key] for key in ROSTER_KEYS} | {
        "strength": {"status": summary["strength"]["status"]}, "size": {"status": summary["size"]["status"]},
        "lifts": [{k: lift[k] for k in ("exercise", "main_lift", "status", "plateau_since")} for lift in summary["lifts"]]}
    native.write_text_atomic(out_dir / ROSTER / folder / "summary.json", json.dumps(part) + "\n")


def _write_pdf(printer: Printer | None, folder: Path, as_of: str) -> str | None:
    """Print ``folder/report.html`` to ``report.pdf``; without a printer,
    remove a ``report.pdf`` left from an earlier run (it would no longer match
    the report). Returns the error if the PDF could not be printed."""
    path = folder / "report.pdf"
    if printer is None:
        path.unlink(missing_ok=True)
        return None
    from analysis.report.pdf import PrintFailed

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


def _write_rejects(rejects: _Rejects, data: native.DatasetFolder, out_dir: Path, log, result: BatchResult) -> None:
    """``rejects.csv`` (or remove a previous run's); with no valid set left,
    stop here with one error naming it."""
    frame = rejects.frame()
    path = out_dir / "rejects.csv"
    if frame.height:
        native.write_csv_atomic(frame.drop("table"), path)
    else:
        path.unlink(missing_ok=True)
    if not rejects.valid_sets:
        raise native.NoValidSets(data.folder, frame.get_column("table").eq("sets").sum(), path)
    result.rejected_rows, result.notes = frame.height, list(data.notes)
    if frame.height:
        log(f"{frame.height} input rows rejected: see {path}")
    for note in data.notes:
        log(note)


def _index_row(summary: dict) -> dict:
    """What the index shows of a trainee's summary."""
    name = summary["profile"].get("name")
    main = [lift for lift in summary["lifts"] if lift["featured"]]  # main lifts, else the most trained
    return {"name": f"{name} ({summary['trainee_id']})" if name else summary["trainee_id"],
            "as_of": summary["as_of"], "strength": summary["strength"]["status"], "size": summary["size"]["status"],
            "lift_counts": [sum(lift["status"] == k for lift in main)
                            for k in ("progressing", "plateau", "declining", "uncertain")],
            "plateaus": [[lift["exercise"], lift["plateau_since"]] for lift in main if lift["status"] == "plateau"],
            "focus": summary["focus"]}


def _write_index(rows: dict[str, dict], wanted: list[str], folders: dict[str, str], result: BatchResult,
                 out_dir: Path) -> None:
    from analysis.report import pages

    # index_page links to <trainee_id>/report.html: give it the folder, the label shows the id
    listed = [rows[tid] | {"trainee_id": folders[tid], "pdf": (out_dir / folders[tid] / "report.pdf").is_file()}
              for tid in wanted if tid not in result.failures and tid in rows]
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    native.write_text_atomic(out_dir / "index.html", pages.index_page(
        listed, result.failures, f"generated {stamp} · analysis {__version__}",
        overview="cohort.html" if (out_dir / "cohort.html").is_file() else None))
