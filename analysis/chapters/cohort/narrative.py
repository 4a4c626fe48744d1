"""Sentences of the cohort page composed from the results and the study description.

Counts, directions, significance and the facts of the study come from the results; the
paper's own statements appear only when the data were compared with it (``compared``), and
what holds only for the generator's synthetic data only when the study description says the
data are synthetic (``generated``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from babel.lists import format_list

from analysis.chapters.cohort.chapter import CohortResults, SubgroupResults
from analysis.chapters.cohort.declared import WITHHELD
from analysis.chapters.cohort.extract import EXITS
from analysis.chapters.cohort.plan import EXPOSED, EXPOSURE, REFERENCE, AnalysisPlan
from analysis.chapters.cohort.programmes import OddsRatio
from analysis.chapters.cohort.reproduction import published
from analysis.chapters.cohort.survival import KMComparison, LogRank, MedianSummary
from analysis.chapters.cohort.tables import (
    cause_name,
    cluster_name,
    counted,
    exposure_name,
    group_label,
    in_sentence,
    model_label,
    noun_forms,
    outcome_name,
    plan_key,
    plan_names,
    subgroup_name,
    variable_label,
)
from analysis.core.i18n import (
    babel_locale,
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
from analysis.core.study import Study

SIGNIFICANCE = 0.05
# Efron and Breslow "barely" differ when no hazard ratio moves by this much.
TIES_NEGLIGIBLE = 0.01


def optional(condition: bool, key: str, lang: str, **values: object) -> str:
    """The label when ``condition`` holds, else nothing."""
    return t(key, lang, **values) if condition else ""


def started(study: Study, n: int, lang: str) -> str:
    """ "one of 23 clinics" ("the same clinic" for one), with the described unit's bokmål
    gender ("én av 23 klinikker", "ett av 23 tilbud")."""
    unit = study.description.setting_unit
    forms = getattr(unit, lang)
    gender = unit.nb.gender
    return tn(
        f"cohort.count.started_{gender}",
        n,
        lang,
        unit=forms.one,
        setting=without_count(study.text("setting", lang)),
    )


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
            programmes=started(study, results.n_programmes, lang),
            period=t("cohort.text.period", lang, period=period) if period else "",
            days=days,
            follow_up=f" {follow_up}" if follow_up else "",
        )
    else:
        cohort = t(
            "cohort.text.cohort_file",
            lang,
            persons=counted(results, "persons", results.n, lang),
            units=counted(results, "units", results.n_programmes, lang),
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
    if not question:
        key = plan_key(results, "cohort.text.question")
        question = {lang: t(key, lang, **plan_names(results, lang))}
    return f"{text} {question[lang]}"


def generator(results: CohortResults, lang: str) -> str:
    """How the generator made these data (only for data the study description calls synthetic)."""
    published_part = optional(results.compared, "cohort.text.generator_published", lang)
    return f"{t('cohort.text.generator', lang)}{published_part}."


def employees(results: CohortResults, lang: str) -> str:
    """How many persons, how many with a coordinator (in the exposed group of a declared
    plan), in how many units (the nouns: :func:`~analysis.chapters.cohort.tables.noun_forms`)."""
    key, group = "cohort.count.with_coordinator", {}
    if not results.paper_plan:
        key, group = "cohort.count.in_group", {"group": exposed_group(results, lang)}
    return t(
        "cohort.text.employees",
        lang,
        persons=counted(results, "persons", results.n, lang),
        with_coordinator=(
            t(f"{key}.hidden", lang, **group)
            if results.n_coordinator is None
            else tn(key, results.n_coordinator, lang, **group)
        ),
        units=counted(results, "units", results.n_programmes, lang),
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
    """The confounder blocks of the Cox models, and who each model uses."""
    if not results.paper_plan:
        key = "cohort.text.blocks_plan"
    else:
        key = "cohort.text.blocks_paper" if results.compared else "cohort.text.blocks"
    return f"{t(key, lang)} {t(plan_key(results, 'cohort.text.complete_cases'), lang)}"


def exposed_group(results: CohortResults, lang: str) -> str:
    """The exposed group's name inside a sentence."""
    return in_sentence(group_label(results.plan, EXPOSURE, EXPOSED, lang))


