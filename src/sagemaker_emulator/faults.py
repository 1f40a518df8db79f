"""Injected faults: the errors, lost and damaged answers a real service has, at a chosen rate.

Faults are a :class:`FaultPlan` in the :class:`~.control.Controls` of one account and region
(cleared by every reset). They act on every SageMaker request in front of moto, on both paths a
request takes: over HTTP (:class:`FaultMiddleware`, installed by :mod:`.server`) and in process
under ``mock_aws`` (:mod:`.in_process`, around the answer moto's botocore stubber gives on
botocore's ``before-send`` event, which botocore then parses as it would a real one). Both ask
the same :meth:`FaultPlan.decide` and answer from the same table (:data:`FAULTS`). Kinds:

=================== ======================================================== ======= ==========
kind                what the client gets                                     applied in process
=================== ======================================================== ======= ==========
``throttling``      HTTP 400 ``ThrottlingException``                         no      yes
``http500``         HTTP 500 ``InternalFailure``                             no      yes
``http503``         HTTP 503 ``ServiceUnavailable``                          no      yes
``http429``         HTTP 429 ``TooManyRequestsException``                    no      yes
``request_timeout`` HTTP 400 ``RequestTimeoutException``                     no      yes
``throttled``       HTTP 400 ``ThrottledException``                          no      yes
``prior_request``   HTTP 400 ``PriorRequestNotComplete``                     no      yes
``http509``         HTTP 509 ``BandwidthLimitExceeded``                      no      yes
``truncated``       the real answer, its JSON body cut to its first half     yes     yes
                    (the closing brace always lost), Content-Length matching
``drop``            no answer: the connection is closed                      yes     no
``trickle``         the real answer, its body sent one byte every            yes     no
                    ``trickle_seconds`` (a plan setting, default 0.5)
=================== ======================================================== ======= ==========

The refusals (:data:`REFUSALS`) are the codes and statuses botocore's own retry rules retry
(legacy and standard modes: see the notes on SageMaker's API); they answer
``{"__type": <code>, "message": ...}`` and change nothing. ``drop``: the client never learns the
outcome, and botocore retries the request as it was (a create keeps its ClientToken).
``truncated``: only a successful (2xx) answer is cut, an error passes whole; botocore does not
check a JSON answer's length and parses an undecodable body as ``{"message": ...}``, so the
caller gets a success without the operation's output members (a DescribeImageVersion without
ImageVersionStatus, a CreateImageVersion without ImageVersionArn). ``trickle``: every socket
read succeeds in time, but the whole answer takes ``trickle_seconds`` per byte, on the
emulator's clock (:func:`~.clock.pause`). ``drop`` and ``trickle`` need a socket: in process a
rule never picks them (a rule with no other kind injects nothing there, and counts nothing).

Rules (:class:`FaultRule`) say, per operation (or for any), the rate of faults and the kinds to
pick from; the first rule naming the operation applies, else the first rule for any operation.
A ``limit`` caps how many faults a rule injects, after which the next rule applies: rules
``[drop, limit 1]`` then ``[http500, limit 3]`` on one operation drop its first request and
fail the next three. ``at=k`` makes a rule apply only to the k-th request (from 1) of its
operation, or the k-th request of any operation for a rule without one, as the plan counts them
(``requests``, every request that reached the plan): ``FaultRule(1.0, "DescribeImageVersion",
(HTTP500,), at=3)`` fails exactly the third DescribeImageVersion, the form a deterministic sweep
uses to inject each kind at each call of an action. A rule that does not apply to a request
leaves it to the next.

Deterministic: whether a request is hit, and by which kind, is a function of the seed, the
operation, the request body and how many identical requests came before it (and, for ``at``
rules, how many requests came before it). A replay of the same request stream gets the same
faults whatever the thread interleaving; a retried request (same body) gets a fresh draw.

Requests the rate limits refuse (:mod:`.rate_limits`) never reach the plan: they are not
counted in ``requests``.

In process: ``controls().inject_faults(seed=7, rules=[FaultRule(0.2)])`` (or assign
``controls().faults``); ``controls().faults = None`` stops them. Over HTTP:
``POST /_emulator/controls`` with ``{"faults": {"seed": 7, "trickle_seconds": 0.5, "rules":
[{"rate": 0.2, "operation": null, "kinds": ["throttling", "http500", "http503"], "limit": null,
"at": null}]}}``, or ``{"faults": null}``. The plan's counters (``requests`` and ``injected`` per
kind and operation) are part of the controls that GET returns.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import socket
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.iam.models import get_account_id_from

from offline_aws.defaults import REGION

from .clock import pause

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

THROTTLING = "throttling"
HTTP500 = "http500"
HTTP503 = "http503"
HTTP429 = "http429"
REQUEST_TIMEOUT = "request_timeout"
THROTTLED = "throttled"
PRIOR_REQUEST = "prior_request"
HTTP509 = "http509"
TRUNCATED = "truncated"
DROP = "drop"
TRICKLE = "trickle"
DEFAULT_REGION = REGION
DEFAULT_TRICKLE_SECONDS = 0.5

Transport = Literal["http", "in_process"]
HTTP: Transport = "http"
IN_PROCESS: Transport = "in_process"


@dataclass(frozen=True)
class Fault:
    """What one kind of fault does (a row of :data:`FAULTS`)."""

    applied: bool
    """Whether the request is applied (else it is refused with ``status`` and ``code``)."""
    in_process: bool
    """Whether it can act without a socket (under ``mock_aws``)."""
    status: int = 200
    reason: str = "OK"
    code: str | None = None


FAULTS: Mapping[str, Fault] = {
    THROTTLING: Fault(False, True, 400, "Bad Request", "ThrottlingException"),
    HTTP500: Fault(False, True, 500, "Internal Server Error", "InternalFailure"),
    HTTP503: Fault(False, True, 503, "Service Unavailable", "ServiceUnavailable"),
    HTTP429: Fault(False, True, 429, "Too Many Requests", "TooManyRequestsException"),
    REQUEST_TIMEOUT: Fault(False, True, 400, "Bad Request", "RequestTimeoutException"),
    THROTTLED: Fault(False, True, 400, "Bad Request", "ThrottledException"),
    PRIOR_REQUEST: Fault(False, True, 400, "Bad Request", "PriorRequestNotComplete"),
    HTTP509: Fault(False, True, 509, "Bandwidth Limit Exceeded", "BandwidthLimitExceeded"),
    TRUNCATED: Fault(True, True),
    DROP: Fault(True, False),
    TRICKLE: Fault(True, False),
}
"""Each kind of fault: the one table both paths answer from."""
KINDS = tuple(FAULTS)
ERROR_KINDS = (THROTTLING, HTTP500, HTTP503)
"""The kinds a :class:`FaultRule` picks from by default."""
REFUSALS = tuple(kind for kind, fault in FAULTS.items() if not fault.applied)
"""Every kind that refuses the request with an error botocore's retry rules retry."""
IN_PROCESS_KINDS = tuple(kind for kind, fault in FAULTS.items() if fault.in_process)
_TARGET_PREFIX = "SageMaker."
_JSON = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class Verdict:
    """What happens to one request before moto sees it: ``kind`` (a key of :data:`FAULTS`),
    the ``message`` of a refusal, and the pace of a ``trickle``."""

    kind: str
    message: str
    trickle_seconds: float = DEFAULT_TRICKLE_SECONDS

    @property
    def fault(self) -> Fault:
        return FAULTS[self.kind]


