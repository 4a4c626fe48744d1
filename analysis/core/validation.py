"""Input schemas and validation with messages that name file, column and row.

Each input file has a :class:`Schema` of :class:`Field` s. :func:`read_table` reads a table as
text (comma-, semicolon- or tab-separated, UTF-8 or Windows-1252, or an Excel workbook),
harmonises what researchers' files commonly hold (column names in another case, Norwegian
category words, decimal commas, ``NA`` and ``.`` for missing; each with a note), refuses direct
identifiers (:mod:`analysis.core.identifiers`), checks the schema with pandera and returns typed
columns. Every problem becomes a :class:`Problem` that says where it is and how to fix it;
:class:`InputError` carries them all.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from analysis.core.identifiers import (
    birth_date_digits,
    identifier_kinds,
    is_identifier_column,
    split_national_ids,
)
from analysis.core.problems import InputError, Message, Notes, Problem

Kind = Literal["category", "binary", "integer", "number", "text"]


@dataclass(frozen=True)
class Field:
    """One column of an input file."""

    name: str
    kind: Kind
    levels: tuple[str, ...] = ()
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    unique: bool = False
    # Label key of the column's description in the data contract; default
    # ``contract.<schema key>.<name>`` (several similar columns may share one label).
    description_key: str | None = None
    # What a study description names the column, per language: its description's ``{label}``.
    label: Mapping[str, str] | None = dataclasses.field(default=None, hash=False)

    def fix_hint(self) -> Message:
        """What a valid value of this column looks like."""
        kind = one_of(self.levels) if self.kind == "category" else Message(f"input.fix.{self.kind}")
        return Message(
            "input.fix.value",
            kind=kind,
            minimum=""
            if self.minimum is None
            else Message("input.fix.minimum", bound=f"{self.minimum:g}"),
            maximum=""
            if self.maximum is None
            else Message("input.fix.maximum", bound=f"{self.maximum:g}"),
            empty=Message("input.fix.nullable") if self.nullable else "",
            unique=Message("input.fix.unique") if self.unique else "",
        )


def one_of(values: tuple[str, ...]) -> Message:
    """'use one of 'a', 'b'': the contract's values as they are, in the user's language."""
    return Message("input.fix.one_of", values=", ".join(repr(value) for value in values))


@dataclass(frozen=True)
class Schema:
    """The expected layout of one CSV file, path relative to the data directory."""

    file: str
    fields: tuple[Field, ...]

    @property
    def key(self) -> str:
        """The file's label key stem: ``meta/studies.csv`` -> ``meta.studies``."""
        return self.file.removesuffix(".csv").replace("/", ".")

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(field for field in self.fields if field.name == name)

    def description_key(self, field: Field) -> str:
        """Label key of ``field``'s description in the data contract."""
        return field.description_key or f"contract.{self.key}.{field.name}"


IDENTIFIER_KINDS = ("national_id", "email", "phone")  # label input.identifier.<kind>


def find_identifiers(frame: pd.DataFrame, file: str, schema: Schema | None = None) -> list[Problem]:
    """One problem per column and kind of direct identifier found in it (never the value).

    National identity numbers are looked for in every column; e-mail addresses and phone
    numbers in the text columns (and in columns the schema does not know). A column may hold
    text cells or the categorical cells :func:`validate_frame` checks (missing ones read as '').
    """
    problems = []
    kinds_of = {field.name: field.kind for field in schema.fields} if schema else {}
    for column in frame.columns:
        name = str(column)
        if is_identifier_column(name):
            problems.append(
                Problem(
                    file,
                    name,
                    None,
                    Message("input.identifier_column"),
                    Message("input.fix.identifier_column"),
                )
            )
        free_text = kinds_of.get(name, "text") == "text"
        # Only cells that could hold one are searched, each distinct text once (register
        # extracts have millions of short cells): a national id has at least ten characters,
        # a phone number eight, an e-mail address an @.
        shortest = 8 if free_text else 10
        codes, distinct = _codes(frame[column])  # -1 for a missing cell
        found = [
            identifier_kinds(text, free_text) if len(text) >= shortest or "@" in text else ()
            for text in map(str, distinct)
        ]
        for kind in IDENTIFIER_KINDS if any(found) else ():
            holds = np.asarray([*(kind in kinds for kinds in found), False], dtype=bool)
            rows = np.flatnonzero(holds[codes]) if holds.any() else ()
            if len(rows):
                first = int(frame.index[rows[0]]) + 1
                problems.append(identifier_problem(file, name, kind, first, len(rows)))
    return problems + _split_identifiers(frame, file)


