"""The build's Jupyter kernels: many start at once without sharing anything, and one that dies
at start says why (issue 17: "Kernel died before replying to kernel_info" in 1 of ~5 CI runs,
several builds starting kernels at the same moment)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from analysis.pipeline import runner
from analysis.pipeline.build import execute_steps
from analysis.pipeline.cache import Cache
from analysis.pipeline.notebooks import BuildError, PageRun, private_kernel

pytestmark = pytest.mark.book

STARTUP_TIMEOUT = 300  # seconds: generous, the machine may be busy


def toy_page(tree: Path, name: str, source: str) -> None:
    """A page in ``tree`` with a parameters cell and one code cell."""
    cells = [
        nbformat.v4.new_code_cell("lang = 'en'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(source),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    nbformat.write(notebook, tree / f"{name}.ipynb")


def output_of(tree: Path, name: str) -> str:
    """The text the executed page's code cell printed."""
    return nbformat.read(tree / f"{name}.ipynb", as_version=4).cells[0].outputs[0].text


# Where the kernel reaches its client, as the kernel itself sees it.
WHERE = "from ipykernel.kernelapp import IPKernelApp\napp = IPKernelApp.instance()\n"
WHERE += "print(app.transport, app.ip)"


def test_workers_started_at_once_each_reach_their_kernel_over_a_socket_of_their_own(tmp_path):
    pages = 4
    for number in range(pages):
        toy_page(tmp_path, f"p{number}", WHERE)
    runs = [(PageRun(tmp_path, f"p{number}", "en"), f"key{number}") for number in range(pages)]
    steps = execute_steps(runs, pages, tmp_path / "state", Cache(tmp_path / "cache"))
    assert len(steps) == pages  # one worker, so one kernel, per page, all started at once
    runner.run(steps, jobs=pages, echo=lambda line: None)
    places = [output_of(tmp_path, f"p{number}").split() for number in range(pages)]
    assert {transport for transport, _ in places} == {"ipc"}
    folders = {Path(ip).parent for _, ip in places}
    assert len(folders) == pages  # no two kernels share a folder
    assert not any(folder.exists() for folder in folders)  # each removed with its worker


def test_a_kernel_that_dies_at_start_is_reported_with_its_last_output(tmp_path, monkeypatch):
    # A kernel that cannot start: Python runs sitecustomize before ipykernel.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import os, sys\n"
        "if 'ipykernel_launcher' in ' '.join(sys.orig_argv):\n"
        "    print('zmq.error.ZMQError: Address already in use', file=sys.stderr)\n"
        "    os._exit(1)\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(site))
    toy_page(tmp_path, "a", "print(1)")
    steps = execute_steps([(PageRun(tmp_path, "a", "en"), "key")], 1, tmp_path, Cache(tmp_path))
    with pytest.raises(BuildError) as raised:
        runner.run(steps, jobs=1, echo=lambda line: None)
    # The build's message, from the worker's process, names the page and quotes the kernel.
    message = str(raised.value)
    assert message.startswith("notebook 'a' in language 'en': the kernel died (")
    assert message.endswith("its last output:\nzmq.error.ZMQError: Address already in use")


class PortTakenAfterSelection(AsyncKernelManager):
    """A TCP kernel manager (as jupyter_client makes by default) whose shell port another
    process takes after the manager has chosen the ports and before the kernel binds them."""

    other: socket.socket

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: object) -> None:
        self.other = socket.socket()
        self.other.bind((self.ip, self.shell_port))
        self.other.listen()
        await super()._async_launch_kernel(kernel_cmd, **kw)


def ready(kernel: AsyncKernelManager) -> None:
    """Wait until ``kernel`` answers (raise if it dies first)."""
    client = kernel.client()
    client.start_channels()
    try:
        run_sync(client.wait_for_ready)(timeout=STARTUP_TIMEOUT)
    finally:
        client.stop_channels()


def test_a_port_taken_after_selection_kills_a_tcp_kernel_but_not_the_builds_kernel(tmp_path):
    """The old cause: jupyter_client chooses a TCP kernel's ports by binding to port 0 and
    releasing them; a port another process takes before the kernel binds it kills the kernel."""
    tcp = PortTakenAfterSelection(
        kernel_name="python3",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[]),
        connection_file=str(tmp_path / "tcp.json"),
    )
    assert tcp.transport == "tcp"
    log_file = tmp_path / "tcp.log"
    with open(log_file, "wb") as log:
        run_sync(tcp.start_kernel)(stdout=log, stderr=log)
    try:
        with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
            ready(tcp)
        assert "Address already in use" in log_file.read_text()

        # The build's kernel, started while that port is still taken, uses no port at all.
        with private_kernel() as kernel:
            run_sync(kernel.start_kernel)()
            ready(kernel)
            assert json.loads(Path(kernel.connection_file).read_text())["transport"] == "ipc"
    finally:
        tcp.other.close()
        run_sync(tcp.cleanup_resources)()
