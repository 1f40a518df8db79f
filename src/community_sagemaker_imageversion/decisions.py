"""What a phase does with what it observed (pure functions, no I/O, no clock).

A version goes CREATING -> CREATED (or CREATE_FAILED), and DELETING -> gone (or DELETE_FAILED).
Each function here turns one observation into the next step; the phases act on it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .timing import ABSENT_POLL, ABSENT_READS, ABSENT_SPACING, MIN_WAIT

CREATED = "CREATED"
CREATING = "CREATING"
CREATE_FAILED = "CREATE_FAILED"
DELETING = "DELETING"
DELETE_FAILED = "DELETE_FAILED"
FAILED_STATUSES = frozenset({CREATE_FAILED, DELETE_FAILED})
# Image statuses: DeleteImage has a DELETING phase, during which the image's versions go with it;
# an image still being created or updated takes new versions once it is done.
IMAGE_DELETING = "DELETING"
IMAGE_SETTLING = frozenset({"CREATING", "UPDATING"})


class Next(enum.Enum):
    FINISHED = "finished"
    WAIT = "wait"
    FAILED = "failed"
    GONE = "gone"
    DELETE = "delete"
    AGAIN = "again"


def after_create(status: str) -> Next:
    """What a create does next, given the status of the version it made."""
    if status == CREATED:
        return Next.FINISHED
    if status == CREATING:
        return Next.WAIT
    return Next.FAILED


def after_delete(status: str, requested: bool) -> Next:
    """What a delete does next with a version it sees in ``status``; ``requested``: whether this
    operation has sent DeleteImageVersion already. A version that is DELETING is never asked
    again; one still CREATING is waited for first (SageMaker refuses to delete it);
    DELETE_FAILED before our request is asked again, after it is a failure."""
    if status in (DELETING, CREATING):
        return Next.WAIT
    if status == DELETE_FAILED and requested:
        return Next.FAILED
    return Next.DELETE


def before_update(status: str) -> Next:
    """What an update does with a version in ``status``: GONE (being deleted: NotFound), WAIT
    (still being created), FINISHED (CREATED: change it) or FAILED (CREATE_FAILED or
    DELETE_FAILED: SageMaker changes it no more, so only an update that changes nothing passes)."""
    if status == DELETING:
        return Next.GONE
    if status == CREATING:
        return Next.WAIT
    if status in FAILED_STATUSES:
        return Next.FAILED
    return Next.FINISHED


def is_readable(status: str) -> bool:
    """Whether READ reports a version in ``status``: every status but being deleted.

    A CREATE_FAILED version exists until it is deleted: READ reports it (so an import or a drift
    check finds it, and DELETE removes it)."""
    return status != DELETING


def versions_go_with_image(image_status: str | None) -> bool:
    """Whether an image in ``image_status`` (None: not found) takes its versions with it."""
    return image_status is None or image_status == IMAGE_DELETING


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


def absence(
    missing_since: float, misses: int, now: float, *, shown: bool, bound: float
) -> float | None:
    """None when a version missing ``misses`` reads in a row, since ``missing_since``, is gone;
    else seconds until the next read. The reads come in pairs, the second at once (one read may
    miss a version the next one sees: non-monotonic reads), the pairs ABSENT_SPACING apart. A
    version SageMaker has shown before is gone once ABSENT_READS reads in a row miss it; one it
    never showed may be hidden by read-after-write lag, so it is gone only once it stayed
    missing for ``bound`` seconds too."""
    if misses < ABSENT_READS:
        return MIN_WAIT if misses % 2 == 1 else ABSENT_SPACING
    if shown:
        return None
    left = missing_since + bound - now
    return None if left <= 0 else min(ABSENT_POLL, left)


def change_started(versions: Iterable[Mapping[str, Any]]) -> float | None:
    """When the newest change in progress among ``versions`` (ListImageVersions items) started:
    the CreationTime of a CREATING version, the LastModifiedTime of a DELETING one, in
    wall-clock seconds; None when none is changing."""
    changing = change_in_progress(versions)
    return None if changing is None else _change_start(changing)


def change_in_progress(versions: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The version among ``versions`` (ListImageVersions items) whose change in progress
    (CREATING or DELETING) started last; None when none is changing."""
    changing = [v for v in versions if v.get("ImageVersionStatus") in (CREATING, DELETING)]
    return max(changing, key=_change_start, default=None)


def queue_message(image: str, versions: Iterable[Mapping[str, Any]]) -> str:
    """What a change waiting for a busy ``image`` tells CloudFormation's stack events."""
    changing = change_in_progress(versions)
    if changing is None or not isinstance(changing.get("Version"), int):
        return f"waiting for another version of image {image} to finish changing"
    return (
        f"waiting for version {changing['Version']} of image {image} to finish"
        f" {changing['ImageVersionStatus']}"
    )


def queue_signature(versions: Iterable[Mapping[str, Any]]) -> str:
    """What the image's latest versions are and their statuses, as one string: when it changes
    between two looks, the image made progress."""
    return ",".join(f"{v.get('Version')}:{v.get('ImageVersionStatus')}" for v in versions)


def census_moved(low: int | None, pending: int | None, count: int) -> tuple[bool, int, int | None]:
    """Whether a whole count of the image's versions (``count``) shows the image moved, then the
    lowest count so far and a lower count left to confirm. It moved when it and the count before
    it (``pending``, left to confirm) both count fewer versions than any count before them
    (``low``; None: none): a count only goes down as versions go, and two in a row must say so,
    so a version being deleted that one read lists and the next does not is no progress, and a
    version one read misses is progress at most once. A count lower still than the one it
    confirms is left to the next to confirm in turn."""
    if low is None:
        return False, count, None
    if count >= low:
        return False, low, None
    if pending is not None and pending < low:
        settled = max(count, pending)
        return True, settled, count if count < settled else None
    return False, low, count


def creation_starts(versions: Iterable[Mapping[str, Any]]) -> list[float]:
    """When each of ``versions`` was created (wall-clock seconds); a version without a
    CreationTime that is a time is left out."""
    times = (v.get("CreationTime") for v in versions)
    return [t.timestamp() for t in times if isinstance(t, datetime)]


def failed_creation_starts(versions: Iterable[Mapping[str, Any]]) -> list[float]:
    """When each of ``versions`` that ended CREATE_FAILED was created: a creation that failed
    (in seconds, maybe) says nothing of how long one takes (timing.estimate_period)."""
    return creation_starts(v for v in versions if v.get("ImageVersionStatus") == CREATE_FAILED)


def _change_start(version: Mapping[str, Any]) -> float:
    field = "LastModifiedTime" if version.get("ImageVersionStatus") == DELETING else "CreationTime"
    moment = version.get(field) or version.get("CreationTime")
    return float(moment.timestamp()) if isinstance(moment, datetime) else 0.0
