"""The five handlers of Community::SageMaker::ImageVersion: orchestration only.

Decisions live in pure modules (validation, translation, waiting, listing); SageMaker calls, their
time bounds and error translation in sagemaker_calls; waiting across invocations, and every
ending turned into a progress event, in stabilisation. Every call after CreateImageVersion names
the version it acts on: SageMaker applies a call without Version to the image's latest version.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cloudformation_cli_python_lib import exceptions
from cloudformation_cli_python_lib.boto3_proxy import SessionProxy
from cloudformation_cli_python_lib.interface import Action, ProgressEvent

from . import TYPE_NAME
from . import sagemaker_calls as calls
from .arns import ImageVersionArn, parse_image_version_arn
from .clients import CallerSession, sagemaker_client
from .converging import converge
from .entrypoint import ImageVersionResource
from .errors import ImageBusy
from .invocation import Invocation, clock
from .listing import CALLS_PER_PAGE, Cursor, Walk
from .locating import Located, describe_unless_image_gone, local_version_arn, locate
from .models import ResourceHandlerRequest, ResourceModel
from .progress import CallbackState, listed, success, tracked_model
from .stabilisation import (
    CallBack,
    expect_from_history,
    retry_while_busy,
    run,
    settle,
    starting_with,
    wait_out_busy,
)
from .translation import (
    client_token,
    create_request,
    identifier_model,
    model_from_api,
    update_plan,
)
from .validation import STRING_RULES, check_create, check_update, string_problems
from .waiting import (
    CREATING,
    DELETING,
    IMAGE_DELETING,
    POLL_CAP,
    READ_AFTER_WRITE_GRACE,
    Next,
    after_create,
    after_delete,
    after_image_refused,
    before_update,
    callback_seconds,
    is_readable,
    poll_delay,
    versions_go_with_image,
)

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

LOG = logging.getLogger(__name__)

resource = ImageVersionResource(TYPE_NAME, ResourceModel)
test_entrypoint = resource.test_entrypoint

Session = SessionProxy | CallerSession | None
Description = dict[str, Any]
# CreateImageVersion asked again (same ClientToken) when it answers without saying which version.
NO_ARN_REPLAYS = 3
# Seconds before the invocation that deletes a version which ended CREATE_FAILED.
CLEANUP_DELAY = 1


def _status(description: Description | None) -> str | None:
    return None if description is None else str(description["ImageVersionStatus"])


def _reason(description: Description | None) -> str:
    reason = (description or {}).get("FailureReason")
    return f": {reason}" if reason else " (SageMaker gave no reason)"


def _tracked(state: CallbackState) -> tuple[str, int]:
    """The image name and version number the callback context tracks."""
    parsed = parse_image_version_arn(state.arn) if isinstance(state.arn, str) else None
    if parsed is None:
        raise exceptions.InvalidRequest(f"The callback context names no version: {state.arn!r:.80}")
    return str(state.imageName or parsed.name_lower), parsed.version


def _since_create(state: CallbackState) -> float:
    return clock().wall() - (state.createdAt or 0.0)


# CREATE ------------------------------------------------------------------------------------


@resource.handler(Action.CREATE)
def create_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: MutableMapping[str, Any]
) -> ProgressEvent:
    state = CallbackState.load(callback_context)
    desired = request.desiredResourceState

    def model_now() -> ResourceModel | None:
        if desired is None or state.arn is None:
            return desired or tracked_model(state)
        desired.ImageVersionArn = state.arn
        return desired

    return run(state, lambda: _create(session, request, state), model_now)


def _create(
    session: Session, request: ResourceHandlerRequest, state: CallbackState
) -> ProgressEvent:
    client = sagemaker_client(session, request.region)
    invocation = Invocation.current()
    created_here = state.arn is None
    if created_here:
        model = check_create(request.desiredResourceState)
        token = client_token(
            request.clientRequestToken, request.logicalResourceIdentifier, str(model.ImageName)
        )
        state.arn, state.imageName = retry_while_busy(
            lambda: _create_version(client, create_request(model, token), invocation),
            state,
            invocation,
            lambda: calls.recent_versions(client, str(model.ImageName)),
        )
        state.createdAt, state.handbacks = clock().wall(), 0
        LOG.info("Created %s", state.arn)
    desired = request.desiredResourceState
    if desired is None:
        raise exceptions.InvalidRequest("The callback carries no resource model")
    name, version = _tracked(state)
    if created_here and state.busyRetries == 0 and version > 1:
        # made at the first try (a queued create learned the image's period while it queued),
        # and not the image's first version, which has no earlier ones to learn from
        expect_from_history(
            state, invocation, lambda: calls.recent_versions(client, name, retries=False)
        )
    if state.createFailure is None:
        description = settle(
            lambda: calls.describe_version(client, name, version),
            lambda seen: after_create(_status(seen), _since_create(state)),
            invocation,
            state,
            since=state.createdAt,
        )
        step = after_create(_status(description), _since_create(state))
        if step is Next.GONE:
            raise exceptions.NotStabilized(
                f"{calls.version_label(name, version)} disappeared while it was being created"
            )
        if step is Next.FINISHED and description is not None:
            return success(
                _with_aliases(
                    client, name, version, desired, description, state=state, invocation=invocation
                )
            )
        state.createFailure = (
            f"{calls.version_label(name, version)} ended {_status(description)}"
            f"{_reason(description)}"
        )
        LOG.info("%s; deleting it", state.createFailure)
        # how long the image's creations take says nothing of how long this deletion will
        state.period = None
    if created_here:
        # The invocation that made the version never deletes it: were this first invocation
        # delivered again, its ClientToken must still find the version (SageMaker may forget a
        # token once its version is gone) rather than make another one.
        raise CallBack("the failed version is deleted on the next invocation", CLEANUP_DELAY)
    _delete_until_gone(client, name, version, state, invocation, image_may_go=False)
    raise exceptions.NotStabilized(f"{state.createFailure}. The failed version was deleted.")


def _create_version(
    client: SageMakerClient, create: dict[str, Any], invocation: Invocation
) -> tuple[str, str]:
    """CreateImageVersion on the image the model names, in whatever case the image's name is
    spelled; the new version's ARN and the image's real name."""
    name = str(create["ImageName"])
    try:
        return _created_arn(client, create, invocation), name
    except exceptions.NotFound as missing:
        real_name = calls.image_name_for(client, name)
        if real_name is None:
            raise exceptions.InvalidRequest(
                f"ImageName {name!r}: no SageMaker image of that name (in any case) exists in"
                " this account and region"
            ) from missing
        if real_name == name:
            _image_refused(client, name, missing)
    return _created_arn(client, {**create, "ImageName": real_name}, invocation), real_name


def _created_arn(client: SageMakerClient, create: dict[str, Any], invocation: Invocation) -> str:
    """CreateImageVersion; asked again with the same ClientToken (which makes it return the
    version it made) while it answers without saying which version that is."""
    name = str(create["ImageName"])
    asked_again = False
    for replay in range(NO_ARN_REPLAYS + 1):
        try:
            arn = calls.create_version(client, create)
        except exceptions.InvalidRequest as refused:
            if asked_again:
                raise
            _image_refused(client, name, refused)
            asked_again = True
            continue
        if arn != calls.NO_ARN:
            return arn
        LOG.info("CreateImageVersion answered ImageVersionArn None (answer %d)", replay + 1)
        invocation.pause(POLL_CAP)
    raise exceptions.GeneralServiceException(
        f"SageMaker created a version of image {name} but answered"
        f" ImageVersionArn None {NO_ARN_REPLAYS + 1} times to ClientToken {create['ClientToken']}:"
        " which version it is cannot be told. Find it with ListImageVersions and delete it."
    )


def _image_refused(
    client: SageMakerClient, name: str, refused: exceptions.NotFound | exceptions.InvalidRequest
) -> None:
    """Returns when a CreateImageVersion that SageMaker refused is to be asked again at once;
    raises ImageBusy to wait for the image, or InvalidRequest naming its status."""
    status = calls.image_status(client, name)
    step = after_image_refused(status, not_found=isinstance(refused, exceptions.NotFound))
    if step is Next.WAIT:
        raise ImageBusy(f"Image {name} is {status}: it does not take new versions yet")
    if step is Next.FAILED:
        raise exceptions.InvalidRequest(
            f"ImageName {name!r}: image {name} is {status or 'gone'} and takes no new version"
            f" ({refused})"
        ) from refused


def _with_aliases(
    client: SageMakerClient,
    name: str,
    version: int,
    desired: ResourceModel,
    description: Description,
    *,
    state: CallbackState,
    invocation: Invocation,
) -> ResourceModel:
    """The model of a new CREATED version once it holds its aliases (a version is created
    without any). Right after the create, SageMaker may not find the version yet: that counts
    as still being created while the read-after-write grace lasts."""
    while True:
        try:
            final, aliases = converge(
                client,
                name,
                version,
                desired,
                (description, frozenset()),
                state=state,
                invocation=invocation,
            )
            return model_from_api(str(desired.ImageName or name), final, aliases)
        except exceptions.NotFound:
            if _since_create(state) >= READ_AFTER_WRITE_GRACE:
                raise
        delay = poll_delay(_since_create(state))
        if not invocation.wait(delay):
            raise CallBack("the new version is not visible yet", callback_seconds(delay))


# READ --------------------------------------------------------------------------------------


@resource.handler(Action.READ)
def read_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: MutableMapping[str, Any]
) -> ProgressEvent:
    return run(CallbackState(), lambda: _read(session, request), synchronous=True)


def _read(session: Session, request: ResourceHandlerRequest) -> ProgressEvent:
    model = request.desiredResourceState
    client = sagemaker_client(session, request.region)
    found = _locate(client, request, model)
    foreign = found.not_made_from(model.BaseImage if model else None)
    if foreign is not None:
        raise exceptions.NotFound(TYPE_NAME, f"{found.arn} ({foreign})")
    gone = not is_readable(_status(found.description)) or versions_go_with_image(
        calls.image_status(client, found.name)
    )
    if gone:
        raise exceptions.NotFound(TYPE_NAME, found.arn)
    aliases = calls.version_aliases(client, found.name, found.version)
    return success(model_from_api(found.spelled, found.description, aliases))


def _locate(
    client: SageMakerClient,
    request: ResourceHandlerRequest,
    model: ResourceModel | None,
    name_hint: str | None = None,
) -> Located:
    """The version ``model`` names (``name_hint``: the ImageName when the model has none)."""
    return locate(
        client,
        model.ImageVersionArn if model else None,
        (model.ImageName if model else None) or name_hint,
        region=request.region,
        account=request.awsAccountId,
    )


def _owned(found: Located, model: ResourceModel | None) -> Located:
    """``found``, when nothing says it is not ``model``'s version: one made from another
    BaseImage is refused (ResourceConflict), and nothing is changed."""
    foreign = found.not_made_from(model.BaseImage if model else None)
    if foreign is not None:
        raise exceptions.ResourceConflict(f"{foreign}. Nothing was changed.")
    return found


# UPDATE ------------------------------------------------------------------------------------


@resource.handler(Action.UPDATE)
def update_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: MutableMapping[str, Any]
) -> ProgressEvent:
    state = CallbackState.load(callback_context)
    desired = check_update(request.desiredResourceState)
    return run(state, lambda: _update(session, request, state, desired), lambda: desired)


def _update(
    session: Session, request: ResourceHandlerRequest, state: CallbackState, desired: ResourceModel
) -> ProgressEvent:
    previous = request.previousResourceState
    client = sagemaker_client(session, request.region)
    invocation = Invocation.current()
    # The version CloudFormation knows this resource by; the desired model's copy may be stale.
    if previous is not None and previous.ImageVersionArn:
        found = _owned(_locate(client, request, previous, desired.ImageName), previous)
    else:  # no stored model: a BaseImage change is refused below as create-only
        found = _locate(client, request, desired)
    state.arn, state.imageName = found.arn, found.name
    desired.ImageVersionArn = found.arn
    _refuse_create_only_changes(desired, previous, found)
    seen: Description | None = found.description
    try:
        description = settle(
            starting_with(
                seen,
                lambda: describe_unless_image_gone(client, found.name, found.version),
            ),
            lambda seen: before_update(_status(seen)),
            invocation,
            state,
        )
        step = before_update(_status(description))
        if step is Next.GONE or description is None:
            raise exceptions.NotFound(TYPE_NAME, found.arn)
        aliases = calls.version_aliases(client, found.name, found.version)
        if step is Next.FAILED:
            return success(_unchanged(desired, found, description, aliases))
        final, final_aliases = converge(
            client,
            found.name,
            found.version,
            desired,
            (description, aliases),
            state=state,
            invocation=invocation,
        )
    except exceptions.InvalidRequest:
        if versions_go_with_image(calls.image_status(client, found.name)):
            raise exceptions.NotFound(TYPE_NAME, found.arn) from None
        raise
    return success(model_from_api(found.spelled_as(desired.ImageName), final, final_aliases))


def _unchanged(
    desired: ResourceModel, found: Located, description: Description, aliases: frozenset[str]
) -> ResourceModel:
    """The model of a CREATE_FAILED or DELETE_FAILED version, which SageMaker changes no more:
    an update that asks for nothing new succeeds (so a rollback never sticks on it); any other
    is NotStabilized."""
    if not update_plan(desired, description, aliases).is_empty():
        raise exceptions.NotStabilized(
            f"{calls.version_label(found.name, found.version)} is {_status(description)}"
            f"{_reason(description)}; SageMaker cannot change it: replace it (change BaseImage)"
            " or delete it"
        )
    return model_from_api(found.spelled_as(desired.ImageName), description, aliases)


def _refuse_create_only_changes(
    desired: ResourceModel, previous: ResourceModel | None, found: Located
) -> None:
    """NotUpdatable when ImageName (other than in case) or BaseImage change: compared with the
    previous model, or with the version itself when CloudFormation sent no previous model."""
    before_name = previous.ImageName if previous and previous.ImageName else found.name
    before_base = (
        previous.BaseImage
        if previous and previous.BaseImage
        else found.description.get("BaseImage")
    )
    changed = []
    if str(desired.ImageName).lower() != str(before_name).lower():
        changed.append(f"ImageName ({before_name!r} -> {desired.ImageName!r})")
    if desired.BaseImage != before_base:
        changed.append(f"BaseImage ({before_base!r} -> {desired.BaseImage!r})")
    if changed:
        raise exceptions.NotUpdatable(
            "Create-only properties cannot change in place (CloudFormation replaces the version"
            f" instead): {', '.join(changed)}"
        )


# DELETE ------------------------------------------------------------------------------------


@resource.handler(Action.DELETE)
def delete_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: MutableMapping[str, Any]
) -> ProgressEvent:
    state = CallbackState.load(callback_context)
    model = request.desiredResourceState
    return run(state, lambda: _delete(session, request, state, model), lambda: model)


def _delete(
    session: Session,
    request: ResourceHandlerRequest,
    state: CallbackState,
    model: ResourceModel | None,
) -> ProgressEvent:
    client = sagemaker_client(session, request.region)
    seen: Description | None = None
    if state.arn is None:
        arn, hint = (model.ImageVersionArn, model.ImageName) if model else (None, None)
        try:
            found = _owned(_locate(client, request, model), model)
        except exceptions.NotFound:
            if not _image_deleting(
                client, local_version_arn(arn, request.region, request.awsAccountId), hint
            ):
                raise
            state.arn, state.imageName = arn, hint
        else:
            state.arn, state.imageName, seen = found.arn, found.name, found.description
    name, version = _tracked(state)
    _delete_until_gone(
        client, name, version, state, Invocation.current(), image_may_go=True, seen=seen
    )
    return success(None)


def _image_deleting(client: SageMakerClient, parsed: ImageVersionArn, hint: str | None) -> bool:
    """Whether the image the ARN names is being deleted (its versions go with it)."""
    return calls.image_status(client, hint or parsed.name_lower) == IMAGE_DELETING


def _delete_until_gone(
    client: SageMakerClient,
    name: str,
    version: int,
    state: CallbackState,
    invocation: Invocation,
    *,
    image_may_go: bool,
    seen: Description | None = None,
) -> None:
    """Delete the tracked version and wait until it is gone. A DELETING version is never asked
    twice. With ``image_may_go`` (DELETE), a version refused or missing while its image is being
    deleted goes with the image, which is waited for. ``seen``: the version as just described
    (its first observation)."""

    def observe() -> tuple[Description | None, bool]:
        if not image_may_go:
            return calls.describe_version(client, name, version), False
        description = describe_unless_image_gone(client, name, version)
        image_deleting = (
            description is None
            and not state.deleteSent
            and calls.image_status(client, name) == IMAGE_DELETING
        )
        return description, image_deleting

    first: tuple[Description | None, bool] = (seen, False)
    observation = observe if seen is None else starting_with(first, observe)
    while True:
        description, image_deleting = settle(
            observation,
            lambda observed: after_delete(_status(observed[0]), state.deleteSent, observed[1]),
            invocation,
            state,
            since=state.deleteSentAt,
        )
        step = after_delete(_status(description), state.deleteSent, image_deleting)
        if step is Next.FINISHED:
            return
        if step is Next.FAILED:
            raise exceptions.NotStabilized(
                f"{calls.version_label(name, version)} ended DELETE_FAILED{_reason(description)}"
            )
        try:
            calls.delete_version(client, name, version)
        except ImageBusy as busy:
            # Refused because this version is changing (a lost answer's delete may have been
            # applied): looking again tells; or because another version of the image is.
            if _status(calls.describe_version(client, name, version)) not in (DELETING, CREATING):
                wait_out_busy(busy, state, invocation, lambda: calls.recent_versions(client, name))
            continue
        except exceptions.InvalidRequest:
            if not image_may_go or calls.image_status(client, name) != IMAGE_DELETING:
                raise
            continue
        state.busySince, state.deleteSent, state.deleteSentAt = None, True, clock().wall()
        state.handbacks = 0
        LOG.info("Deleting %s", calls.version_label(name, version))


# LIST --------------------------------------------------------------------------------------


@resource.handler(Action.LIST)
def list_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: MutableMapping[str, Any]
) -> ProgressEvent:
    return run(CallbackState(), lambda: _list(session, request), synchronous=True)


def _list(session: Session, request: ResourceHandlerRequest) -> ProgressEvent:
    model = request.desiredResourceState
    image_name = model.ImageName if model else None
    client = sagemaker_client(session, request.region)
    invocation = Invocation.current()
    missing: set[str] = set()

    def versions_page(
        name: str, after: datetime | None, token: str | None
    ) -> tuple[list[Description], str | None] | None:
        try:
            page = calls.versions_page(client, name, after, token)
        except exceptions.InvalidRequest:
            # Refused as "in an invalid state": an image being deleted takes its versions.
            if not versions_go_with_image(calls.image_status(client, name)):
                raise
            page = None
        if page is None:
            missing.add(name)
        return page

    walk = Walk(
        images_page=lambda after, token: calls.images_page(client, after, token),
        versions_page=versions_page,
        may_call=lambda calls_made: calls_made < CALLS_PER_PAGE and invocation.has_time(),
    )
    cursor = Cursor.decode(request.nextToken)
    if not image_name:
        found, after = walk.page(cursor)
    else:
        problems = string_problems("ImageName", image_name, STRING_RULES["ImageName"])
        if problems:
            raise exceptions.InvalidRequest("Invalid LIST filter: " + "; ".join(problems))
        found, after = walk.versions(cursor if cursor.image else Cursor(image=image_name))
        if not found and image_name in missing:
            real_name = calls.image_name_for(client, image_name)
            if real_name is not None and real_name != image_name:
                found, after = walk.versions(Cursor(image=real_name))
    models = [identifier_model(name, item) for name, item in found]
    return listed(models, after.encode() if after else None)
