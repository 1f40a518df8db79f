"""A clock whose sleeps take no time, for the handler package and the emulator at once.

The handler package and the emulator each read the time through one seam
(``community_sagemaker_imageversion.invocation.use_clock``, ``sagemaker_emulator.clock.use_clock``).
:func:`instant` replaces both with one :class:`InstantClock`: real time plus an offset that every
sleep moves on at once. So a handler that pauses for five seconds while a version is created
finds the emulator five seconds further on, as it would in real time, without waiting: the
tests run on it by default (``tests/conftest.py``), and a test that needs time to pass for real
(a socket's timeout, another process's clock, threads that wait for each other) is marked
``real_time``.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from community_sagemaker_imageversion import invocation
from sagemaker_emulator import clock as emulator_clock


class InstantClock:
    """Real time plus an offset; a sleep adds its seconds to the offset and returns at once."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def wall(self) -> float:
        return time.time() + self.offset

    def utcnow(self) -> datetime:
        return datetime.fromtimestamp(self.wall(), UTC).replace(tzinfo=None)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.offset += max(0.0, seconds)

    def random(self) -> float:
        return random.random()  # noqa: S311 (a test clock's jitter, not a secret)


@contextlib.contextmanager
def instant() -> Iterator[InstantClock]:
    """Within the block, the handler package and the emulator in this process sleep without
    waiting; within a block that already made the handler's clock instant, the same clock."""
    current = invocation.clock()
    if isinstance(current, InstantClock):
        yield current
        return
    clock = InstantClock()
    previous = invocation.use_clock(clock)
    previous_emulator = emulator_clock.use_clock(clock)
    try:
        yield clock
    finally:
        invocation.use_clock(previous)
        emulator_clock.use_clock(previous_emulator)
