"""Provider 2×2 statistics against base R (``tests/reference/provider.R``) on nine tables with
zero cells and an empty row and column, and the not-estimable and zero-cell notes in a build."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters.provider import chapter, data, page, stats
from analysis.core.i18n import LANGS
from analysis.core.results import to_plain
from tests.conftest import share_build
from tests.helpers import SHIPPED_DATA, article_text

REFERENCE = Path(__file__).parent / "reference" / "provider_values.csv"
STATISTICS = (
    "chi2",
    "p",
    "chi2_yates",
    "p_yates",
    "p_fisher",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
)
R_TABLES = {row["table"]: row for row in csv.DictReader(REFERENCE.open(encoding="utf-8"))}


def counts(row: dict[str, str]) -> dict[str, int]:
    return {cell: int(row[cell]) for cell in stats.CELLS}


@pytest.mark.parametrize("name", [n for n in R_TABLES if not n.startswith("empty")])
def test_two_by_two_statistics_match_r(name: str) -> None:
    """chisq.test with and without correct, fisher.test, Woolf by hand (Haldane–Anscombe with a
    zero cell), to 1e-9 relative."""
    row = R_TABLES[name]
    result = stats.table_statistics(counts(row))
    for key in STATISTICS:
        assert getattr(result, key) == pytest.approx(float(row[key]), rel=1e-9), key
    zero = 0 in counts(row).values()
    assert result.or_correction == (stats.HALDANE_ANSCOMBE if zero else None)
    assert result.reason is None


def test_zero_cell_adds_half_to_all_four_cells_not_only_the_zero_one() -> None:
    result = stats.table_statistics(counts(R_TABLES["zero_a"]))
    # [[0, 8], [5, 6]] + 0.5 everywhere; replacing only the zero cell would give 0.5 * 6 / 40.
    assert result.odds_ratio == pytest.approx(0.5 * 6.5 / (8.5 * 5.5), rel=1e-12)
    assert result.counts == {
        "exposed_yes": 0,
        "exposed_no": 8,
        "unexposed_yes": 5,
        "unexposed_no": 6,
    }


@pytest.mark.parametrize("name", ["empty_row", "empty_column"])
def test_empty_margin_is_not_estimable_where_r_gives_nan_and_p_one(name: str) -> None:
    """R: chisq.test is NaN and fisher.test returns p = 1 (a test of nothing); the book reports
    every statistic as not estimable, with the reason."""
    row = R_TABLES[name]
    assert row["chi2"] == "NaN" and float(row["p_fisher"]) == 1.0
    result = stats.table_statistics(counts(row))
    payload = json.loads(json.dumps(to_plain(result.to_json())))
    assert payload["reason"] == "empty_margin"
    assert all(payload[key] is None for key in STATISTICS)
    assert payload["counts"] == counts(row)


def degenerate_providers(folder: Path) -> Path:
    """The shipped programmes, with every programme serving mental disorders (an empty row)
    and none of the NAV-only programmes with a coordinator serving musculoskeletal conditions
    while the rest do (a zero cell); the study description declares a logistic regression on
    that item, whose answer then equals the coordinator's (complete separation)."""
    frame = pd.read_csv(SHIPPED_DATA / "providers.csv", dtype=str, keep_default_na=False)
    frame["dx_mental"] = "yes"
    frame["dx_musculoskeletal"] = "yes"
    frame.loc[frame["permanent_coordinator"].eq("no"), "dx_musculoskeletal"] = "no"
    frame.loc[frame.index[:3], "dx_musculoskeletal"] = "no"
    frame.loc[frame.index[:3], "permanent_coordinator"] = "no"
    folder.mkdir()
    frame.to_csv(folder / "providers.csv", index=False)
    (folder / "provider.study.yaml").write_text(
        "logistic_regression:\n  outcome: permanent_coordinator\n"
        "  items: [finance, dx_musculoskeletal]\n",
        encoding="utf-8",
    )
    return folder


def test_notes_name_the_empty_margin_and_the_correction(tmp_path: Path) -> None:
    results = chapter.analyse(data.load(degenerate_providers(tmp_path / "data")))
    assert results.tests["dx_mental"].reason == "empty_margin"
    assert results.tests["dx_musculoskeletal"].or_correction == stats.HALDANE_ANSCOMBE
    html = page.tests_table(results, "en").data
    assert "Not estimable: dx_mental" in html
    assert "Haldane–Anscombe" in html and "* A zero cell" in html
    assert "Haldane–Anscombe" in page.tests_table(results, "nb").data


share_build("degenerate", "provider", degenerate_providers)


def test_the_chapter_builds_with_an_empty_margin_and_a_zero_cell(shared_book) -> None:
    out = shared_book("degenerate")
    payload = json.loads((out / "results" / "provider.json").read_text(encoding="utf-8"))
    mental = payload["tables"]["dx_mental"]
    assert mental["reason"] == "empty_margin" and mental["odds_ratio"] is None
    assert payload["tables"]["dx_musculoskeletal"]["or_correction"] == "haldane_anscombe"
    assert payload["logistic_regression"]["reason"] == "complete_separation"
    expected = {
        "en": (
            "Not estimable: dx_mental",
            "Haldane–Anscombe correction",
            "together the items predict the outcome of every programme perfectly",
        ),
        "nb": (
            "Kan ikke estimeres: dx_mental",
            "Haldane–Anscombe-korreksjon",
            "til sammen forutsier spørsmålene utfallet for hvert tilbud perfekt",
        ),
    }
    for lang in LANGS:
        text = article_text(out / "html" / lang / "provider.html")
        for fact in expected[lang]:
            assert fact in text, (lang, fact)
