"""Translations that show when they go stale: ``rtw-report translations check | accept``.

Every passage of the book and every label is written in English (``SOURCE_LANG``) first, and
each translation records a fingerprint of the English text it was made from:

- a page's translated Markdown cell in its metadata, ``+++ {"lang": "nb", "source": "1a2b3c4d"}``,
  of the English cell of its run (the tagged cells in a row, English first);
- a label in its entry, ``key: {en: "...", nb: "...", nb_source: "1a2b3c4d"}``.

When the English text changes, its fingerprint no longer matches and the check names the
translation, with the English text as it is now. Once the translation has been checked (and
corrected), ``accept`` records the new fingerprint. Both files are edited line by line, never
dumped again, so their layout and comments stay as they are; the build drops the fingerprints
(:func:`analysis.pipeline.sources.for_language`, :func:`analysis.core.catalog.catalog`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.core.catalog import fingerprint_field, label_files
from analysis.core.settings import BOOK, ROOT, SOURCE_LANG, TRANSLATED_LANGS
from analysis.core.yamlfile import SAFE_LOADER
from analysis.pipeline.sources import LANG_KEY, SOURCE_KEY, page_sources, read_page

# A cell's metadata line in a MyST page: ``+++ {"lang": "nb"}``.
_METADATA_LINE = re.compile(r"^\+\+\+ (\{.*\})[ \t]*$", re.M)


def fingerprint(text: str) -> str:
    """Eight hex digits of the SHA-256 of ``text`` with its white space normalised, so that
    re-wrapping a passage leaves its translations current."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Translation:
    """One translated passage: where it is, the source text it translates, and the
    fingerprint recorded with it (``None`` if it has none)."""

    file: Path
    key: str  # the label key, or a page's cell number
    lang: str
    source: str | None  # the English text now (None: the label or the cell's run has none)
    recorded: str | None
    line: int  # 1-based line of the label or of the cell's metadata

    @property
    def state(self) -> str:
        """``current``, ``stale`` (the source changed), ``unstamped`` or ``unpaired``."""
        if self.source is None:
            return "unpaired"
        if self.recorded is None:
            return "unstamped"
        return "current" if self.recorded == fingerprint(self.source) else "stale"

    def describe(self) -> str:
        """A line naming the translation and its state, then the English text now."""
        label = self.file.suffix == ".yaml"
        what = f"label {self.key}" if label else f"cell {self.key}"
        head = f"{_shown(self.file)}:{self.line}: {self.lang} {what} is {self.state}"
        if self.source is None:
            missing = "text" if label else "passage before it in its run"
            return f"{head}: it has no {SOURCE_LANG} {missing}"
        english = "\n".join(f"    {line}" for line in self.source.strip().splitlines())
        return f"{head}; the {SOURCE_LANG} text now:\n{english}"


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def page_translations(path: Path) -> list[Translation]:
    """The translated cells of a single-source page, each with the English cell of its run."""
    text = path.read_text(encoding="utf-8")
    metadata_lines = [
        _line(text, match.start())
        for match in _METADATA_LINE.finditer(text)
        if LANG_KEY in json.loads(match[1])
    ]
    cells = read_page(path).cells
    tagged = [(index, cell) for index, cell in enumerate(cells) if LANG_KEY in cell.metadata]
    if len(tagged) != len(metadata_lines):
        raise ValueError(f"{_shown(path)}: the tagged cells and their '+++' lines do not match")
    translations = []
    source, previous = None, None
    for (index, cell), line in zip(tagged, metadata_lines, strict=True):
        lang = cell.metadata[LANG_KEY]
        if previous != index - 1:  # an untagged cell ends the run
            source = None
        if lang == SOURCE_LANG:
            source = cell.source
        elif lang in TRANSLATED_LANGS:
            recorded = cell.metadata.get(SOURCE_KEY)
            translations.append(Translation(path, str(index), lang, source, recorded, line))
        previous = index
    return translations


def label_translations(path: Path) -> list[Translation]:
    """The translated texts of a label file, each with its entry's English text."""
    text = path.read_text(encoding="utf-8")
    translations = []
    for key, entry in _entries(text):
        fields = {name.value: value for name, value in entry.value}
        english = fields.get(SOURCE_LANG)
        for lang in TRANSLATED_LANGS:
            if lang in fields:
                recorded = fields.get(fingerprint_field(lang))
                translations.append(
                    Translation(
                        path,
                        key.value,
                        lang,
                        english.value if english is not None else None,
                        recorded.value if recorded is not None else None,
                        key.start_mark.line + 1,
                    )
                )
    return translations


def _entries(text: str) -> list[tuple[yaml.ScalarNode, yaml.MappingNode]]:
    """The label entries of a label file as YAML nodes, which know their place in the text."""
    document = yaml.compose(text, Loader=SAFE_LOADER)
    if document is None:
        return []
    return [(key, value) for key, value in document.value if isinstance(value, yaml.MappingNode)]


