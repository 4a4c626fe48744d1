"""The cohort chapter's tables in the reader's language, from the results only."""

from __future__ import annotations

import math

import pandas as pd

from analysis.chapters.cohort.chapter import CohortResults, SubgroupResults
from analysis.chapters.cohort.cox import HazardRatio
from analysis.chapters.cohort.data import OUTCOMES
from analysis.chapters.cohort.declared import WITHHELD
from analysis.chapters.cohort.descriptives import GROUPS, MISSING
from analysis.chapters.cohort.plan import CLUSTER, EXPOSED, EXPOSURE, AnalysisPlan
from analysis.chapters.cohort.survival import Interval, KMComparison, MedianSummary
from analysis.core.catalog import catalog
from analysis.core.i18n import (
    EN_DASH,
    babel_locale,
    fmt_ci,
    fmt_estimate,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    t,
)


def _declared(text: dict[str, str] | None, fallback: str, lang: str) -> str:
    """A label of the analysis plan in ``lang``, else the catalog's ``fallback`` key (the
    loader checked that one of them exists)."""
    return text[lang] if text else t(fallback, lang)


def level_label(plan: AnalysisPlan, variable: str, level: str, lang: str) -> str:
    """The display name of one level of a variable of the plan."""
    text = (plan.variables or {})[variable].labels()[level]
    return _declared(text, f"cohort.level.{variable}.{level}", lang)


def group_label(plan: AnalysisPlan, by: str, level: str, lang: str) -> str:
    """Legend/column name of a group: an exposure group (``by`` the role ``coordinator``,
    ``level`` ``yes`` or ``no``) or a level of the subgroup variable (its label in the plan,
    else its group label in the catalog, e.g. a programme type's, else its level label)."""
    if by == EXPOSURE:
        exposure = plan.exposure
        code = exposure.compared if level == EXPOSED else exposure.reference
        text = exposure.levels[code]
        return _declared(text and text.model_dump(), f"cohort.group.{exposure.column}.{code}", lang)
    declared = (plan.variables or {})[by].labels()[level]
    if declared is None and f"cohort.group.{by}.{level}" in catalog():
        return t(f"cohort.group.{by}.{level}", lang)
    return level_label(plan, by, level, lang)


def variable_label(results: CohortResults, variable: str, lang: str) -> str:
    """The display name of a Table 1 variable (household income is invented in the generator's
    synthetic data, and says so there)."""
    if variable == "household_income" and results.generated:
        return t("cohort.var.household_income_invented", lang)
    declared = (results.plan.variables or {})[variable].label
    return _declared(declared and declared.model_dump(), f"cohort.var.{variable}", lang)


def in_sentence(label: str) -> str:
    """A label read inside a sentence: its first letter in lower case."""
    return label[:1].lower() + label[1:]


def exposure_name(results: CohortResults, lang: str) -> str:
    """The exposure of a declared plan as a sentence names it (its label, else its column)."""
    label = results.plan.exposure.label
    return in_sentence(label.model_dump()[lang]) if label else f"`{results.plan.exposure.column}`"


def subgroup_name(results: CohortResults, subgroup: SubgroupResults, lang: str) -> str:
    """The variable of a subgroup analysis as a sentence names it."""
    return in_sentence(variable_label(results, subgroup.variable, lang))


def noun_forms(results: CohortResults, noun: str, lang: str) -> dict[str, str]:
    """The plural forms (``one``, ``other``) of the page's noun for the ``persons`` (the rows)
    or the ``units`` (the clusters): the study description's, else the paper plan's
    ("employee", "programme"), else neutral ("person", "cluster (`clinic`)")."""
    declared = getattr(results.study.description, noun, None)
    if declared is not None:
        return getattr(declared, lang).model_dump()
    key = f"cohort.noun.{noun}" if results.paper_plan else f"cohort.noun.{noun}_plan"
    cluster = f"`{results.plan.cluster or CLUSTER}`"
    return {form: t(f"{key}.{form}", lang, cluster=cluster) for form in ("one", "other")}


