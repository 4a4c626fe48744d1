"""The subgroup analysis of the plan (the paper's: programme types): per level RTW within
follow-up, the share exposed, medians, and the odds ratio of being exposed in the other
levels against the reference level (crude logistic regression)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.chapters.cohort.collapsed import persons, weights_of
from analysis.chapters.cohort.descriptives import Table1
from analysis.chapters.cohort.plan import EXPOSURE, Subgroup
from analysis.chapters.cohort.survival import MedianSummary, median_summary
from analysis.core.disclosure import COUNT
from analysis.core.inference import Z95, two_sided_p
from analysis.core.output_checks import SURVIVAL_CURVE, statistic_withheld

COORDINATOR_GROUPS = ("yes", "no")

# Reason codes of an odds ratio that disclosure control withholds (not: cannot be estimated):
# a programme type's size is hidden, a cell of its 2×2 table is small, or a count of Table 1
# it is made from is hidden (the estimate and its interval would give the 2×2 table away).
OR_WITHHELD = ("group_withheld", "small_group", "linked_count_hidden")


@dataclass(frozen=True)
class ProgrammeGroup:
    """One programme type as far as disclosure control shows it: n and coordinators as in
    Table 1, first RTW within follow-up (a one-way table of returned and not returned), and
    the median days. A count that is hidden is None, and so is the share made from it; a
    group whose size is hidden shows nothing but its name (``withheld``)."""

    n: int | None
    returned: int | None
    rtw_rate: float | None
    coordinated: int | None
    coordinator_share: float | None
    median_days: MedianSummary | None

    @property
    def withheld(self) -> bool:
        """True when the group's size is hidden, and with it every statistic of the group."""
        return self.n is None

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "returned": self.returned,
            "rtw_rate": self.rtw_rate,
            "coordinated": self.coordinated,
            "coordinator_share": self.coordinator_share,
            "median_days": None if self.median_days is None else self.median_days.to_json(),
        }

    def suppressed(self, path: str) -> dict[str, str]:
        """JSON paths (under ``path``) of the values set to null, with the public reason."""
        hidden = {f"{path}.{key}": COUNT for key, value in self.to_json().items() if value is None}
        if self.median_days is not None:
            if self.median_days.events is None:
                hidden[f"{path}.median_days.events"] = COUNT
            hidden |= {
                f"{path}.median_days.{value}": SURVIVAL_CURVE
                for value in self.median_days.withheld_paths()
            }
        return hidden


@dataclass(frozen=True)
class OddsRatio:
    """Odds ratio with its Wald 95 % CI, p and n (None with a ``reason`` code when a cell of
    the 2×2 table is empty: the logistic regression has no finite estimate then)."""

    odds_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    n: int | None
    reason: str | None = None

    @property
    def withheld(self) -> bool:
        """True when disclosure control withholds the estimate (rather than it not existing)."""
        return self.reason in OR_WITHHELD

    def to_json(self) -> dict:
        values = {
            "or": self.odds_ratio,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p": self.p,
            "n": self.n,
        }
        if self.reason:
            values["reason"] = self.reason
        return values


def programme_type_summary(
    data: pd.DataFrame, table1: Table1, by: str, outcome: str, suppress_below: int = 0
) -> dict[str, ProgrammeGroup]:
    """Per level of ``by`` present: n, ``outcome`` within follow-up, those exposed, median;
    the sizes and exposed counts are Table 1's, hidden where Table 1 hides them."""
    summary = {}
    durations, events = data[f"days_to_{outcome}"].to_numpy(), data[outcome].to_numpy()
    weights, codes = weights_of(data), data[by].array.codes
    for code, level in enumerate(data[by].cat.categories):
        rows = codes == code
        if not rows.any():
            continue
        n = table1.value(by, level, "total")
        if n is None:
            summary[level] = ProgrammeGroup(None, None, None, None, None, None)
            continue
        median = median_summary(durations[rows], events[rows], suppress_below, weights[rows])
        median = median.shown(suppress_below)
        coordinated = table1.value(by, level, "yes")
        summary[level] = ProgrammeGroup(
            n=n,
            returned=median.events,
            rtw_rate=median.share_returned,
            coordinated=coordinated,
            coordinator_share=None if coordinated is None else coordinated / n,
            median_days=median,
        )
    return summary


def _two_by_two(rows: pd.DataFrame, subgroup: Subgroup) -> np.ndarray:
    """Cells a, b, c, d: (other levels, reference level) × (exposed, not), e.g. (occupational
    or follow-up, treatment) × (coordinator, none), in persons (rows counted by their case
    weights)."""
    exposed = (rows[subgroup.variable] != subgroup.odds_ratio_reference).to_numpy(bool)
    outcome = (rows[EXPOSURE] == "yes").to_numpy(bool)
    weight = weights_of(rows)
    return np.array(
        [
            weight[exposed & outcome].sum(),
            weight[exposed & ~outcome].sum(),
            weight[~exposed & outcome].sum(),
            weight[~exposed & ~outcome].sum(),
        ],
        dtype=float,
    )


def odds_ratio_withheld(
    data: pd.DataFrame, table1: Table1, subgroup: Subgroup, suppress_below: int
) -> str | None:
    """Why output checking withholds the coordinator odds ratio (None: shown). The OR with its
    interval to two decimals fits hardly more than one 2×2 table with the published margins,
    so it is shown only when every cell of that table has at least ``suppress_below`` persons
    and every count of Table 1's programme type block it is made from is shown."""
    by = subgroup.variable
    cells = _two_by_two(data[data[by].notna()], subgroup)
    reason = statistic_withheld(cells.astype(int).tolist(), suppress_below)
    if reason is not None or by not in table1.blocks:
        return reason
    levels = [level for level in data[by].cat.categories if level in table1.levels(by)]
    linked = [table1.value(by, level, group) for level in levels for group in COORDINATOR_GROUPS]
    return "linked_count_hidden" if None in linked else None


def coordinator_odds_ratio(data: pd.DataFrame, subgroup: Subgroup) -> OddsRatio:
    """OR of being exposed in the other levels of the subgroup variable vs its
    ``odds_ratio_reference`` (the paper's: a coordinator, occupational rehabilitation or
    follow-up vs treatment).

    The crude logistic regression with one binary covariate, in closed form: its estimate is
    the cross-product ratio ad/bc, its SE Woolf's √(1/a + 1/b + 1/c + 1/d), with a Wald CI and
    p (R's ``glm(family = binomial)`` with ``confint.default``). Not estimable when a cell is
    empty (separation: R's ``glm`` would print a huge estimate with a warning): the estimate
    would be 0 (``or_zero``) or infinite (``or_infinite``), or is 0/0 when a whole row or
    column is empty (``or_undefined``).
    """
    rows = data[data[subgroup.variable].notna()]
    cells = _two_by_two(rows, subgroup)
    a, b, c, d = cells
    n = persons(rows)
    if n == 0:
        return OddsRatio(None, None, None, None, 0, "no_programme_type")
    if a * d == 0 or b * c == 0:
        reason = "or_undefined" if a * d == b * c else "or_zero" if a * d == 0 else "or_infinite"
        return OddsRatio(None, None, None, None, n, reason)
    log_or, se = math.log(a * d / (b * c)), math.sqrt((1 / cells).sum())
    return OddsRatio(
        math.exp(log_or),
        math.exp(log_or - Z95 * se),
        math.exp(log_or + Z95 * se),
        two_sided_p(log_or / se),
        n,
    )
