"""Competing risks, restricted mean survival time, the KMunicate risk table and stratified Cox
models with their PH test against R's survival package (fixtures from
tests/reference/competing.R; R 4.2.2, survival 3.5.3): on a simulated cohort in weeks (many
ties, a small group), on ``mgus2`` and (strata) on ``veteran``."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters.cohort import competing, coxph, rmst, survival
from analysis.core.disclosure import SMALL_GROUP

REFERENCE = Path(__file__).parent / "reference"
DATA_SETS = ("simulated", "mgus2")
CAUSES = (1, 2)
HORIZONS = {"simulated": 30.0, "mgus2": 240.0}
RISK_TIMES = {"simulated": [0, 5, 10, 20, 30, 40], "mgus2": [0, 60, 120, 180, 240, 300]}
ABS = 1e-6


Values = dict[tuple[str, ...], pd.Series]


@pytest.fixture(scope="module")
def values() -> Values:
    """R's values by data set, analysis, statistic and group, each by term (split once: the
    tests read many of them)."""
    frame = pd.read_csv(REFERENCE / "competing_values.csv", keep_default_na=False, dtype=str)
    frame["value"] = frame["value"].replace("NA", "nan").astype(float)
    keys = ["data", "analysis", "statistic", "group"]
    return {key: rows.set_index("term")["value"] for key, rows in frame.groupby(keys, sort=False)}


def _r(values: Values, data: str, analysis: str, statistic: str, group: str = "") -> pd.Series:
    return values[data, analysis, statistic, group]


def _input(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / f"competing_input_{name}.csv", dtype={"group": str})


def _levels(data: pd.DataFrame) -> list[str]:
    return sorted(data.group.unique())


@pytest.mark.parametrize("name", DATA_SETS)
def test_aalen_johansen_incidence_and_log_interval_match_r(values: Values, name: str) -> None:
    data = _input(name)
    curves = competing.incidence_by_group(data.time, data.status, data.group, _levels(data), CAUSES)
    columns = {"estimate": "estimate", "se": "se", "lower": "ci_low", "upper": "ci_high"}
    compared = 0
    for level, incidences in curves.items():
        for incidence in incidences:
            for statistic, column in columns.items():
                expected = _r(values, name, "cif", f"{statistic}_{incidence.cause}", level)
                got = incidence.at(expected.index.astype(float))[column].to_numpy()
                assert np.array_equal(np.isnan(got), np.isnan(expected.to_numpy()))
                assert got == pytest.approx(expected.to_numpy(), abs=ABS, nan_ok=True)
                compared += len(expected)
    assert compared > 400


def test_incidence_is_the_complement_of_kaplan_meier_with_one_cause() -> None:
    data = _input("simulated")
    (incidence,) = competing.aalen_johansen(data.time, (data.status > 0).astype(int), [1])
    steps = survival.km_steps(data.time, data.status > 0)
    at_events = incidence.at(steps["time"])
    assert at_events["estimate"].to_numpy() == pytest.approx(1 - steps["survival"], abs=1e-12)


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="neither censored"):
        competing.aalen_johansen(np.array([1.0, 2.0]), np.array([1, 3]), [1, 2])


@pytest.mark.parametrize("cause", CAUSES)
@pytest.mark.parametrize("name", DATA_SETS)
def test_cause_specific_logrank_matches_r(values: Values, name: str, cause: int) -> None:
    data = _input(name)
    test = competing.cause_specific_logrank(
        data.time, data.status, data.group, _levels(data), cause
    )
    assert test.chi2 == pytest.approx(_r(values, name, f"logrank_{cause}", "chisq")[""], abs=ABS)
    assert test.df == _r(values, name, f"logrank_{cause}", "df")[""]


@pytest.mark.parametrize("ties", coxph.TIES)
@pytest.mark.parametrize("cause", CAUSES)
@pytest.mark.parametrize("name", DATA_SETS)
def test_cause_specific_cox_matches_r(values: Values, name: str, cause: int, ties: str) -> None:
    data = _input(name)
    levels = _levels(data)
    names = [f"group{level}" for level in levels[1:]] + ["x"]
    x = np.column_stack([data.group == level for level in levels[1:]] + [data.x]).astype(float)
    model = competing.cause_specific_cox(data.time, data.status, x, names, cause, ties)
    analysis = f"cox_{cause}_{ties}"
    assert model.cause == cause
    assert model.fit.coef == pytest.approx(_r(values, name, analysis, "coef")[names], abs=ABS)
    assert model.fit.se == pytest.approx(_r(values, name, analysis, "se")[names], abs=ABS)


@pytest.mark.parametrize("name", DATA_SETS)
def test_restricted_mean_and_contrasts_match_r(values: Values, name: str) -> None:
    data = _input(name)
    horizon = HORIZONS[name]
    tau = f"{horizon:g}"
    means = rmst.restricted_means(data.time, data.status > 0, data.group, _levels(data), horizon)
    for level, mean in means.items():
        expected = _r(values, name, "rmst", "rmean", level)[tau]
        assert mean.estimate == pytest.approx(expected, abs=ABS)
        assert mean.se == pytest.approx(_r(values, name, "rmst", "se", level)[tau], abs=ABS)
        assert mean.ci_low == pytest.approx(mean.estimate - 1.959963984540054 * mean.se)
    reference, group = _levels(data)[:2]
    pair = f"{group}-{reference}"
    for contrast in rmst.rmst_contrasts(means[group], means[reference]):
        analysis = f"rmst_{contrast.measure}"
        for statistic, got in (
            ("estimate", contrast.estimate),
            ("lower", contrast.ci_low),
            ("upper", contrast.ci_high),
            ("p", contrast.p),
        ):
            assert got == pytest.approx(_r(values, name, analysis, statistic, pair)[tau], abs=ABS)


def test_restricted_means_leave_a_small_group_out() -> None:
    data = _input("simulated")
    args = (data.time, data.status > 0, data.group, _levels(data), 30.0)
    everyone = rmst.restricted_means(*args)
    checked = rmst.restricted_means(*args, suppress_below=20)
    assert list(everyone) == ["a", "b", "c"] and list(checked) == ["a", "b"]  # c: 18 persons
    assert checked["a"] == everyone["a"]


def test_restricted_mean_to_a_horizon_before_any_event_is_the_horizon() -> None:
    mean = rmst.restricted_mean(np.array([5.0, 8.0, 9.0]), np.array([1, 0, 1]), 4.0)
    assert (mean.estimate, mean.se) == (4.0, 0.0)


def test_contrasts_need_one_horizon() -> None:
    one = rmst.restricted_mean(np.array([5.0, 8.0]), np.array([1, 1]), 6.0)
    other = rmst.restricted_mean(np.array([5.0, 8.0]), np.array([1, 1]), 7.0)
    with pytest.raises(ValueError, match="horizon"):
        rmst.rmst_contrasts(one, other)


@pytest.mark.parametrize("name", DATA_SETS)
def test_risk_table_matches_r(values: Values, name: str) -> None:
    data = _input(name)
    times = RISK_TIMES[name]
    for level in _levels(data):
        rows = data[data.group == level]
        table = survival.risk_table(rows.time, rows.status > 0, times, level)
        assert table.reason is None
        for statistic in ("at_risk", "events", "censored"):
            expected = _r(values, name, "risk_table", statistic, level)
            assert list(getattr(table, statistic)) == expected[[f"{t:g}" for t in times]].tolist()


def test_risk_table_of_a_small_group_is_withheld_and_a_large_one_coarsened() -> None:
    data = _input("simulated")
    small = data[data.group == "c"]  # 18 persons
    times = RISK_TIMES["simulated"]
    withheld = survival.risk_table(small.time, small.status > 0, times, "c", suppress_below=20)
    assert withheld.reason == SMALL_GROUP
    assert set(withheld.at_risk + withheld.events + withheld.censored) == {None}
    large = data[data.group == "a"]  # 72 persons
    full = survival.risk_table(large.time, large.status > 0, times, "a")
    checked = survival.risk_table(large.time, large.status > 0, times, "a", suppress_below=5)
    assert checked.reason is None
    rows = ("at_risk", "events", "censored")
    columns = [[getattr(checked, row)[i] for row in rows] for i in range(len(times))]
    shown = [i for i, column in enumerate(columns) if None not in column]
    # a column is shown whole (and exact) or not at all; the first (0 censored by week 5 is
    # 2 persons) is not the only one shown, and some are hidden
    assert all(set(column) == {None} for i, column in enumerate(columns) if i not in shown)
    assert all(columns[i] == [getattr(full, row)[i] for row in rows] for i in shown)
    assert 0 in shown and len(shown) > 1 and len(shown) < len(times)
    for row in rows:
        kept = [getattr(checked, row)[i] for i in shown]
        assert all(count == 0 or count >= 5 for count in kept)
        assert all(abs(a - b) == 0 or abs(a - b) >= 5 for a, b in itertools.pairwise(kept))


def _stratified_design(name: str) -> tuple[pd.DataFrame, np.ndarray, list[str], dict]:
    data = _input(name)
    if name == "veteran":
        names = ["trt", "karno", "age"]
        return data, data[names].to_numpy(float), names, {n: [j] for j, n in enumerate(names)}
    levels = _levels(data)
    names = [f"group{level}" for level in levels[1:]] + ["x"]
    columns = [data.group == level for level in levels[1:]] + [data.x]
    terms = {"group": list(range(len(levels) - 1)), "x": [len(levels) - 1]}
    data = data.assign(status=(data.status > 0).astype(int))  # any event
    return data, np.column_stack(columns).astype(float), names, terms


@pytest.mark.parametrize(
    ("name", "ties"),
    [
        ("simulated", "efron"),
        ("simulated", "breslow"),
        ("mgus2", "efron"),
        ("mgus2", "breslow"),
        ("veteran", "efron"),
    ],
)
def test_stratified_cox_and_its_ph_test_match_r(values: Values, name: str, ties: str) -> None:
    data, x, names, terms = _stratified_design(name)
    model = coxph.fit(data.time, data.status, x, names, ties, strata=data.stratum.to_numpy())
    assert model.coef == pytest.approx(_r(values, name, f"strata_{ties}", "coef")[names], abs=ABS)
    assert model.se == pytest.approx(_r(values, name, f"strata_{ties}", "se")[names], abs=ABS)
    if name != "veteran":
        loglik = _r(values, name, f"strata_{ties}", "loglik")[""]
        assert model.loglik == pytest.approx(loglik, abs=ABS)
        robust = _r(values, name, f"strata_{ties}", "robust_se")[names]
        assert coxph.robust_se(model) == pytest.approx(robust, abs=ABS)
    unstratified = coxph.fit(data.time, data.status, x, names, ties)
    assert np.abs(model.coef - unstratified.coef).max() > 1e-3  # the strata change the fit
    for transform in coxph.TRANSFORMS:
        test = coxph.zph(model, terms, transform)
        expected = _r(values, name, f"strata_zph_{ties}_{transform}", "chisq")
        got = {term: chi2 for term, (chi2, _, _) in test.terms.items()}
        got["GLOBAL"] = test.global_test[0]
        assert got == pytest.approx(expected.to_dict(), abs=ABS)
        p_values = _r(values, name, f"strata_zph_{ties}_{transform}", "p")
        assert test.global_test[2] == pytest.approx(p_values["GLOBAL"], abs=ABS)


def test_incidence_curves_are_coarsened_and_a_small_group_left_out() -> None:
    data = _input("simulated")
    levels = _levels(data)
    full = competing.incidence_by_group(data.time, data.status, data.group, levels, CAUSES)
    checked = competing.incidence_by_group(
        data.time, data.status, data.group, levels, CAUSES, suppress_below=20
    )
    assert set(full) == {"a", "b", "c"}
    assert set(checked) == {"a", "b"}  # c has 18 persons
    for level, incidences in checked.items():
        rows = data[data.group == level]
        for coarse, fine in zip(incidences, full[level], strict=True):
            assert 0 < len(coarse.times) < len(fine.times)
            # each point published is the exact curve there …
            exact = fine.at(coarse.times)
            assert coarse.estimate == pytest.approx(exact["estimate"].to_numpy(), abs=1e-15)
            # … and at least 20 persons left the risk set since the previous point
            left = [(rows.time <= t).sum() for t in coarse.times]
            assert min(np.diff([0, *left])) >= 20


def test_restricted_mean_where_the_last_at_risk_all_have_the_event() -> None:
    # S = 2/3, 1/3, 0 at days 1, 2, 3: RMST to 3 = 1 + 2/3 + 1/3; SE² = 1²/6 + (1/3)²/2 (the
    # last day, where n = d, adds nothing; R's survmean gives √(2/9) too)
    mean = rmst.restricted_mean(np.array([1.0, 2.0, 3.0]), np.ones(3), 3.0)
    assert mean.estimate == pytest.approx(2.0, rel=1e-14)
    assert mean.se == pytest.approx(np.sqrt(2 / 9), rel=1e-14)


def test_incidence_without_events_is_zero_with_no_interval() -> None:
    (incidence,) = competing.aalen_johansen(np.array([3.0, 5.0]), np.array([0, 0]), [1])
    assert incidence.estimate.tolist() == [0.0, 0.0] and incidence.se.tolist() == [0.0, 0.0]
    assert np.isnan(incidence.ci_low).all() and np.isnan(incidence.ci_high).all()


def test_one_stratum_is_the_unstratified_fit_and_an_eventless_stratum_adds_nothing() -> None:
    data, x, names, _ = _stratified_design("simulated")
    plain = coxph.fit(data.time, data.status, x, names)
    one = coxph.fit(data.time, data.status, x, names, strata=np.zeros(len(data)))
    assert np.array_equal(one.coef, plain.coef) and np.array_equal(one.se, plain.se)
    # the persons of s1 without their events: a stratum of censored rows only
    quiet = (data.stratum == "s1").to_numpy()
    events = np.where(quiet, 0, data.status)
    with_quiet = coxph.fit(data.time, events, x[:, -1:], ["x"], strata=quiet)
    rest = coxph.fit(data.time[~quiet], events[~quiet], x[~quiet, -1:], ["x"])
    assert with_quiet.coef == pytest.approx(rest.coef, abs=1e-12)
