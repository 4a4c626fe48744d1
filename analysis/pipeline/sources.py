"""One language's Jupyter Book source tree, assembled from the single-source pages.

Every page in ``book/`` exists once. Its prose is written in both languages, each passage in a
Markdown cell tagged with its language and followed by its counterpart::

    +++ {"lang": "en"}

    ## Who has a permanent coordinator?

    +++ {"lang": "nb"}

    ## Hvem har fast koordinator?

Code cells and untagged Markdown cells are shared. For one language the tree keeps the shared
cells and that language's cells, in order. Pages with code cells stay notebooks (executed with
papermill); pages without become plain MyST Markdown.

Why this and not Sphinx's gettext (``sphinx-intl``, ``.po`` files): the chapters are notebooks
executed once per language, and gettext translates only the prose Sphinx parses, never cell
outputs, handles ``.ipynb`` sources poorly, and cannot be passed to the ``jupyter-book`` command
(``-D language``); a translator here edits one file and sees each passage beside its
counterpart, and there is no second copy of any code cell that could drift.
"""

from __future__ import annotations

import importlib
import re
import shutil
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import jupytext
import nbformat
import pybtex.database
import yaml
from docutils.nodes import make_id
from markdown_it import MarkdownIt

from analysis.chapters import Chapter
from analysis.core.book import BOOK_FILE, BookDescription
from analysis.core.contracts import contract_markdown
from analysis.core.describe import description_table
from analysis.core.i18n import t
from analysis.core.settings import BOOK_CONFIG, BOOK_TOC, LANGS
from analysis.core.yamlfile import read_yaml
from analysis.pipeline.front import Front, front_pages

SPHINX_LANGUAGE = {"nb": "nb_NO", "en": "en"}
LANG_KEY = "lang"
# A translated cell's fingerprint of the passage it translates (analysis.pipeline.translations).
SOURCE_KEY = "source"
MARKDOWN = MarkdownIt("commonmark")
SECTION_KEY_CLASS = "rtw-id-"
HEADING_MARK = re.compile(r"^\s*#+\s*|\s+#+\s*$")


def page_sources(book: Path) -> list[Path]:
    """Every single-source page of the book (includes too), relative to ``book``."""
    return sorted(path.relative_to(book) for path in book.rglob("*.md"))


def read_page(path: Path) -> nbformat.NotebookNode:
    """A single-source page as a notebook (one cell per ``+++``-separated block)."""
    return jupytext.read(path, fmt="md:myst")