def counted(results: CohortResults, noun: str, n: int, lang: str) -> str:
    """``n`` and the noun (:func:`noun_forms`) in the form the language's CLDR plural rules
    give it: "1 clinic", "16 clinics"."""
    forms = noun_forms(results, noun, lang)
    return f"{fmt_int(n, lang)} {forms[babel_locale(lang).plural_form(n)]}"


def cluster_name(results: CohortResults, lang: str) -> str:
    """The cluster as "clustered by …" names it: the units' singular where the study
    description or the paper's plan names them, else the cluster column."""
    if results.paper_plan or getattr(results.study.description, "units", None) is not None:
        return noun_forms(results, "units", lang)["one"]
    return f"`{results.plan.cluster or CLUSTER}`"


def plan_key(results: CohortResults, key: str) -> str:
    """The label ``key``, or its ``<key>_plan`` counterpart worded for a declared plan (its
    values: :func:`plan_names`)."""
    return key if results.paper_plan else f"{key}_plan"


def plan_names(results: CohortResults, lang: str) -> dict[str, str]:
    """The names the ``_plan`` labels fill in: the exposure, its two groups and the cluster."""
    plan = results.plan
    return {
        "exposure": exposure_name(results, lang),
        "group": in_sentence(group_label(plan, EXPOSURE, EXPOSED, lang)),
        "reference": in_sentence(group_label(plan, EXPOSURE, "no", lang)),
        "cluster": cluster_name(results, lang),
    }


def model_label(plan: AnalysisPlan, model: str, lang: str) -> str:
    """The display name of a Cox model block of the plan."""
    declared = plan.models[model].label
    return _declared(declared and declared.model_dump(), f"cohort.model.{model}", lang)


def _days(value: float | None, lang: str, withheld: bool = False) -> str:
    """Days; a value not reached within follow-up, or withheld by output checking, in words."""
    if withheld:
        return t("cohort.withheld", lang)
    return t("cohort.not_reached", lang) if value is None else fmt_num(value, lang, 0)


def median_days(median: MedianSummary, lang: str) -> str:
    """The median in days (:func:`_days`), marked where it is read off the coarsened curve."""
    text = _days(median.estimate, lang, median.estimate_withheld)
    if median.coarsened and median.estimate is not None:
        return t("cohort.median.coarsened", lang, days=text)
    return text


def _day_range(interval: Interval, lang: str) -> str:
    """``low–high`` in days; an end not reached within follow-up, or withheld by output
    checking (both: said once), is said in words."""
    ends = [(interval.ci_low, "ci_low"), (interval.ci_high, "ci_high")]
    for key in ("cohort.withheld", "cohort.not_reached"):
        if all(value is None for value, _ in ends) and (
            key == "cohort.not_reached" or set(interval.withheld) >= {"ci_low", "ci_high"}
        ):
            return t(key, lang)
    low, high = (_days(value, lang, name in interval.withheld) for value, name in ends)
    return f"{low}{EN_DASH}{high}"


def hidden(count: int | None, lang: str) -> str:
    """A count, or the one marker of every count disclosure control hides."""
    return t("common.hidden", lang) if count is None else fmt_int(count, lang)


def _count_share(count: int | None, total: int | None, lang: str) -> str:
    """``n (share)``; ``n`` alone when the denominator is hidden or 0; the marker if hidden."""
    if count is None:
        return t("common.hidden", lang)
    if not total:
        return fmt_int(count, lang)
    return f"{fmt_int(count, lang)} ({fmt_pct(count / total, lang)})"


