"""Injected faults over HTTP: each kind on the wire, determinism, limits, and the controls for
them (the same faults in process: test_faults_in_process.py)."""

import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from offline_aws.defaults import REGION
from sagemaker_emulator.control import CONTROL_PATH, controls, remote_controls
from sagemaker_emulator.faults import (
    DROP,
    HTTP429,
    HTTP500,
    HTTP503,
    HTTP509,
    PRIOR_REQUEST,
    REFUSALS,
    REQUEST_TIMEOUT,
    THROTTLED,
    THROTTLING,
    TRICKLE,
    TRUNCATED,
    FaultPlan,
    FaultRule,
)

from .conftest import Backoffs
from .helpers import BASE_IMAGE, make_image, post, version_numbers

pytestmark = pytest.mark.server

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
HANDLER_RETRIES = Config(retries={"mode": "standard", "max_attempts": 3})


def _plan() -> FaultPlan:
    """The fault plan of the default backend (a test that injected faults has one)."""
    plan = controls().faults
    assert plan is not None
    return plan


@pytest.fixture
def client(endpoint: str, boto_session: boto3.session.Session) -> Any:
    """A client without retries, of a server whose state is reset first."""
    assert post(f"{endpoint}/moto-api/reset", {})[0] == 200
    return boto_session.client(
        "sagemaker", region_name=REGION, endpoint_url=endpoint, config=NO_RETRIES
    )


@pytest.fixture
def retrying(
    endpoint: str, boto_session: boto3.session.Session, client: Any, backoffs: Backoffs
) -> Any:
    """A client retrying as the handler's does (standard mode, `max_attempts` 3: 3 retries),
    without sleeping its backoffs."""
    return boto_session.client(
        "sagemaker", region_name=REGION, endpoint_url=endpoint, config=HANDLER_RETRIES
    )


def create(sm: Any, token: str = "token-1") -> str:
    arn: str = sm.create_image_version(ImageName="img", BaseImage=BASE_IMAGE, ClientToken=token)[
        "ImageVersionArn"
    ]
    return arn


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        (THROTTLING, 400, "ThrottlingException"),
        (HTTP500, 500, "InternalFailure"),
        (HTTP503, 503, "ServiceUnavailable"),
        (HTTP429, 429, "TooManyRequestsException"),
        (REQUEST_TIMEOUT, 400, "RequestTimeoutException"),
        (THROTTLED, 400, "ThrottledException"),
        (PRIOR_REQUEST, 400, "PriorRequestNotComplete"),
        (HTTP509, 509, "BandwidthLimitExceeded"),
    ],
)
def test_error_faults_answer_like_aws_and_apply_nothing(client, kind, status, code):
    make_image(client)
    controls().inject_faults([FaultRule(1.0, "CreateImageVersion", (kind,))])
    with pytest.raises(ClientError) as caught:
        create(client)
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert version_numbers(client) == []
    assert _plan().injected == {kind: {"CreateImageVersion": 1}}


def test_a_dropped_connection_applies_the_request_and_loses_the_answer(client):
    make_image(client)
    controls().inject_faults([FaultRule(1.0, "CreateImageVersion", (DROP,), limit=1)])
    with pytest.raises(ConnectionClosedError):
        create(client)
    assert version_numbers(client) == [1], "the create was applied"
    assert create(client).endswith("/img/1"), "the same ClientToken gets the same version"
    assert version_numbers(client) == [1]


def test_botocore_retries_a_dropped_create_with_the_same_token(retrying):
    make_image(retrying)
    controls().inject_faults([FaultRule(1.0, "CreateImageVersion", (DROP,), limit=2)])
    assert create(retrying).endswith("/img/1")
    assert version_numbers(retrying) == [1]
    assert _plan().requests["CreateImageVersion"] == 3


