"""Logs and metrics shipped to CloudWatch (a registered type's events ask for them) never change a
handler's outcome, never hide the version it made, and are bounded in time, through the
entrypoint."""

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError, EndpointConnectionError

from community_sagemaker_imageversion.telemetry import TELEMETRY_CONFIG, ShippedLogs
from harness.events import handler_event
from harness.recorder import BOTOCORE_CLIENT
from offline_aws.defaults import REGION
from sagemaker_emulator.control import catch_up

from .conftest import BASE, listed_versions, props

LOG_GROUP = "community-sagemaker-imageversion-logs"


def shipping(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` as CloudFormation sends it to a type registered with a log delivery role."""
    event["requestData"]["providerLogGroupName"] = LOG_GROUP
    event["requestData"]["providerCredentials"] = dict(event["requestData"]["callerCredentials"])
    return event


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger at INFO (Lambda's log level set so), its handlers restored after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.setLevel(logging.INFO)
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def telemetry_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Every CloudWatch call made, with its client's config; ``fail`` maps an operation to the
    error it raises from its n-th call on (``(n, error)``)."""
    seen: dict[str, Any] = {"calls": [], "configs": [], "fail": {}}
    original = BOTOCORE_CLIENT._make_api_call

    def make_api_call(self: Any, operation: str, params: Any) -> Any:
        if self.meta.service_model.service_name in ("logs", "cloudwatch"):
            seen["calls"].append(operation)
            seen["configs"].append(self.meta.config)
            nth, error = seen["fail"].get(operation, (None, None))
            if nth is not None and seen["calls"].count(operation) >= nth:
                raise error
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    return seen


def versions(sm: Any) -> list[str]:
    catch_up()  # the test's own look, past any read-after-write lag
    return [v["ImageVersionArn"] for v in listed_versions(sm)]


def test_logs_and_metrics_are_shipped_when_cloudwatch_answers(
    image, sm, driver, root_logger, telemetry_calls
):
    answer = driver.invoke(shipping(handler_event("CREATE", props())))
    assert answer["status"] == "SUCCESS", answer
    assert telemetry_calls["calls"].count("PutMetricData") == 2  # invocation, then duration
    assert "PutLogEvents" in telemetry_calls["calls"]
    logs = boto3.client("logs", region_name=REGION)
    streams = logs.describe_log_streams(logGroupName=LOG_GROUP)["logStreams"]
    lines = [
        e["message"]
        for s in streams
        for e in logs.get_log_events(logGroupName=LOG_GROUP, logStreamName=s["logStreamName"])[
            "events"
        ]
    ]
    assert any("Created" in line for line in lines), lines


def test_every_telemetry_client_is_bounded_in_time(image, driver, root_logger, telemetry_calls):
    driver.invoke(shipping(handler_event("CREATE", props())))
    assert telemetry_calls["configs"], "nothing was shipped: nothing was tested"
    bounds = vars(TELEMETRY_CONFIG)  # botocore's stubs do not declare a Config's options
    for config in telemetry_calls["configs"]:
        assert (config.connect_timeout, config.read_timeout) == (
            bounds["connect_timeout"],
            bounds["read_timeout"],
        )
        assert config.retries["total_max_attempts"] == 1
    assert bounds["connect_timeout"] + bounds["read_timeout"] <= 3


def test_a_metric_that_cannot_be_published_after_a_create_hides_nothing(
    image, sm, driver, root_logger, telemetry_calls
):
    down = EndpointConnectionError(endpoint_url="https://monitoring.us-east-1.amazonaws.com")
    telemetry_calls["fail"]["PutMetricData"] = (2, down)  # the duration metric, after the handler
    answer = driver.invoke(shipping(handler_event("CREATE", props())))
    assert answer["status"] == "SUCCESS", answer
    assert [answer["resourceModel"]["ImageVersionArn"]] == versions(sm)


def test_a_log_line_that_cannot_be_shipped_hides_nothing_and_stops_shipping(
    image, sm, driver, root_logger, telemetry_calls, capsys
):
    throttled = ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "PutLogEvents"
    )
    telemetry_calls["fail"]["PutLogEvents"] = (1, throttled)
    answer = driver.invoke(shipping(handler_event("CREATE", props())))
    assert answer["status"] == "SUCCESS", answer
    assert [answer["resourceModel"]["ImageVersionArn"]] == versions(sm)
    assert telemetry_calls["calls"].count("PutLogEvents") == 1, "shipping stopped after a failure"
    assert "not shipped again in this invocation" in capsys.readouterr().err
    assert [h for h in root_logger.handlers if isinstance(h, ShippedLogs)]

    telemetry_calls["fail"].clear()
    again = driver.invoke(shipping(handler_event("CREATE", props(BaseImage=BASE + "-b"))))
    assert again["status"] == "SUCCESS", again
    assert telemetry_calls["calls"].count("PutLogEvents") > 1, "the next invocation ships again"


def test_a_request_that_asks_for_no_shipping_ships_nothing_after_one_that_did(
    image, driver, root_logger, telemetry_calls
):
    """A warm Lambda keeps the log handler of a request that asked for shipping: a later request
    that asks for none (no providerLogGroupName) must not have its lines shipped, with the
    earlier request's credentials, to the earlier request's stream."""
    first = driver.invoke(shipping(handler_event("CREATE", props())))
    assert first["status"] == "SUCCESS", first
    assert "PutLogEvents" in telemetry_calls["calls"], "nothing was shipped: nothing was tested"
    telemetry_calls["calls"].clear()
    second = driver.invoke(handler_event("CREATE", props(BaseImage=BASE + "-b")))
    assert second["status"] == "SUCCESS", second
    assert telemetry_calls["calls"] == []
    third = driver.invoke(shipping(handler_event("CREATE", props(BaseImage=BASE + "-c"))))
    assert third["status"] == "SUCCESS", third
    assert "PutLogEvents" in telemetry_calls["calls"], "shipping did not resume when asked again"


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "not a url"}, id="logs-endpoint"),
        pytest.param({"AWS_ENDPOINT_URL_CLOUDWATCH": "not a url"}, id="metrics-endpoint"),
    ],
)
def test_a_telemetry_client_that_cannot_be_built_hides_nothing(
    image, sm, driver, root_logger, monkeypatch, capsys, broken
):
    """botocore refuses to build a client for an invalid endpoint: the create goes on, and the
    failure is written to Lambda's own log."""
    for name, value in broken.items():
        monkeypatch.setenv(name, value)
    answer = driver.invoke(shipping(handler_event("CREATE", props())))
    assert answer["status"] == "SUCCESS", answer
    assert [answer["resourceModel"]["ImageVersionArn"]] == versions(sm)
    assert "Setting up" in capsys.readouterr().err


def test_telemetry_clients_are_built_in_the_requests_region(
    image, driver, root_logger, telemetry_calls, monkeypatch
):
    """The library gives the provider's session no region: a process without one (or with
    another) still ships, to the request's region."""
    regions: list[str] = []
    original = BOTOCORE_CLIENT._make_api_call

    def make_api_call(self: Any, operation: str, params: Any) -> Any:
        if self.meta.service_model.service_name in ("logs", "cloudwatch"):
            regions.append(self.meta.region_name)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    answer = driver.invoke(shipping(handler_event("CREATE", props())))
    assert answer["status"] == "SUCCESS", answer
    assert regions, "nothing was shipped: nothing was tested"
    assert set(regions) == {REGION}
