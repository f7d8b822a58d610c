"""A coach opening the report notebook: `make lab`'s JupyterLab (the lab
extra) in headless Chromium, Run All Cells, the verdict shown, no error.

The server serves a copy of notebooks/ beside a link to the repo's data/, so
what JupyterLab saves never touches the committed notebooks. Without the lab
extra or the browser these tests skip, unless ANALYSIS_REQUIRE_BROWSER is
set (CI), where they fail.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analysis.report.view import load_view
from tests.conftest import BROWSER_PAGES, REPO, browser_required

NOTEBOOK = "trainee_report.ipynb"
DEFAULTS = ("T001", REPO / "data" / "demo", None, 8)  # the notebook's parameters: trainee_id, data_dir, as_of, window_weeks
START_SECONDS = 60  # for the server to answer
RUN_SECONDS = 300  # for Run All Cells
KERNEL_IDLE = "() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent || '')"
ALL_RAN = """() => {
    const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'));
    return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""
STDERR = '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'


def test_make_lab_allows_root_only_as_root():
    """Jupyter refuses to start as root without --allow-root (containers, CI)."""
    plan = subprocess.run(["make", "-n", "lab"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    command = next(line for line in plan.splitlines() if "jupyter lab" in line)
    assert ("--allow-root" in command) == (os.geteuid() == 0), f"make lab runs {command!r} as uid {os.geteuid()}"


@pytest.fixture(scope="module")
def lab(chromium_path, tmp_path_factory):
    """``(url, token)`` of a JupyterLab server on a free local port, killed
    (with its kernels) at teardown."""
    if importlib.util.find_spec("jupyterlab") is None:
        why = "jupyterlab is not installed (the lab extra: make lab, or pip install -e '.[test,lab]')"
        if browser_required():
            pytest.fail(f"{why}, and ANALYSIS_REQUIRE_BROWSER is set: the lab test must run here", pytrace=False)
        pytest.skip(f"{why} (set ANALYSIS_REQUIRE_BROWSER=1 to make this a failure)")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    (root / "data").symlink_to(REPO / "data")
    settings = root / ".jupyter"  # no user settings, workspaces or runtime files from or to $HOME
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(settings / "config"), "JUPYTER_RUNTIME_DIR": str(settings / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings / "lab"), "JUPYTERLAB_WORKSPACES_DIR": str(settings / "workspaces")}
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        command.append("--allow-root")  # as make lab does
    log = root / "lab.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(command, cwd=root / "notebooks", env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(server, f"{url}/api/status?token={token}", log)
        yield url, token
    finally:
        server.terminate()  # Jupyter shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(server: subprocess.Popen, status_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with status {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(status_url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer within {START_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def lab_page(lab, browser, request):
    """The report notebook open in JupyterLab with its kernel idle; a
    failing test leaves a screenshot in test-artifacts/ (conftest.py)."""
    url, token = lab
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    request.node.stash.setdefault(BROWSER_PAGES, []).append(page)
    page.goto(f"{url}/lab/tree/notebooks/{NOTEBOOK}?token={token}")
    page.wait_for_function(KERNEL_IDLE, timeout=START_SECONDS * 1000)
    yield page
    context.close()


def test_report_notebook_runs_in_jupyterlab(lab_page):
    page = lab_page
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(ALL_RAN, timeout=RUN_SECONDS * 1000)
    errors = [text for text in page.locator(STDERR).all_inner_texts() if "Traceback" in text or "Error" in text]
    assert not errors, f"error output in the notebook: {errors}"
    expected = load_view(*DEFAULTS).summary["verdict"]["text"]
    shown = page.locator(".jp-OutputArea-output p.verdict")
    assert shown.count() == 1, "the notebook's output shows no verdict paragraph"
    assert " ".join(shown.inner_text().split()) == expected
