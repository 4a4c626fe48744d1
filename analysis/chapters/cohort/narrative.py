"""Sentences of the cohort page composed from the results and the study description.

Counts, directions, significance and the facts of the study come from the results; the
paper's own statements appear only when the data were compared with it (``compared``), and
what holds only for the generator's synthetic data only when the study description says the
data are synthetic (``generated``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.programmes import OddsRatio
from analysis.chapters.cohort.reproduction import published
from analysis.chapters.cohort.survival import KMComparison, LogRank, MedianSummary
from analysis.chapters.cohort.tables import group_label
from analysis.core.i18n import (
    fmt_estimate,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    t,
    tn,
    without_count,
)
from analysis.core.reproduction_table import fmt_published

SIGNIFICANCE = 0.05
# Efron and Breslow "barely" differ when no hazard ratio moves by this much.
TIES_NEGLIGIBLE = 0.01


def optional(condition: bool, key: str, lang: str, **values: object) -> str:
    """The label when ``condition`` holds, else nothing."""
    return t(key, lang, **values) if condition else ""


def opening(results: CohortResults, lang: str) -> str:
    """What the data are: the study's cohort when described, else the file's; the question."""
    study = results.study
    days = tn("cohort.count.days", results.follow_up_days, lang)
    if study.population and study.setting:
        period = study.text("period", lang)
        follow_up = study.text("follow_up", lang)
        cohort = t(
            "cohort.text.cohort_study",
            lang,
            n=fmt_int(results.n, lang),
            population=study.text("population", lang),
            programmes=tn(
                "cohort.count.started",
                results.n_programmes,
                lang,
                setting=without_count(study.text("setting", lang)),
            ),
            period=t("cohort.text.period", lang, period=period) if period else "",
            days=days,
            follow_up=f" {follow_up}" if follow_up else "",
        )
    else:
        cohort = t(
            "cohort.text.cohort_file",
            lang,
            employees=tn("cohort.count.employees", results.n, lang),
            programmes=tn("cohort.count.programmes", results.n_programmes, lang),
            days=days,
        )
    if study.citation:
        key = "cohort.text.opening_rerun" if study.reproduces else "cohort.text.opening_study"
        text = t(
            key,
            lang,
            design=study.text("design", lang) or t("cohort.text.design", lang),
            citation=f" {{cite:p}}`{study.citation}`",
            cohort=cohort,
        )
    else:
        text = t("cohort.text.opening_file", lang, cohort=cohort)
    question = study.facts.get("question")
    return f"{text} {question[lang] if question else t('cohort.text.question', lang)}"


def generator(results: CohortResults, lang: str) -> str:
    """How the generator made these data (only for data the study description calls synthetic)."""
    published_part = optional(results.compared, "cohort.text.generator_published", lang)
    return f"{t('cohort.text.generator', lang)}{published_part}."


def employees(results: CohortResults, lang: str) -> str:
    """How many employees, how many with a coordinator, in how many programmes."""
    return t(
        "cohort.text.employees",
        lang,
        employees=tn("cohort.count.employees", results.n, lang),
        with_coordinator=(
            t("cohort.count.with_coordinator.hidden", lang)
            if results.n_coordinator is None
            else tn("cohort.count.with_coordinator", results.n_coordinator, lang)
        ),
        programmes=tn("cohort.count.programmes", results.n_programmes, lang),
    )


def ci_intro(results: CohortResults, lang: str) -> str:
    """Why the SPSS-style interval: the paper's symmetric intervals when compared."""
    if not results.compared:
        return t("cohort.text.ci_intro", lang)
    example = published()["medians"][0]
    return t(
        "cohort.text.ci_intro_paper",
        lang,
        median=fmt_published(example["estimate"], lang),
        low=fmt_published(example["ci_low"], lang),
        high=fmt_published(example["ci_high"], lang),
    )


def blocks(results: CohortResults, lang: str) -> str:
    """The confounder blocks of the Cox models."""
    return t("cohort.text.blocks_paper" if results.compared else "cohort.text.blocks", lang)


