"""Provider tables for the page, in one language, from the results."""

from __future__ import annotations

from math import exp

import pandas as pd

from analysis.chapters.provider.chapter import ProviderResults
from analysis.chapters.provider.data import FINANCE
from analysis.chapters.provider.regression import LogisticModel
from analysis.core.i18n import fmt_ci, fmt_count_share, fmt_int, fmt_num, fmt_p, t

CORRECTED_MARK = "*"  # odds ratio of a table with a zero cell (Haldane–Anscombe)
# Columns whose label is not ``provider.label.<column>``.
ITEM_LABELS = {
    "finance": "provider.fig.finance",
    "permanent_coordinator": "provider.label.coord_permanent",
}


def frequency_table(results: ProviderResults, section: str, lang: str) -> pd.DataFrame:
    """Table 1 section (``types``, ``coordinators`` or ``diagnoses``) with row percentages."""
    counts = results.sections[section]
    table = pd.DataFrame(index=counts.index)
    for column in (*FINANCE, "total"):
        table[t(f"provider.finance.{column}", lang)] = [
            fmt_count_share(n, total, lang)
            for n, total in zip(counts[column], counts["total"], strict=True)
        ]
    if section == "types":
        sums = counts.sum()
        table.loc["sum"] = [
            fmt_count_share(int(sums[c]), int(sums["total"]), lang) for c in (*FINANCE, "total")
        ]
    table.insert(
        0,
        t(f"provider.section.{section}", lang),
        [t(f"provider.label.{name}", lang) for name in table.index],
    )
    return table.reset_index(drop=True)


def tests_table(results: ProviderResults, lang: str) -> pd.DataFrame:
    """The six 2×2 tables with their tests, one row per exposure."""
    rows = []
    for name, test in results.tests.items():
        c = test.counts
        rows.append(
            {
                t("provider.col.exposure", lang): t(f"provider.exposure.{name}", lang),
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


def item_name(item: str, lang: str) -> str:
    """A column of ``providers.csv`` as the reader knows it."""
    return t(ITEM_LABELS.get(item, f"provider.label.{item}"), lang)


def level_name(item: str, level: str, lang: str) -> str:
    """A value of a column: a finance group, or yes/no (also for 1/0)."""
    if item == "finance":
        return t(f"provider.finance.{level}", lang)
    return t("common.yes" if level in ("yes", "1") else "common.no", lang)


def regression_table(model: LogisticModel, lang: str) -> pd.DataFrame:
    """One row per term of the fitted model: the odds ratio adjusted for the other items, its
    profile-likelihood 95 % CI and the Wald p."""
    return pd.DataFrame(
        [
            {
                t("provider.col.item", lang): item_name(term.item, lang),
                t("provider.col.comparison", lang): t(
                    "provider.regression.versus",
                    lang,
                    level=level_name(term.item, term.level, lang),
                    reference=level_name(term.item, term.reference, lang),
                ),
                t("provider.col.adjusted_or", lang): fmt_num(term.odds_ratio, lang, 2)
                + f" ({fmt_ci(exp(term.profile_low), exp(term.profile_high), lang)})",
                t("provider.col.p", lang): fmt_p(term.p, lang, with_symbol=False),
            }
            for term in model.terms
        ]
    )
