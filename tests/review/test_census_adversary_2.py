"""Adversarial review (second round) of ef20a0e: the count of every version of a busy image,
resumable across refusals by the last counted version and its creation millisecond
(``Queue.census_*``), at most CENSUS_PAGES pages a look, each a single ``optional`` attempt,
progress only when a whole count is lower than every earlier one (a one-look count that is
lower read a second time, the larger taken).

Promises under test (README "While it waits", guide/behaviour.md "busy image", context.py):
"a queue that moves is never failed; one that is stuck is reported within the hour" (plus one
wait), "a version being deleted that one read lists and the next does not is no progress", "a
count costs a page per 100 versions every 10 minutes of quiet per waiting change", and
"Values that only steer waiting are reset when they are not plausible (a crafted or corrupt
context)" / malformed input never InternalFailure.

Every scenario runs through the real entrypoint (the harness driver) against the scripted fake
SageMaker of tests/review/fake.py on a virtual clock; none repeats tests/review/
test_census_adversary.py. Which tests FAIL on ef20a0e (real defects) and which PASS (controls)
is said in each docstring. Since the review, every case passes but one, a strict xfail (a
count of 30 pages under a List bucket of 3 calls at once and 0.5 a second, a known limit): a
count goes on from SageMaker's NextToken (no CreationTimeAfter: the context keeps no creation
millisecond), a lower count is confirmed by the next count begun at once rather than a second
read within one look, and crafted counts below zero or a count begun in the future are reset.

- FAIL test_a_moving_queue_is_not_failed_when_sagemaker_answers_empty_pages_before_filtered_items:
  a count that goes on (by CreationTimeAfter) behind 40 empty pages never gets further.
- FAIL test_a_count_that_gets_no_further_is_not_read_at_every_refusal: such a count reads 40
  pages at EVERY refusal (1,000 pages in the hour, 287 promised).
- FAIL test_a_stuck_image_listed_inconsistently_is_failed_within_the_hour_whatever_its_size
  [40 pages, 41 pages]: the second read of a lower count is skipped for a count of two looks
  and cut short by CALL_BUDGET for a count of 40 pages; the stuck image is failed at 84-86 min
  ([one page] PASSES: the control).
- FAIL test_a_census_millisecond_out_of_range_in_the_context_is_not_an_internal_failure:
  census_since out of datetime's range: InternalFailure.
- FAIL test_a_moving_queue_is_not_failed_for_a_census_field_of_a_crafted_context: census_low
  -1 or census_at in the future are kept and blind every count ([control: none] PASSES).
- FAIL test_a_moving_queue_is_not_failed_when_a_throttled_count_takes_many_refusals[30 pages]:
  progress needs two whole counts; a throttled count of 30 pages takes ~30 min, so the second
  is not whole within the hour ([control: 10 pages] PASSES).
"""

from __future__ import annotations

from typing import Any

import pytest

from community_sagemaker_imageversion import timing
from community_sagemaker_imageversion.decisions import queue_signature
from harness.events import handler_event
from tests.review.fake import T0, FakeSageMaker, VClock, props, world
from tests.review.test_census_adversary import (
    STALL_DEADLINE,
    _chain,
    _list_bucket,
    _old_versions,
    _run,
    _run_to_end,
    _stuck,
)
from tests.review.test_queue_progress_anywhere import AHEAD, DELETION, OURS, _queue


def _empty_pages_before_filtered_items(sm: FakeSageMaker, empty: int) -> None:
    """SageMaker answering ``empty`` empty pages, each with a NextToken, before the items of a
    ListImageVersions call with a time filter (CreationTimeAfter): the emulator's own
    ``empty_pages=before_filtered_items`` variant (src/sagemaker_emulator/models.py,
    pagination.py), which the handler's LIST already allows for (test_list_adversary.py)."""
    answer = sm.list_image_versions

    def paged(**kw: Any) -> dict[str, Any]:
        token = kw.get("NextToken")
        if "CreationTimeAfter" in kw and (token is None or token.startswith("e")):
            given = 0 if token is None else int(token[1:])
            if given < empty:
                sm.list_params.append(kw)
                sm._tick("ListImageVersions")
                return {"ImageVersions": [], "NextToken": f"e{given + 1}"}
            kw = {k: v for k, v in kw.items() if k != "NextToken"}
        return answer(**kw)

    sm.list_image_versions = paged  # type: ignore[method-assign]


