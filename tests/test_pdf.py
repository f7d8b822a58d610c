"""Reports to send: ``analysis report --pdf`` and ``--params FILE``.

Two real PDFs: the demo trainee's (run from a params file) and one of a real
Strong export. Each is read back with PDFium (pypdfium2): page count, the
verdict on page 1, the header and footer on every page, and no figure cut
across pages (the PDF is tagged: a figure is a structure element, listed on
every page its content is on). The pages are saved as PNG in
test-artifacts/pdf/ to look at. Without Chromium or Playwright these skip,
unless ANALYSIS_REQUIRE_BROWSER is set (CI), where they fail.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import re
import sys
from collections import Counter
from html import unescape
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from analysis import cli, verdict
from analysis.io import native
from analysis.report import REPORT_NOTEBOOK, batch, manifest
from tests.conftest import ARTIFACTS, EXPORTS, REPO

DEMO = REPO / "data" / "demo"
PNG_SCALE = 96 / 72  # PDF points to pixels at 96 dpi


@pytest.fixture(scope="module")
def demo_pdf(chromium_path, tmp_path_factory) -> Path:
    """The demo's T001, every option from a params file."""
    out = tmp_path_factory.mktemp("demo-reports")
    params = out.parent / "demo-params.toml"
    params.write_text(f'data = "{DEMO}"\nout = "{out}"\ntrainee = ["T001"]\npdf = true\nno-progress = true\n')
    assert cli.main(["report", "--params", str(params)]) == 0
    return out / "T001" / "report.pdf"


@pytest.fixture(scope="module")
def export_pdf(chromium_path, tmp_path_factory) -> Path:
    """A real Strong export, imported and reported like a coach would."""
    data, out = tmp_path_factory.mktemp("strong-data"), tmp_path_factory.mktemp("strong-reports")
    assert cli.main(["import", str(EXPORTS / "strong_a_kg.csv"), "--trainee", "a", "--unit", "kg", "--out", str(data)]) == 0
    assert cli.main(["report", "--data", str(data), "--out", str(out), "--pdf", "--no-progress"]) == 0
    return out / "a" / "report.pdf"


@pytest.fixture(params=["demo", "export"])
def printed(request) -> tuple[str, Path]:
    return request.param, request.getfixturevalue(f"{request.param}_pdf")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_pages_verdict_header_and_pictures(printed):
    name, path = printed
    summary = json.loads((path.parent / "summary.json").read_text())
    doc = pdfium.PdfDocument(path)
    pages = [_words(page.get_textpage().get_text_range()) for page in doc]
    (ARTIFACTS / "pdf").mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(doc, 1):
        page.render(scale=PNG_SCALE).to_pil().save(ARTIFACTS / "pdf" / f"{name}-page-{i}.png")
    assert 2 <= len(pages) <= 8, f"{name}: {len(pages)} A4 pages (expected 2 to 8)"
    width, height = doc[0].get_size()
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297), f"{name}: not A4"
    assert _words(summary["verdict"]["text"]) in pages[0], f"{name}: the verdict is not on page 1"
    as_of = f"report as of {verdict.day(summary['as_of'])}"
    for i, text in enumerate(pages, 1):
        assert summary["trainee_id"] in text and as_of in text, f"{name}: page {i} has no header naming trainee and date"
        assert f"page {i} of {len(pages)}" in text, f"{name}: page {i} has no page number"


def _figures(doc: pdfium.PdfDocument) -> tuple[Counter, int]:
    """Across the pages of a tagged PDF: how often each picture (by alt
    text) and how many figures (picture with caption) appear. An element
    whose content spans two pages is listed on both."""
    pictures, figures = Counter(), 0
    for page in doc:
        tree = pdfium_c.FPDF_StructTree_GetForPage(page)
        todo = [pdfium_c.FPDF_StructTree_GetChildAtIndex(tree, i) for i in range(pdfium_c.FPDF_StructTree_CountChildren(tree))]
        while todo:
            element = todo.pop()
            todo += [pdfium_c.FPDF_StructElement_GetChildAtIndex(element, i)
                     for i in range(pdfium_c.FPDF_StructElement_CountChildren(element))]
            if _text(pdfium_c.FPDF_StructElement_GetType, element) == "Figure":
                alt = _text(pdfium_c.FPDF_StructElement_GetAltText, element)
                if alt:
                    pictures[alt] += 1  # the <img>
                else:
                    figures += 1  # the <figure> around it and its caption
        pdfium_c.FPDF_StructTree_Close(tree)
    return pictures, figures


def _text(getter, element) -> str:
    """A PDFium UTF-16 string attribute of a structure element."""
    size = getter(element, None, 0)
    buffer = ctypes.create_string_buffer(size)
    getter(element, buffer, size)
    return buffer.raw.decode("utf-16-le").rstrip("\0")


