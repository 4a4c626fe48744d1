"""The provider chapter's logistic regression against R (``tests/reference/logistic.R``):
glm(family = binomial) coefficients, SEs, Wald and profile-likelihood CIs, Konis's separation
programmes (lpSolve), the output-checking rule for models, the declaration in the study
description and the page in both languages."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters.provider import chapter, data, page, regression
from analysis.core.disclosure import SMALL_GROUP
from analysis.core.display import FigureFolder
from analysis.core.output_checks import FEW_DF, statistic_withheld
from analysis.core.results import to_plain
from analysis.core.settings import PHONE_FIGURE_SUFFIX
from analysis.core.validation import InputError
from tests.helpers import SHIPPED_DATA

REFERENCE = Path(__file__).parent / "reference"
LEVELS = {
    "finance": ("rha", "nav", "both"),
    "item_a": ("no", "yes"),
    "item_b": ("no", "yes"),
    "item_c": ("no", "yes"),
}
INPUT = pd.read_csv(
    REFERENCE / "logistic_input.csv", dtype=str, keep_default_na=False, na_values=[""]
)
R_VALUES = list(csv.DictReader((REFERENCE / "logistic_values.csv").open(encoding="utf-8")))
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
    assert len(model.coefficients) == (0 if expected else int(row["parameters"]))


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
