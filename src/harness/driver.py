"""Run handler operations to completion as CloudFormation does.

CloudFormation re-invokes a handler that answers IN_PROGRESS after ``callbackDelaySeconds``, with
the same bearer token, the model and the callback context the handler returned. LIST is re-invoked
with each ``nextToken`` until there is none (:meth:`Driver.list_all`, which stops at a failed page;
:meth:`Driver.run_list`, which keeps every page's event and re-delivers a retriable failure).

CloudFormation also delivers a request again when it FAILED with an error code its documentation
calls retriable (:data:`RETRIABLE_ERROR_CODES`; cloudformation-cli issue #800 shows a FAILED
Throttling retried until the stack succeeded). :attr:`Driver.redeliver_retriable` does the same,
up to that many times per operation: the same bearer token and the request model as first sent
(not the model the FAILED event carried: a re-delivery repeats the request). The callback
context is none by default (:data:`FRESH`): a re-delivery of a failed request is a fresh attempt
of the operation, and the handler must not rely on the context a failed attempt left behind;
:data:`LAST` gives the context of the last IN_PROGRESS answer instead, for a test that wants the
other case.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal

from community_sagemaker_imageversion import invocation
from offline_aws.defaults import FUNCTION_ARN

from .events import handler_event

Handler = Callable[[MutableMapping[str, Any], Any], MutableMapping[str, Any]]
# How one step of an operation is delivered: (step number from 0, event) -> the answer kept.
Deliver = Callable[[int, MutableMapping[str, Any]], dict[str, Any]]

RETRIABLE_ERROR_CODES = frozenset(
    {"ResourceConflict", "Throttling", "NetworkFailure", "ServiceInternalError"}
)
"""The handler error codes CloudFormation's documentation marks retriable."""
RedeliveredContext = Literal["fresh", "last"]
FRESH: RedeliveredContext = "fresh"
LAST: RedeliveredContext = "last"


def package_time() -> float:
    """The handler package's monotonic clock (real time, unless a test or simulation replaced
    it): the time a Lambda context counts down on by default."""
    return invocation.clock().monotonic()


def package_sleep(seconds: float) -> None:
    """A sleep on the handler package's clock: how a callback delay passes by default."""
    invocation.clock().sleep(seconds)


@dataclass
class LambdaContext:
    """The part of Lambda's context object the runtime library and handlers read; ``clock`` is
    the time it counts down on (a simulation's virtual time, say)."""

    time_limit: float = 60.0
    invoked_function_arn: str = FUNCTION_ARN
    clock: Callable[[], float] = package_time
    started: float = -1.0

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.time_limit - self.clock()) * 1000))


@dataclass
class Outcome:
    """How one operation ended, and every event on the way."""

    events: list[dict[str, Any]]
    redeliveries: int = 0
    """How many times the request was delivered again after a retriable FAILED answer."""

    @property
    def final(self) -> dict[str, Any]:
        return self.events[-1]

    @property
    def status(self) -> str:
        return str(self.final["status"])

    @property
    def model(self) -> dict[str, Any] | None:
        model: dict[str, Any] | None = self.final.get("resourceModel")
        return model

    @property
    def error_code(self) -> str | None:
        code: str | None = self.final.get("errorCode")
        return code

    @property
    def invocations(self) -> int:
        return len(self.events)

    @property
    def listed(self) -> list[dict[str, Any]]:
        """Every model the SUCCESS pages of a LIST returned, in order."""
        return [
            model
            for event in self.events
            if event["status"] == "SUCCESS"
            for model in event.get("resourceModels") or []
        ]


