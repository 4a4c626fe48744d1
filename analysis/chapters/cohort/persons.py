"""A register extract's persons file checked in its engine (DuckDB or Spark), as
:func:`analysis.core.validation.validate_frame` checks a ``cohort.csv``: the same rules of the
cohort schema, the same messages (file, column, row, fix) and the same search for direct
identifiers, written as Ibis expressions. Python receives counts, the first offending rows of
each kind and the distinct texts that could hold an identifier, never a row per person.

As on a ``cohort.csv``, a category may be written in another case or as a Norwegian word
(``Ja``, ``kvinne``); the note saying so comes from :func:`analysis.chapters.cohort.data`'s
collapsed cohort, which holds every distinct value. The dates (``entry_date``, and
``death_date`` and ``emigration_date`` when given) must be dates (or texts such as
``2020-01-31``); ``entry_date`` is required.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import ibis.selectors as s

from analysis.core.identifiers import identifier_kinds, is_identifier_column
from analysis.core.problems import InputError, Message, Problem
from analysis.core.validation import (
    CATEGORY_WORDS,
    GROUP_AFTER,
    IDENTIFIER_KINDS,
    LARGEST_INTEGER,
    Field,
    Schema,
    column_missing,
    describe_failure,
    identifier_problem,
    split_candidates,
    split_problem,
)

DATES = ("entry_date", "death_date", "emigration_date")
LOCATED = ("_file", "_row")
# Rows of the file that decide which column pairs could hold national ids split in two.
HEAD_ROWS = 200


def cells(persons: ir.Table, column: str) -> ir.StringValue:
    """A column's cells as the text a read file holds (integers without a decimal part, an
    empty text missing)."""
    value = persons[column]
    kind = value.type()
    if kind.is_floating():  # 45.0 is read as 45
        whole = value == value.floor()
        value = ibis.ifelse(whole, value.cast("int64").cast("string"), value.cast("string"))
    else:
        value = value.cast("string")
    return value.nullif("")


def _read_as(levels: list[str], text: ir.StringValue) -> ir.BooleanValue:
    """True where ``text`` is one of ``levels`` written as a Norwegian word or in another case
    (lower-cased, a word of ``CATEGORY_WORDS`` is its code)."""
    words = [word for word, code in CATEGORY_WORDS.items() if code in levels]
    return text.lower().isin([*words, *(level for level in levels if level not in CATEGORY_WORDS)])


def _failing(field: Field, text: ir.StringValue) -> dict[str, ir.BooleanValue]:
    """The checks of ``field`` (pandera's check names) on its cells: True where a cell fails."""
    present = text.notnull()
    failing: dict[str, ir.BooleanValue] = {}
    if not field.nullable:
        failing["not_nullable"] = ~present
    if field.kind == "category":
        levels = list(field.levels)
        failing["not_level"] = present & ~(text.isin(levels) | _read_as(levels, text))
    elif field.kind == "binary":
        failing["not_binary"] = present & ~text.isin(["0", "1"])
    elif field.kind in ("integer", "number"):
        number = text.strip().try_cast("float64")
        if field.kind == "integer":
            failing["not_integer"] = present & (number.isnull() | (number != number.floor()))
            failing["too_large"] = present & (number.abs() >= LARGEST_INTEGER)
        else:
            failing["not_number"] = present & number.isnull()
        if field.minimum is not None:
            failing["below_minimum"] = present & (number < field.minimum)
        if field.maximum is not None:
            failing["above_maximum"] = present & (number > field.maximum)
    return failing


def first_rows(parts: list[ir.Table], order: list[str], limits: list[int]) -> list[list[dict]]:
    """Per table of ``parts`` (all of the same columns), its first rows by ``order`` (at most
    its limit of ``limits``), each a dict of its columns: one query for every part."""
    limited = [
        part.mutate(_kind=ibis.literal(i, "int64")).order_by(order).limit(limit)
        for i, (part, limit) in enumerate(zip(parts, limits, strict=True))
    ]
    found: list[list[dict]] = [[] for _ in parts]
    for row in sorted(
        ibis.union(*limited).to_pyarrow().to_pylist(),
        key=lambda row: (row["_kind"], *(row[column] for column in order)),
    ):
        found[row["_kind"]].append(row)
    return found


def _date_checks(persons: ir.Table) -> dict[str, tuple[ir.BooleanValue, ir.StringValue]]:
    """Per date column: where its cell is no date (or, the entry date, missing), and its
    text (missing where the date is)."""
    checks = {}
    for column in (column for column in DATES if column in persons.columns):
        value = persons[column]
        text = value.cast("string")
        failing = value.isnull() if column == DATES[0] else ibis.literal(False)
        if not (value.type().is_date() or value.type().is_timestamp()):
            failing |= text.nullif("").notnull() & text.try_cast("date").isnull()
        checks[column] = failing, text
    return checks


def _cell_problems(
    persons: ir.Table, fields: list[tuple[Field, str]], file: str, shown_limit: int
) -> list[Problem]:
    """Every cell that breaks its field's rules, as :func:`validate_frame` names them: one
    problem per cell, or one for a column's kind of failure in more than ``GROUP_AFTER``
    cells (their number, the first named); then the dates that are no dates and the persons
    without an entry date (the first ``shown_limit`` of each). One query counts the
    failures; one more fetches the first rows of every kind that fails."""
    checks = {}
    for field, column in fields:
        text = cells(persons, column)
        for check, failing in _failing(field, text).items():
            checks[(field, column, check)] = failing, text
        if field.unique:
            count = text.count().over(ibis.window(group_by=text))
            checks[(field, column, "field_uniqueness")] = text.notnull() & (count > 1), text
    dates = _date_checks(persons)
    flags = [flag for flag, _ in [*checks.values(), *dates.values()]]
    if not flags:
        return []
    names = [f"_failing_{i}" for i in range(len(flags))]
    flagged = persons.select(**dict(zip(names, flags, strict=True)))
    counts = (
        flagged.aggregate(**{name: flagged[name].cast("int64").sum() for name in names})
        .to_pyarrow()
        .to_pylist()[0]
    )
    numbers = [counts[name] or 0 for name in names]
    failing = [(key, n) for key, n in zip(checks, numbers, strict=False) if n]
    bad_dates = [column for column, n in zip(dates, numbers[len(checks) :], strict=True) if n]
    if not failing and not bad_dates:
        return []
    kinds = [(*checks[key], GROUP_AFTER + 1) for key, _ in failing]
    kinds += [(*dates[column], shown_limit) for column in bad_dates]
    firsts = first_rows(
        [
            persons.select("_row", _holds=holds, _value=value).filter(ibis._._holds)
            for holds, value, _ in kinds
        ],
        ["_row"],
        [limit for _, _, limit in kinds],
    )
    problems = []
    for ((field, _, check), n), first in zip(failing, firsts, strict=False):
        values = [(row["_row"], row["_value"]) for row in first]
        if n > GROUP_AFTER:
            row, value = values[0]
            failure = describe_failure(field, check, value)
            issue = Message("input.value.many", n=n, failure=failure)
            problems.append(Problem(file, field.name, row, issue, field.fix_hint()))
            continue
        problems += [
            Problem(file, field.name, row, describe_failure(field, check, value), field.fix_hint())
            for row, value in values
        ]
    fix = Message("cohort.input.spell.fix.not_a_date")
    for column, found in zip(bad_dates, firsts[len(failing) :], strict=True):
        problems += [
            Problem(
                file,
                column,
                row["_row"],
                Message("input.value.empty")
                if row["_value"] is None  # only a missing entry date fails without a text
                else Message("cohort.input.spell.not_a_date", value=repr(row["_value"])),
                fix,
            )
            for row in found
        ]
    return problems


def _identifier_problems(
    persons: ir.Table, columns: list[str], kinds: dict[str, str], file: str
) -> list[Problem]:
    """Direct identifiers in the persons file, as :func:`validation.find_identifiers` finds
    them: columns named as national id numbers; national ids in every column, e-mail addresses
    and phone numbers in text columns, each kind once per column with its number of cells and
    the first row. The engine counts the distinct texts of every column that could hold one
    (long enough, with at least eight digits of any script or an @ or an HTML entity), in one
    query; Python reads those."""
    problems = [
        Problem(
            file,
            column,
            None,
            Message("input.identifier_column"),
            Message("input.fix.identifier_column"),
        )
        for column in columns
        if is_identifier_column(column)
    ]
    texts = persons.select("_row", **{column: cells(persons, column) for column in columns})
    long = texts.pivot_longer(s.cols(*columns), names_to="_column", values_to="_text")
    text = long._text
    free_text = {column for column in columns if kinds.get(column, "text") == "text"}
    shortest = ibis.ifelse(long._column.isin(sorted(free_text)), 8, 10)
    digits = text.re_replace(r"\P{N}", "").length()
    maybe = (text.length() >= shortest) | text.contains("@")
    maybe &= (digits >= 8) | text.re_search("[@\uff20\ufe6b&]")
    marked = long.filter(maybe.fill_null(False))
    candidates = (
        marked.group_by(["_column", "_text"])
        .aggregate(n=marked.count(), first=marked._row.min())
        .to_pyarrow()
        .to_pylist()
    )
    in_column: dict[str, list] = {column: [] for column in columns}
    for row in candidates:
        column = row["_column"]
        in_column[column].append((row, identifier_kinds(row["_text"], column in free_text)))
    for column, found in in_column.items():
        for kind in IDENTIFIER_KINDS:
            holding = [row for row, kinds_found in found if kind in kinds_found]
            if holding:
                first = min(row["first"] for row in holding)
                n = sum(row["n"] for row in holding)
                problems.append(identifier_problem(file, column, kind, first, n))
    return problems


def _split_problems(persons: ir.Table, columns: list[str], file: str) -> list[Problem]:
    """National ids split over two columns (:func:`validation.split_candidates`): the pairs
    the first rows suggest are read whole (only those two columns; none in a usual extract)."""
    ordered = persons.order_by("_row")
    head = ordered.select(**{c: cells(persons, c).fill_null("") for c in columns})
    pairs = split_candidates(head.limit(HEAD_ROWS).to_pandas())
    problems = []
    for date, rest in pairs:
        both = ordered.select(date=cells(persons, date), rest=cells(persons, rest)).to_pandas()
        problem = split_problem(file, date, rest, both["date"].fillna(""), both["rest"].fillna(""))
        if problem is not None:
            problems.append(problem)
    return problems


def check_persons(persons: ir.Table, schema: Schema, file: str, shown_limit: int = 20) -> None:
    """Stop with the problems of the persons file ``persons`` (read by
    :func:`analysis.chapters.cohort.spells.read`, shown as ``file``) against ``schema`` (the
    cohort's columns other than the derived outcomes): a missing column, a cell that breaks its
    column's rules, a duplicate id, a date that is no date, a missing entry date, a direct
    identifier; sorted by row and column, as :func:`validate_frame` sorts them."""
    columns = [c for c in persons.columns if c not in (*LOCATED, *DATES)]
    present = {column.lower(): column for column in columns}
    problems = [
        column_missing(file, field, columns)
        for field in schema.fields
        if field.required and field.name.lower() not in present
    ]
    fields = [
        (field, present[field.name.lower()])
        for field in schema.fields
        if field.name.lower() in present
    ]
    kinds = {column: field.kind for field, column in fields}
    problems += _identifier_problems(persons, columns, kinds, file)
    problems += _split_problems(persons, columns, file)
    problems += _cell_problems(persons, fields, file, shown_limit)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))


def typed_dates(persons: ir.Table) -> ir.Table:
    """The persons with their date columns as dates (a CSV file's texts, checked by
    :func:`check_persons`)."""
    texts = {
        column: persons[column].nullif("").cast("date")
        for column in DATES
        if column in persons.columns and persons[column].type().is_string()
    }
    return persons.mutate(**texts) if texts else persons
