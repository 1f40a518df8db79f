"""Status transitions, concurrency, injected failures and limits."""

import time
from typing import Any

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_api import state_manager

from offline_aws.defaults import REGION
from sagemaker_emulator.control import controls, image_backends
from sagemaker_emulator.failures import FailureRule
from sagemaker_emulator.models import VERSION_CREATE_MODEL, VERSION_DELETE_MODEL

from .helpers import error_of, make_image, make_version, status_of, version_numbers

CONCURRENT = {"Code": "ResourceInUse", "Message": "Resource was modified concurrently."}


def listed_statuses(sm: Any) -> dict[int, str]:
    listed = sm.list_image_versions(ImageName="img")["ImageVersions"]
    return {v["Version"]: v["ImageVersionStatus"] for v in listed}


def slow(model_name: str, times: int = 3) -> None:
    state_manager.set_transition(model_name, {"progression": "manual", "times": times})


@pytest.fixture
def image(sm: Any) -> str:
    make_image(sm)
    return "img"


def test_creation_completes_after_n_describes(sm: Any, image: str) -> None:
    slow(VERSION_CREATE_MODEL, times=2)
    make_version(sm)
    assert listed_statuses(sm) == {1: "CREATING"}
    assert status_of(sm, 1) == "CREATING"
    assert status_of(sm, 1) == "CREATED"
    assert listed_statuses(sm) == {1: "CREATED"}


def test_creation_completes_after_some_time(sm: Any, image: str) -> None:
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "time", "seconds": 0.5})
    make_version(sm)
    assert listed_statuses(sm) == {1: "CREATING"}
    time.sleep(0.55)
    assert listed_statuses(sm) == {1: "CREATED"}


def test_deletion_goes_through_deleting(sm: Any, image: str) -> None:
    make_version(sm)
    slow(VERSION_DELETE_MODEL, times=2)
    sm.delete_image_version(ImageName=image, Version=1)

    assert listed_statuses(sm) == {1: "DELETING"}
    assert status_of(sm, 1) == "DELETING"
    error = error_of(lambda: sm.delete_image_version(ImageName=image, Version=1))
    assert error["Code"] == "ResourceInUse"
    assert error["Message"].endswith("/img/1) is being deleted.")
    assert error_of(lambda: status_of(sm, 1))["Code"] == "ResourceNotFound"
    assert listed_statuses(sm) == {}


def test_concurrent_create_and_delete_while_a_version_is_creating(sm: Any, image: str) -> None:
    make_version(sm, token="first")
    slow(VERSION_CREATE_MODEL)
    make_version(sm, token="second")

    assert error_of(lambda: make_version(sm)) == CONCURRENT
    assert error_of(lambda: sm.delete_image_version(ImageName=image, Version=1)) == CONCURRENT
    assert error_of(lambda: sm.delete_image(ImageName=image)) == CONCURRENT
    assert make_version(sm, token="second").endswith("/img/2")  # a replay is not blocked
    sm.update_image_version(ImageName=image, Version=1, ReleaseNotes="still fine")
    assert listed_statuses(sm) == {1: "CREATED", 2: "CREATING"}


def test_the_busy_version_itself_cannot_change(sm: Any, image: str) -> None:
    slow(VERSION_CREATE_MODEL)
    make_version(sm)
    deleting = error_of(lambda: sm.delete_image_version(ImageName=image))
    updating = error_of(lambda: sm.update_image_version(ImageName=image, ReleaseNotes="n"))
    assert deleting["Code"] == updating["Code"] == "ResourceInUse"
    assert deleting["Message"].endswith("/img/1) is being created.")
    assert updating["Message"].endswith("/img/1 is CREATING and cannot be updated.")


def test_concurrent_create_while_a_version_is_deleting(sm: Any, image: str) -> None:
    make_version(sm)
    make_version(sm)
    slow(VERSION_DELETE_MODEL)
    sm.delete_image_version(ImageName=image, Version=1)

    assert error_of(lambda: make_version(sm)) == CONCURRENT
    assert error_of(lambda: sm.delete_image_version(ImageName=image, Version=2)) == CONCURRENT


def test_concurrency_check_can_be_turned_off(sm: Any, image: str) -> None:
    controls().concurrency_check = False
    make_version(sm)
    slow(VERSION_CREATE_MODEL)
    make_version(sm)
    make_version(sm)
    slow(VERSION_DELETE_MODEL)
    sm.delete_image_version(ImageName=image, Version=1)
    assert listed_statuses(sm) == {1: "DELETING", 2: "CREATING", 3: "CREATING"}
    sm.delete_image(ImageName=image)
    assert sm.describe_image(ImageName=image)["ImageStatus"] == "DELETING"
    assert sm.list_images()["Images"] == []


