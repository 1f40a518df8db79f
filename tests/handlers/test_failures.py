"""Out-of-band changes, SageMaker failures and bad input, through the Lambda entrypoint."""

import logging
from dataclasses import replace

import pytest
from moto.moto_api import state_manager

from harness.events import handler_event
from offline_aws.defaults import ACCOUNT, CALLER_CREDENTIALS, SAGEMAKER_ARN_PREFIX
from sagemaker_emulator.models import IMAGE_MODEL, VERSION_CREATE_MODEL, VERSION_DELETE_MODEL

from .conftest import IMAGE, listed_versions, made_out_of_band, props

ARN_PREFIX = SAGEMAKER_ARN_PREFIX


def test_version_deleted_out_of_band_is_not_found_for_read_update_and_delete(image, driver, sm):
    model = driver.run("CREATE", props()).model
    sm.delete_image_version(ImageName=IMAGE, Version=1)
    assert driver.run("READ", model).error_code == "NotFound"
    update = driver.run("UPDATE", {**props(JobType="TRAINING"), **model}, previous=model)
    assert update.error_code == "NotFound"
    assert driver.run("DELETE", model).error_code == "NotFound"


def test_a_later_version_is_never_touched_in_place_of_a_missing_one(image, driver, sm, recorder):
    first = driver.run("CREATE", props()).model
    second = driver.run("CREATE", props()).model
    sm.delete_image_version(ImageName=IMAGE, Version=1)
    recorder.clear()
    assert driver.run("DELETE", first).error_code == "NotFound"
    update = driver.run("UPDATE", {**props(JobType="TRAINING"), **first}, previous=first)
    assert update.error_code == "NotFound"
    version_scoped = (
        "DescribeImageVersion",
        "UpdateImageVersion",
        "DeleteImageVersion",
        "ListAliases",
    )
    about_first = [c for c in recorder.calls if c.operation in version_scoped]
    assert about_first
    assert all(call.params["Version"] == 1 for call in about_first), about_first
    assert recorder.of("DeleteImageVersion") == recorder.of("UpdateImageVersion") == []
    assert sm.describe_image_version(ImageName=IMAGE, Version=2).get("JobType") is None
    assert driver.run("READ", second).status == "SUCCESS"


def test_parent_image_deleted_out_of_band(image, driver, sm):
    model = driver.run("CREATE", props()).model
    sm.delete_image(ImageName=IMAGE)
    assert driver.run("READ", model).error_code == "NotFound"
    assert driver.run("UPDATE", {**props(), **model}, previous=model).error_code == "NotFound"
    assert driver.run("DELETE", model).error_code == "NotFound"


def test_missing_parent_image_is_an_invalid_request_naming_it(driver, instant_clock):
    outcome = driver.run("CREATE", props())
    assert outcome.error_code == "InvalidRequest"
    assert IMAGE in outcome.final["message"]


