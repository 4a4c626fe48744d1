"""Reference tables of the description files, generated from their schemas, in the reader's
language: one row per key (nested keys as ``facts.n_invited``), with its value type, meaning,
the form its texts take in each language, and an example. The build writes them as include
files of the re-run page, so the reference a reader sees is the one the validation enforces
(:mod:`analysis.core.study`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from analysis.core.catalog import catalog
from analysis.core.i18n import t
from analysis.core.study import (
    LangText,
    OutcomeDescription,
    example_of,
    is_model,
    unwrap,
    yaml_inline,
)


def keys(schema: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo, object]]:
    """Every key of ``schema``, nested keys after their parent: path, field and value type."""
    for name, info in schema.model_fields.items():
        annotation = unwrap(info.annotation)
        path = f"{prefix}{name}"
        if is_model(annotation) and annotation is not LangText:
            if annotation.model_fields:  # a part without keys (no facts) is not shown
                yield path, info, annotation
                yield from keys(annotation, f"{path}.")
            continue
        yield path, info, annotation
        inner = unwrap(get_args(annotation)[-1]) if get_args(annotation) else None
        if get_origin(annotation) in (dict, list) and is_model(inner) and inner is not LangText:
            yield from keys(
                inner, f"{path}.<…>." if get_origin(annotation) is dict else f"{path}[…]."
            )


def _values(values: tuple[object, ...]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def kind(annotation: object, lang: str, entries: str | None = None) -> str:
    """What a key's value is, in ``lang``; a mapping of names holds an entry per what
    ``entries`` (a label) says, by default per outcome."""
    if annotation is LangText:
        return t("description.kind.text", lang)
    if get_origin(annotation) is Literal:
        return t("description.kind.one_of", lang, values=_values(get_args(annotation)))
    if get_origin(annotation) is dict:
        names, entry = get_args(annotation)
        entry = unwrap(entry)
        if entries:
            text = t(entries, lang)
        elif entry is LangText:
            return t("description.kind.per_level", lang)
        elif not (is_model(entry) and issubclass(entry, OutcomeDescription)):
            each = "per_name" if is_model(entry) else "pairs"
            return t(f"description.kind.{each}", lang)
        else:
            text = t("description.kind.per_outcome", lang)
        if get_origin(names) is Literal:
            text += ": " + _values(get_args(names))
        return text
    if is_model(annotation):
        return t("description.kind.mapping", lang)
    if get_origin(annotation) is list:
        item = unwrap(get_args(annotation)[0])
        inner = t("description.kind.mapping_items", lang) if is_model(item) else kind(item, lang)
        return t("description.kind.list", lang, item=inner)
    simple = {str: "string", int: "integer", bool: "boolean", datetime.date: "date"}
    return t(f"description.kind.{simple.get(annotation, 'string')}", lang)


def meaning(path: str, info: FieldInfo, lang: str, **values: object) -> str:
    """A key's meaning: its own label, else ``description.key.<key>``."""
    extra = info.json_schema_extra or {}
    label = extra.get("meaning") or f"description.key.{path.rpartition('.')[2]}"
    return t(label, lang, **values) if label in catalog() else ""


def example_for(schema: type[BaseModel], path: str, info: FieldInfo) -> object:
    """The example of a key: for ``reproduces``, the publication the chapter knows."""
    publications = getattr(schema, "publications", ())
    return publications[0] if path == "reproduces" and publications else example_of(info)


def _cell(text: str) -> str:
    return " ".join(text.split())


def description_table(schema: type[BaseModel], file: str, lang: str) -> str:
    """One description file's reference: a heading, and a row per key."""
    publications = getattr(schema, "publications", ())
    known = _values(publications) if publications else t("description.none_known", lang)
    header = [t(f"description.col.{name}", lang) for name in ("key", "type", "meaning", "form")]
    header.append(t("description.col.example", lang))
    lines = [
        f"### `{file}`",
        "",
        ":::{list-table}",
        ":header-rows: 1",
        ":class: rtw-contract rtw-description",
        ":widths: 16 20 30 20 14",
        "",
    ]
    rows = [header]
    for path, info, annotation in keys(schema):
        extra = info.json_schema_extra or {}
        form = extra.get("form")
        example = example_for(schema, path, info)
        rows.append(
            [
                f"`{path}`",
                kind(annotation, lang, extra.get("entries")),
                meaning(path, info, lang, publications=known),
                t(f"description.form.{form}", lang) if form else "–",
                f"`{path.rpartition('.')[2]}: {yaml_inline(example)}`"
                if example not in (None, {})
                else "–",
            ]
        )
    for cells in rows:
        lines += [f"* - {_cell(cells[0])}", *(f"  - {_cell(cell)}" for cell in cells[1:])]
    return "\n".join([*lines, ":::"]) + "\n"
