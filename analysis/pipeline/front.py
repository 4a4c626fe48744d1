"""The front matter, generated from the book description (``<data>/book.yaml``) and the study
descriptions of the chapters built: the landing page (``index``), the data and provenance page
(``data``) and the site's title and authors.

Each page is made as a single-source page (a notebook of Markdown cells, one run per passage
with a cell per language, as the pages of ``book/`` are), so it goes through the same assembly
(:mod:`analysis.pipeline.sources`) and its sections have the same address in each language.
Without a book description the pages read neutrally: a generic title and no introduction; a
chapter without a study description is listed by its name, its data by file and count.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from analysis.chapters import Chapter
from analysis.core.book import BookDescription, load_book
from analysis.core.i18n import fmt_int, t, tn
from analysis.core.settings import LANGS, SOURCE_LANG, TRANSLATED_LANGS
from analysis.core.study import Study, load_study
from analysis.core.validation import table_file, table_rows

LANG_KEY = "lang"
SUPPORT_PAGES = ("reproduction", "rerun", "data", "references")


@dataclass(frozen=True)
class DataFile:
    """One data file of a chapter: its name in the data folder and its number of rows."""

    name: str
    rows: int


@dataclass(frozen=True)
class Front:
    """What the front matter is made from: the book description, and for each chapter built
    its study description and data files."""

    book: BookDescription
    studies: dict[str, Study]
    files: dict[str, list[DataFile]]
    references: str = ""  # the BibTeX of the data folder's references file
    langs: tuple[str, ...] = LANGS  # the languages built

    @classmethod
    def neutral(cls) -> Front:
        """The front matter of no description and no chapter."""
        return cls(BookDescription(), {}, {})

    def title(self, lang: str) -> str:
        """The site's title: the book description's, else a neutral one."""
        return self.book.text("title", lang) or t("front.title", lang)

    def author(self, lang: str) -> str:
        """The authors as the footer names them: the book description's, else neutral."""
        names = [author.name for author in self.book.authors or []]
        return ", ".join(names) if names else t("site.author", lang)


def chapter_inputs(chapter: Chapter, data_dir: Path) -> list[Path]:
    """The files in ``data_dir`` the chapter reads its data from: its data module's
    ``input_files`` where it has other inputs than its tables (the cohort's register
    extract), else each table present as text or workbook."""
    module = importlib.import_module(f"analysis.chapters.{chapter.name}.data")
    if hasattr(module, "input_files"):
        return module.input_files(Path(data_dir))
    return [path for schema in module.SCHEMAS if (path := table_file(Path(data_dir), schema))]


def data_files(chapter: Chapter, data_dir: Path) -> list[DataFile]:
    """The files the chapter read from ``data_dir``, each with its number of rows: its tables
    present (a ``.csv`` or its ``.xlsx``), or the cohort's register extract (persons and
    spells, a folder of partitions named with its ``/``)."""
    data_dir = Path(data_dir)
    schemas = importlib.import_module(f"analysis.chapters.{chapter.name}.data").SCHEMAS
    tables = {present: schema for schema in schemas if (present := table_file(data_dir, schema))}
    found = []
    for path in chapter_inputs(chapter, data_dir):
        name = path.relative_to(data_dir).as_posix() + ("/" if path.is_dir() else "")
        if path in tables:
            rows = table_rows(data_dir / tables[path].file, data_dir)
        else:  # a register file, counted by DuckDB (imported only for such data)
            rows = importlib.import_module("analysis.chapters.cohort.spells").count_rows(path)
        found.append(DataFile(name, rows))
    return found


def read_front(data_dir: Path, chapters: list[Chapter], langs: tuple[str, ...] = LANGS) -> Front:
    """The book description and the descriptions and data files of ``chapters``, for a book
    in ``langs``."""
    modules = {
        chapter.name: importlib.import_module(f"analysis.chapters.{chapter.name}.data")
        for chapter in chapters
    }
    book = load_book(data_dir)
    references = Path(data_dir) / book.references if book.references else None
    return Front(
        book,
        {name: load_study(data_dir, name, module.DESCRIPTION) for name, module in modules.items()},
        {chapter.name: data_files(chapter, data_dir) for chapter in chapters},
        references.read_text(encoding="utf-8") if references else "",
        tuple(langs),
    )


