"""Run a build's independent steps as child processes, several at a time.

Each step (a page executed with papermill, a Jupyter Book render) runs in a process group of
its own, so that on failure, Ctrl-C or SIGTERM the whole group (with its kernel) is ended and
no process outlives the build. A line is printed when a step ends; while steps run longer
than ``ALIVE_EVERY`` seconds a line says which are running and for how long. Known library
noise on the children's error output is dropped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from analysis.build.notebooks import BuildError

ALIVE_EVERY = 15.0
NOISE = ("Kernel is running over TCP without encryption", "KeyboardInterrupt caught in kernel")


@dataclass
class Step:
    """One child process: what it is (for the progress lines) and what to run."""

    action: str
    subject: str
    lang: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    done: Callable[[], None] | None = None  # called in the parent when the step succeeded
    failure: Callable[[str], str] = lambda log: log  # the error message from the child's log


def without_noise(text: str) -> str:
    """The child's output without the known library warnings."""
    return "\n".join(line for line in text.splitlines() if not any(n in line for n in NOISE))


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
    running: dict[subprocess.Popen, tuple[Step, float, object]] = {}
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
                    env={**os.environ, **step.env},
                    start_new_session=True,
                )
                running[process] = (step, time.perf_counter(), log)
            time.sleep(0.1)
            for process in [p for p in running if p.poll() is not None]:
                step, began, log = running.pop(process)
                log.seek(0)
                text = without_noise(log.read().decode("utf-8", errors="replace"))
                log.close()
                if process.returncode != 0:
                    raise BuildError(step.failure(text))
                if step.done is not None:
                    step.done()
                seconds = time.perf_counter() - began
                echo(f"{step.action:<9} {step.subject:<12} {step.lang:<3} {seconds:7.1f} s")
            now = time.perf_counter()
            if running and now - last_alive >= ALIVE_EVERY:
                last_alive = now
                busy = ", ".join(
                    f"{s.subject} {s.lang} ({now - began:.0f} s)".replace("  ", " ")
                    for s, began, _ in running.values()
                )
                echo(f"{'running':<9} {busy}")
    finally:
        for process, (_, _, log) in running.items():
            _end(process)
            log.close()
