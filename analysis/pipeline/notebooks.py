"""Execute pages with papermill, several in one warm kernel, and make them ready for the reader.

A worker (``python -m analysis.pipeline.notebooks STATE_DIR TREE PAGE LANG [TREE PAGE LANG ...]``)
starts one Jupyter kernel and executes its pages in it one after another: the kernel's
imports (pandas, matplotlib, statsmodels, the chapters), which take longer than most pages,
are paid once per worker rather than once per page. Before each page a setup cell, removed
again afterwards, clears the kernel's namespace and closes every figure, so a page comes out
the same whichever pages ran before it in the kernel (execution counts are renumbered for the
same reason). Every folder a page uses is one of its parameters (``state_dir``, ``book_dir``,
``figure_dir``), never the kernel's working directory.

The kernel is this interpreter (ipykernel's own kernel spec, not a ``python3`` kernel spec
that a user's or the system's Jupyter folders may hold), so that it imports the same
installed ``analysis`` package as the build.

The worker reaches its kernel over IPC (Unix domain sockets) in a private temporary folder,
never over TCP: jupyter_client picks a TCP kernel's five ports by binding to port 0 and
releasing them, and the kernel binds them again only after it has started, seconds later on a
busy machine. Another process (another build's kernel choosing its ports, a Spark JVM, a
browser) may take one in between, and that kernel then dies at start ("Kernel died before
replying to kernel_info", its output saying "Address already in use"). Socket files in a
folder of the worker's own cannot be taken by anyone else. The kernel's output goes to a
file in that folder, and a kernel that dies is reported with its last lines.
"""

from __future__ import annotations

import copy
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

SETUP_TAG = "build-setup"
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters", SETUP_TAG)
# A code cell that, with the Markdown cell before it (its section's heading), is a section shown
# only when the cell shows something (the reproduction of a publication: data that reproduce
# none have no such section).
SECTION_IF_SHOWN_TAG = "section-if-shown"
PROGRESS = "progress "  # a worker's line that the build relays as a progress line
CURRENT = "current "  # a worker's line saying which page it has begun
FAILURE = "failure "  # a worker's line of the error message that the build reports
KERNEL_LOG_LINES = 15  # the lines of a dead kernel's output that its error message quotes


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


def step_line(action: str, subject: str, lang: str, seconds: float) -> str:
    """The progress line of a finished build step: what, of which page, language, how long."""
    return f"{action:<9} {subject:<12} {lang:<3} {seconds:7.1f} s"


@dataclass(frozen=True)
class PageRun:
    """One page of one language, executed in place in its language's source tree."""

    tree: Path
    page: str
    lang: str

    @property
    def notebook(self) -> Path:
        return self.tree / f"{self.page}.ipynb"

    @property
    def figure_dir(self) -> str:
        return f"figures/{self.page}"


def setup_cell() -> nbformat.NotebookNode:
    """The hidden first cell: a clean namespace and no open figure."""
    source = "\n".join(
        ["%reset -f", "import matplotlib.pyplot as _plt", "_plt.close('all')", "del _plt"]
    )
    return nbformat.v4.new_code_cell(source, metadata={"tags": [SETUP_TAG]})


