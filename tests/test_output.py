"""The output folder: never someone else's files, one build at a time, the swap in one step,
and an interrupted build leaves the previous book."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psutil
import pytest

from analysis import cli
from analysis.core.settings import ROOT
from analysis.pipeline import output, runner
from analysis.pipeline.interrupt import stoppable
from analysis.pipeline.notebooks import BuildError
from analysis.pipeline.runner import Step
from tests.helpers import SHIPPED_DATA

T = TypeVar("T")


def fake_book(folder: Path, text: str) -> Path:
    for name in output.PUBLISHED:
        (folder / name).mkdir(parents=True)
    (folder / "html" / "index.html").write_text(text)
    return folder


def test_a_folder_with_html_not_made_by_rtw_report_is_refused(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "mine.html").write_text("mine")
    with pytest.raises(BuildError, match="did not make"):
        output.claim(tmp_path)
    assert not (tmp_path / output.MARKER).exists()
    assert (tmp_path / "html" / "mine.html").read_text() == "mine"


def test_a_marker_that_lists_no_book_does_not_make_html_its_own(tmp_path):
    (tmp_path / output.MARKER).write_text("{}")
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "mine.html").write_text("mine")
    with pytest.raises(BuildError, match="did not make"):
        output.claim(tmp_path)
    assert (tmp_path / "html" / "mine.html").read_text() == "mine"


def test_the_marker_proves_the_book_it_lists_and_no_other(tmp_path):
    output.claim(tmp_path)
    first = fake_book(tmp_path / ".build-a" / "book", "first")
    output.write_record(tmp_path, {"chapters": []}, first)
    output.publish(first, tmp_path)
    output.claim(tmp_path)  # the book it made
    # Killed after the marker lists the next book but before the swap: still its own.
    second = fake_book(tmp_path / ".build-b" / "book", "second")
    output.write_record(tmp_path, {"chapters": []}, second)
    output.claim(tmp_path)
    output.publish(second, tmp_path)
    output.claim(tmp_path)
    (tmp_path / "results" / "notes.txt").write_text("someone else's")
    with pytest.raises(BuildError, match="not the book it recorded"):
        output.claim(tmp_path)
    assert (tmp_path / "results" / "notes.txt").exists()


@pytest.mark.parametrize("where", ["root", "data", "inside_data", "sources", "above_sources"])
def test_an_output_folder_that_would_replace_what_is_not_the_book_is_refused(
    tmp_path, capsys, where
):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data)
    out = {
        "root": Path("/"),
        "data": data,
        "inside_data": data / "meta",
        "sources": ROOT,
        "above_sources": ROOT.parent,
    }[where]
    made = [out / output.MARKER, out / output.LOCK]
    assert not any(path.exists() for path in made)
    argv = ["build", "--data", str(data), "--only", "provider", "--lang", "en", "--out", str(out)]
    assert cli.main(argv) == 1
    assert f"--out {out} " in capsys.readouterr().err
    assert not any(path.exists() for path in made)  # refused before writing anything


def test_an_unrelated_folder_gets_only_the_marker(tmp_path):
    (tmp_path / "notes.txt").write_text("notes")
    output.claim(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [output.MARKER, "notes.txt"]
    assert output.read_record(tmp_path) is None


def test_out_that_is_a_file_or_unwritable_gives_one_line(tmp_path, monkeypatch):
    file = tmp_path / "file"
    file.write_text("")
    with pytest.raises(BuildError, match="is a file"):
        output.claim(file)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(BuildError, match="cannot write to the output folder"):
        output.claim(tmp_path / "new")


def test_a_second_build_into_the_same_folder_stops(tmp_path):
    output.claim(tmp_path)
    with (
        output.locked(tmp_path),
        pytest.raises(BuildError, match="another rtw-report build"),
        output.locked(tmp_path),
    ):
        pass


def test_publish_swaps_the_whole_book_and_cleans_what_was_left(tmp_path):
    output.claim(tmp_path)
    output.publish(fake_book(tmp_path / ".build-a" / "book", "first"), tmp_path)
    (tmp_path / ".build-stale").mkdir()
    output.publish(fake_book(tmp_path / ".build-b" / "book", "second"), tmp_path)
    assert (tmp_path / "html" / "index.html").read_text() == "second"
    assert (tmp_path / "results").is_dir()
    books = [p.name for p in tmp_path.iterdir() if p.name.startswith(".book-")]
    assert len(books) == 1 and not (tmp_path / ".build-stale").exists()


def test_an_earlier_layout_is_replaced_by_the_current_one(tmp_path):
    output.claim(tmp_path)
    fake_book(tmp_path, "old layout")
    output.publish(fake_book(tmp_path / ".build-a" / "book", "new"), tmp_path)
    assert (tmp_path / "html").is_symlink()
    assert (tmp_path / "html" / "index.html").read_text() == "new"


@pytest.mark.parametrize(
    ("arguments", "status", "message"),
    [
        (["--lang", ""], 1, "names no language"),
        (["--only", ""], 1, "names no chapter"),
        (["--data", "/nonexistent/rtw"], 2, "the data folder does not exist"),
    ],
)
def test_empty_choices_and_a_missing_data_folder_are_refused(
    tmp_path, capsys, arguments, status, message
):
    argv = ["build", "--out", str(tmp_path / "out"), "--data", str(SHIPPED_DATA), "--lang", "en"]
    argv += arguments
    assert cli.main(argv) == status
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out" / "html").exists()


# The machine may be busy: the tests wait on events (a line, a process), never on a time, and
# give each event this long before they fail.
DEADLINE = 120.0


def wait_until(condition: Callable[[], T], what: str) -> T:
    """``condition()`` once it is true (polled), failing when ``DEADLINE`` seconds pass first."""
    end = time.monotonic() + DEADLINE
    while not (result := condition()):
        assert time.monotonic() < end, f"waited {DEADLINE:.0f} s for {what}"
        time.sleep(0.05)
    return result


def build_until(
    command: list[str], prefix: str, count: int, errors: Path
) -> tuple[subprocess.Popen, list[psutil.Process]]:
    """Start the build ``command``, wait until it has printed ``count`` lines starting with
    ``prefix`` and has a child process, and stop it there with its children; return it and
    its children (stderr goes to ``errors``)."""
    with errors.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(line.decode() for line in process.stdout), daemon=True
    )
    reader.start()

    def reached() -> bool:
        """True once the step is reached; fails when the build ended before it."""
        assert process.poll() is None, lines
        return sum(line.startswith(prefix) for line in list(lines)) >= count

    def paused_children() -> list[psutil.Process]:
        """The build and its children, stopped (SIGSTOP) so that the build cannot go on
        however slowly this test runs; empty (and resumed) if it has no child to stop."""
        if not reached():
            return []
        build = psutil.Process(process.pid)
        build.suspend()
        children = build.children(recursive=True)
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.suspend()
        alive = [child for child in children if child.is_running() and not _gone(child)]
        if not alive:
            resume([*children, build])
            return []
        return alive

    wait_until(reached, f"{count} '{prefix}' line(s)")
    children = wait_until(paused_children, f"a child process of the build after '{prefix}'")
    return process, children


def resume_build(process: subprocess.Popen, children: list[psutil.Process]) -> None:
    """Let a build stopped by ``build_until`` and its children run again."""
    resume([psutil.Process(process.pid), *children])


def resume(children: list[psutil.Process]) -> None:
    """Let stopped children run again (SIGCONT)."""
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.resume()


@pytest.mark.book
def test_a_killed_build_leaves_the_previous_book_and_no_processes(tmp_path):
    out = tmp_path / "out"
    command = [
        sys.executable, "-u", "-m", "analysis.cli", "build", "--data", str(SHIPPED_DATA),
        "--only", "provider", "--lang", "en", "--out", str(out),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    before = (out / "html" / "en" / "provider.html").read_bytes()
    # Killed while the pages execute (after the analysis), and while Jupyter Book renders
    # (after both pages); --force so that nothing comes from the cache.
    for prefix, count in (("analyse", 1), ("execute", 2)):
        errors = tmp_path / f"{prefix}.stderr"
        process, children = build_until([*command, "--force"], prefix, count, errors)
        process.send_signal(signal.SIGTERM)  # while it is stopped: it cannot have ended
        resume_build(process, children)
        assert process.wait(timeout=DEADLINE) == 130, errors.read_text(errors="replace")
        assert b"interrupted" in errors.read_bytes()
        psutil.wait_procs(children, timeout=DEADLINE)
        assert not [child.pid for child in children if child.is_running()], prefix
        assert (out / "html" / "en" / "provider.html").read_bytes() == before
        assert not [p for p in out.iterdir() if p.name.startswith(".build-")]
        assert os.path.isdir(out / "results")


class SignalsWhileFinalised:
    """An object that sends this process SIGTERM while Python finalises it, where the
    handler's ``KeyboardInterrupt`` is lost ("Exception ignored in …")."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # its handler runs here, in the finaliser


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_stop_signal_whose_exception_is_lost_in_a_finaliser_still_stops():
    went_on = []
    with pytest.raises(KeyboardInterrupt), stoppable():
        SignalsWhileFinalised()
        went_on.append(True)  # the exception was lost, as Python does
    assert went_on
    with pytest.raises(KeyboardInterrupt), stoppable():
        SignalsWhileFinalised()
        runner.run([Step("x", "", "", [sys.executable, "-c", ""])], 1, print)  # asks again
        raise AssertionError("the step ran to its end")


