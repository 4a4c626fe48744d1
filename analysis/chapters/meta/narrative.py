"""Sentences and short texts of the meta-analysis chapter, composed from the results and the
study description with labels (singular, plural and zero handled in both languages)."""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.chapters.meta.chapter import MetaResults
from analysis.chapters.meta.current import Subgroups
from analysis.chapters.meta.data import BINARY_MEASURE, analysis_parts
from analysis.chapters.meta.sensitivity import MIN_STUDIES_FOR_SMALL_STUDY_TESTS
from analysis.chapters.meta.stats import AnalysisResult, Pooled
from analysis.core.i18n import catalog, fmt_ci, fmt_int, fmt_num, fmt_p, number, t, tn
from analysis.core.study import Study

QUALIFIED = re.compile(r"^(?P<name>.*\S)\s*\((?P<kind>[^()]+)\)$")


def publication(name: str, lang: str) -> str:
    """A publication's name with its qualifier in brackets in ``lang`` (``Lambeek 2010
    (economic)`` is ``Lambeek 2010 (økonomisk)`` in bokmål) when the labels name the
    qualifier (``meta.publication_kind.<qualifier>``)."""
    match = QUALIFIED.match(name)
    if not match:
        return name
    key = f"meta.publication_kind.{match['kind'].strip().lower()}"
    return f"{match['name']} ({t(key, lang)})" if key in catalog() else name


def study_noun(study: Study) -> str:
    """Label key of what the included studies are called: trials when all are randomised."""
    return "meta.count.trial" if study.facts.get("randomised") else "meta.count.study"


def outcome_name(study: Study, lang: str) -> str | None:
    """The outcome of the pooled analyses when the study description names exactly one."""
    outcomes = list(study.outcomes.values())
    return outcomes[0].name[lang] if len(outcomes) == 1 else None


def interval_text(low: float, high: float, lang: str, decimals: int = 2) -> str:
    """``0.70–1.48``, or ``−1.20 to 0.50`` when a bound is negative (a dash would read as a
    minus sign)."""
    if low < 0 or high < 0:
        return t(
            "meta.ci_to",
            lang,
            low=fmt_num(low, lang, decimals),
            high=fmt_num(high, lang, decimals),
        )
    return fmt_ci(low, high, lang, decimals)


def estimate_text(estimate: float, low: float, high: float, lang: str) -> str:
    """``1.01 (0.70–1.48)``, or "not estimable" (for the interval alone when only it is)."""
    if not math.isfinite(estimate):
        return t("meta.not_estimable", lang)
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{fmt_num(estimate, lang, 2)} ({t('meta.ci_not_estimable', lang)})"
    return f"{fmt_num(estimate, lang, 2)} ({interval_text(low, high, lang)})"


def pooled_text(pooled: Pooled, lang: str) -> str:
    """A pooled estimate (RR, MD or SMD) with its CI."""
    return estimate_text(pooled.estimate, pooled.ci_low, pooled.ci_high, lang)


def measures(results: MetaResults) -> set[str]:
    """The measures the pooled analyses use (RR, MD, SMD)."""
    return {result.measure for result in results.analyses.values()}


def only_risk_ratios(results: MetaResults) -> bool:
    """Whether every pooled analysis is of risk ratios (the page then words everything as
    risk ratios, as for the shipped review)."""
    return measures(results) <= {BINARY_MEASURE}


def effect_header(results: MetaResults, lang: str) -> str:
    """The header of a column of estimates of every analysis: the measure's name when all
    analyses share it (``Risk ratio (95% CI)``), else ``Estimate (95% CI)`` and each cell
    names its measure (``labelled_text``)."""
    used = measures(results)
    if len(used) == 1:
        return t(f"meta.col.estimate.{used.pop()}", lang)
    return t("meta.col.estimate.mixed", lang)


def labelled_text(results: MetaResults, measure: str, text: str, lang: str) -> str:
    """An estimate's text, prefixed with its measure's abbreviation (``MD 1.20 (…)``) when
    the analyses use more than one measure."""
    if len(measures(results)) == 1:
        return text
    return f"{t(f'meta.measure_abbr.{measure}', lang)} {text}"


def analysis_label(analyses: pd.DataFrame, analysis_id: str, lang: str) -> str:
    """``Comparison, outcome, 12 months`` from analyses.csv (no months when not given; 6.5
    months as given)."""
    names, months = analysis_parts(analyses, analysis_id)
    if months is None:
        return t("meta.analysis_label_no_months", lang, **names)
    return t("meta.analysis_label", lang, **names, months=tn("meta.count.months", months, lang))


