"""The thesis's published numbers (``published.yaml``) beside those computed from the data."""

from __future__ import annotations

from functools import cache

import pandas as pd

from analysis.chapters.provider.data import PUBLISHED
from analysis.chapters.provider.stats import TableTest
from analysis.core import reproduction
from analysis.core.problems import Message
from analysis.core.yamlfile import read_yaml

STATISTIC_REASONS = {
    ("finance_nav", "p"): "provider.reason.p_misprint",
    ("finance_both", "or_ci_high"): "provider.reason.ci_truncated",
}


@cache
def published() -> dict:
    """The published numbers of the provider survey, as printed."""
    return read_yaml(PUBLISHED)


def count_rows(
    sections: dict[str, pd.DataFrame],
    shares: pd.DataFrame,
    tests: dict[str, TableTest],
    match_status: str = "matches",
) -> list[dict]:
    """Published counts (Table 1 cells, 2×2 tables) beside the counts in the data; a count
    that agrees has ``match_status`` (``exact_by_construction`` for data built to meet them)."""
    pub = published()
    targets = {
        "types": pub["types"],
        "coordinators": pub["coordinator_types"],
        "diagnoses": pub["diagnoses"],
    }
    rows = [
        reproduction.compare(
            "provider.repro.table1_cell",
            str(printed),
            int(sections[section].at[name, finance]),
            "provider.reason.data_differ",
            match_status,
            row=Message(f"provider.label.{name}"),
            finance=Message(f"provider.finance.{finance}"),
        )
        for section, by_name in targets.items()
        for name, by_group in by_name.items()
        if name in sections[section].index
        for finance, printed in by_group.items()
    ]
    rows += [
        reproduction.compare(
            "provider.repro.table1_cell",
            str(levels["yes"]),
            int(shares.at[finance, "yes"]),
            "provider.reason.data_differ",
            match_status,
            row=Message("provider.label.coord_permanent"),
            finance=Message(f"provider.finance.{finance}"),
        )
        for finance, levels in pub["permanent_coordinator"].items()
    ]
    rows += [
        reproduction.compare(
            "provider.repro.count",
            str(value),
            tests[name].counts[cell],
            "provider.reason.data_differ",
            match_status,
            exposure=Message(f"provider.exposure.{name}"),
            cell=Message(f"provider.cell.{cell}"),
            source=Message(f"provider.source.{target['source']}"),
        )
        for name, target in pub["tables"].items()
        for cell, value in target["counts"].items()
    ]
    return rows


def statistic_rows(sections: dict[str, pd.DataFrame], tests: dict[str, TableTest]) -> list[dict]:
    """Published test statistics and table totals beside the computed ones, with reasons."""
    pub = published()
    rows = []
    for name, target in pub["tables"].items():
        printed = {key: target[key] for key in ("chi2", "p", "odds_ratio") if key in target}
        printed |= dict(zip(("or_ci_low", "or_ci_high"), target.get("or_ci", ()), strict=False))
        rows += [
            reproduction.compare(
                f"provider.repro.{key}",
                value,
                getattr(tests[name], key),
                STATISTIC_REASONS.get((name, key), "provider.reason.data_differ"),
                exposure=Message(f"provider.exposure.{name}"),
            )
            for key, value in printed.items()
        ]
    types = sections["types"]
    rows += [
        reproduction.compare(
            "provider.repro.types_total",
            str(printed),
            int(types[finance].sum()),
            "provider.reason.total_row",
            finance=Message(f"provider.finance.{finance}"),
        )
        for finance, printed in pub["types_total_printed"].items()
    ]
    coordinators = sections["coordinators"]
    if "coord_gp" not in coordinators.index:
        return rows
    gp = coordinators.loc["coord_gp"]
    rows += [
        reproduction.compare(
            "provider.repro.gp_percent",
            printed,
            100 * gp[finance] / gp["total"],
            "provider.reason.gp_percent",
            finance=Message(f"provider.finance.{finance}"),
        )
        for finance, printed in pub["gp_row_percent_printed"].items()
    ]
    return rows