@dataclass
class Driver:
    """Drives ``handler`` (the Lambda entrypoint) through whole operations.

    ``time_limit`` is each invocation's Lambda time; ``delay_scale`` multiplies callback delays
    (0 for tests that should not sleep); ``wait`` is how a callback delay passes and ``clock``
    the time each invocation's Lambda context counts down on (a simulated clock's, say);
    ``max_invocations`` stops a runaway operation. ``redeliver_retriable``: how many times a
    request that FAILED with a retriable code is delivered again (see the module docstring),
    after ``redeliver_delay`` seconds (times ``delay_scale``), with the callback context
    ``redelivered_context`` says.
    """

    handler: Handler
    time_limit: float = 60.0
    delay_scale: float = 0.0
    max_invocations: int = 200
    event_options: Mapping[str, Any] = field(default_factory=dict)
    wait: Callable[[float], None] = package_sleep
    clock: Callable[[], float] = package_time
    redeliver_retriable: int = 0
    redeliver_delay: float = 0.0
    redelivered_context: RedeliveredContext = FRESH

    def call_back_after(self, response: Mapping[str, Any]) -> None:
        """Let the callback delay of an IN_PROGRESS ``response`` pass, as CloudFormation does."""
        self.wait(response.get("callbackDelaySeconds", 0) * self.delay_scale)

    def invoke(self, event: MutableMapping[str, Any]) -> dict[str, Any]:
        return dict(self.handler(event, LambdaContext(self.time_limit, clock=self.clock)))

    def run(
        self,
        action: str,
        properties: Mapping[str, Any] | None,
        *,
        previous: Mapping[str, Any] | None = None,
        token: str | None = None,
        callback_context: Mapping[str, Any] | None = None,
        event_options: Mapping[str, Any] | None = None,
    ) -> Outcome:
        """Run one operation to its end; ``event_options`` (see ``handler_event``) override the
        driver's own for this operation."""
        options = {**self.event_options, **(event_options or {})}
        event = handler_event(
            action,
            properties,
            previous=previous,
            token=token or str(uuid.uuid4()),
            callback_context=callback_context,
            **options,
        )
        return self.drive(action, event, lambda _step, sent: self.invoke(sent))

    def drive(self, action: str, event: dict[str, Any], deliver: Deliver) -> Outcome:
        """Deliver ``event``, then call back with the returned model and callback context after
        each IN_PROGRESS answer, until the operation ends; deliver it again after a retriable
        FAILED answer, as many times as :attr:`redeliver_retriable` allows."""
        sent = copy.deepcopy(event["requestData"]["resourceProperties"])
        events = [deliver(0, event)]
        redeliveries = 0
        last_context: Any = None
        while True:
            response = events[-1]
            if response["status"] == "IN_PROGRESS":
                self._check_runaway(action, events)
                self.call_back_after(response)
                last_context = response.get("callbackContext")
                event["requestData"]["resourceProperties"] = response.get("resourceModel")
                event["callbackContext"] = last_context
            elif self._redelivered(response, redeliveries):
                self._check_runaway(action, events)
                redeliveries += 1
                self.wait(self.redeliver_delay * self.delay_scale)
                event["requestData"]["resourceProperties"] = copy.deepcopy(sent)
                kept = self.redelivered_context == LAST
                event["callbackContext"] = last_context if kept else None
            else:
                return Outcome(events, redeliveries)
            events.append(deliver(len(events), event))

    def _redelivered(self, response: Mapping[str, Any], redeliveries: int) -> bool:
        """Whether CloudFormation would deliver the request again after ``response``."""
        return (
            response["status"] == "FAILED"
            and response.get("errorCode") in RETRIABLE_ERROR_CODES
            and redeliveries < self.redeliver_retriable
        )

    def _check_runaway(self, action: str, events: list[dict[str, Any]]) -> None:
        if len(events) >= self.max_invocations:
            raise RuntimeError(f"{action} still IN_PROGRESS after {len(events)} invocations")

    def run_list(
        self,
        properties: Mapping[str, Any] | None,
        *,
        token: str | None = None,
        event_options: Mapping[str, Any] | None = None,
    ) -> Outcome:
        """A LIST to its end, as CloudFormation pages it: each ``nextToken`` followed, a page that
        FAILED with a retriable code delivered again (as :meth:`drive` does); every page's
        answer kept (:attr:`Outcome.listed`: the models of them all)."""
        options = {**self.event_options, **(event_options or {})}
        bearer = token or str(uuid.uuid4())
        events: list[dict[str, Any]] = []
        redeliveries = 0
        next_token: str | None = None
        while True:
            event = handler_event(
                "LIST", properties, token=bearer, next_token=next_token, **options
            )
            events.append(self.invoke(event))
            response = events[-1]
            if self._redelivered(response, redeliveries):
                redeliveries += 1
                self.wait(self.redeliver_delay * self.delay_scale)
            elif response["status"] == "SUCCESS" and response.get("nextToken"):
                next_token = response["nextToken"]
            else:
                return Outcome(events, redeliveries)
            if len(events) >= self.max_invocations:
                raise RuntimeError(f"LIST still paging after {len(events)} invocations")

    def list_all(self, properties: Mapping[str, Any] | None) -> tuple[list[dict[str, Any]], int]:
        """Every model LIST returns, following nextToken; and how many invocations it took."""
        models: list[dict[str, Any]] = []
        token: str | None = None
        invocations = 0
        while True:
            event = handler_event("LIST", properties, next_token=token, **self.event_options)
            response = self.invoke(event)
            invocations += 1
            if response["status"] != "SUCCESS":
                raise RuntimeError(f"LIST failed: {response}")
            models += response.get("resourceModels") or []
            token = response.get("nextToken")
            if not token:
                return models, invocations
            if invocations >= self.max_invocations:
                raise RuntimeError(f"LIST still paging after {invocations} invocations")
