"""Pieces of the build that need no notebook run."""

import nbformat
import pytest

from analysis.build.pipeline import (
    book_config,
    book_toc,
    landing_page,
    localise_bibliography,
    prepare_for_reader,
)

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
    config = book_config("nb")
    assert config["sphinx"]["config"]["language"] == "nb_NO"
    assert config["sphinx"]["config"]["bibtex_default_style"] == "rtw_nb"
    assert config["title"] == "Tilbake til arbeid etter sykefravær i Norge"
    assert config["execute"]["execute_notebooks"] == "off"


def test_toc_leaves_out_pages_that_are_not_there():
    toc = book_toc({"index", "provider", "data"})
    assert [entry["file"] for entry in toc["chapters"]] == ["provider", "data"]


def test_reader_sees_no_injected_cell_and_code_behind_a_toggle():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("lang = 'en'", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("lang = 'nb'", metadata={"tags": ["injected-parameters"]}),
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_code_cell("print(1)"),
        ]
    )
    cells = prepare_for_reader(notebook).cells
    assert len(cells) == 3
    assert all("hide-input" in c.metadata["tags"] for c in cells if c.cell_type == "code")
    assert "injected-parameters" not in str(cells)


def test_landing_page_links_both_books():
    page = landing_page()
    assert 'href="nb/index.html"' in page and 'href="en/index.html"' in page
    assert "Les på norsk" in page


def test_disclosure_threshold_reaches_only_person_level_chapters():
    from analysis.build.pipeline import page_parameters

    shared = {"data_dir": "d", "results_dir": "r"}
    assert page_parameters("cohort", shared)["suppress_below"] == 5
    assert page_parameters("cohort", shared, 0)["suppress_below"] == 0
    assert page_parameters("interviews", shared, 10)["suppress_below"] == 10
    assert "suppress_below" not in page_parameters("provider", shared, 10)
    assert page_parameters("reproduction", shared, 10) == shared
    with pytest.raises(ValueError):
        page_parameters("cohort", shared, -1)
