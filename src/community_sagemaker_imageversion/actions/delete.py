"""DELETE: locate the version, submit its deletion (queueing for a busy image), await its going.
The same submit and await phases delete a create's CREATE_FAILED version, which then ends that
create NotStabilized with SageMaker's reason (the context's ``failure``).

1. ``delete.locate``: the model's version (``locate``): NotFound once it is confirmed not there
   (another BaseImage is not there either); a version being deleted is awaited, never asked
   twice; while its image is being deleted, the image is awaited (its versions go with it).
2. ``delete.submit``: DeleteImageVersion of exactly that version. ResourceInUse: the version
   itself changing (a lost answer's delete applied) is awaited; another version changing is
   waited for (``queue``). Refused while the image is being deleted: the image is awaited; no
   path asks again without waiting.
3. ``delete.await``: poll until the version is gone (its absence confirmed, as a stale read may
   miss a version still DELETING); DELETE_FAILED after our request is NotStabilized with
   SageMaker's reason (a later DELETE asks again).
4. ``delete.image``: the image is being deleted: wait until it is gone.
"""

from __future__ import annotations

import logging

from cloudformation_cli_python_lib import exceptions

from ..context import Watch
from ..decisions import DELETE_FAILED, DELETING, IMAGE_DELETING, after_delete
from ..decisions import Next as Decision
from ..engine import Action, Done, Next, Step, Wait
from ..errors import Busy, Fault, Missing, Refused
from ..sagemaker import ImageGoing, NotShown, Shown, find_tracked, version_label
from ..timing import poll_delay
from .locate import doubt, local_version_arn, locate, seen
from .queue import throttled_while_waiting, wait_for_image

LOG = logging.getLogger(__name__)


def _label(step: Step) -> str:
    tracked = step.tracked()
    return version_label(tracked.image, tracked.number)


def locating(step: Step) -> Next | Wait:
    """Phase ``delete.locate`` (see the module docstring)."""
    found = locate(step, step.desired)
    if isinstance(found, Wait):
        return found
    if isinstance(found, ImageGoing):
        return _image_going(step, _model_image(step))
    step.context.version = found.tracked()
    if found.status == DELETING:
        step.context.enter("delete.await", watch=_watch_going(step))
        return Next("delete.await")
    step.context.enter("delete.submit")
    return _submit(step, found.status)


def submitting(step: Step) -> Done | Next | Wait:
    """Phase ``delete.submit`` (see the module docstring)."""
    tracked = step.tracked()
    sighting = find_tracked(step.sagemaker, tracked)
    if isinstance(sighting, ImageGoing):
        return _image_going(step, tracked.image)
    if not isinstance(sighting, Shown):
        # gone already (or never shown again): make sure, as after a request
        step.context.enter("delete.await", watch=_watch_going(step))
        return Next("delete.await")
    seen(step)
    return _submit(step, sighting.status)


def _submit(step: Step, status: str) -> Next | Wait:
    tracked = step.tracked()
    label = _label(step)
    decision = after_delete(status, requested=False)
    if decision is Decision.WAIT:
        if status == DELETING:
            step.context.enter("delete.await", watch=_watch_going(step))
            return Next("delete.await")
        watch = step.context.watch or Watch(since=step.now)
        step.context.watch = watch
        since = watch.since if watch.since is not None else step.now
        return Wait(
            poll_delay(step.now - since),
            f"{label} is {status}: waiting before deleting it",
            since=since,
        )
    try:
        step.sagemaker.delete_version(tracked.image, tracked.number)
    except Missing:
        pass  # gone meanwhile: awaited (and made sure of) below
    except Busy as busy:
        # refused because another version of the image is changing, or this very one (a lost
        # answer's delete applied, or a create not yet ended): either way the change in
        # progress is waited for, and this phase's first read then tells which it was
        return wait_for_image(step, tracked.image, busy)
    except Fault as fault:
        throttled_while_waiting(step, fault)
        raise
    except Refused as refused:
        if step.sagemaker.image_status(tracked.image) == IMAGE_DELETING:
            return _image_going(step, tracked.image)
        raise exceptions.InvalidRequest(str(refused)) from refused
    LOG.info("Deleting %s", label)
    step.context.enter("delete.await", watch=_watch_going(step))
    return Next("delete.await")


