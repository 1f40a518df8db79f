"""The Lambda entrypoint: the runtime library's Resource, with five gaps of 2.1.20 closed.

- The library never copies ``nextToken`` from the event into the request, so a LIST that pages
  would start again at page one forever. ``ImageVersionResource`` carries it over.
- Handlers cannot see the Lambda context, so they could not know how long they may take.
  ``ImageVersionResource`` starts the invocation (``invocation.begin``) as the event arrives,
  with the time the context says is left, for ``invocation.Invocation.current()``.
- The library builds two boto3 Sessions for every invocation (about 4 ms each, and a client
  built from them parses SageMaker's model again). Handlers get the caller's credentials instead
  (``clients.CallerSession``) and take cached clients from ``clients``; the provider's session,
  used only to ship logs and metrics, is built only when the request asks for that.
- The generated model's ``_deserialize`` lists the models module's members (``inspect``) on
  every request, to find its classes; with the library's generic request it was a fifth of a warm
  READ's own time. ``ImageVersionResource`` builds the request itself, casting each model as the
  library does (``recast_object``) with those classes found once (:func:`model_of`).
- Shipping those logs and metrics can fail a handler, hide its event or stall it past its
  deadline: :mod:`.telemetry` bounds and contains it. And the library's log handler, set up for a
  request that asks for shipping, stays on a warm Lambda: a later request that asks for none has
  it stopped (``telemetry.ship_nothing``), or its lines would go to the earlier one's stream.

It also refuses, before the library reads the event, an event that is not shaped as
CloudFormation sends it (naming the part at fault), and what the typed model would hide or the
library would refuse in its own words: unknown properties, null values, booleans and integers
it cannot cast, repeated aliases in a CREATE or UPDATE. A refusal is an answer, not a failure of
the handler: it is returned as the library returns it, without the "Handler error" and
traceback the library prints for every exception (in Lambda's own log, and on `make serve`'s
terminal). Anywhere else (a READ or DELETE of a model kept from an older schema, an UPDATE's
previous model), properties the schema lacks are left out rather than failing the event.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping, MutableMapping
from typing import Any

from cloudformation_cli_python_lib.boto3_proxy import SessionProxy, _get_boto_session
from cloudformation_cli_python_lib.exceptions import InvalidRequest
from cloudformation_cli_python_lib.interface import Action, BaseResourceHandlerRequest
from cloudformation_cli_python_lib.recast import (
    PRIMITIVES,
    _field_to_type,
    _recast_primitive,
    recast_object,
)
from cloudformation_cli_python_lib.resource import Resource
from cloudformation_cli_python_lib.utils import Credentials, HandlerRequest, UnmodelledRequest

from . import clients, invocation, log_redaction, models, telemetry
from .clients import CallerSession
from .models import ResourceHandlerRequest, ResourceModel
from .telemetry import telemetry_session
from .validation import check_raw, known_properties

_prepared = False


def prepare_process() -> None:
    """What the process needs before its first invocation, done here and only here, once:
    credentials kept out of log lines (botocore's log floor, and every record scrubbed), and the
    library's log and metric shipping replaced by :mod:`.telemetry`'s. Importing the package
    changes nothing; the Lambda entrypoint and the test entrypoint call this first."""
    global _prepared  # noqa: PLW0603 (once per process)
    if not _prepared:
        clients.keep_credentials_out_of_logs()
        log_redaction.install()
        telemetry.install()
        _prepared = True


_CHECKED_ACTIONS = ("CREATE", "UPDATE")


_ACTIONS = tuple(action.name for action in Action)
_MAPPING_OR_NULL = ("callbackContext",)
_TEXT_OR_NULL = ("nextToken", "stackId", "resourceType", "resourceTypeVersion")
_MAPPING_OR_NULL_DATA = (
    "resourceProperties",
    "previousResourceProperties",
    "typeConfiguration",
    "stackTags",
    "previousStackTags",
    "systemTags",
    "previousSystemTags",
)
_CREDENTIAL_KEYS = ("accessKeyId", "secretAccessKey", "sessionToken")


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def event_problems(event: object) -> list[str]:
    """What keeps ``event`` from being a handler request as CloudFormation sends one."""
    if not isinstance(event, Mapping):
        return [f"the event must be a JSON object (a mapping), got {_kind(event)}"]
    problems = []
    action = event.get("action")
    if action not in _ACTIONS:
        problems.append(f"action must be one of {', '.join(_ACTIONS)}, got {action!r}")
    for key in ("bearerToken", "region", "awsAccountId"):
        if not isinstance(event.get(key), str) or not event.get(key):
            problems.append(f"{key} must be a non-empty string, got {_kind(event.get(key))}")
    problems += [
        f"{key} must be an object or null, got {_kind(event[key])}"
        for key in _MAPPING_OR_NULL
        if event.get(key) is not None and not isinstance(event[key], Mapping)
    ]
    problems += [
        f"{key} must be a string or null, got {_kind(event[key])}"
        for key in _TEXT_OR_NULL
        if event.get(key) is not None and not isinstance(event[key], str)
    ]
    data = event.get("requestData")
    if not isinstance(data, Mapping):
        return [*problems, f"requestData must be an object, got {_kind(data)}"]
    if "resourceProperties" not in data:
        problems.append("requestData.resourceProperties is missing (an object, or null)")
    elif action in ("CREATE", "UPDATE") and not isinstance(data["resourceProperties"], Mapping):
        problems.append(
            f"requestData.resourceProperties must be an object for {action},"
            f" got {_kind(data.get('resourceProperties'))}"
        )
    problems += [
        f"requestData.{key} must be an object or null, got {_kind(data[key])}"
        for key in _MAPPING_OR_NULL_DATA
        if data.get(key) is not None and not isinstance(data[key], Mapping)
    ]
    # The library reads every requestData key ending in "Credentials" as credentials.
    problems += [
        f"requestData.{key} must be an object with the strings {', '.join(_CREDENTIAL_KEYS)}"
        " and nothing else"
        for key, credentials in data.items()
        if str(key).endswith("Credentials")
        and credentials is not None
        and not _are_credentials(credentials)
    ]
    return problems


def _are_credentials(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and set(value) == set(_CREDENTIAL_KEYS)
        and all(isinstance(part, str) for part in value.values())
    )


def refusal(event: object) -> InvalidRequest | None:
    """The InvalidRequest ``event`` gets before the library reads it, if any: it is malformed
    (:func:`event_problems`), or it is a CREATE or UPDATE whose properties break a rule the typed
    model cannot show (:func:`~.validation.raw_problems`)."""
    problems = event_problems(event)
    if problems or not isinstance(event, Mapping):  # (event_problems refuses any non-mapping)
        return InvalidRequest("Malformed handler request: " + "; ".join(problems))
    if event["action"] in _CHECKED_ACTIONS:
        try:
            check_raw(event["requestData"]["resourceProperties"])
        except InvalidRequest as refused:
            return refused
    return None


# What the generated ``ResourceModel._deserialize`` finds on every request: the models module's
# classes (the targets of its type hints), and from them the type each property casts to.
_MODEL_CLASSES = dict(inspect.getmembers(models, inspect.isclass))
_CAST_TO = {
    field.name: _field_to_type(field.type, field.name, _MODEL_CLASSES)
    for field in dataclasses.fields(ResourceModel)
}


def _is_plain(value: object) -> bool:
    return isinstance(value, PRIMITIVES) or (
        isinstance(value, list) and all(isinstance(item, PRIMITIVES) for item in value)
    )


def _cast(name: str, value: Any) -> Any:
    if isinstance(value, list):
        return [_recast_primitive(_CAST_TO[name], name, item) for item in value]
    return _recast_primitive(_CAST_TO[name], name, value)


def model_of(properties: Mapping[str, Any] | None) -> ResourceModel | None:
    """The model ``ResourceModel._deserialize(properties)`` gives (text cast to booleans and
    integers as the library's ``recast_object`` casts it), without its per-request look-ups."""
    if not properties:
        return None
    if properties.keys() <= _CAST_TO.keys() and all(map(_is_plain, properties.values())):
        data = {name: _cast(name, value) for name, value in properties.items()}
    else:  # (what known_properties lets through never comes here: the library's own way)
        data = dict(properties)
        recast_object(ResourceModel, data, _MODEL_CLASSES)
    return ResourceModel(**{name: data.get(name) for name in _CAST_TO})


def _caller(credentials: Credentials | None) -> CallerSession | None:
    if credentials is None:
        return None
    return CallerSession(
        credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken
    )


class ImageVersionResource(Resource):
    @staticmethod
    def _parse_request(
        event_data: MutableMapping[str, Any],
    ) -> tuple[tuple[Any, SessionProxy | None], Action, MutableMapping[str, Any], HandlerRequest]:
        """The library's request parsing, without its two boto3 Sessions per invocation (of an
        event :func:`refusal` let through)."""
        try:
            event = HandlerRequest.deserialize(event_data)
            data = event.requestData
            caller = _caller(data.callerCredentials)
            if data.providerCredentials is not None:
                # Before any client of them exists: botocore logs them at DEBUG.
                log_redaction.redact_only(vars(data.providerCredentials).values(), "provider")
            shipping = data.providerLogGroupName and _get_boto_session(data.providerCredentials)
            provider = telemetry_session(shipping, event.region) if shipping else None
            if provider is None:
                telemetry.ship_nothing()
            action = Action[event.action]
            callback_context = event.callbackContext or {}
        except (TypeError, KeyError, ValueError, AttributeError) as error:
            raise InvalidRequest(f"{error} ({type(error).__name__})") from error
        return (caller, provider), action, callback_context, event

    def _cast_resource_request(self, request: HandlerRequest) -> BaseResourceHandlerRequest:
        """The library's modelled request, with the event's ``nextToken`` (which it drops)."""
        data = request.requestData
        try:
            # What CloudFormation kept from an older schema (READ, DELETE, and an UPDATE's
            # previous model) is not input: properties this schema lacks, and nulls, are left
            # out, as the library would otherwise refuse the whole event for them.
            return ResourceHandlerRequest(
                clientRequestToken=request.bearerToken,
                desiredResourceState=model_of(known_properties(data.resourceProperties)),
                previousResourceState=model_of(known_properties(data.previousResourceProperties)),
                desiredResourceTags=data.stackTags or {},
                previousResourceTags=data.previousStackTags,
                systemTags=data.systemTags,
                previousSystemTags=data.previousSystemTags,
                awsAccountId=request.awsAccountId,
                logicalResourceIdentifier=data.logicalResourceId,
                typeConfiguration=None,  # (the type has no type configuration)
                nextToken=request.nextToken,
                stackId=request.stackId,
                region=request.region,
                awsPartition=UnmodelledRequest.get_partition(request.region),
            )
        except Exception as error:  # (as the library: any failure to cast refuses the event)
            raise InvalidRequest(f"{error} ({type(error).__name__})") from error

    def __call__(
        self, event_data: MutableMapping[str, Any], context: Any
    ) -> MutableMapping[str, Any]:
        prepare_process()
        refused = refusal(event_data)
        if refused is not None:
            return refused.to_progress_event()._serialize()
        token = invocation.begin(context)
        try:
            result: MutableMapping[str, Any] = super().__call__(event_data, context)
            return result
        finally:
            invocation.end(token)

    def test_entrypoint(self, event: MutableMapping[str, Any], context: Any) -> Any:
        """The contract tests' entrypoint (``testEntrypoint``), with the process prepared."""
        prepare_process()
        return super().test_entrypoint(event, context)
