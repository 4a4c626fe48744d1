"""Each page exists once: prose in both languages side by side, code cells once."""

from __future__ import annotations

import re
from collections import Counter

import nbformat
import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from analysis.chapters import CHAPTERS, OVERVIEW_PAGE
from analysis.core.i18n import LANGS
from analysis.core.settings import BOOK, OUTPUT_SECTION_CLASS
from analysis.pipeline.sources import LANG_KEY, page_sources, read_page, shared_section_ids
from analysis.pipeline.sphinx_i18n import _output_sections, card_tables

PAGES = page_sources(BOOK)


def outline(text: str) -> tuple[list[int], list[str]]:
    """Heading levels and directive names of a passage."""
    headings = [len(h) for h in re.findall(r"^(#+) ", text, re.M)]
    directives = re.findall(r"^```\{(\w[\w:-]*)\}", text, re.M)
    return headings, directives


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_every_passage_is_followed_by_its_counterpart(page):
    cells = read_page(BOOK / page).cells
    tagged = [(i, cell) for i, cell in enumerate(cells) if LANG_KEY in cell.metadata]
    assert tagged, f"{page}: no prose"
    runs: list[list] = []
    for index, cell in tagged:
        if runs and runs[-1][-1][0] == index - 1 and len(runs[-1]) < len(LANGS):
            runs[-1].append((index, cell))
        else:
            runs.append([(index, cell)])
    for run in runs:
        languages = sorted(cell.metadata[LANG_KEY] for _, cell in run)
        assert languages == sorted(LANGS), f"{page}, cell {run[0][0]}: {languages}"
        outlines = {cell.metadata[LANG_KEY]: outline(cell.source) for _, cell in run}
        assert len(set(map(str, outlines.values()))) == 1, f"{page}, cell {run[0][0]}"


def test_no_code_cell_is_written_twice():
    code = Counter(
        cell.source
        for page in PAGES
        for cell in read_page(BOOK / page).cells
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", [])
    )
    assert [source for source, count in code.items() if count > 1] == []


def test_every_chapter_and_the_overview_have_a_notebook_page():
    notebooks = {
        page.stem
        for page in PAGES
        if any(cell.cell_type == "code" for cell in read_page(BOOK / page).cells)
    }
    assert set(CHAPTERS) | {OVERVIEW_PAGE} == notebooks


@pytest.mark.parametrize("name", [*CHAPTERS, OVERVIEW_PAGE])
def test_notebook_code_cells_are_short_calls(name):
    cells = [c for c in read_page(BOOK / f"{name}.md").cells if c.cell_type == "code"]
    assert cells[0].metadata.get("tags") == ["parameters"]
    parameters = cells[0].source.splitlines()
    assert parameters[:2] == ['lang = "en"', 'state_dir = "state"']
    # A page with figures also takes their folder (a page run by hand saves to figures/).
    assert parameters[2:] in ([], ['book_dir = "."', 'figure_dir = "figures"'])
    for cell in cells[2:]:
        assert len(cell.source.strip().splitlines()) <= 3, cell.source


def test_a_prose_table_cell_keeps_its_alignment_and_gets_its_label():
    html = (
        '<table class="table"><thead><tr><th class="head"><p>File</p></th>'
        '<th class="head text-right"><p>Rows</p></th></tr></thead><tbody><tr>'
        '<td><p>a.csv</p></td><td class="text-right"><p>120</p></td></tr></tbody></table>'
    )
    cards = card_tables(html)
    assert '<td data-label="File"><p>a.csv</p></td>' in cards
    assert '<td data-label="Rows" class="text-right rtw-number"><p>120</p></td>' in cards


