"""The built cohort chapter: results contract, synthetic-data notices, re-run on another cohort."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analysis.chapters.cohort.chapter import analyse
from analysis.chapters.cohort.data import load
from analysis.generators import cohort as generator
from tests.conftest import share_build
from tests.helpers import SHIPPED_DATA

pytestmark = pytest.mark.book
HR_KEYS = {"hr", "ci_low", "ci_high", "p", "n"}
MEDIAN_KEYS = {"estimate", "ci_low", "ci_high", "coarsened_curve"}


def _check_contract(payload: dict) -> None:
    assert {"n", "n_coordinator", "follow_up_days", "outcomes", "programme_type"} <= set(payload)
    assert set(payload["outcomes"]) == {"first_rtw", "full_rtw"}
    for outcome in payload["outcomes"].values():
        for key in ("median_days", "median_days_bc"):
            assert set(outcome[key]) == {"coordinator", "no_coordinator"}
            for median in outcome[key].values():
                assert set(median) == MEDIAN_KEYS
        assert {"chi2", "p"} <= set(outcome["logrank"])
        for key in (
            "cox_unadjusted",
            "cox_unadjusted_breslow",
            "cox_without_programme_type",
            "cox_adjusted",
        ):
            assert set(outcome[key]) == HR_KEYS
        assert set(outcome["cox_unadjusted_cluster"]) == {"hr", "ci_low", "ci_high", "se", "p"}
        assert set(outcome["ph_test"]) == {"cox_unadjusted", "cox_adjusted"}
        assert {
            "coordinator_chi2",
            "coordinator_p",
            "global_chi2",
            "global_df",
            "global_p",
            "transform",
        } <= set(outcome["ph_test"]["cox_adjusted"])
        assert outcome["ph_test"]["cox_adjusted"]["transform"] == "km"


def test_cohort_json_follows_the_contract(built_book: Path) -> None:
    payload = json.loads((built_book / "results" / "cohort.json").read_text(encoding="utf-8"))
    _check_contract(payload)
    assert (payload["n"], payload["n_coordinator"], payload["follow_up_days"]) == (326, 237, 360)
    assert payload["compared"] is True
    statuses = {row["status"] for row in payload["reproduction"]}
    assert {"exact_by_construction", "calibrated", "differs", "not_reproducible"} <= statuses
    assert all(row["reason"] for row in payload["reproduction"] if row["status"] == "differs")


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        ("en", ("synthetic: no real person", "Synthetic data.", "Brookmeyer–Crowley", "95% CI")),
        (
            "nb",
            (
                "syntetiske: ingen virkelige personer",
                "Syntetiske data.",
                "Brookmeyer–Crowley",
                "95\u00a0% KI",
            ),
        ),
    ],
)
def test_chapter_says_the_data_are_synthetic(built_book: Path, lang: str, phrases) -> None:
    html = (built_book / "html" / lang / "cohort.html").read_text(encoding="utf-8")
    for phrase in phrases:
        assert phrase in html
    assert html.count(phrases[1]) >= 7  # under every table of results (figures: test_reading)
    for name in ("km-first_rtw", "km-full_rtw", "km-programme-type", "schoenfeld", "rtw-rates"):
        assert f"cohort-{name}-{lang}.svg" in html  # drawn for the column, text kept as text
    if lang == "nb":
        assert "0,70 (95\u00a0% KI" in html  # decimal comma, Norwegian CI label


def another_cohort(folder: Path) -> Path:
    """The generator's cohort of seed 99 with the shipped description (synthetic, reproduces
    the paper) in ``folder / "data"``; returns that folder."""
    data_dir = generator.write(folder / "data" / "cohort.csv", seed=99).parent
    shutil.copy(SHIPPED_DATA / "cohort.study.yaml", data_dir)
    return data_dir


# In one English build with other data of the provider and interview chapters (test_book).
share_build("rerun", "cohort", another_cohort, langs=["en"])


def test_chapter_reruns_on_another_cohort(shared_book, tmp_path: Path) -> None:
    out = shared_book("rerun")
    payload = json.loads((out / "results" / "cohort.json").read_text(encoding="utf-8"))
    _check_contract(payload)
    expected = analyse(load(another_cohort(tmp_path))).to_json()
    shipped = analyse(load(SHIPPED_DATA)).to_json()
    assert (
        payload["outcomes"]["first_rtw"]["cox_unadjusted"]
        != shipped["outcomes"]["first_rtw"]["cox_unadjusted"]
    )
    first = payload["outcomes"]["first_rtw"]
    assert first["cox_adjusted"]["hr"] == pytest.approx(
        expected["outcomes"]["first_rtw"]["cox_adjusted"]["hr"]
    )
    assert first["median_days"] == expected["outcomes"]["first_rtw"]["median_days"]
    # Any seed of the generator meets Table 1 by construction; the times are calibrated (at the
    # default threshold a median is read off the coarsened curve, its interval is withheld).
    statuses = {}
    for row in payload["reproduction"]:
        statuses.setdefault(row["quantity"]["key"], set()).add(row["status"])
    assert statuses["cohort.repro.n"] == {"exact_by_construction"}
    medians = statuses["cohort.repro.median"]
    assert medians <= {"calibrated", "differs", "withheld"}
    assert statuses["cohort.repro.median_ci_low"] == {"withheld"}
    assert payload["compared"] is True
    html = (out / "html" / "en" / "cohort.html").read_text(encoding="utf-8")
    assert "synthetic: no real person" in html
    assert "these data were made by it" in html and "by construction" in html
