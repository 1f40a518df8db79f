"""CREATE: submit the version (queueing for a busy image), await its status, converge its
aliases; a version that ends CREATE_FAILED is deleted (DELETE's phases) and the create fails.

1. ``create.submit``: CreateImageVersion with a ClientToken stable across every invocation of
   the operation (``translation.client_token``), so a repeated request gets back the version the
   first one made. ResourceInUse: wait for the image (``queue``). A missing image: its name in
   another case, or InvalidRequest; an image still being created: wait for it. An answer that
   does not say which version (``None``): asked again with the same ClientToken. From the answer
   on, every event names the version. A create made at the first try, not the image's first
   version, may read how long the image's changes take (one optional ListImageVersions), and
   then poll sparsely (``timing.expectation``).
2. ``create.await``: poll the version's status (``timing.poll_delay``): CREATED goes on to its
   aliases (``aliases``); CREATE_FAILED records SageMaker's reason, hands back once (the
   invocation that made the version never deletes it: a repeated first invocation must still
   find it by its ClientToken) and deletes it (``delete.submit``, ``delete.await``), then fails
   NotStabilized with that reason. A version not shown yet is waited for over the read-after-
   write lag bound (``timing.LAG_BOUND``) before it is said to have disappeared.
"""

from __future__ import annotations

import logging

from cloudformation_cli_python_lib import exceptions

from ..arns import parse_image_version_arn
from ..context import Tracked, Watch
from ..decisions import (
    CREATING,
    absence,
    after_create,
    after_image_refused,
    creation_starts,
    failed_creation_starts,
)
from ..decisions import Next as Decision
from ..engine import Action, Done, Next, Step, Wait
from ..errors import Busy, Fault, IncompleteAnswer, Missing, Refused
from ..models import ResourceHandlerRequest, ResourceModel
from ..sagemaker import (
    NO_ARN,
    Foreign,
    ImageGoing,
    ImageGone,
    NotShown,
    Shown,
    creation_of,
    find_tracked,
    version_label,
)
from ..timing import (
    ABSENT_POLL,
    CLEANUP_DELAY,
    IMAGE_LAG_BOUND,
    LAG_BOUND,
    MIN_WAIT,
    UNNAMED_ANSWERS,
    estimate_period,
    expectation,
    poll_delay,
)
from ..translation import client_token, create_request
from ..validation import check_create
from . import aliases, delete
from .locate import seen
from .queue import throttled_while_waiting, wait_for_image

LOG = logging.getLogger(__name__)


def _desired(step: Step) -> ResourceModel:
    desired = step.desired
    if desired is None:
        raise exceptions.InvalidRequest("The request carries no resource model")
    return desired


def submit(step: Step) -> Next | Wait:
    """Phase ``create.submit`` (see the module docstring)."""
    model, context = _desired(step), step.context
    image = context.image or str(model.ImageName)
    token = client_token(
        step.request.clientRequestToken,
        step.request.logicalResourceIdentifier,
        str(model.ImageName),
    )
    try:
        arn = step.sagemaker.create_version({**create_request(model, token), "ImageName": image})
    except Busy as busy:
        return wait_for_image(step, image, busy)
    except Fault as fault:
        throttled_while_waiting(step, fault)
        raise
    except (Missing, Refused) as refused:
        return _image_refused(step, image, refused)
    if arn == NO_ARN:
        context.unnamed += 1
        if context.unnamed >= UNNAMED_ANSWERS:
            raise exceptions.GeneralServiceException(
                f"SageMaker created a version of image {image} but answered ImageVersionArn"
                f" None {context.unnamed} times to ClientToken {token}: which version it is"
                " cannot be told. Find it with ListImageVersions and delete it."
            )
        # asked again at once (paced): until it names the version, no event can name it
        return Wait(MIN_WAIT, f"asking image {image} again which version ClientToken {token} made")
    parsed = parse_image_version_arn(arn)
    if parsed is None:
        raise IncompleteAnswer(f"CreateImageVersion answered an ARN SageMaker never issues: {arn}")
    context.version = Tracked(arn, image, parsed.version, model.BaseImage)
    LOG.info("Created %s", arn)
    queued = context.queue is not None and context.queue.refusals > 0
    # the period a queued create learned, as the history would say it: only a long change
    expected = expectation(context.queue.period) if context.queue is not None else None
    if not queued and parsed.version > 1:
        history = step.sagemaker.recent_versions(image, optional=True)
        failed = failed_creation_starts(history)
        expected = expectation(estimate_period(creation_starts(history), failed))
    context.enter("create.await", watch=Watch(since=step.now, expected=expected, queued=queued))
    # a version is CREATING for a while yet: its first poll comes when the policy's first does
    return Wait(
        poll_delay(0.0, expected),
        f"{version_label(image, parsed.version)}: {CREATING} for 0 s",
        since=step.now,
        billable=not queued,
    )


