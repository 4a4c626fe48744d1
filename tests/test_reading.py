"""Reading the book in headless Chromium on a 1366-px screen and a 390-px phone: every main
table fits its column or shows that it scrolls, no word is broken inside a table cell, every
figure fits the column (a phone is shown a rendition drawn for it) with its smallest text at
10 px or more, the numbers of each forest plot are in an HTML table beside the plot of its
intervals, the language switch keeps the section, and the 404 page's links work from any
address."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

import pytest

from tests.helpers import article_text

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGES = [
    f"{lang}/{name}.html"
    for lang in ("en", "nb")
    for name in ("provider", "cohort", "meta", "interviews")
]

# Tables in an open <details> block or inside the page's own text (not collapsed) that are wider
# than their scrolling container, in px.
OVERFLOW = """() => [...document.querySelectorAll('article table')]
  .filter(table => table.getClientRects().length > 0)
  .map(table => {
    let box = table.parentElement;
    while (getComputedStyle(box).overflowX === 'visible' && box.tagName !== 'ARTICLE') {
      box = box.parentElement;
    }
    const caption = table.querySelector('caption');
    return [caption ? caption.innerText.slice(0, 60) : '', box.scrollWidth - box.clientWidth];
  })"""

# Each figure as shown: the file the browser chose (the phone's rendition on a narrow screen),
# its smallest text in px (its font sizes scaled from its view box to the width it is shown
# at; a raster figure has no text to measure: null), and whether its box scrolls sideways.
FIGURES_SHOWN = """async () => {
  const shown = [];
  for (const img of document.querySelectorAll('article figure img')) {
    const file = img.currentSrc.split('/').pop();
    const box = img.closest('.rtw-scroll') || img.parentElement;
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (!file.endsWith('.svg')) { shown.push([file, null, scrolls]); continue; }
    const text = await (await fetch(img.currentSrc)).text();
    const svg = new DOMParser().parseFromString(text, 'image/svg+xml');
    const scale = img.getBoundingClientRect().width / svg.documentElement.viewBox.baseVal.width;
    const fonts = [...svg.querySelectorAll('text')].map(text =>
      parseFloat((text.getAttribute('style') || '').match(/font-size:\\s*([\\d.]+)/)[1]));
    shown.push([file, Math.min(...fonts) * scale, scrolls]);
  }
  return shown;
}"""


# The shipped interviews page shows no figure: under disclosure control its matrix has a row
# per person and some code counts are hidden (tests/test_interviews.py checks the notes).
FIGURE_PAGES = [path for path in PAGES if "interviews" not in path]


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("path", FIGURE_PAGES)
def test_figures_fit_the_column_with_text_of_10_px(site: str, page, path: str, width: int) -> None:
    """On a screen and on a phone (which is shown each figure's rendition drawn for a phone),
    no figure scrolls sideways and every figure's smallest text is 10 px or more."""
    page.set_viewport_size({"width": width, "height": 900})
    try:
        page.goto(f"{site}/{path}")
        shown = page.evaluate(FIGURES_SHOWN)
    finally:
        page.set_viewport_size({"width": 1366, "height": 900})
    assert shown
    assert all(name.endswith("-phone.svg") == (width < 600) for name, _, _ in shown)
    small = {name: size for name, size, _ in shown if size is None or size < 10}
    assert small == {}
    assert [name for name, _, scrolls in shown if scrolls] == []


# Boxes in the article that hide content to their right (scroll sideways) and show no cue.
UNCUED_SCROLLING = """() => [...document.querySelectorAll('article *')]
  .filter(box => ['auto', 'scroll'].includes(getComputedStyle(box).overflowX)
    && box.scrollWidth > box.clientWidth + 1 && box.getClientRects().length > 0)
  .filter(box => getComputedStyle(box).maskImage === 'none')
  .map(box => box.className + ': ' + box.innerText.slice(0, 40))"""


@pytest.mark.parametrize("path", [*PAGES, *[f"{lang}/reproduction.html" for lang in ("en", "nb")]])
def test_what_scrolls_sideways_on_a_phone_shows_it(site: str, phone, path: str) -> None:
    phone.goto(f"{site}/{path}")
    phone.wait_for_load_state("load")
    assert phone.evaluate(UNCUED_SCROLLING) == []


@pytest.mark.parametrize(
    ("lang", "total"), [("en", "Total (95% CI)"), ("nb", "Totalt (95\u00a0% KI)")]
)
def test_forest_plot_numbers_are_html(site: str, page, lang: str, total: str) -> None:
    page.goto(f"{site}/{lang}/meta.html")
    rows = page.eval_on_selector_all(
        "article table tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    bultmann = [row for row in rows if row and row[0] == "Bültmann 2009" and len(row) == 7]
    assert bultmann, "the per-study rows of a forest plot"
    weight, rr = (
        ("35.8%", "1.24 (1.02–1.52)") if lang == "en" else ("35,8\u00a0%", "1,24 (1,02–1,52)")
    )
    assert bultmann[0][1:] == ["47", "55", "42", "61", weight, rr]
    assert sum(row[0] == total for row in rows) == 3  # one total row per analysis
    # A number never wraps: the text of each cell that holds one is a single line.
    lines = page.eval_on_selector_all(
        "article table td",
        """cells => cells
          .filter(c => /^[\\d.,\\s%–\\u2212()/]+$/.test(c.innerText.trim()))
          .map(c => {
            const range = document.createRange();
            range.selectNodeContents(c);
            const line = parseFloat(getComputedStyle(c).lineHeight);
            return range.getBoundingClientRect().height / line;
          })""",
    )
    assert lines and max(lines) < 1.5


PROSE_PAGES = [f"{lang}/{name}.html" for lang in ("en", "nb") for name in ("data", "rerun")]

# Words of the table cells that the browser broke across lines: a word (split after a hyphen,
# dash or slash, where a line may end) whose rendered line boxes start on more than one line.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('article table td, article table th')) {
    if (cell.getClientRects().length === 0) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/[^\\s\\-\\u2013\\/]+[\\-\\u2013\\/]?/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const tops = new Set([...range.getClientRects()]
          .filter(rect => rect.width > 0).map(rect => Math.round(rect.top)));
        if (tops.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}"""


@pytest.fixture
def phone(page):
    """The browser tab at a phone's width (390 × 844), set back to 1366 × 900 afterwards."""
    page.set_viewport_size({"width": 390, "height": 844})
    yield page
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.parametrize("path", PROSE_PAGES)
def test_no_word_is_broken_in_a_table_cell_on_a_phone(site: str, phone, path: str) -> None:
    phone.goto(f"{site}/{path}")
    assert phone.evaluate(BROKEN_WORDS) == []


@pytest.mark.parametrize("path", PROSE_PAGES)
def test_no_word_is_broken_in_a_table_cell_on_a_screen(site: str, page, path: str) -> None:
    page.goto(f"{site}/{path}")
    assert page.evaluate(BROKEN_WORDS) == []


@pytest.mark.parametrize("path", PROSE_PAGES)
def test_prose_tables_fit_the_column_on_a_screen(site: str, page, path: str) -> None:
    """On a 1366-px screen no table of the data and re-run pages (data contracts, description
    keys) is wider than the article's column: each fits or is stacked as cards."""
    page.goto(f"{site}/{path}")
    assert [caption for caption, overflow in page.evaluate(OVERFLOW) if overflow > 1] == []


@pytest.mark.parametrize("path", PROSE_PAGES)
def test_prose_tables_are_labelled_cards_on_a_phone(site: str, phone, path: str) -> None:
    """Each row of a prose table is a card: its cells stacked full width, each labelled."""
    phone.goto(f"{site}/{path}")
    cells = phone.eval_on_selector_all(
        "article table.rtw-cards td",
        """cells => cells.map(c => [c.getBoundingClientRect().width,
          getComputedStyle(c, '::before').content])""",
    )
    assert cells
    column = phone.eval_on_selector("article", "a => a.getBoundingClientRect().width")
    assert all(width > 0.8 * column and label not in ("none", '""') for width, label in cells)


BOOK_PAGES = [
    "index",
    "provider",
    "cohort",
    "meta",
    "interviews",
    "reproduction",
    "rerun",
    "data",
]


@pytest.mark.parametrize("name", BOOK_PAGES)
def test_the_language_switch_lands_on_the_same_section(site: str, page, name: str) -> None:
    """Every section has the same id in both languages, and the switch, followed from a
    section (the page's last), opens the other language's page at that section."""
    sections = "article section[id]"
    ids = {
        lang: page.goto(f"{site}/{lang}/{name}.html")
        and page.eval_on_selector_all(sections, "all => all.map(s => s.id)")
        for lang in ("en", "nb")
    }
    assert ids["en"], "the page has sections"
    assert ids["nb"] == ids["en"]
    section = ids["en"][-1]
    page.goto(f"{site}/en/{name}.html#{section}")
    page.click(".rtw-lang-switch")
    page.wait_for_url(f"**/nb/{name}.html#{section}")
    in_view = page.eval_on_selector(
        f"[id='{section}']",
        "s => s.getBoundingClientRect().top < innerHeight && s.getBoundingClientRect().bottom > 0",
    )
    assert in_view


def test_the_404_page_links_work_from_any_depth(site: str, built_book) -> None:
    """The server shows the 404 page at the missing address, e.g. ``/en/missing.html``: each
    of its links and its icon, resolved from there, is a page of the site."""
    html = (built_book / "html" / "404.html").read_text(encoding="utf-8")
    links = re.findall(r'(?:href|src)="([^"#]+)"', html)
    assert len(links) >= 5  # icon, two alternates, two books
    missing = f"{site}/en/missing.html"
    for link in links:
        with urllib.request.urlopen(urllib.parse.urljoin(missing, link)) as response:
            assert response.status == 200, link


@pytest.mark.parametrize("path", ["nb/cohort.html", "en/meta.html"])
def test_previous_and_next_titles_are_whole_on_a_phone(site: str, phone, path: str) -> None:
    phone.goto(f"{site}/{path}")
    cut = phone.eval_on_selector_all(
        ".prev-next-area a",
        "links => links.filter(a => a.scrollWidth > a.clientWidth + 1).map(a => a.innerText)",
    )
    assert phone.locator(".prev-next-area a").count() == 2
    assert cut == []


@pytest.mark.parametrize("lang", ["en", "nb"])
@pytest.mark.parametrize("name", ["index", "data"])
def test_percentages_are_in_the_page_style(built_book, name: str, lang: str) -> None:
    """In the prose of the landing and data pages, "63%" and "95% CI" in English, "63 %"
    with a no-break space in bokmål."""
    text = article_text(built_book / "html" / lang / f"{name}.html")
    wrong = r"\d[ \u00a0]%" if lang == "en" else r"\d %"
    assert re.findall(rf".{{0,20}}{wrong}", text) == []


PRINTED = """() => ({
  shown: ['.bd-header', '.bd-sidebar-primary', '.bd-sidebar-secondary', '.prev-next-area',
          '.rtw-lang-switch', '#jb-print-toc']
    .filter(selector => [...document.querySelectorAll(selector)]
      .some(element => element.getClientRects().length > 0)),
  wide: [...document.querySelectorAll('article h1, article h2, article h3')]
    .filter(title => title.getClientRects().length > 0 && title.scrollWidth > title.clientWidth + 1)
    .map(title => title.innerText),
  unbreakable: [...document.querySelectorAll('article table, article .output')]
    .filter(box => getComputedStyle(box).breakInside === 'avoid').length,
  cut: [...document.querySelectorAll('article *')]
    .filter(box => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(box).overflowX)
      && box.scrollWidth > box.clientWidth + 1 && box.getClientRects().length > 0).length,
})"""


@pytest.mark.parametrize("path", ["nb/meta.html", "en/cohort.html", "nb/data.html"])
def test_a_printed_page_is_the_article_alone(site: str, page, path: str) -> None:
    """Printed, a page has no header, sidebars, contents or switch; its titles fit the page;
    its tables may break between rows; nothing is cut off in a scroll box."""
    page.emulate_media(media="print")
    try:
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.goto(f"{site}/{path}")
        printed = page.evaluate(PRINTED)
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1366, "height": 900})
    assert printed == {"shown": [], "wide": [], "unbreakable": 0, "cut": 0}


# The cells of every table of the article (collapsed ones opened) whose text is a number
# (digits with decimal comma or point, %, minus, dashes of ranges, parentheses, slashes and
# spaces, thin and no-break ones too) and which are not right-aligned.
NUMBERS_NOT_RIGHT = r"""() => {
  document.querySelectorAll('article details').forEach(d => { d.open = true; });
  const part = '[\\d\\s.,%()/<>=±+\\-\\u2212\\u2013\\u2009\\u202f\\u00a0]*';
  const number = new RegExp('^' + part + '\\d' + part + '$');
  return [...document.querySelectorAll('article table td')]
    .filter(cell => number.test(cell.innerText.trim()))
    .filter(cell => !['right', 'end'].includes(getComputedStyle(cell).textAlign))
    .map(cell => cell.innerText.trim());
}"""


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_every_number_in_a_table_is_right_aligned(site: str, page, lang: str) -> None:
    """Numbers line up under each other (and under a right-aligned "published" the computed
    value sits right too) in every table of every page."""
    left = {}
    for name in BOOK_PAGES:
        page.goto(f"{site}/{lang}/{name}.html")
        if found := page.evaluate(NUMBERS_NOT_RIGHT):
            left[name] = found[:5]
    assert left == {}