def test_no_figure_cut_across_pages(printed):
    name, path = printed
    html = (path.parent / "report.html").read_text()
    alts = Counter(unescape(alt) for alt in re.findall(r'<img [^>]*?alt="([^"]*)"', html))
    assert len(alts) >= 5 and html.count("<figure>") == alts.total(), f"{name}: figures missing from the report"
    pictures, figures = _figures(pdfium.PdfDocument(path))
    assert pictures == alts, f"{name}: pictures missing or cut across pages: {pictures - alts or alts - pictures}"
    assert figures == alts.total(), f"{name}: {figures - alts.total()} figure(s) cut from their caption across pages"


# --------------------------------------------------------------------------
# --params FILE, and --pdf where it cannot print
# --------------------------------------------------------------------------

@pytest.fixture
def report_calls(monkeypatch) -> list[dict]:
    """The keyword arguments each ``analysis report`` passes to batch.run (which does nothing)."""
    calls = []

    def fake_run(data_dir, out_dir, **options):
        calls.append({"data": data_dir, "out": out_dir, **options})
        return batch.BatchResult()

    monkeypatch.setattr(batch, "run", fake_run)
    return calls


PARAMS = {
    ".toml": 'data = "club"\nout = "club-reports"\ntrainee = ["anna", "ben"]\nas-of = 2026-09-01\n'
             "window-weeks = 4\npdf = true\n",
    ".yaml": "data: club\nout: club-reports\ntrainee: [anna, ben]\nas-of: 2026-09-01\nwindow-weeks: 4\npdf: true\n",
}


@pytest.mark.parametrize("suffix", PARAMS)
def test_params_file_sets_options_and_the_command_line_wins(report_calls, tmp_path, suffix):
    params = tmp_path / f"params{suffix}"
    params.write_text(PARAMS[suffix])
    assert cli.main(["report", "--params", str(params)]) == 0
    assert cli.main(["report", "--params", str(params), "--window-weeks", "6", "--trainee", "cleo", "--out", "x"]) == 0
    from_file, overridden = report_calls
    assert from_file == {"data": Path("club"), "out": Path("club-reports"), "trainees": ["anna", "ben"],
                         "as_of": dt.date(2026, 9, 1), "since": None, "window_weeks": 4, "jobs": None,
                         "changed_only": False, "dask": None, "wait_seconds": 0.0, "progress_bar": None,
                         "pdf": True, "params_file": params}
    assert overridden == {**from_file, "window_weeks": 6, "trainees": ["cleo"], "out": Path("x")}


@pytest.mark.parametrize("text, message", [
    ('data = "club"\ncolour = "red"\n', "unknown key 'colour'"),
    ("window-weeks = 0\n", "argument --window-weeks: must be at least 1"),
    ("as-of = 12\n", "argument --as-of: not a date (YYYY-MM-DD): '12'"),
    ('pdf = "yes"\n', "pdf = 'yes': expected true or false"),
    ("data = [\n", "not valid TOML"),
])
def test_bad_params_file_is_one_message(report_calls, tmp_path, capsys, text, message):
    params = tmp_path / "params.toml"
    params.write_text(text)
    assert cli.main(["report", "--params", str(params)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {params}: ") and message in err and err.count("\n") == 1, err
    assert report_calls == []


def test_params_file_is_part_of_the_run_fingerprint(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "sets.csv").write_text("trainee_id,date,exercise,weight_kg,reps\nT1,2026-01-05,Back Squat,100,5\n")
    params = tmp_path / "params.toml"
    params.write_text("window-weeks = 4\n")
    first = manifest.run_fingerprint(native.DatasetFolder(data), REPORT_NOTEBOOK, {}, params)
    assert manifest.run_fingerprint(native.DatasetFolder(data), REPORT_NOTEBOOK, {}, params) == first
    params.write_text("window-weeks = 4\nchanged-only = true\n")
    assert manifest.run_fingerprint(native.DatasetFolder(data), REPORT_NOTEBOOK, {}, params) != first
    assert manifest.run_fingerprint(native.DatasetFolder(data), REPORT_NOTEBOOK, {}) != first


@pytest.mark.parametrize("missing", ["chromium", "playwright"])
def test_pdf_without_browser_is_one_message(monkeypatch, tmp_path, capsys, missing):
    if missing == "chromium":
        monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on it
    else:
        monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    out = tmp_path / "reports"
    assert cli.main(["report", "--data", str(DEMO), "--out", str(out), "--pdf", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --pdf needs ") and err.count("\n") == 1, err
    assert not list(out.glob("*/report.*")), "reports were rendered although no PDF could be printed"


def test_the_index_links_each_pdf(export_pdf):
    index = (export_pdf.parent.parent / "index.html").read_text(encoding="utf-8")
    assert 'href="a/report.html"' in index and 'href="a/report.pdf"' in index
