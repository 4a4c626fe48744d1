"""Pieces of the build that need no notebook run."""

import sys

import nbformat
import pytest

from analysis.chapters import CHAPTERS
from analysis.core.problems import InputError
from analysis.core.settings import BOOK
from analysis.pipeline.build import (
    BuildError,
    analysis_parameters,
    select_chapters,
    validate,
)
from analysis.pipeline.front import read_front
from analysis.pipeline.notebooks import (
    SECTION_IF_SHOWN_TAG,
    PageRun,
    execute_pages,
    prepare_for_reader,
)
from analysis.pipeline.sources import (
    book_config,
    book_toc,
    for_language,
    landing_page,
    localise_bibliography,
)
from tests.helpers import SHIPPED_DATA

BIB = """@misc{key,
  title = {A title},
  note_en = {In English},
  note_nb = {På norsk}
}
"""


def test_bibliography_fields_follow_the_language():
    nb = localise_bibliography(BIB, "nb")
    assert "På norsk" in nb and "In English" not in nb and "note_" not in nb
    assert "In English" in localise_bibliography(BIB, "en")


def test_config_sets_language_and_title():
    config = book_config("nb", front=read_front(SHIPPED_DATA, []))
    assert config["sphinx"]["config"]["language"] == "nb_NO"
    assert config["sphinx"]["config"]["bibtex_default_style"] == "rtw_nb"
    assert config["title"] == "Tilbake til arbeid etter sykefravær i Norge"
    assert config["execute"]["execute_notebooks"] == "off"
    assert book_config("en")["title"] == "A reproducible report"  # without a book description


def test_toc_leaves_out_pages_that_are_not_there():
    toc = book_toc({"index", "provider", "data"})
    assert [entry["file"] for entry in toc["chapters"]] == ["provider", "data"]


def test_reader_sees_no_parameter_cells_and_code_behind_a_toggle():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("lang = 'en'", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("lang = 'nb'", metadata={"tags": ["injected-parameters"]}),
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_code_cell("print(1)"),
        ]
    )
    cells = prepare_for_reader(notebook).cells
    assert [c.cell_type for c in cells] == ["markdown", "code"]
    assert all("hide-input" in c.metadata["tags"] for c in cells if c.cell_type == "code")
    assert "parameters" not in str(cells)


def test_a_section_shown_only_if_its_cell_shows_something():
    """A cell tagged ``section-if-shown`` that shows nothing goes with the heading before it;
    one that shows something stays, as an untagged cell would."""
    shown = nbformat.v4.new_output("display_data", {"text/markdown": "a table"})
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("## Kept"),
            nbformat.v4.new_code_cell(
                "display(1)", metadata={"tags": [SECTION_IF_SHOWN_TAG]}, outputs=[shown]
            ),
            nbformat.v4.new_markdown_cell("## Left out"),
            nbformat.v4.new_code_cell("display()", metadata={"tags": [SECTION_IF_SHOWN_TAG]}),
            nbformat.v4.new_markdown_cell("## Next"),
        ]
    )
    cells = prepare_for_reader(notebook).cells
    assert [cell.source for cell in cells] == ["## Kept", "display(1)", "## Next"]
    assert cells[1].metadata["tags"] == ["hide-input"]


def test_landing_page_links_both_books():
    page = landing_page()
    assert 'href="nb/index.html"' in page and 'href="en/index.html"' in page
    assert "Les på norsk" in page


def test_disclosure_threshold_reaches_only_person_level_chapters():
    cohort, provider = CHAPTERS["cohort"], CHAPTERS["provider"]
    assert analysis_parameters(cohort)["suppress_below"] == 5
    assert analysis_parameters(cohort, 0)["suppress_below"] == 0
    assert analysis_parameters(CHAPTERS["interviews"], 10)["suppress_below"] == 10
    assert analysis_parameters(provider, 10) == {}
    with pytest.raises(ValueError):
        analysis_parameters(cohort, -1)


def test_chapter_selection_rejects_unknown_and_empty_lists():
    assert [chapter.name for chapter in select_chapters(["meta", "provider"], BOOK)] == [
        "provider",
        "meta",
    ]
    for only in ([], ["nope"]):
        with pytest.raises(BuildError):
            select_chapters(only, BOOK)


