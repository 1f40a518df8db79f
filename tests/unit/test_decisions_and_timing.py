"""The handler's pure decisions (decisions) and timing policies (timing)."""

import math
import random
from datetime import UTC, datetime

import pytest

from community_sagemaker_imageversion import decisions, timing
from community_sagemaker_imageversion.decisions import Next


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("CREATED", Next.FINISHED),
        ("CREATING", Next.WAIT),
        ("CREATE_FAILED", Next.FAILED),
        ("DELETING", Next.FAILED),
        ("DELETE_FAILED", Next.FAILED),
    ],
)
def test_after_create(status, step):
    assert decisions.after_create(status) is step


@pytest.mark.parametrize(
    ("status", "requested", "step"),
    [
        ("DELETING", False, Next.WAIT),
        ("DELETING", True, Next.WAIT),
        ("CREATING", False, Next.WAIT),
        ("CREATED", False, Next.DELETE),
        ("CREATE_FAILED", False, Next.DELETE),
        ("DELETE_FAILED", False, Next.DELETE),
        ("DELETE_FAILED", True, Next.FAILED),
    ],
)
def test_after_delete(status, requested, step):
    assert decisions.after_delete(status, requested) is step


@pytest.mark.parametrize(
    ("shown", "misses", "since", "waits"),
    [
        (True, 1, 0.0, True),  # one read missed it: read again
        (True, timing.ABSENT_READS, 0.0, False),  # shown before: gone after a few reads
        (False, timing.ABSENT_READS, 0.0, True),  # never shown: may still be lagging
        (False, timing.ABSENT_READS, -timing.LAG_BOUND, False),  # missing past the lag bound
        (False, 1, -timing.LAG_BOUND, True),  # ... but read again first
    ],
)
def test_an_absence_is_believed_only_once_confirmed(shown, misses, since, waits):
    wait = decisions.absence(since, misses, 0.0, shown=shown, bound=timing.LAG_BOUND)
    assert (wait is not None) is waits
    if wait is not None:
        assert 0 < wait <= timing.ABSENT_POLL


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("CREATED", Next.FINISHED),
        ("CREATING", Next.WAIT),
        ("DELETING", Next.GONE),
        ("CREATE_FAILED", Next.FAILED),
        ("DELETE_FAILED", Next.FAILED),
    ],
)
def test_before_update(status, step):
    assert decisions.before_update(status) is step


@pytest.mark.parametrize(
    ("status", "readable"),
    [
        ("CREATED", True),
        ("CREATING", True),
        ("CREATE_FAILED", True),
        ("DELETE_FAILED", True),
        ("DELETING", False),
    ],
)
def test_read_reports_every_version_but_one_being_deleted(status, readable):
    assert decisions.is_readable(status) is readable


@pytest.mark.parametrize(
    ("image_status", "goes"),
    [(None, True), ("DELETING", True), ("CREATED", False), ("DELETE_FAILED", False)],
)
def test_versions_go_with_an_image_being_deleted(image_status, goes):
    assert decisions.versions_go_with_image(image_status) is goes


def test_a_call_is_attempted_a_bounded_number_of_times_with_growing_jittered_delays():
    delays = [timing.retry_delay(timing.SERVER, n, draw=0.999) for n in range(timing.ATTEMPTS)]
    assert delays[-1] is None, "the last attempt is not retried"
    assert all(d is not None for d in delays[:-1])
    retried = [d for d in delays[:-1] if d is not None]  # delays[:-1], as the floats they are
    assert retried == sorted(retried)
    assert all(d <= timing.RETRY_CAP[timing.SERVER] for d in retried)
    assert timing.retry_delay(timing.SERVER, 0, draw=0.0) == 0.05
    # throttling backs off harder than a server fault
    throttled = timing.retry_delay(timing.THROTTLING, 1, draw=0.999)
    assert throttled is not None
    assert throttled > (timing.retry_delay(timing.SERVER, 1, draw=0.999) or 0)


AWS_POLL = 5.0  # AWS's own handler polls a version every 5 s


