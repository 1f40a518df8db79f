"""The busy-image budget's guarantee, wherever in the image the queue moves: a create or a
delete waiting behind a queue of other resources' changes that moves is never failed, however
long the queue and whichever versions it changes (the newest, ones older than the versions a
refused change reads, the oldest), whether SageMaker lists a version being deleted or not, and
when SageMaker throttles the reads; a queue that is stuck is failed ResourceConflict within the
hour and a wait. Each case runs through the real entrypoint (the harness's driver).

The case [DELETE-older than the versions read-deleting listed-none] is the adversary's of
test_spread_adversary.py (a stack delete of old versions failed ResourceConflict after an hour
while it moved), a strict xfail until every version was counted."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from community_sagemaker_imageversion import timing
from tests.botocore_errors import client_error
from tests.review.fake import FakeSageMaker, VClock, props, world

DELETION = 90.0
"""How long each of the other resources' deletions takes."""
OURS = 45
"""The stack's version a DELETE acts on: the newest of the stack's."""
AHEAD = 44
"""The other resources' changes ahead of ours: 44 x 90 s, past the hour."""

WHERE = {
    # which of the image's versions the queue deletes
    "the newest": lambda: list(range(57, 57 - AHEAD, -1)),
    "older than the versions read": lambda: list(range(1, AHEAD + 1)),
    "among the oldest, newest first": lambda: list(range(AHEAD, 0, -1)),
}


def _image(sm: FakeSageMaker) -> None:
    """45 versions of the stack's made a day ago, 2 minutes apart (ours is 45), then 12 of a
    pipeline's, 10 minutes apart, up to 10 minutes ago; the queue's versions are 13 to 57 when it
    deletes the newest (then ours is still 45, in the middle)."""
    for number in range(1, 46):
        sm.add(number, "CREATED", created_ago=86400.0 - 120.0 * number)
    for number in range(46, 58):
        sm.add(number, "CREATED", created_ago=600.0 * (58 - number))


def _queue(
    sm: FakeSageMaker, order: list[int], seconds: float | None = None
) -> Callable[[str], None]:
    """The other resources: each starts its deletion as soon as the image is free, before any
    call of ours is answered (ours keeps losing the race); each takes ``seconds`` (None: the
    fake's create_seconds)."""
    others = [n for n in order if n != OURS]

    def other_resources_delete(_op: str) -> None:
        while others and others[0] not in sm.versions:
            others.pop(0)
        if others and not sm.busy():
            hook, sm.hook = sm.hook, None
            sm.delete_image_version(ImageName="TrainingImage", Version=others[0])
            if seconds is not None:
                sm.versions[others[0]]["done_at"] = sm.clock.t + seconds
            sm.hook = hook
            sm.calls.pop()  # the other resources' call, not ours

    return other_resources_delete


def _throttle_census(sm: FakeSageMaker, queue_hook: Callable[[str], None]) -> list[int]:
    """Every other read of all the image's versions is throttled (each count's first read, when
    its retry is answered); the reads throttled, by their place among those reads."""
    throttled: list[int] = []

    def hook(op: str) -> None:
        queue_hook(op)
        read = len(sm.count_pages())
        if sm.counting(op) and read % 2 == 1:
            throttled.append(read)
            sm.fail.setdefault(op, []).append(client_error("ThrottlingException", op))

    sm.hook = hook
    return throttled


def _run(
    monkeypatch: pytest.MonkeyPatch, action: str, where: str, lists_deleting: bool, fault: str
) -> tuple[Any, VClock, FakeSageMaker, int]:
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _image(sm)
        sm.lists_deleting = lists_deleting
        queue_hook = _queue(sm, WHERE[where]())
        sm.hook = queue_hook
        throttled = _throttle_census(sm, queue_hook) if fault == "throttled census" else []
        queue_hook("start")
        if action == "DELETE":
            out = driver.run("DELETE", props(ImageVersionArn=sm.arn(OURS), Version=OURS))
        else:
            out = driver.run("CREATE", props())
        left = sum(1 for n in WHERE[where]() if n != OURS and n in sm.versions)
        if fault == "throttled census" and where != "the newest":
            assert len(throttled) >= 2, "the fault was not met"
        return out, clock, sm, left


@pytest.mark.parametrize("fault", ["none", "throttled census"])
@pytest.mark.parametrize("lists_deleting", [True, False], ids=["deleting listed", "not listed"])
@pytest.mark.parametrize("where", list(WHERE))
@pytest.mark.parametrize("action", ["CREATE", "DELETE"])
def test_a_queue_that_moves_is_never_failed(monkeypatch, action, where, lists_deleting, fault):
    out, clock, sm, left = _run(monkeypatch, action, where, lists_deleting, fault)
    assert out.status == "SUCCESS", (
        f"{out.final} after {clock.t / 60:.0f} min, {left} of the queue's deletions left"
    )
    assert left <= 1, f"{left} of the queue's changes had not started when ours was made"
    assert clock.t > timing.BUSY_STALL_SECONDS, "the queue did not outlast the budget"
    # What counting every version costs: a count (one page here) begun each CENSUS_EVERY of
    # quiet at most, and once more before the image would be called stuck, each page read once
    # (twice when the first read is throttled).
    pages, begun = len(sm.count_pages()), sm.counts_begun()
    counts = math.ceil(clock.t / timing.CENSUS_EVERY) + 1
    assert begun <= 2 * counts, f"{begun} counts in {clock.t:.0f} s"
    assert pages <= 2 * begun, f"{pages} pages for {begun} counts"


def _deny_census(sm: FakeSageMaker) -> None:
    """A role that may list the newest versions but not read them all (AccessDenied)."""

    def hook(op: str) -> None:
        if sm.counting(op):
            sm.fail.setdefault(op, []).append(client_error("AccessDeniedException", op))

    sm.hook = hook


@pytest.mark.parametrize("census", ["read", "denied"])
@pytest.mark.parametrize("lists_deleting", [True, False], ids=["deleting listed", "not listed"])
@pytest.mark.parametrize("action", ["CREATE", "DELETE"])
def test_a_stuck_image_is_failed_within_the_hour(monkeypatch, action, lists_deleting, census):
    """Another resource's deletion of an old version never ends: nothing in the image changes,
    and the count of every version says so too (or cannot be read: no evidence of progress)."""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _image(sm)
        sm.lists_deleting = lists_deleting
        if census == "denied":
            _deny_census(sm)
        sm.delete_image_version(ImageName="TrainingImage", Version=3)
        sm.versions[3]["done_at"] = None  # stuck DELETING
        if action == "DELETE":
            out = driver.run("DELETE", props(ImageVersionArn=sm.arn(OURS), Version=OURS))
        else:
            out = driver.run("CREATE", props())
        assert out.error_code == "ResourceConflict", out.final
        assert "60 minutes" in out.final["message"]
        assert clock.t <= timing.BUSY_STALL_SECONDS + timing.MAX_GAP + 60.0, clock.t
        assert OURS in sm.versions and len(sm.versions) == 57, "a version was touched"
