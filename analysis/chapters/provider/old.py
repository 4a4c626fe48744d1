"""Provider survey (Berg 2015): programmes by finance, and who has a permanent coordinator.

Input: ``data/providers.csv``, one row per Raskere tilbake programme. The analysis cross-tabulates
programme types, coordinator types and diagnosis groups by finance, and for six exposures tests
the 2×2 table against having a permanent coordinator: Pearson χ² without continuity correction
(as SPSS prints it), Yates-corrected χ², Fisher's exact p, and the odds ratio with a Woolf
(logit) 95 % CI.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, fisher_exact
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint

from analysis.core import reproduction
from analysis.core.i18n import axis_formatter, fmt_count_share, fmt_int, fmt_num, t, translations
from analysis.generators.provider import published
from analysis.core.validation import Field, Schema, read_table

FINANCE = ("rha", "nav", "both")
YES_NO = ("yes", "no")
DIAGNOSES = ("dx_musculoskeletal", "dx_mental", "dx_unspecific")
TYPES = (
    "type_medical_surgical",
    "type_somatic_rehabilitation",
    "type_psychiatric",
    "type_institution_rehabilitation",
    "type_follow_up",
    "type_work_clarification",
    "type_occupational_rehabilitation",
    "type_treatment",
)
COORDINATOR_TYPES = (
    "coord_random_professional",
    "coord_patient",
    "coord_employer",
    "coord_nav",
    "coord_gp",
    "coord_other",
    "coord_no_need",
)
EXPOSURES = ("finance_nav", "finance_both", "finance_rha", *DIAGNOSES)

SCHEMA = Schema(
    "providers.csv",
    (
        Field("programme_id", "text", unique=True),
        Field("finance", "category", FINANCE),
        Field("permanent_coordinator", "category", YES_NO, nullable=True),
        *(Field(name, "category", YES_NO, nullable=True) for name in DIAGNOSES),
        *(Field(name, "binary") for name in TYPES),
        *(Field(name, "binary", required=False, nullable=True) for name in COORDINATOR_TYPES),
    ),
)


def load(data_dir: Path) -> pd.DataFrame:
    """Read and validate ``providers.csv``."""
    return read_table(Path(data_dir), SCHEMA)


def exposures(frame: pd.DataFrame) -> pd.DataFrame:
    """The six exposures as nullable booleans (NA where the answer is missing)."""
    finance = frame["finance"]
    exposed = pd.DataFrame(
        {
            "finance_nav": finance.isin(["nav", "both"]),
            "finance_both": finance.eq("both"),
            "finance_rha": finance.isin(["rha", "both"]),
        }
    ).astype("boolean")
    for name in DIAGNOSES:
        exposed[name] = frame[name].map({"yes": True, "no": False}).astype("boolean")
    exposed["coordinator"] = (
        frame["permanent_coordinator"].map({"yes": True, "no": False}).astype("boolean")
    )
    return exposed


def two_by_two(frame: pd.DataFrame, exposure: str) -> dict[str, int]:
    """Counts of exposure × permanent coordinator, rows with either answer missing left out."""
    table = exposures(frame)[[exposure, "coordinator"]].dropna()
    exposed, coordinator = table[exposure].astype(bool), table["coordinator"].astype(bool)
    return {
        "exposed_yes": int((exposed & coordinator).sum()),
        "exposed_no": int((exposed & ~coordinator).sum()),
        "unexposed_yes": int((~exposed & coordinator).sum()),
        "unexposed_no": int((~exposed & ~coordinator).sum()),
    }


def table_statistics(counts: dict[str, int]) -> dict:
    """χ² (Pearson and Yates), Fisher's exact p and the odds ratio with Woolf 95 % CI."""
    cells = np.array(
        [
            [counts["exposed_yes"], counts["exposed_no"]],
            [counts["unexposed_yes"], counts["unexposed_no"]],
        ]
    )
    pearson = chi2_contingency(cells, correction=False)
    yates = chi2_contingency(cells, correction=True)
    odds = Table2x2(cells)
    low, high = odds.oddsratio_confint(alpha=0.05, method="normal")
    return {
        "counts": counts,
        "chi2": float(pearson.statistic),
        "p": float(pearson.pvalue),
        "chi2_yates": float(yates.statistic),
        "p_yates": float(yates.pvalue),
        "p_fisher": float(fisher_exact(cells).pvalue),
        "odds_ratio": float(odds.oddsratio),
        "or_ci_low": float(low),
        "or_ci_high": float(high),
    }


def analyse(frame: pd.DataFrame) -> dict:
    """The results of ``provider.json``: n and the statistics of the six 2×2 tables."""
    return {
        "n_programmes": len(frame),
        "tables": {name: table_statistics(two_by_two(frame, name)) for name in EXPOSURES},
    }