def identifier_problem(file: str, column: str, kind: str, row: int | None, n: int = 1) -> Problem:
    """The problem of ``n`` cells of ``column`` holding ``kind`` of identifier, the first in
    ``row`` (1-based; None where the file has no rows)."""
    return Problem(
        file,
        column,
        row,
        Message("input.identifier_found", kind=Message(f"input.identifier.{kind}"), n=n),
        Message("input.fix.identifier"),
    )


def _split_identifiers(frame: pd.DataFrame, file: str) -> list[Problem]:
    """A national id split over two columns of a row: a birth-date column and a column of
    five-digit numbers. A pair of columns is refused when at least a fifth of its rows (and at
    least one) make valid numbers; unrelated dates and numbers pass the control digits in about
    one row in a hundred."""
    problems = []
    for date, rest in split_candidates(_as_read(frame.head(200))):
        both = _as_read(frame[[date, rest]])
        problem = split_problem(file, date, rest, both[date], both[rest])
        if problem is not None:
            problems.append(problem)
    return problems


def _as_read(cells: pd.DataFrame) -> pd.DataFrame:
    """Text or categorical cells as the text read, '' for a missing cell."""
    values = cells.to_numpy(dtype=object)
    return pd.DataFrame(
        np.where(pd.isna(values), "", values), index=cells.index, columns=cells.columns
    )


def split_problem(
    file: str, date: str, rest: str, dates: pd.Series, rests: pd.Series
) -> Problem | None:
    """The problem of national ids split over the columns ``date`` and ``rest`` (their cells
    ``dates`` and ``rests``, in the file's order), None when fewer than a fifth of the rows
    make valid numbers."""
    rows = split_national_ids(list(dates.astype(str)), list(rests.astype(str)))
    if rows and len(rows) >= 0.2 * len(dates):
        return identifier_problem(file, f"{date} + {rest}", "national_id", rows[0] + 1, len(rows))
    return None


# What a cell of either part of a split national id starts with, and what a rest looks like.
_NUMBER_START = re.compile(r"\s*\d")
_REST = re.compile(r"\d{1,5}(?:\.0)?")


def split_candidates(head: pd.DataFrame) -> list[tuple[str, str]]:
    """The pairs of columns (a birth-date column, a column of numbers of up to five digits)
    that the first rows of a file, ``head``, show could hold national ids split in two."""
    if not len(head):
        return []
    # Each column's cells as text, tested in Python: a few hundred short cells each.
    cells = dict(zip(head.columns, head.astype(str).to_numpy().T.tolist(), strict=True))

    def share(column: str, test) -> float:
        return sum(map(bool, map(test, cells[column]))) / len(head)

    # A column of either part has cells of four characters or more (1234, 150583).
    wide = [c for c in head.columns if max(map(len, cells[c])) >= 4]
    numeric = [c for c in wide if share(c, _NUMBER_START.match) >= 0.5]
    dates = [
        c for c in numeric if share(c, lambda cell: birth_date_digits(cell) is not None) >= 0.5
    ]
    rests = [
        c
        for c in numeric
        if c not in dates
        and share(c, lambda cell: _REST.fullmatch(cell.strip())) >= 0.5
        and max(len(cell.strip()) for cell in cells[c]) >= 4
    ]
    return [(date, rest) for date in dates for rest in rests]


def _on_distinct(predicate, error: str) -> pa.Check:
    """A pandera check, named ``error``, that tests each distinct value once (missing cells
    pass: the check sees them, pandera need not drop them first)."""

    def check(series: pd.Series) -> pd.Series:
        codes, distinct = _codes(series)
        # The last entry, True, is the result of a missing cell (code -1).
        passed = np.asarray([*(predicate(value) for value in distinct), True], dtype=bool)
        return pd.Series(passed[codes], index=series.index)

    return pa.Check(check, error=error, ignore_na=False)


