"""Collapsed data (one row per distinct time, status, covariates and cluster, with its count as
case weight) give the statistics of the rows one by one, to 1e-10; and the weighted engine
matches R on the replicated rows (``tests/reference/collapsed.R``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters.cohort import competing, coxph, rmst, survival
from analysis.chapters.cohort.collapsed import WEIGHT, case_weights, check, collapse
from analysis.pipeline.bench import collapsed_benchmark
from tests.helpers import SHIPPED_DATA

REFERENCE = Path(__file__).parent / "reference"
EXACT = 1e-10
COVARIATES = ["x", "x2", "group", "stratum"]
LEVELS = ["a", "b", "c"]
TICKS = [0, 5, 10, 20, 25, 30]


def persons(n: int = 4000, seed: int = 20261207) -> pd.DataFrame:
    """Row-level data, one row per person: days 1–30 (many ties), status 0/1/2 (two competing
    causes), covariates with few levels, 8 clusters, and 800 persons sharing one pattern."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "time": rng.integers(1, 31, n).astype(float),
            "event": rng.choice([0, 1, 2], n, p=[0.35, 0.45, 0.2]),
            "x": rng.integers(0, 3, n).astype(float),
            "x2": rng.binomial(1, 0.3, n).astype(float),
            "group": rng.choice(LEVELS, n, p=[0.5, 0.35, 0.15]),
            "stratum": rng.choice(["s1", "s2"], n),
            "cluster": rng.integers(1, 9, n),
        }
    )
    frame.loc[:799, ["time", "event", "x", "x2", "group", "stratum"]] = [
        20.0,
        1,
        1.0,
        0.0,
        "a",
        "s1",
    ]
    frame["event"] = frame["event"].astype(int)
    return frame


def _design(frame: pd.DataFrame) -> np.ndarray:
    dummies = [(frame["group"] == level).to_numpy(float) for level in LEVELS[1:]]
    return np.column_stack([frame["x"], frame["x2"], *dummies])


NAMES = ["x", "x2", "group_b", "group_c"]


def _flat(value: object) -> np.ndarray:
    """Every number in ``value`` (dataclasses, dicts, tuples, frames, arrays), NaN for None."""
    if value is None:
        return np.array([np.nan])
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.to_numpy(float).ravel()
    if isinstance(value, np.ndarray):
        return value.astype(float).ravel()
    if isinstance(value, dict):
        return np.concatenate([_flat(item) for item in value.values()] or [np.empty(0)])
    if isinstance(value, list | tuple):
        return np.concatenate([_flat(item) for item in value] or [np.empty(0)])
    if isinstance(value, int | float | np.number):
        return np.array([float(value)])
    if hasattr(value, "__dataclass_fields__"):
        fields = [
            getattr(value, name)
            for name in value.__dataclass_fields__
            if name
            not in (
                "sums",
                "level",
                "reference",
                "measure",
                "ties",
                "names",
                "transform",
                "withheld",
            )
        ]
        return _flat(fields)
    raise TypeError(type(value))


def _difference(rows: object, collapsed: object) -> float:
    """Largest absolute difference of the numbers, inf if their shapes or missing values
    differ (NaN only where the other is NaN)."""
    a, b = _flat(rows), _flat(collapsed)
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return np.inf
    finite = ~np.isnan(a)
    assert finite.any()
    return float(np.max(np.abs(a[finite] - b[finite]), initial=0.0))


def _zph_numbers(test: coxph.ZPHTest) -> tuple:
    """The test's statistics and its scaled residuals one row per event, sorted."""
    scaled = np.repeat(test.scaled, test.counts, axis=0)
    times = np.repeat(test.times, test.counts)
    order = np.lexsort([*np.round(scaled, 6).T[::-1], times])
    return test.terms, test.global_test, times[order], scaled[order]


