"""Moving a version from AWS::SageMaker::ImageVersion to this type (guide/migrating.md), through
the real Lambda entrypoint: the version was made outside this type (by AWS's handler, here by
direct SageMaker calls), CloudFormation imports it by its ImageVersionArn alone (a READ with only
the identifier), then updates and deletes it. No step makes a version or renumbers one."""

from offline_aws.defaults import base_image

from .conftest import BASE, IMAGE, listed_aliases, listed_numbers, made_out_of_band

# The resource as the import template writes it: the AWS template's properties, Type changed.
TEMPLATE = {
    "ImageName": IMAGE,
    "BaseImage": BASE,
    "Aliases": ["2.0", "stable"],
    "JobType": "TRAINING",
}


def made_by_the_aws_type(sm):
    """Versions 1 and 2 of the image, made without this type and holding their aliases, as
    versions of AWS's type do; version 2 is the one the stack migrates."""
    older = {"BaseImage": base_image("training:0.9"), "ClientToken": "aws-1", "Aliases": ["0.9"]}
    made_out_of_band(sm, ImageName=IMAGE, **older)
    return made_out_of_band(sm, ClientToken="aws-2", **TEMPLATE)


def test_a_version_of_the_aws_type_is_imported_updated_and_deleted_without_a_new_version(
    image, sm, driver, recorder
):
    arn = made_by_the_aws_type(sm)
    recorder.clear()

    imported = driver.run("READ", {"ImageVersionArn": arn})
    assert imported.status == "SUCCESS", imported.final
    assert imported.model["ImageVersionArn"] == arn, "the identifier the import typed"
    assert imported.model["Version"] == 2
    assert (imported.model["ImageName"], imported.model["BaseImage"]) == (IMAGE, BASE)
    # AWS's type keeps Aliases write-only; this one reads them back
    assert sorted(imported.model["Aliases"]) == ["2.0", "stable"]

    stored = {**TEMPLATE, "ImageVersionArn": arn}
    assert driver.run("READ", stored).model["Aliases"] == ["2.0", "stable"], "no drift"

    desired = {**stored, "Aliases": ["2.0", "latest"], "JobType": "INFERENCE"}
    updated = driver.run("UPDATE", desired, previous=stored)
    assert updated.status == "SUCCESS", updated.final
    assert (updated.model["ImageVersionArn"], updated.model["Version"]) == (arn, 2)
    assert sorted(listed_aliases(sm, 2)) == ["2.0", "latest"]
    assert sm.describe_image_version(ImageName=IMAGE, Version=2)["JobType"] == "INFERENCE"
    assert sorted(listed_numbers(sm)) == [1, 2], "no version made, none renumbered"

    deleted = driver.run("DELETE", updated.model)
    assert deleted.status == "SUCCESS", deleted.final
    assert listed_numbers(sm) == [1]
    assert listed_aliases(sm, 1) == ["0.9"], "the other version is left alone"
    assert recorder.of("CreateImageVersion") == []
    assert {call.params["Version"] for call in recorder.mutating()} == {2}


def test_an_import_template_with_another_base_image_changes_nothing(image, sm, driver, recorder):
    """The import itself reads by identifier alone; the stack's later calls carry the template's
    BaseImage, and a version made from another one is not the stack's: NotFound, nothing changed."""
    arn = made_by_the_aws_type(sm)
    stored = {**TEMPLATE, "BaseImage": base_image("training:2.0-typo"), "ImageVersionArn": arn}
    recorder.clear()
    desired = {**stored, "JobType": "INFERENCE"}
    assert driver.run("UPDATE", desired, previous=stored).error_code == "NotFound"
    assert recorder.mutating() == []
    assert sm.describe_image_version(ImageName=IMAGE, Version=2)["JobType"] == "TRAINING"
