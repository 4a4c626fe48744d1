"""Programme types: 360-day RTW, share with a coordinator, medians, and the odds ratio of
having a coordinator (crude logistic regression)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import statsmodels.api as sm

from analysis.chapters.cohort.data import PROGRAMME_TYPES
from analysis.chapters.cohort.survival import MedianSummary, median_summary
from analysis.core.disclosure import is_suppressed


@dataclass(frozen=True)
class ProgrammeGroup:
    """One programme type: n, first RTW within follow-up, coordinators and median days; the
    ``*_hidden`` flags mark counts below the disclosure threshold."""

    n: int
    returned: int
    rtw_rate: float
    coordinated: int
    coordinator_share: float
    median_days: MedianSummary
    returned_hidden: bool
    coordinated_hidden: bool

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "returned": self.returned,
            "rtw_rate": self.rtw_rate,
            "coordinated": self.coordinated,
            "coordinator_share": self.coordinator_share,
            "median_days": self.median_days.to_json(),
        }


@dataclass(frozen=True)
class OddsRatio:
    """Odds ratio with its Wald 95 % CI, p and n."""

    odds_ratio: float
    ci_low: float
    ci_high: float
    p: float
    n: int

    def to_json(self) -> dict:
        return {
            "or": self.odds_ratio,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p": self.p,
            "n": self.n,
        }


def programme_type_summary(
    data: pd.DataFrame, suppress_below: int = 0
) -> dict[str, ProgrammeGroup]:
    """Per programme type present: n, first RTW within follow-up, coordinators, median."""
    summary = {}
    for level in PROGRAMME_TYPES:
        rows = data[data["programme_type"] == level]
        if rows.empty:
            continue
        returned = int(rows["first_rtw"].sum())
        coordinated = int((rows["coordinator"] == "yes").sum())
        summary[level] = ProgrammeGroup(
            n=len(rows),
            returned=returned,
            rtw_rate=float(rows["first_rtw"].mean()),
            coordinated=coordinated,
            coordinator_share=float((rows["coordinator"] == "yes").mean()),
            median_days=median_summary(rows["days_to_first_rtw"], rows["first_rtw"]),
            returned_hidden=is_suppressed(returned, suppress_below),
            coordinated_hidden=is_suppressed(coordinated, suppress_below),
        )
    return summary


def coordinator_odds_ratio(data: pd.DataFrame) -> OddsRatio:
    """OR of having a coordinator, occupational rehabilitation or follow-up vs treatment.

    Crude logistic regression (statsmodels ``Logit``) with a Wald 95 % CI.
    """
    rows = data[data["programme_type"].notna()]
    exposed = (rows["programme_type"] != "treatment").astype(float)
    outcome = (rows["coordinator"] == "yes").astype(float)
    fit = sm.Logit(outcome, sm.add_constant(exposed.rename("exposed"))).fit(disp=0)
    low, high = fit.conf_int().loc["exposed"]
    return OddsRatio(
        math.exp(fit.params["exposed"]),
        math.exp(low),
        math.exp(high),
        float(fit.pvalues["exposed"]),
        len(rows),
    )