def scope(study: Study, lang: str) -> str:
    """Whom and when the review is about, from the description's ``population`` and
    ``period`` (empty when it gives neither)."""
    population, period = study.text("population", lang), study.text("period", lang)
    if population and period:
        return t("meta.text.scope", lang, population=population, period=period)
    if population:
        return t("meta.text.scope_population", lang, population=population)
    return t("meta.text.scope_period", lang, period=period) if period else ""


def opening(results: MetaResults, lang: str) -> str:
    """What the data are: the review and what it included when described, else the files."""
    study = results.study
    counted = "meta.count.rr_analysis" if only_risk_ratios(results) else "meta.count.analysis"
    analyses = tn(counted, len(results.analyses), lang, words=True)
    design = study.text("design", lang)
    n = results.n_included
    included = (
        f"{fmt_int(n, lang)} {design}" if design and n != 1 else tn(study_noun(study), n, lang)
    )
    computed = t("meta.text.computed", lang)
    reference = study.text("reference", lang)
    if reference is None:
        studies = tn("meta.count.study", int(results.data.studies["study"].nunique()), lang)
        opened = t("meta.text.opening_file", lang, studies=studies, analyses=analyses)
        return " ".join(filter(None, [opened, scope(study, lang), computed]))
    outcome = outcome_name(study, lang)
    pooled = (
        t("meta.text.pooled_outcome", lang, outcome=outcome, analyses=analyses)
        if outcome
        else t("meta.text.pooled", lang, analyses=analyses)
    )
    citation = f" {{cite:p}}`{study.citation}`" if study.citation else ""
    return " ".join(
        filter(
            None,
            [
                t("meta.text.opening_study", lang, reference=reference, citation=citation),
                scope(study, lang),
                t("meta.text.included_pooled", lang, included=included, pooled=pooled),
                computed,
            ],
        )
    )


def summary(results: MetaResults, lang: str) -> str:
    """The study results and analyses in the data and each headline pooled risk ratio."""
    analyses = results.data.analyses
    methods = "; ".join(
        dict.fromkeys(t(f"meta.method_long.{r.headline}", lang) for r in results.analyses.values())
    )
    if results.compared:
        methods += t("meta.text.as_in_review", lang)
    n = len(results.analyses)
    sentence = "meta.text.summary" if only_risk_ratios(results) else "meta.text.summary_estimates"
    return t(
        f"{sentence}.{'one' if n == 1 else 'other'}",
        lang,
        results=tn("meta.count.result", sum(r.k for r in results.analyses.values()), lang),
        analyses=tn("meta.count.analysis", n, lang),
        method=methods,
        list="; ".join(
            f"{analysis_label(analyses, key, lang)}: "
            f"{t(f'meta.measure_abbr.{result.measure}', lang)} {pooled_text(result.pooled, lang)}"
            for key, result in results.analyses.items()
        ),
    )


def included(results: MetaResults, lang: str) -> str:
    """``Twenty trials in 25 publications met the inclusion criteria.`` and, with the table,
    what its participant numbers are."""
    study = results.study
    studies = tn(study_noun(study), results.n_included, lang, start=True)
    if results.n_publications is None:
        sentence = t("meta.text.included", lang, studies=studies)
    else:
        publications = tn("meta.count.publication", results.n_publications, lang, words=True)
        sentence = t(
            "meta.text.included_publications", lang, studies=studies, publications=publications
        )
    if results.data.characteristics is None:
        return " ".join([sentence, t("meta.missing.characteristics", lang)])
    outcome = outcome_name(study, lang) or t("meta.text.the_outcomes", lang)
    noun = t(f"{study_noun(study)}.noun", lang)
    return " ".join([sentence, t("meta.text.characteristics", lang, study=noun, outcome=outcome)])


def risk_of_bias(results: MetaResults, lang: str) -> str:
    """How the publications were judged, and how many were at low risk for blinding of
    participants."""
    blinding = results.rob_counts.loc["blinding_participants"]
    total, low = int(blinding.sum()), int(blinding["low"])
    if low == 0:
        sentence = t("meta.text.rob_blinding.none", lang)
    elif low == total:
        sentence = t("meta.text.rob_blinding.all", lang)
    else:
        sentence = t(
            f"meta.text.rob_blinding.some.{'one' if low == 1 else 'other'}",
            lang,
            low=number(low, lang, start=True),
            total=tn("meta.count.publication", total, lang, words=True),
        )
    return " ".join([t("meta.text.rob", lang), sentence])


