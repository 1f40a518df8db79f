"""Server mode: the emulator behind moto's HTTP server, its controls and reset over HTTP."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from sagemaker_emulator.control import CONTROL_PATH, remote_controls
from sagemaker_emulator.models import VERSION_CREATE_MODEL
from sagemaker_emulator.rules import Rules

from .helpers import error_of, make_image, make_version, post, status_of

pytestmark = pytest.mark.server

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def sm(endpoint: str, boto_session: boto3.session.Session) -> Any:
    """A client of the server, whose state is reset first."""
    assert post(f"{endpoint}/moto-api/reset", {}) == (200, {"status": "ok"})
    return boto_session.client("sagemaker", region_name="us-east-1", endpoint_url=endpoint)


def test_operations_over_http(sm: Any) -> None:
    make_image(sm)
    arn = make_version(sm, Aliases=["stable"])
    assert sm.describe_image_version(ImageName="img", Alias="stable")["ImageVersionArn"] == arn
    assert [i["ImageName"] for i in sm.list_images()["Images"]] == ["img"]
    assert sm.list_aliases(ImageName="img")["SageMakerImageVersionAliases"] == ["stable"]


def test_errors_on_the_wire_are_aws_json(sm: Any, endpoint: str) -> None:
    headers = {
        "X-Amz-Target": "SageMaker.DescribeImage",
        "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/sagemaker/"
        "aws4_request, SignedHeaders=host, Signature=0",
    }
    status, body = post(endpoint, {"ImageName": "absent"}, headers)
    assert status == 400
    # moto's JSON serialiser names the member as SageMaker's error shapes do: "Message"
    assert body == {
        "__type": "ResourceNotFound",
        "Message": "Image with ARN arn:aws:sagemaker:us-east-1:123456789012:image/absent"
        " does not exist.",
    }

    status, body = post(endpoint, {"ImageName": "bad_name"}, headers)
    assert status == 400
    assert body["__type"] == "ValidationException"
    assert body["Message"].startswith(
        "1 validation error detected: Value 'bad_name' at 'imageName'"
    )


def test_controls_over_http(sm: Any, endpoint: str) -> None:
    make_image(sm)
    changes = {
        "failures": [{"phase": "create", "reason": "boom"}, {"phase": "delete", "reason": "stuck"}],
        "concurrency_check": False,
        "max_versions_per_image": 5,
    }
    state = remote_controls(endpoint, changes)
    assert state["concurrency_check"] is False
    assert len(state["failures"]) == 2

    make_version(sm)
    make_version(sm)
    sm.delete_image_version(ImageName="img", Version=2)

    described = sm.describe_image_version(ImageName="img", Version=1)
    assert (described["ImageVersionStatus"], described["FailureReason"]) == (
        "CREATE_FAILED",
        "boom",
    )
    assert status_of(sm, 2) == "DELETE_FAILED"
    assert remote_controls(endpoint)["failures"] == []


def test_controls_are_per_account_and_region(sm: Any, endpoint: str) -> None:
    remote_controls(endpoint, {"max_images": 0}, region_name="eu-west-1")
    make_image(sm)
    assert remote_controls(endpoint)["max_images"] is None
    assert remote_controls(endpoint, region_name="eu-west-1")["max_images"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1], "the body must be a JSON object"),
        ({"bogus": 1}, "unknown controls: ['bogus']"),
        ({"concurrency_check": "no"}, "expected true or false, got 'no'"),
        ({"max_images": -1}, "expected a non-negative integer or null, got -1"),
        ({"failures": [{"phase": "create"}]}, "missing 1 required positional argument: 'reason'"),
        ({"failures": [{"phase": "update", "reason": "r"}]}, "phase must be 'create' or 'delete'"),
        ({"failures": {"phase": "create"}}, "failures must be a list of objects"),
        ({"rules": {"alias_clash": "nope"}}, "alias_clash must be one of refuse"),
        ({"rules": {"colour": "blue"}}, "unknown rules: ['colour']"),
        ({"rules": ["move"]}, "rules must be an object"),
        ({"rate_limits": 2}, "rate_limits must be an object or null"),
        ({"rate_limits": {"list_per_second": 0}}, "list_per_second must be a positive number"),
        ({"rate_limits": {"burst": 0.5}}, "burst must be at least 1"),
        ({"rate_limits": {"colour": 1}}, "unknown rate limit settings: ['colour']"),
    ],
)
def test_bad_control_requests(sm: Any, endpoint: str, body: object, message: str) -> None:
    status, reply = post(f"{endpoint}{CONTROL_PATH}", body)
    assert status == 400
    assert message in reply["message"]
    assert remote_controls(endpoint) == {
        "concurrency_check": True,
        "max_images": None,
        "max_versions_per_image": None,
        "failures": [],
        "faults": None,
        "rules": dataclasses.asdict(Rules.from_environment()),
        "rate_limits": None,
    }


def test_transitions_over_http(sm: Any, endpoint: str) -> None:
    transition = {
        "model_name": VERSION_CREATE_MODEL,
        "transition": {"progression": "manual", "times": 1},
    }
    assert post(f"{endpoint}/moto-api/state-manager/set-transition", transition)[0] == 201
    make_image(sm)
    make_version(sm)
    assert error_of(lambda: make_version(sm))["Code"] == "ResourceInUse"
    assert status_of(sm, 1) == "CREATED"


def test_reset_over_http_clears_state_and_controls(sm: Any, endpoint: str) -> None:
    make_image(sm)
    remote_controls(endpoint, {"concurrency_check": False})

    assert post(f"{endpoint}/moto-api/reset", {})[0] == 200

    assert sm.list_images()["Images"] == []
    assert remote_controls(endpoint)["concurrency_check"] is True


def test_endpoint_from_the_environment(
    sm: Any, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_image(sm)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", endpoint)
    client = boto3.session.Session().client("sagemaker", region_name="us-east-1")
    assert [i["ImageName"] for i in client.list_images()["Images"]] == ["img"]


def test_server_as_a_separate_process(boto_session: boto3.session.Session) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "sagemaker_emulator.server", "--port", "0"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            client = boto_session.client("sagemaker", region_name="us-east-1", endpoint_url=url)
            make_image(client)
            assert client.describe_image(ImageName="img")["ImageStatus"] == "CREATED"
            assert remote_controls(url)["concurrency_check"] is True
        finally:
            server.terminate()
    assert server.returncode == 0
