"""Reports to send: each ``report.html`` printed to an A4 ``report.pdf`` by
headless Chromium (Debian's ``chromium``, driven by Playwright: the ``pdf``
extra).

The page's own print stylesheet (``report.css``, ``@media print``) lays it
out: margins, a heading kept with what follows it, figures, tables and the
verdict not cut across pages. Chromium adds a header naming the trainee and
the report date to every page, and a footer with the report's own footer
line and the page number. The PDF is tagged (figures keep their alt text)
and has an outline of the sections.

One browser and one page serve a whole batch: starting Chromium costs more
than printing a report.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analysis import verdict
from analysis.errors import PdfUnavailable
from analysis.report.pages import pdf_margin

CHROMIUM_ARGS = ["--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000  # one report's load and print
# The report's title and its own <footer> (which version made it, data as of when), taken out of the
# page: the footer goes on every page instead, rather than alone on a last page when it does not fit.
_TITLE_AND_FOOTER = """() => {
    const footer = document.querySelector('footer');
    footer?.remove();
    return [document.querySelector('h1')?.innerText ?? document.title, footer?.innerText ?? ''];
}"""


class PrintFailed(Exception):
    """One report could not be printed (the others can)."""


class Printer:
    """``with Printer() as printer: data = printer.print(html, as_of)``.

    Entering checks for Playwright and Chromium (:class:`PdfUnavailable`)
    and starts the browser; ``seconds`` (all attempts) and ``count`` (PDFs
    printed) add up the printing. Playwright's sync API runs in a thread of
    its own: it refuses to run where an asyncio loop is running (a Jupyter
    kernel, or another Playwright in this thread).
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")

    def __enter__(self) -> Printer:
        try:
            self._thread.submit(self._start).result()
        except BaseException:
            self._thread.shutdown()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._thread.submit(self._stop).result()
        finally:
            self._thread.shutdown()

    def print(self, html: Path, as_of: str) -> bytes:
        """The report at ``html`` as PDF bytes. Every page's header names the
        trainee as the report's title does and the report date ``as_of``
        (ISO); its footer has the report's own footer and the page number."""
        start = time.monotonic()
        try:
            data = self._thread.submit(self._print, Path(html), as_of).result()
        finally:
            self.seconds += time.monotonic() - start
        self.count += 1
        return data

    # Run in the printer's thread:

    def _start(self) -> None:
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError:
            raise PdfUnavailable("--pdf needs Playwright, the pdf extra: pip install -e '.[pdf]'") from None
        executable = shutil.which("chromium")
        if executable is None:
            raise PdfUnavailable("--pdf needs Chromium: apt-get install chromium")
        self._error = Error
        # Chromium's sandbox cannot run as root (containers, CI); the pages are our own files.
        args = CHROMIUM_ARGS + (["--no-sandbox"] if os.geteuid() == 0 else [])
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=executable, args=args)
        except Error as err:
            self._playwright.stop()
            raise PdfUnavailable(f"Chromium ({executable}) did not start: {_first_line(err)}") from None
        self._page = self._browser.new_page()
        self._page.set_default_timeout(TIMEOUT_MS)

    def _stop(self) -> None:
        self._browser.close()
        self._playwright.stop()

    def _print(self, html: Path, as_of: str) -> bytes:
        try:
            self._page.goto(html.resolve().as_uri(), wait_until="load")
            title, footer = self._page.evaluate(_TITLE_AND_FOOTER)
            return self._page.pdf(
                format="A4", display_header_footer=True, print_background=True, tagged=True, outline=True,
                header_template=pdf_margin(title, f"report as of {verdict.day(as_of)}"),
                footer_template=pdf_margin(footer, page_numbers=True))
        except self._error as err:
            raise PrintFailed(_first_line(err)) from None


def _first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:300]
