"""Stabilisation decisions and timing (pure): what a status means, and how long to wait.

A version goes CREATING -> CREATED (or CREATE_FAILED), and DELETING -> gone (or DELETE_FAILED).
Handlers poll inside one invocation while it has time, then hand back to CloudFormation with a
callback delay, so a quick change finishes in one invocation and a slow one costs no idle
Lambda time. Every decision a handler takes on a status it observed is one function here.
"""

from __future__ import annotations

import enum
import itertools
import math
from datetime import datetime
from typing import Any

from .invocation import clock

CREATED = "CREATED"
CREATING = "CREATING"
CREATE_FAILED = "CREATE_FAILED"
DELETING = "DELETING"
DELETE_FAILED = "DELETE_FAILED"
FAILED_STATUSES = frozenset({CREATE_FAILED, DELETE_FAILED})

# SageMaker may answer ResourceNotFound for a version (and its aliases) for a while right after
# CreateImageVersion made it (read-after-write lag): within this many seconds of the create's
# answer, a version that is not found counts as still being created.
READ_AFTER_WRITE_GRACE = 60.0


class Next(enum.Enum):
    FINISHED = "finished"
    WAIT = "wait"
    FAILED = "failed"
    GONE = "gone"
    DELETE = "delete"
    AGAIN = "again"


def after_create(status: str | None, seconds_since_create: float) -> Next:
    """What a create does next, given the status of the version it made (None: not found)."""
    if status == CREATED:
        return Next.FINISHED
    if status == CREATING:
        return Next.WAIT
    if status is None:
        return Next.WAIT if seconds_since_create < READ_AFTER_WRITE_GRACE else Next.GONE
    return Next.FAILED


def after_delete(status: str | None, requested: bool, image_deleting: bool = False) -> Next:
    """What a delete does next.

    ``requested`` says whether this operation has already sent DeleteImageVersion. A version that
    is DELETING is never asked again; one that is still CREATING is waited for first (SageMaker
    refuses to delete it); DELETE_FAILED before our request is retried, after it is a failure.
    A version that is gone is what a delete wants; one SageMaker does not show while its image
    is being deleted (``image_deleting``) goes with the image, which is waited for.
    """
    if status is None:
        return Next.WAIT if image_deleting else Next.FINISHED
    if status in (DELETING, CREATING):
        return Next.WAIT
    if status == DELETE_FAILED and requested:
        return Next.FAILED
    return Next.DELETE


def before_update(status: str | None) -> Next:
    """What an update does with a version in ``status``: GONE (it is being deleted: NotFound),
    WAIT (still being created), FINISHED (CREATED: change it) or FAILED (CREATE_FAILED or
    DELETE_FAILED: SageMaker changes it no more, so only an update that changes nothing passes)."""
    if status is None or status == DELETING:
        return Next.GONE
    if status == CREATING:
        return Next.WAIT
    if status in FAILED_STATUSES:
        return Next.FAILED
    return Next.FINISHED


def is_readable(status: str | None) -> bool:
    """Whether READ reports a version in ``status``: every status but being deleted or gone.

    A CREATE_FAILED version exists until it is deleted: READ reports it (so an import or a drift
    check finds it, and DELETE removes it); an update that changes nothing succeeds on it, so a
    rollback never gets stuck on it.
    """
    return status is not None and status != DELETING


# Image statuses: DeleteImage has a DELETING phase, during which the image's versions go with it.
IMAGE_DELETING = "DELETING"


def versions_go_with_image(image_status: str | None) -> bool:
    """Whether an image in ``image_status`` (None: not found) takes its versions with it."""
    return image_status is None or image_status == IMAGE_DELETING


# An image still being created or updated takes new versions once it is done (within seconds).
IMAGE_SETTLING = frozenset({"CREATING", "UPDATING"})


def after_image_refused(image_status: str | None, *, not_found: bool) -> Next:
    """What a CreateImageVersion that SageMaker refused (``not_found``: as ResourceNotFound,
    else as ValidationException) does next, given its image's status (None: no such image).

    WAIT (as for a busy image) while the image is being created or updated, or when it is
    CREATED and yet was not found (read-after-write lag); AGAIN, once, when it is CREATED (it
    turned ready meanwhile: a second refusal is about the request); FAILED otherwise."""
    if image_status in IMAGE_SETTLING or (image_status == CREATED and not_found):
        return Next.WAIT
    if image_status == CREATED:
        return Next.AGAIN
    return Next.FAILED


