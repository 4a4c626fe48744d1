"""The book description's languages and citation: ``languages`` chooses the languages built
(validated at the key), and the title, authors, licence, repository, version and date make
``CITATION.cff`` and the landing page's "How to cite" in each language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from analysis.chapters import CHAPTERS
from analysis.chapters.provider import data as provider
from analysis.core.book import load_book
from analysis.core.problems import InputError
from analysis.pipeline.build import build, chosen_langs
from analysis.pipeline.front import citation_cff, landing, read_front
from analysis.pipeline.sources import book_config, landing_page, not_found_page
from tests.helpers import SHIPPED_DATA

CITED = """\
title: {en: Case managers and return to work, nb: Saksbehandlere og retur til arbeid}
authors:
  - {name: Kari Nordmann, affiliations: [NAV, UiO], orcid: 0000-0002-1825-0097}
  - {name: Plato}
licence: CC-BY-4.0
repository: https://github.com/owner/case-managers
version: "2.1"
date: 2025-06-30
"""


def _data(folder: Path, book: str) -> Path:
    shutil.copy(SHIPPED_DATA / "providers.csv", folder)
    (folder / "book.yaml").write_text(book, encoding="utf-8")
    return folder


def test_the_languages_key_chooses_the_languages_built(tmp_path: Path) -> None:
    data = _data(tmp_path, "languages: [en]\n")
    assert chosen_langs(data, None) == ["en"]
    assert chosen_langs(data, ["en"]) == ["en"]
    with pytest.raises(InputError) as error:
        chosen_langs(data, ["nb", "en"])
    (problem,) = error.value.problems
    assert (problem.file, problem.key) == ("book.yaml", "languages")
    assert "nb" in problem.text("en") and "(en)" in problem.fix
    assert chosen_langs(SHIPPED_DATA, None) == ["nb", "en"]  # no key: every language


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("languages: [de]\n", "languages.0"),
        ("languages: []\n", "languages"),
        ("date: 30.06.2025\n", "date"),
    ],
)
def test_a_wrong_languages_or_date_key_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(InputError) as error:
        load_book(_data(tmp_path, text))
    (problem,) = error.value.problems
    assert (problem.file, problem.key) == ("book.yaml", key)
    if key == "date":
        assert "YYYY-MM-DD" in problem.text("en") and "ÅÅÅÅ-MM-DD" in problem.text("nb")


def test_a_one_language_book_has_no_switch_and_no_other_book(tmp_path: Path) -> None:
    front = read_front(_data(tmp_path, "languages: [en]\n"), [CHAPTERS["provider"]], ("en",))
    assert book_config("en", front=front)["sphinx"]["config"]["rtw_langs"] == ["en"]
    for page in (landing_page(front), not_found_page(front)):
        assert 'hreflang="en"' in page and 'hreflang="nb"' not in page and "Velg" not in page
    assert 'http-equiv="refresh" content="0; url=en/index.html"' in landing_page(front)
    assert "refresh" not in landing_page(read_front(SHIPPED_DATA, [CHAPTERS["provider"]]))
    index = "\n".join(cell.source for cell in landing(front).cells)
    assert "language switch" not in index and "Each page can be read" not in index


# A provider survey described in English only, for a book of one language.
ENGLISH_ONLY = """\
title: {en: Coordinators in Danish clinics}
design: {en: a web questionnaire}
setting: {en: the clinics of Jutland}
plan:
  items:
    region:
      {kind: single, label: {en: region}, column: region, codes: {n: {en: North}, s: {en: South}}}
    coordinator: {kind: yes_no, label: {en: coordinator}, column: coordinator}
  group: region
  outcome: coordinator
"""


def _english_survey(folder: Path, book: str) -> Path:
    """Six clinics of two regions, the survey described in English only."""
    folder.mkdir()
    rows = ["programme_id,region,coordinator", "1,n,yes", "2,n,no", "3,n,yes", "4,s,no"]
    rows += ["5,s,yes", "6,s,no"]
    (folder / "providers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "provider.study.yaml").write_text(ENGLISH_ONLY, encoding="utf-8")
    (folder / "book.yaml").write_text(book, encoding="utf-8")
    return folder


def test_a_one_language_book_needs_its_descriptions_in_that_language_only(tmp_path: Path) -> None:
    """Texts in the book's one language are enough; in a book of both languages each missing
    text is named at its key, and in a book of the other language only that language's."""
    study = provider.load(_english_survey(tmp_path / "en", "languages: [en]\n"))
    assert study.study.text("title", "en") == "Coordinators in Danish clinics"
    with pytest.raises(InputError) as error:
        provider.load(_english_survey(tmp_path / "both", "{}\n"))
    keys = {problem.key for problem in error.value.problems}
    assert {"title", "design", "setting", "plan.items.region.label"} <= keys
    assert all(problem.file == "provider.study.yaml" for problem in error.value.problems)
    assert "has no bokmål text" in error.value.text("en")
    with pytest.raises(InputError) as error:
        provider.load(_english_survey(tmp_path / "nb", "languages: [nb]\n"))
    assert "has no bokmål text" in error.value.text("en")
    assert "English" not in error.value.text("en")


@pytest.mark.book
def test_a_one_language_book_of_english_descriptions_builds(tmp_path: Path) -> None:
    data = _english_survey(tmp_path / "data", "languages: [en]\ntitle: {en: Danish clinics}\n")
    build(data, tmp_path / "out", echo=lambda _line: None)
    page = (tmp_path / "out" / "html" / "en" / "provider.html").read_text(encoding="utf-8")
    assert "Coordinators in Danish clinics" in page and "the clinics of Jutland" in page
    assert not (tmp_path / "out" / "html" / "nb").exists()


def test_the_citation_file_holds_the_books_citation(tmp_path: Path) -> None:
    front = read_front(_data(tmp_path, CITED), [CHAPTERS["provider"]])
    cff = yaml.safe_load(citation_cff(front))
    assert cff["cff-version"] == "1.2.0" and cff["title"] == "Case managers and return to work"
    assert cff["authors"] == [
        {
            "family-names": "Nordmann",
            "given-names": "Kari",
            "affiliation": "NAV; UiO",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
        },
        {"name": "Plato"},
    ]
    assert (cff["license"], cff["version"], cff["date-released"]) == (
        "CC-BY-4.0",
        "2.1",
        "2025-06-30",
    )
    assert cff["repository-code"] == "https://github.com/owner/case-managers"


def test_the_landing_page_says_how_to_cite_in_each_language(tmp_path: Path) -> None:
    front = read_front(_data(tmp_path, CITED), [CHAPTERS["provider"]])
    cells = {
        lang: [c.source for c in landing(front).cells if c.metadata["lang"] == lang]
        for lang in ("en", "nb")
    }
    expected = {
        "en": ("## How to cite", "*Case managers and return to work*. Version 2.1."),
        "nb": ("## Slik siterer du", "*Saksbehandlere og retur til arbeid*. Versjon 2.1."),
    }
    for lang, (heading, title) in expected.items():
        (cite,) = [cell for cell in cells[lang] if cell.startswith(heading)]
        assert "Kari Nordmann, Plato (2025). " in cite and title in cite
        assert "<https://github.com/owner/case-managers>." in cite and "CITATION.cff" in cite


def test_without_authors_there_is_no_citation(tmp_path: Path) -> None:
    front = read_front(_data(tmp_path, "title: {en: A, nb: B}\n"), [CHAPTERS["provider"]])
    assert citation_cff(front) is None
    assert not any("CITATION.cff" in cell.source for cell in landing(front).cells)