def forest_intro(results: MetaResults, lang: str) -> str:
    """The sentence that sets the plots beside the review's (only when compared)."""
    return t("meta.text.forest_review", lang) if results.compared else ""


def forest_caption(results: MetaResults, analysis_id: str, lang: str) -> str:
    """A forest plot's caption (its reconstructed-counts warning stands in a box under it)."""
    result = results.analyses[analysis_id]
    outcome = outcome_name(results.study, lang)
    return t(
        "meta.fig.forest.caption" if result.ratio else "meta.fig.forest.caption_difference",
        lang,
        analysis=analysis_label(results.data.analyses, analysis_id, lang),
        of_outcome=t("meta.fig.forest.of_outcome", lang, outcome=outcome) if outcome else "",
        method=t(f"meta.method.{result.headline}", lang),
        measure=t(f"meta.measure.{result.measure}", lang),
    )


def forest_alt(result: AnalysisResult, lang: str) -> str:
    """Alt text of a forest plot: how many studies and the pooled estimate."""
    return t(
        "meta.fig.forest.alt" if result.ratio else "meta.fig.forest.alt_difference",
        lang,
        studies=tn("meta.count.study", result.k, lang),
        rr=pooled_text(result.pooled, lang),
        measure=t(f"meta.measure.{result.measure}", lang),
    )


def models_intro(results: MetaResults, lang: str) -> str:
    """What the review says about its model (only when compared)."""
    return t("meta.text.models_review", lang) if results.compared else ""


def narrative_intro(results: MetaResults, lang: str) -> str:
    """How many comparisons had no pooled analysis, and what the table lists."""
    comparisons = results.comparisons
    noun = t(f"{study_noun(results.study)}.noun", lang)
    if comparisons.unpooled == 0:
        return t("meta.text.narrative.none", lang)
    if 2 * comparisons.unpooled > comparisons.total:
        return t("meta.text.narrative.most", lang, study=noun)
    return t(
        f"meta.text.narrative.some.{'one' if comparisons.unpooled == 1 else 'other'}",
        lang,
        unpooled=number(comparisons.unpooled, lang, start=True),
        total=number(comparisons.total, lang),
        study=noun,
    )


def sof_intro(results: MetaResults, lang: str) -> str:
    """How the summary-of-findings table turns the relative effect into absolute numbers, and
    how it shows mean differences and SMDs."""
    texts = []
    pers = {r.absolute.per for r in results.analyses.values() if r.absolute is not None}
    if pers:
        outcome = outcome_name(results.study, lang) or t("meta.text.events", lang)
        texts.append(
            t(
                "meta.text.sof",
                lang,
                outcome=outcome,
                per=fmt_int(100 if 100 in pers else 1000, lang),
            )
        )
        if 1000 in pers:
            texts.append(t("meta.text.sof_per_1000", lang))
    if not only_risk_ratios(results):
        texts.append(t("meta.text.sof_continuous", lang))
    return " ".join(texts)


def _p(p: float, lang: str) -> str:
    """``= 0.94`` or ``< 0.001``: a p-value after "P" in RevMan's footers."""
    text = fmt_p(p, lang, with_symbol=False)
    return text if text.startswith("<") else f"= {text}"


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
        p=_p(pooled.q_p, lang),
        i2=fmt_num(100 * pooled.i2, lang, 0),
    )


def overall_text(pooled: Pooled, lang: str) -> str:
    """``Test for overall effect: Z = … (P = …)``, or that it is not estimable."""
    if not math.isfinite(pooled.z):
        return t("meta.forest.overall_na", lang)
    return t(
        "meta.forest.overall",
        lang,
        z=fmt_num(abs(pooled.z), lang, 2),
        p=_p(pooled.p, lang),
    )


def reconstructed_warning(results: MetaResults, result: AnalysisResult, lang: str) -> str:
    """The warning under a forest plot with reconstructed counts ("" when there are none);
    how they were made is the review's story only for the data that reproduce it."""
    studies = result.reconstructed_studies
    if not studies:
        return ""
    key = "meta.note.reconstructed" if results.compared else "meta.note.reconstructed_own"
    return t(key, lang, studies=", ".join(studies))


def _randomised_key(study: Study) -> str:
    return "meta.count.randomised" if study.facts.get("randomised") else "meta.count.study"


