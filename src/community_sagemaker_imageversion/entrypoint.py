"""The Lambda entrypoint: the runtime library's Resource, with two gaps of 2.1.20 closed.

- The library never copies ``nextToken`` from the event into the request, so a LIST that pages
  would start again at page one forever. ``ImageVersionResource`` carries it over.
- Handlers cannot see the Lambda context, so they could not know how long they may poll.
  ``ImageVersionResource`` binds it for ``invocation.Invocation.current()``.

It also rejects, before the model is built, what the typed model would hide: unknown properties
and repeated aliases in a CREATE or UPDATE.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from cloudformation_cli_python_lib.interface import BaseResourceHandlerRequest
from cloudformation_cli_python_lib.resource import Resource
from cloudformation_cli_python_lib.utils import HandlerRequest

from .invocation import bind_lambda_context, unbind_lambda_context
from .validation import check_raw

_CHECKED_ACTIONS = ("CREATE", "UPDATE")


class ImageVersionResource(Resource):
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
