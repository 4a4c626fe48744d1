"""Provider survey: statistics against hand-computed references, data against the thesis."""

import math
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.chapters.provider import chapter, data, figures, narrative, stats
from analysis.chapters.provider.reproduction import published
from analysis.core.display import COLUMN_WIDTH
from analysis.core.reproduction import within_rounding
from analysis.core.study import Study
from analysis.core.validation import InputError
from analysis.generators import provider as generator
from tests.helpers import SHIPPED_DATA as DATA
from tests.helpers import Shipped


@pytest.fixture(scope="module")
def provider_data(shipped: Shipped) -> data.ProviderData:
    """The shipped providers' data."""
    return shipped.data("provider")


@pytest.fixture(scope="module")
def programmes(provider_data) -> pd.DataFrame:
    return provider_data.frame


def hand_statistics(a: int, b: int, c: int, d: int) -> dict:
    """Textbook formulas for a 2x2 table [[a, b], [c, d]]."""
    n = a + b + c + d
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    log_or_se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    odds_ratio = a * d / (b * c)
    return {
        "chi2": n * (a * d - b * c) ** 2 / margins,
        "chi2_yates": n * (abs(a * d - b * c) - n / 2) ** 2 / margins,
        "odds_ratio": odds_ratio,
        "or_ci_low": odds_ratio * math.exp(-1.959963985 * log_or_se),
        "or_ci_high": odds_ratio * math.exp(1.959963985 * log_or_se),
    }


@pytest.mark.parametrize("cells", [(37, 27, 21, 34), (16, 5, 42, 56), (10, 20, 30, 45)])
def test_table_statistics_match_textbook_formulas(cells):
    a, b, c, d = cells
    result = stats.table_statistics(
        {"exposed_yes": a, "exposed_no": b, "unexposed_yes": c, "unexposed_no": d}
    )
    for key, expected in hand_statistics(a, b, c, d).items():
        assert getattr(result, key) == pytest.approx(expected, rel=1e-9), key
    # With one degree of freedom, p = P(Z^2 > chi2) = erfc(sqrt(chi2 / 2)).
    assert result.p == pytest.approx(math.erfc(math.sqrt(result.chi2 / 2)), rel=1e-9)


def test_fisher_exact_matches_the_tea_tasting_example():
    # Fisher's lady tasting tea: [[3, 1], [1, 3]], two-sided p = 34/70 = 0.4857.
    result = stats.table_statistics(
        {"exposed_yes": 3, "exposed_no": 1, "unexposed_yes": 1, "unexposed_no": 3}
    )
    assert result.p_fisher == pytest.approx(34 / 70, rel=1e-9)


def test_two_by_two_leaves_out_missing_answers(programmes):
    plan = data.default_plan()
    outcome = stats.outcome(programmes, plan)
    counts = stats.two_by_two(stats.exposure(programmes, plan, "dx_musculoskeletal"), outcome)
    assert sum(counts.values()) == 112
    nav = stats.exposure(programmes, plan, "finance_nav")
    assert sum(stats.two_by_two(nav, outcome).values()) == 119


def test_shipped_data_reproduce_the_published_tables(provider_data, programmes):
    pub = published()
    assert len(programmes) == pub["n_programmes"]
    assert programmes["finance"].value_counts().to_dict() == pub["finance_groups"]
    plan = data.default_plan()
    for section, table in (
        ("types", "types"),
        ("coordinator_types", "coordinators"),
        ("diagnoses", "diagnoses"),
    ):
        counts = stats.cross_table(programmes, plan, table)
        for column, by_group in pub[section].items():
            assert counts.loc[column, list(data.FINANCE)].to_dict() == by_group, column
    results = chapter.analyse(provider_data)
    for name, target in pub["tables"].items():
        assert results.tests[name].counts == target["counts"], name


def test_published_statistics_are_reproduced_within_rounding(provider_data):
    tables = chapter.analyse(provider_data).tests
    expected = {  # chi2 and OR (95 % CI) of the thesis's Tables 4, 5 and 6
        "finance_nav": (4.562, 2.22, 1.06, 4.63),
        "finance_both": (7.691, 4.27, 1.45, 12.58),
        "dx_musculoskeletal": (7.103, 3.77, 1.37, 10.40),
    }
    for name, (chi2, odds, low, high) in expected.items():
        test = tables[name]
        assert round(test.chi2, 3) == pytest.approx(chi2, abs=1e-3)
        assert round(test.odds_ratio, 2) == pytest.approx(odds)
        assert round(test.or_ci_low, 2) == pytest.approx(low)
        assert round(test.or_ci_high, 2) == pytest.approx(high)
    assert within_rounding(tables["finance_rha"].p, "0.99")