def test_other_operations_follow_the_rule_for_any_operation(client):
    make_image(client)
    controls().inject_faults(
        [FaultRule(0.0, "CreateImageVersion"), FaultRule(1.0, None, (HTTP503,))]
    )
    create(client)
    with pytest.raises(ClientError) as caught:
        client.describe_image_version(ImageName="img", Version=1)
    assert caught.value.response["Error"]["Code"] == "ServiceUnavailable"


def test_a_limit_caps_the_faults_of_a_rule(retrying):
    make_image(retrying)
    controls().inject_faults([FaultRule(1.0, "ListImageVersions", (THROTTLING,), limit=2)])
    assert version_numbers(retrying) == []
    plan = _plan()
    assert plan.total_injected() == 2
    assert plan.requests["ListImageVersions"] == 3


def _fates(seed: int, requests: list[tuple[str, bytes]]) -> list[str | None]:
    plan = FaultPlan(seed=seed, rules=[FaultRule(0.3, None, (THROTTLING, HTTP500, DROP))])
    return [plan.decide(operation, body) for operation, body in requests]


def test_faults_are_a_function_of_the_seed_and_the_request_stream():
    stream = [
        ("DescribeImageVersion", b'{"Version": %d, "ImageName": "i"}' % (n % 7)) for n in range(300)
    ]
    first = _fates(7, stream)
    assert first == _fates(7, stream)
    assert first != _fates(8, stream)
    hits = [fate for fate in first if fate is not None]
    assert 50 < len(hits) < 130, "about 30% of 300"
    assert set(hits) == {THROTTLING, HTTP500, DROP}


def test_the_same_request_in_any_key_order_is_the_same_request():
    plain = _fates(3, [("ListAliases", b'{"ImageName": "i", "Version": 1}')] * 20)
    reordered = _fates(3, [("ListAliases", b'{"Version": 1, "ImageName": "i"}')] * 20)
    assert plain == reordered


def test_requests_seen_identically_often_get_independent_fates():
    fates = _fates(1, [("ListAliases", b'{"ImageName": "i", "Version": 1}')] * 100)
    assert None in fates
    assert any(fate is not None for fate in fates), "a repeated request is drawn anew"


def test_fault_controls_over_http(client, endpoint):
    make_image(client)
    plan = {"seed": 5, "rules": [{"rate": 1.0, "operation": "ListImages", "kinds": ["http500"]}]}
    state = remote_controls(endpoint, {"faults": plan})
    assert state["faults"]["seed"] == 5
    assert state["faults"]["rules"][0]["kinds"] == ["http500"]
    with pytest.raises(ClientError):
        client.list_images()
    counted = remote_controls(endpoint)["faults"]
    assert counted["injected"] == {"http500": {"ListImages": 1}}
    assert counted["requests"] == {"ListImages": 1}
    assert remote_controls(endpoint, {"faults": None})["faults"] is None
    assert client.list_images()["Images"][0]["ImageName"] == "img"


def test_a_reset_stops_the_faults(client, endpoint):
    remote_controls(endpoint, {"faults": {"rules": [{"rate": 1.0}]}})
    assert post(f"{endpoint}/moto-api/reset", {})[0] == 200
    assert remote_controls(endpoint)["faults"] is None


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        ([1], "faults must be an object or null"),
        ({"seed": "x"}, "seed must be an integer"),
        ({"rules": [{"rate": 2}]}, "rate must be between 0 and 1"),
        ({"rules": [{"rate": 0.1, "kinds": ["fire"]}]}, "kinds must be a non-empty list"),
        ({"rules": [{"rate": 0.1, "colour": 1}]}, "unknown rule settings: ['colour']"),
        ({"rules": {"rate": 0.1}}, "rules must be a list of objects"),
        ({"speed": 1}, "unknown fault settings: ['speed']"),
        ({"rules": [{"rate": 1, "at": 0}]}, "at must be a positive integer"),
        ({"trickle_seconds": -1}, "trickle_seconds must be a non-negative number"),
    ],
)
def test_bad_fault_controls(client, endpoint, faults, message):
    status, reply = post(f"{endpoint}{CONTROL_PATH}", {"faults": faults})
    assert status == 400
    assert message in reply["message"]
    assert remote_controls(endpoint)["faults"] is None


