"""Direct identifiers stop the build wherever and however they are written."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.identifiers import (
    identifier_kinds,
    is_identifier_column,
)
from analysis.core.validation import Field, InputError, Schema, validate_frame
from analysis.pipeline.notebooks import BuildError
from analysis.pipeline.scan import scan, strip_source_maps
from tests.helpers import FNR, control_digits

D_NUMBER = next(f for s in range(100, 999) if (f := control_digits(f"430570{s}")))


@pytest.mark.parametrize(
    "text",
    [
        FNR,
        D_NUMBER,
        f"Hun sa at {FNR} var nummeret",
        f"{FNR[:6]} {FNR[6:]}",
        f"{FNR[:6]}-{FNR[6:]}",
        f"{FNR[:6]}.{FNR[6:]}",
        FNR[1:],  # the leading zero lost in a spreadsheet
        f"{FNR}.0",  # read as a float
    ],
)
def test_national_ids_are_found_in_every_written_form(text):
    assert identifier_kinds(text) == ["national_id"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("skriv til kari.nordmann@nav.no i dag", "email"),
        ("ring +47 912 34 567", "phone"),
        ("ring 0047 22 33 44 55", "phone"),
        ("mobil 91234567", "phone"),
        ("mobil 412 34 567", "phone"),
    ],
)
def test_e_mail_and_phone_numbers_are_found_in_free_text(text, kind):
    assert identifier_kinds(text) == [kind]
    assert identifier_kinds(text, free_text=False) == []


@pytest.mark.parametrize(
    "text",
    ["12345678901", "360", "0.0325", "1 234 567", "2019-2021", "P07", "RT001", "1.2345678901"],
)
def test_ordinary_values_are_not_identifiers(text):
    assert identifier_kinds(text) == []


def test_columns_named_like_identity_numbers_are_refused():
    for name in ("fnr", "FNR", "fødselsnummer", "fodselsnr", "personnummer", "d_nummer"):
        assert is_identifier_column(name), name
    assert not is_identifier_column("programme_id")


def test_validation_names_file_column_and_row_but_never_the_value():
    schema = Schema("x.csv", (Field("id", "text"), Field("note", "text", nullable=True)))
    frame = pd.DataFrame(
        {"id": ["a", "b", "c"], "note": ["", f"ring {FNR[:6]} {FNR[6:]}", "x@y.no"], "fnr": "1"}
    )
    with pytest.raises(InputError) as error:
        validate_frame(frame, schema, "data/x.csv")
    message = str(error.value)
    assert FNR not in message and FNR[6:] not in message and "x@y.no" not in message
    found = {(p.column, p.row) for p in error.value.problems}
    assert {("note", 2), ("note", 3), ("fnr", None)} <= found


def fake_book(tmp_path, page: str):
    book = tmp_path / "book"
    (book / "html" / "en").mkdir(parents=True)
    (book / "results").mkdir()
    (book / "html" / "en" / "page.html").write_text(page)
    (book / "results" / "x.json").write_text('{"p": 0.0325}')
    return book


def test_the_built_book_is_scanned_for_identifiers_and_machine_paths(tmp_path):
    clean = fake_book(tmp_path / "a", "<script>var t = 3057010028;</script><p>n = 326</p>")
    scan(clean, [tmp_path / "machine"])
    leaking = fake_book(tmp_path / "b", f'<img alt="{FNR}"><p>{tmp_path}/machine/data</p>')
    with pytest.raises(BuildError) as error:
        scan(leaking, [tmp_path / "machine"])
    message = str(error.value)
    assert "html/en/page.html: national id" in message
    assert "html/en/page.html: a path of the build machine" in message
    assert FNR not in message


def test_source_maps_are_left_out(tmp_path):
    book = fake_book(tmp_path, "<p></p>")
    (book / "html" / "theme.js").write_text("code();\n//# sourceMappingURL=theme.js.map")
    (book / "html" / "theme.js.map").write_text("{}")
    strip_source_maps(book)
    assert not (book / "html" / "theme.js.map").exists()
    assert (book / "html" / "theme.js").read_text() == "code();"