def confounders(results: CohortResults, lang: str) -> str:
    """The confounders of the adjusted models (household income only when the data have it)."""
    income = "household_income" in results.adjusted_covariates
    return t("cohort.text.confounders" if income else "cohort.text.confounders_no_income", lang)


def shift(before: float, after: float) -> str:
    """How a hazard ratio moves relative to 1: towards, away, across, or none (same to two
    decimals)."""
    if round(before, 2) == round(after, 2):
        return "none"
    if math.log(before) * math.log(after) < 0:
        return "across"
    return "towards" if abs(math.log(after)) < abs(math.log(before)) else "away"


def _paper_shift() -> str:
    """How the paper's first-RTW hazard ratio moved when programme type was added."""
    hrs = {
        item["model"]: float(item["hr"])
        for item in published()["cox"]
        if item["outcome"] == "first_rtw"
    }
    return shift(hrs["cox_without_programme_type"], hrs["cox_adjusted"])


def _types_extremes(results: CohortResults, lang: str) -> str:
    """Which programme type returns people soonest and which has the fewest coordinators."""
    groups = results.programme_types
    medians = {
        level: group.median_days.estimate
        for level, group in groups.items()
        if group.median_days is not None and group.median_days.estimate is not None
    }
    shares = {
        level: group.coordinator_share
        for level, group in groups.items()
        if group.coordinator_share is not None
    }
    if len(groups) < 2 or not medians or not shares:
        return ""
    fastest = min(medians, key=medians.get)
    fewest = min(shares, key=shares.get)
    return t(
        "cohort.text.types_extremes",
        lang,
        fastest=t(f"cohort.type_in_text.{fastest}", lang),
        fewest=t(f"cohort.type_in_text.{fewest}", lang),
    )


def not_estimable(items: list[tuple[str, str | None]], lang: str) -> str:
    """``Not estimable: what (why); …`` for the items with a reason code (empty if none)."""
    shown = [
        t(
            "cohort.not_estimable.item",
            lang,
            what=what,
            reason=t(f"cohort.ne_reason.{reason}", lang),
        )
        for what, reason in items
        if reason
    ]
    return t("cohort.not_estimable.note", lang, items="; ".join(shown)) if shown else ""


def cox_not_estimable(results: CohortResults, outcome: str, lang: str) -> str:
    """Why model blocks of one outcome have no hazard ratio (empty if all have one)."""
    return not_estimable(
        [
            (t(f"cohort.model.{model}", lang), fits.efron.reason)
            for model, fits in results.outcomes[outcome].cox.items()
        ],
        lang,
    )


def ph_not_estimable(results: CohortResults, lang: str) -> str:
    """Why proportional-hazards tests are missing (empty if none is)."""
    return not_estimable(
        [
            (
                f"{t(f'cohort.outcome.{outcome}', lang)}, {t(f'cohort.model.{model}', lang)}",
                test.reason,
            )
            for outcome, result in results.outcomes.items()
            for model, test in result.ph_tests.items()
        ],
        lang,
    )


def hazard_ratio_shift(results: CohortResults, lang: str) -> str:
    """The first-RTW hazard ratio across the blocks, which way adding programme type moves it,
    and (when compared) how the paper read its shift."""
    fits = {model: fits.efron for model, fits in results.outcomes["first_rtw"].cox.items()}
    if any(fit.reason for fit in fits.values()):
        return t("cohort.text.hr_blocks_not_estimable", lang)
    values = {
        name: fmt_estimate(fit.hr, fit.ci_low, fit.ci_high, lang)
        for name, fit in (
            ("unadjusted", fits["cox_unadjusted"]),
            ("without", fits["cox_without_programme_type"]),
            ("adjusted", fits["cox_adjusted"]),
        )
    }
    sentences = [t("cohort.text.hr_blocks", lang, **values)]
    moved = shift(fits["cox_without_programme_type"].hr, fits["cox_adjusted"].hr)
    direction = t(f"cohort.shift.{moved}", lang)
    if results.compared:
        paper = _paper_shift()
        if moved == paper:
            sentences.append(t("cohort.text.shift_paper_same", lang, direction=direction))
        else:
            sentences.append(
                t(
                    "cohort.text.shift_paper_other",
                    lang,
                    direction=direction,
                    paper_direction=t(f"cohort.shift.{paper}", lang),
                )
            )
    else:
        sentences += [t("cohort.text.shift", lang, direction=direction)]
        sentences += [_types_extremes(results, lang)]
    sentences.append(optional(results.generated, "cohort.text.shift_synthetic", lang))
    return " ".join(sentence for sentence in sentences if sentence)


