"""The cohort chapter on someone else's cohort: the page states that cohort's facts only.

The data are made by ``tests.helpers.foreign_cohort`` (seeded): 1,500 employees in 20
programmes, a coordinator hazard ratio of 1.3, coordinators a little more common in the slow
programme types (so adjusting for programme type moves the hazard ratio away from 1), ten
employees without a programme type, no household income column, fewer category levels, and
no study description.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.chapters.cohort import narrative, page
from analysis.chapters.cohort.chapter import CohortResults, analyse
from analysis.chapters.cohort.data import load
from analysis.core import display
from analysis.core.i18n import fmt_int
from analysis.pipeline.build import build
from tests.conftest import share_build
from tests.helpers import (
    FOREIGN_N as N,
)
from tests.helpers import (
    FOREIGN_PROGRAMMES as PROGRAMMES,
)
from tests.helpers import (
    FOREIGN_WITHOUT_TYPE as WITHOUT_TYPE,
)
from tests.helpers import (
    Shipped,
    article_text,
    figures_undrawn,
    foreign_cohort,
)

NB_N = fmt_int(N, "nb")  # 1 500 with the bokmål thousands space
# What the shipped study's page says and a page on other data must not.
SHIPPED_FACTS = {
    "en": (
        "326",
        "43 programmes",
        "2012",
        "Raskere tilbake",
        "ynthetic",
        "paper",
        "Table 1 exactly",
    ),
    "nb": (
        "326",
        "43 tilbud",
        "2012",
        "Raskere tilbake",
        "yntetisk",
        "artikkel",
        "tabell 1 eksakt",
    ),
}
# The heading of the section that compares with the paper: a page that compares nothing has
# no such section.
REPRODUCTION = {
    "en": "Reproduction of the published results",
    "nb": "Reproduksjon av de publiserte resultatene",
}


def write_data(folder: Path, study: str | None = None) -> Path:
    folder.mkdir(parents=True)
    foreign_cohort().to_csv(folder / "cohort.csv", index=False)
    if study is not None:
        (folder / "cohort.study.yaml").write_text(study, encoding="utf-8")
    return folder


share_build("foreign", "cohort", write_data)


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CohortResults]:
    data = write_data(tmp_path_factory.mktemp("foreign") / "data")
    return data, analyse(load(data))


def test_the_foreign_cohort_is_what_the_page_should_describe(foreign) -> None:
    _, results = foreign
    assert (results.n, results.n_programmes, results.subgroups["programme_type"].left_out) == (
        N,
        PROGRAMMES,
        WITHOUT_TYPE,
    )
    assert "household_income" not in results.adjusted_covariates
    assert not results.compared and results.reproduction == [] and not results.study.described
    fits = results.outcomes["first_rtw"].cox
    before, after = fits["cox_without_programme_type"].efron.hr, fits["cox_adjusted"].efron.hr
    assert narrative.shift(before, after) == "away" and after > 1


def test_the_page_on_a_foreign_cohort_states_its_facts_only(foreign, shared_book) -> None:
    _, results = foreign
    out = shared_book("foreign")
    payload = json.loads((out / "results" / "cohort.json").read_text(encoding="utf-8"))
    assert payload["compared"] is False and payload["reproduction"] == []
    assert payload["n"] == N
    # Without a description the page words the paper's analysis as any declared plan's: the
    # contract's columns, not the paper's employees, programmes and programme types.
    expected = {
        "en": (
            "This chapter analyses a cohort of 1,500 persons in 20 clusters (programme_id), "
            "followed for 360 days.",
            "1,500 persons, 721 of them in the group coordinator, in 20 clusters (programme_id).",
            "The 10 persons without a recorded programme type are left out.",
            # The odds ratio would give away the hidden coordinator split of the 10 without a
            # programme type (a linked count of Table 1), so output checking withholds it.
            "against treatment is not shown: disclosure control hides a count of Table 1",
            "The last block’s covariates move it away from 1.",
            "The groups by programme type differ in time to first RTW",
            "Covariates enter in the model blocks the analysis plan declares.",
            "depressive mood, anxiety, earlier sickness absence, programme type.",
        ),
        "nb": (
            f"Dette kapitlet analyserer en kohort på {NB_N} personer i 20 klynger (programme_id), "
            "fulgt i 360 dager.",
            "De 10 personene uten registrert type tilbud er utelatt.",
            "mot treatment vises ikke: prikkingen skjuler et antall i tabell 1",
            "Kovariatene i den siste blokken flytter den bort fra 1.",
            "Gruppene etter type tilbud skiller seg i tid til første tilbakeføring",
            "Kovariatene legges inn i modellblokkene som analyseplanen oppgir.",
            "nedstemthet, angst, tidligere sykefravær, type tilbud.",
        ),
    }
    assert results.n_coordinator == 721
    for lang, phrases in expected.items():
        text = article_text(out / "html" / lang / "cohort.html", separator="")
        for phrase in phrases:
            assert phrase in text, (lang, phrase)
        for fact in SHIPPED_FACTS[lang]:
            assert fact not in text, (lang, fact)
        assert REPRODUCTION[lang] not in text
        assert "(1, 500)" not in text
        assert "towards 1" not in text and "mot 1" not in text
        assert "income" not in text and "inntekt" not in text  # the data have none


@pytest.mark.book
def test_a_description_that_reproduces_nothing_is_described_not_compared(tmp_path: Path) -> None:
    study = """
