"""The provider chapter's logistic regression against R (``tests/reference/logistic.R``):
glm(family = binomial) coefficients, SEs, Wald and profile-likelihood CIs, Konis's separation
programmes (lpSolve), the output-checking rule for models, the declaration in the study
description and the page in both languages."""

from __future__ import annotations

import csv
import functools
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.chapters.provider import chapter, data, figures, page, regression, tables
from analysis.core.disclosure import SMALL_GROUP
from analysis.core.display import FigureFolder
from analysis.core.output_checks import FEW_DF, statistic_withheld
from analysis.core.results import to_plain
from analysis.core.settings import LANGS, PHONE_FIGURE_SUFFIX, SUPPRESS_BELOW
from analysis.core.validation import InputError
from tests.helpers import SHIPPED_DATA, figures_undrawn

REFERENCE = Path(__file__).parent / "reference"
LEVELS = {
    "finance": ("rha", "nav", "both"),
    "item_a": ("no", "yes"),
    "item_b": ("no", "yes"),
    "item_c": ("no", "yes"),
}
INPUT = pd.concat(
    pd.read_csv(REFERENCE / name, dtype=str, keep_default_na=False, na_values=[""])
    for name in ("logistic_input.csv", "logistic_quasi_input.csv")
)
R_VALUES = list(csv.DictReader((REFERENCE / "logistic_values.csv").open(encoding="utf-8")))
R_QUASI = list(csv.DictReader((REFERENCE / "logistic_quasi_values.csv").open(encoding="utf-8")))
R_SEPARATION = {
    row["dataset"]: row
    for row in csv.DictReader((REFERENCE / "logistic_separation.csv").open(encoding="utf-8"))
}
MODELLED = ("estimate", "se", "z", "p", "wald_low", "wald_high", "profile_low", "profile_high")
PLAN = {"outcome": "permanent_coordinator", "items": ["finance", "dx_musculoskeletal"]}


def dataset(name: str) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    """One data set of the R script and its items (the columns it fills)."""
    frame = INPUT[INPUT["dataset"] == name]
    return frame, {item: levels for item, levels in LEVELS.items() if frame[item].notna().any()}


def fit(name: str, threshold: int = 0) -> regression.LogisticModel:
    frame, items = dataset(name)
    return regression.logistic_regression(frame, "outcome", "yes", items, threshold)


def term_name(coefficient: regression.Coefficient) -> str:
    """The term as the R script names it."""
    return "(Intercept)" if coefficient.item is None else f"{coefficient.item}:{coefficient.level}"


@pytest.mark.parametrize("name", sorted({row["dataset"] for row in R_VALUES}))
def test_coefficients_and_intervals_match_r(name: str) -> None:
    """summary.glm, confint.default and the exact profile limits (uniroot in R) to 1e-6; R's
    own confint() interpolates the profile, so it is only near the exact limits."""
    model = fit(name)
    rows = [row for row in R_VALUES if row["dataset"] == name]
    assert model.reason is None
    assert [term_name(c) for c in model.coefficients] == [row["term"] for row in rows]
    assert model.parameters == len(rows)
    assert model.n - model.parameters == int(rows[0]["df_residual"])
    assert model.deviance == pytest.approx(float(rows[0]["deviance"]), abs=1e-6)
    for coefficient, row in zip(model.coefficients, rows, strict=True):
        for key in MODELLED:
            assert getattr(coefficient, key) == pytest.approx(float(row[key]), abs=1e-6), key
        assert coefficient.profile_low == pytest.approx(float(row["confint_low"]), abs=1e-3)
        assert coefficient.profile_high == pytest.approx(float(row["confint_high"]), abs=1e-3)
        # The profile interval is not the Wald one: the test would notice a swap.
        assert abs(coefficient.profile_high - coefficient.wald_high) > 1e-3


def test_missing_answers_are_left_out_as_r_na_omit_does() -> None:
    frame, _ = dataset("survey")
    model = fit("survey")
    missing = frame[["outcome", "finance", "item_a", "item_b"]].isna().any(axis=1)
    assert model.excluded == int(missing.sum()) > 0
    assert model.n == int(R_SEPARATION["survey"]["n"]) == len(frame) - model.excluded


