"""Sphinx extension: language switch and bokmål interface strings for the book.

Loaded through ``sphinx.extra_extensions`` in ``_config.yml``. It reads the book language
from ``rtw_lang`` (``nb`` or ``en``), adds a link on every page to the same page in the
other language (``../<other>/<page>.html``), and gives the theme's interface strings
(search box, navigation, buttons) their bokmål text from the ``theme`` label catalog. With
``rtw_pdf`` every page links the PDF of its language's book (:mod:`analysis.pipeline.pdf`).
"""

from __future__ import annotations

import gettext
import math
import re
import shutil
from html import escape, unescape
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import date
from pybtex.style.template import (
    FieldIsMissing,
    field,
    first_of,
    join,
    node,
    optional_field,
    sentence,
)
from sphinx.locale import translators
from sphinx.transforms import SphinxTransform

from analysis.core.i18n import catalog, is_number, t
from analysis.core.settings import LANGS, OUTPUT_SECTION_CLASS, PHONE_FIGURE_SUFFIX
from analysis.pipeline.pdf import pdf_name
from analysis.pipeline.sources import SECTION_KEY_CLASS

if TYPE_CHECKING:  # Sphinx itself loads only in the build's Sphinx process
    from sphinx.application import Sphinx

TEMPLATES = Path(__file__).parent / "templates"


class _CatalogTranslations(gettext.NullTranslations):
    """Translations from the label catalog: English message id -> text in one language."""

    def __init__(self, table: dict[str, str]):
        super().__init__()
        self._table = table

    def gettext(self, message: str) -> str:
        return self._table.get(message) or super().gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def theme_strings(lang: str) -> dict[str, str]:
    """English theme message ids mapped to their text in ``lang``."""
    return {
        entry["en"]: entry[lang]
        for key, entry in catalog().items()
        if key.startswith("theme.msgid.")
    }


def other_lang(lang: str, langs: list[str] | tuple[str, ...] = LANGS) -> str | None:
    """The book's other language among those built (``langs``); None when it is the only one."""
    return next((other for other in langs if other != lang), None)


def _configure(app: Sphinx, config) -> None:
    lang = config.rtw_lang
    config.templates_path = [*config.templates_path, str(TEMPLATES)]
    options = config.html_theme_options
    options["search_bar_text"] = t("theme.search_bar_text", lang)
    options["toc_title"] = t("theme.toc_title", lang)
    end = list(options.get("article_header_end") or ["article-header-buttons.html"])
    download = ["pdf-download.html"] if config.rtw_pdf else []
    switch = ["lang-switch.html"] if other_lang(lang, config.rtw_langs) else []
    options["article_header_end"] = [*switch, *download, *end]
    config.nb_code_prompt_show = t("theme.code_show", lang)
    config.nb_code_prompt_hide = t("theme.code_hide", lang)


def _add_theme_translations(app: Sphinx) -> None:
    table = theme_strings(app.config.rtw_lang)
    for key, translator in list(translators.items()):
        if key[0] == "general":
            translator.add_fallback(_CatalogTranslations(table))


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    lang = app.config.rtw_lang
    langs = app.config.rtw_langs
    other = other_lang(lang, langs)
    up = "../" * (pagename.count("/") + 1)
    context["rtw_other_lang"] = other
    context["rtw_switch_url"] = f"{up}{other}/{pagename}.html"
    context["rtw_switch_text"] = t("site.switch_text", lang)
    context["rtw_switch_title"] = t("site.switch_title", lang)
    context["rtw_pdf_url"] = "../" * pagename.count("/") + pdf_name(lang)
    context["rtw_pdf_text"] = t("site.pdf_download", lang)
    context["rtw_pdf_title"] = t("site.pdf_title", lang)
    # Search engines and browsers learn that the page exists in each language built.
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n    <link rel="alternate" hreflang="{code}" href="{up}{code}/{pagename}.html" />'
        for code in langs
    )


def _shared_section_ids(app: Sphinx, doctree: nodes.document) -> None:
    """Each section marked with a key (``rtw-id-<key>``, see ``sources.shared_section_ids``)
    gets that key as its id, the same in both languages."""
    for section in doctree.findall(nodes.section):
        keys = [name for name in section["classes"] if name.startswith(SECTION_KEY_CLASS)]
        for name in keys:
            section["classes"].remove(name)
            section["ids"] = [name.removeprefix(SECTION_KEY_CLASS)]
            doctree.ids[section["ids"][0]] = section