def _moving(sm: FakeSageMaker) -> list[int]:
    """The other resources delete versions 1..44 (older than the 10 newest), 90 s each, ours
    (45) losing every race: the queue moves for 66 minutes with the 10 newest unchanged."""
    order = list(range(1, AHEAD + 1))
    sm.hook = _queue(sm, order)
    sm.hook("start")
    return order


def _left(sm: FakeSageMaker, order: list[int]) -> int:
    return sum(1 for n in order if n != OURS and n in sm.versions)


def _assert_moved_on(
    out: Any, clock: Any, sm: FakeSageMaker, order: list[int], more: str = ""
) -> None:
    """The operation behind the moving queue succeeded; else what was left of the queue."""
    assert out.status == "SUCCESS", (
        f"{out.error_code} after {clock.t / 60:.0f} min with {_left(sm, order)} of the"
        f" queue's 43 deletions still to come ({len(sm.count_pages())} pages of every version"
        f" read in {sm.counts_begun()} counts{more}): {out.final.get('message')}"
    )


# -- 1. A count that never gets further -----------------------------------------------------------


@pytest.mark.parametrize("action", ["CREATE", "DELETE"])
def test_a_moving_queue_is_not_failed_when_sagemaker_answers_empty_pages_before_filtered_items(
    monkeypatch, action
):
    """FAILS on ef20a0e. An image of 4,100 versions (41 pages: one look of CENSUS_PAGES = 40
    cannot count it) and a SageMaker that answers 40 empty pages with a NextToken before the
    items of a List call with a time filter (the emulator's ``before_filtered_items``; the
    handler says SageMaker may answer empty pages "page after page", and its LIST keeps the
    tokens of leading empty pages for exactly that reason). The count's first look (no filter)
    counts versions 1..4000; every later look goes on "from the last version counted" by
    CreationTimeAfter, spends its 40 pages on the empty ones and stops (counted 0, the same
    ``census_after``/``census_since``): the count is never whole, no count ever shows progress,
    and the queue deleting versions older than the 10 newest (44 x 90 s) is failed
    ResourceConflict at the hour while it still moves. Promised: "a queue that moves is never
    failed, whichever versions it changes". (Keeping the token of the leading empty pages, as
    SageMaker.versions_page's walks do, or not filtering a look that goes on, would end it.)"""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, 4100)
        _empty_pages_before_filtered_items(sm, 40)
        order = _moving(sm)
        out = _run(driver, sm, action)
        _assert_moved_on(out, clock, sm, order)


