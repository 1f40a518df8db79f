"""A CloudFormation-like scheduler on virtual time: every resource of a stack whose dependencies
are done runs its operation at once, each in a task of its own, through the handler's Lambda
entrypoint. An IN_PROGRESS answer is followed, ``callbackDelaySeconds`` later, by an invocation
with the returned model and callback context (the harness's :class:`~harness.driver.Driver`
loop); every invocation has at most ``time_limit`` seconds of Lambda time.

CREATE runs a resource once every resource it depends on (``DependsOn``) has succeeded; DELETE
runs a resource once every resource that depends on it is deleted, as CloudFormation does. An
operation still running after the schema's ``timeoutInMinutes`` for its action fails, as
CloudFormation fails it; an invocation that answers after the 60 s handler contract is counted as
a breach.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from harness.call_rules import schema_timeouts
from harness.driver import Driver, Handler
from harness.events import handler_event

from .billing import Invocation
from .virtual_time import VirtualTime

CONTRACT_SECONDS = 60.0
_TOKENS = uuid.UUID("0b6c1a8e-43f2-4c1e-9d55-0a9e2d7e1f30")


class _TimedOut(Exception):
    pass


@dataclass(frozen=True)
class Resource:
    logical_id: str
    properties: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()


@dataclass
class Operation:
    """One resource's operation: its invocations and how it ended."""

    logical_id: str
    action: str
    started: float
    ended: float = 0.0
    done: bool = False
    invocations: list[Invocation] = field(default_factory=list)
    final: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return str(self.final.get("status", "NOT_RUN"))

    @property
    def outcome(self) -> str:
        """SUCCESS, or FAILED with its error code."""
        code = self.final.get("errorCode")
        return self.status if code is None else f"{self.status} {code}"

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def breaches(self) -> int:
        return sum(1 for i in self.invocations if i.seconds > CONTRACT_SECONDS)


@dataclass
class CloudFormation:
    """Runs a stack's operations on ``time`` through ``handler`` (a Lambda entrypoint)."""

    time: VirtualTime
    handler: Handler
    time_limit: float = CONTRACT_SECONDS
    timeout_minutes: Mapping[str, float] = field(default_factory=schema_timeouts)
    """Each action's timeoutInMinutes (the schema's)."""
    stack: str = "simulated"
    models: dict[str, dict[str, Any]] = field(default_factory=dict)

    def run(self, action: str, resources: list[Resource]) -> dict[str, Operation]:
        """Run ``action`` on every resource, in dependency order; the operations by logical id.

        CREATE keeps each new model (for the DELETE that follows); a resource whose dependency
        failed is not run."""
        operations = self.start(action, resources)
        self.time.run()
        return operations

    def start(self, action: str, resources: list[Resource]) -> dict[str, Operation]:
        """Start ``action`` on ``resources`` as :meth:`run` does, without running the clock: the
        operations (filled in as the clock runs), for several stacks to run at once."""
        operations: dict[str, Operation] = {}
        waiting_on = _waiting_on(action, resources)
        by_id = {r.logical_id: r for r in resources}

        def start_ready() -> None:
            for logical_id, blockers in list(waiting_on.items()):
                if logical_id in operations or blockers - _succeeded(operations):
                    continue
                if blockers & _failed(operations):
                    continue
                operations[logical_id] = Operation(logical_id, action, self.time.now)
                self.time.spawn(logical_id, functools.partial(finish, by_id[logical_id]))

        def finish(resource: Resource) -> None:
            self._operate(resource, operations[resource.logical_id])
            start_ready()

        start_ready()
        return operations

    def _operate(self, resource: Resource, operation: Operation) -> None:
        action = operation.action
        properties = resource.properties if action == "CREATE" else self.models[resource.logical_id]
        token = str(uuid.uuid5(_TOKENS, f"{self.stack}/{resource.logical_id}/{action}"))
        event = handler_event(action, properties, token=token, logical_id=resource.logical_id)
        driver = Driver(
            self.handler,
            time_limit=self.time_limit,
            delay_scale=1.0,
            max_invocations=1_000_000,
            wait=self.time.sleep,
            clock=self.time.monotonic,
        )
        deadline = operation.started + self.timeout_minutes[action] * 60.0

        def deliver(_step: int, sent: MutableMapping[str, Any]) -> dict[str, Any]:
            if self.time.now > deadline:
                raise _TimedOut
            started = self.time.now
            answer = driver.invoke(sent)
            operation.invocations.append(Invocation(started, self.time.now))
            return answer

        try:
            outcome = driver.drive(action, event, deliver)
            operation.final = outcome.final
        except _TimedOut:
            operation.final = {"status": "FAILED", "errorCode": "TimedOut"}
        operation.ended, operation.done = self.time.now, True
        model = operation.final.get("resourceModel")
        if action == "CREATE" and isinstance(model, dict):
            self.models[resource.logical_id] = model


def _waiting_on(action: str, resources: list[Resource]) -> dict[str, set[str]]:
    """Which resources each waits for: its dependencies (CREATE), or its dependants (DELETE)."""
    if action != "DELETE":
        return {r.logical_id: set(r.depends_on) for r in resources}
    dependants: dict[str, set[str]] = {r.logical_id: set() for r in resources}
    for r in resources:
        for dependency in r.depends_on:
            dependants[dependency].add(r.logical_id)
    return dependants


def _succeeded(operations: Mapping[str, Operation]) -> set[str]:
    return {lid for lid, op in operations.items() if op.done and op.status == "SUCCESS"}


def _failed(operations: Mapping[str, Operation]) -> set[str]:
    return {lid for lid, op in operations.items() if op.done and op.status != "SUCCESS"}
