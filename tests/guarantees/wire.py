"""SageMaker answers faked on the wire: botocore sends the request to no one and parses the
answer given here instead, with its own parser and its own retry rules, as it would parse the
bytes SageMaker sent back. So a fault injected here is seen exactly as a real one would be,
whatever retry configuration the handler's clients use.

The answer replaces the one HTTP exchange of one attempt (``Endpoint._do_get_response``): botocore's
retry handler, its error parsing and everything above them run as for a real answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint, convert_to_response_dict
from botocore.model import OperationModel
from botocore.parsers import create_parser
from botocore.retries.standard import RetryContext, StandardRetryConditions

# botocore's Endpoint, typed loosely: its stubs do not declare the method patched here, nor the
# parser factory and error-field step it uses (the same steps botocore takes for every answer).
ENDPOINT: Any = Endpoint


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: its status and body as SageMaker's JSON protocol sends them."""

    status: int
    body: bytes

    @classmethod
    def error(cls, code: str, status: int, message: str = "injected") -> Answer:
        """SageMaker's error answer: HTTP ``status``, ``{"__type": code, "message": ...}``."""
        return cls(status, json.dumps({"__type": code, "message": message}).encode())

    def response(self, url: str) -> AWSResponse:
        headers: Any = {
            "Content-Type": "application/x-amz-json-1.1",
            "x-amzn-RequestId": "00000000-0000-0000-0000-000000000000",
            "Content-Length": str(len(self.body)),
        }
        return AWSResponse(url, self.status, headers, _Raw(self.body))


class _Raw:
    """The raw stream AWSResponse reads its body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass
class WireFaults:
    """``add(operation, answer, times)``: the next ``times`` attempts of ``operation`` (None:
    every attempt) get ``answer`` in place of SageMaker's. ``answered`` counts what was
    answered so, by operation."""

    planned: dict[str, list[Answer | None]] = field(default_factory=dict)
    forever: dict[str, Answer] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)

    def add(self, operation: str, answer: Answer, times: int | None = 1) -> None:
        if times is None:
            self.forever[operation] = answer
        else:
            self.planned.setdefault(operation, []).extend([answer] * times)

    def clear(self) -> None:
        self.planned.clear()
        self.forever.clear()

    def take(self, operation: str) -> Answer | None:
        queue = self.planned.get(operation)
        answer = queue.pop(0) if queue else self.forever.get(operation)
        if answer is not None:
            self.answered[operation] = self.answered.get(operation, 0) + 1
        return answer


def patch_endpoint(faults: WireFaults, service: str = "sagemaker") -> Any:
    """The replacement of ``Endpoint._do_get_response`` that answers ``faults``' planned
    attempts of ``service``'s operations (install it with monkeypatch): the request is sent to
    no one (so nothing it asks for happens), and the answer is parsed as botocore parses every
    answer (its protocol's parser, then the modeled error fields of an error)."""
    original = ENDPOINT._do_get_response

    def do_get_response(
        self: Any, request: Any, operation_model: OperationModel, context: Any
    ) -> Any:
        answer = None
        if operation_model.service_model.service_name == service:
            answer = faults.take(operation_model.name)
        if answer is None:
            return original(self, request, operation_model, context)
        http_response = answer.response(request.url)
        response_dict = convert_to_response_dict(http_response, operation_model)
        protocol = operation_model.service_model.resolved_protocol
        parser = self._response_parser_factory.create_parser(protocol)
        output: Any = operation_model.output_shape
        parsed = parser.parse(response_dict, output)
        if http_response.status_code >= 300:
            self._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
        return (http_response, parsed), None

    return do_get_response


def botocore_retries(operation_model: OperationModel, answer: Answer) -> bool:
    """Whether botocore's standard retry rules retry ``answer`` to ``operation_model`` (a
    check that a faked answer is one botocore itself classifies as worth retrying)."""
    parser = create_parser(operation_model.service_model.resolved_protocol)
    http = answer.response("https://sagemaker.us-east-1.amazonaws.com/")
    output: Any = operation_model.output_shape
    parsed = parser.parse(
        {"status_code": http.status_code, "headers": http.headers, "body": http.content}, output
    )
    context = RetryContext(
        attempt_number=1,
        operation_model=operation_model,
        parsed_response=parsed,
        http_response=http,
    )
    return bool(StandardRetryConditions(max_attempts=3).is_retryable(context))