# Waiting is paid for: an invocation waits only within its free window (invocation.FREE_WINDOW),
# then hands back with a callback delay, so no billed second is spent waiting.

# Status polls: quick at first, then every 0.75 s until QUICK_UNTIL seconds after the change
# began (a change that takes X <= 25 s is seen before X + 1 s), then further apart as the change
# lasts, so a change that takes X seconds is seen by 1.05 X + 10 s: the gap after ``elapsed``
# seconds is at most LATENCY_SLOPE * elapsed + LATENCY_ALLOWANCE, up to MAX_GAP.
POLL_DELAYS = ((0.25, 0.25), (0.75, 0.5))
POLL_CAP = 0.75
QUICK_UNTIL = 25.0
LATENCY_SLOPE = 0.05
LATENCY_ALLOWANCE = 9.0
MAX_GAP = 600.0
# When the change is expected to take ``expected`` seconds (learned from the image's earlier
# versions), nothing is polled before EXPECTED_LEAD of that time has passed.
EXPECTED_LEAD = 0.9


def poll_delay(elapsed: float, expected: float | None = None) -> float:
    """Seconds from now to the next status poll of a change that began ``elapsed`` seconds ago
    (and is expected to take ``expected`` seconds, when that is known)."""
    for until, delay in POLL_DELAYS:
        if elapsed < until:
            gap = delay
            break
    else:
        if elapsed < QUICK_UNTIL:
            gap = POLL_CAP
        else:
            gap = min(LATENCY_SLOPE * elapsed + LATENCY_ALLOWANCE, MAX_GAP)
    if expected is not None:
        # never later than the latency bound allows, however wrong the expectation
        bound = LATENCY_SLOPE * elapsed + LATENCY_ALLOWANCE
        gap = max(gap, min(EXPECTED_LEAD * expected - elapsed, bound))
    return min(gap, MAX_GAP)


# An invocation waits past its free window (billed seconds) only where handing back would let a
# change that ends X seconds after it began take more than ceil(X / CYCLE_SECONDS) + 1
# invocations to be seen: the invocation that hands back for the k-th time keeps polling until
# the change is CYCLE_SECONDS * (k - 1) old. That binds early in a long change, when the
# callback gaps the latency bound allows are short.
CYCLE_SECONDS = 60.0
CYCLE_MARGIN = 1.0


def required_age(handbacks: int) -> float:
    """How old a change must be before the invocation after ``handbacks`` earlier hand-backs on
    it may hand back (0 for the first invocation)."""
    return CYCLE_SECONDS * handbacks + CYCLE_MARGIN if handbacks > 0 else 0.0


def waits_past_free_window(handbacks: int, elapsed: float) -> bool:
    """Whether an invocation keeps waiting past its free window, after ``handbacks`` earlier
    hand-backs on a change that began ``elapsed`` seconds ago (as of its last poll)."""
    return elapsed < required_age(handbacks)


def callback_seconds(delay: float) -> int:
    """A callback delay in whole seconds (CloudFormation's unit), at least 1."""
    return max(1, math.ceil(delay))


# ResourceInUse (another version of the same image is being created or deleted): SageMaker
# changes one version of an image at a time. A refused change looks at the image's queue (its
# most recent versions) and comes back when the change in progress should be over: at its start
# plus the image's period (the time one change takes, learned from consecutive changes), spread
# over BUSY_SPREAD periods after that so the waiting resources do not all come at once; the spread
# widens by BUSY_SPREAD_GROWTH with every refusal, up to BUSY_SPREAD_MAX periods. While no period
# is known, the change is assumed to last UNKNOWN_PERIOD seconds, or twice as long as it has so
# far. When no change is in progress (it ended meanwhile, or SageMaker refused
# for a moment only, or does not list it), the retry comes a share of a period on, or, with no
# period known, after a full-jitter backoff (BUSY_BASE doubling up to BUSY_CAP).
BUSY_BASE = 0.5
BUSY_CAP = 30.0
_DOUBLINGS_TO_CAP = math.ceil(math.log2(BUSY_CAP / BUSY_BASE))
BUSY_SPREAD = 0.5
BUSY_SPREAD_GROWTH = 1.5
BUSY_SPREAD_MAX = 4.0
UNKNOWN_PERIOD = 30.0
PERIOD_SAMPLES = 4
OVERDUE_SHARE = 0.05
MIN_BUSY_WAIT = 1.0
# A period outside these bounds (a crafted or corrupt callback context) is not used.
PERIOD_RANGE = (1.0, 3600.0)
_GROWTHS_TO_MAX = math.ceil(math.log(BUSY_SPREAD_MAX / BUSY_SPREAD, BUSY_SPREAD_GROWTH))
# ResourceConflict once the image stays busy with no version changing state for this long.
BUSY_STALL_SECONDS = 60 * 60


