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
from cloudformation_cli_python_lib.interface import Action, ProgressEvent

from . import sagemaker_calls as calls
from .arns import parse_image_version_arn
from .clients import sagemaker_client
from .entrypoint import ImageVersionResource
from .errors import TYPE_NAME
from .invocation import Invocation
from .listing import CALLS_PER_PAGE, PAGE_SIZE, Cursor
from .locating import locate
from .models import ResourceHandlerRequest, ResourceModel
from .progress import CallbackState, in_progress, listed, success
from .translation import (
    applied,
    client_token,
    create_request,
    desired_aliases,
    identifier_model,
    model_from_api,
    update_plan,
    update_request,
)
from .validation import STRING_RULES, check_create, check_update, string_problems
from .waiting import (
    BUSY_BUDGET_SECONDS,
    DELETING,
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


def _call_back(model: ResourceModel | None, state: CallbackState) -> ProgressEvent:
    delay = callback_delay(state.callbacks)
    state.callbacks += 1
    return in_progress(model, state, delay)


def _status(description: dict[str, Any] | None) -> str | None:
    return None if description is None else str(description["ImageVersionStatus"])


def _failure(description: dict[str, Any] | None) -> str:
    reason = (description or {}).get("FailureReason")
    return f": {reason}" if reason else " (SageMaker gave no reason)"


@resource.handler(Action.CREATE)
def create_handler(
    session: SessionProxy | None,
    request: ResourceHandlerRequest,
    callback_context: MutableMapping[str, Any],
) -> ProgressEvent:
    state = CallbackState.load(callback_context)
    invocation = Invocation.current()
    if state.version is None:
        model = check_create(request.desiredResourceState)
        client = sagemaker_client(session, request.region)
        name = str(model.ImageName)
        token = client_token(request.clientRequestToken, request.logicalResourceIdentifier, name)
        try:
            arn = _retry_busy(
                lambda: calls.create_version(client, create_request(model, token)),
                state,
                invocation,
            )
        except _Deferred:
            # Nothing exists yet, so this event cannot carry an ImageVersionArn.
            return in_progress(model, state, busy_callback_delay())
        parsed = parse_image_version_arn(arn)
        if parsed is None:
            raise exceptions.InternalFailure(f"CreateImageVersion returned an unexpected ARN {arn}")
        state.imageName, state.version = name, parsed.version
        model.ImageVersionArn = arn
        LOG.info("Created %s", calls.version_label(name, parsed.version))
    else:
        model = request.desiredResourceState or ResourceModel._deserialize({})  # type: ignore[assignment]
        client = sagemaker_client(session, request.region)
    return _await_created(client, model, state, invocation)


def _await_created(
    client: SageMakerClient, model: ResourceModel, state: CallbackState, invocation: Invocation
) -> ProgressEvent:
    name, version = str(state.imageName), int(state.version or 0)
    attempt = 0
    while True:
        description = calls.describe_version(client, name, version)
        step = after_create(_status(description))
        if step is Next.FINISHED and description is not None:
            return success(model_from_api(name, description, desired_aliases(model)))
        if step is Next.GONE:
            raise exceptions.NotStabilized(
                f"{calls.version_label(name, version)} disappeared while it was being created"
            )
        if step is Next.FAILED:
            raise exceptions.NotStabilized(
                f"{calls.version_label(name, version)} ended {_status(description)}"
                f"{_failure(description)}"
            )
        if not invocation.wait(poll_delay(attempt)):
            return _call_back(model, state)
        attempt += 1


@resource.handler(Action.READ)
def read_handler(
    session: SessionProxy | None,
    request: ResourceHandlerRequest,
    callback_context: MutableMapping[str, Any],
) -> ProgressEvent:
    model = request.desiredResourceState
    client = sagemaker_client(session, request.region)
    name, version, description = locate(
        client, model.ImageVersionArn if model else None, model.ImageName if model else None
    )
    aliases = calls.version_aliases(client, name, version)
    return success(model_from_api(name, description, aliases))


@resource.handler(Action.UPDATE)
def update_handler(
    session: SessionProxy | None,
    request: ResourceHandlerRequest,
    callback_context: MutableMapping[str, Any],
) -> ProgressEvent:
    state = CallbackState.load(callback_context)
    desired = check_update(request.desiredResourceState)
    previous = request.previousResourceState
    arn = desired.ImageVersionArn or (previous.ImageVersionArn if previous else None)
    hint = state.imageName or (previous.ImageName if previous else None) or desired.ImageName
    client = sagemaker_client(session, request.region)
    name, version, description = locate(client, arn, hint)
    state.imageName, state.version = name, version
    desired.ImageVersionArn = description.get("ImageVersionArn", arn)
    _refuse_create_only_changes(desired, name, description)
    status = _status(description)
    if status == DELETING:
        raise exceptions.NotFound(TYPE_NAME, str(arn))
    if after_create(status) is Next.WAIT:
        return _call_back(desired, state)
    aliases = calls.version_aliases(client, name, version)
    plan = update_plan(desired, description, aliases)
    if not plan.is_empty():
        try:
            _retry_busy(
                lambda: calls.update_version(client, update_request(name, version, plan)),
                state,
                Invocation.current(),
            )
        except _Deferred:
            return in_progress(desired, state, busy_callback_delay())
    final_description, final_aliases = applied(description, plan, aliases)
    return success(model_from_api(name, final_description, final_aliases))


def _refuse_create_only_changes(
    desired: ResourceModel, name: str, description: dict[str, Any]
) -> None:
    changed = [
        f"{prop} ({current!r} -> {wanted!r})"
        for prop, current, wanted in (
            ("ImageName", name, desired.ImageName),
            ("BaseImage", description.get("BaseImage"), desired.BaseImage),
        )
        if wanted != current
    ]
    if changed:
        raise exceptions.NotUpdatable(
            "Create-only properties cannot change in place (CloudFormation replaces the version"
            f" instead): {', '.join(changed)}"
        )


@resource.handler(Action.DELETE)
def delete_handler(
    session: SessionProxy | None,
    request: ResourceHandlerRequest,
    callback_context: MutableMapping[str, Any],
) -> ProgressEvent:
    state = CallbackState.load(callback_context)
    model = request.desiredResourceState
    client = sagemaker_client(session, request.region)
    invocation = Invocation.current()
    description: dict[str, Any] | None
    if state.version is None:
        name, version, description = locate(
            client, model.ImageVersionArn if model else None, model.ImageName if model else None
        )
        state.imageName, state.version = name, version
    else:
        name, version = str(state.imageName), state.version
        description = calls.describe_version(client, name, version)
    attempt = 0
    while True:
        step = after_delete(_status(description), state.deleteSent)
        if step is Next.FINISHED:
            return success(None)
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


@resource.handler(Action.LIST)
def list_handler(
    session: SessionProxy | None,
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
    return _list_all_images(client, Cursor.decode(request.nextToken))


def _list_all_images(client: SageMakerClient, cursor: Cursor) -> ProgressEvent:
    """Up to PAGE_SIZE versions of every image, from ``cursor`` on, in CALLS_PER_PAGE calls."""
    models: list[ResourceModel] = []
    calls_made = 0
    while len(models) < PAGE_SIZE and calls_made < CALLS_PER_PAGE:
        images, next_images = calls.images_page(client, cursor.images_token)
        calls_made += 1
        offset, versions_token = cursor.offset, cursor.versions_token
        while offset < len(images) and len(models) < PAGE_SIZE and calls_made < CALLS_PER_PAGE:
            page = calls.versions_page(
                client, images[offset], PAGE_SIZE - len(models), versions_token
            )
            calls_made += 1
            items, versions_token = page if page is not None else ([], None)
            models += [identifier_model(images[offset], item) for item in items]
            if versions_token is None:
                offset += 1
        if offset < len(images):
            return listed(models, Cursor(cursor.images_token, offset, versions_token).encode())
        if next_images is None:
            return listed(models, None)
        cursor = Cursor(next_images, 0, None)
    return listed(models, cursor.encode())
