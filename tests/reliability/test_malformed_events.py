"""Malformed events to the Lambda entrypoint: a FAILED event with a clear message, never a crash
or a hang.

A table of named malformations, each with the word its message must carry (the part of the
event at fault), and a property test that mutates a valid event at random. Every invocation
runs in a thread that must return within a minute (a hang fails the test).
"""

import contextlib
import copy
import io
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cloudformation_cli_python_lib.interface import HandlerErrorCode
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws

from community_sagemaker_imageversion.handlers import resource
from community_sagemaker_imageversion.validation import KNOWN_PROPERTIES
from harness.driver import LambdaContext
from harness.events import handler_event
from reliability_suite import figures

# Checked before any SageMaker call: no variant of SageMaker's rules can change the outcome.
pytestmark = [pytest.mark.rules_independent, pytest.mark.requirement("malformed-events")]

HUGE = "x" * 1_000_000
COUNTS: Counter[str] = Counter()
ERROR_CODES = {code.value for code in HandlerErrorCode}


@pytest.fixture(scope="module", autouse=True)
def _mocked() -> Iterator[None]:
    with mock_aws():
        yield
    figures.keep("malformed_events", dict(COUNTS))


def invoke(event: Any) -> dict[str, Any]:
    """The entrypoint's answer to ``event``: it must return, JSON, within a minute."""
    answers: list[Any] = []
    worker = threading.Thread(
        target=lambda: answers.append(resource(event, LambdaContext(10.0))), daemon=True
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the entrypoint hung"
    assert answers, "the entrypoint raised instead of answering"
    answer = answers[0]
    json.dumps(answer)
    assert isinstance(answer, dict)
    assert answer["status"] in ("SUCCESS", "FAILED", "IN_PROGRESS"), answer
    if answer["status"] == "FAILED":
        assert answer.get("errorCode") in ERROR_CODES, answer
    return answer


def create_event() -> dict[str, Any]:
    return handler_event("CREATE", {"ImageName": "img", "BaseImage": "b"})


def changed(path: str, value: Any, action: str = "CREATE") -> Callable[[], Any]:
    """An event with the value at ``path`` (dotted) replaced, or removed when ``value`` is
    ``REMOVE``."""

    def build() -> Any:
        event = handler_event(action, {"ImageName": "img", "BaseImage": "b"})
        *parents, key = path.split(".")
        target = event
        for parent in parents:
            target = target[parent]
        if value is REMOVE:
            del target[key]
        else:
            target[key] = value
        return event

    return build


REMOVE = object()


def case(name: str, build: Callable[[], Any], word: str, bug: str | None = None) -> Any:
    """One malformation: how to build the event, the word its message must carry, and the
    handler bug that keeps it from doing so today (a strict xfail)."""
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    return pytest.param(build, word, id=name, marks=marks)


CASES = [
    case("event is null", lambda: None, "mapping"),
    case("event is a list", lambda: [create_event()], "mapping"),
    case("event is a string", lambda: json.dumps(create_event()), "mapping"),
    case("event is a number", lambda: 42, "mapping"),
    case("event is empty", lambda: {}, "action"),
    case("no action", changed("action", REMOVE), "action"),
    case("no bearerToken", changed("bearerToken", REMOVE), "bearerToken"),
    case("no region", changed("region", REMOVE), "region"),
    case("no awsAccountId", changed("awsAccountId", REMOVE), "awsAccountId"),
    case("requestData is a number", changed("requestData", 5), "RequestData"),
    case("requestData is a list", changed("requestData", []), "RequestData"),
    case("no callerCredentials", changed("requestData.callerCredentials", REMOVE), "credentials"),
    case(
        "callerCredentials is null", changed("requestData.callerCredentials", None), "credentials"
    ),
    case(
        "callerCredentials is a string",
        changed("requestData.callerCredentials", "k"),
        "Credentials",
    ),
    case(
        "callerCredentials lacks its secret",
        changed("requestData.callerCredentials", {"accessKeyId": "AKIA0"}),
        "secretAccessKey",
    ),
    case(
        "callerCredentials has an unknown field",
        changed("requestData.callerCredentials", {"accessKeyId": "a", "secret": "b"}),
        "secret",
    ),
    case(
        "resourceProperties is a string",
        changed("requestData.resourceProperties", "x"),
        "properties",
    ),
    case(
        "resourceProperties is a list", changed("requestData.resourceProperties", [1]), "properties"
    ),
    case(
        "a 1 MB ImageName",
        changed("requestData.resourceProperties", {"ImageName": HUGE, "BaseImage": "b"}),
        "ImageName",
    ),
    case(
        "a 1 MB unknown property",
        changed("requestData.resourceProperties", {"ImageName": "i", "BaseImage": "b", HUGE: 1}),
        "not a property",
    ),
    case("a 1 MB LIST nextToken", changed("nextToken", HUGE, action="LIST"), "nextToken"),
    case(
        "callbackContext names a number", changed("callbackContext", {"arn": 5}), "callback context"
    ),
    case(
        "callbackContext names garbage",
        changed("callbackContext", {"arn": HUGE, "imageName": "img"}),
        "callback context",
    ),
    case(
        "unknown action",
        changed("action", "EXPLODE"),
        "action",
    ),
    case(
        "action is a number",
        changed("action", 5),
        "action",
    ),
    case(
        "region is a number",
        changed("region", 5),
        "region",
    ),
    case(
        "no requestData",
        changed("requestData", REMOVE),
        "requestData",
    ),
    case(
        "no resourceProperties",
        changed("requestData.resourceProperties", REMOVE),
        "resourceProperties",
    ),
    case(
        "bearerToken is a number",
        changed("bearerToken", 5),
        "bearerToken",
    ),
    case(
        "callbackContext is a string",
        changed("callbackContext", "resume"),
        "callbackContext",
    ),
]


@pytest.mark.parametrize(("build", "word"), CASES)
def test_a_malformed_event_fails_with_a_message_naming_the_fault(build, word):
    answer = invoke(build())
    COUNTS["table"] += 1
    assert answer["status"] == "FAILED", answer
    assert word.lower() in str(answer.get("message", "")).lower(), answer


@pytest.mark.parametrize(("build", "word"), CASES)
def test_a_malformed_event_is_answered_without_a_line_on_the_console(build, word, capfd):
    """Its refusal (InvalidRequest, InvalidCredentials) is an answer, not a bug: neither the
    runtime library's "Handler error" nor a traceback goes to the Lambda's own log (`make
    serve`'s terminal, offline)."""
    answer = invoke(build())
    assert answer.get("errorCode") not in (None, "InternalFailure"), answer
    assert capfd.readouterr() == ("", "")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
PATHS = [
    "action",
    "bearerToken",
    "region",
    "awsAccountId",
    "callbackContext",
    "nextToken",
    "requestData",
    "requestData.callerCredentials",
    "requestData.resourceProperties",
    "requestData.previousResourceProperties",
    "requestData.logicalResourceId",
    "requestData.resourceProperties.ImageName",
    "requestData.resourceProperties.Aliases",
]


@given(
    action=st.sampled_from(["CREATE", "READ", "UPDATE", "DELETE", "LIST"]),
    path=st.sampled_from(PATHS),
    value=JSON,
)
def test_any_one_part_of_an_event_replaced_gets_an_answer(action, path, value):
    event = copy.deepcopy(changed(path, value, action)())
    answer = invoke(event)
    COUNTS[f"fuzzed: {answer['status']} {answer.get('errorCode') or ''}".strip()] += 1


ARN = "arn:aws:sagemaker:us-east-1:123456789012:image-version/img/1"


@given(
    action=st.sampled_from(["CREATE", "READ", "UPDATE", "DELETE", "LIST"]),
    model=st.sampled_from(["resourceProperties", "previousResourceProperties"]),
    prop=st.sampled_from(sorted(KNOWN_PROPERTIES - {"ImageVersionArn"})),
    value=JSON,
)
def test_any_value_of_a_property_is_answered_and_only_a_bug_prints(action, model, prop, value):
    """Whatever a property holds, in the desired or the previous model: an answer (refused
    naming it, or the value left out of a model kept from an older schema), never
    InternalFailure, and nothing on the console (the Lambda's own log)."""
    properties = {"ImageName": "img", "BaseImage": "b", "ImageVersionArn": ARN}
    event = handler_event(action, properties, previous=properties)
    event["requestData"][model][prop] = copy.deepcopy(value)
    console = io.StringIO()
    with contextlib.redirect_stdout(console), contextlib.redirect_stderr(console):
        answer = invoke(event)
    assert answer.get("errorCode") != "InternalFailure", answer
    assert console.getvalue() == ""


@given(event=JSON)
def test_any_json_document_as_an_event_gets_a_failed_answer(event):
    answer = invoke(event)
    assert answer["status"] == "FAILED"
    COUNTS["random documents"] += 1
