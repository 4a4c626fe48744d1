"""Every published number of the cohort paper (``published.yaml``) beside the computed one.

On the generator's synthetic data (``synthetic``: the study description says so), Table 1
values hold by construction and values that depend on the synthetic times are *calibrated*
(within the tolerances below, else they differ); on any other data every value is simply
compared with the published one.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np
import pandas as pd

from analysis.chapters.cohort.collapsed import persons, weights_of
from analysis.chapters.cohort.cox import CoxFits
from analysis.chapters.cohort.data import PUBLISHED, SYMPTOMS
from analysis.chapters.cohort.descriptives import GROUP_NAMES, MISSING, Table1, json_path
from analysis.chapters.cohort.programmes import OddsRatio, ProgrammeGroup
from analysis.chapters.cohort.survival import MedianSummary
from analysis.core import reproduction
from analysis.core.output_checks import EXTREME, SURVIVAL_CURVE, extreme
from analysis.core.problems import Message
from analysis.core.yamlfile import read_yaml

# Calibration tolerances of the synthetic cohort: medians ±10 %, HRs ±0.05, rates ±5 points,
# the treatment programmes' RTW count ±4.
MEDIAN_TOLERANCE = 0.10
HR_TOLERANCE = 0.05
RATE_TOLERANCE = 5.0
COUNT_TOLERANCE = 4.0


@cache
def published() -> dict:
    """The published numbers of the cohort paper."""
    return read_yaml(PUBLISHED)


def _names(codes: Mapping[str, str]) -> dict[str, Message]:
    """The labels of the codes that fill a reproduction label."""
    names = {}
    for name, code in codes.items():
        if name == "level":
            variable = codes.get("variable", "programme_type")
            names[name] = Message(f"cohort.level.{variable}.{code}")
        elif name == "variable":
            names[name] = Message(f"cohort.var.{code}")
        else:
            names[name] = Message(f"cohort.{name}.{code}")
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


def _withheld(key: str, published: str, source: str, threshold: int, **codes: str) -> dict:
    """A row whose computed value disclosure control hides: null, marked ``suppressed``, with
    ``source``, the path of the hidden value in ``cohort.json``."""
    row = _row(key, published, None, "withheld", None, **codes)
    row["reason"] = Message("cohort.reason.suppressed", threshold=threshold)
    return {**row, "suppressed": True, "source": source}


def _extreme_withheld(key: str, published: str) -> dict:
    """A row whose computed value is one person's (a minimum or maximum): withheld by output
    checking, with no value in ``cohort.json`` behind it."""
    row = _row(key, published, None, "withheld", "cohort.reason.extreme")
    return {**row, "suppressed": True, "source": None, "rule": EXTREME}


def _curve_withheld(key: str, published: str, threshold: int, **codes: str) -> dict:
    """A row whose computed value output checking withholds: a day (or a limit) the published
    survival curve, whose steps pool at least ``threshold`` persons, does not give."""
    row = _row(key, published, None, "withheld", None, **codes)
    row["reason"] = Message("cohort.reason.curve_step", threshold=threshold)
    return {**row, "suppressed": True, "source": None, "rule": SURVIVAL_CURVE}


def _coarsened(row: dict, threshold: int) -> dict:
    """A median read off the published, coarsened curve (its reason says so unless the row
    differs for a reason of its own), marked ``coarsened_curve``."""
    if row["reason"] is None:
        row["reason"] = Message("cohort.reason.coarsened_median", threshold=threshold)
    return {**row, "coarsened_curve": True}


def median(values: np.ndarray, weights: np.ndarray) -> float:
    """The median of ``values`` counted ``weights`` times each (as pandas' of the values
    repeated: the mean of the two middle ones of an even count)."""
    order = np.argsort(values, kind="stable")
    ordered, cumulative = values[order], np.cumsum(weights[order])
    n = int(cumulative[-1])

    def at(position: int) -> float:
        return float(ordered[np.searchsorted(cumulative, position, side="right")])

    return (at((n - 1) // 2) + at(n // 2)) / 2


def _age_rows(aged: pd.DataFrame, threshold: int, synthetic: bool) -> list[dict]:
    """The median age, and the youngest and oldest as output checking lets them be shown."""
    pub = published()
    ages, weight = aged["age"].to_numpy(float), weights_of(aged)
    rows = [
        _fixed_row("cohort.repro.age_median", pub["age"]["median"], median(ages, weight), synthetic)
    ]
    for stat, computed in (("min", ages.min()), ("max", ages.max())):
        key, shown = f"cohort.repro.age_{stat}", extreme(float(computed), threshold)
        rows.append(
            _extreme_withheld(key, pub["age"][stat])
            if shown is None
            else _fixed_row(key, pub["age"][stat], shown, synthetic)
        )
    return rows


def _table1_rows(data: pd.DataFrame, table1: Table1, synthetic: bool) -> list[dict]:
    """Table 1 as published beside Table 1 as shown here (hidden counts withheld, and shares
    of those with a known value where the number missing is hidden)."""
    pub = published()
    threshold = table1.suppress_below
    rows = []
    for variable, levels in pub["table1"].items():
        if variable == "n":
            rows.append(_fixed_row("cohort.repro.n", str(levels), persons(data), synthetic))
            continue
        present = variable in table1.blocks
        known = table1.known(variable, "total") if present else 0
        missing_path = json_path("table1", variable, MISSING, None)
        for level, count in levels.items():
            codes = {"variable": variable, "level": level}
            if variable == "coordinator":  # the column sizes of Table 1
                computed, path, known = table1.size(level), "n_coordinator", persons(data)
            else:
                computed = table1.value(variable, level, "total") if present else 0
                path = json_path("table1", variable, level, None)
            if computed is None:
                rows.append(
                    _withheld("cohort.repro.table1_n", str(count), path, threshold, **codes)
                )
            else:
                rows.append(
                    _fixed_row("cohort.repro.table1_n", str(count), computed, synthetic, **codes)
                )
            pct = pub["table1_pct"].get(variable, {}).get(level)
            if pct is None:
                continue
            if computed is None or known is None:
                source = path if computed is None else missing_path
                rows.append(_withheld("cohort.repro.table1_pct", pct, source, threshold, **codes))
                continue
            if not known:
                reason = "cohort.reason.other_data"
                rows.append(_row("cohort.repro.table1_pct", pct, None, "differs", reason, **codes))
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
            published_missing = str(pub["table1_missing"][variable])
            shown = (
                table1.value(variable, MISSING, "total")
                if present and MISSING in table1.levels(variable)
                else 0
            )
            if shown is None:
                rows.append(
                    _withheld(
                        "cohort.repro.table1_missing",
                        published_missing,
                        missing_path,
                        threshold,
                        variable=variable,
                    )
                )
            else:
                rows.append(
                    _fixed_row(
                        "cohort.repro.table1_missing",
                        published_missing,
                        shown,
                        synthetic,
                        variable=variable,
                    )
                )
    if "age" in data:  # a register extract's cohort has its age bands only
        rows += _age_rows(data[data["age"].notna()], threshold, synthetic)
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
    table1: Table1,
    programmes: Mapping[str, ProgrammeGroup],
    odds_ratio: OddsRatio,
    synthetic: bool,
) -> list[dict]:
    """Every published number beside the computed one, with its status; a computed value
    that disclosure control hides is withheld.

    ``data`` is the analysis frame (for the age and the programmes); ``coordinator_medians``
    is outcome → coordinator level → median (withheld groups absent); ``cox`` is outcome →
    model block → fits; ``table1`` and ``programmes`` are as shown. On ``synthetic`` data
    a withheld row's published value is withheld too
    (:func:`analysis.core.reproduction.unpaired`).
    """
    pub = published()
    threshold = table1.suppress_below
    rows = _table1_rows(data, table1, synthetic)
    group_path = "programme_type.groups.{}.{}".format
    for item in pub["medians"]:
        outcome, by, level = item["outcome"], item["by"], item["level"]
        codes = {"outcome": outcome, "group": f"{by}.{level}"}
        if by == "coordinator":
            summary = coordinator_medians[outcome].get(level)
            source = f"outcomes.{outcome}.median_days.{GROUP_NAMES[level]}"
            withheld = summary is None
        else:
            group = programmes.get(level)
            summary = group and group.median_days
            source = group_path(level, "median_days")
            withheld = group is not None and group.withheld
        if withheld:
            for key, value in (
                ("median", item["estimate"]),
                ("median_ci_low", item["ci_low"]),
                ("median_ci_high", item["ci_high"]),
            ):
                rows.append(_withheld(f"cohort.repro.{key}", value, source, threshold, **codes))
            continue
        median = summary and summary.spss
        for name, key, tolerance in (
            ("estimate", "median", MEDIAN_TOLERANCE * float(item["estimate"])),
            ("ci_low", "median_ci_low", None),
            ("ci_high", "median_ci_high", None),
        ):
            if median and name in median.withheld:  # not given by the published curve
                rows.append(_curve_withheld(f"cohort.repro.{key}", item[name], threshold, **codes))
                continue
            row = _outcome_row(
                f"cohort.repro.{key}",
                item[name],
                median and getattr(median, name),
                synthetic,
                tolerance,
                **codes,
            )
            rows.append(_coarsened(row, threshold) if median and median.coarsened else row)
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
        if level not in programmes:
            continue
        if programmes[level].rtw_rate is None:
            source = group_path(level, "rtw_rate")
            rows.append(_withheld("cohort.repro.rtw360", rate, source, threshold, level=level))
            continue
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
        returned, published_n = programmes["treatment"].returned, pub["rtw360_treatment_n"]
        rows.append(
            _withheld(
                "cohort.repro.rtw360_n",
                published_n,
                group_path("treatment", "returned"),
                threshold,
                level="treatment",
            )
            if returned is None
            else _outcome_row(
                "cohort.repro.rtw360_n",
                published_n,
                returned,
                synthetic,
                COUNT_TOLERANCE,
                level="treatment",
            )
        )
    for level, share in pub["coordinator_share"].items():
        if level not in programmes:
            continue
        computed = programmes[level].coordinator_share
        if computed is None:
            source = group_path(level, "coordinator_share")
            rows.append(
                _withheld("cohort.repro.coordinator_share", share, source, threshold, level=level)
            )
            continue
        rows.append(
            _errata_row(
                "cohort.repro.coordinator_share",
                share,
                100 * computed,
                "cohort.reason.coordinator_share"
                if synthetic
                else "cohort.reason.coordinator_share_paper",
                level=level,
            )
        )
    odds = pub["odds_ratio"]
    if odds_ratio.withheld:
        source = "programme_type.coordinator_odds_ratio"
        rows.append(_withheld("cohort.repro.or", odds["or"], f"{source}.or", threshold))
        rows += [
            _withheld(f"cohort.repro.or_{name}", odds[name], f"{source}.{name}", threshold)
            for name in ("ci_low", "ci_high")
        ]
    elif odds_ratio.odds_ratio is None:  # not estimable on these data (one group, a zero cell)
        rows += [
            _row(
                f"cohort.repro.{key}",
                odds[name],
                None,
                "differs",
                "cohort.reason.not_estimable",
                ne_reason=odds_ratio.reason,
            )
            for key, name in (("or", "or"), ("or_ci_low", "ci_low"), ("or_ci_high", "ci_high"))
        ]
    else:
        rows.append(_fixed_row("cohort.repro.or", odds["or"], odds_ratio.odds_ratio, synthetic))
        rows += [
            _errata_row(
                f"cohort.repro.or_{name}",
                odds[name],
                getattr(odds_ratio, name),
                "cohort.reason.or_ci",
            )
            for name in ("ci_low", "ci_high")
        ]
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
    return [
        reproduction.unpaired(row) if synthetic and row.get("suppressed") else row for row in rows
    ]