def _polls(until: float, expected: float | None = None) -> list[float]:
    """When a change is polled (the first at once), as poll_delay spaces them, up to ``until``."""
    times = [0.0]
    while times[-1] < until:
        times.append(times[-1] + timing.poll_delay(times[-1], expected))
    return times


def test_polls_fall_on_a_5_s_grid_two_seconds_after_aws():
    # (the first "poll", at 0, is the request itself: a create's first status poll is at 7 s)
    assert _polls(30.0) == pytest.approx([0.0, 7.0, 12.0, 17.0, 22.0, 27.0, 32.0])
    # a poll that comes a little early (a callback's rounding) keeps to the grid
    assert timing.poll_delay(6.7) == pytest.approx(12.0 - 6.7)
    assert timing.poll_delay(7.3) == pytest.approx(12.0 - 7.3)


@pytest.mark.parametrize("seconds", [x / 10 for x in range(1, 900, 7)])
def test_a_change_up_to_90_s_is_seen_within_2_s_of_aws_with_no_more_polls(seconds):
    polls = _polls(seconds)
    aws_polls = math.ceil(seconds / AWS_POLL)
    assert polls[-1] <= aws_polls * AWS_POLL + 2.0
    assert len(polls) - 1 <= aws_polls  # (the first time, 0, is the request itself)


@pytest.mark.parametrize("elapsed", [0.0, 25.0, 60.0, 90.0, 300.0, 1800.0, 10_000.0])
def test_later_polls_keep_within_the_latency_bound(elapsed):
    """A change ending just after a poll at ``elapsed`` is seen by 1.05 * elapsed + 10 s."""
    gap = timing.poll_delay(elapsed)
    assert gap <= 0.05 * elapsed + 10
    assert gap >= timing.GRID_TOLERANCE
    assert gap <= timing.MAX_GAP


def test_an_expected_change_is_polled_sparsely_but_within_the_latency_bound():
    # the latency bound's gaps from the start, 0.05 x age + 9 s: fewer polls than the grid
    assert timing.poll_delay(0.0, expected=60.0) == pytest.approx(9.0)
    assert timing.poll_delay(40.0, expected=60.0) == pytest.approx(11.0)
    assert len(_polls(60.0, expected=60.0)) < len(_polls(60.0)) - 5
    # a wrong expectation (idle time counted) still keeps the bound
    assert timing.poll_delay(5.0, expected=86_400.0) <= 0.05 * 5.0 + 10


def test_callback_seconds_are_whole_and_at_least_one():
    assert [timing.callback_seconds(d) for d in (0.0, 0.25, 1.0, 1.2, 54.0)] == [1, 1, 1, 2, 54]


@pytest.mark.parametrize(
    ("handbacks", "elapsed", "keeps_waiting"),
    [
        (0, 0.0, False),  # the first invocation never pays to wait
        (0, 27.0, False),
        (1, 30.0, True),  # the second keeps polling until the change is a minute old
        (1, 61.5, True),  # to the grid poll just past the minute
        (1, 62.5, False),
        (4, 200.0, True),
        (4, 242.5, False),
    ],
)
def test_billed_waiting_only_where_the_invocation_bound_needs_it(handbacks, elapsed, keeps_waiting):
    assert timing.waits_past_free_window(handbacks, elapsed) is keeps_waiting


def test_the_last_poll_of_a_free_window_is_taken_only_where_it_is_worth_a_call():
    assert timing.last_poll_worth(asked=4.8, room=4.5)  # the grid poll, a little early
    assert not timing.last_poll_worth(asked=4.8, room=3.5)  # a poll more than the grid's
    assert timing.last_poll_worth(asked=11.0, room=6.0)  # a sparse poll's stand-in


def test_calls_are_paced_by_the_kind_one_rate_limits():
    assert [timing.call_kind(op) for op in ("ListAliases", "ListImages")] == ["List", "List"]
    assert timing.call_kind("DescribeImageVersion") == "Describe"
    assert {timing.call_kind(op) for op in ("CreateImageVersion", "DeleteImageVersion")} == {
        "write"
    }