def test_a_count_that_gets_no_further_is_not_read_at_every_refusal(monkeypatch):
    """FAILS on ef20a0e. The stuck image of test_census_adversary.py (a deletion of version 3
    that never ends) on an image of 4,100 versions, SageMaker answering 40 empty pages before the
    items of a filtered List call (as above). Once the first look has stopped, ``counting``
    stays True, so census_due is True at EVERY refusal (not every CENSUS_EVERY), and each
    refusal reads 40 more pages that get the count no further: hundreds of ListImageVersions
    calls in the hour, most of them for nothing. Promised (guide/behaviour.md): "A count costs a
    page per 100 versions every 10 minutes of quiet per waiting change": 41 pages per 10
    minutes here, so at most 41 x (the hour's 6 counts + 1) pages."""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, 4100)
        _stuck(sm)
        _empty_pages_before_filtered_items(sm, 40)
        out = _run_to_end(driver, sm, clock, "DELETE")
        allowed = 41 * (int(clock.t // timing.CENSUS_EVERY) + 1)
        assert len(sm.count_pages()) <= allowed, (
            f"{len(sm.count_pages())} pages read towards counts of every version in"
            f" {clock.t / 60:.0f} min ({sm.counts_begun()} counts begun, none whole); at most"
            f" {allowed} promised ({out.status} {out.error_code})"
        )


# -- 2. A lower count that is not progress, taken without its second read ------------------------


def _flicker_per_count(sm: FakeSageMaker, clock: VClock) -> list[tuple[float, bool]]:
    """SageMaker's list shows the stuck DELETING version in some reads and not in others (the
    handler allows both behaviours; an eventually consistent index may give each to another
    read): every read that begins a count (in version order, no token, no time filter: a count
    begun and its second read alike) is answered by the other index than the read before. The
    first such read shows it. The (time, shown) of each."""
    sm.lists_deleting = False
    reads: list[tuple[float, bool]] = []

    def flicker(op: str) -> None:
        if sm.counting(op, first=True):
            sm.lists_deleting = not sm.lists_deleting
            reads.append((clock.t, sm.lists_deleting))

    _chain(sm, flicker)
    return reads


@pytest.mark.parametrize("versions", [57, 3950, 4100], ids=["one page", "40 pages", "41 pages"])
def test_a_stuck_image_listed_inconsistently_is_failed_within_the_hour_whatever_its_size(
    monkeypatch, versions
):
    """FAILS on ef20a0e for "40 pages" and "41 pages"; "one page" PASSES (the control: the
    second read catches the flicker). A stuck deletion of version 3, SageMaker's list showing it
    in one read and not in the next (the flicker of test_census_adversary.py, here beginning
    with a read that shows it). The first count counts N, the second N - 1: lower, so it is to
    be read again and the larger taken ("a version being deleted that one read lists and the
    next does not is no progress"). But the second read is made only for a count whole within
    ONE look, and only while the call budget lasts:
    - 41 pages: the count takes two looks (two refusals), so it is never read again; the lower
      count is taken as progress.
    - 40 pages (3,950 versions): the count is whole in one look, but its 40 pages come after
      the refused change and the read of the newest versions, and the second read's 40 more
      pages do not fit in CALL_BUDGET (80): it stops after 38, "not whole", and the lower count
      is taken as it is.
    Either way progress_at moves to the second count (~20 min in), and the stuck image is
    failed only ~80 minutes after it stuck. Promised: "one that is stuck is reported within the
    hour" (plus one wait: STALL_DEADLINE, 71 min)."""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, versions)
        _stuck(sm)
        reads = _flicker_per_count(sm, clock)
        out = _run_to_end(driver, sm, clock, "DELETE")
        assert out.error_code == "ResourceConflict", out.final
        assert clock.t <= STALL_DEADLINE, (
            f"failed only after {clock.t / 60:.0f} min (count reads at"
            f" {[(round(t / 60), shown) for t, shown in reads]} min, shown or not)"
        )
        assert OURS in sm.versions and len(sm.versions) == versions, "a version was touched"


# -- 3. The count's fields in a crafted or corrupt callback context -------------------------------


def _signature(sm: FakeSageMaker) -> str:
    """The signature a refused change reads now (the 10 newest versions and their statuses)."""
    newest = sm.list_image_versions(
        ImageName="TrainingImage", SortBy="CREATION_TIME", SortOrder="DESCENDING", MaxResults=10
    )["ImageVersions"]
    sm.list_params.pop()
    sm.calls.pop()
    return queue_signature(newest)


@pytest.mark.parametrize(
    "census",
    [
        {"counting": True, "census_since": 10**15},  # the year 33658
        {"counting": True, "census_since": -(10**15)},
        {"counting": True, "census_since": 10**20},
        {"counting": True, "census_since": 10**400},
    ],
    ids=["year 33658", "before year 1", "10**20 ms", "10**400 ms"],
)
def test_a_census_millisecond_out_of_range_in_the_context_is_not_an_internal_failure(
    monkeypatch, census
):
    """FAILS on ef20a0e. A callback context (crafted or corrupt) whose ``queue.census_since``
    is an integer that no datetime holds, while a count is under way and the image is busy with
    the same newest versions. Context.load checks only that it is an int and sanitized() resets
    period and refusals but none of the census fields; at the refusal, count_versions builds
    CreationTimeAfter = listing.just_before(census_since) and datetime.fromtimestamp raises
    ValueError ("year 33658 is out of range"), OSError (EOVERFLOW) or OverflowError out of
    wait_for_image: the operation FAILS InternalFailure "a bug: please report it". Promised
    (context.py, guide "Malformed events"): anything the context cannot be read as is
    InvalidRequest naming the callback context, never InternalFailure, and "values that only
    steer waiting are reset when they are not plausible" (the count would start over)."""
    with world(monkeypatch, create_seconds=600.0) as (_clock, sm, driver):
        for number in range(1, 21):
            sm.add(number, "CREATED", created_ago=86400.0 - 60.0 * number)
        sm.add(21, "CREATING", created_ago=5.0, done_in=595.0)
        queue = {"refusals": 3, "progress_at": T0 - 100.0, "signature": _signature(sm), **census}
        context = {"v": 2, "phase": "create.submit", "queue": queue}
        answer = driver.invoke(handler_event("CREATE", props(), callback_context=context))
        assert answer.get("errorCode") != "InternalFailure", answer.get("message")
        assert (answer["status"] == "FAILED" and answer["errorCode"] == "InvalidRequest") or (
            answer["status"] == "IN_PROGRESS"
        ), answer


@pytest.mark.parametrize(
    "census",
    [{}, {"census_low": -1}, {"census_at": T0 + 30 * 86400.0}],
    ids=["control: none", "a count below zero", "a count begun a month from now"],
)
def test_a_moving_queue_is_not_failed_for_a_census_field_of_a_crafted_context(monkeypatch, census):
    """FAILS on ef20a0e (the "control: none" case, the same context without a census field,
    PASSES). A CREATE queued behind the moving queue of deletions of versions older
    than the 10 newest (44 x 90 s), called back with a context (crafted or corrupt) that matches
    the image's newest versions and holds one implausible census value: ``census_low`` -1 (no
    whole count is ever lower: decisions.census_moved is never true) or ``census_at`` a month
    ahead (census_due: now - census_at is never CENSUS_EVERY: no count ever begins). Neither is
    reset (sanitized() covers period and refusals only), so the counts that are to see the queue
    move never do, and the CREATE is failed ResourceConflict at the hour while the queue still
    deletes a version every 90 s. Promised: "values that only steer waiting are reset when they
    are not plausible" and "a queue that moves is never failed"."""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, 57)
        order = _moving(sm)
        queue = {"refusals": 1, "progress_at": T0, "signature": _signature(sm), **census}
        context = {"v": 2, "phase": "create.submit", "queue": queue}
        out = driver.run("CREATE", props(), callback_context=context)
        assert out.status == "SUCCESS", (
            f"{out.error_code} after {clock.t / 60:.0f} min with {_left(sm, order)} of the"
            f" queue's 43 deletions still to come ({sm.counts_begun()} counts begun):"
            f" {out.final.get('message')}"
        )


