"""The cohort chapter's tables in the reader's language, from the results only."""

from __future__ import annotations

import pandas as pd

from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.cox import COX_MODELS, HazardRatio
from analysis.chapters.cohort.data import LEVELS, OUTCOMES
from analysis.chapters.cohort.descriptives import GROUPS, MISSING
from analysis.chapters.cohort.survival import Interval, KMComparison, MedianSummary
from analysis.core.i18n import EN_DASH, fmt_estimate, fmt_int, fmt_num, fmt_p, fmt_pct, t


def level_label(variable: str, level: str, lang: str) -> str:
    """The display name of one level of a variable."""
    return t(f"cohort.level.{variable}.{level}", lang)


def group_label(by: str, level: str, lang: str) -> str:
    """Legend/column name of a group (coordinator yes/no or a programme type)."""
    return t(f"cohort.group.{by}.{level}", lang)


def variable_label(results: CohortResults, variable: str, lang: str) -> str:
    """The display name of a Table 1 variable (household income is invented in the generator's
    synthetic data, and says so there)."""
    if variable == "household_income" and results.generated:
        return t("cohort.var.household_income_invented", lang)
    return t(f"cohort.var.{variable}", lang)


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
        "yes": t("cohort.group.coordinator.yes", lang),
        "no": t("cohort.group.coordinator.no", lang),
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
                    else level_label(variable, level, lang),
                    **{
                        headers[g]: _count_share(
                            table.value(variable, level, g), None if missing else known[g], lang
                        )
                        for g in GROUPS
                    },
                }
            )
    return pd.DataFrame(rows)


def median_table(comparison: KMComparison, lang: str) -> pd.DataFrame:
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
            group_label(comparison.by, curve.level, lang),
            fmt_int(curve.median.n, lang),
            hidden(curve.median.events, lang),
            median_days(curve.median, lang),
            _day_range(curve.median.spss, lang),
            _day_range(curve.median.bc, lang),
        ]
        for curve in comparison.curves
    }
    rows |= {
        level: [group_label(comparison.by, level, lang), t("common.hidden", lang), *[withheld] * 4]
        for level in comparison.withheld
    }
    order = [level for level in LEVELS[comparison.by] if level in rows]
    return pd.DataFrame([rows[level] for level in order], columns=columns)


def _hr(fit: HazardRatio, lang: str) -> str:
    if fit.reason:
        return t("cohort.not_estimable", lang)
    return fmt_estimate(fit.hr, fit.ci_low, fit.ci_high, lang)


def cox_table(results: CohortResults, outcome: str, lang: str) -> pd.DataFrame:
    """Coordinator HR per model block: Efron (main), Breslow and cluster-robust columns."""
    records = []
    for model in COX_MODELS:
        fits = results.outcomes[outcome].cox[model]
        efron, breslow, robust = fits.efron, fits.breslow, fits.robust
        records.append(
            {
                t("cohort.col.model", lang): t(f"cohort.model.{model}", lang),
                t("common.n", lang): hidden(efron.n, lang),
                t("cohort.col.hr_efron", lang): _hr(efron, lang),
                t("cohort.col.p", lang): fmt_p(efron.p, lang, with_symbol=False),
                t("cohort.col.hr_breslow", lang): _hr(breslow, lang),
                t("cohort.col.ci_robust", lang): (
                    t("cohort.not_estimable", lang)
                    if robust.reason
                    else f"{fmt_num(robust.ci_low, lang)}–{fmt_num(robust.ci_high, lang)}"
                    f" ({fmt_p(robust.p, lang)})"
                ),
            }
        )
    return pd.DataFrame(records)


def ph_table(results: CohortResults, lang: str) -> pd.DataFrame:
    """``cox.zph`` tests for coordinator and globally."""
    return pd.DataFrame(
        [
            {
                t("cohort.col.outcome", lang): t(f"cohort.outcome.{outcome}", lang),
                t("cohort.col.model", lang): t(f"cohort.model.{model}", lang),
                t("cohort.col.ph_coordinator", lang): (
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


def programme_table(results: CohortResults, lang: str) -> pd.DataFrame:
    """Per programme type: n, RTW within follow-up, coordinator share, median (two CIs); a
    group whose size is hidden shows the marker and no statistics."""
    withheld = t("cohort.withheld", lang)
    rows = []
    for level, group in results.programme_types.items():
        median = group.median_days
        rows.append(
            {
                t("cohort.col.programme_type", lang): group_label("programme_type", level, lang),
                t("common.n", lang): hidden(group.n, lang),
                t("cohort.col.rtw_within", lang, days=results.follow_up_days): (
                    withheld if group.withheld else _count_share(group.returned, group.n, lang)
                ),
                t("cohort.col.coordinator_share", lang): (
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