def test_the_period_is_the_shortest_recent_gap_between_changes():
    assert timing.estimate_period([0.0, 0.5, 1.0]) is None, "implausibly short"
    assert timing.usable_period(float("nan")) is None
    assert timing.usable_period(-3.0) is None
    assert timing.estimate_period([]) is None
    assert timing.estimate_period([5.0]) is None
    assert timing.estimate_period([0.0, 61.0, 140.0, 200.5]) == pytest.approx(60.5)
    # only the last PERIOD_SAMPLES gaps count
    assert timing.estimate_period([0.0, 10.0, 100.0, 190.0, 280.0, 370.0]) == pytest.approx(90.0)
    # a gap after a creation that failed (in seconds) says nothing of how long one takes
    starts = [0.0, 60.0, 68.0, 128.0]
    assert timing.estimate_period(starts) == pytest.approx(8.0)
    assert timing.estimate_period(starts, failed={60.0}) == pytest.approx(60.0)
    assert timing.estimate_period([0.0, 8.0], failed={0.0}) is None


def test_a_wait_begun_longer_ago_than_its_hand_backs_span_is_not_this_waits():
    span = timing.JOIN_SPAN
    # one of the recent creations (days old: a wait behind a delete on an idle image) or later
    assert timing.joined_plausibly(1000.0, [1000.0, 1000.0 + 9 * span], handbacks=0)
    assert timing.joined_plausibly(2000.0, [1000.0], handbacks=0)
    assert timing.joined_plausibly(5.0, [], handbacks=0)
    # older than the recent creations: within the hand-backs' span of the newest
    assert timing.joined_plausibly(1000.0, [1001.0, 1000.0 + span], handbacks=0)
    assert not timing.joined_plausibly(1000.0, [1001.0, 1001.0 + span], handbacks=0)
    assert timing.joined_plausibly(1000.0, [1001.0, 1000.0 + 5 * span], handbacks=4)
    assert not timing.joined_plausibly(1.0, [1.7e9 - 300.0, 1.7e9], handbacks=10_000)
    assert not timing.joined_plausibly(float("-inf"), [1000.0], handbacks=0)


