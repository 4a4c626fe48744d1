"""A provider survey with other questions, declared by the analysis plan of its study
description: another grouping variable (a region coded 1–3), a 4-level single-choice item,
a yes/no item and a multiple-choice item in three 0/1 columns. The chapter builds its results
and page from data plus description alone, in both languages; its 2×2 tests, shares and
logistic regression match R (``tests/reference/provider_plan.R``: ``chisq.test``,
``fisher.test``, the Woolf odds ratio, ``prop.test``'s Wilson interval, ``glm`` and the exact
profile limits); a wrong plan is an input error naming the file and the key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.special import expit

from analysis.chapters.provider import chapter, data, figures, page, stats, tables
from analysis.core.contracts import contract_markdown
from analysis.core.display import COLUMN_WIDTH, PHONE_WIDTH, FigureFolder
from analysis.core.problems import InputError
from analysis.core.settings import PHONE_FIGURE_SUFFIX
from tests.helpers import figures_undrawn

REFERENCE = Path(__file__).parent / "reference"
INPUT = REFERENCE / "provider_plan_input.csv"
R_VALUES = json.loads((REFERENCE / "provider_plan_values.json").read_text(encoding="utf-8"))
SIZES = ("small", "medium", "large", "very_large")
AIMS = ("aim_work", "aim_health", "aim_social")
TESTED = ("chi2", "p", "chi2_yates", "p_yates", "p_fisher", "odds_ratio", "or_ci_low", "or_ci_high")
MODELLED = ("estimate", "se", "z", "p", "wald_low", "wald_high", "profile_low", "profile_high")


def text(en: str, nb: str) -> dict[str, str]:
    return {"en": en, "nb": nb}


PLAN = {
    "items": {
        "region": {
            "kind": "single",
            "label": text("health region", "helseregion"),
            "column": "region",
            "codes": {
                "1": text("North", "Nord"),
                "2": text("Central", "Midt"),
                "3": text("South-East", "Sør-Øst"),
            },
        },
        "size": {
            "kind": "single",
            "label": text("programme size", "tilbudets størrelse"),
            "column": "size",
            "codes": {
                "small": text("Small", "Lite"),
                "medium": text("Medium", "Middels"),
                "large": text("Large", "Stort"),
                "very_large": text("Very large", "Svært stort"),
            },
        },
        "contact": {
            "kind": "yes_no",
            "label": text("contact with the employer", "kontakt med arbeidsgiver"),
            "column": "employer_contact",
            "may_be_empty": True,
        },
        "aims": {
            "kind": "multiple",
            "label": text("aim of the programme", "målet med tilbudet"),
            "columns": {
                "aim_work": text("Return to work", "Tilbake i arbeid"),
                "aim_health": text("Better health", "Bedre helse"),
                "aim_social": text("Social participation", "Sosial deltakelse"),
            },
        },
        "plan": {
            "kind": "yes_no",
            "label": text("written return-to-work plan", "skriftlig plan for tilbakeføring"),
            "column": "return_plan",
            "may_be_empty": True,
        },
    },
    "group": "region",
    "outcome": "plan",
    "cross_tables": {
        "sizes": {
            "label": text("Programme size", "Tilbudets størrelse"),
            "rows": ["size"],
            "figure": "stacked",
        },
        "aims": {
            "label": text("Aims and employer contact", "Mål og arbeidsgiverkontakt"),
            "rows": ["aims", "contact"],
            "sum_row": True,
            "figure": "grouped",
        },
    },
    "odds_ratios": {
        "contact": {"label": text("Employer contact", "Arbeidsgiverkontakt"), "item": "contact"},
        "large": {
            "label": text("Large or very large", "Stort eller svært stort"),
            "item": "size",
            "codes": ["large", "very_large"],
        },
        "aim_work": {
            "label": text("Aims at work", "Sikter mot arbeid"),
            "item": "aims",
            "column": "aim_work",
        },
        "south_east": {
            "label": text("In the South-East", "I Sør-Øst"),
            "item": "region",
            "codes": ["3"],
        },
    },
}
REGRESSION = {"outcome": "return_plan", "items": ["size", "employer_contact", "aim_work"]}
DESCRIPTION = {
    "title": text("Return-to-work plans in rehabilitation", "Planer for tilbakeføring"),
    "provenance": "simulated",
    "plan": PLAN,
    "logistic_regression": REGRESSION,
}
# Words of the plan in one language only: none may show in the other language's page.
ENGLISH_ONLY = ("North", "Central", "Return to work", "Employer contact", "written return")
BOKMAL_ONLY = ("Nord", "Midt", "Tilbake i arbeid", "Arbeidsgiverkontakt", "skriftlig plan")


def survey(n: int = 240, seed: int = 21) -> pd.DataFrame:
    """The survey of the tests and of the R script: each answer drawn at random (seeded), the
    plan's odds raised by size, employer contact, a work aim and the South-East; a few
    programmes without an answer on the outcome or on employer contact."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["1", "2", "3"], n, p=[0.4, 0.35, 0.25])
    size = rng.choice(SIZES, n, p=[0.3, 0.3, 0.25, 0.15])
    contact = rng.random(n) < 0.5
    aims = rng.random((n, 3)) < [0.6, 0.4, 0.3]
    eta = (
        -0.8
        + 0.5 * (size == "medium")
        + 0.9 * (size == "large")
        + 1.3 * (size == "very_large")
        + 0.8 * contact
        + 0.6 * aims[:, 0]
        + 0.3 * (region == "3")
    )
    outcome = rng.random(n) < expit(eta)
    frame = pd.DataFrame(
        {
            "programme_id": [f"P{i:03d}" for i in range(1, n + 1)],
            "region": region,
            "size": size,
            "employer_contact": np.where(contact, "yes", "no"),
            **{aim: aims[:, j].astype(int) for j, aim in enumerate(AIMS)},
            "return_plan": np.where(outcome, "yes", "no"),
        }
    ).astype({"employer_contact": object, "return_plan": object})
    frame.loc[rng.choice(n, 6, replace=False), "return_plan"] = None
    frame.loc[rng.choice(n, 4, replace=False), "employer_contact"] = None
    return frame


