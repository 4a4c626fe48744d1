"""The PDF of each language's book: printed by the build with Chromium, every chapter in it
under its title in that language, linked from every page, and left out with a notice where
Chromium is missing."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

from analysis.core.i18n import t
from analysis.pipeline.pdf import chromium, pdf_name, pdf_parts
from analysis.pipeline.sources import book_config

LANGS = ("nb", "en")
CHAPTER_PAGES = ("provider", "cohort", "meta", "interviews", "reproduction", "rerun", "data")


def words(text: str) -> str:
    """Text with every run of white space one space (a PDF breaks titles into lines)."""
    return re.sub(r"\s+", " ", text).strip()


def page_title(html: Path) -> str:
    """The first heading of a built page, as text."""
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html.read_text(encoding="utf-8"), re.S)
    return words(re.sub(r"<[^>]+>|¶|#", "", heading.group(1)))


@pytest.fixture(scope="module")
def printed(built_book: Path) -> Path:
    """The built book, with its PDFs (skipped where Chromium is missing, unless required)."""
    if chromium() is None:
        if os.environ.get("RTW_REQUIRE_BROWSER"):
            pytest.fail("Chromium not found: the build printed no PDF")
        pytest.skip("Chromium not found: the build printed no PDF")
    return built_book


@pytest.mark.book
@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_its_book_as_one_pdf(printed: Path, lang: str) -> None:
    from pypdf import PdfReader  # here, as in the build: the other tests run without it

    html = printed / "html" / lang
    pdf = html / pdf_name(lang)
    reader = PdfReader(pdf)
    assert len(reader.pages) > len(CHAPTER_PAGES)
    text = words(unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in reader.pages)))
    other = next(other for other in LANGS if other != lang)
    for name in CHAPTER_PAGES:
        title = page_title(html / f"{name}.html")
        assert title in text, (name, title)
        other_title = page_title(printed / "html" / other / f"{name}.html")
        assert other_title == title or other_title not in text, (name, other_title)
    assert [item.title for item in reader.outline][1:4] == [
        page_title(html / f"{name}.html") for name in CHAPTER_PAGES[:3]
    ]


@pytest.mark.book
@pytest.mark.parametrize("lang", LANGS)
def test_the_pdfs_links_open_the_published_pages(printed: Path, lang: str) -> None:
    """No address of the build machine: a link to the book is relative to the PDF."""
    html = printed / "html" / lang
    links = pdf_parts(html / pdf_name(lang)).splitlines()
    addresses = [line for line in links if " " not in line]  # not the titles
    internal = [a for a in addresses if not a.startswith(("https:", "http:", "mailto:"))]
    assert any(link.startswith("_images/") for link in internal)
    assert [link for link in internal if "file:" in link or link.startswith("/")] == []
    assert all((html / link.split("#")[0]).exists() for link in internal if ".html" in link)


@pytest.mark.book
@pytest.mark.parametrize("lang", LANGS)
def test_every_page_links_its_languages_pdf(printed: Path, lang: str) -> None:
    for page in ("index", "provider", "references"):
        text = (printed / "html" / lang / f"{page}.html").read_text(encoding="utf-8")
        assert f'href="{pdf_name(lang)}"' in text
        assert t("site.pdf_download", lang) in text
    assert t("site.pdf_download", "nb") == "Last ned PDF"


def test_without_chromium_no_pdf_is_linked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RTW_CHROMIUM", "no-such-browser-here")
    assert chromium() is None
    assert book_config("nb", pdf=False)["sphinx"]["config"]["rtw_pdf"] is False
    assert book_config("nb", pdf=True)["sphinx"]["config"]["rtw_pdf"] is True
