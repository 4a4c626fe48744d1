"""The data contracts shown on the re-run page come from the schemas the validation uses."""

from __future__ import annotations

import importlib

import pytest

from analysis.chapters import CHAPTERS
from analysis.core.contracts import contract_markdown, values
from analysis.core.i18n import LANGS
from analysis.core.validation import Field


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(CHAPTERS))
def test_every_column_of_every_file_is_described(name, lang):
    schemas = importlib.import_module(f"analysis.chapters.{name}.data").SCHEMAS
    text = contract_markdown(name, schemas, lang)
    for schema in schemas:
        assert f"#### `{schema.file}`" in text
        first_cells = [line for line in text.splitlines() if line.startswith("* - ")]
        for field in schema.fields:
            assert any(f"`{field.name}`" in cell for cell in first_cells), field.name
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("* - ")]
    assert all(lines[i + 1].startswith("  - ") and lines[i + 2].startswith("  - ") for i in starts)


def test_values_name_type_levels_bounds_and_missing_in_the_language():
    field = Field("age", "integer", nullable=True, minimum=15, maximum=80)
    assert values(field, "en") == "whole number; at least 15; at most 80; may be empty"
    assert values(field, "nb") == "heltall; minst 15; høyst 80; kan være tom"
    category = Field("sex", "category", ("female", "male"), required=False)
    assert values(category, "en") == "category; `female`, `male`; optional column"
