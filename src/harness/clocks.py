"""The handler package's clock with sleeps that take no time (its one time seam replaced)."""

import contextlib
import random
import time
from collections.abc import Iterator

from community_sagemaker_imageversion import invocation


class InstantClock:
    """The handler package's clock with sleeps that take no time: pauses and backoffs advance
    the handler's own clock at once (the Lambda context and the emulator keep real time)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def wall(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.offset += seconds

    def random(self) -> float:
        return random.random()  # noqa: S311 (a test clock's jitter, not a secret)


@contextlib.contextmanager
def instant() -> Iterator[InstantClock]:
    """Within the block, the handler package pauses and backs off without waiting."""
    clock = InstantClock()
    previous = invocation.use_clock(clock)
    try:
        yield clock
    finally:
        invocation.use_clock(previous)
