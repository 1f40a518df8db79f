"""The Lambda entrypoint: the runtime library's Resource, with six gaps of 2.1.20 closed.

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
- The library's invocation writes every answer to JSON text and reads it back, to be sure the
  Lambda runtime can send it: a tenth of a warm READ's own time. The handlers' events hold JSON's
  own types only (every event of every test is checked against its JSON text,
  ``harness.contract_shape``), so ``ImageVersionResource`` runs the invocation itself
  (:meth:`ImageVersionResource._serve`), as the library does otherwise, without that round trip;
  and it builds no metrics publisher when the request ships none.

It also refuses, before the library reads the event, an event that is not shaped as
CloudFormation sends it (naming the part at fault), and what the typed model would hide or the
library would refuse in its own words: unknown properties, null values, booleans and integers
it cannot cast, repeated aliases in a CREATE or UPDATE. A refusal is an answer, not a failure of
the handler: it is returned as the library returns it, without the "Handler error" and
traceback printed for every other exception (in Lambda's own log, and on `make serve`'s
terminal). Anywhere else (a READ or DELETE of a model kept from an older schema, an UPDATE's
previous model), properties the schema lacks are left out rather than failing the event.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloudformation_cli_python_lib.boto3_proxy import SessionProxy
from cloudformation_cli_python_lib.exceptions import InvalidRequest
from cloudformation_cli_python_lib.interface import (
    Action,
    HandlerErrorCode,
    ProgressEvent,
)
from cloudformation_cli_python_lib.recast import (
    PRIMITIVES,
    _field_to_type,
    _recast_primitive,
    recast_object,
)
from cloudformation_cli_python_lib.resource import Resource
from cloudformation_cli_python_lib.utils import HandlerRequest, UnmodelledRequest

from . import clients, invocation, log_redaction, models, telemetry
from .clients import CallerSession
from .errors import HandlerError
from .models import ResourceHandlerRequest, ResourceModel
from .validation import check_raw, known_properties

LOG = logging.getLogger(__name__)
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


def _text(error: BaseException) -> str:
    """What ``error`` says (even one whose ``str`` fails: it still ends the invocation)."""
    try:
        return str(error)
    except Exception:  # noqa: BLE001
        return f"({type(error).__name__} that cannot be shown)"


def _report(error: BaseException, shipping: bool) -> None:
    """A failure that ends an invocation: in the shipped log once logs ship, else printed on
    standard output (Lambda's own log); its traceback on standard error either way (shipping may
    stop, and the log handler Lambda's runtime gives the root logger drops the package's lines
    while they ship), scrubbed, as the engine reports a bug."""
    text = _text(error)
    expected = isinstance(error, HandlerError)
    if shipping and expected:
        LOG.exception("Handler error: %s", text)
    elif shipping:
        LOG.exception("Exception caught: %s", text)
    else:
        print(log_redaction.scrub(f"{'Handler error' if expected else 'Exception caught'}: {text}"))
    log_redaction.print_traceback()


def _caller(credentials: Mapping[str, str] | None) -> CallerSession | None:
    if not credentials:
        return None
    return CallerSession(
        credentials["accessKeyId"], credentials["secretAccessKey"], credentials["sessionToken"]
    )


@dataclass(frozen=True)
class Served:
    """What an event asks, read: the handlers' arguments, and the provider's session and the
    library's request when it asks for logs and metrics to be shipped (and they can be)."""

    caller: CallerSession | None
    action: Action
    callback: MutableMapping[str, Any]
    request: ResourceHandlerRequest
    shipping: tuple[SessionProxy, HandlerRequest] | None = None