def test_limited_rules_in_a_row_make_a_sequence_of_faults(retrying):
    make_image(retrying)
    controls().inject_faults(
        [
            FaultRule(1.0, "CreateImageVersion", (DROP,), limit=1),
            FaultRule(1.0, "CreateImageVersion", (HTTP500,), limit=2),
        ]
    )
    assert create(retrying).endswith("/img/1")
    assert _plan().injected == {
        DROP: {"CreateImageVersion": 1},
        HTTP500: {"CreateImageVersion": 2},
    }
    assert version_numbers(retrying) == [1]


@pytest.mark.parametrize("kind", REFUSALS)
def test_botocore_retries_every_refusal_and_the_retry_is_applied_once(retrying, kind):
    make_image(retrying)
    controls().inject_faults([FaultRule(1.0, "CreateImageVersion", (kind,), limit=1)])
    assert create(retrying).endswith("/img/1")
    assert _plan().requests["CreateImageVersion"] == 2
    assert version_numbers(retrying) == [1]


def test_a_truncated_answer_is_a_success_without_the_output_members(client):
    make_image(client)
    create(client)
    controls().inject_faults([FaultRule(1.0, "DescribeImageVersion", (TRUNCATED,), limit=1)])
    described = client.describe_image_version(ImageName="img", Version=1)
    assert described["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "ImageVersionStatus" not in described
    assert "ImageVersionArn" not in described
    assert client.describe_image_version(ImageName="img", Version=1)["ImageVersionStatus"]


def test_a_truncated_create_is_applied(client):
    make_image(client)
    controls().inject_faults([FaultRule(1.0, "CreateImageVersion", (TRUNCATED,), limit=1)])
    answer = client.create_image_version(ImageName="img", BaseImage=BASE_IMAGE, ClientToken="t")
    assert "ImageVersionArn" not in answer
    assert version_numbers(client) == [1]


def test_a_truncated_error_is_left_whole(client):
    controls().inject_faults([FaultRule(1.0, "DescribeImage", (TRUNCATED,))])
    with pytest.raises(ClientError) as caught:
        client.describe_image(ImageName="absent")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFound"


@pytest.mark.real_time  # the emulator trickles its answer in real time
def test_a_trickled_answer_is_whole_but_slow_and_no_read_times_out(endpoint, client, boto_session):
    make_image(client)
    patient = boto_session.client(
        "sagemaker",
        region_name=REGION,
        endpoint_url=endpoint,
        config=Config(read_timeout=0.3, retries={"mode": "standard", "total_max_attempts": 1}),
    )
    controls().inject_faults(
        [FaultRule(1.0, "CreateImageVersion", (TRICKLE,), limit=1)], trickle_seconds=0.01
    )
    started = time.monotonic()
    arn = create(patient)
    elapsed = time.monotonic() - started
    body_bytes = len(f'{{"ImageVersionArn": "{arn}"}}')
    assert arn.endswith("/img/1")
    assert elapsed >= (body_bytes - 1) * 0.01 * 0.9, "one byte every 10 ms"
    assert elapsed > 0.3, "longer than the read timeout, which no single read reached"
    assert _plan().injected == {TRICKLE: {"CreateImageVersion": 1}}


def test_a_fault_at_the_kth_request_of_an_operation_over_http(client, endpoint):
    make_image(client)
    rule = {"rate": 1.0, "operation": "DescribeImage", "kinds": ["http500"], "at": 2}
    state = remote_controls(endpoint, {"faults": {"rules": [rule], "trickle_seconds": 0.1}})
    assert state["faults"]["rules"][0]["at"] == 2
    assert state["faults"]["trickle_seconds"] == 0.1
    client.describe_image(ImageName="img")
    with pytest.raises(ClientError):
        client.describe_image(ImageName="img")
    client.describe_image(ImageName="img")
    assert remote_controls(endpoint)["faults"]["injected"] == {"http500": {"DescribeImage": 1}}
