"""Table 1: the employees by exposure group, the variables of the analysis plan, as far as
disclosure control lets it be shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.chapters.cohort.collapsed import weights_of
from analysis.chapters.cohort.data import DEFAULT_PLAN
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


def table1_counts(data: pd.DataFrame, plan: AnalysisPlan = DEFAULT_PLAN) -> pd.DataFrame:
    """Counts of persons (rows counted by their case weights) per Table 1 variable of ``plan``
    and level (``""`` = missing) overall and by exposure group (a variable nobody has a value
    of is left out)."""
    records = []
    weight = weights_of(data)
    groups = {
        "total": np.ones(len(data), bool),
        "yes": (data[EXPOSURE] == "yes").to_numpy(bool),
        "no": (data[EXPOSURE] == "no").to_numpy(bool),
    }
    variables = [v for v in plan.table1 or () if v in data and data[v].notna().any()]
    for variable in variables:
        values = data[variable]
        for level in (*(plan.variables or {})[variable].codes, MISSING):
            record = {"variable": variable, "level": level}
            chosen = (values.isna() if level == MISSING else values == level).to_numpy(bool)
            for name, group in groups.items():
                record[name] = int(weight[chosen & group].sum())
            records.append(record)
    return pd.DataFrame(records)


def crosstab(counts: pd.DataFrame, variable: str) -> pd.DataFrame:
    """One block of :func:`table1_counts` as levels × coordinator (yes, no), without the
    missing row when nobody has a missing value."""
    block = counts[counts["variable"] == variable].set_index("level")[["yes", "no"]]
    return block[(block.index != MISSING) | (block.sum(axis=1) > 0)]


def table1(
    data: pd.DataFrame, suppress_below: int = 0, plan: AnalysisPlan = DEFAULT_PLAN
) -> Table1:
    """Table 1, each block suppressed as a two-way table with its margins, so that no hidden
    count can be worked out from the block, the group sizes and the number of employees."""
    counts = table1_counts(data, plan)
    return Table1(
        {
            variable: suppress_crosstab(crosstab(counts, variable), suppress_below)
            for variable in dict.fromkeys(counts["variable"])
        },
        suppress_below,
        plan.exposure.json_names,
    )
