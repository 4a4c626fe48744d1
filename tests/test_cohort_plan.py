"""The cohort chapter on a cohort with an analysis plan of its own (``plan:`` in
``cohort.study.yaml``): another exposure (``arm``: intervention against control), another
cluster (``clinic``), other covariates (``grade`` 50/100, ``region`` with three levels, ``age``
in other bands), a horizon of 180 days, two model blocks and a subgroup analysis by region.

The cohort is made by ``tests.helpers.plan_cohort`` (seeded) and written as
``tests/reference/cohort_plan_input.csv``, which ``tests/reference/cohort_plan.R`` fits with
R's ``coxph`` (its values in ``cohort_plan_values.csv``); the plan's mistakes are reported at
their key.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import CHAPTERS
from analysis.chapters.cohort import page as cohort_page
from analysis.chapters.cohort import tables
from analysis.chapters.cohort.chapter import CohortResults, analyse
from analysis.chapters.cohort.cox import CoxFits
from analysis.chapters.cohort.data import DEFAULT_PLAN, PAPER_PLAN, CohortData, load, schema
from analysis.chapters.cohort.plan import RESULT_KEYS
from analysis.core.contracts import contract_table
from analysis.core.display import FigureFolder
from analysis.core.problems import InputError
from analysis.core.settings import LANGS
from analysis.pipeline.sources import contract_includes
from tests.conftest import share_build
from tests.helpers import PLANNED_CLINICS as CLINICS
from tests.helpers import PLANNED_COHORT as PLAN
from tests.helpers import PLANNED_HORIZON as HORIZON
from tests.helpers import PLANNED_N as N
from tests.helpers import (
    SHIPPED_DATA,
    Shipped,
    article_text,
    cohort_page_text,
    figures_undrawn,
    plan_cohort,
    write_planned_book,
    write_planned_cohort,
)

REFERENCE = Path(__file__).parent / "reference"
TOLERANCE = 1e-6

share_build("plan", "cohort", write_planned_book)


@pytest.fixture(scope="module")
def planned_data(tmp_path_factory: pytest.TempPathFactory) -> CohortData:
    """The planned cohort, loaded once per module (the tests only read it)."""
    return load(write_planned_cohort(tmp_path_factory.mktemp("plan") / "data"))


@pytest.fixture(scope="module")
def planned(planned_data: CohortData) -> CohortResults:
    return analyse(planned_data)


def test_the_reference_input_is_the_cohort_the_test_makes() -> None:
    written = (REFERENCE / "cohort_plan_input.csv").read_text(encoding="utf-8")
    assert plan_cohort().to_csv(index=False, lineterminator="\n") == written


def r_values() -> pd.Series:
    frame = pd.read_csv(REFERENCE / "cohort_plan_values.csv", dtype={"value": float})
    return frame.set_index(["outcome", "model", "statistic"])["value"].sort_index()


def assert_fits_match_r(fits: CoxFits, r: pd.Series) -> None:
    """The model's n, and its Efron, Breslow and robust fits, as R's ``coxph`` printed them."""
    assert fits.efron.n == int(r["n"])
    for fit, coef, se in (
        (fits.efron, r["efron_coef"], r["efron_se"]),
        (fits.breslow, r["breslow_coef"], r["breslow_se"]),
        (fits.robust, r["efron_coef"], r["robust_se"]),
    ):
        assert np.log(fit.hr) == pytest.approx(coef, abs=TOLERANCE)
        assert fit.se == pytest.approx(se, abs=TOLERANCE)


@pytest.mark.parametrize("outcome", ["first_rtw", "full_rtw"])
@pytest.mark.parametrize("model", ["unadjusted", "adjusted"])
def test_the_plan_models_match_r_coxph(planned: CohortResults, outcome: str, model: str) -> None:
    r = r_values().loc[(outcome, model)]
    fits = planned.outcomes[outcome].cox[model]
    assert_fits_match_r(fits, r)


def stratified_plan() -> dict:
    """The plan with grade as strata of every model instead of a covariate."""
    plan = copy.deepcopy(PLAN)
    plan["strata"] = "grade"
    plan["models"] = {
        "unadjusted": PLAN["models"]["unadjusted"],
        "stratified": {
            "covariates": ["age_band", "region"],
            "label": {"en": "Stratified by grade", "nb": "Stratifisert på grad"},
        },
    }
    return plan


@pytest.fixture(scope="module")
def stratified(tmp_path_factory: pytest.TempPathFactory) -> CohortResults:
    """The results of the planned cohort with grade as strata (:func:`stratified_plan`)."""
    folder = tmp_path_factory.mktemp("stratified") / "data"
    return analyse(load(write_planned_cohort(folder, stratified_plan())))


def test_a_stratified_model_is_named_on_the_page(
    stratified: CohortResults, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "stratified by sick-leave grade" in cohort_page_text(stratified, monkeypatch, "en")


@pytest.mark.parametrize("outcome", ["first_rtw", "full_rtw"])
def test_a_stratified_model_matches_r_coxph_with_strata(
    stratified: CohortResults, outcome: str
) -> None:
    r = r_values().loc[(outcome, "stratified")]
    fits = stratified.outcomes[outcome].cox["stratified"]
    assert_fits_match_r(fits, r)
    unstratified = r_values().loc[(outcome, "adjusted", "efron_coef")]
    assert abs(np.log(fits.efron.hr) - unstratified) > 1e-4  # the strata do change the fit


def test_a_plan_without_a_subgroup_analysis_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = copy.deepcopy(PLAN)
    del plan["subgroups"]
    results = analyse(load(write_planned_cohort(tmp_path / "data", plan)))
    assert results.subgroups == {}
    assert not {"by_region", "programme_type"} & set(results.to_json())
    for lang, words in {"en": "declares no subgroup", "nb": "oppgir ingen subgruppe"}.items():
        assert words in cohort_page_text(results, monkeypatch, lang)


def two_subgroups() -> dict:
    """The plan with a second subgroup analysis, by sick-leave grade, after the one by region."""
    plan = copy.deepcopy(PLAN)
    plan["subgroups"]["by_grade"] = {"variable": "grade", "odds_ratio_reference": "100"}
    return plan


@pytest.fixture(scope="module")
def by_two_data(tmp_path_factory: pytest.TempPathFactory) -> CohortData:
    """The planned cohort with two subgroup analyses (:func:`two_subgroups`), loaded once per
    module (the tests only read it)."""
    folder = tmp_path_factory.mktemp("two_subgroups") / "data"
    return load(write_planned_cohort(folder, two_subgroups()))


@pytest.fixture(scope="module")
def planned_by_two(by_two_data: CohortData) -> CohortResults:
    """The results of the plan with two subgroup analyses."""
    return analyse(by_two_data)


def test_each_subgroup_analysis_is_analysed_as_if_alone(
    tmp_path: Path, planned_by_two: CohortResults
) -> None:
    results = planned_by_two
    assert list(results.subgroups) == ["by_region", "by_grade"]
    alone = copy.deepcopy(PLAN)
    alone["subgroups"] = {"by_grade": two_subgroups()["subgroups"]["by_grade"]}
    by_grade = analyse(load(write_planned_cohort(tmp_path / "alone", alone))).subgroups["by_grade"]
    payload = results.to_json()
    assert payload["by_grade"] == by_grade.to_json()
    assert payload["by_region"]["groups"].keys() == {"north", "middle", "south"}
    assert set(payload["by_grade"]["groups"]) == {"50", "100"}
    assert results.subgroups["by_grade"].comparison.logrank.df == 1
    # A subgroup analysis may not take another result's key (the loader refuses those names).
    assert set(payload) - set(results.subgroups) <= RESULT_KEYS
    assert results.subgroups["by_region"].comparison.logrank.df == 2
    checked = [check["artefact"] for check in payload["disclosure"]["checks"]]
    for name in ("by_region", "by_grade"):
        assert f"{name}.coordinator_odds_ratio" in checked
    assert "figure.km.first_rtw.grade.50" in checked


@pytest.mark.parametrize("threshold", [10, 20])
def test_no_subgroup_analysis_gives_its_hidden_numbers_returned_away_with_the_total(
    by_two_data: CohortData, threshold: int
) -> None:
    """The levels of each subgroup analysis add up to the cohort's number returned: with one
    analysis hiding none, the total is known, so no other may hide exactly one of its own
    (a level whose number is hidden, or those without a value, whose number is implied)."""
    results = analyse(by_two_data, suppress_below=threshold)
    for name, subgroup in results.subgroups.items():
        hidden = [level for level, group in subgroup.groups.items() if group.returned is None]
        implied = 1 if subgroup.left_out != 0 else 0  # those without a value
        assert len(hidden) + implied != 1, (name, hidden, subgroup.left_out)


@pytest.mark.parametrize("lang", LANGS)
def test_each_subgroup_analysis_is_a_section_of_its_own(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    planned_by_two: CohortResults,
    quick: bool,
) -> None:
    if quick or lang != LANGS[0]:
        figures_undrawn(monkeypatch)  # drawn by `make test`, in the first language only
    shown = cohort_page.programme_types(planned_by_two, lang, FigureFolder(tmp_path))
    headings = [item.data for item in shown if "\n### " in getattr(item, "data", "")]
    region, grade = (PLAN["variables"][name]["label"][lang] for name in ("region", "grade"))
    assert len(headings) == 2 and region in headings[0] and grade in headings[1]
    text = cohort_page_text(planned_by_two, monkeypatch, lang)
    graded = PLAN["variables"]["grade"]["levels"]["50"][lang]
    for label in ({"en": "Subgroups", "nb": "Subgrupper"}[lang], region, grade, graded):
        assert label in text, label
    assert len(re.findall("log-rank", text, re.IGNORECASE)) >= 3  # exposure, region, grade


def test_the_results_follow_the_plan(planned: CohortResults) -> None:
    frame = plan_cohort()
    assert planned.n == N and planned.n_programmes == CLINICS
    assert planned.follow_up_days == HORIZON
    assert planned.n_coordinator == int((frame["arm"] == "intervention").sum())
    assert list(planned.table1.blocks) == PLAN["table1"]
    assert planned.table1.levels("age_band")[:3] == ["-39", "40-54", "55+"]
    assert list(planned.outcomes["first_rtw"].cox) == ["unadjusted", "adjusted"]
    assert set(planned.outcomes["first_rtw"].ph_tests) == {"unadjusted", "adjusted"}
    assert list(planned.subgroups) == ["by_region"]
    assert list(planned.subgroups["by_region"].groups) == ["north", "middle", "south"]
    assert planned.subgroups["by_region"].variable == "region"
    payload = planned.to_json()
    assert set(payload["by_region"]) == {"groups", "logrank_first_rtw", "coordinator_odds_ratio"}
    assert "programme_type" not in payload
    # Output checking still covers the declared tables: Table 1 cells, the subgroup's odds ratio.
    paths = [check["artefact"] for check in payload["disclosure"]["checks"]]
    assert "by_region.coordinator_odds_ratio" in paths
    assert set(payload["table1"]) == set(PLAN["table1"])
    assert set(payload["table1"]["grade"]["50"]) == {"total", "intervention", "control"}
    assert set(payload["outcomes"]["first_rtw"]["events"]) == {"intervention", "control"}


def test_a_small_cell_of_a_declared_table_is_hidden(planned_data: CohortData) -> None:
    results = analyse(planned_data, suppress_below=30)
    shown = results.to_json()
    hidden = shown["disclosure"]["suppressed"]
    assert any(path.startswith("table1.region.missing") for path in hidden)
    assert shown["table1"]["region"]["missing"]["total"] is None


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_renders_the_plan_labels(
    planned: CohortResults, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    text = cohort_page_text(planned, monkeypatch, lang)
    expected = {
        "en": ("Intervention", "Control", "Sick-leave grade", "Graded (50%)", "55 or older"),
        "nb": ("Intervensjon", "Kontroll", "Sykmeldingsgrad", "Gradert (50 %)", "55 eller eldre"),
    }[lang]
    for label in expected:
        assert label in text, label
    assert "Landsdel" in text if lang == "nb" else "Region" in text
    only_first = {"en": "by region in the first outcome only", "nb": "bare i det første utfallet"}
    assert only_first[lang] in text
    table = tables.table1(planned, lang)
    assert set(table["variable"]) == {
        PLAN["variables"][name]["label"][lang] for name in PLAN["table1"]
    }
    assert PLAN["models"]["adjusted"]["label"][lang] in text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("400 persons in 16 clusters (`clinic`)", "Persons in the same", "by `clinic`")),
        ("nb", ("400 personer i 16 klynger (`clinic`)", "Personer i samme", "på `clinic`")),
    ],
)
def test_a_plan_whose_description_names_no_nouns_counts_persons_and_clusters(
    planned: CohortResults, monkeypatch: pytest.MonkeyPatch, lang: str, words: tuple[str, ...]
) -> None:
    text = cohort_page_text(planned, monkeypatch, lang)
    assert all(word in text for word in words), text
    # The paper's nouns in what a reader reads (not in a figure's file name).
    nouns = r"(?<![\w-])(?:employee|arbeidstaker|programme|tilbud)"
    paper = re.findall(rf".{{0,60}}{nouns}.{{0,20}}", text, re.IGNORECASE)
    assert not paper, paper


@pytest.mark.parametrize("lang", LANGS)
def test_the_data_contract_follows_the_plan(lang: str) -> None:
    from analysis.chapters.cohort.data import AnalysisPlan

    contract = contract_table(schema(AnalysisPlan.model_validate(PLAN)), lang)
    columns = re.findall(r"^\* - (.+)$", contract, re.M)[1:]
    named = {name.strip("`") for row in columns for name in row.split(", ")}
    assert {"id", "clinic", "arm", "region", "age", "grade", "first_rtw"} <= named
    assert not named & {"coordinator", "programme_id", "programme_type", "sex"}
    assert "`intervention`, `control`" in contract and "`50`, `100`" in contract


def test_the_rerun_page_shows_the_contract_of_the_plan(tmp_path: Path) -> None:
    cohort = [CHAPTERS["cohort"]]
    planned = contract_includes(cohort, write_planned_cohort(tmp_path / "data"))("en")
    shipped = contract_includes(cohort, SHIPPED_DATA)("en")
    assert shipped == contract_includes(cohort)("en")  # the paper's plan: the contract as ever
    assert "`clinic`" in planned["includes/contract-cohort.md"]
    assert "`clinic`" not in shipped["includes/contract-cohort.md"]


def problems_of(tmp_path: Path, **changes: object) -> list[tuple[str, str]]:
    """The (key, message) of each problem of the plan with ``changes`` (dotted paths)."""
    plan = copy.deepcopy(PLAN)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = plan
        for part in parents:
            target = target[part]
        target[last] = value
    with pytest.raises(InputError) as error:
        load(write_planned_cohort(tmp_path / "data", plan))
    return [(problem.key, problem.text("en")) for problem in error.value.problems]


@pytest.mark.parametrize(
    ("changes", "where", "words"),
    [
        (
            {"models__adjusted__covariates": ["age_band", "sector"]},
            "plan.models.adjusted.covariates",
            "sector",
        ),
        ({"table1": ["age_band", "income"]}, "plan.table1", "income"),
        ({"variables__grade__reference": "75"}, "plan.variables.grade.reference", "75"),
        (
            {"subgroups": {"by_x": {"variable": "region", "odds_ratio_reference": "west"}}},
            "plan.subgroups.by_x.odds_ratio_reference",
            "west",
        ),
        (
            {"subgroups": {"by_x": {"variable": "clinic_size"}}},
            "plan.subgroups.by_x.variable",
            "clinic_size",
        ),
        (
            {"models__unadjusted__covariates": ["grade"]},
            "plan.models.unadjusted.covariates",
            "nested",
        ),
        ({"variables__region__levels__south": None}, "plan.variables.region.levels.south", "label"),
        ({"variables__grade__bands": [{"level": "x"}]}, "plan.variables.grade", "bands"),
        ({"exposure__reference": "placebo"}, "plan.exposure.reference", "placebo"),
        ({"strata": "sector"}, "plan.strata", "sector"),
        ({"strata": "grade"}, "plan.models.adjusted.covariates", "strata"),
        ({"exposure__levels": {"intervention": None}}, "plan.exposure.levels", "two levels"),
        (
            {"subgroups": {"by_region": {"variable": "region"}, "again": {"variable": "region"}}},
            "plan.subgroups.again.variable",
            "by_region",
        ),
        ({"subgroups": {"table1": {"variable": "region"}}}, "plan.subgroups.table1", "cohort.json"),
    ],
)
def test_a_plan_mistake_is_reported_at_its_key(tmp_path, changes, where, words) -> None:
    found = problems_of(tmp_path, **changes)
    assert any(key == where and words in text for key, text in found), found


def test_every_plan_problem_reads_in_both_languages(tmp_path: Path) -> None:
    plan = copy.deepcopy(PLAN)
    plan["exposure"]["levels"] = {"intervention": None}
    plan["table1"] = ["age_band", "region", "income"]
    with pytest.raises(InputError) as error:
        load(write_planned_cohort(tmp_path / "data", plan))
    assert len(error.value.problems) == 2
    assert "cohort.study.yaml" in error.value.text("en") and "income" in error.value.text("nb")
    assert "intervention" in error.value.text("nb")


def test_the_shipped_description_declares_the_papers_plan(shipped: Shipped) -> None:
    assert shipped.data("cohort").plan == PAPER_PLAN


def test_the_default_plan_is_the_papers_in_neutral_words() -> None:
    """Without a description the chapter analyses what the paper's plan analyses, but names
    the paper's programme types by their codes."""
    assert schema(DEFAULT_PLAN) == schema(PAPER_PLAN) and DEFAULT_PLAN != PAPER_PLAN
    for code, label in DEFAULT_PLAN.variables["programme_type"].labels().items():
        assert label == dict.fromkeys(LANGS, code)
    assert PAPER_PLAN.variables["programme_type"].labels() == dict.fromkeys(
        ("occupational_rehabilitation", "treatment", "follow_up")
    )