@dataclass
class FaultRule:
    """Faults at ``rate`` (0 to 1) on ``operation`` (None: any), of one of ``kinds``; at most
    ``limit`` of them; only at the ``at``-th request (see the module docstring)."""

    rate: float
    operation: str | None = None
    kinds: tuple[str, ...] = ERROR_KINDS
    limit: int | None = None
    injected: int = 0
    at: int | None = None

    def __post_init__(self) -> None:
        self.kinds = tuple(self.kinds)
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, not {self.rate!r}")
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"kinds must be a non-empty list of {KINDS}, got {self.kinds!r}")
        if self.limit is not None and self.limit < 0:
            raise ValueError("limit must be a non-negative integer or null")
        if self.at is not None and (
            isinstance(self.at, bool) or not isinstance(self.at, int) or self.at < 1
        ):
            raise ValueError(f"at must be a positive integer or null, not {self.at!r}")

    def exhausted(self) -> bool:
        return self.limit is not None and self.injected >= self.limit


@dataclass
class FaultPlan:
    """The fault rules of one backend, their seed, and what they have injected so far."""

    seed: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    injected: dict[str, dict[str, int]] = field(default_factory=dict)
    trickle_seconds: float = DEFAULT_TRICKLE_SECONDS

    def __post_init__(self) -> None:
        if (
            isinstance(self.trickle_seconds, bool)
            or not isinstance(self.trickle_seconds, int | float)
            or self.trickle_seconds < 0
        ):
            raise ValueError(
                f"trickle_seconds must be a non-negative number, not {self.trickle_seconds!r}"
            )
        self._seen: dict[str, int] = {}

    def rule_for(self, operation: str) -> FaultRule | None:
        """The first rule naming ``operation`` that applies to its request now, else the first
        such rule for any operation (so limited rules in a row make a sequence of faults). A
        rule applies while it has faults left and, with ``at``, only at its request; call
        after this request was counted in :attr:`requests`."""
        total = sum(self.requests.values())

        def applies(rule: FaultRule) -> bool:
            if rule.exhausted():
                return False
            if rule.at is None:
                return True
            counted = total if rule.operation is None else self.requests.get(operation, 0)
            return counted == rule.at

        live = [r for r in self.rules if applies(r)]
        named = next((r for r in live if r.operation == operation), None)
        return named or next((r for r in live if r.operation is None), None)

    def decide(self, operation: str, body: bytes, transport: Transport = HTTP) -> str | None:
        """The fault to inject into this request (a kind), or None; counts it. The one decision
        of both paths: ``transport`` is the path the request took, in process only the kinds
        that need no socket are picked."""
        self.requests[operation] = self.requests.get(operation, 0) + 1
        digest = hashlib.sha256(_canonical(body)).hexdigest()
        key = f"{operation}|{digest}"
        occurrence = self._seen.get(key, 0)
        self._seen[key] = occurrence + 1
        rule = self.rule_for(operation)
        if rule is None:
            return None
        kinds = [k for k in rule.kinds if transport == HTTP or FAULTS[k].in_process]
        draw = random.Random(f"{self.seed}|{key}|{occurrence}")  # noqa: S311 (not security)
        if not kinds or draw.random() >= rule.rate:
            return None
        kind = draw.choice(kinds)
        rule.injected += 1
        by_operation = self.injected.setdefault(kind, {})
        by_operation[operation] = by_operation.get(operation, 0) + 1
        return kind

    def verdict(self, operation: str, body: bytes, transport: Transport) -> Verdict | None:
        """:meth:`decide`, as what the transports act on."""
        kind = self.decide(operation, body, transport)
        if kind is None:
            return None
        code = FAULTS[kind].code or kind
        return Verdict(kind, f"{operation}: injected {code}", self.trickle_seconds)

    def total_injected(self) -> int:
        return sum(sum(counts.values()) for counts in self.injected.values())