# -- 4. A count slower than the hour allows ------------------------------------------------------


@pytest.mark.parametrize(
    "versions",
    [
        pytest.param(1000, id="control: 10 pages"),
        pytest.param(
            3000,
            id="30 pages",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known limit: an account whose List bucket admits 3 calls at once and"
                " 0.5 a second lets a waiting change read about 2 pages a refusal; a count of 30"
                " pages then takes half an hour, and two in a row are not whole within the hour"
                " (guide/behaviour.md)",
            ),
        ),
    ],
)
@pytest.mark.parametrize("action", ["CREATE", "DELETE"])
def test_a_moving_queue_is_not_failed_when_a_throttled_count_takes_many_refusals(
    monkeypatch, action, versions
):
    """FAILS on ef20a0e for "30 pages"; "control: 10 pages" PASSES. The moving queue of
    deletions of versions older than the 10 newest (44 x 90 s) in an account whose
    ListImageVersions is a token bucket of 3 calls refilling 0.5 a second (the bucket
    test_census_adversary.py's stuck-image tests use), on an image of 3,000 versions. A refused
    change spends a token on the newest versions, reads about 2 pages towards the count, is
    throttled and stops (the kind is then paced: no more optional reads this invocation);
    refusals come about every 2 minutes, so a count of 30 pages takes ~15 refusals, ~30
    minutes. Progress needs a SECOND whole count lower than the first: the first begins after
    10 minutes of quiet and is whole ~40 minutes in, the second begins then and would be whole
    ~70 minutes in, so at the hour no count has shown the queue moving and the change is
    failed ResourceConflict while 15 deletions are still to come. Promised: "a queue that
    moves is never failed", "the counts throttled or denied" included (guide/behaviour.md); a
    count is only promised to go on "from the last version counted", which it does, but the
    design needs two whole counts inside the hour."""
    with world(monkeypatch, create_seconds=DELETION) as (clock, sm, driver):
        _old_versions(sm, versions)
        order = _moving(sm)
        throttled = _list_bucket(sm, clock, capacity=3.0, rate=0.5)
        out = _run(driver, sm, action)
        assert throttled, "the fault was not met"
        assert out.status == "SUCCESS", (
            f"{out.error_code} after {clock.t / 60:.0f} min with {_left(sm, order)} of the"
            f" queue's 43 deletions still to come ({len(sm.count_pages())} pages of every version"
            f" read in {sm.counts_begun()} counts): {out.final.get('message')}"
        )
