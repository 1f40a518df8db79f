"""Lambda payloads in the shape CloudFormation (and `cfn test`) sends to a resource handler."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from community_sagemaker_imageversion import TYPE_NAME
from offline_aws.defaults import ACCOUNT, CALLER_CREDENTIALS, REGION


def handler_event(
    action: str,
    properties: Mapping[str, Any] | None,
    *,
    previous: Mapping[str, Any] | None = None,
    token: str | None = None,
    logical_id: str = "ImageVersion",
    region: str = REGION,
    account: str = ACCOUNT,
    callback_context: Mapping[str, Any] | None = None,
    next_token: str | None = None,
    credentials: Mapping[str, str] = CALLER_CREDENTIALS,
) -> dict[str, Any]:
    """One invocation's payload; ``token`` is the bearer token kept for a whole operation."""
    event: dict[str, Any] = {
        "action": action,
        "awsAccountId": account,
        "bearerToken": token or str(uuid.uuid4()),
        "region": region,
        "resourceType": TYPE_NAME,
        "resourceTypeVersion": "00000001",
        "stackId": f"arn:aws:cloudformation:{region}:{account}:stack/local/{uuid.uuid4()}",
        "callbackContext": dict(callback_context) if callback_context else None,
        "requestData": {
            "callerCredentials": dict(credentials),
            "resourceProperties": dict(properties) if properties is not None else None,
            "previousResourceProperties": dict(previous) if previous is not None else None,
            "logicalResourceId": logical_id,
            "typeConfiguration": None,
        },
    }
    if next_token is not None:
        event["nextToken"] = next_token
    return event
