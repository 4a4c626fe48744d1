"""Table 1: the employees by exposure group, the variables of the analysis plan, as far as
disclosure control lets it be shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.chapters.cohort.collapsed import weights_of
from analysis.chapters.cohort.data import DEFAULT_PLAN, level_positions
from analysis.chapters.cohort.plan import EXPOSURE, AnalysisPlan
from analysis.core.disclosure import Suppressed, suppress_crosstab

GROUPS = ("total", "yes", "no")
# The coordinator column of a group in the keys of a block (None: both together).
COLUMNS: dict[str, str | None] = {"total": None, "yes": "yes", "no": "no"}
MISSING = ""


@dataclass(frozen=True)
class Table1:
    """Per variable (a *block*), its levels × coordinator yes/no with both margins, passed
    through :func:`analysis.core.disclosure.suppress_crosstab`: keys ``(level, column)`` with
    ``level`` ``""`` for missing (present only where someone has a missing value) and
    ``column`` ``"yes"``, ``"no"`` or None (the total); ``(None, column)`` are the group
    sizes. Hidden counts are None; the counts themselves are not kept."""

    blocks: Mapping[str, Suppressed]
    suppress_below: int
    group_names: Mapping[str, str]  # the exposure groups' names in the JSON, by role

    def levels(self, variable: str) -> list[str]:
        """The levels of a block in table order (missing last, if present)."""
        return list(
            dict.fromkeys(level for level, _ in self.blocks[variable].values if level is not None)
        )

    def value(self, variable: str, level: str | None, group: str) -> int | None:
        """The shown count of ``level`` (None: everyone) in ``group`` (``total``/``yes``/``no``)."""
        return self.blocks[variable].values[(level, COLUMNS[group])]

    def size(self, group: str) -> int | None:
        """The number of employees in ``group``, None when any block hides it."""
        sizes = {block.values[(None, COLUMNS[group])] for block in self.blocks.values()}
        return None if None in sizes or len(sizes) != 1 else sizes.pop()

    def known(self, variable: str, group: str) -> int | None:
        """Those with a known value in ``group``: its size minus the missing row (None when
        that is hidden, so that a share of the known would give it away)."""
        size = self.size(group)
        if MISSING not in self.levels(variable):
            return size
        missing = self.value(variable, MISSING, group)
        return None if size is None or missing is None else size - missing

    @property
    def _keys(self) -> dict[str | None, str]:
        """The JSON names of a block's columns: the total and the exposure groups."""
        return {None: "total", **self.group_names}

    def reasons(self) -> dict[str, str]:
        """Where counts are hidden, by their key in ``cohort.json`` (``table1.<variable>.<level
        or missing>.<total|coordinator|no_coordinator>``), with the public reason."""
        return {
            f"table1.{variable}.{level_key(level)}.{self._keys[column]}": reason
            for variable, block in self.blocks.items()
            for (level, column), reason in block.reasons().items()
            if level is not None
        }

    def to_json(self) -> dict:
        """The shown counts per variable, level and group (hidden ones null)."""
        return {
            variable: {
                level_key(level): {
                    self._keys[column]: block.values[(level, column)] for column in COLUMNS.values()
                }
                for level in self.levels(variable)
            }
            for variable, block in self.blocks.items()
        }


# JSON names of the exposure groups of the paper's plan, and of the columns of a block.
GROUP_NAMES = DEFAULT_PLAN.exposure.json_names
GROUP_KEYS = {None: "total", **GROUP_NAMES}


def level_key(level: str) -> str:
    """A level's key in ``cohort.json`` (``missing`` for the missing row)."""
    return level or "missing"


def json_path(root: str, variable: str, level: str, column: str | None) -> str:
    """The ``cohort.json`` path of one Table 1 count."""
    return f"{root}.{variable}.{level_key(level)}.{GROUP_KEYS[column]}"


def _counts(data: pd.DataFrame, plan: AnalysisPlan) -> dict[str, np.ndarray]:
    """Per Table 1 variable of ``plan`` that someone has a value of, the persons (rows counted
    by their case weights) of each level and of missing (the last row), overall and by
    exposure group (columns as :data:`GROUPS`)."""
    weight = weights_of(data)
    exposure = level_positions(data[EXPOSURE], GROUPS[1:])
    groups = [np.ones(len(data), bool), *(exposure == i for i in range(len(GROUPS) - 1))]
    counts = {}
    for variable in (v for v in plan.table1 or () if v in data and data[v].notna().any()):
        levels = (plan.variables or {})[variable].codes
        # missing: the last row; other values (-1): none
        codes = level_positions(data[variable], levels, missing=len(levels))
        counts[variable] = np.column_stack(
            [
                np.bincount(codes[chosen], weight[chosen], len(levels) + 1)
                for chosen in (group & (codes >= 0) for group in groups)
            ]
        ).astype(int)
    return counts


def table1(
    data: pd.DataFrame, suppress_below: int = 0, plan: AnalysisPlan = DEFAULT_PLAN
) -> Table1:
    """Table 1, each block suppressed as a two-way table with its margins, so that no hidden
    count can be worked out from the block, the group sizes and the number of employees."""
    variables = plan.variables or {}
    blocks = {}
    for variable, counts in _counts(data, plan).items():
        levels = [*variables[variable].codes, MISSING]
        shown = (counts[:, 1:].sum(axis=1) > 0) | (np.array(levels) != MISSING)
        block = pd.DataFrame(
            counts[shown, 1:], index=pd.Index(levels)[shown], columns=list(GROUPS[1:])
        )  # levels × exposure groups, without the missing row when nobody has a missing value
        blocks[variable] = suppress_crosstab(block, suppress_below)
    return Table1(blocks, suppress_below, plan.exposure.json_names)
