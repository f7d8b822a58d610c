"""The reports in a real browser: headless Chromium driven by Playwright.

The reports are built once for the module from a tiny synthetic cohort in
which a trainee's name and one exercise name are HTML markup, so escaping is
checked where it matters: in the rendered page. The browser is Debian's
Chromium (conftest.py); without it these tests skip, unless
ANALYSIS_REQUIRE_BROWSER is set (CI), where they fail. A failing test leaves
a full-page screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from analysis import synth
from analysis.report import batch

XSS = "<img src=x onerror=alert(1)>"
MARKED = "T001"  # the trainee whose name and one exercise are markup
RENAMED_EXERCISE = "Dumbbell Curl"  # T001's app name of an accessory trained in the window
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PAGES = ["T001/report.html", "T002/report.html", "index.html"]
REPORTS = PAGES[:2]


@pytest.fixture(scope="module")
def reports(chromium_path, tmp_path_factory) -> Path:
    """Two trainees' reports and the index; T001 named with markup and one of
    its exercises renamed to the same markup (the catalog does not know it, so
    it is kept as a custom lift and listed in the lift table)."""
    data = tmp_path_factory.mktemp("cohort")
    synth.write_cohort(data, n_trainees=2, seed=4, weeks=12)
    trainees = pl.read_csv(data / "trainees.csv", infer_schema=False)
    trainees.with_columns(
        pl.when(pl.col("trainee_id") == MARKED).then(pl.lit(XSS)).otherwise(pl.col("name")).alias("name")
    ).write_csv(data / "trainees.csv")
    sets = pl.read_csv(data / "sets.csv", infer_schema=False)
    renamed = (pl.col("trainee_id") == MARKED) & (pl.col("exercise") == RENAMED_EXERCISE)
    assert sets.filter(renamed).height, f"the synthetic cohort no longer logs {RENAMED_EXERCISE!r} for {MARKED}"
    sets.with_columns(
        pl.when(renamed).then(pl.lit(XSS)).otherwise(pl.col("exercise")).alias("exercise")
    ).write_csv(data / "sets.csv")
    out = tmp_path_factory.mktemp("reports")
    result = batch.run(data, out, jobs=1, log=lambda *_: None)
    assert result.failures == {}, f"reports failed to build: {result.failures}"
    return out


def _visible_text(page) -> str:
    return page.inner_text("body")


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_errors(reports, open_page, name):
    page = open_page(reports / name)
    assert page.title(), f"{name}: the page has no title"
    assert not page.page_errors, f"{name}: uncaught errors in the page: {page.page_errors}"
    assert not page.console_errors, f"{name}: console errors: {page.console_errors}"


@pytest.mark.parametrize("name", PAGES)
def test_page_makes_no_network_request(reports, open_page, name):
    page = open_page(reports / name)
    page.wait_for_load_state("networkidle")
    own = (reports / name).resolve().as_uri()
    others = [url for url in page.requests if url != own and not url.startswith("data:")]
    assert not others, f"{name}: the page requested more than its own file: {others}"


@pytest.mark.parametrize("name", REPORTS)
def test_every_figure_is_shown(reports, open_page, name):
    page = open_page(reports / name)
    images = page.eval_on_selector_all(
        "img", "els => els.map(i => ({complete: i.complete, width: i.naturalWidth, "
               "alt: (i.getAttribute('alt') || '').trim(), src: i.getAttribute('src').slice(0, 40)}))")
    figures = page.locator("figure").count()
    assert figures >= 5, f"{name}: only {figures} <figure> elements; the report's figures are missing"
    assert len(images) == figures, f"{name}: {len(images)} images for {figures} <figure> elements"
    assert page.locator("figure > img").count() == figures, f"{name}: a <figure> without its own <img>"
    broken = [img["src"] for img in images if not (img["complete"] and img["width"] > 0)]
    assert not broken, f"{name}: images that did not load or decode: {broken}"
    no_alt = [img["src"] for img in images if not img["alt"]]
    assert not no_alt, f"{name}: images without alt text: {no_alt}"


@pytest.mark.parametrize("name", ["T001/report.html", "index.html"])
def test_strings_from_data_render_as_text(reports, open_page, name):
    page = open_page(reports / name)
    page.wait_for_timeout(200)  # an injected onerror handler would have run by now
    assert not page.dialogs, f"{name}: markup from the data ran as script: dialogs {page.dialogs}"
    assert page.locator('img[src="x"]').count() == 0, f"{name}: markup from the data became an <img> element"
    text = _visible_text(page)
    assert XSS in text, f"{name}: the trainee name {XSS!r} is not shown literally in the page text"
    if name.endswith("report.html"):
        assert XSS in page.inner_text("h1"), f"{name}: the name in the title is not shown as text"
        lifts = " ".join([page.inner_text("table.lifts"), *page.locator("table.lifts ~ p.note").all_inner_texts()])
        assert XSS in lifts, f"{name}: the exercise named {XSS!r} is not listed as text with the lifts"


def test_dialog_check_catches_unescaped_markup(open_page, tmp_path):
    """The harness itself: raw markup in a page does fire the dialog the
    escaping test looks for (so that test cannot pass vacuously)."""
    raw = tmp_path / "raw.html"
    raw.write_text(f"<!DOCTYPE html><html><body><h1>{XSS}</h1></body></html>")
    page = open_page(raw)
    page.wait_for_timeout(200)
    assert page.dialogs and page.locator('img[src="x"]').count() == 1, "the dialog listener saw nothing"


@pytest.mark.parametrize("name", PAGES)
def test_readable_at_phone_width(reports, open_page, name):
    page = open_page(reports / name, **PHONE)
    layout = page.evaluate("""() => {
        const doc = document.documentElement;
        const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
        const box = el => el.getBoundingClientRect();
        const images = Array.from(document.images).map(img => {
            const parent = img.parentElement;
            const inner = box(parent).width - parseFloat(getComputedStyle(parent).paddingLeft)
                          - parseFloat(getComputedStyle(parent).paddingRight);
            return {alt: img.alt.slice(0, 40), width: box(img).width, room: inner,
                    right: box(img).right, parentRight: box(parent).right};
        });
        const tables = Array.from(document.querySelectorAll('table')).map(table => {
            let scroller = null;
            for (let el = table; el && el !== document.body; el = el.parentElement) {
                if (scrolls(el)) { scroller = el; break; }
            }
            return {cls: table.className, right: box(table).right, width: table.scrollWidth,
                    scrollerRight: scroller ? box(scroller).right : null,
                    scrollerWidth: scroller ? scroller.clientWidth : null};
        });
        const sizes = sel => Array.from(document.querySelectorAll(sel))
            .filter(el => el.offsetParent !== null && el.textContent.trim())
            .map(el => parseFloat(getComputedStyle(el).fontSize));
        return {innerWidth: window.innerWidth, scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth,
                bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
                smallestText: Math.min(...sizes('p, li, td, th, figcaption, a')),
                images, tables};
    }""")
    width = PHONE["viewport"]["width"]
    # A mobile browser widens its layout viewport to fit content that overflows: check both.
    assert layout["innerWidth"] <= width + 1, (
        f"{name}: content wider than the phone made the browser zoom out (layout viewport "
        f"{layout['innerWidth']}px for a {width}px screen)")
    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, (
        f"{name}: the page scrolls sideways at phone width ({layout['scrollWidth']}px of content "
        f"in {layout['innerWidth']}px)")
    for img in layout["images"]:
        assert img["width"] <= img["room"] + 1 and img["right"] <= img["parentRight"] + 1, (
            f"{name}: image {img['alt']!r} is {img['width']:.0f}px wide in a {img['room']:.0f}px container")
    for table in layout["tables"]:
        fits = table["right"] <= width + 1
        scrolls_inside = table["scrollerRight"] is not None and table["scrollerRight"] <= width + 1
        assert fits or scrolls_inside, (
            f"{name}: table.{table['cls']} ({table['width']}px) is wider than the phone and does "
            "not scroll inside its own wrapper")
    assert layout["bodyFont"] >= 14, f"{name}: base font {layout['bodyFont']}px is too small for a phone"
    assert layout["smallestText"] >= 12, f"{name}: text at {layout['smallestText']}px is too small for a phone"


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


@pytest.mark.parametrize("name", REPORTS)
def test_printable(reports, open_page, name, tmp_path):
    page = open_page(reports / name)
    headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
    page.emulate_media(media="print")
    shown = page.eval_on_selector_all(
        "h2, figure, table, p.verdict",
        "els => els.filter(e => e.offsetParent === null || e.getBoundingClientRect().height === 0)"
        ".map(e => e.tagName + ' ' + e.textContent.slice(0, 40))")
    assert not shown, f"{name}: hidden when printed: {shown}"
    printed = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
    assert printed == headings and len(headings) >= 4, f"{name}: printed sections {printed}, on screen {headings}"
    breaks = page.eval_on_selector_all(
        "figure, p.verdict, h2", "els => els.map(e => [e.tagName, getComputedStyle(e).breakInside, "
                                 "getComputedStyle(e).breakAfter])")
    split = [tag for tag, inside, _ in breaks if tag != "H2" and inside != "avoid"]
    assert not split, f"{name}: printed figures or the verdict may be cut across pages: {split}"
    orphan = [tag for tag, _, after in breaks if tag == "H2" and after != "avoid"]
    assert not orphan, f"{name}: a printed heading may be left alone at the bottom of a page"
    pdf = page.pdf(format="A4", print_background=True)
    (tmp_path / "report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF"), f"{name}: Chromium produced no PDF"
    pages = _pdf_pages(pdf)
    assert 2 <= pages <= 10, f"{name}: the printed report has {pages} A4 pages (expected 2 to 10)"


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_verdict_comes_first(reports, open_page, name, screen):
    page = open_page(reports / name, **(PHONE if screen == "phone" else {}))
    order = page.eval_on_selector_all(
        "main h1, main h2, main h3, main p, main figure, main table, main ul",
        "els => els.map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))")
    assert order[0] == "h1", f"{name}: the page does not start with its title: {order[:3]}"
    after_title = [el for el in order[1:] if el != "p.meta"]
    assert after_title and after_title[0] == "p.verdict", (
        f"{name}: the first thing after the title is {after_title[:1]}, not the verdict")
    top = page.locator("p.verdict").bounding_box()["y"]
    height = page.viewport_size["height"]
    assert top < height / 2, f"{name}: on a {screen} the verdict starts {top:.0f}px down, below half the first screen"
