"""Files researchers actually have: semicolons and decimal commas, tabs, Windows-1252, Excel,
R's and Stata's missing values, column names in capitals, Norwegian category words."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.problems import InputError, Message, Notes
from analysis.core.validation import Field, Schema, read_raw, read_table, require, table_rows

SCHEMA = Schema(
    "people.csv",
    (
        Field("id", "text", unique=True),
        Field("sex", "category", ("female", "male"), nullable=True),
        Field("coordinator", "category", ("yes", "no")),
        Field("weight", "number", nullable=True),
        Field("days", "integer", minimum=0),
    ),
)
EXPECTED = pd.DataFrame(
    {
        "id": ["a", "b", "c"],
        "sex": ["female", None, "male"],
        "coordinator": ["yes", "no", "yes"],
        "weight": [1.5, None, 2.25],
        "days": [10, 0, 360],
    }
)


def check(frame: pd.DataFrame) -> None:
    assert frame["id"].tolist() == EXPECTED["id"].tolist()
    assert frame["sex"].isna().tolist() == [False, True, False]
    assert frame["coordinator"].tolist() == ["yes", "no", "yes"]
    assert frame["weight"].tolist()[::2] == [1.5, 2.25]
    assert frame["days"].tolist() == [10, 0, 360]


@pytest.fixture
def notes() -> Notes:
    """A collector of how the files of one test were read."""
    return Notes()


def test_semicolons_decimal_commas_and_a_bom(tmp_path, notes):
    text = "id;sex;coordinator;weight;days\na;female;yes;1,5;10\nb;;no;;0\nc;male;yes;2,25;360\n"
    (tmp_path / "people.csv").write_bytes(text.encode("utf-8-sig"))
    check(read_table(tmp_path, SCHEMA, notes))
    assert any("semicolon-separated" in note for note in notes.texts())


def test_tabs_and_windows_1252(tmp_path, notes):
    lines = [
        "id,sex,coordinator,weight,days",
        "a,female,yes,1.5,10",
        "b,,no,,0",
        "c,male,yes,2.25,360",
    ]
    text = "\n".join(line.replace(",", "\t") for line in lines) + "\n"
    (tmp_path / "people.csv").write_bytes(text.encode("cp1252"))
    check(read_table(tmp_path, SCHEMA, notes))
    latin = "id,sex,coordinator,weight,days\nø,female,yes,1.5,10\n"
    (tmp_path / "people.csv").write_bytes(latin.encode("cp1252"))
    assert read_table(tmp_path, SCHEMA, notes)["id"].tolist() == ["ø"]
    assert any("Windows-1252" in note for note in notes.texts())


def test_an_excel_workbook_when_there_is_no_csv(tmp_path, notes):
    EXPECTED.to_excel(tmp_path / "people.xlsx", index=False)
    check(read_table(tmp_path, SCHEMA, notes))
    assert any("people.xlsx" in note for note in notes.texts())


def test_a_file_mixing_utf8_and_windows_1252_is_refused_naming_the_lines(tmp_path):
    header = b"id,sex,coordinator,weight,days\n"
    rows = [
        "ø,female,yes,1.5,10\n".encode(),
        b"b,,no,,0\n",
        "å,male,yes,2.25,360\n".encode("cp1252"),
    ]
    (tmp_path / "people.csv").write_bytes(header + b"".join(rows))
    with pytest.raises(InputError) as error:
        read_table(tmp_path, SCHEMA)
    (problem,) = error.value.problems
    assert problem.file.endswith("people.csv")
    assert "lines 2 are UTF-8, lines 4 Windows-1252" in problem.text("en")
    assert "linje 2 er UTF-8, linje 4 Windows-1252" in problem.text("nb")
    assert "UTF-8" in problem.remedy.text("en") and "UTF-8" in problem.remedy.text("nb")


def test_a_csv_and_a_workbook_of_the_same_name_are_refused_naming_both(tmp_path):
    EXPECTED.to_csv(tmp_path / "people.csv", index=False)
    EXPECTED.to_excel(tmp_path / "people.xlsx", index=False)
    with pytest.raises(InputError) as error:
        read_table(tmp_path, SCHEMA)
    for lang in ("en", "nb"):
        text = error.value.text(lang)
        assert "people.csv" in text and "people.xlsx" in text


def test_the_sheet_with_the_contract_columns_is_read_and_named(tmp_path, notes):
    workbook = tmp_path / "people.xlsx"
    about = pd.DataFrame({"Notes": ["collected 2024"]})
    with pd.ExcelWriter(workbook) as writer:
        about.to_excel(writer, sheet_name="About", index=False)
        EXPECTED.to_excel(writer, sheet_name="Data", index=False)
    check(read_table(tmp_path, SCHEMA, notes))
    assert any("'Data'" in note for note in notes.texts())
    with pd.ExcelWriter(workbook) as writer:
        about.to_excel(writer, sheet_name="About", index=False)
        EXPECTED.drop(columns="days").to_excel(writer, sheet_name="Data", index=False)
    with pytest.raises(InputError) as error:
        read_table(tmp_path, SCHEMA)
    for lang in ("en", "nb"):
        assert "'About', 'Data'" in error.value.text(lang)


def test_a_whole_number_too_large_names_file_column_and_row_in_the_language(tmp_path):
    text = "id,sex,coordinator,weight,days\na,,yes,,10\nb,,no,,1" + "0" * 39 + "\n"
    (tmp_path / "people.csv").write_text(text)
    with pytest.raises(InputError) as error:
        read_table(tmp_path, SCHEMA)
    (problem,) = error.value.problems
    assert problem.file.endswith("people.csv")
    assert (problem.column, problem.row) == ("days", 2)
    assert "too large" in problem.text("en") and "for stort" in problem.text("nb")


def test_missing_values_of_r_and_stata_capital_names_and_norwegian_words(tmp_path, notes):
    text = "ID,Sex,Coordinator,weight,days\na,kvinne,Ja,1.5,10\nb,NA,nei,.,0\nc,mann,ja,2.25,360\n"
    (tmp_path / "people.csv").write_text(text)
    check(read_table(tmp_path, SCHEMA, notes))
    said = " ".join(notes.texts())
    assert "column 'ID' read as 'id'" in said and "Ja, ja, nei read as contract values" in said


def test_many_bad_cells_of_a_column_are_one_message_and_found_columns_are_named(tmp_path):
    rows = [f"p{i},female,kanskje,1,{i}" for i in range(200)]
    (tmp_path / "people.csv").write_text("id,sex,coordinator,weight,days\n" + "\n".join(rows))
    with pytest.raises(InputError) as error:
        read_table(tmp_path, SCHEMA)
    (problem,) = error.value.problems
    assert problem.column == "coordinator" and problem.row == 1
    assert problem.message.startswith("200 cells fail") and "kanskje" in problem.message
    (tmp_path / "people.csv").write_text("id,sex,weight\na,female,1\n")
    with pytest.raises(InputError) as error:
        read_table(tmp_path, SCHEMA)
    assert "the file has the columns id, sex, weight" in str(error.value)


def test_a_problem_names_the_line_its_row_starts_on(tmp_path):
    # Row 1 has a quoted id over two lines and a blank line follows it: row 2 is on line 5.
    text = 'id,sex,coordinator,weight,days\n"a\nb",female,yes,1,10\n\nc,male,kanskje,2,3\n'
    (tmp_path / "people.csv").write_text(text)
    with pytest.raises(InputError) as error:
        read_table(tmp_path, SCHEMA)
    assert "row 2 (line 5)" in str(error.value)
    assert "rad 2 (linje 5)" in error.value.text("nb")
    (tmp_path / "people.csv").write_text("id,sex,coordinator,weight,days\nc,male,kanskje,2,3\n")
    with pytest.raises(InputError, match=r"row 1 \(line 2\)"):
        read_table(tmp_path, SCHEMA)


def test_a_cross_file_rule_names_the_line_its_row_starts_on(tmp_path):
    text = 'id,sex,coordinator,weight,days\n"a\nb",female,yes,1,10\n\nc,male,no,2,3\n'
    (tmp_path / "people.csv").write_text(text)
    frame = read_table(tmp_path, SCHEMA)
    with pytest.raises(InputError, match=r"row 2 \(line 5\)"):
        issue, fix = Message("input.no_rows"), Message("input.fix.add_row")
        require(frame["days"] > 5, frame, "people.csv", "days", issue, fix)


def test_notes_go_to_the_collector_of_their_reading_only(tmp_path):
    (tmp_path / "people.csv").write_text("id;sex;coordinator;weight;days\na;female;yes;1,5;10\n")
    semicolons, commas = Notes(), Notes()
    read_table(tmp_path, SCHEMA, semicolons)
    (tmp_path / "people.csv").write_text("id,sex,coordinator,weight,days\na,female,yes,1.5,10\n")
    read_table(tmp_path, SCHEMA, commas)
    assert any("semicolon-separated" in note for note in semicolons.texts())
    assert commas.texts() == []


def test_a_missing_file_mentions_the_workbook_it_could_be(tmp_path):
    with pytest.raises(InputError, match=r"people\.xlsx"):
        read_table(tmp_path, SCHEMA)


def test_validate_checks_without_building_and_says_how_files_were_read(tmp_path, capsys):
    from analysis import cli
    from tests.helpers import SHIPPED_DATA

    assert cli.main(["validate", "--lang", "en", "--data", str(SHIPPED_DATA)]) == 0
    assert "are valid" in capsys.readouterr().out
    (tmp_path / "providers.csv").write_text("programme_id;finance\nX1;nav\n")
    assert (
        cli.main(["validate", "--lang", "en", "--data", str(tmp_path), "--only", "provider"]) == 2
    )
    captured = capsys.readouterr()
    assert (
        "semicolon-separated" in captured.out and "column 'permanent_coordinator'" in captured.err
    )
    assert not list(tmp_path.glob("*html*"))


def test_a_table_counts_the_rows_it_is_read_as(tmp_path):
    # A quoted cell spanning lines and a blank line between rows: three data rows, as read in
    # full; a workbook counted as read too.
    text = 'id;sex;coordinator;weight;days\na;"fe\nmale";yes;1,5;10\n\nb;;no;;0\nc;male;yes;2;3\n'
    (tmp_path / "people.csv").write_text(text, encoding="utf-8")
    path = tmp_path / "people.csv"
    assert table_rows(path, tmp_path) == len(read_raw(path, tmp_path, Notes())) == 3
    path.unlink()
    EXPECTED.to_excel(tmp_path / "people.xlsx", index=False)
    assert table_rows(path, tmp_path) == 3
