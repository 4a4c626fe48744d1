"""Pooling of per-study effects as metafor 3.8 does it, with the methods Cochrane now uses.

Inverse-variance pooling with τ² by REML (RevMan's random-effects default since January
2025), DerSimonian–Laird or Paule–Mandel (``rma(method = "REML" | "DL" | "PM")``), Wald (z)
or Hartung–Knapp–Sidik–Jonkman (``test = "knha"``) inference; the Q-profile interval for τ²
and the intervals for I² and H² (``confint(rma)``); prediction intervals (``predict``, and
the Higgins/RevMan t(k − 2) one); Mantel–Haenszel for OR, RR and RD (``rma.mh``) and Peto's
odds ratio (``rma.peto``). Everything is on the analysis scale (log OR, log RR, RD, MD, SMD);
I² is a proportion (metafor's percentage / 100). Roots (REML, PM, Q-profile) are found to
1e-14 in τ²; metafor's default stopping rules leave up to ~2.5e-5 (compare with a tight
``control``, as ``tests/reference/meta_methods.R`` does).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.meta_analysis import combine_effects

from analysis.chapters.meta.effects import binary_effects

Z95 = float(stats.norm.isf(0.025))
TAU2_METHODS = ("REML", "DL", "PM")
METHODS = ("FE", *TAU2_METHODS)
TESTS = ("z", "knha")
# Why a statistic is not estimable.
SINGLE_STUDY = "single_study"  # τ², its interval and Hartung–Knapp need k ≥ 2
ROOT_TOLERANCE = 1e-14  # absolute tolerance on τ² of every root search


@dataclass(frozen=True)
class Heterogeneity:
    """Cochran's Q (around the fixed-effect estimate) with df and p; τ² of the model and I²
    and H² derived from it as metafor does (I² = τ²/(τ² + s²), H² = (τ² + s²)/s², s² the
    typical within-study variance), each with its 95 % interval (Q-profile for τ², NaN when
    not computed)."""

    q: float
    q_df: int
    q_p: float
    tau2: float
    i2: float
    h2: float
    tau2_low: float = math.nan
    tau2_high: float = math.nan
    i2_low: float = math.nan
    i2_high: float = math.nan
    h2_low: float = math.nan
    h2_high: float = math.nan


@dataclass(frozen=True)
class Fit:
    """A fitted model as metafor's ``rma`` (``rma.mh``, ``rma.peto``) returns it: the pooled
    estimate on the analysis scale with its 95 % CI and two-sided p (``statistic`` is z, or t
    on ``df`` degrees of freedom), its model and test, and its heterogeneity. The chapter
    shows it on the measure's scale as a ``stats.Pooled`` (``Pooled.from_fit``)."""

    method: str
    test: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p: float
    heterogeneity: Heterogeneity
    df: int | None = None

    @property
    def tau2(self) -> float:
        """τ² of the model (0 for fixed-effect models)."""
        return self.heterogeneity.tau2


NO_HETEROGENEITY = Heterogeneity(0.0, 0, math.nan, 0.0, math.nan, math.nan)  # k < 2


def _weighted_mean(y: np.ndarray, w: np.ndarray) -> float:
    return float((w * y).sum() / w.sum())


def typical_variance(v: np.ndarray) -> float:
    """The "typical" within-study variance s² = (k − 1) Σw / ((Σw)² − Σw²), w = 1/v (Higgins &
    Thompson 2002; metafor's ``vt`` for I² and H²)."""
    w = 1 / np.asarray(v, dtype=float)
    return float((len(w) - 1) * w.sum() / (w.sum() ** 2 - (w**2).sum()))