def prisma_included(results: MetaResults, lang: str) -> str:
    """The last box of the flow diagram: included studies, publications and reviews."""
    flow = results.data.prisma
    return t(
        "meta.prisma.included",
        lang,
        studies=tn(_randomised_key(results.study), int(flow["included_studies"]), lang),
        publications=tn("meta.count.publication", int(flow["included_publications"]), lang),
        reviews=tn("meta.count.systematic_review", int(flow["included_reviews"]), lang),
    )


def prisma_alt(results: MetaResults, lang: str) -> str:
    """Alt text of the flow diagram."""
    flow = results.data.prisma
    return t(
        "meta.fig.prisma.alt",
        lang,
        screened=fmt_int(int(flow["records_screened"]), lang),
        fulltext=fmt_int(int(flow["fulltext_assessed"]), lang),
        studies=tn(study_noun(results.study), int(flow["included_studies"]), lang),
        reviews=tn("meta.count.review", int(flow["included_reviews"]), lang),
    )


def _analysis_list(results: MetaResults, analysis_ids: list[str], lang: str) -> str:
    return "; ".join(analysis_label(results.data.analyses, key, lang) for key in analysis_ids)


def zero_cells_text(results: MetaResults, lang: str) -> str:
    """How double-zero and all-events studies are treated, and how many each analysis has."""
    counts = [
        t(
            "meta.current.zero_cells_count",
            lang,
            analysis=analysis_label(results.data.analyses, analysis_id, lang),
            studies=tn("meta.count.study", len(methods.dropped), lang),
            names=", ".join(methods.dropped),
        )
        for analysis_id, methods in results.current.items()
        if methods.dropped
    ]
    return " ".join(
        [t("meta.current.zero_cells", lang), *(counts or [t("meta.current.zero_cells_none", lang)])]
    )


def leave_one_out_missing(results: MetaResults, lang: str) -> str:
    """Which analyses have too few studies for leave-one-out ("" when none)."""
    missing = [key for key, methods in results.current.items() if not methods.leave_one_out]
    if not missing:
        return ""
    return t("meta.loo.too_few", lang, analyses=_analysis_list(results, missing, lang))


def small_study_texts(results: MetaResults, lang: str) -> list[str]:
    """Egger's test of every analysis with enough studies, then one sentence naming the
    analyses for which it is not reported and why (Cochrane Handbook 10.4.3.1)."""
    texts, missing = [], []
    for analysis_id, methods in results.current.items():
        egger = methods.egger
        if egger.reason:
            missing.append(analysis_id)
            continue
        measure = results.analyses[analysis_id].measure
        texts.append(
            t(
                "meta.egger.result"
                if measure == BINARY_MEASURE
                else "meta.egger.result_difference",
                lang,
                measure=t(f"meta.measure.{measure}", lang),
                analysis=analysis_label(results.data.analyses, analysis_id, lang),
                t=fmt_num(egger.t, lang, 2),
                df=fmt_int(egger.df, lang),
                p=fmt_p(egger.p, lang),
            )
        )
    if missing:
        texts.append(
            t(
                "meta.egger.not_reported",
                lang,
                analyses=_analysis_list(results, missing, lang),
                min=fmt_int(MIN_STUDIES_FOR_SMALL_STUDY_TESTS, lang),
            )
        )
    return texts


def subgroup_test_text(subgroups: Subgroups, lang: str) -> str:
    """``Test for subgroup differences: Chi² = …, df = … (P = …), I² = …%`` as RevMan prints
    it."""
    test = subgroups.test
    return t(
        "meta.subgroups.test",
        lang,
        chi2=fmt_num(test.q, lang, 2),
        df=fmt_int(test.df, lang),
        p=_p(test.p, lang),
        i2=fmt_num(100 * subgroups.i2, lang, 0),
    )


def subgroups_missing(results: MetaResults, lang: str) -> str:
    """Why the page shows no subgroup analysis ("" when it shows one): no analysis declares
    subgroups, or a declared one has fewer than two subgroups with pooled studies."""
    declared = results.data.analyses.get("subgroups_en")
    named = (
        [] if declared is None else list(results.data.analyses.loc[declared.notna(), "analysis_id"])
    )
    shown = [key for key, methods in results.current.items() if methods.subgroups is not None]
    if not named:
        return t("meta.subgroups.none", lang)
    missing = [key for key in named if key in results.current and key not in shown]
    if not missing:
        return ""
    return t("meta.subgroups.too_few", lang, analyses=_analysis_list(results, missing, lang))