def translations(
    pages: Iterable[Path] | None = None, labels: Iterable[Path] | None = None
) -> list[Translation]:
    """Every translation of the pages and label files (by default the book's and the
    catalog's)."""
    pages = [BOOK / page for page in page_sources(BOOK)] if pages is None else pages
    labels = label_files() if labels is None else labels
    return [
        *(found for page in pages for found in page_translations(page)),
        *(found for path in labels for found in label_translations(path)),
    ]


def to_check(found: Iterable[Translation]) -> list[Translation]:
    """The translations whose source changed since they were made or checked, or that record
    no fingerprint or have no source."""
    return [translation for translation in found if translation.state != "current"]


def accept(found: Iterable[Translation]) -> int:
    """Record the fingerprint of the current source text with each of ``found`` that is stale
    or unstamped (the translations have been checked); return how many changed."""
    changed = [translation for translation in found if translation.state in ("stale", "unstamped")]
    for path in sorted({translation.file for translation in changed}):
        stamp = _stamp_labels if path.suffix == ".yaml" else _stamp_page
        text = path.read_text(encoding="utf-8")
        path.write_text(stamp(text, [t for t in changed if t.file == path]), encoding="utf-8")
    return len(changed)


def _stamp_page(text: str, changed: list[Translation]) -> str:
    """``text`` of a page with the fingerprint of each of ``changed`` set in its metadata line."""
    lines = text.splitlines(keepends=True)
    for translation in changed:
        line = lines[translation.line - 1]
        match = _METADATA_LINE.match(line)
        metadata = {**json.loads(match[1]), SOURCE_KEY: fingerprint(translation.source)}
        lines[translation.line - 1] = (
            line[: match.start(1)] + json.dumps(metadata, ensure_ascii=False) + line[match.end(1) :]
        )
    return "".join(lines)


def _stamp_labels(text: str, changed: list[Translation]) -> str:
    """``text`` of a label file with the fingerprint of each of ``changed`` replaced, or added:
    inside a one-line ``{en: ..., nb: ...}`` before its ``}``, else on a line of its own after
    the translation's."""
    stamps = {(t.key, t.lang): f'"{fingerprint(t.source)}"' for t in changed}
    edits = []
    for key, entry in _entries(text):
        fields = {name.value: (name, value) for name, value in entry.value}
        for lang in TRANSLATED_LANGS:
            stamp = stamps.get((key.value, lang))
            field = fingerprint_field(lang)
            if stamp is None:
                continue
            if field in fields:
                value = fields[field][1]
                edits.append((value.start_mark.index, value.end_mark.index, stamp))
            elif entry.flow_style:
                close = entry.end_mark.index - 1  # the closing brace
                edits.append((close, close, f", {field}: {stamp}"))
            else:
                name, value = fields[lang]
                end = text.find("\n", value.end_mark.index)
                end = len(text) if end < 0 else end + 1
                newline = "" if text[:end].endswith("\n") else "\n"
                indent = " " * name.start_mark.column
                edits.append((end, end, f"{newline}{indent}{field}: {stamp}\n"))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _found(file: Path | None) -> list[Translation]:
    """The translations of ``file`` (a page or a label file), or of the whole project."""
    if file is None:
        return translations()
    return translations([file], []) if file.suffix == ".md" else translations([], [file])


def _check(args: argparse.Namespace) -> None:
    found = _found(args.file)
    problems = to_check(found)
    for translation in problems:
        print(translation.describe())
    if problems:
        raise SystemExit(
            f"{len(problems)} of {len(found)} translations to check; once a translation is right, "
            "record it with: rtw-report translations accept --file FILE --key KEY (or --all)"
        )
    print(f"all {len(found)} translations are current")


def _accept(args: argparse.Namespace) -> None:
    found = [t for t in _found(args.file) if args.key in (None, t.key)]
    if not found:
        raise SystemExit(f"rtw-report: no translation matches --file {args.file} --key {args.key}")
    print(f"recorded the fingerprint of {accept(found)} of {len(found)} translations")


def register_cli(commands: argparse._SubParsersAction) -> None:
    """Add ``rtw-report translations check`` and ``rtw-report translations accept``."""
    command = commands.add_parser(
        "translations", help="list translations whose English text changed; mark them checked"
    )
    actions = command.add_subparsers(dest="action", required=True)
    check_cmd = actions.add_parser(
        "check", help="list every translation whose source changed or that has no fingerprint"
    )
    accept_cmd = actions.add_parser(
        "accept", help="record the current English text's fingerprint with checked translations"
    )
    for action in (check_cmd, accept_cmd):
        action.add_argument(
            "--file", type=Path, default=None, help="only this page or label file (default: all)"
        )
    check_cmd.set_defaults(run=_check)
    which = accept_cmd.add_mutually_exclusive_group(required=True)
    which.add_argument("--key", help="only this label key, or this cell number of a page")
    which.add_argument("--all", action="store_true", help="every translation (of --file)")
    accept_cmd.set_defaults(run=_accept)
