"""Injected faults: the errors and lost answers a real service has, at a chosen rate.

Faults are a :class:`FaultPlan` in the :class:`~.control.Controls` of one account and region
(cleared by every reset). They act on requests that reach the emulator over HTTP, in front of
moto (:class:`FaultMiddleware`, installed by :mod:`.server`), since a dropped connection only
exists there; ``mock_aws`` in process sees none. Kinds:

``throttling``
    HTTP 400 ``{"__type": "ThrottlingException"}``; the request is not applied.
``http500``
    HTTP 500 ``{"__type": "InternalFailure"}``; not applied.
``http503``
    HTTP 503 ``{"__type": "ServiceUnavailable"}``; not applied.
``drop``
    The request IS applied, then the connection is closed without an answer: the client never
    learns the outcome. botocore retries such a request as it was (a create keeps its
    ClientToken).

Rules (:class:`FaultRule`) say, per operation (or for any), the rate of faults and the kinds to
pick from; the first rule naming the operation applies, else the first rule for any operation.
A ``limit`` caps how many faults a rule injects, after which the next rule applies: rules
``[drop, limit 1]`` then ``[http500, limit 3]`` on one operation drop its first request and
fail the next three.

Deterministic: whether a request is hit, and by which kind, is a function of the seed, the
operation, the request body and how many identical requests came before it. A replay of the
same request stream gets the same faults whatever the thread interleaving; a retried request
(same body) gets a fresh draw.

In process: ``controls().inject_faults(seed=7, rules=[FaultRule(0.2)])`` (or assign
``controls().faults``); ``controls().faults = None`` stops them. Over HTTP:
``POST /_emulator/controls`` with ``{"faults": {"seed": 7, "rules": [{"rate": 0.2,
"operation": null, "kinds": ["throttling", "http500", "http503"], "limit": null}]}}``, or
``{"faults": null}``. The plan's counters (``requests`` and ``injected`` per kind and
operation) are part of the controls that GET returns.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import socket
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.iam.models import get_account_id_from

from offline_aws.defaults import REGION

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

THROTTLING = "throttling"
HTTP500 = "http500"
HTTP503 = "http503"
DROP = "drop"
KINDS = (THROTTLING, HTTP500, HTTP503, DROP)
ERROR_KINDS = (THROTTLING, HTTP500, HTTP503)
DEFAULT_REGION = REGION

# kind -> (HTTP status, error code) of the answer a client gets.
_ANSWERS: Mapping[str, tuple[str, str]] = {
    THROTTLING: ("400 Bad Request", "ThrottlingException"),
    HTTP500: ("500 Internal Server Error", "InternalFailure"),
    HTTP503: ("503 Service Unavailable", "ServiceUnavailable"),
}
_TARGET_PREFIX = "SageMaker."


@dataclass
class FaultRule:
    """Faults at ``rate`` (0 to 1) on ``operation`` (None: any), of one of ``kinds``."""

    rate: float
    operation: str | None = None
    kinds: tuple[str, ...] = ERROR_KINDS
    limit: int | None = None
    injected: int = 0

    def __post_init__(self) -> None:
        self.kinds = tuple(self.kinds)
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, not {self.rate!r}")
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"kinds must be a non-empty list of {KINDS}, got {self.kinds!r}")
        if self.limit is not None and self.limit < 0:
            raise ValueError("limit must be a non-negative integer or null")

    def exhausted(self) -> bool:
        return self.limit is not None and self.injected >= self.limit


@dataclass
class FaultPlan:
    """The fault rules of one backend, their seed, and what they have injected so far."""

    seed: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    injected: dict[str, dict[str, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._seen: dict[str, int] = {}

    def rule_for(self, operation: str) -> FaultRule | None:
        """The first rule naming ``operation`` that has faults left, else the first such rule
        for any operation (so limited rules in a row make a sequence of faults)."""
        live = [r for r in self.rules if not r.exhausted()]
        named = next((r for r in live if r.operation == operation), None)
        return named or next((r for r in live if r.operation is None), None)

    def decide(self, operation: str, body: bytes) -> str | None:
        """The fault to inject into this request (a kind), or None; counts it."""
        self.requests[operation] = self.requests.get(operation, 0) + 1
        digest = hashlib.sha256(_canonical(body)).hexdigest()
        key = f"{operation}|{digest}"
        occurrence = self._seen.get(key, 0)
        self._seen[key] = occurrence + 1
        rule = self.rule_for(operation)
        if rule is None:
            return None
        draw = random.Random(f"{self.seed}|{key}|{occurrence}")  # noqa: S311 (not security)
        if draw.random() >= rule.rate:
            return None
        kind = draw.choice(rule.kinds)
        rule.injected += 1
        by_operation = self.injected.setdefault(kind, {})
        by_operation[operation] = by_operation.get(operation, 0) + 1
        return kind

    def total_injected(self) -> int:
        return sum(sum(counts.values()) for counts in self.injected.values())


def plan_from_document(document: Mapping[str, Any]) -> FaultPlan:
    """A plan from its JSON form (see the module docstring); TypeError/ValueError if malformed."""
    unknown = set(document) - {"seed", "rules"}
    if unknown:
        raise ValueError(f"unknown fault settings: {sorted(unknown)}")
    seed = document.get("seed", 0)
    rules = document.get("rules", [])
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise TypeError("rules must be a list of objects")
    allowed = {"rate", "operation", "kinds", "limit"}
    for rule in rules:
        if set(rule) - allowed:
            raise ValueError(f"unknown rule settings: {sorted(set(rule) - allowed)}")
    return FaultPlan(seed=seed, rules=[FaultRule(**rule) for rule in rules])


def _canonical(body: bytes) -> bytes:
    try:
        return json.dumps(json.loads(body or b"{}"), sort_keys=True).encode()
    except ValueError:
        return body


PlanLookup = Callable[[str, str], tuple[FaultPlan, AbstractContextManager[Any]] | None]
"""``plan_for(account_id, region)``: the plan of that backend and the lock guarding it, or None."""


class FaultMiddleware:
    """WSGI middleware injecting the faults of the request's backend in front of ``app``.

    ``plan_for(account_id, region)`` returns the plan and the lock that guards it (or None).
    """

    def __init__(self, app: WSGIApplication, plan_for: PlanLookup) -> None:
        self._app = app
        self._plan_for = plan_for

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        operation = _operation(environ)
        found = self._plan_for(*_account_and_region(environ)) if operation else None
        if operation is None or found is None:
            return self._app(environ, start_response)
        plan, lock = found
        body = _buffer_body(environ)
        with lock:
            kind = plan.decide(operation, body)
        if kind is None:
            return self._app(environ, start_response)
        if kind == DROP:
            return _apply_then_drop(self._app, environ)
        return _answer(kind, operation, start_response)


def _operation(environ: WSGIEnvironment) -> str | None:
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    return target[len(_TARGET_PREFIX) :] if target.startswith(_TARGET_PREFIX) else None


def _account_and_region(environ: WSGIEnvironment) -> tuple[str, str]:
    """The account and region moto serves this request from (its own rules, in order)."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    scope = authorization.partition("Credential=")[2].split(",")[0].split("/")
    region = scope[2] if len(scope) > 2 else DEFAULT_REGION
    account = environ.get("HTTP_X_MOTO_ACCOUNT_ID")
    if not account:
        account = get_account_id_from(scope[0]) if scope[0] else DEFAULT_ACCOUNT_ID
    return str(account), region


def _buffer_body(environ: WSGIEnvironment) -> bytes:
    """Read the request body and put it back for the application."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _answer(kind: str, operation: str, start_response: StartResponse) -> list[bytes]:
    status, code = _ANSWERS[kind]
    body = json.dumps({"__type": code, "message": f"{operation}: injected {code}"}).encode()
    start_response(
        status,
        [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _apply_then_drop(app: WSGIApplication, environ: WSGIEnvironment) -> Iterator[bytes]:
    """Let moto apply the request, discard its answer and close the connection unanswered."""
    answer = app(environ, lambda status, headers, exc_info=None: lambda data: None)
    try:
        for _ in answer:
            pass
    finally:
        close = getattr(answer, "close", None)
        if callable(close):
            close()
    connection = environ.get("werkzeug.socket")
    if not isinstance(connection, socket.socket):
        raise RuntimeError("a dropped connection needs werkzeug's development server")
    connection.shutdown(socket.SHUT_RDWR)
    # werkzeug's server treats this error as a client that went away: it sends nothing more.
    raise ConnectionAbortedError("connection dropped by an injected fault")
    yield b""  # pragma: no cover (makes this a generator, run when werkzeug iterates it)
