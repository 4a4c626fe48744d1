"""Competing risks: Aalen–Johansen cumulative incidence per group, cause-specific log-rank tests
and cause-specific Cox models (checked against R's survival package to 1e-6).

Outcomes are coded per person as a status: 0 censored, a positive code the cause of the first
event (e.g. 1 return to work, 2 disability pension).

* Cumulative incidence of cause k: ``F_k(t) = Σ_{s ≤ t} S(s−)·d_k(s)/n(s)`` with S the
  Kaplan–Meier estimate of being free of every cause, as R's
  ``survfit(Surv(time, factor(status)) ~ group)`` (multi-state, Aalen–Johansen). Its standard
  error is R's: the infinitesimal jackknife, ``√Σ_i U_i(t)²`` with ``U_i`` the derivative of
  ``F_k(t)`` with respect to person i's case weight; the 95 % interval is R's default
  ``conf.type = "log"`` on F: ``F·exp(∓1.96·SE/F)``, the upper limit at most 1, none where F is 0.
  lifelines' ``AalenJohansenFitter`` is not used: it breaks tied times apart by adding random
  noise to them (``jitter_level``), so its estimate differs from R's whenever times are tied
  (as days are), and its interval is a Greenwood-type delta-method variance on the log(−log)
  scale, neither of which is R's (tests' simulated data, group a, cause 1 at week 30: R and
  this module 0.4531, 95 % CI 0.3464 to 0.5926; lifelines 0.30.3 0.4539, 0.3299 to 0.5697).
* Cause-specific log-rank test: :func:`survival.logrank_test` on cause k against everything
  else censored (R ``survdiff(Surv(time, status == k) ~ group)``).
* Cause-specific Cox model: the chapter's engine (:mod:`coxph`) on cause k with the competing
  causes censored (R ``coxph(Surv(time, status == k) ~ …)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.chapters.cohort import coxph
from analysis.chapters.cohort.collapsed import case_weights
from analysis.chapters.cohort.survival import LogRank, Weights, logrank_test
from analysis.core.inference import Z95
from analysis.core.output_checks import published_steps, statistic_withheld

CENSORED = 0


@dataclass(frozen=True)
class Incidence:
    """The cumulative incidence of one cause in one group at the group's distinct times (a
    step function, 0 before the first), with the infinitesimal-jackknife SE and the 95 %
    log-scale interval (NaN where the estimate is 0)."""

    level: str
    cause: int
    times: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray

    def at(self, times: Sequence[float]) -> pd.DataFrame:
        """Estimate, SE and interval at ``times``: the last value at or before each time, and
        before the first, where nobody has had an event, 0 with SE 0 and the interval 0 to 0
        (as R's ``summary(fit, times, extend = TRUE)``)."""
        index = np.searchsorted(self.times, np.asarray(times, float), side="right") - 1
        before = index < 0

        def pick(values: np.ndarray, start: float) -> np.ndarray:
            return np.where(before, start, values[np.maximum(index, 0)])

        return pd.DataFrame(
            {
                "estimate": pick(self.estimate, 0.0),
                "se": pick(self.se, 0.0),
                "ci_low": pick(self.ci_low, 0.0),
                "ci_high": pick(self.ci_high, 0.0),
            },
            index=pd.Index(times, name="time"),
        )


@dataclass(frozen=True)
class CauseSpecificCox:
    """A Cox model of one cause with the competing causes censored."""

    cause: int
    fit: coxph.CoxFit


def log_interval(estimate: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's ``conf.type = "log"`` 95 % interval of a probability: ``p·exp(∓z·SE/p)``, the upper
    limit at most 1, NaN where p is 0 (an SE of 0 gives the point)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(se == 0, 0.0, Z95 * se / estimate)
        low = np.where(estimate == 0, np.nan, estimate * np.exp(-spread))
        high = np.where(estimate == 0, np.nan, np.minimum(estimate * np.exp(spread), 1.0))
    return low, high


def aalen_johansen(
    durations: np.ndarray,
    status: np.ndarray,
    causes: Sequence[int],
    level: str = "",
    suppress_below: int = 0,
    weights: Weights = None,
) -> tuple[Incidence, ...]:
    """The cumulative incidence of each of ``causes`` in one group, with R's standard error.
    Output checking at ``suppress_below`` (0: every distinct time is kept): the curves keep
    only the times :func:`~analysis.core.output_checks.published_steps` publishes (each closing
    a run of at least that many persons leaving the risk set, with an event among them).

    Persons with the same time and status have the same influence, so the derivatives are
    carried per such pattern (with its count) through one pass over the distinct times: the
    cost is distinct times × patterns, whatever the number of persons. Rows count ``weights``
    times (collapsed data); the SE is that of the persons one by one, ``√Σ_i w_i·U_i²`` (R's
    ``survfit(..., weights = w)`` takes each row's derivative as one, ``√Σ_i (w_i·U_i)²``)."""
    times, time_index = np.unique(np.asarray(durations, float), return_inverse=True)
    status = np.asarray(status, int)
    codes = np.zeros(len(status), int)  # column of each status (0: censored)
    for column, cause in enumerate(causes, start=1):
        codes[status == cause] = column
    if (codes[status != CENSORED] == 0).any():
        raise ValueError(f"a status is neither censored ({CENSORED}) nor one of {list(causes)}")
    pattern_keys, pattern_index = np.unique(
        time_index * (len(causes) + 1) + codes, return_inverse=True
    )
    counts = np.bincount(pattern_index, case_weights(weights, len(status)))
    pattern_time, pattern_code = np.divmod(pattern_keys, len(causes) + 1)
    table = np.zeros((len(times), len(causes) + 1))
    np.add.at(table, (pattern_time, pattern_code), counts)
    at_risk = np.cumsum(table.sum(axis=1)[::-1])[::-1]
    hazards = table[:, 1:] / at_risk[:, None]  # cause-specific hazard increments
    survival = 1.0  # S(t−): free of every cause
    d_survival = np.zeros(len(counts))  # ∂S/∂w per pattern
    incidence = np.zeros(len(causes))
    d_incidence = np.zeros((len(counts), len(causes)))
    estimate = np.empty((len(times), len(causes)))
    variance = np.empty((len(times), len(causes)))
    causes_of_pattern = np.arange(1, len(causes) + 1)[None, :] == pattern_code[:, None]
    for j, (hazard, n) in enumerate(zip(hazards, at_risk, strict=True)):
        # ∂(d_k/n)/∂w_i = (1[i has cause k at t_j] − 1[i at risk at t_j]·d_k/n) / n
        d_hazard = (
            (pattern_time == j)[:, None] * causes_of_pattern
            - (pattern_time >= j)[:, None] * hazard[None, :]
        ) / n
        d_incidence += d_survival[:, None] * hazard[None, :] + survival * d_hazard
        incidence = incidence + survival * hazard
        d_survival = d_survival * (1 - hazard.sum()) - survival * d_hazard.sum(axis=1)
        survival *= 1 - hazard.sum()
        estimate[j] = incidence
        variance[j] = counts @ d_incidence**2
    se = np.sqrt(variance)
    shown = (
        published_steps(table[:, 1:].sum(axis=1), table[:, 0], suppress_below)
        if suppress_below > 0
        else np.arange(len(times))
    )
    curves = []
    for k, cause in enumerate(causes):
        low, high = log_interval(estimate[shown, k], se[shown, k])
        curves.append(
            Incidence(level, cause, times[shown], estimate[shown, k], se[shown, k], low, high)
        )
    return tuple(curves)


def incidence_by_group(
    durations: np.ndarray,
    status: np.ndarray,
    groups: np.ndarray,
    levels: Sequence[str],
    causes: Sequence[int],
    suppress_below: int = 0,
    weights: Weights = None,
) -> dict[str, tuple[Incidence, ...]]:
    """:func:`aalen_johansen` in each of ``levels`` of ``groups`` that output checking at
    ``suppress_below`` shows (a group of fewer persons than that has no curves and is left
    out); rows count ``weights`` times."""
    durations, status, groups = (np.asarray(v) for v in (durations, status, groups))
    weight = case_weights(weights, len(durations))
    curves = {}
    for level in levels:
        rows = groups == level
        if statistic_withheld((int(weight[rows].sum()),), suppress_below) is None:
            curves[level] = aalen_johansen(
                durations[rows], status[rows], causes, level, suppress_below, weight[rows]
            )
    return curves


def cause_specific_logrank(
    durations: np.ndarray,
    status: np.ndarray,
    groups: np.ndarray,
    levels: Sequence[str],
    cause: int,
    weights: Weights = None,
) -> LogRank:
    """Log-rank test of ``cause`` across ``levels``, the competing causes censored; rows count
    ``weights`` times."""
    return logrank_test(durations, np.asarray(status) == cause, groups, levels, weights)


def cause_specific_cox(
    durations: np.ndarray,
    status: np.ndarray,
    x: np.ndarray,
    names: Sequence[str],
    cause: int,
    ties: str = "efron",
    weights: Weights = None,
) -> CauseSpecificCox:
    """Cox model of ``cause`` on the covariates ``x``, the competing causes censored
    (:class:`coxph.NotEstimable` as :func:`coxph.fit`); rows count ``weights`` times."""
    status_is_cause = np.asarray(status) == cause
    return CauseSpecificCox(
        cause, coxph.fit(durations, status_is_cause, x, names, ties, weights=weights)
    )
