"""Guards from the adversarial review of a withdrawn change, the look before asking (5736a87): a
waiting create or delete, coming back for an end, read the image first (ListImageVersions, with
a flag ``look`` in the callback context) and asked only when no change was in progress. It cut
the calls of 25 waiting versions by a fifth and of 100 by a third, but a create cannot tell
another's change in progress from the version it made itself in an invocation whose answer was
lost (CloudFormation then delivers that invocation's event again), and a throttled look held a
create or delete back for good. The code as it is (a waiting change asks, and reads the image
after a refusal) holds each of these; a change that makes a waiting change read before asking
must hold them too. Through the Lambda entrypoint, on the scripted SageMaker of
tests/review/fake.py.
"""

from __future__ import annotations

import copy
from typing import Any

from harness.events import handler_event
from tests.botocore_errors import client_error
from tests.review.fake import props, taking_each_end, world

PERIOD = 60.0


def _queue_of_sixty_seconds(sm: Any) -> None:
    sm.add(1, "CREATED", created_ago=2 * PERIOD + 10.0)
    sm.add(2, "CREATED", created_ago=PERIOD + 10.0)
    sm.add(3, "CREATING", created_ago=10.0, done_in=PERIOD - 10.0)


def _calls(sm: Any, operation: str) -> list[float]:
    return [t for t, op in sm.calls if op == operation]


TOKEN_SECONDS = 300.0
"""The emulator's ``idempotency=expires`` variant: a ClientToken is remembered this long."""


def _tokens_expire(monkeypatch: Any, sm: Any) -> None:
    """SageMaker forgets a ClientToken TOKEN_SECONDS after the version it made (the emulator's
    ``idempotency=expires``, one of the behaviours the handler must be correct under)."""
    original = sm.create_image_version
    made_at: dict[str, float] = {}

    def create(**kw: Any) -> dict[str, Any]:
        token = str(kw.get("ClientToken"))
        if token in made_at and sm.clock.t - made_at[token] > TOKEN_SECONDS:
            sm.tokens.pop(token, None)
            made_at.pop(token)
        known = token in sm.tokens
        answer = original(**kw)
        if not known and token in sm.tokens:
            made_at[token] = sm.clock.t
        return answer

    monkeypatch.setattr(sm, "create_image_version", create)


def _lose_the_answer_of_the_ask(driver: Any, sm: Any, clock: Any, replayed: list[float]) -> Any:
    """A delivery that loses the answer of the invocation whose CreateImageVersion made the
    version, so CloudFormation delivers that invocation's event (its callback context) again."""

    def deliver(_step: int, event: dict[str, Any]) -> dict[str, Any]:
        sent = copy.deepcopy(event)
        made_before = bool(sm.tokens)
        answer = driver.invoke(event)
        if sm.tokens and not made_before and not replayed:
            replayed.append(clock.t)
            answer = driver.invoke(sent)
        return answer

    return deliver


def test_a_repeated_invocation_after_the_ask_does_not_queue_behind_its_own_version(monkeypatch):
    """Found: the invocation that looked (image free) and asked made the version, but its
    answer never reached CloudFormation (the Lambda was cut off, its response lost), so
    CloudFormation delivers the same callback context again: ``look: true``. The repeated
    invocation looks first and finds the very version it made being created; nothing names it
    as its own, so it waits for it as another's change, and then for every sibling that takes
    the following ends, before it asks with its ClientToken and learns the version it made long
    before. Before the change it asked at once (ClientToken: SageMaker names the version).
    Consequence: the version exists untracked for several periods while the create queues for
    an end it does not need (a queue of N siblings: N periods; the create can time out with
    its version orphaned)."""
    with world(monkeypatch, create_seconds=PERIOD) as (clock, sm, driver):
        _queue_of_sixty_seconds(sm)
        # three siblings take each end after the create's own version (v4) ends
        own_end = PERIOD - 10.0 + 1.0 + PERIOD  # (version 4's end, about)
        take = taking_each_end(sm, [5, 6, 7], first_end=own_end, length=PERIOD)
        sm.hook = lambda op: take() if 4 in sm.versions else None
        replayed: list[float] = []
        deliver = _lose_the_answer_of_the_ask(driver, sm, clock, replayed)
        out = driver.drive("CREATE", handler_event("CREATE", props(), token="b"), deliver)
        assert out.status == "SUCCESS", out.final
        assert replayed
        assert out.final["resourceModel"]["ImageVersionArn"] == sm.arn(4)
        # its ClientToken names version 4 at the first ask after the repeat; not several
        # periods later, once the siblings' changes are over
        asks = [t for t in _calls(sm, "CreateImageVersion") if t > replayed[0]]
        assert asks, f"calls {sm.calls}"
        assert asks[0] - replayed[0] < PERIOD, (
            f"the repeated invocation (from {replayed[0]:.0f} s) asked"
            f" {asks[0] - replayed[0]:.0f} s after it began; calls {sm.calls}"
        )


