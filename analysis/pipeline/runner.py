"""Run a build's independent steps as child processes, several at a time.

Each step (a worker executing pages with papermill, a Jupyter Book render) runs in a process
group of its own, so that on failure, Ctrl-C or SIGTERM the whole group (with its kernel) is
ended and no process outlives the build. A line is printed when a step ends, and a child's
own progress lines (``PROGRESS``) are relayed as they come; while steps run longer than
``ALIVE_EVERY`` seconds a line says what each is doing (its ``CURRENT`` line) and for how
long. On Linux a child is killed when the build's process dies, even by SIGKILL
(``PR_SET_PDEATHSIG``); a worker's kernel ends by itself when its worker is gone (ipykernel
watches its parent).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import IO

from analysis.pipeline.interrupt import stop_if_requested
from analysis.pipeline.notebooks import CURRENT, PROGRESS, BuildError, step_line

ALIVE_EVERY = 15.0


@dataclass
class Step:
    """One child process: what it is (for the progress lines) and what to run."""

    action: str
    subject: str
    lang: str
    command: list[str]
    done: Callable[[], None] | None = None  # called in the parent when the step succeeded
    failure: Callable[[str], str] = lambda log: log  # the error message from the child's log
    announce: bool = True  # print a line when the step ends (else the child's lines say it)


@dataclass
class _Running:
    """A step's child process, its log and how far the log has been read."""

    step: Step
    log: IO[bytes]
    began: float
    doing: str
    since: float
    read: int = 0

    def relay(self, echo: Callable[[str], None]) -> None:
        """Pass on the child's progress lines written since the last call, and note what it
        says it is doing."""
        size = os.fstat(self.log.fileno()).st_size
        text = os.pread(self.log.fileno(), size - self.read, self.read)
        complete = text[: text.rfind(b"\n") + 1]
        self.read += len(complete)
        for line in complete.decode("utf-8", errors="replace").splitlines():
            if line.startswith(PROGRESS):
                echo(line.removeprefix(PROGRESS))
            elif line.startswith(CURRENT):
                self.doing, self.since = line.removeprefix(CURRENT), time.perf_counter()


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int, prctl: Callable[..., int]) -> None:
    """In a new child before it runs its command: be killed when ``parent`` dies (and die now
    if it already has)."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


def _dying_with_this_process() -> Callable[[], None] | None:
    """The ``preexec_fn`` that ties a child's life to this process (None where not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    return partial(_die_with, os.getpid(), ctypes.CDLL(None, use_errno=True).prctl)


def _end(process: subprocess.Popen) -> None:
    """End a child's whole process group (TERM, then KILL after a grace period)."""
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run(steps: list[Step], jobs: int, echo: Callable[[str], None]) -> None:
    """Run ``steps`` with at most ``jobs`` at a time; raise ``BuildError`` on the first failure."""
    waiting = list(steps)
    running: dict[subprocess.Popen, _Running] = {}
    tie = _dying_with_this_process()
    last_alive = time.perf_counter()
    try:
        while waiting or running:
            while waiting and len(running) < max(1, jobs):
                step = waiting.pop(0)
                log = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the step ends)
                process = subprocess.Popen(
                    step.command,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=tie,
                )
                now = time.perf_counter()
                doing = f"{step.subject} {step.lang}".strip()
                running[process] = _Running(step, log, now, doing, now)
            time.sleep(0.1)
            stop_if_requested()
            ended = [p for p in running if p.poll() is not None]
            for child in running.values():  # after the poll: an ended child's last lines too
                child.relay(echo)
            for process in ended:
                child = running.pop(process)
                child.log.seek(0)
                text = child.log.read().decode("utf-8", errors="replace")
                child.log.close()
                if process.returncode != 0:
                    raise BuildError(child.step.failure(text))
                if child.step.done is not None:
                    child.step.done()
                if child.step.announce:
                    step, seconds = child.step, time.perf_counter() - child.began
                    echo(step_line(step.action, step.subject, step.lang, seconds))
            now = time.perf_counter()
            if running and now - last_alive >= ALIVE_EVERY:
                last_alive = now
                busy = ", ".join(f"{c.doing} ({now - c.since:.0f} s)" for c in running.values())
                echo(f"{'running':<9} {busy}")
    finally:
        for process, child in running.items():
            _end(process)
            child.log.close()
