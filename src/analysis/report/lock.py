"""One report run per output folder at a time (``<out>/.lock``).

An advisory ``flock``: the kernel releases it when the holder exits, even on
``kill -9``, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE = ".lock"


class RunLocked(RuntimeError):
    """Another run holds the output folder."""


@contextmanager
def run_lock(out_dir: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the folder's lock, waiting up to ``wait_seconds`` for another run
    to finish; :class:`RunLocked` names the holder if it does not."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE
    with open(path, "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown process"
                    raise RunLocked(f"{out_dir}: another report run is writing here ({holder}); "
                                    "try again later or pass --wait SECONDS") from None
                time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