def test_immediate_transitions_are_settled_at_once(sm: Any, image: str) -> None:
    make_version(sm)
    slow(VERSION_CREATE_MODEL)  # changing the transition later does not rewind version 1
    assert listed_statuses(sm) == {1: "CREATED"}


def test_a_final_status_stays_whatever_the_transitions_become(sm: Any, image: str) -> None:
    """A status no transition leaves is returned without asking moto's state manager again: a
    transition changed afterwards changes nothing, and no status is set from outside."""
    make_version(sm)
    assert status_of(sm, 1) == "CREATED"
    slow(VERSION_CREATE_MODEL, times=1)
    state = _state_of_version(1)
    assert (state.status, status_of(sm, 1), listed_statuses(sm)) == (
        "CREATED",
        "CREATED",
        {1: "CREATED"},
    )
    with pytest.raises(AttributeError, match="follows its transitions"):
        state.status = "CREATING"
    assert status_of(sm, 1) == "CREATED"


def _state_of_version(number: int) -> Any:
    backend = image_backends[DEFAULT_ACCOUNT_ID][REGION]
    return backend.images["img"].versions[number]._state


def test_next_create_fails(sm: Any, image: str) -> None:
    controls().fail_create("Base image not found")
    make_version(sm)
    make_version(sm)

    failed = sm.describe_image_version(ImageName=image, Version=1)
    assert failed["ImageVersionStatus"] == "CREATE_FAILED"
    assert failed["FailureReason"] == "Base image not found"
    listed = sm.list_image_versions(ImageName=image, SortOrder="ASCENDING")["ImageVersions"]
    assert [v.get("FailureReason") for v in listed] == ["Base image not found", None]
    assert status_of(sm, 2) == "CREATED"


def test_every_create_of_one_image_fails(sm: Any, image: str) -> None:
    make_image(sm, "other")
    controls().fail_create("no", image_name=image, once=False)
    make_version(sm)
    make_version(sm)
    make_version(sm, "other")
    assert listed_statuses(sm) == {1: "CREATE_FAILED", 2: "CREATE_FAILED"}
    assert status_of(sm, 1, "other") == "CREATED"


def test_failure_shows_after_a_delayed_transition(sm: Any, image: str) -> None:
    slow(VERSION_CREATE_MODEL, times=1)
    controls().fail_create("late failure")
    make_version(sm)
    assert listed_statuses(sm) == {1: "CREATING"}
    assert "FailureReason" not in sm.list_image_versions(ImageName=image)["ImageVersions"][0]
    assert status_of(sm, 1) == "CREATE_FAILED"


def test_failed_version_can_be_deleted_not_updated(sm: Any, image: str) -> None:
    controls().fail_create("no")
    make_version(sm)
    error = error_of(lambda: sm.update_image_version(ImageName=image, ReleaseNotes="n"))
    assert error["Code"] == "ValidationException"
    assert error["Message"].endswith("/img/1 is in an invalid state: CREATE_FAILED.")
    sm.delete_image_version(ImageName=image)
    assert version_numbers(sm) == []


def test_delete_fails_then_succeeds_on_retry(sm: Any, image: str) -> None:
    make_version(sm)
    controls().fail_delete("Internal failure")
    sm.delete_image_version(ImageName=image, Version=1)

    failed = sm.describe_image_version(ImageName=image, Version=1)
    assert failed["ImageVersionStatus"] == "DELETE_FAILED"
    assert failed["FailureReason"] == "Internal failure"
    assert version_numbers(sm) == [1]

    sm.delete_image_version(ImageName=image, Version=1)
    assert version_numbers(sm) == []


def test_image_limit(sm: Any) -> None:
    controls().max_images = 1
    make_image(sm)
    error = error_of(lambda: make_image(sm, "second"))
    assert error["Code"] == "ResourceLimitExceeded"
    assert [i["ImageName"] for i in sm.list_images()["Images"]] == ["img"]


def test_version_limit_counts_existing_versions(sm: Any, image: str) -> None:
    controls().max_versions_per_image = 2
    make_version(sm)
    make_version(sm)
    assert error_of(lambda: make_version(sm))["Code"] == "ResourceLimitExceeded"
    sm.delete_image_version(ImageName=image, Version=1)
    assert make_version(sm).endswith("/img/3")


@pytest.mark.parametrize(
    ("phase", "reason", "message"),
    [
        ("update", "r", "phase must be"),
        ("create", "", "1 to 1024"),
        ("delete", "r" * 1025, "1 to 1024"),
    ],
)
def test_failure_rules_are_checked(phase: Any, reason: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FailureRule(phase, reason)
