"""Waiting for a busy image: SageMaker changes one version of an image at a time and refuses a
change of another (ResourceInUse) meanwhile.

A refused change reads the image's latest versions (one ListImageVersions), finds the change in
progress and the image's period, and comes back when that change should be over
(``timing.busy_wait``). The budget counts from the last progress: any change in the image's
latest versions or their statuses, or, once those have stayed the same for
``timing.CENSUS_AFTER``, fewer versions in all, by counts of all of them every
``timing.CENSUS_EVERY`` (a stack deleting older versions moves while the latest stay the same).
ResourceConflict only once the image stays busy with nothing changing for
``timing.BUSY_STALL_SECONDS``.
"""

from __future__ import annotations

import logging

from cloudformation_cli_python_lib import exceptions

from ..context import Queue
from ..decisions import (
    census_moved,
    change_started,
    creation_starts,
    failed_creation_starts,
    queue_message,
    queue_signature,
)
from ..engine import Step, Wait
from ..errors import Fault
from ..timing import (
    BUSY_STALL_SECONDS,
    CENSUS_EVERY,
    CENSUS_MISSES,
    CENSUS_TOKEN_MAX,
    CONGESTION_MAX,
    THROTTLING,
    busy_stalled,
    busy_wait,
    census_due,
    estimate_period,
    joined_plausibly,
    seen_moving,
    unasked_end,
    usable_period,
)

LOG = logging.getLogger(__name__)


def wait_for_image(step: Step, image: str, refusal: Exception) -> Wait:
    """The Wait after SageMaker refused a change of ``image`` as busy (``refusal``)."""
    now = step.now
    queue = step.context.queue or Queue()
    step.context.queue = queue
    try:
        versions = step.sagemaker.recent_versions(image)
    except Fault as fault:  # (the refusal stands; only the look at the image failed)
        queue.refusals += 1
        throttled_while_waiting(step, fault)
        raise
    started = change_started(versions)
    identity = queue_signature(versions)
    if queue.progress_at is None or queue.progress_at > now or identity != queue.signature:
        if started is not None and queue.change_at is not None and started > queue.change_at:
            # Changes seen one after the other: one period apart, or more when some were missed.
            seen_apart = started - queue.change_at
            queue.period = usable_period(min(queue.period or seen_apart, seen_apart))
        queue.progress_at, queue.signature, queue.change_at = now, identity, started
        queue.census_at = queue.census_low = queue.census_pending = queue.census_token = None
        queue.pending_at, queue.quiet_since = None, now
        queue.counting, queue.census_count, queue.census_misses = False, 0, 0
    else:
        last_count = _plausible(queue.census_at, now)
        stalled = busy_stalled(queue.progress_at, now)
        if census_due(_quiet_since(queue, now), last_count, queue.counting, stalled, now):
            _count_versions(step, image, queue, now)
    if busy_stalled(queue.progress_at, now) and not _confirming(queue, now):
        raise exceptions.ResourceConflict(
            f"{refusal}; no version of the image changed state for {BUSY_STALL_SECONDS // 60}"
            f" minutes over {queue.refusals + 1} attempts"
        )
    queue.refusals += 1
    starts = creation_starts(versions)
    queue.period = queue.period or estimate_period(starts, failed_creation_starts(versions))
    if queue.joined_at is None or not joined_plausibly(
        queue.joined_at, starts, step.context.handbacks
    ):
        queue.joined_at = max(starts, default=now)  # SageMaker's time, as the starts
    unasked = unasked_end(starts, queue.period, queue.joined_at)
    moving = seen_moving(starts, queue.joined_at)
    queue.streak = 1 if unasked else queue.streak + 1
    throttled = step.sagemaker.calls_throttled() > 0
    queue.congestion = _congestion(queue.congestion, throttled)
    delay = busy_wait(
        now,
        started,
        queue.period,
        queue.streak,
        step.draw(),
        congestion=queue.congestion,
        moving=moving,
    )
    LOG.info("Image busy (attempt %d, again in %.1f s): %s", queue.refusals, delay, refusal)
    return Wait(delay, queue_message(image, versions))


def throttled_while_waiting(step: Step, fault: Fault) -> None:
    """When SageMaker throttled a request of a change waiting for the image (refused before):
    its ask, or the look at the image after a refusal. Contention at the image's end (the other
    waiting changes asking, or the account's own calls), waited out as a refusal is (the same
    ends, a wider window), with no retry in this invocation: ``fault.backoff`` says how long."""
    queue = step.context.queue
    if fault.kind != THROTTLING or queue is None or queue.refusals == 0:
        return
    queue.congestion = _congestion(queue.congestion, throttled=True)
    streak = max(1, queue.streak)
    fault.backoff = busy_wait(
        step.now, queue.change_at, queue.period, streak, step.draw(), congestion=queue.congestion
    )


def _congestion(congestion: int, throttled: bool) -> int:
    """The throttled invocations in a row after one SageMaker did (or did not) throttle."""
    count = min(max(congestion, 0), CONGESTION_MAX)
    return min(CONGESTION_MAX, count + 1) if throttled else max(0, count - 1)


def _quiet_since(queue: Queue, now: float) -> float:
    """Since when the image's latest versions have stayed the same (what the counts' cadence
    counts from: progress a count saw does not hold the next counts off)."""
    since = queue.quiet_since if queue.quiet_since is not None else queue.progress_at
    return since if since is not None and since <= now else now


def _plausible(census_at: float | None, now: float) -> float | None:
    """When the last count was made, unless that is in the future (a crafted or corrupt context,
    which would hold every count off)."""
    return census_at if census_at is not None and census_at <= now else None


def _confirming(queue: Queue, now: float) -> bool:
    """Whether a count lower than any before waits to be confirmed by the next, the image not
    yet stuck for it: one more count, at most twice CENSUS_EVERY past the stall."""
    since = queue.progress_at if queue.census_pending is not None else None
    return since is not None and now - since < BUSY_STALL_SECONDS + 2 * CENSUS_EVERY


def _count_versions(step: Step, image: str, queue: Queue, now: float) -> None:
    """Read on towards a count of all of the image's versions (beginning one when none is under
    way, or when the last CENSUS_MISSES looks read nothing: its NextToken may have expired).
    Once it is whole, the image made progress when it and the count before it are both lower
    than any count before them (decisions.census_moved), credited when the first of the two
    began, so a version being deleted that one read lists and the next does not is no
    progress."""
    if not queue.counting or queue.census_misses >= CENSUS_MISSES:
        queue.counting, queue.census_at = True, now
        queue.census_count, queue.census_token, queue.census_misses = 0, None, 0
    counted, token, whole = step.sagemaker.count_versions(image, queue.census_token)
    read = whole or counted > 0 or token != queue.census_token  # (empty pages move it on too)
    queue.census_count += counted
    queue.census_misses = 0 if read else queue.census_misses + 1
    if not whole:
        if token is not None and len(token) > CENSUS_TOKEN_MAX:
            queue.counting = False  # (a token too long to keep: the next count begins afresh)
        queue.census_token = token
        return
    queue.counting, queue.census_token = False, None
    moved, queue.census_low, queue.census_pending = census_moved(
        queue.census_low, queue.census_pending, queue.census_count
    )
    if moved:  # versions went before the first of the two lower counts began
        queue.progress_at = max(queue.progress_at or 0.0, queue.pending_at or now)
    queue.pending_at = queue.census_at if queue.census_pending is not None else None
