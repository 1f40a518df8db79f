"""A run through every path of every handler, against the emulator in process.

Normal create, read, update, list (with and without ImageName), delete; a create SageMaker fails
(the failed version is deleted again); import from an ARN alone of an image whose name has
capitals (read, update and delete find the image with ListImages), and an update of it that
would move it to another image; a create that takes an alias from a sibling, and one whose alias
update answered as if refused after it was applied (an answer lost); a LIST, an update and a
delete of versions whose image is being deleted; a create, naming the image in lower case, on an
image still being created; a version deleted out of band; malformed input; an update and a
delete that wait for a sibling's change on a busy image. Each step
checks the status it must end with, so a path that stops being taken fails here rather than
going unnoticed.
"""

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from botocore.exceptions import ClientError
from moto.moto_api import state_manager

from harness.driver import Driver
from harness.events import handler_event
from harness.recorder import BOTOCORE_CLIENT
from offline_aws.defaults import IMAGE_ROLE, base_image
from sagemaker_emulator.control import catch_up, controls
from sagemaker_emulator.models import (
    IMAGE_DELETE_MODEL,
    IMAGE_MODEL,
    VERSION_CREATE_MODEL,
    VERSION_DELETE_MODEL,
)

IMAGE = "SecurityImage"
CAPITALISED = "CapitalisedImage"
BASE = base_image("security:1.0")
ROLE = IMAGE_ROLE
DOOMED = "DoomedImage"
LATE = "LateImage"
BUSY = "BusyImage"


def _expect(outcome: Any, status: str, error: str | None = None) -> Any:
    assert (outcome.status, outcome.error_code) == (status, error), outcome.final
    return outcome.model


@contextlib.contextmanager
def refused_after_applying(operation: str) -> Iterator[None]:
    """The first ``operation`` is applied, then answered with ValidationException: what the
    repeated request of a change whose answer was lost gets."""
    original = BOTOCORE_CLIENT._make_api_call
    pending = [operation]

    def make_api_call(client: Any, name: str, params: Any) -> Any:
        result = original(client, name, params)
        if name in pending:
            pending.remove(name)
            raise ClientError(
                {"Error": {"Code": "ValidationException", "Message": "already applied"}}, name
            )
        return result

    BOTOCORE_CLIENT._make_api_call = make_api_call
    try:
        yield
    finally:
        BOTOCORE_CLIENT._make_api_call = original
    assert not pending, f"{operation} was never called"


def exercise_every_path(driver: Driver, sagemaker: Any) -> None:
    for name in (IMAGE, CAPITALISED, DOOMED):
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

    holder = _expect(driver.run("CREATE", {**props, "Aliases": ["stable"]}), "SUCCESS")
    taker = _expect(
        driver.run("CREATE", {**props, "BaseImage": BASE + "-b", "Aliases": ["stable"]}), "SUCCESS"
    )
    with refused_after_applying("UpdateImageVersion"):
        _expect(
            driver.run("CREATE", {**props, "BaseImage": BASE + "-c", "Aliases": ["c"]}), "SUCCESS"
        )
    assert taker["Aliases"] == ["stable"] and holder["Version"] != taker["Version"]

    doomed = {"ImageName": DOOMED, "BaseImage": BASE}
    first = _expect(driver.run("CREATE", doomed), "SUCCESS")
    second = _expect(driver.run("CREATE", {**doomed, "BaseImage": BASE + "-b"}), "SUCCESS")
    state_manager.set_transition(IMAGE_DELETE_MODEL, {"progression": "manual", "times": 10})
    controls().rules.delete_image = "deleting_invalid_state"
    sagemaker.delete_image(ImageName=DOOMED)
    assert driver.list_all({"ImageName": DOOMED})[0] == []
    change = {**first, "JobType": "TRAINING"}
    _expect(driver.run("UPDATE", change, previous=first), "FAILED", "NotFound")
    controls().rules.delete_image = "deleting_not_found"
    outcome = driver.run("DELETE", second)
    assert outcome.status == "SUCCESS" or outcome.error_code == "NotFound", outcome.final
    state_manager.unset_transition(IMAGE_DELETE_MODEL)

    state_manager.set_transition(IMAGE_MODEL, {"progression": "manual", "times": 2})
    sagemaker.create_image(ImageName=LATE, RoleArn=ROLE)
    late = _expect(driver.run("CREATE", {"ImageName": LATE.lower(), "BaseImage": BASE}), "SUCCESS")
    state_manager.unset_transition(IMAGE_MODEL)
    _expect(driver.run("DELETE", late), "SUCCESS")

    _busy_image_paths(driver, sagemaker)


def _busy_image_paths(driver: Driver, sagemaker: Any) -> None:
    """An update that takes an alias from a sibling still being created, and a delete while a
    sibling is being deleted: both wait for the image's change in progress."""
    # Under these rules the image is busy while a sibling changes and the held alias is refused
    # (other variants would let both calls through, and no busy path would be taken).
    rules = controls().rules
    controls().rules = rules.changed({"alias_clash": "refuse", "concurrency": "while_changing"})
    try:
        _busy_update_and_delete(driver, sagemaker)
    finally:
        controls().rules = rules


def _busy_update_and_delete(driver: Driver, sagemaker: Any) -> None:
    # callbacks pass real time here (the sibling's change takes a real second)
    driver = replace(driver, delay_scale=0.05)
    sagemaker.create_image(ImageName=BUSY, RoleArn=ROLE)
    props = {"ImageName": BUSY, "BaseImage": BASE}
    mine = _expect(driver.run("CREATE", props), "SUCCESS")
    # mine is seen at once from here: waiting out a read-after-write lag on it first, the update
    # would meet the sibling only after the sibling's real second of creating had passed
    catch_up()
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "time", "seconds": 1})
    sagemaker.create_image_version(
        ImageName=BUSY, BaseImage=BASE + "-sibling", ClientToken="sibling", Aliases=["held"]
    )
    taking = {**mine, "Aliases": ["held"]}
    _expect(driver.run("UPDATE", taking, previous=mine), "SUCCESS")
    state_manager.unset_transition(VERSION_CREATE_MODEL)
    state_manager.set_transition(VERSION_DELETE_MODEL, {"progression": "time", "seconds": 1})
    sagemaker.delete_image_version(ImageName=BUSY, Version=2)
    _expect(driver.run("DELETE", mine), "SUCCESS")
    state_manager.unset_transition(VERSION_DELETE_MODEL)
