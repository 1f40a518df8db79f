"""Adversarial review (third round) of d49c3f2: the count of every version of a busy image,
going on from SageMaker's NextToken across refusals, begun after CENSUS_AFTER (20 min) of quiet
and every CENSUS_EVERY (10 min), once more before the image is called stuck, progress only when
two whole counts in a row are lower than any before (the second begun at once to confirm).

Promises under test (README "While it waits", guide/behaviour.md "busy image"):
"ResourceConflict only when the image stays busy with nothing changing for 60 minutes, so a long
queue that moves is never failed", "one that is stuck is reported within the hour" (plus one
wait: STALL_DEADLINE, ~71 min, the bound the earlier reviews hold the handler to), "a count goes
on from SageMaker's NextToken at the next refusal".

Every scenario runs through the real entrypoint (the harness driver) against the scripted fake
SageMaker of tests/review/fake.py on a virtual clock; none repeats test_census_adversary.py or
test_census_adversary_2.py. Which tests FAIL on d49c3f2 (real defects) and which PASS
(controls) is said in each docstring:

- FAIL test_a_change_in_the_last_ten_minutes_of_the_hour_is_progress[older versions, 55/57 min
  each]: the count made "once more before the image is called stuck" sees a version gone, leaves
  it to be confirmed, and the same refusal fails ResourceConflict (61 min, 3-5 min after the
  image changed). [control: the newest versions] PASSES.
- FAIL test_a_queue_that_sticks_after_moving_is_failed_within_the_hour_of_its_last_change: a
  change the counts see is credited when a second count confirms it (~21 min late, counts held
  off CENSUS_AFTER after each credit): the image is failed 82 min after its last change.
- FAIL test_a_moving_queue_is_not_failed_when_sagemaker_next_tokens_expire[41 pages, tokens of
  2 min]: a kept NextToken outlived by the ~123 s between refusals is refused; beginning again
  meets the same expiry; no count is ever whole and the moving queue is failed at 61 min
  (293 pages read for nothing). Controls (5-min tokens; 39 pages) PASS.
- FAIL test_a_flickering_list_costs_no_more_than_a_count_every_ten_minutes_of_quiet: a list
  that flickers makes counts come in pairs: 8 counts in 61 min where 6 are promised.
- FAIL test_a_stuck_image_is_failed_within_the_hour_whatever_its_callback_context
  [progress a month from now] (never failed: 303 min, 150 invocations) and [a billion versions
  counted] (failed at 106 min). [control: none] PASSES.

Since the review every case passes but the expiring tokens of 2 minutes (a strict xfail, a known
limit): a lower count defers the stall until the next count confirms or refutes it (at most
twice CENSUS_EVERY past the hour), progress a count saw is credited when the first of the two
lower counts began and no longer holds the next counts off (their cadence counts from the last
change among the newest versions), a count lower still than the one it confirms is left to the
next (no extra count to confirm), and a progress time in the future or a count above MAX_COUNT
in a crafted context is reset.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.botocore_errors import client_error
from tests.review.fake import T0, FakeSageMaker, VClock, props, world
from tests.review.test_census_adversary import (
    STALL_DEADLINE,
    _old_versions,
    _run,
    _run_to_end,
    _stuck,
)
from tests.review.test_census_adversary_2 import (
    _assert_moved_on,
    _flicker_per_count,
    _left,
    _moving,
    _signature,
)
from tests.review.test_queue_progress_anywhere import DELETION, OURS, _queue

MINUTE = 60.0


def _slow_queue(sm: FakeSageMaker, order: list[int], seconds: float) -> None:
    """The other resources delete the versions of ``order`` one after the other, each deletion
    taking ``seconds`` (SageMaker's, not ours: ours takes the fake's create_seconds), each begun
    as soon as the image is free, before any call of ours is answered (ours loses every race)."""
    sm.hook = _queue(sm, order, seconds)
    sm.hook("start")


# -- 1. A change seen by the count made "once more before the image is called stuck" -------------


@pytest.mark.parametrize(
    "where, minutes",
    [
        pytest.param("older", 57, id="older versions, 57 min each"),
        pytest.param("older", 55, id="older versions, 55 min each"),
        pytest.param("newest", 57, id="control: the newest versions, 57 min each"),
    ],
)
def test_a_change_in_the_last_ten_minutes_of_the_hour_is_progress(monkeypatch, where, minutes):
    """FAILS on d49c3f2 for "older versions"; the control (the same queue deleting the newest
    versions, seen by the 10-newest signature) PASSES. Other resources delete two versions
    older than the 10 newest, one after the other, each deletion taking 55-57 minutes (a slow
    queue, but one where something changes every 57 minutes); ours (45) loses every race. The
    first deletion ends at minute 57 of our wait. The counts at ~20, 30, 40 and 50 minutes all
    count N; the count "once more before the image would be called stuck" (at the first refusal
    past the hour) counts N - 1: lower than any before, so it is left "to confirm" by the next
    count (census_pending, census_at cleared)... and in the same call busy_stalled raises
    ResourceConflict. A lower count at the stall is never confirmed: the image changed 3-5
    minutes before the handler said "no version of the image changed state for 60 minutes".
    Promised: "ResourceConflict only when the image stays busy with nothing changing for 60
    minutes". (Not raising while a lower count waits to be confirmed, i.e. confirming it at the
    next refusal first, would keep the promise; the stall is then still bounded by one wait.)"""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, 57)
        order = [1, 2] if where == "older" else [57, 56]
        _slow_queue(sm, order, minutes * MINUTE)
        out = _run(driver, sm, "DELETE")
        assert out.status == "SUCCESS", (
            f"{out.error_code} after {clock.t / MINUTE:.0f} min (the first deletion ended at"
            f" {minutes} min; {_left(sm, order)} of the queue's 2 deletions still to come;"
            f" {sm.counts_begun()} counts begun): {out.final.get('message')}"
        )


# -- 2. A queue that moves, then sticks: the last change is credited late ------------------------


def test_a_queue_that_sticks_after_moving_is_failed_within_the_hour_of_its_last_change(
    monkeypatch,
):
    """FAILS on d49c3f2. Other resources delete versions older than the 10 newest (57 versions;
    ours, 45, loses every race): the deletion of version 1 ends right after the first count of
    every version (so the counts after it are lower: progress, credited when the second lower
    count confirms it, ~35 min), the deletion of version 2 ends right after that confirming
    count, and the deletion of version 3 that follows never ends: from then on (stuck_at, 36
    min) nothing in the image changes. But a change is credited when a count confirms it, not
    when it happened, and after the credit no count is made for CENSUS_AFTER (20 min): the
    pair of counts that sees version 2 gone is made ~20-21 minutes after it went, progress_at
    moves there, and the stall is called only 60 minutes after THAT. The image is reported
    stuck 82 minutes after its last change (observed: stuck from 36 min, failed at 118).
    Promised: "one that is stuck is reported within the hour" (plus one wait: STALL_DEADLINE
    after the image stuck). (Crediting a confirmed
    lower count at the start of the last count that still saw the higher number, the latest
    moment the change is known not to have happened yet, would keep it within the hour.)"""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, 57)
        state: dict[str, Any] = {"counts": 0, "todo": None, "stuck_at": None}

        def hold(number: int) -> None:
            sm.delete_image_version(ImageName="TrainingImage", Version=number)
            sm.calls.pop()
            sm.versions[number]["done_at"] = None  # ends when the adversary says

        hold(1)

        def adversary(op: str) -> None:
            hook, sm.hook = sm.hook, None
            try:
                if state["todo"] is not None:  # the call after a count's
                    gone, state["todo"] = state["todo"], None
                    del sm.versions[gone]
                    hold(gone + 1)
                    if gone == 2:
                        state["stuck_at"] = clock.t
                if sm.counting(op, first=True):
                    state["counts"] += 1
                    if state["counts"] == 1:
                        state["todo"] = 1
                    elif state["counts"] == 3:
                        state["todo"] = 2
            finally:
                sm.hook = hook

        sm.hook = adversary
        out = _run_to_end(driver, sm, clock, "DELETE")
        assert state["stuck_at"] is not None, f"the scenario did not happen: {state}"
        assert out.error_code == "ResourceConflict", out.final
        stuck_for = clock.t - state["stuck_at"]
        assert stuck_for <= STALL_DEADLINE, (
            f"failed {stuck_for / MINUTE:.0f} min after the image's last change (stuck from"
            f" {state['stuck_at'] / MINUTE:.0f} min, failed at {clock.t / MINUTE:.0f} min;"
            f" {state['counts']} counts)"
        )
        assert OURS in sm.versions, "a version was touched"


# -- 3. NextTokens that expire between refusals --------------------------------------------------


def _expiring_tokens(sm: FakeSageMaker, clock: VClock, lifetime: float) -> list[float]:
    """SageMaker's NextTokens of a list in version order valid for ``lifetime`` seconds (an
    expired one: ValidationException, as AWS answers a token it no longer knows). The times of
    the refusals of expired tokens."""
    answer = sm.list_image_versions
    expired: list[float] = []

    def paged(**kw: Any) -> dict[str, Any]:
        token = kw.get("NextToken")
        if token is not None:
            offset, issued = token.split("@")
            if clock.t - float(issued) > lifetime:
                sm.list_params.append(kw)
                sm._tick("ListImageVersions")
                expired.append(clock.t)
                raise client_error("ValidationException", "ListImageVersions")
            kw = {**kw, "NextToken": offset}
        page = answer(**kw)
        if "NextToken" in page:
            page = {**page, "NextToken": f"{page['NextToken']}@{clock.t}"}
        return page

    sm.list_image_versions = paged  # type: ignore[method-assign]
    return expired


@pytest.mark.parametrize(
    "versions, lifetime",
    [
        pytest.param(
            4100,
            2 * MINUTE,
            id="41 pages, tokens of 2 min",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known limit: a count of more than one look goes on from SageMaker's"
                " NextToken at the next refusal; tokens that expire before it (SageMaker"
                " documents no lifetime) leave a count of over 40 pages never whole"
                " (guide/behaviour.md)",
            ),
        ),
        pytest.param(4100, 5 * MINUTE, id="control: 41 pages, tokens of 5 min"),
        pytest.param(3900, 2 * MINUTE, id="control: 39 pages, tokens of 2 min"),
    ],
)
@pytest.mark.parametrize("action", ["CREATE", "DELETE"])
def test_a_moving_queue_is_not_failed_when_sagemaker_next_tokens_expire(
    monkeypatch, action, versions, lifetime
):
    """FAILS on d49c3f2 for "41 pages, tokens of 2 min"; the controls PASS (tokens of 5 min
    outlive the ~123 s between refusals; 39 pages are whole in one look, no token kept). The
    moving queue of deletions of versions older than the 10 newest (44 x 90 s) on an image of
    4,100 versions, whose NextTokens SageMaker honours for 2 minutes, then refuses
    (ValidationException; SageMaker documents no lifetime for them). A count needs two looks
    (40 pages, then 1); refusals come ~123 s apart, so the kept token has expired by the
    second look, which reads nothing; after CENSUS_MISSES such looks the count begins afresh,
    reads 40 pages, keeps a token that expires again... No count is ever whole (observed: 293
    pages read in 7 counts, 13 expired tokens, none whole), so the queue that moves is failed
    ResourceConflict at 61 min with 15 deletions still to come. Promised: "a count goes on from
    SageMaker's NextToken at the next refusal" and "a queue that moves is never failed"; the
    code names the expired token itself (CENSUS_MISSES: "its NextToken may no longer be
    valid") but its remedy, beginning the same count again, meets the same expiry every time.
    (Severity depends on SageMaker's real token lifetime, which this review could not learn.)"""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, versions)
        expired = _expiring_tokens(sm, clock, lifetime)
        order = _moving(sm)
        out = _run(driver, sm, action)
        _assert_moved_on(out, clock, sm, order, f", {len(expired)} expired tokens")


# -- 4. What a list that flickers costs ------------------------------------------------------------


def test_a_flickering_list_costs_no_more_than_a_count_every_ten_minutes_of_quiet(monkeypatch):
    """FAILS on d49c3f2. The stuck image (another resource's deletion of version 3 never ends),
    57 versions (one page a count), SageMaker's list showing the DELETING version in one count
    and not in the next (test_census_adversary_2.py's flicker; there it is a question of the
    deadline, which holds). Each count that misses it is lower than any before, so the next
    count begins at once to confirm it, which shows it again: counts come in pairs, two every
    10 minutes of quiet. Promised (guide/behaviour.md): "A count costs a page per 100 versions
    per waiting change every 10 minutes of quiet" (a count every CENSUS_EVERY from CENSUS_AFTER
    on, "once more before the image would be called stuck"): at most 1 + (quiet - 20 min) / 10
    min + 1 counts. On an image of 4,000 versions each extra count is 40 more pages."""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, 57)
        _stuck(sm)
        reads = _flicker_per_count(sm, clock)
        out = _run_to_end(driver, sm, clock, "DELETE")
        assert out.error_code == "ResourceConflict", out.final
        quiet_after_census = clock.t - 20 * MINUTE
        allowed = int(quiet_after_census // (10 * MINUTE)) + 2
        assert len(sm.count_pages()) <= allowed, (
            f"{len(sm.count_pages())} counts (one page each) in {clock.t / MINUTE:.0f} min, at most"
            f" {allowed} promised: at {[round(t / MINUTE, 1) for t, _ in reads]} min"
        )


# -- 5. A crafted callback context that holds the stall off --------------------------------------


@pytest.mark.parametrize(
    "crafted",
    [
        pytest.param({}, id="control: none"),
        pytest.param({"progress_at": "future"}, id="progress a month from now"),
        pytest.param(
            {"census_low": 10**9, "census_pending": 10**9 - 1}, id="a billion versions counted"
        ),
    ],
)
def test_a_stuck_image_is_failed_within_the_hour_whatever_its_callback_context(
    monkeypatch, crafted
):
    """FAILS on d49c3f2 for both crafted values; "control: none" PASSES. The stuck image (a
    deletion of version 3 that never ends, 57 versions), a CREATE called back with a context
    (crafted or corrupt) that matches the image's newest versions:
    - ``progress_at`` a month from now: the context's census_at in the future is reset
      (queue._plausible) but progress_at is not: busy_stalled is never true and no count is
      ever due, so the stuck image is never failed (CloudFormation's timeout ends it);
    - ``census_low`` a billion with ``census_pending`` just under it (counts no image of 57
      versions can have had): the first whole count (57) is lower than both, census_moved
      calls it progress at once, and the stall is put off by another hour.
    Promised: "values that only steer waiting are reset when they are not plausible" (the
    second review's fix for census_at and counts below zero) and "one that is stuck is
    reported within the hour"."""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, 57)
        _stuck(sm)
        queue: dict[str, Any] = {"refusals": 1, "progress_at": T0, "signature": _signature(sm)}
        queue.update(crafted)
        if queue["progress_at"] == "future":
            queue["progress_at"] = T0 + 30 * 86400.0
        context = {"v": 2, "phase": "create.submit", "queue": queue}
        driver.max_invocations = 150
        try:
            out = driver.run("CREATE", props(), callback_context=context)
        except RuntimeError as runaway:
            pytest.fail(f"never failed: {runaway} ({clock.t / MINUTE:.0f} min of a stuck image)")
        assert out.error_code == "ResourceConflict", out.final
        assert clock.t <= STALL_DEADLINE, f"failed only after {clock.t / MINUTE:.0f} min"
        assert len(sm.versions) == 57, "a version was touched"
