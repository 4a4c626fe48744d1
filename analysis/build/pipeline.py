"""The book pipeline: validate, analyse once, render per language, build, swap in.

``build()`` is what ``rtw-report build`` (and ``make book``) runs:

1. validate: load every input file of the selected chapters against its schemas;
2. analyse: run each chapter's ``analyse`` once, write ``results/<chapter>.json`` and keep the
   typed results for the pages;
3. per language, assemble a Jupyter Book source tree from the single-source pages of
   ``book/`` (:mod:`analysis.build.sources`) and execute each notebook page with papermill,
   passing ``lang`` and ``state_dir``: the pages only render the kept results;
4. run ``jupyter-book build`` on each tree with execution off and warnings as errors;
5. write the landing page, scan every built file for identifiers and paths of this machine
   (:mod:`analysis.build.scan`), and make the new ``html/`` and ``results/`` current in one step.

Everything is built in a temporary folder inside ``out`` and swapped in only when every step
has succeeded (:mod:`analysis.build.output`), so a failed or interrupted build leaves the
previous book untouched.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path

from analysis.build import sources
from analysis.build.notebooks import BuildError, execute_page
from analysis.build.output import claim, clean_stale, locked, new_work_folder, publish, write_record
from analysis.build.scan import scan, strip_source_maps
from analysis.build.sources import ROOT, assemble_tree
from analysis.chapters import CHAPTERS, Chapter
from analysis.core.contracts import contract_markdown
from analysis.core.i18n import LANGS, check_lang, t
from analysis.core.results import save_state, write_results
from analysis.core.validation import InputError, Problem, take_notes

__all__ = ["ROOT", "BuildError", "build"]


def chapter_exists(chapter: Chapter) -> bool:
    """True when the chapter has its page in ``book/``."""
    return (sources.BOOK / f"{chapter.name}.md").is_file()


def select_chapters(only: Iterable[str] | None) -> list[Chapter]:
    """The chapters to build: those named in ``only``, else every one that has a page."""
    if only is None:
        return [chapter for chapter in CHAPTERS.values() if chapter_exists(chapter)]
    only = list(only)
    if not only:
        raise BuildError("--only names no chapter; choose from " + ", ".join(CHAPTERS))
    unknown = [name for name in only if name not in CHAPTERS]
    if unknown:
        raise BuildError(
            f"unknown chapter(s) {', '.join(unknown)}; choose from {', '.join(CHAPTERS)}"
        )
    missing = [name for name in only if not chapter_exists(CHAPTERS[name])]
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


def contract_includes(chapters: list[Chapter]) -> Callable[[str], dict[str, str]]:
    """The generated data-contract include files of ``chapters``, per language."""
    schemas = {
        chapter.name: importlib.import_module(f"analysis.chapters.{chapter.name}.data").SCHEMAS
        for chapter in chapters
    }

    def includes(lang: str) -> dict[str, str]:
        return {
            f"includes/contract-{name}.md": contract_markdown(
                t(f"repro.component.{name}", lang), chapter_schemas, lang
            )
            for name, chapter_schemas in schemas.items()
        }

    return includes


class Progress:
    """Prints one line per step with its duration, and the total at the end."""

    def __init__(self, echo: Callable[[str], None] = print):
        self.echo = echo
        self.start = time.perf_counter()

    def step(self, action: str, subject: str, lang: str, run: Callable[[], object]) -> object:
        """Run one step and print what it was and how long it took."""
        began = time.perf_counter()
        result = run()
        self.echo(f"{action:<9} {subject:<12} {lang:<3} {time.perf_counter() - began:7.1f} s")
        return result

    def total(self) -> None:
        """Print the total build time."""
        self.echo(f"{'total':<26} {time.perf_counter() - self.start:7.1f} s")


def jupyter_book(tree: Path, output: Path) -> Path:
    """Build the HTML book of ``tree`` into ``output``; return the HTML folder."""
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(tree),
        "--path-output",
        str(output),
        "--warningiserror",
        "--keep-going",
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        log = (finished.stdout + finished.stderr).strip().splitlines()
        raise BuildError("jupyter-book build failed:\n" + "\n".join(log[-40:]))
    return output / "_build" / "html"


def landing_page() -> str:
    """The site's front page: the title in both languages and a link to each book."""
    links = "\n".join(
        f'    <li lang="{lang}"><a href="{lang}/index.html" hreflang="{lang}">'
        f"<strong>{escape(t('site.title', lang))}</strong><br>"
        f"{escape(t('site.landing_open', lang))}</a></li>"
        for lang in LANGS
    )
    return f"""<!DOCTYPE html>
<html lang="nb">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(t("site.title", "nb"))} / {escape(t("site.title", "en"))}</title>
  <link rel="alternate" hreflang="nb" href="nb/index.html">
  <link rel="alternate" hreflang="en" href="en/index.html">
  <style>
    body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;
           padding: 0 1rem; line-height: 1.5; color: #222; }}
    ul {{ list-style: none; padding: 0; }}
    li a {{ display: block; padding: 1rem 1.25rem; margin: 1rem 0; border: 1px solid #ccc;
            border-radius: .5rem; text-decoration: none; color: #0b4f8a; }}
    li a:hover, li a:focus {{ background: #eef4fb; }}
  </style>
</head>
<body>
  <h1>{escape(t("site.landing_choose", "nb"))} /
    <span lang="en">{escape(t("site.landing_choose", "en"))}</span></h1>
  <ul>
{links}
  </ul>
</body>
</html>
"""


