"""Rate limits and injected faults in process, under moto's ``mock_aws``.

In process, moto answers a request on botocore's ``before-send`` event: its botocore stubber
(``moto.core.botocore_stubber.BotocoreStubber``) dispatches the request to the service and
returns the answer as an ``AWSResponse``, which botocore then parses as it would one from the
wire (retries, error codes and all). :func:`install` wraps the stubber's ``process_request``
(looked up on the class at call time) so that a SageMaker request moto is about to answer
first meets the controls of its account and region (:func:`~.control.admit`, the same decision
the HTTP path asks): a refusal is answered without moto, a ``truncated`` answer is moto's cut
short. ``drop`` and ``trickle`` need a socket, so the fault plan never picks them here
(:mod:`.faults`). Requests that moto would not answer (another service, or a client whose
endpoint is the emulator's server) are left alone: the server admits those itself.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.awsrequest import AWSPreparedRequest
from moto.core.botocore_stubber import BotocoreStubber
from moto.core.common_types import TYPE_RESPONSE
from moto.core.utils import get_equivalent_url_in_aws_domain

from .control import admit
from .faults import IN_PROCESS, TRUNCATED, account_and_region, cut, operation_of, refusal

SAGEMAKER_URL = re.compile(r"https?://api\.sagemaker\.(.+)\.amazonaws\.com")
"""The URLs moto's stubber answers as SageMaker (moto's ``backend_url_patterns``)."""

_ORIGINAL = BotocoreStubber.process_request


def install() -> None:
    """Put the controls in front of moto's in-process answers. Idempotent."""
    if BotocoreStubber.process_request is not _process_request:
        BotocoreStubber.process_request = _process_request  # type: ignore[method-assign]


def _process_request(self: BotocoreStubber, request: AWSPreparedRequest) -> TYPE_RESPONSE | None:
    """moto's ``process_request``, the controls in front of its SageMaker answers."""
    headers = _headers(request)
    operation = operation_of(headers)
    if operation is None or not _answered_by_moto(request.url):
        return _ORIGINAL(self, request)
    verdict = admit(*account_and_region(headers), operation, _body(request.body), IN_PROCESS)
    if verdict is None:
        return _ORIGINAL(self, request)
    if not verdict.fault.applied:
        return refusal(verdict)
    answer = _ORIGINAL(self, request)
    if answer is None or verdict.kind != TRUNCATED:  # pragma: no cover (SageMaker is answered)
        return answer
    status, answer_headers, body = answer
    if not 200 <= status < 300:
        return answer
    raw = body.encode() if isinstance(body, str) else body
    shortened = cut(raw)
    kept = {k: v for k, v in answer_headers.items() if k.lower() != "content-length"}
    return status, {**kept, "Content-Length": str(len(shortened))}, shortened


def _answered_by_moto(url: str) -> bool:
    parsed, _ = get_equivalent_url_in_aws_domain(url)
    return bool(SAGEMAKER_URL.match(f"{parsed.scheme}://{parsed.netloc}"))


def _headers(request: AWSPreparedRequest) -> dict[str, str]:
    """The request headers the controls read, as text (botocore keeps some as bytes)."""
    found: dict[str, str] = {}
    for name in ("X-Amz-Target", "Authorization", "x-moto-account-id"):
        value: Any = request.headers.get(name)
        if value:
            found[name] = value.decode() if isinstance(value, bytes) else str(value)
    return found


def _body(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return b""
