"""Medians under output checking are read off the published (coarsened) curve: the median shown
is the first published day at which that curve reaches one half, marked ``coarsened_curve``,
and its intervals and SE are withheld (they need numbers at risk inside pooled steps). Checked
on the shipped cohort at thresholds 5, 10 and 20, on a small group whose median lies in the
last run of fewer than ``threshold`` exits (which the published curve leaves out), and by an
attacker who holds the published curve: the median tells them nothing the curve does not."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.chapters.cohort import survival
from analysis.core.results import to_plain
from tests.helpers import THRESHOLDS, Shipped


def first_half(times: np.ndarray, cumulative: np.ndarray) -> float | None:
    """The first published day at which a drawn curve (1 − S) reaches one half."""
    reached = [t for t, c in zip(times, cumulative, strict=True) if c >= 0.5 - 1e-12]
    return float(reached[0]) if reached else None


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_shown_medians_are_read_off_the_published_curve(shipped: Shipped, threshold: int) -> None:
    results = shipped.results("cohort", suppress_below=threshold)
    payload = json.loads(json.dumps(to_plain(results.to_json())))
    suppressed = payload["disclosure"]["suppressed"]
    comparisons = [o.by_coordinator for o in results.outcomes.values()]
    shown = 0
    for comparison in (*comparisons, results.subgroups["programme_type"].comparison):
        for curve in comparison.curves:
            median = curve.median
            assert median.coarsened
            assert median.estimate == first_half(curve.times, curve.cumulative), curve.level
            assert median.estimate_withheld == (median.estimate is None)
            shown += median.estimate is not None
            for interval in (median.spss, median.bc, median.bc_log):
                assert (interval.ci_low, interval.ci_high) == (None, None)
                assert {"ci_low", "ci_high"} <= set(interval.withheld)
            assert median.se_spss is None
    assert shown > 0
    for name, outcome in payload["outcomes"].items():
        for key in ("median_days", "median_days_bc", "median_days_bc_log"):
            for group, values in outcome[key].items():
                if values is None:
                    continue
                assert values["coarsened_curve"] is True
                for limit in ("ci_low", "ci_high"):
                    path = f"outcomes.{name}.{key}.{group}.{limit}"
                    assert suppressed[path] in ("survival_curve", "count"), path
    if threshold == 5:  # the shipped cohort shows every median the paper published but one
        medians = payload["outcomes"]["first_rtw"]["median_days"]
        assert medians["coordinator"]["estimate"] is not None
        assert medians["no_coordinator"]["estimate"] is not None
        rows = [
            row
            for row in payload["reproduction"]
            if row["quantity"]["key"] == "cohort.repro.median" and row.get("coarsened_curve")
        ]
        assert len(rows) == 6 and all(row["computed"] is not None for row in rows)
        assert all(row["reason"]["key"] == "cohort.reason.coarsened_median" for row in rows)


def test_without_control_the_median_and_its_intervals_are_the_raw_ones() -> None:
    days = pd.Series([10, 20, 30, 40, 45, 50, 51, 52, 53])
    events = pd.Series([1, 1, 1, 1, 0, 1, 1, 1, 1])
    summary = survival.median_summary(days, events)
    assert summary.estimate == 50 and not summary.coarsened
    assert summary.bc.ci_low is not None and summary.se_spss is not None
    assert summary.to_json()["coarsened_curve"] is False


def test_a_median_in_the_unpublished_tail_is_withheld_not_unreached() -> None:
    # 9 persons: 4 return, 1 is censored (S = 5/9 after five exits, a published step), then
    # the last 4 return: with threshold 5 that run is not published, and the median is in it.
    days = pd.Series([10, 20, 30, 40, 45, 50, 51, 52, 53])
    events = pd.Series([1, 1, 1, 1, 0, 1, 1, 1, 1])
    curve = survival.km_curve(days, events, "all", suppress_below=5)
    assert list(curve.times) == [0, 45]
    assert curve.median.estimate is None and curve.median.estimate_withheld


def _cohort(rng: np.random.Generator, size: int) -> tuple[pd.Series, pd.Series]:
    """A small group: return days (many ties) and about one in four censored."""
    days = pd.Series(rng.integers(1, 120, size))
    return days, pd.Series((rng.random(size) > 0.25).astype(int))


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_the_median_is_a_function_of_the_published_curve(threshold: int) -> None:
    """Attacker: holds the published curve (its points, as drawn) and the median shown. On
    random small groups the median is always the day the attacker reads off the drawn points
    alone, so it adds nothing to them; and it is often not the raw median (the day inside a
    pooled step stays hidden)."""
    rng = np.random.default_rng(threshold)
    differs = 0
    for _ in range(100):
        size = int(rng.integers(threshold, 4 * threshold))
        days = pd.Series(rng.integers(1, 120, size))
        events = pd.Series((rng.random(size) > 0.25).astype(int))
        curve = survival.km_curve(days, events, "g", suppress_below=threshold)
        assert curve.median.estimate == first_half(curve.times, curve.cumulative)
        differs += curve.median.estimate != survival.median_summary(days, events).estimate
    assert differs > 0


def test_two_groups_with_one_published_curve_show_one_median() -> None:
    # Threshold 5: both groups publish one point, day 45 at S = 0.5 (three returns and two
    # censorings pooled); the last return (day 100) is in the unpublished tail. Their raw
    # medians differ (day 30 and day 7); the median shown is the same, day 45, so it tells an
    # attacker holding the curve nothing about which days the returns were on.
    events = pd.Series([1, 1, 1, 0, 0, 1])
    groups = (pd.Series([10, 20, 30, 40, 45, 100]), pd.Series([5, 6, 7, 40, 45, 100]))
    curves = [survival.km_curve(days, events, "g", suppress_below=5) for days in groups]
    for curve in curves:
        assert list(curve.times) == [0, 45] and list(curve.cumulative) == [0, 0.5]
    assert [survival.median_summary(days, events).estimate for days in groups] == [30, 7]
    assert [curve.median.estimate for curve in curves] == [45, 45]
    assert all(curve.median.coarsened for curve in curves)