def data_digest(data_dir: Path) -> str:
    """SHA-256 over the names and contents of every file under ``data_dir``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(data_dir).rglob("*") if p.is_file()):
        digest.update(path.relative_to(data_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_chapters(chapters: list[Chapter], data_dir: Path, progress: Progress) -> dict[str, object]:
    """Read and validate every chapter's inputs; print how files were read (notes)."""
    if not Path(data_dir).is_dir():
        raise InputError(
            [
                Problem(
                    str(data_dir),
                    None,
                    None,
                    "the data folder does not exist",
                    "give the folder that holds the data files with --data",
                )
            ]
        )
    take_notes()
    try:
        return {
            chapter.name: progress.step(
                "validate", chapter.name, "", lambda c=chapter: c.module().load(data_dir)
            )
            for chapter in chapters
        }
    finally:
        for text in take_notes():
            progress.echo(f"note      {text}")


def analyse(
    chapters: list[Chapter],
    data_dir: Path,
    results_dir: Path,
    state_dir: Path,
    progress: Progress,
    suppress_below: int | None = None,
    compare: bool = True,
) -> None:
    """Validate every chapter's inputs first, then analyse each chapter once (comparing with
    the publication its data declare, unless ``compare`` is False)."""
    loaded = load_chapters(chapters, data_dir, progress)
    for chapter in chapters:
        parameters = analysis_parameters(chapter, suppress_below)
        results = progress.step(
            "analyse",
            chapter.name,
            "",
            lambda c=chapter, p=parameters: c.module().analyse(
                loaded[c.name], compare=compare, **p
            ),
        )
        write_results(results_dir, chapter.name, results.to_json())
        save_state(state_dir, chapter.name, results)


def validate(
    data_dir: Path, only: Iterable[str] | None = None, echo: Callable[[str], None] = print
) -> None:
    """Check the inputs of the chosen chapters without building (raises ``InputError``)."""
    chapters = select_chapters(only)
    load_chapters(chapters, Path(data_dir).resolve(), Progress(echo))
    echo(f"the data of {', '.join(c.name for c in chapters)} are valid")


def build(
    data_dir: Path,
    out: Path,
    langs: Iterable[str] = LANGS,
    only: Iterable[str] | None = None,
    suppress_below: int | None = None,
    compare: bool = True,
    echo: Callable[[str], None] = print,
) -> Path:
    """Build the book into ``out/html`` and the results into ``out/results``.

    ``suppress_below`` overrides the disclosure-control threshold of the person-level
    chapters (counts from 1 to ``suppress_below - 1`` are hidden; 0 turns control off).
    ``compare=False`` leaves out every comparison with a publication.
    """
    data_dir, out = Path(data_dir).resolve(), Path(out).resolve()
    langs = [check_lang(lang) for lang in langs]
    if not langs:
        raise BuildError("--lang names no language; choose from " + ", ".join(LANGS))
    # Kernels and the Sphinx extension import this checkout's ``analysis`` package.
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if str(ROOT) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, paths)])
    chapters = select_chapters(only)
    left_out = [name for name in CHAPTERS if name not in {c.name for c in chapters}]
    progress = Progress(echo)
    claim(out, default=ROOT / "_build")
    with locked(out):
        clean_stale(out)
        work = new_work_folder(out)
        try:
            book = work / "book"
            results_dir, html, state_dir = book / "results", book / "html", work / "state"
            for folder in (results_dir, html, state_dir):
                folder.mkdir(parents=True)
            analyse(chapters, data_dir, results_dir, state_dir, progress, suppress_below, compare)
            contracts = contract_includes([c for c in CHAPTERS.values() if chapter_exists(c)])
            for lang in langs:
                render_language(lang, work, left_out, contracts, state_dir, html, progress)
            (html / "index.html").write_text(landing_page(), encoding="utf-8")
            (html / ".nojekyll").touch()
            strip_source_maps(book)
            progress.step(
                "scan",
                "book",
                "",
                lambda: scan(book, (ROOT, data_dir, out, work, Path.home())),
            )
            publish(book, out)
            write_record(
                out,
                {
                    "data_sha256": data_digest(data_dir),
                    "chapters": [chapter.name for chapter in chapters],
                    "langs": langs,
                    "suppress_below": suppress_below,
                    "compare": compare,
                },
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    progress.total()
    return out / "html"


def render_language(
    lang: str,
    work: Path,
    left_out: list[str],
    contracts: Callable[[str], dict[str, str]],
    state_dir: Path,
    html: Path,
    progress: Progress,
) -> None:
    """Assemble, execute and render one language's book into ``html/<lang>``."""
    tree = work / "src" / lang
    for page in assemble_tree(tree, lang, left_out, contracts, sources.BOOK):
        progress.step(
            "execute",
            page,
            lang,
            lambda p=page: execute_page(p, lang, tree, {"state_dir": str(state_dir)}),
        )
    built = progress.step("render", "book", lang, lambda: jupyter_book(tree, work / "jb" / lang))
    shutil.move(str(built), html / lang)
