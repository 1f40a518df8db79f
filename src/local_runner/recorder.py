"""A recorder of every AWS API call made in this process (operation name and parameters).

It wraps botocore's single choke point, ``BaseClient._make_api_call``, so it sees the calls of
every client, including the ones the handlers build from fresh sessions each invocation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

MUTATING = frozenset({"CreateImageVersion", "UpdateImageVersion", "DeleteImageVersion"})


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    params: Mapping[str, Any]


@dataclass
class Recorder:
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def operations(self, service: str = "sagemaker") -> list[str]:
        return [c.operation for c in self.calls if c.service == service]

    def of(self, operation: str) -> list[Mapping[str, Any]]:
        return [c.params for c in self.calls if c.operation == operation]

    def mutating(self) -> list[Call]:
        return [c for c in self.calls if c.operation in MUTATING]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()


@contextmanager
def recording() -> Iterator[Recorder]:
    recorder = Recorder()
    original = BaseClient._make_api_call

    def make_api_call(self: BaseClient, operation_name: str, api_params: Any) -> Any:
        service = self.meta.service_model.service_name
        recorder.add(Call(service, operation_name, dict(api_params)))
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
    try:
        yield recorder
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
