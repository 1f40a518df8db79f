"""States SageMaker reaches on its own or out of band, through the entrypoint: the parent image
being deleted (answered in each plausible way) or still being created, a version archived by
SageMaker, and a CREATE_FAILED version made outside CloudFormation."""

import pytest
from moto.moto_api import state_manager

from harness.events import handler_event
from sagemaker_emulator import models as emulator_models
from sagemaker_emulator.control import catch_up
from sagemaker_emulator.models import IMAGE_DELETE_MODEL, IMAGE_MODEL
from sagemaker_emulator.rules import VARIANTS

from .conftest import BASE, IMAGE, ROLE, listed_versions, made_out_of_band, props

DELETING_ANSWERS = [v for v in VARIANTS["delete_image"] if v != "immediate"]
LISTS_AS_USUAL = ("deleting_describes", "deleting_refuses_writes")


@pytest.fixture(params=DELETING_ANSWERS)
def image_being_deleted(request, image, driver, sm, emulator_controls):
    """A version whose image is then deleted, with a DELETING phase that lasts 6 calls."""
    emulator_controls.rules.delete_image = request.param
    model = driver.run("CREATE", props(Aliases=["stable"])).model
    state_manager.set_transition(IMAGE_DELETE_MODEL, {"progression": "manual", "times": 6})
    sm.delete_image(ImageName=IMAGE)
    assert sm.describe_image(ImageName=IMAGE)["ImageStatus"] == "DELETING"
    return model


def test_read_of_a_version_whose_image_is_being_deleted_is_not_found(image_being_deleted, driver):
    assert driver.run("READ", image_being_deleted).error_code == "NotFound"


def test_delete_of_a_version_whose_image_is_being_deleted_succeeds(
    image_being_deleted, driver, sm, emulator_controls
):
    outcome = driver.run("DELETE", image_being_deleted)
    assert (outcome.status, outcome.error_code) in (("SUCCESS", None), ("FAILED", "NotFound"))
    if emulator_controls.rules.delete_image == "deleting_describes":
        # the version is gone, whether or not the image's deletion has ended meanwhile
        try:
            left = listed_versions(sm)
        except sm.exceptions.ResourceNotFound:
            left = []
        assert left == []


def test_update_of_a_version_whose_image_is_being_deleted_is_never_an_invalid_request(
    image_being_deleted, driver
):
    desired = {**image_being_deleted, "JobType": "INFERENCE"}
    outcome = driver.run("UPDATE", desired, previous=image_being_deleted)
    assert outcome.error_code != "InvalidRequest", outcome.final


def test_a_create_on_an_image_being_deleted_is_refused_naming_it(image_being_deleted, driver):
    outcome = driver.run("CREATE", props(BaseImage=BASE + "-late"))
    assert outcome.error_code == "InvalidRequest"
    assert IMAGE in outcome.final["message"]
    assert "DELETING" in outcome.final["message"] or "gone" in outcome.final["message"]


def test_a_create_on_an_image_still_being_created_waits_for_it(sm, driver):
    state_manager.set_transition(IMAGE_MODEL, {"progression": "time", "seconds": 2})
    sm.create_image(ImageName=IMAGE, RoleArn=ROLE)
    assert sm.describe_image(ImageName=IMAGE)["ImageStatus"] == "CREATING"
    outcome = driver.run("CREATE", props())
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model["Version"] == 1
    catch_up()  # the test's own look, past any read-after-write lag
    versions = listed_versions(sm)
    assert [v["Version"] for v in versions] == [1]


def test_list_while_an_image_is_being_deleted_lists_the_others(
    image_being_deleted, sm, driver, emulator_controls
):
    sm.create_image(ImageName="staying", RoleArn=ROLE)
    sm.create_image_version(ImageName="staying", BaseImage=BASE, ClientToken="t-staying")
    catch_up()
    models, _ = driver.list_all(None)
    assert ("staying", 1) in {(m["ImageName"], m["Version"]) for m in models}
    alone = driver.invoke(handler_event("LIST", {"ImageName": IMAGE}))
    assert alone["status"] == "SUCCESS", alone
    # under these variants the version calls (ListImageVersions too) answer as usual
    if emulator_controls.rules.delete_image not in LISTS_AS_USUAL:
        assert alone["resourceModels"] == []


