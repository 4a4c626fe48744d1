"""The meta-analysis methods modules (effects, pooling, subgroups, sensitivity) against
metafor 3.8 (``tests/reference/meta_methods.R``) on dat.bcg, dat.egger2001,
dat.nielweise2007, dat.normand1999, dat.curtis1998 and a constructed set with a double-zero
and two all-events studies. Inputs are read from the fixtures R wrote, so both sides use the
same data; every value must agree to 1e-6 (absolute, or relative for large values)."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters.meta import effects, pooling, sensitivity, subgroups

REFERENCE = Path(__file__).parent / "reference"
BINARY = pd.read_csv(REFERENCE / "meta_methods_binary_input.csv")
CONTINUOUS = pd.read_csv(REFERENCE / "meta_methods_continuous_input.csv")
VALUES: dict[str, dict[str, float]] = defaultdict(dict)
for row in csv.DictReader((REFERENCE / "meta_methods_values.csv").open(encoding="utf-8")):
    VALUES[row["dataset"]][row["statistic"]] = (
        math.nan if row["value"] == "NA" else float(row["value"])
    )
TOLERANCE = 1e-6
CASES = [(d, m) for d in dict.fromkeys(BINARY["dataset"]) for m in effects.BINARY_MEASURES] + [
    (d, m) for d in dict.fromkeys(CONTINUOUS["dataset"]) for m in effects.CONTINUOUS_MEASURES
]
FIELDS = ("estimate", "se", "ci_low", "ci_high", "p")
HETEROGENEITY_FIELDS = ("tau2", "q", "q_p", "i2", "h2")
INTERVAL_FIELDS = ("tau2_low", "tau2_high", "i2_low", "i2_high", "h2_low", "h2_high")


def close(value: float, reference: float) -> bool:
    return value == pytest.approx(reference, rel=TOLERANCE, abs=TOLERANCE)


def counts(dataset: str) -> pd.DataFrame:
    return BINARY[BINARY["dataset"] == dataset].reset_index(drop=True)


def study_effects(dataset: str, measure: str) -> effects.StudyEffects:
    if measure in effects.BINARY_MEASURES:
        d = counts(dataset)
        return effects.binary_effects(d["ai"], d["n1i"], d["ci"], d["n2i"], measure)
    d = CONTINUOUS[CONTINUOUS["dataset"] == dataset]
    columns = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
    return effects.continuous_effects(*(d[c] for c in columns), measure=measure)


def sizes(dataset: str, measure: str) -> np.ndarray:
    frame = (
        counts(dataset)
        if measure in effects.BINARY_MEASURES
        else CONTINUOUS[CONTINUOUS["dataset"] == dataset]
    )
    return (frame["n1i"] + frame["n2i"]).to_numpy(float)


def included(dataset: str, measure: str) -> tuple[np.ndarray, np.ndarray]:
    es = study_effects(dataset, measure)
    return es.yi[es.included], es.vi[es.included]


def assert_fields(pooled: pooling.Fit, expected: dict[str, float], prefix: str) -> int:
    """Compare every field R wrote for ``prefix``; returns how many were compared."""
    compared = 0
    for field in (*FIELDS, *HETEROGENEITY_FIELDS, *INTERVAL_FIELDS):
        key = f"{prefix}_{field}"
        if key not in expected:
            continue
        source = pooled if field in FIELDS else pooled.heterogeneity
        assert close(getattr(source, field), expected[key]), (key, getattr(source, field))
        compared += 1
    return compared


@pytest.mark.parametrize(("dataset", "measure"), CASES)
def test_study_effects(dataset: str, measure: str) -> None:
    expected = VALUES[dataset]
    es = study_effects(dataset, measure)
    for i, (yi, vi) in enumerate(zip(es.yi, es.vi, strict=True), start=1):
        reference = expected[f"{measure}_study{i}_yi"]
        if math.isnan(reference):
            assert math.isnan(yi) and es.dropped[i - 1] in effects.DROP_REASONS
        else:
            assert close(yi, reference) and close(vi, expected[f"{measure}_study{i}_vi"]), i


def test_all_events_and_double_zero_studies_are_dropped_for_ratios_only() -> None:
    """metafor's ``drop00 = TRUE`` drops studies with no events in both arms and those with
    events in every participant of both arms, for RR and OR; RD keeps them."""
    d = counts("all_events")
    for measure in ("RR", "OR"):
        es = effects.binary_effects(d["ai"], d["n1i"], d["ci"], d["n2i"], measure)
        assert es.dropped[1] == effects.NO_EVENTS
        assert es.dropped[2] == es.dropped[4] == effects.ALL_EVENTS
        assert int(es.included.sum()) == 4
    rd = effects.binary_effects(d["ai"], d["n1i"], d["ci"], d["n2i"], "RD")
    assert rd.included.all() and set(rd.dropped) == {None}


@pytest.mark.parametrize(("dataset", "measure"), CASES)
@pytest.mark.parametrize(
    ("method", "test"),
    [("FE", "z")] + [(method, test) for method in pooling.TAU2_METHODS for test in pooling.TESTS],
)
def test_pooled(dataset: str, measure: str, method: str, test: str) -> None:
    expected = VALUES[dataset]
    prefix = f"{measure}_{method}_{test}"
    pooled = pooling.rma(*included(dataset, measure), method=method, test=test)
    assert assert_fields(pooled, expected, prefix) >= 10
    if method != "FE":
        low, high = pooling.prediction_interval(pooled)
        assert close(low, expected[f"{prefix}_pi_low"])
        assert close(high, expected[f"{prefix}_pi_high"])
    if method != "FE" and test == "z":
        low, high = pooling.prediction_interval(pooled, "riley")
        assert close(low, expected[f"{prefix}_pi_riley_low"])
        assert close(high, expected[f"{prefix}_pi_riley_high"])


@pytest.mark.parametrize(
    ("dataset", "measure"), [case for case in CASES if case[1] in effects.BINARY_MEASURES]
)
def test_mantel_haenszel(dataset: str, measure: str) -> None:
    d = counts(dataset)
    pooled = pooling.mantel_haenszel(d["ai"], d["n1i"], d["ci"], d["n2i"], measure)
    assert assert_fields(pooled, VALUES[dataset], f"{measure}_MH") == 7


@pytest.mark.parametrize("dataset", list(dict.fromkeys(BINARY["dataset"])))
def test_peto(dataset: str) -> None:
    d = counts(dataset)
    pooled = pooling.peto(d["ai"], d["n1i"], d["ci"], d["n2i"])
    assert assert_fields(pooled, VALUES[dataset], "OR_Peto") == 7


@pytest.mark.parametrize("method", ["REML", "FE"])
def test_subgroups_bcg_by_allocation(method: str) -> None:
    expected = VALUES["bcg"]
    d = counts("bcg")
    es = effects.binary_effects(d["ai"], d["n1i"], d["ci"], d["n2i"], "RR")
    result = subgroups.subgroup_analysis(es.yi, es.vi, d["group"], method=method)
    assert set(result.subgroups) == {"random", "alternate", "systematic"}
    for group, pooled in result.subgroups.items():
        assert assert_fields(pooled, expected, f"RR_group_{group}_{method}") >= 7
    assert close(result.test.q, expected[f"RR_between_{method}_q"])
    assert result.test.df == expected[f"RR_between_{method}_df"]
    assert close(result.test.p, expected[f"RR_between_{method}_p"])


@pytest.mark.parametrize(("dataset", "measure"), CASES)
def test_leave_one_out(dataset: str, measure: str) -> None:
    expected = VALUES[dataset]
    fits = sensitivity.leave_one_out(*included(dataset, measure))
    for i, fit in enumerate(fits, start=1):
        prefix = f"{measure}_l1o{i}"
        for field in ("estimate", "ci_low", "ci_high"):
            assert close(getattr(fit, field), expected[f"{prefix}_{field}"]), (prefix, field)
        for field in ("tau2", "i2", "q"):
            assert close(getattr(fit.heterogeneity, field), expected[f"{prefix}_{field}"])
    assert f"{measure}_l1o{len(fits) + 1}_estimate" not in expected


@pytest.mark.parametrize(("dataset", "measure"), CASES)
def test_small_study_tests(dataset: str, measure: str) -> None:
    """Egger's and Peters' tests agree with ``regtest(model = "lm")`` where k ≥ 10; below
    10 studies they are not reported, with the reason (R writes nothing there either)."""
    expected = VALUES[dataset]
    es = study_effects(dataset, measure)
    egger = sensitivity.egger_test(es.yi, es.vi)
    peters = sensitivity.peters_test(es.yi, es.vi, sizes(dataset, measure))
    if f"{measure}_egger_t" not in expected:
        assert int(es.included.sum()) < 10
        for result in (egger, peters):
            assert math.isnan(result.p) and result.reason == sensitivity.FEWER_THAN_TEN
        return
    assert close(egger.t, expected[f"{measure}_egger_t"])
    assert close(egger.p, expected[f"{measure}_egger_p"])
    assert egger.df == expected[f"{measure}_egger_df"]
    assert close(egger.intercept, expected[f"{measure}_egger_limit"])
    assert close(peters.t, expected[f"{measure}_peters_t"])
    assert close(peters.p, expected[f"{measure}_peters_p"])
    assert peters.df == expected[f"{measure}_peters_df"]


def test_restricted_analysis_is_the_model_on_the_subset() -> None:
    """Restricting bcg to the randomised trials gives the REML fit of that subgroup."""
    d = counts("bcg")
    es = effects.binary_effects(d["ai"], d["n1i"], d["ci"], d["n2i"], "RR")
    pooled = sensitivity.restricted(es.yi, es.vi, (d["group"] == "random").to_numpy())
    assert assert_fields(pooled, VALUES["bcg"], "RR_group_random_REML") >= 7


def test_funnel_data_centres_on_the_fixed_effect_estimate() -> None:
    es = study_effects("all_events", "RR")
    funnel = sensitivity.funnel_data(es.yi, es.vi)
    assert len(funnel.yi) == 4 and close(funnel.centre, VALUES["all_events"]["RR_FE_z_estimate"])
    low, high = funnel.limits(np.array([0.0, 1.0]))
    assert low[0] == high[0] == funnel.centre
    assert high[1] - low[1] == pytest.approx(2 * pooling.Z95)
