"""The five handlers of Community::SageMaker::ImageVersion: orchestration only.

Decisions live in pure modules (validation, translation, waiting, listing); SageMaker calls and
their error translation in sagemaker_calls. Every call after CreateImageVersion names the version
it acts on: SageMaker applies a call without Version to the image's latest version.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

from cloudformation_cli_python_lib import exceptions
from cloudformation_cli_python_lib.boto3_proxy import SessionProxy
from cloudformation_cli_python_lib.interface import Action, HandlerErrorCode, ProgressEvent

from . import TYPE_NAME
from . import sagemaker_calls as calls
from .arns import parse_image_version_arn
from .clients import CallerSession, sagemaker_client
from .entrypoint import ImageVersionResource
from .errors import TRANSIENT, HandlerError
from .invocation import Invocation
from .listing import CALLS_PER_PAGE, PAGE_SIZE, Cursor, Walk
from .locating import locate, locate_model
from .models import ResourceHandlerRequest, ResourceModel
from .progress import CallbackState, in_progress, listed, success
from .translation import (
    applied,
    client_token,
    create_request,
    identifier_model,
    model_from_api,
    update_plan,
    update_request,
)
from .validation import STRING_RULES, check_create, check_update, string_problems
from .waiting import (
    BUSY_BUDGET_SECONDS,
    CREATE_FAILED,
    CREATING,
    DELETING,
    TRANSIENT_CALLBACKS,
    Next,
    after_create,
    after_delete,
    busy_budget_left,
    busy_callback_delay,
    busy_delay,
    callback_delay,
    poll_delay,
)

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

LOG = logging.getLogger(__name__)

resource = ImageVersionResource(TYPE_NAME, ResourceModel)
test_entrypoint = resource.test_entrypoint

T = TypeVar("T")
Description = dict[str, Any]


class _Deferred(Exception):
    """The image stayed busy for as long as this invocation may wait: call back later."""


def _retry_busy(call: Callable[[], T], state: CallbackState, invocation: Invocation) -> T:
    """``call``, retried with jittered backoff while SageMaker answers ResourceInUse.

    Retries inside the invocation while it has time, then raises _Deferred so the handler calls
    back; ResourceConflict once the image has been busy for BUSY_BUDGET_SECONDS.
    """
    while True:
        try:
            result = call()
        except calls.ImageBusy as busy:
            now = time.time()
            state.busySince = state.busySince or now
            if not busy_budget_left(state.busySince, now):
                raise exceptions.ResourceConflict(
                    f"{busy}; the image stayed busy for {BUSY_BUDGET_SECONDS // 60} minutes"
                    f" over {state.busyRetries + 1} attempts"
                ) from busy
            state.busyRetries += 1
            LOG.info("Image busy (attempt %d): %s", state.busyRetries, busy)
            if not invocation.wait(busy_delay(state.busyRetries - 1)):
                raise _Deferred from busy
            continue
        state.busySince = None
        return result


def _calling_back_on_transient_errors(
    state: CallbackState,
    model_now: Callable[[], ResourceModel | None],
    step: Callable[[], ProgressEvent],
) -> ProgressEvent:
    """``step``, or IN_PROGRESS with a jittered callback when it meets throttling, a 5xx answer or
    a network failure that outlasted botocore's own retries: every step is safe to run again, and
    CloudFormation never retries a FAILED event. After TRANSIENT_CALLBACKS such callbacks in one
    operation, the error is reported."""
    try:
        return step()
    except TRANSIENT as error:
        if state.transientRetries >= TRANSIENT_CALLBACKS:
            raise
        state.transientRetries += 1
        LOG.info("Transient failure (callback %d): %s", state.transientRetries, error)
        return in_progress(model_now(), state, busy_callback_delay())


def _call_back(model: ResourceModel | None, state: CallbackState) -> ProgressEvent:
    delay = callback_delay(state.callbacks)
    state.callbacks += 1
    return in_progress(model, state, delay)


def _status(description: Description | None) -> str | None:
    return None if description is None else str(description["ImageVersionStatus"])


def _failure(description: Description | None) -> str:
    reason = (description or {}).get("FailureReason")
    return f": {reason}" if reason else " (SageMaker gave no reason)"


def _pinned(state: CallbackState) -> tuple[str, int]:
    """The image name and version number the callback context has pinned."""
    parsed = parse_image_version_arn(str(state.arn))
    if parsed is None or state.imageName is None:
        raise exceptions.InternalFailure(f"The callback context pins no version: {state.arn}")
    return state.imageName, parsed.version


class _OutOfTime(Exception):
    """This invocation has no time left to wait: call back."""


def _wait_while_creating(
    client: SageMakerClient,
    state: CallbackState,
    description: Description | None,
    invocation: Invocation,
) -> Description | None:
    """The version's description once it has left CREATING; None when it has disappeared.
    _OutOfTime when this invocation's time runs out first."""
    name, version = _pinned(state)
    attempt = 0
    while after_create(_status(description)) is Next.WAIT:
        if not invocation.wait(poll_delay(attempt)):
            raise _OutOfTime
        attempt += 1
        description = calls.describe_version(client, name, version)
    return description


