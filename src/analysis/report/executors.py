"""Where reports are rendered: local processes (default) or a Dask cluster.

Both take the trainees to render and yield :class:`~analysis.report.render.Rendered`
as reports finish. Every worker keeps one warm kernel
(:mod:`analysis.report.kernel`), so a kernel starts once per worker, not once
per report.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from analysis.report.render import Rendered, render, render_shipped


def local_processes(trainee_ids: list[str], prepared: Path, window_weeks: int, jobs: int) -> Iterator[Rendered]:
    """Render in ``jobs`` local worker processes reading ``prepared/<id>``.
    Workers are spawned, not forked: forking a process that runs polars'
    thread pool can deadlock."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(render, tid, prepared, window_weeks): tid for tid in trainee_ids}
        for future in as_completed(futures):
            yield _result(future, futures[future])


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
