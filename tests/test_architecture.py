"""The layers of ``analysis/`` import one way, down, and the statistics stay pure."""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from analysis.chapters import CHAPTERS

PACKAGE = Path(__file__).resolve().parent.parent / "analysis"
# Modules of a chapter that render or assemble; every other module of a chapter is its data
# or statistics layer.
RENDERING = {"__init__", "chapter", "reproduction", "tables", "figures", "narrative", "page"}
# What the data and statistics layer must never reach, directly or through the project.
NOT_IN_STATISTICS = ("matplotlib", "seaborn", "IPython", "papermill", "myst_nb")
NOT_IN_STATISTICS_PROJECT = ("analysis.core.i18n", "analysis.core.display", "analysis.pipeline")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(nodes: list[ast.AST]) -> set[str]:
    """The modules (and names in them) that the import statements among ``nodes`` import."""
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@cache
def modules() -> dict[str, Path]:
    """Every module of the package and its file (the parametrized tests are collected from
    these names: parsing every module takes a second, left to the tests that read them)."""
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


@cache
def imports_where() -> dict[str, tuple[set[str], set[str]]]:
    """Every module of the package and the modules it imports (absolute names): at its top
    level, and anywhere (also inside its functions). Each module is parsed once, and its tree
    not kept (holding every tree made Python's garbage collection slower than parsing)."""
    found = {}
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found[module] = (imported(tree.body), imported(list(ast.walk(tree))))
    return found


@cache
def imports() -> dict[str, set[str]]:
    """Every module of the package and the modules it imports, also inside its functions."""
    return {module: anywhere for module, (_, anywhere) in imports_where().items()}


def reachable(module: str) -> set[str]:
    """Every module ``module`` imports, following the project's own modules."""
    graph, seen, todo = imports(), set(), [module]
    while todo:
        for name in graph.get(todo.pop(), ()):
            if name not in seen:
                seen.add(name)
                if name in graph:
                    todo.append(name)
    return seen


def statistics_modules() -> list[str]:
    return sorted(
        name
        for name in modules()
        if name.startswith("analysis.chapters.")
        and name.count(".") == 3
        and name.rsplit(".", 1)[1] not in RENDERING
    )


def test_every_chapter_has_the_layers():
    for name in CHAPTERS:
        folder = PACKAGE / "chapters" / name
        for layer in ("data", "chapter", "reproduction", "page"):
            assert (folder / f"{layer}.py").is_file(), f"{name}: no {layer}.py"
        assert (folder / "labels.yaml").is_file() and (folder / "published.yaml").is_file()
        assert any(f"analysis.chapters.{name}." in m for m in statistics_modules()), name


@pytest.mark.parametrize("module", statistics_modules())
def test_statistics_do_not_reach_labels_plotting_or_the_build(module):
    reached = reachable(module)
    if not module.endswith(".data"):  # only a loader words messages (input problems) itself
        assert not [n for n in imports()[module] if n.startswith("analysis.core.catalog")]
    assert not [
        name
        for name in reached
        if name.split(".")[0] in NOT_IN_STATISTICS
        or any(name.startswith(banned) for banned in NOT_IN_STATISTICS_PROJECT)
    ]


# What the modules that compute results must not import: they hold label keys, codes and
# numbers, and only rendering translates them.
RENDERING_ONLY = ("analysis.core.catalog", "analysis.core.i18n", "analysis.core.display")
LAYER_PARTS = [[layer] for layer in ("narrative", "tables", "figures", "page")]


def result_modules() -> list[str]:
    """The statistics modules, every chapter's ``reproduction`` and ``chapter``, and the core
    module of reproduction rows."""
    layers = [
        f"analysis.chapters.{name}.{layer}"
        for name in CHAPTERS
        for layer in ("reproduction", "chapter")
    ]
    return [*statistics_modules(), *layers, "analysis.core.reproduction"]


def rendering_imports(names: set[str]) -> list[str]:
    """The names among ``names`` that belong to the rendering: the catalog, i18n, display, or
    a chapter's narrative, tables, figures or page."""
    return sorted(
        name
        for name in names
        if name.startswith(RENDERING_ONLY)
        or (name.startswith("analysis.chapters.") and name.split(".")[3:4] in LAYER_PARTS)
    )


def test_rendering_imports_finds_the_offenders():
    names = {
        "analysis.core.i18n.t",
        "analysis.core.catalog",
        "analysis.chapters.meta.narrative",
        "analysis.chapters.cohort.tables.table1",
        "analysis.chapters.cohort.survival",
        "analysis.core.problems.Message",
    }
    assert rendering_imports(names) == [
        "analysis.chapters.cohort.tables.table1",
        "analysis.chapters.meta.narrative",
        "analysis.core.catalog",
        "analysis.core.i18n.t",
    ]


@pytest.mark.parametrize("module", result_modules())
def test_results_are_computed_without_labels_or_rendering(module):
    assert module in imports(), f"{module}: no such module"
    # Directly: not the catalog, i18n, display, nor a narrative, tables, figures or page.
    assert rendering_imports(imports()[module]) == []
    # Through the project: nothing but the catalog (which a loader uses to word messages
    # about bad input).
    reached = {name for name in reachable(module) if not name.startswith("analysis.core.catalog")}
    assert rendering_imports(reached) == []


def test_settings_and_the_registry_are_leaves_and_nothing_below_the_build_imports_it():
    graph = imports()
    assert not [name for name in graph["analysis.core.settings"] if name.startswith("analysis")]
    assert not [
        name
        for name in graph["analysis.chapters"]
        if name.startswith("analysis") and not name.startswith("analysis.core.settings")
    ]
    for module, names in imports().items():
        if module.startswith(("analysis.core", "analysis.chapters")):
            assert not [n for n in names if n.startswith("analysis.pipeline")], module
        if module.startswith("analysis.core"):
            assert not [n for n in names if n.startswith("analysis.chapters")], module
        if module.startswith(("analysis.core", "analysis.chapters.")):
            # Generators and importers build on the chapters, never the other way round.
            tools = ("analysis.generators", "analysis.importers")
            assert not [n for n in names if n.startswith(tools)], module


@pytest.mark.slow  # a new interpreter importing the statistics stack: seconds
def test_importing_a_chapter_loads_neither_papermill_nor_the_build():
    code = (
        "import sys, analysis.chapters.cohort.chapter; "
        "print(sorted(m for m in sys.modules if m.startswith(('papermill', 'analysis.pipeline'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


# The modules that run the register derivation in Ibis (DuckDB, Spark). Every other module
# imports them only inside the function that reads an extract, so that a page's kernel, the
# statistics and the tests load without Ibis.
IBIS_MODULES = (
    "analysis.chapters.cohort.spells",
    "analysis.chapters.cohort.persons",
    "analysis.pipeline.bench",
)


def test_only_the_register_derivation_loads_ibis_on_import():
    for module, (loaded, _) in imports_where().items():
        if module in IBIS_MODULES:
            continue
        assert not [name for name in loaded if name.startswith(("ibis", *IBIS_MODULES))], module


def test_no_test_module_imports_another():
    """What test modules share lives in ``tests/helpers.py`` and ``tests/conftest.py``."""
    for path in Path(__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module or ''}.{alias.name}" for alias in node.names]
            else:
                continue
            assert not [
                name for name in names if any(p.startswith("test_") for p in name.split("."))
            ], path.name