@pytest.mark.parametrize("name", list(R_SEPARATION))
def test_separation_and_collinearity_as_r_finds_them(name: str) -> None:
    """Konis's linear programmes here and with lpSolve in R agree on the kind of separation and
    on the items with infinite estimates; a rank-deficient design is collinear, as glm's NA."""
    row = R_SEPARATION[name]
    model = fit(name)
    if int(row["rank"]) < int(row["parameters"]):
        assert model.reason == regression.COLLINEAR
        return
    expected = {
        "none": None,
        "quasi_complete": regression.QUASI_COMPLETE_SEPARATION,
        "complete": regression.COMPLETE_SEPARATION,
    }[row["separation"]]
    assert model.reason == expected
    infinite = {term.split(":")[0] for term in row["infinite"].split() if term != "(Intercept)"}
    assert set(model.separated) == infinite
    # Under quasi-complete separation the other terms are estimable, the separated ones named.
    quasi = expected == regression.QUASI_COMPLETE_SEPARATION
    separated = row["infinite"].split() if quasi else []
    finite = 0 if expected == regression.COMPLETE_SEPARATION else int(row["parameters"])
    assert len(model.coefficients) == finite - len(separated)
    assert [f"{item}:{level}" for item, level, _ in model.not_estimable] == separated


@pytest.mark.parametrize("name", sorted({row["dataset"] for row in R_QUASI}))
def test_the_finite_terms_under_quasi_complete_separation_match_r(name: str) -> None:
    """The terms outside the separation keep the estimates and SEs R's glm converges to while
    it drives the separated terms to infinity (1e-6), with the exact profile limits and the
    deviance of the limit model; the separated terms are named not estimable, and the
    programmes predicted perfectly counted (those glm fits at 0 or 1)."""
    model = fit(name)
    rows = [row for row in R_QUASI if row["dataset"] == name]
    assert model.reason == regression.QUASI_COMPLETE_SEPARATION and model.partial
    assert [term_name(c) for c in model.coefficients] == [row["term"] for row in rows]
    for coefficient, row in zip(model.coefficients, rows, strict=True):
        for key, column in (
            ("estimate", "estimate"),
            ("se", "se"),
            ("profile_low", "profile_low"),
            ("profile_high", "profile_high"),
        ):
            assert getattr(coefficient, key) == pytest.approx(float(row[column]), abs=1e-6), key
    assert model.deviance == pytest.approx(float(rows[0]["deviance"]), abs=1e-6)
    assert model.predicted == int(rows[0]["predicted"])
    separated = [f"{item}:{level}" for item, level, _ in model.not_estimable]
    assert separated == rows[0]["separated"].split()


def test_separation_without_a_zero_cell_is_found() -> None:
    """The majority of three items: every item × outcome cell is large, R's glm converges to
    finite-looking numbers, and still no estimate exists."""
    frame, items = dataset("majority")
    for item in items:
        assert pd.crosstab(frame[item], frame["outcome"]).to_numpy().min() >= 6
    assert fit("majority", threshold=5).reason == regression.COMPLETE_SEPARATION


def test_output_check_withholds_a_model_with_a_small_cell() -> None:
    """Every cell of an item's level by the outcome is a group the model compares: the model is
    shown at a threshold equal to the smallest cell and withheld one above it."""
    frame, items = dataset("survey")
    answered = frame.dropna(subset=["outcome", *items])
    smallest = min(
        int(pd.crosstab(answered[item], answered["outcome"]).to_numpy().min()) for item in items
    )
    assert fit("survey", threshold=smallest).reason is None
    withheld = fit("survey", threshold=smallest + 1)
    assert withheld.reason == SMALL_GROUP and withheld.coefficients == ()


def test_output_check_withholds_a_model_with_few_residual_degrees_of_freedom() -> None:
    """Eight programmes, six yes/no items with two programmes in every cell, no separation:
    one residual degree of freedom passes at threshold 1 and is withheld at 2."""
    rows = [
        [0, 1, 1, 1, 1, 0],
        [1, 0, 0, 1, 0, 1],
        [1, 0, 0, 0, 1, 0],
        [0, 1, 1, 0, 0, 1],
        [0, 1, 0, 1, 0, 0],
        [1, 0, 1, 0, 0, 1],
        [0, 0, 1, 0, 1, 1],
        [1, 1, 0, 1, 1, 0],
    ]
    items = [f"item_{i}" for i in range(6)]
    frame = pd.DataFrame(np.where(np.array(rows) == 1, "yes", "no"), columns=items)
    frame["outcome"] = ["yes"] * 4 + ["no"] * 4
    levels = dict.fromkeys(items, ("no", "yes"))
    assert statistic_withheld([2], 2, n=8, parameters=7) == FEW_DF
    shown = regression.logistic_regression(frame, "outcome", "yes", levels, 1)
    assert shown.reason is None and len(shown.coefficients) == 7
    assert regression.logistic_regression(frame, "outcome", "yes", levels, 2).reason == FEW_DF