def table1(results: CohortResults, lang: str) -> pd.DataFrame:
    """Table 1 for display: n (% of those with a known value) per level, grouped by
    characteristic; hidden counts as the marker, and no percentages in a column whose number
    with a missing value is hidden."""
    table = results.table1
    names = {
        "total": t("common.total", lang),
        **{group: group_label(results.plan, EXPOSURE, group, lang) for group in GROUPS[1:]},
    }
    headers = {
        g: t("cohort.table1.header_hidden", lang, group=names[g])
        if table.size(g) is None
        else t("cohort.table1.header", lang, group=names[g], n=fmt_int(table.size(g), lang))
        for g in GROUPS
    }
    first, group = t("cohort.table1.variable", lang), "variable"
    rows = []
    for variable in table.blocks:
        name = variable_label(results, variable, lang)
        known = {g: table.known(variable, g) for g in GROUPS}
        for level in table.levels(variable):
            missing = level == MISSING
            rows.append(
                {
                    group: name,
                    first: t("common.missing", lang)
                    if missing
                    else level_label(results.plan, variable, level, lang),
                    **{
                        headers[g]: _count_share(
                            table.value(variable, level, g), None if missing else known[g], lang
                        )
                        for g in GROUPS
                    },
                }
            )
    return pd.DataFrame(rows)


def median_table(comparison: KMComparison, plan: AnalysisPlan, lang: str) -> pd.DataFrame:
    """Median days with both 95 % intervals, by group, side by side; a withheld group's row
    says so."""
    withheld = t("cohort.withheld", lang)
    columns = [
        t("cohort.col.group", lang),
        t("common.n", lang),
        t("cohort.col.events", lang),
        t("cohort.col.median", lang),
        t("cohort.col.ci_spss", lang),
        t("cohort.col.ci_bc", lang),
    ]
    rows = {
        curve.level: [
            group_label(plan, comparison.by, curve.level, lang),
            fmt_int(curve.median.n, lang),
            hidden(curve.median.events, lang),
            median_days(curve.median, lang),
            _day_range(curve.median.spss, lang),
            _day_range(curve.median.bc, lang),
        ]
        for curve in comparison.curves
    }
    rows |= {
        level: [
            group_label(plan, comparison.by, level, lang),
            t("common.hidden", lang),
            *[withheld] * 4,
        ]
        for level in comparison.withheld
    }
    levels = (EXPOSED, "no") if comparison.by == EXPOSURE else plan.variables[comparison.by].codes
    order = [level for level in levels if level in rows]
    return pd.DataFrame([rows[level] for level in order], columns=columns)


def _hr(fit: HazardRatio, lang: str) -> str:
    """A hazard ratio and its interval, for a column whose header says "95 % CI"."""
    if fit.reason:
        return t("cohort.not_estimable", lang)
    return fmt_estimate(fit.hr, fit.ci_low, fit.ci_high, lang, labelled=False)


def cox_table(results: CohortResults, outcome: str, lang: str) -> pd.DataFrame:
    """Coordinator HR per model block: Efron (main), Breslow and cluster-robust columns."""
    robust_column = t(plan_key(results, "cohort.col.ci_robust"), lang, **plan_names(results, lang))
    records = []
    for model, fits in results.outcomes[outcome].cox.items():
        efron, breslow, robust = fits.efron, fits.breslow, fits.robust
        records.append(
            {
                t("cohort.col.model", lang): model_label(results.plan, model, lang),
                t("common.n", lang): hidden(efron.n, lang),
                t("cohort.col.hr_efron", lang): _hr(efron, lang),
                t("cohort.col.p", lang): fmt_p(efron.p, lang, with_symbol=False),
                t("cohort.col.hr_breslow", lang): _hr(breslow, lang),
                robust_column: (
                    t("cohort.not_estimable", lang)
                    if robust.reason
                    else f"{fmt_num(robust.ci_low, lang)}–{fmt_num(robust.ci_high, lang)}"
                    f" ({fmt_p(robust.p, lang)})"
                ),
            }
        )
    return pd.DataFrame(records)