def test_without_only_the_chapters_whose_files_are_in_the_data_folder(tmp_path, capsys):
    (tmp_path / "cohort.xlsx").touch()  # a workbook counts; its content is checked later
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "analyses.csv").touch()
    (tmp_path / "interviews.study.yaml").touch()
    chosen = [chapter.name for chapter in select_chapters(None, BOOK, tmp_path)]
    assert chosen == ["cohort", "meta", "interviews"]
    (tmp_path / "providers.csv").write_bytes((SHIPPED_DATA / "providers.csv").read_bytes())
    for name in ("cohort.xlsx", "meta/analyses.csv", "interviews.study.yaml"):
        (tmp_path / name).unlink()
    validate(tmp_path, langs=["en"])
    assert capsys.readouterr().out.strip().endswith("the data of provider are valid")


def test_a_data_folder_without_any_chapter_file_and_a_missing_file_suggest_only(tmp_path):
    with pytest.raises(InputError) as empty:
        select_chapters(None, BOOK, tmp_path)
    with pytest.raises(InputError) as missing:
        validate(tmp_path, ["cohort"], langs=["en"])
    for error in (empty, missing):
        assert "--only" in error.value.text("en") and "--only" in error.value.text("nb")


def test_a_language_keeps_its_own_prose_and_every_shared_cell():
    page = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title", metadata={"lang": "en"}),
            nbformat.v4.new_markdown_cell("# Tittel", metadata={"lang": "nb"}),
            nbformat.v4.new_code_cell("print(1)"),
            nbformat.v4.new_markdown_cell("```{bibliography}\n```"),
        ]
    )
    nb = for_language(page, "nb")
    assert [cell.source for cell in nb.cells] == ["# Tittel", "print(1)", "```{bibliography}\n```"]
    assert all("lang" not in cell.metadata for cell in nb.cells)
    assert page.cells[0].source == "# Title"


def toy_page(tree, name, *sources):
    """A page notebook in ``tree`` with a parameters cell and the given code cells."""
    cells = [nbformat.v4.new_code_cell("lang = 'en'", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    nbformat.write(notebook, tree / f"{name}.ipynb")


@pytest.mark.book
def test_a_page_in_a_warm_kernel_sees_nothing_of_the_pages_before_it(tmp_path):
    first, second = tmp_path / "en", tmp_path / "nb"
    first.mkdir(), second.mkdir()
    toy_page(first, "a", "left_over = 1")
    toy_page(second, "b", "print(sorted(k for k in dir() if not k.startswith('_')))",
             "print(book_dir, figure_dir, lang)", "import sys\nprint(sys.executable)")  # fmt: skip
    lines = []
    execute_pages([PageRun(first, "a", "en"), PageRun(second, "b", "nb")], {}, lines.append)
    cells = nbformat.read(second / "b.ipynb", as_version=4).cells
    assert [cell.execution_count for cell in cells] == [1, 2, 3]
    names = cells[0].outputs[0].text
    assert "'lang'" in names and "left_over" not in names
    # Its folders are parameters, and the kernel is the build's own interpreter.
    assert cells[1].outputs[0].text == f"{second} figures/b nb\n"
    assert cells[2].outputs[0].text == f"{sys.executable}\n"
    assert [line.split()[1:4] for line in lines if line.startswith("progress")] == [
        ["execute", "a", "en"],
        ["execute", "b", "nb"],
    ]


@pytest.mark.book
def test_a_failing_cell_is_named_by_its_place_on_the_page(tmp_path):
    toy_page(tmp_path, "a", "x = 1", "1 / 0")
    with pytest.raises(BuildError, match=r"'a' .* 'en' at code cell 2 \(cell 3 of the page\)"):
        execute_pages([PageRun(tmp_path, "a", "en")], {}, print)


@pytest.mark.book
def test_a_kernel_that_dies_is_named_with_its_page(tmp_path):
    toy_page(tmp_path, "a", "import os\nos._exit(1)")
    with pytest.raises(BuildError, match=r"'a' in language 'en': the kernel died"):
        execute_pages([PageRun(tmp_path, "a", "en")], {}, print)
