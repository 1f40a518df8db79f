"""A change waiting for a busy image looks before it asks again: coming back for an end, it reads
the image's latest versions (one ListImageVersions) and asks only when no change is in
progress. Most of those that come back for an end find it taken by another waiting resource;
each used to be refused (a CreateImageVersion or DeleteImageVersion, mutating calls the account's
tightest limit counts) and then read the image (a ListImageVersions) to learn the new change's
start. Never looked at first: an ask whose answer was lost (the change perhaps made), and an
image whose last look showed no change in progress (SageMaker may not list a version being
deleted: asking is then the only way to tell).

Through the Lambda entrypoint, on the scripted SageMaker of tests/review/fake.py."""

from typing import Any

from botocore.exceptions import ReadTimeoutError

from tests.review.fake import comebacks, props, taking_each_end, world

PERIOD = 60.0
OTHERS = [4, 5, 6]
"""Other resources' versions, each taking the image a second after the change before it ends."""


def _queue_of_sixty_seconds(sm: Any) -> None:
    """Two versions made a period apart before the one in progress (ending in 50 s)."""
    sm.add(1, "CREATED", created_ago=2 * PERIOD + 10.0)
    sm.add(2, "CREATED", created_ago=PERIOD + 10.0)
    sm.add(3, "CREATING", created_ago=10.0, done_in=PERIOD - 10.0)


def _calls(sm: Any, operation: str) -> list[float]:
    return [t for t, op in sm.calls if op == operation]


def test_a_waiting_create_asks_only_when_the_image_is_free(monkeypatch):
    """Three other resources take the image's next three ends, each a second after it. The
    create is refused once (its first request), then comes back for ends and finds each taken:
    it asks again only for the end nobody took, two CreateImageVersion calls in all. Before, it
    was refused at each end it came back for, and read the image after each refusal."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        _queue_of_sixty_seconds(sm)
        take = taking_each_end(sm, list(OTHERS), first_end=PERIOD - 10.0, length=PERIOD)
        sm.hook = lambda op: take()
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        asks = _calls(sm, "CreateImageVersion")
        assert len(asks) == 2, f"asks at {asks}; calls {sm.calls}"
        assert sorted(sm.versions) == [1, 2, 3, *OTHERS, 7]
        last_end = PERIOD - 10.0 + len(OTHERS) * (PERIOD + 1.0)
        assert asks[1] >= last_end, f"asked at {asks[1]:.1f} s, before the image was free"
        # every other coming back was one look at the image
        looks = [t for t in comebacks(sm) if asks[0] < t < asks[1] - 0.5]
        assert looks, f"calls {sm.calls}"
        lists = _calls(sm, "ListImageVersions")
        assert all(any(abs(t - u) < 0.2 for u in lists) for t in looks), f"calls {sm.calls}"


def test_a_waiting_delete_asks_only_when_the_image_is_free(monkeypatch):
    """The same for a delete waiting behind other resources' creations: two DeleteImageVersion
    calls (the first refused, the one that deletes), whatever the ends it came back for."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        _queue_of_sixty_seconds(sm)
        take = taking_each_end(sm, list(OTHERS), first_end=PERIOD - 10.0, length=PERIOD)
        sm.hook = lambda op: take()
        out = driver.run("DELETE", props(ImageVersionArn=sm.arn(2), Version=2))
        assert out.status == "SUCCESS", out.final
        deletes = _calls(sm, "DeleteImageVersion")
        assert len(deletes) == 2, f"deletes at {deletes}; calls {sm.calls}"
        assert sorted(sm.versions) == [1, 3, *OTHERS]


def test_an_ask_whose_answer_was_lost_is_asked_again_at_once_without_looking(monkeypatch):
    """The create comes back for the end, looks (the image is free) and asks; SageMaker makes
    the version but the answer is lost. Looking again first would show that very version being
    created (as another's change: nothing names it) and wait a period for it (two, as it
    happens: 120 s); asked again with its ClientToken after the engine's backoff for a lost
    answer, SageMaker names it, and the create tracks it."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        _queue_of_sixty_seconds(sm)
        original = sm.create_image_version

        def made_but_answer_lost(**kw: Any) -> dict[str, Any]:
            answer = original(**kw)
            if len(_calls(sm, "CreateImageVersion")) == 2:
                raise ReadTimeoutError(endpoint_url="https://api.sagemaker")
            return answer

        monkeypatch.setattr(sm, "create_image_version", made_but_answer_lost)
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert sorted(sm.versions) == [1, 2, 3, 4]
        assert out.final["resourceModel"]["ImageVersionArn"] == sm.arn(4)
        asks = _calls(sm, "CreateImageVersion")
        assert len(asks) == 3, f"asks at {asks}"
        lost, again = asks[1], asks[2]
        # (after the engine's backoff for a lost answer, not once the change made is over)
        assert again - lost < PERIOD, f"asked again {again - lost:.1f} s after the lost answer"


def test_an_image_whose_changes_are_not_listed_is_asked_not_looked_at(monkeypatch):
    """SageMaker does not list a version being deleted (one of its plausible behaviours): the
    refused create's read shows no change in progress, so a look could not tell the image busy.
    The create comes back and asks, without a look first."""
    with world(monkeypatch, create_seconds=PERIOD) as (_clock, sm, driver):
        sm.lists_deleting = False
        sm.add(1, "CREATED", created_ago=2 * PERIOD)
        sm.add(2, "DELETING", created_ago=PERIOD, done_in=30.0)
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        asks = _calls(sm, "CreateImageVersion")
        assert len(asks) >= 2, f"asks at {asks}"
        # one read of the image after each refused ask, and no look before any
        lists = _calls(sm, "ListImageVersions")
        assert len(lists) == len(asks) - 1, f"calls {sm.calls}"