def _remove_up_to(node: nodes.Element, ancestor: nodes.Element) -> None:
    """Remove ``node``, and each of its ancestors below ``ancestor`` left empty by that."""
    while node is not ancestor:
        parent = node.parent
        parent.remove(node)
        if parent.children:
            return
        node = parent


def _is_output_heading(node: nodes.Node) -> bool:
    """A heading of a cell's output marked as a section (MyST makes a rubric of it)."""
    return isinstance(node, nodes.rubric) and OUTPUT_SECTION_CLASS in node["classes"]


class _QuietOutputHeadings(SphinxTransform):
    """Drop the messages docutils attaches to an output heading (an informational "duplicate
    implicit target name", with the path of the build's notebook in it). Sphinx's domains take
    a heading's text as its label's title for the inventory (``objects.inv``), messages
    included, so this runs before them (``SphinxDomains``, priority 850)."""

    default_priority = 840

    def apply(self, **kwargs: object) -> None:
        for rubric in self.document.findall(_is_output_heading):
            for message in [c for c in rubric.children if isinstance(c, nodes.system_message)]:
                rubric.remove(message)


def _enclosing_sections(section: nodes.section) -> list[nodes.section]:
    """``section`` and the sections around it, the page's own first (its level 1)."""
    sections = [section]
    while isinstance(sections[0].parent, nodes.section):
        sections.insert(0, sections[0].parent)
    return sections


def _place(part: nodes.section, level: int, open_sections: list[nodes.section]) -> None:
    """Put ``part``, made from a heading of ``level``, in the open section one level above it,
    right after the one it closes (the open sections, outermost first, then end with it). It
    stays in the innermost one when closing would move it past a section's later content."""
    keep = max(level - 1, 1)
    closed = open_sections[keep:]
    if any(inner.parent.children[-1] is not inner for inner in closed[1:]):
        keep, closed = len(open_sections), []
    del open_sections[keep:]
    parent = open_sections[-1]
    if closed:
        parent.insert(parent.index(closed[0]) + 1, part)
    else:
        parent.append(part)
    open_sections.append(part)


def _output_sections(app: Sphinx, doctree: nodes.document) -> None:
    """Headings of a cell's Markdown output marked as sections (``display.section_heading``;
    MyST makes a rubric of a heading in an output) become sections of the page, so that they
    are in its contents: each takes what follows it in its output and the cell's later outputs
    (figures, tables), up to the next one. A heading's level places its section: a level-3
    heading in a level-2 section is a subsection, a level-2 one there (or after level-3 ones) a
    section of its own beside it, right after it. Only a cell that ends its section is split (a
    section's text cannot follow its subsections)."""

    def cell_of(node: nodes.Element) -> nodes.Element:
        while not isinstance(node.parent, nodes.section | nodes.document):
            node = node.parent
        return node

    def later_outputs(rubric: nodes.rubric, cell: nodes.Element) -> list[nodes.Element]:
        """The outputs of ``cell`` after the one holding ``rubric``, up to the next marked one."""
        unit = rubric
        while unit.parent is not cell and unit.parent.parent is not cell:
            unit = unit.parent
        following = unit.parent.children[unit.parent.index(unit) + 1 :]
        later = []
        for output in following:
            if any(True for _ in output.findall(_is_output_heading)):
                break
            later.append(output)
        return later

    cells: dict[nodes.Element, list[nodes.rubric]] = {}
    for rubric in doctree.findall(_is_output_heading):
        cells.setdefault(cell_of(rubric), []).append(rubric)
    for cell, rubrics in cells.items():
        section = cell.parent
        if not isinstance(section, nodes.section) or section.children[-1] is not cell:
            continue
        open_sections = _enclosing_sections(section)
        for rubric in rubrics:
            output = rubric.parent
            title = nodes.title(rubric.rawsource, "", *rubric.children)
            part = nodes.section("", title, ids=rubric["ids"], names=rubric["names"])
            _place(part, rubric.get("level", len(open_sections) + 1), open_sections)
            ends_output = True
            for child in output.children[output.index(rubric) + 1 :]:
                if _is_output_heading(child):
                    ends_output = False
                    break
                output.remove(child)
                part.append(child)
            for later in later_outputs(rubric, cell) if ends_output else []:
                later.parent.remove(later)
                part.append(later)
            output.remove(rubric)
            if not output.children:  # with MyST-NB's other renderings of it (text/plain)
                bundle = output.parent.get("nb_element") == "mime_bundle"
                _remove_up_to(output.parent if bundle else output, cell)
            for section_id in part["ids"]:
                doctree.ids[section_id] = part
        if not cell.children:
            section.remove(cell)


