"""Provider tables for the page, in one language, from the results."""

from __future__ import annotations

import pandas as pd

from analysis.chapters.provider.chapter import ProviderResults
from analysis.chapters.provider.data import FINANCE
from analysis.core.i18n import fmt_ci, fmt_count_share, fmt_int, fmt_num, t

CORRECTED_MARK = "*"  # odds ratio of a table with a zero cell (Haldane–Anscombe)


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
