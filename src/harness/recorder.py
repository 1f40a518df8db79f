"""A recorder of every AWS API call made in this process (operation, parameters, outcome).

It wraps botocore's single choke point, ``BaseClient._make_api_call``, so it sees the calls of
every client, including the ones the handlers build from fresh sessions each invocation. One
recorded call is one API call as the caller sees it: botocore's own retries happen inside it.

A call made while a handler runs carries the :class:`Scope` of that invocation (action, logical
resource id, bearer token); calls made by anything else (a test setting up the emulator) carry
none. The scope comes from the runtime library's ``Resource._invoke_handler``, the one method
every entrypoint (the Lambda one and the test one) goes through to call a handler; it runs in the
invoking thread, so parallel invocations each see their own scope.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError
from cloudformation_cli_python_lib.resource import Resource

MUTATING = frozenset({"CreateImageVersion", "UpdateImageVersion", "DeleteImageVersion"})


@dataclass(frozen=True)
class Scope:
    """The handler invocation a call was made in."""

    action: str
    logical_id: str | None
    token: str | None


_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("scope", default=None)


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    params: Mapping[str, Any]
    scope: Scope | None = None
    error: str | None = None
    """The error code the caller saw (a ClientError's code, or a botocore exception's name)."""
    version_arn: str | None = None
    """The ImageVersionArn the answer named, if any (CreateImageVersion may answer without)."""

    @property
    def by_handler(self) -> bool:
        return self.scope is not None


@dataclass
class Recorder:
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def snapshot(self) -> list[Call]:
        with self._lock:
            return list(self.calls)

    def since(self, start: int) -> list[Call]:
        """The calls recorded from position ``start`` on (a copy of only those)."""
        with self._lock:
            return self.calls[start:]

    def count(self) -> int:
        with self._lock:
            return len(self.calls)

    def operations(self, service: str = "sagemaker") -> list[str]:
        return [c.operation for c in self.snapshot() if c.service == service]

    def of(self, operation: str) -> list[Mapping[str, Any]]:
        return [c.params for c in self.snapshot() if c.operation == operation]

    def mutating(self) -> list[Call]:
        return [c for c in self.snapshot() if c.operation in MUTATING]

    def by_handlers(self) -> list[Call]:
        return [c for c in self.snapshot() if c.by_handler]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()


def _error_of(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "")) or "ClientError"
    return type(error).__name__


# BaseClient, typed loosely: botocore's stubs do not declare ``_make_api_call``, the one method
# every client's API calls go through (the recorder and the tests that fake answers patch it).
BOTOCORE_CLIENT: Any = BaseClient


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record every API call made until the block ends (nested recorders each see them all)."""
    recorder = Recorder()
    original_call = BOTOCORE_CLIENT._make_api_call
    original_invoke = Resource._invoke_handler

    def make_api_call(self: BaseClient, operation_name: str, api_params: Any) -> Any:
        service = self.meta.service_model.service_name
        params = dict(api_params)
        scope = _scope.get()
        try:
            result = original_call(self, operation_name, api_params)
        except Exception as error:
            recorder.add(Call(service, operation_name, params, scope, _error_of(error)))
            raise
        named = result.get("ImageVersionArn") if isinstance(result, Mapping) else None
        recorder.add(Call(service, operation_name, params, scope, version_arn=named or None))
        return result

    def invoke_handler(
        self: Resource, session: Any, request: Any, action: Any, callback_context: Any
    ) -> Any:
        scope = Scope(
            str(getattr(action, "name", action)),
            getattr(request, "logicalResourceIdentifier", None),
            getattr(request, "clientRequestToken", None),
        )
        token = _scope.set(scope)
        try:
            return original_invoke(self, session, request, action, callback_context)
        finally:
            _scope.reset(token)

    BOTOCORE_CLIENT._make_api_call = make_api_call
    Resource._invoke_handler = invoke_handler  # type: ignore[method-assign]
    try:
        yield recorder
    finally:
        BOTOCORE_CLIENT._make_api_call = original_call
        Resource._invoke_handler = original_invoke  # type: ignore[method-assign]