def ph_table(results: CohortResults, lang: str) -> pd.DataFrame:
    """``cox.zph`` tests for the exposure and globally."""
    ph_column = (
        t("cohort.col.ph_coordinator", lang)
        if results.paper_plan
        else t("cohort.col.ph_exposure", lang, exposure=exposure_name(results, lang))
    )
    return pd.DataFrame(
        [
            {
                t("cohort.col.outcome", lang): t(f"cohort.outcome.{outcome}", lang),
                t("cohort.col.model", lang): model_label(results.plan, model, lang),
                ph_column: (
                    t("cohort.not_estimable", lang)
                    if test.reason
                    else fmt_p(test.coordinator_p, lang, with_symbol=False)
                ),
                t("cohort.col.ph_global", lang): (
                    t("cohort.not_estimable", lang)
                    if test.reason
                    else f"χ² = {fmt_num(test.global_chi2, lang)}, df = {test.global_df}, "
                    f"{fmt_p(test.global_p, lang)}"
                ),
            }
            for outcome in OUTCOMES
            for model, test in results.outcomes[outcome].ph_tests.items()
        ]
    )


def programme_table(results: CohortResults, subgroup: SubgroupResults, lang: str) -> pd.DataFrame:
    """Per programme type (level of the subgroup analysis's variable): n, RTW within
    follow-up, coordinator share, median (two CIs); a group whose size is hidden shows the
    marker and no statistics."""
    withheld = t("cohort.withheld", lang)
    if results.paper_plan:
        by_column = t("cohort.col.programme_type", lang)
        share_column = t("cohort.col.coordinator_share", lang)
    else:
        by_column = variable_label(results, subgroup.variable, lang)
        exposed = group_label(results.plan, EXPOSURE, EXPOSED, lang)
        share_column = t("cohort.col.exposed_share", lang, group=exposed)
    rows = []
    for level, group in subgroup.groups.items():
        median = group.median_days
        rows.append(
            {
                by_column: group_label(results.plan, subgroup.variable, level, lang),
                t("common.n", lang): hidden(group.n, lang),
                t("cohort.col.rtw_within", lang, days=results.follow_up_days): (
                    withheld if group.withheld else _count_share(group.returned, group.n, lang)
                ),
                share_column: (
                    withheld if group.withheld else _count_share(group.coordinated, group.n, lang)
                ),
                t("cohort.col.median", lang): withheld
                if median is None
                else median_days(median, lang),
                t("cohort.col.ci_spss", lang): withheld
                if median is None
                else _day_range(median.spss, lang),
                t("cohort.col.ci_bc", lang): withheld
                if median is None
                else _day_range(median.bc, lang),
            }
        )
    return pd.DataFrame(rows)


def outcome_name(results: CohortResults, name: str, lang: str) -> str:
    """An outcome's name within a sentence: the paper's outcomes by their label, a competing
    outcome by its study description's name (else its key)."""
    if name in OUTCOMES:
        return t(f"cohort.outcome_in_text.{name}", lang)
    declared = results.study.description.competing_outcomes[name].name
    return getattr(declared, lang) if declared else name


def cause_name(results: CohortResults, name: str, cause: str, lang: str) -> str:
    """The name of one end of the competing outcome ``name``: the outcome itself for the
    event of interest, else the competing event's declared name."""
    codes = results.study.description.competing_outcomes[name].codes
    if cause == codes.event:
        return outcome_name(results, name, lang)
    return next(getattr(event.name, lang) for event in codes.competing if event.code == cause)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _share_ci(estimate: float, low: float, high: float, lang: str) -> str:
    """A cumulative incidence in per cent with its 95 % interval (none where it is 0), for a
    column whose header says "95 % CI"."""
    if math.isnan(low):
        return fmt_pct(estimate, lang, 1)
    return f"{fmt_pct(estimate, lang, 1)} ({fmt_ci(100 * low, 100 * high, lang, 1)})"


