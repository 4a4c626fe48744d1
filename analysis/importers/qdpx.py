"""Import a REFI-QDA project export (``.qdpx``) into the interview chapter's input files.

REFI-QDA (https://www.qdasoftware.org) is the exchange format NVivo, ATLAS.ti, MAXQDA and
QualCoder export: a zip archive holding ``project.qde``, an XML document (namespace
``urn:QDA-XML:project:1.0``) with the project's ``Users``, its ``CodeBook`` (nested ``Code``
elements) and its ``Sources``, and the sources' plain text under ``sources/``. A
``TextSource`` holds ``PlainTextSelection`` elements (a span of the text, ``startPosition`` to
``endPosition`` in characters) and each of them ``Coding`` elements pointing at a code
(``CodeRef targetGUID``), each made by a user (``creatingUser``). :func:`convert` turns the
project, plus a participants file, into ``<out>/interviews/{participants,codebook,segments}.csv``
and a study description ``<out>/interviews.study.yaml``, as the Taguette import does
(:mod:`analysis.importers.taguette`: the same documents → participants rule and ``--documents``
file, themes and codes, languages and study description).

Decisions:

- **Coders kept apart.** A coding's coder is its ``creatingUser`` (else its selection's), named
  as in ``Users``; ``segments.csv`` gets a ``coder`` column, the first coder in the order of
  ``Users`` first, so the chapter shows the first coder's coding and computes Cohen's κ per
  code between the first two. A project where no coding names a user has no ``coder`` column.
- **Segments.** A segment is a span of a source's text: the selections of two coders over the
  same characters are one segment, coded by both (κ compares the segments both coders
  coded). Segments are numbered ``Q1``, ``Q2``, … in source and text order.
- **Codes.** A code's id is its path of names from the top of the codebook, joined with ``.``;
  a top-level code is a theme. ``--negative`` takes such a path.
- **Text sources only.** Codings of PDF, picture, audio and video sources are left out (the
  command says how many).
- **Direct identifiers.** Every text the import would write (excerpts, code names and
  descriptions, coders' names) is searched as the build searches input files; one found stops
  the import, naming the element, before anything is written.
- **Safe reading.** ``project.qde`` is parsed with defusedxml where it is installed; otherwise
  with the standard library's parser, which fetches no external entity.
"""

from __future__ import annotations

import argparse
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import pandas as pd

from analysis.chapters.interviews import data as interviews
from analysis.core.identifiers import identifier_kinds
from analysis.core.problems import InputError, Message, Problem
from analysis.core.validation import file_error, identifier_problem
from analysis.importers.taguette import (
    DOCUMENTS,
    add_output_arguments,
    codebook_table,
    document_map,
    read_export,
    write_interviews,
)

try:  # refuses entity expansion outright, where installed (not a dependency)
    from defusedxml.ElementTree import fromstring
except ImportError:
    from xml.etree.ElementTree import fromstring

NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT = "project.qde"
SEPARATOR = "."  # joins a code's path of names into its id
INTERNAL = "internal://"  # plainTextPath of a source stored in the archive's sources/ folder


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _element(element: Element) -> str:
    """An element as a reader finds it in ``project.qde``: its name and guid (or name)."""
    local = element.tag.removeprefix(_q(""))
    key = "guid" if "guid" in element.attrib else "name"
    return f"<{local} {key}={element.get(key)!r}>" if key in element.attrib else f"<{local}>"


@dataclass(frozen=True)
class Imported:
    """What an import wrote: the folder of the CSV files, the coders in order and the codings
    of sources other than text that were left out."""

    folder: Path
    coders: tuple[str, ...]
    left_out: int


def _archive(path: Path) -> zipfile.ZipFile:
    """The project's zip archive, or the error of a path that holds none."""
    if not path.is_file():
        raise file_error(
            str(path), Message("input.file_missing"), Message("input.qdpx.fix.project_path")
        )
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        raise file_error(
            str(path), Message("input.qdpx.not_zip"), Message("input.qdpx.fix.export")
        ) from None


class _Project:
    """``project.qde`` of an open archive and the archive's files; every problem names
    ``where``, the archive and ``project.qde``."""

    def __init__(self, path: Path, archive: zipfile.ZipFile):
        self.where = f"{path} ({PROJECT})"
        self.archive = archive
        self.members = {name.casefold(): name for name in archive.namelist()}
        if PROJECT not in self.members:
            raise file_error(
                str(path),
                Message("input.qdpx.no_project", file=PROJECT),
                Message("input.qdpx.fix.export"),
            )
        try:
            self.root = fromstring(archive.read(self.members[PROJECT]))
        except (ParseError, ValueError) as error:  # defusedxml's refusals are ValueErrors
            raise file_error(
                self.where,
                Message("input.qdpx.not_xml", error=str(error)),
                Message("input.qdpx.fix.export"),
            ) from None
        if self.root.tag != _q("Project"):
            raise file_error(
                self.where,
                Message("input.qdpx.not_project", element=repr(self.root.tag)),
                Message("input.qdpx.fix.export"),
            )

    def problem(self, message: Message, fix: Message) -> Problem:
        return Problem(self.where, None, None, message, fix)

    def text(self, source: Element, problems: list[Problem]) -> str | None:
        """A text source's plain text: its ``PlainTextContent`` or its file in ``sources/``."""
        inline = source.find(_q("PlainTextContent"))
        if inline is not None:
            return inline.text or ""
        path = source.get("plainTextPath", "")
        member = self.members.get(f"sources/{path.removeprefix(INTERNAL)}".casefold())
        if path.startswith(INTERNAL) and member:
            return self.archive.read(member).decode("utf-8-sig")
        problems.append(
            self.problem(
                Message("input.qdpx.text_missing", element=_element(source), file=repr(path)),
                Message("input.qdpx.fix.sources"),
            )
        )
        return None


