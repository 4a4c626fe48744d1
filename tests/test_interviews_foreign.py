"""The interview chapter on someone else's interviews: a small Taguette export of another study
(eight participants, other themes and tags, one coder), with the study description the importer
writes (it reproduces nothing) and with none. The page must state the new data's facts and
none of the shipped study's."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters.interviews import page
from analysis.chapters.interviews.chapter import analyse
from analysis.chapters.interviews.data import DESCRIPTION, load
from analysis.core.i18n import LANGS
from analysis.core.study import load_study
from analysis.importers import taguette
from tests.conftest import share_build
from tests.helpers import article_text, figures_undrawn

# Facts and wording of the shipped study that must not appear on a page about other data.
SHIPPED = (
    r"\b26\b",
    r"\b40\b",
    "Standal",
    "early follow-up",
    "tidlige oppfølgingssamtaler",
    "outsider",
    "one author did the coding",
    "én forfatter",
    "illustrative paraphrases",
    "illustrerende omskrivinger",
    "synthetic",
    "syntetiske",
    "by construction",
    "ved konstruksjon",
    "The article describes",
    "Artikkelen beskriver",
    r"\bT1\b",
    "P05",
)
TAGS = pd.DataFrame(
    [
        ("workplace", "", "Life at the workplace"),
        ("workplace.adjustments", "workplace", "Changes to tasks or hours"),
        ("workplace.conflict", "workplace", "Conflict with a manager"),
        ("health", "", "Health and treatment"),
        ("health.sleep", "health", "Sleep problems"),
        ("nav", "", "Contact with NAV, tagged directly"),
    ],
    columns=["tag", "parent", "description"],
)


def _export(folder: Path) -> dict[str, Path]:
    """A Taguette export of eight interviews (five men, three women) and its participants."""
    folder.mkdir(parents=True)
    people = pd.DataFrame(
        {
            "participant_id": [f"K{i}" for i in range(1, 9)],
            "sex": ["male"] * 5 + ["female"] * 3,
            "age": [23, 29, 35, 41, 47, 52, 58, 64],
            "diagnosis_group": ["musculoskeletal"] * 4 + ["mental"] * 2 + ["other"] * 2,
            "sick_leave_pct": [20, 40, 60, 80, 100, 100, 50, 30],
        }
    )
    tags = ["workplace.adjustments", "workplace.conflict", "health.sleep", "nav"]
    rows = [
        (
            10 * person + i,
            f"k{person}.txt",
            tags[(i + person) % len(tags)],
            f"Point {i} of K{person}.",
        )
        for person in range(1, 9)
        for i in range(3)
    ]
    highlights = pd.DataFrame(rows, columns=["id", "document", "tag", "content"])
    counts = highlights["tag"].value_counts()
    codebook = TAGS.assign(
        **{"number of highlights": TAGS["tag"].map(counts).fillna(0).astype(int)}
    )
    paths = {name: folder / f"{name}.csv" for name in ("highlights", "codebook", "participants")}
    for name, frame in zip(paths, (highlights, codebook, people), strict=True):
        frame.to_csv(paths[name], index=False)
    return paths


def write_foreign(root: Path) -> Path:
    """The data folder (``root/data``) the importer writes from the export (with --invited
    12)."""
    paths = _export(root / "export")
    taguette.convert(
        paths["highlights"],
        paths["codebook"],
        paths["participants"],
        root / "data",
        n_invited=12,
        negative=["workplace.conflict"],
    )
    return root / "data"


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_foreign(tmp_path_factory.mktemp("foreign"))


def _shipped_facts(text: str) -> list[str]:
    return [pattern for pattern in SHIPPED if re.search(pattern, text)]


def test_importer_writes_a_study_description(foreign):
    study = load_study(foreign, "interviews", DESCRIPTION)
    assert study.described and study.provenance == "collected"
    assert study.facts == {"n_invited": 12} and study.reproduces is None
    assert not (foreign / "interviews" / "study.csv").exists()


share_build("foreign", "interviews", write_foreign)


def test_foreign_chapter_builds_and_states_only_its_own_facts(shared_book):
    out = shared_book("foreign")
    payload = json.loads((out / "results" / "interviews.json").read_text())
    assert payload["compared"] is False and payload["reproduction"] == []
    assert payload["n_participants"] == 8 and payload["n_invited"] == 12
    expected = {
        "en": (
            "8 people took part in an interview (of 12 invited, 67%)",
            "This chapter shows the coded interviews in the folder",
            "The codebook has 3 themes and 4 codes",
            "come from the coding export as coded",
            "Life at the workplace",
            "Coded interviews: themes, codes and excerpts",
        ),
        "nb": (
            "8 personer deltok i et intervju (av 12 inviterte, 67\u00a0%)",
            "Dette kapitlet viser de kodede intervjuene i mappen",
            "Kodeboka har 3 tema og 4 koder",
            "kommer fra kodeeksporten slik de ble kodet",
            "Life at the workplace",
            "Kodede intervjuer: tema, koder og utdrag",
        ),
    }
    for lang in LANGS:
        text = article_text(out / "html" / lang / "interviews.html")
        assert [phrase for phrase in expected[lang] if phrase not in text] == [], lang
        assert _shipped_facts(text) == [], lang
        assert "published facts" not in text and "publiserte faktaene" not in text, lang
        # A Taguette tag that is both the theme's id and its name is named once.
        assert "nav: nav" not in text, lang
        page = (out / "html" / lang / "interviews.html").read_text(encoding="utf-8")
        assert 'id="theme-nav"' in page, lang  # the theme is a section of its own


def test_foreign_page_without_study_description(foreign, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    (data_dir / "interviews").mkdir(parents=True)
    for file in (foreign / "interviews").iterdir():
        (data_dir / "interviews" / file.name).write_bytes(file.read_bytes())
    results = analyse(load(data_dir), suppress_below=5)
    assert not results.compared and not results.illustrative
    for lang in LANGS:
        cells = [
            page.opening(results, lang),
            *page.banners(results, lang),
            *page.participants(results, lang),
            *page.codebook(results, lang),
            *page.themes(results, lang),
            *page.negative_cases(results, lang),
            *page.agreement(results, lang),
            *page.published_facts(results, lang),
        ]
        text = " ".join(str(getattr(cell, "data", cell)) for cell in cells)
        assert _shipped_facts(text) == [], lang
        assert "published facts" not in text and "publiserte faktaene" not in text, lang
        assert "cite:" not in text and "invited" not in text and "invitert" not in text
        figures_undrawn(monkeypatch)  # figures: drawn in the first language only
        assert {"en": "8 participants", "nb": "8 deltakere"}[lang] in text
