"""The book pipeline: validate, analyse once, render per language, build, swap in.

``build()`` is what ``rtw-report build`` (and ``make book``) runs:

1. validate and analyse: each chapter's inputs are loaded against their schemas and its
   ``analyse`` runs once; ``results/<chapter>.json`` is written and the typed results are kept
   for the pages;
2. per language, a Jupyter Book source tree is assembled from the single-source pages of
   ``book/`` (:mod:`analysis.pipeline.sources`) and each notebook page is executed with papermill,
   given ``lang`` and ``state_dir``, by workers that each keep one warm kernel
   (:mod:`analysis.pipeline.notebooks`): the pages only render the kept results;
3. ``jupyter-book build`` renders each tree with execution off and warnings as errors, and
   headless Chromium prints each language's pages into one PDF (:mod:`analysis.pipeline.pdf`;
   left out, with a notice, where Chromium is missing);
4. the landing page is written, every built file is scanned for identifiers and paths of this
   machine (:mod:`analysis.pipeline.scan`), and the new ``html/`` and ``results/`` are made
   current in one step (:mod:`analysis.pipeline.output`).

Pages and languages are executed and rendered several at a time (``jobs``;
:mod:`analysis.pipeline.runner`), and every analysis, page and HTML tree whose inputs have not
changed is taken from the cache (:mod:`analysis.pipeline.cache`; ``force`` ignores it).
Everything is built in a temporary folder inside ``out`` and swapped in only when every step
has succeeded, so a failed or interrupted build leaves the previous book untouched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from analysis.chapters import CHAPTERS, Chapter
from analysis.core import disclosure
from analysis.core.book import BOOK_FILE, load_book
from analysis.core.i18n import check_lang, t
from analysis.core.problems import InputError, Message, Notes, Problem
from analysis.core.results import read_results, save_state, write_results
from analysis.core.settings import (
    BOOK,
    DUCKDB,
    ENGINES,
    LANGS,
    OUT,
    ROOT,
    SPARK_MASTER,
    Engine,
)
from analysis.core.study import key_problem, study_file
from analysis.core.yamlfile import read_yaml
from analysis.pipeline import runner
from analysis.pipeline.cache import Cache, code_digest, digest, tree_digest
from analysis.pipeline.front import Front, chapter_inputs, citation_cff, read_front
from analysis.pipeline.interrupt import stop_if_requested
from analysis.pipeline.notebooks import FAILURE, BuildError, PageRun, step_line
from analysis.pipeline.output import (
    claim,
    clean_stale,
    locked,
    new_work_folder,
    publish,
    refuse_unsafe,
    write_record,
)
from analysis.pipeline.pdf import chromium, pdf_name
from analysis.pipeline.runner import Step
from analysis.pipeline.scan import scan, strip_source_maps
from analysis.pipeline.sources import (
    assemble_tree,
    contract_includes,
    landing_page,
    not_found_page,
)

__all__ = ["BuildError", "build", "validate"]


def chapter_exists(chapter: Chapter, pages: Path) -> bool:
    """True when the chapter has its page in ``pages``, the folder of single-source pages."""
    return (pages / f"{chapter.name}.md").is_file()


def has_data(chapter: Chapter, data_dir: Path) -> bool:
    """True when ``data_dir`` holds any input file of the chapter (as text or workbook, or the
    cohort's register extract) or its study description."""
    return study_file(data_dir, chapter.name).is_file() or bool(chapter_inputs(chapter, data_dir))


def select_chapters(
    only: Iterable[str] | None, pages: Path, data_dir: Path | None = None
) -> list[Chapter]:
    """The chapters to build: those named in ``only``, else every one that has a page and,
    when ``data_dir`` is an existing folder, any of its files there (none is an input error
    that suggests ``--only``)."""
    if only is None:
        chapters = [chapter for chapter in CHAPTERS.values() if chapter_exists(chapter, pages)]
        if data_dir is None or not Path(data_dir).is_dir():
            return chapters
        found = [chapter for chapter in chapters if has_data(chapter, Path(data_dir))]
        if not found:
            raise InputError(
                [
                    Problem(
                        str(data_dir),
                        None,
                        None,
                        Message("input.no_chapter_data"),
                        Message(
                            "input.fix.no_chapter_data",
                            chapters=", ".join(chapter.name for chapter in chapters),
                        ),
                    )
                ]
            )
        return found
    only = list(only)
    if not only:
        raise BuildError("--only names no chapter; choose from " + ", ".join(CHAPTERS))
    unknown = [name for name in only if name not in CHAPTERS]
    if unknown:
        raise BuildError(
            f"unknown chapter(s) {', '.join(unknown)}; choose from {', '.join(CHAPTERS)}"
        )
    missing = [name for name in only if not chapter_exists(CHAPTERS[name], pages)]
    if missing:
        raise BuildError(f"chapter(s) {', '.join(missing)} have no page in book/ yet")
    return [chapter for chapter in CHAPTERS.values() if chapter.name in only]


def analysis_parameters(chapter: Chapter, suppress_below: int | None = None) -> dict:
    """Keyword arguments of the chapter's ``analyse``: its defaults, and the disclosure
    threshold where the chapter is person-level and one was given."""
    parameters = dict(chapter.parameters)
    if suppress_below is not None and chapter.person_level:
        if suppress_below < 0:
            raise ValueError(f"--suppress-below must be 0 or more, not {suppress_below}")
        parameters["suppress_below"] = suppress_below
    return parameters


class Progress:
    """Prints one line per step with its duration, and the total at the end."""

    def __init__(self, echo: Callable[[str], None] = print):
        self.echo = echo
        self.start = time.perf_counter()

    def step(self, action: str, subject: str, lang: str, work: Callable[[], object]) -> object:
        """Run one step in this process and print what it was and how long it took."""
        began = time.perf_counter()
        result = work()
        self.echo(step_line(action, subject, lang, time.perf_counter() - began))
        return result

    def total(self) -> None:
        """Print the total build time."""
        self.echo(f"{'total':<26} {time.perf_counter() - self.start:7.1f} s")


def data_digest(data_dir: Path) -> str:
    """SHA-256 over the names and contents of every file under ``data_dir``."""
    return digest(files=[p for p in Path(data_dir).rglob("*") if p.is_file()], base=data_dir)


def load_chapters(
    chapters: list[Chapter],
    data_dir: Path,
    progress: Progress,
    lang: str = "en",
    engine: Engine = DUCKDB,
) -> dict[str, object]:
    """Read and validate every chapter's inputs (a register extract derived in ``engine``);
    print how files were read (notes, in ``lang``)."""
    if not Path(data_dir).is_dir():
        raise InputError(
            [
                Problem(
                    str(data_dir),
                    None,
                    None,
                    Message("input.data_folder_missing"),
                    Message("input.fix.data_folder"),
                )
            ]
        )
    load_book(data_dir)  # the book description, checked first
    notes = Notes()
    try:
        return {
            chapter.name: progress.step(
                "validate",
                chapter.name,
                "",
                lambda c=chapter: c.module().load(
                    data_dir, notes, **({"engine": engine} if c.engine else {})
                ),
            )
            for chapter in chapters
        }
    finally:
        for text in notes.texts(lang):
            progress.echo(f"note      {text}")


def chosen_langs(data_dir: Path, langs: Iterable[str] | None) -> list[str]:
    """The languages to build: ``langs`` (``--lang``), else the book description's
    ``languages`` (every supported language without it). A language the description leaves
    out is an input error naming ``book.yaml`` and the key."""
    described = load_book(data_dir).langs
    if langs is None:
        return list(described)
    langs = list(langs)
    message_language(langs)  # every language known
    if outside := [lang for lang in langs if lang not in described]:
        raise InputError(
            [
                key_problem(
                    BOOK_FILE,
                    "languages",
                    Message("input.book.lang_left_out", languages=", ".join(outside)),
                    Message("input.book.fix.languages", languages=", ".join(described)),
                )
            ]
        )
    return langs


def message_language(langs: Iterable[str]) -> str:
    """The language of messages: the first of the chosen languages (all are checked)."""
    langs = [check_lang(lang) for lang in langs]
    if not langs:
        raise BuildError("--lang names no language; choose from " + ", ".join(LANGS))
    return langs[0]


def chosen_engine(args: argparse.Namespace) -> Engine:
    """The engine ``--engine`` and ``--spark-master`` choose."""
    return Engine(args.engine, args.spark_master)


def engine_options(command: argparse.ArgumentParser) -> None:
    """Add ``--engine`` and ``--spark-master`` to ``command``."""
    command.add_argument(
        "--engine",
        choices=ENGINES,
        default=ENGINES[0],
        help="where a register extract is derived: embedded DuckDB (default) or Apache Spark "
        "(pip install .[spark] and Java)",
    )
    command.add_argument(
        "--spark-master",
        default=SPARK_MASTER,
        metavar="URL",
        help=f"the Spark master with --engine spark (default {SPARK_MASTER})",
    )


def validate(
    data_dir: Path,
    only: Iterable[str] | None = None,
    echo: Callable[[str], None] = print,
    langs: Iterable[str] | None = None,
    pages: Path = BOOK,
    engine: Engine = DUCKDB,
) -> None:
    """Check the inputs of the chosen chapters (those with a page in ``pages`` unless ``only``)
    without building (raises ``InputError``); notes and the verdict in the first of ``langs``
    (default: the book description's languages, see :func:`chosen_langs`); a register extract
    is derived in ``engine``."""
    lang = message_language(chosen_langs(Path(data_dir), langs))
    chapters = select_chapters(only, pages, Path(data_dir))
    load_chapters(chapters, Path(data_dir).resolve(), Progress(echo), lang, engine)
    echo(t("input.valid", lang, chapters=", ".join(c.name for c in chapters)))


def analyse(
    chapters: list[Chapter],
    data_dir: Path,
    results_dir: Path,
    state_dir: Path,
    progress: Progress,
    cache: Cache,
    suppress_below: int | None = None,
    compare: bool = True,
    lang: str = "en",
    engine: Engine = DUCKDB,
) -> dict[str, str]:
    """Analyse each chapter once, reusing the cached analysis of unchanged inputs; the inputs
    of every chapter to analyse are validated before any is analysed (notes in ``lang``; a
    register extract derived in ``engine``, which does not change the results).
    Returns the digest of each chapter's kept results, which its pages depend on."""
    # Keyed on the whole data folder: any change analyses every chapter again (in seconds);
    # the pages of a chapter whose results come out the same are still reused.
    inputs = data_digest(data_dir)
    keys = {
        chapter.name: digest(
            "analysis",
            chapter.name,
            analysis_parameters(chapter, suppress_below),
            compare,
            code_digest(labels=False),
            inputs,
        )
        for chapter in chapters
    }
    kept = Path(tempfile.mkdtemp(dir=state_dir.parent))
    fresh = [c for c in chapters if not cache.fetch("analysis", keys[c.name], kept / c.name)]
    loaded = load_chapters(fresh, data_dir, progress, lang, engine)
    for chapter in chapters:
        folder = kept / chapter.name
        if chapter in fresh:
            parameters = analysis_parameters(chapter, suppress_below)
            results = progress.step(
                "analyse",
                chapter.name,
                "",
                lambda c=chapter, p=parameters: c.module().analyse(
                    loaded[c.name], compare=compare, **p
                ),
            )
            write_results(folder, chapter.name, results.to_json())
            save_state(folder, chapter.name, results)
            cache.store("analysis", keys[chapter.name], folder)
        shutil.copy2(folder / f"{chapter.name}.json", results_dir)
        shutil.copy2(folder / f"{chapter.name}.pickle", state_dir)
    shutil.rmtree(kept, ignore_errors=True)
    return {
        chapter.name: digest(files=[state_dir / f"{chapter.name}.pickle"], base=state_dir)
        for chapter in chapters
    }


def cached_contracts(
    cache: Cache, folder: Path, pages: Path, data_dir: Path
) -> Callable[[str], dict[str, str]]:
    """The data-contract includes of every chapter, per language (they change only with the
    code and the study descriptions, whose analysis plans some contracts follow, so they are
    cached and the chapters' data modules are imported only to make them)."""
    descriptions = sorted(Path(data_dir).glob("*.study.yaml"))

    def includes(lang: str) -> dict[str, str]:
        target = folder / lang
        key = digest("contracts", lang, code_digest(), files=descriptions, base=Path(data_dir))
        if not cache.fetch("contracts", key, target):
            present = [c for c in CHAPTERS.values() if chapter_exists(c, pages)]
            made = contract_includes(present, data_dir)(lang)
            for relative, text in made.items():
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                (target / relative).write_text(text, encoding="utf-8")
            cache.store("contracts", key, target)
        return {
            path.relative_to(target).as_posix(): path.read_text(encoding="utf-8")
            for path in target.rglob("*.md")
        }

    return includes


def pages_to_execute(
    lang: str,
    tree: Path,
    left_out: list[str],
    contracts: Callable[[str], dict[str, str]],
    states: dict[str, str],
    cache: Cache,
    pages: Path,
    pdf: bool = False,
    front: Front | None = None,
) -> list[tuple[PageRun, str]]:
    """Assemble one language's tree (whose pages link its PDF if ``pdf``; front matter from
    ``front``), take every unchanged page from the cache and return the others with the
    cache key each is kept under once executed."""
    runs = []
    for page in assemble_tree(tree, lang, left_out, contracts, pages, pdf, front):
        depends = {page: states[page]} if page in states else states
        source = (tree / f"{page}.ipynb").read_text(encoding="utf-8")
        key = digest("page", page, lang, source, depends, code_digest())
        if not cache.fetch("pages", key, tree):
            runs.append((PageRun(tree, page, lang), key))
    return runs


def execute_steps(
    runs: list[tuple[PageRun, str]], jobs: int, state_dir: Path, cache: Cache
) -> list[Step]:
    """At most ``jobs`` workers, each executing a consecutive share of ``runs`` in one warm
    kernel (in order, so a worker mostly keeps to one language) and keeping each executed
    page in the cache when all its pages have succeeded."""
    count = min(jobs, len(runs))
    shares = [runs[i * len(runs) // count : (i + 1) * len(runs) // count] for i in range(count)]

    def keep(share: list[tuple[PageRun, str]]) -> None:
        for run, key in share:
            cache.store("pages", key, run.tree, [run.notebook.name, run.figure_dir])

    def failure(log: str) -> str:
        said = [line.removeprefix(FAILURE) for line in log.splitlines() if line.startswith(FAILURE)]
        return "\n".join(said) or (log.strip().splitlines() or ["failed"])[-1]

    return [
        Step(
            "execute",
            ", ".join(run.page for run, _ in share),
            "",
            [
                sys.executable,
                "-m",
                "analysis.pipeline.notebooks",
                str(state_dir),
                *(str(part) for run, _ in share for part in (run.tree, run.page, run.lang)),
            ],
            done=lambda s=share: keep(s),
            failure=failure,
            announce=False,
        )
        for share in shares
    ]


def render_steps(lang: str, tree: Path, work: Path, html: Path, cache: Cache) -> list[Step]:
    """Take one language's HTML from the cache when its tree is unchanged, or the step that
    renders it with Jupyter Book (warnings are errors)."""
    key = tree_digest(tree)
    if cache.fetch("html", key, html / lang):
        return []
    output = work / "jb" / lang

    def done() -> None:
        built = output / "_build" / "html"
        cache.store("html", key, built)
        shutil.move(str(built), html / lang)

    def failure(log: str) -> str:
        return "jupyter-book build failed:\n" + "\n".join(log.strip().splitlines()[-40:])

    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(tree),
        "--path-output",
        str(output),
        "--warningiserror",
        "--keep-going",
    ]
    return [Step("render", "book", lang, command, done=done, failure=failure)]


def print_steps(
    chromium: str,
    lang: str,
    tree: Path,
    left_out: list[str],
    work: Path,
    html: Path,
    cache: Cache,
    title: str,
) -> list[Step]:
    """Take one language's PDF from the cache when its HTML is unchanged, or the step that
    prints its pages (in the order of the table of contents, without the chapters left out)
    with ``chromium`` into ``html/<lang>/``, under the book's ``title``."""
    key = digest("pdf", chromium, tree_digest(html / lang))
    if cache.fetch("pdf", key, html / lang):
        return []
    printed = work / "pdf" / lang
    toc = read_yaml(tree / "_toc.yml")
    pages = [toc["root"], *(e["file"] for e in toc["chapters"] if e["file"] not in left_out)]

    def done() -> None:
        cache.store("pdf", key, printed)
        shutil.move(str(printed / pdf_name(lang)), html / lang)

    def failure(log: str) -> str:
        return "printing the PDF failed:\n" + "\n".join(log.strip().splitlines()[-20:])

    command = [
        sys.executable,
        "-m",
        "analysis.pipeline.pdf",
        chromium,
        str(html / lang),
        str(printed / pdf_name(lang)),
        title,
        *pages,
    ]
    return [Step("print", "pdf", lang, command, done=done, failure=failure)]


def build(
    data_dir: Path,
    out: Path,
    langs: Iterable[str] | None = None,
    only: Iterable[str] | None = None,
    suppress_below: int | None = None,
    compare: bool = True,
    jobs: int | None = None,
    force: bool = False,
    echo: Callable[[str], None] = print,
    pages: Path = BOOK,
    pdf: bool = False,
    engine: Engine = DUCKDB,
) -> Path:
    """Build the book into ``out/html`` and the results into ``out/results``.

    ``suppress_below`` overrides the disclosure-control threshold of the person-level
    chapters (counts from 1 to ``suppress_below - 1`` are hidden; 0 turns control off).
    ``compare=False`` leaves out every comparison with a publication. ``jobs`` steps run at a
    time (default: the number of cores); ``force`` does all work again, ignoring the cache.
    ``pages`` is the folder of the single-source pages. ``langs``: the languages to build
    (:func:`chosen_langs`). ``pdf`` also prints each language's
    book as one PDF with headless Chromium (where it is found; else a notice), linked from
    every page. A register extract is derived in ``engine`` (DuckDB unless Spark is chosen).
    """
    data_dir, out = Path(data_dir).resolve(), Path(out).resolve()
    refuse_unsafe(out, data_dir, ROOT)
    langs = chosen_langs(data_dir, langs)
    message_lang = message_language(langs)
    jobs = jobs or os.cpu_count() or 1
    chapters = select_chapters(only, pages, data_dir)
    left_out = [name for name in CHAPTERS if name not in {c.name for c in chapters}]
    progress = Progress(echo)
    claim(out, default=OUT)
    with locked(out):
        clean_stale(out)
        cache = Cache(out / ".cache", enabled=not force)
        work = new_work_folder(out)
        try:
            book = work / "book"
            results_dir, html, state_dir = book / "results", book / "html", work / "state"
            for folder in (results_dir, html, state_dir):
                folder.mkdir(parents=True)
            states = analyse(
                chapters,
                data_dir,
                results_dir,
                state_dir,
                progress,
                cache,
                suppress_below,
                compare,
                lang=message_lang,
                engine=engine,
            )
            person_level = [chapter.name for chapter in chapters if chapter.person_level]
            reports = disclosure.gather(read_results(results_dir), person_level)
            write_results(results_dir, "disclosure", reports)
            for name, report in reports.items():
                echo(f"{'disclose':<9} {disclosure.summary_line(name, report)}")
            contracts = cached_contracts(cache, work / "contracts", pages, data_dir)
            front = read_front(data_dir, chapters, tuple(langs))
            trees = {lang: work / "src" / lang for lang in langs}
            printer = chromium() if pdf else None
            runs = [
                run
                for lang in langs
                for run in pages_to_execute(
                    lang,
                    trees[lang],
                    left_out,
                    contracts,
                    states,
                    cache,
                    pages,
                    bool(printer),
                    front,
                )
            ]
            runner.run(execute_steps(runs, jobs, state_dir, cache), jobs, echo)
            renders = [
                s for lang in langs for s in render_steps(lang, trees[lang], work, html, cache)
            ]
            runner.run(renders, jobs, echo)
            if printer:  # before the scan, which reads the PDF's text
                prints = [
                    step
                    for lang in langs
                    for step in print_steps(
                        printer, lang, trees[lang], left_out, work, html, cache, front.title(lang)
                    )
                ]
                runner.run(prints, jobs, echo)
            elif pdf:
                echo(f"{'note':<9} {t('site.pdf_skipped', message_lang)}")
            (html / "index.html").write_text(landing_page(front), encoding="utf-8")
            (html / "404.html").write_text(not_found_page(front), encoding="utf-8")
            (html / ".nojekyll").touch()
            if citation := citation_cff(front):
                (html / "CITATION.cff").write_text(citation, encoding="utf-8")
            strip_source_maps(book)
            try:
                progress.step(
                    "scan",
                    "book",
                    "",
                    lambda: scan(book, (ROOT, data_dir, out, work, Path.home()), data_dir),
                )
            except (InputError, BuildError):
                cache.discard()  # what this build kept may hold what the book must not publish
                raise
            write_record(
                out,
                {
                    "data_sha256": data_digest(data_dir),
                    "chapters": [chapter.name for chapter in chapters],
                    "langs": langs,
                    "suppress_below": suppress_below,
                    "compare": compare,
                },
                book,
            )
            cache.prune()
            stop_if_requested()  # the last moment at which the previous book stays
            publish(book, out)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    echo(f"{'cache':<9} {cache.summary()}")
    progress.total()
    return out / "html"
