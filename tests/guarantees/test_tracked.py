"""Rule: from the moment CreateImageVersion may have been sent, every event of the operation
(IN_PROGRESS, SUCCESS, FAILED, and the FAILED event for an exception nobody expected) carries
ImageVersionArn, Version, ImageName and BaseImage; and so does every FAILED event of an UPDATE
or a DELETE of a version that exists.

CloudFormation keeps the model of a create's FAILED event and deletes from it later. Without
BaseImage, that model cannot tell the stack's version from another one that has come to hold its
ARN (an image deleted and made again numbers its versions from 1 again): the stack's DELETE
would then delete someone else's version.
"""

from typing import Any

import pytest
from moto.moto_api import state_manager

from harness.stack import Stack
from offline_aws.defaults import version_arn
from sagemaker_emulator.control import catch_up
from sagemaker_emulator.models import VERSION_CREATE_MODEL
from tests.handlers.conftest import BASE, IMAGE, ROLE, listed_numbers, props

from .wire import Answer

VERSION_1 = version_arn(IMAGE, 1)
THEIR_BASE = BASE + "-theirs"
# A 200 answer to DescribeImageVersion whose JSON body was cut short: botocore parses it as a
# success without any of the output's members (the emulator never answers so).
CUT_SHORT = Answer(200, b'{"BaseImage":"' + BASE.encode()[:20])


def versions(sm: Any) -> list[int]:
    catch_up()
    return sorted(listed_numbers(sm))


def untracked(events: list[dict[str, Any]]) -> list[str]:
    """The events that do not carry the version's identifiers and what it is made from."""
    wanted = {"ImageVersionArn": VERSION_1, "Version": 1, "ImageName": IMAGE, "BaseImage": BASE}
    found = []
    for number, event in enumerate(events):
        model = event.get("resourceModel") or {}
        carried = {key: model.get(key) for key in wanted}
        if carried != wanted:
            found.append(f"event {number} {event['status']} {event.get('errorCode')}: {carried}")
    return found


def cleanup_fails_too(emulator_controls: Any, wire_faults: Any) -> None:
    """The new version ends CREATE_FAILED, and deleting it ends DELETE_FAILED."""
    emulator_controls.fail_create("Base image manifest could not be read")
    emulator_controls.fail_delete("Image in use by a running app")


def describe_throttled_forever(emulator_controls: Any, wire_faults: Any) -> None:
    """Every poll of the new version is throttled, past every retry."""
    wire_faults.add("DescribeImageVersion", Answer.error("ThrottlingException", 400), None)


def slow_to_create(emulator_controls: Any, wire_faults: Any) -> None:
    """The new version is CREATING for its first hundred descriptions (past one invocation),
    then CREATED."""
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 100})


ENDINGS = {
    "the clean-up of a failed version fails too": cleanup_fails_too,
    "transient errors outlast every retry": describe_throttled_forever,
    "the version is created": slow_to_create,
}


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_every_event_of_a_create_names_the_version_and_its_base_image(
    image, driver, emulator_controls, wire_faults, instant_clock, ending
):
    ending(emulator_controls, wire_faults)
    outcome = driver.run("CREATE", props(JobType="TRAINING"))
    assert untracked(outcome.events) == []


def test_a_failed_create_kept_by_cloudformation_never_deletes_another_teams_version(
    image, driver, sm, emulator_controls, instant_clock
):
    emulator_controls.fail_create("Base image manifest could not be read")
    emulator_controls.fail_delete("Image in use by a running app")
    stack = Stack(driver)
    created = stack.create({"ImageVersion": props()})["ImageVersion"]
    assert created.status == "FAILED", created.final
    assert "ImageVersion" in stack.models, "CloudFormation keeps the failed create's model"
    # The image is deleted and made again; another team makes its own version 1.
    emulator_controls.rules.delete_image = "immediate"
    sm.delete_image(ImageName=IMAGE)
    sm.create_image(ImageName=IMAGE, RoleArn=ROLE)
    sm.create_image_version(ImageName=IMAGE, BaseImage=THEIR_BASE, ClientToken="theirs")
    catch_up()
    assert sm.describe_image_version(ImageName=IMAGE, Version=1)["ImageVersionArn"] == VERSION_1

    deleted = stack.delete()["ImageVersion"]
    assert deleted.error_code == "NotFound", deleted.final
    theirs = sm.describe_image_version(ImageName=IMAGE, Version=1)
    assert (theirs["BaseImage"], theirs["ImageVersionStatus"]) == (THEIR_BASE, "CREATED")


def test_an_answer_nobody_expected_during_a_create_still_names_the_version(
    image, driver, sm, wire_faults, instant_clock
):
    wire_faults.add("DescribeImageVersion", CUT_SHORT, None)
    outcome = driver.run("CREATE", props())
    wire_faults.clear()
    assert outcome.status == "FAILED", outcome.final
    assert untracked(outcome.events) == []
    assert versions(sm) == [1]


@pytest.fixture
def created(image, driver):
    outcome = driver.run("CREATE", props(JobType="TRAINING"))
    assert outcome.status == "SUCCESS", outcome.final
    return outcome.model


@pytest.mark.parametrize("action", ["UPDATE", "DELETE"])
def test_an_answer_nobody_expected_during_an_update_or_delete_still_names_the_version(
    created, driver, sm, wire_faults, instant_clock, action
):
    """A description cut short says nothing of whether the version exists: never NotFound
    (CloudFormation would forget a version that is still there)."""
    desired = {**created, "JobType": "INFERENCE"}
    wire_faults.add("DescribeImageVersion", CUT_SHORT, None)
    outcome = driver.run(action, desired, previous=created if action == "UPDATE" else None)
    wire_faults.clear()
    assert outcome.status == "FAILED", outcome.final
    assert outcome.error_code != "NotFound", outcome.final
    assert untracked(outcome.events) == []
    assert versions(sm) == [1]


def test_a_failed_update_names_the_version_and_its_base_image(
    created, driver, wire_faults, instant_clock
):
    refused = Answer.error("ValidationException", 400, "JobType cannot be changed now")
    wire_faults.add("UpdateImageVersion", refused, None)
    outcome = driver.run("UPDATE", {**created, "JobType": "INFERENCE"}, previous=created)
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert untracked(outcome.events) == []


def test_a_failed_delete_names_the_version_and_its_base_image(
    created, driver, sm, emulator_controls, instant_clock
):
    emulator_controls.fail_delete("Image in use by a running app")
    outcome = driver.run("DELETE", created)
    assert outcome.error_code == "NotStabilized", outcome.final
    assert untracked(outcome.events) == []
