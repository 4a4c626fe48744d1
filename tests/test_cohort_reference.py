"""Cohort statistics against R's survival package (fixtures from tests/reference/survival.R and
tests/reference/cohort.R; R 4.2.2, survival 3.5.3): Cox fits with Efron and Breslow ties,
robust and clustered SEs, cox.zph (km and rank, per term and global), scaled Schoenfeld
residuals, Kaplan–Meier with Greenwood SEs, median intervals with log and log-log bands,
log-rank tests and the logistic odds ratio."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter

from analysis.chapters.cohort import coxph, survival
from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.data import DEFAULT_PLAN, OUTCOMES
from analysis.chapters.cohort.programmes import coordinator_odds_ratio
from tests.helpers import Shipped

REFERENCE = Path(__file__).parent / "reference"
DATA_SETS = ("lung", "lung30", "veteran", "ovarian")
REL = 1e-6


Values = dict[tuple[str, ...], pd.Series]


@pytest.fixture(scope="module")
def values() -> Values:
    """R's values by data set, analysis and statistic, each by term (split once: the tests
    read some two hundred of them)."""
    frame = pd.read_csv(REFERENCE / "survival_values.csv", keep_default_na=False, dtype=str)
    frame["value"] = frame["value"].replace("NA", "nan").astype(float)
    keys = ["data", "analysis", "statistic"]
    return {key: rows.set_index("term")["value"] for key, rows in frame.groupby(keys, sort=False)}


def _r(values: Values, data: str, analysis: str, statistic: str) -> pd.Series:
    return values[data, analysis, statistic]


def _input(name: str) -> tuple[pd.DataFrame, list[str]]:
    data = pd.read_csv(REFERENCE / f"survival_input_{name}.csv")
    return data, [c for c in data.columns if c not in ("time", "status", "cluster", "id")]


@pytest.mark.parametrize("ties", coxph.TIES)
@pytest.mark.parametrize("name", DATA_SETS)
def test_cox_fit_and_sandwich_ses_match_r(values: Values, name: str, ties: str) -> None:
    data, covariates = _input(name)
    fit = coxph.fit(data.time, data.status, data[covariates], covariates, ties)
    analysis = f"cox_{ties}"
    expected = {s: _r(values, name, analysis, s)[covariates].to_numpy() for s in ("coef", "hr")}
    assert fit.coef == pytest.approx(expected["coef"], rel=REL)
    assert np.exp(fit.coef) == pytest.approx(expected["hr"], rel=REL)
    assert fit.se == pytest.approx(_r(values, name, analysis, "se")[covariates], rel=REL)
    assert fit.loglik == pytest.approx(_r(values, name, analysis, "loglik")[""], rel=REL)
    robust = coxph.robust_se(fit)
    clustered = coxph.robust_se(fit, data.cluster.to_numpy())
    assert robust == pytest.approx(_r(values, name, analysis, "robust_se")[covariates], rel=REL)
    assert clustered == pytest.approx(_r(values, name, analysis, "cluster_se")[covariates], rel=REL)
    p = [coxph.wald(c, s)[3] for c, s in zip(fit.coef, clustered, strict=True)]
    assert p == pytest.approx(_r(values, name, analysis, "cluster_p")[covariates], rel=REL)


@pytest.mark.parametrize("name", ["lung", "lung30"])
def test_lifelines_robust_se_differs_from_r_with_ties(values: Values, name: str) -> None:
    """Why the chapter computes the sandwich itself: lifelines' score residuals ignore ties."""
    data, covariates = _input(name)
    lifelines_fit = CoxPHFitter().fit(
        data[["time", "status", *covariates]],
        "time",
        "status",
        robust=True,
        fit_options={"precision": 1e-12},
    )
    expected = _r(values, name, "cox_efron", "robust_se")[covariates].to_numpy()
    assert lifelines_fit.standard_errors_[covariates].to_numpy() != pytest.approx(
        expected, rel=1e-4
    )
    fit = coxph.fit(data.time, data.status, data[covariates], covariates, "efron")
    assert coxph.robust_se(fit) == pytest.approx(expected, rel=REL)