def test_a_busy_image_is_retried_when_its_change_should_be_over():
    # known period: back within ASK_WINDOW after the change's end, at the next end at first
    # (started 40 s ago, a queue's period of 60 s: expected to end 20 s on)
    assert timing.busy_wait(100.0, 60.0, 60.0, 1, draw=0.0) == pytest.approx(20.0)
    window = timing.ASK_WINDOW
    first = timing.busy_wait(100.0, 60.0, 60.0, 1, draw=0.999)
    assert first == pytest.approx(20.0 + 0.999 * window)
    # the spread widens with refusals, up to BUSY_SPREAD_MAX periods' worth of ends: an ask
    # at one of the next ends, never between two
    assert timing.busy_wait(100.0, 60.0, 60.0, 10**6, draw=0.999) <= timing.MAX_GAP
    widest = timing.busy_wait(100.0, 60.0, 60.0, 50, draw=0.999)
    ends = int(timing.BUSY_SPREAD_MAX)
    later = (ends - 1) * 60.0 + (0.999 * ends - (ends - 1)) * window
    assert widest == pytest.approx(20.0 + later)
    # overdue: a small share of a period on
    assert timing.busy_wait(155.0, 90.0, 60.0, 1, draw=0.0) == pytest.approx(3.0)
    # long overdue: a quarter of how late it already is (asked a geometric number of times)
    assert timing.busy_wait(200.0, 90.0, 60.0, 1, draw=0.0) == pytest.approx(12.5)
    # unknown period: UNKNOWN_PERIOD, or twice as long as the change has lasted, looking again
    # within 2 x UNKNOWN_PERIOD (the age may be SageMaker's clock running behind)
    assert timing.busy_wait(10.0, 0.0, None, 1, draw=0.0) == pytest.approx(20.0)
    assert timing.busy_wait(50.0, 0.0, None, 1, draw=0.0) == pytest.approx(50.0)
    assert timing.busy_wait(1000.0, 0.0, None, 1, draw=0.0) == pytest.approx(60.0)
    # a queue's period (UNSEEN_PERIOD at most), seen moving, is how long a young change lasts:
    # its end is asked at, not its middle; a history's (not seen moving) is not
    assert timing.busy_wait(101.0, 100.0, 60.0, 1, draw=0.0, moving=True) == pytest.approx(59.0)
    assert timing.busy_wait(101.0, 100.0, 60.0, 1, draw=0.0) == pytest.approx(29.0)
    # a longer period from the history never makes the change last past twice its age
    assert timing.busy_wait(101.0, 100.0, 86_400.0, 1, draw=0.0) == pytest.approx(29.0)
    # nor spaces the ends asked at further apart than that (idle time between versions)
    assert timing.busy_wait(101.0, 100.0, 1800.0, 1, draw=0.999) == pytest.approx(
        29.0 + 0.999 * window
    )
    # (the third refusal: 1.125 periods' worth, two ends, the later one twice its age on)
    assert timing.busy_wait(200.0, 100.0, 1800.0, 3, draw=0.999) == pytest.approx(
        100.0 + 400.0 + (0.999 * 2 - 1) * window
    )
    # SageMaker's clock ahead: the change did not start in the future
    assert timing.busy_wait(100.0, 700.0, None, 1, draw=0.0) == pytest.approx(30.0)
    # no change seen in progress: a share of a period on, or a short backoff with none known
    assert timing.busy_wait(100.0, None, 60.0, 1, draw=0.0) == pytest.approx(3.0)
    # (a period read from idle history counts as a change just begun might last at most)
    assert timing.busy_wait(100.0, None, 1800.0, 1, draw=0.999) == pytest.approx(
        timing.UNSEEN_PERIOD * (timing.OVERDUE_SHARE + 0.999 * timing.BUSY_SPREAD)
    )
    # never back to back
    assert timing.busy_wait(100.0, 99.99, 5.0, 1, draw=0.0) >= timing.MIN_BUSY_WAIT
    assert timing.busy_wait(100.0, None, None, 1, draw=0.5) == timing.busy_delay(0, draw=0.5)
    assert all(
        timing.busy_wait(0.0, 0.0, 1e9, n, draw=random.random()) <= timing.MAX_GAP
        for n in range(1, 5)
    )


def test_the_change_in_progress_is_the_newest_creating_or_deleting_version():
    def at(seconds):
        return datetime.fromtimestamp(seconds, UTC)

    versions = [
        {"Version": 3, "ImageVersionStatus": "CREATING", "CreationTime": at(300)},
        {
            "Version": 2,
            "ImageVersionStatus": "DELETING",
            "CreationTime": at(200),
            "LastModifiedTime": at(350),
        },
        {"Version": 1, "ImageVersionStatus": "CREATED", "CreationTime": at(100)},
    ]
    assert decisions.change_started(versions) == 350.0
    assert decisions.change_started(versions[:1]) == 300.0
    assert decisions.change_started(versions[2:]) is None
    assert decisions.queue_signature(versions) == "3:CREATING,2:DELETING,1:CREATED"
    assert decisions.creation_starts(versions) == [300.0, 200.0, 100.0]
    assert decisions.queue_message("img", versions) == (
        "waiting for version 2 of image img to finish DELETING"
    )
    assert decisions.queue_message("img", versions[:1]) == (
        "waiting for version 3 of image img to finish CREATING"
    )
    assert decisions.queue_message("img", versions[2:]) == (
        "waiting for another version of image img to finish changing"
    )


def test_transient_callback_delays_grow_to_a_cap():
    assert timing.fault_callback_delay(0, draw=0.0) == 1
    assert timing.fault_callback_delay(0, draw=0.999) == 1 + int(0.999 * 20)
    assert timing.fault_callback_delay(10, draw=0.999) == 1 + int(0.999 * timing.FAULT_CALLBACK_MAX)


