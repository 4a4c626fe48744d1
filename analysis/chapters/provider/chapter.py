"""The provider chapter as the build runs it: load, analyse once, results JSON."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.chapters.provider import reproduction, stats
from analysis.chapters.provider.data import SCHEMAS, load

__all__ = ["SCHEMAS", "ProviderResults", "analyse", "load"]


@dataclass(frozen=True)
class ProviderResults:
    """Everything the provider page shows.

    ``sections``: Table 1 counts by finance (:func:`stats.section_counts`); ``coordinator``:
    share with a permanent coordinator per finance group (:func:`stats.coordinator_by_finance`);
    ``tests``: the six 2×2 tables (:func:`stats.table_statistics`); the reproduction rows of
    the statistics and of the counts (:mod:`reproduction`).
    """

    n_programmes: int
    sections: dict[str, pd.DataFrame]
    coordinator: pd.DataFrame
    tests: dict[str, stats.TableTest]
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
            "reproduction": self.reproduction,
        }


def analyse(programmes: pd.DataFrame) -> ProviderResults:
    """Every number of the chapter from the validated ``providers.csv``."""
    sections = {section: stats.section_counts(programmes, section) for section in stats.SECTIONS}
    coordinator = stats.coordinator_by_finance(programmes)
    tests = {
        name: stats.table_statistics(stats.two_by_two(programmes, name)) for name in stats.EXPOSURES
    }
    return ProviderResults(
        n_programmes=len(programmes),
        sections=sections,
        coordinator=coordinator,
        tests=tests,
        statistic_rows=reproduction.statistic_rows(sections, tests),
        count_rows=reproduction.count_rows(sections, coordinator, tests),
    )
