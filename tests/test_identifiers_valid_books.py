"""Valid books never trip the final scan: random valid chapter data are analysed and every page
function's text and tables rendered in both languages (figures as their captions and alt texts;
no kernel, no Sphinx), and the scan's matcher reads that text as a reader would. Numbers
formatted the way the book formats them never look like an identifier either. One real build of
a random valid book is checked end to end (``book``)."""

from __future__ import annotations

import inspect
import itertools
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from IPython.display import Markdown

from analysis.chapters.cohort.scale import resample
from analysis.chapters.meta import data as meta_data
from analysis.chapters.meta import page as meta_page
from analysis.chapters.meta.chapter import analyse as analyse_meta
from analysis.chapters.provider import data as provider_data
from analysis.chapters.provider import page as provider_page
from analysis.chapters.provider.chapter import analyse as analyse_provider
from analysis.core import validation
from analysis.core.display import FigureFolder
from analysis.core.i18n import (
    LANGS,
    fmt_ci,
    fmt_count_share,
    fmt_estimate,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
)
from analysis.core.identifiers import identifier_values
from analysis.core.problems import InputError
from analysis.generators import cohort as cohort_generator
from analysis.generators import provider as provider_generator
from analysis.pipeline.build import build
from analysis.pipeline.scan import find_published, reader_text
from tests.helpers import FNR, REVIEW_ANALYSES, SHIPPED_DATA, write_review

CASES = 200
QUICK_CASES = 4  # ``--quick`` (make test-fast): the first four of the same cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The random cases: all of them, or the first few with ``--quick``."""
    if "case" in metafunc.fixturenames:
        quick = metafunc.config.getoption("--quick")
        metafunc.parametrize("case", range(QUICK_CASES if quick else CASES))


def shown_text(shown: object) -> str:
    """The text of what a page function returns (display objects, lists of them)."""
    if isinstance(shown, list | tuple):
        return "\n".join(shown_text(item) for item in shown)
    return str(getattr(shown, "data", shown) or "")


def page_texts(page: ModuleType, results: object, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every page function's output in both languages; a figure as its caption and alt."""
    monkeypatch.setattr(
        page,
        "show_figure",
        lambda _figure, _name, caption, alt, *_, **__: Markdown(f"{caption}\n{alt}"),
    )
    monkeypatch.setattr(
        page,
        "figures",
        SimpleNamespace(
            **{n: lambda *a, **k: None for n in dir(page.figures) if not n.startswith("_")}
        ),
    )
    functions = [
        function
        for name, function in inspect.getmembers(page, inspect.isfunction)
        if function.__module__ == page.__name__ and not name.startswith("_")
    ]
    # ``show_figure`` is replaced above, so no figure reaches the folder.
    folder = FigureFolder(Path(tempfile.gettempdir()))

    def call(function: Callable, lang: str) -> object:
        if "figure_folder" in inspect.signature(function).parameters:
            return function(results, lang, figure_folder=folder)
        return function(results, lang)

    return [shown_text(call(function, lang)) for function in functions for lang in LANGS]


def findings(texts: list[str]) -> list[tuple[str, dict]]:
    """The identifiers the scan would report in ``texts`` (as rendered HTML/Markdown)."""
    return [(text, found) for text in texts if (found := identifier_values(reader_text(text)))]


@cache
def generated_providers() -> pd.DataFrame:
    """The generated provider survey (made once; each case draws from it)."""
    return provider_generator.construct()


def random_providers(folder: Path, rng: np.random.Generator) -> Path:
    """A valid provider survey: the generated programmes drawn with replacement, any number."""
    frame = generated_providers().sample(
        int(rng.integers(40, 2000)), replace=True, random_state=rng
    )
    frame["programme_id"] = [f"RT{i + 1:04d}" for i in range(len(frame))]
    folder.mkdir(parents=True)
    frame.to_csv(folder / "providers.csv", index=False)
    return folder


def random_review(folder: Path, rng: np.random.Generator) -> Path:
    """A valid review: two analyses of random trials with random (sometimes large) counts."""
    studies = {}
    for analysis in ("sl", "dp"):
        rows = []
        for k in range(int(rng.integers(2, 9))):
            n_i, n_c = (int(n) for n in rng.integers(5, 20_000, 2))
            rows.append(
                (
                    f"Study{k} {2000 + int(rng.integers(0, 24))}",
                    int(rng.integers(0, n_i + 1)),
                    n_i,
                    int(rng.integers(0, n_c + 1)),
                    n_c,
                )
            )
        studies[analysis] = rows
    analyses = [
        {**row, "control_risk_per_100": str(int(rng.integers(1, 99)))} for row in REVIEW_ANALYSES
    ]
    return write_review(folder, studies, analyses)


def test_random_valid_chapter_data_never_trip_the_scan(case, tmp_path, monkeypatch):
    rng = np.random.default_rng(case)
    if case % 2:
        results = analyse_provider(provider_data.load(random_providers(tmp_path / "d", rng)))
        texts = page_texts(provider_page, results, monkeypatch)
    else:
        results = analyse_meta(meta_data.load(random_review(tmp_path / "d", rng)))
        texts = page_texts(meta_page, results, monkeypatch)
    assert sum(len(text) for text in texts) > 1000
    assert findings(texts) == []


def test_what_the_pages_render_reaches_the_matcher(tmp_path, monkeypatch):
    """An identifier that got past the inputs' guard is found in the rendered text."""
    monkeypatch.setattr(validation, "find_identifiers", lambda *_, **__: [])
    data = random_review(tmp_path / "d", np.random.default_rng(1))
    studies = pd.read_csv(data / "meta" / "studies.csv", dtype=str, keep_default_na=False)
    # a trial with no events in either arm is named in the text (not only in the forest plot)
    studies.loc[0, ["study", "events_intervention", "events_control"]] = [
        f"Ring 91 23 45 67, fnr. {FNR}",
        "0",
        "0",
    ]
    studies.to_csv(data / "meta" / "studies.csv", index=False)
    texts = page_texts(meta_page, analyse_meta(meta_data.load(data)), monkeypatch)
    kinds = {kind for _, found in findings(texts) for kind in found}
    assert kinds == {"national_id", "phone"}


def formatted_numbers(rng: np.random.Generator, lang: str) -> list[str]:
    """Random numbers as the book writes them: counts, decimals, CIs, p-values, percentages,
    joined into table rows and sentences."""
    counts = [fmt_int(int(n), lang) for n in rng.integers(0, 10**9, 40)]
    decimals = [
        fmt_num(float(x), lang, decimals=int(rng.integers(0, 5))) for x in rng.lognormal(0, 3, 40)
    ]
    cis = [
        fmt_ci(float(low), float(low * high), lang)
        for low, high in zip(rng.lognormal(0, 1, 40), rng.lognormal(0.5, 0.5, 40), strict=True)
    ]
    ps = [fmt_p(float(p), lang) for p in rng.uniform(0, 1, 40) ** 4]
    percents = [fmt_pct(float(x), lang, int(rng.integers(0, 3))) for x in rng.uniform(0, 1, 40)]
    shares = [
        fmt_count_share(int(k), int(k) + int(n), lang) for k, n in rng.integers(0, 10**6, (40, 2))
    ]
    estimates = [
        fmt_estimate(float(x), float(x) / 2, float(x) * 2, lang) for x in rng.lognormal(0, 1, 40)
    ]
    cells = counts + decimals + cis + ps + percents + shares + estimates
    table = (
        "<table>"
        + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in itertools.pairwise(cells))
        + "</table>"
    )
    return [table, " ".join(cells), "; ".join(cells), *cells]


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_as_the_book_formats_them_are_no_identifiers(lang, quick):
    rng = np.random.default_rng(7)
    for _ in range(QUICK_CASES if quick else 50):  # --quick: the first four of the same fifty
        assert findings(formatted_numbers(rng, lang)) == []


