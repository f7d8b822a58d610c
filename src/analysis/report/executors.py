"""Where reports are rendered: local worker processes or a Dask cluster.

Each yields :class:`~analysis.report.render.Rendered` as reports finish.
Local rendering (:class:`LocalWorkers`) starts its first worker process
when the run starts: it imports papermill, nbconvert and matplotlib, starts
its in-process kernel (:func:`~analysis.report.kernel.in_process_kernel`,
no kernel process beside it) and draws a first figure while this process
reads and analyses the data, on the other core. A run with a few reports
renders them in that warm worker (one changed trainee pays no start-up of
its own), as it does the cohort overview; a bigger run adds workers up to
``--jobs``. This process never imports the rendering machinery. A Dask
worker thread keeps one warm kernel process
(:func:`~analysis.report.kernel.worker_kernel`). Either way a kernel starts
once per worker, not once per report.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from analysis.report import RECYCLE_AFTER
from analysis.report.render import Rendered

IN_FLIGHT = 2
"""Reports queued per worker: the next one waits in its queue while one renders."""


class LocalWorkers:
    """Worker processes for one run, each rendering in its own in-process
    kernel and replaced after :data:`~analysis.report.RECYCLE_AFTER`
    reports (which bounds any slow leak). The first starts and warms up at
    once; :meth:`render` adds the others when it has many reports. Workers
    are spawned, not forked: forking a process that runs polars' thread pool
    can deadlock. A worker that dies (killed by the OS, say) loses the
    reports queued on it: they fail, and the next run renders them."""

    def __init__(self):
        self.warm = self._pool(1)
        self.pools = {self.warm: 1}
        """Each pool and its number of workers: the warm one, then the others."""
        self.warming = self.warm.submit(_warm_up)

    @staticmethod
    def _pool(workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   max_tasks_per_child=RECYCLE_AFTER)

    def render(self, trainee_ids: list[str], prepared: Path, window_weeks: int, workers: int) -> Iterator[Rendered]:
        """Render in ``workers`` processes (the warm one and ``workers - 1``
        more), each given the next report as it finishes one."""
        if workers > 1 and len(self.pools) == 1:
            self.pools[self._pool(workers - 1)] = workers - 1
        queue, running = deque(trainee_ids), {}
        while queue or running:
            for pool, n in self.pools.items():
                while queue and sum(p is pool for p, _ in running.values()) < IN_FLIGHT * n:
                    tid = queue.popleft()
                    running[_submit(pool, _render_here, tid, prepared, window_weeks)] = (pool, tid)
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield _result(future, running.pop(future)[1])

    def render_cohort(self, reports: Path) -> Rendered:
        """The cohort overview, in the warm worker."""
        return _result(_submit(self.warm, _render_cohort_here, reports), "cohort overview")

    def close(self, failed: bool = False) -> None:
        """Stop the workers; when the run failed, at once (not after the warm-up)."""
        for pool in self.pools:
            if failed:  # Python 3.14 has pool.terminate_workers() for this
                for process in list((pool._processes or {}).values()):
                    process.terminate()
            pool.shutdown(cancel_futures=True)

    def __enter__(self) -> LocalWorkers:
        return self

    def __exit__(self, kind, *_) -> None:
        self.close(failed=kind is not None)


def _submit(pool: ProcessPoolExecutor, fn, *args) -> Future:
    """``pool.submit``, or a failed future when the pool is broken (a worker died)."""
    try:
        return pool.submit(fn, *args)
    except RuntimeError as err:  # BrokenProcessPool, or shut down
        future = Future()
        future.set_exception(err)
        return future


def _warm_up() -> None:
    """In a new worker: import what a report and the cohort overview need,
    start the in-process kernel, build the HTML exporter and draw a first
    figure (the first one loads fonts and backends: about a second)."""
    from analysis import cohort  # noqa: F401 - imported for the overview notebook
    from analysis.report import kernel, render

    kernel.in_process_kernel().ready()
    render.warm_up()


def _render_here(trainee_id: str, prepared: Path, window_weeks: int) -> Rendered:
    """:func:`~analysis.report.render.render` in the worker's in-process kernel."""
    from analysis.report import kernel, render

    return render.render(trainee_id, prepared, window_weeks, kernel.in_process_kernel())


def _render_cohort_here(reports: Path) -> Rendered:
    from analysis.report import kernel, render

    return render.render_cohort(reports, kernel.in_process_kernel())


def dask_cluster(trainee_ids: list[str], prepared: Path, window_weeks: int, address) -> Iterator[Rendered]:
    """Render on a Dask distributed cluster (``address`` a scheduler address
    like ``tcp://host:8786``, or a ``distributed.Client``). Each task carries
    only its trainee's prepared tables, so workers need no shared storage;
    the suite must be installed on the workers."""
    from distributed import Client, as_completed as dask_completed

    from analysis.report.render import render_shipped

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
