"""The normal and χ² tails the chapters' statistics share, from ``scipy.special``: the same
functions scipy.stats' distributions call, without their overhead of some hundred
microseconds a call (the cohort chapter asks for thousands)."""

from __future__ import annotations

from scipy import special

# The 97.5 % quantile of the standard normal (scipy.stats' ``norm.ppf(0.975)``).
Z95 = float(special.ndtri(0.975))


def two_sided_p(z: float) -> float:
    """Two-sided p of a standard normal ``z`` (scipy.stats' ``2 * norm.sf(|z|)``)."""
    return float(2 * special.ndtr(-abs(z)))


def chi2_p(statistic: float, df: int) -> float:
    """Upper tail of χ² with ``df`` degrees of freedom at ``statistic`` (scipy.stats'
    ``chi2.sf``; 1 at or below 0)."""
    return float(special.chdtrc(df, max(statistic, 0.0)))
