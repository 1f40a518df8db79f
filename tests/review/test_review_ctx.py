"""Review of 70ef086 (callback contexts that are not the operation's own, a throttled look at
the image after a refusal, the period leaving out a gap after a failed creation), at 372fcaf.

Through the Lambda entrypoint, on the scripted SageMaker of tests/review/fake.py (a virtual
clock; its draws are all 0.5). Each test failed on 372fcaf."""

from __future__ import annotations

from tests.botocore_errors import client_error
from tests.review.fake import props, taking_each_end, world

PERIOD = 60.0
STARTED_AGO = 10.0


# -- 1. A create that did not queue reads the image's history with the failed gap in it --------


def test_a_quick_failed_creation_in_the_history_does_not_make_a_create_poll_on_the_grid(
    monkeypatch,
):
    """The image's creations are 60 s apart, but the latest one before this create was made 8 s
    after a version that ended CREATE_FAILED. 70ef086 leaves that gap out of the queue's period
    (``wait_for_image``), but not out of the expectation a create made at the first try reads
    from the same history (``create.submit``): the 8 s gap is the shortest, no long change is
    expected, and the 55 s creation is polled on the 5 s grid. On 372fcaf: 11
    DescribeImageVersion calls, against 6 with the same history without the quick pair (as
    tests/review/test_expectation_from_history.py promises: fewer than the grid's).
    Fixed: ``create.submit`` passes the failed creations' starts to ``estimate_period``."""
    seconds = 55.0
    with world(monkeypatch, create_seconds=seconds) as (clock, sm, driver):
        sm.add(1, "CREATED", created_ago=PERIOD + 3 * PERIOD + 8.0)
        sm.add(2, "CREATED", created_ago=PERIOD + 2 * PERIOD + 8.0)
        sm.add(3, "CREATED", created_ago=PERIOD + PERIOD + 8.0)
        sm.add(4, "CREATE_FAILED", created_ago=PERIOD + 8.0)
        sm.add(5, "CREATED", created_ago=PERIOD)
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert out.final["resourceModel"]["Version"] == 6
        assert sm.count("ListImageVersions") == 1
        assert clock.t <= 1.05 * seconds + 10.0
        assert sm.count("DescribeImageVersion") <= 10, sm.calls


# -- 2. Throttled looks after refusals count as outage hand-backs ------------------------------


def test_a_create_queued_with_throttled_looks_is_not_failed_by_one_throttled_ask(monkeypatch):
    """A queue of other resources' 60 s creations keeps the image busy for 80 minutes (each
    takes the image a second after the one before ends); SageMaker throttles every
    ListImageVersions (the account's other waiting resources read the image too) and answers
    every CreateImageVersion with ResourceInUse, but one, the 30th, which it throttles.

    Since 70ef086 a throttled look after a refusal hands back as a throttled ask does
    (``fault.backoff``), and the engine counts that hand-back in ``context.faults``, which only
    a phase ending without a fault resets: with every look throttled, none does. The count
    reaches FAULT_CALLBACKS (20) though every ask was answered (contention, which
    ``Engine._outlasted`` means to wait out, not an outage); the callback floor grows to 150 s
    (``fault_callback_delay``); and the one invocation whose single call, the ask, is throttled
    has no answered call, so ``_outlasted`` fails it. On 372fcaf: FAILED Throttling after 30
    invocations and 65 minutes ("SageMaker kept failing; every retry was spent"). With
    8e790c2's ``wait_for_image`` (the phase re-run at once) the same create succeeded after 845
    s. Expected: a create refused (answered) at every ask is never failed as an outage by one
    throttled ask; it succeeds once the queue has gone by. Fixed: a hand-back on a fault whose
    phase run had a call answered (the ask) is contention and does not count toward
    FAULT_CALLBACKS (``engine._after_fault``)."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        sm.add(1, "CREATED", created_ago=2 * PERIOD + STARTED_AGO)
        sm.add(2, "CREATED", created_ago=PERIOD + STARTED_AGO)
        sm.add(3, "CREATING", created_ago=STARTED_AGO, done_in=PERIOD - STARTED_AGO)
        take = taking_each_end(sm, list(range(4, 4 + 80)), PERIOD - STARTED_AGO, PERIOD)
        asks = [0]

        def contention(op: str) -> None:
            take()
            if op == "ListImageVersions":
                sm.fail[op] = [client_error("ThrottlingException", op)]
            if op == "CreateImageVersion":
                asks[0] += 1
                if asks[0] == 30:
                    sm.fail[op] = [client_error("ThrottlingException", op)]

        sm.hook = contention
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
