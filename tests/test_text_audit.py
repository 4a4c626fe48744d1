"""A text audit of books built on data that are not the shipped studies'.

Two books are built from data this module writes from the shipped files and the test review,
varied so that every chapter meets other sizes, directions and edge cases: a cohort of 90 read
from an Excel workbook and a review whose outcomes are harmful, without any study description;
then a cohort of 40 with few returns and one programme type, 12 programmes, a single beneficial
analysis with 6.5 months of follow-up and four interviews (fewer than the disclosure
threshold), each with a study description of a made-up study elsewhere. Every page of both
languages must read as a page about those data: no fact of the original studies, no doubled
word, no unfilled placeholder, no sentence in the other language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from analysis.core.settings import LANGS
from tests.conftest import share_build
from tests.helpers import (
    REVIEW_ANALYSES,
    REVIEW_STUDIES,
    SHIPPED_DATA,
    write_planned_book,
    write_review,
)

FOLLOW_UP = 360  # the shipped cohort's follow-up in days (the chapter's default)

SHIPPED_FILES = ("cohort.csv", "providers.csv", "data/meta")

# Facts of the original studies and names of the shipped files: a page on other data states
# none of them (matched as whole words and numbers, case and all: "raskere tilbake i arbeid"
# is Norwegian, "Raskere tilbake" the scheme).
ORIGINAL_FACTS = {
    "en": (
        "326",
        "43 programmes",
        "120 programmes",
        "Raskere tilbake",
        "Agder",
        "Western Norway",
        "thesis",
        "the paper",
        "the article",
        "Berg",
        "Standal",
        "Public Health",
        "2012",
        "used SPSS",
        "cohort.csv",
        "providers.csv",
        "data/meta",
        "synthetic",
        "generator",
    ),
    "nb": (
        "326",
        "43 tilbud",
        "120 tilbud",
        "Raskere tilbake",
        "Agder",
        "Vestlandet",
        "Oppgaven",
        "oppgaven",
        "artikkel",
        "Artikkel",
        "Berg",
        "Standal",
        "Folkehelse",
        "2012",
        "brukte SPSS",
        "cohort.csv",
        "providers.csv",
        "data/meta",
        "syntetisk",
        "generator",
    ),
}
# The original studies' categories, as the catalog and the questionnaire's plan name them
# (funders, programme types, the paper's diagnosis and school groups): the page of a chapter
# built without a plan of its own names none of them. Checked on that chapter's page only:
# the test interviews' own code names speak of NAV.
ORIGINAL_CATEGORIES = {
    "provider": {
        "en": ("RHA", "NAV", "Medical and surgical", "Occupational rehabilitation", "Follow-up"),
        "nb": ("RHF", "NAV", "Medisinsk og kirurgisk", "Arbeidsrettet rehabilitering", "Fastlege"),
    },
    "cohort": {
        "en": (
            "NAV",
            "Occupational rehabilitation",
            "occupational rehabilitation",
            "Medical or psychological",
            "cardiovascular",
            "9 years",
        ),
        "nb": (
            "NAV",
            "Arbeidsrettet rehabilitering",
            "arbeidsrettet rehabilitering",
            "Medisinsk eller psykologisk",
            "hjerte og kar",
            "9 år",
        ),
    },
}
# Words of one language that the other does not use: one on a page means a sentence was left
# untranslated or a label fell back to the other language.
ONLY_IN = {
    "en": {"the", "and", "of", "with", "which", "were", "from", "this", "that", "are", "not"},
    "nb": {"og", "av", "med", "som", "ikke", "til", "på", "fra", "det", "ble", "eller"},
}
PLACEHOLDER = re.compile(r"\{[^{}\s]*\}|\bglue:|\bnan\b|\bNone\b(?! \()")
DOUBLED = re.compile(r"(?<![\w.,−-])(\w+)\s+\1(?![\w.,])", re.IGNORECASE)
# Pages about the project rather than the study: the re-run guide names the shipped files and
# the formats it reads, in both languages.
GUIDE = {"rerun.html", "genindex.html", "search.html"}
# The front matter is generated from the book description (issue 20, another branch); until
# then it still states the shipped book's facts.
FRONT_MATTER = {"index.html", "data.html", "references.html", "reproduction.html"}


# --- the data: the shipped files, changed ---


def _shipped(name: str) -> pd.DataFrame:
    return pd.read_csv(SHIPPED_DATA / name, dtype=str, keep_default_na=False)


def write_cohort(folder: Path, n: int, seed: int, *, workbook: bool, few: bool = False) -> None:
    """``n`` employees of the shipped cohort; ``few``: 8 returns, all of one programme type."""
    frame = _shipped("cohort.csv").sample(n, random_state=seed).reset_index(drop=True)
    if few:
        frame["programme_type"] = "occupational_rehabilitation"
        censored = frame.index >= 8
        for outcome in ("first_rtw", "full_rtw"):
            frame.loc[censored, outcome] = "0"
            frame.loc[censored, f"days_to_{outcome}"] = str(FOLLOW_UP)
    if workbook:
        frame.to_excel(folder / "cohort.xlsx", index=False)
    else:
        frame.to_csv(folder / "cohort.csv", index=False)


def write_providers(folder: Path, n: int, seed: int) -> None:
    _shipped("providers.csv").sample(n, random_state=seed).to_csv(
        folder / "providers.csv", index=False
    )


def write_interviews(folder: Path, participants: list[str]) -> None:
    """The shipped interview files of ``participants``, none of their segments quoted, and
    the codebook with its code names as definitions."""
    (folder / "interviews").mkdir()
    people = _shipped("interviews/participants.csv")
    people[people["participant_id"].isin(participants)].to_csv(
        folder / "interviews" / "participants.csv", index=False
    )
    codebook = _shipped("interviews/codebook.csv")  # its definitions speak of the article
    for lang in LANGS:
        codebook[f"description_{lang}"] = codebook[f"code_{lang}"] + "."
    codebook.to_csv(folder / "interviews" / "codebook.csv", index=False)
    segments = _shipped("interviews/segments.csv")
    segments = segments[segments["participant_id"].isin(participants)].assign(quoted="0")
    segments.to_csv(folder / "interviews" / "segments.csv", index=False)


def _text(en: str, nb: str) -> dict[str, str]:
    return {"en": en, "nb": nb}


# Study descriptions of made-up studies, as a researcher writes them from the re-run guide
# (the cohort's setting starts with a count, which the page must not repeat).
DESCRIPTIONS = {
    "cohort": {
        "title": _text("Case managers in Ostrobothnia", "Saksbehandlere i Österbotten"),
        "setting": _text("20 return-to-work clinics", "20 klinikker for retur til arbeid"),
        "setting_unit": {
            "en": {"one": "clinic"},
            "nb": {"one": "klinikken", "gender": "masculine"},
        },
        "population": _text("insured employees on sick leave", "forsikrede sykmeldte"),
        "period": _text("2019–2021", "2019–2021"),
        "design": _text("register study", "registerstudien"),
        "follow_up": _text("in the insurance register", "i forsikringsregisteret"),
    },
    "provider": {
        "title": _text("Coordinators in Swedish clinics", "Koordinatorer i svenske klinikker"),
        "setting": _text("the county clinics of Skåne", "fylkesklinikkene i Skåne"),
        "design": _text("a web questionnaire", "et nettskjema"),
    },
    "meta": {
        "title": _text("Graded activity: a review", "Gradert aktivitet: en oversikt"),
        "reference": _text("a review of graded activity", "en oversikt over gradert aktivitet"),
        "population": _text("workers with back pain", "arbeidstakere med ryggsmerter"),
        "period": _text("2010–2020", "2010–2020"),
        "design": _text("cluster trials", "klyngerandomiserte studier"),
        "outcomes": {
            "sl": {"direction": "beneficial", "name": _text("still at work", "fortsatt i arbeid")}
        },
    },
    "interviews": {
        "title": _text("Talking to the insurer", "Samtaler med forsikringen"),
        "setting": _text(
            "A Danish insurer called its clients.", "Et dansk forsikringsselskap ringte kundene."
        ),
        "design": _text("interviewed four of them", "intervjuet fire av dem"),
    },
}


# The described review's one analysis: a beneficial outcome, follow-up with a decimal.
STILL_AT_WORK = {
    "outcome_en": "Still at work",
    "outcome_nb": "Fortsatt i arbeid",
    "direction": "beneficial",
    "follow_up_months": "6.5",
}


def plain(chapter: str) -> Callable[[Path], Path]:
    """The writer of ``chapter``'s data without a study description."""

    def write(folder: Path) -> Path:
        folder.mkdir(parents=True)
        if chapter == "cohort":
            write_cohort(folder, 90, 1, workbook=True)
        elif chapter == "provider":
            write_providers(folder, 37, 2)
        elif chapter == "meta":
            write_review(folder, REVIEW_STUDIES, REVIEW_ANALYSES)
        else:
            write_interviews(folder, [f"P0{i}" for i in range(1, 10)])
        return folder

    return write


