"""The cohort chapter's tables in the reader's language, from the results only."""

from __future__ import annotations

import pandas as pd

from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.cox import COX_MODELS, HazardRatio
from analysis.chapters.cohort.data import OUTCOMES
from analysis.chapters.cohort.descriptives import GROUPS
from analysis.chapters.cohort.survival import Interval, KMComparison
from analysis.core.i18n import fmt_count, fmt_estimate, fmt_int, fmt_num, fmt_p, fmt_pct, t


def level_label(variable: str, level: str, lang: str) -> str:
    """The display name of one level of a variable."""
    return t(f"cohort.level.{variable}.{level}", lang)


def group_label(by: str, level: str, lang: str) -> str:
    """Legend/column name of a group (coordinator yes/no or a programme type)."""
    return t(f"cohort.group.{by}.{level}", lang)


def variable_label(results: CohortResults, variable: str, lang: str) -> str:
    """The display name of a Table 1 variable (household income is invented in the shipped
    synthetic file, and says so there)."""
    if variable == "household_income" and results.synthetic:
        return t("cohort.var.household_income_invented", lang)
    return t(f"cohort.var.{variable}", lang)


def _days(value: float | None, lang: str) -> str:
    return fmt_num(value, lang, 0)


def _day_range(interval: Interval, lang: str) -> str:
    return f"{_days(interval.ci_low, lang)}–{_days(interval.ci_high, lang)}"


def table1(results: CohortResults, lang: str) -> pd.DataFrame:
    """Table 1 for display: n (% of those with a known value), hidden counts as ``<threshold``."""
    table = results.table1
    counts = table.counts
    headers = {
        "total": t("common.total", lang),
        "yes": t("cohort.group.coordinator.yes", lang),
        "no": t("cohort.group.coordinator.no", lang),
    }
    first = t("cohort.table1.variable", lang)
    rows = [
        {
            first: t("cohort.table1.n_row", lang),
            **{
                headers[g]: fmt_int(int(counts[counts.variable == "sex"][g].sum()), lang)
                for g in GROUPS
            },
        }
    ]
    for variable, block in counts.groupby("variable", sort=False):
        known = block[block.level != ""][list(GROUPS)].sum()
        rows.append(
            {first: variable_label(results, variable, lang), **{headers[g]: "" for g in GROUPS}}
        )
        for index, item in block.iterrows():
            if item.level == "" and not any(item[g] for g in GROUPS):
                continue
            name = (
                t("common.missing", lang)
                if item.level == ""
                else level_label(variable, item.level, lang)
            )
            cells = {}
            for g in GROUPS:
                count = int(item[g])
                if table.hidden.loc[index, g]:
                    cells[headers[g]] = fmt_count(count, lang, table.suppress_below)
                elif item.level == "" or known[g] == 0:
                    cells[headers[g]] = fmt_int(count, lang)
                else:
                    cells[headers[g]] = (
                        f"{fmt_int(count, lang)} ({fmt_pct(count / known[g], lang)})"
                    )
            rows.append({first: f"\u2003{name}", **cells})
    return pd.DataFrame(rows)


def median_table(comparison: KMComparison, lang: str) -> pd.DataFrame:
    """Median days with both 95 % intervals, by group, side by side."""
    return pd.DataFrame(
        [
            {
                t("cohort.col.group", lang): group_label(comparison.by, curve.level, lang),
                t("common.n", lang): fmt_int(curve.median.n, lang),
                t("cohort.col.events", lang): fmt_int(curve.median.events, lang),
                t("cohort.col.median", lang): _days(curve.median.estimate, lang),
                t("cohort.col.ci_spss", lang): _day_range(curve.median.spss, lang),
                t("cohort.col.ci_bc", lang): _day_range(curve.median.bc, lang),
            }
            for curve in comparison.curves
        ]
    )


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
                t("common.n", lang): fmt_int(efron.n, lang),
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
    """Per programme type: n, RTW within follow-up, coordinator share, median (two CIs)."""

    def count_share(count: int, total: int, hidden: bool) -> str:
        if hidden:
            return fmt_count(count, lang, results.suppress_below)
        return f"{fmt_int(count, lang)}/{fmt_int(total, lang)} ({fmt_pct(count / total, lang)})"

    return pd.DataFrame(
        [
            {
                t("cohort.col.programme_type", lang): group_label("programme_type", level, lang),
                t("cohort.col.rtw_within", lang, days=results.follow_up_days): count_share(
                    group.returned, group.n, group.returned_hidden
                ),
                t("cohort.col.coordinator_share", lang): count_share(
                    group.coordinated, group.n, group.coordinated_hidden
                ),
                t("cohort.col.median", lang): _days(group.median_days.estimate, lang),
                t("cohort.col.ci_spss", lang): _day_range(group.median_days.spss, lang),
                t("cohort.col.ci_bc", lang): _day_range(group.median_days.bc, lang),
            }
            for level, group in results.programme_types.items()
        ]
    )