@pytest.mark.parametrize("transform", coxph.TRANSFORMS)
@pytest.mark.parametrize("ties", coxph.TIES)
@pytest.mark.parametrize("name", DATA_SETS)
def test_cox_zph_matches_r(values: Values, name: str, ties: str, transform: str) -> None:
    data, covariates = _input(name)
    fit = coxph.fit(data.time, data.status, data[covariates], covariates, ties)
    test = coxph.zph(fit, transform=transform)
    analysis = f"zph_{ties}_{transform}"
    chisq, p = _r(values, name, analysis, "chisq"), _r(values, name, analysis, "p")
    for term in covariates:
        assert test.terms[term][0] == pytest.approx(chisq[term], rel=REL)
        assert test.terms[term][2] == pytest.approx(p[term], rel=REL)
    statistic, df, global_p = test.global_test
    assert (statistic, df) == (pytest.approx(chisq["GLOBAL"], rel=REL), len(covariates))
    assert global_p == pytest.approx(p["GLOBAL"], rel=REL)
    # β + scaled Schoenfeld residuals of the first covariate, event by event in time order
    order = np.argsort(_r(values, name, analysis, "resid_time").to_numpy(), kind="stable")
    expected_y = _r(values, name, analysis, "resid_y").to_numpy()[order]
    times = np.repeat(test.times, test.counts)
    scaled = np.repeat(test.scaled[:, 0], test.counts)
    assert np.sort(times) == pytest.approx(
        np.sort(_r(values, name, analysis, "resid_time").to_numpy())
    )
    assert np.sort(scaled) == pytest.approx(np.sort(expected_y), rel=REL, abs=1e-9)


@pytest.mark.parametrize("transform", coxph.TRANSFORMS)
def test_cox_zph_tests_a_factor_as_one_term(values: Values, transform: str) -> None:
    data, covariates = _input("veteran")
    fit = coxph.fit(data.time, data.status, data[covariates], covariates, "efron")
    terms = {name: [covariates.index(name)] for name in covariates}
    terms["celltype"] = [covariates.index(c) for c in ("smallcell", "adeno", "large")]
    for name in ("smallcell", "adeno", "large"):
        del terms[name]
    test = coxph.zph(fit, terms, transform)
    analysis = f"zph_terms_efron_{transform}"
    chisq = _r(values, "veteran", analysis, "chisq")
    assert test.terms["celltype"][:2] == (pytest.approx(chisq["celltype"], rel=REL), 3)
    assert test.global_test[0] == pytest.approx(chisq["GLOBAL"], rel=REL)


@pytest.mark.parametrize("group", ["all", "female", "male"])
def test_kaplan_meier_greenwood_and_median_intervals_match_r(values: Values, group: str) -> None:
    data, _ = _input("lung")
    if group != "all":
        data = data[data.female == (group == "female")]
    steps = survival.km_steps(data.time, data.status)
    analysis = f"km_{group}_log"
    assert steps["time"].to_numpy() == pytest.approx(_r(values, "lung", analysis, "time"))
    assert steps["survival"].to_numpy() == pytest.approx(
        _r(values, "lung", analysis, "surv"), rel=REL
    )
    assert steps["se"].to_numpy() == pytest.approx(_r(values, "lung", analysis, "se"), rel=REL)
    for conf_type in survival.CONF_TYPES:
        interval = survival.brookmeyer_crowley(steps, conf_type)
        analysis = f"km_{group}_{conf_type}"
        for mine, statistic in zip(
            (interval.estimate, interval.ci_low, interval.ci_high),
            ("median", "median_lower", "median_upper"),
            strict=True,
        ):
            expected = _r(values, "lung", analysis, statistic)[""]
            assert (mine is None and math.isnan(expected)) or mine == expected


@pytest.mark.parametrize("conf_type", survival.CONF_TYPES)
def test_median_interval_on_tied_months_matches_r(values: Values, conf_type: str) -> None:
    data, _ = _input("lung30")
    interval = survival.brookmeyer_crowley(survival.km_steps(data.time, data.status), conf_type)
    analysis = f"km_all_{conf_type}"
    expected = [
        _r(values, "lung30", analysis, s)[""] for s in ("median", "median_lower", "median_upper")
    ]
    assert [interval.estimate, interval.ci_low, interval.ci_high] == expected


