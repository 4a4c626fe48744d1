"""REFI-QDA (.qdpx) import: small projects the tests write (two coders, one of them coding a
segment the other left, a PDF source, a source text in the archive and one inline), Cohen's κ
per code from the imported codings, malformed projects, and the console command."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from analysis import cli
from analysis.chapters.interviews import chapter, page, stats
from analysis.chapters.interviews.data import load
from analysis.core.validation import InputError
from analysis.importers import qdpx
from analysis.pipeline.build import build
from tests.helpers import article_text

PARTICIPANTS = Path(__file__).parent / "fixtures" / "taguette" / "participants.csv"
FIRST = "I felt that my employer listened to me. The NAV meeting was useful. I had to repeat it."
SECOND = "The meeting gave me a clear picture of the rules.\nMy family helped."
USERS = {"U1": "Kari", "U2": "Ola"}
CODES = """
<CodeBook><Codes>
  <Code guid="C1" name="Support" isCodable="false">
    <Description>Who supported the return</Description>
    <Code guid="C2" name="Employer" isCodable="true"/>
    <Code guid="C3" name="Family" isCodable="true"/>
  </Code>
  <Code guid="C4" name="Meeting" isCodable="false">
    <Code guid="C5" name="Useful" isCodable="true"><Description>Found it useful</Description></Code>
    <Code guid="C6" name="Repeat" isCodable="true"/>
  </Code>
</Codes></CodeBook>"""


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


# (source, excerpt, code guid, user guid): the codings of the two coders.
CODINGS = [
    ("S1", "I felt that my employer listened to me.", "C2", "U1"),
    ("S1", "I felt that my employer listened to me.", "C2", "U2"),
    ("S1", "The NAV meeting was useful.", "C5", "U1"),
    ("S1", "The NAV meeting was useful.", "C6", "U2"),
    ("S1", "I had to repeat it.", "C6", "U1"),
    ("S1", "I had to repeat it.", "C6", "U2"),
    ("S2", "The meeting gave me a clear picture of the rules.", "C5", "U1"),
    ("S2", "The meeting gave me a clear picture of the rules.", "C5", "U2"),
    ("S2", "The meeting gave me a clear picture of the rules.", "C2", "U2"),
    ("S2", "My family helped.", "C3", "U1"),  # only Kari coded this span
]
TEXTS = {"S1": FIRST, "S2": SECOND}


def selections(source: str, codings: list[tuple[str, str, str, str]]) -> str:
    """One PlainTextSelection per coding (each coder selects for herself, as QDA programs do)."""
    made = []
    for n, (where, part, code, user) in enumerate(codings):
        if where != source:
            continue
        start, end = span(TEXTS[source], part)
        made.append(
            f'<PlainTextSelection guid="{source}-{n}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{user}">'
            f'<Coding guid="K{source}-{n}" creatingUser="{user}">'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
        )
    return "".join(made)


def project_xml(codings: list[tuple[str, str, str, str]] = CODINGS, codes: str = CODES) -> str:
    users = "".join(f'<User guid="{guid}" name="{name}"/>' for guid, name in USERS.items())
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="RTW interviews" origin="test">
<Users>{users}</Users>
{codes}
<Sources>
  <TextSource guid="S1" name="A01.docx" plainTextPath="internal://S1.txt">
    {selections("S1", codings)}
  </TextSource>
  <TextSource guid="S2" name="a02">
    <PlainTextContent>{SECOND}</PlainTextContent>
    {selections("S2", codings)}
  </TextSource>
  <PDFSource guid="S3" name="A03.pdf" path="internal://S3.pdf">
    <PDFSelection guid="P1" page="0" firstX="0" firstY="0" secondX="1" secondY="1">
      <Coding guid="KP1" creatingUser="U1"><CodeRef targetGUID="C3"/></Coding>
    </PDFSelection>
  </PDFSource>
</Sources>
</Project>"""


