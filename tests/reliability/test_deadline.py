"""The deadline, through the entrypoint: every invocation returns within 60 s of its start and
before its Lambda runs out of time, even when SageMaker never answers, and however slowly
CloudWatch takes the logs and metrics shipped meanwhile.

The time here is simulated: ``time.monotonic`` and ``time.sleep`` are a fake clock, and every
HTTP request "hangs" for exactly the read timeout it was given (urllib3's ``urlopen`` advances
the clock by it, then times out), so each assertion is about simulated seconds, never the wall
clock. The read timeout is the one botocore hands to urllib3: what the handler asked for.
"""

import logging
import time
from dataclasses import dataclass, field

import pytest
import urllib3
from botocore.client import BaseClient
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.util.timeout import Timeout

from community_sagemaker_imageversion.handlers import resource
from community_sagemaker_imageversion.telemetry import TELEMETRY_CONFIG
from harness.events import handler_event
from harness.recorder import BOTOCORE_CLIENT
from offline_aws.defaults import version_arn

# No variant of the emulator's unknown rules can change the outcome here.
pytestmark = pytest.mark.rules_independent

IMAGE = "TrainingImage"
VERSION_1 = version_arn("trainingimage", 1)


def props(**extra):
    return {"ImageName": IMAGE, "BaseImage": "registry/training:1", **extra}


@dataclass
class Attempt:
    at: float
    read_timeout: float


@dataclass
class HangingSageMaker:
    """A fake clock and an endpoint that accepts every request and never answers."""

    now: float = 1000.0
    attempts: list[Attempt] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def urlopen(self, pool: HTTPConnectionPool, method: str, url: str, **kwargs: object) -> None:
        timeout = kwargs.get("timeout")
        if not isinstance(timeout, Timeout):
            timeout = pool.timeout
        assert timeout.read_timeout is not None
        read = float(timeout.read_timeout)
        self.attempts.append(Attempt(self.now, read))
        self.now += read
        raise urllib3.exceptions.ReadTimeoutError(pool, url, "Read timed out.")


@dataclass
class Context:
    """A Lambda context on the fake clock."""

    hanging: HangingSageMaker
    time_limit: float
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.hanging.now

    def get_remaining_time_in_millis(self) -> int:
        return int((self.started + self.time_limit - self.hanging.now) * 1000)


@pytest.fixture
def hanging(monkeypatch):
    fake = HangingSageMaker()
    monkeypatch.setattr(time, "monotonic", fake.monotonic)
    monkeypatch.setattr(time, "sleep", fake.sleep)

    def urlopen(pool: HTTPConnectionPool, method: str, url: str, **kwargs: object) -> None:
        fake.urlopen(pool, method, url, **kwargs)

    monkeypatch.setattr(HTTPConnectionPool, "urlopen", urlopen)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:9")
    return fake


ACTIONS = {
    "CREATE": props(Aliases=["a"]),
    "READ": {**props(), "ImageVersionArn": VERSION_1},
    "UPDATE": {**props(JobType="TRAINING"), "ImageVersionArn": VERSION_1},
    "DELETE": {**props(), "ImageVersionArn": VERSION_1},
    "LIST": None,
}


@pytest.mark.parametrize("time_limit", [3.0, 8.0, 20.0, 45.0, 60.0, 120.0, 900.0])
@pytest.mark.parametrize("action", ACTIONS)
def test_an_invocation_returns_in_time_when_sagemaker_never_answers(hanging, action, time_limit):
    previous = ACTIONS[action] if action == "UPDATE" else None
    event = handler_event(action, ACTIONS[action], previous=previous)
    started = hanging.now
    answer = resource(event, Context(hanging, time_limit))
    took = hanging.now - started
    limit = min(60.0, time_limit)
    assert hanging.attempts, f"no request was made: nothing was tested: {answer}"
    assert took <= limit, f"{action} took {took:.1f} s of a {limit:.0f} s limit"
    for attempt in hanging.attempts:
        assert attempt.at + attempt.read_timeout <= started + limit
    if action in ("READ", "LIST"):
        assert (answer["status"], answer["errorCode"]) == ("FAILED", "NetworkFailure"), answer
    else:
        assert answer["status"] == "IN_PROGRESS", answer
        assert answer["callbackDelaySeconds"] >= 1


@pytest.fixture
def slow_cloudwatch(hanging, monkeypatch):
    """CloudWatch Logs and metrics that answer every call, each after its whole time bound (so
    shipping never fails and is never stopped), on the fake clock; a new log stream is created
    on its first line, as the runtime library does it. Returns the shipping calls made."""
    options = vars(TELEMETRY_CONFIG)  # botocore's stubs do not declare a Config's options
    bound = options["connect_timeout"] + options["read_timeout"]
    calls: list[str] = []
    streams: set[str] = set()
    original = BOTOCORE_CLIENT._make_api_call

    def make_api_call(self, operation, params):
        if self.meta.service_model.service_name not in ("logs", "cloudwatch"):
            return original(self, operation, params)
        hanging.now += bound
        calls.append(operation)
        if operation == "CreateLogStream":
            streams.add(params["logStreamName"])
        if operation == "PutLogEvents" and params["logStreamName"] not in streams:
            error = {"Error": {"Code": "ResourceNotFoundException", "Message": "no stream"}}
            raise self.exceptions.ResourceNotFoundException(error, operation)
        return {"nextSequenceToken": "1"} if operation == "PutLogEvents" else {}

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.setLevel(logging.INFO)  # every log line of the handler is shipped
    yield calls
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("time_limit", [8.0, 20.0, 45.0, 60.0, 120.0])
@pytest.mark.parametrize("action", ["CREATE", "UPDATE", "DELETE"])
def test_slow_log_and_metric_shipping_keeps_the_deadline(
    hanging, slow_cloudwatch, action, time_limit
):
    previous = ACTIONS[action] if action == "UPDATE" else None
    event = handler_event(action, ACTIONS[action], previous=previous)
    event["requestData"]["providerLogGroupName"] = "community-sagemaker-imageversion-logs"
    event["requestData"]["providerCredentials"] = dict(event["requestData"]["callerCredentials"])
    started = hanging.now
    answer = resource(event, Context(hanging, time_limit))
    took = hanging.now - started
    limit = min(60.0, time_limit)
    assert slow_cloudwatch, "nothing was shipped: nothing was tested"
    assert took <= limit, f"{action} took {took:.1f} s of a {limit:.0f} s limit: {slow_cloudwatch}"
    assert answer["status"] == "IN_PROGRESS", answer