def _delete_until_gone(
    client: SageMakerClient,
    state: CallbackState,
    description: Description | None,
    invocation: Invocation,
    model: ResourceModel | None,
) -> ProgressEvent | None:
    """Delete the pinned version and wait until it is gone (None), or the event to return while
    that takes longer than this invocation. A DELETING version is never asked twice."""
    name, version = _pinned(state)
    attempt = 0
    while True:
        step = after_delete(_status(description), state.deleteSent)
        if step is Next.FINISHED:
            return None
        if step is Next.FAILED:
            raise exceptions.NotStabilized(
                f"{calls.version_label(name, version)} ended DELETE_FAILED{_failure(description)}"
            )
        if step is Next.DELETE:
            try:
                _retry_busy(lambda: calls.delete_version(client, name, version), state, invocation)
            except _Deferred:
                return in_progress(model, state, busy_callback_delay())
            state.deleteSent = True
            LOG.info("Deleting %s", calls.version_label(name, version))
        elif not invocation.wait(poll_delay(attempt)):
            return _call_back(model, state)
        else:
            attempt += 1
        description = calls.describe_version(client, name, version)


@resource.handler(Action.CREATE)
def create_handler(
    session: SessionProxy | CallerSession | None,
    request: ResourceHandlerRequest,
    callback_context: MutableMapping[str, Any],
) -> ProgressEvent:
    state = CallbackState.load(callback_context)
    desired = request.desiredResourceState

    def model_now() -> ResourceModel | None:
        if state.arn is None:
            return desired
        name, version = _pinned(state)
        model = desired or identifier_model(name, {"Version": version})
        model.ImageVersionArn = state.arn
        return model

    return _calling_back_on_transient_errors(
        state, model_now, lambda: _create(session, request, state, model_now)
    )


def _create(
    session: SessionProxy | CallerSession | None,
    request: ResourceHandlerRequest,
    state: CallbackState,
    model_now: Callable[[], ResourceModel | None],
) -> ProgressEvent:
    invocation = Invocation.current()
    client = sagemaker_client(session, request.region)
    if state.arn is None:
        model = check_create(request.desiredResourceState)
        name = str(model.ImageName)
        token = client_token(request.clientRequestToken, request.logicalResourceIdentifier, name)
        try:
            state.arn = _retry_busy(
                lambda: calls.create_version(client, create_request(model, token)),
                state,
                invocation,
            )
        except _Deferred:
            # Nothing exists yet, so this event cannot carry an ImageVersionArn.
            return in_progress(model, state, busy_callback_delay())
        state.imageName = name
        LOG.info("Created %s", state.arn)
    name, version = _pinned(state)
    try:
        return _finish_create(client, model_now(), state, invocation)
    except TRANSIENT:
        raise
    except HandlerError as error:
        # The version exists: tell CloudFormation which one, so that it is never lost.
        event = error.to_progress_event()
        event.resourceModel = identifier_model(
            name, {"ImageVersionArn": state.arn, "Version": version}
        )
        return event


