"""Kaplan–Meier curves and medians, log-rank tests and numbers at risk.

Median = smallest t with S(t) ≤ 0.5, with two 95 % intervals: SPSS style (median ± 1.96·SE,
SE from Collett's density estimate, :func:`spss_median_se`) and Brookmeyer–Crowley (inverting
lifelines' log(−log) pointwise CI of S(t)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test
from lifelines.utils import median_survival_times
from scipy.stats import norm

from analysis.chapters.cohort.data import group_levels
from analysis.core.disclosure import is_suppressed

Z95 = float(norm.ppf(0.975))
AT_RISK_STEP = 60


@dataclass(frozen=True)
class Interval:
    """A median with a 95 % interval (None where not reached within follow-up)."""

    estimate: float | None
    ci_low: float | None
    ci_high: float | None

    def to_json(self) -> dict:
        return {"estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high}


@dataclass(frozen=True)
class MedianSummary:
    """Median days of one group with the SPSS-style and the Brookmeyer–Crowley intervals."""

    n: int
    events: int
    estimate: float | None
    se_spss: float
    spss: Interval
    bc: Interval

    @property
    def share_returned(self) -> float:
        """Share of the group with an event within follow-up."""
        return self.events / self.n

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "events": self.events,
            "estimate": self.estimate,
            "se_spss": self.se_spss,
            "spss": self.spss.to_json(),
            "bc": self.bc.to_json(),
        }


@dataclass(frozen=True)
class LogRank:
    """Log-rank test across the levels of a grouping."""

    chi2: float
    df: int
    p: float

    def to_json(self) -> dict:
        return {"chi2": self.chi2, "df": self.df, "p": self.p}


@dataclass(frozen=True)
class KMCurve:
    """One group's cumulative proportion returned (1 − S) as a step function, with censor marks."""

    level: str
    times: np.ndarray
    cumulative: np.ndarray
    censor_times: np.ndarray
    censor_cumulative: np.ndarray
    median: MedianSummary


@dataclass(frozen=True)
class KMComparison:
    """Kaplan–Meier curves of one outcome by a grouping, its log-rank test and numbers at risk.

    ``at_risk`` is groups × ``ticks``; ``at_risk_hidden`` marks the counts disclosure control
    hides. Employees with the grouping missing are left out.
    """

    outcome: str
    by: str
    curves: tuple[KMCurve, ...]
    logrank: LogRank
    follow_up: int
    ticks: tuple[int, ...]
    at_risk: pd.DataFrame
    at_risk_hidden: pd.DataFrame

    def curve(self, level: str) -> KMCurve:
        """The curve of ``level``."""
        return next(curve for curve in self.curves if curve.level == level)


def km_fit(durations: pd.Series, events: pd.Series) -> KaplanMeierFitter:
    """A lifelines Kaplan–Meier fit (log(−log) pointwise 95 % CI)."""
    return KaplanMeierFitter().fit(durations.astype(float), events.astype(int))