def _number(text: str) -> float | None:
    """The finite number ``text`` writes, or None: Python reads "nan" and "inf" as floats, but
    neither is a value a cell can hold (a missing cell is empty)."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# Whole numbers are kept as 64-bit integers: from 2**63 on (19 digits) they cannot be.
LARGEST_INTEGER = 2.0**63


def _checks(field: Field) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if field.kind == "category":
        levels = frozenset(field.levels)
        checks.append(_on_distinct(lambda v: v in levels, "not_level"))
    elif field.kind == "binary":
        checks.append(_on_distinct(lambda v: v in ("0", "1"), "not_binary"))
    elif field.kind == "integer":
        checks.append(
            _on_distinct(lambda v: (n := _number(v)) is not None and n.is_integer(), "not_integer")
        )
        checks.append(
            _on_distinct(
                lambda v: (n := _number(v)) is None or abs(n) < LARGEST_INTEGER, "too_large"
            )
        )
    elif field.kind == "number":
        checks.append(_on_distinct(lambda v: _number(v) is not None, "not_number"))
    if field.kind in ("integer", "number"):
        for bound, passes, check in (
            (field.minimum, lambda n, b: n >= b, "below_minimum"),
            (field.maximum, lambda n, b: n <= b, "above_maximum"),
        ):
            if bound is not None:
                checks.append(
                    _on_distinct(
                        lambda v, b=bound, ok=passes: (n := _number(v)) is None or ok(n, b), check
                    )
                )
    return checks


@functools.lru_cache(maxsize=64)
def _pandera_schema(schema: Schema, present: frozenset[str]) -> pa.DataFrameSchema:
    """The pandera schema of the ``present`` columns of ``schema`` that have a rule (made once
    per pair: a build validates the same files in several steps). A column that may be empty,
    need not be unique and holds any text cannot fail, so pandera is not given it."""
    columns = {
        field.name: pa.Column(
            None,  # every cell is read as text; the checks say what it must hold
            checks=_checks(field),
            nullable=field.nullable,
            unique=field.unique,
        )
        for field in schema.fields
        if field.name in present
    }
    return pa.DataFrameSchema(
        {
            name: column
            for name, column in columns.items()
            if column.checks or not column.nullable or column.unique
        },
        strict=False,
    )


def describe_failure(field: Field, check: str, value: object) -> Message:
    """What failed, from pandera's check name (or the ``error`` of the checks above)."""
    if check == "not_nullable":
        return Message("input.value.empty")
    if check == "field_uniqueness":
        return Message("input.value.duplicate", value=repr(value))
    bound = {"below_minimum": field.minimum, "above_maximum": field.maximum}.get(check)
    words = Message(f"input.check.{check}", **({} if bound is None else {"bound": bound}))
    return Message("input.value.invalid", value=repr(value), check=words)


# What R, Stata and spreadsheets write for a missing value.
MISSING_WORDS = frozenset({"NA", "N/A", "."})
# Norwegian words for the contract's category values, read where the contract has the level.
CATEGORY_WORDS = {
    "ja": "yes",
    "nei": "no",
    "kvinne": "female",
    "mann": "male",
    "offentlig": "public",
    "privat": "private",
}
DELIMITERS = (",", ";", "\t")


def per_distinct(values: pd.Series, change) -> pd.Series:
    """``change`` applied to each distinct text of ``values`` once (register extracts repeat
    a few values over millions of rows), mapped back to every row."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    changed = np.asarray([change(text) for text in distinct], dtype=object)
    return pd.Series(changed[codes], index=values.index, name=values.name)


# ``frame.attrs`` key: the line each data row of the file read starts on, where the rows do not
# each take one line (a quoted cell spanning lines, blank lines); else None.
ROW_LINES = "row_lines"


def row_line(frame: pd.DataFrame, row: int) -> int:
    """The line of the file read into ``frame`` on which its 1-based data row ``row`` starts
    (the header is line 1)."""
    lines = frame.attrs.get(ROW_LINES)
    return lines[row - 1] if lines and 0 < row <= len(lines) else row + 1


def located(problems: list[Problem], frame: pd.DataFrame) -> list[Problem]:
    """``problems`` of the rows of ``frame`` with the line each row starts on."""
    return [
        problem if problem.row is None else replace(problem, line=row_line(frame, problem.row))
        for problem in problems
    ]


def file_error(file: str, message: Message, fix: Message) -> InputError:
    """The error of a problem with a whole file (no column, no row)."""
    return InputError([Problem(file, None, None, message, fix)])


def _line_list(lines: list[int], shown: int = 10) -> str:
    """Line numbers as '3, 7, 9' (the first ``shown`` and how many more)."""
    text = ", ".join(map(str, lines[:shown]))
    return text if len(lines) <= shown else f"{text} (+{len(lines) - shown})"


def _decode(raw: bytes, name: str, notes: Notes) -> str:
    """The text of a file in UTF-8, else Windows-1252 (with a note); a file whose lines are
    partly one and partly the other is refused, naming the lines of each."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    utf8, cp1252 = [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8.append(number)
        except UnicodeDecodeError:
            cp1252.append(number)
    if utf8:
        raise file_error(
            name,
            Message("input.mixed_encoding", utf8=_line_list(utf8), cp1252=_line_list(cp1252)),
            Message("input.fix.one_encoding"),
        )
    notes.add("input.note.cp1252", file=name)
    return raw.decode("cp1252", errors="replace")