@pytest.mark.parametrize("conf_type", survival.CONF_TYPES)
@pytest.mark.parametrize("group", ["steps", "tied"])
def test_median_limit_where_the_curve_reaches_zero_matches_r(
    values: Values, group: str, conf_type: str
) -> None:
    """Where S reaches 0 the band is undefined, as in R: a limit only it would give is not
    reached (None), not the day S reaches 0."""
    data = pd.read_csv(REFERENCE / "survival_input_zero.csv")
    data = data[data.group == group]
    interval = survival.brookmeyer_crowley(survival.km_steps(data.time, data.status), conf_type)
    analysis = f"km_{group}_{conf_type}"
    for mine, statistic in zip(
        (interval.estimate, interval.ci_low, interval.ci_high),
        ("median", "median_lower", "median_upper"),
        strict=True,
    ):
        expected = _r(values, "zero", analysis, statistic)[""]
        assert (mine is None and math.isnan(expected)) or mine == expected, statistic


def test_logrank_two_and_three_groups_match_r(values: Values) -> None:
    data, _ = _input("lung")
    frame = pd.DataFrame(
        {
            "days_to_x": data.time,
            "x": data.status,
            "coordinator": np.where(data.female == 1, "yes", "no"),
            "programme_type": pd.Series(
                np.array(["occupational_rehabilitation", "treatment", "follow_up"])[
                    data.ecog.clip(upper=2).astype(int)
                ]
            ).where(data.ecog <= 2),
        }
    )
    two = survival.logrank(frame, "x", "coordinator")
    assert (two.chi2, two.df) == (
        pytest.approx(_r(values, "lung", "logrank_female", "chisq")[""], rel=REL),
        1,
    )
    assert two.p == pytest.approx(_r(values, "lung", "logrank_female", "p")[""], rel=REL)
    three = survival.logrank(frame, "x", "programme_type")
    assert (three.chi2, three.df) == (
        pytest.approx(_r(values, "lung", "logrank_ecog", "chisq")[""], rel=REL),
        2,
    )
    assert three.p == pytest.approx(_r(values, "lung", "logrank_ecog", "p")[""], rel=REL)


def test_odds_ratio_matches_r_glm(values: Values) -> None:
    data, _ = _input("lung")
    frame = pd.DataFrame(
        {
            "programme_type": np.where(data.female == 1, "follow_up", "treatment"),
            "coordinator": np.where(data.ecog >= 1, "yes", "no"),
        }
    )
    odds = coordinator_odds_ratio(frame, DEFAULT_PLAN.subgroups["programme_type"])
    expected = {
        s: _r(values, "lung", "logit_ecog_female", s)[""] for s in ("or", "ci_low", "ci_high", "p")
    }
    assert odds.odds_ratio == pytest.approx(expected["or"], rel=REL)
    assert odds.ci_low == pytest.approx(expected["ci_low"], rel=REL)
    assert odds.ci_high == pytest.approx(expected["ci_high"], rel=REL)
    assert odds.p == pytest.approx(expected["p"], rel=REL)


# --- the chapter on the shipped cohort against R (tests/reference/cohort.R) ---------------------


@pytest.fixture(scope="module")
def shipped_results(shipped: Shipped) -> CohortResults:
    # Disclosure control off: every model's n is compared with R's, none hidden.
    return shipped.results("cohort", suppress_below=0)


@pytest.fixture(scope="module")
def cohort_values() -> pd.DataFrame:
    frame = pd.read_csv(REFERENCE / "cohort_values.csv", keep_default_na=False, dtype=str)
    frame["value"] = frame["value"].replace("NA", "nan").astype(float)
    return frame.set_index(["outcome", "model", "statistic"])["value"].sort_index()