@pytest.fixture
def archiving(emulator_controls, monkeypatch):
    """SageMaker archives TO_BE_ARCHIVED versions on its own; its clock is ours to move."""
    emulator_controls.rules.archival = "after_delay"
    emulator_controls.rules.archive_seconds = 90 * 24 * 3600
    clock = {"now": 0.0}
    monkeypatch.setattr(emulator_models, "now", lambda: clock["now"])
    return clock


def test_an_update_never_un_archives_a_version_sagemaker_archived(
    image, driver, sm, recorder, archiving
):
    model = driver.run("CREATE", props(VendorGuidance="TO_BE_ARCHIVED")).model
    archiving["now"] += 91 * 24 * 3600
    read = driver.run("READ", model)
    assert read.model["VendorGuidance"] == "ARCHIVED", "READ reports what SageMaker did: drift"
    recorder.clear()
    desired = {**model, "VendorGuidance": "TO_BE_ARCHIVED", "ReleaseNotes": "notes"}
    outcome = driver.run("UPDATE", desired, previous=model)
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model["VendorGuidance"] == "ARCHIVED"
    sent = recorder.of("UpdateImageVersion")
    assert sent == [{"ImageName": IMAGE, "Version": 1, "ReleaseNotes": "notes"}]
    assert sm.describe_image_version(ImageName=IMAGE, Version=1)["VendorGuidance"] == "ARCHIVED"


def test_a_template_can_still_change_an_archived_versions_guidance(image, driver, archiving):
    model = driver.run("CREATE", props(VendorGuidance="TO_BE_ARCHIVED")).model
    archiving["now"] += 91 * 24 * 3600
    outcome = driver.run("UPDATE", {**model, "VendorGuidance": "STABLE"}, previous=model)
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model["VendorGuidance"] == "STABLE"


@pytest.fixture
def failed_out_of_band(image, sm, emulator_controls):
    """A CREATE_FAILED version made outside CloudFormation, imported by its ARN."""
    emulator_controls.fail_create("Base image manifest could not be read")
    arn = made_out_of_band(sm, ImageName=IMAGE, BaseImage=BASE, ClientToken="elsewhere")
    described = sm.describe_image_version(ImageName=IMAGE, Version=1)
    assert described["ImageVersionStatus"] == "CREATE_FAILED"
    return {**props(), "ImageVersionArn": arn}


def test_read_reports_a_create_failed_version_as_it_is(failed_out_of_band, driver):
    read = driver.run("READ", {"ImageVersionArn": failed_out_of_band["ImageVersionArn"]})
    assert read.status == "SUCCESS", read.final
    assert read.model["BaseImage"] == BASE
    assert read.model["Version"] == 1


def test_an_update_that_changes_nothing_on_a_create_failed_version_succeeds(
    failed_out_of_band, driver, recorder
):
    recorder.clear()
    outcome = driver.run("UPDATE", failed_out_of_band, previous=failed_out_of_band)
    assert outcome.status == "SUCCESS", outcome.final
    assert recorder.mutating() == []


def test_an_update_that_changes_a_create_failed_version_says_why_it_cannot(
    failed_out_of_band, driver
):
    desired = {**failed_out_of_band, "JobType": "TRAINING"}
    outcome = driver.run("UPDATE", desired, previous=failed_out_of_band)
    assert outcome.error_code == "NotStabilized"
    assert "CREATE_FAILED" in outcome.final["message"]
    assert "Base image manifest could not be read" in outcome.final["message"]


def test_a_create_failed_version_can_be_deleted(failed_out_of_band, driver, sm):
    assert driver.run("DELETE", failed_out_of_band).status == "SUCCESS"
    assert listed_versions(sm) == []
