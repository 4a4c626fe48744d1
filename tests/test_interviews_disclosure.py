"""Interview chapter under disclosure control: every suppressed characteristics table is
attacked with a solver over what it publishes, on the shipped sample at every threshold and on
hostile small samples; the built pages and JSON must not contain a hidden value."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.chapters.interviews import page, tables
from analysis.chapters.interviews.chapter import analyse
from analysis.chapters.interviews.data import load
from analysis.core.i18n import LANGS, t
from tests.conftest import share_build
from tests.helpers import SHIPPED_DATA, article_text, attack_one_way, check_rule

# Three participants whose ages and grades appear nowhere else (published: 31–61, 50–100).
THREE = pd.DataFrame(
    {
        "participant_id": ["P01", "P02", "P03"],
        "sex": ["female", "female", "male"],
        "age": [37, 43, 58],
        "diagnosis_group": ["mental", "mental", "other"],
        "sick_leave_pct": [35, 45, 85],
    }
)
HIDDEN_NUMBERS = ("37", "43", "58", "35", "45", "85")
LABELS = {
    "en": ("Women", "Men", "Mental health disorder", "Musculoskeletal disorder", "Other disorder"),
    "nb": ("Kvinner", "Menn", "Psykisk lidelse", "Muskel- og skjelettlidelse", "Annen lidelse"),
}
HIDDEN = {"en": "hidden", "nb": "skjult"}


def _data(folder: Path, people: pd.DataFrame) -> Path:
    """The shipped data with ``people`` as participants and only their segments."""
    shutil.copytree(SHIPPED_DATA / "interviews", folder / "interviews")
    shutil.copy(SHIPPED_DATA / "interviews.study.yaml", folder)
    people.to_csv(folder / "interviews" / "participants.csv", index=False)
    segments = pd.read_csv(folder / "interviews" / "segments.csv", dtype=str)
    segments = segments[segments["participant_id"].isin(people["participant_id"])]
    segments.to_csv(folder / "interviews" / "segments.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _data(tmp_path_factory.mktemp("three"), THREE)


@pytest.fixture(scope="module")
def lopsided(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """26 participants: 24 / 1 / 1 by diagnosis, 25 / 1 by sex."""
    people = pd.read_csv(SHIPPED_DATA / "interviews" / "participants.csv")
    people["diagnosis_group"] = ["musculoskeletal", "other"] + ["mental"] * 24
    people["sex"] = ["male"] + ["female"] * 25
    return _data(tmp_path_factory.mktemp("lopsided"), people)


def _attack(payload: dict, truth: dict[str, dict[str, int]], threshold: int) -> None:
    """Solve every published group for its hidden counts; the protection rule must hold."""
    n = payload["n_participants"]
    for group, counts in truth.items():
        keys = list(counts)
        shown = [payload[group][key] for key in keys]
        hidden = {i for i, value in enumerate(shown) if value is None}
        for i, key in enumerate(keys):
            flag = f"{group}.{key}"
            assert (i in hidden) == (flag in payload["disclosure"]["suppressed"]), flag
            assert i in hidden or shown[i] == counts[key]
        small = {i for i, key in enumerate(keys) if 0 < counts[key] < threshold}
        assert small <= hidden
        if hidden:
            check_rule(attack_one_way(shown, n), small if n >= threshold else set(), threshold)


def _counts(people: pd.DataFrame) -> dict[str, dict[str, int]]:
    """The true counts of each published group of ``people`` (the participants)."""
    keys = {"sex": ("female", "male"), "diagnosis_group": ("mental", "musculoskeletal", "other")}
    return {
        group: {key: int(people[group].eq(key).sum()) for key in values}
        for group, values in keys.items()
    }


# Every threshold up to beyond the sample in `make test`; a few telling ones in `make test-fast`.
@pytest.mark.parametrize(
    "threshold",
    [t if t in (0, 1, 5, 13, 27) else pytest.param(t, marks=pytest.mark.slow) for t in range(28)],
)
def test_shipped_sample_at_every_threshold(threshold, shipped):
    data = shipped.data("interviews")
    _attack(
        analyse(data, suppress_below=threshold).to_json(), _counts(data.participants), threshold
    )


def test_hidden_counts_summing_to_two_are_not_solvable(lopsided):
    payload = analyse(load(lopsided), suppress_below=5).to_json()
    # 24 / hidden / hidden of 26 would give 1 and 1 away: all three are hidden.
    assert payload["diagnosis_group"] == {"mental": None, "musculoskeletal": None, "other": None}
    assert payload["sex"] == {"female": None, "male": None}
    _attack(payload, _counts(load(lopsided).participants), 5)


def test_three_participants(three):
    results = analyse(load(three), suppress_below=5)
    payload = results.to_json()
    _attack(payload, _counts(load(three).participants), 5)
    assert set(payload["disclosure"]["suppressed"].values()) == {"small_group"}
    assert (payload["age_min"], payload["age_max"]) == (None, None)
    assert payload["age"] == {"median": None, "low": 30, "high": 59, "exact": False}
    assert payload["sick_leave"] == {"low": None, "high": None}
    for row in payload["reproduction"]:
        if row.get("suppressed"):
            assert row["computed"] is None and row["status"] == "withheld"
            assert payload["disclosure"]["suppressed"][row["source"]] == "small_group"
    flagged = [row["quantity"] for row in payload["reproduction"] if row.get("suppressed")]
    assert len(flagged) == 9  # sex, age range, diagnosis groups, grade range
    for lang in LANGS:
        table = tables.characteristics(results.characteristics, lang)
        values = dict(zip(table.iloc[:, 0], table.iloc[:, 1], strict=True))
        assert all(values[label] == HIDDEN[lang] for label in LABELS[lang])
        cells = [*page.participants(results, lang), *page.published_facts(results, lang)]
        html = " ".join(str(getattr(cell, "data", cell)) for cell in cells)
        text = BeautifulSoup(html, "html.parser").get_text(" ")
        assert [n for n in HIDDEN_NUMBERS if re.search(rf"\b{n}\b", text)] == [], lang
        assert {"en": "30–59", "nb": "30–59"}[lang] in text


def _rows(html: Path) -> list[list[str]]:
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td, th")]
        for row in soup.select("article tr")
    ]


def _interview_rows(html: Path, lang: str) -> str:
    """The text of the overview's table of the interview chapter and of every other row that
    names the chapter (the differences table)."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    name = t("repro.component.interviews", lang)
    texts = [
        table.get_text(" ")
        for table in soup.select("article table")
        if name in (table.caption.get_text(" ") if table.caption else "")
    ]
    texts += [row.get_text(" ") for row in soup.select("article tr") if name in row.get_text(" ")]
    assert texts, lang
    return " ".join(texts)