def _methods(frame: pd.DataFrame, weights: np.ndarray | None) -> dict[str, Callable[[], object]]:
    """Each method of the chapter on ``frame`` (row-level if ``weights`` is None)."""
    time, status, groups = frame["time"], frame["event"].to_numpy(), frame["group"].to_numpy()
    event = (status > 0).astype(int)
    x = _design(frame)
    cluster = frame["cluster"].to_numpy()
    w = np.ones(len(frame)) if weights is None else weights

    def per_group(function: Callable[..., object]) -> dict:
        return {level: function(groups == level) for level in LEVELS}

    def kaplan_meier() -> object:
        def one(rows: np.ndarray) -> object:
            steps = survival.km_steps(time[rows], event[rows], w[rows])
            return (
                steps,
                survival.km_band(steps, "log"),
                survival.km_band(steps, "log-log"),
                survival.median_summary(time[rows], event[rows], weights=w[rows]).to_json(),
                [
                    survival.km_curve(time[rows], event[rows], "", below, w[rows])
                    for below in (0, 5)
                ],
            )

        return per_group(one)

    def cox(ties: str, **options: object) -> coxph.CoxFit:
        return coxph.fit(time, event, x, NAMES, ties, weights=weights, **options)

    def zph(ties: str) -> tuple:
        model = cox(ties)
        terms = {"x": [0], "x2": [1], "group": [2, 3]}
        return [_zph_numbers(coxph.zph(model, terms, transform)) for transform in ("km", "rank")]

    def incidence() -> object:
        curves = per_group(
            lambda rows: competing.aalen_johansen(time[rows], status[rows], [1, 2], "", 0, w[rows])
        )
        shown = competing.incidence_by_group(time, status, groups, LEVELS, [1, 2], 300, weights)
        return curves, shown

    def cause_specific() -> object:
        return [
            (
                competing.cause_specific_logrank(time, status, groups, LEVELS, cause, weights),
                competing.cause_specific_cox(time, status, x, NAMES, cause, "efron", weights).fit,
            )
            for cause in (1, 2)
        ]

    def restricted_means() -> object:
        means = rmst.restricted_means(time, event, groups, LEVELS, 25.0, 0, weights)
        contrasts = [rmst.rmst_contrasts(means[level], means["a"]) for level in LEVELS[1:]]
        return means, contrasts

    return {
        "kaplan_meier": kaplan_meier,
        "logrank": lambda: survival.logrank_test(time, event, groups, LEVELS, weights),
        "risk_table": lambda: [
            per_group(
                lambda rows, below=below: survival.risk_table(
                    time[rows], event[rows], TICKS, "", below, w[rows]
                )
            )
            for below in (0, 5)
        ],
        "cox_efron": lambda: cox("efron"),
        "cox_breslow": lambda: cox("breslow"),
        "cox_stratified": lambda: cox("efron", strata=frame["stratum"].to_numpy()),
        "robust_se_persons": lambda: [coxph.robust_se(cox(ties)) for ties in coxph.TIES],
        "robust_se_clusters": lambda: [coxph.robust_se(cox(ties), cluster) for ties in coxph.TIES],
        "cox_zph_efron": lambda: zph("efron"),
        "cox_zph_breslow": lambda: zph("breslow"),
        "cumulative_incidence": incidence,
        "cause_specific": cause_specific,
        "rmst": restricted_means,
    }


@cache
def differences() -> dict[str, float]:
    """Per method, the largest difference between the row-level and the collapsed results."""
    rows = persons()
    collapsed = collapse(rows, COVARIATES)
    assert len(collapsed) < len(rows) * 0.75  # the data do collapse
    row_level = _methods(rows, None)
    weighted = _methods(collapsed, collapsed[WEIGHT].to_numpy())
    return {name: _difference(method(), weighted[name]()) for name, method in row_level.items()}


