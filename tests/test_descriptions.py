"""The study descriptions: their schemas validate the shipped files, refuse mistakes at the
key, and make the reference tables of the re-run page."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from analysis.chapters import CHAPTERS
from analysis.core.describe import description_table, keys
from analysis.core.problems import InputError
from analysis.core.settings import LANGS
from analysis.core.study import load_study
from tests.helpers import SHIPPED_DATA


def description(name: str):
    return importlib.import_module(f"analysis.chapters.{name}.data").DESCRIPTION


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_shipped_description_is_valid_and_reproduces_its_publication(name: str) -> None:
    study = load_study(SHIPPED_DATA, name, description(name))
    assert study.described and study.reproduces in description(name).publications


@pytest.mark.parametrize("name", CHAPTERS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_reference_lists_every_key_with_its_meaning(name: str, lang: str) -> None:
    table = description_table(description(name), f"{name}.study.yaml", lang)
    rows = [line for line in table.splitlines() if line.startswith("* - `")]
    paths = [path for path, _, _ in keys(description(name))]
    assert [row.removeprefix("* - ").strip("`") for row in rows] == paths
    assert {"title", "provenance", "reproduces", "outcomes"} <= set(paths)
    assert "\n  - \n" not in table  # every cell has something
    assert description(name).publications[0] in table


def test_the_reference_gives_each_chapter_its_own_facts_and_forms() -> None:
    interviews = [path for path, _, _ in keys(description("interviews"))]
    assert "facts.n_invited" in interviews
    assert not [path for path, _, _ in keys(description("cohort")) if path.startswith("facts")]
    cohort = description_table(description("cohort"), "cohort.study.yaml", "nb")
    assert "`first_rtw`, `full_rtw`" in cohort and "kohortstudien" in cohort


def write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.study.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text", "key", "fix"),
    [
        ("cohort", "provenance: synthetic\n", "provenance", "generated"),
        ("cohort", "outcomes: {return: {direction: beneficial}}\n", "outcomes.return", "first_rtw"),
        ("meta", "reproduces: berg2015provider\n", "reproduces", "fhi2019review"),
        ("meta", "outcomes: {a: {direction: harmful}, b: {}}\n", "outcomes.b.direction", "harmful"),
        ("meta", "title: {en: Only English}\n", "title", "nb:"),
        ("provider", "facts: {randomised: true}\n", "facts.randomised", "remove"),
        ("interviews", "facts: {n_invited: many}\n", "facts.n_invited", "n_invited: 40"),
    ],
)
def test_a_mistake_names_the_file_and_the_key_with_the_fix(
    tmp_path: Path, name: str, text: str, key: str, fix: str
) -> None:
    write(tmp_path, name, text)
    with pytest.raises(InputError) as error:
        load_study(tmp_path, name, description(name))
    (problem,) = error.value.problems
    assert (problem.file, problem.key, problem.column) == (f"{name}.study.yaml", key, None)
    assert f"key '{key}'" in problem.text("en") and fix in problem.fix
    assert f"nøkkel '{key}'" in problem.text("nb")


def test_one_outcome_needs_no_direction(tmp_path: Path) -> None:
    write(tmp_path, "meta", "outcomes: {rtw: {name: {en: return, nb: retur}}}\n")
    study = load_study(tmp_path, "meta", description("meta"))
    assert study.outcomes["rtw"].direction == "beneficial" and study.observed
