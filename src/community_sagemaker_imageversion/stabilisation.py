"""Waiting across invocations: the one signal a step raises to be called back, and the one place
where every handler's ending becomes a progress event.

- :class:`CallBack`: the step cannot finish in this invocation (the version is still changing,
  the image is busy, SageMaker keeps failing transiently, or the deadline is near).
- :func:`settle`: observe until the decision is no longer WAIT, polling while the invocation has
  time; then CallBack.
- :func:`retry_while_busy`: a change refused with ResourceInUse, retried with backoff inside the
  invocation, then CallBack; ResourceConflict once the image stayed busy for the busy budget.
- :func:`run`: a step's SUCCESS as it is; CallBack becomes IN_PROGRESS (with the callback
  context), here and nowhere else; a transient error becomes CallBack a bounded number of times;
  any other failure becomes FAILED, naming the version once the operation knows it, so
  CloudFormation never loses a version. READ and LIST (``synchronous``) cannot call back: for
  them CallBack is NetworkFailure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from cloudformation_cli_python_lib import exceptions
from cloudformation_cli_python_lib.interface import ProgressEvent

from .errors import TRANSIENT, HandlerError, ImageBusy
from .invocation import Invocation, clock
from .models import ResourceModel
from .progress import CallbackState, in_progress, tracked_model
from .waiting import (
    BUSY_BUDGET_SECONDS,
    TRANSIENT_CALLBACKS,
    Next,
    busy_budget_left,
    busy_callback_delay,
    busy_delay,
    callback_delay,
    poll_delay,
)

LOG = logging.getLogger(__name__)
T = TypeVar("T")


class CallBack(Exception):
    """Call this handler back: ``delay`` seconds from now (None: the next waiting delay)."""

    def __init__(self, reason: str, delay: int | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


def settle(observe: Callable[[], T], decide: Callable[[T], Next], invocation: Invocation) -> T:
    """What ``observe`` sees once ``decide`` says anything but WAIT; CallBack when the
    invocation runs out of time first. Observes at once, then polls (waiting.poll_delay)."""
    attempt = 0
    while True:
        seen = observe()
        if decide(seen) is not Next.WAIT:
            return seen
        if not invocation.pause(poll_delay(attempt)):
            raise CallBack("still changing")
        attempt += 1


def starting_with(seen: T, observe: Callable[[], T]) -> Callable[[], T]:
    """An observation that first gives what the caller has just seen, then observes."""
    pending = [seen]

    def observation() -> T:
        return pending.pop() if pending else observe()

    return observation


def retry_while_busy(call: Callable[[], T], state: CallbackState, invocation: Invocation) -> T:
    """``call``, retried while SageMaker answers ResourceInUse (see :func:`wait_out_busy`)."""
    while True:
        try:
            result = call()
        except ImageBusy as busy:
            wait_out_busy(busy, state, invocation)
            continue
        state.busySince = None
        return result


def wait_out_busy(busy: ImageBusy, state: CallbackState, invocation: Invocation) -> None:
    """Back off once after ResourceInUse: a jittered pause inside the invocation when it has
    time, else CallBack after a jittered delay; ResourceConflict once the image has been busy
    for BUSY_BUDGET_SECONDS of this operation."""
    now = clock().wall()
    state.busySince = state.busySince or now
    if not busy_budget_left(state.busySince, now):
        raise exceptions.ResourceConflict(
            f"{busy}; the image stayed busy for {BUSY_BUDGET_SECONDS // 60} minutes"
            f" over {state.busyRetries + 1} attempts"
        ) from busy
    state.busyRetries += 1
    LOG.info("Image busy (attempt %d): %s", state.busyRetries, busy)
    if not invocation.pause(busy_delay(state.busyRetries - 1)):
        raise CallBack(str(busy), busy_callback_delay())


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
            return in_progress(model_now(), state, _delay(signal, state))
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
        raise CallBack(str(error), busy_callback_delay()) from error


def _delay(signal: CallBack, state: CallbackState) -> int:
    if signal.delay is not None:
        return signal.delay
    delay = callback_delay(state.callbacks)
    state.callbacks += 1
    return delay


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