def _codes(project: _Project, problems: list[Problem]) -> tuple[pd.DataFrame, dict, dict]:
    """The codebook as tags in codebook order (``tag``: the path of names, ``description``),
    each tag's parent and the tag of each code guid."""
    rows: list[dict] = []
    parents: dict[str, str] = {}
    by_guid: dict[str, str] = {}

    def walk(element: Element, parent: str) -> None:
        for code in element.findall(_q("Code")):
            missing = [key for key in ("guid", "name") if not code.get(key)]
            problems.extend(
                project.problem(
                    Message("input.qdpx.attribute_missing", element=_element(code), attribute=key),
                    Message("input.qdpx.fix.attribute", attribute=key),
                )
                for key in missing
            )
            if missing:
                continue
            tag = f"{parent}{SEPARATOR}{code.get('name')}" if parent else code.get("name")
            if tag in parents:
                problems.append(
                    project.problem(
                        Message("input.qdpx.code_twice", code=repr(tag)),
                        Message("input.qdpx.fix.code_twice"),
                    )
                )
            description = code.find(_q("Description"))
            rows.append(
                {"tag": tag, "description": None if description is None else description.text}
            )
            parents[tag] = parent
            by_guid[code.get("guid")] = tag
            walk(code, tag)

    codes = project.root.find(f"{_q('CodeBook')}/{_q('Codes')}")
    if codes is not None:
        walk(codes, "")
    return pd.DataFrame(rows, columns=["tag", "description"]), parents, by_guid


def _codings(
    project: _Project, by_guid: dict[str, str], problems: list[Problem]
) -> tuple[pd.DataFrame, int]:
    """One row per coding of a text selection (document, span, excerpt, tag, coder guid) and
    the number of codings of other sources."""
    rows = []
    for order, source in enumerate(project.root.iter(_q("TextSource"))):
        selections = source.findall(_q("PlainTextSelection"))
        text = project.text(source, problems) if selections else ""
        if text is None:
            continue
        for selection in selections:
            try:
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            except (TypeError, ValueError):
                start = end = -1
            if not 0 <= start < end <= len(text):
                problems.append(
                    project.problem(
                        Message(
                            "input.qdpx.position",
                            element=_element(selection),
                            start=selection.get("startPosition"),
                            end=selection.get("endPosition"),
                            length=len(text),
                        ),
                        Message("input.qdpx.fix.position"),
                    )
                )
                continue
            for coding in selection.findall(_q("Coding")):
                target = coding.find(_q("CodeRef"))
                guid = None if target is None else target.get("targetGUID")
                if guid not in by_guid:
                    problems.append(
                        project.problem(
                            Message(
                                "input.qdpx.code_unknown", element=_element(coding), guid=repr(guid)
                            ),
                            Message("input.qdpx.fix.codebook"),
                        )
                    )
                    continue
                rows.append(
                    {
                        "order": order,
                        "document": source.get("name", ""),
                        "start": start,
                        "end": end,
                        "content": " ".join(text[start:end].split()),
                        "tag": by_guid[guid],
                        "user": coding.get("creatingUser") or selection.get("creatingUser"),
                        "element": _element(coding),
                    }
                )
    sources = project.root.find(_q("Sources"))
    other = [
        coding
        for source in ([] if sources is None else list(sources))
        if source.tag != _q("TextSource")
        for coding in source.iter(_q("Coding"))
    ]
    columns = ["order", "document", "start", "end", "content", "tag", "user", "element"]
    return pd.DataFrame(rows, columns=columns), len(other)


def _coders(
    project: _Project, codings: pd.DataFrame, problems: list[Problem]
) -> tuple[pd.Series | None, list[str]]:
    """Each coding's coder by name (None when no coding names one) and every user's name in
    the order of ``Users``."""
    users = {
        user.get("guid"): user.get("name") or user.get("guid")
        for user in project.root.iter(_q("User"))
    }
    named = codings["user"].notna()
    if not named.any():
        return None, list(users.values())
    problems.extend(
        project.problem(
            Message("input.qdpx.coder_missing", element=element),
            Message("input.qdpx.fix.coder"),
        )
        for element in codings.loc[~named, "element"]
    )
    problems.extend(
        project.problem(
            Message("input.qdpx.user_unknown", element=element, guid=repr(user)),
            Message("input.qdpx.fix.users"),
        )
        for element, user in zip(
            codings.loc[named, "element"], codings.loc[named, "user"], strict=True
        )
        if user not in users
    )
    return codings["user"].map(users), list(users.values())


