"""Output checking attacked: what the cohort chapter publishes beyond its count tables (the
Schoenfeld figure, Kaplan–Meier curves and numbers at risk, extremes, models and the odds ratio)
at thresholds 5, 10 and 20, on the shipped data and on small crafted cohorts; each attack
derives what it may not learn from the underlying data and checks the published output."""

from __future__ import annotations

import functools
import itertools
import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection

from analysis.chapters.cohort import figures
from analysis.chapters.cohort.chapter import CohortResults, analyse
from analysis.chapters.cohort.data import OUTCOMES, CohortData, load, prepare
from analysis.chapters.cohort.scale import resample
from analysis.chapters.cohort.survival import km_comparison
from analysis.core.display import COLUMN_WIDTH
from analysis.core.inference import Z95
from analysis.core.output_checks import (
    EXTREME,
    FEW_DF,
    at_risk_published,
    extreme,
    point_bins,
    published_steps,
    risk_table_published,
    statistic_withheld,
)
from analysis.core.results import to_plain
from tests.helpers import SHIPPED_DATA, THRESHOLDS, Shipped, cohort_page_text

SHIPPED = pd.read_csv(SHIPPED_DATA / "cohort.csv", dtype=str, keep_default_na=False)


def _folder(frame: pd.DataFrame, folder: Path) -> Path:
    frame.to_csv(folder / "cohort.csv", index=False)
    shutil.copy(SHIPPED_DATA / "cohort.study.yaml", folder)
    return folder


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A resampled cohort of 60 employees: few events per group, small steps everywhere."""
    return _folder(resample(SHIPPED, 60, seed=3), tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def fifteen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped cohort with only 15 employees with a coordinator."""
    frame = SHIPPED.copy()
    coordinated = frame.index[frame["coordinator"] == "yes"]
    frame = frame.drop(coordinated[15:])
    return _folder(frame, tmp_path_factory.mktemp("fifteen"))


@pytest.fixture(scope="module")
def loaded(shipped: Shipped) -> Callable[[Path], CohortData]:
    """``loaded(data)``: the cohort of a data folder, loaded once per module (the shipped data
    once per session); the tests only read it."""
    return functools.cache(
        lambda data: shipped.data("cohort") if data == SHIPPED_DATA else load(data)
    )


@pytest.fixture(scope="module")
def prepared(loaded: Callable[[Path], CohortData]) -> Callable[[Path], pd.DataFrame]:
    """``prepared(data)``: the analysis frame of a data folder, made once per module."""
    return functools.cache(lambda data: prepare(loaded(data).frame))


@pytest.fixture(scope="module")
def analysed(
    shipped: Shipped, loaded: Callable[[Path], CohortData]
) -> Callable[[Path, int], CohortResults]:
    """``analysed(data, threshold)``: the cohort ``analyse()`` of a data folder at a threshold,
    made once per module (of the shipped data once per session); the tests only read it."""
    made: dict[tuple[Path, int], CohortResults] = {}

    def results(data: Path, threshold: int) -> CohortResults:
        if data == SHIPPED_DATA:
            return shipped.results("cohort", suppress_below=threshold)
        if (data, threshold) not in made:
            made[data, threshold] = analyse(loaded(data), suppress_below=threshold)
        return made[data, threshold]

    return results


def _cohorts(small: Path) -> list[Path]:
    return [SHIPPED_DATA, small]


def _payload(results: CohortResults) -> dict:
    return json.loads(json.dumps(to_plain(results.to_json())))


# --- the rules -----------------------------------------------------------------------------------


def test_point_bins_hold_at_least_threshold_points():
    bins = point_bins(23, 5, 40)
    assert len(bins) == 4 and min(map(len, bins)) >= 5
    assert np.concatenate(bins).tolist() == list(range(23))
    assert point_bins(4, 5, 40) == []
    assert len(point_bins(3, 0, 40)) == 3  # control off: one point each


def test_published_steps_pool_leavers_and_drop_the_short_tail():
    events, censored = [1, 1, 0, 2, 1, 1], [0, 1, 2, 0, 0, 1]
    assert published_steps(events, censored, 3).tolist() == [1, 3, 5]
    assert published_steps(events, censored, 4).tolist() == [2, 5]
    assert published_steps(events, censored, 0).tolist() == [0, 1, 3, 4, 5]
    assert published_steps([0, 0, 1], [4, 1, 0], 5).tolist() == [2]  # needs an event


