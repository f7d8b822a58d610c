"""Warm Jupyter kernels, and the papermill engine that runs notebooks in them.

Starting a kernel and importing polars, matplotlib and the suite costs about
2 s, more than executing a report. So each worker keeps one kernel and
papermill executes report after report in it, cell by cell as usual: the
reports stay real executed notebooks. Before each notebook the kernel's
namespace and output cache are cleared, open figures are closed and the
execution counter is set back to 1, so a report's bytes do not depend on
what ran before it in that kernel (``tests/test_report.py`` checks this).
After a failure the kernel is replaced, and after :data:`~analysis.report.RECYCLE_AFTER`
notebooks too, which bounds any slow leak.

Two kinds:

- :class:`InProcessKernel`, ipykernel's in-process kernel, in the rendering
  process itself: each local worker process
  (:class:`~analysis.report.executors.LocalWorkers`). No kernel
  process to start and no messages to copy between processes; the imports a
  report needs are the process's own (``tests/test_incremental.py`` checks
  its reports are byte-identical to a kernel process's).
- :class:`WarmKernel`, a kernel process per Dask worker thread (threads of
  one process cannot share one in-process kernel).

ZMQ over TCP: papermill's parallel failures (port collisions, "kernel didn't
respond") come from starting a kernel per notebook, many at once. Here a
worker starts one kernel for its whole share, and a start that fails is
retried once with fresh ports.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import functools
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

# jsonschema (imported by nbformat, so by papermill) builds about 40 Lark
# grammars for its optional IRI format checks when rfc3987_syntax is
# installed: ~1.8 s of every process that renders, for formats no notebook
# schema uses. Marking the module absent makes jsonschema skip those checks.
sys.modules.setdefault("rfc3987_syntax", None)

from jupyter_client.manager import KernelManager  # noqa: E402
from papermill.clientwrap import PapermillNotebookClient  # noqa: E402
from papermill.engines import NBClientEngine, papermill_engines  # noqa: E402

from analysis.report import RECYCLE_AFTER  # noqa: E402

ENGINE = "analysis-warm"
START_TIMEOUT = 60
# Kernel options: no start-up warning about TCP on every start; no history
# database (a SQLite file in ~/.ipython that parallel kernels would share).
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]
# Between notebooks: every name a notebook defined, the output cache (it holds
# each cell's result), open figures, the counter. `%reset -f` does the same
# plus two full garbage collections, 0.18 s a report.
RESET = """\
_ip = get_ipython()
for _name in [n for n in _ip.user_ns if n not in _ip.user_ns_hidden and n != "_ip"]:
    del _ip.user_ns[_name]
