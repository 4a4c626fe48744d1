"""A reader's path through the book in headless Chromium: landing page, both languages of the
provider chapter, the language switch, and every figure loaded."""

import pytest

pytestmark = [pytest.mark.book, pytest.mark.browser]


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


def book_pages(built_book) -> list[str]:
    """Every page of both languages, as paths below the site root."""
    return sorted(
        f"{lang}/{path.name}"
        for lang in ("nb", "en")
        for path in (built_book / "html" / lang).glob("*.html")
        if path.stem not in ("genindex", "search")
    )


def test_the_switch_keeps_the_place_on_the_page(site, page):
    page.goto(f"{site}/en/provider.html#provider-who-answers-yes")
    page.click("a.rtw-lang-switch")
    page.wait_for_load_state()
    assert page.url.endswith("/nb/provider.html#provider-who-answers-yes")


# Serious and critical accessibility failures must not come back; moderate and minor ones
# are listed when they occur (the theme's own markup has some the book cannot change).
BLOCKING = ("critical", "serious")


@pytest.mark.parametrize("scheme", ["light", "dark"])  # the theme follows the system's
@pytest.mark.parametrize("lang", ["nb", "en"])  # two tests, so two workers can share them
def test_every_page_is_free_of_serious_accessibility_failures(site, page, built_book, lang, scheme):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    failures = {}
    pages = [path for path in book_pages(built_book) if path.startswith(f"{lang}/")]
    page.emulate_media(color_scheme=scheme)
    try:
        for path in ["index.html", *pages] if lang == "nb" else pages:
            page.goto(f"{site}/{path}")
            # Colours are checked as they end up, not halfway through the theme's transitions
            # after a change of colour scheme (waits for the event, however slow the machine).
            page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
            violations = axe.run(page).response["violations"]
            blocking = [v["id"] for v in violations if v["impact"] in BLOCKING]
            if blocking:
                failures[path] = blocking
    finally:
        page.emulate_media(color_scheme="light")
    assert failures == {}


@pytest.mark.parametrize("width", [1366, 390])
def test_no_page_scrolls_sideways(site, page, built_book, width):
    page.set_viewport_size({"width": width, "height": 900})
    wide = {}
    for path in book_pages(built_book):
        page.goto(f"{site}/{path}")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            wide[path] = overflow
    page.set_viewport_size({"width": 1366, "height": 900})
    assert wide == {}


# The words of a heading (parts of a hyphenated word apart) that the browser breaks over lines.
BROKEN_HEADING_WORDS = r"""() => {
  const broken = [];
  for (const heading of document.querySelectorAll("article :is(h1, h2, h3, h4)")) {
    const texts = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      for (const word of text.data.matchAll(/[^\s\-‐]+[\-‐]?/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}"""


def test_no_heading_breaks_inside_a_word_on_a_phone(site, page, built_book):
    """On a phone's 390 px every word of a heading fits its line whole, long bokmål compounds
    ("oppfølgingssamtaler" in the interview chapter's title) included."""
    page.set_viewport_size({"width": 390, "height": 900})
    broken = {}
    for path in book_pages(built_book):
        page.goto(f"{site}/{path}")
        words = page.evaluate(BROKEN_HEADING_WORDS)
        if words:
            broken[path] = words
    page.set_viewport_size({"width": 1366, "height": 900})
    assert broken == {}
