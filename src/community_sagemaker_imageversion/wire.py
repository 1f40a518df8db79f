"""What reaches the handler from the wire: a whole answer within its time bound, and only a
well-formed one.

- botocore bounds each socket read of an answer (the read timeout), never the whole answer: an
  answer that trickles in a byte at a time holds the call for as long as it likes.
  :class:`BoundedSession` reads each answer itself, before the time :class:`AnswerBy` set runs
  out (or :data:`TELEMETRY_ANSWER_SECONDS` after a shipping call starts), each read cut to the
  time left, and fails the call as a read timeout past it.
- botocore parses a 200 answer whose JSON body was cut short as a success without the
  operation's members (its JSON parser keeps an undecodable body as a message). The
  ``before-parse`` hook :func:`refuse_malformed` raises :class:`.errors.IncompleteAnswer` for a
  successful answer whose body is not a JSON object, whether it came over a socket or from an
  in-process emulator.
"""

from __future__ import annotations

import contextvars
import json
import socket
from collections.abc import Callable, Mapping
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from botocore.httpsession import URLLib3Session
from urllib3.exceptions import ProtocolError
from urllib3.exceptions import ReadTimeoutError as URLLib3ReadTimeoutError

from .errors import IncompleteAnswer
from .invocation import clock
from .timing import TELEMETRY_CONNECT_TIMEOUT, TELEMETRY_READ_TIMEOUT

TELEMETRY_ANSWER_SECONDS = TELEMETRY_CONNECT_TIMEOUT + TELEMETRY_READ_TIMEOUT
CHUNK = 65536

# (read timeout, whole-answer deadline) of the calls made in an ``AnswerBy`` block
_bounds: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "answer_bounds", default=None
)


class AnswerBy:
    """Calls made in this block (in this context) get their whole answer within ``seconds``
    from their start, each socket read within what is left of that."""

    __slots__ = ("_seconds", "_token")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def __enter__(self) -> None:
        self._token = _bounds.set((self._seconds, clock().monotonic() + self._seconds))

    def __exit__(self, *_: object) -> None:
        _bounds.reset(self._token)


def apply_read_timeout(context: Mapping[str, Any], **_: Any) -> None:
    """botocore's ``before-call`` hook: the request's own read timeout (:class:`AnswerBy`), which
    botocore's HTTP session applies in place of the client's."""
    bounds = _bounds.get()
    if bounds is not None and isinstance(context, dict):
        context["read_timeout"] = bounds[0]


def refuse_malformed(response_dict: Mapping[str, Any], **_: Any) -> None:
    """botocore's ``before-parse`` hook: a successful answer whose body is not a JSON object
    (cut short on the wire) is an IncompleteAnswer, not an empty success."""
    status = response_dict.get("status_code", 0)
    body = response_dict.get("body", b"")
    if not isinstance(status, int) or not 200 <= status < 300 or not body:
        return
    if isinstance(body, bytes) and _looks_whole(body):
        return  # (a whole JSON object, as far as a cheap look tells: the common case)
    try:
        parsed = json.loads(body)
    except ValueError as error:
        raise IncompleteAnswer(
            f"a {status} answer of {len(body)} bytes that is not whole JSON"
        ) from error
    if not isinstance(parsed, dict):
        raise IncompleteAnswer(f"a {status} answer that is not a JSON object")


def _looks_whole(body: bytes) -> bool:
    """Whether ``body`` opens and closes a JSON object with its brackets balanced. A body cut
    short loses its closing brackets, so it fails this look, and is then parsed to be sure
    (a string holding a bracket may fail it too)."""
    return (
        body[:1] == b"{"
        and body.rstrip()[-1:] == b"}"
        and body.count(b"{") == body.count(b"}")
        and body.count(b"[") == body.count(b"]")
    )


def deadline_of_call() -> float | None:
    """The whole-answer deadline :class:`AnswerBy` set for the call being made."""
    bounds = _bounds.get()
    return None if bounds is None else bounds[1]


def telemetry_deadline() -> float:
    """The whole-answer deadline of a log or metric shipping call starting now."""
    return clock().monotonic() + TELEMETRY_ANSWER_SECONDS


class BoundedSession(URLLib3Session):
    """botocore's HTTP session, reading every answer whole before ``deadline()`` (None: as
    botocore does)."""

    def __init__(self, deadline: Callable[[], float | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._deadline = deadline

    def send(self, request: AWSRequest | AWSPreparedRequest) -> AWSResponse:
        deadline = self._deadline()
        if deadline is None or not isinstance(request, AWSPreparedRequest) or request.stream_output:
            return super().send(request)
        request.stream_output = True  # botocore leaves the answer unread for us
        try:
            response = super().send(request)
        finally:
            request.stream_output = False
        response._content = _read_whole(response, deadline, request.url)  # type: ignore[attr-defined]
        return response


def _read_whole(response: AWSResponse, deadline: float, url: str) -> bytes:
    raw = response.raw
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - clock().monotonic()
            if left <= 0:
                raw.close()
                raise ReadTimeoutError(
                    endpoint_url=url, error="the whole answer did not arrive in time"
                )
            _cut_socket_timeout(raw, left)
            chunk = raw.read1(CHUNK)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except URLLib3ReadTimeoutError as error:
        raise ReadTimeoutError(endpoint_url=url, error=error) from error
    except ProtocolError as error:
        raise ConnectionClosedError(endpoint_url=url, error=error) from error


def _cut_socket_timeout(raw: Any, left: float) -> None:
    """Each socket read ends by the answer's deadline too (where the socket can be reached)."""
    connection = getattr(raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        current = sock.gettimeout()
        sock.settimeout(left if current is None else min(current, left))


def install(client: Any, deadline: Callable[[], float | None]) -> None:
    """Bound ``client``'s answers (``deadline``: its whole-answer deadline, None: botocore's
    own bounds) and refuse its malformed ones."""
    endpoint = getattr(client, "_endpoint", None)
    session = getattr(endpoint, "http_session", None)
    if isinstance(session, URLLib3Session) and not isinstance(session, BoundedSession):
        session.__class__ = BoundedSession
    if isinstance(session, BoundedSession):
        session._deadline = deadline
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-parse.{service}", refuse_malformed)
    client.meta.events.register(f"before-call.{service}", apply_read_timeout)
