"""Waiting across invocations: the one signal a step raises to be called back, and the one place
where every handler's ending becomes a progress event.

- :class:`CallBack`: the step cannot finish in this invocation (the version is still changing,
  the image is busy, SageMaker keeps failing transiently, or the deadline is near).
- :func:`settle`: observe until the decision is no longer WAIT, polling (waiting.poll_delay) while
  the invocation is in its free window; then CallBack, timed for the next poll.
- :func:`expect_from_history`: how long a change of the image takes, from its latest versions,
  for a create that did not have to queue (an optional look: it never fails the create).
- :func:`retry_while_busy`: a change refused with ResourceInUse, retried when the image's change
  in progress should be over (waiting.busy_wait), inside the invocation's free window or after a
  callback; ResourceConflict once the image stayed busy with no version changing state for
  waiting.BUSY_STALL_SECONDS.
- :func:`run`: a step's SUCCESS as it is; CallBack becomes IN_PROGRESS (with the callback
  context), here and nowhere else; a transient error becomes CallBack a bounded number of times;
  any other failure becomes FAILED, naming the version once the operation knows it, so
  CloudFormation never loses a version. READ and LIST (``synchronous``) cannot call back: for
  them CallBack is NetworkFailure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from cloudformation_cli_python_lib import exceptions
from cloudformation_cli_python_lib.interface import ProgressEvent

from .errors import TRANSIENT, HandlerError, ImageBusy
from .invocation import ATTEMPT_MINIMUM, CONNECT_TIMEOUT, READ_TIMEOUT, Invocation, clock
from .models import ResourceModel
from .progress import CallbackState, in_progress, tracked_model
from .waiting import (
    BUSY_STALL_SECONDS,
    TRANSIENT_CALLBACKS,
    Next,
    busy_stalled,
    busy_wait,
    callback_seconds,
    change_started,
    creation_starts,
    estimate_period,
    expectation,
    poll_delay,
    queue_signature,
    required_age,
    transient_callback_delay,
    usable_period,
    waits_past_free_window,
)

LOG = logging.getLogger(__name__)
T = TypeVar("T")


class CallBack(Exception):
    """Call this handler back: ``delay`` seconds from now (None: the next waiting delay)."""

    def __init__(self, reason: str, delay: int | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


def settle(
    observe: Callable[[], T],
    decide: Callable[[T], Next],
    invocation: Invocation,
    state: CallbackState,
    *,
    since: float | None = None,
) -> T:
    """What ``observe`` sees once ``decide`` says anything but WAIT; CallBack, timed for the next
    poll, when the invocation's free window ends first. Observes at once, then polls at
    waiting.poll_delay for a change that began at ``since`` (wall clock; None: now) and is
    expected to take ``state.period`` seconds (None: unknown). When the window ends before the
    next poll is due, it polls once more at the window's end (earlier than due, never later);
    it waits past the window only as waiting.waits_past_free_window says, and only in an
    operation that did not queue for a busy image first."""
    began = since if since is not None else (state.waitingSince or clock().wall())
    if since is None:
        state.waitingSince = began
    last_chance = True
    while True:
        seen = observe()
        if decide(seen) is not Next.WAIT:
            state.waitingSince = None
            return seen
        elapsed = clock().wall() - began
        delay = poll_delay(elapsed, state.period)
        if invocation.wait(delay):
            continue
        # (an operation that queued for a busy image first is past any invocation bound: no
        # second of its waiting is billed)
        if state.busyRetries == 0 and waits_past_free_window(state.handbacks, elapsed):
            room = invocation.left() - ATTEMPT_MINIMUM
            needed = required_age(state.handbacks) - elapsed
            if room >= LAST_POLL_MINIMUM and invocation.pause(min(delay, room, needed)):
                continue
        room = invocation.waitable()
        if last_chance and room >= LAST_POLL_MINIMUM:
            last_chance = False
            invocation.wait(room)
            continue
        state.handbacks += 1
        raise CallBack("still changing", callback_seconds(delay))


# The shortest wait worth a poll at the end of an invocation's free window.
LAST_POLL_MINIMUM = 1.0


def starting_with(seen: T, observe: Callable[[], T]) -> Callable[[], T]:
    """An observation that first gives what the caller has just seen, then observes."""
    pending = [seen]

    def observation() -> T:
        return pending.pop() if pending else observe()

    return observation


Queue = Callable[[], list[dict[str, Any]]]
"""The image's most recent versions, newest first (sagemaker_calls.recent_versions)."""


def retry_while_busy(
    call: Callable[[], T], state: CallbackState, invocation: Invocation, queue: Queue
) -> T:
    """``call``, retried while SageMaker answers ResourceInUse (see :func:`wait_out_busy`)."""
    while True:
        try:
            result = call()
        except ImageBusy as busy:
            wait_out_busy(busy, state, invocation, queue)
            continue
        state.busySince = None
        return result


