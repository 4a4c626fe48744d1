"""Cox models of the coordinator effect in confounder blocks, and the proportional-hazards check.

Complete cases per block, fitted with the chapter's own engine (:mod:`coxph`, checked against
R's ``coxph`` to 1e-12): Efron ties as the main estimate (R's default), Breslow ties (SPSS) as a
sensitivity, and the Efron fit with sandwich SEs clustered by programme (R's
``coxph(..., cluster = programme_id)``) as a second one. Proportional hazards: survival ≥ 3.0
``cox.zph`` on the Efron fit (``transform = "km"``, per term and the global quadratic form),
and the scaled Schoenfeld residuals β + d·I⁻¹·s of the unadjusted model with a lowess smooth
for the figure. Whatever cannot be estimated carries a reason code instead of numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np
import pandas as pd
from statsmodels.nonparametric.smoothers_lowess import lowess

from analysis.chapters.cohort import coxph
from analysis.chapters.cohort.collapsed import WEIGHT, persons, weights_of
from analysis.chapters.cohort.coxph import NotEstimable
from analysis.chapters.cohort.data import DEFAULT_PLAN, level_positions
from analysis.chapters.cohort.plan import CLUSTER, EXPOSED, EXPOSURE, REFERENCE, AnalysisPlan
from analysis.core.disclosure import suppress_counts
from analysis.core.inference import Z95
from analysis.core.output_checks import point_bins, statistic_withheld

PH_TRANSFORM = "km"
LOWESS_FRACTION = 0.5
# The lowess smooth is computed every 1 % of the time range and interpolated between
# (statsmodels' ``delta``), so it costs the same for a hundred or a million residuals.
LOWESS_DELTA = 0.01
# Bins of residuals drawn in the figure at most (each of at least ``suppress_below`` events),
# and the number of days at which the smooth is kept.
MAX_BINS = 40
SMOOTH_POINTS = 100
# The columns of a design matrix before its covariates.
DESIGN_COLUMNS = ("duration", "event", CLUSTER, WEIGHT)


@dataclass(frozen=True)
class HazardRatio:
    """The coordinator hazard ratio of one fit with its 95 % CI, SE of the log HR, p and n;
    numbers None with a ``reason`` code when not estimable (n None when disclosure control
    hides it)."""

    hr: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    n: int | None
    se: float | None = None
    reason: str | None = None

    @classmethod
    def from_coef(cls, coef: float, se: float, n: int) -> HazardRatio:
        """From a log hazard ratio and its standard error (Wald interval and p)."""
        hr, low, high, p = coxph.wald(coef, se)
        return cls(hr, low, high, p, n, float(se))

    @classmethod
    def not_estimable(cls, reason: str, n: int) -> HazardRatio:
        return cls(None, None, None, None, n, reason=reason)

    def to_json(self, with_se: bool = False) -> dict:
        values = {"hr": self.hr, "ci_low": self.ci_low, "ci_high": self.ci_high}
        values.update({"se": self.se, "p": self.p} if with_se else {"p": self.p, "n": self.n})
        if self.reason:
            values["reason"] = self.reason
        return values


@dataclass(frozen=True)
class CoxFits:
    """The coordinator HR of one model block: Efron, Breslow, Efron with clustered SEs."""

    efron: HazardRatio
    breslow: HazardRatio
    robust: HazardRatio

    def to_json(self) -> dict:
        return {
            "efron": self.efron.to_json(),
            "breslow": self.breslow.to_json(),
            "robust": self.robust.to_json(),
        }

    def with_n(self, n: int | None) -> CoxFits:
        """These fits with the number of employees ``n`` (None: hidden)."""
        return CoxFits(*(replace(fit, n=n) for fit in (self.efron, self.breslow, self.robust)))


def model_sizes(sizes: Sequence[int], threshold: int) -> list[int | None]:
    """The numbers of employees of nested models (each model's complete cases within the
    previous one's, the first the whole cohort) as disclosure control lets them be shown.
    The differences between them count persons too (e.g. those without a programme type), so
    the last model's n and the differences are a one-way table whose total, the cohort, is
    shown; a model's n is shown when the cells it would give away are."""
    parts = {"last": sizes[-1]} | {
        f"dropped_{i}": before - after for i, (before, after) in enumerate(pairwise(sizes))
    }
    if any(value < 0 for value in parts.values()):
        raise ValueError(f"the models are not nested: {list(sizes)}")
    shown = suppress_counts(parts, threshold).values
    dropped = [shown[f"dropped_{i}"] for i in range(len(sizes) - 1)]
    # n of model k = cohort − dropped before k = last + dropped from k on: shown if either is.
    return [
        sizes[0]
        if k == 0
        else sizes[k]
        if None not in dropped[:k] or (shown["last"] is not None and None not in dropped[k:])
        else None
        for k in range(len(sizes))
    ]


@dataclass(frozen=True)
class PHTest:
    """``cox.zph``: the coordinator term, every term (χ², df, p) and the global test."""

    coordinator_chi2: float | None
    coordinator_p: float | None
    global_chi2: float | None
    global_df: int | None
    global_p: float | None
    transform: str
    terms: dict[str, tuple[float, int, float]]
    reason: str | None = None

    def to_json(self) -> dict:
        values = {
            "coordinator_chi2": self.coordinator_chi2,
            "coordinator_p": self.coordinator_p,
            "global_chi2": self.global_chi2,
            "global_df": self.global_df,
            "global_p": self.global_p,
            "transform": self.transform,
            "terms": {
                name: {"chi2": chi2, "df": df, "p": p} for name, (chi2, df, p) in self.terms.items()
            },
        }
        if self.reason:
            values["reason"] = self.reason
        return values


@dataclass(frozen=True)
class SchoenfeldResiduals:
    """β + scaled Schoenfeld residuals of the coordinator term against time, as output checking
    lets them be shown: no residual of one person, only the mean time and mean residual of
    consecutive bins of events (at most ``MAX_BINS``, each of at least ``suppress_below``
    events, :func:`analysis.core.output_checks.point_bins`) with the half-width of each mean's
    95 % interval (``bin_half_widths``: 1.96 · SD / √events of the bin, NaN for a bin of one
    event), the band of the figure, and a lowess smooth of all of them (non-robust,
    ``LOWESS_FRACTION``) at ``SMOOTH_POINTS`` evenly spaced days between the first and the last
    bin; and the fitted log hazard ratio β. Empty with a ``reason`` when the model is not
    estimable or not shown."""

    bin_times: np.ndarray
    bin_means: np.ndarray
    smooth_times: np.ndarray
    smooth: np.ndarray
    log_hr: float | None
    reason: str | None = None
    bin_half_widths: np.ndarray = field(default_factory=lambda: np.empty(0))


@dataclass(frozen=True)
class CoxBlock:
    """One model block: the HRs, and (if asked) the PH test and the residuals for the figure."""

    fits: CoxFits
    ph: PHTest | None
    schoenfeld: SchoenfeldResiduals | None


def covariates(model: str, data: pd.DataFrame, plan: AnalysisPlan = DEFAULT_PLAN) -> list[str]:
    """The exposure and the covariates of a model block of ``plan`` (an optional variable only
    when the data have it)."""
    variables = plan.variables or {}
    return [
        EXPOSURE,
        *(
            name
            for name in plan.models[model].covariates
            if not variables[name].optional or (name in data and data[name].notna().any())
        ),
    ]


def _reference_first(variable: str, plan: AnalysisPlan) -> tuple[str, ...]:
    """The levels of a covariate, its reference first (the exposure's: ``no``)."""
    if variable == EXPOSURE:
        return (REFERENCE, EXPOSED)
    return (plan.variables or {})[variable].reference_first()


def design(
    data: pd.DataFrame, outcome: str, variables: list[str], plan: AnalysisPlan = DEFAULT_PLAN
) -> pd.DataFrame:
    """Complete-case design matrix of the analysis frame (``prepare``'s; complete on the strata
    too, if the plan has them): duration, event, cluster (as a code), case weight
    (:data:`DESIGN_COLUMNS`) and dummy-coded covariates (a dummy that is constant in the
    complete cases is left out; it would make the model singular)."""
    # The variables and the cluster are categorical in the analysis frame: read by their codes.
    strata = [plan.strata] if plan.strata else []
    complete = np.logical_and.reduce([data[v].array.codes >= 0 for v in (*variables, *strata)])
    columns = {
        "duration": data[f"days_to_{outcome}"].to_numpy()[complete].astype(float),
        "event": data[outcome].to_numpy()[complete].astype(int),
        CLUSTER: data[CLUSTER].array.codes[complete],
        WEIGHT: weights_of(data)[complete],
    }
    for variable in variables:
        levels = _reference_first(variable, plan)
        chosen = level_positions(data[variable], levels)[complete]
        for position, level in enumerate(levels[1:], start=1):
            dummy = chosen == position
            if 0 < dummy.sum() < len(dummy):  # a constant column has no effect to estimate
                columns[EXPOSURE if variable == EXPOSURE else f"{variable}={level}"] = dummy * 1.0
    return pd.DataFrame(columns, index=data.index[complete])


def _terms(columns: list[str]) -> dict[str, list[int]]:
    """Model terms (a factor's dummies together) and their column indices."""
    terms: dict[str, list[int]] = {}
    for index, column in enumerate(columns):
        terms.setdefault(column.split("=")[0], []).append(index)
    return terms


def _reason(frame: pd.DataFrame) -> str | None:
    """Why the coordinator HR cannot exist in these complete cases (None if it may)."""
    if frame.empty:
        return "no_complete_cases"
    if EXPOSURE not in frame:
        return "one_group"
    event = frame["event"].to_numpy(bool)
    if not event.any():
        return "no_events"
    with_coordinator = frame[EXPOSURE].to_numpy() == 1
    if not event[with_coordinator].any() or not event[~with_coordinator].any():
        return "no_events_in_group"
    return None


def _withheld(frame: pd.DataFrame, suppress_below: int) -> str | None:
    """Why output checking withholds the model of these complete cases (None: shown)."""
    n = persons(frame)
    with_coordinator = int(frame[WEIGHT] @ frame[EXPOSURE])
    return statistic_withheld(
        (with_coordinator, n - with_coordinator),
        suppress_below,
        n=n,
        parameters=len(frame.columns) - len(DESIGN_COLUMNS),
    )


def _schoenfeld(
    test: coxph.ZPHTest, index: int, coef: float, suppress_below: int
) -> SchoenfeldResiduals:
    times = np.repeat(test.times, test.counts)
    residuals = np.repeat(test.scaled[:, index], test.counts)
    bins = point_bins(len(times), suppress_below, MAX_BINS)
    if not bins:
        return _no_residuals("small_group")
    span = float(times.max() - times.min())
    smooth = lowess(residuals, times, frac=LOWESS_FRACTION, it=0, delta=LOWESS_DELTA * span)
    bin_times = np.array([times[positions].mean() for positions in bins])
    grid = np.linspace(bin_times[0], bin_times[-1], SMOOTH_POINTS)
    return SchoenfeldResiduals(
        bin_times=bin_times,
        bin_means=np.array([residuals[positions].mean() for positions in bins]),
        smooth_times=grid,
        smooth=np.interp(grid, smooth[:, 0], smooth[:, 1]),
        log_hr=coef,
        bin_half_widths=np.array([_half_width(residuals[positions]) for positions in bins]),
    )


def _half_width(values: np.ndarray) -> float:
    """Half the width of the 95 % interval of the mean of ``values`` (NaN for one value)."""
    if len(values) < 2:
        return math.nan
    return Z95 * float(values.std(ddof=1)) / math.sqrt(len(values))


def _no_residuals(reason: str) -> SchoenfeldResiduals:
    return SchoenfeldResiduals(*(np.empty(0),) * 4, None, reason)


def _not_estimable_ph(reason: str) -> PHTest:
    return PHTest(None, None, None, None, None, PH_TRANSFORM, {}, reason)


def cox_block(
    data: pd.DataFrame,
    outcome: str,
    model: str,
    ph: bool,
    residuals: bool,
    suppress_below: int = 0,
    plan: AnalysisPlan = DEFAULT_PLAN,
) -> CoxBlock:
    """Coordinator HR of one block with every engine; the PH test and the figure's residuals
    from the Efron fit when asked. Output checking at ``suppress_below``: a block whose
    coordinator groups or residual degrees of freedom are too small is not shown (its reason
    :data:`~analysis.core.output_checks.SMALL_GROUP` or ``FEW_DF``), and the residuals only in
    bins of at least that many events."""
    frame = design(data, outcome, covariates(model, data, plan), plan)
    n = persons(frame)
    reason = _reason(frame) or _withheld(frame, suppress_below)
    fits: dict[str, coxph.CoxFit] = {}
    if reason is None:
        names = list(frame.columns[len(DESIGN_COLUMNS) :])
        x = frame[names].to_numpy(float)
        strata = data.loc[frame.index, plan.strata].to_numpy(object) if plan.strata else None
        try:
            start = None
            for ties in coxph.TIES:  # Breslow starts from the Efron estimate
                fits[ties] = coxph.fit(
                    frame["duration"].to_numpy(),
                    frame["event"].to_numpy(),
                    x,
                    names,
                    ties,
                    start,
                    strata=strata,
                    weights=frame[WEIGHT].to_numpy(),
                )
                start = fits[ties].coef
        except NotEstimable as error:
            reason = error.reason
    if reason is not None:
        missing = HazardRatio.not_estimable(reason, n)
        return CoxBlock(
            CoxFits(missing, missing, missing),
            _not_estimable_ph(reason) if ph else None,
            _no_residuals(reason) if residuals else None,
        )
    efron, breslow = fits["efron"], fits["breslow"]
    j = efron.index(EXPOSURE)
    robust_se = coxph.robust_se(efron, frame[CLUSTER].to_numpy())[j]
    block = CoxFits(
        efron=HazardRatio.from_coef(efron.coef[j], efron.se[j], n),
        breslow=HazardRatio.from_coef(breslow.coef[j], breslow.se[j], n),
        robust=HazardRatio.from_coef(efron.coef[j], robust_se, n),
    )
    if not (ph or residuals):
        return CoxBlock(block, None, None)
    try:
        test = coxph.zph(efron, _terms(list(efron.names)), PH_TRANSFORM)
    except NotEstimable as error:
        return CoxBlock(
            block,
            _not_estimable_ph(error.reason) if ph else None,
            SchoenfeldResiduals(*(np.empty(0),) * 4, None, error.reason) if residuals else None,
        )
    chi2, _, p = test.terms[EXPOSURE]
    global_chi2, global_df, global_p = test.global_test
    return CoxBlock(
        block,
        PHTest(chi2, p, global_chi2, global_df, global_p, PH_TRANSFORM, test.terms) if ph else None,
        _schoenfeld(test, j, float(efron.coef[j]), suppress_below) if residuals else None,
    )
