"""The logs and metrics a registered type ships, against the offline AWS in server mode.

A registered type's events carry ``providerLogGroupName`` and the log delivery role's
``providerCredentials``; the runtime library then ships the handler's log lines to that group in
CloudWatch Logs and its metrics to CloudWatch. Here the real Lambda entrypoint runs a whole
lifecycle with both set, against moto's server (which serves SageMaker, Logs and CloudWatch on
one port, reached through botocore's service endpoint variables as `make serve` sets them), with
the root logger as Lambda leaves it (WARNING, with Lambda's own handler first), and what arrived
is read back from the server.
"""

import io
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from community_sagemaker_imageversion import TYPE_NAME
from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver, Outcome
from harness.events import handler_event
from offline_aws.defaults import CALLER_CREDENTIALS, REGION, base_image
from offline_aws.services import sagemaker_server

pytestmark = pytest.mark.server

IMAGE = "LoggedImage"
BASE = base_image("logged:1.0")
LOG_GROUP = "community-sagemaker-imageversion-logs"
NAMESPACE = "AWS/CloudFormation/" + TYPE_NAME.replace("::", "/")
ACTIONS = ("CREATE", "READ", "UPDATE", "LIST", "DELETE")
# The log delivery role's credentials, distinct from the caller's.
PROVIDER_CREDENTIALS = {
    "accessKeyId": "AKIAEXAMPLEDELIVERY1",
    "secretAccessKey": "example-delivery-secret-do-not-ship",
    "sessionToken": "example-delivery-session-token-do-not-ship",
}
SECRETS = {
    **{f"caller {name}": value for name, value in CALLER_CREDENTIALS.items()},
    **{f"provider {name}": value for name, value in PROVIDER_CREDENTIALS.items()},
}


@pytest.fixture
def offline() -> Iterator[tuple[Any, Any, Any]]:
    """SageMaker (with the parent image), Logs and CloudWatch clients of one moto server."""
    with sagemaker_server([IMAGE]) as sagemaker:
        url = sagemaker.meta.endpoint_url
        logs = boto3.client("logs", region_name=REGION, endpoint_url=url)
        cloudwatch = boto3.client("cloudwatch", region_name=REGION, endpoint_url=url)
        yield sagemaker, logs, cloudwatch


