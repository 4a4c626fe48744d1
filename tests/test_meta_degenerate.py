"""Degenerate meta-analyses: every study double-zero (nothing to pool), a single study (no
heterogeneity) and no events in the control arm of every study (no exact Mantel–Haenszel).
Each statistic that cannot be computed is null with its reason in the JSON and named as not
estimable on the page in both languages, and the chapter still builds."""

from __future__ import annotations

import json
import math
import shutil
from functools import partial
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.chapters.meta import page, stats, tables
from analysis.chapters.meta.chapter import MetaResults, analyse
from analysis.chapters.meta.data import load
from analysis.core.i18n import LANGS, t
from analysis.core.results import to_plain
from tests.conftest import share_build
from tests.helpers import (
    REVIEW_ANALYSES,
    SHIPPED_DATA,
    article_text,
    figures_undrawn,
    write_review,
)

STUDIES = {
    "dz": [("Alpha 2001", 0, 20, 0, 20), ("Beta 2002", 0, 30, 0, 31)],
    "one": [("Gamma 2003", 12, 40, 6, 38)],
    "arm": [("Delta 2004", 3, 20, 0, 21), ("Eps 2005", 5, 30, 0, 29), ("Zeta 2006", 2, 25, 0, 24)],
}
OUTCOMES = {"dz": ("Death", "Død"), "one": ("Relapse", "Tilbakefall"), "arm": ("Injury", "Skade")}
DEGENERATE = [
    {**REVIEW_ANALYSES[0], "analysis_id": key, "outcome_en": en, "outcome_nb": nb}
    for key, (en, nb) in OUTCOMES.items()
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_review(tmp_path_factory.mktemp("degenerate") / "data", STUDIES, DEGENERATE)


@pytest.fixture(scope="module")
def results(data_dir: Path) -> MetaResults:
    return analyse(load(data_dir))


def test_all_double_zero_has_no_estimate(results: MetaResults) -> None:
    """Formerly an "estimate" of 1.0 and then a crash; now every model is not estimable."""
    result = results.analyses["dz"]
    assert (result.k, result.k_pooled, result.n_participants) == (2, 0, 101)
    for model in stats.MODELS:
        pooled = result.models[model]
        assert math.isnan(pooled.estimate) and pooled.reason == stats.NO_STUDIES
    assert result.effects["weight"].isna().all()
    payload = to_plain(results.to_json())["analyses"]["dz"]
    assert payload["k_pooled"] == 0
    assert payload["random_revman"]["estimate"] is None
    assert payload["random_revman"]["reason"] == "no_estimable_studies"
    assert payload["random_revman"]["tau2"] is None
    assert payload["random_revman"]["heterogeneity_reason"] == "no_estimable_studies"


def test_single_study_heterogeneity_is_null_with_reason(results: MetaResults) -> None:
    payload = to_plain(results.to_json())["analyses"]["one"]
    for model in ("random", "random_revman"):
        assert payload[model]["estimate"] == pytest.approx((12 / 40) / (6 / 38))
        assert payload[model]["tau2"] is None and payload[model]["i2"] is None
        assert payload[model]["heterogeneity_reason"] == "single_study"
        assert payload[model]["pi_low"] is None
        assert payload[model]["pi_reason"] == "fewer_than_three_studies"
    assert payload["hksj"]["ci_low"] is None and payload["hksj"]["reason"] == "single_study"


def test_no_control_events_exact_mh_not_estimable_revman_is(results: MetaResults) -> None:
    models = results.analyses["arm"].models
    assert models["fixed_mh_exact"].reason == stats.NO_EVENTS_IN_ONE_ARM
    assert models["fixed_mh"].estimable and models["random_revman"].estimable
    assert results.analyses["arm"].headline == "random_revman"
    assert results.analyses["arm"].zero_cell_studies == ["Delta 2004", "Eps 2005", "Zeta 2006"]


def test_every_cell_renders_and_names_what_is_not_estimable(
    results: MetaResults, figure_folder, monkeypatch: pytest.MonkeyPatch
) -> None:
    for lang in LANGS:
        for cell in (
            page.opening,
            partial(page.prisma, figure_folder=figure_folder),
            page.characteristics,
            partial(page.risk_of_bias, figure_folder=figure_folder),
            partial(page.forest_plots, figure_folder=figure_folder),
            page.summary_of_findings,
            page.models_review,
            page.narrative_results,
            page.reproduction_table,
        ):
            cell(results, lang)
        page.models(results, lang)
        plt.close("all")
        figures_undrawn(monkeypatch)  # figures: drawn in the first language only
    note = tables.models_note(results, "en")
    assert "Not estimable for Graded activity vs usual care, Death:" in note
    assert "no study has events in either arm" in note
    assert "M-H, fixed, exact (metafor rma.mh), because no study has events in one" in note
    assert "two or more studies" in note
    assert "fordi ingen studie har hendelser i noen av armene" in tables.models_note(results, "nb")


def test_the_shipped_review_with_every_study_double_zero_compares_with_reasons(
    tmp_path: Path,
) -> None:
    """The review's own analyses (compared with the publication), every study double-zero:
    each printed number whose value is not estimable is null with the reason, in both
    languages, instead of a crash."""
    data_dir = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA / "meta", data_dir / "meta")
    shutil.copy(SHIPPED_DATA / "meta.study.yaml", data_dir)
    studies = pd.read_csv(data_dir / "meta" / "studies.csv", dtype=str, keep_default_na=False)
    studies.assign(events_intervention="0", events_control="0").to_csv(
        data_dir / "meta" / "studies.csv", index=False
    )
    results = analyse(load(data_dir))
    rows = [row for row in results.reproduction if row["quantity"].key == "meta.q.rr"]
    assert rows and all(row["computed"] is None for row in rows)
    assert all(row["reason"].key == "meta.reason.not_estimable" for row in rows)
    for lang in LANGS:
        reason = t("meta.reason.not_estimable", lang)
        shown = " ".join(
            str(getattr(cell, "data", "")) for cell in page.reproduction_table(results, lang)
        )
        assert reason in shown, lang


share_build("degenerate", "meta", lambda folder: write_review(folder, STUDIES, DEGENERATE))


def test_the_chapter_builds_on_degenerate_analyses(shared_book) -> None:
    out = shared_book("degenerate")
    payload = json.loads((out / "results" / "meta.json").read_text(encoding="utf-8"))
    assert payload["analyses"]["dz"]["fixed_mh"]["reason"] == "no_estimable_studies"
    expected = {
        "en": ("Death: RR Not estimable", "no study has events in either arm", "M-H, fixed, exact"),
        "nb": ("Død: RR Kan ikke estimeres", "ingen studie har hendelser", "eksakt (metafor"),
    }
    for lang in LANGS:
        text = article_text(out / "html" / lang / "meta.html")
        for fact in expected[lang]:
            assert fact in text, (lang, fact)