def described(chapter: str) -> Callable[[Path], Path]:
    """The writer of ``chapter``'s other data, with the description of a made-up study."""

    def write(folder: Path) -> Path:
        folder.mkdir(parents=True)
        if chapter == "cohort":
            write_cohort(folder, 40, 3, workbook=False, few=True)
        elif chapter == "provider":
            write_providers(folder, 12, 4)
        elif chapter == "meta":
            analysis = {**REVIEW_ANALYSES[0], **STILL_AT_WORK}
            write_review(folder, {"sl": REVIEW_STUDIES["sl"][:3]}, [analysis])
        else:
            write_interviews(folder, ["P01", "P02", "P03", "P04"])
        description = yaml.safe_dump(DESCRIPTIONS[chapter], allow_unicode=True)
        (folder / f"{chapter}.study.yaml").write_text(description, encoding="utf-8")
        return folder

    return write


CHAPTER_NAMES = ("provider", "cohort", "meta", "interviews")
for _name in CHAPTER_NAMES:
    share_build("audit-plain", _name, plain(_name))
    share_build("audit-described", _name, described(_name))
# The book of a cohort with a plan of its own (the same build as tests/test_cohort_plan.py's).
share_build("plan", "cohort", write_planned_book)


# --- reading the pages ---


def prose(page: Path) -> str:
    """A page's running text as a reader meets it, without tables, code and images (whose
    cells repeat words on purpose: "hidden hidden")."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article") or soup
    for tag in article.select("div.cell_input, script, style, table, img, .bibliography"):
        tag.decompose()
    return re.sub(r"\s+", " ", article.get_text(" "))


def everything(page: Path) -> str:
    """All the text of a page's article, tables and alt texts included."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article") or soup
    for tag in article.select("div.cell_input, script, style"):
        tag.decompose()
    alts = [image.get("alt", "") for image in article.select("img")]
    return re.sub(r"\s+", " ", " ".join([article.get_text(" "), *alts]))