def test_numbers_at_risk_never_differ_by_a_small_count():
    assert at_risk_published([50, 48, 40, 38, 3, 0], 5) == [True, False, True, False, False, True]
    assert at_risk_published([50, 48], 0) == [True, True]


def test_risk_table_columns_are_shown_whole_or_not_at_all():
    # 40 persons; at t = 1, 2, 3: at risk (time >= t), events and censored (time <= t)
    at_risk, events, censored = [40, 30, 22, 10], [0, 10, 12, 30], [0, 0, 6, 6]
    # t = 2: 2 more events than at t = 1 (too few); t = 3: 10 + 30 + 0 - 40 = 0 leave at t
    assert risk_table_published(40, at_risk, events, [0, 0, 0, 0], 5) == [True, True, False, True]
    # t = 2: 22 + 12 + 6 - 40 = 0, but 6 censored are 6 away from 0 while events moved by 2
    assert risk_table_published(40, at_risk, events, censored, 5) == [True, True, False, True]
    # t = 1: 30 + 10 + 0 - 40 = 0; with 3 persons leaving at exactly t = 1 it is hidden
    assert risk_table_published(40, [40, 30], [0, 13], [0, 0], 5) == [True, False]
    assert risk_table_published(40, [40, 30], [0, 13], [0, 0], 0) == [True, True]


def test_extremes_and_statistics():
    assert extreme(21.0, 5) is None and extreme(21.0, 0) == 21.0
    assert statistic_withheld((15, 300), 20) == "small_group"
    assert statistic_withheld((30, 30), 20, n=60, parameters=45) == FEW_DF
    assert statistic_withheld((30, 30), 20, n=60, parameters=3) is None
    assert statistic_withheld((1, 1), 0, n=2, parameters=2) is None


# --- 1. no point per person ---------------------------------------------------------------------


def _events(frame: pd.DataFrame, outcome: str) -> np.ndarray:
    return np.sort(frame.loc[frame[outcome] == 1, f"days_to_{outcome}"].to_numpy(float))


@pytest.mark.slow  # draws the figure and reads its points
@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_schoenfeld_figure_has_no_point_per_person(
    threshold: int,
    small: Path,
    analysed: Callable[[Path, int], CohortResults],
    prepared: Callable[[Path], pd.DataFrame],
) -> None:
    for data in _cohorts(small):
        results = analysed(data, threshold)
        figure = figures.schoenfeld_figure(results, "en", COLUMN_WIDTH)
        for ax, outcome in zip(figure.axes, OUTCOMES, strict=True):
            events = _events(prepared(data), outcome)
            residuals = results.outcomes[outcome].schoenfeld
            assert not [c for c in ax.collections if isinstance(c, PathCollection)]
            marked = [line for line in ax.lines if line.get_marker() not in ("None", None, "")]
            points = sum(len(line.get_xdata()) for line in marked)
            assert points <= len(events) // threshold, (outcome, points, len(events))
            # Each bin's time is the mean of a run of at least `threshold` consecutive events.
            edges = np.cumsum([0, *[len(b) for b in point_bins(len(events), threshold, 40)]])
            assert len(residuals.bin_times) == len(edges) - 1
            for k, time in enumerate(residuals.bin_times):
                assert edges[k + 1] - edges[k] >= threshold
                assert time == pytest.approx(events[edges[k] : edges[k + 1]].mean())
            # The band: each bin's mean with its 95% interval, drawn as one bar per bin.
            half = residuals.bin_half_widths
            assert len(half) == len(residuals.bin_times) and np.isfinite(half).all()
            bars = [c for c in ax.collections if isinstance(c, LineCollection)]
            segments = np.array([seg for c in bars for seg in c.get_segments()])
            assert segments.shape == (len(half), 2, 2)
            assert np.allclose(segments[:, 0, 1], residuals.bin_means - half)
            assert np.allclose(segments[:, 1, 1], residuals.bin_means + half)
            # The smooth is drawn on an even grid, not at the events' days.
            for line in set(ax.lines) - set(marked):
                x = np.asarray(line.get_xdata(), float)
                if len(x) > 2:
                    assert np.allclose(np.diff(x), x[1] - x[0])
        plt.close(figure)


