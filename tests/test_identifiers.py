"""Direct identifiers stop the build wherever and however they are written."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pandas as pd
import pytest

from analysis.core.identifiers import (
    identifier_kinds,
    is_identifier_column,
)
from analysis.core.study import StudyDescription, load_study
from analysis.core.validation import Field, InputError, Notes, Schema, validate_frame
from analysis.importers import taguette
from analysis.pipeline.cache import Cache
from analysis.pipeline.notebooks import BuildError
from analysis.pipeline.scan import scan, strip_source_maps
from tests.helpers import FNR, control_digits

D_NUMBER = next(f for s in range(100, 999) if (f := control_digits(f"430570{s}")))
# The review's example date: 15 May 1983.
FNR_1983 = next(f for s in range(100, 999) if (f := control_digits(f"150583{s}")))
FNR_1990 = next(f for s in range(100, 999) if (f := control_digits(f"010190{s}")))


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
        f"{FNR_1983[:2]}.{FNR_1983[2:4]}.{FNR_1983[4:6]} {FNR_1983[6:]}",  # dotted date, space
        f"{FNR_1983[:6]} {FNR_1983[6:9]} {FNR_1983[9:]}",  # grouped digits
        f"{FNR_1983[:6]}\u2013{FNR_1983[6:]}",  # en dash
        f"{FNR_1983[:6]}\u00a0{FNR_1983[6:]}",  # no-break space
        f"{FNR_1983[:6]}\u200b{FNR_1983[6:]}",  # zero-width space
        f"{FNR_1983[:6]}&#45;{FNR_1983[6:]}",  # an HTML entity
        "".join(chr(0xFF10 + int(c)) for c in FNR_1983),  # full-width digits
        f"{FNR_1983[:2]} {FNR_1983[2:5]} {FNR_1983[5:8]} {FNR_1983[8:]}",  # thousands groups
        f"{FNR_1983[0]}.{FNR_1983[1:6]}E+10",  # scientific notation, control digits cut off
        f"{FNR_1983[0]}.{FNR_1983[1:]}E+10",  # scientific notation, whole
        f"{FNR[1]}.{FNR[2:]}E+09",  # scientific notation, leading zero lost
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
        ("mobil 91 23 45 67", "phone"),
        ("sentralbord 22 12 34 56", "phone"),
        ("ring +47\u00a091\u202f23\u202f45\u202f67", "phone"),
        ("skriv til kari.nordmann&#64;nav.no", "email"),
        ("skriv til kari.nordmann\uff20nav.no", "email"),
    ],
)
def test_e_mail_and_phone_numbers_are_found_in_free_text(text, kind):
    assert identifier_kinds(text) == [kind]
    assert identifier_kinds(text, free_text=False) == []


@pytest.mark.parametrize(
    "text",
    [
        "12345678901",
        "360",
        "0.0325",
        "1 234 567",
        "2019-2021",
        "2019\u20132021",
        "P07",
        "RT001",
        "1.2345678901",
        "12 345 678",  # a thousands-grouped figure
        "12\u202f345\u202f678",
        "12,345,678",
        "0.91234567",
        "91234567.5",
        "1.06\u20134.63",
        "p < 0.001",
        "20231107",  # a date
        "1.5E+10",  # a figure in scientific notation without a date in it
        "91 23 45 67 89",  # part of a longer run of digit pairs
        "150583",  # a birth date alone
    ],
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
        validate_frame(frame, schema, "data/x.csv", Notes())
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
    leaking = fake_book(tmp_path / "b", f'<img alt="{FNR}"><p>n = 326</p>')
    with pytest.raises(InputError) as error:
        scan(leaking, [tmp_path / "machine"])
    (problem,) = error.value.problems
    assert (problem.file, problem.issue.key) == ("html/en/page.html", "input.identifier_untraced")
    assert FNR not in str(error.value)
    path = fake_book(tmp_path / "c", f"<p>{tmp_path}/machine/data</p>")
    with pytest.raises(BuildError, match=r"html/en/page\.html: a path of the build machine"):
        scan(path, [tmp_path / "machine"])


def test_the_scan_unpacks_the_sphinx_inventory(tmp_path):
    """A section title in ``objects.inv`` once carried a docutils message with the build
    folder's path; the inventory is zlib-packed, so only an unpacked reading finds it."""
    book = fake_book(tmp_path, "<p>n = 326</p>")
    inventory = book / "html" / "en" / "objects.inv"
    header = b"# Sphinx inventory version 2\n# Project: x\n# Version:\n# The remainder is zlib.\n"
    entry = f"theme-t1 std:label -1 page.html#$ T1{tmp_path}/machine/src/en/page.ipynb:4\n"
    inventory.write_bytes(header + zlib.compress(entry.encode()))
    assert str(tmp_path / "machine") not in inventory.read_bytes().decode("latin-1")
    with pytest.raises(BuildError, match=r"html/en/objects\.inv: a path of the build machine"):
        scan(book, [tmp_path / "machine"])
    inventory.write_bytes(header + zlib.compress(b"theme-t1 std:label -1 page.html#$ T1\n"))
    scan(book, [tmp_path / "machine"])
    inventory.write_bytes(header + zlib.compress(f"x std:label -1 page.html#$ {FNR}\n".encode()))
    with pytest.raises(InputError):
        scan(book, [tmp_path / "machine"])


