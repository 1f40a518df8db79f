"""Stack events say what a waiting version is doing: every IN_PROGRESS event carries a message
naming the version (or the version it waits for) and its state (through the entrypoint)."""

import re

from moto.moto_api import state_manager

from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from sagemaker_emulator.models import VERSION_CREATE_MODEL, VERSION_DELETE_MODEL

from .conftest import BASE, IMAGE, props


def _waiting(outcome):
    events = [e for e in outcome.events if e["status"] == "IN_PROGRESS"]
    assert events, "the operation never waited across invocations"
    return events


def test_a_create_that_waits_says_which_version_and_for_how_long(image):
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 12})
    outcome = Driver(resource, time_limit=6.0).run("CREATE", props())
    assert outcome.status == "SUCCESS", outcome.final
    for event in _waiting(outcome):
        if "version" not in event["callbackContext"]:
            continue  # (a create answered without its ARN asks again first, and says so)
        assert re.fullmatch(rf"version 1 of image {IMAGE}: CREATING for \d+ s", event["message"])


def test_a_delete_that_waits_says_which_version_is_deleting(image, driver):
    model = driver.run("CREATE", props()).model
    state_manager.set_transition(VERSION_DELETE_MODEL, {"progression": "manual", "times": 12})
    outcome = Driver(resource, time_limit=6.0).run("DELETE", model)
    assert outcome.status == "SUCCESS", outcome.final
    messages = [e["message"] for e in _waiting(outcome)]
    assert any(
        re.fullmatch(rf"version 1 of image {IMAGE}: DELETING for \d+ s", m) for m in messages
    ), messages


def test_a_create_queued_behind_another_version_names_that_version(image, sm, emulator_controls):
    emulator_controls.rules.concurrency = "while_changing"
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "time", "seconds": 3})
    sm.create_image_version(ImageName=IMAGE, BaseImage=BASE, ClientToken="other-stack")
    outcome = Driver(resource, time_limit=5.6, delay_scale=0.1).run(
        "CREATE", props(BaseImage=BASE + "-mine")
    )
    assert outcome.status == "SUCCESS", outcome.final
    queued = [e for e in _waiting(outcome) if "queue" in e["callbackContext"]]
    queued = [e for e in queued if "version" not in e["callbackContext"]]
    assert queued, "the image was never busy past one invocation"
    for event in queued:
        assert event["message"] == f"waiting for version 1 of image {IMAGE} to finish CREATING"
