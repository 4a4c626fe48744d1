"""The current Cochrane methods beside the RevMan 5 models, computed from the chapter's own
per-study rows (``stats.study_effects``), against metafor 3.8 (``tests/reference/
meta_methods.R``: dat.bcg and a set with a double-zero and two all-events studies)."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters.meta import stats
from analysis.chapters.meta.current import current_methods

REFERENCE = Path(__file__).parent / "reference"
VALUES: dict[str, dict[str, float]] = defaultdict(dict)
for row in csv.DictReader((REFERENCE / "meta_methods_values.csv").open(encoding="utf-8")):
    VALUES[row["dataset"]][row["statistic"]] = (
        math.nan if row["value"] == "NA" else float(row["value"])
    )


def close(value: float, reference: float) -> bool:
    return value == pytest.approx(reference, rel=1e-6, abs=1e-6)


def chapter_effects(dataset: str) -> pd.DataFrame:
    """The dataset's counts as rows of studies.csv, through the chapter's study effects."""
    counts = pd.read_csv(REFERENCE / "meta_methods_binary_input.csv")
    counts = counts[counts["dataset"] == dataset]
    studies = pd.DataFrame(
        {
            "analysis_id": "a",
            "study": counts["study"],
            "events_intervention": counts["ai"],
            "n_intervention": counts["n1i"],
            "events_control": counts["ci"],
            "n_control": counts["n2i"],
            "estimate": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
        }
    )
    return stats.study_effects(studies)


@pytest.mark.parametrize("dataset", ["bcg", "all_events"])
def test_current_default_is_metafors_reml_with_q_profile_hksj_and_riley(dataset):
    expected = VALUES[dataset]
    default = current_methods(chapter_effects(dataset)).default
    pairs = {
        "estimate": "RR_REML_z_estimate",
        "ci_low": "RR_REML_z_ci_low",
        "ci_high": "RR_REML_z_ci_high",
        "hksj_low": "RR_REML_knha_ci_low",
        "hksj_high": "RR_REML_knha_ci_high",
        "pi_low": "RR_REML_z_pi_riley_low",
        "pi_high": "RR_REML_z_pi_riley_high",
    }
    for field, key in pairs.items():
        assert close(getattr(default, field), math.exp(expected[key])), field
    for field in ("tau2", "tau2_low", "tau2_high", "i2", "i2_low", "i2_high"):
        assert close(getattr(default, field), expected[f"RR_REML_z_{field}"]), field
    assert close(default.p, expected["RR_REML_z_p"])
    assert close(default.hksj_p, expected["RR_REML_knha_p"])
    assert default.reason is None and default.pi_reason is None


@pytest.mark.parametrize("dataset", ["bcg", "all_events"])
def test_leave_one_out_is_metafors_over_the_pooled_studies(dataset):
    expected = VALUES[dataset]
    rows = current_methods(chapter_effects(dataset)).leave_one_out
    assert len(rows) == sum(k.startswith("RR_l1o") and k.endswith("_estimate") for k in expected)
    for i, row in enumerate(rows, start=1):
        prefix = f"RR_l1o{i}"
        for field in ("estimate", "ci_low", "ci_high"):
            assert close(getattr(row, field), math.exp(expected[f"{prefix}_{field}"]))
        assert close(row.tau2, expected[f"{prefix}_tau2"])
        assert close(row.i2, expected[f"{prefix}_i2"])


def test_egger_and_the_funnel_only_with_ten_studies():
    bcg = current_methods(chapter_effects("bcg"))
    expected = VALUES["bcg"]
    assert close(bcg.egger.t, expected["RR_egger_t"])
    assert close(bcg.egger.p, expected["RR_egger_p"])
    assert bcg.egger.df == expected["RR_egger_df"] and bcg.egger.reason is None
    assert bcg.funnel is not None and len(bcg.funnel.yi) == 13
    few = current_methods(chapter_effects("all_events"))
    assert few.egger.reason == "fewer_than_ten_studies" and math.isnan(few.egger.p)
    assert few.funnel is None


def test_double_zero_and_all_events_studies_are_named_and_left_out():
    methods = current_methods(chapter_effects("all_events"))
    assert methods.dropped == ["s2", "s3", "s5"]
    assert methods.default.k == 4


def test_one_or_no_study_gives_reasons_not_numbers():
    effects = chapter_effects("all_events")
    one = current_methods(effects[effects["study"].isin(["s1", "s2"])]).default
    assert one.k == 1 and one.estimable and one.heterogeneity_reason == "single_study"
    assert math.isnan(one.tau2) and math.isnan(one.hksj_low)
    assert one.pi_reason == "fewer_than_three_studies"
    none = current_methods(effects[effects["study"] == "s2"])
    assert not none.default.estimable and none.default.reason == "no_estimable_studies"
    assert none.leave_one_out == [] and none.egger.reason == "fewer_than_ten_studies"
    two = current_methods(effects[effects["study"].isin(["s1", "s4"])]).default
    assert math.isfinite(two.tau2_high) and math.isfinite(two.hksj_high)
    assert math.isnan(two.pi_low) and two.pi_reason == "fewer_than_three_studies"