def incidence_table(results: CohortResults, name: str, lang: str) -> pd.DataFrame:
    """The cumulative incidence of each end of a competing outcome with its 95 % interval (in
    the end's column header), per declared day and exposure group shown (read off the
    published curves)."""
    result = results.declared.competing[name]
    records = []
    for time in result.times[1:]:
        for level in result.incidence:
            record = {
                t("cohort.col.day", lang): fmt_int(time, lang),
                t("cohort.col.group", lang): group_label(results.plan, EXPOSURE, level, lang),
            }
            for cause in result.causes:
                value = result.at_times(level, cause).loc[time]
                end = _capitalised(cause_name(results, name, cause, lang))
                record[t("cohort.col.with_ci", lang, name=end)] = _share_ci(
                    value["estimate"], value["ci_low"], value["ci_high"], lang
                )
            records.append(record)
    return pd.DataFrame(records)


def _shown_or_reason(reason: str | None, lang: str) -> str:
    """What a table says for a statistic that is not there: withheld by output checking, or
    not estimable."""
    return t("cohort.withheld" if reason in WITHHELD else "cohort.not_estimable", lang)


def cause_specific_table(results: CohortResults, name: str, lang: str) -> pd.DataFrame:
    """Per end of a competing outcome: the cause-specific log-rank test and Cox hazard ratio
    of the exposed group against the reference (the other ends censored)."""
    records = []
    for test in results.declared.competing[name].tests:
        logrank, ratio = test.logrank, test.hazard_ratio
        records.append(
            {
                t("cohort.col.cause", lang): _capitalised(
                    cause_name(results, name, test.cause, lang)
                ),
                t("cohort.col.logrank", lang): _shown_or_reason(logrank.reason, lang)
                if logrank.reason
                else f"χ² = {fmt_num(logrank.chi2, lang)}, {fmt_p(logrank.p, lang)}",
                t("cohort.col.hr_cause", lang): _shown_or_reason(ratio.reason, lang)
                if ratio.reason
                else fmt_estimate(ratio.hr, ratio.ci_low, ratio.ci_high, lang, labelled=False),
                t("cohort.col.p", lang): fmt_p(ratio.p, lang, with_symbol=False),
            }
        )
    return pd.DataFrame(records)


def rmst_table(results: CohortResults, lang: str) -> pd.DataFrame:
    """Per outcome with an RMST: its horizon, each exposure group's RMST in days (95 % CI), and
    the difference and ratio of the exposed group to the reference, with p; the headers say
    "95 % CI", the cells hold the estimates and their intervals (the table fits the column)."""
    records = []
    for name, result in results.declared.restricted_means.items():
        record = {
            t("cohort.col.outcome", lang): _capitalised(outcome_name(results, name, lang)),
            t("cohort.col.horizon", lang): fmt_int(result.horizon, lang),
        }
        for level in (*result.means, *result.withheld):
            mean = result.means.get(level)
            group = group_label(results.plan, EXPOSURE, level, lang)
            record[t("cohort.col.rmst_group", lang, group=group)] = (
                fmt_estimate(mean.estimate, mean.ci_low, mean.ci_high, lang, 1, labelled=False)
                if mean
                else t("cohort.withheld", lang)
            )
        contrasts = {contrast.measure: contrast for contrast in result.contrasts}
        for measure, decimals in (("difference", 1), ("ratio", 2)):
            contrast = contrasts.get(measure)
            record[t(f"cohort.col.rmst_{measure}", lang)] = (
                fmt_estimate(
                    contrast.estimate,
                    contrast.ci_low,
                    contrast.ci_high,
                    lang,
                    decimals,
                    labelled=False,
                )
                if contrast
                else _shown_or_reason(result.reason, lang)
            )
        difference = contrasts.get("difference")
        record[t("cohort.col.p", lang)] = fmt_p(difference and difference.p, lang, False)
        records.append(record)
    return pd.DataFrame(records)