@pytest.mark.parametrize(
    "method",
    [
        "kaplan_meier",
        "logrank",
        "risk_table",
        "cox_efron",
        "cox_breslow",
        "cox_stratified",
        "robust_se_persons",
        "robust_se_clusters",
        "cox_zph_efron",
        "cox_zph_breslow",
        "cumulative_incidence",
        "cause_specific",
        "rmst",
    ],
)
def test_collapsed_data_give_the_row_level_results(method: str) -> None:
    assert differences()[method] <= EXACT


def test_a_miscounted_pattern_is_seen() -> None:
    """The comparison can fail: one person too many in the large pattern changes the fit."""
    collapsed = collapse(persons(), COVARIATES)
    weights = collapsed[WEIGHT].to_numpy().copy()
    weights[np.argmax(weights)] += 1
    rows = _methods(persons(), None)
    for name in ("cox_efron", "robust_se_clusters", "kaplan_meier"):
        assert _difference(rows[name](), _methods(collapsed, weights)[name]()) > 1e-6


def test_collapse_counts_every_person_once_and_is_idempotent() -> None:
    rows = persons()
    collapsed = collapse(rows, COVARIATES)
    keys = ["time", "event", *COVARIATES, "cluster"]
    assert collapsed[WEIGHT].sum() == len(rows)
    assert not collapsed.duplicated(keys).any()
    assert collapsed[WEIGHT].max() >= 800 / 8  # the large pattern, within a cluster
    pd.testing.assert_frame_equal(collapse(collapsed, COVARIATES), collapsed)
    without_cluster = collapse(rows.drop(columns="cluster"), COVARIATES)
    assert without_cluster[WEIGHT].max() >= 800
    assert list(without_cluster.columns) == ["time", "event", *COVARIATES, WEIGHT]


def test_check_accepts_collapsed_data_and_names_what_is_wrong() -> None:
    collapsed = collapse(persons(), COVARIATES)
    check(collapsed, COVARIATES)
    with pytest.raises(ValueError, match="lack the columns"):
        check(collapsed.drop(columns=WEIGHT), COVARIATES)
    for column, value, message in [
        ("time", -1.0, "times"),
        ("time", np.nan, "times"),
        ("event", 0.5, "event codes"),
        (WEIGHT, 0, "case weights"),
    ]:
        broken = collapsed.astype({column: float})
        broken.loc[3, column] = value
        with pytest.raises(ValueError, match=message):
            check(broken, COVARIATES)


@pytest.mark.parametrize("weights", [[1, 0], [1, 1.5], [1, -1], [1, np.nan], [1]])
def test_case_weights_are_counts_of_persons(weights: list[float]) -> None:
    with pytest.raises(ValueError):
        case_weights(np.array(weights, float), 2)


@cache
def _r_values() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "collapsed_values.csv", keep_default_na=False)


def _r(fit: str, ties: str, statistic: str, term: str = "") -> float:
    values = _r_values()
    chosen = values[
        (values["fit"] == fit)
        & (values["ties"] == ties)
        & (values["statistic"] == statistic)
        & (values["term"].astype(str) == term)
    ]
    assert len(chosen) == 1
    return float(chosen["value"].iloc[0])


@pytest.mark.parametrize("ties", coxph.TIES)
def test_the_weighted_engine_matches_r_on_the_replicated_rows(ties: str) -> None:
    frame = pd.read_csv(REFERENCE / "collapsed_input.csv").rename(columns={"status": "event"})
    collapsed = collapse(frame, ["x", "group"])
    x = np.column_stack([collapsed["x"], collapsed["group"] == "b"]).astype(float)
    model = coxph.fit(
        collapsed["time"], collapsed["event"], x, ["x", "groupb"], ties, weights=collapsed[WEIGHT]
    )
    persons_se = coxph.robust_se(model)
    cluster_se = coxph.robust_se(model, collapsed["cluster"].to_numpy())
    for j, term in enumerate(model.names):
        assert model.coef[j] == pytest.approx(_r("replicated", ties, "coef", term), rel=1e-6)
        assert model.se[j] == pytest.approx(_r("replicated", ties, "se", term), rel=1e-6)
        assert persons_se[j] == pytest.approx(_r("replicated", ties, "robust_se", term), rel=1e-6)
        assert cluster_se[j] == pytest.approx(_r("replicated", ties, "cluster_se", term), rel=1e-6)
    assert model.loglik == pytest.approx(_r("replicated", ties, "loglik"), rel=1e-9)
    test = coxph.zph(model, {"x": [0], "group": [1]}, "km")
    for term, (chisq, _, _) in [*test.terms.items(), ("GLOBAL", test.global_test)]:
        assert chisq == pytest.approx(_r("replicated", ties, "zph_chisq", term), rel=1e-6)