def test_reproduction_rows_flag_the_known_printing_errors(provider_data):
    results = chapter.analyse(provider_data)
    assert results.compared
    differing = [
        row["quantity"].to_json() for row in results.statistic_rows if row["status"] == "differs"
    ]
    exposure = "provider.exposure.{}".format
    assert [q["values"]["exposure"]["key"] for q in differing if q["key"].endswith(".p")] == [
        exposure("finance_nav")
    ]
    assert [
        q["values"]["exposure"]["key"] for q in differing if q["key"].endswith(".or_ci_high")
    ] == [exposure("finance_both")]
    assert sum(q["key"] == "provider.repro.types_total" for q in differing) == 2
    assert sum(q["key"] == "provider.repro.gp_percent" for q in differing) == 2
    assert len(differing) == 6
    assert all(row["status"] == "exact_by_construction" for row in results.count_rows)


def test_construction_is_deterministic_and_matches_the_shipped_file():
    shipped = pd.read_csv(DATA / "providers.csv", dtype=str, keep_default_na=False)
    built = generator.construct().astype(str)
    pd.testing.assert_frame_equal(built.reset_index(drop=True), shipped)


def test_every_programme_has_a_type_and_no_need_excludes_a_coordinator(programmes):
    assert (programmes[list(data.TYPES)].sum(axis=1) >= 1).all()
    no_need = programmes["coord_no_need"].eq(1).fillna(False)
    assert not programmes.loc[no_need, "permanent_coordinator"].eq("yes").any()


def test_unknown_finance_value_is_rejected(tmp_path: Path):
    frame = pd.read_csv(DATA / "providers.csv", dtype=str, keep_default_na=False)
    frame.loc[4, "finance"] = "county"
    frame.to_csv(tmp_path / "providers.csv", index=False)
    with pytest.raises(InputError) as error:
        data.load(tmp_path)
    assert not (tmp_path / "provider.study.yaml").exists()
    assert [(p.column, p.row) for p in error.value.problems] == [("finance", 5)]


def test_comparison_only_for_data_that_declare_the_thesis(provider_data):
    assert chapter.analyse(provider_data).compared
    assert chapter.analyse(provider_data, compare=False).reproduction == []
    undeclared = data.ProviderData(provider_data.frame, Study())
    results = chapter.analyse(undeclared)
    assert not results.compared and results.reproduction == []
    assert results.to_json()["compared"] is False


def test_opening_names_the_study_or_the_file(provider_data):
    described = narrative.opening(chapter.analyse(provider_data), "en")
    assert "telephone interviews" in described and "{cite:t}`berg2015provider`" in described
    small = data.ProviderData(provider_data.frame.head(1), Study())
    neutral = narrative.opening(chapter.analyse(small), "en")
    assert "a survey of 1 programme." in neutral and "providers.csv" not in neutral
    assert "RHA" not in neutral and "NAV" not in neutral  # the shipped survey's financing
    assert "Raskere" not in neutral and "telephone" not in neutral
    assert "1 tilbud" in narrative.opening(chapter.analyse(small), "nb")


def test_the_thesis_and_its_software_only_beside_the_thesis(provider_data):
    compared = chapter.analyse(provider_data)
    assert narrative.software(compared, "en").startswith("The thesis used SPSS")
    assert narrative.software(compared, "nb").startswith("Oppgaven brukte SPSS")
    other = chapter.analyse(data.ProviderData(provider_data.frame, Study()))
    assert "Pearson" in narrative.software(other, "en")
    assert "thesis" not in narrative.software(other, "en")
    assert "Oppgaven" not in narrative.software(other, "nb")


def test_a_table_with_an_empty_margin_is_not_estimable():
    result = stats.table_statistics(
        {"exposed_yes": 0, "exposed_no": 0, "unexposed_yes": 3, "unexposed_no": 4}
    )
    assert result.reason == "empty_margin"
    assert math.isnan(result.chi2) and math.isnan(result.odds_ratio)
    assert result.to_json()["reason"] == "empty_margin"


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_a_survey_where_every_programme_answers_alike_draws_its_figure(programmes, answer):
    """Every programme with (or without) a permanent coordinator: the share is 1 (or 0) and its
    interval contains it, so the figure's error bars are drawn (7 programmes a group: a size at
    which Wilson's bound misses 1 by a rounding error)."""
    survey = pd.concat([programmes[programmes["finance"].eq(f)].head(7) for f in data.FINANCE])
    shares = stats.outcome_by_group(
        survey.assign(permanent_coordinator=answer), data.default_plan()
    )
    assert (shares["ci_low"] <= shares["share"]).all()
    assert (shares["share"] <= shares["ci_high"]).all()
    results = chapter.analyse(
        data.ProviderData(survey.assign(permanent_coordinator=answer), Study())
    )
    plt.close(figures.outcome_share(results, "en", COLUMN_WIDTH))