def estimate_period(starts: list[float]) -> float | None:
    """The time one change of the image takes, from the start times of its latest consecutive
    changes: the shortest gap of the last PERIOD_SAMPLES (a gap is one change plus the time the
    image stood idle after it); None with fewer than two."""
    ordered = sorted(starts)[-(PERIOD_SAMPLES + 1) :]
    gaps = [b - a for a, b in itertools.pairwise(ordered) if b > a]
    return usable_period(min(gaps)) if gaps else None


def usable_period(period: float | None) -> float | None:
    """``period`` when it is a plausible period (within PERIOD_RANGE), else None."""
    low, high = PERIOD_RANGE
    if period is None or not math.isfinite(period) or not low <= period <= high:
        return None
    return period


def busy_wait(
    now: float,
    change_started: float | None,
    period: float | None,
    refusals: int,
    draw: float | None = None,
) -> float:
    """Seconds to wait before asking again after refusal number ``refusals`` (from 1), given
    when the change in progress started (None: none is) and the image's period (None: unknown).
    ``draw`` in [0, 1) replaces the random draw (for tests)."""
    growth = BUSY_SPREAD_GROWTH ** min(max(0, refusals - 1), _GROWTHS_TO_MAX)
    slots = min(BUSY_SPREAD_MAX, BUSY_SPREAD * growth)
    if change_started is None:
        # No change is seen in progress (SageMaker may not list a version being deleted): some
        # share of a period on, spread as for a change about to end; backoff without a period.
        if period is None:
            return busy_delay(refusals - 1, draw)
        return max(MIN_BUSY_WAIT, min(MAX_GAP, period * (OVERDUE_SHARE + _draw(draw) * slots)))
    change_started = min(change_started, now)  # SageMaker's clock may run ahead of ours
    elapsed = now - change_started
    # A period read from the image's history may count idle time between its versions: the
    # change is never expected to last longer than twice its age (and UNKNOWN_PERIOD at least).
    probe = max(UNKNOWN_PERIOD, 2.0 * elapsed)
    length = probe if period is None else min(period, probe)
    # Overdue (it is taking longer than the period): back soon, a small share of a period on.
    until_end = max(change_started + length - now, OVERDUE_SHARE * length)
    if period is None:  # its age may be SageMaker's clock running behind ours: look again soon
        until_end = min(until_end, 2 * UNKNOWN_PERIOD)
    spread = slots * (period if period is not None else UNKNOWN_PERIOD)
    return max(MIN_BUSY_WAIT, min(MAX_GAP, until_end + _draw(draw) * spread))


def change_started(versions: list[dict[str, Any]]) -> float | None:
    """When the newest change in progress among ``versions`` (ListImageVersions items) started:
    the CreationTime of a CREATING version, the LastModifiedTime of a DELETING one, in
    wall-clock seconds; None when none is changing."""
    changing = [v for v in versions if v.get("ImageVersionStatus") in (CREATING, DELETING)]
    return max((_change_start(v) for v in changing), default=None)


def queue_signature(versions: list[dict[str, Any]]) -> str:
    """What the image's latest versions are and their statuses, as one string: when it changes
    between two looks, the image made progress."""
    return ",".join(f"{v.get('Version')}:{v.get('ImageVersionStatus')}" for v in versions)


