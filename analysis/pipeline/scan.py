"""Last check before a book is published: no identifier and no path of the build machine.

Everything the build wrote into the new book (HTML pages with their alt texts, the search
index, results JSON) is searched for the direct identifiers of :mod:`analysis.core.identifiers`
and for the absolute paths of this machine (the repository, the data, the output folder and
the home folder). Source maps of the theme, which carry nothing of the book, are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from analysis.core.identifiers import identifier_kinds
from analysis.pipeline.notebooks import BuildError

SCANNED = ("*.html", "*.js", "*.json", "*.ipynb", "*.txt", "*.md")
# Script and style blocks and link targets hold the theme's code and digests, not content.
_NOT_CONTENT = re.compile(
    r"<script\b.*?</script>|<style\b.*?</style>|\b(?:href|src|integrity)=\"[^\"]*\"", re.S
)
_SOURCE_MAP_COMMENT = re.compile(r"\n?/[/*]# sourceMappingURL=\S+(?: \*/)?")


def strip_source_maps(book: Path) -> None:
    """Remove the theme's ``.map`` files and the comments that point to them."""
    for path in book.rglob("*.map"):
        path.unlink()
    for path in [*book.rglob("*.js"), *book.rglob("*.css")]:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        stripped = _SOURCE_MAP_COMMENT.sub("", text)
        if stripped != text:
            path.write_text(stripped, encoding="utf-8", errors="surrogateescape")


def content(path: Path) -> str:
    """The text of a built file that a reader or a search could see."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        text = _NOT_CONTENT.sub(" ", text)
    return text


def scan(book: Path, machine_paths: Iterable[Path]) -> None:
    """Raise ``BuildError`` naming every file that holds an identifier or a machine path."""
    paths = sorted({str(p) for p in machine_paths if len(str(p)) > 4}, key=len, reverse=True)
    findings = []
    for pattern in SCANNED:
        for path in sorted(book.rglob(pattern)):
            if "_static" in path.relative_to(book).parts and path.suffix == ".js":
                continue  # the theme's own scripts
            text = content(path)
            where = path.relative_to(book).as_posix()
            findings += [f"{where}: {kind.replace('_', ' ')}" for kind in identifier_kinds(text)]
            findings += [f"{where}: a path of the build machine" for p in paths if p in text]
    if findings:
        raise BuildError(
            "the built book would publish what it must not (nothing was published):\n"
            + "\n".join(f"  - {finding}" for finding in sorted(set(findings)))
            + "\nRemove the identifiers from the data (or the path from the text that prints it)."
        )
