"""A handler with AWS's policy, for comparison: what AWS's public handler for
AWS::SageMaker::ImageVersion does, reduced to its waiting.

It creates (ClientToken: the request's token) or deletes, then checks the version every 5 s for
as long as the invocation has more than 1.2 polls of Lambda time left (the Java plugin waits in
the invocation when the callback delay is under 60 s and fits), then answers IN_PROGRESS with a
5 s callback delay. It does not wait out a busy image: ResourceInUse fails the operation, so a
stack with many versions of one image chains them with DependsOn. A throttled call is one more
poll.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from botocore.exceptions import ClientError

from .virtual_time import VirtualTime

POLL_SECONDS = 5.0
LOCAL_WAIT_FACTOR = 1.2


def handler(time: VirtualTime, client: Any) -> Any:
    """The Lambda entrypoint of the AWS-like policy, on ``time``, calling SageMaker through
    ``client``."""

    def entrypoint(event: MutableMapping[str, Any], context: Any) -> dict[str, Any]:
        state: dict[str, Any] = dict(event.get("callbackContext") or {})
        model: dict[str, Any] = dict(event["requestData"]["resourceProperties"] or {})

        def left() -> float:
            return float(context.get_remaining_time_in_millis()) / 1000.0

        try:
            while True:
                done = _step(event["action"], client, model, state, event["bearerToken"])
                if done is not None:
                    return done
                if left() <= LOCAL_WAIT_FACTOR * POLL_SECONDS:
                    return _in_progress(model, state)
                time.sleep(POLL_SECONDS)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "ThrottlingException":
                return _in_progress(model, state)
            return {"status": "FAILED", "errorCode": "GeneralServiceException", "message": code}

    return entrypoint


def _step(  # noqa: PLR0911 (one answer per outcome of each action)
    action: str, client: Any, model: dict[str, Any], state: dict[str, Any], token: str
) -> dict[str, Any] | None:
    """One step: the final answer, or None to poll again."""
    name = model["ImageName"]
    if action == "CREATE":
        if "arn" not in state:
            create = {"ImageName": name, "BaseImage": model["BaseImage"], "ClientToken": token}
            state["arn"] = client.create_image_version(**create)["ImageVersionArn"]
            return None
        status = _status(client, name, state["arn"])
        if status == "CREATED":
            return {
                "status": "SUCCESS",
                "resourceModel": {**model, "ImageVersionArn": state["arn"]},
            }
        if status in ("CREATE_FAILED", None):
            return {"status": "FAILED", "errorCode": "NotStabilized", "message": str(status)}
        return None
    if action == "DELETE":
        if "sent" not in state:
            client.delete_image_version(ImageName=name, Version=_number(model["ImageVersionArn"]))
            state["sent"] = True
            return None
        status = _status(client, name, model["ImageVersionArn"])
        if status is None:
            return {"status": "SUCCESS"}
        if status == "DELETE_FAILED":
            return {"status": "FAILED", "errorCode": "NotStabilized", "message": status}
        return None
    raise ValueError(f"the AWS-like policy models CREATE and DELETE, not {action}")


def _number(arn: str) -> int:
    return int(arn.rsplit("/", 1)[-1])


def _status(client: Any, name: str, arn: str) -> str | None:
    try:
        answer = client.describe_image_version(ImageName=name, Version=_number(arn))
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFound":
            return None
        raise
    return str(answer["ImageVersionStatus"])


def _in_progress(model: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "IN_PROGRESS",
        "resourceModel": model,
        "callbackContext": state,
        "callbackDelaySeconds": int(POLL_SECONDS),
    }
