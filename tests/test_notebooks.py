"""Every notebook under notebooks/: committed clean, and runs top to bottom
under papermill with its default parameters (as a coach opening it would)."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds


def _ids(path: Path) -> str:
    return path.stem


def test_notebooks_found():
    assert {"trainee_report", "cohort_overview", "strength_vs_size"} <= {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    dirty = [cell.get("id") for cell in notebook.cells if cell.cell_type == "code"
             and (cell.outputs or cell.execution_count is not None)]
    assert dirty == [], f"{path.name}: clear outputs and execution counts of cells {dirty}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_one_parameters_cell_of_plain_values(path):
    """papermill passes strings and numbers only; the defaults are literals."""
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    for statement in ast.parse(cells[0].source).body:
        assert isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
        assert isinstance(statement.value.value, (str, int, float))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_runs_with_default_parameters(path, tmp_path):
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), cwd=str(NOTEBOOK_DIR), kernel_name="python3",
                               progress_bar=False, log_output=False, execution_timeout=CELL_TIMEOUT)
    executed = nbformat.read(out, as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert [o for o in outputs if "text/html" in o.get("data", {})], "no HTML output"