def test_a_parent_image_that_never_gets_ready_is_waited_for_then_a_conflict_naming_it(
    sm, driver, instant_clock
):
    state_manager.set_transition(IMAGE_MODEL, {"progression": "manual", "times": 10**6})
    sm.create_image(ImageName=IMAGE, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r")
    # Callback delays pass on the handler's clock too, as they would in CloudFormation.
    waiting = replace(driver, wait=instant_clock.sleep, delay_scale=1.0)
    outcome = waiting.run("CREATE", props())
    assert outcome.error_code == "ResourceConflict", outcome.final
    assert f"Image {IMAGE} is CREATING" in outcome.final["message"]
    assert "60 minutes" in outcome.final["message"]
    assert listed_versions(sm) == []


def test_create_failed_is_not_stabilized_with_sagemakers_reason_and_cleaned_up(
    image, driver, emulator_controls, sm
):
    emulator_controls.fail_create("Base image manifest could not be read")
    outcome = driver.run("CREATE", props(Aliases=["stable"]))
    assert outcome.error_code == "NotStabilized"
    message = outcome.final["message"]
    assert "Base image manifest could not be read" in message
    assert "CREATE_FAILED" in message
    assert "The failed version was deleted" in message
    assert listed_versions(sm) == []
    retried = driver.run("CREATE", props(Aliases=["stable"]))
    assert retried.status == "SUCCESS", "the failed version's aliases were freed"
    # the next number: the failed version's 1 is given again when SageMaker reuses the number
    # of the image's latest version once it is gone (version_numbers=reused_after_latest)
    reused = emulator_controls.rules.version_numbers == "reused_after_latest"
    assert retried.model["Version"] == (1 if reused else 2)


def test_a_failed_create_whose_cleanup_fails_says_both(image, driver, emulator_controls, sm):
    emulator_controls.fail_create("bad manifest")
    emulator_controls.fail_delete("still referenced")
    outcome = driver.run("CREATE", props())
    assert outcome.error_code == "NotStabilized"
    assert "bad manifest" in outcome.final["message"]
    assert "still referenced" in outcome.final["message"]
    assert outcome.model["ImageVersionArn"].endswith("/trainingimage/1"), "the leftover is named"


def test_delete_failed_is_not_stabilized_with_sagemakers_reason(image, driver, emulator_controls):
    model = driver.run("CREATE", props()).model
    emulator_controls.fail_delete("Image in use by a running app")
    outcome = driver.run("DELETE", model)
    assert outcome.error_code == "NotStabilized"
    assert "Image in use by a running app" in outcome.final["message"]
    retried = driver.run("DELETE", model)
    assert retried.status == "SUCCESS", "a later delete retries a DELETE_FAILED version"


def test_a_delete_that_finds_the_version_already_deleting_does_not_ask_again(
    image, driver, sm, recorder
):
    model = driver.run("CREATE", props()).model
    state_manager.set_transition(VERSION_DELETE_MODEL, {"progression": "manual", "times": 3})
    sm.delete_image_version(ImageName=IMAGE, Version=1)
    recorder.clear()
    outcome = driver.run("DELETE", model)
    assert outcome.status == "SUCCESS"
    assert recorder.of("DeleteImageVersion") == []


def test_an_update_of_a_deleting_version_is_not_found(image, driver, sm):
    model = driver.run("CREATE", props()).model
    state_manager.set_transition(VERSION_DELETE_MODEL, {"progression": "manual", "times": 50})
    sm.delete_image_version(ImageName=IMAGE, Version=1)
    outcome = driver.run("UPDATE", {**props(JobType="TRAINING"), **model}, previous=model)
    assert outcome.error_code == "NotFound"
    assert driver.run("READ", model).error_code == "NotFound"


def test_an_update_of_a_creating_version_waits_then_updates(image, sm, driver, recorder):
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 3})
    arn = made_out_of_band(sm, ImageName=IMAGE, BaseImage=props()["BaseImage"], ClientToken="x")
    current = {**props(), "ImageVersionArn": arn}
    outcome = driver.run("UPDATE", {**current, "JobType": "INFERENCE"}, previous=current)
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model["JobType"] == "INFERENCE"
    assert len(recorder.of("UpdateImageVersion")) == 1


def test_an_update_never_returns_the_write_only_alias(image, driver):
    model = driver.run("CREATE", props(Alias="one")).model
    desired = {**props(Alias="two"), "ImageVersionArn": model["ImageVersionArn"]}
    outcome = driver.run("UPDATE", desired, previous={**model, "Alias": "one"})
    assert outcome.status == "SUCCESS"
    assert "Alias" not in outcome.model
    # the write-only Alias is not folded into Aliases: what was asked comes back
    assert outcome.model["Aliases"] == []


def test_update_and_delete_without_an_identifier_are_not_found(image, driver, recorder):
    assert (
        driver.run("UPDATE", props(JobType="TRAINING"), previous=props()).error_code == "NotFound"
    )
    assert driver.run("DELETE", props()).error_code == "NotFound"
    assert driver.run("READ", props()).error_code == "NotFound"
    assert recorder.mutating() == []


