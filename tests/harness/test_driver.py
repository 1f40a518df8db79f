"""The driver delivers a request again after a retriable FAILED answer, as CloudFormation does."""

import copy
from collections.abc import MutableMapping
from typing import Any

import pytest

from harness.driver import FRESH, LAST, RETRIABLE_ERROR_CODES, Driver

MODEL = {"ImageName": "img", "BaseImage": "base"}


class Scripted:
    """A handler answering from a script, keeping a copy of every event it was given."""

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: MutableMapping[str, Any], _context: Any) -> dict[str, Any]:
        self.events.append(copy.deepcopy(dict(event)))
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def models(self) -> list[Any]:
        return [e["requestData"]["resourceProperties"] for e in self.events]

    def contexts(self) -> list[Any]:
        return [e["callbackContext"] for e in self.events]


def failed(code: str, model: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"status": "FAILED", "errorCode": code, "message": code, "resourceModel": model}


def in_progress(model: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "IN_PROGRESS",
        "resourceModel": model,
        "callbackContext": context,
        "callbackDelaySeconds": 5,
    }


SUCCESS = {"status": "SUCCESS", "resourceModel": {**MODEL, "Version": 1}}


def test_by_default_a_retriable_failure_ends_the_operation():
    handler = Scripted(failed("Throttling"), SUCCESS)
    outcome = Driver(handler).run("CREATE", MODEL)
    assert (outcome.status, outcome.error_code, outcome.redeliveries) == ("FAILED", "Throttling", 0)
    assert len(handler.events) == 1


@pytest.mark.parametrize("code", sorted(RETRIABLE_ERROR_CODES))
def test_a_retriable_failure_is_delivered_again_as_first_sent(code):
    handler = Scripted(failed(code, {**MODEL, "Version": 7}), failed(code), SUCCESS)
    outcome = Driver(handler, redeliver_retriable=2).run("CREATE", MODEL, token="the-token")
    assert outcome.status == "SUCCESS"
    assert outcome.redeliveries == 2
    assert outcome.invocations == 3 == len(outcome.events)
    assert [e["bearerToken"] for e in handler.events] == ["the-token"] * 3
    assert handler.models() == [MODEL] * 3, "the request model, not the FAILED event's"
    assert handler.contexts() == [None] * 3


@pytest.mark.parametrize("code", ["NotFound", "InvalidRequest", "GeneralServiceException"])
def test_other_failures_are_not_delivered_again(code):
    handler = Scripted(failed(code), SUCCESS)
    outcome = Driver(handler, redeliver_retriable=5).run("CREATE", MODEL)
    assert (outcome.error_code, outcome.redeliveries, len(handler.events)) == (code, 0, 1)


def test_re_deliveries_stop_at_the_limit_and_every_event_is_kept():
    handler = Scripted(failed("ServiceInternalError"))
    outcome = Driver(handler, redeliver_retriable=3).run("DELETE", MODEL)
    assert (outcome.status, outcome.redeliveries) == ("FAILED", 3)
    assert [e["errorCode"] for e in outcome.events] == ["ServiceInternalError"] * 4


@pytest.mark.parametrize(("context", "expected"), [(FRESH, None), (LAST, {"step": 2})])
def test_a_re_delivery_after_callbacks_has_a_fresh_or_the_last_context(context, expected):
    handler = Scripted(
        in_progress({**MODEL, "Version": 1}, {"step": 1}),
        in_progress({**MODEL, "Version": 1}, {"step": 2}),
        failed("ResourceConflict", {**MODEL, "Version": 1}),
        SUCCESS,
    )
    driver = Driver(handler, redeliver_retriable=1, redelivered_context=context)
    outcome = driver.run("UPDATE", MODEL, previous={**MODEL, "JobType": "TRAINING"})
    assert (outcome.status, outcome.redeliveries, outcome.invocations) == ("SUCCESS", 1, 4)
    assert handler.contexts() == [None, {"step": 1}, {"step": 2}, expected]
    assert handler.models()[3] == MODEL
    previous = [e["requestData"]["previousResourceProperties"] for e in handler.events]
    assert previous == [{**MODEL, "JobType": "TRAINING"}] * 4


def test_a_re_delivery_waits_its_delay():
    waited: list[float] = []
    handler = Scripted(failed("Throttling"), SUCCESS)
    driver = Driver(
        handler, redeliver_retriable=1, redeliver_delay=30.0, delay_scale=0.5, wait=waited.append
    )
    assert driver.run("CREATE", MODEL).status == "SUCCESS"
    assert waited == [15.0]


def test_re_deliveries_count_towards_the_runaway_limit():
    handler = Scripted(failed("Throttling"))
    with pytest.raises(RuntimeError, match="after 3 invocations"):
        Driver(handler, redeliver_retriable=10, max_invocations=3).run("CREATE", MODEL)


def page(arns: list[str], next_token: str | None = None) -> dict[str, Any]:
    models = [{"ImageVersionArn": arn} for arn in arns]
    return {"status": "SUCCESS", "resourceModels": models, "nextToken": next_token}


def test_a_list_follows_every_next_token_and_keeps_every_page():
    handler = Scripted(page(["a", "b"], "t1"), page(["c"]))
    outcome = Driver(handler).run_list({"ImageName": "img"}, token="the-token")
    assert outcome.status == "SUCCESS"
    assert [m["ImageVersionArn"] for m in outcome.listed] == ["a", "b", "c"]
    assert [e.get("nextToken") for e in handler.events] == [None, "t1"]
    assert {e["bearerToken"] for e in handler.events} == {"the-token"}


def test_a_list_page_that_fails_retriably_is_delivered_again_with_its_own_next_token():
    handler = Scripted(page(["a"], "t1"), failed("Throttling"), page(["b"]))
    outcome = Driver(handler, redeliver_retriable=1).run_list(None)
    assert (outcome.status, outcome.redeliveries, outcome.invocations) == ("SUCCESS", 1, 3)
    assert [e.get("nextToken") for e in handler.events] == [None, "t1", "t1"]
    assert [m["ImageVersionArn"] for m in outcome.listed] == ["a", "b"]


def test_a_list_page_that_fails_otherwise_ends_the_list():
    handler = Scripted(page(["a"], "t1"), failed("AccessDenied"), page(["b"]))
    outcome = Driver(handler, redeliver_retriable=3).run_list(None)
    assert (outcome.status, outcome.error_code, outcome.invocations) == (
        "FAILED",
        "AccessDenied",
        2,
    )