def plan_from_document(document: Mapping[str, Any]) -> FaultPlan:
    """A plan from its JSON form (see the module docstring); TypeError/ValueError if malformed."""
    unknown = set(document) - {"seed", "rules", "trickle_seconds"}
    if unknown:
        raise ValueError(f"unknown fault settings: {sorted(unknown)}")
    seed = document.get("seed", 0)
    rules = document.get("rules", [])
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise TypeError("rules must be a list of objects")
    allowed = {"rate", "operation", "kinds", "limit", "at"}
    for rule in rules:
        if set(rule) - allowed:
            raise ValueError(f"unknown rule settings: {sorted(set(rule) - allowed)}")
    trickle = document.get("trickle_seconds", DEFAULT_TRICKLE_SECONDS)
    return FaultPlan(
        seed=seed, rules=[FaultRule(**rule) for rule in rules], trickle_seconds=trickle
    )


def _canonical(body: bytes) -> bytes:
    try:
        return json.dumps(json.loads(body or b"{}"), sort_keys=True).encode()
    except ValueError:
        return body


def refusal(verdict: Verdict) -> tuple[int, dict[str, str], bytes]:
    """The answer of a refusing kind: status, headers and AWS JSON error body."""
    fault = verdict.fault
    body = json.dumps({"__type": fault.code, "message": verdict.message}).encode()
    return fault.status, {"Content-Type": _JSON, "Content-Length": str(len(body))}, body


