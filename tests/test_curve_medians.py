"""Medians read off a Kaplan–Meier curve come from the published (coarsened) curve: a median or
a Brookmeyer–Crowley limit shown is a day the published curve has a point at, and the median is
where that curve first reaches one half; a value the published curve does not give is withheld
(null, listed in the disclosure report), never the day inside a pooled step. Checked on the
shipped cohort at thresholds 5, 10 and 20 and on a small group whose median lies in the last
run of fewer than ``threshold`` exits, which the published curve leaves out."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.chapters.cohort import survival
from analysis.chapters.cohort.chapter import analyse
from analysis.chapters.cohort.data import load
from analysis.core.results import to_plain
from tests.helpers import SHIPPED_DATA, THRESHOLDS


def first_half(curve: survival.KMCurve) -> float | None:
    """The first published day at which the drawn curve (1 − S) reaches one half."""
    reached = [t for t, c in zip(curve.times, curve.cumulative, strict=True) if c >= 0.5 - 1e-12]
    return float(reached[0]) if reached else None


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_shown_medians_are_read_off_the_published_curve(threshold: int) -> None:
    results = analyse(load(SHIPPED_DATA), suppress_below=threshold)
    payload = json.loads(json.dumps(to_plain(results.to_json())))
    suppressed = payload["disclosure"]["suppressed"]
    comparisons = [o.by_coordinator for o in results.outcomes.values()]
    checked = withheld = 0
    for comparison in (*comparisons, results.by_programme_type):
        for curve in comparison.curves:
            median = curve.median
            if median.estimate is not None:
                assert median.estimate == first_half(curve), (comparison.outcome, curve.level)
                checked += 1
            else:
                withheld += median.estimate_withheld
                assert median.estimate_withheld or first_half(curve) is None
            for interval in (median.bc, median.bc_log):
                for limit in (interval.ci_low, interval.ci_high):
                    assert limit is None or limit in set(curve.times[1:]), curve.level
    for name, outcome in payload["outcomes"].items():
        for key in ("median_days", "median_days_bc", "median_days_bc_log"):
            for group, values in outcome[key].items():
                if values is None:
                    continue
                for value, shown in values.items():
                    path = f"outcomes.{name}.{key}.{group}.{value}"
                    if shown is None and path in suppressed:
                        assert suppressed[path] in ("survival_curve", "count")
    assert checked + withheld > 0
    if threshold == 5:  # the shipped cohort: what the published curve does not give is withheld
        assert payload["outcomes"]["first_rtw"]["median_days"]["coordinator"]["estimate"] is None
        key = "outcomes.first_rtw.median_days.coordinator.estimate"
        assert suppressed[key] == "survival_curve"
        assert payload["programme_type"]["groups"]["treatment"]["median_days"]["estimate"] == 56


def test_a_median_in_the_unpublished_tail_is_withheld_not_unreached() -> None:
    # 9 persons: 4 return, 1 is censored (S = 5/9 after five exits, a published step), then
    # the last 4 return: with threshold 5 that run is not published, and the median is in it.
    days = pd.Series([10, 20, 30, 40, 45, 50, 51, 52, 53])
    events = pd.Series([1, 1, 1, 1, 0, 1, 1, 1, 1])
    curve = survival.km_curve(days, events, "all", suppress_below=5)
    open_summary = survival.median_summary(days, events)
    assert open_summary.estimate == 50 and list(curve.times) == [0, 45]
    assert curve.median.estimate is None and curve.median.estimate_withheld
    assert survival.median_summary(days, events, 0) == open_summary