def ties(results: CohortResults, lang: str) -> str:
    """Efron against Breslow ties (how much the choice matters here), and clustering."""
    difference = max(
        (
            abs(fits.efron.hr - fits.breslow.hr)
            for outcome in results.outcomes.values()
            for fits in outcome.cox.values()
            if not fits.efron.reason
        ),
        default=0.0,
    )
    breslow = (
        t("cohort.text.breslow_same", lang)
        if difference < TIES_NEGLIGIBLE
        else t("cohort.text.breslow_differs", lang, difference=fmt_num(difference, lang))
    )
    return t(
        "cohort.text.ties",
        lang,
        paper_used=optional(results.compared, "cohort.text.paper_used", lang),
        breslow=breslow,
        paper_cluster=optional(results.compared, "cohort.text.paper_cluster", lang),
    )


def programme_types(results: CohortResults, lang: str) -> str:
    """Whether the programme types differ in time to first RTW, and which had more
    coordinators (the odds ratio)."""
    test = results.by_programme_type.logrank
    sentences = []
    if test.reason:
        sentences.append(t("cohort.text.types_no_test", lang, logrank=logrank_text(test, lang)))
    else:
        tested = len(results.by_programme_type.curves)  # the withheld types are not tested
        sentences.append(
            t(
                "cohort.text.types_differ"
                if test.p < SIGNIFICANCE
                else "cohort.text.types_similar",
                lang,
                types=tn("cohort.count.types", tested, lang, words=True),
                logrank=logrank_text(test, lang),
            )
        )
    odds = results.coordinator_odds_ratio
    if odds.reason:
        reason = t(f"cohort.ne_reason.{odds.reason}", lang)
        # Hidden by disclosure control is not the same as impossible to estimate.
        withheld = odds.withheld
        key = "cohort.text.or_withheld" if withheld else "cohort.text.or_not_estimable"
        sentences.append(t(key, lang, reason=reason))
        return " ".join(sentences)
    clear = "" if odds.p < SIGNIFICANCE else "unclear_"
    sentences.append(
        t(
            "cohort.text.or_sentence",
            lang,
            likely=t(f"cohort.likely.{clear}{'more' if odds.odds_ratio >= 1 else 'less'}", lang),
            odds_ratio=odds_ratio_text(odds, lang),
            left_out=left_out(results, "cohort.count.or_left_out", lang),
        )
    )
    return " ".join(sentences)


def left_out(results: CohortResults, key: str, lang: str) -> str:
    """Who has no programme type and is left out (nothing when everyone has one; without
    their number when disclosure control hides it)."""
    n = results.n_without_programme_type
    if n is None:
        return t(f"{key}.hidden", lang)
    return tn(key, n, lang, words=True) if n else ""


def curves(comparison: KMComparison, lang: str) -> str:
    """``Two rising step curves`` (for a figure's alt text)."""
    return tn("cohort.count.curves", len(comparison.curves), lang, start=True)


def withheld(by: str, levels: Sequence[str], lang: str) -> str:
    """That the groups ``levels`` of ``by`` are not shown, and why (empty if none)."""
    if not levels:
        return ""
    key = "cohort.withheld_groups.many" if len(levels) > 1 else "cohort.withheld_groups"
    return t(key, lang, groups=", ".join(group_label(by, level, lang) for level in levels))


