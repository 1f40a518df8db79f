"""One virtual clock for the handler, the emulator and CloudFormation, and every SageMaker call
on it: when it was made, in which invocation, and how it ended.

The handler package's clock seam (``invocation.use_clock``), the emulator's
(``sagemaker_emulator.clock.use_clock``: read-after-write lags, the alias index's lag, rate
limits, timed status changes) and the driver (each invocation's Lambda context, and the callback
delays CloudFormation waits) all read one :class:`~simulation.virtual_time.VirtualTime`, outside
any task: a sleep moves the clock on at once. So minutes of lag, pauses and callback delays take
no real time, and every time measured here is virtual seconds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from community_sagemaker_imageversion import invocation
from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from harness.recorder import BOTOCORE_CLIENT
from sagemaker_emulator import clock as emulator_clock
from simulation.virtual_time import VirtualTime


@dataclass(frozen=True)
class TimedCall:
    """One SageMaker call: when it was made (virtual seconds), by which invocation (its index
    from 0; None: not by the handler), and the error code it met (None: answered)."""

    at: float
    operation: str
    invocation: int | None
    error: str | None
    params: dict[str, Any]


@dataclass(frozen=True)
class Span:
    """One invocation: when it started and answered, and its answer."""

    started: float
    ended: float
    answer: dict[str, Any]

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Timeline:
    """The virtual clock, the invocations of the handler on it and every SageMaker call."""

    time: VirtualTime = field(default_factory=VirtualTime)
    calls: list[TimedCall] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    _serving: int | None = None

    def handler(self, event: MutableMapping[str, Any], context: Any) -> MutableMapping[str, Any]:
        """The Lambda entrypoint, each invocation timed and its calls told apart."""
        self._serving = len(self.spans)
        started = self.time.now
        try:
            answer = resource(event, context)
        finally:
            self._serving = None
        self.spans.append(Span(started, self.time.now, dict(answer)))
        return answer

    def driver(self, time_limit: float = 60.0, **options: Any) -> Driver:
        """CloudFormation on this clock: each callback delay passes on it."""
        return Driver(
            self.handler,
            time_limit=time_limit,
            delay_scale=1.0,
            wait=self.time.sleep,
            clock=self.time.monotonic,
            **options,
        )

    def mark(self) -> tuple[int, int]:
        """Where the calls and invocations are now (for :meth:`since`)."""
        return len(self.calls), len(self.spans)

    def since(self, mark: tuple[int, int]) -> tuple[list[TimedCall], list[Span]]:
        """The handler's calls and the invocations made since ``mark``."""
        calls = [c for c in self.calls[mark[0] :] if c.invocation is not None]
        return calls, self.spans[mark[1] :]

    def per_invocation(self, mark: tuple[int, int]) -> list[list[TimedCall]]:
        """The handler's calls since ``mark``, invocation by invocation."""
        calls, spans = self.since(mark)
        first = mark[1]
        return [[c for c in calls if c.invocation == first + k] for k in range(len(spans))]

    def _record(self, operation: str, params: Any, error: str | None) -> None:
        self.calls.append(
            TimedCall(self.time.now, operation, self._serving, error, dict(params or {}))
        )


def _error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "")) or "ClientError"
    return type(error).__name__


@contextlib.contextmanager
def sagemaker_calls(timeline: Timeline) -> Iterator[None]:
    """Within the block, every SageMaker call is recorded on ``timeline``."""
    original = BOTOCORE_CLIENT._make_api_call

    def make_api_call(client: Any, operation: str, params: Any) -> Any:
        if client.meta.service_model.service_name != "sagemaker":
            return original(client, operation, params)
        try:
            answer = original(client, operation, params)
        except Exception as error:
            timeline._record(operation, params, _error_code(error))
            raise
        timeline._record(operation, params, None)
        return answer

    BOTOCORE_CLIENT._make_api_call = make_api_call
    try:
        yield
    finally:
        BOTOCORE_CLIENT._make_api_call = original


@contextlib.contextmanager
def on_virtual_time(timeline: Timeline) -> Iterator[Timeline]:
    """Within the block, ``timeline``'s clock is the handler's and the emulator's, and every
    SageMaker call is recorded on it."""
    previous_handler = invocation.use_clock(timeline.time)
    previous_emulator = emulator_clock.use_clock(timeline.time)
    try:
        with sagemaker_calls(timeline):
            yield timeline
    finally:
        invocation.use_clock(previous_handler)
        emulator_clock.use_clock(previous_emulator)