def creation_starts(versions: list[dict[str, Any]]) -> list[float]:
    """When each of ``versions`` was created (wall-clock seconds); a version without a
    CreationTime that is a time is left out."""
    times = (v.get("CreationTime") for v in versions)
    return [t.timestamp() for t in times if isinstance(t, datetime)]


def _change_start(version: dict[str, Any]) -> float:
    field = "LastModifiedTime" if version["ImageVersionStatus"] == DELETING else "CreationTime"
    moment = version.get(field) or version.get("CreationTime")
    return float(moment.timestamp()) if moment is not None else 0.0


# A create that made its version at the first try polls sparsely only when the image's history
# says a change takes at least LONG_CHANGE seconds. A period is measured between creations, so it
# also counts the time between one version's end and the next one's start (CloudFormation
# starting the next resource, the last poll's lag): for a quick change that share is large, and
# polling later would lengthen the next gap in turn. Twice the dense-polling span, it keeps a
# chain of changes short enough to be seen by X + 1 s dense while CloudFormation starts each
# next resource within about 25 s of the last one's end; with a longer lag, each is seen up to
# about 9 s late (the latency bound's gap).
LONG_CHANGE = 2 * QUICK_UNTIL


def expectation(period: float | None) -> float | None:
    """How long the next change of the image is expected to take, from the image's ``period``
    as a create that did not queue reads it: the period when it is LONG_CHANGE or more, else
    None (no expectation: poll as for an image with no history)."""
    usable = usable_period(period)
    return usable if usable is not None and usable >= LONG_CHANGE else None


def busy_stalled(last_progress_at: float, now: float) -> bool:
    """Whether the image has been busy with no version changing state for BUSY_STALL_SECONDS."""
    return now - last_progress_at >= BUSY_STALL_SECONDS


# Throttling, 5xx answers and network failures: each call is attempted up to CALL_ATTEMPTS times
# inside the invocation (full-jitter backoff, while the deadline allows); what outlasts that is
# retried on a callback, TRANSIENT_CALLBACKS times in a row (the count starts again whenever the
# image is seen making progress), each after a full-jitter delay whose cap doubles from
# TRANSIENT_CALLBACK_BASE to TRANSIENT_CALLBACK_MAX seconds, before the error is reported.
CALL_ATTEMPTS = 4
RETRY_BASE = 0.25
RETRY_CAP = 2.0
TRANSIENT_CALLBACKS = 20
TRANSIENT_CALLBACK_BASE = 20
TRANSIENT_CALLBACK_MAX = 300


def _draw(draw: float | None) -> float:
    """``draw``, or a draw in [0, 1) from the package's clock (a simulation seeds it)."""
    return clock().random() if draw is None else draw


def _jittered(ceiling: float, draw: float | None) -> float:
    return max(0.05, _draw(draw) * ceiling)


def retry_delay(attempt: int, draw: float | None = None) -> float | None:
    """Seconds before attempt ``attempt + 1`` of a call that failed transiently (``attempt`` is
    0-based); None once the call has had CALL_ATTEMPTS attempts. ``draw`` in [0, 1) replaces the
    random draw (for tests)."""
    if attempt + 1 >= CALL_ATTEMPTS:
        return None
    return _jittered(min(RETRY_CAP, RETRY_BASE * 2.0**attempt), draw)


def busy_delay(attempt: int, draw: float | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (0-based) of a change refused with ResourceInUse
    while no change of the image is seen in progress: full jitter under a growing cap.

    ``draw`` in [0, 1) replaces the random draw (for tests).
    """
    doublings = min(attempt, _DOUBLINGS_TO_CAP)  # 2.0 ** 1024 would overflow
    return _jittered(min(BUSY_CAP, BUSY_BASE * 2.0**doublings), draw)


def transient_callback_delay(retries: int, draw: float | None = None) -> int:
    """The callback delay after transient failure number ``retries`` (from 0) in a row: 1 s plus
    full jitter under a cap that doubles from TRANSIENT_CALLBACK_BASE to TRANSIENT_CALLBACK_MAX."""
    doublings = min(retries, math.ceil(math.log2(TRANSIENT_CALLBACK_MAX / TRANSIENT_CALLBACK_BASE)))
    cap = min(TRANSIENT_CALLBACK_MAX, TRANSIENT_CALLBACK_BASE * 2**doublings)
    return 1 + int(_draw(draw) * cap)
