"""Request rate limits: token buckets per class of operation, on the emulator's clock, per account
and region, in process and over HTTP."""

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from offline_aws.defaults import REGION
from sagemaker_emulator.control import controls, remote_controls
from sagemaker_emulator.faults import HTTP500, FaultRule
from sagemaker_emulator.rate_limits import RateLimits, operation_class

from .helpers import make_image, post

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


@pytest.fixture
def client(sm: Any, boto_session: boto3.session.Session, manual_clock: Any) -> Any:
    return boto_session.client("sagemaker", region_name=REGION, config=NO_RETRIES)


def outcome(call: Any) -> str:
    try:
        call()
    except ClientError as error:
        code = str(error.response["Error"]["Code"])
        if code == "ThrottlingException":
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        return code
    return "ok"


def limits() -> RateLimits:
    found = controls().rate_limits
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("operation", "kind"),
    [
        ("ListImageVersions", "list"),
        ("ListAliases", "list"),
        ("DescribeImageVersion", "describe"),
        ("DescribeImage", "describe"),
        ("CreateImageVersion", "mutate"),
        ("UpdateImageVersion", "mutate"),
        ("DeleteImage", "mutate"),
    ],
)
def test_operations_are_classed_by_name(operation: str, kind: str) -> None:
    assert operation_class(operation) == kind


def test_requests_above_the_rate_are_throttled_and_counted(client, manual_clock):
    controls().rate_limits = RateLimits(list_per_second=2)
    results = [outcome(client.list_images) for _ in range(3)]
    assert results == ["ok", "ok", "ThrottlingException"]
    assert limits().throttles == {"ListImages": 1}
    manual_clock.now += 0.5
    assert [outcome(client.list_images) for _ in range(2)] == ["ok", "ThrottlingException"]
    manual_clock.now += 10
    assert [outcome(client.list_images) for _ in range(3)] == ["ok", "ok", "ThrottlingException"]
    assert limits().throttles == {"ListImages": 3}


def test_a_throttled_request_is_not_applied(client, manual_clock):
    controls().rate_limits = RateLimits(mutate_per_second=1)
    make_image(client, "first")
    assert outcome(lambda: make_image(client, "second")) == "ThrottlingException"
    assert [i["ImageName"] for i in client.list_images()["Images"]] == ["first"]


def test_each_class_has_its_own_bucket_and_burst(client, manual_clock):
    controls().rate_limits = RateLimits(list_per_second=1, describe_per_second=1, burst=3)
    make_image(client)
    assert [outcome(client.list_images) for _ in range(4)] == ["ok"] * 3 + ["ThrottlingException"]
    describe = lambda: client.describe_image(ImageName="img")  # noqa: E731
    assert [outcome(describe) for _ in range(4)] == ["ok"] * 3 + ["ThrottlingException"]
    assert outcome(lambda: make_image(client, "unlimited")) == "ok"


def test_rate_limits_are_per_account_and_region(client, manual_clock, boto_session):
    controls().rate_limits = RateLimits(list_per_second=1)
    elsewhere = boto_session.client("sagemaker", region_name="eu-west-1", config=NO_RETRIES)
    assert [outcome(client.list_images) for _ in range(2)] == ["ok", "ThrottlingException"]
    assert [outcome(elsewhere.list_images) for _ in range(2)] == ["ok", "ok"]


def test_a_throttled_request_never_reaches_the_fault_plan(client, manual_clock):
    controls().rate_limits = RateLimits(list_per_second=1)
    plan = controls().inject_faults([FaultRule(1.0, "ListImages", (HTTP500,), at=2)])
    assert outcome(client.list_images) == "ok"  # the plan's 1st request
    assert outcome(client.list_images) == "ThrottlingException"  # never the plan's 2nd
    assert plan.requests == {"ListImages": 1}
    manual_clock.now += 1
    assert outcome(client.list_images) == "InternalFailure"
    assert plan.requests == {"ListImages": 2}


@pytest.mark.parametrize(
    "settings", [{"list_per_second": 0}, {"burst": 0.5}, {"describe_per_second": True}]
)
def test_bad_rate_limits_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RateLimits(**settings)


@pytest.mark.server
def test_rate_limits_over_http(endpoint: str, boto_session: boto3.session.Session, manual_clock):
    assert post(f"{endpoint}/moto-api/reset", {})[0] == 200
    remote = boto_session.client(
        "sagemaker", region_name=REGION, endpoint_url=endpoint, config=NO_RETRIES
    )
    state = remote_controls(endpoint, {"rate_limits": {"describe_per_second": 1}})
    assert state["rate_limits"] == {
        "list_per_second": None,
        "describe_per_second": 1,
        "mutate_per_second": None,
        "burst": None,
        "throttles": {},
    }
    make_image(remote)
    describe = lambda: remote.describe_image(ImageName="img")  # noqa: E731
    assert [outcome(describe) for _ in range(2)] == ["ok", "ThrottlingException"]
    assert remote_controls(endpoint)["rate_limits"]["throttles"] == {"DescribeImage": 1}
    assert remote_controls(endpoint, {"rate_limits": None})["rate_limits"] is None
    assert outcome(describe) == "ok"
