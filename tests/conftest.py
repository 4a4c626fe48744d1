"""Shared fixtures: one full build of the book on the shipped data, reused by every test."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.build import ROOT, build


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build every existing component in both languages; return the output folder."""
    out = tmp_path_factory.mktemp("book")
    build(ROOT / "data", out)
    return out
