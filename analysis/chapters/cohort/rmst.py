"""Restricted mean survival time (RMST) to a horizon per group, and the difference and ratio of
two groups' RMSTs (checked against R's survival package to 1e-6).

* RMST to τ: the area under the Kaplan–Meier curve from 0 to τ, with the standard error of R's
  ``print(survfit(...), rmean = τ)`` (``survival:::survmean``):
  ``SE² = Σ_{t_j ≤ τ} A_j²·d_j / (n_j(n_j − d_j))``, ``A_j`` the area from ``t_j`` to τ and a
  term 0 where everybody at risk has the event. Beyond a group's last time the curve stays at
  its last value (as R; survRM2 refuses such a τ). The 95 % interval is RMST ± 1.96·SE.
* Difference and ratio of two groups (survRM2's ``rmst2``): by the normal approximation, the
  difference ± 1.96·√(SE₁² + SE₂²), the ratio on the log scale with
  ``SE(log ratio)² = (SE₁/RMST₁)² + (SE₂/RMST₂)²``; two-sided p from the same z.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.chapters.cohort.collapsed import case_weights
from analysis.chapters.cohort.survival import Weights, km_steps
from analysis.core.inference import Z95, two_sided_p
from analysis.core.output_checks import statistic_withheld


@dataclass(frozen=True)
class RestrictedMean:
    """One group's RMST to ``horizon`` with its SE and 95 % interval."""

    level: str
    horizon: float
    n: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class RMSTContrast:
    """A group's RMST against the reference group's: ``measure`` "difference" or "ratio", with
    its 95 % interval and two-sided p."""

    level: str
    reference: str
    measure: str
    estimate: float
    ci_low: float
    ci_high: float
    p: float


def restricted_mean(
    durations: np.ndarray,
    events: np.ndarray,
    horizon: float,
    level: str = "",
    weights: Weights = None,
) -> RestrictedMean:
    """RMST of one group to ``horizon`` with R's ``survmean`` standard error; rows count
    ``weights`` times."""
    weight = case_weights(weights, len(durations))
    steps = km_steps(durations, events, weight)
    steps = steps[steps["time"] <= horizon]
    times = steps["time"].to_numpy()
    survival = steps["survival"].to_numpy()
    # S on each stretch between 0, the event times and the horizon
    edges = np.concatenate([[0.0], times, [horizon]])
    levels = np.concatenate([[1.0], survival])
    areas = np.diff(edges) * levels
    estimate = float(areas.sum())
    after = np.cumsum(areas[::-1])[::-1][1:]  # area from each event time to the horizon
    at_risk, died = steps["at_risk"].to_numpy(), steps["events"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > died, died / (at_risk * (at_risk - died)), 0.0)
    se = math.sqrt(float(after**2 @ hazard))
    return RestrictedMean(
        level, horizon, int(weight.sum()), estimate, se, estimate - Z95 * se, estimate + Z95 * se
    )


def restricted_means(
    durations: np.ndarray,
    events: np.ndarray,
    groups: np.ndarray,
    levels: Sequence[str],
    horizon: float,
    suppress_below: int = 0,
    weights: Weights = None,
) -> dict[str, RestrictedMean]:
    """:func:`restricted_mean` of each of ``levels`` of ``groups`` that output checking at
    ``suppress_below`` shows (a group of fewer persons than that is left out); rows count
    ``weights`` times."""
    durations, events, groups = (np.asarray(v) for v in (durations, events, groups))
    weight = case_weights(weights, len(durations))
    means = {}
    for level in levels:
        rows = groups == level
        if statistic_withheld((int(weight[rows].sum()),), suppress_below) is None:
            means[level] = restricted_mean(
                durations[rows], events[rows], horizon, level, weight[rows]
            )
    return means


def _contrast(
    level: str, reference: str, measure: str, estimate: float, se: float, scale_log: bool
) -> RMSTContrast:
    low, high = estimate - Z95 * se, estimate + Z95 * se
    p = two_sided_p(estimate / se) if se > 0 else math.nan
    if scale_log:
        estimate, low, high = math.exp(estimate), math.exp(low), math.exp(high)
    return RMSTContrast(level, reference, measure, estimate, low, high, p)


def rmst_contrasts(
    group: RestrictedMean, reference: RestrictedMean
) -> tuple[RMSTContrast, RMSTContrast]:
    """Difference and ratio of ``group``'s RMST to ``reference``'s (same horizon)."""
    if group.horizon != reference.horizon:
        raise ValueError("the RMSTs compared must share their horizon")
    difference = _contrast(
        group.level,
        reference.level,
        "difference",
        group.estimate - reference.estimate,
        math.hypot(group.se, reference.se),
        scale_log=False,
    )
    ratio = _contrast(
        group.level,
        reference.level,
        "ratio",
        math.log(group.estimate / reference.estimate),
        math.hypot(group.se / group.estimate, reference.se / reference.estimate),
        scale_log=True,
    )
    return difference, ratio
