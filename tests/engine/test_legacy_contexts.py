"""Contexts written by the handler before the engine (d0d7e5f) still load: an operation in
flight during an upgrade carries on where it stood, through the entrypoint.

``legacy_contexts.json`` was recorded once from that handler, one context per waiting situation
(a create awaiting CREATED, a create queued behind a busy image, a create whose version ended
CREATE_FAILED, a delete awaiting the version's going, an update awaiting a version still being
created), with the world it was recorded in. Times in it are seconds before the recording; here
they are made as many seconds before now. Each test rebuilds that world, hands the context to
today's handler, lets the world move on, and checks the operation ends as it would have.
"""

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from moto.moto_api import state_manager

from harness.driver import Driver
from offline_aws.defaults import base_image
from sagemaker_emulator.control import catch_up
from sagemaker_emulator.models import VERSION_CREATE_MODEL, VERSION_DELETE_MODEL
from tests.handlers.conftest import BASE, IMAGE, listed_aliases, listed_numbers, made_out_of_band

RECORDED = {
    entry["name"]: entry
    for entry in json.loads((Path(__file__).parent / "legacy_contexts.json").read_text())
}
OTHER = base_image("other:1")


def context_now(name: str) -> dict[str, Any]:
    entry = RECORDED[name]
    context = dict(entry["context"])
    for key in entry["secondsAgo"]:
        context[key] = time.time() - float(context[key])
    return context


def model_of(outcome: Any) -> dict[str, Any]:
    assert outcome.model is not None, outcome.final
    return dict(outcome.model)


def versions(sm: Any) -> list[tuple[int, str, str]]:
    catch_up()
    listed = listed_numbers(sm)
    described = [sm.describe_image_version(ImageName=IMAGE, Version=v) for v in listed]
    return sorted((d["Version"], d["BaseImage"], d["ImageVersionStatus"]) for d in described)


def test_every_recorded_context_is_tested():
    assert set(RECORDED) == {
        "create_awaiting_created",
        "create_queued_on_busy_image",
        "create_failed_cleanup_next",
        "delete_awaiting_gone",
        "update_awaiting_created",
    }
    # what the handler wrote then: one flat record, no version key
    assert all("v" not in entry["context"] for entry in RECORDED.values())


def test_a_create_awaiting_its_version_carries_on(image, sm, driver: Driver):
    entry = RECORDED["create_awaiting_created"]
    request = {"ImageName": IMAGE, "BaseImage": BASE, "ClientToken": "recorded-create-0000001"}
    made = sm.create_image_version(**request)
    if made.get("ImageVersionArn") in (None, "None"):  # (create_answer=none_first: ask again)
        made = sm.create_image_version(**request)
    assert made["ImageVersionArn"] == entry["context"]["arn"]
    outcome = driver.run(
        "CREATE", entry["model"], callback_context=context_now("create_awaiting_created")
    )
    assert outcome.status == "SUCCESS", outcome.final
    assert model_of(outcome)["ImageVersionArn"] == entry["context"]["arn"]
    assert model_of(outcome)["Aliases"] == ["stable"]
    assert versions(sm) == [(1, BASE, "CREATED")]


def test_a_create_queued_behind_a_busy_image_carries_on_and_makes_one_version(
    image, sm, driver: Driver, instant_clock
):
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 2})
    sm.create_image_version(ImageName=IMAGE, BaseImage=OTHER, ClientToken="other-actor-token-0001")
    entry = RECORDED["create_queued_on_busy_image"]

    def callback_passes(_seconds: float) -> None:  # meanwhile the other version moves on
        catch_up()
        sm.describe_image_version(ImageName=IMAGE, Version=1)

    outcome = replace(driver, wait=callback_passes).run(
        "CREATE", entry["model"], callback_context=context_now("create_queued_on_busy_image")
    )
    assert outcome.status == "SUCCESS", outcome.final
    assert model_of(outcome)["Version"] == 2
    # the other actor's version 1 stays (CREATED, or still CREATING where SageMaker lets two
    # versions be created at once: concurrency=never)
    assert [(v, b) for v, b, _ in versions(sm)] == [(1, OTHER), (2, BASE)]
    assert versions(sm)[1][2] == "CREATED"


def test_a_create_whose_version_failed_deletes_it_and_fails_with_the_reason(
    image, sm, driver: Driver, emulator_controls
):
    emulator_controls.fail_create("bad manifest")
    sm.create_image_version(ImageName=IMAGE, BaseImage=BASE, ClientToken="recorded-failed-00001")
    entry = RECORDED["create_failed_cleanup_next"]
    outcome = driver.run(
        "CREATE", entry["model"], callback_context=context_now("create_failed_cleanup_next")
    )
    assert outcome.error_code == "NotStabilized", outcome.final
    assert "bad manifest" in outcome.final["message"]
    assert "The failed version was deleted" in outcome.final["message"]
    assert model_of(outcome)["ImageVersionArn"] == entry["context"]["arn"]
    assert versions(sm) == []


def test_a_delete_awaiting_the_versions_going_carries_on(image, sm, driver: Driver):
    entry = RECORDED["delete_awaiting_gone"]
    made_out_of_band(sm, ImageName=IMAGE, BaseImage=BASE, ClientToken="recorded-delete-00001")
    state_manager.set_transition(VERSION_DELETE_MODEL, {"progression": "manual", "times": 2})
    sm.delete_image_version(ImageName=IMAGE, Version=1)
    outcome = driver.run(
        "DELETE", entry["model"], callback_context=context_now("delete_awaiting_gone")
    )
    assert outcome.status == "SUCCESS", outcome.final
    assert versions(sm) == []


@pytest.mark.parametrize("name", ["update_awaiting_created"])
def test_an_update_awaiting_a_version_still_being_created_carries_on(
    image, sm, driver: Driver, name
):
    entry = RECORDED[name]
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 2})
    sm.create_image_version(ImageName=IMAGE, BaseImage=BASE, ClientToken="recorded-update-00001")
    outcome = driver.run(
        "UPDATE",
        entry["properties"],
        previous=entry["previous"],
        callback_context=context_now(name),
    )
    assert outcome.status == "SUCCESS", outcome.final
    assert model_of(outcome)["Aliases"] == ["stable"]
    held = listed_aliases(sm, 1)
    assert held == ["stable"]


def test_a_context_of_another_version_of_the_record_is_refused_naming_it(image, driver):
    outcome = driver.run(
        "CREATE",
        {"ImageName": IMAGE, "BaseImage": BASE},
        callback_context={"v": 99, "phase": "create.await"},
    )
    assert outcome.error_code == "InvalidRequest"
    assert "callback context" in outcome.final["message"]