def awaiting(step: Step) -> Done | Next | Wait:
    """Phase ``delete.await`` (see the module docstring)."""
    tracked, watch = step.tracked(), step.context.watch or Watch(since=step.now)
    step.context.watch = watch
    since = watch.since if watch.since is not None else step.now
    label = _label(step)
    # (whether its image is going matters not: the version goes either way)
    sighting = find_tracked(step.sagemaker, tracked, why_not=False)
    if not isinstance(sighting, Shown):
        if isinstance(sighting, NotShown):
            try:
                return doubt(step, label, shown=True, what=tracked.arn)
            except exceptions.NotFound:
                pass
        return _gone(step)
    seen(step)
    status = sighting.status
    if status == DELETE_FAILED:
        reason = sighting.description.get("FailureReason")
        raise exceptions.NotStabilized(
            f"{label} ended DELETE_FAILED"
            + (f": {reason}" if reason else " (SageMaker gave no reason)")
        )
    if after_delete(status, requested=True) is Decision.WAIT:
        elapsed = step.now - since
        return Wait(
            poll_delay(elapsed),
            f"{label}: {status} for {elapsed:.0f} s",
            since=since,
            billable=not watch.queued,
        )
    # shown as it was before the request (a stale read, or a request not applied): ask again
    step.context.enter("delete.submit")
    return Wait(poll_delay(0.0), f"{label} is {status} again: deleting it again")


def _watch_going(step: Step) -> Watch:
    """What ``delete.await`` watches: the going of a version SageMaker showed, from now; whether
    the operation queued for the image first (then no billed second is spent waiting)."""
    queue = step.context.queue
    return Watch(since=step.now, shown=True, queued=queue is not None and queue.refusals > 0)


def _image_going(step: Step, image: str) -> Wait:
    watch = step.context.watch
    if step.context.phase != "delete.image" or watch is None:
        watch = Watch(since=step.now)
        step.context.enter("delete.image", watch=watch)
    elapsed = step.now - float(watch.since or step.now)
    return Wait(
        poll_delay(elapsed),
        f"image {image} is being deleted: its versions go with it",
        since=watch.since,
    )


def image_going(step: Step) -> Done | Next | Wait:
    """Phase ``delete.image``: wait until the image being deleted is gone."""
    tracked = step.context.version
    image = tracked.image if tracked else _model_image(step)
    status = step.sagemaker.image_status(image)
    if status == IMAGE_DELETING:
        return _image_going(step, image)
    if status is None:
        return _gone(step)
    # the image stays (its deletion failed): the version is deleted on its own
    phase = "delete.submit" if tracked is not None else "delete.locate"
    step.context.enter(phase)
    return Next(phase)


def _model_image(step: Step) -> str:
    """The image the model names: its ImageName, else the (lower-cased) name in its ARN."""
    model = step.desired
    if model is not None and model.ImageName:
        return str(model.ImageName)
    parsed = local_version_arn(model.ImageVersionArn if model else None)
    return parsed.name_lower


def _gone(step: Step) -> Done:
    """The version is gone: DELETE succeeds; a create's clean-up ends the create."""
    failure = step.context.failure
    if failure:
        raise exceptions.NotStabilized(f"{failure}. The failed version was deleted.")
    return Done(None)


PHASES = {
    "delete.submit": submitting,
    "delete.await": awaiting,
    "delete.image": image_going,
}
ACTION = Action("DELETE", "delete.locate", {"delete.locate": locating, **PHASES})
