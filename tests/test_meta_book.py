"""The built meta-analysis chapter: results file and the reconstructed-data warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.book


def test_meta_json_contract(built_book: Path) -> None:
    payload = json.loads((built_book / "results" / "meta.json").read_text(encoding="utf-8"))
    analyses = payload["analyses"]
    assert analyses["mr_uc_12"]["k"] == 3
    assert analyses["mr_active_12"]["n_participants"] == 851
    revman = analyses["mr_active_24"]["random_revman"]
    assert [round(revman[key], 2) for key in ("estimate", "ci_low", "ci_high")] == [
        0.94,
        0.84,
        1.05,
    ]
    assert {"tau2", "i2", "q", "q_p", "pi_low", "pi_high"} <= set(analyses["mr_uc_12"]["random"])
    assert payload["reproduction"]


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [
        ("en", "are reconstructed, not published"),
        ("nb", "er rekonstruerte, ikke publiserte"),
    ],
)
def test_every_forest_plot_carries_the_warning(built_book: Path, lang: str, phrase: str) -> None:
    html = (built_book / "html" / lang / "meta.html").read_text(encoding="utf-8")
    for analysis_id in ("mr_uc_12", "mr_active_12", "mr_active_24"):
        assert f"meta-forest-{analysis_id}-{lang}.svg" in html
    assert html.count(phrase) == 3  # a warning box under each plot, not repeated in its caption
    assert "⨁◯◯◯" in html


@pytest.mark.parametrize(
    ("lang", "facts"),
    [
        ("en", ("REML (current)", "Q-profile", "Leave-one-out:", "advises against testing")),
        ("nb", ("REML (gjeldende)", "Q-profil", "Én studie utelatt om gangen:", "fraråder")),
    ],
)
def test_current_methods_and_sensitivity_on_the_page(
    built_book: Path, lang: str, facts: tuple[str, ...]
) -> None:
    html = (built_book / "html" / lang / "meta.html").read_text(encoding="utf-8")
    for fact in facts:
        assert fact in html, fact
    assert html.count(facts[0]) == 3  # one current-default row per analysis
    assert html.count(facts[2]) == 2  # leave-one-out for the two analyses with 3 or 4 studies
    assert "meta-funnel-" not in html  # no analysis has ten studies
    payload = json.loads((built_book / "results" / "meta.json").read_text(encoding="utf-8"))
    current = payload["analyses"]["mr_uc_12"]["current"]
    assert current["current_default"]["tau2_low"] <= current["current_default"]["tau2"]
    assert current["egger"]["reason"] == "fewer_than_ten_studies"
