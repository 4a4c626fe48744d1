"""Every published number of the cohort paper (``published.yaml``) beside the computed one.

On the shipped synthetic file, Table 1 values hold by construction and values that depend on
the synthetic times are *calibrated* (within the tolerances below, else they differ); on any
other data every value is simply compared with the published one.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from analysis.chapters.cohort.cox import CoxFits
from analysis.chapters.cohort.data import SYMPTOMS
from analysis.chapters.cohort.programmes import OddsRatio, ProgrammeGroup
from analysis.chapters.cohort.survival import MedianSummary
from analysis.core import reproduction
from analysis.core.i18n import translations

PUBLISHED = Path(__file__).with_name("published.yaml")
# Calibration tolerances of the synthetic cohort: medians ±10 %, HRs ±0.05, rates ±5 points,
# the treatment programmes' RTW count ±4.
MEDIAN_TOLERANCE = 0.10
HR_TOLERANCE = 0.05
RATE_TOLERANCE = 5.0
COUNT_TOLERANCE = 4.0


@cache
def published() -> dict:
    """The published numbers of the cohort paper."""
    return yaml.safe_load(PUBLISHED.read_text(encoding="utf-8"))


def _names(codes: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Display names in every language for the codes that fill a reproduction label."""
    names = {}
    for name, code in codes.items():
        if name == "level":
            variable = codes.get("variable", "programme_type")
            names[name] = translations(f"cohort.level.{variable}.{code}")
        elif name == "variable":
            names[name] = translations(f"cohort.var.{code}")
        else:
            names[name] = translations(f"cohort.{name}.{code}")
    return names


def _row(
    key: str,
    published: str,
    computed: float | None,
    status: str,
    reason: str | None = None,
    **codes: str,
) -> dict:
    return reproduction.row(key, published, computed, status, reason, **_names(codes))


def _fixed_row(key: str, published: str, computed: float, synthetic: bool, **codes: str) -> dict:
    """A value the synthetic data hit by construction (a plain comparison on other data)."""
    if reproduction.within_rounding(computed, published):
        return _row(
            key, published, computed, "exact_by_construction" if synthetic else "matches", **codes
        )
    return _row(key, published, computed, "differs", "cohort.reason.other_data", **codes)


def _outcome_row(
    key: str,
    published: str,
    computed: float | None,
    synthetic: bool,
    tolerance: float | None = None,
    **codes: str,
) -> dict:
    """A value that depends on synthetic outcomes: calibrated, or differs with the reason."""
    if computed is None:
        return _row(key, published, None, "differs", "cohort.reason.not_reached", **codes)
    if not synthetic:
        if reproduction.within_rounding(computed, published):
            return _row(key, published, computed, "matches", **codes)
        return _row(key, published, computed, "differs", "cohort.reason.other_data", **codes)
    if tolerance is not None and abs(computed - float(published)) > tolerance:
        return _row(key, published, computed, "differs", "cohort.reason.outside_tolerance", **codes)
    return _row(key, published, computed, "calibrated", **codes)


def _errata_row(key: str, published: str, computed: float, reason: str, **codes: str) -> dict:
    """A published value that cannot hold with the paper's other numbers: it differs, with the
    paper's inconsistency as the reason, unless these data happen to match it."""
    if reproduction.within_rounding(computed, published):
        return _row(key, published, computed, "matches", **codes)
    return _row(key, published, computed, "differs", reason, **codes)


def _table1_rows(data: pd.DataFrame, synthetic: bool) -> list[dict]:
    pub = published()
    rows = []
    for variable, levels in pub["table1"].items():
        if variable == "n":
            rows.append(_fixed_row("cohort.repro.n", str(levels), len(data), synthetic))
            continue
        column = "age" if variable == "age_group" else variable
        known = int(data[column].notna().sum())
        for level, count in levels.items():
            computed = int((data[variable] == level).sum())
            codes = {"variable": variable, "level": level}
            rows.append(
                _fixed_row("cohort.repro.table1_n", str(count), computed, synthetic, **codes)
            )
            pct = pub["table1_pct"].get(variable, {}).get(level)
            if pct is None:
                continue
            share = 100 * computed / known
            if reproduction.within_rounding(share, pct):
                rows.append(_row("cohort.repro.table1_pct", pct, share, "matches", **codes))
            else:
                reason = (
                    "cohort.reason.symptom_pct"
                    if synthetic and variable in SYMPTOMS
                    else "cohort.reason.other_data"
                )
                rows.append(_row("cohort.repro.table1_pct", pct, share, "differs", reason, **codes))
        if variable in pub["table1_missing"]:
            rows.append(
                _fixed_row(
                    "cohort.repro.table1_missing",
                    str(pub["table1_missing"][variable]),
                    int(data[column].isna().sum()),
                    synthetic,
                    variable=variable,
                )
            )
    ages = data["age"].dropna().astype(float)
    for stat, computed in (("median", ages.median()), ("min", ages.min()), ("max", ages.max())):
        rows.append(
            _fixed_row(f"cohort.repro.age_{stat}", pub["age"][stat], float(computed), synthetic)
        )
    rows.append(
        _fixed_row(
            "cohort.repro.n_programmes",
            pub["n_programmes"],
            int(data["programme_id"].nunique()),
            synthetic,
        )
    )
    return rows


