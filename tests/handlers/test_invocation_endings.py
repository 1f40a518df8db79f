"""How the entrypoint ends an invocation the handler could not end itself: an event it cannot read
after all, and a failure outside the engine (the engine answers every failure of its own). Each
is a FAILED event with the right code, reported with its traceback: printed (scrubbed) when the
request ships no logs, else logged and shipped with the invocation's metrics, as the runtime
library reports it."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cloudformation_cli_python_lib import exceptions
from cloudformation_cli_python_lib.interface import Action

from community_sagemaker_imageversion import clients
from community_sagemaker_imageversion.entrypoint import read_request
from community_sagemaker_imageversion.handlers import resource
from harness.events import handler_event
from offline_aws.defaults import CALLER_CREDENTIALS

from .test_telemetry import root_logger, shipping, telemetry_calls  # noqa: F401 (fixtures)

ARN = "arn:aws:sagemaker:us-east-1:123456789012:image-version/endings/1"
SECRET = CALLER_CREDENTIALS["secretAccessKey"]


@pytest.fixture
def failing_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[BaseException], None]]:
    """Make the READ handler raise what it is given, once it has built its client (so the
    caller's credentials are known to the scrubbing)."""

    def fail_with(failure: BaseException) -> None:
        def read(session: Any, request: Any, _context: Any) -> Any:
            clients.sagemaker_client(session, request.region)
            raise failure

        monkeypatch.setitem(resource._handlers, Action.READ, read)

    yield fail_with


def read_event() -> dict[str, Any]:
    return handler_event("READ", {"ImageVersionArn": ARN, "ImageName": "endings"})


@pytest.mark.parametrize("missing", ["region", "bearerToken", "requestData", "action"])
def test_an_event_that_cannot_be_read_is_invalid(missing):
    """(The entrypoint refuses such an event before it reads it: this is its second line.)"""
    event = read_event()
    del event[missing]
    with pytest.raises(exceptions.InvalidRequest, match=missing):
        read_request(event)


@pytest.mark.parametrize(
    ("failure", "code", "printed"),
    [
        (RuntimeError(f"boom with {SECRET}"), "InternalFailure", "Exception caught: "),
        (SystemExit(f"exit with {SECRET}"), "InternalFailure", "Exception caught: "),
        (exceptions.NotFound("Community::SageMaker::ImageVersion", SECRET), "NotFound", "Handler"),
    ],
)
def test_a_failure_outside_the_engine_answers_and_is_printed_scrubbed(
    failing_read, driver, capfd, failure, code, printed
):
    failing_read(failure)
    answer = driver.invoke(read_event())
    assert (answer["status"], answer["errorCode"]) == ("FAILED", code), answer
    out, err = capfd.readouterr()
    assert out.startswith(printed), out
    assert "Traceback" in err
    assert SECRET not in out + err + str(answer)


def test_a_failure_outside_the_engine_is_shipped_with_its_metric(
    failing_read,
    driver,
    root_logger,  # noqa: F811 (the fixture)
    telemetry_calls,  # noqa: F811 (the fixture)
    capfd,
):
    failing_read(RuntimeError("boom"))
    answer = driver.invoke(shipping(read_event()))
    assert (answer["status"], answer["errorCode"]) == ("FAILED", "InternalFailure"), answer
    # the invocation, its exception and its duration
    assert telemetry_calls["calls"].count("PutMetricData") == 3, telemetry_calls["calls"]
    assert "PutLogEvents" in telemetry_calls["calls"]
    assert "Exception caught" not in capfd.readouterr().out, "logged, not printed, once logs ship"
