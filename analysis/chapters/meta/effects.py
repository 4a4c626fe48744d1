"""Effect measures per study, as metafor's ``escalc`` computes them (metafor 3.8).

Binary outcomes (2×2 counts per arm): log risk ratio (RR), log odds ratio (OR) and risk
difference (RD). Continuous outcomes (mean, SD and size per arm): mean difference (MD) and
standardised mean difference (SMD, Hedges' g with the exact small-sample correction).
Pure: arrays in, a frozen result out; a study that is not estimable is NaN with its reason
code (``DROP_REASONS``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln
from statsmodels.stats.meta_analysis import effectsize_2proportions

from analysis.chapters.meta.data import CONTINUOUS_MEASURES

BINARY_MEASURES = ("RR", "OR", "RD")
RATIO_MEASURES = ("RR", "OR")  # pooled as logarithms, shown as ratios (null value 1, not 0)
ZERO_CELL_CORRECTION = 0.5
# Why a study's effect is not estimable (RR and OR only; RD keeps every study).
NO_EVENTS = "no_events_in_either_arm"  # double-zero study
ALL_EVENTS = "all_participants_with_event"  # every participant of both arms had the event
DROP_REASONS = (NO_EVENTS, ALL_EVENTS)
_STATSMODELS_STATISTIC = {"RR": "risk-ratio", "OR": "odds-ratio", "RD": "diff"}


@dataclass(frozen=True, eq=False)
class StudyEffects:
    """Per-study effects on the analysis scale (log RR, log OR, RD, MD or SMD) and their
    sampling variances; NaN for a study that is not estimable, ``dropped`` giving the reason
    (None for the others). ``zero_corrected`` marks the studies given 0.5 in every cell."""

    measure: str
    yi: np.ndarray
    vi: np.ndarray
    zero_corrected: np.ndarray
    dropped: tuple[str | None, ...]

    @property
    def included(self) -> np.ndarray:
        """Mask of the studies that enter the pooling."""
        return np.isfinite(self.yi)

    @property
    def sei(self) -> np.ndarray:
        """Standard errors."""
        return np.sqrt(self.vi)


def from_scale(measure: str, values: np.ndarray | float) -> np.ndarray | float:
    """Values on the analysis scale (log RR, log OR, RD, MD, SMD) on the measure's own scale:
    ratios exponentiated (``math.exp`` for a number, so that a number is the same to the last
    bit as before this function existed), differences as they are."""
    if measure not in RATIO_MEASURES:
        return values
    return np.exp(values) if isinstance(values, np.ndarray) else math.exp(values)


def _floats(*arrays: np.ndarray | list[float]) -> list[np.ndarray]:
    return [np.asarray(x, dtype=float) for x in arrays]


def binary_effects(
    ai: np.ndarray, n1i: np.ndarray, ci: np.ndarray, n2i: np.ndarray, measure: str
) -> StudyEffects:
    """Log RR, log OR or RD per study from events and totals of the intervention (``ai`` of
    ``n1i``) and control (``ci`` of ``n2i``) arms.

    Convention of ``escalc(measure, ai, n1i, ci, n2i, add = 1/2, to = "only0")`` (RevMan
    too): 0.5 is added to all four cells of a study with a zero cell. For RR and OR a study
    without events in either arm, or with events in every participant of both arms, is not
    estimable: ``drop00 = TRUE`` drops both (its help: "no cases/events (or only cases) in
    both groups"). For RD every study is kept (``drop00 = FALSE``, escalc's default; RevMan
    pools double-zero studies for RD). The variance of RD is ``vtype = "LS"``. The arithmetic
    is statsmodels' ``effectsize_2proportions`` on counts already corrected here, because its
    own float ``zero_correction`` adds to the events of every study but to the totals of the
    zero-cell studies only.
    """
    if measure not in BINARY_MEASURES:
        raise ValueError(f"measure must be one of {BINARY_MEASURES}")
    a, n1, c, n2 = _floats(ai, n1i, ci, n2i)
    no_events = (a == 0) & (c == 0)
    all_events = (a == n1) & (c == n2)
    drop = (no_events | all_events) if measure != "RD" else np.zeros(len(a), dtype=bool)
    zero_cell = ~drop & ((a == 0) | (c == 0) | (a == n1) | (c == n2))
    add = ZERO_CELL_CORRECTION * zero_cell
    yi = np.full(len(a), np.nan)
    vi = np.full(len(a), np.nan)
    keep = ~drop
    if keep.any():
        yi[keep], vi[keep] = effectsize_2proportions(
            (a + add)[keep],
            (n1 + 2 * add)[keep],
            (c + add)[keep],
            (n2 + 2 * add)[keep],
            statistic=_STATSMODELS_STATISTIC[measure],
        )
    reasons = tuple(
        (NO_EVENTS if zero else ALL_EVENTS) if dropped else None
        for zero, dropped in zip(no_events, drop, strict=True)
    )
    return StudyEffects(measure, yi, vi, zero_cell, reasons)


def hedges_correction(df: np.ndarray) -> np.ndarray:
    """Exact small-sample correction of Hedges (1981), Γ(m/2) / (√(m/2) Γ((m − 1)/2)) with
    m = n₁ + n₂ − 2 (metafor's ``.cmicalc``); NaN for m ≤ 1."""
    m = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.exp(gammaln(m / 2) - np.log(np.sqrt(m / 2)) - gammaln((m - 1) / 2))
    return np.where(m > 1, out, np.nan)


def continuous_effects(
    m1i: np.ndarray,
    sd1i: np.ndarray,
    n1i: np.ndarray,
    m2i: np.ndarray,
    sd2i: np.ndarray,
    n2i: np.ndarray,
    measure: str,
) -> StudyEffects:
    """MD or SMD per study from mean, SD and size of the intervention (1) and control (2) arms.

    MD: m₁ − m₂ with variance sd₁²/n₁ + sd₂²/n₂ (``escalc(measure = "MD")``, default
    ``vtype = "LS"``; RevMan's MD). SMD: Hedges' g = J(m) (m₁ − m₂)/s_pooled with the exact
    correction J (``hedges_correction``) and variance 1/n₁ + 1/n₂ + g²/(2(n₁ + n₂))
    (``escalc(measure = "SMD")``, default ``vtype = "LS"``). Written here because statsmodels'
    ``effectsize_smd`` uses the approximation 1 − 3/(4N − 9) and the variance
    N/(n₁n₂) + g²/(2(N − 3.94)), neither of which is metafor's.
    """
    if measure not in CONTINUOUS_MEASURES:
        raise ValueError(f"measure must be one of {CONTINUOUS_MEASURES}")
    m1, s1, n1, m2, s2, n2 = _floats(m1i, sd1i, n1i, m2i, sd2i, n2i)
    if measure == "MD":
        yi, vi = m1 - m2, s1**2 / n1 + s2**2 / n2
    else:
        df = n1 + n2 - 2
        pooled_sd = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / df)
        yi = hedges_correction(df) * (m1 - m2) / pooled_sd
        vi = 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))
    none = np.zeros(len(yi), dtype=bool)
    return StudyEffects(measure, yi, vi, none, (None,) * len(yi))