def write_qdpx(path: Path, xml: str, texts: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        for name, text in (texts if texts is not None else {"S1.txt": FIRST}).items():
            archive.writestr(f"sources/{name}", text)
    return path


def cohen_kappa(first: np.ndarray, second: np.ndarray) -> float:
    """κ = (p_o − p_e) / (1 − p_e) of two yes/no ratings, from its definition."""
    observed = (first == second).mean()
    expected = first.mean() * second.mean() + (1 - first.mean()) * (1 - second.mean())
    return (observed - expected) / (1 - expected)


def test_two_coders_are_kept_apart_and_give_kappa_per_code(tmp_path: Path) -> None:
    imported = qdpx.convert(write_qdpx(tmp_path / "p.qdpx", project_xml()), PARTICIPANTS, tmp_path)
    assert imported.coders == ("Kari", "Ola") and imported.left_out == 1
    data = load(tmp_path)
    # The same span is one segment, coded by both; the first coder's rows are the chapter's.
    assert sorted(data.coded["segment_id"].unique()) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert set(data.segments["coder"]) == {"Kari"} and len(data.segments) == 5
    q4 = data.coded[data.coded["segment_id"] == "Q4"]
    assert q4["excerpt_en"].unique().tolist() == [
        "The meeting gave me a clear picture of the rules."
    ]
    assert q4["participant_id"].unique().tolist() == ["A02"]  # "a02" matches A02
    # Codes are paths of names; the top-level codes are the themes, with their descriptions.
    codebook = data.codebook.set_index("code_id")
    assert codebook.loc["Meeting.Useful", ["theme_id", "code_en", "description_en"]].tolist() == [
        "Meeting",
        "Useful",
        "Found it useful",
    ]
    assert data.themes().at["Support", "theme_description_en"] == "Who supported the return"

    result = stats.agreement(data.coded)
    assert result.coders == ("Kari", "Ola") and result.not_applicable is None
    shared = ["Q1", "Q2", "Q3", "Q4"]  # Q5: Kari alone
    assert result.n_shared == len(shared)
    per_code = result.per_code.set_index("code_id")
    spans = {
        (source, part): f"Q{n}"
        for n, (source, part) in enumerate(dict.fromkeys((s, p) for s, p, _, _ in CODINGS), 1)
    }
    for code, guid in {"Support.Employer": "C2", "Meeting.Useful": "C5"}.items():
        first, second = (
            np.array(
                [
                    any(spans[s, p] == q and c == guid and u == user for s, p, c, u in CODINGS)
                    for q in shared
                ],
                dtype=float,
            )
            for user in USERS
        )
        assert per_code.at[code, "kappa"] == pytest.approx(cohen_kappa(first, second), abs=1e-12)
        assert per_code.at[code, "n_first"] == first.sum()


def test_codes_without_a_description_are_listed_without_one(tmp_path: Path) -> None:
    """REFI-QDA codes often have no Description: the codebook cell is empty (missing) and the
    theme section lists the code by its name alone."""
    qdpx.convert(write_qdpx(tmp_path / "p.qdpx", project_xml()), PARTICIPANTS, tmp_path)
    results = chapter.analyse(load(tmp_path))
    for lang in ("en", "nb"):
        text = "".join(part.data for part in page.themes(results, lang))
        assert "- **Useful** (Meeting.Useful): Found it useful" in text
        assert "- **Repeat** (Meeting.Repeat)\n" in text


def test_one_coder_without_users_writes_no_coder_column(tmp_path: Path) -> None:
    xml = project_xml().replace(' creatingUser="U1"', "").replace(' creatingUser="U2"', "")
    imported = qdpx.convert(write_qdpx(tmp_path / "p.qdpx", xml), PARTICIPANTS, tmp_path)
    assert imported.coders == ()
    header = (tmp_path / "interviews" / "segments.csv").read_text().splitlines()[0]
    assert "coder" not in header
    assert stats.agreement(load(tmp_path).coded).not_applicable == "no_coder"


def _problems(tmp_path: Path, xml: str | None = None, **kwargs) -> list:
    path = tmp_path / "p.qdpx"
    if xml is not None:
        write_qdpx(path, xml, kwargs.pop("texts", None))
    with pytest.raises(InputError) as raised:
        qdpx.convert(path, PARTICIPANTS, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out" / "interviews").exists()
    return raised.value.problems


def test_a_missing_project_file(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path)
    assert problem.message == "the file does not exist"
    assert problem.fix == "give the path of the project's .qdpx export with --project"


def test_a_file_that_is_not_a_zip_archive(tmp_path: Path) -> None:
    (tmp_path / "p.qdpx").write_text("not a zip")
    (problem,) = _problems(tmp_path)
    assert problem.file == str(tmp_path / "p.qdpx")
    assert "zip archive" in problem.message and "REFI-QDA project (.qdpx)" in problem.fix


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, project_xml().replace("</Users>", "</Userz>"))
    assert problem.file == f"{tmp_path / 'p.qdpx'} (project.qde)"
    assert "is not well-formed XML (mismatched tag: line 3" in problem.message
    assert "export the project again" in problem.fix
    assert "er ikke velformet XML" in problem.text("nb")


def test_broken_elements_are_each_named_with_the_fix(tmp_path: Path) -> None:
    codings = [*CODINGS, ("S1", "I had to repeat it.", "C9", "U7")]
    xml = project_xml(codings).replace('<Code guid="C3" name="Family"', '<Code guid="C3"')
    start, end = span(FIRST, CODINGS[1][1])
    selection = f'startPosition="{start}" endPosition="{end}" creatingUser="U2"'
    xml = xml.replace(selection, selection.replace(str(end), "900"))
    problems = _problems(tmp_path, xml)
    messages = [problem.message for problem in problems]
    assert messages == [
        "element <Code guid='C3'> has no name attribute",
        f"element <PlainTextSelection guid='S1-1'> selects the characters {start} to 900, "
        f"not a span of text within its source's {len(FIRST)} characters",
        "element <Coding guid='KS1-10'> refers to code 'C9', which is not in the codebook",
        "element <Coding guid='KS2-9'> refers to code 'C3', which is not in the codebook",
    ]
    assert problems[0].fix == "give the element its name, or export the project again"


def test_missing_source_text_and_unknown_users(tmp_path: Path) -> None:
    codings = [*CODINGS, ("S2", "My family helped.", "C3", "U7")]
    problems = _problems(tmp_path, project_xml(codings), texts={})
    assert "neither a PlainTextContent nor its text file 'internal://S1.txt'" in problems[0].message
    assert problems[0].fix == "export the project again with its sources included"
    assert "names user 'U7', who is not among the project's Users" in problems[1].message


def test_a_direct_identifier_stops_the_import_before_anything_is_written(
    tmp_path: Path,
) -> None:
    xml = project_xml().replace("Found it useful", "Found it useful; ask kari@example.no")
    (problem,) = _problems(tmp_path, xml)
    assert problem.column == "<Code 'Meeting.Useful'>" and "e-mail" in problem.message


def test_unknown_negative_code(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, project_xml(), negative=["Meeting.Repeats"])
    assert (
        problem.message
        == "--negative names code 'Meeting.Repeats', which is not in the project's codebook"
    )


def test_console_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = write_qdpx(tmp_path / "p.qdpx", project_xml())
    arguments = ["import-qdpx", "--project", str(project), "--participants", str(PARTICIPANTS)]
    assert cli.main([*arguments, "--out", str(tmp_path / "out"), "--negative", "Nope"]) == 2
    assert "--negative names code 'Nope'" in capsys.readouterr().err
    out = tmp_path / "data"
    assert (
        cli.main([*arguments, "--out", str(out), "--negative", "Meeting.Repeat", "--invited", "4"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "coders: Kari, Ola" in printed and "non-text sources left out: 1" in printed
    data = load(out)
    assert data.n_invited == 4
    assert data.codebook.set_index("code_id").at["Meeting.Repeat", "negative_case"] == 1
    shutil.rmtree(out)


@pytest.mark.book
def test_rerun_chapter_on_a_qdpx_project(tmp_path: Path) -> None:
    """The imported project builds, and the page gives κ per code between the two coders."""
    data_dir = tmp_path / "data"
    qdpx.convert(write_qdpx(tmp_path / "p.qdpx", project_xml()), PARTICIPANTS, data_dir)
    build(data_dir, tmp_path / "out", langs=["nb", "en"], only=["interviews"])
    expected = {
        "en": ("Two coders, Kari and Ola, coded 4 of the same segments", "Applied by Ola"),
        "nb": ("To kodere, Kari og Ola, har kodet 4 av de samme utdragene", "Brukt av Ola"),
    }
    for lang, facts in expected.items():
        text = article_text(tmp_path / "out" / "html" / lang / "interviews.html")
        assert all(fact in text for fact in facts), lang
