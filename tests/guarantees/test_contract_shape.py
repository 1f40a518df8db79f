"""Rule: every event the entrypoint answers has the contract's shape, as the contract suite's own
assertions check it: tests/conftest.py checks every event of every test (see
src/harness/contract_shape.py). These tests show the check itself fails where the contract does: an
event that breaks it is flagged, and the one exception (a create waiting for a busy image before
any version exists) is as narrow as stated."""

from typing import Any

import pytest

from harness.contract_shape import violations
from harness.events import handler_event
from offline_aws.defaults import version_arn

ARN = version_arn("TrainingImage", 1)
NAMED = {"ImageName": "TrainingImage", "BaseImage": "b", "ImageVersionArn": ARN}
UNNAMED = {"ImageName": "TrainingImage", "BaseImage": "b"}


def in_progress(model: Any) -> dict[str, Any]:
    return {"status": "IN_PROGRESS", "resourceModel": model, "callbackDelaySeconds": 5}


def flagged(action: str, answer: dict[str, Any], *, created: bool = True) -> list[str]:
    event = handler_event(action, NAMED if action != "CREATE" else UNNAMED)
    return violations(event, answer, lambda token: created)


BROKEN = {
    "an IN_PROGRESS create without the identifier, once its version exists": (
        "CREATE",
        in_progress(UNNAMED),
    ),
    "an IN_PROGRESS update without a model": ("UPDATE", in_progress(None)),
    "an IN_PROGRESS read": ("READ", in_progress(NAMED)),
    "a SUCCESS with a callback delay": (
        "CREATE",
        {"status": "SUCCESS", "resourceModel": NAMED, "callbackDelaySeconds": 3},
    ),
    "a SUCCESS returning the write-only Alias": (
        "READ",
        {"status": "SUCCESS", "resourceModel": {**NAMED, "Alias": "legacy"}},
    ),
    "a SUCCESS read without the identifier": ("READ", {"status": "SUCCESS", "resourceModel": {}}),
    "a LIST model without the identifier": (
        "LIST",
        {"status": "SUCCESS", "resourceModels": [{"ImageName": "TrainingImage"}]},
    ),
    "a FAILED event without an error code": ("DELETE", {"status": "FAILED"}),
    "a FAILED create without the identifier, once its version exists": (
        "CREATE",
        {"status": "FAILED", "errorCode": "InternalFailure"},
    ),
    "a read answering another identifier": (
        "READ",
        {"status": "SUCCESS", "resourceModel": {**NAMED, "ImageVersionArn": ARN[:-1] + "2"}},
    ),
}


@pytest.mark.parametrize(("action", "answer"), BROKEN.values(), ids=BROKEN.keys())
def test_an_event_that_breaks_the_contract_is_flagged(action, answer):
    assert flagged(action, answer) != []


def test_a_create_waiting_for_a_busy_image_before_its_version_exists_may_name_none():
    assert flagged("CREATE", in_progress(UNNAMED), created=False) == []
    assert flagged("CREATE", {"status": "FAILED", "errorCode": "Throttling"}, created=False) == []


def test_the_events_the_contract_asks_for_are_not_flagged():
    assert flagged("CREATE", in_progress(NAMED)) == []
    assert flagged("CREATE", {"status": "SUCCESS", "resourceModel": NAMED}) == []
    assert flagged("DELETE", {"status": "SUCCESS"}) == []
    assert flagged("READ", {"status": "FAILED", "errorCode": "NotFound"}) == []