title: {en: "Nurses back at work", nb: "Sykepleiere tilbake i arbeid"}
provenance: collected
population: {en: "nurses on sick leave", nb: "sykepleiere på sykmelding"}
setting: {en: "municipal rehabilitation programmes", nb: "kommunale rehabiliteringstilbud"}
setting_unit: {en: {one: programme}, nb: {one: tilbudet, gender: neuter}}
period: {en: "2021–2022", nb: "2021–2022"}
follow_up: {en: "in the municipal records", nb: "i kommunens registre"}
"""
    data = write_data(tmp_path / "data", study)
    out = tmp_path / "out"
    build(data, out, langs=["en"], only=["cohort"], echo=lambda _line: None)
    payload = json.loads((out / "results" / "cohort.json").read_text(encoding="utf-8"))
    assert payload["compared"] is False and payload["reproduction"] == []
    text = article_text(out / "html" / "en" / "cohort.html", separator="")
    assert (
        "This chapter analyses a cohort of 1,500 nurses on sick leave who started one of 20 "
        "municipal rehabilitation programmes in 2021–2022, followed for 360 days in the "
        "municipal records."
    ) in text
    assert REPRODUCTION["en"] not in text
    for fact in SHIPPED_FACTS["en"]:
        assert fact not in text, fact


def test_without_comparison_the_shipped_page_leaves_the_paper_out(shipped: Shipped) -> None:
    results = shipped.results("cohort", compare=False)
    assert not results.compared and results.reproduction == []
    assert results.to_json()["compared"] is False and results.to_json()["reproduction"] == []
    for lang, word in (("en", "paper"), ("nb", "artikkel")):
        texts = [
            narrative.ci_intro(results, lang),
            narrative.blocks(results, lang),
            narrative.hazard_ratio_shift(results, lang),
            narrative.ties(results, lang),
        ]
        assert not any(word in text.lower() for text in texts), lang
        assert page.reproduction_section(results, lang) == []
    # The study description still says what the data are and how they were made.
    opening = page.opening(results, "en")
    assert "{cite:p}`cohort2019coordinator`" in opening[0].data
    assert "synthetic: no real person" in opening[1].data
    assert opening[2].data.endswith("is computed from these data.")


def test_glued_texts_read_back_as_themselves(foreign, monkeypatch, figure_folder) -> None:
    # How myst-nb reads a glued text back (its reader loads Sphinx's cache: imported here).
    from myst_nb.core.variables import format_plain_text

    _, results = foreign
    glued = {}
    monkeypatch.setattr(display, "glue", lambda name, value, display: glued.update({name: value}))
    figures_undrawn(monkeypatch)  # a test of the glued texts
    page.time_to_rtw(results, "en", figure_folder)
    plain = {name: value for name, value in glued.items() if isinstance(value, str)}
    assert plain and all(type(value) is str for value in plain.values())
    for value in plain.values():
        assert format_plain_text(repr(value), "s") == value
    assert format_plain_text(repr("1,500"), "s") == "1,500"


@pytest.mark.parametrize(
    ("before", "after", "direction"),
    [(0.70, 0.75, "towards"), (1.04, 1.22, "away"), (0.8, 1.2, "across"), (0.701, 0.699, "none")],
)
def test_shift_direction(before: float, after: float, direction: str) -> None:
    assert narrative.shift(before, after) == direction