def _image_refused(step: Step, image: str, refused: Missing | Refused) -> Next | Wait:
    """CreateImageVersion refused as ResourceNotFound or ValidationException: the image's name in
    another case, an image not ready yet (waited for), asked again once, or InvalidRequest."""
    context = step.context
    not_found = isinstance(refused, Missing)
    status = step.sagemaker.image_status(image)
    if status is None and not_found:
        real = step.sagemaker.image_name_for(image)
        if real is None:
            # an image made just before (one stack) may not be shown yet: looked for a while
            watch = context.watch or Watch(missing_since=step.now)
            context.watch = watch
            since = watch.missing_since if watch.missing_since is not None else step.now
            if step.now - since < IMAGE_LAG_BOUND:
                return Wait(ABSENT_POLL, f"image {image} is not shown yet: looking again")
            raise exceptions.InvalidRequest(
                f"ImageName {image!r}: no SageMaker image of that name (in any case) exists in"
                f" this account and region (looked for {IMAGE_LAG_BOUND:.0f} s)"
            ) from refused
        if real != image:
            context.image = real
            return Next("create.submit")
        status = step.sagemaker.image_status(real)
    decision = after_image_refused(status, not_found=not_found)
    if decision is Decision.WAIT:
        return wait_for_image(
            step, image, Busy(f"Image {image} is {status}: it does not take new versions yet")
        )
    if decision is Decision.AGAIN and not context.asked_again:
        context.asked_again = True  # the image turned ready meanwhile: a second refusal is the
        return Next("create.submit")  # request's
    raise exceptions.InvalidRequest(
        f"ImageName {image!r}: image {image} is {status or 'gone'} and takes no new version"
        f" ({refused})"
    ) from refused


def awaiting(step: Step) -> Done | Next | Wait:
    """Phase ``create.await`` (see the module docstring)."""
    context = step.context
    tracked, watch = step.tracked(), context.watch or Watch(since=step.now)
    context.watch = watch
    label = version_label(tracked.image, tracked.number)
    since = watch.since if watch.since is not None else step.now
    sighting = find_tracked(step.sagemaker, tracked)
    if isinstance(sighting, NotShown):
        if watch.missing_since is None:
            watch.missing_since = step.now if watch.shown else since
        watch.misses += 1
        # (the version this create made: gone only once missing over the whole lag bound)
        doubted = absence(watch.missing_since, watch.misses, step.now, shown=False, bound=LAG_BOUND)
        if doubted is not None:
            elapsed = step.now - since
            why = f"{label} is not shown yet"
            delay = min(doubted, poll_delay(elapsed, watch.expected))
            return Wait(delay, why, since, billable=not watch.queued)
    if not isinstance(sighting, Shown):
        why = {
            ImageGoing: "its image is being deleted",
            ImageGone: "its image was deleted",
            NotShown: "SageMaker no longer shows it",
        }.get(type(sighting), sighting.why if isinstance(sighting, Foreign) else "")
        raise exceptions.NotStabilized(f"{label} disappeared while it was being created: {why}")
    seen(step)
    description = sighting.description
    tracked.container = description.get("ContainerImage")
    tracked.created = creation_of(description)
    decision = after_create(sighting.status)
    if decision is Decision.FINISHED:
        return aliases.converge(step, description, frozenset())
    if decision is Decision.WAIT:
        elapsed = step.now - since
        return Wait(
            poll_delay(elapsed, watch.expected),
            f"{label}: {CREATING} for {elapsed:.0f} s",
            since=since,
            billable=not watch.queued,
        )
    reason = description.get("FailureReason")
    context.failure = f"{label} ended {sighting.status}" + (
        f": {reason}" if reason else " (SageMaker gave no reason)"
    )
    context.enter("delete.submit")
    return Wait(CLEANUP_DELAY, f"{context.failure}; deleting it", hand_back=True)


def _check(request: ResourceHandlerRequest) -> None:
    check_create(request.desiredResourceState)


ACTION = Action(
    "CREATE",
    "create.submit",
    {
        "create.submit": submit,
        "create.await": awaiting,
        **aliases.PHASES,
        **delete.PHASES,
    },
    check=_check,
    admits=lambda context: (
        "a create deletes its version only once its creation failed, and this one names no failure"
        if context.phase in delete.PHASES and context.failure is None
        else None
    ),
)
