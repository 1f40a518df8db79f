"""Stabilisation decisions and timing (pure): what a status means, and how long to wait.

A version goes CREATING -> CREATED (or CREATE_FAILED), and DELETING -> gone (or DELETE_FAILED).
Handlers poll inside one invocation while it has time, then hand back to CloudFormation with a
callback delay, so a quick change finishes in one invocation and a slow one costs no idle
Lambda time. Every decision a handler takes on a status it observed is one function here.
"""

from __future__ import annotations

import enum
import math
import secrets

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
_DOUBLINGS_TO_CAP = math.ceil(math.log2(BUSY_CAP / BUSY_BASE))
BUSY_CALLBACK_MAX = 20
# How long one operation keeps retrying a busy image, across invocations, before ResourceConflict.
BUSY_BUDGET_SECONDS = 60 * 60

# Throttling, 5xx answers and network failures: each call is attempted up to CALL_ATTEMPTS times
# inside the invocation (full-jitter backoff, while the deadline allows); what outlasts that is
# retried on a callback, TRANSIENT_CALLBACKS times per operation (each after a jittered 1-20 s),
# before the error is reported.
CALL_ATTEMPTS = 4
RETRY_BASE = 0.25
RETRY_CAP = 2.0
TRANSIENT_CALLBACKS = 20

_random = secrets.SystemRandom()


def _jittered(ceiling: float, draw: float | None) -> float:
    fraction = _random.random() if draw is None else draw
    return max(0.05, fraction * ceiling)


def retry_delay(attempt: int, draw: float | None = None) -> float | None:
    """Seconds before attempt ``attempt + 1`` of a call that failed transiently (``attempt`` is
    0-based); None once the call has had CALL_ATTEMPTS attempts. ``draw`` in [0, 1) replaces the
    random draw (for tests)."""
    if attempt + 1 >= CALL_ATTEMPTS:
        return None
    return _jittered(min(RETRY_CAP, RETRY_BASE * 2.0**attempt), draw)


def busy_delay(attempt: int, draw: float | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (0-based) of a change refused with ResourceInUse.

    ``draw`` in [0, 1) replaces the random draw (for tests).
    """
    doublings = min(attempt, _DOUBLINGS_TO_CAP)  # 2.0 ** 1024 would overflow
    return _jittered(min(BUSY_CAP, BUSY_BASE * 2.0**doublings), draw)


def busy_callback_delay(draw: float | None = None) -> int:
    """A jittered callback delay (1..BUSY_CALLBACK_MAX s) for a busy image."""
    fraction = _random.random() if draw is None else draw
    return 1 + int(fraction * BUSY_CALLBACK_MAX)


def busy_budget_left(first_busy_at: float, now: float) -> bool:
    return now - first_busy_at < BUSY_BUDGET_SECONDS
