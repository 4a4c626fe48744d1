"""Data-contract tables generated from the input schemas, in the reader's language.

One MyST section per input file: its intro (label ``contract.<schema key>.about``) and a
table with, for each column, its type and allowed values (and whether a cell may be empty or
the column left out), and its description (label ``contract.<schema key>.<column>``
unless the field names another). The build writes them as include files of the re-run page,
so the contract a reader sees is the one the validation enforces.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.core.i18n import fmt_num, t
from analysis.core.validation import Field, Schema


def _cell(text: str) -> str:
    """Text on one line, as a list-table cell needs it."""
    return " ".join(text.split())


def values(field: Field, lang: str) -> str:
    """What a cell of ``field`` may hold: type, allowed values and whether it may be empty."""
    parts = [t(f"contract.kind.{field.kind}", lang)]
    if field.kind == "category":
        parts.append(", ".join(f"`{level}`" for level in field.levels))
    elif field.kind == "binary":
        parts.append("`0`, `1`")
    if field.minimum is not None:
        parts.append(t("contract.minimum", lang, value=fmt_num(field.minimum, lang, 0)))
    if field.maximum is not None:
        parts.append(t("contract.maximum", lang, value=fmt_num(field.maximum, lang, 0)))
    if field.unique:
        parts.append(t("contract.unique", lang))
    if field.nullable:
        parts.append(t("contract.may_be_empty", lang))
    if not field.required:
        parts.append(t("contract.optional_column", lang))
    return "; ".join(parts)


def contract_table(schema: Schema, lang: str) -> str:
    """One input file's contract: a heading, its intro and a table row per column
    (neighbouring columns with the same values and description share one row)."""
    groups: list[tuple[list[str], str, str]] = []
    for field in schema.fields:
        named = {"label": field.label[lang]} if field.label else {}
        row = (values(field, lang), t(schema.description_key(field), lang, **named))
        if groups and groups[-1][1:] == row:
            groups[-1][0].append(field.name)
        else:
            groups.append(([field.name], *row))
    header = [t(f"contract.col.{name}", lang) for name in ("column", "values", "description")]
    rows = [header] + [
        [", ".join(f"`{name}`" for name in names), allowed, description]
        for names, allowed, description in groups
    ]
    lines = [
        f"#### `{schema.file}`",
        "",
        t(f"contract.{schema.key}.about", lang),
        "",
        ":::{list-table}",
        ":header-rows: 1",
        ":class: rtw-contract",
        ":widths: 30 30 40",
        "",
    ]
    for cells in rows:
        lines += [f"* - {_cell(cells[0])}", *(f"  - {_cell(cell)}" for cell in cells[1:])]
    return "\n".join([*lines, ":::"]) + "\n"


def contract_markdown(title: str, schemas: Iterable[Schema], lang: str) -> str:
    """The contract tables of every file of one chapter, under the chapter's ``title``."""
    return "\n".join([f"### {title}\n", *(contract_table(schema, lang) for schema in schemas)])