def _read_text_table(
    path: Path, name: str, notes: Notes, usecols: list[int] | None = None
) -> pd.DataFrame:
    text = _decode(path.read_bytes(), name, notes)
    header = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)
    if delimiter != ",":
        notes.add({";": "input.note.semicolon", "\t": "input.note.tab"}[delimiter], file=name)
    frame = pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        dtype=str,
        keep_default_na=False,
        na_values=[],
        usecols=usecols,
    )
    frame.attrs["decimal_comma"] = delimiter == ";"
    one_line_each = text.rstrip("\r\n").count("\n") == len(frame)
    frame.attrs[ROW_LINES] = None if one_line_each else _row_lines(text, delimiter)
    return frame


def _row_lines(text: str, delimiter: str) -> list[int]:
    """The line each data row of a delimited text starts on, when quoted cells span lines or
    blank lines (which pandas skips) lie between the rows."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    starts, end = [], 0
    for record in reader:
        if record and end > 0:  # not the header, not a blank line
            starts.append(end + 1)
        end = reader.line_num
    return starts


def _read_workbook(
    workbook: Path, name: str, columns: tuple[str, ...], notes: Notes
) -> pd.DataFrame:
    """The sheet of ``workbook`` that holds ``columns`` (any case): the first sheet if it does
    or if it is the only one, else the first that does (with a note); refused, naming the
    sheets, when several sheets and none has them."""
    sheets = pd.read_excel(
        workbook, sheet_name=None, dtype=str, keep_default_na=False, na_values=[]
    )
    wanted = {column.lower() for column in columns}

    def fits(frame: pd.DataFrame) -> bool:
        return wanted <= {str(column).strip().lower() for column in frame.columns}

    names = list(sheets)
    chosen = next((sheet for sheet in names if fits(sheets[sheet])), None)
    if len(names) == 1 or chosen == names[0]:
        notes.add("input.note.workbook", file=name)
        return sheets[names[0]]
    if chosen is None:
        raise file_error(
            name,
            Message(
                "input.no_sheet_fits",
                sheets=", ".join(repr(sheet) for sheet in names),
                columns=", ".join(columns),
            ),
            Message("input.fix.sheet"),
        )
    notes.add("input.note.workbook_sheet", file=name, sheet=chosen)
    return sheets[chosen]


def read_raw(
    path: Path, data_dir: Path, notes: Notes, columns: tuple[str, ...] = ()
) -> pd.DataFrame:
    """A table as text cells ('' for missing), raising InputError if absent or empty.

    Reads comma-, semicolon- or tab-separated text (UTF-8 with or without BOM, else
    Windows-1252 with a note in ``notes``), or an Excel workbook with the same name and
    ``.xlsx`` when there is no ``.csv`` (the sheet that has ``columns``). Both files present
    are refused.
    ``NA`` and ``.`` are read as missing.
    """
    name = _display_name(path, data_dir)
    workbook = path.with_suffix(".xlsx")
    if path.is_file() and workbook.is_file() and path != workbook:
        raise file_error(
            name,
            Message("input.two_files", other=_display_name(workbook, data_dir)),
            Message("input.fix.keep_one", file=path.name, other=workbook.name),
        )
    try:
        if path.is_file():
            frame = _read_text_table(path, name, notes)
        elif workbook.is_file():
            name = _display_name(workbook, data_dir)
            frame = _read_workbook(workbook, name, columns, notes)
        else:
            raise file_error(
                name,
                Message("input.file_missing"),
                Message("input.fix.add_file", workbook=workbook.name),
            )
    except pd.errors.EmptyDataError:
        raise file_error(
            name, Message("input.file_empty"), Message("input.fix.write_rows")
        ) from None
    except (pd.errors.ParserError, ValueError) as error:
        raise file_error(
            name,
            Message("input.file_unreadable", error=str(error)),
            Message("input.fix.save_as_table"),
        ) from None
    if frame.empty:
        raise file_error(name, Message("input.no_rows"), Message("input.fix.add_row"))
    # Each distinct text of the whole file read once (cells read as text: a text equals only
    # the same text). Column by column, as pandas holds the cells it read: they are not copied.
    cells = frame.to_numpy(dtype=object).T
    codes, distinct = pd.factorize(cells.ravel(), use_na_sentinel=False)
    read = np.asarray([_cell(value) for value in distinct], dtype=object)
    text = pd.DataFrame(
        read[codes].reshape(cells.shape).T,
        index=frame.index,
        columns=[str(column).strip() for column in frame.columns],
    )
    text.attrs = dict(frame.attrs)
    return text


def _cell(value: object) -> str:
    """A cell's text as read: stripped, and '' for a missing-value word."""
    stripped = str(value).strip()
    return "" if stripped in MISSING_WORDS else stripped


