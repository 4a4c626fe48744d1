"""Entry point of the meta-analysis chapter for the build: load, analyse once, results JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.chapters.meta import reproduction
from analysis.chapters.meta.data import SCHEMAS, MetaData, load
from analysis.chapters.meta.stats import (
    AnalysisResult,
    pool_analyses,
    rob_counts,
    weak_publications,
)

__all__ = ["SCHEMAS", "MetaResults", "analyse", "load"]


@dataclass(frozen=True)
class MetaResults:
    """Everything the chapter's pages show: the input tables they quote (characteristics,
    GRADE judgements, risk of bias, flow, narrative results), the pooled analyses, the
    risk-of-bias counts and the reproduction rows."""

    data: MetaData
    analyses: Mapping[str, AnalysisResult]
    rob_counts: pd.DataFrame
    weak_publications: int
    reproduction: list[dict]

    def to_json(self) -> dict:
        """The results JSON: the pooled models of every analysis and the reproduction rows."""
        return {
            "analyses": {key: result.contract() for key, result in self.analyses.items()},
            "reproduction": self.reproduction,
        }


def analyse(data: MetaData, compare: bool = True) -> MetaResults:
    """Pool every analysis that has studies, count the risk-of-bias judgements and compare
    with the review."""
    analyses = pool_analyses(data)
    return MetaResults(
        data=data,
        analyses=analyses,
        rob_counts=rob_counts(data.risk_of_bias),
        weak_publications=weak_publications(data.risk_of_bias),
        reproduction=reproduction.rows(data, analyses),
    )
