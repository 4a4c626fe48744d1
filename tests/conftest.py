"""Shared fixtures. The tests never read ``data/``: they use their own copy of the shipped
files (``tests/fixtures/shipped-data``) and data they write, so a researcher who replaces
``data/`` still gets a green ``make test``.

The pytest-xdist controller imports this module too, but runs no test: the project's modules
(pandas, matplotlib, the build) are imported inside the fixtures that use them, so that it
starts at once instead of loading what only the workers need."""

from __future__ import annotations

import fcntl
import functools
import gc
import http.server
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from analysis.core.display import FigureFolder
    from tests.helpers import Shipped


def reusable(out: Path) -> bool:
    """True when ``out`` holds a complete default build of the shipped data."""
    from analysis.chapters import CHAPTERS
    from analysis.core.i18n import LANGS
    from analysis.pipeline.build import data_digest
    from analysis.pipeline.output import read_record
    from tests.helpers import SHIPPED_DATA

    record = read_record(out)
    return record == {
        "data_sha256": data_digest(SHIPPED_DATA),
        "chapters": list(CHAPTERS),
        "langs": list(LANGS),
        "suppress_below": None,
        "compare": True,
    }


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``name`` that ``make(folder)`` fills, made once per test session: under
    pytest-xdist the workers share the session's temporary folder, and the first to take the
    lock makes it while the others wait for it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    session = factory.getbasetemp().parent if worker else factory.getbasetemp()
    folder, done = session / name, session / f"{name}.made"
    with open(session / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of every chapter in both languages on the shipped data, reused by every
    test that reads the book; returns the output folder.

    ``RTW_BUILT_BOOK`` may name the output folder of a build made just before the tests (as
    the Pages workflow does with ``make book``); it is used only if its build record shows a
    default build of exactly these data, otherwise the tests build their own.
    """
    from analysis.pipeline.build import build
    from tests.helpers import SHIPPED_DATA

    given = os.environ.get("RTW_BUILT_BOOK")
    if given and reusable(Path(given)):
        return Path(given)
    return made_once(tmp_path_factory, "book", lambda out: build(SHIPPED_DATA, out, pdf=True))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Give the garbage collector less to do in the tests: what collecting imported (pandas,
    SciPy, the project) lives to the end, so it leaves the collector's generations (``freeze``),
    and the youngest generation is collected after 20,000 new objects instead of 700 (the
    tests make many short-lived frames). The fast suite in one process spent about 2.8
    CPU-seconds collecting garbage, 1.2 after this."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--quick",
        action="store_true",
        help="property tests check their rules on fewer random cases (make test-fast)",
    )


@pytest.fixture(scope="session")
def quick(request: pytest.FixtureRequest) -> bool:
    """True when property tests should check their rules on fewer random cases (``--quick``,
    as ``make test-fast`` runs them); ``make test`` checks every case."""
    return request.config.getoption("--quick")


@pytest.fixture(scope="session")
def shipped() -> Shipped:
    """The shipped data and results of every chapter, each made once per session (worker)."""
    from tests.helpers import Shipped

    return Shipped()


# Books on test data: the test data of several chapters are built together (a build of four
# chapters costs little more than one of a single chapter). A test module registers the writer
# of its chapter's data for a group with ``share_build``; pytest imports every test module
# before the first test runs, so the group's build holds every registered chapter.
SHARED_BUILDS: dict[str, dict[str, Callable[[Path], Path]]] = {}
SHARED_LANGS: dict[str, tuple[str, ...]] = {}  # the languages each group's build is made in


def share_build(
    group: str,
    chapter: str,
    write: Callable[[Path], Path],
    langs: Sequence[str] | None = None,
) -> None:
    """Put ``chapter``'s test data into the ``group`` build (made in ``langs``, every language
    when None, which every chapter of the group must give alike): ``write(folder)`` writes them
    into ``folder`` and returns the data folder."""
    from analysis.core.settings import LANGS

    langs = LANGS if langs is None else langs
    if SHARED_LANGS.setdefault(group, tuple(langs)) != tuple(langs):
        raise ValueError(f"the {group!r} build is made in {SHARED_LANGS[group]}, not {langs}")
    SHARED_BUILDS.setdefault(group, {})[chapter] = write


@pytest.fixture(scope="session")
def shared_book(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``shared_book(group)``: the output folder of the group's build (built on first use)."""

    from analysis.pipeline.build import build

    def make(root: Path, group: str) -> None:
        data = root / "data"
        for chapter, write in SHARED_BUILDS[group].items():
            shutil.copytree(write(root / chapter), data, dirs_exist_ok=True)
        only, langs = list(SHARED_BUILDS[group]), list(SHARED_LANGS[group])
        build(data, root / "out", langs=langs, only=only, echo=lambda _: None)

    return lambda group: made_once(tmp_path_factory, group, lambda r: make(r, group)) / "out"


@pytest.fixture
def figure_folder(tmp_path: Path) -> FigureFolder:
    """Where page functions that tests call directly save their figures: outside the
    repository."""
    from analysis.core.display import FigureFolder

    return FigureFolder(tmp_path)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that read the built book are ``book`` tests (left out by ``make test-fast``);
    the order of the tests lets pytest-xdist workers start the shared builds early, and the
    tests that drive Chromium run last, so that its processes take no CPU from the builds."""
    builds = {}  # the shared build each test reads
    own = {item for item in items if item.get_closest_marker("book")}  # builds of their own
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if {"built_book", "shared_book"} & names:
            item.add_marker(pytest.mark.book)
            module = getattr(item, "module", None)
            builds[item] = "book" if "built_book" in names else _group_of(module)
    first = {build: item for item, build in reversed(list(builds.items()))}.values()

    def order(item: pytest.Item) -> int:
        """First the tests that build (the first reader of each shared build, so that it
        starts at once, and the tests with builds of their own, so that none is left to the
        end); then the tests that build nothing; the other readers of the shared builds; the
        browser tests."""
        if "page" in getattr(item, "fixturenames", ()):
            return 3
        if item in first or (item in own and item not in builds):
            return 0
        return 2 if item in builds else 1

    items.sort(key=order)


def _group_of(module: object) -> str:
    """The shared build a test module registered its data for."""
    name = getattr(module, "__name__", "")
    groups = [
        g for g, writers in SHARED_BUILDS.items() for w in writers.values() if w.__module__ == name
    ]
    return groups[0] if groups else name


CHROMIUM = os.environ.get("RTW_CHROMIUM", "/usr/bin/chromium")
DEADLINE_MS = 120_000


@pytest.fixture(scope="session")
def site(built_book: Path):
    """The built book served on a local port (as a reader's browser gets it)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(built_book / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def page():
    """A headless Chromium tab at 1366 × 900 (Debian's chromium, or Playwright's own with
    RTW_CHROMIUM=bundled); skipped without one unless RTW_REQUIRE_BROWSER is set."""
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
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        tab = browser.new_page(viewport={"width": 1366, "height": 900})
        tab.set_default_timeout(DEADLINE_MS)  # a busy machine: wait long for every event
        yield tab
        browser.close()