share_build("degenerate", "interviews", lambda folder: _data(folder, THREE))


def test_built_pages_and_results_hold_no_hidden_value(shared_book):
    out = shared_book("degenerate")
    payload = json.loads((out / "results" / "interviews.json").read_text())
    report = json.loads((out / "results" / "disclosure.json").read_text())
    assert report["interviews"] == payload["disclosure"]
    for path in payload["disclosure"]["suppressed"]:
        value = payload
        for part in re.findall(r"[^.\[\]]+", path):
            value = value[int(part)] if part.isdigit() else value[part]
        assert value is None, path
    raw = json.dumps(payload)
    assert [n for n in HIDDEN_NUMBERS if re.search(rf"\b{n}\b", raw)] == []
    for lang in LANGS:
        for name in ("interviews", "reproduction"):
            html = out / "html" / lang / f"{name}.html"
            # The overview also holds the other chapters' rows of this build (their own data
            # and their papers' numbers): only the interviews' rows are this data's.
            text = article_text(html) if name == "interviews" else _interview_rows(html, lang)
            assert [n for n in HIDDEN_NUMBERS if re.search(rf"\b{n}\b", text)] == [], (lang, name)
            labelled = [
                (row, at)
                for row in _rows(html)
                for at, cell in enumerate(row[:2])
                if cell.startswith(LABELS[lang])
            ]
            # the chapter: characteristics and reproduction; the overview: its chapter table
            # (withheld values are not differences, so they are not in its differences table)
            assert len(labelled) >= (10 if name == "interviews" else 5), (lang, name)
            for row, at in labelled:
                # characteristics: label, value; reproduction: quantity, published, computed, …
                value = row[at + 1] if len(row) == 2 else row[at + 2]
                assert value == (HIDDEN[lang] if len(row) == 2 else "–"), (lang, name, row)
