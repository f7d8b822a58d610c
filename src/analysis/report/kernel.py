"""A warm Jupyter kernel per worker, and the papermill engine that uses it.

Starting a kernel and importing polars, matplotlib and the suite costs about
2 s, more than executing a report. So each worker (a local process, a Dask
worker, or a thread) keeps one kernel and papermill executes report after
report in it, cell by cell as usual: the reports stay real executed
notebooks. Before each notebook the kernel's namespace and output cache are
cleared, open figures are closed and the execution counter is set back to 1, so a report's bytes do not depend on what ran before it in that
kernel (``tests/test_batch.py`` checks this). After a failure the kernel is
replaced, and after :data:`RECYCLE_AFTER` notebooks too, which bounds any
slow leak.

ZMQ over TCP: papermill's parallel failures (port collisions, "kernel didn't
respond") come from starting a kernel per notebook, many at once. Here a
worker starts one kernel for its whole share, and a start that fails is
retried once with fresh ports.
"""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from jupyter_client.manager import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

ENGINE = "analysis-warm"
RECYCLE_AFTER = 500
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
        else:
            reply = self.kc.execute_interactive(RESET, silent=True, store_history=False, timeout=START_TIMEOUT)
            if reply["content"]["status"] != "ok":
                self.shutdown()
                return self.ready()
        self.runs += 1
        return self

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
    """Replace this worker's kernel before its next notebook (after a failure)."""
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
        return client.execute()


papermill_engines.register(ENGINE, WarmEngine)