# --- 2. Kaplan–Meier steps and numbers at risk ---------------------------------------------------


def _leavers(frame: pd.DataFrame, outcome: str, start: float, end: float) -> int:
    days = frame[f"days_to_{outcome}"].to_numpy(float)
    return int(((days > start) & (days <= end)).sum())


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_every_published_step_pools_threshold_leavers(
    threshold: int, small: Path, prepared: Callable[[Path], pd.DataFrame]
) -> None:
    for data, outcome, by in itertools.product(
        _cohorts(small), OUTCOMES, ("coordinator", "programme_type")
    ):
        frame = prepared(data)
        comparison = km_comparison(frame, outcome, by, threshold)
        for curve in comparison.curves:
            group = frame[frame[by] == curve.level]
            times, cumulative = curve.times, curve.cumulative
            for k in range(1, len(times)):
                if cumulative[k] == cumulative[k - 1]:
                    continue
                # The reader sees S before and after: the step must pool >= threshold leavers.
                left = _leavers(group, outcome, times[k - 1] if k > 1 else -1, times[k])
                assert left >= threshold, (curve.level, times[k], left)
            # Censor marks only at published points.
            assert set(curve.censor_times) <= set(times)
        shown = comparison.at_risk
        for level in shown.index:
            values = [int(v) for v in shown.loc[level] if v is not None and not pd.isna(v)]
            for before, after in itertools.pairwise(values):
                assert before - after == 0 or before - after >= threshold, (level, values)
            assert all(value == 0 or value >= threshold for value in values)


def test_the_step_attack_works_without_coarsening(
    small: Path, prepared: Callable[[Path], pd.DataFrame]
) -> None:
    """With control off the step heights give the numbers at risk back exactly: the attack the
    coarsening stops is real."""
    frame = prepared(small)
    curve = km_comparison(frame, "first_rtw", "coordinator", 0).curves[0]
    group = frame[frame["coordinator"] == curve.level]
    survival = 1 - curve.cumulative
    days = group["days_to_first_rtw"].to_numpy(float)
    for k in range(2, len(curve.times)):
        t = curve.times[k]
        d = int(((days == t) & (group["first_rtw"] == 1)).sum())
        implied = d / (1 - survival[k] / survival[k - 1])
        assert round(implied) == int((days >= t).sum())


# --- 3. extremes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_no_youngest_or_oldest_person_is_published(
    threshold: int,
    monkeypatch: pytest.MonkeyPatch,
    shipped: Shipped,
    prepared: Callable[[Path], pd.DataFrame],
) -> None:
    results = shipped.results("cohort", suppress_below=threshold)
    payload = _payload(results)
    ages = prepared(SHIPPED_DATA)["age"].dropna().astype(float)
    rows = [
        (i, row)
        for i, row in enumerate(payload["reproduction"])
        if row["quantity"]["key"] in ("cohort.repro.age_min", "cohort.repro.age_max")
    ]
    assert len(rows) == 2
    for i, row in rows:
        assert row["computed"] is None and row["status"] == "withheld"
        assert payload["disclosure"]["suppressed"][f"reproduction[{i}].computed"] == EXTREME
    for lang in ("en", "nb"):
        text = cohort_page_text(results, monkeypatch, lang)
        for label in ({"en": "Youngest", "nb": "Yngste"}, {"en": "Oldest", "nb": "Eldste"}):
            # The published value may stand beside the label, the computed one may not.
            start = text.index(label[lang])
            row = text[start : text.index("withheld" if lang == "en" else "holdt tilbake", start)]
            assert row.count(str(int(ages.min()))) + row.count(str(int(ages.max()))) <= 1, row


def test_extremes_are_shown_with_control_off(shipped: Shipped):
    payload = _payload(shipped.results("cohort", suppress_below=0))
    computed = {
        row["quantity"]["key"]: row["computed"]
        for row in payload["reproduction"]
        if row["quantity"]["key"] in ("cohort.repro.age_min", "cohort.repro.age_max")
    }
    assert sorted(computed.values()) == [21.0, 67.0]


# --- 4. statistics that imply counts -------------------------------------------------------------


