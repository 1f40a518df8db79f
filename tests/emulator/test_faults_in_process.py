"""Injected faults in process (under mock_aws): the plan that acts over HTTP acts here too, for
every kind that needs no socket; and a fault at exactly the k-th request."""

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from offline_aws.defaults import REGION
from sagemaker_emulator.control import controls
from sagemaker_emulator.faults import (
    DROP,
    FAULTS,
    HTTP500,
    HTTP503,
    IN_PROCESS_KINDS,
    REFUSALS,
    THROTTLING,
    TRICKLE,
    TRUNCATED,
    FaultPlan,
    FaultRule,
)

from .conftest import Backoffs
from .helpers import BASE_IMAGE, make_image, make_version, post, version_numbers

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
STANDARD_RETRIES = Config(retries={"mode": "standard", "max_attempts": 3})


def _plan() -> FaultPlan:
    plan = controls().faults
    assert plan is not None
    return plan


@pytest.fixture
def client(sm: Any, boto_session: boto3.session.Session) -> Any:
    """A client of the mock without retries, and an image ``img``."""
    client = boto_session.client("sagemaker", region_name=REGION, config=NO_RETRIES)
    make_image(client)
    return client


@pytest.fixture
def retrying(client: Any, boto_session: boto3.session.Session, backoffs: Backoffs) -> Any:
    return boto_session.client("sagemaker", region_name=REGION, config=STANDARD_RETRIES)


def create(sm: Any, token: str = "token-1") -> str:
    arn: str = sm.create_image_version(ImageName="img", BaseImage=BASE_IMAGE, ClientToken=token)[
        "ImageVersionArn"
    ]
    return arn


def test_every_kind_but_drop_and_trickle_acts_in_process() -> None:
    assert set(IN_PROCESS_KINDS) == set(FAULTS) - {DROP, TRICKLE}


@pytest.mark.parametrize("kind", REFUSALS)
def test_each_refusal_answers_in_process_like_aws_and_applies_nothing(client, kind):
    controls().inject_faults([FaultRule(1.0, "CreateImageVersion", (kind,))])
    with pytest.raises(ClientError) as caught:
        create(client)
    fault = FAULTS[kind]
    assert caught.value.response["Error"]["Code"] == fault.code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == fault.status
    assert version_numbers(client) == []
    assert _plan().injected == {kind: {"CreateImageVersion": 1}}


@pytest.mark.parametrize("kind", REFUSALS)
def test_botocore_retries_each_refusal_in_process(retrying, backoffs, kind):
    controls().inject_faults([FaultRule(1.0, "CreateImageVersion", (kind,), limit=2)])
    assert create(retrying).endswith("/img/1")
    assert _plan().requests["CreateImageVersion"] == 3
    assert len(backoffs.delays) == 2, "botocore did not back off before each retry"
    assert version_numbers(retrying) == [1]


