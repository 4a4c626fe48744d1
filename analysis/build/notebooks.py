"""Execute one page of one language with papermill and make it ready for the reader."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

HIDDEN_CELL_TAGS = ("parameters", "injected-parameters")


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


def prepare_for_reader(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop the parameter cells (the build's own settings) and hide code behind a toggle."""
    notebook.cells = [
        cell
        for cell in notebook.cells
        if not set(HIDDEN_CELL_TAGS) & set(cell.get("metadata", {}).get("tags", []))
    ]
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
    notebook.metadata.pop("papermill", None)
    return notebook


def execute_page(page: str, lang: str, tree: Path, parameters: Mapping[str, object]) -> None:
    """Execute ``tree/<page>.ipynb`` in place with papermill, with ``lang`` and ``parameters``."""
    notebook = tree / f"{page}.ipynb"
    try:
        papermill.execute_notebook(
            notebook,
            notebook,
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
    nbformat.write(prepare_for_reader(nbformat.read(notebook, as_version=4)), notebook)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.build.notebooks TREE PAGE LANG STATE_DIR``: execute one page (the
    build runs pages this way, several at a time, each in a process of its own)."""
    tree, page, lang, state_dir = argv if argv is not None else sys.argv[1:]
    try:
        execute_page(page, lang, Path(tree), {"state_dir": state_dir})
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