def test_the_scan_names_the_input_in_the_language_of_the_messages(tmp_path):
    data = tmp_path / "data"
    (data / "meta").mkdir(parents=True)
    (data / "meta" / "studies.csv").write_text(
        f"study,note\nS1,fine\nS2,ring {FNR_1983[:6]} {FNR_1983[6:]}\n", encoding="utf-8"
    )
    (data / "meta.study.yaml").write_text(
        "setting: {en: 'kari@nav.no', nb: 'kari@nav.no'}\n", encoding="utf-8"
    )
    book = fake_book(
        tmp_path,
        f"<p>{FNR_1983[:2]}.{FNR_1983[2:4]}.{FNR_1983[4:6]}&nbsp;{FNR_1983[6:]}</p>"
        "<p>Contact: kari&#64;nav.no</p>",
    )
    with pytest.raises(InputError) as error:
        scan(book, [], data)
    where = {(p.file, p.column or p.key, p.row) for p in error.value.problems}
    assert where == {
        ("data/meta/studies.csv", "note", 2),
        ("data/meta.study.yaml", "setting.en", None),
    }
    assert "data/meta.study.yaml, nøkkel 'setting.en'" in error.value.text("nb")
    text = error.value.text("nb")
    assert "data/meta/studies.csv, kolonne 'note', rad 2 (linje 3)" in text
    assert "html/en/page.html" in text and "ville ha publisert" in text
    assert FNR_1983[6:] not in text and "kari" not in text


@pytest.mark.parametrize(
    "page",
    [
        "<table><tr><td>91</td><td>23</td><td>45</td><td>67</td></tr></table>",
        "<p>12\u202f345\u202f678 kr</p><p>1.06\u20134.63</p><p>2019\u20132021</p>",
        "<p>0,91234567</p><p>p &lt; 0,001</p><p>12,345,678</p>",
        "<p>doi:10.1186/s12889-019-91234567</p>",
        '<img src="logo@2x.png" alt="logo">',
    ],
)
def test_numbers_that_are_no_identifier_pass_the_scan(tmp_path, page):
    scan(fake_book(tmp_path, page), [])


def test_the_search_index_is_read_as_a_reader_would(tmp_path):
    book = fake_book(tmp_path, "<p></p>")
    index = {"terms": {"91234567": 3, "12": 1}, "titles": ["Results"], "docnames": ["cohort"]}
    (book / "html" / "en" / "searchindex.js").write_text(f"Search.setIndex({json.dumps(index)})")
    scan(book, [])  # an 8-digit term is a fragment of a figure, not a phone number
    index["terms"][FNR] = 1
    (book / "html" / "en" / "searchindex.js").write_text(f"Search.setIndex({json.dumps(index)})")
    with pytest.raises(InputError, match=r"searchindex\.js"):
        scan(book, [])


