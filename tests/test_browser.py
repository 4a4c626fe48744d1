"""A reader's path through the book in headless Chromium: landing page, both languages of the
provider chapter, the language switch, and every figure loaded."""

import functools
import http.server
import os
import shutil
import threading

import pytest

pytestmark = [pytest.mark.book, pytest.mark.browser]

CHROMIUM = os.environ.get("RTW_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def site(built_book):
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(built_book / "html")
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    bundled = CHROMIUM == "bundled"
    if not bundled and not shutil.which(CHROMIUM):
        if os.environ.get("RTW_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=None if bundled else CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser.new_page()
        browser.close()


def figures_loaded(page) -> list[bool]:
    return page.eval_on_selector_all(
        "article img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)"
    )


def test_reader_switches_language_and_sees_every_figure(site, page):
    page.goto(f"{site}/index.html")
    page.click("a[hreflang=nb]")
    assert page.url.endswith("/nb/index.html")
    assert page.locator("html").get_attribute("lang") == "nb-NO"

    page.goto(f"{site}/nb/provider.html")
    loaded = figures_loaded(page)
    assert len(loaded) >= 3 and all(loaded)
    assert page.locator("article img").first.get_attribute("alt")
    page.click("a.rtw-lang-switch")
    page.wait_for_load_state()
    assert page.url.endswith("/en/provider.html")
    assert page.locator("html").get_attribute("lang") == "en"
    loaded = figures_loaded(page)
    assert len(loaded) >= 3 and all(loaded)
    assert "Permanent coordinators" in page.locator("h1").first.inner_text()
    page.click("a.rtw-lang-switch")
    page.wait_for_load_state()
    assert page.url.endswith("/nb/provider.html")
    assert "Fast koordinator" in page.locator("h1").first.inner_text()


def test_search_box_is_norwegian(site, page):
    page.goto(f"{site}/nb/index.html")
    html = page.content()
    assert "Søk i boka" in html
    assert "Search this book" not in html