def by_finance(frame: pd.DataFrame, columns: tuple[str, ...], yes: object = 1) -> pd.DataFrame:
    """Counts of programmes with each answer in ``columns`` per finance group (rows = columns).
    Optional columns absent from the data are left out."""
    columns = tuple(column for column in columns if column in frame)
    counts = pd.DataFrame(
        {
            finance: [
                int(frame.loc[frame["finance"].eq(finance), c].eq(yes).sum()) for c in columns
            ]
            for finance in FINANCE
        },
        index=list(columns),
    )
    counts["total"] = counts.sum(axis=1)
    return counts


def coordinator_by_finance(frame: pd.DataFrame) -> pd.DataFrame:
    """Permanent coordinator yes/valid per finance group, share with Wilson 95 % CI."""
    rows = []
    for finance in FINANCE:
        answers = frame.loc[frame["finance"].eq(finance), "permanent_coordinator"].dropna()
        yes, valid = int(answers.eq("yes").sum()), len(answers)
        low, high = proportion_confint(yes, valid, method="wilson")
        rows.append(
            {
                "finance": finance,
                "yes": yes,
                "valid": valid,
                "share": yes / valid,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows).set_index("finance")


def frequency_table(frame: pd.DataFrame, section: str, lang: str) -> pd.DataFrame:
    """Table 1 section (``types``, ``coordinators`` or ``diagnoses``) with row percentages."""
    if section == "types":
        counts = by_finance(frame, TYPES)
    elif section == "coordinators":
        with_pc = frame.assign(
            coord_permanent=frame["permanent_coordinator"].eq("yes").fillna(False).astype(int)
        )
        counts = by_finance(with_pc, ("coord_permanent", *COORDINATOR_TYPES))
    else:
        counts = by_finance(frame, DIAGNOSES, yes="yes")
    display = pd.DataFrame(index=counts.index)
    for column in (*FINANCE, "total"):
        display[t(f"provider.finance.{column}", lang)] = [
            fmt_count_share(n, total, lang)
            for n, total in zip(counts[column], counts["total"], strict=True)
        ]
    if section == "types":
        sums = counts.sum()
        display.loc["sum"] = [
            fmt_count_share(int(sums[c]), int(sums["total"]), lang) for c in (*FINANCE, "total")
        ]
    display.insert(
        0,
        t(f"provider.section.{section}", lang),
        [t(f"provider.label.{name}", lang) for name in display.index],
    )
    return display.reset_index(drop=True)


def tests_table(results: dict, lang: str) -> pd.DataFrame:
    """The six 2×2 tables with their tests, one row per exposure, formatted for ``lang``."""
    rows = []
    for name, stats in results["tables"].items():
        c = stats["counts"]
        rows.append(
            {
                t("provider.col.exposure", lang): t(f"provider.exposure.{name}", lang),
                t("provider.col.exposed", lang): f"{fmt_int(c['exposed_yes'], lang)}/"
                f"{fmt_int(c['exposed_yes'] + c['exposed_no'], lang)}",
                t("provider.col.unexposed", lang): f"{fmt_int(c['unexposed_yes'], lang)}/"
                f"{fmt_int(c['unexposed_yes'] + c['unexposed_no'], lang)}",
                t("provider.col.chi2", lang): fmt_num(stats["chi2"], lang, 3),
                t("provider.col.p", lang): fmt_num(stats["p"], lang, 3),
                t("provider.col.p_yates", lang): fmt_num(stats["p_yates"], lang, 3),
                t("provider.col.p_fisher", lang): fmt_num(stats["p_fisher"], lang, 3),
                t("provider.col.or", lang): fmt_num(stats["odds_ratio"], lang, 2),
                t("common.ci95", lang): f"{fmt_num(stats['or_ci_low'], lang, 2)}–"
                f"{fmt_num(stats['or_ci_high'], lang, 2)}",
            }
        )
    return pd.DataFrame(rows)


def finance_labels(lang: str) -> list[str]:
    """The finance groups' names in ``lang``, in table order."""
    return [t(f"provider.finance.{finance}", lang) for finance in FINANCE]


def plot_coordinator_share(frame: pd.DataFrame, lang: str) -> plt.Figure:
    """Share of programmes with a permanent coordinator per finance group, with 95 % CIs."""
    shares = coordinator_by_finance(frame)
    figure, ax = plt.subplots(figsize=(6.5, 3.6))
    positions = np.arange(len(FINANCE))
    ax.bar(positions, shares["share"], color="#4c78a8", width=0.6)
    ax.errorbar(
        positions,
        shares["share"],
        yerr=[shares["share"] - shares["ci_low"], shares["ci_high"] - shares["share"]],
        fmt="none",
        ecolor="black",
        capsize=5,
    )
    for x, (_, row) in zip(positions, shares.iterrows(), strict=True):
        ax.text(
            x,
            0.03,
            f"{fmt_int(row['yes'], lang)}/{fmt_int(row['valid'], lang)}",
            ha="center",
            color="white",
            fontsize=10,
        )
    ax.set_xticks(positions, finance_labels(lang))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(axis_formatter(lang, percent=True))
    ax.set_ylabel(t("provider.fig.share_pc", lang))
    ax.spines[["top", "right"]].set_visible(False)
    return figure


def plot_grouped(frame: pd.DataFrame, section: str, lang: str) -> plt.Figure:
    """Programmes per finance group for each diagnosis group or programme type (counts)."""
    columns, yes = (DIAGNOSES, "yes") if section == "diagnoses" else (TYPES, 1)
    counts = by_finance(frame, columns, yes=yes)[list(FINANCE)]
    counts.index = [t(f"provider.label.{name}", lang) for name in counts.index]
    counts.columns = finance_labels(lang)
    height = 1.0 + 0.45 * len(columns)
    figure, ax = plt.subplots(figsize=(7.5, height))
    counts.iloc[::-1].plot.barh(
        ax=ax, stacked=section == "types", color=["#4c78a8", "#f58518", "#54a24b"], width=0.75
    )
    ax.xaxis.set_major_formatter(axis_formatter(lang))
    ax.set_xlabel(t("provider.fig.programmes", lang))
    ax.set_ylabel("")
    ax.legend(title=t("provider.fig.finance", lang), frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return figure


def count_rows(frame: pd.DataFrame, results: dict) -> list[dict]:
    """Published counts (Table 1 cells, 2×2 tables) beside the counts in the data."""
    pub = published()
    sections = (
        ("types", by_finance(frame, TYPES), pub["types"]),
        ("coordinators", by_finance(frame, COORDINATOR_TYPES), pub["coordinator_types"]),
        ("diagnoses", by_finance(frame, DIAGNOSES, yes="yes"), pub["diagnoses"]),
    )
    rows = [
        reproduction.compare(
            "provider.repro.table1_cell",
            str(printed),
            int(counts.at[name, finance]),
            "provider.reason.data_differ",
            "exact_by_construction",
            row=translations(f"provider.label.{name}"),
            finance=translations(f"provider.finance.{finance}"),
        )
        for _section, counts, targets in sections
        for name, by_group in targets.items()
        if name in counts.index
        for finance, printed in by_group.items()
    ]
    coordinator = coordinator_by_finance(frame)
    rows += [
        reproduction.compare(
            "provider.repro.table1_cell",
            str(levels["yes"]),
            int(coordinator.at[finance, "yes"]),
            "provider.reason.data_differ",
            "exact_by_construction",
            row=translations("provider.label.coord_permanent"),
            finance=translations(f"provider.finance.{finance}"),
        )
        for finance, levels in pub["permanent_coordinator"].items()
    ]
    rows += [
        reproduction.compare(
            "provider.repro.count",
            str(value),
            results["tables"][name]["counts"][cell],
            "provider.reason.data_differ",
            "exact_by_construction",
            exposure=translations(f"provider.exposure.{name}"),
            cell=translations(f"provider.cell.{cell}"),
            source=translations(f"provider.source.{target['source']}"),
        )
        for name, target in pub["tables"].items()
        for cell, value in target["counts"].items()
    ]
    return rows


STATISTIC_REASONS = {
    ("finance_nav", "p"): "provider.reason.p_misprint",
    ("finance_both", "or_ci_high"): "provider.reason.ci_truncated",
}


def statistic_rows(frame: pd.DataFrame, results: dict) -> list[dict]:
    """Published test statistics and table totals beside the computed ones, with reasons."""
    pub = published()
    rows = []
    for name, target in pub["tables"].items():
        stats = results["tables"][name]
        printed = {key: target[key] for key in ("chi2", "p", "odds_ratio") if key in target}
        printed |= dict(zip(("or_ci_low", "or_ci_high"), target.get("or_ci", ()), strict=False))
        rows += [
            reproduction.compare(
                f"provider.repro.{key}",
                value,
                stats[key],
                STATISTIC_REASONS.get((name, key), "provider.reason.data_differ"),
                exposure=translations(f"provider.exposure.{name}"),
            )
            for key, value in printed.items()
        ]
    types = by_finance(frame, TYPES)
    rows += [
        reproduction.compare(
            "provider.repro.types_total",
            str(printed),
            int(types[finance].sum()),
            "provider.reason.total_row",
            finance=translations(f"provider.finance.{finance}"),
        )
        for finance, printed in pub["types_total_printed"].items()
    ]
    if "coord_gp" not in frame:
        return rows
    gp = by_finance(frame, ("coord_gp",)).loc["coord_gp"]
    rows += [
        reproduction.compare(
            "provider.repro.gp_percent",
            printed,
            100 * gp[finance] / gp["total"],
            "provider.reason.gp_percent",
            finance=translations(f"provider.finance.{finance}"),
        )
        for finance, printed in pub["gp_row_percent_printed"].items()
    ]
    return rows
