"""Operations in which CloudFormation delivers one invocation twice.

CloudFormation re-invokes a handler with the same event (same bearer token, same callback
context) when it did not get the answer: the answer was lost (``keep="replay"``: it carries on
from the second answer), or the invocation was delivered twice and the first answer is the one
it kept (``keep="first"``: the second one's answer is dropped). Either way every handler step
must be safe to run twice.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping
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
    replayed: int | None = None

    def deliver(step: int, sent: MutableMapping[str, Any]) -> dict[str, Any]:
        nonlocal replayed
        answer = driver.invoke(copy.deepcopy(sent))
        if replayed is None and (step == replay_at or answer["status"] != "IN_PROGRESS"):
            again = driver.invoke(copy.deepcopy(sent))
            replayed = step
            answer = again if keep == "replay" else answer
        return answer

    outcome = driver.drive(action, event, deliver)
    return outcome, replayed if replayed is not None else outcome.invocations - 1