def alt_median(median: MedianSummary, threshold: int, lang: str) -> str:
    """``median 56 days`` for a figure's alt text: marked where it is read off the coarsened
    curve, and in words where it is not reached or not shown (with the reason)."""
    if median.estimate is not None:
        key = "cohort.km.alt_median_coarsened" if median.coarsened else "cohort.km.alt_median"
        return t(key, lang, days=fmt_num(median.estimate, lang, 0))
    if median.estimate_withheld:
        reason = t("cohort.reason.median_withheld", lang, threshold=threshold)
        return t("cohort.km.alt_median_withheld", lang, reason=reason)
    return t("cohort.km.alt_median_not_reached", lang)


def km_alt_summary(comparison: KMComparison, days: int, threshold: int, lang: str) -> str:
    """Per shown group: the median (:func:`alt_median`) and share returned within follow-up
    (the share only when the number returned is shown), then the groups not shown (for a
    figure's alt text)."""
    return " ".join(
        [
            *(
                t(
                    "cohort.km.alt_group"
                    if curve.median.share_returned is not None
                    else "cohort.km.alt_group_hidden",
                    lang,
                    group=group_label(comparison.by, curve.level, lang),
                    median=alt_median(curve.median, threshold, lang),
                    share=fmt_pct(curve.median.share_returned, lang),
                    days=days,
                )
                for curve in comparison.curves
            ),
            withheld(comparison.by, comparison.withheld, lang),
        ]
    ).strip()


def logrank_text(test: LogRank, lang: str) -> str:
    """``log-rank χ² = …, (df = …), p = …`` (or why there is no test)."""
    if test.reason:
        reason = t(f"cohort.ne_reason.{test.reason}", lang)
        return t("cohort.text.logrank_not_estimable", lang, reason=reason)
    return t(
        "cohort.text.logrank",
        lang,
        chi2=fmt_num(test.chi2, lang),
        df=test.df,
        p=fmt_p(test.p, lang),
    )


def odds_ratio_text(odds: OddsRatio, lang: str) -> str:
    """The odds ratio with its interval, p and n (without n when disclosure control hides it)."""
    return t(
        "cohort.text.or_hidden_n" if odds.n is None else "cohort.text.or",
        lang,
        estimate=fmt_estimate(odds.odds_ratio, odds.ci_low, odds.ci_high, lang, 1),
        p=fmt_p(odds.p, lang),
        n=fmt_int(odds.n, lang) if odds.n is not None else "",
    )


def rates_alt_summary(rates: dict[str, float], lang: str) -> str:
    """Per programme type shown: the share with a first RTW (for the rate figure's alt
    text)."""
    return " ".join(
        t(
            "cohort.rates.alt_group",
            lang,
            group=group_label("programme_type", level, lang),
            share=fmt_pct(rate, lang),
        )
        for level, rate in rates.items()
    )


def errata(results: CohortResults, lang: str) -> str:
    """Why some published numbers differ: the paper's own inconsistencies (compared only)."""
    synthetic = results.generated
    intro = "cohort.repro.intro_synthetic" if synthetic else "cohort.repro.intro"
    items = [
        t(
            "cohort.repro.errata.coordinator_share",
            lang,
            synthetic=optional(synthetic, "cohort.repro.errata.coordinator_share_synthetic", lang),
        ),
        t("cohort.repro.errata.or_ci", lang),
        t(
            "cohort.repro.errata.symptoms",
            lang,
            synthetic=optional(synthetic, "cohort.repro.errata.symptoms_synthetic", lang),
        ),
        t("cohort.repro.errata.occupational_rehabilitation", lang),
        t("cohort.repro.errata.provider", lang),
        t("cohort.repro.errata.hazard_ratio", lang),
    ]
    return "\n".join([t(intro, lang), "", *(f"- {item}" for item in items)])


def register(results: CohortResults, lang: str) -> str:
    """How the cohort was derived from register spells: every rule, from the derivation."""
    rules = results.derivation
    bridge = rules.bridge_days
    return t(
        "cohort.text.register",
        lang,
        persons=f"`{rules.persons}`",
        spells=f"`{rules.spells}`",
        horizon=tn("cohort.count.days", rules.horizon_days, lang),
        bridge=optional(
            bridge > 0, "cohort.text.register_bridge", lang,
            days=tn("cohort.count.days", bridge, lang),
        ),
    )  # fmt: skip
