"""Entry point of the meta-analysis chapter for the build: load, analyse once, results JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.chapters.meta import reproduction
from analysis.chapters.meta.current import CurrentMethods, current_methods
from analysis.chapters.meta.data import SCHEMAS, MetaData, analysis_name, load
from analysis.chapters.meta.stats import (
    AnalysisResult,
    Comparisons,
    comparisons,
    included_publications,
    included_studies,
    pool_analyses,
    rob_counts,
    weak_publications,
)
from analysis.core.problems import Message
from analysis.core.reproduction import rows_to_json
from analysis.core.study import Study

__all__ = ["SCHEMAS", "MetaResults", "analyse", "load"]


@dataclass(frozen=True)
class MetaResults:
    """Everything the chapter's pages show: the input tables they quote (characteristics,
    GRADE judgements, risk of bias, flow, narrative results; None for a file the data leave
    out), the pooled analyses, the counts of included studies, publications and comparisons,
    the risk-of-bias counts and the reproduction rows, empty unless ``compared``: the study
    description says the data reproduce the review and the build compares. ``current`` holds,
    per analysis, the current Cochrane default (REML), leave-one-out and Egger's test beside
    the RevMan 5 models of ``analyses``, which stay the headline."""

    data: MetaData
    analyses: Mapping[str, AnalysisResult]
    n_included: int
    n_publications: int | None
    comparisons: Comparisons
    rob_counts: pd.DataFrame | None
    weak_publications: int | None
    compared: bool
    reproduction: list[dict]
    current: Mapping[str, CurrentMethods]

    @property
    def study(self) -> Study:
        """The study description of the data."""
        return self.data.study

    @property
    def subjects(self) -> dict[str, Message]:
        """The name of each analysis, by the id its reproduction rows give as ``subject``."""
        return {key: analysis_name(self.data.analyses, key) for key in self.analyses}

    def to_json(self) -> dict:
        """The results JSON: the pooled models of every analysis and the reproduction rows."""
        return {
            "analyses": {
                key: result.contract() | {"current": self.current[key].contract()}
                for key, result in self.analyses.items()
            },
            "compared": self.compared,
            "reproduction": rows_to_json(self.reproduction),
        }


def analyse(data: MetaData, compare: bool = True) -> MetaResults:
    """Pool every analysis that has studies, count the risk-of-bias judgements and, when the
    data declare that they reproduce the review and ``compare`` is True, compare with it."""
    analyses = pool_analyses(data)
    subgroups = data.analyses.get("subgroups_en", pd.Series(pd.NA, data.analyses.index))
    subgrouped = set(data.analyses.loc[subgroups.notna(), "analysis_id"])
    compared = compare and data.study.reproduces == reproduction.published()["publication"]
    rob = data.risk_of_bias
    return MetaResults(
        data=data,
        analyses=analyses,
        n_included=included_studies(data),
        n_publications=included_publications(data),
        comparisons=comparisons(data, analyses),
        rob_counts=None if rob is None else rob_counts(rob),
        weak_publications=None if rob is None else weak_publications(rob),
        compared=compared,
        reproduction=reproduction.rows(data, analyses) if compared else [],
        current={
            key: current_methods(result.effects, result.measure, key in subgrouped)
            for key, result in analyses.items()
        },
    )