@pytest.fixture
def lambda_logging() -> Iterator[io.StringIO]:
    """The root logger as Lambda's Python runtime leaves it when no log level is configured:
    at WARNING, with Lambda's own handler first (the library filters the type's lines out of
    that one once it ships them). Yields what Lambda's handler wrote."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    written = io.StringIO()
    root.handlers.insert(0, logging.StreamHandler(written))
    root.setLevel(logging.WARNING)
    yield written
    root.handlers[:] = handlers
    root.setLevel(level)


def shipping_event(action: str, properties: Any, **options: Any) -> dict[str, Any]:
    event = handler_event(action, properties, **options)
    event["requestData"]["providerLogGroupName"] = LOG_GROUP
    event["requestData"]["providerCredentials"] = dict(PROVIDER_CREDENTIALS)
    return event


def run(driver: Driver, action: str, properties: Any, **options: Any) -> Outcome:
    event = shipping_event(action, properties, **options)
    outcome = driver.drive(action, event, lambda _step, sent: driver.invoke(sent))
    assert outcome.status == "SUCCESS", outcome.final
    return outcome


def lifecycle() -> dict[str, Any]:
    """CREATE, READ, UPDATE, LIST and DELETE of one version; the created model."""
    driver = Driver(resource, time_limit=30.0)
    created = run(driver, "CREATE", {"ImageName": IMAGE, "BaseImage": BASE}).model
    assert created is not None
    run(driver, "READ", created)
    desired = {**created, "JobType": "TRAINING"}
    updated = run(driver, "UPDATE", desired, previous=created).model
    run(driver, "LIST", {"ImageName": IMAGE})
    run(driver, "DELETE", updated)
    return created


def shipped_lines(logs: Any) -> list[str]:
    streams = logs.describe_log_streams(logGroupName=LOG_GROUP)["logStreams"]
    return [
        event["message"]
        for stream in streams
        for event in logs.get_log_events(
            logGroupName=LOG_GROUP, logStreamName=stream["logStreamName"], startFromHead=True
        )["events"]
    ]


def leaks(text: str) -> list[str]:
    return [name for name, value in SECRETS.items() if value in text]


def test_the_handlers_log_lines_reach_the_log_group(offline, lambda_logging):
    _, logs, _ = offline
    created = lifecycle()
    lines = shipped_lines(logs)
    assert f"Created {created['ImageVersionArn']}" in lines, lines
    assert any(line.startswith(f"Deleting version {created['Version']} of ") for line in lines)
    # Shipped to the group, not written twice: Lambda's own log does not repeat them.
    assert "Created arn:" not in lambda_logging.getvalue()


def test_every_invocation_publishes_its_metrics(offline, lambda_logging):
    _, _, cloudwatch = offline
    lifecycle()
    published = {
        (metric["MetricName"], dimension["Value"])
        for metric in cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]
        for dimension in metric["Dimensions"]
        if dimension["Name"] == "DimensionKeyActionType"
    }
    expected = {
        (name, action)
        for name in ("HandlerInvocationCount", "HandlerInvocationDuration")
        for action in ACTIONS
    }
    assert expected <= published, sorted(expected - published)


@pytest.mark.no_cover
@pytest.mark.parametrize("botocore_level", [None, logging.DEBUG])
def test_no_credential_value_is_in_a_shipped_log_event_or_metric(
    offline, lambda_logging, botocore_level
):
    """Also with botocore's loggers lowered to DEBUG, where each request's headers (the access
    key id, the session token) are logged, and so shipped."""
    _, logs, cloudwatch = offline
    botocore = logging.getLogger("botocore")
    before = botocore.level
    if botocore_level is not None:
        botocore.setLevel(botocore_level)
    try:
        lifecycle()
    finally:
        botocore.setLevel(before)
    lines = shipped_lines(logs)
    assert lines, "nothing was shipped: nothing was checked"
    if botocore_level is not None:
        assert any("Authorization" in line for line in lines), "no request headers shipped"
    streams = logs.describe_log_streams(logGroupName=LOG_GROUP)["logStreams"]
    metrics = cloudwatch.list_metrics()["Metrics"]
    assert metrics, "no metric was published: nothing was checked"
    shipped = "\n".join([*lines, repr(streams), repr(metrics)])
    assert leaks(shipped) == []


def test_a_shell_without_a_region_still_ships_offline(monkeypatch, lambda_logging):
    """Lambda always sets the region, and the library's log and metric clients take it from
    there: the offline AWS sets it too when the developer's shell has none."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    with sagemaker_server([IMAGE]) as sagemaker:
        logs = boto3.client("logs", region_name=REGION, endpoint_url=sagemaker.meta.endpoint_url)
        created = lifecycle()
        assert f"Created {created['ImageVersionArn']}" in shipped_lines(logs)


def test_a_warm_lambda_ships_each_resources_lines_to_its_own_stream(offline, lambda_logging):
    """The library keeps the first request's group and stream in a reused process; each
    resource's lines still go to its own stream (stack and logical id), and Lambda's own handler
    still does not repeat them."""
    _, logs, _ = offline
    driver = Driver(resource, time_limit=30.0)
    stack = "arn:aws:cloudformation:us-east-1:123456789012:stack/warm/1"
    made = {}
    for logical, base in (("VersionA", BASE), ("VersionB", BASE + "-b")):
        event = shipping_event("CREATE", {"ImageName": IMAGE, "BaseImage": base})
        event["stackId"], event["requestData"]["logicalResourceId"] = stack, logical
        outcome = driver.drive("CREATE", event, lambda _step, sent: driver.invoke(sent))
        assert outcome.status == "SUCCESS", outcome.final
        assert outcome.model is not None
        made[logical] = outcome.model["ImageVersionArn"]
    for logical, arn in made.items():
        stream = f"{stack}/{logical}".replace(":", "__")
        events = logs.get_log_events(
            logGroupName=LOG_GROUP, logStreamName=stream, startFromHead=True
        )["events"]
        lines = [e["message"] for e in events]
        assert f"Created {arn}" in lines, (logical, lines)
        other = next(a for name, a in made.items() if name != logical)
        assert f"Created {other}" not in lines, (logical, lines)
    assert "Created arn:" not in lambda_logging.getvalue()