def _page(passages: list[Callable[[str], str]]) -> nbformat.NotebookNode:
    """A single-source page: each passage as one Markdown cell per language, in order."""
    page = nbformat.v4.new_notebook()
    page.cells = [
        nbformat.v4.new_markdown_cell(text, metadata={LANG_KEY: lang})
        for passage in passages
        for lang in (SOURCE_LANG, *TRANSLATED_LANGS)  # each translation after its source
        if (text := passage(lang).strip())
    ]
    return page


def _chapter_item(front: Front, name: str, lang: str) -> str:
    study = front.studies[name]
    parts = [f"{{doc}}`{name}`"]
    summary = study.text("summary", lang)
    if summary:
        parts[0] += f": {summary}"
    if study.citation:
        parts.append(f"{{cite:p}}`{study.citation}`")
    return "- " + " ".join(parts) + ("." if summary or study.citation else "")


def _contents(front: Front, lang: str) -> str:
    chapters = list(front.studies)
    lines = [
        f"## {t('front.contents', lang)}",
        "",
        t(
            "front.chapters",
            lang,
            chapters=tn("front.count.chapters", len(chapters), lang, start=True),
        ),
        "",
        *(_chapter_item(front, name, lang) for name in chapters),
        "",
        t("front.support", lang),
        "",
        *(f"- {t(f'front.support.{page}', lang)}" for page in SUPPORT_PAGES),
        "",
        t("front.computed", lang),
    ]
    if len(front.langs) > 1:
        lines += ["", t("front.languages", lang)]
    if front.book.repository:
        lines += ["", t("front.repository", lang, url=front.book.repository)]
    if front.book.licence:
        lines += ["", t("front.licence", lang, licence=front.book.licence)]
    return "\n".join(lines)


def _citation_authors(front: Front) -> list[dict[str, str]]:
    """The authors as CITATION.cff lists them: family and given names split at the last
    space (a name of one word as it is), with affiliations and ORCID iD."""
    people = []
    for author in front.book.authors or []:
        given, _, family = author.name.rpartition(" ")
        person = {"family-names": family, "given-names": given} if given else {"name": family}
        if author.affiliations:
            person["affiliation"] = "; ".join(author.affiliations)
        if author.orcid:
            person["orcid"] = f"https://orcid.org/{author.orcid}"
        people.append(person)
    return people


def citation_lang(front: Front) -> str:
    """The language of the citation file: the source language when built, else the first."""
    return SOURCE_LANG if SOURCE_LANG in front.langs else front.langs[0]


def citation_cff(front: Front) -> str | None:
    """The book's citation as ``CITATION.cff`` (Citation File Format 1.2.0) from the book
    description: title, authors, licence, repository, version and date. None without a
    title and authors, which a citation needs."""
    book = front.book
    if not (book.title and book.authors):
        return None
    lang = citation_lang(front)
    fields = {
        "cff-version": "1.2.0",
        "message": t("front.cite.message", lang),
        "title": front.title(lang),
        "authors": _citation_authors(front),
        "license": book.licence,
        "repository-code": book.repository,
        "version": book.version,
        "date-released": book.date.isoformat() if book.date else None,
    }
    kept = {name: value for name, value in fields.items() if value is not None}
    return yaml.safe_dump(kept, sort_keys=False, allow_unicode=True, width=1000)


def _how_to_cite(front: Front, lang: str) -> str:
    """The landing page's "How to cite": authors (year), title, version, repository."""
    book = front.book
    if citation_cff(front) is None:
        return ""
    names = ", ".join(author.name for author in book.authors)
    year = f" ({book.date.year})" if book.date else ""
    parts = [f"{names}{year}", f"*{front.title(lang)}*"]
    if book.version:
        parts.append(t("front.cite.version", lang, version=book.version))
    if book.repository:
        parts.append(f"<{book.repository}>")
    return "\n".join(
        [
            f"## {t('front.cite.heading', lang)}",
            "",
            ". ".join(parts) + ".",
            "",
            t("front.cite.file", lang),
        ]
    )


