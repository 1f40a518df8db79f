"""Which version an ARN names: only the one SageMaker issued it for, in the request's account and
region; and the image found whatever the case of the model's ImageName (through the entrypoint)."""

import pytest

from offline_aws.defaults import SAGEMAKER_ARN_PREFIX
from sagemaker_emulator.control import catch_up

from .conftest import BASE, ROLE, listed_aliases, listed_versions, props

ARN_PREFIX = SAGEMAKER_ARN_PREFIX


@pytest.fixture
def created(image, driver):
    model = driver.run("CREATE", props(Aliases=["stable"], JobType="TRAINING")).model
    assert model["ImageVersionArn"] == f"{ARN_PREFIX}:image-version/trainingimage/1"
    return model


FOREIGN = {
    "another account": "arn:aws:sagemaker:us-east-1:999999999999:image-version/trainingimage/1",
    "another region": "arn:aws:sagemaker:eu-west-1:123456789012:image-version/trainingimage/1",
    "another partition": "arn:aws-cn:sagemaker:us-east-1:123456789012:image-version/"
    "trainingimage/1",
    "a trailing newline": f"{ARN_PREFIX}:image-version/trainingimage/1\n",
    "leading zeros": f"{ARN_PREFIX}:image-version/trainingimage/01",
    "the name in capitals": f"{ARN_PREFIX}:image-version/TrainingImage/1",
    "an image ARN": f"{ARN_PREFIX}:image/trainingimage",
}


@pytest.mark.parametrize("arn", FOREIGN.values(), ids=FOREIGN.keys())
def test_an_arn_sagemaker_did_not_issue_here_reaches_no_version(created, driver, recorder, sm, arn):
    recorder.clear()
    foreign = {**created, "ImageVersionArn": arn}
    assert driver.run("READ", foreign).error_code == "NotFound"
    desired = {**foreign, "JobType": "INFERENCE", "Aliases": []}
    assert driver.run("UPDATE", desired, previous=foreign).error_code == "NotFound"
    assert driver.run("DELETE", foreign).error_code == "NotFound"
    assert recorder.mutating() == [], "a call that changes something was made"
    described = sm.describe_image_version(ImageName="TrainingImage", Version=1)
    assert (described["ImageVersionStatus"], described["JobType"]) == ("CREATED", "TRAINING")
    assert listed_aliases(sm, 1, "TrainingImage") == ["stable"]


@pytest.mark.parametrize("arn", FOREIGN.values(), ids=FOREIGN.keys())
def test_an_import_by_a_foreign_arn_is_not_found(created, driver, arn):
    assert driver.run("READ", {"ImageVersionArn": arn}).error_code == "NotFound"


def test_a_read_answers_with_exactly_the_identifier_asked_for(created, driver):
    for model in (created, {"ImageVersionArn": created["ImageVersionArn"]}):
        read = driver.run("READ", model)
        assert read.status == "SUCCESS"
        assert read.model["ImageVersionArn"] == created["ImageVersionArn"]


@pytest.mark.parametrize("spelled", ["trainingimage", "TRAININGIMAGE", "tRaInInGiMaGe"])
def test_a_model_naming_the_image_in_another_case_still_finds_the_version(
    created, driver, sm, recorder, spelled
):
    model = {**created, "ImageName": spelled}
    read = driver.run("READ", model)
    assert read.status == "SUCCESS", read.final
    assert read.model["ImageVersionArn"] == created["ImageVersionArn"]
    assert read.model["ImageName"] == spelled, "reported as the model spells it: no false drift"
    assert read.model["Aliases"] == ["stable"]

    desired = {**model, "JobType": "INFERENCE"}
    updated = driver.run("UPDATE", desired, previous=model)
    assert updated.status == "SUCCESS", updated.final
    described = sm.describe_image_version(ImageName="TrainingImage", Version=1)
    assert described["JobType"] == "INFERENCE"

    recorder.clear()
    deleted = driver.run("DELETE", model)
    assert deleted.status == "SUCCESS", deleted.final
    assert listed_versions(sm, "TrainingImage") == []
    assert [c.params["ImageName"] for c in recorder.mutating()] == ["TrainingImage"]


def test_a_name_case_change_alone_is_no_create_only_change(created, driver):
    lower = {**created, "ImageName": "trainingimage"}
    outcome = driver.run("UPDATE", {**lower, "JobType": "INFERENCE"}, previous=created)
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model["ImageName"] == "trainingimage", "the model's spelling, as READ gives"
    assert driver.run("READ", outcome.model).model["ImageName"] == "trainingimage"


def test_a_replacement_for_a_name_case_change_makes_the_version_on_the_same_image(
    created, driver, sm
):
    # CloudFormation compares create-only values exactly: a change of case alone replaces.
    new = driver.run("CREATE", {**props(Aliases=["stable"]), "ImageName": "trainingimage"})
    assert new.status == "SUCCESS", new.final
    assert new.model["ImageName"] == "trainingimage"
    assert new.model["ImageVersionArn"] == f"{ARN_PREFIX}:image-version/trainingimage/2"
    assert driver.run("DELETE", created).status == "SUCCESS"
    versions = listed_versions(sm, "TrainingImage")
    assert [v["Version"] for v in versions] == [2]
    assert listed_aliases(sm, 2, "TrainingImage") == ["stable"]