def test_busy_delay_is_full_jitter_under_a_growing_cap():
    assert timing.busy_delay(0, draw=0.999) == pytest.approx(0.4995)
    assert timing.busy_delay(3, draw=0.5) == pytest.approx(2.0)
    assert timing.busy_delay(20, draw=0.999) == pytest.approx(timing.BUSY_CAP * 0.999)
    assert timing.busy_delay(5, draw=0.0) == 0.05
    draws = {timing.busy_delay(4, draw=random.random()) for _ in range(50)}
    assert len(draws) > 1
    assert all(0.05 <= d <= timing.BUSY_CAP for d in draws)


def test_the_busy_budget_counts_from_the_last_progress():
    assert not timing.busy_stalled(1000.0, 1000.0 + timing.BUSY_STALL_SECONDS - 1)
    assert timing.busy_stalled(1000.0, 1000.0 + timing.BUSY_STALL_SECONDS)


def test_every_version_is_counted_after_a_quiet_spell_then_every_few_minutes():
    after, every = timing.CENSUS_AFTER, timing.CENSUS_EVERY
    assert after + 3 * every < timing.BUSY_STALL_SECONDS  # four counts begin before a stall
    assert not timing.census_due(0.0, None, False, False, after - 1)  # changed lately
    assert not timing.census_due(0.0, None, True, True, after - 1)  # (nor goes on then)
    assert timing.census_due(0.0, None, False, False, after)  # the first count
    assert not timing.census_due(0.0, after, False, False, after + 60)  # one began lately
    assert timing.census_due(0.0, after, True, False, after + 60)  # it goes on while under way
    assert timing.census_due(0.0, after, False, False, after + every)  # the next
    assert timing.census_due(0.0, after, False, True, after + 60)  # once more before stuck


def test_a_count_shows_progress_only_when_it_and_the_one_before_are_below_every_count():
    moved = decisions.census_moved
    assert moved(None, None, 57) == (False, 57, None)  # the first: a baseline
    assert moved(57, None, 56) == (False, 57, 56)  # lower: left to confirm
    assert moved(57, 56, 56) == (True, 56, None)  # confirmed by the next
    assert moved(57, 56, 55) == (True, 56, 55)  # which, lower still, the next is to confirm
    assert moved(57, 56, 57) == (False, 57, None)  # or not: a read that missed one
    assert moved(56, None, 57) == (False, 56, None)
    # a list that flickers (a stuck deletion listed by one read and not the next) never moves
    low, pending, progress = 57, None, []
    for count in [56, 57, 56, 57, 56]:
        went, low, pending = moved(low, pending, count)
        progress.append(went)
    assert progress == [False] * 5


@pytest.mark.parametrize(
    ("image_status", "not_found", "step"),
    [
        ("CREATING", False, Next.WAIT),
        ("UPDATING", False, Next.WAIT),
        ("CREATING", True, Next.WAIT),
        ("CREATED", True, Next.WAIT),
        ("CREATED", False, Next.AGAIN),
        ("DELETING", False, Next.FAILED),
        ("DELETING", True, Next.FAILED),
        ("CREATE_FAILED", False, Next.FAILED),
        ("UPDATE_FAILED", False, Next.FAILED),
        (None, True, Next.FAILED),
    ],
)
def test_a_refused_create_waits_only_for_an_image_that_will_take_it(image_status, not_found, step):
    assert decisions.after_image_refused(image_status, not_found=not_found) is step


@pytest.mark.parametrize("attempt", [6, 7, 1023, 1024, 10**6])
def test_busy_delays_stay_at_the_cap_however_many_retries(attempt):
    assert timing.busy_delay(attempt, draw=0.999999) == pytest.approx(timing.BUSY_CAP, rel=1e-5)


def test_a_create_that_did_not_queue_expects_only_a_long_change():
    # a period counts the time between one version's end and the next one's start too: below
    # LONG_CHANGE it may be a quick change plus that time, which sparse polling would lengthen
    assert timing.expectation(None) is None
    assert timing.expectation(timing.LONG_CHANGE - 0.5) is None
    assert timing.expectation(timing.LONG_CHANGE) == timing.LONG_CHANGE
    assert timing.expectation(600.0) == 600.0
    # what is not a plausible period is no expectation either
    assert timing.expectation(2 * 3600.0) is None
    assert timing.expectation(float("nan")) is None