def test_a_refused_build_keeps_nothing_it_stored(tmp_path):
    cache = Cache(tmp_path / ".cache")
    source = tmp_path / "work"
    source.mkdir()
    (source / "page.html").write_text(FNR)
    cache.store("pages", "old", source)
    cache = Cache(tmp_path / ".cache")
    cache.fetch("pages", "old", tmp_path / "fetched")
    cache.store("pages", "new", source)
    cache.discard()
    assert [p.name for p in (tmp_path / ".cache" / "pages").iterdir()] == ["old"]


def test_source_maps_are_left_out(tmp_path):
    book = fake_book(tmp_path, "<p></p>")
    (book / "html" / "theme.js").write_text("code();\n//# sourceMappingURL=theme.js.map")
    (book / "html" / "theme.js.map").write_text("{}")
    strip_source_maps(book)
    assert not (book / "html" / "theme.js.map").exists()
    assert (book / "html" / "theme.js").read_text() == "code();"


@pytest.mark.parametrize(
    "birth_dates",
    [
        [FNR_1983[:6], "010190"],
        [f"{FNR_1983[:2]}.{FNR_1983[2:4]}.19{FNR_1983[4:6]}", "01.01.1990"],
        [f"19{FNR_1983[4:6]}-{FNR_1983[2:4]}-{FNR_1983[:2]}", "1990-01-01"],
    ],
)
def test_a_national_id_split_over_two_columns_is_found(birth_dates):
    rest = [FNR_1983[6:], FNR_1990[6:]]
    frame = pd.DataFrame({"id": ["a", "b"], "born": birth_dates, "number": rest})
    schema = Schema("x.csv", (Field("id", "text"), Field("born", "text"), Field("number", "text")))
    with pytest.raises(InputError) as error:
        validate_frame(frame, schema, "data/x.csv", Notes())
    assert [(p.column, p.row) for p in error.value.problems] == [("born + number", 1)]
    assert FNR_1983[6:] not in str(error.value)


def test_dates_next_to_ordinary_numbers_are_not_split_ids():
    rng = np.random.default_rng(3)
    days = pd.date_range("1950-01-01", periods=300, freq="37D")
    frame = pd.DataFrame(
        {
            "born": days.strftime("%d%m%y"),
            "amount": [f"{n:05d}" for n in rng.integers(10000, 99999, 300)],
        }
    )
    schema = Schema("x.csv", (Field("born", "text"), Field("amount", "text")))
    assert len(validate_frame(frame, schema, "x.csv", Notes())) == 300


def test_a_study_description_is_searched_in_every_text(tmp_path):
    (tmp_path / "cohort.study.yaml").write_text(
        "title: {en: 'Cohort', nb: 'Kohort'}\n"
        "setting: {en: 'Ask kari&#64;nav.no', nb: 'Spør kari&#64;nav.no'}\n"
        f"facts: {{contact: {{en: 'tel. 91 23 45 67', nb: 'tlf. 91 23 45 67'}}, n: {FNR}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        load_study(tmp_path, "cohort", StudyDescription)
    found = {(p.key, p.issue.values[0][1].key) for p in error.value.problems}
    assert found == {
        ("setting.en", "input.identifier.email"),
        ("setting.nb", "input.identifier.email"),
        ("facts.contact.en", "input.identifier.phone"),
        ("facts.contact.nb", "input.identifier.phone"),
        ("facts.n", "input.identifier.national_id"),
    }
    assert "nav.no" not in str(error.value) and FNR not in str(error.value)


def test_a_taguette_export_is_searched(tmp_path):
    (tmp_path / "highlights.csv").write_text(
        f"id,document,tag,content\n1,a,x,Hun sa {FNR_1983[:6]}\u2013{FNR_1983[6:]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        taguette.read_export(tmp_path / "highlights.csv", taguette.HIGHLIGHTS)
    assert [(p.column, p.row) for p in error.value.problems] == [("content", 1)]
