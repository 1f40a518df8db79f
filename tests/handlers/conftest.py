"""Fixtures of the handler tests: the real Lambda entrypoint against the emulator in process."""

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import EndpointConnectionError
from moto import mock_aws
from moto.moto_api import state_manager

from community_sagemaker_imageversion.handlers import resource
from harness.clocks import InstantClock
from harness.driver import Driver
from harness.inventory import every_item
from harness.recorder import BOTOCORE_CLIENT, Recorder, recording
from offline_aws.defaults import IMAGE_ROLE, base_image
from offline_aws.services import in_process_client
from sagemaker_emulator.control import catch_up, controls
from sagemaker_emulator.models import VERSION_CREATE_MODEL
from tests.botocore_errors import client_error

IMAGE = "TrainingImage"
BASE = base_image("training:1.0")
ROLE = IMAGE_ROLE
NETWORK = "network"


@pytest.fixture(autouse=True)
def _mocked_aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def sm() -> Any:
    return in_process_client()


@pytest.fixture
def image(sm: Any) -> str:
    sm.create_image(ImageName=IMAGE, RoleArn=ROLE)
    return IMAGE


@pytest.fixture
def driver() -> Driver:
    return Driver(resource, time_limit=30.0)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with recording() as calls:
        yield calls


@pytest.fixture
def slow_creates() -> None:
    """Versions stay CREATING for one second, as SageMaker's take minutes."""
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "time", "seconds": 1})


@pytest.fixture
def emulator_controls() -> Any:
    return controls()


def props(**extra: Any) -> dict[str, Any]:
    return {"ImageName": IMAGE, "BaseImage": BASE, **extra}


@pytest.fixture
def failing_calls(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``failing_calls(operation, code, times)``: the next ``times`` attempts of ``operation``
    fail with ``code`` as SageMaker would answer it, or with a connection failure when ``code``
    is NETWORK (botocore makes one attempt per call; the handler retries transient errors
    itself, up to timing.ATTEMPTS per call)."""
    plan: dict[str, list[str]] = {}
    original = BOTOCORE_CLIENT._make_api_call

    def make_api_call(self: Any, operation: str, params: Any) -> Any:
        if plan.get(operation):
            code = plan[operation].pop()
            if code == NETWORK:
                raise EndpointConnectionError(endpoint_url="https://sagemaker.invalid")
            status = 500 if code == "InternalFailure" else 400
            raise client_error(code, operation, status, message="injected")
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)

    def fail(operation: str, code: str, times: int = 1) -> None:
        plan.setdefault(operation, []).extend([code] * times)

    return fail


@pytest.fixture
def instant_clock(instant_time: InstantClock | None) -> InstantClock:
    """The test's instant clock (tests/conftest.py), whose ``slept`` lists the sleeps."""
    assert instant_time is not None, "a real_time test has no instant clock"
    return instant_time


def listed_versions(sm: Any, image: str = IMAGE, **params: Any) -> list[dict[str, Any]]:
    """Every version ListImageVersions lists of ``image`` (all pages, in its order)."""
    return every_item(sm.list_image_versions, "ImageVersions", ImageName=image, **params)


def listed_numbers(sm: Any, image: str = IMAGE) -> list[int]:
    """The numbers of every version ListImageVersions lists of ``image`` (all pages)."""
    return [v["Version"] for v in listed_versions(sm, image)]


def listed_aliases(sm: Any, version: int, image: str = IMAGE) -> list[str]:
    """Every alias ListAliases lists of ``version`` of ``image`` (all pages, in its order)."""
    return every_item(
        sm.list_aliases, "SageMakerImageVersionAliases", ImageName=image, Version=version
    )


def listed_images(sm: Any) -> list[dict[str, Any]]:
    """Every image ListImages lists (all pages)."""
    return every_item(sm.list_images, "Images")


TIME_FILTERS = frozenset(
    {"CreationTimeAfter", "CreationTimeBefore", "LastModifiedTimeAfter", "LastModifiedTimeBefore"}
)


def empty_pages_first(params: Mapping[str, Any]) -> int:
    """How many empty pages (each with a NextToken) the emulator answers a List call of
    ``params`` (a first page: no NextToken) before its items, under the current ``empty_pages``
    variant: a call count a test expects is the items' pages plus these."""
    rules = controls().rules
    filtered = bool(TIME_FILTERS & set(params))
    if rules.empty_pages == "before_items" or (
        rules.empty_pages == "before_filtered_items" and filtered
    ):
        return rules.empty_page_count
    return 0


def made_out_of_band(sm: Any, **params: Any) -> str:
    """Create a version as another actor would (``params`` for CreateImageVersion) and return its
    ARN: the ClientToken is sent again when SageMaker answers without it, and the version is seen
    by every later call (no read-after-write lag hides a test's own set-up)."""
    arn: str = sm.create_image_version(**params)["ImageVersionArn"]
    if arn == "None":
        arn = sm.create_image_version(**params)["ImageVersionArn"]
    catch_up()
    return arn
