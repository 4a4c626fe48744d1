"""Provider survey statistics: counts by finance and the six 2×2 tests of a permanent
coordinator.

For each exposure the 2×2 table against having a permanent coordinator is tested with
Pearson χ² without continuity correction (as SPSS prints it), Yates-corrected χ², Fisher's
exact p, and the odds ratio with a Woolf (logit) 95 % CI (SPSS's "Risk Estimate"). Shares
of programmes with a coordinator carry Wilson 95 % intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import nan

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, fisher_exact
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint

from analysis.chapters.provider.data import COORDINATOR_TYPES, DIAGNOSES, FINANCE, TYPES

EXPOSURES = ("finance_nav", "finance_both", "finance_rha", *DIAGNOSES)
CELLS = ("exposed_yes", "exposed_no", "unexposed_yes", "unexposed_no")
SECTIONS = ("types", "coordinators", "diagnoses")


@dataclass(frozen=True)
class TableTest:
    """One exposure's 2×2 table (exposure × permanent coordinator) and its tests."""

    counts: dict[str, int]
    chi2: float
    p: float
    chi2_yates: float
    p_yates: float
    p_fisher: float
    odds_ratio: float
    or_ci_low: float
    or_ci_high: float
    reason: str | None = None  # why the statistics are not estimable (then they are NaN)

    def to_json(self) -> dict:
        """The table's entry in ``provider.json``."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def exposures(frame: pd.DataFrame) -> pd.DataFrame:
    """The six exposures and the coordinator answer as nullable booleans (NA if missing)."""
    finance = frame["finance"]
    exposed = pd.DataFrame(
        {
            "finance_nav": finance.isin(["nav", "both"]),
            "finance_both": finance.eq("both"),
            "finance_rha": finance.isin(["rha", "both"]),
        }
    ).astype("boolean")
    for name in DIAGNOSES:
        exposed[name] = frame[name].map({"yes": True, "no": False}).astype("boolean")
    exposed["coordinator"] = (
        frame["permanent_coordinator"].map({"yes": True, "no": False}).astype("boolean")
    )
    return exposed


def two_by_two(frame: pd.DataFrame, exposure: str) -> dict[str, int]:
    """Counts of exposure × permanent coordinator, rows with either answer missing left out."""
    table = exposures(frame)[[exposure, "coordinator"]].dropna()
    exposed, coordinator = table[exposure].astype(bool), table["coordinator"].astype(bool)
    return {
        "exposed_yes": int((exposed & coordinator).sum()),
        "exposed_no": int((exposed & ~coordinator).sum()),
        "unexposed_yes": int((~exposed & coordinator).sum()),
        "unexposed_no": int((~exposed & ~coordinator).sum()),
    }


def table_statistics(counts: dict[str, int]) -> TableTest:
    """χ² (Pearson and Yates), Fisher's exact p and the odds ratio with Woolf 95 % CI; all
    not estimable (NaN, with the reason) when a row or column of the table is empty."""
    cells = np.array(
        [
            [counts["exposed_yes"], counts["exposed_no"]],
            [counts["unexposed_yes"], counts["unexposed_no"]],
        ]
    )
    if (cells.sum(axis=0) == 0).any() or (cells.sum(axis=1) == 0).any():
        # With an empty row or column no test and no odds ratio exist.
        return TableTest(counts, *(nan,) * 8, reason="empty_margin")
    pearson = chi2_contingency(cells, correction=False)
    yates = chi2_contingency(cells, correction=True)
    odds = Table2x2(cells)
    low, high = odds.oddsratio_confint(alpha=0.05, method="normal")
    return TableTest(
        counts=counts,
        chi2=float(pearson.statistic),
        p=float(pearson.pvalue),
        chi2_yates=float(yates.statistic),
        p_yates=float(yates.pvalue),
        p_fisher=float(fisher_exact(cells).pvalue),
        odds_ratio=float(odds.oddsratio),
        or_ci_low=float(low),
        or_ci_high=float(high),
    )


def by_finance(frame: pd.DataFrame, columns: tuple[str, ...], yes: object = 1) -> pd.DataFrame:
    """Programmes answering ``yes`` in each of ``columns`` per finance group, with a total
    column (rows = columns; optional columns absent from the data are left out)."""
    columns = tuple(column for column in columns if column in frame)
    counts = pd.DataFrame(
        {
            finance: [
                int(frame.loc[frame["finance"].eq(finance), c].eq(yes).sum()) for c in columns
            ]
            for finance in FINANCE
        },
        index=list(columns),
    )
    counts["total"] = counts.sum(axis=1)
    return counts


def section_counts(frame: pd.DataFrame, section: str) -> pd.DataFrame:
    """Table 1 section (``types``, ``coordinators`` or ``diagnoses``) as counts by finance;
    the coordinator section starts with the permanent coordinator row."""
    if section == "types":
        return by_finance(frame, TYPES)
    if section == "coordinators":
        with_pc = frame.assign(
            coord_permanent=frame["permanent_coordinator"].eq("yes").fillna(False).astype(int)
        )
        return by_finance(with_pc, ("coord_permanent", *COORDINATOR_TYPES))
    return by_finance(frame, DIAGNOSES, yes="yes")


def coordinator_by_finance(frame: pd.DataFrame) -> pd.DataFrame:
    """Permanent coordinator yes/valid per finance group, share with Wilson 95 % CI."""
    rows = []
    for finance in FINANCE:
        answers = frame.loc[frame["finance"].eq(finance), "permanent_coordinator"].dropna()
        yes, valid = int(answers.eq("yes").sum()), len(answers)
        # A group without answers has no share (not estimable), not a division by zero.
        low, high = proportion_confint(yes, valid, method="wilson") if valid else (nan, nan)
        rows.append(
            {
                "finance": finance,
                "yes": yes,
                "valid": valid,
                "share": yes / valid if valid else nan,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows).set_index("finance")