def test_a_create_on_an_image_no_case_of_the_name_finds_is_an_invalid_request(
    driver, instant_clock, recorder
):
    outcome = driver.run("CREATE", props(ImageName="no-such-image"))
    assert outcome.error_code == "InvalidRequest"
    assert "'no-such-image'" in outcome.final["message"]
    assert [c.operation for c in recorder.mutating() if c.error is None] == []


def test_an_import_from_the_arn_alone_reports_the_real_name(created, driver):
    read = driver.run("READ", {"ImageVersionArn": created["ImageVersionArn"]})
    assert read.status == "SUCCESS"
    assert read.model["ImageName"] == "TrainingImage"


def test_another_image_of_the_same_name_in_other_case_is_never_mistaken(sm, driver):
    sm.create_image(ImageName="Shared", RoleArn=ROLE)
    model = driver.run("CREATE", {"ImageName": "Shared", "BaseImage": BASE}).model
    sm.delete_image_version(ImageName="Shared", Version=1)
    # the name is unique case-insensitively, so no other image can hold version 1: NotFound
    assert driver.run("READ", {**model, "ImageName": "shared"}).error_code == "NotFound"
    assert driver.run("DELETE", {**model, "ImageName": "SHARED"}).error_code == "NotFound"


@pytest.fixture
def image_made_again(created, sm, recorder, emulator_controls):
    """The image deleted and made again under its name: its new version 1 has the ARN the
    stack keeps, and someone else's base image."""
    emulator_controls.rules.delete_image = "immediate"
    sm.delete_image_version(ImageName="TrainingImage", Version=1)
    sm.delete_image(ImageName="TrainingImage")
    catch_up()
    sm.create_image(ImageName="TrainingImage", RoleArn=ROLE)
    sm.create_image_version(ImageName="TrainingImage", BaseImage=BASE + "-theirs", ClientToken="t")
    catch_up()
    theirs = sm.describe_image_version(ImageName="TrainingImage", Version=1)
    assert theirs["ImageVersionArn"] == created["ImageVersionArn"]
    recorder.clear()
    return created


def test_a_version_of_an_image_made_again_is_not_the_stacks(image_made_again, driver, sm, recorder):
    kept = image_made_again
    read = driver.run("READ", kept)
    assert read.error_code == "NotFound"
    assert BASE + "-theirs" in read.final["message"]
    desired = {**kept, "JobType": "INFERENCE"}
    for outcome in (driver.run("UPDATE", desired, previous=kept), driver.run("DELETE", kept)):
        # NotFound, as for READ: the stack's version is not there, and no retry can change that
        # (ResourceConflict is retriable: CloudFormation would retry it until its timeout).
        assert outcome.error_code == "NotFound", outcome.final
        assert f"is made from {BASE}-theirs, not from {BASE}" in outcome.final["message"]
    assert recorder.mutating() == [], "someone else's version was changed"
    theirs = sm.describe_image_version(ImageName="TrainingImage", Version=1)
    assert (theirs["ImageVersionStatus"], theirs.get("JobType")) == ("CREATED", None)


@pytest.mark.parametrize("previous", [None, props(JobType="TRAINING")], ids=["none", "no ARN"])
def test_a_base_image_change_with_no_stored_model_is_not_updatable(
    created, driver, recorder, previous
):
    desired = {**created, "BaseImage": BASE + "-next", "JobType": "INFERENCE"}
    recorder.clear()
    outcome = driver.run("UPDATE", desired, previous=previous)
    assert outcome.error_code == "NotUpdatable", outcome.final
    assert recorder.mutating() == []


def test_an_import_by_arn_alone_still_reads_whatever_the_version_is_made_from(
    image_made_again, driver
):
    read = driver.run("READ", {"ImageVersionArn": image_made_again["ImageVersionArn"]})
    assert read.status == "SUCCESS"
    assert read.model["BaseImage"] == BASE + "-theirs"


def test_a_model_whose_image_name_is_not_the_arns_image_reaches_no_version(
    created, driver, recorder, sm
):
    """An ARN swapped between the models of two images made from the same container (an import
    typed by hand): the version it names is not the model's, whatever the BaseImage says."""
    sm.create_image(ImageName="OtherImage", RoleArn=ROLE)
    swapped = {**created, "ImageName": "OtherImage"}
    recorder.clear()
    assert driver.run("READ", swapped).error_code == "NotFound"
    desired = {**swapped, "Aliases": ["zzz"]}
    updated = driver.run("UPDATE", desired, previous=swapped)
    assert updated.error_code == "NotFound", updated.final
    assert "not of image OtherImage" in updated.final["message"]
    assert driver.run("DELETE", swapped).error_code == "NotFound"
    assert recorder.mutating() == [], "another image's version was changed"
    catch_up()
    assert [v["Version"] for v in listed_versions(sm)] == [1]
    assert listed_aliases(sm, 1, "TrainingImage") == ["stable"]