_ip.user_ns["Out"].clear()
_ip.user_ns.update({"_": "", "__": "", "___": ""})
_ip.history_manager.input_hist_parsed[:] = [""]
_ip.history_manager.input_hist_raw[:] = [""]
_ip.execution_count = 1
import matplotlib.pyplot as _plt
_plt.close("all")
del _ip, _name, _plt
"""


class WarmKernel:
    """One kernel, started on first use, reset before every notebook."""

    def __init__(self, cwd: Path, kernel_name: str = "python3"):
        self.cwd = cwd
        self.kernel_name = kernel_name
        self.km: KernelManager | None = None
        self.kc = None
        self.runs = 0

    def ready(self) -> WarmKernel:
        """Start the kernel if needed, else reset it for the next notebook."""
        if self.km is None or not self.km.is_alive() or self.runs >= RECYCLE_AFTER:
            self._start()
        elif not self._reset():
            self.shutdown()
            return self.ready()
        self.runs += 1
        return self

    def _reset(self) -> bool:
        reply = self.kc.execute_interactive(RESET, silent=True, store_history=False, timeout=START_TIMEOUT)
        return reply["content"]["status"] == "ok"

    @contextlib.contextmanager
    def executing(self, cell_timeout: float | None) -> Iterator[None]:
        """Around one notebook's execution (nbclient enforces the cell timeout
        on a kernel process)."""
        yield

    def _start(self, attempts: int = 2) -> None:
        for attempt in range(attempts):
            self.shutdown()
            try:
                self.km = KernelManager(kernel_name=self.kernel_name)
                self.km.start_kernel(cwd=str(self.cwd), extra_arguments=KERNEL_ARGS)
                self.kc = self.km.client()
                self.kc.start_channels()
                self.kc.wait_for_ready(timeout=START_TIMEOUT)
                return
            except RuntimeError:  # wait_for_ready: the kernel died or did not answer
                if attempt == attempts - 1:
                    raise

    def shutdown(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        self.km, self.kc, self.runs = None, None, 0


class InProcessKernel(WarmKernel):
    """ipykernel's in-process kernel in this process: nothing to start but
    the kernel object (0.3 s), and what the notebooks import is already
    imported. Nothing can interrupt its cells from outside, so each cell runs
    under a timer that raises :class:`CellTimedOut` in it instead (at its
    next Python instruction), failing that report as a timeout would."""

    def __init__(self):
        super().__init__(Path.cwd())

    def _start(self, attempts: int = 1) -> None:
        self.shutdown()
        os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's start-up warning on stderr
        from ipykernel.inprocess.manager import InProcessKernelManager
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False  # as KERNEL_ARGS: the counter reset would clash in the database
        self.km = InProcessKernelManager(config=config)
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        atexit.unregister(self.shutdown)  # at exit, before the kernel's own handlers (last in, first out)
        atexit.register(self.shutdown)

    def _reset(self) -> bool:
        return self.km.kernel.shell.run_cell(RESET, store_history=False, silent=True).success

    @contextlib.contextmanager
    def executing(self, cell_timeout: float | None) -> Iterator[None]:
        if not cell_timeout:
            yield
            return
        events, timers = self.km.kernel.shell.events, []

        def arm(*_):  # in the thread that runs the cell
            timers.append(threading.Timer(cell_timeout, _interrupt, (threading.get_ident(),)))
            timers[-1].daemon = True
            timers[-1].start()

        def disarm(*_):
            while timers:
                timers.pop().cancel()

        events.register("pre_run_cell", arm)
        events.register("post_run_cell", disarm)
        try:
            yield
        finally:
            disarm()
            events.unregister("pre_run_cell", arm)
            events.unregister("post_run_cell", disarm)

    def shutdown(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            _finish_event_pipe_gc(self.km.kernel.iopub_thread)
            self.km.shutdown_kernel()
        self.km, self.kc, self.runs = None, None, 0


class CellTimedOut(TimeoutError):
    """A cell of a notebook executed in this process ran too long."""

    def __init__(self):
        super().__init__("the cell ran longer than the cell timeout")


def _interrupt(thread_id: int) -> None:
    """Raise :class:`CellTimedOut` in a thread (CPython's ``PyThreadState_SetAsyncExc``)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(CellTimedOut))


def _finish_event_pipe_gc(iopub) -> None:
    """ipykernel 7's ``IOPubThread.stop`` cancels its event-pipe GC task only
    after its loop has stopped, so the task dies pending ("Task was destroyed
    but it is pending!" on stderr at exit): finish it on its loop first."""
    task = getattr(iopub, "_event_pipe_gc_task", None)
    if task is None or task.done() or not iopub.thread.is_alive():
        return

    async def cancelled():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run_coroutine_threadsafe(cancelled(), task.get_loop()).result(timeout=START_TIMEOUT)


@functools.cache
def in_process_kernel() -> WarmKernel:
    """This process's in-process kernel; a kernel process instead when this
    process already runs an IPython shell (``analysis`` called from a
    notebook), which an in-process kernel would share."""
    from IPython import get_ipython

    return InProcessKernel() if get_ipython() is None else worker_kernel(Path.cwd())


_local = threading.local()


def worker_kernel(cwd: Path) -> WarmKernel:
    """This thread's warm kernel (one per worker process or thread), shut
    down when the process exits."""
    warm = getattr(_local, "kernel", None)
    if warm is None:
        warm = _local.kernel = WarmKernel(cwd)
        atexit.register(warm.shutdown)
        try:  # pool workers leave through os._exit, which skips atexit
            from multiprocessing import util

            util.Finalize(warm, warm.shutdown, exitpriority=10)
        except ImportError:  # pragma: no cover
            pass
    return warm


def discard_worker_kernel() -> None:
    """Replace this worker's kernel before its next notebook."""
    warm = getattr(_local, "kernel", None)
    if warm is not None:
        warm.shutdown()


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine, executing in the caller's warm kernel
    (``warm_kernel=`` passed through ``papermill.execute_notebook``)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=START_TIMEOUT, execution_timeout=None,
                                 warm_kernel: WarmKernel | None = None, **kwargs):
        warm = warm_kernel.ready()
        client = PapermillNotebookClient(
            nb_man, km=warm.km, timeout=execution_timeout, startup_timeout=start_timeout,
            kernel_name=kernel_name, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
        )
        client.kc = warm.kc  # reuse the started client: setup_kernel then starts nothing
        with warm.executing(execution_timeout):
            return client.execute()


papermill_engines.register(ENGINE, WarmEngine)
