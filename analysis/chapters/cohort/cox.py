"""Cox models of the coordinator effect in confounder blocks, and the proportional-hazards check.

Complete cases per block; lifelines with Efron ties is the main engine, statsmodels ``PHReg``
with Breslow ties (as SPSS) a sensitivity, and sandwich SEs clustered by programme a second one.
Proportional hazards: the scaled Schoenfeld residual test (rank time), and the residuals of the
unadjusted model with a lowess smooth for the figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test
from scipy.stats import chi2
from statsmodels.duration.hazard_regression import PHReg, PHRegResults
from statsmodels.nonparametric.smoothers_lowess import lowess

from analysis.chapters.cohort.data import AGE_GROUPS, DIAGNOSIS_GROUPS, LEVELS, SYMPTOMS, YES_NO
from analysis.chapters.cohort.survival import Z95

COX_MODELS = ("cox_unadjusted", "cox_without_programme_type", "cox_adjusted")
PH_MODELS = ("cox_unadjusted", "cox_adjusted")
LOWESS_FRACTION = 0.5


@dataclass(frozen=True)
class HazardRatio:
    """The coordinator hazard ratio of one fit with its 95 % CI, p and n."""

    hr: float
    ci_low: float
    ci_high: float
    p: float
    n: int

    @classmethod
    def from_coef(cls, coef: float, se: float, p: float, n: int) -> HazardRatio:
        """From a log hazard ratio and its standard error (Wald interval)."""
        return cls(
            math.exp(coef), math.exp(coef - Z95 * se), math.exp(coef + Z95 * se), float(p), n
        )

    def to_json(self) -> dict:
        return {
            "hr": self.hr,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p": self.p,
            "n": self.n,
        }


@dataclass(frozen=True)
class CoxFits:
    """The coordinator HR of one model block with every engine."""

    efron: HazardRatio
    breslow: HazardRatio
    robust: HazardRatio

    def to_json(self) -> dict:
        return {
            "efron": self.efron.to_json(),
            "breslow": self.breslow.to_json(),
            "robust": self.robust.to_json(),
        }


@dataclass(frozen=True)
class PHTest:
    """Scaled Schoenfeld residual test for the coordinator term and for all terms (global)."""

    coordinator_p: float
    global_chi2: float
    global_df: int
    global_p: float

    def to_json(self) -> dict:
        return {
            "coordinator_p": self.coordinator_p,
            "global_chi2": self.global_chi2,
            "global_df": self.global_df,
            "global_p": self.global_p,
        }


@dataclass(frozen=True)
class SchoenfeldResiduals:
    """Scaled Schoenfeld residuals of the coordinator term against time, with a lowess smooth
    (non-robust, ``LOWESS_FRACTION``) and the fitted log hazard ratio."""

    times: np.ndarray
    residuals: np.ndarray
    smooth_times: np.ndarray
    smooth: np.ndarray
    log_hr: float


def covariates(model: str, data: pd.DataFrame) -> list[str]:
    """The covariates of a model block (household income only when the data have it)."""
    if model == "cox_unadjusted":
        return ["coordinator"]
    confounders = [
        "age_group",
        "sex",
        "marital_status",
        "education",
        "diagnosis_group",
        *SYMPTOMS,
        "prior_sick_leave",
    ]
    if "household_income" in data and data["household_income"].notna().any():
        confounders.append("household_income")
    if model == "cox_adjusted":
        confounders.append("programme_type")
    return ["coordinator", *confounders]


def _reference_levels(variable: str) -> tuple[str, ...]:
    if variable == "age_group":
        return AGE_GROUPS
    if variable == "diagnosis_group":
        return DIAGNOSIS_GROUPS
    if LEVELS[variable] == YES_NO:
        return ("no", "yes")  # yes/no items: indicator of "yes"
    return LEVELS[variable]


def design(data: pd.DataFrame, outcome: str, variables: list[str]) -> pd.DataFrame:
    """Complete-case design matrix: duration, event, programme and dummy-coded covariates."""
    rows = data.dropna(subset=variables)
    out = pd.DataFrame(
        {
            "duration": rows[f"days_to_{outcome}"].astype(float),
            "event": rows[outcome].astype(int),
            "programme_id": rows["programme_id"].astype(str),
        }
    )
    for variable in variables:
        for level in _reference_levels(variable)[1:]:
            column = "coordinator" if variable == "coordinator" else f"{variable}={level}"
            out[column] = (rows[variable] == level).astype(float)
    # A level absent from the complete cases would make the model singular: drop it.
    return out.loc[:, (out != 0).any() | out.columns.isin(["event"])]


def cox_lifelines(frame: pd.DataFrame, cluster: bool = False) -> CoxPHFitter:
    """lifelines Cox fit (Efron ties); cluster-robust sandwich SEs by programme if asked."""
    fit_frame = frame if cluster else frame.drop(columns="programme_id")
    return CoxPHFitter().fit(
        fit_frame, "duration", "event", cluster_col="programme_id" if cluster else None
    )


def cox_statsmodels(frame: pd.DataFrame, ties: str = "breslow") -> PHRegResults:
    """statsmodels ``PHReg`` fit on the same design matrix."""
    exog = frame.drop(columns=["duration", "event", "programme_id"])
    return PHReg(frame["duration"], exog, status=frame["event"], ties=ties).fit()


def cox_coordinator(data: pd.DataFrame, outcome: str, model: str) -> CoxFits:
    """Coordinator HR of one block with every engine: Efron, Breslow, cluster-robust."""
    frame = design(data, outcome, covariates(model, data))
    n = len(frame)
    efron = cox_lifelines(frame).summary.loc["coordinator"]
    robust = cox_lifelines(frame, cluster=True).summary.loc["coordinator"]
    breslow = cox_statsmodels(frame, "breslow")
    index = list(breslow.model.exog_names).index("coordinator")
    return CoxFits(
        efron=HazardRatio.from_coef(efron["coef"], efron["se(coef)"], efron["p"], n),
        breslow=HazardRatio.from_coef(
            breslow.params[index], breslow.bse[index], breslow.pvalues[index], n
        ),
        robust=HazardRatio.from_coef(robust["coef"], robust["se(coef)"], robust["p"], n),
    )


def _ph_fit(data: pd.DataFrame, outcome: str, model: str) -> tuple[CoxPHFitter, pd.DataFrame]:
    frame = design(data, outcome, covariates(model, data)).drop(columns="programme_id")
    return CoxPHFitter().fit(frame, "duration", "event"), frame


def ph_test(data: pd.DataFrame, outcome: str, model: str) -> PHTest:
    """Scaled Schoenfeld residual test (rank time) for coordinator and all terms (global)."""
    fitted, frame = _ph_fit(data, outcome, model)
    summary = proportional_hazard_test(fitted, frame, time_transform="rank").summary
    statistic = float(summary["test_statistic"].sum())
    return PHTest(
        coordinator_p=float(summary.loc["coordinator", "p"]),
        global_chi2=statistic,
        global_df=len(summary),
        global_p=float(chi2.sf(statistic, len(summary))),
    )


def schoenfeld(data: pd.DataFrame, outcome: str) -> SchoenfeldResiduals:
    """Scaled Schoenfeld residuals of coordinator in the unadjusted model, with the smooth."""
    fitted, frame = _ph_fit(data, outcome, "cox_unadjusted")
    residuals = fitted.compute_residuals(frame, "scaled_schoenfeld")["coordinator"]
    times = frame.loc[residuals.index, "duration"]
    smooth = lowess(residuals.to_numpy(), times.to_numpy(), frac=LOWESS_FRACTION, it=0)
    return SchoenfeldResiduals(
        times=times.to_numpy(float),
        residuals=residuals.to_numpy(float),
        smooth_times=smooth[:, 0],
        smooth=smooth[:, 1],
        log_hr=float(fitted.params_["coordinator"]),
    )
