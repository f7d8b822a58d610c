"""Per-trainee reports: notebooks executed by papermill, exported to HTML."""

from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"
REPORT_NOTEBOOK = NOTEBOOKS / "trainee_report.ipynb"
COHORT_NOTEBOOK = NOTEBOOKS / "cohort_overview.ipynb"
RECYCLE_AFTER = 500
"""Notebooks a warm kernel (and a local worker process) runs before it is
replaced, which bounds any slow leak."""
