"""A local Lambda Invoke endpoint that runs the handler in process: what `cfn test` and
`cfn invoke` call when there is no Docker for `sam local start-lambda`.

It serves ``POST /2015-03-31/functions/<name>/invocations`` for the two functions of
``template.yml``: ``TypeFunction`` (the ``entrypoint`` of ``.rpdk-config``) and ``TestEntrypoint``
(its ``testEntrypoint``), and answers as Lambda does: 200 with the handler's JSON; 200 with
``X-Amz-Function-Error: Unhandled`` and an error document when the handler raises; 404
``ResourceNotFoundException`` for any other function name. A handler's exception is also printed
with its traceback, as Lambda logs it: it is a bug, and `make serve` keeps it visible.
"""

from __future__ import annotations

import importlib
import json
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from harness.driver import LambdaContext

# Lambda's own limit for a resource handler invocation, as CloudFormation configures it.
DEFAULT_TIME_LIMIT = 60.0

Handler = Callable[[Any, Any], Any]


def load_functions(project_root: Path) -> dict[str, Handler]:
    """The handlers ``.rpdk-config`` names, by the function names ``template.yml`` gives them."""
    config = json.loads((project_root / ".rpdk-config").read_text())
    return {
        "TypeFunction": _import(config["entrypoint"]),
        "TestEntrypoint": _import(config["testEntrypoint"]),
    }


def _import(dotted: str) -> Handler:
    module_name, _, attribute = dotted.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def create_app(functions: Mapping[str, Handler], time_limit: float = DEFAULT_TIME_LIMIT) -> Flask:
    app = Flask("lambda_endpoint")

    @app.post("/2015-03-31/functions/<name>/invocations")
    def invoke(name: str) -> Response:
        handler = functions.get(name)
        if handler is None:
            return _json(
                {"Type": "User", "Message": f"Function not found: {name}"},
                404,
                {"X-Amzn-ErrorType": "ResourceNotFoundException"},
            )
        try:
            event = json.loads(request.get_data() or b"null")
        except ValueError:
            return _json(
                {"Type": "User", "Message": "Could not parse request body into json"},
                400,
                {"X-Amzn-ErrorType": "InvalidRequestContentException"},
            )
        try:
            result = handler(event, LambdaContext(time_limit=time_limit))
        except Exception as error:  # noqa: BLE001 (Lambda reports any handler exception)
            traceback.print_exc()
            document = {
                "errorMessage": str(error),
                "errorType": type(error).__name__,
                "stackTrace": traceback.format_tb(error.__traceback__),
            }
            return _json(document, 200, {"X-Amz-Function-Error": "Unhandled"})
        return _json(result, 200, {})

    return app


def _json(body: Any, status: int, headers: Mapping[str, str]) -> Response:
    return Response(
        json.dumps(body), status=status, headers=dict(headers), mimetype="application/json"
    )
