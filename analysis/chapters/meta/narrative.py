"""Sentences and short texts of the meta-analysis chapter, composed from results with labels."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from analysis.chapters.meta.stats import AnalysisResult, Pooled
from analysis.core.i18n import fmt_ci, fmt_int, fmt_num, fmt_p, t


def rr_text(estimate: float, low: float, high: float, lang: str) -> str:
    """``1.01 (0.70–1.48)``, or "not estimable"."""
    if not math.isfinite(estimate):
        return t("meta.not_estimable", lang)
    return f"{fmt_num(estimate, lang, 2)} ({fmt_ci(low, high, lang, 2)})"


def pooled_text(pooled: Pooled, lang: str) -> str:
    """A pooled risk ratio with its CI."""
    return rr_text(pooled.estimate, pooled.ci_low, pooled.ci_high, lang)


def analysis_label(analyses: pd.DataFrame, analysis_id: str, lang: str) -> str:
    """``Comparison, outcome, 12 months`` from analyses.csv."""
    row = analyses.set_index("analysis_id").loc[analysis_id]
    return t(
        "meta.analysis_label",
        lang,
        comparison=row[f"comparison_{lang}"],
        outcome=row[f"outcome_{lang}"],
        months=fmt_num(row["follow_up_months"], lang, 0),
    )


def summary(analyses: pd.DataFrame, results: Mapping[str, AnalysisResult], lang: str) -> str:
    """The opening sentence: studies, analyses and each headline pooled risk ratio."""
    return t(
        "meta.text.summary",
        lang,
        k_total=fmt_int(sum(result.k for result in results.values()), lang),
        n_analyses=fmt_int(len(results), lang),
        list="; ".join(
            f"{analysis_label(analyses, key, lang)}: RR {pooled_text(result.pooled, lang)}"
            for key, result in results.items()
        ),
    )


def heterogeneity_text(pooled: Pooled, lang: str) -> str:
    """``Heterogeneity: Tau² = …; Chi² = …, df = … (P = …); I² = …%`` as RevMan prints it."""
    if not math.isfinite(pooled.q) or pooled.q_df < 1:
        return t("meta.forest.heterogeneity_na", lang)
    return t(
        "meta.forest.heterogeneity",
        lang,
        tau2=fmt_num(pooled.tau2, lang, 2),
        chi2=fmt_num(pooled.q, lang, 2),
        df=fmt_int(pooled.q_df, lang),
        p=fmt_p(pooled.q_p, lang, with_symbol=False),
        i2=fmt_num(100 * pooled.i2, lang, 0),
    )


def overall_text(pooled: Pooled, lang: str) -> str:
    """``Test for overall effect: Z = … (P = …)``."""
    return t(
        "meta.forest.overall",
        lang,
        z=fmt_num(abs(pooled.z), lang, 2),
        p=fmt_p(pooled.p, lang, with_symbol=False),
    )


def reconstructed_warning(result: AnalysisResult, lang: str) -> str:
    """The warning under a forest plot with reconstructed counts ("" when there are none)."""
    studies = result.reconstructed_studies
    return t("meta.note.reconstructed", lang, studies=", ".join(studies)) if studies else ""
