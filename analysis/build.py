"""The book pipeline: validate inputs, execute notebooks per language, build, swap in.

``build()`` is what ``rtw-report build`` (and ``make book``) runs:

1. validate every input file of the selected components against its schema;
2. per language, assemble a Jupyter Book source tree from ``_config.yml``, ``_toc.yml`` and
   ``book/<lang>/``, and execute each component's MyST notebook with papermill, passing
   ``data_dir``, ``lang``, ``results_dir`` and the component's own parameters;
3. run ``jupyter-book build`` on each tree with execution off and warnings as errors;
4. write the landing page and move the new ``html/`` and ``results/`` into place.

Everything is built in a temporary folder inside ``out`` and swapped in only when every
step has succeeded, so a failed build leaves the previous book untouched.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import jupytext
import nbformat
import papermill
import pybtex.database
import yaml
from papermill.exceptions import PapermillExecutionError

from analysis.i18n import LANGS, check_lang, t

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
SPHINX_LANGUAGE = {"nb": "nb_NO", "en": "en"}
SUMMARY_PAGE = "reproduction"


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True)
class Component:
    """One study chapter: its notebook page, input loader and papermill parameters."""

    name: str
    loader: str  # "module:function" that reads and validates the inputs of ``data_dir``
    parameters: Mapping[str, object] = field(default_factory=dict)

    def load(self, data_dir: Path) -> object:
        """Read and validate this component's inputs (raises ``InputError``)."""
        module, function = self.loader.split(":")
        return getattr(importlib.import_module(module), function)(data_dir)

    def exists(self, book: Path = BOOK) -> bool:
        """True when the chapter's notebook page exists in every language."""
        return all((book / lang / f"{self.name}.md").is_file() for lang in LANGS)


COMPONENTS: dict[str, Component] = {
    component.name: component
    for component in (
        Component("provider", "analysis.provider:load"),
        Component("cohort", "analysis.cohort:load", {"follow_up_days": 360, "suppress_below": 5}),
        Component("meta", "analysis.meta:load"),
        Component("interviews", "analysis.interviews:load", {"suppress_below": 5}),
    )
}


def select_components(only: Iterable[str] | None) -> list[Component]:
    """The components to build: those named in ``only``, else every one that exists."""
    if not only:
        return [component for component in COMPONENTS.values() if component.exists()]
    unknown = [name for name in only if name not in COMPONENTS]
    if unknown:
        raise BuildError(
            f"unknown component(s) {', '.join(unknown)}; choose from {', '.join(COMPONENTS)}"
        )
    missing = [name for name in only if not COMPONENTS[name].exists()]
    if missing:
        raise BuildError(f"component(s) {', '.join(missing)} have no chapter in book/ yet")
    return [COMPONENTS[name] for name in only]


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


def book_config(lang: str) -> dict:
    """The top-level ``_config.yml`` with the language-specific settings filled in."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = t("site.title", lang)
    config["author"] = t("site.author", lang)
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["language"] = SPHINX_LANGUAGE[lang]
    sphinx_config["rtw_lang"] = lang
    sphinx_config["bibtex_default_style"] = f"rtw_{lang}"
    return config


def localise_bibliography(text: str, lang: str) -> str:
    """BibTeX with each ``<field>_<lang>`` copied to ``<field>`` and other languages dropped."""
    data = pybtex.database.parse_string(text, "bibtex")
    for entry in data.entries.values():
        for name in list(entry.fields):
            base, _, suffix = name.rpartition("_")
            if suffix in LANGS:
                value = entry.fields.pop(name)
                if suffix == lang:
                    entry.fields[base] = value
    return data.to_string("bibtex")


def book_toc(pages: set[str]) -> dict:
    """The top-level ``_toc.yml`` without the chapters that are not being built."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    toc["chapters"] = [entry for entry in toc["chapters"] if entry["file"] in pages]
    return toc