def test_a_plan_naming_a_column_not_in_the_data_names_the_column(tmp_path: Path) -> None:
    plan = copy.deepcopy(PLAN)
    plan["variables"]["grade"]["column"] = "sick_leave_grade"
    with pytest.raises(InputError) as error:
        load(write_planned_cohort(tmp_path / "data", plan))
    assert any(p.column == "sick_leave_grade" for p in error.value.problems)
    for lang in LANGS:
        assert "cohort.csv" in error.value.text(lang)


def test_a_missing_stratum_names_file_column_and_row(tmp_path: Path) -> None:
    folder = write_planned_cohort(tmp_path / "data", stratified_plan())
    frame = pd.read_csv(folder / "cohort.csv", dtype=str, keep_default_na=False)
    frame.loc[11, "grade"] = ""
    frame.to_csv(folder / "cohort.csv", index=False)
    with pytest.raises(InputError) as error:
        load(folder)
    [problem] = error.value.problems
    assert (problem.column, problem.row) == ("grade", 12)
    assert "stratum" in problem.text("en") and "stratum" in problem.text("nb")


def test_a_value_not_declared_as_a_level_names_file_column_and_row(tmp_path: Path) -> None:
    folder = write_planned_cohort(tmp_path / "data")
    frame = pd.read_csv(folder / "cohort.csv", dtype=str, keep_default_na=False)
    frame.loc[6, "region"] = "west"
    frame.to_csv(folder / "cohort.csv", index=False)
    with pytest.raises(InputError) as error:
        load(folder)
    [problem] = error.value.problems
    assert (problem.column, problem.row) == ("region", 7)
    assert "north" in problem.text("en") and "north" in problem.text("nb")


def test_the_book_of_a_planned_cohort_builds_in_both_languages(shared_book) -> None:
    out = shared_book("plan")
    words = {
        "en": ("Time to return to work by study arm", "Sick-leave grade", "Intervention"),
        "nb": ("Tid til tilbakeføring etter studiearm", "Landsdel", "Kontroll"),
    }
    paper = {"en": ("coordinator", "programme type"), "nb": ("koordinator", "type tilbud")}
    for lang in LANGS:
        page = article_text(out / "html" / lang / "cohort.html")
        assert all(word in page for word in words[lang]), lang
        html = (out / "html" / lang / "cohort.html").read_text(encoding="utf-8")
        for name in ("by-region", "by-grade"):  # each subgroup analysis a section of its own
            assert f'<section id="subgroup-{name}"' in html, (lang, name)
        assert not [word for word in paper[lang] if word in page.lower()], lang
        assert "clinic" in article_text(out / "html" / lang / "rerun.html")
