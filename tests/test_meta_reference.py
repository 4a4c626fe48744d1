"""Meta-analysis statistics against R (``tests/reference/meta.R``): metafor's ``escalc``,
``rma.mh``, ``rma`` (FE, DL, ``test = "knha"``) and ``predict``, and the RevMan 5 variants
written out in R, on seven metafor data sets the chapter never used and two constructed ones.
The input counts are read from the fixture R wrote, so both sides use the same data."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters.meta import stats

REFERENCE = Path(__file__).parent / "reference"
INPUT = pd.read_csv(REFERENCE / "meta_input.csv")
VALUES: dict[str, dict[str, float]] = defaultdict(dict)
for row in csv.DictReader((REFERENCE / "meta_values.csv").open(encoding="utf-8")):
    value = row["value"]
    VALUES[row["dataset"]][row["statistic"]] = math.nan if value == "NA" else float(value)
DATASETS = list(dict.fromkeys(INPUT["dataset"]))
FIELDS = ("estimate", "ci_low", "ci_high", "p", "tau2", "q", "q_p", "i2", "pi_low", "pi_high")
REL = 1e-9


def studies(dataset: str) -> pd.DataFrame:
    rows = INPUT[INPUT["dataset"] == dataset]
    frame = pd.DataFrame(
        {
            "analysis_id": dataset,
            "study": rows["study"].astype(str),
            "events_intervention": rows["ai"],
            "n_intervention": rows["n1i"],
            "events_control": rows["ci"],
            "n_control": rows["n2i"],
            "source": "primary",
        }
    )
    for column in ("events_intervention", "n_intervention", "events_control", "n_control"):
        frame[column] = frame[column].astype("Int64")
    return frame


@pytest.fixture(scope="module", params=DATASETS)
def case(request: pytest.FixtureRequest) -> tuple[str, stats.AnalysisResult]:
    return request.param, stats.pool(stats.study_effects(studies(request.param)))


def test_per_study_risk_ratios(case: tuple[str, stats.AnalysisResult]) -> None:
    dataset, result = case
    expected = VALUES[dataset]
    for i, (_, study) in enumerate(result.effects.iterrows(), start=1):
        for suffix in ("rr", "rr_low", "rr_high"):
            column = suffix.replace("rr", "effect")
            reference = expected[f"study{i}_{suffix}"]
            if math.isnan(reference):  # double-zero or all-events: escalc(drop00 = TRUE) drops it
                assert math.isnan(study[column]) and not study["estimable"]
            else:
                assert study[column] == pytest.approx(reference, rel=REL), (i, column)
    assert result.k_pooled == expected["k_pooled"]


@pytest.mark.parametrize("model", stats.MODELS)
def test_pooled_models(case: tuple[str, stats.AnalysisResult], model: str) -> None:
    """Every statistic R computes for the model agrees to 1e-9 relative; what R leaves out
    (one study: no heterogeneity, no Hartung–Knapp; no control events: no exact M-H) is not
    estimable here, with its reason."""
    dataset, result = case
    expected, pooled = VALUES[dataset], result.models[model]
    compared = 0
    for field in FIELDS:
        key = f"{model}_{field}"
        if key in expected and math.isfinite(expected[key]):
            assert getattr(pooled, field) == pytest.approx(expected[key], rel=REL, abs=1e-14), key
            compared += 1
        elif field in stats.CONTRACT_KEYS or stats.is_random(model):
            assert math.isnan(getattr(pooled, field)), key
            reason = (
                pooled.reason
                if field in stats.CONTRACT_KEYS
                else pooled.pi_reason
                if field.startswith("pi_")
                else pooled.heterogeneity_reason
            )
            assert reason in stats.REASONS, key
    if dataset == "one_arm_zero" and model == "fixed_mh_exact":
        assert compared == 0 and pooled.reason == stats.NO_EVENTS_IN_ONE_ARM
    elif dataset == "single" and model == "hksj":
        assert compared == 1 and pooled.reason == stats.SINGLE_STUDY
    else:
        assert compared >= 4


def test_revman_mantel_haenszel_is_the_exact_one_without_zero_cells() -> None:
    """The two M-H conventions differ only for data with a zero cell (here: nielweise2007,
    hahn2001, egger2001, laopaiboon2015; identical for bcg, lee2004 and hine1989)."""
    for dataset in DATASETS:
        if dataset == "one_arm_zero":
            continue
        result = stats.pool(stats.study_effects(studies(dataset)))
        revman, exact = result.models["fixed_mh"], result.models["fixed_mh_exact"]
        if result.zero_cell_studies:
            assert revman.estimate != pytest.approx(exact.estimate, rel=1e-9), dataset
        else:
            assert revman.estimate == pytest.approx(exact.estimate, rel=1e-12), dataset


def test_prediction_interval_uses_t_not_metafors_default_normal_quantile() -> None:
    """metafor's predict() uses the normal quantile unless pi.type = "riley"; the book follows
    Higgins et al. (2009) with t on k − 2 df, which is always wider."""
    for dataset in DATASETS:
        expected = VALUES[dataset]
        if "random_pi_z_low" not in expected:
            continue
        random = stats.pool(stats.study_effects(studies(dataset))).models["random"]
        assert random.pi_low < expected["random_pi_z_low"] * (1 - 1e-9), dataset
        assert random.pi_high > expected["random_pi_z_high"] * (1 + 1e-9), dataset


def test_single_study_heterogeneity_is_not_estimable_where_metafor_reports_zero() -> None:
    """With k = 1 metafor reports τ² = Q = I² = 0 and turns test = "knha" into a z test (with
    a warning); the book reports the study's own estimate and leaves heterogeneity and the
    Hartung–Knapp interval not estimable, with the reason."""
    expected = VALUES["single"]
    assert expected["random_k1_tau2"] == expected["random_k1_q"] == expected["random_k1_i2"] == 0
    models = stats.pool(stats.study_effects(studies("single"))).models
    for model in ("random", "random_revman"):
        assert math.isnan(models[model].tau2) and math.isnan(models[model].i2)
        assert models[model].heterogeneity_reason == stats.SINGLE_STUDY
    # metafor's fallback interval is the ordinary z interval of the study itself.
    assert (models["fixed_iv"].ci_low, models["fixed_iv"].ci_high) == pytest.approx(
        (expected["hksj_z_fallback_ci_low"], expected["hksj_z_fallback_ci_high"]), rel=REL
    )
    assert math.isnan(models["hksj"].ci_low) and models["hksj"].reason == stats.SINGLE_STUDY