@pytest.mark.book
def test_a_random_valid_book_passes_the_final_scan(tmp_path):
    rng = np.random.default_rng(2026)
    data = random_review(tmp_path / "data", rng)
    shutil.copy(random_providers(tmp_path / "p", rng) / "providers.csv", data)
    seed = int(rng.integers(1 << 30))
    cohort = resample(cohort_generator.generate(seed), int(rng.integers(150, 600)), seed)
    cohort.to_csv(data / "cohort.csv", index=False)
    shutil.copytree(SHIPPED_DATA / "interviews", data / "interviews")
    shutil.copy(SHIPPED_DATA / "interviews.study.yaml", data)
    build(data, tmp_path / "out", echo=lambda _: None)  # the build ends with the scan
    assert find_published((tmp_path / "out" / "html").resolve().parent) == {}


@pytest.mark.book
def test_a_refused_build_leaves_no_copy_of_the_value_under_out(tmp_path, monkeypatch):
    """An identifier that got past the inputs' guard stops the build at the final scan, which
    names the input's file, column and row in the message language, and no file under the
    output folder (cache, work folders) keeps the value."""
    monkeypatch.setattr(validation, "find_identifiers", lambda *_, **__: [])
    data = random_review(tmp_path / "data", np.random.default_rng(1))
    studies = pd.read_csv(data / "meta" / "studies.csv", dtype=str, keep_default_na=False)
    studies.loc[0, ["study", "events_intervention", "events_control"]] = [f"Fnr {FNR}", "0", "0"]
    studies.to_csv(data / "meta" / "studies.csv", index=False)
    out = tmp_path / "out"
    with pytest.raises(InputError) as error:
        build(data, out, langs=["nb", "en"], only=["meta"], echo=lambda _: None)
    assert ("data/meta/studies.csv", "study", 1) in {
        (p.file, p.column, p.row) for p in error.value.problems
    }
    assert "ville ha publisert" in error.value.text("nb")
    kept = [p for p in out.rglob("*") if p.is_file() and FNR.encode() in p.read_bytes()]
    assert kept == []