def assemble_tree(tree: Path, lang: str, components: list[Component]) -> list[str]:
    """Copy one language's sources into ``tree``; return the notebook pages to execute."""
    skipped = [name for name in COMPONENTS if name not in {c.name for c in components}]
    shutil.copytree(BOOK / lang, tree, ignore=shutil.ignore_patterns(*(f"{s}.md" for s in skipped)))
    for name in skipped:
        if COMPONENTS[name].exists():  # a short page keeps links to the chapter working
            (tree / f"{name}.md").write_text(
                f"# {t(f'repro.component.{name}', lang)}\n\n{t('site.not_built', lang)}\n",
                encoding="utf-8",
            )
    shutil.copytree(BOOK / "_static", tree / "_static")
    bibliography = (BOOK / "references.bib").read_text(encoding="utf-8")
    (tree / "references.bib").write_text(
        localise_bibliography(bibliography, lang), encoding="utf-8"
    )
    pages = {path.stem for path in tree.glob("*.md")}
    (tree / "_config.yml").write_text(yaml.safe_dump(book_config(lang), allow_unicode=True))
    (tree / "_toc.yml").write_text(yaml.safe_dump(book_toc(pages), allow_unicode=True))
    return [component.name for component in components] + [SUMMARY_PAGE]


def prepare_for_reader(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop papermill's injected-parameters cell and hide code behind a toggle."""
    notebook.cells = [
        cell
        for cell in notebook.cells
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", [])
    ]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
    return notebook


def execute_page(page: str, lang: str, tree: Path, parameters: Mapping[str, object]) -> None:
    """Execute ``tree/<page>.md`` with papermill into ``tree/<page>.ipynb``."""
    source = tree / f"{page}.md"
    unexecuted = tree / f"{page}.unexecuted.ipynb"
    output = tree / f"{page}.ipynb"
    nbformat.write(jupytext.read(source), unexecuted)
    source.unlink()
    try:
        papermill.execute_notebook(
            unexecuted,
            output,
            parameters={"lang": lang, **parameters},
            kernel_name="python3",
            cwd=str(tree),
            progress_bar=False,
            log_output=False,
        )
    except PapermillExecutionError as error:
        raise BuildError(
            f"notebook '{page}' failed in language '{lang}' at code cell "
            f"{error.exec_count} (cell {error.cell_index + 1} of the page): "
            f"{error.ename}: {error.evalue}"
        ) from None
    finally:
        unexecuted.unlink()
    nbformat.write(prepare_for_reader(nbformat.read(output, as_version=4)), output)


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


def _swap_in(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old)


def page_parameters(
    page: str, shared: Mapping[str, object], suppress_below: int | None = None
) -> dict[str, object]:
    """Papermill parameters of one page: the shared ones, the component's own, and the
    disclosure-control threshold where the page has one and it was given."""
    parameters = {**shared, **(COMPONENTS[page].parameters if page in COMPONENTS else {})}
    if suppress_below is not None and "suppress_below" in parameters:
        if suppress_below < 0:
            raise ValueError(f"--suppress-below must be 0 or more, not {suppress_below}")
        parameters["suppress_below"] = suppress_below
    return parameters


def build(
    data_dir: Path,
    out: Path,
    langs: Iterable[str] = LANGS,
    only: Iterable[str] | None = None,
    suppress_below: int | None = None,
    echo: Callable[[str], None] = print,
) -> Path:
    """Build the book into ``out/html`` and the results into ``out/results``.

    ``suppress_below`` overrides the disclosure-control threshold of the person-level
    chapters (counts from 1 to ``suppress_below - 1`` are hidden; 0 turns control off).
    """
    data_dir, out = Path(data_dir).resolve(), Path(out).resolve()
    langs = [check_lang(lang) for lang in langs]
    # Kernels and the Sphinx extension import this checkout's ``analysis`` package.
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if str(ROOT) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, paths)])
    components = select_components(only)
    progress = Progress(echo)
    for component in components:
        progress.step("validate", component.name, "", lambda c=component: c.load(data_dir))
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=out))
    try:
        results_dir = work / "results"
        results_dir.mkdir()
        html = work / "html"
        html.mkdir()
        shared = {"data_dir": str(data_dir), "results_dir": str(results_dir)}
        for lang in langs:
            tree = work / "src" / lang
            pages = assemble_tree(tree, lang, components)
            for page in pages:
                parameters = page_parameters(page, shared, suppress_below)
                progress.step(
                    "execute",
                    page,
                    lang,
                    lambda p=page, lg=lang, tr=tree, pr=parameters: execute_page(p, lg, tr, pr),
                )
            built = progress.step(
                "render", "book", lang, lambda lg=lang, tr=tree: jupyter_book(tr, work / "jb" / lg)
            )
            shutil.move(str(built), html / lang)
        (html / "index.html").write_text(landing_page(), encoding="utf-8")
        (html / ".nojekyll").touch()
        _swap_in(html, out / "html")
        _swap_in(results_dir, out / "results")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    progress.total()
    return out / "html"
