"""Ctrl-C and SIGTERM stop a build at any moment, even where Python loses the exception.

The handler raises ``KeyboardInterrupt``, but Python drops an exception raised while a finaliser
runs (a ``__del__`` method, a weakref callback: it prints "Exception ignored in …" and goes on),
and a build spends moments in finalisers (a finished child's ``Popen`` object, a temporary file).
So the handler also records the signal, and the build asks again at each step and before it
publishes: a signal received at any moment ends the build with the previous book in place.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

_received: list[int] = []


def _on_signal(signum: int, frame: object) -> None:
    _received.append(signum)
    raise KeyboardInterrupt


def stop_if_requested() -> None:
    """Raise ``KeyboardInterrupt`` if a stop signal has been received (its exception may have
    been lost in a finaliser)."""
    if _received:
        raise KeyboardInterrupt


@contextmanager
def stoppable() -> Iterator[None]:
    """Within the block, SIGTERM stops the build as Ctrl-C does (and is remembered)."""
    _received.clear()
    previous = signal.signal(signal.SIGTERM, _on_signal)
    try:
        yield
        stop_if_requested()
    finally:
        signal.signal(signal.SIGTERM, previous)
        _received.clear()
