"""Where reports are rendered: this process, local processes or a Dask cluster.

Each takes the trainees to render and yields :class:`~analysis.report.render.Rendered`
as reports finish. This process and each local worker process render in
their own in-process kernel (:func:`~analysis.report.kernel.in_process_kernel`):
no kernel process beside them, and 8-10% less time a report than through
one (``benchmarks/batch_speed.py``); a run with a few reports starts no
worker either. A Dask worker thread keeps one warm kernel process
(:func:`~analysis.report.kernel.worker_kernel`). Either way a kernel starts
once per worker, not once per report.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from analysis.report import kernel
from analysis.report.render import Rendered, render, render_shipped


def in_process(trainee_ids: list[str], prepared: Path, window_weeks: int) -> Iterator[Rendered]:
    """Render one after another in this process's in-process kernel
    (:func:`~analysis.report.kernel.in_process_kernel`)."""
    warm = kernel.in_process_kernel()
    for tid in trainee_ids:
        yield render(tid, prepared, window_weeks, warm)


def local_processes(trainee_ids: list[str], prepared: Path, window_weeks: int, jobs: int) -> Iterator[Rendered]:
    """Render in ``jobs`` local worker processes reading ``prepared/<id>``,
    each replaced after :data:`~analysis.report.kernel.RECYCLE_AFTER` reports
    (which bounds any slow leak). Workers are spawned, not forked: forking a
    process that runs polars' thread pool can deadlock. A worker that dies
    (killed by the OS, say) loses the reports still queued: they fail, and
    the next run renders them."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, max_tasks_per_child=kernel.RECYCLE_AFTER) as pool:
        futures = {pool.submit(_render_here, tid, prepared, window_weeks): tid for tid in trainee_ids}
        for future in as_completed(futures):
            yield _result(future, futures[future])


def _render_here(trainee_id: str, prepared: Path, window_weeks: int) -> Rendered:
    """:func:`~analysis.report.render.render` in the worker's in-process kernel."""
    return render(trainee_id, prepared, window_weeks, kernel.in_process_kernel())


def dask_cluster(trainee_ids: list[str], prepared: Path, window_weeks: int, address) -> Iterator[Rendered]:
    """Render on a Dask distributed cluster (``address`` a scheduler address
    like ``tcp://host:8786``, or a ``distributed.Client``). Each task carries
    only its trainee's prepared tables, so workers need no shared storage;
    the suite must be installed on the workers."""
    from distributed import Client, as_completed as dask_completed

    client = address if isinstance(address, Client) else Client(address)
    try:
        futures = {client.submit(render_shipped, tid, _packed(prepared / tid), window_weeks, pure=False): tid
                   for tid in trainee_ids}
        for future in dask_completed(list(futures)):
            yield _result(future, futures[future])
    finally:
        if client is not address:
            client.close()


def _result(future, trainee_id: str) -> Rendered:
    """The worker's answer, or the error that lost it (a worker killed by the
    OS, say): one lost report, not a lost batch."""
    try:
        return future.result()
    except Exception as err:
        return Rendered(trainee_id, error=f"worker lost: {type(err).__name__}: {err}"[:300])


def _packed(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}
