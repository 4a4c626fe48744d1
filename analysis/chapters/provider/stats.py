"""Provider survey statistics, as the study description's analysis plan declares them: the
cross-tables of answers by the grouping variable (today finance), the share answering yes to
the outcome per group (today a permanent coordinator) and the 2×2 tables of each exposure
against the outcome.

For each exposure the 2×2 table against the outcome is tested with
Pearson χ² without continuity correction (as SPSS prints it and R's ``chisq.test(correct =
FALSE)``), Yates-corrected χ² (R's default ``chisq.test``; the correction is at most
|O − E|, as in R and scipy), Fisher's exact p (two-sided, tables as likely as or less likely
than the observed one, as R's ``fisher.test``), and the odds ratio with a Woolf (logit) 95 %
CI (SPSS's "Risk Estimate"). With a zero cell the odds ratio and its interval use the
Haldane–Anscombe correction: 0.5 added to all four cells (SPSS prints no odds ratio then,
statsmodels' ``Table2x2`` replaces only the zero cells by 0.5); the tests use the raw counts.
Shares answering yes to the outcome carry Wilson 95 % intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import exp, log, nan, sqrt

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, fisher_exact, norm
from statsmodels.stats.proportion import proportion_confint

from analysis.chapters.provider.data import PlanKeys, item_codes, item_columns, ticked

CELLS = ("exposed_yes", "exposed_no", "unexposed_yes", "unexposed_no")
Z95 = float(norm.isf(0.025))
HALDANE_ANSCOMBE = "haldane_anscombe"  # 0.5 added to all four cells of a table with a zero cell


@dataclass(frozen=True)
class TableTest:
    """One exposure's 2×2 table (exposure × outcome) and its tests."""

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


def yes_no(values: pd.Series, yes: object = "yes") -> pd.Series:
    """Whether each answer is ``yes``, as nullable booleans (NA where the answer is missing)."""
    return values.eq(yes).where(values.notna()).astype("boolean")


def outcome(frame: pd.DataFrame, plan: PlanKeys) -> pd.Series:
    """The plan's yes/no outcome of each programme (NA if missing)."""
    return yes_no(frame[plan.items[plan.outcome].column])


def exposure(frame: pd.DataFrame, plan: PlanKeys, name: str) -> pd.Series:
    """Whether each programme has the exposure ``name`` of the plan (NA if the answer is
    missing): one of its codes of a single-choice question, yes to a yes/no question, or its
    option of a multiple-choice question ticked."""
    declared = plan.odds_ratios[name]
    item = plan.items[declared.item]
    if item.kind == "single":
        values = frame[item.column]
        return values.isin(declared.codes).where(values.notna()).astype("boolean")
    if item.kind == "yes_no":
        return yes_no(frame[item.column])
    return yes_no(frame[declared.column], ticked(item))


def two_by_two(exposed: pd.Series, outcome: pd.Series) -> dict[str, int]:
    """Counts of exposure × outcome, rows with either answer missing left out."""
    answered = (exposed.notna() & outcome.notna()).to_numpy()
    has = exposed.to_numpy(dtype=bool, na_value=False)[answered]
    yes = outcome.to_numpy(dtype=bool, na_value=False)[answered]
    return {
        "exposed_yes": int((has & yes).sum()),
        "exposed_no": int((has & ~yes).sum()),
        "unexposed_yes": int((~has & yes).sum()),
        "unexposed_no": int((~has & ~yes).sum()),
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


def groups(frame: pd.DataFrame, plan: PlanKeys) -> dict[str, pd.Series]:
    """Each group of the plan's grouping variable: which programmes belong to it."""
    item = plan.items[plan.group]
    return {code: frame[item.column].eq(code) for code in item_codes(item)}


def by_group(frame: pd.DataFrame, plan: PlanKeys, rows: dict[str, pd.Series]) -> pd.DataFrame:
    """How many programmes of each group have each of ``rows`` (True where a programme
    counts), with a total column."""
    members = groups(frame, plan)
    counted = np.array([a.fillna(False).to_numpy(dtype=bool) for a in rows.values()], dtype=int)
    within = np.array([group.to_numpy(dtype=bool) for group in members.values()], dtype=int)
    # Programmes counted in each group (the shapes hold when there are no rows or programmes).
    both = counted.reshape(len(rows), len(frame)) @ within.reshape(len(members), len(frame)).T
    counts = pd.DataFrame(both, index=list(rows), columns=list(members))
    counts["total"] = counts.sum(axis=1)
    return counts


def code_row(name: str, code: str) -> str:
    """The row of a code of the single-choice question ``name``: ``size:large`` (questions
    may share codes)."""
    return f"{name}:{code}"


def row_answers(frame: pd.DataFrame, plan: PlanKeys, name: str) -> dict[str, pd.Series]:
    """The rows a question gives a cross-table, each True where a programme counts: a yes/no
    question one row (yes, under the question's name), a single-choice one a row per code
    (under :func:`code_row`), a multiple-choice one a row per option present in the data
    (ticked, under its column)."""
    item = plan.items[name]
    if item.kind == "yes_no":
        return {name: frame[item.column].eq("yes")}
    if item.kind == "single":
        return {code_row(name, code): frame[item.column].eq(code) for code in item_codes(item)}
    return {
        column: frame[column].eq(ticked(item)) for column in item_columns(item) if column in frame
    }


def cross_table(frame: pd.DataFrame, plan: PlanKeys, table: str) -> pd.DataFrame:
    """A cross-table of the plan as counts by group: its questions' rows in order."""
    rows = {
        row: answers
        for name in plan.cross_tables[table].rows
        for row, answers in row_answers(frame, plan, name).items()
    }
    return by_group(frame, plan, rows)


def outcome_by_group(frame: pd.DataFrame, plan: PlanKeys) -> pd.DataFrame:
    """The outcome's yes/answered per group, share with Wilson 95 % CI."""
    rows = []
    answers = outcome(frame, plan)
    for group, within in groups(frame, plan).items():
        answered = answers[within].dropna()
        yes, valid = int(answered.sum()), len(answered)
        # A group without answers has no share (not estimable), not a division by zero.
        low, high = proportion_confint(yes, valid, method="wilson") if valid else (nan, nan)
        if valid:  # at 0 or 1 the Wilson bound can miss the share by a rounding error
            low, high = min(low, yes / valid), max(high, yes / valid)
        rows.append(
            {
                "group": group,
                "yes": yes,
                "valid": valid,
                "share": yes / valid if valid else nan,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows).set_index("group")