def write_study(folder: Path, description: dict, frame: pd.DataFrame | None = None) -> Path:
    """A data folder with the survey (or ``frame``) and the study description."""
    folder.mkdir(parents=True, exist_ok=True)
    (survey() if frame is None else frame).to_csv(folder / "providers.csv", index=False)
    (folder / "provider.study.yaml").write_text(
        yaml.safe_dump(description, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> chapter.ProviderResults:
    return chapter.analyse(data.load(write_study(tmp_path_factory.mktemp("plan"), DESCRIPTION)))


def test_the_survey_is_the_one_r_read() -> None:
    """The committed input of the R script is this test's survey, byte for byte."""
    assert survey().to_csv(index=False, lineterminator="\n") == INPUT.read_text(encoding="utf-8")


def test_the_cross_tables_follow_the_plan(results: chapter.ProviderResults) -> None:
    sizes, aims = results.sections["sizes"], results.sections["aims"]
    assert list(results.sections) == ["sizes", "aims"]
    assert list(sizes.index) == [f"size:{size}" for size in SIZES]
    assert list(aims.index) == [*AIMS, "contact"]
    assert list(sizes.columns) == ["1", "2", "3", "total"]
    for table in (sizes, aims):
        for name, row in table.iterrows():
            for region in ("1", "2", "3"):
                expected = R_VALUES["counts"][name.removeprefix("size:")][region]
                assert row[region] == expected, (name, region)
    assert sizes["total"].sum() == len(survey())


def test_shares_and_2x2_tests_match_r(results: chapter.ProviderResults) -> None:
    for region, expected in R_VALUES["shares"].items():
        share = results.shares.loc[region]
        assert (share["yes"], share["valid"]) == (expected["yes"], expected["valid"])
        for key in ("share", "ci_low", "ci_high"):
            assert share[key] == pytest.approx(expected[key], abs=1e-6), (region, key)
    assert list(results.tests) == list(PLAN["odds_ratios"])
    for name, expected in R_VALUES["tests"].items():
        test = results.tests[name]
        assert test.counts == {cell: expected[cell] for cell in test.counts}, name
        for key in TESTED:
            assert getattr(test, key) == pytest.approx(expected[key], abs=1e-6), (name, key)
        assert test.reason is None and test.or_correction is None


def test_the_regression_matches_glm(results: chapter.ProviderResults) -> None:
    model = results.regression
    expected = R_VALUES["glm"]
    assert model.reason is None
    assert (model.n, model.events, model.excluded) == (
        expected["n"],
        expected["events"],
        len(survey()) - expected["n"],
    )
    assert model.deviance == pytest.approx(expected["deviance"], abs=1e-6)
    names = ["(Intercept)" if c.item is None else f"{c.item}:{c.level}" for c in model.coefficients]
    assert names == [term["term"] for term in expected["terms"]]
    for coefficient, term in zip(model.coefficients, expected["terms"], strict=True):
        for key in MODELLED:
            assert getattr(coefficient, key) == pytest.approx(term[key], abs=1e-6), key


def page_text(results: chapter.ProviderResults, lang: str, folder: FigureFolder) -> str:
    """Every output of the page's cells in ``lang`` (the reproduction part says it compares
    nothing)."""
    parts = [
        *page.opening(results, lang),
        page.outcome_summary(results, lang),
        *page.frequency_tables(results, lang),
        *page.grouped_figures(results, lang, folder),
        page.outcome_figure(results, lang, folder),
        page.tests_table(results, lang),
        *page.regression(results, lang, folder),
        *page.reproduction_tables(results, lang),
    ]
    return "\n".join(part.data for part in parts)


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_page_speaks_of_the_plan_in_each_language(
    results: chapter.ProviderResults, lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures_undrawn(monkeypatch)  # drawn: test_the_odds_ratio_figure_has_a_row_per_term...
    shown = page_text(results, lang, FigureFolder(tmp_path, "figures"))
    own, other = (ENGLISH_ONLY, BOKMAL_ONLY) if lang == "en" else (BOKMAL_ONLY, ENGLISH_ONLY)
    assert all(word in shown for word in own), lang
    assert not [word for word in other if re.search(rf"\b{word}\b", shown)], lang
    original = ("finance", "finansiering", "RHA", "RHF", "coordinator", "koordinator", "diagnos")
    assert not [word for word in original if word.lower() in shown.lower()], lang
    assert "provider." not in shown and "{" not in shown.replace("{figure}", "").replace(
        "{note}", ""
    )
    drawn = {path.name for path in (tmp_path / "figures").iterdir()}
    for name in ("sizes", "aims", "shares", "regression"):
        for suffix in ("", PHONE_FIGURE_SUFFIX):
            assert f"provider-{name}-{lang}{suffix}.svg" in drawn, (name, suffix)


@pytest.mark.parametrize("width", [COLUMN_WIDTH, PHONE_WIDTH])
def test_the_odds_ratio_figure_has_a_row_per_term_on_a_log_axis(
    results: chapter.ProviderResults, width: float
) -> None:
    figure = figures.odds_ratios(results, "nb", width)
    (ax,) = figure.axes
    assert ax.get_xscale() == "log"
    assert figure.get_size_inches()[0] == pytest.approx(width)
    labels = [label.get_text().replace("\n", " ") for label in ax.get_yticklabels()]
    terms = results.regression.terms
    assert labels == [tables.term_name(results.plan, term.term, "nb") for term in terms]
    assert "Svært stort mot Lite" in " ".join(labels)
    low, high = ax.get_xlim()
    assert all(
        low < np.exp(term.profile_low) and np.exp(term.profile_high) < high for term in terms
    )
    assert any(line.get_xdata()[0] == 1 for line in ax.get_lines())  # the line of no effect
    plt.close(figure)


def test_the_contract_follows_the_plan(tmp_path: Path) -> None:
    folder = write_study(tmp_path / "data", DESCRIPTION)
    (contract,) = data.schemas(folder)
    assert [field.name for field in contract.fields] == [
        "programme_id",
        "region",
        "size",
        "employer_contact",
        *AIMS,
        "return_plan",
    ]
    assert contract.field("region").levels == ("1", "2", "3")
    for lang, words in (("en", "health region"), ("nb", "helseregion")):
        shown = contract_markdown("provider", (contract,), lang)
        assert words in shown and "`very_large`" in shown and "finance" not in shown
    assert data.schemas(tmp_path) == data.SCHEMAS  # no description: today's plan


def test_the_default_plan_is_the_shipped_description_s_in_neutral_words() -> None:
    """Without a plan the chapter analyses what the shipped description's plan analyses, but
    names each code and option by itself, not by the questionnaire's wording."""
    shipped = yaml.safe_load(
        (Path(__file__).parent / "fixtures" / "shipped-data" / "provider.study.yaml").read_text(
            encoding="utf-8"
        )
    )
    declared, default = data.PlanKeys.model_validate(shipped["plan"]), data.default_plan()
    assert data.plan_shape(declared) == data.plan_shape(default)
    assert declared != default and default.question is None
    for item in default.items.values():
        for name, text in {**(item.codes or {}), **(item.columns or {})}.items():
            assert text.en == text.nb == name


def changed(**parts: object) -> dict:
    """The description with parts of its plan replaced (``items__size`` is ``items.size``)."""
    plan = json.loads(json.dumps(PLAN))
    for path, value in parts.items():
        *parents, last = path.split("__")
        target = plan
        for parent in parents:
            target = target[parent]
        target[last] = value
    return {**DESCRIPTION, "plan": plan, "logistic_regression": None}


@pytest.mark.parametrize(
    ("description", "key", "fix"),
    [
        (
            changed(items__size={**PLAN["items"]["size"], "column": "programme_size"}),
            "plan.items.size.column",
            "'size'",
        ),
        (
            changed(
                items__aims={
                    **PLAN["items"]["aims"],
                    "columns": {"aim_work": text("a", "b"), "aim_money": text("c", "d")},
                }
            ),
            "plan.items.aims.columns",
            "'aim_work'",
        ),
        (
            changed(items__plan={**PLAN["items"]["plan"], "label": {"en": "plan"}}),
            "plan.items.plan.label",
            "label:",
        ),
        (changed(outcome="size"), "plan.outcome", "'contact', 'plan'"),
        (changed(group="aims"), "plan.group", "'region'"),
        (
            changed(odds_ratios__large={**PLAN["odds_ratios"]["large"], "codes": ["huge"]}),
            "plan.odds_ratios.large.codes",
            "'very_large'",
        ),
        (
            changed(items__size={**PLAN["items"]["size"], "codes": None}),
            "plan.items.size.codes",
            "codes:",
        ),
        (
            changed(items__contact={**PLAN["items"]["contact"], "columns": {"a": text("a", "b")}}),
            "plan.items.contact.columns",
            "remove",
        ),
        (changed(cross_tables__sizes={"label": text("A", "B"), "rows": ["age"]}), None, "'size'"),
    ],
)
def test_a_wrong_plan_names_the_file_the_key_and_the_fix(
    tmp_path: Path, description: dict, key: str | None, fix: str
) -> None:
    cleaned = {name: value for name, value in description.items() if value is not None}
    with pytest.raises(InputError) as raised:
        data.load(write_study(tmp_path / "data", cleaned))
    where = key or "plan.cross_tables.sizes.rows"
    problem = next(problem for problem in raised.value.problems if problem.key == where)
    assert problem.file == "provider.study.yaml"
    assert fix in problem.text("en")
    assert problem.text("nb") != problem.text("en")


def test_a_code_the_plan_does_not_declare_names_the_column_and_row(tmp_path: Path) -> None:
    frame = survey()
    frame.loc[9, "size"] = "huge"
    with pytest.raises(InputError) as raised:
        data.load(write_study(tmp_path / "data", DESCRIPTION, frame))
    (problem,) = raised.value.problems
    assert problem.file.endswith("providers.csv") and problem.column == "size"
    assert "'very_large'" in problem.text("en") and "'very_large'" in problem.text("nb")
    assert problem.row == 10  # the tenth programme (line 11, under the header)


def test_reproducing_the_thesis_needs_its_plan(tmp_path: Path) -> None:
    claim = {**DESCRIPTION, "reproduces": "berg2015provider"}
    with pytest.raises(InputError) as raised:
        data.load(write_study(tmp_path / "data", claim))
    (problem,) = raised.value.problems
    assert (problem.file, problem.key) == ("provider.study.yaml", "reproduces")


def test_only_a_table_of_several_answers_says_so(results: chapter.ProviderResults) -> None:
    """The size table has one answer per programme; the aims table several."""
    sizes, aims = (part.data for part in page.frequency_tables(results, "en"))
    assert "Programme size by health region" in sizes and "several answers" not in sizes
    assert "several answers" in aims and "Et tilbud kan ha flere svar" in "".join(
        part.data for part in page.frequency_tables(results, "nb")
    )


def test_questions_that_share_codes_keep_their_own_labels() -> None:
    """Two single-choice questions coded 1 and 2 name their rows each in its own words."""
    shared = {
        name: {
            "kind": "single",
            "label": text(name, name),
            "column": name,
            "codes": {"1": text(f"{name} one", f"{name} én"), "2": text(f"{name} two", "to")},
        }
        for name in ("first", "second")
    }
    plan = data.PlanKeys.model_validate(
        {
            "items": {**shared, "yes": {"kind": "yes_no", "label": text("y", "j"), "column": "y"}},
            "group": "first",
            "outcome": "yes",
            "cross_tables": {"both": {"label": text("B", "B"), "rows": ["first", "second"]}},
        }
    )
    frame = pd.DataFrame({"first": ["1", "2", "2"], "second": ["2", "2", "1"], "y": ["yes"] * 3})
    counts = stats.cross_table(frame, plan, "both")
    assert counts["total"].to_dict() == {"first:1": 1, "first:2": 2, "second:1": 1, "second:2": 2}
    names = tables.row_names(plan, "en")
    assert [names[row] for row in counts.index] == [
        "first one",
        "first two",
        "second one",
        "second two",
    ]
