"""Shared fixtures: paths to the real exports and small canonical datasets;
the headless browser for tests/test_browser.py and its failure screenshots."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXPORTS = REPO.parent / "shared" / "fixtures" / "exports"


@pytest.fixture
def write(tmp_path):
    """Write text to a file under tmp_path and return its path."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write


# --------------------------------------------------------------------------
# Browser tests: headless Chromium (Debian's) driven by Playwright
# --------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts"
BROWSER_PAGES = pytest.StashKey[list]()


def browser_required() -> bool:
    """CI sets ANALYSIS_REQUIRE_BROWSER: there a missing browser fails the
    browser tests instead of skipping them."""
    return os.environ.get("ANALYSIS_REQUIRE_BROWSER", "") not in ("", "0")


def _no_browser(why: str):
    if browser_required():
        pytest.fail(f"{why}, and ANALYSIS_REQUIRE_BROWSER is set: the browser tests must run here", pytrace=False)
    pytest.skip(f"{why} (set ANALYSIS_REQUIRE_BROWSER=1 to make this a failure)")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system Chromium (never a Playwright download), or a skip/failure."""
    path = shutil.which("chromium")
    if path is None:
        _no_browser("chromium is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _no_browser("playwright is not installed (pip install -e '.[test]')")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, request):
    """``open_page(path, **context_options)``: a fresh context and page at
    the file's URL, with what happened while it loaded recorded on the page
    object: ``requests`` (every URL), ``console_errors``, ``page_errors``,
    ``dialogs`` (dismissed). A failing test gets a full-page screenshot in
    test-artifacts/ (see pytest_runtest_makereport)."""
    contexts = []
    pages = request.node.stash.setdefault(BROWSER_PAGES, [])

    def _open(path: Path, **options):
        options.setdefault("viewport", {"width": 1000, "height": 800})
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.requests, page.console_errors, page.page_errors, page.dialogs = [], [], [], []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda err: page.page_errors.append(str(err)))
        page.on("dialog", lambda d: (page.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        pages.append(page)
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test saves a full-page screenshot of each page it
    opened to test-artifacts/<test name>.png (-2, -3, ... for later pages)."""
    report = yield
    pages = item.stash.get(BROWSER_PAGES, None)
    if report.when == "call" and report.failed and pages:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.name).strip("_")
        for i, page in enumerate(pages):
            path = ARTIFACTS / (f"{name}.png" if i == 0 else f"{name}-{i + 1}.png")
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as err:  # a crashed page must not hide the test's own failure
                report.sections.append(("browser screenshot", f"not saved: {err}"))
            else:
                report.sections.append(("browser screenshot", str(path)))
    return report