def test_r_weights_equal_replication_for_breslow_but_not_for_efron() -> None:
    """R's conventions the docstring of coxph.py names: integer case weights reproduce the
    replicated Breslow fit, not the Efron fit nor the unclustered robust SE."""
    for statistic, term in [("coef", "x"), ("se", "groupb"), ("cluster_se", "x"), ("loglik", "")]:
        replicated = _r("replicated", "breslow", statistic, term)
        assert _r("weighted", "breslow", statistic, term) == pytest.approx(replicated, rel=1e-12)
    for ties, statistic in [("efron", "coef"), ("breslow", "robust_se")]:
        weighted, replicated = (
            _r(fit, ties, statistic, "groupb") for fit in ("weighted", "replicated")
        )
        assert abs(weighted - replicated) > 1e-3


def test_kaplan_meier_and_logrank_with_weights_match_r() -> None:
    frame = pd.read_csv(REFERENCE / "collapsed_input.csv").rename(columns={"status": "event"})
    collapsed = collapse(frame, ["group"])
    steps = survival.km_steps(collapsed["time"], collapsed["event"], collapsed[WEIGHT])
    for time in (5, 10, 20):
        row = steps[steps["time"] <= time].iloc[-1]
        assert row["survival"] == pytest.approx(_r("weighted", "", "km_surv", str(time)), rel=1e-9)
        assert row["se"] == pytest.approx(_r("weighted", "", "km_std_err", str(time)), rel=1e-9)
    test = survival.logrank_test(
        collapsed["time"], collapsed["event"], collapsed["group"], ["a", "b"], collapsed[WEIGHT]
    )
    assert test.chi2 == pytest.approx(_r("replicated", "", "logrank_chisq"), rel=1e-9)


@pytest.mark.slow  # a benchmark
def test_the_benchmark_prints_row_level_and_collapsed_figures() -> None:
    lines: list[str] = []
    collapsed_benchmark(SHIPPED_DATA, 2000, echo=lines.append)
    rows = {
        line.split("  ")[0]: int(re.search(r"([\d,]+) rows", line)[1].replace(",", ""))
        for line in lines[1:]
    }
    assert rows["row-level"] == rows["row-level, clustered"] == 2000
    assert rows["collapse in pandas"] == 2000
    assert rows["collapsed"] < rows["collapsed, clustered"] <= 2000


@pytest.mark.parametrize("ties", coxph.TIES)
def test_efron_steps_in_small_chunks_give_the_same_fit(
    ties: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Efron steps are summed in chunks of whole days (one larger than a chunk alone)."""
    frame = persons()
    x, strata = _design(frame), frame["stratum"].to_numpy()
    whole = coxph.fit(frame["time"], frame["event"] > 0, x, NAMES, ties, strata=strata)
    monkeypatch.setattr(coxph, "STEP_CHUNK", 7)
    chunked = coxph.fit(frame["time"], frame["event"] > 0, x, NAMES, ties, strata=strata)
    assert len(chunked.sums.day_bounds) > 20
    assert _difference(whole, chunked) <= EXACT
    assert _difference(coxph.zph(whole), coxph.zph(chunked)) <= EXACT