def test_the_reference_input_is_the_shipped_analysis_frame(shipped_results: CohortResults) -> None:
    reference = pd.read_csv(REFERENCE / "cohort_input.csv")
    assert len(reference) == shipped_results.n
    assert int(reference.coordinator.sum()) == shipped_results.n_coordinator


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_shipped_cox_models_match_r(
    shipped_results: CohortResults, cohort_values: pd.Series, outcome: str
) -> None:
    for model, fits in shipped_results.outcomes[outcome].cox.items():
        r = cohort_values.loc[(outcome, model)]
        assert fits.efron.n == r["n"]
        assert fits.efron.hr == pytest.approx(r["efron_hr"], rel=REL)
        assert fits.efron.se == pytest.approx(r["efron_se"], rel=REL)
        assert fits.efron.p == pytest.approx(r["efron_p"], rel=REL)
        assert fits.breslow.hr == pytest.approx(r["breslow_hr"], rel=REL)
        assert fits.breslow.se == pytest.approx(r["breslow_se"], rel=REL)
        assert fits.robust.se == pytest.approx(r["cluster_se"], rel=REL)
        assert fits.robust.p == pytest.approx(r["cluster_p"], rel=REL)
    for model, test in shipped_results.outcomes[outcome].ph_tests.items():
        r = cohort_values.loc[(outcome, model)]
        assert test.transform == "km"
        assert test.coordinator_chi2 == pytest.approx(r["zph_km_coordinator_chisq"], rel=REL)
        assert test.coordinator_p == pytest.approx(r["zph_km_coordinator_p"], rel=REL)
        assert test.global_chi2 == pytest.approx(r["zph_km_global_chisq"], rel=REL)
        assert test.global_df == r["zph_km_global_df"]
        assert test.global_p == pytest.approx(r["zph_km_global_p"], rel=REL)


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_shipped_medians_and_logrank_match_r(
    shipped_results: CohortResults, cohort_values: pd.Series, outcome: str
) -> None:
    comparison = shipped_results.outcomes[outcome].by_coordinator
    for level, name in (("yes", "coordinator"), ("no", "no_coordinator")):
        median = comparison.curve(level).median
        for interval, conf_type in ((median.bc, "log-log"), (median.bc_log, "log")):
            r = cohort_values.loc[(outcome, f"km_{name}_{conf_type}")]
            assert [interval.estimate, interval.ci_low, interval.ci_high] == [
                r["median"],
                r["lower"],
                r["upper"],
            ]
    assert comparison.logrank.chi2 == pytest.approx(
        cohort_values.loc[(outcome, "logrank", "chisq")], rel=REL
    )


def test_identical_rows_enter_once_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows with the same time, event and covariates are fitted once with their count: the
    fit, residuals and tests equal those of the rows one by one."""
    data, covariates = _input("lung30")
    data = pd.concat([data, data.iloc[::3]], ignore_index=True)  # more identical rows
    args = (data.time, data.status, data[covariates], covariates, "efron")
    compressed = coxph.fit(*args)
    assert len(compressed.sums.time) < len(data)
    monkeypatch.setattr(coxph, "_patterns", lambda time, *_: (np.arange(len(time)),) * 2)
    rows = coxph.fit(*args)
    assert len(rows.sums.time) == len(data)
    assert compressed.coef == pytest.approx(rows.coef, rel=1e-12)
    assert compressed.se == pytest.approx(rows.se, rel=1e-12)
    cluster = data.cluster.to_numpy()
    assert coxph.robust_se(compressed, cluster) == pytest.approx(
        coxph.robust_se(rows, cluster), rel=1e-10
    )
    for transform in coxph.TRANSFORMS:
        a, b = coxph.zph(compressed, transform=transform), coxph.zph(rows, transform=transform)
        assert a.global_test[0] == pytest.approx(b.global_test[0], rel=1e-10)


DEGENERATE = pd.read_csv(REFERENCE / "cox_degenerate_input.csv")


@pytest.mark.parametrize("design", DEGENERATE["design"].unique())
def test_a_degenerate_design_is_not_estimable_for_its_reason_and_numpy_stays_quiet(
    design: str,
) -> None:
    """Three designs on which R's coxph runs out of iterations with standard errors above
    10,000 (tests/reference/cox_degenerate.R): "singular" has a covariate that is 1 throughout
    both events' risk sets (R sets it aside, SE 0) and two equal there, and rounding once let
    the fit return −35.7 with negative variances; in "vanishing" two coefficients run to
    infinity and the last information (about 1e-14) inverted to negative variances; in
    "overflowing" the Newton step overflowed the risk sums even after thirty halvings and the
    fit went on with infinite sums. Each is NotEstimable for its reason, with no overflow,
    invalid-value or division warning on the way (underflow in exp is numpy's default ignore)."""
    r = pd.read_csv(REFERENCE / "cox_degenerate_values.csv")
    r = r[r["design"] == design]
    assert (r["warning"] == "Ran out of iterations and did not converge").all()
    assert ((r["se"] > 1e4) | (r["se"] == 0)).all()
    rows = DEGENERATE[DEGENERATE["design"] == design]
    (reason,) = rows["reason"].unique()
    with (
        np.errstate(over="raise", invalid="raise", divide="raise"),
        pytest.raises(coxph.NotEstimable, match=f"^{reason}$"),
    ):
        coxph.fit(
            rows["time"].to_numpy(float),
            rows["event"].to_numpy(bool),
            rows[["a", "b", "c"]].to_numpy(float),
            ["a", "b", "c"],
        )
