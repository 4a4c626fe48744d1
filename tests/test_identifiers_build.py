"""Every identifier variant of the review stops a real build: the build refuses the data before
anything is published, its message names the file, column (or key) and row of each in the
first language of ``--lang`` and never the value, and nothing under ``<out>`` holds the value
(no page, no results, no cache entry)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.validation import InputError
from analysis.pipeline.build import build
from tests.helpers import SHIPPED_DATA, control_digits

# The review's example date: 15 May 1983.
FNR = next(f for s in range(100, 999) if (f := control_digits(f"150583{s}")))
# The variants that reached published pages, each in one excerpt (its row in segments.csv).
VARIANTS = {
    "dotted date, space": f"{FNR[:2]}.{FNR[2:4]}.{FNR[4:6]} {FNR[6:]}",
    "grouped digits": f"{FNR[:6]} {FNR[6:9]} {FNR[9:]}",
    "en dash": f"{FNR[:6]}\u2013{FNR[6:]}",
    "mobile in pairs": "ring meg på 91 23 45 67",
    "landline in pairs": "sentralbordet 22 12 34 56",
    "scientific notation": f"{FNR[0]}.{FNR[1:]}E+10",
}
E_MAIL = "kari.nordmann&#64;nav.no"  # written into the study description as an entity


def _data(root: Path) -> Path:
    """A copy of the shipped interview data and its description."""
    data = root / "data"
    shutil.copytree(SHIPPED_DATA / "interviews", data / "interviews")
    shutil.copy(SHIPPED_DATA / "interviews.study.yaml", data)
    return data


def _edit(path: Path, change: Callable[[pd.DataFrame], None]) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame)
    frame.to_csv(path, index=False)


def _in_excerpts(data: Path) -> None:
    """Each variant in one excerpt (rows 1 to 6 of segments.csv)."""

    def change(frame: pd.DataFrame) -> None:
        for row, text in enumerate(VARIANTS.values()):
            frame.loc[row, "excerpt_en"] = f"Hun sa {text} i samtalen."

    _edit(data / "interviews" / "segments.csv", change)


def _over_two_columns(data: Path) -> None:
    """Each participant's number split into a birth-date column and a column of the five
    digits after it (row 1: the review's example; the rule looks for columns in which a fifth
    of the rows or more make valid numbers, so that dates beside amounts pass)."""

    def change(frame: pd.DataFrame) -> None:
        numbers = [FNR] + [
            next(f for s in range(100, 999) if (f := control_digits(f"{day:02d}0183{s}")))
            for day in range(1, len(frame))
        ]
        frame["born"] = [number[:6] for number in numbers]
        frame["number"] = [number[6:] for number in numbers]

    _edit(data / "interviews" / "participants.csv", change)


def _in_the_description(data: Path) -> None:
    """The e-mail address, as an HTML entity, in the description's population (English)."""
    path = data / "interviews.study.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('population:\n  en: "', f'population:\n  en: "write to {E_MAIL}: ')
    path.write_text(text, encoding="utf-8")


# Where each case puts its identifiers, and what the bokmål message must say of them: the file,
# the column (or key) with the first row, and the kinds found.
CASES = {
    "excerpts": (
        _in_excerpts,
        [
            "data/interviews/segments.csv, kolonne 'excerpt_en', rad 1",
            "data/interviews/segments.csv, kolonne 'excerpt_en', rad 4",
            "fødselsnummer",
            "telefonnummer",
        ],
    ),
    "two columns": (
        _over_two_columns,
        ["data/interviews/participants.csv, kolonne 'born + number', rad 1", "fødselsnummer"],
    ),
    "description": (
        _in_the_description,
        ["interviews.study.yaml, nøkkel 'population.en'", "e-postadresse"],
    ),
}


@pytest.fixture(scope="module", params=list(CASES))
def refused(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The refused build (bokmål first) of the interview data with one case's identifiers:
    its error, the folder it was given as ``<out>`` and what the message must say."""
    place, said = CASES[request.param]
    root = tmp_path_factory.mktemp("identifiers-build")
    data = _data(root)
    place(data)
    out = root / "out"
    with pytest.raises(InputError) as error:
        build(data, out, langs=["nb", "en"], only=["interviews"], echo=lambda _line: None)
    return error.value, out, said


def test_each_variant_is_named_by_file_column_and_row_in_bokmal(refused) -> None:
    error, _, said = refused
    text = error.text("nb")
    for words in said:
        assert words in text, text
    for value in (FNR, FNR[6:], "91 23 45 67", "22 12 34 56", "kari.nordmann"):
        assert value not in text


def test_every_variant_of_the_excerpts_is_counted(refused) -> None:
    error, _, said = refused
    if "telefonnummer" in said:  # the excerpts: four national ids from row 1, two phones from 4
        assert sorted(p.row for p in error.problems) == [1, 4]
        text = error.text("nb")
        assert "D-nummer (4 celle(r)" in text and "telefonnummer (2 celle(r)" in text, text


def test_nothing_under_out_holds_a_value(refused) -> None:
    _, out, _ = refused
    values = [FNR[6:], FNR[1:], "91 23 45 67", "22 12 34 56", "kari.nordmann"]
    files = [path for path in out.rglob("*") if path.is_file()] if out.exists() else []
    for path in files:
        content = path.read_bytes().decode("utf-8", errors="replace")
        assert not any(value in content for value in values), path
    assert not (out / "html").exists() and not (out / "results").exists()
