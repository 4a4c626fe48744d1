"""The current Cochrane random-effects default beside the RevMan 5 models, with leave-one-out,
subgroups and the small-study test, on the measure's scale (risk ratio, MD or SMD).

RevMan (web) pools with REML τ² since January 2025, with the Q-profile interval for τ² and
the I² interval it implies, a 95 % prediction interval with t on k − 2 degrees of freedom
(Higgins, Thompson & Spiegelhalter 2009; Cochrane Handbook 10.10.4.3) and the
Hartung–Knapp–Sidik–Jonkman interval (t on k − 1 df, without the ad hoc floor, as metafor's
``test = "knha"``). The statistics come from ``pooling`` and ``sensitivity`` (checked against
metafor); this module only puts them into the fields the results JSON and the page use.
Subgroups are pooled with the same model, each with its own τ² (``subgroups``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.chapters.meta.data import BINARY_MEASURE
from analysis.chapters.meta.effects import from_scale
from analysis.chapters.meta.pooling import SINGLE_STUDY, prediction_interval, rma
from analysis.chapters.meta.sensitivity import (
    MIN_STUDIES_FOR_SMALL_STUDY_TESTS,
    FunnelData,
    RegressionTest,
    egger_test,
    funnel_data,
    leave_one_out,
)
from analysis.chapters.meta.stats import (
    CONTRACT_KEYS,
    FEWER_THAN_THREE,
    NO_STUDIES,
    Pooled,
    not_estimable,
)
from analysis.chapters.meta.subgroups import SubgroupTest, subgroup_analysis

MIN_STUDIES_FOR_LEAVE_ONE_OUT = 3  # with two studies, leaving one out leaves a single study
MIN_SUBGROUPS = 2  # a test for subgroup differences needs two subgroups with estimable studies
NAN = math.nan


# The current default's keys in the results JSON (``stats.Pooled.contract``).
CURRENT_DEFAULT_KEYS = (
    "k", *CONTRACT_KEYS, "hksj_low", "hksj_high", "hksj_p", "tau2", "tau2_low", "tau2_high",
    "i2", "i2_low", "i2_high", "pi_low", "pi_high", "reason", "heterogeneity_reason",
    "pi_reason",
)  # fmt: skip


def current_default(y: np.ndarray, v: np.ndarray, measure: str = BINARY_MEASURE) -> Pooled:
    """REML random effects as RevMan now reports them, on the measure's scale, from the
    estimable studies' effects ``y`` (log RR, MD or SMD) and variances ``v``: estimate with its
    Wald (z) 95 % CI and p, the Hartung–Knapp–Sidik–Jonkman CI and p, τ² with its Q-profile
    CI, I² (a proportion) with its CI, and the t(k − 2) prediction interval. One study: its
    own estimate and CI, no heterogeneity; none: nothing (NaN with the reasons)."""
    k = len(y)
    if k == 0:
        return not_estimable(NO_STUDIES, k=0)
    if k == 1:
        return Pooled.from_fit(
            rma(y, v, "FE"), measure, heterogeneity_reason=SINGLE_STUDY, pi_reason=FEWER_THAN_THREE
        )
    reml = rma(y, v, "REML")
    hksj = rma(y, v, "REML", "knha", interval=False)
    pi_low, pi_high = (
        (from_scale(measure, bound) for bound in prediction_interval(reml, "riley"))
        if k >= 3
        else (NAN, NAN)
    )
    return Pooled.from_fit(
        reml, measure, heterogeneity=True,
        hksj_low=from_scale(measure, hksj.ci_low), hksj_high=from_scale(measure, hksj.ci_high),
        hksj_p=hksj.p,
        pi_low=pi_low, pi_high=pi_high, pi_reason=None if k >= 3 else FEWER_THAN_THREE,
    )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class LeftOut(Pooled):
    """The current-default model refitted without ``study``: the estimate (RR, MD or SMD) with
    its Wald CI, τ² and I² (a proportion)."""

    study: str


LEFT_OUT_KEYS = ("study", "estimate", "ci_low", "ci_high", "tau2", "i2")


def leave_one_out_rows(
    studies: list[str], y: np.ndarray, v: np.ndarray, measure: str = BINARY_MEASURE
) -> list[LeftOut]:
    """REML leave-one-out (``leave1out(rma(method = "REML"))``), only with three or more
    estimable studies (else empty)."""
    if len(y) < MIN_STUDIES_FOR_LEAVE_ONE_OUT:
        return []
    return [
        LeftOut.from_fit(fit, measure, heterogeneity=True, study=study)
        for study, fit in zip(studies, leave_one_out(y, v, "REML"), strict=True)
    ]


@dataclass(frozen=True, kw_only=True)
class Subgroup(Pooled):
    """One subgroup pooled with the current default (its own τ²; a subgroup of one study is
    that study's estimate): ``subgroup`` is its English name in studies.csv (the key), the
    estimate on the measure's scale with its Wald CI, τ² and I² (NaN with one study)."""

    subgroup: str


SUBGROUP_KEYS = ("subgroup", "k", "estimate", "ci_low", "ci_high", "tau2", "i2")


@dataclass(frozen=True)
class Subgroups:
    """The subgroups of an analysis in order of first appearance and the test for subgroup
    differences (Q between, df, p), with the I² RevMan prints for it, max(0, (Q − df)/Q)."""

    subgroups: list[Subgroup]
    test: SubgroupTest

    @property
    def i2(self) -> float:
        """I² of the test for subgroup differences (a proportion)."""
        return max(0.0, (self.test.q - self.test.df) / self.test.q) if self.test.q > 0 else 0.0

    def contract(self) -> dict:
        """The subgroups' part of the results JSON."""
        return {
            "subgroups": [row.contract(SUBGROUP_KEYS) for row in self.subgroups],
            "test": asdict(self.test) | {"i2": self.i2},
        }


def subgroups(y: np.ndarray, v: np.ndarray, groups: list[str], measure: str) -> Subgroups | None:
    """The subgroup analysis with REML per subgroup and the test between them
    (``subgroups.subgroup_analysis``), None with fewer than two subgroups."""
    if len(dict.fromkeys(groups)) < MIN_SUBGROUPS:
        return None
    analysis = subgroup_analysis(y, v, groups, "REML")
    rows = [
        Subgroup.from_fit(fit, measure, heterogeneity=fit.k > 1, subgroup=name)
        for name, fit in analysis.subgroups.items()
    ]
    return Subgroups(rows, analysis.test)


@dataclass(frozen=True)
class CurrentMethods:
    """The current default, leave-one-out, Egger's test and the funnel-plot data (both only
    with k ≥ 10: else the test's reason and no funnel) of one analysis, the studies left out
    of the pooling because they have no events in either arm or events in every participant
    (``dropped``), and the subgroup analysis when the analysis declares subgroups."""

    default: Pooled
    leave_one_out: list[LeftOut]
    egger: RegressionTest
    dropped: list[str]
    funnel: FunnelData | None = None
    subgroups: Subgroups | None = None

    def contract(self) -> dict:
        """The analysis' current-methods part of the results JSON."""
        return {
            "current_default": self.default.contract(CURRENT_DEFAULT_KEYS),
            "leave_one_out": [row.contract(LEFT_OUT_KEYS) for row in self.leave_one_out],
            "egger": asdict(self.egger),
            "egger_min_k": MIN_STUDIES_FOR_SMALL_STUDY_TESTS,
            "dropped_studies": self.dropped,
        } | ({} if self.subgroups is None else {"subgroups": self.subgroups.contract()})


def current_methods(
    effects: pd.DataFrame, measure: str = BINARY_MEASURE, by_subgroup: bool = False
) -> CurrentMethods:
    """Everything above for one analysis, from its rows of ``stats.study_effects`` (a
    DataFrame with ``study``, ``yi``, ``vi``, ``estimable`` and, ``by_subgroup``,
    ``subgroup_en``)."""
    estimable = effects["estimable"].to_numpy(bool)
    used = effects[estimable]
    y, v = used["yi"].to_numpy(float), used["vi"].to_numpy(float)
    return CurrentMethods(
        default=current_default(y, v, measure),
        leave_one_out=leave_one_out_rows([str(s) for s in used["study"]], y, v, measure),
        egger=egger_test(y, v),
        dropped=[str(s) for s in effects.loc[~estimable, "study"]],
        funnel=funnel_data(y, v) if len(y) >= MIN_STUDIES_FOR_SMALL_STUDY_TESTS else None,
        subgroups=subgroups(y, v, [str(g) for g in used["subgroup_en"]], measure)
        if by_subgroup
        else None,
    )
