"""Both languages have the same pages with the same structure and the same code."""

import re

import jupytext
import pytest

from analysis.build.pipeline import BOOK, COMPONENTS, SUMMARY_PAGE
from analysis.core.i18n import LANGS

NOTEBOOK_PAGES = sorted(
    path.stem for path in (BOOK / "en").glob("*.md") if "kernelspec" in path.read_text()
)


def page_names(lang: str) -> set[str]:
    return {path.relative_to(BOOK / lang).as_posix() for path in (BOOK / lang).rglob("*.md")}


def test_both_languages_have_the_same_pages():
    assert page_names("nb") == page_names("en")


@pytest.mark.parametrize("page", sorted(page_names("en")))
def test_pages_have_the_same_structure(page):
    def outline(lang):
        text = (BOOK / lang / page).read_text(encoding="utf-8")
        headings = [len(h) for h in re.findall(r"^(#+) ", text, re.M)]
        directives = re.findall(r"^```\{(\w[\w:-]*)\}", text, re.M)
        return headings, directives

    assert outline("nb") == outline("en")


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebooks_share_their_code(page):
    notebooks = {lang: jupytext.read(BOOK / lang / f"{page}.md") for lang in LANGS}
    code = {}
    for lang, notebook in notebooks.items():
        cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert "parameters" in cells[0].metadata.get("tags", []), (
            f"{lang}/{page}: no parameters cell"
        )
        assert f'lang = "{lang}"' in cells[0].source
        code[lang] = [cell.source for cell in cells[1:]]
    assert code["nb"] == code["en"]


def test_every_component_and_the_summary_have_notebooks():
    existing = [name for name, component in COMPONENTS.items() if component.exists()]
    assert "provider" in existing
    assert set(existing) | {SUMMARY_PAGE} <= set(NOTEBOOK_PAGES)
