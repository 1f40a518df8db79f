"""The Lambda entrypoint: the runtime library's Resource, with three gaps of 2.1.20 closed.

- The library never copies ``nextToken`` from the event into the request, so a LIST that pages
  would start again at page one forever. ``ImageVersionResource`` carries it over.
- Handlers cannot see the Lambda context, so they could not know how long they may poll.
  ``ImageVersionResource`` binds it for ``invocation.Invocation.current()``.
- The library builds two boto3 Sessions for every invocation (about 4 ms each, and a client
  built from them parses SageMaker's model again). Handlers get the caller's credentials instead
  (``clients.CallerSession``) and take cached clients from ``clients``; the provider's session,
  used only to ship logs and metrics, is built only when the request asks for that.

It also rejects, before the model is built, what the typed model would hide: unknown properties
and repeated aliases in a CREATE or UPDATE.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from cloudformation_cli_python_lib.boto3_proxy import SessionProxy, _get_boto_session
from cloudformation_cli_python_lib.exceptions import InvalidRequest
from cloudformation_cli_python_lib.interface import Action, BaseResourceHandlerRequest
from cloudformation_cli_python_lib.resource import Resource
from cloudformation_cli_python_lib.utils import Credentials, HandlerRequest

from .clients import CallerSession
from .invocation import bind_lambda_context, unbind_lambda_context
from .validation import check_raw

_CHECKED_ACTIONS = ("CREATE", "UPDATE")


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
        """The library's request parsing, without its two boto3 Sessions per invocation."""
        try:
            event = HandlerRequest.deserialize(event_data)
            data = event.requestData
            caller = _caller(data.callerCredentials)
            provider = (
                _get_boto_session(data.providerCredentials) if data.providerLogGroupName else None
            )
            action = Action[event.action]
            callback_context = event.callbackContext or {}
        except (TypeError, KeyError, ValueError, AttributeError) as error:
            raise InvalidRequest(f"{error} ({type(error).__name__})") from error
        return (caller, provider), action, callback_context, event

    def _cast_resource_request(self, request: HandlerRequest) -> BaseResourceHandlerRequest:
        if request.action in _CHECKED_ACTIONS:
            check_raw(request.requestData.resourceProperties)
        modelled = super()._cast_resource_request(request)
        modelled.nextToken = request.nextToken
        return modelled

    def __call__(
        self, event_data: MutableMapping[str, Any], context: Any
    ) -> MutableMapping[str, Any]:
        token = bind_lambda_context(context)
        try:
            result: MutableMapping[str, Any] = super().__call__(event_data, context)
            return result
        finally:
            unbind_lambda_context(token)
