"""The review's printed numbers (``published.yaml``) beside the ones computed from ``data/meta``.

Reached only for data whose study description names the review (``publication``) as the
publication they reproduce; the reasons for a difference are about that review.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

from analysis.chapters.meta.data import PUBLISHED, MetaData
from analysis.chapters.meta.stats import AnalysisResult, weak_publications
from analysis.core import reproduction
from analysis.core.yamlfile import read_yaml

PARTS = ("estimate", "low", "high")
NOT_ESTIMABLE = "meta.reason.not_estimable"


@cache
def published() -> dict:
    """The review's printed numbers."""
    return read_yaml(PUBLISHED)


def _about(item: dict, subject: str) -> dict:
    """A reproduction row about ``subject``: an analysis (its id) or a study (its name)."""
    return {**item, "subject": subject}


def _target_row(
    key: str,
    published_value: str,
    computed: float,
    is_reconstructed: bool,
    reason_key: str,
    subject: str,
) -> dict:
    """A row that is ``reconstructed`` rather than ``matches`` when the counts were built to
    agree (not estimable on these data when ``computed`` is NaN)."""
    if math.isnan(computed):
        item = reproduction.row(key, published_value, None, "differs", NOT_ESTIMABLE)
    elif reproduction.within_rounding(computed, published_value):
        status = "reconstructed" if is_reconstructed else "matches"
        item = reproduction.row(key, published_value, computed, status)
    else:
        item = reproduction.row(key, published_value, computed, "differs", reason_key)
    return _about(item, subject)


def _analysis_rows(analysis_id: str, result: AnalysisResult, target: dict) -> list[dict]:
    """Pooled estimate, participants, studies, I² and absolute effects of one analysis."""
    pooled = result.pooled
    rebuilt = bool(result.reconstructed_studies)
    rows = [
        _target_row(key, printed, computed, rebuilt, reason, analysis_id)
        for key, printed, computed, reason in (
            ("meta.q.rr", target["rr"][0], pooled.estimate, "meta.reason.inputs"),
            ("meta.q.ci_low", target["rr"][1], pooled.ci_low, "meta.reason.inputs"),
            ("meta.q.ci_high", target["rr"][2], pooled.ci_high, "meta.reason.inputs"),
            (
                "meta.q.participants",
                target["participants"],
                result.n_participants,
                "meta.reason.inputs",
            ),
            (
                "meta.q.control_risk",
                target["control_risk"],
                result.observed_control_risk,
                "meta.reason.control_risk",
            ),
        )
    ]
    rows.append(
        _about(
            reproduction.compare(
                "meta.q.studies", target["studies"], result.k, "meta.reason.inputs"
            ),
            analysis_id,
        )
    )
    if target["i2_above"] is not None:
        i2 = 100 * pooled.i2
        above = i2 > target["i2_above"]
        status = ("reconstructed" if rebuilt else "matches") if above else "differs"
        reason = NOT_ESTIMABLE if math.isnan(i2) else "meta.reason.i2"
        rows.append(
            _about(
                reproduction.row(
                    "meta.q.i2",
                    f"> {target['i2_above']}",
                    None if math.isnan(i2) else i2,
                    status,
                    None if above else reason,
                    decimals=0,
                ),
                analysis_id,
            )
        )
    absolute = result.absolute
    per_100 = 100 / absolute.per  # the review prints per 100
    for key, printed, computed in zip(
        ("meta.q.risk", "meta.q.risk_low", "meta.q.risk_high"),
        target["risk"],
        (value * per_100 for value in absolute.risk),
        strict=True,
    ):
        if printed is not None:
            rows.append(
                _target_row(key, printed, computed, rebuilt, "meta.reason.risk", analysis_id)
            )
    for key, printed, computed in zip(
        ("meta.q.difference", "meta.q.difference_low", "meta.q.difference_high"),
        target["difference"],
        (value * per_100 for value in absolute.difference),
        strict=True,
    ):
        rows.append(
            _target_row(key, printed, computed, rebuilt, "meta.reason.absolute", analysis_id)
        )
    return rows


def _study_rows(analyses: Mapping[str, AnalysisResult], target: dict) -> list[dict]:
    """A single study's printed risk ratio and CI, if the study is in the data."""
    result = analyses.get(target["analysis_id"])
    if result is None:
        return []
    match = result.effects[result.effects["study"] == target["study"]]
    if match.empty:
        return []
    first = match.iloc[0]
    return [
        _target_row(key, printed, computed, False, "meta.reason.inputs", target["study"])
        for key, printed, computed in zip(
            ("meta.q.rr", "meta.q.ci_low", "meta.q.ci_high"),
            target["rr"],
            (first["effect"], first["effect_low"], first["effect_high"]),
            strict=True,
        )
    ]


def _flow_rows(data: MetaData) -> list[dict]:
    """The flow diagram, the participants of the included studies and the risk-of-bias count,
    as far as the data hold the files they come from."""
    printed = published()["flow"]
    rows = []
    if data.prisma is not None:
        flow = data.prisma.astype(int)
        screened = flow["records_database"] + flow["records_other"]
        fulltext = screened - flow["excluded_screening"]
        rows += [
            reproduction.compare("meta.q.flow_screened", printed["records_screened"], screened),
            reproduction.compare("meta.q.flow_fulltext", printed["fulltext_assessed"], fulltext),
            reproduction.compare(
                "meta.q.flow_fulltext_summary",
                printed["fulltext_in_summary"],
                fulltext,
                "meta.reason.fulltext",
            ),
            reproduction.compare(
                "meta.q.flow_included", printed["included"], fulltext - flow["excluded_fulltext"]
            ),
        ]
    if data.characteristics is not None:
        rows.append(
            reproduction.compare(
                "meta.q.participants_total",
                printed["participants"],
                int(data.characteristics["n_participants"].sum()),
                "meta.reason.participants",
            )
        )
    if data.risk_of_bias is not None:
        rows.append(
            reproduction.compare(
                "meta.q.rob_weak",
                printed["rob_weak_publications"],
                weak_publications(data.risk_of_bias),
            )
        )
    return rows


def rows(data: MetaData, analyses: Mapping[str, AnalysisResult]) -> list[dict]:
    """Published numbers beside the computed ones, for every analysis present in the data
    (only for data that declare they reproduce the review)."""
    targets = published()
    out = [
        row
        for analysis_id, target in targets["analyses"].items()
        if analysis_id in analyses
        for row in _analysis_rows(analysis_id, analyses[analysis_id], target)
    ]
    for target in targets["study_rr"]:
        out += _study_rows(analyses, target)
    return out + _flow_rows(data)
