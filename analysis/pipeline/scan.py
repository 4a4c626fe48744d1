"""Last check before a book is published: no identifier and no path of the build machine.

Everything the build wrote into the new book is read as a reader or a search would see it and
searched for the direct identifiers of :mod:`analysis.core.identifiers`:

- HTML pages: their text with script and style blocks left out, every tag a line break (so
  the cells of a table never run together), with the attributes a reader is shown (alt texts,
  titles, labels, ``mailto:`` and ``tel:`` links) and the entities decoded;
- the search index: its titles as text; its terms, which are single words and digit runs cut
  out of the pages' text, only for national identity numbers (a term of eight digits is a
  fragment of a figure, not a phone number anyone can read);
- the PDF of each language's book: its document information, outline and link targets (the
  text of its pages is that of the HTML pages it was printed from);
- results JSON and notebooks: every text (HTML outputs as above; images left out) and, for
  numbers, national identity numbers only;
- Sphinx's inventory of each book (``objects.inv``, the labels and titles other books link to):
  its text, unpacked from the zlib stream it is stored in.

An identifier found is traced back to the input that holds the same value (file, column and
row) and reported as an :class:`~analysis.core.problems.InputError`, in the language of the
build's messages. The absolute paths of this machine (the repository, the data, the output
folder and the home folder) are looked for in the raw text. Source maps of the theme, which
carry nothing of the book, are removed.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from analysis.core.identifiers import identifier_values
from analysis.core.problems import InputError, Message, Notes, Problem
from analysis.core.study import texts_of
from analysis.core.validation import read_raw
from analysis.core.yamlfile import read_yaml
from analysis.pipeline.notebooks import BuildError
from analysis.pipeline.pdf import pdf_parts

SCANNED = ("*.html", "*.js", "*.json", "*.ipynb", "*.txt", "*.md", "*.svg", "*.pdf", "*.inv")
# Script and style blocks and link targets hold the theme's code and digests, not content.
_NOT_CONTENT = re.compile(
    r"<script\b.*?</script>|<style\b.*?</style>|\b(?:href|src|integrity)=\"[^\"]*\"", re.S
)
_NOT_SHOWN = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_SHOWN_ATTRIBUTE = re.compile(
    r"\b(?:alt|title|aria-label|placeholder|content)=\"([^\"]*)\"|\bhref=\"((?:mailto|tel):[^\"]*)\"",
    re.I,
)
_SEARCH_INDEX = re.compile(r"^\s*Search\.setIndex\((.*)\)\s*;?\s*$", re.S)
_SOURCE_MAP_COMMENT = re.compile(r"\n?/[/*]# sourceMappingURL=\S+(?: \*/)?")
_NOT_TEXT_OUTPUT = ("image/", "application/")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")

# A piece of text of a built file and whether it is free text (else national ids only).
Piece = tuple[str, bool]


def strip_source_maps(book: Path) -> None:
    """Remove the theme's ``.map`` files and the comments that point to them."""
    for path in book.rglob("*.map"):
        path.unlink()
    for path in [*book.rglob("*.js"), *book.rglob("*.css")]:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        stripped = _SOURCE_MAP_COMMENT.sub("", text)
        if stripped != text:
            path.write_text(stripped, encoding="utf-8", errors="surrogateescape")


def inventory_text(path: Path) -> str:
    """The text of a Sphinx inventory: its four header lines, then its zlib-packed entries."""
    header, _, packed = path.read_bytes().partition(b"zlib.\n")
    return header.decode("utf-8", errors="replace") + zlib.decompress(packed).decode(
        "utf-8", errors="replace"
    )