def _without_empty_sections(cells: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """``cells`` without each cell tagged ``SECTION_IF_SHOWN_TAG`` that shows nothing and the
    heading cell before it; the tag taken off the cells that show something."""
    kept: list[nbformat.NotebookNode] = []
    for cell in cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if SECTION_IF_SHOWN_TAG not in tags:
            kept.append(cell)
            continue
        if cell.get("outputs"):
            tags.remove(SECTION_IF_SHOWN_TAG)
            kept.append(cell)
        elif kept and kept[-1].cell_type == "markdown":
            kept.pop()
    return kept


def prepare_for_reader(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop the build's own cells (setup, parameters) and the sections that show nothing
    (``SECTION_IF_SHOWN_TAG``), number the code cells from 1 and hide code behind a toggle."""
    notebook.cells = _without_empty_sections(
        [
            cell
            for cell in notebook.cells
            if not set(HIDDEN_CELL_TAGS) & set(cell.get("metadata", {}).get("tags", []))
        ]
    )
    count = 0
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output.execution_count = count
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
    notebook.metadata.pop("papermill", None)
    return notebook


class PrivateKernel(AsyncKernelManager):
    """A manager of this interpreter's kernel, reached over IPC sockets in ``folder`` (which
    must be the caller's own), the kernel's output (stdout and stderr) written to a file there."""

    def __init__(self, folder: Path) -> None:
        super().__init__(
            kernel_name="python3",
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[]),
            transport="ipc",
            ip=str(folder / "ipc"),
            connection_file=str(folder / "kernel.json"),
        )
        self.log_file = folder / "kernel.log"

    async def start_kernel(self, **kw: object) -> None:
        """Start the kernel with its output appended to ``log_file``."""
        with open(self.log_file, "ab") as log:
            await super().start_kernel(stdout=log, stderr=log, **kw)

    def last_output(self, lines: int = KERNEL_LOG_LINES) -> str:
        """The last ``lines`` lines the kernel wrote ("" if none)."""
        if not self.log_file.exists():
            return ""
        text = self.log_file.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.strip().splitlines()[-lines:])


@contextmanager
def private_kernel() -> Iterator[PrivateKernel]:
    """A ``PrivateKernel`` in a new temporary folder; on the way out its kernel (if started)
    is shut down and the folder removed. The folder is in the system's temporary folder, whose
    short path leaves room for the sockets' names (at most 107 bytes on Linux)."""
    with tempfile.TemporaryDirectory(prefix="rtw-kernel-") as folder:
        kernel = PrivateKernel(Path(folder))
        try:
            yield kernel
        finally:
            if kernel.has_kernel:
                run_sync(kernel.shutdown_kernel)(now=True)


def execute_page(run: PageRun, kernel: PrivateKernel, parameters: Mapping[str, object]) -> None:
    """Execute one page in place in ``kernel`` with papermill, given ``lang``, its folders
    (``book_dir``, ``figure_dir``) and ``parameters``; raise ``BuildError`` naming the page,
    language and cell on failure."""
    # Papermill is imported by the worker that executes pages, not by the build and the tests
    # that import this module (0.3 s).
    import papermill
    from papermill.exceptions import PapermillExecutionError

    page = nbformat.read(run.notebook, as_version=4)
    notebook = copy.deepcopy(page)
    notebook.cells.insert(0, setup_cell())
    try:
        executed = papermill.execute_notebook(
            notebook,
            None,
            parameters={
                "lang": run.lang,
                "book_dir": str(run.tree),
                "figure_dir": run.figure_dir,
                **parameters,
            },
            kernel_name="python3",
            cwd=str(run.tree),
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            km=kernel,
        )
    except RuntimeError as error:  # nbclient's DeadKernelError, or a death before kernel_info
        if run_sync(kernel.is_alive)():
            raise
        output = kernel.last_output()
        raise BuildError(
            f"notebook '{run.page}' in language '{run.lang}': the kernel died ({error}); "
            + (f"its last output:\n{output}" if output else "is the machine out of memory?")
        ) from None
    except PapermillExecutionError as error:
        # Papermill counts the setup cell and the parameters it injects; the page does not.
        cell = error.cell_index - 2
        code_cell = sum(
            1
            for c in page.cells[: cell + 1]
            if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
        )
        raise BuildError(
            f"notebook '{run.page}' failed in language '{run.lang}' at code cell "
            f"{code_cell} (cell {cell + 1} of the page): {error.ename}: {error.evalue}"
        ) from None
    nbformat.write(prepare_for_reader(executed), run.notebook)


def execute_pages(
    runs: Sequence[PageRun],
    parameters: Mapping[str, object],
    echo: Callable[[str], None] = print,
) -> None:
    """Execute ``runs`` one after another in one kernel; print a progress line per page."""
    # Started by the first page's papermill run, in nbclient's event loop, and kept: papermill
    # leaves a kernel manager it was given running. An asynchronous one, so that nbclient
    # notices a kernel that dies while a cell runs.
    with private_kernel() as kernel:
        for run in runs:
            echo(f"{CURRENT}{run.page} {run.lang}")
            began = time.perf_counter()
            execute_page(run, kernel, parameters)
            seconds = time.perf_counter() - began
            echo(PROGRESS + step_line("execute", run.page, run.lang, seconds))


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.pipeline.notebooks STATE_DIR TREE PAGE LANG [...]``: execute pages
    (the build runs several such workers at a time, each in a process group of its own)."""
    state_dir, *rest = argv if argv is not None else sys.argv[1:]
    # Stopped by the build (failure elsewhere, Ctrl-C): shut the kernel down on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    runs = [PageRun(Path(t), p, lang) for t, p, lang in zip(*[iter(rest)] * 3, strict=True)]
    try:
        execute_pages(runs, {"state_dir": state_dir}, lambda line: print(line, flush=True))
    except BuildError as error:
        print("\n".join(FAILURE + line for line in str(error).splitlines()), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