def _finish_create(
    client: SageMakerClient,
    model: ResourceModel | None,
    state: CallbackState,
    invocation: Invocation,
) -> ProgressEvent:
    """Wait for the new version to be CREATED; delete it again when it failed."""
    name, version = _pinned(state)
    description = calls.describe_version(client, name, version)
    if state.createFailure is None:
        try:
            description = _wait_while_creating(client, state, description, invocation)
        except _OutOfTime:
            return _call_back(model, state)
        if description is None:
            # Returned, not raised: nothing exists, so this event names no version.
            return ProgressEvent.failed(
                HandlerErrorCode.NotStabilized,
                f"{calls.version_label(name, version)} disappeared while it was being created",
            )
        if after_create(_status(description)) is Next.FINISHED:
            aliases = calls.version_aliases(client, name, version)
            return success(model_from_api(name, description, aliases))
        state.createFailure = (
            f"{calls.version_label(name, version)} ended {_status(description)}"
            f"{_failure(description)}"
        )
        LOG.info("%s; deleting it", state.createFailure)
    try:
        waiting = _delete_until_gone(client, state, description, invocation, model)
    except exceptions.NotStabilized as cleanup:
        raise exceptions.NotStabilized(
            f"{state.createFailure}. Deleting the failed version failed too: {cleanup}"
        ) from cleanup
    if waiting is not None:
        return waiting
    # Returned, not raised: the version is gone, so this event names none.
    return ProgressEvent.failed(
        HandlerErrorCode.NotStabilized, f"{state.createFailure}. The failed version was deleted."
    )


@resource.handler(Action.READ)
def read_handler(
    session: SessionProxy | CallerSession | None,
    request: ResourceHandlerRequest,
    callback_context: MutableMapping[str, Any],
) -> ProgressEvent:
    model = request.desiredResourceState
    client = sagemaker_client(session, request.region)
    name, version, description = locate_model(client, model)
    if _status(description) == DELETING:
        raise exceptions.NotFound(TYPE_NAME, str(description.get("ImageVersionArn")))
    aliases = calls.version_aliases(client, name, version)
    return success(model_from_api(name, description, aliases))


@resource.handler(Action.UPDATE)
def update_handler(
    session: SessionProxy | CallerSession | None,
    request: ResourceHandlerRequest,
    callback_context: MutableMapping[str, Any],
) -> ProgressEvent:
    state = CallbackState.load(callback_context)
    desired = check_update(request.desiredResourceState)
    return _calling_back_on_transient_errors(
        state, lambda: desired, lambda: _update(session, request, state, desired)
    )


def _update(
    session: SessionProxy | CallerSession | None,
    request: ResourceHandlerRequest,
    state: CallbackState,
    desired: ResourceModel,
) -> ProgressEvent:
    previous = request.previousResourceState
    # The version CloudFormation knows this resource by; the desired model's copy may be stale.
    arn = (previous.ImageVersionArn if previous else None) or desired.ImageVersionArn
    hint = state.imageName or (previous.ImageName if previous else None) or desired.ImageName
    client = sagemaker_client(session, request.region)
    invocation = Invocation.current()
    name, version, description = locate(client, arn, hint)
    state.arn, state.imageName = description.get("ImageVersionArn", arn), name
    desired.ImageVersionArn = state.arn
    _refuse_create_only_changes(desired, previous, name, description)
    status = _status(description)
    if status == DELETING:
        raise exceptions.NotFound(TYPE_NAME, str(arn))
    if status == CREATING:
        try:
            settled = _wait_while_creating(client, state, description, invocation)
        except _OutOfTime:
            return _call_back(desired, state)
        if settled is None:
            raise exceptions.NotFound(TYPE_NAME, str(arn))
        description, status = settled, _status(settled)
    if status == CREATE_FAILED:
        raise exceptions.NotStabilized(
            f"{calls.version_label(name, version)} is CREATE_FAILED{_failure(description)}"
        )
    aliases = calls.version_aliases(client, name, version)
    plan = update_plan(desired, description, aliases)
    if not plan.is_empty():
        try:
            _retry_busy(
                lambda: calls.update_version(client, update_request(name, version, plan)),
                state,
                invocation,
            )
        except _Deferred:
            return in_progress(desired, state, busy_callback_delay())
    final_description, final_aliases = applied(description, plan, aliases)
    return success(model_from_api(name, final_description, final_aliases))


