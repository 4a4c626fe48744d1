"""Provider survey statistics: counts by finance and the six 2×2 tests of a permanent
coordinator.

For each exposure the 2×2 table against having a permanent coordinator is tested with
Pearson χ² without continuity correction (as SPSS prints it and R's ``chisq.test(correct =
FALSE)``), Yates-corrected χ² (R's default ``chisq.test``; the correction is at most
|O − E|, as in R and scipy), Fisher's exact p (two-sided, tables as likely as or less likely
than the observed one, as R's ``fisher.test``), and the odds ratio with a Woolf (logit) 95 %
CI (SPSS's "Risk Estimate"). With a zero cell the odds ratio and its interval use the
Haldane–Anscombe correction: 0.5 added to all four cells (SPSS prints no odds ratio then,
statsmodels' ``Table2x2`` replaces only the zero cells by 0.5); the tests use the raw counts.
Shares of programmes with a coordinator carry Wilson 95 % intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import exp, log, nan, sqrt

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, fisher_exact, norm
from statsmodels.stats.proportion import proportion_confint

from analysis.chapters.provider.data import COORDINATOR_TYPES, DIAGNOSES, FINANCE, TYPES

EXPOSURES = ("finance_nav", "finance_both", "finance_rha", *DIAGNOSES)
CELLS = ("exposed_yes", "exposed_no", "unexposed_yes", "unexposed_no")
SECTIONS = ("types", "coordinators", "diagnoses")
Z95 = float(norm.isf(0.025))
HALDANE_ANSCOMBE = "haldane_anscombe"  # 0.5 added to all four cells of a table with a zero cell


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
    or_correction: str | None = None  # HALDANE_ANSCOMBE when the table has a zero cell

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


def woolf_odds_ratio(cells: np.ndarray) -> tuple[float, float, float, str | None]:
    """Odds ratio with Woolf (logit) 95 % CI, and the correction used: with a zero cell 0.5
    is added to all four cells (Haldane–Anscombe), else none."""
    correction = HALDANE_ANSCOMBE if (cells == 0).any() else None
    a, b, c, d = (cells + (0.5 if correction else 0)).ravel().astype(float)
    log_or, se = log(a * d / (b * c)), sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return exp(log_or), exp(log_or - Z95 * se), exp(log_or + Z95 * se), correction


def table_statistics(counts: dict[str, int]) -> TableTest:
    """χ² (Pearson and Yates), Fisher's exact p and the odds ratio with Woolf 95 % CI; all
    not estimable (NaN, with the reason) when a row or column of the table is empty (R's
    ``chisq.test`` gives NaN there and ``fisher.test`` p = 1, which tests nothing)."""
    cells = np.array(
        [
            [counts["exposed_yes"], counts["exposed_no"]],
            [counts["unexposed_yes"], counts["unexposed_no"]],
        ]
    )
    if (cells.sum(axis=0) == 0).any() or (cells.sum(axis=1) == 0).any():
        return TableTest(counts, *(nan,) * 8, reason="empty_margin")
    pearson = chi2_contingency(cells, correction=False)
    yates = chi2_contingency(cells, correction=True)
    odds_ratio, low, high, correction = woolf_odds_ratio(cells)
    return TableTest(
        counts=counts,
        chi2=float(pearson.statistic),
        p=float(pearson.pvalue),
        chi2_yates=float(yates.statistic),
        p_yates=float(yates.pvalue),
        p_fisher=float(fisher_exact(cells).pvalue),
        odds_ratio=odds_ratio,
        or_ci_low=low,
        or_ci_high=high,
        or_correction=correction,
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
        if valid:  # at 0 or 1 the Wilson bound can miss the share by a rounding error
            low, high = min(low, yes / valid), max(high, yes / valid)
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