@pytest.mark.parametrize("congestion", [0, 1, 2, 3])
@pytest.mark.parametrize("slots", [0.5, 0.75, 1.125, 2.53, 4.0])
@pytest.mark.parametrize("draw", [0.0, 0.2, 0.49, 0.5, 0.77, 0.999])
def test_a_waiting_change_asks_only_within_the_window_after_an_end(congestion, slots, draw):
    """Every ask falls within the (widened) ask window after one of at most BUSY_SPREAD_MAX
    ends, the first of them at least: never in the middle of a change."""
    unit = 60.0
    after = timing.at_an_end(slots, unit, congestion, draw)
    skipped, into = divmod(after, unit)
    assert 0 <= skipped < timing.BUSY_SPREAD_MAX
    assert into <= timing.ASK_WINDOW * 2**congestion + 1e-9
    if draw == 0.0:
        assert (skipped, into) == (0, 0.0)


def test_throttling_widens_the_window_and_the_ends_a_waiting_change_asks_among():
    unit, window = 60.0, timing.ASK_WINDOW
    assert timing.at_an_end(0.5, unit, 0, 0.5) == pytest.approx(0.5 * window)
    assert timing.at_an_end(0.5, unit, 1, 0.5) == pytest.approx(0.5 * 2 * window)
    # 0.5 x 4 = 2 ends: the later one, a quarter into a window four times as wide
    assert timing.at_an_end(0.5, unit, 2, 0.75) == pytest.approx(unit + 0.5 * 4 * window)
    # a crafted count asks as the most: no window past a period, no more ends than the most
    assert timing.at_an_end(0.5, unit, 99, 0.999) == timing.at_an_end(
        0.5, unit, timing.CONGESTION_MAX, 0.999
    )
    assert timing.at_an_end(0.5, unit, -5, 0.5) == timing.at_an_end(0.5, unit, 0, 0.5)
    assert timing.at_an_end(4.0, 10.0, 3, 0.999) <= 4 * 10.0
    # busy_wait passes it on
    assert timing.busy_wait(100.0, 60.0, 60.0, 1, 0.5, congestion=1) == pytest.approx(
        20.0 + 0.5 * 2 * window
    )


def test_an_end_nobody_asked_at_shows_as_a_long_gap_since_the_change_began_to_wait():
    period = 60.0
    gap = timing.UNASKED_GAP * period
    # creations a period and a few seconds apart (each end asked at, changes of uneven
    # lengths): none
    assert not timing.unasked_end([0.0, 61.0, 135.0, 197.0], period, since=100.0)
    # the last end waited past: one
    assert timing.unasked_end([0.0, 61.0, 122.0, 122.0 + gap], period, since=100.0)
    # the one before it, still among the last UNASKED_GAPS gaps
    assert timing.unasked_end([0.0, 61.0, 61.0 + gap, 200.0], period, since=100.0)
    # a gap before this change began to wait (less a period) is not this queue's
    assert not timing.unasked_end([0.0, 3600.0, 3661.0], period, since=period + 1.0)
    assert timing.unasked_end([0.0, 3600.0, 3661.0], period, since=period)
    # older gaps than the last UNASKED_GAPS are not looked at
    assert not timing.unasked_end([0.0, 500.0, 561.0, 622.0], period, since=0.0)
    # no usable period, or too few creations: none
    assert not timing.unasked_end([0.0, 500.0], None, since=0.0)
    assert not timing.unasked_end([0.0, 500.0], 1.0, since=0.0)
    assert not timing.unasked_end([500.0], period, since=0.0)


def test_a_queue_is_seen_moving_once_a_creation_begins_while_a_change_waits():
    # versions a pipeline made before (the last one just begun): not yet
    assert not timing.seen_moving([-330.0, -220.0, -110.0, -1.0], since=0.0)
    # one more began after: moving
    assert timing.seen_moving([-330.0, -220.0, -110.0, -1.0, 61.0], since=0.0)
    # a lone creation is no queue
    assert not timing.seen_moving([61.0], since=0.0)
    assert not timing.seen_moving([], since=0.0)