def original_facts(text: str, lang: str, chapter: str = "") -> list[str]:
    """The facts of the original studies ``text`` (of ``chapter``'s page) states."""
    categories = ORIGINAL_CATEGORIES.get(chapter, {}).get(lang, ())
    return [
        fact
        for fact in (*ORIGINAL_FACTS[lang], *categories)
        if re.search(rf"(?<![\w.,]){re.escape(fact)}(?!\w|[.,]\d)", text)
    ]


def other_language(text: str, lang: str) -> list[str]:
    """Words of the other language in ``text``."""
    other = next(other for other in LANGS if other != lang)
    return sorted({word for word in re.findall(r"\w+", text) if word in ONLY_IN[other]})


def pages(out: Path) -> list[tuple[str, Path]]:
    return [
        (lang, page)
        for lang in LANGS
        for page in sorted((out / "html" / lang).glob("*.html"))
        if page.name not in GUIDE
    ]


def _built_pages(out: Path) -> list[str]:
    return [f"{lang}/{page.name}" for lang, page in pages(out)]


def _audit(out: Path) -> dict[str, list[str]]:
    """Per page (``nb/cohort.html``) what is wrong with its text."""
    found = {}
    for lang, page in pages(out):
        running, text = prose(page), everything(page)
        facts = original_facts(text, lang, page.stem)
        if page.name == "data.html":  # it lists the files read, which may have these names
            facts = [fact for fact in facts if fact not in SHIPPED_FILES]
        problems = [
            *(f"original fact {fact!r}" for fact in facts),
            *(f"doubled {m.group(0)!r}" for m in DOUBLED.finditer(running)),
            *(f"placeholder {m.group(0)!r}" for m in PLACEHOLDER.finditer(text)),
            *(f"other language {word!r}" for word in other_language(running, lang)),
        ]
        if problems:
            found[f"{lang}/{page.name}"] = problems
    return found


# --- the audit ---


def test_the_audit_finds_what_it_looks_for() -> None:
    assert original_facts("The thesis used SPSS, on 326 employees.", "en") == [
        "326",
        "thesis",
        "used SPSS",
    ]
    assert original_facts("p = 0.326; 1326 days; the papers", "en") == []
    assert original_facts("kom raskere tilbake i arbeid", "nb") == []
    shown = "Kun RHF; Oppfølging og arbeidsavklaring (NAV); occupational_rehabilitation"
    assert original_facts(shown, "nb", "cohort") == ["NAV"]
    assert original_facts(shown, "nb", "provider") == ["RHF", "NAV"]
    assert original_facts(shown, "nb", "meta") == []
    assert [m.group(0) for m in DOUBLED.finditer("one of 20 20 clinics, in in 1,20 20")] == [
        "20 20",
        "in in",
    ]
    assert other_language("Dette kapitlet analyserer the data", "nb") == ["the"]
    assert other_language("Hazard ratio og 95% CI", "en") == ["og"]
    assert [m.group(0) for m in PLACEHOLDER.finditer("{n}, nan, {glue:md}, None (all)")] == [
        "{n}",
        "nan",
        "{glue:md}",
    ]


