"""Import a Taguette coding export into the interview chapter's input files.

Taguette (https://www.taguette.org) exports highlights as CSV with columns ``id, document, tag,
content``: one row per highlight × tag, so ``id`` repeats when a highlight has several tags and
``tag`` is empty for an untagged highlight. Its codebook CSV has ``tag, parent, description,
number of highlights`` (older versions lack ``parent``; the hierarchy is then read from the tag
path, split at ``separator``). :func:`convert` turns the two exports, plus a participants file,
into ``<out>/interviews/{participants,codebook,segments}.csv`` and a study description
``<out>/interviews.study.yaml``.

Decisions:

- **Documents → participants.** A document belongs to the participant whose ``participant_id``
  equals the document name without its file extension, ignoring case (``P07.docx`` → ``P07``).
  Otherwise a mapping file with columns ``document, participant_id`` says which is which.
  Document names never reach the output, since they may contain real names.
- **Themes and codes.** A tag's theme is its top-level ancestor; every tag with a parent is a
  code of that theme. A top-level tag used directly on highlights is a code of its own theme.
  Untagged highlights are left out.
- **Two languages.** An export has one language. Its text fills both the ``_en`` and the
  ``_nb`` columns unchanged (no machine translation); a team can later write the other language
  into those columns.
- **Study description.** A new ``interviews.study.yaml`` says the data were collected (so the
  chapter marks the excerpts as coded text and compares them with no publication) and holds
  ``--invited`` as ``facts: {n_invited: N}``; its comments show where the study's title,
  setting and design go. An existing description is kept; ``--invited`` updates its
  ``n_invited``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

from analysis.chapters.interviews import data as interviews
from analysis.core.study import study_file
from analysis.core.validation import (
    Field,
    InputError,
    Message,
    Notes,
    Problem,
    Schema,
    read_raw,
    validate_frame,
)
from analysis.core.yamlfile import read_yaml

HIGHLIGHTS = Schema(
    "highlights",
    (
        Field("id", "text"),
        Field("document", "text"),
        Field("tag", "text", nullable=True),
        Field("content", "text"),
    ),
)
TAGS = Schema(
    "codebook",
    (
        Field("tag", "text", unique=True),
        Field("parent", "text", required=False, nullable=True),
        Field("description", "text", required=False, nullable=True),
        Field("number of highlights", "integer", required=False, nullable=True),
    ),
)
DOCUMENTS = Schema(
    "documents",
    (Field("document", "text", unique=True), Field("participant_id", "text")),
)


def read_export(path: Path, schema: Schema) -> tuple[pd.DataFrame, str]:
    """A CSV file an importer reads, validated against ``schema`` and named by its path."""
    path = Path(path)
    name = str(path)
    notes = Notes()  # the export is converted, not reported on: how it was read is not said
    frame = validate_frame(
        read_raw(path, path.parent, notes), Schema(name, schema.fields), name, notes
    )
    return frame, name


def document_map(
    documents: pd.Series,
    participants: pd.Series,
    mapping: pd.DataFrame | None,
    name: str,
    column: str | None = "document",
) -> dict[str, str]:
    """Participant of every document; raises InputError listing the unmatched ones (at their
    row of ``column`` in ``name``; with no column, by name only)."""
    if mapping is not None:
        known = dict(zip(mapping["document"], mapping["participant_id"], strict=True))
    else:
        by_id = {str(pid).casefold(): str(pid) for pid in participants}
        known = {doc: by_id.get(Path(doc).stem.casefold()) for doc in documents.unique()}
    valid = set(participants)
    found = {doc: known.get(doc) for doc in documents.unique()}
    problems = [
        Problem(
            name,
            column,
            None if column is None else int(documents[documents == doc].index[0]) + 1,
            Message(
                "input.taguette.document_unmatched",
                document=repr(doc),
                mapped=""
                if pid is None
                else Message("input.taguette.mapped", participant=repr(pid)),
            ),
            Message("input.taguette.fix.document"),
        )
        for doc, pid in found.items()
        if pid not in valid
    ]
    if problems:
        raise InputError(problems)
    return found


def _hierarchy(tags: pd.DataFrame, separator: str) -> dict[str, str]:
    """Parent of every tag ('' for a top-level tag)."""
    if "parent" in tags:
        return dict(zip(tags["tag"], tags["parent"].fillna(""), strict=True))
    return {tag: tag.rsplit(separator, 1)[0] if separator in tag else "" for tag in tags["tag"]}


def _root(tag: str, parents: dict[str, str], name: str) -> str:
    seen = {tag}
    while parents.get(tag):
        tag = parents[tag]
        if tag in seen:
            raise InputError(
                [
                    Problem(
                        name,
                        "parent",
                        None,
                        Message("input.taguette.tag_loop", tag=repr(tag)),
                        Message("input.taguette.fix.tag_loop"),
                    )
                ]
            )
        seen.add(tag)
    return tag


def _label(tag: str, parent: str, separator: str) -> str:
    """A tag's own name, without its parent's path."""
    prefix = f"{parent}{separator}"
    return tag[len(prefix) :] if parent and tag.startswith(prefix) else tag


def codebook_table(
    tags: pd.DataFrame,
    parents: dict[str, str],
    used: set[str],
    negative: Sequence[str],
    separator: str,
    name: str,
) -> pd.DataFrame:
    """The chapter's ``codebook.csv`` from the tags (``tag`` and, if given, ``description``,
    in the tool's order) and their ``parents``: a tag's theme is its top-level ancestor, every
    tag with a parent, or used on a highlight, is a code (``name``: the export, for messages)."""
    described = dict(
        zip(tags["tag"], tags.get("description", pd.Series(dtype="string")), strict=False)
    )
    codes = [tag for tag in tags["tag"] if parents[tag] or tag in used]
    order = {tag: position for position, tag in enumerate(tags["tag"])}
    rows = []
    for tag in codes:
        theme = _root(tag, parents, name)
        code_label = _label(tag, parents[tag], separator)
        description = described.get(tag)
        theme_description = described.get(theme)
        rows.append(
            {
                "theme_id": theme,
                "code_id": tag,
                "theme_en": theme,
                "theme_nb": theme,
                "code_en": code_label,
                "code_nb": code_label,
                "description_en": description,
                "description_nb": description,
                "theme_description_en": theme_description,
                "theme_description_nb": theme_description,
                "negative_case": int(tag in set(negative)),
            }
        )
    return pd.DataFrame(rows).sort_values(
        "theme_id", key=lambda themes: themes.map(lambda theme: order.get(theme, -1)), kind="stable"
    )


STUDY_TEMPLATE = """\
# Study description of the interview files in interviews/ (written by rtw-report
# import-taguette or import-qdpx). Add what the chapter should say about the study, in both
# languages:
#   title: {en: "...", nb: "..."}
#   setting: {en: "A sentence on where and when.", nb: "..."}
#   design: {en: "interviewed ... and analysed ...", nb: "intervjuet ..."}  # after the authors
#   citation: key-in-book-references-bib
"""


def write_study(out: Path, n_invited: int | None) -> Path:
    """Write a new study description of collected data, or set ``n_invited`` in an existing one."""
    path = study_file(out, interviews.CHAPTER)
    if path.is_file():
        if n_invited is not None:
            study = read_yaml(path) or {}
            study["facts"] = {**(study.get("facts") or {}), "n_invited": n_invited}
            path.write_text(
                yaml.safe_dump(study, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
        return path
    study = {"provenance": "collected"}
    if n_invited is not None:
        study["facts"] = {"n_invited": n_invited}
    path.write_text(
        STUDY_TEMPLATE + yaml.safe_dump(study, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


def write_interviews(
    out: Path,
    people: pd.DataFrame,
    codebook: pd.DataFrame,
    segments: pd.DataFrame,
    n_invited: int | None,
) -> Path:
    """Write ``<out>/interviews/*.csv`` and the study description, and check them as the
    chapter reads them; return the folder of the CSV files."""
    folder = Path(out) / interviews.FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    columns = [field.name for field in interviews.PARTICIPANTS.fields]
    tables = {
        "participants.csv": people[columns],
        "codebook.csv": codebook,
        "segments.csv": segments,
    }
    for file, table in tables.items():
        table.to_csv(folder / file, index=False, lineterminator="\n")
    (Path(out) / interviews.LEGACY_STUDY).unlink(missing_ok=True)  # an earlier import's
    write_study(Path(out), n_invited)
    interviews.load(Path(out))
    return folder


def convert(
    highlights: Path,
    codebook: Path,
    participants: Path,
    out: Path,
    documents: Path | None = None,
    n_invited: int | None = None,
    negative: Sequence[str] = (),
    separator: str = ".",
) -> Path:
    """Write ``<out>/interviews/*.csv`` and the study description from a Taguette export;
    return the folder of the CSV files."""
    marks, marks_name = read_export(highlights, HIGHLIGHTS)
    tags, tags_name = read_export(codebook, TAGS)
    people, _ = read_export(participants, interviews.PARTICIPANTS)
    mapping = None if documents is None else read_export(documents, DOCUMENTS)[0]

    marks = marks[marks["tag"].notna()]
    owner = document_map(marks["document"], people["participant_id"], mapping, marks_name)
    missing = marks[~marks["tag"].isin(set(tags["tag"]))].drop_duplicates("tag")
    unknown_negative = sorted(set(negative) - set(tags["tag"]))
    problems = [
        Problem(
            marks_name,
            "tag",
            int(i) + 1,
            Message("input.taguette.tag_unknown", tag=repr(tag)),
            Message("input.taguette.fix.tag_unknown", codebook=tags_name),
        )
        for i, tag in missing["tag"].items()
    ] + [
        Problem(
            tags_name,
            "tag",
            None,
            Message("input.taguette.negative_unknown", tag=repr(tag)),
            Message("input.taguette.fix.negative"),
        )
        for tag in unknown_negative
    ]
    if problems:
        raise InputError(problems)

    parents = _hierarchy(tags, separator)
    codebook_out = codebook_table(tags, parents, set(marks["tag"]), negative, separator, tags_name)

    content = marks["content"].str.split().str.join(" ")
    segments = pd.DataFrame(
        {
            "segment_id": "H" + marks["id"],
            "participant_id": marks["document"].map(owner),
            "code_id": marks["tag"],
            "excerpt_en": content,
            "excerpt_nb": content,
        }
    ).drop_duplicates(["segment_id", "code_id"])

    return write_interviews(out, people, codebook_out, segments, n_invited)


def _run(args: argparse.Namespace) -> None:
    folder = convert(
        args.highlights,
        args.codebook,
        args.participants,
        args.out,
        documents=args.documents,
        n_invited=args.invited,
        negative=args.negative,
        separator=args.separator,
    )
    print(
        f"wrote {folder}; build the chapter with: "
        f"rtw-report build --data {args.out} --only interviews"
    )


def add_output_arguments(command: argparse.ArgumentParser, source: str) -> None:
    """The options every interview importer shares: the participants file, the data folder
    to write, how a ``source`` (document) maps to a participant, and the number invited."""
    command.add_argument(
        "--participants",
        type=Path,
        required=True,
        help="participants CSV (participant_id, sex, age, diagnosis_group, sick_leave_pct)",
    )
    command.add_argument(
        "--out",
        type=Path,
        required=True,
        help="data folder to write; the files go to <out>/interviews/",
    )
    command.add_argument(
        "--documents",
        type=Path,
        default=None,
        help=f"CSV mapping {source} names to participant_id "
        f"(default: the {source} name without extension is the id)",
    )
    command.add_argument(
        "--invited",
        type=int,
        default=None,
        help="number of people invited to an interview, if known "
        "(written into the study description interviews.study.yaml)",
    )


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``rtw-report import-taguette``."""
    command = subparsers.add_parser(
        "import-taguette",
        help="turn a Taguette export into the interview chapter's data",
        description=__doc__.split("\n\n")[0],
    )
    command.add_argument(
        "--highlights", type=Path, required=True, help="highlights CSV (id, document, tag, content)"
    )
    command.add_argument(
        "--codebook",
        type=Path,
        required=True,
        help="codebook CSV (tag, parent, description, number of highlights)",
    )
    add_output_arguments(command, "document")
    command.add_argument(
        "--negative",
        action="append",
        default=[],
        metavar="TAG",
        help="a tag that marks negative or divergent cases (repeatable)",
    )
    command.add_argument(
        "--separator",
        default=".",
        help="tag path separator, used only when the codebook has no "
        "'parent' column (default: '.')",
    )
    command.set_defaults(run=_run)