def _refuse_create_only_changes(
    desired: ResourceModel, previous: ResourceModel | None, name: str, description: Description
) -> None:
    """NotUpdatable when ImageName or BaseImage change: compared with the previous model, or
    with the version itself when CloudFormation sent no previous model."""
    before_name = previous.ImageName if previous and previous.ImageName else name
    before_base = (
        previous.BaseImage if previous and previous.BaseImage else description.get("BaseImage")
    )
    changed = [
        f"{prop} ({before!r} -> {wanted!r})"
        for prop, before, wanted in (
            ("ImageName", before_name, desired.ImageName),
            ("BaseImage", before_base, desired.BaseImage),
        )
        if wanted != before
    ]
    if changed:
        raise exceptions.NotUpdatable(
            "Create-only properties cannot change in place (CloudFormation replaces the version"
            f" instead): {', '.join(changed)}"
        )


@resource.handler(Action.DELETE)
def delete_handler(
    session: SessionProxy | CallerSession | None,
    request: ResourceHandlerRequest,
    callback_context: MutableMapping[str, Any],
) -> ProgressEvent:
    state = CallbackState.load(callback_context)
    model = request.desiredResourceState
    return _calling_back_on_transient_errors(
        state, lambda: model, lambda: _delete(session, request, state, model)
    )


def _delete(
    session: SessionProxy | CallerSession | None,
    request: ResourceHandlerRequest,
    state: CallbackState,
    model: ResourceModel | None,
) -> ProgressEvent:
    client = sagemaker_client(session, request.region)
    description: Description | None
    if state.arn is None:
        name, _, description = locate_model(client, model)
        state.arn, state.imageName = str(description["ImageVersionArn"]), name
    else:
        description = calls.describe_version(client, *_pinned(state))
    waiting = _delete_until_gone(client, state, description, Invocation.current(), model)
    return waiting or success(None)


@resource.handler(Action.LIST)
def list_handler(
    session: SessionProxy | CallerSession | None,
    request: ResourceHandlerRequest,
    callback_context: MutableMapping[str, Any],
) -> ProgressEvent:
    model = request.desiredResourceState
    image_name = model.ImageName if model else None
    client = sagemaker_client(session, request.region)
    if image_name:
        problems = string_problems("ImageName", image_name, STRING_RULES["ImageName"])
        if problems:
            raise exceptions.InvalidRequest("Invalid LIST filter: " + "; ".join(problems))
        page = calls.versions_page(client, image_name, PAGE_SIZE, request.nextToken)
        if page is None:
            return listed([], None)
        items, token = page
        return listed([identifier_model(image_name, item) for item in items], token)
    invocation = Invocation.current()
    walk = Walk(
        images_page=lambda token: calls.images_page(client, token),
        versions_page=lambda name, token: calls.versions_page(
            client, name, calls.MAX_RESULTS, token
        ),
        may_call=lambda calls_made: calls_made < CALLS_PER_PAGE and invocation.has_time(),
    )
    found, cursor = walk.page(Cursor.decode(request.nextToken))
    models = [identifier_model(name, item) for name, item in found]
    return listed(models, cursor.encode() if cursor else None)
