"""What is wrong with the input, and how it was read: light types every layer may raise or
fill.

Every message is a :class:`Message`, a label key of the catalog with its placeholder values, so
it reads in the user's language: shared messages are ``input.*`` labels
(``analysis/core/labels/input.yaml``), a chapter's own ``<chapter>.input.*``. ``str()`` gives
English. Kept apart from :mod:`analysis.core.validation` (which needs pandas and pandera) so
that the build and the study descriptions can use them without loading the table machinery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from analysis.core.catalog import catalog, t

# More problems than this are counted, not listed.
LISTED = 50


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

    @property
    def known(self) -> bool:
        """True when the catalog has the message's label."""
        return self.key in catalog()

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
    excluded; ``line`` the line it starts on when that is not ``row + 1``: a quoted cell over
    several lines, blank lines), what (``issue``) and how to fix it (``remedy``); ``key`` is
    the key of a description file (``outcomes.rtw.direction``) in place of a column."""

    file: str
    column: str | None
    row: int | None
    issue: Message
    remedy: Message
    line: int | None = None
    key: str | None = None

    @property
    def message(self) -> str:
        """What is wrong, in English."""
        return self.issue.text("en")

    @property
    def fix(self) -> str:
        """How to fix it, in English."""
        return self.remedy.text("en")

    def text(self, lang: str) -> str:
        """The problem in ``lang``: file, column (or key) and row, what is wrong and the fix."""
        where = [self.file]
        if self.column is not None:
            where.append(t("input.where.column", lang, column=self.column))
        if self.key is not None:
            where.append(t("input.where.key", lang, name=self.key))
        if self.row is not None and self.file.endswith(".parquet"):  # a file without lines
            where.append(t("input.where.record", lang, row=self.row))
        elif self.row is not None:
            line = self.row + 1 if self.line is None else self.line
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


class Notes:
    """How the inputs were read (a semicolon-separated file, Windows-1252, a renamed
    column, ...), each note once: the loaders add to the collector they are given, and the
    build says the notes after validation."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def add(self, key: str, **values: object) -> None:
        """Note how an input was read, as the label ``key``."""
        message = Message(key, **values)
        if message not in self.messages:
            self.messages.append(message)

    def texts(self, lang: str = "en") -> list[str]:
        """The notes in ``lang``."""
        return [message.text(lang) for message in self.messages]