def content(path: Path) -> str:
    """The raw text of a built file without the theme's code and link targets (of a PDF, what
    it holds beside its pages' text, its link targets included; of an inventory, unpacked)."""
    if path.suffix == ".pdf":
        return pdf_parts(path)
    if path.suffix == ".inv":
        return inventory_text(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        text = _NOT_CONTENT.sub(" ", text)
    return text


def reader_text(markup: str) -> str:
    """What a reader is shown of HTML: the text and the shown attributes, every tag a line
    break (entities are decoded when identifiers are looked for)."""

    def shown(tag: re.Match) -> str:
        return "\n".join(["", *(a or b for a, b in _SHOWN_ATTRIBUTE.findall(tag.group())), ""])

    return _TAG.sub(shown, _NOT_SHOWN.sub("\n", markup))


def _json_pieces(value: object, key: str = "") -> Iterator[Piece]:
    if isinstance(value, dict):
        for name, child in value.items():
            yield str(name), True
            if not str(name).startswith(_NOT_TEXT_OUTPUT):
                yield from _json_pieces(child, str(name))
    elif isinstance(value, list):
        for child in value:
            yield from _json_pieces(child, key)
    elif isinstance(value, str):
        yield reader_text(value), True
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield repr(value), False


def _search_index_pieces(index: dict) -> Iterator[Piece]:
    for name in ("terms", "titleterms"):
        yield from ((term, False) for term in index.get(name) or {})
    for name, value in index.items():
        if name not in ("terms", "titleterms"):
            yield from _json_pieces(value)


def pieces(path: Path) -> Iterator[Piece]:
    """The texts of a built file as a reader or a search sees them."""
    if path.suffix in (".pdf", ".inv"):
        yield content(path), True
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.name == "searchindex.js" and (index := _SEARCH_INDEX.match(text)):
        yield from _search_index_pieces(json.loads(index.group(1)))
    elif path.suffix in (".json", ".ipynb"):
        yield from _json_pieces(json.loads(text))
    else:
        yield reader_text(text), True


def built_files(book: Path) -> Iterator[Path]:
    """Every file of the book that is scanned (not the theme's own scripts)."""
    for pattern in SCANNED:
        for path in sorted(book.rglob(pattern)):
            if not ("_static" in path.relative_to(book).parts and path.suffix == ".js"):
                yield path


def find_published(book: Path) -> dict[tuple[str, str], set[str]]:
    """The identifiers in the built book: their values by (file, kind)."""
    found: dict[tuple[str, str], set[str]] = {}
    for path in built_files(book):
        where = path.relative_to(book).as_posix()
        for text, free_text in pieces(path):
            for kind, values in identifier_values(text, free_text).items():
                found.setdefault((where, kind), set()).update(values)
    return found


def _input_cells(data_dir: Path | None) -> Iterator[tuple[str, str, int | None, str, bool]]:
    """Every text of the inputs: file, column (or key), row (1-based), text, free text."""
    files = sorted(p for p in Path(data_dir).rglob("*") if p.is_file()) if data_dir else []
    for path in files:
        name = path.relative_to(Path(data_dir).parent).as_posix()
        try:
            if path.suffix in (".yaml", ".yml"):
                for where, text, free_text in texts_of(read_yaml(path)):
                    yield name, where, None, text, free_text
            elif path.suffix in TABLE_SUFFIXES:
                # How the files were read was said when they were validated.
                frame = read_raw(path, Path(data_dir), Notes())
                for column in frame.columns:
                    for row, text in enumerate(frame[column], start=1):
                        yield name, str(column), row, text, True
        except (InputError, ValueError, OSError):
            continue  # validation has read every input the book uses


def trace(found: dict[tuple[str, str], set[str]], data_dir: Path | None) -> list[Problem]:
    """One problem per identifier found in the book, naming the input file, column and row
    that hold the same value (or the built file, when no input holds it)."""
    pages: dict[tuple[str, str], str] = {}
    for (page, kind), values in sorted(found.items(), reverse=True):
        pages.update({(kind, value): page for value in values})
    problems = []
    for file, column, row, text, free_text in _input_cells(data_dir):
        for kind, values in identifier_values(text, free_text).items():
            for value in sorted(values):
                if (page := pages.pop((kind, value), None)) is not None:
                    problems.append(
                        Problem(
                            file,
                            None if row is None else column,
                            row,
                            Message(
                                "input.identifier_published",
                                kind=Message(f"input.identifier.{kind}"),
                                page=page,
                            ),
                            Message("input.fix.identifier"),
                            key=column if row is None else None,  # a key of a YAML file
                        )
                    )
    problems += [
        Problem(
            page,
            None,
            None,
            Message("input.identifier_untraced", kind=Message(f"input.identifier.{kind}")),
            Message("input.fix.identifier_untraced"),
        )
        for (kind, _), page in sorted(pages.items(), key=lambda item: (item[1], item[0][0]))
    ]
    return problems


def scan(book: Path, machine_paths: Iterable[Path], data_dir: Path | None = None) -> None:
    """Raise ``InputError`` naming, for every identifier the book would publish, the input
    that holds it (file, column and row in ``data_dir``), or ``BuildError`` naming every file
    that holds a path of this machine."""
    found = find_published(book)
    if found:
        raise InputError(trace(found, data_dir))
    paths = sorted({str(p) for p in machine_paths if len(str(p)) > 4}, key=len, reverse=True)
    findings = [
        f"{path.relative_to(book).as_posix()}: a path of the build machine"
        for path in built_files(book)
        if any(p in content(path) for p in paths)
    ]
    if findings:
        raise BuildError(
            "the built book would publish what it must not (nothing was published):\n"
            + "\n".join(f"  - {finding}" for finding in sorted(set(findings)))
            + "\nRemove the path from the text that prints it."
        )