@pytest.mark.slow  # a threshold of 20, as the other attacks at 20
def test_models_of_a_group_of_fifteen_are_not_shown_at_twenty(
    fifteen: Path, analysed: Callable[[Path, int], CohortResults]
) -> None:
    results = analysed(fifteen, 20)
    for outcome in results.outcomes.values():
        for fits in outcome.cox.values():
            for fit in (fits.efron, fits.breslow, fits.robust):
                assert fit.hr is None and fit.p is None and fit.reason == "small_group"
        for test in outcome.ph_tests.values():
            assert test.coordinator_p is None and test.reason == "small_group"
        assert len(outcome.schoenfeld.bin_times) == 0
    checks = {c["artefact"]: c for c in _payload(results)["disclosure"]["checks"]}
    for name, model in itertools.product(OUTCOMES, ("cox_unadjusted", "cox_adjusted")):
        check = checks[f"outcomes.{name}.{model}"]
        assert check["rule"] == "model" and check["withheld"] == "small_group"
        assert check["shown"] is False
    shown = analysed(fifteen, 10)  # 15 pass a threshold of 10
    assert shown.outcomes["first_rtw"].cox["cox_unadjusted"].efron.hr is not None


def _odds_ratio(a: int, b: int, c: int, d: int) -> tuple[float, float, float]:
    log_or, se = math.log(a * d / (b * c)), math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return tuple(math.exp(log_or + z * se) for z in (0, -Z95, Z95))


def candidates(exposed: int, unexposed: int, coordinated: int, printed: tuple) -> list[tuple]:
    """The 2×2 tables with these margins whose OR and CI print as ``printed`` (2 decimals)."""
    found = []
    for a in range(max(0, coordinated - unexposed), min(exposed, coordinated) + 1):
        cells = (a, exposed - a, coordinated - a, unexposed - coordinated + a)
        if min(cells) > 0 and tuple(round(v, 2) for v in _odds_ratio(*cells)) == printed:
            found.append(cells)
    return found


@pytest.fixture(scope="module")
def treated_three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped cohort with every programme type large but only three employees with a
    coordinator in treatment programmes."""
    frame = SHIPPED.copy()
    treated = frame.index[
        (frame["programme_type"] == "treatment") & (frame["coordinator"] == "yes")
    ]
    frame.loc[treated[3:], "coordinator"] = "no"
    frame.loc[frame["programme_type"] == "", "programme_type"] = "treatment"
    follow_up = frame.index[frame["programme_type"] == "follow_up"]
    if len(follow_up) < 25:  # make every type large enough to be shown at 20
        moved = frame.index[frame["programme_type"] == "occupational_rehabilitation"][:25]
        frame.loc[moved, "programme_type"] = "follow_up"
    return _folder(frame, tmp_path_factory.mktemp("treated_three"))


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_the_odds_ratio_never_gives_a_hidden_or_small_cell_away(
    threshold: int,
    treated_three: Path,
    small: Path,
    analysed: Callable[[Path, int], CohortResults],
    prepared: Callable[[Path], pd.DataFrame],
) -> None:
    for data in (SHIPPED_DATA, small, treated_three):
        frame = prepared(data)
        rows = frame[frame["programme_type"].notna()]
        exposed = rows["programme_type"] != "treatment"
        coordinated = rows["coordinator"] == "yes"
        truth = (
            int((exposed & coordinated).sum()),
            int((exposed & ~coordinated).sum()),
            int((~exposed & coordinated).sum()),
            int((~exposed & ~coordinated).sum()),
        )
        odds = _payload(analysed(data, threshold))["programme_type"]["coordinator_odds_ratio"]
        if min(truth) > 0:  # the attack: the printed OR and CI fit this one table
            printed = tuple(round(v, 2) for v in _odds_ratio(*truth))
            found = candidates(
                truth[0] + truth[1], truth[2] + truth[3], truth[0] + truth[2], printed
            )
            if min(truth) < threshold:
                assert found == [truth] and odds["or"] is None, (data.name, odds)
        if odds["or"] is not None:
            assert min(truth) >= threshold


def test_the_attack_finds_three_in_treatment(
    treated_three: Path,
    analysed: Callable[[Path, int], CohortResults],
    prepared: Callable[[Path], pd.DataFrame],
) -> None:
    frame = prepared(treated_three)
    treated = frame[frame["programme_type"] == "treatment"]
    assert (treated["coordinator"] == "yes").sum() == 3
    odds = analysed(treated_three, 5).subgroups["programme_type"].odds_ratio
    assert odds.odds_ratio is None and odds.withheld