def generalised_q(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Generalised Q: Σ wᵢ(yᵢ − μ̂)², wᵢ = 1/(vᵢ + τ²), μ̂ the weighted mean (Cochran's Q at
    τ² = 0); decreasing in τ²."""
    w = 1 / (v + tau2)
    return float((w * (y - _weighted_mean(y, w)) ** 2).sum())


def _root(f: Callable[[float], float], start: float) -> float:
    """Root of a decreasing function with f(0) > 0, bracketed by doubling ``start``."""
    high = max(start, 1.0)
    while f(high) > 0:
        high *= 2
    return float(optimize.brentq(f, 0.0, high, xtol=ROOT_TOLERANCE, rtol=4 * np.finfo(float).eps))


def tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    """DerSimonian–Laird τ² truncated at 0 (``rma(method = "DL")``), from statsmodels'
    ``combine_effects(method_re="chi2")``, whose own τ² is not truncated at 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return max(0.0, float(combine_effects(y, v, method_re="chi2").tau2))


def tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    """Paule–Mandel τ²: the root of Q(τ²) = k − 1, 0 when Q(0) ≤ k − 1 (``rma(method =
    "PM")``). Written here because statsmodels' ``method_re="iterated"`` stops at an absolute
    tolerance of 1e-5 on τ²."""
    df = len(y) - 1
    if generalised_q(y, v, 0.0) <= df:
        return 0.0
    return _root(lambda t: generalised_q(y, v, t) - df, tau2_dl(y, v))


def _reml_score(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    """Derivative of the restricted log-likelihood in τ² (× 2): Σw²(y − μ̂)² − tr(P)."""
    w = 1 / (v + tau2)
    mu = _weighted_mean(y, w)
    return float((w**2 * (y - mu) ** 2).sum() - (w.sum() - (w**2).sum() / w.sum()))


def tau2_reml(y: np.ndarray, v: np.ndarray) -> float:
    """Restricted maximum-likelihood τ² (``rma(method = "REML")``, RevMan's default since
    2025): the root of the REML score, 0 when the score is negative at 0 (metafor's
    truncation). metafor finds it by Fisher scoring; the root is the same. Written here because
    statsmodels has no REML estimator for meta-analysis."""
    if _reml_score(y, v, 0.0) <= 0:
        return 0.0
    return _root(lambda t: _reml_score(y, v, t), tau2_dl(y, v))


TAU2_ESTIMATORS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "REML": tau2_reml,
    "DL": tau2_dl,
    "PM": tau2_pm,
}


def tau2_confint(y: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """Q-profile 95 % interval for τ² (Viechtbauer 2007; ``confint(rma)``): the τ² at which the
    generalised Q equals the 97.5 % and 2.5 % quantiles of χ²(k − 1), each bound 0 when Q(0)
    is already below its quantile. It does not depend on the τ² estimator."""
    df = len(y) - 1
    bounds = []
    for quantile in (stats.chi2.isf(0.025, df), stats.chi2.isf(0.975, df)):
        if generalised_q(y, v, 0.0) <= quantile:
            bounds.append(0.0)
        else:
            bounds.append(_root(lambda t, c=quantile: generalised_q(y, v, t) - c, tau2_dl(y, v)))
    return bounds[0], bounds[1]


def heterogeneity(y: np.ndarray, v: np.ndarray, tau2: float, interval: bool) -> Heterogeneity:
    """Q, df and p; I² and H² from ``tau2`` (metafor's definitions); with ``interval`` the
    Q-profile interval for τ² and the I² and H² intervals it implies (``confint(rma)``)."""
    k = len(y)
    q = generalised_q(y, v, 0.0)
    s2 = typical_variance(v)
    i2, h2 = tau2 / (tau2 + s2), (tau2 + s2) / s2
    if not interval:
        return Heterogeneity(q, k - 1, float(stats.chi2.sf(q, k - 1)), tau2, i2, h2)
    low, high = tau2_confint(y, v)
    return Heterogeneity(
        q, k - 1, float(stats.chi2.sf(q, k - 1)), tau2, i2, h2, low, high,
        low / (low + s2), high / (high + s2), (low + s2) / s2, (high + s2) / s2,
    )  # fmt: skip


def rma(
    yi: np.ndarray,
    vi: np.ndarray,
    method: str = "REML",
    test: str = "z",
    interval: bool = True,
    tau2: float | None = None,
) -> Fit:
    """Inverse-variance pooling, ``rma(yi, vi, method, test)``: weights 1/(vᵢ + τ²) with τ² by
    ``method`` ("FE": τ² = 0). ``test = "z"``: Wald CI and p with the normal quantile;
    ``test = "knha"``: Hartung–Knapp–Sidik–Jonkman, SE² = Σw(y − μ̂)²/((k − 1)Σw) and t on
    k − 1 df, without the ad hoc floor (metafor's ``knha``, not ``test = "adhoc"``).
    ``interval`` adds the Q-profile τ² interval (and I², H²), as ``confint(rma)``. A given
    ``tau2`` is used instead of the estimator's (``rma(tau2 = ...)``). Needs k ≥ 2 for anything
    but the fixed-effect z model (``SINGLE_STUDY``)."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    k = len(y)
    if method not in METHODS or test not in TESTS:
        raise ValueError(f"method must be one of {METHODS}, test one of {TESTS}")
    if k < 2 and (method != "FE" or test != "z"):
        raise ValueError(SINGLE_STUDY)
    if tau2 is None:
        tau2 = 0.0 if method == "FE" else TAU2_ESTIMATORS[method](y, v)
    w = 1 / (v + tau2)
    mu = _weighted_mean(y, w)
    if test == "z":
        se, dist, df = math.sqrt(1 / w.sum()), stats.norm, None
    else:
        se = math.sqrt(float((w * (y - mu) ** 2).sum() / ((k - 1) * w.sum())))
        dist, df = stats.t(k - 1), k - 1
    crit = float(dist.isf(0.025))
    if k < 2:
        het = NO_HETEROGENEITY
    elif method == "FE":
        het = _cochran(y, v, _weighted_mean(y, 1 / v))
    else:
        het = heterogeneity(y, v, tau2, interval)
    return Fit(
        method, test, k, mu, se, mu - crit * se, mu + crit * se, mu / se,
        float(2 * dist.sf(abs(mu / se))), het, df,
    )  # fmt: skip


def prediction_interval(pooled: Fit, convention: str = "metafor") -> tuple[float, float]:
    """95 % prediction interval μ̂ ± c √(τ² + SE²).

    ``"metafor"``: ``predict(rma)``'s default, c the normal quantile for ``test = "z"`` and
    t(k − 1) for ``test = "knha"``. ``"riley"``: t(k − 2) (Higgins, Thompson & Spiegelhalter
    2009; Cochrane Handbook 10.10.4.3; RevMan; ``predict(pi.type = "riley")``), for k ≥ 3.
    """
    if convention == "metafor":
        crit = Z95 if pooled.df is None else float(stats.t.isf(0.025, pooled.df))
    elif convention == "riley":
        if pooled.k < 3:
            raise ValueError("the t(k − 2) prediction interval needs k ≥ 3")
        crit = float(stats.t.isf(0.025, pooled.k - 2))
    else:
        raise ValueError(convention)
    half = crit * math.sqrt(pooled.tau2 + pooled.se**2)
    return pooled.estimate - half, pooled.estimate + half


def _fixed(method: str, k: int, estimate: float, se: float, het: Heterogeneity) -> Fit:
    z = estimate / se
    return Fit(
        method, "z", k, estimate, se, estimate - Z95 * se, estimate + Z95 * se, z,
        float(2 * stats.norm.sf(abs(z))), het,
    )  # fmt: skip


def _fixed_heterogeneity(q: float, df: int) -> Heterogeneity:
    """Q with metafor's I² = max(0, (Q − df)/Q) and H² = Q/df of its fixed-effect models
    (``rma(method = "FE")``, ``rma.mh``, ``rma.peto``; τ² is 0 in these models); nothing with
    fewer than two studies."""
    if df < 1:
        return NO_HETEROGENEITY
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    return Heterogeneity(q, df, float(stats.chi2.sf(q, df)), 0.0, i2, q / df)


def _cochran(y: np.ndarray, v: np.ndarray, centre: float) -> Heterogeneity:
    """Cochran's Q of the estimable effects around a fixed estimate (``_fixed_heterogeneity``)."""
    keep = np.isfinite(y)
    y, v = y[keep], v[keep]
    return _fixed_heterogeneity(float(((y - centre) ** 2 / v).sum()), len(y) - 1)


def mantel_haenszel(
    ai: np.ndarray, n1i: np.ndarray, ci: np.ndarray, n2i: np.ndarray, measure: str = "OR"
) -> Fit:
    """Mantel–Haenszel fixed effect from raw counts, as ``rma.mh(measure)``: OR with the
    Robins–Breslow–Greenland variance, RR with the Greenland–Robins variance, RD with Sato's
    (1989) variance (metafor's; RevMan 5 uses Greenland–Robins 1985 for RD). No zero-cell
    correction and no study dropped in the sums (``drop00 = c(TRUE, FALSE)``: the second
    element is for the MH sums; a double-zero study adds nothing to the OR and RR sums, but
    an all-events study does add to the RR sums and every study adds to the RD ones). Q is
    taken from the ``escalc`` effects (0.5 for zero cells; double-zero and all-events studies
    dropped, for RD too: rma.mh passes ``drop00 = TRUE`` to escalc) around the MH estimate."""
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (ai, n1i, ci, n2i))
    b, d, n = n1 - a, n2 - c, n1 + n2
    if measure == "OR":
        r, s = a * d / n, b * c / n
        p, q = (a + d) / n, (b + c) / n
        log_or = math.log(r.sum() / s.sum())
        var = (
            (p * r).sum() / (2 * r.sum() ** 2)
            + (p * s + q * r).sum() / (2 * r.sum() * s.sum())
            + (q * s).sum() / (2 * s.sum() ** 2)
        )
        estimate, se = log_or, math.sqrt(var)
    elif measure == "RR":
        r, s = a * n2 / n, c * n1 / n
        p = (n1 * n2 * (a + c) - a * c * n) / n**2
        estimate, se = math.log(r.sum() / s.sum()), math.sqrt(p.sum() / (r.sum() * s.sum()))
    elif measure == "RD":
        weight = (n1 * n2 / n).sum()
        estimate = float((a * n2 / n - c * n1 / n).sum() / weight)
        sato_p = (c * (n1 / n) ** 2 - a * (n2 / n) ** 2 + (n1 / n) * (n2 / n) * (n2 - n1) / 2).sum()
        sato_q = (a * (n2 - c) / n + c * (n1 - a) / n).sum() / 2
        se = math.sqrt((estimate * sato_p + sato_q) / weight**2)
    else:
        raise ValueError(measure)
    effects = binary_effects(a, n1, c, n2, measure)
    dropped = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    y = np.where(dropped, np.nan, effects.yi)
    return _fixed("MH", len(a), estimate, se, _cochran(y, effects.vi, estimate))


def peto(ai: np.ndarray, n1i: np.ndarray, ci: np.ndarray, n2i: np.ndarray) -> Fit:
    """Peto's one-step log odds ratio, Σ(O − E)/ΣV with SE 1/√ΣV (``rma.peto``; RevMan's Peto
    method). Double-zero and all-events studies have V = 0 and drop out. Q = Σ(O − E)²/V −
    (Σ(O − E))²/ΣV over the studies with V > 0, as rma.peto."""
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (ai, n1i, ci, n2i))
    n, events = n1 + n2, a + c
    o_e = a - events * n1 / n
    var = n1 * n2 * events * (n - events) / (n**2 * (n - 1))
    keep = var > 0
    estimate, se = float(o_e.sum() / var.sum()), 1 / math.sqrt(var.sum())
    q = float((o_e[keep] ** 2 / var[keep]).sum() - o_e.sum() ** 2 / var.sum())
    het = _fixed_heterogeneity(q, int(keep.sum()) - 1)
    return _fixed("Peto", len(a), estimate, se, het)