def test_a_glued_heading_has_the_id_of_its_name_in_every_language():
    """A heading glued from the results (its text differs per language) is addressed by the
    glued name, the same on both pages; a written heading by its English text."""
    cells = [
        nbformat.v4.new_markdown_cell(source, metadata={LANG_KEY: lang})
        for source, lang in (
            ("## {glue:text}`provider_by_group`", "en"),
            ("## {glue:text}`provider_by_group`", "nb"),
            ("## Reproduction", "en"),
            ("## Gjenskaping", "nb"),
        )
    ]
    marked = shared_section_ids(nbformat.v4.new_notebook(cells=cells))
    keys = [cell.source.split("\n")[0] for cell in marked.cells]
    assert keys == ["{.rtw-id-provider-by-group}"] * 2 + ["{.rtw-id-reproduction}"] * 2


def test_an_output_section_takes_the_cell_s_later_outputs() -> None:
    """A heading in a cell's Markdown output (``display.section_heading``) becomes a section
    holding its text and the figures and tables the cell shows after it, up to the next
    heading; the section before keeps none of them."""

    def output(*children: nodes.Node) -> nodes.container:
        return nodes.container("", *children, classes=["output"])

    def heading(key: str) -> nodes.rubric:
        return nodes.rubric("", key, ids=[key], classes=[OUTPUT_SECTION_CLASS])

    outputs = nodes.container(
        "",
        output(nodes.paragraph("", "before")),
        output(heading("first"), nodes.paragraph("", "first text")),
        output(nodes.paragraph("", "first figure")),
        output(nodes.paragraph("", "first table")),
        output(heading("second"), nodes.paragraph("", "second text")),
        output(nodes.paragraph("", "second figure")),
        classes=["cell_output"],
    )
    document = new_document("page", get_default_settings(Parser))
    document += nodes.section("", nodes.title("", "Page"), nodes.container("", outputs))
    _output_sections(None, document)

    def section_of(node: nodes.Node) -> str:
        while not isinstance(node, nodes.section):
            node = node.parent
        return node["ids"][0] if node["ids"] else "page"

    texts: dict[str, list[str]] = {}
    for paragraph in document.findall(nodes.paragraph):
        texts.setdefault(section_of(paragraph), []).append(paragraph.astext())
    assert texts == {
        "page": ["before"],
        "first": ["first text", "first figure", "first table"],
        "second": ["second text", "second figure"],
    }


def test_an_output_heading_s_level_places_its_section() -> None:
    """Level-3 headings in a cell at the end of a level-2 section are its subsections; level-2
    ones after them are sections beside it, before the page's next section (the cohort's
    competing-outcome and RMST sections after several subgroup analyses)."""

    def heading(key: str, level: int) -> nodes.container:
        rubric = nodes.rubric("", key, ids=[key], classes=[OUTPUT_SECTION_CLASS], level=level)
        return nodes.container("", rubric, nodes.paragraph("", f"{key} text"), classes=["output"])

    outputs = nodes.container(
        "",
        *(heading(key, 3) for key in ("by-region", "by-grade")),
        *(heading(key, 2) for key in ("competing", "rmst")),
        classes=["cell_output"],
    )
    subgroups = nodes.section("", nodes.title("", "Subgroups"), nodes.container("", outputs))
    subgroups["ids"] = ["subgroups"]
    reproduction = nodes.section("", nodes.title("", "Reproduction"), ids=["reproduction"])
    document = new_document("page", get_default_settings(Parser))
    document += nodes.section("", nodes.title("", "Page"), subgroups, reproduction, ids=["page"])
    _output_sections(None, document)

    def tree(section: nodes.section) -> list:
        return [
            (child["ids"][0], tree(child))
            for child in section.children
            if isinstance(child, nodes.section)
        ]

    assert tree(document) == [
        (
            "page",
            [
                ("subgroups", [("by-region", []), ("by-grade", [])]),
                ("competing", []),
                ("rmst", []),
                ("reproduction", []),
            ],
        )
    ]
    texts = [paragraph.astext() for paragraph in document.findall(nodes.paragraph)]
    assert texts == [f"{key} text" for key in ("by-region", "by-grade", "competing", "rmst")]
