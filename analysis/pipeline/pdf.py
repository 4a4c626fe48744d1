"""The book of one language as one PDF, printed by headless Chromium (no LaTeX).

After the HTML is rendered, each page of a language's book is printed in the order of its table
of contents with Playwright's ``page.pdf()`` (so the book's print stylesheet applies), and the
pages are joined into ``html/<lang>/rtw-report-<lang>.pdf`` with an outline of their titles.
Links to the book's pages become relative to the PDF, which is published beside them, so no
address of the build machine is kept. The PDF is written into the build's work folder before
the final scan and published with the rest of the book only if the scan passes: the text of its
pages is that of the HTML pages the scan reads (extracting it again would double the scan's
time), and the scan reads what else it holds, its document information, outline and link
targets (:func:`pdf_parts`; :mod:`analysis.pipeline.scan`). Where Playwright
or Chromium is missing the build leaves the PDF out with a one-line notice, and the pages do
not link it.

``python -m analysis.pipeline.pdf CHROMIUM HTML_DIR TARGET TITLE PAGE...`` prints one book; the
build runs it as a step (:mod:`analysis.pipeline.runner`).
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PdfWriter

CHROMIUM_ENV = "RTW_CHROMIUM"  # a path or command name, or "bundled" for Playwright's own
BUNDLED = "bundled"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
DEADLINE_MS = 120_000
# Lazily loaded figures are loaded before a page is printed.
LOAD_IMAGES = """() => Promise.all([...document.images].map(img => {
    img.loading = "eager";
    return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
}))"""


def pdf_name(lang: str) -> str:
    """The file name of a language's PDF, next to its pages."""
    return f"rtw-report-{lang}.pdf"


def chromium() -> str | None:
    """The Chromium the PDF is printed with (``RTW_CHROMIUM``, else the first of
    ``CANDIDATES`` on the path), or None where it or Playwright is missing."""
    if importlib.util.find_spec("playwright") is None:
        return None
    named = os.environ.get(CHROMIUM_ENV)
    if named == BUNDLED:
        return BUNDLED
    found = (shutil.which(name) for name in ([named] if named else CANDIDATES))
    return next((path for path in found if path), None)


def print_book(executable: str, html: Path, target: Path, title: str, pages: list[str]) -> None:
    """Print ``pages`` (names of HTML files in ``html``, in order) with Chromium and join them
    into ``target``, one outline entry per page (its first heading)."""
    # Playwright and pypdf are imported here and in pdf_parts, not with the module: the build
    # and the tests that import it would load them (pypdf: 0.4 s) without printing.
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=None if executable == BUNDLED else executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        tab = browser.new_page()
        tab.set_default_timeout(DEADLINE_MS)
        for page in pages:
            tab.goto((html / f"{page}.html").as_uri(), wait_until="load")
            tab.evaluate(LOAD_IMAGES)
            heading = tab.locator("main h1").first.inner_text().strip()
            printed = tab.pdf(
                format="A4",
                print_background=True,
                margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
            )
            start = len(writer.pages)
            writer.append(PdfReader(io.BytesIO(printed)))
            writer.add_outline_item(title=heading, page_number=start)
        browser.close()
    relative_links(writer, html)
    writer.add_metadata({"/Title": title})
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as file:
        writer.write(file)


def relative_links(writer: PdfWriter, html: Path) -> None:
    """Make every link to a file of the printed book (a ``file:`` address of this machine)
    relative to ``html``, where the PDF is published: it opens the page online."""
    from pypdf.generic import NameObject, TextStringObject

    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is None or not str(action.get("/URI", "")).startswith("file:"):
                continue
            address = urllib.parse.urlsplit(str(action["/URI"]))
            target = os.path.relpath(urllib.request.url2pathname(address.path), html)
            fragment = f"#{address.fragment}" if address.fragment else ""
            action[NameObject("/URI")] = TextStringObject(Path(target).as_posix() + fragment)


def pdf_parts(path: Path) -> str:
    """What a PDF holds beside the text of its pages, which is the text of the pages it was
    printed from: its document information, its outline and the targets of its links."""
    from pypdf import PdfReader

    reader = PdfReader(path)

    def outline(items: list) -> list[str]:
        return [
            text
            for item in items
            for text in (outline(item) if isinstance(item, list) else [item.title])
        ]

    links = [
        str(action["/URI"])
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/URI" in (action := annotation.get_object().get("/A") or {})
    ]
    info = [str(value) for value in (reader.metadata or {}).values()]
    return "\n".join([*info, *outline(reader.outline), *links])


if __name__ == "__main__":
    executable, html, target, title, *pages = sys.argv[1:]
    print_book(executable, Path(html), Path(target), title, pages)