def described(folder: Path, plan: object) -> Path:
    """The shipped providers with a study description declaring ``plan``."""
    folder.mkdir()
    shutil.copy(SHIPPED_DATA / "providers.csv", folder)
    (folder / "provider.study.yaml").write_text(
        json.dumps({"logistic_regression": plan}), encoding="utf-8"
    )
    return folder


def test_no_model_without_a_declaration(shipped, tmp_path: Path) -> None:
    results = shipped.results("provider")
    assert results.regression is None
    assert results.to_json()["logistic_regression"] is None
    assert page.regression(results, "en", FigureFolder(tmp_path, "figures")) == []
    assert not (tmp_path / "figures").exists()


def test_declared_model_reaches_the_json_and_the_page(tmp_path: Path) -> None:
    results = chapter.analyse(data.load(described(tmp_path / "data", PLAN)))
    model = results.regression
    assert model.reason is None and model.items == ("finance", "dx_musculoskeletal")
    payload = json.loads(json.dumps(to_plain(results.to_json())))["logistic_regression"]
    assert payload["confidence_interval"] == "profile_likelihood"
    finance = payload["coefficients"][1]
    assert (finance["item"], finance["level"], finance["reference"]) == ("finance", "nav", "rha")
    low, high = finance["or_profile_ci"]
    assert low < finance["odds_ratio"] < high
    # A description without a plan: the codes mean what the default plan (the contract) says.
    expected = {
        "en": (
            "The logistic regression of “Permanent coordinator”",
            "Finance: nav vs rha",
            "It uses the 112 programmes that answered every one of these questions.",
        ),
        "nb": (
            "Den logistiske regresjonen av «Fast koordinator»",
            "Finansiering: nav mot rha",
            "Den bygger på 112 tilbud som svarte på alle disse spørsmålene.",
        ),
    }
    folder = FigureFolder(tmp_path / "book", "figures")
    for lang, facts in expected.items():
        shown = "".join(part.data for part in page.regression(results, lang, folder))
        assert all(fact in shown for fact in facts), lang
        assert f"figures/provider-regression-{lang}.svg" in shown
        for suffix in ("", PHONE_FIGURE_SUFFIX):
            assert (
                tmp_path / "book" / "figures" / f"provider-regression-{lang}{suffix}.svg"
            ).is_file()


def test_a_withheld_model_says_why_in_both_languages(tmp_path: Path) -> None:
    results = chapter.analyse(data.load(described(tmp_path / "data", PLAN)), min_cell=100)
    assert results.regression.reason == SMALL_GROUP
    assert results.regression.coefficients == ()
    folder = FigureFolder(tmp_path / "book", "figures")
    shown = {lang: page.regression(results, lang, folder) for lang in ("en", "nb")}
    assert all(len(parts) == 1 for parts in shown.values())  # no table, no figure
    assert not (tmp_path / "book" / "figures").exists()
    texts = {lang: parts[0].data for lang, parts in shown.items()}
    assert "is not estimable" in texts["en"] and "fewer than 100 programmes" in texts["en"]
    assert "kan ikke estimeres" in texts["nb"] and "færre enn 100 tilbud" in texts["nb"]


@pytest.mark.parametrize(
    ("plan", "key", "fix"),
    [
        ({"outcome": "permanent_coordinator"}, "logistic_regression.items", "write it as"),
        (
            {"outcome": "finance", "items": ["dx_mental"]},
            "logistic_regression.outcome",
            "use one of",
        ),
        (
            {"outcome": "permanent_coordinator", "items": ["dx_mental", "programme_id"]},
            "logistic_regression.items",
            "'dx_mental'",
        ),
        (
            {"outcome": "permanent_coordinator", "items": ["permanent_coordinator"]},
            "logistic_regression.items",
            "'finance'",
        ),
    ],
)
def test_a_wrong_declaration_names_the_file_the_key_and_the_fix(
    tmp_path: Path, plan: dict, key: str, fix: str
) -> None:
    with pytest.raises(InputError) as raised:
        data.load(described(tmp_path / "data", plan))
    (problem,) = raised.value.problems
    assert (problem.file, problem.key) == ("provider.study.yaml", key)
    assert fix in problem.fix
    assert problem.text("nb") != problem.text("en")


