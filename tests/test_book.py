"""The whole book built on the shipped data, a re-run on other data, and bad input."""

import importlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis import cli
from analysis.chapters import CHAPTERS
from analysis.chapters.provider import chapter as provider
from analysis.chapters.provider.data import TYPES, default_plan
from analysis.core.i18n import LANGS, fmt_num, t
from analysis.core.settings import BOOK
from analysis.core.study import load_study
from analysis.pipeline import output
from analysis.pipeline.build import BuildError, build
from tests.conftest import share_build
from tests.helpers import SHIPPED_DATA

pytestmark = pytest.mark.book

# Interface strings of Sphinx, the PyData and book themes and MyST-NB that must not be left
# in English on the bokmål side.
ENGLISH_INTERFACE = (
    "Search this book",
    "Skip to main content",
    "Back to top",
    "Contents",
    "Show code",
    "Hide code",
    "Print to PDF",
    "Fullscreen mode",
    "previous page",
    "next page",
    "Toggle navigation",
    "Download this page",
    "Color mode",
    "On this page",
    "By The",
    "Copyright",
    "Last updated",
    "Section Navigation",
    "Site navigation",
    "Previous",
    "Next",
)


def pages(html: Path, lang: str) -> list[Path]:
    return sorted(p for p in (html / lang).glob("*.html") if p.name not in {"genindex.html"})