def _fitted(results: CohortResults, name: str) -> bool:
    """Whether the models use the covariate ``name``: an optional variable only when the data
    have it (in Table 1 or the last block, as :func:`~analysis.chapters.cohort.cox.covariates`
    decides)."""
    if not (results.plan.variables or {})[name].optional:
        return True
    return name in results.adjusted_covariates or name in results.table1.blocks


def cox_note(results: CohortResults, lang: str) -> str:
    """The note under the Cox tables: the methods and what each block adjusts for."""
    if results.paper_plan:
        return t("cohort.cox.note", lang, confounders=confounders(results, lang))
    plan = results.plan
    covariates = [
        ", ".join(
            in_sentence(variable_label(results, name, lang))
            if name in (plan.table1 or ())
            else f"`{name}`"
            for name in model.covariates
            if _fitted(results, name)
        )
        or t("cohort.text.no_covariates", lang)
        for model in plan.models.values()
    ]
    strata = ""
    if (variable := plan.strata) is not None:
        shown = (
            variable_label(results, variable, lang)
            if variable in (plan.table1 or ())
            else f"`{variable}`"
        )
        strata = " " + t("cohort.text.strata_note", lang, name=in_sentence(shown))
    return (
        t(
            "cohort.cox.note_plan",
            lang,
            cluster=cluster_name(results, lang),
            exposure=exposure_name(results, lang),
            blocks="; ".join(
                f"{model_label(plan, name, lang)}: {names}"
                for name, names in zip(plan.models, covariates, strict=True)
            ),
        )
        + strata
    )


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
    groups = next(iter(results.subgroups.values())).groups
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
            (model_label(results.plan, model, lang), fits.efron.reason)
            for model, fits in results.outcomes[outcome].cox.items()
        ],
        lang,
    )