def read_request(event: Mapping[str, Any]) -> Served:
    """The request handlers get from an event :func:`refusal` let through: the library's modelled
    request (its ``_parse_request`` and ``_cast_resource_request``), with the event's
    ``nextToken`` (which it drops), without its two boto3 Sessions per invocation, and without
    its typed copy of the event unless logs ship (:func:`.telemetry.shipping_for`).
    InvalidRequest when it cannot be read."""
    try:
        data = event["requestData"]
        region = event["region"]
        # What CloudFormation kept from an older schema (READ, DELETE, and an UPDATE's previous
        # model) is not input: properties this schema lacks, and nulls, are left out, as the
        # library would otherwise refuse the whole event for them.
        request = ResourceHandlerRequest(
            clientRequestToken=event["bearerToken"],
            desiredResourceState=model_of(known_properties(data["resourceProperties"])),
            previousResourceState=model_of(
                known_properties(data.get("previousResourceProperties"))
            ),
            desiredResourceTags=data.get("stackTags") or {},
            previousResourceTags=data.get("previousStackTags"),
            systemTags=data.get("systemTags"),
            previousSystemTags=data.get("previousSystemTags"),
            awsAccountId=event["awsAccountId"],
            logicalResourceIdentifier=data.get("logicalResourceId"),
            typeConfiguration=None,  # (the type has no type configuration)
            nextToken=event.get("nextToken"),
            stackId=event.get("stackId"),
            region=region,
            awsPartition=UnmodelledRequest.get_partition(region),
        )
        caller = _caller(data.get("callerCredentials"))
        action = Action[event["action"]]
        callback = event.get("callbackContext") or {}
    except Exception as error:  # (as the library: any failure to read refuses the event)
        raise InvalidRequest(f"{error} ({type(error).__name__})") from error
    return Served(caller, action, callback, request, telemetry.shipping_for(event))


class ImageVersionResource(Resource):
    def __call__(
        self, event_data: MutableMapping[str, Any], context: Any
    ) -> MutableMapping[str, Any]:
        prepare_process()
        refused = refusal(event_data)
        if refused is not None:
            return refused.to_progress_event()._serialize()
        token = invocation.begin(context)
        try:
            return self._serve(event_data)
        finally:
            invocation.end(token)

    def _serve(self, event_data: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        """What the library's invocation does with an event (its ``__call__``): the request
        parsed and cast, logs and metrics shipped when the request asks for that, the handler
        run, any failure turned into a FAILED event (:func:`_report`); the event as a mapping of
        JSON's own types, which every handler event already is (the tests check each against its
        JSON text), so without the library's JSON round trip of it."""
        shipping = False
        try:
            read = read_request(event_data)
            if read.shipping is None:
                return self._handle(read)._serialize()
            provider, library = read.shipping
            metrics = telemetry.ShippedMetrics()
            telemetry.ShippedLogs.setup(library, provider, self.log_format)
            shipping = True
            metrics.add_metrics_publisher(provider, library.resourceType)
            action = read.action
            metrics.publish_invocation_metric(datetime.utcnow(), action)
            started = time.monotonic()
            try:
                progress = self._handle(read)
            except Exception as error:
                metrics.publish_exception_metric(datetime.utcnow(), action, error)
                raise
            finally:
                took = (time.monotonic() - started) * 1000.0
                metrics.publish_duration_metric(datetime.utcnow(), action, took)
            return progress._serialize()
        except HandlerError as error:
            _report(error, shipping)
            failed = ProgressEvent.failed(error._error_code, log_redaction.scrub(_text(error)))
        except BaseException as error:  # noqa: BLE001 (as the library: every failure answers)
            _report(error, shipping)
            failed = ProgressEvent.failed(HandlerErrorCode.InternalFailure)
        return failed._serialize()

    def _handle(self, read: Served) -> ProgressEvent:
        """The action's handler (the library's look-up and its check of the answer), given the
        caller's credentials where the library would give a boto3 session (``CallerSession``)."""
        caller: Any = read.caller
        return self._invoke_handler(caller, read.request, read.action, read.callback)

    def test_entrypoint(self, event: MutableMapping[str, Any], context: Any) -> Any:
        """The contract tests' entrypoint (``testEntrypoint``), with the process prepared."""
        prepare_process()
        return super().test_entrypoint(event, context)