def visible_text(path: Path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    attributes = [
        value
        for tag in soup.find_all(True)
        for name in ("title", "aria-label", "placeholder", "alt")
        if isinstance(value := tag.get(name), str)
    ]
    return soup.get_text(" ") + " " + " ".join(attributes)


def test_landing_page_offers_both_languages(built_book):
    landing = (built_book / "html" / "index.html").read_text(encoding="utf-8")
    for lang in LANGS:
        assert f'href="{lang}/index.html"' in landing
        assert (built_book / "html" / lang / "index.html").is_file()


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_links_to_itself_in_the_other_language(built_book, lang):
    html = built_book / "html"
    names = {p.name for p in pages(html, lang)}
    assert {
        "index.html",
        "provider.html",
        "reproduction.html",
        "rerun.html",
        "data.html",
        "references.html",
    } <= names
    for page in pages(html, lang):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.html["lang"] == {"nb": "nb-NO", "en": "en"}[lang], page.name
        switch = soup.select_one("a.rtw-lang-switch")
        assert switch is not None, page.name
        target = (page.parent / switch["href"]).resolve()
        assert target.is_file(), f"{page.name} -> {switch['href']}"
        assert target.parent.name != lang and target.name == page.name


@pytest.mark.parametrize("lang", LANGS)
def test_the_footer_names_the_authors_in_running_text(built_book, lang):
    """The theme writes "By {author}": the author is written as inside a sentence."""
    footer = BeautifulSoup(
        (built_book / "html" / lang / "provider.html").read_text(encoding="utf-8"), "html.parser"
    ).select_one("footer p.component-author")
    text = re.sub(r"\s+", " ", footer.get_text()).strip()
    by, author = text.split(" ", 1)
    assert by == ("Av" if lang == "nb" else "By")
    assert author.startswith(author[0].lower()), text


def test_norwegian_pages_show_no_english_interface_text(built_book):
    leftovers = {}
    for page in pages(built_book / "html", "nb"):
        text = visible_text(page)
        found = [s for s in ENGLISH_INTERFACE if re.search(rf"\b{re.escape(s)}\b", text)]
        if found:
            leftovers[page.name] = found
    assert not leftovers


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_pages_show_results_not_code_and_search_finds_no_code(built_book, lang):
    """The code cells are one-line calls of the chapter's page module: the pages show their
    outputs only (no "Show code" bars), and the search index holds the reader's text only."""
    html = built_book / "html" / lang
    page = (html / "provider.html").read_text(encoding="utf-8")
    assert "injected-parameters" not in page
    assert "Injected parameters" not in page
    soup = BeautifulSoup(page, "html.parser")
    assert soup.select("div.cell_output")
    assert soup.select("div.cell_input, details.above-input") == []
    index = (html / "searchindex.js").read_text(encoding="utf-8")
    assert "terms" in index and '"ipython"' not in index and '"state_dir"' not in index


def test_provider_results_reproduce_the_thesis(built_book):
    results = json.loads((built_book / "results" / "provider.json").read_text())
    assert results["n_programmes"] == 120
    assert set(results["tables"]) == set(default_plan().odds_ratios)
    expected = {
        "finance_nav": (4.562, 2.22, 1.06, 4.63),
        "finance_both": (7.691, 4.27, 1.45, 12.58),
        "dx_musculoskeletal": (7.103, 3.77, 1.37, 10.40),
    }
    for name, (chi2, odds, low, high) in expected.items():
        table = results["tables"][name]
        assert set(table) >= {
            "counts",
            "chi2",
            "p",
            "chi2_yates",
            "p_yates",
            "p_fisher",
            "odds_ratio",
            "or_ci_low",
            "or_ci_high",
        }
        assert set(table["counts"]) == {
            "exposed_yes",
            "exposed_no",
            "unexposed_yes",
            "unexposed_no",
        }
        assert abs(table["chi2"] - chi2) <= 0.0005 + 1e-9
        assert (
            round(table["odds_ratio"], 2),
            round(table["or_ci_low"], 2),
            round(table["or_ci_high"], 2),
        ) == (odds, low, high)


def test_norwegian_page_uses_norwegian_numbers(built_book):
    text = visible_text(built_book / "html" / "nb" / "provider.html")
    assert "4,562" in text and "4.562" not in text.replace("χ² = 4.562", "")
    assert "95\u00a0% KI" in text


def test_reproduction_overview_lists_the_provider_rows(built_book):
    text = visible_text(built_book / "html" / "en" / "reproduction.html")
    assert "Provider survey" in text and "differs" in text


def small_providers(tmp_path: Path) -> Path:
    rows = []
    for i in range(12):
        finance = ("rha", "nav", "both")[i % 3]
        rows.append(
            {
                "programme_id": f"X{i:02d}",
                "finance": finance,
                "permanent_coordinator": "yes" if i % 4 else "no",
                "dx_musculoskeletal": "yes" if i % 2 else "no",
                "dx_mental": "no" if i % 5 else "yes",
                "dx_unspecific": "yes" if i % 3 == 1 else "no",
                **{column: int(j == i % len(TYPES)) for j, column in enumerate(TYPES)},
            }
        )
    data = tmp_path / "data"
    data.mkdir(parents=True)
    pd.DataFrame(rows).to_csv(data / "providers.csv", index=False)
    return data


# One English build of other data of three chapters (with test_cohort_book and
# test_interviews_taguette).
share_build("rerun", "provider", small_providers, langs=["en"])


def test_rerun_on_other_data_changes_the_numbers(shared_book, tmp_path):
    out = shared_book("rerun")
    results = json.loads((out / "results" / "provider.json").read_text())
    assert results["n_programmes"] == 12
    data = provider.load(small_providers(tmp_path))
    expected = provider.analyse(data).tests["dx_musculoskeletal"]
    page = visible_text(out / "html" / "en" / "provider.html")
    assert fmt_num(expected.chi2, "en", 3) in page
    assert "12 programmes are in the data" in page
    for shipped_fact in ("120", "telephone", "Berg", "met by construction", "Table 1:"):
        assert shipped_fact not in page
    assert "Reproduction of the published results" not in page  # nothing compared, no section
    assert results["compared"] is False and results["reproduction"] == []
    assert not (out / "html" / "nb").exists()


def broken_copies(tmp_path: Path) -> dict[str, tuple[Path, str, str | None, int | None]]:
    """Bad versions of providers.csv with the column and row the error must name."""
    original = pd.read_csv(SHIPPED_DATA / "providers.csv", dtype=str, keep_default_na=False)
    cases = {}

    def case(name, frame_or_text, column, row):
        folder = tmp_path / name
        folder.mkdir()
        target = folder / "providers.csv"
        if isinstance(frame_or_text, str):
            target.write_text(frame_or_text)
        else:
            frame_or_text.to_csv(target, index=False)
        cases[name] = (folder, "providers.csv", column, row)

    case("missing_column", original.drop(columns="finance"), "finance", None)
    unknown = original.copy()
    unknown.loc[9, "finance"] = "kommune"
    case("unknown_finance", unknown, "finance", 10)
    text_in_binary = original.copy()
    text_in_binary.loc[2, "type_treatment"] = "yes"
    case("text_in_binary", text_in_binary, "type_treatment", 3)
    case("empty_file", "", None, None)
    return cases


def test_bad_input_stops_with_a_clear_message_and_keeps_the_last_book(tmp_path, capsys):
    out = tmp_path / "out"
    output.claim(out)
    (out / "html").mkdir()
    (out / "html" / "index.html").write_text("last good book")
    output.write_record(out, {}, out)  # the marker lists it, as a finished build's does
    for name, (folder, file, column, row) in broken_copies(tmp_path).items():
        status = cli.main(
            [
                "build",
                "--data",
                str(folder),
                "--only",
                "provider",
                "--out",
                str(out),
                "--lang",
                "en",
            ]
        )
        message = capsys.readouterr().err
        assert status == 2, name
        assert file in message, name
        if column:
            assert f"column '{column}'" in message, name
        if row:
            assert f"row {row} " in message, name
        assert "Fix:" in message
        assert (out / "html" / "index.html").read_text() == "last good book"


def test_failing_notebook_names_component_language_and_cell(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    page = book / "provider.md"
    page.write_text(page.read_text().replace("display(page.tests_table(results, lang))", "1 / 0"))
    with pytest.raises(BuildError) as failure:
        build(SHIPPED_DATA, tmp_path / "o", langs=["en"], only=["provider"], pages=book)
    message = str(failure.value)
    assert "'provider'" in message and "'en'" in message and "ZeroDivisionError" in message
    assert re.search(r"code cell \d+", message)
    assert not (tmp_path / "o" / "html").exists()


def test_bibliography_is_in_the_page_language(built_book):
    nb = visible_text(built_book / "html" / "nb" / "references.html")
    en = visible_text(built_book / "html" / "en" / "references.html")
    assert "Masteroppgave" in nb and "mfl." in nb
    for english in ("Master's thesis", "and others", "n.d.", "Systematic review"):
        assert english not in nb
    assert "Master's thesis" in en and "et al." in en


def spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_caption_says_what_it_shows_and_where_its_data_come_from(built_book, lang):
    """Each figure of every page has a caption: what the figure shows, then what its data are
    as the chapter's study description says (its provenance), citing the publication they
    follow."""
    cut = "\x00"
    source_start = t("figure.source", lang, provenance=cut).split(cut)[0]
    figures = 0
    for page in pages(built_book / "html", lang):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for figure in soup.select("article figure"):
            figures += 1
            assert page.stem in CHAPTERS, f"{page.name}: a figure outside the chapters"
            schema = importlib.import_module(f"analysis.chapters.{page.stem}.data").DESCRIPTION
            study = load_study(SHIPPED_DATA, page.stem, schema)
            caption = figure.find("figcaption")
            assert caption is not None, page.name
            text = spaced(caption.get_text("")).replace("\u2019", "'")  # Sphinx's quotes
            shows, _, source = text.rpartition(source_start)
            assert len(re.sub(r"^Fig\. \d+ ", "", shows).split()) >= 4, text
            kind = study.provenance or "observed"
            before, after = t(f"figure.provenance.{kind}", lang, citation=cut).split(cut)
            assert before in source and source.rstrip("#").endswith(f"{after}."), text
            assert caption.select("a[href*='references.html']"), f"{text}: no citation"
    assert figures >= 10


@pytest.mark.parametrize("lang", LANGS)
def test_the_text_of_a_table_keeps_its_cells_apart(built_book, lang):
    """A page's text as the search summaries read it (the DOM's textContent) has a space
    between the caption and the cells and between any two cells of every table, and the
    search index holds no number run together with the word of the next cell."""
    html = built_book / "html" / lang
    joined = {}
    for page in pages(html, lang):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for table in soup.select("article table"):
            parts = [spaced(part.get_text("")) for part in table.find_all(["caption", "th", "td"])]
            if spaced(table.get_text("")) != " ".join(part for part in parts if part):
                joined.setdefault(page.name, []).append(parts[0][:40])
    assert joined == {}
    index = (html / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(index[index.index("(") + 1 : index.rindex(")")])["terms"]
    assert [term for term in terms if re.fullmatch(r"\d+[^\W\d_]{3,}\w*", term)] == []


@pytest.mark.parametrize("lang", LANGS)
def test_each_interview_theme_is_a_section_in_the_page_contents(built_book, lang):
    """Every theme of the interview page is a heading of its own, with the same id in both
    languages, listed in the page's table of contents."""
    codebook = pd.read_csv(SHIPPED_DATA / "interviews" / "codebook.csv")
    themes = codebook.drop_duplicates("theme_id").set_index("theme_id")[f"theme_{lang}"]
    page = built_book / "html" / lang / "interviews.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    contents = {link["href"] for link in soup.select("#pst-page-toc-nav a[href^='#']")}
    assert "IPython" not in soup.select_one("article").get_text()  # no stand-in of an output
    for theme_id, name in themes.items():
        section_id = f"theme-{theme_id.lower()}"
        heading = soup.select_one(f"article section#{section_id} > h3")
        assert heading is not None, section_id
        title = spaced(heading.get_text("")).rstrip("#").replace("\u2019", "'")  # Sphinx's
        assert title == f"{theme_id}: {name}"
        assert f"#{section_id}" in contents