def test_a_repeated_invocation_after_the_ask_makes_no_second_version(monkeypatch):
    """Found (same cause as above, worse consequence): SageMaker remembers a ClientToken for a
    limited time (the emulator's ``idempotency=expires``, 300 s). The repeated invocation
    (``look: true``) waits behind its own version and the siblings that take the next ends, and
    asks with its ClientToken only after the token expired: SageMaker makes a SECOND version.
    The create reports the new one; the version the first ask made is ORPHANED (no stack
    resource names it, DELETE never removes it). Before the change the repeated invocation
    asked at once, within the token's life, and SageMaker named version 4."""
    with world(monkeypatch, create_seconds=PERIOD) as (clock, sm, driver):
        _queue_of_sixty_seconds(sm)
        _tokens_expire(monkeypatch, sm)
        own_end = PERIOD - 10.0 + 1.0 + PERIOD  # (version 4's end, about)
        take = taking_each_end(sm, [5, 6, 7, 8], first_end=own_end, length=PERIOD)
        sm.hook = lambda op: take() if 4 in sm.versions else None
        replayed: list[float] = []
        deliver = _lose_the_answer_of_the_ask(driver, sm, clock, replayed)
        out = driver.drive("CREATE", handler_event("CREATE", props(), token="b"), deliver)
        assert replayed
        assert out.status == "SUCCESS", out.final
        made_by_this_create = [n for n in sm.versions if n not in (1, 2, 3, 5, 6, 7, 8)]
        assert made_by_this_create == [4], (
            f"versions this create made: {made_by_this_create}; it reports"
            f" {out.final['resourceModel']['ImageVersionArn']}; calls {sm.calls}"
        )


def test_a_waiting_create_whose_looks_are_throttled_still_asks(monkeypatch):
    """Found: after its first refusal (and the read after it), SageMaker throttles every
    ListImageVersions of the account (its List limit spent by other callers, or by the other
    waiting resources' looks) while CreateImageVersion is answered. The waiting create's look is
    the first call of each return, so each throttled look is a fault of an invocation SageMaker
    answered nothing in: after FAULT_CALLBACKS of them in a row the create FAILS (Throttling),
    though the image has been free since 50 s and a CreateImageVersion would have been
    answered. The flag stays set (only a look that read clears it), so it never asks. Before
    the change it asked at the end it waited for, and the create succeeded (the throttled read
    after a refusal is contention, never an outage)."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        _queue_of_sixty_seconds(sm)

        def lists_throttled_after_the_first(op: str) -> None:
            if op == "ListImageVersions" and len(_calls(sm, op)) > 1:
                sm.fail[op] = [client_error("ThrottlingException", op)]

        sm.hook = lists_throttled_after_the_first
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", (out.final, _calls(sm, "CreateImageVersion"))
        assert sorted(sm.versions) == [1, 2, 3, 4]


def test_a_waiting_delete_whose_looks_are_throttled_still_asks(monkeypatch):
    """Found (the delete's side of the one above, a hang instead of a failure): every
    ListImageVersions after the refused delete's first read is throttled while
    DeleteImageVersion would be answered. The delete's phase reads its version first
    (DescribeImageVersion, answered), so each throttled look is contention, never a fault:
    the delete comes back, looks, is throttled, and waits again, without end (until
    CloudFormation's timeout), its version never deleted though the image has been free since
    50 s. Before the change it asked at the end it waited for and the version was deleted."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        _queue_of_sixty_seconds(sm)
        driver.max_invocations = 200

        def lists_throttled_after_the_first(op: str) -> None:
            if op == "ListImageVersions" and len(_calls(sm, op)) > 1:
                sm.fail[op] = [client_error("ThrottlingException", op)]

        sm.hook = lists_throttled_after_the_first
        try:
            out = driver.run("DELETE", props(ImageVersionArn=sm.arn(2), Version=2))
        except RuntimeError as runaway:  # the driver's guard against an operation without end
            raise AssertionError(
                f"{runaway}: DeleteImageVersion asked {len(_calls(sm, 'DeleteImageVersion'))}"
                f" times, {len(_calls(sm, 'ListImageVersions'))} ListImageVersions"
                f" by {sm.clock.t:.0f} s"
            ) from None
        assert out.status == "SUCCESS", out.final
        assert sorted(sm.versions) == [1, 3]
