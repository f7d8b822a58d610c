"""Shared helpers for the importer tests: the real exports and quick reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.io import detect, importer

EXPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "exports"


@pytest.fixture
def exports() -> Path:
    if not EXPORTS.is_dir():
        pytest.skip(f"real exports not found at {EXPORTS}")
    return EXPORTS


@pytest.fixture
def read(write):
    """Write text to a file, read it with a format's reader, validate for trainee T1.

    Returns (export, kept, rejects).
    """

    def _read(name: str, text: str | bytes, fmt: str | None = None, unit: str | None = None):
        path = write(name, text)
        export = detect.FORMATS[fmt or detect.detect_format(path)].read(path, unit)
        kept, rejects = importer.validate_export(export, str(path), "T1")
        assert export.read == kept.height + rejects.height + export.duplicates + export.folded
        return export, kept, rejects

    return _read

