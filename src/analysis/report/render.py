"""One trainee's report: execute the notebook on their prepared tables and
export it to HTML. Runs in a worker (a local process or a Dask worker); the
caller writes the files, so a worker needs no access to the output folder.
"""

from __future__ import annotations

import functools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import __version__
from analysis.report import COHORT_NOTEBOOK, NOTEBOOKS, REPORT_NOTEBOOK

if TYPE_CHECKING:  # imported where a notebook runs: the caller of a worker needs only Rendered
    from analysis.report import kernel

CELL_TIMEOUT = 600  # seconds; a stuck cell fails its report instead of the batch


@dataclass
class Rendered:
    """A worker's answer: the report's HTML, or the error and the partly
    executed notebook (JSON text) to keep for debugging. ``name`` says whose:
    a trainee id, or ``"cohort overview"``."""

    name: str
    html: str | None = None
    error: str | None = None
    failed_notebook: str | None = None


def render(trainee_id: str, prepared: Path, window_weeks: int, warm: kernel.WarmKernel | None = None) -> Rendered:
    """Execute the report notebook for the trainee whose tables are in
    ``prepared/<trainee_id>``, in ``warm`` (default: this worker's warm kernel)."""
    parameters = {"trainee_id": trainee_id, "data_dir": str(Path(prepared).resolve()), "as_of": "",
                  "window_weeks": window_weeks}

    def title(_executed) -> tuple[str, str]:
        summary = json.loads((Path(prepared) / trainee_id / "view.json").read_text())["summary"]
        return (f"Progress report {summary['trainee_id']} as of {summary['as_of']}",
                f"analysis {__version__} · data as of {summary['as_of']}")

    return _execute(trainee_id, REPORT_NOTEBOOK, parameters, title, warm)


def render_cohort(reports: Path, warm: kernel.WarmKernel | None = None) -> Rendered:
    """The cohort overview notebook on a reports folder's summaries."""
    return _execute("cohort overview", COHORT_NOTEBOOK, {"source": str(Path(reports).resolve())},
                    lambda _: ("Cohort overview", f"analysis {__version__}"), warm)


def _execute(name: str, notebook: Path, parameters: dict, title, warm: kernel.WarmKernel | None) -> Rendered:
    """papermill in ``warm`` (default: this worker's warm kernel), then the
    HTML export; a failure gives the error and the partly executed notebook."""
    import papermill

    from analysis.report import kernel

    warm = warm or kernel.worker_kernel(NOTEBOOKS)
    with tempfile.TemporaryDirectory(prefix="analysis-report-") as tmp:
        executed = Path(tmp) / notebook.name
        try:
            papermill.execute_notebook(
                str(notebook), str(executed), parameters=parameters,
                engine_name=kernel.ENGINE, warm_kernel=warm, kernel_name=warm.kernel_name,
                request_save_on_cell_execute=False, progress_bar=False, log_output=False,
                execution_timeout=CELL_TIMEOUT,
            )
        except Exception as err:  # papermill's execution error, a dead kernel, a timeout
            warm.shutdown()  # the next notebook gets a fresh kernel
            failed = executed.read_text(encoding="utf-8") if executed.exists() else None
            return Rendered(name, error=_short_error(err), failed_notebook=failed)
        heading, footer = title(executed)
        return Rendered(name, html=export_html(executed, heading, footer))


def render_shipped(trainee_id: str, files: dict[str, bytes], window_weeks: int) -> Rendered:
    """:func:`render` on tables sent with the task (Dask workers on other
    machines see no shared folder): they are unpacked in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="analysis-prepared-") as tmp:
        folder = Path(tmp) / trainee_id
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return render(trainee_id, Path(tmp), window_weeks)


def export_html(notebook: Path, title: str, footer: str) -> str:
    """nbconvert's HTML of the executed notebook, code and prompts hidden,
    inside the suite's self-contained page."""
    import nbformat

    executed = nbformat.read(notebook, as_version=4)
    for i, cell in enumerate(executed.cells):
        cell["id"] = f"cell-{i}"  # papermill's injected cell has a random id: keep bytes stable
    body, _ = _exporter().from_notebook_node(executed)
    from analysis.report import pages

    return pages.page(title, body, footer=footer)


def warm_up() -> None:
    """Build the exporter and draw a first figure before the first report
    (:func:`analysis.report.executors.LocalWorkers` does it while the data
    is read)."""
    from analysis.report import html

    _exporter()
    html.warm_up()


@functools.cache
def _exporter():
    """One exporter per worker: building one compiles its Jinja templates
    (0.25 s, more than the export itself)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class Exporter(HTMLExporter):
        """nbconvert's HTML exporter without its last step (nbconvert 7.17,
        ``exporters/html.py``): a BeautifulSoup parse and re-serialisation of
        the whole page, to give images without alt text a placeholder and
        ``.jp-Notebook`` outputs a tabindex. Every figure here has its alt
        text and the basic template has no ``.jp-Notebook``; the parse took
        4 s of the cohort overview's 10,000-row roster."""

        def from_notebook_node(self, nb, resources=None, **kw):
            info = nb.metadata.get("language_info", {})
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(
                pygments_lexer=info.get("pygments_lexer", info.get("name")), parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = Exporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, exclude_anchor_links=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"notebook-only"}), enabled=True)
    return exporter


def _short_error(err: Exception) -> str:
    text = str(err).strip().splitlines()
    lines = [line for line in text if line.strip() and not line.startswith("-")]
    return (lines[-1] if lines else type(err).__name__)[:300]
