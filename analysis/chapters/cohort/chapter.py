"""The cohort chapter's entry point for the build: load, analyse once, the typed results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.chapters.cohort.cox import (
    COX_MODELS,
    PH_MODELS,
    CoxFits,
    PHTest,
    SchoenfeldResiduals,
    covariates,
    cox_block,
)
from analysis.chapters.cohort.data import OUTCOMES, SCHEMAS, CohortData, load, prepare
from analysis.chapters.cohort.descriptives import Table1, table1
from analysis.chapters.cohort.programmes import (
    OddsRatio,
    ProgrammeGroup,
    coordinator_odds_ratio,
    programme_type_summary,
)
from analysis.chapters.cohort.reproduction import published, reproduction_rows
from analysis.chapters.cohort.survival import KMComparison, km_comparison
from analysis.core.study import Study
from analysis.generators.cohort import is_shipped

__all__ = ["SCHEMAS", "CohortResults", "OutcomeResults", "analyse", "load"]

# JSON names of the coordinator groups.
GROUP_NAMES = {"yes": "coordinator", "no": "no_coordinator"}


@dataclass(frozen=True)
class OutcomeResults:
    """One outcome (first or full RTW): curves and medians by coordinator, Cox blocks, PH."""

    by_coordinator: KMComparison
    cox: Mapping[str, CoxFits]
    ph_tests: Mapping[str, PHTest]
    schoenfeld: SchoenfeldResiduals

    def to_json(self) -> dict:
        medians = {GROUP_NAMES[curve.level]: curve.median for curve in self.by_coordinator.curves}
        return {
            "median_days": {name: m.spss.to_json() for name, m in medians.items()},
            "median_days_bc": {name: m.bc.to_json() for name, m in medians.items()},
            "median_days_bc_log": {name: m.bc_log.to_json() for name, m in medians.items()},
            "median_se_spss": {name: m.se_spss for name, m in medians.items()},
            "events": {name: m.events for name, m in medians.items()},
            "logrank": self.by_coordinator.logrank.to_json(),
            "cox_unadjusted": self.cox["cox_unadjusted"].efron.to_json(),
            "cox_unadjusted_breslow": self.cox["cox_unadjusted"].breslow.to_json(),
            "cox_unadjusted_cluster": self.cox["cox_unadjusted"].robust.to_json(with_se=True),
            "cox_without_programme_type": self.cox["cox_without_programme_type"].efron.to_json(),
            "cox_adjusted": self.cox["cox_adjusted"].efron.to_json(),
            "cox_all_engines": {model: fits.to_json() for model, fits in self.cox.items()},
            "ph_test": {model: test.to_json() for model, test in self.ph_tests.items()},
        }


@dataclass(frozen=True)
class CohortResults:
    """Every result the cohort page shows, the study description, and the reproduction rows.

    ``synthetic`` is True when the data are the shipped synthetic file (statuses *exact by
    construction* and *calibrated* apply to it only); ``compared`` when the data were compared
    with the publication they declare (else ``reproduction`` is empty).
    """

    n: int
    n_coordinator: int
    n_programmes: int
    n_without_programme_type: int
    follow_up_days: int
    suppress_below: int
    synthetic: bool
    study: Study
    compared: bool
    adjusted_covariates: tuple[str, ...]
    table1: Table1
    outcomes: Mapping[str, OutcomeResults]
    programme_types: Mapping[str, ProgrammeGroup]
    by_programme_type: KMComparison
    coordinator_odds_ratio: OddsRatio
    reproduction: list[dict]

    def to_json(self) -> dict:
        """The ``results/cohort.json`` contract."""
        return {
            "n": self.n,
            "n_coordinator": self.n_coordinator,
            "n_programmes": self.n_programmes,
            "follow_up_days": self.follow_up_days,
            "outcomes": {name: outcome.to_json() for name, outcome in self.outcomes.items()},
            "programme_type": {
                "groups": {level: group.to_json() for level, group in self.programme_types.items()},
                "logrank_first_rtw": self.by_programme_type.logrank.to_json(),
                "coordinator_odds_ratio": self.coordinator_odds_ratio.to_json(),
            },
            "reproduction": self.reproduction,
            "compared": self.compared,
        }


def _outcome(frame: pd.DataFrame, outcome: str, suppress_below: int) -> OutcomeResults:
    """Curves by coordinator, the Cox blocks, the PH tests and the figure's residuals."""
    blocks = {
        model: cox_block(
            frame, outcome, model, ph=model in PH_MODELS, residuals=model == "cox_unadjusted"
        )
        for model in COX_MODELS
    }
    return OutcomeResults(
        by_coordinator=km_comparison(frame, outcome, "coordinator", suppress_below),
        cox={model: block.fits for model, block in blocks.items()},
        ph_tests={model: blocks[model].ph for model in PH_MODELS},
        schoenfeld=blocks["cox_unadjusted"].schoenfeld,
    )


def analyse(
    data: CohortData, compare: bool = True, follow_up_days: int = 360, suppress_below: int = 5
) -> CohortResults:
    """Every number of the chapter, censored at ``follow_up_days``; counts from 1 to
    ``suppress_below - 1`` are marked hidden (0 turns disclosure control off). Compared with
    the published numbers only when ``compare`` and the study description says the data
    reproduce that publication."""
    frame = prepare(data.frame, follow_up_days)
    outcomes = {outcome: _outcome(frame, outcome, suppress_below) for outcome in OUTCOMES}
    programmes = programme_type_summary(frame, suppress_below)
    odds = coordinator_odds_ratio(frame)
    synthetic = is_shipped(data.frame)
    compared = compare and data.study.reproduces == published()["publication"]
    rows = (
        reproduction_rows(
            frame,
            coordinator_medians={
                outcome: {curve.level: curve.median for curve in result.by_coordinator.curves}
                for outcome, result in outcomes.items()
            },
            cox={outcome: result.cox for outcome, result in outcomes.items()},
            programmes=programmes,
            odds_ratio=odds,
            synthetic=synthetic,
        )
        if compared
        else []
    )
    return CohortResults(
        n=len(frame),
        n_coordinator=int((frame["coordinator"] == "yes").sum()),
        n_programmes=int(frame["programme_id"].nunique()),
        n_without_programme_type=int(frame["programme_type"].isna().sum()),
        follow_up_days=int(follow_up_days),
        suppress_below=suppress_below,
        synthetic=synthetic,
        study=data.study,
        compared=compared,
        adjusted_covariates=tuple(covariates("cox_adjusted", frame)),
        table1=table1(frame, suppress_below),
        outcomes=outcomes,
        programme_types=programmes,
        by_programme_type=km_comparison(frame, "first_rtw", "programme_type", suppress_below),
        coordinator_odds_ratio=odds,
        reproduction=rows,
    )
