"""Operations in which CloudFormation delivers one invocation twice.

CloudFormation re-invokes a handler with the same event (same bearer token, same callback
context) when it did not get the answer: the answer was lost (``keep="replay"``: it carries on
from the second answer), or the invocation was delivered twice and the first answer is the one
it kept (``keep="first"``: the second one's answer is dropped). Either way every handler step
must be safe to run twice.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal

from .driver import Driver, Outcome
from .events import handler_event

Keep = Literal["first", "replay"]


def run_with_replay(
    driver: Driver,
    action: str,
    properties: Mapping[str, Any] | None,
    *,
    token: str,
    replay_at: int,
    keep: Keep,
    previous: Mapping[str, Any] | None = None,
) -> tuple[Outcome, int]:
    """Run ``action`` to its end, invoking step ``replay_at`` (0-based; the last step when the
    operation ends sooner) twice. The outcome, and the step that was replayed."""
    event = handler_event(action, properties, previous=previous, token=token)
    events: list[dict[str, Any]] = []
    replayed: int | None = None
    while True:
        sent = copy.deepcopy(event)
        answer = driver.invoke(copy.deepcopy(sent))
        step = len(events)
        if replayed is None and (step == replay_at or answer["status"] != "IN_PROGRESS"):
            again = driver.invoke(copy.deepcopy(sent))
            replayed = step
            answer = again if keep == "replay" else answer
        events.append(answer)
        if answer["status"] != "IN_PROGRESS":
            return Outcome(events), replayed if replayed is not None else step
        if len(events) >= driver.max_invocations:
            raise RuntimeError(f"{action} still IN_PROGRESS after {len(events)} invocations")
        driver.call_back_after(answer)
        event["requestData"]["resourceProperties"] = answer.get("resourceModel")
        event["callbackContext"] = answer.get("callbackContext")
