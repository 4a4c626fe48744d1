"""Taguette import adapter: round trip on a small export, error cases, and a re-run build."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.chapters.interviews import stats, tables
from analysis.chapters.interviews.data import load
from analysis.core.validation import InputError
from analysis.importers import taguette
from tests.conftest import share_build

FIXTURE = Path(__file__).parent / "fixtures" / "taguette"


def _convert(out: Path, highlights: str = "highlights.csv", **options) -> Path:
    return taguette.convert(
        FIXTURE / highlights, FIXTURE / "codebook.csv", FIXTURE / "participants.csv", out, **options
    )


def test_round_trip(tmp_path):
    _convert(tmp_path, n_invited=5, negative=["meeting.repeat"])
    data = load(tmp_path)
    export = pd.read_csv(FIXTURE / "highlights.csv", dtype=str)
    tagged = export.dropna(subset=["tag"])
    # One segment row per highlight × tag; the untagged highlight is left out.
    assert len(data.segments) == len(tagged) == 7
    assert sorted(data.segments["segment_id"].unique()) == ["H1", "H2", "H4", "H5", "H6", "H7"]
    assert data.segments.query("segment_id == 'H2'")["code_id"].tolist() == [
        "support.employer",
        "meeting.useful",
    ]
    # Documents map to participants by name without extension, ignoring case (a02.txt -> A02).
    owners = data.segments.drop_duplicates("segment_id").set_index("segment_id")["participant_id"]
    assert owners.to_dict() == {
        "H1": "A01",
        "H2": "A01",
        "H4": "A02",
        "H5": "A02",
        "H6": "A03",
        "H7": "A03",
    }
    # Whitespace and line breaks inside a highlight collapse; both languages get the same text.
    h4 = data.segments.set_index("segment_id").loc["H4"]
    assert (
        h4["excerpt_en"]
        == h4["excerpt_nb"]
        == ("The meeting gave me a clear picture of the rules.")
    )
    # Themes are the top-level tags, in codebook order; every child tag is a code.
    codebook = data.codebook.set_index("code_id")
    assert list(data.themes().index) == ["support", "meeting"]
    assert codebook.loc["meeting.repeat", ["theme_id", "code_en", "negative_case"]].tolist() == [
        "meeting",
        "repeat",
        1,
    ]
    assert codebook.at["meeting.unused", "description_nb"] == "A code nobody used"
    assert data.themes().at["meeting", "theme_description_en"] == (
        "How the NAV meeting was experienced"
    )
    # Counts per tag agree with Taguette's own "number of highlights" column.
    tags = pd.read_csv(FIXTURE / "codebook.csv").set_index("tag")
    counts = stats.code_counts(data).set_index("code_id")["n_segments"]
    assert counts.to_dict() == tags.loc[counts.index, "number of highlights"].to_dict()
    assert data.n_invited == 5 and not data.illustrative
    assert stats.characteristics(data).sex.values == {"female": 2, "male": 1}
    # The study description (not study.csv) holds the number invited; the data are primary.
    assert not (tmp_path / "interviews" / "study.csv").exists()
    assert data.study.provenance == "collected" and data.study.facts == {"n_invited": 5}
    # A tag that is both a theme's id and its name is named once ("support", not twice).
    table = tables.codebook(stats.code_counts(data), "en")
    assert table["Theme"].tolist()[:2] == ["support", "meeting"]
    assert table["Code"].tolist()[0] == "support.employer"


def test_reimport_keeps_the_study_description(tmp_path):
    study = tmp_path / "interviews.study.yaml"
    study.write_text("title: {en: My study, nb: Min studie}\nfacts: {n_invited: 9}\n")
    (tmp_path / "interviews").mkdir()
    (tmp_path / "interviews" / "study.csv").write_text("n_invited,illustrative\n9,0\n")
    _convert(tmp_path)
    data = load(tmp_path)  # the earlier import's study.csv is gone
    assert data.study.text("title", "nb") == "Min studie" and data.n_invited == 9
    _convert(tmp_path, n_invited=7)
    assert load(tmp_path).study.text("title", "en") == "My study"
    assert load(tmp_path).n_invited == 7


def test_documents_mapping_file(tmp_path):
    _convert(tmp_path, highlights="highlights_named.csv", documents=FIXTURE / "documents.csv")
    data = load(tmp_path)
    assert data.segments["participant_id"].tolist() == ["A01", "A02", "A03"]
    # Document names (which may hold real names) never reach the output.
    written = (tmp_path / "interviews" / "segments.csv").read_text()
    assert "Interview with first person" not in written
    assert data.n_invited is None


def test_unmatched_documents_are_listed(tmp_path):
    with pytest.raises(InputError) as caught:
        _convert(tmp_path, highlights="highlights_named.csv")
    problems = caught.value.problems
    assert [(p.column, p.row) for p in problems] == [
        ("document", 1),
        ("document", 2),
        ("document", 3),
    ]
    assert "'second interview.txt' matches no participant" in problems[1].message
    assert "--documents" in problems[1].fix
    assert not (tmp_path / "interviews").exists()


def test_mapping_to_unknown_participant(tmp_path):
    mapping = tmp_path / "documents.csv"
    mapping.write_text("document,participant_id\nA01.docx,A01\na02.txt,A02\nA03.odt,Z9\n")
    with pytest.raises(InputError) as caught:
        _convert(tmp_path / "out", documents=mapping)
    (problem,) = caught.value.problems
    assert problem.row == 7 and "'Z9', which is not in the participants file" in problem.message


def test_tags_missing_from_codebook_are_listed(tmp_path):
    export = tmp_path / "highlights.csv"
    text = (FIXTURE / "highlights.csv").read_text()
    export.write_text(
        text.replace("5,a02.txt,meeting.repeat", "5,a02.txt,meeting.later").replace(
            "7,A03.odt,support.employer", "7,A03.odt,support.family"
        )
    )
    with pytest.raises(InputError) as caught:
        taguette.convert(
            export, FIXTURE / "codebook.csv", FIXTURE / "participants.csv", tmp_path / "out"
        )
    problems = caught.value.problems
    assert [(p.column, p.row) for p in problems] == [("tag", 6), ("tag", 8)]
    assert "'meeting.later' is not in the codebook export" in problems[0].message


def test_unknown_negative_tag(tmp_path):
    with pytest.raises(InputError, match=r"--negative names tag 'meeting\.repeats'"):
        _convert(tmp_path, negative=["meeting.repeats"])


def test_codebook_without_parent_column(tmp_path):
    old = tmp_path / "codebook.csv"
    pd.read_csv(FIXTURE / "codebook.csv").drop(columns="parent").to_csv(old, index=False)
    taguette.convert(
        FIXTURE / "highlights.csv", old, FIXTURE / "participants.csv", tmp_path / "out"
    )
    data = load(tmp_path / "out")
    assert data.codebook.set_index("code_id").at["support.employer", "theme_id"] == "support"


def test_bad_participants_file_is_named(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text((FIXTURE / "participants.csv").read_text().replace("male,51", "man,51"))
    with pytest.raises(InputError) as caught:
        taguette.convert(
            FIXTURE / "highlights.csv", FIXTURE / "codebook.csv", people, tmp_path / "out"
        )
    (problem,) = caught.value.problems
    assert (problem.file, problem.column, problem.row) == (str(people), "sex", 2)


def test_console_command(tmp_path, capsys):
    arguments = [
        "import-taguette",
        "--highlights",
        str(FIXTURE / "highlights_named.csv"),
        "--codebook",
        str(FIXTURE / "codebook.csv"),
        "--participants",
        str(FIXTURE / "participants.csv"),
        "--out",
        str(tmp_path),
    ]
    assert cli.main(arguments) == 2
    assert "matches no participant" in capsys.readouterr().err
    assert (
        cli.main(
            [
                *arguments,
                "--documents",
                str(FIXTURE / "documents.csv"),
                "--invited",
                "4",
                "--negative",
                "meeting.repeat",
            ]
        )
        == 0
    )
    assert "rtw-report build --data" in capsys.readouterr().out
    assert load(tmp_path).n_invited == 4


def taguette_export(folder: Path) -> Path:
    """The fixture's Taguette export converted into ``folder / "data"``; returns that folder."""
    _convert(folder / "data", n_invited=5, negative=["meeting.repeat"])
    return folder / "data"


# In one English build with other data of the provider and cohort chapters (test_book).
share_build("rerun", "interviews", taguette_export, langs=["en"])


def test_rerun_chapter_on_taguette_export(shared_book):
    out = shared_book("rerun")
    payload = json.loads((out / "results" / "interviews.json").read_text())
    assert payload["n_participants"] == 3 and payload["n_invited"] == 5
    assert payload["sex"] == {"female": None, "male": None}  # suppressed below 5
    hidden = {"n_participants": None, "n_segments": None}  # counts below 5: output checking
    assert payload["themes"] == {"support": hidden, "meeting": hidden}
    html = (out / "html" / "en" / "interviews.html").read_text(encoding="utf-8")
    assert "come from the coding export as coded" in html
    assert "illustrative paraphrases" not in html
    assert "support support" not in html and "support: support" not in html