INVALID = [
    ({"ImageName": "-bad"}, "ImageName"),
    ({"ImageName": "x" * 64}, "ImageName"),
    ({"BaseImage": "b" * 256}, "BaseImage"),
    ({"BaseImage": ""}, "BaseImage"),
    ({"Alias": ".dot"}, "Alias"),
    ({"Aliases": ["ok", "no spaces"]}, "Aliases"),
    ({"Aliases": ["twice", "twice"]}, "Aliases"),
    ({"VendorGuidance": "GOOD"}, "VendorGuidance"),
    ({"JobType": "TRAIN"}, "JobType"),
    ({"Processor": "TPU"}, "Processor"),
    ({"MLFramework": "PyTorch"}, "MLFramework"),
    ({"ProgrammingLang": "Python"}, "ProgrammingLang"),
    ({"ReleaseNotes": "r" * 256}, "ReleaseNotes"),
    ({"Horovod": "perhaps"}, "Horovod"),
    ({"Version": 3}, "Version"),
    ({"ImageVersionArn": f"{ARN_PREFIX}:image-version/trainingimage/1"}, "ImageVersionArn"),
    ({"ContainerImage": "x"}, "ContainerImage"),
    ({"ImageArn": f"{ARN_PREFIX}:image/trainingimage"}, "ImageArn"),
    ({"Colour": "blue"}, "Colour"),
]


@pytest.mark.parametrize(("change", "prop"), INVALID, ids=[p for _, p in INVALID])
def test_invalid_input_is_refused_before_any_change(image, driver, recorder, sm, change, prop):
    outcome = driver.run("CREATE", {**props(), **change})
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert prop in outcome.final["message"]
    assert recorder.mutating() == []
    assert listed_versions(sm) == []


@pytest.mark.parametrize(("change", "prop"), INVALID[:14], ids=[p for _, p in INVALID[:14]])
def test_invalid_update_is_refused_and_changes_nothing(image, driver, recorder, change, prop):
    model = driver.run("CREATE", props(JobType="TRAINING", Aliases=["keep"])).model
    before = driver.run("READ", model).model
    recorder.clear()
    outcome = driver.run("UPDATE", {**model, **change}, previous=model)
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert prop in outcome.final["message"]
    assert recorder.mutating() == []
    assert driver.run("READ", model).model == before


def test_an_update_without_a_desired_model_is_refused_and_changes_nothing(image, driver, recorder):
    model = driver.run("CREATE", props(Aliases=["keep"])).model
    before = driver.run("READ", model).model
    recorder.clear()
    outcome = driver.run("UPDATE", None, previous=model)
    assert outcome.error_code == "InvalidRequest", outcome.final
    assert "resourceProperties must be an object for UPDATE" in outcome.final["message"]
    assert recorder.mutating() == []
    assert driver.run("READ", model).model == before


def test_missing_required_properties_are_named(image, driver):
    outcome = driver.run("CREATE", {"JobType": "TRAINING"})
    assert outcome.error_code == "InvalidRequest"
    assert "ImageName is required" in outcome.final["message"]
    assert "BaseImage is required" in outcome.final["message"]


def test_no_credential_value_reaches_any_log_line(image, driver, caplog):
    caplog.set_level(logging.DEBUG)
    model = driver.run("CREATE", props(Aliases=["a"])).model
    driver.run(
        "UPDATE",
        {**props(Aliases=["b"]), **{"ImageVersionArn": model["ImageVersionArn"]}},
        previous=model,
    )
    driver.run("READ", model)
    driver.list_all({"ImageName": IMAGE})
    driver.run("DELETE", model)
    driver.run("DELETE", model)
    driver.invoke(handler_event("CREATE", {"Colour": 1}))
    text = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert len(caplog.records) > 0
    for secret in CALLER_CREDENTIALS.values():
        assert secret not in text
