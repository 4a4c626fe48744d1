"""The current Cochrane random-effects default beside the RevMan 5 models, with leave-one-out
and the small-study test, on the risk-ratio scale.

RevMan (web) pools with REML τ² since January 2025, with the Q-profile interval for τ² and
the I² interval it implies, a 95 % prediction interval with t on k − 2 degrees of freedom
(Higgins, Thompson & Spiegelhalter 2009; Cochrane Handbook 10.10.4.3) and the
Hartung–Knapp–Sidik–Jonkman interval (t on k − 1 df, without the ad hoc floor, as metafor's
``test = "knha"``). The statistics come from ``pooling`` and ``sensitivity`` (checked against
metafor); this module only puts them into the fields the results JSON and the page use.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.chapters.meta.pooling import SINGLE_STUDY, Pooled, prediction_interval, rma
from analysis.chapters.meta.sensitivity import (
    MIN_STUDIES_FOR_SMALL_STUDY_TESTS,
    FunnelData,
    RegressionTest,
    egger_test,
    funnel_data,
    leave_one_out,
)
from analysis.chapters.meta.stats import FEWER_THAN_THREE, NO_STUDIES

MIN_STUDIES_FOR_LEAVE_ONE_OUT = 3  # with two studies, leaving one out leaves a single study
NAN = math.nan


@dataclass(frozen=True)
class CurrentDefault:
    """REML random effects as RevMan now reports them, as risk ratios: estimate with its Wald
    (z) 95 % CI and p, the Hartung–Knapp–Sidik–Jonkman CI and p, τ² with its Q-profile CI, I²
    (a proportion) with its CI, and the t(k − 2) prediction interval. NaN where not
    estimable, with ``reason`` (estimate), ``heterogeneity_reason`` (τ², I², HKSJ) and
    ``pi_reason`` (prediction interval)."""

    k: int
    estimate: float = NAN
    ci_low: float = NAN
    ci_high: float = NAN
    p: float = NAN
    hksj_low: float = NAN
    hksj_high: float = NAN
    hksj_p: float = NAN
    tau2: float = NAN
    tau2_low: float = NAN
    tau2_high: float = NAN
    i2: float = NAN
    i2_low: float = NAN
    i2_high: float = NAN
    pi_low: float = NAN
    pi_high: float = NAN
    reason: str | None = None
    heterogeneity_reason: str | None = None
    pi_reason: str | None = None

    @property
    def estimable(self) -> bool:
        """Whether there is a pooled estimate."""
        return math.isfinite(self.estimate)

    def contract(self) -> dict[str, float | int | str | None]:
        """The model's part of the results JSON."""
        return asdict(self)


def _ratio(pooled: Pooled) -> dict[str, float]:
    return {
        "estimate": math.exp(pooled.estimate),
        "ci_low": math.exp(pooled.ci_low),
        "ci_high": math.exp(pooled.ci_high),
        "p": pooled.p,
    }


def current_default(y: np.ndarray, v: np.ndarray) -> CurrentDefault:
    """The current default on the estimable studies' log risk ratios ``y`` and variances ``v``.
    One study: its own estimate and CI, no heterogeneity; none: nothing."""
    k = len(y)
    if k == 0:
        return CurrentDefault(
            0, reason=NO_STUDIES, heterogeneity_reason=NO_STUDIES, pi_reason=NO_STUDIES
        )
    if k == 1:
        own = rma(y, v, "FE")
        return CurrentDefault(
            1, **_ratio(own), heterogeneity_reason=SINGLE_STUDY, pi_reason=FEWER_THAN_THREE
        )
    reml = rma(y, v, "REML")
    hksj = rma(y, v, "REML", "knha", interval=False)
    het = reml.heterogeneity
    pi_low, pi_high = (
        (math.exp(bound) for bound in prediction_interval(reml, "riley")) if k >= 3 else (NAN, NAN)
    )
    return CurrentDefault(
        k, **_ratio(reml),
        hksj_low=math.exp(hksj.ci_low), hksj_high=math.exp(hksj.ci_high), hksj_p=hksj.p,
        tau2=het.tau2, tau2_low=het.tau2_low, tau2_high=het.tau2_high,
        i2=het.i2, i2_low=het.i2_low, i2_high=het.i2_high,
        pi_low=pi_low, pi_high=pi_high, pi_reason=None if k >= 3 else FEWER_THAN_THREE,
    )  # fmt: skip


@dataclass(frozen=True)
class LeftOut:
    """The current-default model refitted without ``study``: risk ratio with its Wald CI, τ²
    and I² (a proportion)."""

    study: str
    estimate: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float


def leave_one_out_rows(studies: list[str], y: np.ndarray, v: np.ndarray) -> list[LeftOut]:
    """REML leave-one-out (``leave1out(rma(method = "REML"))``), only with three or more
    estimable studies (else empty)."""
    if len(y) < MIN_STUDIES_FOR_LEAVE_ONE_OUT:
        return []
    return [
        LeftOut(
            study,
            math.exp(fit.estimate),
            math.exp(fit.ci_low),
            math.exp(fit.ci_high),
            fit.tau2,
            fit.heterogeneity.i2,
        )
        for study, fit in zip(studies, leave_one_out(y, v, "REML"), strict=True)
    ]


@dataclass(frozen=True)
class CurrentMethods:
    """The current default, leave-one-out, Egger's test and the funnel-plot data (both only
    with k ≥ 10: else the test's reason and no funnel) of one analysis, and the studies left
    out of the pooling because they have no events in either arm or events in every
    participant (``dropped``)."""

    default: CurrentDefault
    leave_one_out: list[LeftOut]
    egger: RegressionTest
    dropped: list[str]
    funnel: FunnelData | None = None

    def contract(self) -> dict:
        """The analysis' current-methods part of the results JSON."""
        return {
            "current_default": self.default.contract(),
            "leave_one_out": [asdict(row) for row in self.leave_one_out],
            "egger": asdict(self.egger),
            "egger_min_k": MIN_STUDIES_FOR_SMALL_STUDY_TESTS,
            "dropped_studies": self.dropped,
        }


def current_methods(effects: pd.DataFrame) -> CurrentMethods:
    """Everything above for one analysis, from its rows of ``stats.study_effects`` (a
    DataFrame with ``study``, ``log_rr``, ``var`` and ``estimable``)."""
    estimable = effects["estimable"].to_numpy(bool)
    used = effects[estimable]
    y, v = used["log_rr"].to_numpy(float), used["var"].to_numpy(float)
    return CurrentMethods(
        default=current_default(y, v),
        leave_one_out=leave_one_out_rows([str(s) for s in used["study"]], y, v),
        egger=egger_test(y, v),
        dropped=[str(s) for s in effects.loc[~estimable, "study"]],
        funnel=funnel_data(y, v) if len(y) >= MIN_STUDIES_FOR_SMALL_STUDY_TESTS else None,
    )