def _identifiers(
    project: _Project, tags: pd.DataFrame, codings: pd.DataFrame, users: list[str]
) -> list[Problem]:
    """A problem for every text the import would write (excerpts, code names and descriptions,
    coders) that holds a direct identifier, named by its element (the element of a code or a
    user by its path or name)."""
    texts = [
        *zip(codings["element"], codings["content"], strict=True),
        *((f"<Code {tag!r}>", tag) for tag in tags["tag"]),
        *(
            (f"<Code {tag!r}>", text)
            for tag, text in zip(tags["tag"], tags["description"], strict=True)
            if text
        ),
        *((f"<User {name!r}>", name) for name in users),
    ]
    return [
        identifier_problem(project.where, element, kind, None)
        for element, text in texts
        for kind in identifier_kinds(str(text))
    ]


def convert(
    project: Path,
    participants: Path,
    out: Path,
    documents: Path | None = None,
    n_invited: int | None = None,
    negative: Sequence[str] = (),
) -> Imported:
    """Write ``<out>/interviews/*.csv`` and the study description from a REFI-QDA project;
    return what was written."""
    people, _ = read_export(participants, interviews.PARTICIPANTS)
    mapping = None if documents is None else read_export(documents, DOCUMENTS)[0]
    problems: list[Problem] = []
    with _archive(Path(project)) as archive:
        qde = _Project(Path(project), archive)
        tags, parents, by_guid = _codes(qde, problems)
        codings, left_out = _codings(qde, by_guid, problems)
    coders, users = _coders(qde, codings, problems)
    problems += _identifiers(qde, tags, codings, users)
    problems += [
        qde.problem(
            Message("input.qdpx.negative_unknown", code=repr(code)),
            Message("input.qdpx.fix.negative"),
        )
        for code in sorted(set(negative) - set(tags["tag"]))
    ]
    if codings.empty and not problems:
        problems.append(
            qde.problem(Message("input.qdpx.no_codings"), Message("input.qdpx.fix.no_codings"))
        )
    if problems:
        raise InputError(problems)
    owner = document_map(codings["document"], people["participant_id"], mapping, qde.where, None)
    codebook = codebook_table(tags, parents, set(codings["tag"]), negative, SEPARATOR, qde.where)

    spans = list(zip(codings["order"], codings["start"], codings["end"], strict=True))
    number = {span: n for n, span in enumerate(sorted(set(spans)), 1)}
    segments = pd.DataFrame(
        {
            "segment_id": [f"Q{number[span]}" for span in spans],
            "participant_id": codings["document"].map(owner),
            "code_id": codings["tag"],
            "excerpt_en": codings["content"],
            "excerpt_nb": codings["content"],
        }
    )
    # The first coder's rows first (the chapter shows them), each coder's in text order.
    rank = {name: position for position, name in enumerate(users)}
    order = pd.DataFrame(
        {"coder": 0 if coders is None else coders.map(rank), "span": [number[s] for s in spans]}
    ).sort_values(["coder", "span"], kind="stable")
    if coders is not None:
        segments["coder"] = coders
    segments = segments.loc[order.index].drop_duplicates(
        [column for column in ("segment_id", "code_id", "coder") if column in segments]
    )
    folder = write_interviews(out, people, codebook, segments, n_invited)
    found = () if coders is None else tuple(name for name in users if name in set(coders))
    return Imported(folder, found, left_out)


def _run(args: argparse.Namespace) -> None:
    imported = convert(
        args.project,
        args.participants,
        args.out,
        documents=args.documents,
        n_invited=args.invited,
        negative=args.negative,
    )
    coders = ", ".join(imported.coders) or "none named"
    print(
        f"wrote {imported.folder} (coders: {coders}; codings of non-text sources left out: "
        f"{imported.left_out}); build the chapter with: "
        f"rtw-report build --data {args.out} --only interviews"
    )


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``rtw-report import-qdpx``."""
    command = subparsers.add_parser(
        "import-qdpx",
        help="turn a REFI-QDA project (.qdpx: NVivo, ATLAS.ti, MAXQDA, QualCoder) into the "
        "interview chapter's data",
        description=__doc__.split("\n\n")[0],
    )
    command.add_argument("--project", type=Path, required=True, help="the .qdpx project export")
    add_output_arguments(command, "source")
    command.add_argument(
        "--negative",
        action="append",
        default=[],
        metavar="CODE",
        help="a code (its path of names joined with '.') that marks negative or divergent "
        "cases (repeatable)",
    )
    command.set_defaults(run=_run)
