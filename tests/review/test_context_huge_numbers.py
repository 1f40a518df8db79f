"""A callback context whose number field holds an integer too large for a float (JSON allows any
integer, and Python's json reads it exactly) must be an invalid callback context, not a crash:
``math.isfinite`` raises OverflowError on such an integer, which is not one of the errors
``Context.load`` turns into InvalidRequest, so the operation failed InternalFailure ("a bug:
please report it"). Found by a review of the queue's waiting."""

from __future__ import annotations

import pytest

from harness.events import handler_event
from tests.review.fake import props, world

HUGE = 10**400


@pytest.mark.parametrize(
    "context",
    [
        {"v": 2, "phase": "create.submit", "queue": {"refusals": 1, "period": HUGE}},
        {"v": 2, "phase": "create.submit", "queue": {"refusals": 1, "progress_at": -HUGE}},
        {"v": 2, "phase": "create.submit", "queue": {"refusals": 1, "change_at": HUGE}},
        {"busyRetries": 1, "period": HUGE},
        {"busyRetries": 1, "busySince": HUGE},
    ],
    ids=["period", "progress_at", "change_at", "flat-period", "flat-busySince"],
)
def test_a_huge_integer_in_the_context_is_an_invalid_request_not_a_crash(monkeypatch, context):
    with world(monkeypatch, create_seconds=60.0) as (_clock, sm, driver):
        sm.add(1, "CREATING", created_ago=1.0, done_in=59.0)
        answer = driver.invoke(handler_event("CREATE", props(), callback_context=context))
        assert answer.get("errorCode") != "InternalFailure", answer.get("message")
        assert (answer["status"] == "FAILED" and answer["errorCode"] == "InvalidRequest") or (
            answer["status"] == "IN_PROGRESS"
        ), answer
