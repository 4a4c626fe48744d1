"""Table 1: the employees by coordinator, with the disclosure-control decisions."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.chapters.cohort.data import AGE_GROUPS, LEVELS, SYMPTOMS
from analysis.core.disclosure import is_suppressed

TABLE1_VARIABLES = (
    "sex",
    "age_group",
    "marital_status",
    "education",
    "diagnosis",
    *SYMPTOMS,
    "programme_type",
    "sector",
    "prior_sick_leave",
    "household_income",
)
GROUPS = ("total", "yes", "no")


@dataclass(frozen=True)
class Table1:
    """Counts per variable and level (``""`` = missing) in all (``total``) and by coordinator
    (``yes``/``no``); ``hidden`` marks the counts below the disclosure threshold."""

    counts: pd.DataFrame
    hidden: pd.DataFrame
    suppress_below: int


def table1_counts(data: pd.DataFrame) -> pd.DataFrame:
    """Counts per variable and level (``""`` = missing) overall and by coordinator."""
    records = []
    groups = {
        "total": data,
        "yes": data[data["coordinator"] == "yes"],
        "no": data[data["coordinator"] == "no"],
    }
    variables = [v for v in TABLE1_VARIABLES if v in data and data[v].notna().any()]
    for variable in variables:
        levels = AGE_GROUPS if variable == "age_group" else LEVELS[variable]
        for level in (*levels, ""):
            record = {"variable": variable, "level": level}
            for name, group in groups.items():
                values = group[variable]
                record[name] = int(values.isna().sum() if level == "" else (values == level).sum())
            records.append(record)
    return pd.DataFrame(records)


def table1(data: pd.DataFrame, suppress_below: int = 0) -> Table1:
    """Table 1 counts and which of them disclosure control hides."""
    counts = table1_counts(data)
    hidden = counts[list(GROUPS)].map(lambda count: is_suppressed(count, suppress_below))
    return Table1(counts, hidden, suppress_below)