# Runs the command with a SIGTERM sent to itself when it imports the build (pandas,
# papermill: the slow first seconds of every build).
TERM_WHILE_STARTING = """
import builtins, os, signal, sys
real_import = builtins.__import__
def import_and_stop(name, *args, **kwargs):
    if name == "analysis.pipeline.build":
        builtins.__import__ = real_import
        os.kill(os.getpid(), signal.SIGTERM)
    return real_import(name, *args, **kwargs)
builtins.__import__ = import_and_stop
from analysis import cli
sys.exit(cli.main(sys.argv[1:]))
"""


def test_sigterm_while_the_command_starts_is_an_interruption_like_any_other(tmp_path):
    out = tmp_path / "out"
    argv = ["build", "--data", str(SHIPPED_DATA), "--lang", "en", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-c", TERM_WHILE_STARTING, *argv], capture_output=True, timeout=300
    )
    assert result.returncode == 130, result.stderr
    assert b"interrupted" in result.stderr
    assert not out.exists()


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _command_line(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


# A build's runner with one step that would run for ten minutes.
RUNNER_WITH_A_LONG_STEP = """
import sys
from analysis.pipeline import runner
step = runner.Step("execute", "page", "", [sys.executable, "-c", "import time; time.sleep(600)"])
print("running", flush=True)
runner.run([step], 1, print)
"""


@pytest.mark.slow  # a runner in a process of its own
def test_a_step_dies_with_the_build_even_when_the_build_is_killed_outright():
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER_WITH_A_LONG_STEP], stdout=subprocess.PIPE
    )
    assert process.stdout.readline() == b"running\n"
    build = psutil.Process(process.pid)
    deadline = time.monotonic() + 120
    while not (steps := build.children()):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    process.kill()
    process.wait()
    deadline = time.monotonic() + 60
    while not all(_gone(step) for step in steps):
        assert time.monotonic() < deadline, "the step outlived the build"
        time.sleep(0.5)


@pytest.mark.book
def test_a_build_killed_outright_leaves_no_worker_or_kernel_running(tmp_path):
    command = [
        sys.executable, "-m", "analysis.cli", "build", "--data", str(SHIPPED_DATA),
        "--only", "provider", "--lang", "en", "--out", str(tmp_path / "out"),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    build = psutil.Process(process.pid)
    deadline = time.monotonic() + 300
    family: list[psutil.Process] = []
    while not any("ipykernel" in _command_line(child) for child in family):  # pages executing
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
        family = build.children(recursive=True)
    process.kill()
    process.wait()
    deadline = time.monotonic() + 60
    while not all(_gone(child) for child in family):
        assert time.monotonic() < deadline, [_command_line(c) for c in family if not _gone(c)]
        time.sleep(0.5)
