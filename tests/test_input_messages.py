"""Messages about bad input in bokmål: every case names file, column and row, and no English
sentence is left in it (the words come from the nb labels, the contract's values stay)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import cli
from analysis.chapters.cohort import data as cohort
from analysis.chapters.interviews import data as interviews
from analysis.chapters.meta import data as meta
from analysis.core.catalog import catalog
from analysis.core.problems import InputError, Notes, Problem
from analysis.core.study import StudyDescription, load_study
from analysis.core.validation import Field, Schema, read_table, validate_frame
from tests.helpers import FNR, SHIPPED_DATA

# Words of an English sentence that no bokmål message holds (file names are taken out first).
ENGLISH = re.compile(
    r"\b(the|is|are|not|must|Fix|column|row|line|file|files|add|use|give|of|and|or|with)\b"
)


@cache
def english_parts() -> set[str]:
    """The English text of every input message label, cut at its placeholders (the parts the
    bokmål text does not share, such as a rule written in the contract's column names)."""
    parts = set()
    for key, entry in catalog().items():
        if key.startswith("input.") or ".input." in key:
            for part in re.split(r"{\w+}", entry["en"]):
                part = part.strip(" ;,.:()'")
                if len(part) >= 8 and part not in entry["nb"]:
                    parts.add(part)
    return parts


def assert_bokmal(text: str, *names: str) -> None:
    """``text`` holds none of the English message parts and no English sentence words."""
    for name in names:
        text = text.replace(name, "")
    assert not [part for part in english_parts() if part in text], text
    assert not ENGLISH.search(text), text


def check(problems: list[Problem]) -> None:
    assert problems
    for problem in problems:
        text = problem.text("nb")
        assert text.startswith(problem.file), text
        if problem.column is not None:
            assert f"kolonne '{problem.column}'" in text, text
        if problem.key is not None:
            assert f"nøkkel '{problem.key}'" in text, text
        if problem.row is not None:
            assert f"rad {problem.row} (linje {problem.row + 1})" in text, text
        assert "Slik retter du det: " in text
        assert problem.issue.text("nb") != problem.issue.text("en")
        assert problem.remedy.text("nb") != problem.remedy.text("en")
        # A reader's own words (a parser's error) and a description's example stay as they are.
        quoted = [
            str(value)
            for message in (problem.issue, problem.remedy)
            for name, value in message.values
            if name in ("error", "example", "value")
        ]
        assert_bokmal(text, problem.file, problem.column or "", problem.key or "", *quoted)
    error = InputError(problems)
    assert error.text("nb").startswith(f"{len(problems)} problem")
    assert "i inndataene:" in error.text("nb")
    assert str(error) == error.text("en")


def problems_of(load: Callable[[], object]) -> list[Problem]:
    with pytest.raises(InputError) as error:
        load()
    return error.value.problems


# --- one file against its schema (the cases of test_validation, test_input_formats and
# test_identifiers)

SCHEMA = Schema(
    "t.csv",
    (
        Field("id", "text", unique=True),
        Field("group", "category", ("a", "b")),
        Field("flag", "binary"),
        Field("days", "integer", minimum=0, maximum=400),
        Field("score", "number", nullable=True),
    ),
)
TABLES = {
    "national_id": f"id,group,flag,days,score\n{FNR},a,1,3,\n",
    "bad_cells": "id,group,flag,days,score\nx1,c,2,-1,abc\nx1,a,1,x,\nx3,b,0,401,\n",
    "empty_cell": "id,group,flag,days,score\nx1,,1,3,\n",
    "missing_column": "id,group,flag,score\nx1,a,1,\n",
    "empty_file": "",
    "no_rows": "id,group,flag,days,score\n",
    "unreadable": 'id,group,flag,days,score\n"x1,a,1,3,\n',
    "many_bad_cells": "id,group,flag,days,score\n"
    + "".join(f"p{i},kanskje,1,{i},\n" for i in range(200)),
}


@pytest.mark.parametrize("case", TABLES)
def test_schema_problems_read_in_bokmal(tmp_path: Path, case: str) -> None:
    (tmp_path / "t.csv").write_text(TABLES[case], encoding="utf-8")
    check(problems_of(lambda: read_table(tmp_path, SCHEMA)))


def test_the_fix_translates_the_words_around_the_contract_values(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("id,group,flag,days,score\nx1,c,1,3,\n", encoding="utf-8")
    (problem,) = problems_of(lambda: read_table(tmp_path, SCHEMA))
    assert problem.fix == "use one of 'a', 'b'"
    assert problem.remedy.text("nb") == "bruk en av 'a', 'b'"
    assert problem.issue.text("nb") == "verdien 'c' er ikke en av de tillatte verdiene"
    days = SCHEMA.field("days").fix_hint()
    assert days.text("nb") == "bruk et heltall på minst 0 på høyst 400"
    assert (
        SCHEMA.field("score")
        .fix_hint()
        .text("nb")
        .endswith("la cellen stå tom hvis verdien mangler")
    )


def test_a_missing_file_and_the_columns_found(tmp_path: Path) -> None:
    check(problems_of(lambda: read_table(tmp_path, SCHEMA)))
    assert "t.xlsx, en Excel-arbeidsbok" in problems_of(lambda: read_table(tmp_path, SCHEMA))[
        0
    ].text("nb")
    (tmp_path / "t.csv").write_text("id,group,flag\nx1,a,1\n", encoding="utf-8")
    found = problems_of(lambda: read_table(tmp_path, SCHEMA))
    check(found)
    assert "filen har kolonnene id, group, flag" in found[0].text("nb")


def test_direct_identifiers_read_in_bokmal() -> None:
    schema = Schema("x.csv", (Field("id", "text"), Field("note", "text", nullable=True)))
    frame = pd.DataFrame(
        {"id": ["a", "b", "c"], "note": ["", f"ring {FNR[:6]} {FNR[6:]}", "x@y.no"], "fnr": "1"}
    )
    found = problems_of(lambda: validate_frame(frame, schema, "data/x.csv", Notes()))
    check(found)
    text = InputError(found).text("nb")
    assert "fødselsnummer" in text and "e-postadresse" in text and FNR not in text


def test_notes_on_how_files_were_read_are_in_bokmal(tmp_path: Path) -> None:
    schema = Schema(
        "people.csv",
        (Field("id", "text"), Field("coordinator", "category", ("yes", "no"))),
    )
    collected = Notes()
    (tmp_path / "people.csv").write_bytes("ID;Coordinator\nø;Ja\n".encode("cp1252"))
    read_table(tmp_path, schema, collected)
    (tmp_path / "people.csv").write_text("id\tcoordinator\na\tyes\n", encoding="utf-8")
    read_table(tmp_path, schema, collected)
    (tmp_path / "people.csv").unlink()
    pd.DataFrame({"id": ["a"], "coordinator": ["no"]}).to_excel(
        tmp_path / "people.xlsx", index=False
    )
    read_table(tmp_path, schema, collected)
    notes = collected.texts("nb")
    assert len(notes) == 7
    joined = "\n".join(notes)
    for words in (
        "lest som Windows-1252",
        "lest som semikolonseparert",
        "kolonnen 'ID' lest som 'id'",
        "Ja lest som kontraktsverdier",
        "lest som tabulatorseparert",
        "lest fra det første arket",
    ):
        assert words in joined
    for note in notes:
        assert_bokmal(note.split(": ", 1)[1])


# --- rules across columns and files


def copy(tmp_path: Path, *names: str) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name in names:
        source = SHIPPED_DATA / name
        if source.is_dir():
            shutil.copytree(source, data / name)
        else:
            shutil.copy(source, data / name)
    return data


def change(path: Path, edit: Callable[[pd.DataFrame], pd.DataFrame | None]) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edited = edit(frame)
    (frame if edited is None else edited).to_csv(path, index=False)


def _set(**cells: object) -> Callable[[pd.DataFrame], None]:
    """Set ``column=(row, value)`` cells (0-based rows)."""

    def edit(frame: pd.DataFrame) -> None:
        for column, (row, value) in cells.items():
            frame.loc[row, column] = value

    return edit


def _ratio_outside(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(measure="", estimate="", ci_low="", ci_high="")
    frame.loc[0, COUNTS] = ""
    frame.loc[0, ["measure", "estimate", "ci_low", "ci_high"]] = ["RR", "3", "0.5", "2"]
    return frame


COUNTS = list(meta.COUNT_COLUMNS)
META_RULES = {
    "analysis_unknown": ("studies.csv", _set(analysis_id=(0, "no_such_analysis"))),
    "partial_counts": ("studies.csv", _set(n_control=(0, ""))),
    "no_estimate": ("studies.csv", lambda f: f.assign(**dict.fromkeys(COUNTS, ""))),
    "events_exceed": ("studies.csv", _set(events_intervention=(0, "60"))),
    "ci_outside": ("studies.csv", _ratio_outside),
    "duplicate_study": ("studies.csv", lambda f: pd.concat([f, f.iloc[[0]]])),
    "step_missing": ("prisma.csv", lambda f: f.iloc[1:]),
    "flow": ("prisma.csv", _set(count=(4, "199"))),
}


@pytest.mark.parametrize("rule", META_RULES)
def test_meta_rules_read_in_bokmal(tmp_path: Path, rule: str) -> None:
    data = copy(tmp_path, "meta", "meta.study.yaml")
    file, edit = META_RULES[rule]
    change(data / "meta" / file, edit)
    found = problems_of(lambda: meta.load(data))
    assert f"meta.input.{rule}" in {problem.issue.key for problem in found}
    check(found)


COHORT_RULES = {
    "full_before_first": _set(days_to_first_rtw=(0, "100"), days_to_full_rtw=(0, "50")),
    "full_without_first": _set(first_rtw=(0, "0"), full_rtw=(0, "1")),
}


@pytest.mark.parametrize("rule", COHORT_RULES)
def test_cohort_rules_read_in_bokmal(tmp_path: Path, rule: str) -> None:
    data = copy(tmp_path, "cohort.csv")
    change(data / "cohort.csv", COHORT_RULES[rule])
    found = problems_of(lambda: cohort.load(data))
    assert {problem.issue.key for problem in found} >= {f"cohort.input.{rule}"}
    check(found)


INTERVIEW_RULES = {
    "participant_unknown": ("segments.csv", _set(participant_id=(0, "P99"))),
    "code_unknown": ("segments.csv", _set(code_id=(0, "T9.9"))),
    "segment_differs": ("segments.csv", _set(segment_id=(1, "S001"))),
    "theme_names_differ": ("codebook.csv", _set(theme_nb=(0, "Annet navn"))),
}


@pytest.mark.parametrize("rule", INTERVIEW_RULES)
def test_interview_rules_read_in_bokmal(tmp_path: Path, rule: str) -> None:
    data = copy(tmp_path, "interviews", "interviews.study.yaml")
    file, edit = INTERVIEW_RULES[rule]
    change(data / "interviews" / file, edit)
    found = problems_of(lambda: interviews.load(data))
    assert {problem.issue.key for problem in found} == {f"interviews.input.{rule}"}
    check(found)


# --- the study description

STUDIES = {
    "not_yaml": "title: [",
    "not_mapping": "- a list",
    "unknown_key": "colour: red",
    "not_bilingual": "title: only one language",
    "unknown_provenance": "provenance: made-up",
    "unknown_direction": "outcomes: {rtw: {direction: sideways}}",
    "facts_not_mapping": "facts: 3",
    "not_text": "citation: 3",
    "missing_translation": "population: {en: people on sick leave}",
    "unknown_fact": "facts: {n_invited: 40}",
    "unknown_publication": "reproduces: cohort2019coordinator",
    "direction_required": "outcomes: {a: {direction: harmful}, b: {}}",
    "wrong_type_in_a_language": "period: {en: 2012, nb: '2012'}",
}


@pytest.mark.parametrize("case", STUDIES)
def test_study_description_problems_read_in_bokmal(tmp_path: Path, case: str) -> None:
    (tmp_path / "meta.study.yaml").write_text(STUDIES[case] + "\n", encoding="utf-8")
    check(problems_of(lambda: load_study(tmp_path, "meta", meta.DESCRIPTION)))


def test_a_key_written_twice_in_a_study_description_is_refused_not_overwritten(
    tmp_path: Path,
) -> None:
    text = "title: {en: First, nb: Første}\nsetting: {en: X, nb: X}\ntitle: {en: B, nb: B}\n"
    (tmp_path / "meta.study.yaml").write_text(text, encoding="utf-8")
    (problem,) = problems_of(lambda: load_study(tmp_path, "meta", StudyDescription))
    assert problem.issue.key == "input.study.not_yaml"
    assert "'title' is written twice" in problem.text("nb") and "line 3" in problem.text("nb")


def test_interview_facts_and_the_old_study_file_read_in_bokmal(tmp_path: Path) -> None:
    data = copy(tmp_path, "interviews", "interviews.study.yaml")
    study = data / "interviews.study.yaml"
    text = study.read_text(encoding="utf-8").replace("n_invited: 40", "n_invited: 20")
    broken = yaml.safe_load(text)
    broken["facts"]["excerpts"] = "only English"
    study.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    found = problems_of(lambda: interviews.load(data))
    assert {problem.key for problem in found} == {"facts.excerpts"}
    check(found)
    study.write_text(text, encoding="utf-8")
    (data / "interviews" / "study.csv").write_text("n_invited\n40\n", encoding="utf-8")
    found = problems_of(lambda: interviews.load(data))
    assert {problem.key for problem in found} == {None, "facts.n_invited"}
    check(found)


# --- the command line


def test_validate_speaks_the_first_language_of_lang(tmp_path: Path, capsys) -> None:
    (tmp_path / "providers.csv").write_text("programme_id;finance\nX1;nav\n")
    argv = ["validate", "--data", str(tmp_path), "--only", "provider"]
    assert cli.main([*argv, "--lang", "nb"]) == 2
    captured = capsys.readouterr()
    assert "lest som semikolonseparert" in captured.out
    assert captured.err.startswith("rtw-report: feil i inndataene, ingenting ble bygd.")
    assert "problemer i inndataene:" in captured.err
    assert "kolonne 'permanent_coordinator'" in captured.err
    assert "den påkrevde kolonnen mangler. Slik retter du det: legg til en kolonne" in captured.err
    assert_bokmal(captured.err.split("\n", 1)[1], str(tmp_path), "rtw-report")
    assert cli.main([*argv, "--lang", "en,nb"]) == 2
    assert "the required column is missing. Fix: add a column" in capsys.readouterr().err
    assert cli.main(["validate", "--lang", "nb", "--data", str(tmp_path / "none")]) == 2
    assert "datamappen finnes ikke" in capsys.readouterr().err
    assert cli.main(["validate", "--lang", "nb", "--data", str(SHIPPED_DATA)]) == 0
    assert "er gyldige" in capsys.readouterr().out
