"""The book description: ``<data>/book.yaml``, and its schema.

What the front matter says (the title, subtitle and authors, the abstract and introduction of
the landing page, the introduction of the data page, the licence, the repository and the
references file) comes from this file, in every language, and from the study descriptions of
the chapters built. The file is optional: without it the front matter reads neutrally (a
generic title, no introduction). Example::

    title: {en: "Coordinators and return to work", nb: "Koordinatorer og tilbakeføring"}
    authors:
      - {name: "Kari Nordmann", affiliations: ["NAV"]}
    licence: CC-BY-4.0
    languages: [en, nb]          # the languages built (default: every supported language)
    version: "1.0"               # with date, for the citation (CITATION.cff)
    date: 2025-06-30
    abstract: {en: "This book ...", nb: "Denne boka ..."}
    references: references.bib   # BibTeX in the data folder, for the keys the texts cite
    repository: https://github.com/owner/repository

Validated like a study description (:func:`analysis.core.study.validated`): a mistake stops the
build with a message naming the file and the key.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Literal

from analysis.core.problems import InputError, Message
from analysis.core.settings import LANGS
from analysis.core.study import (
    BOOK_FILE,
    Described,
    LangText,
    bilingual,
    key,
    key_problem,
    ordered_languages,
    validated,
)


class Author(Described):
    """One author."""

    name: str = key(None, "Kari Nordmann", "description.key.author_name")
    affiliations: list[str] | None = key(
        None, ["Oslo Metropolitan University"], "description.key.affiliations"
    )
    orcid: str | None = key(None, "0000-0002-1825-0097", "description.key.orcid")


class BookDescription(Described):
    """The keys of ``book.yaml`` (all optional)."""

    title: LangText | None = key(
        "title",
        bilingual("Return to work after sick leave", "Tilbake til arbeid etter sykefravær"),
        "description.key.book_title",
    )
    subtitle: LangText | None = key(
        "title",
        bilingual("A reproducible report", "En reproduserbar rapport"),
        "description.key.subtitle",
    )
    authors: list[Author] | None = key(
        None, [{"name": "Kari Nordmann", "affiliations": ["NAV"]}], "description.key.authors"
    )
    licence: str | None = key(None, "CC-BY-4.0", "description.key.licence")
    languages: list[Literal[LANGS]] | None = key(
        None, ["en"], "description.key.languages", min_length=1
    )
    version: str | None = key(None, "1.0", "description.key.version")
    date: datetime.date | None = key(None, datetime.date(2025, 6, 30), "description.key.date")
    abstract: LangText | None = key(
        "sentences",
        bilingual("This book re-analyses …", "Denne boka analyserer på nytt …"),
        "description.key.abstract",
    )
    introduction: LangText | None = key(
        "sections",
        bilingual("## Background\n\n…", "## Bakgrunn\n\n…"),
        "description.key.introduction",
    )
    data_note: LangText | None = key(
        "sentences",
        bilingual("The raw data are not public. …", "Rådataene er ikke offentlige. …"),
        "description.key.data_note",
    )
    references: str | None = key(None, "references.bib", "description.key.references")
    repository: str | None = key(
        None,
        "https://github.com/owner/repository",
        "description.key.repository",
        pattern=r"^https?://\S+$",
    )

    @property
    def langs(self) -> tuple[str, ...]:
        """The languages of the book, in the order of the supported languages."""
        return ordered_languages(self.languages)

    def text(self, name: str, lang: str) -> str | None:
        """A text of the description in ``lang`` (None when not given)."""
        value = getattr(self, name)
        return None if value is None else getattr(value, lang)


def book_file(data_dir: Path) -> Path:
    """Where the book description lives."""
    return Path(data_dir) / BOOK_FILE


def load_book(data_dir: Path) -> BookDescription:
    """Read and check ``<data>/book.yaml``; an empty description when there is none."""
    path = book_file(data_dir)
    if not path.is_file():
        return BookDescription()
    book = validated(path, BookDescription)
    if book.references is not None and not (Path(data_dir) / book.references).is_file():
        raise InputError(
            [
                key_problem(
                    path.name,
                    "references",
                    Message("input.book.no_references", file=book.references),
                    Message("input.book.fix.references"),
                )
            ]
        )
    return book
