"""Provider tables for the page, in one language, from the results."""

from __future__ import annotations

from math import exp

import pandas as pd

from analysis.chapters.provider.chapter import ProviderResults
from analysis.chapters.provider.data import ItemKeys, PlanKeys, item_columns
from analysis.chapters.provider.regression import Coefficient, LogisticModel, Term
from analysis.chapters.provider.stats import code_row
from analysis.core.i18n import fmt_ci, fmt_count_share, fmt_estimate, fmt_int, fmt_num, fmt_p, t

CORRECTED_MARK = "*"  # odds ratio of a table with a zero cell (Haldane–Anscombe)
TOTAL = "total"  # the total column of a cross-table


def capitalised(text: str) -> str:
    """A label of the plan (lower case where a sentence reads it) as a heading or a cell
    starts it."""
    return text[:1].upper() + text[1:]


def code_names(item: ItemKeys, lang: str) -> dict[str, str]:
    """The values of a single-choice or yes/no question as the reader knows them."""
    if item.kind == "single":
        return {code: getattr(label, lang) for code, label in (item.codes or {}).items()}
    return {"yes": t("common.yes", lang), "no": t("common.no", lang)}


def group_names(plan: PlanKeys, lang: str) -> dict[str, str]:
    """The groups of the grouping variable, in the plan's order."""
    return code_names(plan.items[plan.group], lang)


def group_name(plan: PlanKeys, lang: str) -> str:
    """The grouping variable as a sentence reads it."""
    return getattr(plan.items[plan.group].label, lang)


def outcome_name(plan: PlanKeys, lang: str) -> str:
    """The outcome as a sentence reads it."""
    return getattr(plan.items[plan.outcome].label, lang)


def row_names(plan: PlanKeys, lang: str) -> dict[str, str]:
    """Every row a cross-table can have, by its key: a yes/no question under its name, a code
    of a single-choice question (:func:`stats.code_row`), an option's column."""
    names = {}
    for name, item in plan.items.items():
        if item.kind == "yes_no":
            names[name] = capitalised(getattr(item.label, lang))
        elif item.kind == "single":
            names |= {code_row(name, code): text for code, text in code_names(item, lang).items()}
        else:
            names |= {column: getattr(label, lang) for column, label in item.columns.items()}
    return names


def frequency_table(results: ProviderResults, section: str, lang: str) -> pd.DataFrame:
    """A cross-table of the plan with row percentages."""
    plan = results.plan
    counts = results.sections[section]
    headers = group_names(plan, lang) | {TOTAL: t("provider.finance.total", lang)}
    table = pd.DataFrame(index=counts.index)
    for column, header in headers.items():
        table[header] = [
            fmt_count_share(n, total, lang)
            for n, total in zip(counts[column], counts[TOTAL], strict=True)
        ]
    if plan.cross_tables[section].sum_row:
        sums = counts.sum()
        table.loc["sum"] = [fmt_count_share(int(sums[c]), int(sums[TOTAL]), lang) for c in headers]
    names = row_names(plan, lang) | {"sum": t("provider.label.sum", lang)}
    table.insert(
        0,
        getattr(plan.cross_tables[section].label, lang),
        [names[name] for name in table.index],
    )
    return table.reset_index(drop=True)


def tests_table(results: ProviderResults, lang: str) -> pd.DataFrame:
    """The 2×2 tables with their tests, one row per exposure."""
    rows = []
    for name, test in results.tests.items():
        c = test.counts
        rows.append(
            {
                t("provider.col.exposure", lang): exposure_name(results.plan, name, lang),
                t("provider.col.exposed", lang): f"{fmt_int(c['exposed_yes'], lang)}/"
                f"{fmt_int(c['exposed_yes'] + c['exposed_no'], lang)}",
                t("provider.col.unexposed", lang): f"{fmt_int(c['unexposed_yes'], lang)}/"
                f"{fmt_int(c['unexposed_yes'] + c['unexposed_no'], lang)}",
                t("provider.col.chi2", lang): fmt_num(test.chi2, lang, 3),
                t("provider.col.p", lang): fmt_num(test.p, lang, 3),
                t("provider.col.p_yates", lang): fmt_num(test.p_yates, lang, 3),
                t("provider.col.p_fisher", lang): fmt_num(test.p_fisher, lang, 3),
                t("provider.col.or_ci", lang): fmt_num(test.odds_ratio, lang, 2)
                + (CORRECTED_MARK if test.or_correction else "")
                + f" ({fmt_ci(test.or_ci_low, test.or_ci_high, lang)})",
            }
        )
    return pd.DataFrame(rows)


def exposure_name(plan: PlanKeys, name: str, lang: str) -> str:
    """An exposure of the plan as the tables name it."""
    return getattr(plan.odds_ratios[name].label, lang)


def question_of(plan: PlanKeys, column: str) -> ItemKeys:
    """The question a column of ``providers.csv`` answers."""
    return next(item for item in plan.items.values() if column in item_columns(item))


def item_name(plan: PlanKeys, column: str, lang: str) -> str:
    """A column of ``providers.csv`` as the reader knows it: its question, or the option of a
    multiple-choice question it holds."""
    item = question_of(plan, column)
    if item.kind == "multiple":
        return getattr(item.columns[column], lang)
    return capitalised(getattr(item.label, lang))


def level_name(plan: PlanKeys, column: str, level: str, lang: str) -> str:
    """A value of a column: a code of a single-choice question, or yes/no (also for 1/0)."""
    item = question_of(plan, column)
    if item.kind == "single":
        return code_names(item, lang)[level]
    return t("common.yes" if level in ("yes", "1") else "common.no", lang)


def comparison(plan: PlanKeys, term: Term, lang: str) -> str:
    """A term's level against its item's reference level: "NAV only vs RHA only"."""
    item, level, reference = term
    return t(
        "provider.regression.versus",
        lang,
        level=level_name(plan, item, level, lang),
        reference=level_name(plan, item, reference, lang),
    )


def term_name(plan: PlanKeys, term: Term, lang: str) -> str:
    """A term as a figure's row names it: the item and the comparison."""
    return t(
        "provider.regression.term",
        lang,
        item=item_name(plan, term[0], lang),
        comparison=comparison(plan, term, lang),
    )


def odds_ratio_text(coefficient: Coefficient | None, lang: str) -> str:
    """An adjusted odds ratio with its profile-likelihood 95 % CI, or "not estimable"."""
    if coefficient is None:
        return t("provider.regression.term_not_estimable", lang)
    low, high = exp(coefficient.profile_low), exp(coefficient.profile_high)
    return fmt_estimate(coefficient.odds_ratio, low, high, lang, labelled=False)


def regression_table(plan: PlanKeys, model: LogisticModel, lang: str) -> pd.DataFrame:
    """One row per term of the model: the odds ratio adjusted for the other items, its
    profile-likelihood 95 % CI and the Wald p (a term not estimable says so)."""
    return pd.DataFrame(
        [
            {
                t("provider.col.item", lang): item_name(plan, term[0], lang),
                t("provider.col.comparison", lang): comparison(plan, term, lang),
                t("provider.col.adjusted_or", lang): odds_ratio_text(coefficient, lang),
                t("provider.col.p", lang): fmt_p(coefficient and coefficient.p, lang, False),
            }
            for term, coefficient in model.rows
        ]
    )
