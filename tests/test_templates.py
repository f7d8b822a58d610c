"""The report templates show every string from data as text: a real batch
run on a dataset whose trainee id, name, an exercise and set notes are
markup, and the sections on profile fields and a warning that validation
would never let through. html.py and pages.py write no markup of their
own and mark nothing safe outside ``pages.page``."""

from __future__ import annotations

import ast
import inspect
import json
import re
from html.parser import HTMLParser

import polars as pl
import pytest

from analysis import progress, synth
from analysis.io import native
from analysis.report import batch, html, pages, slug
from analysis.report.view import slice_for

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
MISSING = PAYLOAD + " (no sets)"  # asked for but not in the dataset: a failure listed on the index
EXERCISE = "Dumbbell Curl"  # an accessory the synthetic T001 trains in the window


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A one-trainee dataset whose trainee id, name, one exercise, set notes and a goal are the payload."""
    data = tmp_path_factory.mktemp("hostile")
    synth.write_cohort(data, n_trainees=1, seed=4, weeks=12)
    for table in ("trainees", "sets", "body"):
        frame = pl.read_csv(data / f"{table}.csv", infer_schema=False)
        frame = frame.with_columns(pl.lit(PAYLOAD).alias("trainee_id"))
        if table == "trainees":
            frame = frame.with_columns(pl.lit(PAYLOAD).alias("name"))
        if table == "sets":
            assert frame.filter(pl.col("exercise") == EXERCISE).height, f"no {EXERCISE!r} in the synthetic cohort"
            frame = frame.with_columns(pl.lit(PAYLOAD).alias("notes"), pl.when(pl.col("exercise") == EXERCISE)
                                       .then(pl.lit(PAYLOAD)).otherwise(pl.col("exercise")).alias("exercise"))
        frame.write_csv(data / f"{table}.csv")
    pl.DataFrame({"trainee_id": [PAYLOAD], "what": [PAYLOAD], "target": [100.0]}).write_csv(data / "goals.csv")
    return data


class _Parsed(HTMLParser):
    """A page as a browser parses it: its elements, and each run of text
    (character references resolved) with the element it is in."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self, page: str):
        super().__init__()
        self.elements, self.texts, self._open = [], [], []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag):]

    def handle_data(self, data):
        self.texts.append((self._open[-1] if self._open else "", data))


def _assert_only_text(page: str, *shown: tuple[str, str]) -> None:
    """The payload made no element of ``page`` (no script, every image a
    figure's data URI), and each ``(element, text)`` starts a text run in it."""
    parsed = _Parsed(page)
    assert "<script" not in page and "<img src=x" not in page
    assert all(tag != "script" for tag, _ in parsed.elements)
    assert all(attrs["src"].startswith("data:image/") for tag, attrs in parsed.elements if tag == "img")
    for tag, text in shown:
        assert any(t == tag and s.startswith(text) for t, s in parsed.texts), f"no <{tag}> with {text!r}"


def test_report_and_index_show_markup_from_data_as_text(hostile, tmp_path):
    result = batch.run(hostile, tmp_path, trainees=[PAYLOAD, MISSING], jobs=1, log=lambda *_: None,
                       progress_bar=False)
    assert set(result.reports) == {PAYLOAD} and set(result.failures) == {MISSING}
    _assert_only_text((tmp_path / slug.folder_name(PAYLOAD) / "report.html").read_text(encoding="utf-8"),
                      ("title", f"Progress report {PAYLOAD} as of"), ("h1", f"{PAYLOAD} ({PAYLOAD})"),
                      ("td", PAYLOAD))
    summary = json.loads((tmp_path / slug.folder_name(PAYLOAD) / "summary.json").read_text(encoding="utf-8"))
    assert [g["what"] for g in summary["goals"]] == [PAYLOAD]  # the goal reached the report's goals table
    _assert_only_text((tmp_path / "index.html").read_text(encoding="utf-8"),
                      ("a", f"{PAYLOAD} ({PAYLOAD})"), ("b", MISSING))


def test_sections_show_fields_validation_would_reject_as_text(hostile):
    """Profile fields and a workload warning validation would never let
    through as markup still reach the page only as text."""
    dataset = native.read_dataset(hostile)
    trainees = dataset.trainees.with_columns(pl.lit(PAYLOAD).alias(c) for c in ("sex", "goal", "experience"))
    view = slice_for(progress.analyse(dataset.sets, trainees, body=dataset.body), PAYLOAD)
    view.summary["flags"].append({"message": PAYLOAD})
    sections = (html.header, html.verdict, html.plan_section, html.strength_section, html.focus_section,
                html.volume_section, html.size_section, html.workload_section)
    page = pages.page(PAYLOAD, "\n".join(section(view) for section in sections), footer=PAYLOAD)
    _assert_only_text(page, ("title", PAYLOAD), ("p", f"{PAYLOAD} · {PAYLOAD} · goal: {PAYLOAD} · report as of"),
                      ("td", PAYLOAD), ("li", PAYLOAD), ("footer", PAYLOAD))


def test_html_and_pages_write_no_markup_and_mark_only_the_page_safe():
    sources = {module.__name__: inspect.getsource(module) for module in (html, pages)}
    for source in sources.values():
        assert "escape(" not in source and not re.search(r"</?[a-z][a-z0-9]*[ >]", source)
    assert "Markup" not in sources[html.__name__]
    tree = ast.parse(sources[pages.__name__])
    marked = [node for node in ast.walk(tree)
              if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Markup"]
    page = next(node for node in ast.walk(tree) if getattr(node, "name", None) == "page")
    assert marked and all(page.lineno <= node.lineno <= page.end_lineno for node in marked)


def test_templates_are_found_in_the_installed_package():
    assert {"page.html.j2", "index.html.j2", "strength.html.j2", "figure.html.j2"} <= set(
        pages.TEMPLATES.list_templates())
