"""Sentences of the cohort page composed from the results with label templates."""

from __future__ import annotations

from analysis.chapters.cohort.programmes import OddsRatio
from analysis.chapters.cohort.survival import KMComparison, LogRank
from analysis.chapters.cohort.tables import group_label
from analysis.core.i18n import fmt_estimate, fmt_int, fmt_num, fmt_p, fmt_pct, t


def km_alt_summary(comparison: KMComparison, days: int, lang: str) -> str:
    """Per group: median days and share returned within follow-up (for a figure's alt text)."""
    return " ".join(
        t(
            "cohort.km.alt_group",
            lang,
            group=group_label(comparison.by, curve.level, lang),
            median=fmt_num(curve.median.estimate, lang, 0),
            share=fmt_pct(curve.median.share_returned, lang),
            days=days,
        )
        for curve in comparison.curves
    )


def logrank_text(test: LogRank, lang: str) -> str:
    """``log-rank χ² = …, (df = …), p = …``."""
    return t(
        "cohort.text.logrank",
        lang,
        chi2=fmt_num(test.chi2, lang),
        df=test.df,
        p=fmt_p(test.p, lang),
    )


def odds_ratio_text(odds: OddsRatio, lang: str) -> str:
    """The odds ratio with its interval, p and n."""
    return t(
        "cohort.text.or",
        lang,
        estimate=fmt_estimate(odds.odds_ratio, odds.ci_low, odds.ci_high, lang, 1),
        p=fmt_p(odds.p, lang),
        n=fmt_int(odds.n, lang),
    )


def rates_alt_summary(rates: dict[str, float], lang: str) -> str:
    """Per programme type: the share with a first RTW (for the rate figure's alt text)."""
    return " ".join(
        t(
            "cohort.rates.alt_group",
            lang,
            group=group_label("programme_type", level, lang),
            share=fmt_pct(rate, lang),
        )
        for level, rate in rates.items()
    )