def table_rows(path: Path, data_dir: Path) -> int:
    """The number of data rows :func:`read_raw` reads from the table at ``path`` (a text
    file's rows read for their first column only: the count of a register-sized file without
    the work of reading every cell)."""
    if path.is_file():  # else its workbook
        return len(_read_text_table(path, _display_name(path, data_dir), Notes(), usecols=[0]))
    return len(read_raw(path, data_dir, Notes()))


def _display_name(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_dir.parent))
    except ValueError:
        return str(path)


def harmonise(frame: pd.DataFrame, schema: Schema, name: str, notes: Notes) -> pd.DataFrame:
    """Read what researchers' files commonly hold, each with a note in ``notes``: column names
    in another case, Norwegian or capitalised category words, decimal commas in semicolon
    files."""
    present = set(frame.columns)
    renames = {
        column: field.name
        for field in schema.fields
        if field.name not in present
        for column in frame.columns
        if str(column).lower() == field.name.lower()
    }
    for column, field_name in renames.items():
        notes.add("input.note.renamed", file=name, column=column, name=field_name)
    frame = frame.rename(columns=renames)  # a copy, changed below
    decimal_comma = frame.attrs.get("decimal_comma")
    for field in schema.fields:
        if field.name not in frame:
            continue
        if field.kind == "category":
            # Each distinct text once: read as a level when it is none but its word is one.
            codes, distinct = pd.factorize(frame[field.name], use_na_sentinel=False)
            read = [
                word if text not in field.levels and word in field.levels else text
                for text in distinct
                for word in (CATEGORY_WORDS.get(text.lower(), text.lower()),)
            ]
            words = sorted(text for text, was in zip(distinct, read, strict=True) if was != text)
            if words:
                notes.add(
                    "input.note.category_words",
                    file=name,
                    column=field.name,
                    words=", ".join(words),
                )
                frame[field.name] = pd.Series(
                    np.asarray(read, dtype=object)[codes], index=frame.index, name=field.name
                )
        elif field.kind in ("integer", "number") and decimal_comma:
            frame[field.name] = per_distinct(frame[field.name], lambda v: v.replace(",", "."))
    return frame


# More failures of one kind in one column than this are reported as one problem.
GROUP_AFTER = 3


def _failures(errors: SchemaErrors, schema: Schema, name: str) -> list[Problem]:
    cases = errors.failure_cases
    problems = []
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        field = schema.field(str(column))
        group = group.sort_values("index", kind="stable")  # the first row first
        rows = [None if pd.isna(index) else int(index) + 1 for index in group["index"]]
        values = list(group["failure_case"])
        if len(group) > GROUP_AFTER:
            problems.append(
                Problem(
                    name,
                    field.name,
                    rows[0],
                    Message(
                        "input.value.many",
                        n=len(group),
                        failure=describe_failure(field, str(check), values[0]),
                    ),
                    field.fix_hint(),
                )
            )
            continue
        problems += [
            Problem(
                name, field.name, row, describe_failure(field, str(check), value), field.fix_hint()
            )
            for row, value in zip(rows, values, strict=True)
        ]
    return problems


def column_missing(file: str, field: Field, columns: list[str]) -> Problem:
    """The problem of a required column ``field`` missing from ``file``, whose ``columns`` the
    fix lists (when there are at most 30)."""
    return Problem(
        file,
        field.name,
        None,
        Message("input.column_missing"),
        Message(
            "input.fix.add_column",
            column=field.name,
            hint=field.fix_hint(),
            found=Message("input.fix.columns_found", columns=", ".join(columns))
            if len(columns) <= 30
            else "",
        ),
    )


