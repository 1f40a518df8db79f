"""Waiting creates ask at the image's ends: within timing.ASK_WINDOW after the change in
progress should end (or after one of the next ends), never in the middle of a change; an ask
SageMaker throttles while waiting is not asked again at once in the same invocation.

Through the Lambda entrypoint, on the scripted SageMaker of tests/review/fake.py (its draws are
all 0.5)."""

from community_sagemaker_imageversion import timing
from tests.botocore_errors import client_error
from tests.review.fake import props, world

PERIOD = 60.0
STARTED_AGO = 10.0
"""Another resource's creation began this long ago; it ends PERIOD - STARTED_AGO from now."""


def _queue_of_sixty_seconds(sm) -> None:
    """Two versions made a period apart before the one in progress: a queue's period of 60 s."""
    sm.add(1, "CREATED", created_ago=2 * PERIOD + STARTED_AGO)
    sm.add(2, "CREATED", created_ago=PERIOD + STARTED_AGO)
    sm.add(3, "CREATING", created_ago=STARTED_AGO, done_in=PERIOD - STARTED_AGO)


def _asks(sm) -> list[float]:
    return [t for t, op in sm.calls if op == "CreateImageVersion"]


def test_a_refused_create_asks_again_just_after_the_change_ends_not_in_its_middle(monkeypatch):
    """Another resource takes the end of the change in progress (at 51 s) with a creation of a
    period. The create has then seen the queue move (a creation begin while it waits), so it
    takes that change to last the period and asks just after its end. A young change used to
    be taken to last twice its age at most (30 s here), so the create came back in the middle
    of it: one refused ask and one invocation more for every waiting create, and each end asked
    at late."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        _queue_of_sixty_seconds(sm)
        taken = PERIOD - STARTED_AGO + 1.0
        end = taken + PERIOD

        def another_takes_the_end(op: str) -> None:
            if 4 not in sm.versions and sm.clock.t >= taken:
                ago = sm.clock.t - taken
                sm.add(4, "CREATING", created_ago=ago, done_in=PERIOD - ago)

        sm.hook = another_takes_the_end
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        asks = _asks(sm)
        lost = next(i for i, t in enumerate(asks) if t > taken)  # (refused: it saw the move)
        after_seen = asks[lost + 1 :]
        assert after_seen, f"asks at {asks}"
        # each one at an end: that change's, or one a period or more later
        for t in after_seen:
            assert t >= end and (t - end) % PERIOD <= timing.ASK_WINDOW + 1.0, f"asks at {asks}"
        assert sorted(sm.versions) == [1, 2, 3, 4, 5]


def test_a_waiting_create_whose_ask_is_throttled_does_not_ask_again_at_once(monkeypatch):
    """At the end it waited for, SageMaker throttles the create's ask (the other waiting
    creates ask there too). The engine's retries used to ask again within a second or so, up to
    four times in the invocation, in the second the bucket was already empty: at 100 versions,
    storms of 50 asks a second. Now the create waits as a refused one does, in a window twice
    as wide, without reading first."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        _queue_of_sixty_seconds(sm)

        def throttle_the_second_ask(op: str) -> None:
            if op == "CreateImageVersion" and len(_asks(sm)) == 2:
                sm.fail[op] = [client_error("ThrottlingException", op)]

        sm.hook = throttle_the_second_ask
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        asks = _asks(sm)
        assert len(asks) == 3, f"asks at {asks}"
        throttled, retried = asks[1], asks[2]
        assert retried - throttled >= timing.OVERDUE_SHARE * PERIOD, f"asks at {asks}"
        reads_between = [
            op
            for t, op in sm.calls
            if throttled < t < retried and op in {"ListImageVersions", "CreateImageVersion"}
        ]
        assert reads_between == [], f"calls between the throttled ask and the next: {sm.calls}"
        assert sorted(sm.versions) == [1, 2, 3, 4]


def test_a_waiting_create_throttled_at_every_ask_still_fails_as_sagemaker_failing_does(
    monkeypatch,
):
    """Every ask after the first refusal is throttled and nothing else is answered in those
    invocations: the throttled asks count towards timing.FAULT_CALLBACKS as any transient
    failure does, and the create fails (Throttling) rather than wait forever; one ask per
    invocation, none retried at once."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        _queue_of_sixty_seconds(sm)

        def throttle_every_ask_after_the_first(op: str) -> None:
            if op == "CreateImageVersion" and len(_asks(sm)) >= 2:
                sm.fail[op] = [client_error("ThrottlingException", op)]

        sm.hook = throttle_every_ask_after_the_first
        out = driver.run("CREATE", props())
        assert out.status == "FAILED", out.final
        assert out.final.get("errorCode") == "Throttling", out.final
        asks = _asks(sm)
        assert len(asks) == 1 + timing.FAULT_CALLBACKS + 1, f"{len(asks)} asks at {asks}"
        assert sorted(sm.versions) == [1, 2, 3]


def test_a_waiting_delete_whose_request_is_throttled_does_not_ask_again_at_once(monkeypatch):
    """The same for a delete waiting behind another resource's creation: at the 100-version
    stack's delete, the retried DeleteImageVersion calls made the storms (5,510 throttles)."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        _queue_of_sixty_seconds(sm)
        deletes: list[float] = []

        def throttle_the_second_delete(op: str) -> None:
            if op == "DeleteImageVersion":
                deletes.append(sm.clock.t)
                if len(deletes) == 2:
                    sm.fail[op] = [client_error("ThrottlingException", op)]

        sm.hook = throttle_the_second_delete
        out = driver.run("DELETE", props(ImageVersionArn=sm.arn(2), Version=2))
        assert out.status == "SUCCESS", out.final
        assert len(deletes) == 3, f"deletes at {deletes}"
        throttled, retried = deletes[1], deletes[2]
        assert retried - throttled >= timing.OVERDUE_SHARE * PERIOD, f"deletes at {deletes}"
        between = [op for t, op in sm.calls if throttled < t < retried]
        assert "ListImageVersions" not in between, f"calls: {sm.calls}"
        assert sorted(sm.versions) == [1, 3], sorted(sm.versions)
