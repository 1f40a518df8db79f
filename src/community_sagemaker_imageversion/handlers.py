"""The five handlers of Community::SageMaker::ImageVersion: each runs its action's phases
(:mod:`.actions`) on the engine (:mod:`.engine`), which is where waiting, handing back,
retrying, the deadline and every ending are decided, once for all of them."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from cloudformation_cli_python_lib.boto3_proxy import SessionProxy
from cloudformation_cli_python_lib.interface import Action, ProgressEvent

from . import TYPE_NAME, engine
from .actions import create, delete, read, update
from .actions import list as list_action
from .clients import CallerSession
from .entrypoint import ImageVersionResource
from .models import ResourceHandlerRequest, ResourceModel

resource = ImageVersionResource(TYPE_NAME, ResourceModel)
test_entrypoint = resource.test_entrypoint

Session = SessionProxy | CallerSession | None
Context = MutableMapping[str, Any]


@resource.handler(Action.CREATE)
def create_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: Context
) -> ProgressEvent:
    return engine.run(create.ACTION, session, request, callback_context)


@resource.handler(Action.READ)
def read_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: Context
) -> ProgressEvent:
    return engine.run(read.ACTION, session, request, None)


@resource.handler(Action.UPDATE)
def update_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: Context
) -> ProgressEvent:
    return engine.run(update.ACTION, session, request, callback_context)


@resource.handler(Action.DELETE)
def delete_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: Context
) -> ProgressEvent:
    return engine.run(delete.ACTION, session, request, callback_context)


@resource.handler(Action.LIST)
def list_handler(
    session: Session, request: ResourceHandlerRequest, callback_context: Context
) -> ProgressEvent:
    return engine.run(list_action.ACTION, session, request, None)