@pytest.mark.parametrize("group", ["audit-plain", "audit-described"])
def test_chapter_pages_on_other_data_read_as_pages_about_those_data(shared_book, group) -> None:
    found = _audit(shared_book(group))
    chapters = {page: problems for page, problems in found.items() if page[3:] not in FRONT_MATTER}
    assert not chapters, chapters
    assert {page[3:] for page in _built_pages(shared_book(group))} >= {
        f"{name}.html" for name in CHAPTER_NAMES
    }


@pytest.mark.parametrize("group", ["audit-plain", "audit-described"])
def test_front_matter_on_other_data_reads_as_pages_about_those_data(shared_book, group) -> None:
    found = _audit(shared_book(group))
    assert not {page: problems for page, problems in found.items() if page[3:] in FRONT_MATTER}


def test_the_described_pages_state_the_descriptions_facts(shared_book) -> None:
    out = shared_book("audit-described")
    titles = {
        "en": ("Case managers in Ostrobothnia", "Coordinators in Swedish clinics"),
        "nb": ("Saksbehandlere i Österbotten", "Koordinatorer i svenske klinikker"),
    }
    # The description's "20 return-to-work clinics" gives way to the data's count.
    opening = {
        "en": r"who started one of \d+ return-to-work clinics in 2019–2021",
        "nb": r"som startet i én av \d+ klinikker for retur til arbeid i 2019–2021",
    }
    months = {"en": "6.5 months", "nb": "6,5 måneder"}
    # The review's population and period open the meta page.
    scope = {
        "en": "The review is about workers with back pain (2010–2020).",
        "nb": "Oversikten gjelder arbeidstakere med ryggsmerter (2010–2020).",
    }
    for lang in LANGS:
        cohort = everything(out / "html" / lang / "cohort.html")
        provider = everything(out / "html" / lang / "provider.html")
        meta = everything(out / "html" / lang / "meta.html")
        assert titles[lang][0] in cohort and titles[lang][1] in provider
        assert re.search(opening[lang], cohort), cohort[:600]
        assert months[lang] in meta and scope[lang] in meta


# The words of the paper's plan (its exposure, subgroups, persons and clusters): a page on a
# cohort with a plan of its own that names its persons "patients" and its clusters
# "practices" uses none of them.
PAPER_PLAN_WORDS = {
    "en": ("coordinator", "Coordinator", "programme", "Programme", "employee", "Employee"),
    "nb": ("koordinator", "Koordinator", "tilbud", "Tilbud", "arbeidstaker", "Arbeidstaker"),
}


def test_a_planned_cohort_with_a_competing_outcome_reads_as_its_own_book(shared_book) -> None:
    """The planned cohort of ``tests.helpers`` (study arm, clinics as practices, region as
    subgroup) with a work assessment allowance as competing outcome, built in both languages:
    no page states the original studies' facts, doubles a word or leaves a placeholder, the
    cohort page and the front matter use none of the paper plan's words, and the cohort page
    counts in the description's nouns."""
    out = shared_book("plan")
    found = _audit(out)
    left_out = {f"{name}.html" for name in CHAPTER_NAMES if name != "cohort"}  # "not built"
    for lang, page in pages(out):
        if page.name in left_out:
            continue
        text = everything(page)
        words = [word for word in PAPER_PLAN_WORDS[lang] if re.search(rf"{word}\w*", text)]
        if words:
            found.setdefault(f"{lang}/{page.name}", []).extend(words)
    assert not found, found
    nouns = {
        "en": ("400 patients in 16 practices", "Patients in the same practice", "by practice"),
        "nb": ("400 pasienter i 16 legekontorer", "Pasienter i samme legekontor", "på legekontor"),
    }
    sections = {"en": "Competing outcomes: return to work", "nb": "Konkurrerende utfall"}
    for lang in LANGS:
        cohort = everything(out / "html" / lang / "cohort.html")
        assert all(words in cohort for words in nouns[lang]), lang
        assert sections[lang] in cohort and "`clinic`" not in cohort, lang