def reproduction_rows(
    data: pd.DataFrame,
    coordinator_medians: Mapping[str, Mapping[str, MedianSummary]],
    cox: Mapping[str, Mapping[str, CoxFits]],
    programmes: Mapping[str, ProgrammeGroup],
    odds_ratio: OddsRatio,
    synthetic: bool,
) -> list[dict]:
    """Every published number beside the computed one, with its status.

    ``data`` is the analysis frame (for the Table 1 facts); ``coordinator_medians`` is
    outcome → coordinator level → median; ``cox`` is outcome → model block → fits.
    """
    pub = published()
    rows = _table1_rows(data, synthetic)
    for item in pub["medians"]:
        outcome, by, level = item["outcome"], item["by"], item["level"]
        if by == "coordinator":
            median = coordinator_medians[outcome][level].spss
        else:
            median = programmes[level].median_days.spss if level in programmes else None
        codes = {"outcome": outcome, "group": f"{by}.{level}"}
        rows.append(
            _outcome_row(
                "cohort.repro.median",
                item["estimate"],
                median and median.estimate,
                synthetic,
                MEDIAN_TOLERANCE * float(item["estimate"]),
                **codes,
            )
        )
        for bound in ("ci_low", "ci_high"):
            rows.append(
                _outcome_row(
                    f"cohort.repro.median_{bound}",
                    item[bound],
                    median and getattr(median, bound),
                    synthetic,
                    **codes,
                )
            )
    for item in pub["cox"]:
        fit = cox[item["outcome"]][item["model"]].efron
        codes = {"outcome": item["outcome"], "model": item["model"]}
        rows.append(
            _outcome_row("cohort.repro.hr", item["hr"], fit.hr, synthetic, HR_TOLERANCE, **codes)
        )
        for name in ("ci_low", "ci_high", "p"):
            if name in item:
                rows.append(
                    _outcome_row(
                        f"cohort.repro.hr_{name}",
                        item[name],
                        getattr(fit, name),
                        synthetic,
                        **codes,
                    )
                )
    for level, rate in pub["rtw360"].items():
        if level in programmes:
            rows.append(
                _outcome_row(
                    "cohort.repro.rtw360",
                    rate,
                    100 * programmes[level].rtw_rate,
                    synthetic,
                    RATE_TOLERANCE,
                    level=level,
                )
            )
    if "treatment" in programmes:
        rows.append(
            _outcome_row(
                "cohort.repro.rtw360_n",
                pub["rtw360_treatment_n"],
                programmes["treatment"].returned,
                synthetic,
                COUNT_TOLERANCE,
                level="treatment",
            )
        )
    for level, share in pub["coordinator_share"].items():
        if level in programmes:
            rows.append(
                _errata_row(
                    "cohort.repro.coordinator_share",
                    share,
                    100 * programmes[level].coordinator_share,
                    "cohort.reason.coordinator_share"
                    if synthetic
                    else "cohort.reason.coordinator_share_paper",
                    level=level,
                )
            )
    odds = pub["odds_ratio"]
    rows.append(_fixed_row("cohort.repro.or", odds["or"], odds_ratio.odds_ratio, synthetic))
    for name in ("ci_low", "ci_high"):
        rows.append(
            _errata_row(
                f"cohort.repro.or_{name}",
                odds[name],
                getattr(odds_ratio, name),
                "cohort.reason.or_ci",
            )
        )
    provider = pub["provider_check"]
    for key in ("median_yes", "median_no", "p"):
        rows.append(
            _row(
                f"cohort.repro.provider_{key}",
                provider[key],
                None,
                "not_reproducible",
                "cohort.reason.provider_item",
            )
        )
    return rows