def landing(front: Front) -> nbformat.NotebookNode:
    """The landing page: title, subtitle and authors, the abstract and introduction of the
    book description, what the book contains and how to cite it."""
    book = front.book

    def heading(lang: str) -> str:
        lines = [f"# {front.title(lang)}"]
        if book.subtitle:
            lines += ["", f"*{book.text('subtitle', lang)}*"]
        if book.authors:
            lines += ["", ", ".join(_author(author) for author in book.authors)]
        if book.abstract:
            lines += ["", book.text("abstract", lang)]
        return "\n".join(lines)

    return _page(
        [
            heading,
            lambda lang: book.text("introduction", lang) or "",
            lambda lang: _contents(front, lang),
            lambda lang: _how_to_cite(front, lang),
        ]
    )


def _author(author: object) -> str:
    places = "; ".join(author.affiliations or [])
    return f"{author.name} ({places})" if places else author.name


def _kinds(front: Front, lang: str) -> str:
    used = {study.provenance or "observed" for study in front.studies.values()}
    kinds = [kind for kind in PROVENANCE_ORDER if kind in used]
    if not kinds:
        return ""
    lines = [f"## {t('front.data.kinds', lang)}", "", t("front.data.kinds_intro", lang), ""]
    lines += [
        f"- **{t(f'front.kind.{kind}', lang)}.** {t(f'front.kind.{kind}.about', lang)}"
        for kind in kinds
    ]
    return "\n".join(lines)


def _category(study: Study, lang: str) -> str:
    return t(f"front.kind.{study.provenance or 'observed'}", lang)


def _glance(front: Front, lang: str) -> str:
    header = [t(f"front.data.col.{name}", lang) for name in ("file", "chapter", "category", "rows")]
    lines = [
        f"## {t('front.data.glance', lang)}",
        "",
        "| " + " | ".join(header) + " |",
        "|---|---|---|---:|",
    ]
    for name, files in front.files.items():
        chapter = f"{{doc}}`{t(f'repro.component.{name}', lang)} <{name}>`"
        category = _category(front.studies[name], lang)
        lines += [
            f"| `{file.name}` | {chapter} | {category} | {fmt_int(file.rows, lang)} |"
            for file in files
        ]
    lines += ["", t("front.data.contracts", lang)]
    return "\n".join(lines)


def _details(front: Front, name: str, lang: str) -> str:
    study = front.studies[name]
    folders = {Path(file.name).parent.as_posix() for file in front.files[name]}
    files = (
        f"`{folders.pop()}/`"
        if len(folders) == 1 and "." not in folders
        else ", ".join(f"`{file.name}`" for file in front.files[name])
    )
    text = study.text("provenance_details", lang) or study.text("provenance_note", lang)
    body = text or t(f"front.kind.{study.provenance or 'observed'}.about", lang)
    return f"## {t(f'repro.component.{name}', lang)}: {files}\n\n{body}"


def data_page(front: Front) -> nbformat.NotebookNode:
    """The data and provenance page: what each chapter's data are, where they come from and
    how many rows each file holds."""
    return _page(
        [
            lambda lang: (
                f"# {t('front.data.title', lang)}\n\n"
                + (front.book.text("data_note", lang) or t("front.data.intro", lang))
            ),
            lambda lang: _kinds(front, lang),
            lambda lang: _glance(front, lang),
            *(lambda lang, name=name: _details(front, name, lang) for name in front.studies),
        ]
    )


# The kinds of data in the order the data page lists them (observed data last).
PROVENANCE_ORDER = (
    "published-counts",
    "generated",
    "simulated",
    "reconstructed",
    "illustrative",
    "collected",
    "register",
    "observed",
)


def front_pages(front: Front) -> dict[str, nbformat.NotebookNode]:
    """The generated pages by name."""
    return {"index": landing(front), "data": data_page(front)}