def cut(body: bytes) -> bytes:
    """A ``truncated`` body: its first half (so at least its last byte, the closing brace of a
    JSON object, is lost)."""
    return body[: len(body) // 2]


def operation_of(headers: Mapping[str, str]) -> str | None:
    """The SageMaker operation a request's ``X-Amz-Target`` names (None: not SageMaker's)."""
    target = str(headers.get("X-Amz-Target") or headers.get("x-amz-target") or "")
    return target[len(_TARGET_PREFIX) :] if target.startswith(_TARGET_PREFIX) else None


def account_and_region(headers: Mapping[str, str]) -> tuple[str, str]:
    """The account and region moto serves a request from (its own rules, in order: the
    environment's MOTO_ACCOUNT_ID, the ``x-moto-account-id`` header, the access key)."""
    authorization = str(headers.get("Authorization") or headers.get("authorization") or "")
    scope = authorization.partition("Credential=")[2].split(",")[0].split("/")
    region = scope[2] if len(scope) > 2 else DEFAULT_REGION
    account = os.environ.get("MOTO_ACCOUNT_ID") or headers.get("x-moto-account-id")
    if not account:
        account = get_account_id_from(scope[0]) if scope[0] else DEFAULT_ACCOUNT_ID
    return str(account), region


Admit = Callable[[str, str, str, bytes], Verdict | None]
"""``admit(account_id, region, operation, body)``: what happens to one HTTP request (the rate
limits' refusal, a fault, or None), decided and counted under the backend's lock."""


class FaultMiddleware:
    """WSGI middleware acting on SageMaker requests in front of ``app`` as ``admit`` decides:
    refused, applied then dropped, cut short or trickled (see the module docstring)."""

    def __init__(self, app: WSGIApplication, admit: Admit) -> None:
        self._app = app
        self._admit = admit

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        headers = _headers(environ)
        operation = operation_of(headers)
        if operation is None:
            return self._app(environ, start_response)
        verdict = self._admit(*account_and_region(headers), operation, _buffer_body(environ))
        if verdict is None:
            return self._app(environ, start_response)
        if not verdict.fault.applied:
            status, answer_headers, body = refusal(verdict)
            start_response(f"{status} {verdict.fault.reason}", list(answer_headers.items()))
            return [body]
        if verdict.kind == DROP:
            return _apply_then_drop(self._app, environ)
        status_line, answer_headers_list, body = _apply(self._app, environ)
        if verdict.kind == TRUNCATED and status_line.startswith("2"):
            body = cut(body)
        kept = [(k, v) for k, v in answer_headers_list if k.lower() != "content-length"]
        start_response(status_line, [*kept, ("Content-Length", str(len(body)))])
        if verdict.kind == TRICKLE:
            return _trickle(body, verdict.trickle_seconds)
        return [body]


def _headers(environ: WSGIEnvironment) -> dict[str, str]:
    """The request headers moto's account and region rules read, by their HTTP names."""
    names = {
        "HTTP_X_AMZ_TARGET": "X-Amz-Target",
        "HTTP_AUTHORIZATION": "Authorization",
        "HTTP_X_MOTO_ACCOUNT_ID": "x-moto-account-id",
    }
    return {name: str(environ[key]) for key, name in names.items() if environ.get(key)}


def _buffer_body(environ: WSGIEnvironment) -> bytes:
    """Read the request body and put it back for the application."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _apply(
    app: WSGIApplication, environ: WSGIEnvironment
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Let moto apply the request; its status line, headers and whole body."""
    answered: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        answered.append((status, headers))
        return lambda data: None

    answer = app(environ, start_response)
    try:
        body = b"".join(answer)
    finally:
        close = getattr(answer, "close", None)
        if callable(close):
            close()
    status, headers = answered[-1]
    return status, headers, body


def _trickle(body: bytes, seconds: float) -> Iterator[bytes]:
    """``body`` one byte at a time, ``seconds`` apart (werkzeug sends each as it comes)."""
    for index in range(len(body)):
        if index:
            pause(seconds)
        yield body[index : index + 1]


def _apply_then_drop(app: WSGIApplication, environ: WSGIEnvironment) -> Iterator[bytes]:
    """Let moto apply the request, discard its answer and close the connection unanswered."""
    _apply(app, environ)
    connection = environ.get("werkzeug.socket")
    if not isinstance(connection, socket.socket):
        raise RuntimeError("a dropped connection needs werkzeug's development server")
    connection.shutdown(socket.SHUT_RDWR)
    # werkzeug's server treats this error as a client that went away: it sends nothing more.
    raise ConnectionAbortedError("connection dropped by an injected fault")
    yield b""  # pragma: no cover (makes this a generator, run when werkzeug iterates it)
