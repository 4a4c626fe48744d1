"""What is wrong with the input, and how it was read: light types every layer may raise.

Every message is a :class:`Message`, a label key of the catalog with its placeholder values, so
it reads in the user's language: shared messages are ``input.*`` labels
(``analysis/core/labels/input.yaml``), a chapter's own ``<chapter>.input.*``. ``str()`` gives
English. Kept apart from :mod:`analysis.core.validation` (which needs pandas and pandera) so
that the build and the study descriptions can use them without loading the table machinery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analysis.core.catalog import t

# More problems than this are counted, not listed.
LISTED = 50
# The line each data row starts on, for the files read whose rows do not each take one line
# (a quoted cell spanning lines, blank lines); elsewhere row ``n`` is on line ``n + 1``.
_ROW_LINES: dict[str, list[int]] = {}


def record_row_lines(file: str, lines: list[int] | None) -> None:
    """Remember where each data row of ``file`` starts (``None``: one line per row)."""
    if lines is None:
        _ROW_LINES.pop(file, None)
    else:
        _ROW_LINES[file] = lines


def row_line(file: str, row: int) -> int:
    """The line of ``file`` on which its 1-based data row ``row`` starts (header on line 1)."""
    lines = _ROW_LINES.get(file)
    return lines[row - 1] if lines and 0 < row <= len(lines) else row + 1


@dataclass(frozen=True, init=False)
class Message:
    """A label key and its placeholder values; a value that is itself a ``Message`` (a word
    such as a kind of value) is written in the same language, a name the data give in every
    language (``{"en": ..., "nb": ...}``) in that language, other values as they are."""

    key: str
    values: tuple[tuple[str, object], ...]

    def __init__(self, key: str, /, **values: object) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "values", tuple(values.items()))

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return t(
            self.key,
            lang,
            **{
                name: value.text(lang) if isinstance(value, Message) else value
                for name, value in self.values
            },
        )

    def to_json(self) -> dict:
        """``{"key": ..., "values": {...}}``, a value that is a ``Message`` in the same form."""
        return {
            "key": self.key,
            "values": {
                name: value.to_json() if isinstance(value, Message) else value
                for name, value in self.values
            },
        }

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where (``row`` is the 1-based data row, header
    excluded), what (``issue``) and how to fix it (``remedy``)."""

    file: str
    column: str | None
    row: int | None
    issue: Message
    remedy: Message

    @property
    def message(self) -> str:
        """What is wrong, in English."""
        return self.issue.text("en")

    @property
    def fix(self) -> str:
        """How to fix it, in English."""
        return self.remedy.text("en")

    def text(self, lang: str) -> str:
        """The problem in ``lang``: file, column and row, what is wrong and the fix."""
        where = [self.file]
        if self.column is not None:
            where.append(t("input.where.column", lang, column=self.column))
        if self.row is not None:
            line = row_line(self.file, self.row)
            where.append(t("input.where.row", lang, row=self.row, line=line))
        return t(
            "input.problem",
            lang,
            where=", ".join(where),
            message=self.issue.text(lang),
            fix=self.remedy.text(lang),
        )

    def __str__(self) -> str:
        return self.text("en")


class InputError(Exception):
    """Input data that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(str(self))

    def text(self, lang: str) -> str:
        """Every problem (the first ``LISTED``) in ``lang``, one per line under a count."""
        count = len(self.problems)
        lines = [t(f"input.problems.{'one' if count == 1 else 'other'}", lang, n=count)]
        lines += [f"  - {problem.text(lang)}" for problem in self.problems[:LISTED]]
        if count > LISTED:
            lines.append("  " + t("input.problems.more", lang, n=count - LISTED))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text("en")


_notes: list[Message] = []


def note(key: str, **values: object) -> None:
    """Record how an input was read, as the label ``key`` (said once, after validation)."""
    message = Message(key, **values)
    if message not in _notes:
        _notes.append(message)


def take_notes(lang: str = "en") -> list[str]:
    """The notes recorded since the last call, in ``lang``."""
    taken = [message.text(lang) for message in _notes]
    _notes.clear()
    return taken
