"""Rule: an event CloudFormation would never send as it is gets FAILED InvalidRequest, with a
message naming the part at fault, never InternalFailure (which names nothing):

- an event without ``requestData.resourceProperties``, for any action;
- a LIST ``nextToken`` in this handler's own format (URL-safe base64 JSON) whose times are out of
  any calendar's range (a token altered, or made by hand).
"""

import base64
import json
from typing import Any

import pytest

from harness.events import handler_event
from tests.handlers.conftest import IMAGE, props


def answer(driver: Any, event: dict[str, Any]) -> dict[str, Any]:
    return driver.invoke(event)


@pytest.mark.parametrize("action", ["READ", "UPDATE", "DELETE", "LIST"])
def test_an_event_without_resource_properties_is_an_invalid_request_naming_them(
    image, driver, action
):
    created = driver.run("CREATE", props()).model
    event = handler_event(action, created, previous=created if action == "UPDATE" else None)
    del event["requestData"]["resourceProperties"]
    reply = answer(driver, event)
    assert (reply["status"], reply.get("errorCode")) == ("FAILED", "InvalidRequest"), reply
    assert "resourceProperties" in reply.get("message", ""), reply


def token(**fields: Any) -> str:
    """A LIST nextToken in the handler's format: URL-safe base64 of its JSON cursor."""
    cursor = {"s": None, "d": [], "n": None, "v": 0, "vs": None, **fields}
    raw = json.dumps(cursor, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


HUGE = 10**20
TOKENS = {
    "images since far in the future": token(s=HUGE),
    "images since far in the past": token(s=-HUGE),
    "versions since far in the future": token(s=0, n=IMAGE, vs=HUGE),
    "versions since far in the past": token(s=0, n=IMAGE, vs=-HUGE),
}


@pytest.mark.parametrize("filtered", [False, True], ids=["every image", "one image"])
@pytest.mark.parametrize("next_token", TOKENS.values(), ids=TOKENS.keys())
def test_a_list_token_with_a_time_out_of_range_is_an_invalid_request_naming_it(
    image, driver, next_token, filtered
):
    properties = {"ImageName": IMAGE} if filtered else {}
    reply = answer(driver, handler_event("LIST", properties, next_token=next_token))
    assert (reply["status"], reply.get("errorCode")) == ("FAILED", "InvalidRequest"), reply
    assert "nextToken" in reply.get("message", ""), reply
