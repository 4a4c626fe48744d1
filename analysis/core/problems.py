"""What is wrong with the input, and how it was read: light types every layer may raise.

Kept apart from :mod:`analysis.core.validation` (which needs pandas and pandera) so that the
build and the study descriptions can use them without loading the table machinery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. ``row`` is the 1-based data row (header excluded)."""

    file: str
    column: str | None
    row: int | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = [self.file]
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.row is not None:
            where.append(f"row {self.row} (line {self.row + 1})")
        return f"{', '.join(where)}: {self.message}. Fix: {self.fix}"


class InputError(Exception):
    """Input data that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{len(self.problems)} problem(s) in the input data:"]
        lines += [f"  - {problem}" for problem in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        return "\n".join(lines)


_notes: list[str] = []


def note(text: str) -> None:
    """Record how an input was read (said once, after validation)."""
    if text not in _notes:
        _notes.append(text)


def take_notes() -> list[str]:
    """The notes recorded since the last call."""
    taken = list(_notes)
    _notes.clear()
    return taken
