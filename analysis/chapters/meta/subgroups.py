"""Subgroup analyses: a pooled result per subgroup and the test for subgroup differences.

RevMan's convention (Cochrane Handbook 10.11.3.1): each subgroup is pooled on its own (for
random effects with its own τ²), then Cochran's Q is taken between the subgroup estimates
with their standard errors as a fixed-effect meta-analysis, on (number of subgroups − 1) df.
In metafor: one ``rma`` per subgroup, then ``rma(yi = estimates, sei = ses, method = "FE")``
and its ``QE``/``QEp`` (not the pooled-τ² test of ``rma(mods = ~ group)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.chapters.meta.pooling import Fit, rma


@dataclass(frozen=True)
class SubgroupTest:
    """Test for subgroup differences: Q between the subgroup estimates, df and p."""

    q: float
    df: int
    p: float


@dataclass(frozen=True)
class SubgroupAnalysis:
    """The pooled result of each subgroup (in order of first appearance) and the test."""

    subgroups: Mapping[str, Fit]
    test: SubgroupTest


def subgroup_difference(estimates: Sequence[float], ses: Sequence[float]) -> SubgroupTest:
    """Fixed-effect Cochran's Q between subgroup estimates (``rma(yi, sei, method = "FE")``:
    ``QE``, k − 1 df, ``QEp``)."""
    y, se = np.asarray(estimates, dtype=float), np.asarray(ses, dtype=float)
    w = 1 / se**2
    q = float((w * (y - (w * y).sum() / w.sum()) ** 2).sum())
    df = len(y) - 1
    return SubgroupTest(q, df, float(stats.chi2.sf(q, df)))


def subgroup_analysis(
    yi: np.ndarray,
    vi: np.ndarray,
    groups: Sequence[str],
    method: str = "REML",
    test: str = "z",
) -> SubgroupAnalysis:
    """Pool each subgroup with ``rma(method, test)`` (separate τ² per subgroup, as RevMan)
    and test the differences between them (``subgroup_difference``). A subgroup of one study
    is that study's own estimate and Wald CI (``rma(method = "FE")``; RevMan shows it so, and
    metafor's ``rma(method = "REML")`` on one study gives the same, with τ² = 0). Studies
    with NaN effects are left out."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    labels = np.asarray(groups, dtype=object)
    keep = np.isfinite(y)
    fits = {}
    for group in dict.fromkeys(labels[keep]):
        mask = keep & (labels == group)
        single = int(mask.sum()) == 1
        model = ("FE", "z") if single else (method, test)
        fits[str(group)] = rma(y[mask], v[mask], *model)
    estimates = [fit.estimate for fit in fits.values()]
    return SubgroupAnalysis(fits, subgroup_difference(estimates, [fit.se for fit in fits.values()]))
