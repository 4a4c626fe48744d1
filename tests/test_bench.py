"""``rtw-report bench`` measures a command's CPU time besides its wall time and peak memory."""

from __future__ import annotations

import sys

import pytest

from analysis.pipeline.bench import timed


@pytest.mark.slow  # a process of its own
def test_a_timed_command_reports_the_cpu_time_of_its_work() -> None:
    # Ten million additions in a child process: CPU time well above nothing, and the child's
    # own (not this process's, which only waits).
    seconds, cpu, gigabytes = timed([sys.executable, "-c", "sum(range(10**7))"])
    assert cpu > 0.05
    assert seconds > 0
    assert gigabytes > 0