def ph_not_estimable(results: CohortResults, lang: str) -> str:
    """Why proportional-hazards tests are missing (empty if none is)."""
    return not_estimable(
        [
            (
                f"{t(f'cohort.outcome.{outcome}', lang)}, {model_label(results.plan, model, lang)}",
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
    if not results.paper_plan:
        return _plan_hazard_ratios(results, fits, lang)
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


def _plan_hazard_ratios(results: CohortResults, fits: dict, lang: str) -> str:
    """The first-RTW hazard ratio of each block of a declared plan, and which way the last
    block's covariates move it."""
    values = [
        t(
            "cohort.text.hr_in_block",
            lang,
            hr=fmt_estimate(fit.hr, fit.ci_low, fit.ci_high, lang),
            model=in_sentence(model_label(results.plan, model, lang)),
        )
        for model, fit in fits.items()
    ]
    sentences = [
        t(
            "cohort.text.hr_blocks_plan",
            lang,
            group=exposed_group(results, lang),
            reference=in_sentence(group_label(results.plan, EXPOSURE, "no", lang)),
            values=", ".join(values),
        )
    ]
    if len(fits) > 1:
        before, after = list(fits.values())[-2:]
        direction = t(f"cohort.shift.{shift(before.hr, after.hr)}", lang)
        sentences.append(t("cohort.text.shift_plan", lang, direction=direction))
    return " ".join(sentences)


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
    persons = noun_forms(results, "persons", lang)["other"]
    return t(
        "cohort.text.ties",
        lang,
        persons=persons,
        persons_start=persons[:1].upper() + persons[1:],
        unit=noun_forms(results, "units", lang)["one"],
        cluster=cluster_name(results, lang),
        paper_used=optional(results.compared, "cohort.text.paper_used", lang),
        breslow=breslow,
        paper_cluster=optional(results.compared, "cohort.text.paper_cluster", lang),
    )


def programme_types(results: CohortResults, name: str, lang: str) -> str:
    """Whether the programme types differ in time to first RTW, and which had more
    coordinators (the odds ratio); for a declared plan, the same of its subgroup analysis
    ``name``."""
    if not results.paper_plan:
        return _subgroups(results, name, lang)
    subgroup = results.subgroups[name]
    test = subgroup.comparison.logrank
    sentences = []
    if test.reason:
        sentences.append(t("cohort.text.types_no_test", lang, logrank=logrank_text(test, lang)))
    else:
        tested = len(subgroup.comparison.curves)  # the withheld types are not tested
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
    odds = subgroup.odds_ratio
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
            left_out=left_out(subgroup, "cohort.count.or_left_out", lang),
        )
    )
    return " ".join(sentences)


def _subgroups(results: CohortResults, name: str, lang: str) -> str:
    """Whether the groups of the declared subgroup analysis ``name`` differ in time to first
    RTW, and the odds ratio of being exposed in the other groups against the reference one (if
    asked)."""
    analysis = results.subgroups[name]
    test, by = analysis.comparison.logrank, subgroup_name(results, analysis, lang)
    if test.reason:
        key = "cohort.text.subgroups_no_test"
    else:
        key = (
            "cohort.text.subgroups_differ"
            if test.p < SIGNIFICANCE
            else "cohort.text.subgroups_similar"
        )
    sentences = [t(key, lang, by=by, logrank=logrank_text(test, lang))]
    odds = analysis.odds_ratio
    if odds is None:
        return sentences[0]
    subgroup = results.plan.subgroups[name]
    values = {
        "by": by,
        "group": exposed_group(results, lang),
        "reference": in_sentence(
            group_label(results.plan, subgroup.variable, subgroup.odds_ratio_reference, lang)
        ),
    }
    if odds.reason:
        key = (
            "cohort.text.or_plan_withheld" if odds.withheld else "cohort.text.or_plan_not_estimable"
        )
        sentences.append(t(key, lang, reason=t(f"cohort.ne_reason.{odds.reason}", lang), **values))
    else:
        left = left_out(analysis, "cohort.count.or_subgroup_left_out", lang, by=by)
        sentences.append(
            t(
                "cohort.text.or_plan",
                lang,
                odds_ratio=odds_ratio_text(odds, lang),
                left_out=left,
                **values,
            )
        )
    return " ".join(sentences)


def left_out(subgroup: SubgroupResults, key: str, lang: str, **values: object) -> str:
    """Who has no programme type (no value of the subgroup variable) and is left out
    (nothing when everyone has one; without their number when disclosure control hides it)."""
    n = subgroup.left_out
    if n is None:
        return t(f"{key}.hidden", lang, **values)
    return tn(key, n, lang, words=True, **values) if n else ""


def curves(comparison: KMComparison, lang: str) -> str:
    """``Two rising step curves`` (for a figure's alt text)."""
    return tn("cohort.count.curves", len(comparison.curves), lang, start=True)


def withheld(plan: AnalysisPlan, by: str, levels: Sequence[str], lang: str) -> str:
    """That the groups ``levels`` of ``by`` are not shown, and why (empty if none)."""
    if not levels:
        return ""
    key = "cohort.withheld_groups.many" if len(levels) > 1 else "cohort.withheld_groups"
    return t(key, lang, groups=", ".join(group_label(plan, by, level, lang) for level in levels))


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


def km_alt_summary(
    comparison: KMComparison, plan: AnalysisPlan, days: int, threshold: int, lang: str
) -> str:
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
                    group=group_label(plan, comparison.by, curve.level, lang),
                    median=alt_median(curve.median, threshold, lang),
                    share=fmt_pct(curve.median.share_returned, lang),
                    days=days,
                )
                for curve in comparison.curves
            ),
            withheld(plan, comparison.by, comparison.withheld, lang),
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
    """Per subgroup level shown (``rates`` by its name): the share with a first RTW (for the
    rate figure's alt text)."""
    return " ".join(
        t(
            "cohort.rates.alt_group",
            lang,
            group=name,
            share=fmt_pct(rate, lang),
        )
        for name, rate in rates.items()
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
    horizon = tn("cohort.count.days", rules.horizon_days, lang)
    sentences = [
        t(
            "cohort.text.register",
            lang,
            persons=f"`{rules.persons}`",
            spells=f"`{rules.spells}`",
            horizon=horizon,
            bridge=optional(
                bridge > 0, "cohort.text.register_bridge", lang,
                days=tn("cohort.count.days", bridge, lang),
            ),
        )
    ]  # fmt: skip
    if rules.sustainable_days is not None:
        sentences.append(
            t(
                "cohort.text.register_sustainable",
                lang,
                days=tn("cohort.count.days", rules.sustainable_days, lang),
            )
        )
    if rules.ends is not None:
        ends = (rules.ends.event, *rules.ends.competing())
        censoring = [name for name in EXITS if name not in ends]
        sentences.append(
            t(
                "cohort.text.register_ends",
                lang,
                ends=_listed([t(f"cohort.text.register_end.{end}", lang) for end in ends], lang),
                horizon=horizon,
                censored=optional(
                    bool(censoring), "cohort.text.register_censored_at", lang,
                    exits=_listed(
                        [t(f"cohort.text.register_end.{name}", lang) for name in censoring], lang
                    ),
                ),
            )
        )  # fmt: skip
    return " ".join(sentences)


def _listed(items: Sequence[str], lang: str) -> str:
    """``a, b and c`` in the language's style."""
    return format_list(list(items), locale=babel_locale(lang))


def competing_intro(results: CohortResults, name: str, lang: str) -> str:
    """What a competing outcome is and how its cumulative incidence is estimated; which groups
    are not shown."""
    result = results.declared.competing[name]
    competing = [cause_name(results, name, cause, lang) for cause in result.causes[1:]]
    return " ".join(
        text
        for text in (
            t(
                "cohort.competing.intro",
                lang,
                outcome=outcome_name(results, name, lang),
                competing=_listed(competing, lang),
            ),
            withheld(results.plan, EXPOSURE, result.withheld, lang),
        )
        if text
    )


def competing_results(results: CohortResults, name: str, lang: str) -> str:
    """The share with each end by the last declared day per group shown, and the
    cause-specific hazard ratios of the exposed group against the reference."""
    result = results.declared.competing[name]
    if not result.incidence:
        return ""
    day = result.times[-1]
    ends = []
    for cause in result.causes:
        shares = [
            f"{fmt_pct(result.at_times(level, cause).loc[day, 'estimate'], lang, 1)} "
            f"({in_sentence(group_label(results.plan, EXPOSURE, level, lang))})"
            for level in result.incidence
        ]
        ends.append(
            t(
                "cohort.competing.share",
                lang,
                shares=_listed(shares, lang),
                cause=cause_name(results, name, cause, lang),
            )
        )
    text = t("cohort.competing.by_day", lang, day=fmt_int(day, lang), ends="; ".join(ends))
    ratios = []
    for test in result.tests:
        ratio = test.hazard_ratio
        shown = (
            f"{fmt_estimate(ratio.hr, ratio.ci_low, ratio.ci_high, lang)}, {fmt_p(ratio.p, lang)}"
            if ratio.reason is None
            else t("cohort.withheld" if ratio.reason in WITHHELD else "cohort.not_estimable", lang)
        )
        ratios.append(f"{cause_name(results, name, test.cause, lang)} {shown}")
    exposed = [level for level in result.incidence if level != REFERENCE]
    if exposed and REFERENCE in result.incidence:
        text += " " + t(
            "cohort.competing.hazard_ratios",
            lang,
            exposed=in_sentence(group_label(results.plan, EXPOSURE, exposed[0], lang)),
            reference=in_sentence(group_label(results.plan, EXPOSURE, REFERENCE, lang)),
            ratios="; ".join(ratios),
        )
    return text


def rmst_text(results: CohortResults, lang: str) -> str:
    """Per outcome with an RMST: the mean time before it up to the horizon by group, and the
    difference of the exposed group to the reference."""
    sentences = [t("cohort.rmst.intro", lang)]
    for name, result in results.declared.restricted_means.items():
        values = [
            f"{tn('cohort.count.days', round(mean.estimate, 1), lang)} "
            f"({in_sentence(group_label(results.plan, EXPOSURE, level, lang))})"
            for level, mean in result.means.items()
        ]
        if not values:
            continue
        sentence = t(
            "cohort.rmst.sentence",
            lang,
            horizon=fmt_int(result.horizon, lang),
            outcome=outcome_name(results, name, lang),
            values=_listed(values, lang),
        )
        difference = next((c for c in result.contrasts if c.measure == "difference"), None)
        if difference is not None:
            sentence += " " + t(
                "cohort.rmst.difference",
                lang,
                group=in_sentence(group_label(results.plan, EXPOSURE, difference.level, lang)),
                reference=in_sentence(
                    group_label(results.plan, EXPOSURE, difference.reference, lang)
                ),
                estimate=fmt_estimate(
                    difference.estimate, difference.ci_low, difference.ci_high, lang, 1
                ),
                p=fmt_p(difference.p, lang),
            )
        sentences.append(sentence)
        sentences.append(withheld(results.plan, EXPOSURE, result.withheld, lang))
    return " ".join(sentence for sentence in sentences if sentence)
