"""The provider chapter as the build runs it: load, analyse once, results JSON."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.chapters.provider import regression, reproduction, stats
from analysis.chapters.provider.data import SCHEMAS, PlanKeys, ProviderData, load
from analysis.core.reproduction import rows_to_json
from analysis.core.settings import SUPPRESS_BELOW
from analysis.core.study import Study

__all__ = ["SCHEMAS", "ProviderResults", "analyse", "load"]


@dataclass(frozen=True)
class ProviderResults:
    """Everything the provider page shows, as the analysis ``plan`` declares it.

    ``sections``: the plan's cross-tables, counts by group (:func:`stats.cross_table`);
    ``shares``: share answering yes to the outcome per group (:func:`stats.outcome_by_group`);
    ``tests``: the 2×2 table of each exposure (:func:`stats.table_statistics`); ``regression``:
    the logistic regression the study description declares
    (:func:`regression.logistic_regression`, None when it declares none); the reproduction rows
    of the statistics and of the counts (:mod:`reproduction`), empty unless ``compared``: the
    study description says the data reproduce the thesis and the build compares.
    """

    study: Study
    plan: PlanKeys
    compared: bool
    n_programmes: int
    sections: dict[str, pd.DataFrame]
    shares: pd.DataFrame
    tests: dict[str, stats.TableTest]
    regression: regression.LogisticModel | None
    statistic_rows: list[dict]
    count_rows: list[dict]

    @property
    def reproduction(self) -> list[dict]:
        """Every reproduction row of the chapter."""
        return self.statistic_rows + self.count_rows

    def to_json(self) -> dict:
        """The ``provider.json`` payload."""
        return {
            "n_programmes": self.n_programmes,
            "tables": {name: test.to_json() for name, test in self.tests.items()},
            "logistic_regression": self.regression and self.regression.to_json(),
            "compared": self.compared,
            "reproduction": rows_to_json(self.reproduction),
        }


def analyse(
    data: ProviderData, compare: bool = True, min_cell: int = SUPPRESS_BELOW
) -> ProviderResults:
    """Every number of the chapter from the validated ``providers.csv``; the comparison with
    the thesis when the data declare that they reproduce it and ``compare`` is True. The
    declared logistic regression is fitted only when every cell of an item's level by the
    outcome, and the residual degrees of freedom, reach ``min_cell`` (0 turns it off)."""
    programmes, study = data.frame, data.study
    compared = compare and study.reproduces == reproduction.published()["publication"]
    # Counts of data built from the published tables match "by construction".
    match_status = "matches" if study.observed else "exact_by_construction"
    plan = data.plan
    sections = {
        table: stats.cross_table(programmes, plan, table) for table in plan.cross_tables or {}
    }
    shares = stats.outcome_by_group(programmes, plan)
    answers = stats.outcome(programmes, plan)
    tests = {
        name: stats.table_statistics(
            stats.two_by_two(stats.exposure(programmes, plan, name), answers)
        )
        for name in plan.odds_ratios or {}
    }
    declared = data.regression
    model = declared and regression.logistic_regression(
        programmes, declared.outcome, declared.event, declared.items, min_cell
    )
    return ProviderResults(
        study=study,
        plan=plan,
        compared=compared,
        n_programmes=len(programmes),
        sections=sections,
        shares=shares,
        tests=tests,
        regression=model,
        statistic_rows=reproduction.statistic_rows(sections, tests) if compared else [],
        count_rows=(
            reproduction.count_rows(sections, shares, tests, match_status) if compared else []
        ),
    )
