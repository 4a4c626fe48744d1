"""Input validation: national identity numbers, schema problems named by file, column and row."""

from pathlib import Path

import pytest

from analysis.core.identifiers import is_national_id
from analysis.core.validation import Field, InputError, Schema, read_table

SCHEMA = Schema(
    "t.csv",
    (
        Field("id", "text", unique=True),
        Field("group", "category", ("a", "b")),
        Field("flag", "binary"),
        Field("days", "integer", minimum=0),
        Field("score", "number", nullable=True),
    ),
)


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, text: str) -> list:
    with pytest.raises(InputError) as error:
        read_table(write(tmp_path, text), SCHEMA)
    return error.value.problems


def test_valid_file_is_typed(tmp_path):
    frame = read_table(
        write(tmp_path, "id,group,flag,days,score\nx1,a,1,3,\nx2,b,0,0,2.5\n"), SCHEMA
    )
    assert frame["days"].tolist() == [3, 0]
    assert str(frame["flag"].dtype) == "Int64"
    assert frame["score"].isna().tolist() == [True, False]


def test_national_id_checksum():
    # 15076500565: control digit 1 = 11 - (3*1+7*5+6*0+1*7+8*6+9*5+4*0+5*0+2*5) % 11
    # = 11 - 148 % 11 = 11 - 5 = 6; control 2 over the first ten digits gives 5.
    assert is_national_id("15076500565")
    assert not is_national_id("15076500566")
    assert not is_national_id("1507650056")
    assert not is_national_id("abcdefghijk")


def test_a_column_of_national_ids_stops_the_build(tmp_path):
    found = problems(tmp_path, "id,group,flag,days,score\n15076500565,a,1,3,\n")
    assert [(p.column, p.row) for p in found] == [("id", 1)]
    assert "national identity number" in str(found[0])


def test_each_problem_names_column_and_row(tmp_path):
    found = problems(tmp_path, "id,group,flag,days,score\nx1,c,2,-1,abc\nx1,a,1,x,\n")
    where = {(p.column, p.row) for p in found}
    assert {("group", 1), ("flag", 1), ("days", 1), ("score", 1), ("days", 2)} <= where
    assert any(p.column == "id" and "more than once" in p.message for p in found)
    text = str(InputError(found))
    assert "t.csv, column 'group', row 1 (line 2)" in text
    assert "Fix: use one of 'a', 'b'" in text


def test_missing_column_and_empty_file(tmp_path):
    found = problems(tmp_path, "id,group,flag,score\nx1,a,1,\n")
    assert [(p.column, p.row) for p in found] == [("days", None)]
    assert problems(tmp_path, "")[0].message == "the file is empty"
    assert "no data rows" in problems(tmp_path, "id,group,flag,days,score\n")[0].message


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-Infinity"])
def test_a_number_python_reads_but_no_cell_holds_is_named(tmp_path, cell):
    """float() reads these; they once passed the check and crashed the typing afterwards."""
    found = problems(tmp_path, f"id,group,flag,days,score\nx1,a,1,3,{cell}\nx2,a,1,{cell},1\n")
    assert {(p.column, p.row) for p in found} == {("score", 1), ("days", 2)}
