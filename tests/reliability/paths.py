"""A run through every path of every handler, against the emulator in process.

Normal create, read, update, list (with and without ImageName), delete; a create SageMaker fails
(the failed version is deleted again); import from an ARN alone of an image whose name has
capitals (read, update and delete find the image with ListImages), and an update of it that
would move it to another image; a version deleted out of band; malformed input. Each step checks
the status it must end with, so a path that stops being taken fails here rather than going
unnoticed.
"""

from typing import Any

from local_runner.driver import Driver
from local_runner.events import handler_event
from sagemaker_emulator.control import controls

IMAGE = "SecurityImage"
CAPITALISED = "CapitalisedImage"
BASE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/security:1.0"
ROLE = "arn:aws:iam::123456789012:role/SageMakerImageRole"


def _expect(outcome: Any, status: str, error: str | None = None) -> Any:
    assert (outcome.status, outcome.error_code) == (status, error), outcome.final
    return outcome.model


def exercise_every_path(driver: Driver, sagemaker: Any) -> None:
    for name in (IMAGE, CAPITALISED):
        sagemaker.create_image(ImageName=name, RoleArn=ROLE)
    props = {"ImageName": IMAGE, "BaseImage": BASE}
    model = _expect(driver.run("CREATE", {**props, "Aliases": ["a", "b"]}), "SUCCESS")
    _expect(driver.run("READ", model), "SUCCESS")
    desired = {**props, "Aliases": ["b", "c"], "JobType": "TRAINING"}
    desired["ImageVersionArn"] = model["ImageVersionArn"]
    updated = _expect(driver.run("UPDATE", desired, previous=model), "SUCCESS")
    assert driver.list_all({"ImageName": IMAGE})[0]
    assert driver.list_all(None)[0]
    _expect(driver.run("DELETE", updated), "SUCCESS")

    controls().fail_create("Base image manifest could not be read")
    _expect(driver.run("CREATE", props), "FAILED", "NotStabilized")

    imported = _expect(driver.run("CREATE", {**props, "ImageName": CAPITALISED}), "SUCCESS")
    by_arn = {"ImageVersionArn": imported["ImageVersionArn"]}
    _expect(driver.run("READ", by_arn), "SUCCESS")
    change = {"ImageName": CAPITALISED, "BaseImage": BASE, "JobType": "INFERENCE", **by_arn}
    _expect(driver.run("UPDATE", change, previous=by_arn), "SUCCESS")
    moved = {**change, "ImageName": IMAGE}
    _expect(driver.run("UPDATE", moved, previous=by_arn), "FAILED", "NotUpdatable")
    _expect(driver.run("DELETE", by_arn), "SUCCESS")

    gone = _expect(driver.run("CREATE", props), "SUCCESS")
    sagemaker.delete_image_version(ImageName=IMAGE, Version=gone["Version"])
    _expect(driver.run("READ", gone), "FAILED", "NotFound")
    _expect(driver.run("DELETE", gone), "FAILED", "NotFound")
    _expect(driver.run("CREATE", {**props, "Colour": "blue"}), "FAILED", "InvalidRequest")
    bad_list = driver.invoke(handler_event("LIST", {"ImageName": "-bad-"}))
    assert bad_list["errorCode"] == "InvalidRequest", bad_list