def validate_frame(frame: pd.DataFrame, schema: Schema, name: str, notes: Notes) -> pd.DataFrame:
    """Check text cells against ``schema`` and return typed columns (keeping ``frame.attrs``),
    or raise InputError."""
    frame = harmonise(frame, schema, name, notes)
    known = {field.name for field in schema.fields}
    text = pd.DataFrame(
        {
            # The columns the schema does not know as read, not categorical.
            column: _categories(frame[column])
            if column in known
            else frame[column].replace("", None)
            for column in frame.columns
        },
        index=frame.index,
    )
    problems = find_identifiers(text, name, schema)  # each column's distinct texts as is
    present = set(frame.columns)
    problems += [
        column_missing(name, field, list(map(str, frame.columns)))
        for field in schema.fields
        if field.required and field.name not in present
    ]
    try:
        _pandera_schema(schema, frozenset(present)).validate(text, lazy=True, inplace=True)
    except SchemaErrors as errors:
        problems += _failures(errors, schema, name)
    if problems:
        problems = located(problems, frame)
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    typed = typed_columns(text, schema)
    typed.attrs = dict(frame.attrs)
    return typed


def _categories(values: pd.Series) -> pd.Categorical:
    """A column of text cells as categorical cells, '' missing: each check and conversion
    then meets every distinct text once, whatever the number of rows."""
    codes, distinct = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    present = ~pd.isna(distinct) & (distinct != "")
    kept = np.cumsum(present) - 1  # each distinct text's category, -1 for ''
    return pd.Categorical.from_codes(
        np.where(present, kept, -1)[codes],
        categories=pd.Index(distinct[present], dtype=object),
        validate=False,
    )


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's code (-1 missing) and the distinct values: a categorical column's own."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.array.codes, values.array.categories.to_numpy()
    codes, distinct = pd.factorize(values)
    return codes, np.asarray(distinct, dtype=object)


def typed_columns(text: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Checked text cells (missing ones None) as the types of their fields in ``schema``."""
    kinds = {field.name: field.kind for field in schema.fields}
    typed = pd.DataFrame(
        {
            column: text[column] if column not in kinds else _typed(text[column], kinds[column])
            for column in text.columns
        },
        index=text.index,
    )
    typed.attrs = dict(text.attrs)
    return typed


def _typed(values: pd.Series, kind: Kind) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A checked column of texts (None missing) as its ``kind``: whole numbers (``Int64``) or
    floats, else text (``string``); each distinct text converted once (a register-sized column
    repeats a few)."""
    # The dtypes as objects, not names: pandas looks a name up in its registry each time.
    codes, distinct = _codes(values)
    if kind not in ("binary", "integer", "number"):
        return pd.array(distinct, dtype=pd.StringDtype()).take(codes, allow_fill=True)
    numbers = pd.array(pd.to_numeric(distinct))
    if kind != "number":
        return numbers.astype(pd.Int64Dtype()).take(codes, allow_fill=True)
    floats = numbers.astype(pd.Float64Dtype()).take(codes, allow_fill=True)
    return floats.to_numpy(float, na_value=np.nan)


def table_file(data_dir: Path, schema: Schema) -> Path | None:
    """The file of ``schema`` in ``data_dir``: its text file, else the workbook of the same name
    (None when neither is there)."""
    path = Path(data_dir) / schema.file
    return next((p for p in (path, path.with_suffix(".xlsx")) if p.is_file()), None)


def read_table(data_dir: Path, schema: Schema, notes: Notes | None = None) -> pd.DataFrame:
    """Read and validate ``schema.file`` below ``data_dir``; how it was read goes to
    ``notes`` (when given)."""
    path = Path(data_dir) / schema.file
    notes = Notes() if notes is None else notes
    required = tuple(field.name for field in schema.fields if field.required)
    return validate_frame(
        read_raw(path, Path(data_dir), notes, required),
        schema,
        _display_name(path, Path(data_dir)),
        notes,
    )


def require(
    condition: pd.Series,
    frame: pd.DataFrame,
    frame_name: str,
    column: str,
    message: Message,
    fix: Message,
) -> None:
    """Raise InputError for every row of ``frame`` where ``condition`` is False (for
    cross-column rules)."""
    failing = condition.index[~condition.fillna(True).astype(bool)]
    if len(failing):
        problems = [Problem(frame_name, column, int(i) + 1, message, fix) for i in failing]
        raise InputError(located(problems, frame))