def separated(folder: Path, outcome: str) -> Path:
    """The shipped providers declaring ``PLAN``, with a permanent coordinator wherever the
    finance is by both (``both``: that term is separated, the others not) or exactly where
    the programme treats musculoskeletal disorders (``dx``: complete separation)."""
    described(folder, PLAN)
    frame = pd.read_csv(folder / "providers.csv", dtype=str, keep_default_na=False)
    if outcome == "both":
        frame.loc[frame["finance"] == "both", "permanent_coordinator"] = "yes"
    else:
        frame["permanent_coordinator"] = frame["dx_musculoskeletal"]
    frame.to_csv(folder / "providers.csv", index=False)
    return folder


NOT_ESTIMABLE = {"en": "not estimable", "nb": "kan ikke estimeres"}
Analysed = Callable[[str, int], chapter.ProviderResults]  # outcome, min_cell -> results


@pytest.fixture(scope="module")
def separated_analysed(tmp_path_factory: pytest.TempPathFactory) -> Analysed:
    """``separated_analysed(outcome, min_cell)``: the results on :func:`separated` data,
    analysed once per module for the tests in each language."""
    folder = tmp_path_factory.mktemp("separated")

    @functools.cache
    def analysed(outcome: str, min_cell: int) -> chapter.ProviderResults:
        if not (folder / outcome).exists():
            separated(folder / outcome, outcome)
        return chapter.analyse(data.load(folder / outcome), min_cell=min_cell)

    return analysed


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_a_term_not_estimable_is_a_labelled_row_without_a_point(
    tmp_path: Path,
    lang: str,
    separated_analysed: Analysed,
    monkeypatch: pytest.MonkeyPatch,
    quick: bool,
) -> None:
    # Three programmes without musculoskeletal disorders have a permanent coordinator.
    results = separated_analysed("both", 3)
    model = results.regression
    both = ("finance", "both", "rha")
    assert model.partial and [term for term, fit in model.rows if fit is None] == [both]
    # The output check covers the finite terms' cells: with the three, it withholds them.
    withheld = separated_analysed("both", 4).regression
    assert withheld.reason == regression.QUASI_COMPLETE_SEPARATION and not withheld.partial
    name = tables.term_name(results.plan, both, lang)
    table = tables.regression_table(results.plan, model, lang)
    assert list(table.iloc[1])[2:] == [NOT_ESTIMABLE[lang], "–"]  # finance: nav, both, dx
    figure = figures.odds_ratios(results, lang, 6.0)
    (ax,) = figure.axes
    labels = [label.get_text().replace("\n", " ") for label in ax.get_yticklabels()]
    assert labels == [tables.term_name(results.plan, term, lang) for term, _ in model.rows]
    row = len(labels) - 1 - labels.index(name)  # the first row is drawn at the top
    (text,) = [text for text in ax.texts if text.get_text() == NOT_ESTIMABLE[lang]]
    assert text.get_position()[1] == row
    points = next(line for line in ax.get_lines() if line.get_marker() == "s")
    assert row not in list(points.get_ydata()) and len(points.get_ydata()) == len(labels) - 1
    plt.close(figure)
    if quick or lang != LANGS[0]:
        figures_undrawn(monkeypatch)  # drawn by `make test`, in the first language only
    shown = "".join(part.data for part in page.regression(results, lang, FigureFolder(tmp_path)))
    assert f"{name}: {NOT_ESTIMABLE[lang]}" in shown  # the alt text names the row, too
    assert "Konis" in shown and f"provider-regression-{lang}.svg" in shown


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_a_model_not_estimable_at_all_says_so_instead_of_a_figure(
    tmp_path: Path, lang: str, separated_analysed: Analysed
) -> None:
    results = separated_analysed("dx", SUPPRESS_BELOW)
    assert results.regression.reason == regression.COMPLETE_SEPARATION
    assert not results.regression.partial and results.regression.coefficients == ()
    parts = page.regression(results, lang, FigureFolder(tmp_path / "book", "figures"))
    assert len(parts) == 1 and NOT_ESTIMABLE[lang] in parts[0].data
    assert not (tmp_path / "book" / "figures").exists()
