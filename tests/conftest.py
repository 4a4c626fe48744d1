"""Shared fixtures. The tests never read ``data/``: they use their own copy of the shipped
files (``tests/fixtures/shipped-data``) and data they write, so a researcher who replaces
``data/`` still gets a green ``make test``."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.build.pipeline import build

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED_DATA = FIXTURES / "shipped-data"


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of every chapter in both languages on the shipped data, reused by every
    test that reads the book; returns the output folder."""
    out = tmp_path_factory.mktemp("book")
    build(SHIPPED_DATA, out)
    return out