def wait_out_busy(
    busy: ImageBusy, state: CallbackState, invocation: Invocation, queue: Queue
) -> None:
    """Wait once after ResourceInUse, until the image's change in progress should be over
    (waiting.busy_wait): inside the invocation while its free window allows, else CallBack
    after that long. ResourceConflict once no version of the image has changed state for
    BUSY_STALL_SECONDS while this operation waited."""
    versions = queue()
    now = clock().wall()
    started = change_started(versions)
    # Progress is any change in what the image's latest versions are and their statuses (a
    # version being deleted may not be listed, but its going is seen).
    identity = queue_signature(versions)
    if state.busySince is None or identity != state.busyChange:
        if started is not None and state.busyChangeAt is not None and started > state.busyChangeAt:
            # Changes seen one after the other: one period apart, or more when some were missed.
            seen_apart = started - state.busyChangeAt
            state.period = usable_period(min(state.period or seen_apart, seen_apart))
        state.busySince, state.transientRetries = now, 0
        state.busyChange = identity
        state.busyChangeAt = started
    if busy_stalled(state.busySince, now):
        raise exceptions.ResourceConflict(
            f"{busy}; no version of the image changed state for {BUSY_STALL_SECONDS // 60}"
            f" minutes over {state.busyRetries + 1} attempts"
        ) from busy
    state.busyRetries += 1
    period = state.period or estimate_period(creation_starts(versions))
    state.period = period
    delay = busy_wait(now, started, period, state.busyRetries)
    LOG.info("Image busy (attempt %d, again in %.1f s): %s", state.busyRetries, delay, busy)
    if not invocation.wait(delay):
        raise CallBack(str(busy), callback_seconds(delay))


def expect_from_history(state: CallbackState, invocation: Invocation, queue: Queue) -> None:
    """Learn how long one change of the image takes (waiting.expectation of the period its
    latest versions show) before waiting for a version this operation has just made, unless it
    knows already: then settle polls sparsely until about when the change should end. The look
    is optional: it is made only when one attempt of it ends within the free window, and any
    failure of it (SageMaker's, or no time left) only leaves the create without an expectation."""
    if state.period is not None or invocation.waitable() < CONNECT_TIMEOUT + READ_TIMEOUT:
        return
    try:
        state.period = expectation(estimate_period(creation_starts(queue())))
    except Exception as error:  # noqa: BLE001 (optional: nothing it meets may fail the create)
        LOG.info("The image's versions were not read (%s): polling without an expectation", error)


def run(
    state: CallbackState,
    step: Callable[[], ProgressEvent],
    model_now: Callable[[], ResourceModel | None] = lambda: None,
    *,
    synchronous: bool = False,
) -> ProgressEvent:
    """The progress event for ``step``'s ending (see the module docstring)."""
    try:
        return _calling_back_on_transient_errors(state, step, synchronous)
    except CallBack as signal:
        if not synchronous:
            return in_progress(model_now(), state, _delay(signal))
        failure: HandlerError = exceptions.NetworkFailure(
            f"SageMaker did not answer in time: {signal}"
        )
    except HandlerError as error:
        failure = error
    return _failed(failure, state)


def _calling_back_on_transient_errors(
    state: CallbackState, step: Callable[[], ProgressEvent], synchronous: bool
) -> ProgressEvent:
    """``step``; a transient error (throttling, 5xx, network) that outlasted the call's own
    retries becomes CallBack after a jittered delay, TRANSIENT_CALLBACKS times per operation."""
    try:
        return step()
    except TRANSIENT as error:
        if synchronous or state.transientRetries >= TRANSIENT_CALLBACKS:
            raise
        state.transientRetries += 1
        LOG.info("Transient failure (callback %d): %s", state.transientRetries, error)
        raise CallBack(str(error), transient_callback_delay(state.transientRetries - 1)) from error


def _delay(signal: CallBack) -> int:
    """The callback delay ``signal`` asks for; a new change's first poll delay otherwise."""
    return signal.delay if signal.delay is not None else callback_seconds(poll_delay(0.0))


def _failed(failure: HandlerError, state: CallbackState) -> ProgressEvent:
    """The FAILED event: named after the version once the operation knows it; a failed create
    whose clean-up did not finish ends NotStabilized with SageMaker's reason for the failure."""
    if state.createFailure is not None and state.createFailure not in str(failure):
        failure = exceptions.NotStabilized(
            f"{state.createFailure}. Deleting the failed version did not finish: {failure}"
        )
    event = failure.to_progress_event()
    event.resourceModel = tracked_model(state)
    return event
