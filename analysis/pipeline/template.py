"""``rtw-report init DIR``: description templates for a new study's data folder.

Writes ``DIR/book.yaml`` and, for each chapter whose data files are in ``DIR``, a
``DIR/<chapter>.study.yaml``, each made from its schema: every key with its meaning and the
form of its texts as comments in the user's language, the texts to write as placeholders
``"<<…>>"`` (which the build refuses until they are replaced or the key is deleted), and the
other keys commented out with an example. An existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from analysis.chapters import CHAPTERS
from analysis.core.book import BOOK_FILE, BookDescription
from analysis.core.describe import example_for, meaning
from analysis.core.i18n import check_lang, t
from analysis.core.problems import InputError, Message, Problem
from analysis.core.settings import COLUMN_LANGS, LANGS
from analysis.core.study import LangText, study_file, unwrap, yaml_inline

PLACEHOLDER = "<<…>>"


def _comment(text: str) -> list[str]:
    """``text`` as comment lines of at most about 96 characters."""
    lines, line = [], "#"
    for word in text.split():
        if len(line) + len(word) > 96:
            lines.append(line)
            line = "#"
        line += f" {word}"
    return [*lines, line]


def template(schema: type[BaseModel], lang: str, header: str) -> str:
    """A description file for ``schema``: each key's meaning and form as comments in
    ``lang``; texts as placeholders, other keys commented out with their example."""
    lines = [*_comment(header), ""]
    publications = ", ".join(getattr(schema, "publications", ())) or "–"
    for name, info in schema.model_fields.items():
        annotation = unwrap(info.annotation)
        extra = info.json_schema_extra or {}
        if annotation is not LangText and getattr(annotation, "model_fields", None) == {}:
            continue  # a part without keys (no facts)
        lines += _comment(meaning(name, info, lang, publications=publications))
        if extra.get("form"):
            lines += _comment(t(f"description.form.{extra['form']}", lang))
        if annotation is LangText:
            lines.append(
                f"{name}: {{{', '.join(f'{code}: {PLACEHOLDER!r}' for code in COLUMN_LANGS)}}}"
            )
        else:
            lines.append(f"# {name}: {yaml_inline(example_for(schema, name, info))}")
        lines.append("")
    return "\n".join(lines)


def chapters_in(folder: Path) -> list[str]:
    """The chapters with at least one data file (``.csv`` or ``.xlsx``) in ``folder``."""
    found = []
    for name in CHAPTERS:
        schemas = importlib.import_module(f"analysis.chapters.{name}.data").SCHEMAS
        paths = [Path(folder) / schema.file for schema in schemas]
        if any(p.is_file() or p.with_suffix(".xlsx").is_file() for p in paths):
            found.append(name)
    return found


def init(folder: Path, lang: str, echo: Callable[[str], None] = print) -> list[Path]:
    """Write the missing description templates into ``folder``; return the files written."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            [
                Problem(
                    str(folder),
                    None,
                    None,
                    Message("input.data_folder_missing"),
                    Message("input.fix.data_folder"),
                )
            ]
        )
    files: dict[Path, str] = {
        folder / BOOK_FILE: template(BookDescription, lang, t("init.header.book", lang)),
    }
    for name in chapters_in(folder):
        schema = importlib.import_module(f"analysis.chapters.{name}.data").DESCRIPTION
        header = t("init.header.study", lang, chapter=t(f"repro.component.{name}", lang))
        files[study_file(folder, name)] = template(schema, lang, header)
    written = []
    for path, text in files.items():
        if path.exists():
            echo(t("init.kept", lang, file=path.name))
            continue
        path.write_text(text, encoding="utf-8")
        echo(t("init.wrote", lang, file=path.name))
        written.append(path)
    return written


def register_cli(commands: argparse._SubParsersAction) -> None:
    """Add ``rtw-report init``."""
    command = commands.add_parser(
        "init", help="write description templates (book.yaml, <chapter>.study.yaml) into DIR"
    )
    command.add_argument("folder", type=Path, metavar="DIR", help="the data folder")
    command.add_argument(
        "--lang",
        type=lambda text: [check_lang(text)],
        default=[LANGS[0]],
        help=f"language of the comments and messages: {', '.join(LANGS)} (default {LANGS[0]})",
    )
    command.set_defaults(run=lambda args: init(args.folder, args.lang[0]))
