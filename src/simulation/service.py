"""SageMaker as the simulation serves it: the emulator (moto in process) behind a per-account
request rate, with each call taking virtual time.

Every API call a task makes goes through botocore's one choke point (``_make_api_call``, as the
recorder wraps it). Here a call first travels (half its latency), then meets the account's token
bucket: without a token it is answered ``ThrottlingException`` (HTTP 400, not applied), as
SageMaker throttles; with one it reaches the emulator (whose own per-operation rate limits, when a
scenario sets them, may throttle it too: counted alike). The answer travels back (the other half).
Calls made outside tasks (setting a scenario up, checking what it left) are neither delayed nor
counted.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import ClientError

from harness.recorder import BOTOCORE_CLIENT

from .virtual_time import VirtualTime

_THROTTLED_CODE = "ThrottlingException"
_THROTTLED: Any = {
    "Error": {"Code": _THROTTLED_CODE, "Message": "Rate exceeded"},
    "ResponseMetadata": {"HTTPStatusCode": 400},
}
DEFAULT_RATE = 5.0
"""SageMaker's assumed request rate per account and region (requests per second)."""


@dataclass
class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` held; a request takes one or is refused."""

    rate: float
    burst: float
    tokens: float = -1.0
    updated: float = 0.0

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(frozen=True)
class Request:
    at: float
    operation: str
    task: str
    throttled: bool


@dataclass
class Service:
    """The request rate and latency of the simulated SageMaker, and every request it saw."""

    time: VirtualTime
    rate: float = DEFAULT_RATE
    burst: float = DEFAULT_RATE
    latency: float = 0.1
    requests: list[Request] = field(default_factory=list)
    bucket: TokenBucket = field(init=False)

    def __post_init__(self) -> None:
        self.bucket = TokenBucket(self.rate, self.burst)

    def admit(self, operation: str, task: str) -> bool:
        admitted = self.bucket.take(self.time.now)
        self.requests.append(Request(self.time.now, operation, task, not admitted))
        return admitted

    def throttled_after(self) -> None:
        """The request just admitted was throttled further on (the emulator's own rate limits,
        ``sagemaker_emulator.rate_limits``)."""
        self.requests[-1] = replace(self.requests[-1], throttled=True)

    @property
    def throttles(self) -> int:
        return sum(1 for r in self.requests if r.throttled)

    @contextlib.contextmanager
    def serving(self) -> Iterator[Service]:
        """Within the block, the calls of tasks take time and meet the request rate."""
        original = BOTOCORE_CLIENT._make_api_call
        service = self

        def make_api_call(client: Any, operation: str, params: Any) -> Any:
            time = service.time
            if not time.in_task():
                return original(client, operation, params)
            time.sleep(service.latency / 2)
            admitted = service.admit(operation, threading.current_thread().name)
            try:
                if not admitted:
                    raise ClientError(_THROTTLED, operation)
                return original(client, operation, params)
            except ClientError as error:
                if admitted and error.response.get("Error", {}).get("Code") == _THROTTLED_CODE:
                    service.throttled_after()
                raise
            finally:
                time.sleep(service.latency / 2)

        BOTOCORE_CLIENT._make_api_call = make_api_call
        try:
            yield self
        finally:
            BOTOCORE_CLIENT._make_api_call = original


def peak_rate(times: list[float], window: float = 1.0) -> float:
    """The most requests sent in any ``window`` seconds, per second."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most / window
