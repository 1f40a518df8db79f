"""Rule: the deadline bounds whole answers. An answer that trickles in, one byte every half
second, passes every read timeout botocore sets (each socket read gets its byte in time), and so
alone would hold a call for minutes; no such answer holds an invocation past its deadline:

- SageMaker's (the emulator over HTTP, fault kind ``trickle``): the invocation answers within
  about its deadline, the time its Lambda has left less timing.SAFETY_MARGIN;
- CloudWatch's, while the handler ships its log lines and metrics (a log group named in the
  request): the invocation answers before its Lambda's time limit.

These are measured in real time, over real sockets, with a small Lambda time limit.
"""

import logging
import threading
import time
from collections.abc import Iterator, MutableMapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from community_sagemaker_imageversion import timing
from community_sagemaker_imageversion.handlers import resource
from harness.driver import LambdaContext
from harness.events import handler_event
from offline_aws.defaults import REGION, version_arn
from sagemaker_emulator.control import catch_up, controls
from sagemaker_emulator.faults import TRICKLE, FaultRule
from sagemaker_emulator.server import running_server
from tests.handlers.conftest import IMAGE, ROLE, listed_versions, props

TIME_LIMIT = timing.SAFETY_MARGIN + timing.POLL_START + 3.0
"""The Lambda time limit of the invocation SageMaker trickles to: small, to keep it short, but
with room for the create's first status poll (timing.POLL_START after CreateImageVersion)."""
DEADLINE = TIME_LIMIT - timing.SAFETY_MARGIN
"""When its SageMaker calls must have ended, from its start."""
SHIPPING_TIME_LIMIT = 13.0 + timing.POLL_START
"""The Lambda time limit of the invocation that ships its log lines: the least that lets a line
be shipped at all (telemetry.LOG_LINE_CALLS calls at their bound must end before the limit),
after the create's first status poll (timing.POLL_START after CreateImageVersion)."""
SLACK = 1.0
"""Real time allowed past that for the answer itself (on a shared, loaded machine)."""
TRICKLE_SECONDS = 0.5
GIVE_UP = 30.0
"""How long a test waits for an invocation that does not keep its deadline."""
VERSION_1 = version_arn("trainingimage", 1)


def invoke_timed(
    event: MutableMapping[str, Any], time_limit: float
) -> tuple[dict[str, Any] | None, float]:
    """The answer of one invocation with ``time_limit`` seconds of Lambda time, and how long it
    took (real seconds); None when it had not answered after GIVE_UP seconds."""
    answers: list[dict[str, Any]] = []
    started = time.monotonic()

    def run() -> None:
        answers.append(dict(resource(event, LambdaContext(time_limit))))

    worker = threading.Thread(target=run, name="invocation", daemon=True)
    worker.start()
    worker.join(GIVE_UP)
    took = time.monotonic() - started
    return (answers[0] if answers else None), took


@pytest.fixture
def sagemaker_over_http(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The emulator as a server, the handler's SageMaker endpoint; a client of it."""
    with running_server() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", endpoint)
        yield boto3.client("sagemaker", region_name=REGION, endpoint_url=endpoint)


def test_a_trickled_sagemaker_answer_never_holds_an_invocation_past_its_deadline(
    sagemaker_over_http,
):
    sm = sagemaker_over_http
    sm.create_image(ImageName=IMAGE, RoleArn=ROLE)
    controls().inject_faults(
        [FaultRule(1.0, "DescribeImageVersion", (TRICKLE,))], trickle_seconds=TRICKLE_SECONDS
    )
    answer, took = invoke_timed(handler_event("CREATE", props()), TIME_LIMIT)
    print(f"the invocation took {took:.2f} s of a {TIME_LIMIT:.0f} s limit")
    assert answer is not None, f"no answer after {took:.0f} s"
    assert took <= DEADLINE + SLACK, f"{took:.1f} s: past the deadline of {DEADLINE:.0f} s"
    plan = controls().faults
    assert plan is not None
    assert plan.injected.get(TRICKLE), "nothing was trickled: nothing was tested"
    assert answer["status"] == "IN_PROGRESS", answer
    assert answer["resourceModel"]["ImageVersionArn"] == VERSION_1, answer
    controls().faults = None
    catch_up()
    assert [v["Version"] for v in listed_versions(sm)] == [1]


class _Trickling(BaseHTTPRequestHandler):
    """CloudWatch Logs answering every request 200, with a body it sends one byte every
    TRICKLE_SECONDS (the emulator trickles SageMaker's answers only); the requests it served
    are listed on the server."""

    protocol_version = "HTTP/1.1"
    BODY = b'{"nextSequenceToken": "1"' + b" " * 200 + b"}"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        target = str(self.headers.get("X-Amz-Target") or "")
        server: Any = self.server
        server.requests.append(target or self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        try:
            for index in range(len(self.BODY)):
                if index:
                    time.sleep(TRICKLE_SECONDS)
                self.wfile.write(self.BODY[index : index + 1])
                self.wfile.flush()
        except OSError:
            pass  # the client gave up: as it should

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def trickling_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """CloudWatch Logs trickling every answer (metrics are moto's); the requests it received."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickling)
    server.daemon_threads = True
    requests: list[str] = []
    server.requests = requests  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, name="cloudwatch", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    url = f"http://{host!s}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", url)
    try:
        yield requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def shipping(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` as CloudFormation sends it to a type registered with a log delivery role."""
    event["requestData"]["providerLogGroupName"] = "community-sagemaker-imageversion-logs"
    event["requestData"]["providerCredentials"] = dict(event["requestData"]["callerCredentials"])
    return event


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger at INFO (every line of the handler is shipped), restored after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.setLevel(logging.INFO)
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_trickled_log_shipping_never_holds_an_invocation_past_its_time_limit(
    image, sm, trickling_logs, root_logger
):
    answer, took = invoke_timed(shipping(handler_event("CREATE", props())), SHIPPING_TIME_LIMIT)
    print(f"the invocation took {took:.2f} s of a {SHIPPING_TIME_LIMIT:.0f} s limit")
    assert answer is not None, f"no answer after {took:.0f} s"
    assert "Logs_20140328.PutLogEvents" in trickling_logs, "no line was shipped: nothing tested"
    assert took <= SHIPPING_TIME_LIMIT, f"{took:.1f} s: past the Lambda's time limit"
    assert answer["status"] == "SUCCESS", answer
    assert answer["resourceModel"]["ImageVersionArn"] == VERSION_1, answer