def translate_attributes(html: str, lang: str) -> str:
    """Give the attribute texts that the theme and myst-nb hard-code their ``lang`` text."""
    for key, entry in catalog().items():
        if key.startswith("theme.attr."):
            html = re.sub(
                rf'\b(title|aria-label|placeholder)="{re.escape(entry["en"])}"',
                lambda m, k=key: f'{m.group(1)}="{t(k, lang)}"',
                html,
            )
    return html


def accessible(html: str, lang: str) -> str:
    """Landmarks and roles the theme and the bibliography get wrong: the primary sidebar
    becomes a named landmark, and bibliography entries are list items of their list."""
    html = html.replace(
        '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">',
        '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar" role="complementary"'
        f' aria-label="{t("theme.msgid.site_nav", lang)}">',
    )
    return html.replace('role="doc-biblioentry"', 'role="listitem"')


PROSE_TABLE = re.compile(r'<table class="table">(.*?)</table>', re.DOTALL)
HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def card_tables(html: str) -> str:
    """Prose tables (written in Markdown) become ``rtw-cards`` tables whose every data cell
    carries its column's header in ``data-label``, so that on a phone the stylesheet can show
    each row as a card of labelled lines instead of columns a few letters wide; a cell that
    holds a number is marked ``rtw-number`` (right-aligned on a wide screen)."""

    def cards(table: re.Match) -> str:
        body = table.group(1)
        head, _, rows = body.partition("</thead>")
        labels = [
            escape(unescape(TAG.sub("", cell)).strip(), quote=True)
            for cell in HEADER_CELL.findall(head)
        ]

        def labelled(row: re.Match) -> str:
            cells = iter(labels)

            def cell(td: re.Match) -> str:
                classes = (td.group(1) or "").split()  # e.g. text-right, from ---: in Markdown
                if is_number(unescape(TAG.sub("", td.group(2)))):
                    classes.append("rtw-number")
                kept = f' class="{" ".join(classes)}"' if classes else ""
                return f'<td data-label="{next(cells, "")}"{kept}>{td.group(2)}</td>'

            return re.sub(
                r'<td(?: class="([^"]*)")?>(.*?)</td>', cell, row.group(0), flags=re.DOTALL
            )

        rows = re.sub(r"<tr[^>]*>.*?</tr>", labelled, rows, flags=re.DOTALL)
        return f'<table class="table rtw-cards">{head}</thead>{rows}</table>'

    return PROSE_TABLE.sub(cards, html)


READABLE_PX = 10  # the smallest text of a figure is drawn at least this large
# Where the theme lays a page out for a phone (the stylesheet's breakpoint): the column is then
# at most 568 px wide, and each figure is shown in its rendition drawn for a phone.
PHONE_MEDIA = "(max-width: 600px)"
FIGURE_LINK = re.compile(
    r'(<a class="reference internal image-reference" href="[^"]*">)'
    r'(<img [^>]*src="(_images/[^"]+)\.svg" style="width: 100%;" />)(\s*</a>)'
)
VIEW_BOX_WIDTH = re.compile(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) [\d.]+"')
FONT_SIZE = re.compile(r"font-size:\s*([\d.]+)px")


def readable_width(svg: str) -> int:
    """The width in CSS px at which the smallest text of an SVG figure is ``READABLE_PX``."""
    width = float(VIEW_BOX_WIDTH.search(svg).group(1))
    smallest = min(float(size) for size in FONT_SIZE.findall(svg))
    return math.ceil(width * READABLE_PX / smallest)


def phone_rendition(figure: Path) -> Path:
    """Where the rendition of ``figure`` drawn for a phone is (``display.show_figure``)."""
    return figure.with_stem(f"{figure.stem}{PHONE_FIGURE_SUFFIX}")


def _copy_phone_renditions(app: Sphinx) -> None:
    """Each figure's phone rendition beside the figure in the built book's ``_images``
    (Sphinx copies only the figure the page names)."""
    images = Path(app.outdir) / "_images"
    for source, (_pages, unique) in app.env.images.items():
        phone = phone_rendition(Path(app.srcdir) / source)
        if phone.is_file():
            shutil.copyfile(phone, phone_rendition(images / unique))