def for_language(page: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """``page`` with the Markdown cells of the other languages left out, and the metadata that
    only the source file needs (language, translation fingerprint) taken off."""
    filtered = nbformat.from_dict(page)
    filtered.cells = [cell for cell in filtered.cells if cell.metadata.get(LANG_KEY, lang) == lang]
    for index, cell in enumerate(filtered.cells):
        cell.metadata.pop(LANG_KEY, None)
        cell.metadata.pop(SOURCE_KEY, None)
        cell.id = f"cell-{index}"  # stable ids, so that an unchanged page has the same digest
    return filtered


def shared_section_ids(page: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``page`` with a section key before each heading of its language-tagged passages (a
    MyST block attribute, the class ``rtw-id-<key>``, that the Sphinx extension turns into the
    section's id): the id the English heading gives, on the English heading and on its
    counterpart in every other language, so that a section has the same address in each
    language and the language switch lands on the section the reader was at."""
    marked = nbformat.from_dict(page)
    english: list[str] = []
    taken: set[str] = set()
    for cell in marked.cells:
        lang = cell.metadata.get(LANG_KEY)
        if lang is None or cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        starts = [
            token.map[0] for token in MARKDOWN.parse(cell.source) if token.type == "heading_open"
        ]
        if lang == "en":
            english = [_unique(make_id(HEADING_MARK.sub("", lines[i])), taken) for i in starts]
        for start, key in reversed(list(zip(starts, english, strict=False))):
            lines.insert(start, section_key(key).rstrip("\n"))
        cell.source = "\n".join(lines)
        if lang != "en":
            english = []
    return marked


def section_key(heading: str) -> str:
    """The line that gives the heading after it the id of ``heading`` (an English heading),
    in every language."""
    return f"{{.{SECTION_KEY_CLASS}{make_id(heading)}}}\n"


def _unique(key: str, taken: set[str]) -> str:
    """``key``, or ``key-2``, ``key-3``, … when a heading before it on the page has it."""
    unique, number = key, 1
    while unique in taken:
        number += 1
        unique = f"{key}-{number}"
    taken.add(unique)
    return unique


def is_notebook(page: nbformat.NotebookNode) -> bool:
    """True when the page has code to execute."""
    return any(cell.cell_type == "code" for cell in page.cells)


def write_page(page: nbformat.NotebookNode, target: Path) -> None:
    """Write a page of one language: a notebook as ``.ipynb``, prose as ``.md``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if is_notebook(page):
        nbformat.write(page, target.with_suffix(".ipynb"))
    else:
        text = "\n\n".join(cell.source.strip("\n") for cell in page.cells)
        target.with_suffix(".md").write_text(text + "\n", encoding="utf-8")


def book_config(lang: str, pdf: bool = False, front: Front | None = None) -> dict:
    """The top-level ``_config.yml`` with the language-specific settings filled in (title and
    authors from the book description of ``front``); ``pdf``: the pages link the PDF of the
    book (it will be printed)."""
    front = front or Front.neutral()
    config = read_yaml(BOOK_CONFIG)
    config["title"] = front.title(lang)
    config["author"] = front.author(lang)
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["language"] = SPHINX_LANGUAGE[lang]
    sphinx_config["rtw_lang"] = lang
    sphinx_config["rtw_pdf"] = pdf
    sphinx_config["bibtex_default_style"] = f"rtw_{lang}"
    return config


def book_toc(pages: set[str]) -> dict:
    """The top-level ``_toc.yml`` without the pages that are not in the tree."""
    toc = read_yaml(BOOK_TOC)
    toc["chapters"] = [entry for entry in toc["chapters"] if entry["file"] in pages]
    return toc


def localise_bibliography(text: str, lang: str, extra: str = "") -> str:
    """BibTeX with each ``<field>_<lang>`` copied to ``<field>`` and other languages dropped;
    the entries of ``extra`` (the data folder's references) added where their key is new."""
    data = pybtex.database.parse_string(text, "bibtex")
    for key, entry in pybtex.database.parse_string(extra, "bibtex").entries.items():
        if key not in data.entries:
            data.add_entry(key, entry)
    for entry in data.entries.values():
        for name in list(entry.fields):
            base, _, suffix = name.rpartition("_")
            if suffix in LANGS:
                value = entry.fields.pop(name)
                if suffix == lang:
                    entry.fields[base] = value
    return data.to_string("bibtex")


def assemble_tree(
    tree: Path,
    lang: str,
    left_out: Iterable[str],
    contracts: Callable[[str], dict[str, str]],
    book: Path,
    pdf: bool = False,
    front: Front | None = None,
) -> list[str]:
    """Write one language's source tree; return the names of the notebook pages to execute.

    Pages named in ``left_out`` (chapters not being built) become a short note so that links
    to them keep working. ``contracts(lang)`` gives the generated include files of the data
    contracts, keyed by their path in the tree. The front matter (landing and data pages,
    site title, references) comes from ``front``, the book and study descriptions.
    """
    front = front or Front.neutral()
    generated = front_pages(front)
    left_out = set(left_out)
    notebooks = []
    sources = {relative.with_suffix("").as_posix(): relative for relative in page_sources(book)}
    sources |= {name: Path(f"{name}.md") for name in generated}
    for name, relative in sorted(sources.items()):
        if name in left_out:
            text = f"# {t(f'repro.component.{name}', lang)}\n\n{t('site.not_built', lang)}\n"
            (tree / relative).parent.mkdir(parents=True, exist_ok=True)
            (tree / relative).write_text(text, encoding="utf-8")
            continue
        source = generated[name] if name in generated else read_page(book / relative)
        page = for_language(shared_section_ids(source), lang)
        write_page(page, tree / relative)
        if is_notebook(page):
            notebooks.append(name)
    for relative, text in contracts(lang).items():
        (tree / relative).parent.mkdir(parents=True, exist_ok=True)
        (tree / relative).write_text(text, encoding="utf-8")
    shutil.copytree(book / "_static", tree / "_static")
    bibliography = (book / "references.bib").read_text(encoding="utf-8")
    (tree / "references.bib").write_text(
        localise_bibliography(bibliography, lang, front.references), encoding="utf-8"
    )
    pages = {path.stem for path in tree.iterdir() if path.suffix in (".md", ".ipynb")}
    config = book_config(lang, pdf, front)
    (tree / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    (tree / "_toc.yml").write_text(yaml.safe_dump(book_toc(pages), allow_unicode=True))
    return notebooks


def contract_includes(
    chapters: list[Chapter], data_dir: Path | None = None
) -> Callable[[str], dict[str, str]]:
    """The generated data-contract and description-reference include files of ``chapters``,
    per language; a chapter whose contract follows its study description (``schemas`` in its
    data module: the cohort's analysis plan) shows the contract of ``data_dir``'s."""
    modules = {
        chapter.name: importlib.import_module(f"analysis.chapters.{chapter.name}.data")
        for chapter in chapters
    }

    schemas = {
        name: module.schemas(data_dir)
        if data_dir is not None and hasattr(module, "schemas")
        else module.SCHEMAS
        for name, module in modules.items()
    }

    def includes(lang: str) -> dict[str, str]:
        """Each under its section key, the id of its English title (as on the other pages)."""
        contracts = {
            f"includes/contract-{name}.md": section_key(t(f"repro.component.{name}", "en"))
            + contract_markdown(t(f"repro.component.{name}", lang), schemas[name], lang)
            for name, module in modules.items()
        }
        descriptions = {
            "includes/description-reference.md": "\n".join(
                [
                    description_table(BookDescription, BOOK_FILE, lang),
                    *(
                        description_table(module.DESCRIPTION, f"{name}.study.yaml", lang)
                        for name, module in modules.items()
                    ),
                ]
            )
        }
        return contracts | descriptions

    return includes


def site_root() -> str:
    """The path of the site's root on its server, from the address in ``html.baseurl`` of
    ``_config.yml`` (``/`` when none is set): ``https://example.org/rtw/`` gives ``/rtw/``."""
    address = (read_yaml(BOOK_CONFIG).get("html") or {}).get("baseurl") or ""
    path = urlsplit(address).path.strip("/")
    return f"/{path}/" if path else "/"


def _site_page(title: str, body: str, root: str = "") -> str:
    """A page of the site outside the two books (landing page, 404), in both languages; its
    links start with ``root`` (relative to the page when empty)."""
    return f"""<!DOCTYPE html>
<html lang="nb">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" href="{root}nb/_static/favicon.svg" type="image/svg+xml">
  <link rel="alternate" hreflang="nb" href="{root}nb/index.html">
  <link rel="alternate" hreflang="en" href="{root}en/index.html">
  <style>
    body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;
           padding: 0 1rem; line-height: 1.5; color: #222; }}
    ul {{ list-style: none; padding: 0; }}
    li a {{ display: block; padding: 1rem 1.25rem; margin: 1rem 0; border: 1px solid #ccc;
            border-radius: .5rem; text-decoration: none; color: #0b4f8a; }}
    li a:hover, li a:focus {{ background: #eef4fb; }}
    a:focus-visible {{ outline: 3px solid #0b4f8a; outline-offset: 2px; }}
  </style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def _book_links(front: Front, root: str = "") -> str:
    return "\n".join(
        f'    <li lang="{lang}"><a href="{root}{lang}/index.html" hreflang="{lang}">'
        f"<strong>{escape(front.title(lang))}</strong><br>"
        f"{escape(t('site.landing_open', lang))}</a></li>"
        for lang in LANGS
    )


def landing_page(front: Front | None = None) -> str:
    """The site's front page: the title in both languages and a link to each book."""
    front = front or Front.neutral()
    title = f"{escape(front.title('nb'))} / {escape(front.title('en'))}"
    body = f"""  <h1>{escape(t("site.landing_choose", "nb"))} /
    <span lang="en">{escape(t("site.landing_choose", "en"))}</span></h1>
  <ul>
{_book_links(front)}
  </ul>"""
    return _site_page(title, body)


def not_found_page(front: Front | None = None) -> str:
    """The site's 404 page, in both languages, with the way back to each book. The server
    shows it at any missing address (``/en/missing.html`` too), so its links start at the
    site's root."""
    root, front = site_root(), front or Front.neutral()
    title = f"{escape(t('site.not_found_title', 'nb'))} / {escape(t('site.not_found_title', 'en'))}"
    body = f"""  <h1>{escape(t("site.not_found_title", "nb"))} /
    <span lang="en">{escape(t("site.not_found_title", "en"))}</span></h1>
  <p>{escape(t("site.not_found_text", "nb"))}</p>
  <p lang="en">{escape(t("site.not_found_text", "en"))}</p>
  <ul>
{_book_links(front, root)}
  </ul>"""
    return _site_page(title, body, root)
