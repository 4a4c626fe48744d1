"""Sensitivity analyses and small-study effects.

Leave-one-out (``leave1out(rma)``), re-analysis restricted to the studies meeting a criterion,
Egger's and Peters' regression tests (only with k ≥ 10, Cochrane Handbook 10.4.3.1) and the
data of a funnel plot (no plotting here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from statsmodels.regression.linear_model import WLS
from statsmodels.tools.tools import add_constant

from analysis.chapters.meta.pooling import Z95, Fit, rma

MIN_STUDIES_FOR_SMALL_STUDY_TESTS = 10
# Why a small-study test is not reported.
FEWER_THAN_TEN = "fewer_than_ten_studies"  # Cochrane Handbook 10.4.3.1


def leave_one_out(
    yi: np.ndarray, vi: np.ndarray, method: str = "REML", test: str = "z"
) -> list[Fit]:
    """The model refitted without each study in turn, in study order (``leave1out(rma)``:
    its estimate, CI, τ², I² and Q)."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    every = np.arange(len(y))
    return [rma(y[every != i], v[every != i], method, test, interval=False) for i in every]


def restricted(
    yi: np.ndarray, vi: np.ndarray, mask: np.ndarray, method: str = "REML", test: str = "z"
) -> Fit:
    """The model on the studies where ``mask`` is true (e.g. low risk of bias only):
    ``rma(yi, vi, subset = mask)``."""
    keep = np.asarray(mask, dtype=bool)
    return rma(np.asarray(yi, dtype=float)[keep], np.asarray(vi, dtype=float)[keep], method, test)


@dataclass(frozen=True)
class RegressionTest:
    """A small-study-effects test: t of the predictor's slope on ``df`` df and its two-sided
    p, and the intercept (for Egger's test the "limit estimate" of a study with SE 0);
    NaN with ``reason`` when not reported."""

    t: float
    df: int
    p: float
    intercept: float
    reason: str | None = None


def _weighted_regression(y: np.ndarray, x: np.ndarray, v: np.ndarray) -> RegressionTest:
    keep = np.isfinite(y)
    k = int(keep.sum())
    if k < MIN_STUDIES_FOR_SMALL_STUDY_TESTS:
        return RegressionTest(np.nan, k - 2, np.nan, np.nan, FEWER_THAN_TEN)
    fit = WLS(y[keep], add_constant(x[keep]), weights=1 / v[keep]).fit()
    return RegressionTest(
        float(fit.tvalues[1]), int(fit.df_resid), float(fit.pvalues[1]), float(fit.params[0])
    )


def egger_test(yi: np.ndarray, vi: np.ndarray) -> RegressionTest:
    """Egger's test as the Cochrane Handbook describes it: weighted least squares of yᵢ on
    SEᵢ with weights 1/vᵢ and a free (multiplicative) residual variance, t test of the slope
    on k − 2 df (``regtest(yi, vi, model = "lm", predictor = "sei")``; metafor's default
    ``model = "rma"`` is a different, random-effects version). Only with k ≥ 10."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    return _weighted_regression(y, np.sqrt(v), v)


def peters_test(yi: np.ndarray, vi: np.ndarray, ni: np.ndarray) -> RegressionTest:
    """Peters' test for binary outcomes: weighted least squares of yᵢ on 1/nᵢ (nᵢ the study's
    total size) with weights 1/vᵢ (``regtest(yi, vi, ni = ni, model = "lm", predictor =
    "ninv")``; Peters et al. 2006 weight by the study's events and non-events, metafor by
    1/vᵢ). Only with k ≥ 10."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    return _weighted_regression(y, 1 / np.asarray(ni, dtype=float), v)


@dataclass(frozen=True, eq=False)
class FunnelData:
    """The points of a funnel plot (effect and SE per study) and its centre, the
    fixed-effect estimate; ``limits(se)`` gives the pseudo 95 % confidence limits."""

    yi: np.ndarray
    sei: np.ndarray
    centre: float

    def limits(self, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pseudo 95 % limits centre ± 1.96 SE at the given SEs (metafor's ``funnel``)."""
        se = np.asarray(se, dtype=float)
        return self.centre - Z95 * se, self.centre + Z95 * se


def funnel_data(yi: np.ndarray, vi: np.ndarray) -> FunnelData:
    """Funnel-plot data of the estimable studies around the fixed-effect (inverse-variance)
    estimate, as Cochrane's funnel plots (RevMan) draw them."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    keep = np.isfinite(y)
    return FunnelData(y[keep], np.sqrt(v[keep]), rma(y[keep], v[keep], "FE").estimate)