def km_steps(durations: pd.Series, events: pd.Series) -> pd.DataFrame:
    """Event times with at risk, events, S(t) and its Greenwood standard error."""
    table = km_fit(durations, events).event_table
    table = table[table["observed"] > 0]
    at_risk, observed = table["at_risk"].to_numpy(float), table["observed"].to_numpy(float)
    survival = np.cumprod(1 - observed / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(observed / (at_risk * (at_risk - observed)))
    return pd.DataFrame(
        {
            "time": table.index.to_numpy(float),
            "at_risk": at_risk,
            "events": observed,
            "survival": survival,
            "se": survival * np.sqrt(greenwood),
        }
    )


def km_quantile_time(steps: pd.DataFrame, level: float = 0.5) -> float:
    """Smallest event time with S(t) ≤ ``level`` (inf if S never gets there)."""
    hit = steps.loc[steps["survival"] <= level + 1e-12, "time"]
    return float(hit.iloc[0]) if len(hit) else math.inf


def spss_median_se(steps: pd.DataFrame, epsilon: float = 0.05) -> float:
    """Standard error of the KM median as SPSS KM reports it (Collett's estimator).

    ``SE = se_G(Ŝ(m)) / f̂(m)`` with ``se_G`` Greenwood's SE of Ŝ at the median ``m`` and the
    density ``f̂(m) = (Ŝ(u) − Ŝ(l)) / (l − u)``, where ``u`` is the largest event time with
    ``Ŝ(u) ≥ 0.5 + ε`` (time 0, Ŝ = 1, if none) and ``l`` the smallest with ``Ŝ(l) ≤ 0.5 − ε``,
    ε = 0.05. NaN when the median or ``l`` is not reached.
    """
    median = km_quantile_time(steps)
    lower = steps[steps["survival"] <= 0.5 - epsilon + 1e-12]
    if math.isinf(median) or lower.empty:
        return math.nan
    upper = steps[steps["survival"] >= 0.5 + epsilon - 1e-12]
    u_time, u_surv = (
        (0.0, 1.0) if upper.empty else (upper["time"].iloc[-1], upper["survival"].iloc[-1])
    )
    l_time, l_surv = lower["time"].iloc[0], lower["survival"].iloc[0]
    density = (u_surv - l_surv) / (l_time - u_time)
    se_at_median = float(steps.loc[steps["time"] == median, "se"].iloc[0])
    return se_at_median / density


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def median_summary(durations: pd.Series, events: pd.Series) -> MedianSummary:
    """Median with the SPSS-style interval and the Brookmeyer–Crowley interval."""
    steps = km_steps(durations, events)
    median = km_quantile_time(steps)
    se = spss_median_se(steps)
    ci = median_survival_times(km_fit(durations, events).confidence_interval_)
    bc_low, bc_high = (float(x) for x in ci.iloc[0])
    estimate = _finite(median)
    return MedianSummary(
        n=len(durations),
        events=int(events.sum()),
        estimate=estimate,
        se_spss=se,
        spss=Interval(
            estimate,
            None if estimate is None else median - Z95 * se,
            None if estimate is None else median + Z95 * se,
        ),
        bc=Interval(estimate, _finite(bc_low), _finite(bc_high)),
    )


def logrank(data: pd.DataFrame, outcome: str, by: str) -> LogRank:
    """Log-rank test of ``outcome`` across the levels of ``by`` (rows with ``by`` missing out)."""
    rows = data[data[by].notna()]
    durations, events = rows[f"days_to_{outcome}"], rows[outcome]
    levels = group_levels(rows, by)
    if len(levels) == 2:
        a, b = (rows[by] == level for level in levels)
        result = logrank_test(durations[a], durations[b], events[a], events[b])
    else:
        result = multivariate_logrank_test(durations, rows[by].astype(str), events)
    return LogRank(float(result.test_statistic), len(levels) - 1, float(result.p_value))


def at_risk_counts(data: pd.DataFrame, outcome: str, by: str, times: list[float]) -> pd.DataFrame:
    """Numbers at risk (still not returned and not censored) at each time, by group."""
    durations = data[f"days_to_{outcome}"]
    return pd.DataFrame(
        {
            level: [int((durations[data[by] == level] >= time).sum()) for time in times]
            for level in group_levels(data, by)
        },
        index=times,
    ).T


def km_curve(durations: pd.Series, events: pd.Series, level: str) -> KMCurve:
    """The step curve of 1 − S(t), its censor marks and the median of one group."""
    fit = km_fit(durations, events)
    censored = fit.event_table.index[fit.event_table["censored"] > 0].to_numpy(float)
    cumulative = fit.cumulative_density_.iloc[:, 0]
    return KMCurve(
        level=level,
        times=cumulative.index.to_numpy(float),
        cumulative=cumulative.to_numpy(float),
        censor_times=censored,
        censor_cumulative=fit.cumulative_density_at_times(censored).to_numpy(float),
        median=median_summary(durations, events),
    )


def km_comparison(
    data: pd.DataFrame, outcome: str, by: str, suppress_below: int = 0
) -> KMComparison:
    """Curves, medians, log-rank test and numbers at risk (every ``AT_RISK_STEP`` days)."""
    rows = data[data[by].notna()]
    durations, events = rows[f"days_to_{outcome}"], rows[outcome]
    follow_up = int(durations.max())
    ticks = list(range(0, follow_up + 1, AT_RISK_STEP))
    at_risk = at_risk_counts(rows, outcome, by, ticks)
    return KMComparison(
        outcome=outcome,
        by=by,
        curves=tuple(
            km_curve(durations[rows[by] == level], events[rows[by] == level], level)
            for level in group_levels(rows, by)
        ),
        logrank=logrank(data, outcome, by),
        follow_up=follow_up,
        ticks=tuple(ticks),
        at_risk=at_risk,
        at_risk_hidden=at_risk.map(lambda count: is_suppressed(int(count), suppress_below)),
    )