def test_a_truncated_describe_is_a_success_without_its_status(client):
    create(client)
    controls().inject_faults([FaultRule(1.0, "DescribeImageVersion", (TRUNCATED,), limit=1)])
    described = client.describe_image_version(ImageName="img", Version=1)
    assert described["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "ImageVersionStatus" not in described
    assert set(described) == {"ResponseMetadata"}
    again = client.describe_image_version(ImageName="img", Version=1)
    assert again["ImageVersionStatus"] == "CREATED"


def test_a_truncated_create_is_applied_and_answers_no_arn(client):
    controls().inject_faults([FaultRule(1.0, "CreateImageVersion", (TRUNCATED,), limit=1)])
    assert "ImageVersionArn" not in client.create_image_version(
        ImageName="img", BaseImage=BASE_IMAGE, ClientToken="t"
    )
    assert version_numbers(client) == [1]


def test_a_truncated_error_passes_whole_in_process(client):
    controls().inject_faults([FaultRule(1.0, "DescribeImageVersion", (TRUNCATED,))])
    with pytest.raises(ClientError) as caught:
        client.describe_image_version(ImageName="img", Version=9)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFound"


def test_drop_and_trickle_are_never_picked_in_process(client):
    controls().inject_faults([FaultRule(1.0, "ListImages", (DROP, TRICKLE))])
    assert client.list_images()["Images"]
    assert _plan().injected == {}
    assert _plan().requests == {"ListImages": 1}
    controls().inject_faults([FaultRule(1.0, "ListImages", (DROP, HTTP503))])
    with pytest.raises(ClientError) as caught:
        client.list_images()
    assert caught.value.response["Error"]["Code"] == "ServiceUnavailable"


def test_a_fault_at_exactly_the_kth_request_of_an_operation(client):
    create(client)
    controls().inject_faults([FaultRule(1.0, "DescribeImageVersion", (HTTP500,), at=3)])
    outcomes = []
    for _ in range(5):
        try:
            client.describe_image_version(ImageName="img", Version=1)
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    assert outcomes == ["ok", "ok", "InternalFailure", "ok", "ok"]


def test_a_fault_at_exactly_the_kth_request_of_any_operation(client):
    controls().inject_faults([FaultRule(1.0, None, (THROTTLING,), at=2)])
    client.list_images()
    with pytest.raises(ClientError):
        client.describe_image(ImageName="img")
    client.list_images()
    assert _plan().injected == {THROTTLING: {"DescribeImage": 1}}


def test_a_rule_waiting_for_its_request_leaves_the_others_to_the_next_rule(client):
    controls().inject_faults(
        [FaultRule(1.0, "ListImages", (HTTP500,), at=2), FaultRule(1.0, None, (HTTP503,))]
    )
    codes = []
    for _ in range(3):
        with pytest.raises(ClientError) as caught:
            client.list_images()
        codes.append(caught.value.response["Error"]["Code"])
    assert codes == ["ServiceUnavailable", "InternalFailure", "ServiceUnavailable"]


@pytest.mark.parametrize("kind", IN_PROCESS_KINDS)
def test_a_sweep_injects_one_kind_at_each_call_of_an_action(client, kind):
    """The form a deterministic sweep takes: for k = 1, 2, ..., one run with ``kind`` at the
    k-th call; here each run faults exactly its k-th of three ListImages."""
    for k in (1, 2, 3):
        controls().inject_faults([FaultRule(1.0, "ListImages", (kind,), at=k)])
        hit = []
        for _ in range(3):
            try:
                listed = client.list_images()
                hit.append("Images" not in listed)
            except ClientError:
                hit.append(True)
        assert hit == [n == k for n in (1, 2, 3)]


def test_in_process_faults_are_a_function_of_the_seed(client):
    def fates(seed: int) -> list[str]:
        controls().inject_faults([FaultRule(0.5, "ListImages", (HTTP500,))], seed=seed)
        seen = []
        for _ in range(30):
            try:
                client.list_images()
                seen.append("ok")
            except ClientError:
                seen.append("fault")
        return seen

    first = fates(4)
    assert first == fates(4)
    assert first != fates(5)
    assert 5 < first.count("fault") < 25


@pytest.mark.server
def test_a_request_to_the_server_is_decided_once(
    client, endpoint: str, boto_session: boto3.session.Session
):
    """Under mock_aws a client of the emulator's server is not answered by moto's stubber: the
    server decides its faults, the in-process layer leaves it alone."""
    assert post(f"{endpoint}/moto-api/reset", {})[0] == 200
    remote = boto_session.client(
        "sagemaker", region_name=REGION, endpoint_url=endpoint, config=NO_RETRIES
    )
    make_image(remote, "served")
    controls().inject_faults([FaultRule(1.0, "ListImages", (HTTP500,), limit=1)])
    with pytest.raises(ClientError):
        remote.list_images()
    assert [i["ImageName"] for i in remote.list_images()["Images"]] == ["served"]
    assert _plan().requests == {"ListImages": 2}


def test_faults_stop_when_the_plan_is_removed(client):
    controls().inject_faults([FaultRule(1.0)])
    with pytest.raises(ClientError):
        client.list_images()
    controls().faults = None
    make_version(client)
    assert version_numbers(client) == [1]
