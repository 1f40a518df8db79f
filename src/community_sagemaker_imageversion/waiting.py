"""Stabilisation decisions and timing (pure): what a status means, and how long to wait.

A version goes CREATING -> CREATED (or CREATE_FAILED), and DELETING -> gone (or DELETE_FAILED).
Handlers poll inside one invocation while the Lambda has time left, then hand back to
CloudFormation with a callback delay, so a quick change finishes in one invocation and a slow one
costs no idle Lambda time.
"""

from __future__ import annotations

import enum
import secrets

CREATED = "CREATED"
CREATING = "CREATING"
CREATE_FAILED = "CREATE_FAILED"
DELETING = "DELETING"
DELETE_FAILED = "DELETE_FAILED"


class Next(enum.Enum):
    FINISHED = "finished"
    WAIT = "wait"
    FAILED = "failed"
    GONE = "gone"
    DELETE = "delete"


def after_create(status: str | None) -> Next:
    """What a create does next, given the status of the version it made (None: it has vanished)."""
    if status == CREATED:
        return Next.FINISHED
    if status == CREATING:
        return Next.WAIT
    if status is None:
        return Next.GONE
    return Next.FAILED


def after_delete(status: str | None, requested: bool) -> Next:
    """What a delete does next.

    ``requested`` says whether this operation has already sent DeleteImageVersion. A version that
    is DELETING is never asked again; one that is still CREATING is waited for first (SageMaker
    refuses to delete it); DELETE_FAILED before our request is retried, after it is a failure.
    A version that is gone is what a delete wants (a first invocation that finds nothing answers
    NotFound before it gets here).
    """
    if status is None:
        return Next.FINISHED
    if status in (DELETING, CREATING):
        return Next.WAIT
    if status == DELETE_FAILED and requested:
        return Next.FAILED
    return Next.DELETE


# Status polls inside one invocation: quick at first, then every 0.75 s, so a change that
# completes X seconds after the call is seen, with the call's own time, before X + 1 s.
POLL_DELAYS = (0.25, 0.5)
POLL_CAP = 0.75


def poll_delay(attempt: int) -> float:
    """Seconds to wait before status poll number ``attempt`` (0-based) inside an invocation."""
    return POLL_DELAYS[attempt] if attempt < len(POLL_DELAYS) else POLL_CAP


# Callback delays once an invocation has no time left: short first, then at most 30 s.
CALLBACK_DELAYS = (5, 10, 20)
CALLBACK_CAP = 30


def callback_delay(callbacks_so_far: int) -> int:
    """Seconds CloudFormation waits before re-invoking a handler that is still waiting."""
    if callbacks_so_far < len(CALLBACK_DELAYS):
        return CALLBACK_DELAYS[callbacks_so_far]
    return CALLBACK_CAP


# ResourceInUse (another version of the same image is being created or deleted): full-jitter
# exponential backoff, so the versions of one image that a stack creates in parallel spread out.
BUSY_BASE = 0.5
BUSY_CAP = 8.0
BUSY_CALLBACK_MAX = 20
# How long one operation keeps retrying a busy image, across invocations, before ResourceConflict.
BUSY_BUDGET_SECONDS = 60 * 60

# Throttling, 5xx answers and network failures that outlast botocore's retries: callbacks one
# operation makes (each after a jittered 1-20 s) before it reports the error.
TRANSIENT_CALLBACKS = 20

_random = secrets.SystemRandom()


def busy_delay(attempt: int, draw: float | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (0-based) of a change refused with ResourceInUse.

    ``draw`` in [0, 1) replaces the random draw (for tests).
    """
    ceiling = min(BUSY_CAP, BUSY_BASE * 2.0**attempt)
    fraction = _random.random() if draw is None else draw
    return max(0.05, fraction * ceiling)


def busy_callback_delay(draw: float | None = None) -> int:
    """A jittered callback delay (1..BUSY_CALLBACK_MAX s) for a busy image."""
    fraction = _random.random() if draw is None else draw
    return 1 + int(fraction * BUSY_CALLBACK_MAX)


def busy_budget_left(first_busy_at: float, now: float) -> bool:
    return now - first_busy_at < BUSY_BUDGET_SECONDS