def readable_figures(html: str, outdir: Path) -> str:
    """Each SVG figure in its phone rendition on a phone's screen (``<picture>``), and each
    rendition no narrower than the width at which its text is readable (the custom
    properties the stylesheet reads); in a column narrower still, it scrolls sideways in a box
    of its own."""

    def readable(link: re.Match) -> str:
        wide = outdir / f"{unescape(link.group(3))}.svg"
        phone = phone_rendition(wide)
        widths = f"--rtw-readable: {readable_width(wide.read_text(encoding='utf-8'))}px;"
        source = ""
        if phone.is_file():
            phone_width = readable_width(phone.read_text(encoding="utf-8"))
            widths += f" --rtw-readable-phone: {phone_width}px;"
            source = (
                f'<source media="{PHONE_MEDIA}" '
                f'srcset="{link.group(3)}{PHONE_FIGURE_SUFFIX}.svg" />'
            )
        image = link.group(2).replace('style="width: 100%;"', f'style="width: 100%; {widths}"')
        return (
            f'<div class="rtw-scroll">{link.group(1)}<picture>{source}{image}</picture>'
            f"{link.group(4)}</div>"
        )

    return FIGURE_LINK.sub(readable, html)


RESULT_TABLE = re.compile(r'<table class="table rtw-table".*?</table>', re.DOTALL)


def scrolling_tables(html: str) -> str:
    """Each result table scrolls sideways in a box of its own, not with the notes beside it;
    the box takes the keyboard focus, so that it scrolls with the arrow keys too."""
    return RESULT_TABLE.sub(
        lambda table: f'<div class="rtw-scroll" tabindex="0">{table.group(0)}</div>', html
    )


def _finish_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    _copy_phone_renditions(app)
    for page in Path(app.outdir).rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        lang = app.config.rtw_lang
        finished = card_tables(accessible(translate_attributes(html, lang), lang))
        finished = scrolling_tables(readable_figures(finished, page.parent))
        if finished != html:
            page.write_text(finished, encoding="utf-8")


@node
def _names(children, context, role: str, lang: str):
    """Author names joined in ``lang``: "A, B og C", and "A, B mfl." for "and others"."""
    try:
        persons = list(context["entry"].persons[role])
    except KeyError:
        raise FieldIsMissing(role, context["entry"]) from None
    style = context["style"]
    others = bool(persons) and str(persons[-1]) == "others"
    formatted = [
        style.format_name(person, style.abbreviate_names)
        for person in (persons[:-1] if others else persons)
    ]
    if others:  # "A, B, C mfl." / "A, B, C et al."
        text = join(sep=", ")[formatted].format_data(context)
        return Text(text, " ", t("bib.others", lang))
    and_word = t("bib.and", lang)
    return join(sep=", ", sep2=f" {and_word} ", last_sep=f" {and_word} ")[formatted].format_data(
        context
    )


def bibliography_style(lang: str) -> type[UnsrtStyle]:
    """pybtex's ``unsrt`` style with the words that join author names in ``lang``."""

    class LocalisedStyle(UnsrtStyle):
        def format_names(self, role, as_sentence=True):
            formatted = _names(role=role, lang=lang)
            return sentence[formatted] if as_sentence else formatted

        def get_mastersthesis_template(self, e):
            return toplevel[
                sentence[self.format_names("author")],
                self.format_title(e, "title"),
                sentence[
                    first_of[optional_field("type"), t("bib.masters_thesis", lang)],
                    field("school"),
                    optional_field("address"),
                    date,
                ],
                sentence[optional_field("note")],
                self.format_web_refs(e),
            ]

    return LocalisedStyle


def setup(app: Sphinx) -> dict:
    """Register the configuration value, the bibliography styles and the event handlers."""
    for lang in LANGS:
        register_plugin(
            "pybtex.style.formatting", f"rtw_{lang}", bibliography_style(lang), force=True
        )
    app.add_config_value("rtw_lang", "en", "html")
    app.add_config_value("rtw_pdf", False, "html")
    app.add_config_value("rtw_langs", list(LANGS), "html")
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _add_theme_translations)
    app.add_transform(_QuietOutputHeadings)
    app.connect("doctree-read", _output_sections, priority=300)  # before the contents
    app.connect("doctree-read", _shared_section_ids, priority=400)  # before the contents
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _finish_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
