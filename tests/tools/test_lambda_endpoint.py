"""The local Lambda Invoke endpoint answers as Lambda does."""

import json
from pathlib import Path

import pytest

from harness.events import handler_event
from offline_aws.lambda_endpoint import create_app, load_functions


def boom(event, context):
    raise ValueError("handler exploded")


def echo(event, context):
    return {"event": event, "time_left_ms": context.get_remaining_time_in_millis()}


@pytest.fixture
def client():
    return create_app({"TypeFunction": echo, "Broken": boom}, time_limit=30.0).test_client()


def invoke(client, name, payload):
    return client.post(f"/2015-03-31/functions/{name}/invocations", data=payload)


def test_returns_the_handlers_json_with_a_lambda_context(client):
    reply = invoke(client, "TypeFunction", json.dumps({"a": 1}))
    assert reply.status_code == 200
    assert "X-Amz-Function-Error" not in reply.headers
    body = reply.get_json()
    assert body["event"] == {"a": 1}
    assert 29_000 < body["time_left_ms"] <= 30_000


def test_an_unhandled_error_is_reported_like_lambda(client, capsys):
    reply = invoke(client, "Broken", "{}")
    assert "ValueError: handler exploded" in capsys.readouterr().err
    assert reply.status_code == 200
    assert reply.headers["X-Amz-Function-Error"] == "Unhandled"
    body = reply.get_json()
    assert (body["errorType"], body["errorMessage"]) == ("ValueError", "handler exploded")


def test_an_unknown_function_is_404(client):
    reply = invoke(client, "Nope", "{}")
    assert reply.status_code == 404
    assert reply.headers["X-Amzn-ErrorType"] == "ResourceNotFoundException"


def test_a_body_that_is_not_json_is_400(client):
    reply = invoke(client, "TypeFunction", "{not json")
    assert reply.status_code == 400
    assert reply.headers["X-Amzn-ErrorType"] == "InvalidRequestContentException"


def test_functions_come_from_rpdk_config_and_serve_the_real_handler():
    functions = load_functions(Path("."))
    assert set(functions) == {"TypeFunction", "TestEntrypoint"}
    app = create_app(functions).test_client()
    reply = invoke(app, "TypeFunction", json.dumps(handler_event("UPDATE", {"ImageName": "x"})))
    assert reply.status_code == 200
    assert reply.get_json()["errorCode"] == "InvalidRequest"


def _without_resource_properties(event):
    del event["requestData"]["resourceProperties"]
    return event


REFUSED = {
    "an unknown property": lambda event: event,
    "a boolean that is neither true nor false": lambda event: {
        **event,
        "requestData": {**event["requestData"], "resourceProperties": {"Horovod": "yes"}},
    },
    "an event without resourceProperties": _without_resource_properties,
}


@pytest.mark.parametrize("shape", REFUSED.values(), ids=REFUSED.keys())
def test_an_invalid_request_is_answered_without_a_line_on_make_serves_side(shape, capfd):
    """`make serve` prints nothing for an expected answer: the runtime library's "Handler
    error" and its traceback are for bugs only."""
    app = create_app(load_functions(Path("."))).test_client()
    event = shape(handler_event("CREATE", {"ImageName": "x", "BaseImage": "b", "Colour": "blue"}))
    capfd.readouterr()
    reply = invoke(app, "TypeFunction", json.dumps(event))
    assert reply.get_json()["errorCode"] == "InvalidRequest"
    assert capfd.readouterr() == ("", "")
