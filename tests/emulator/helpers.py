"""Constants and small helpers shared by the emulator tests."""

import itertools
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from offline_aws.defaults import IMAGE_ROLE, base_image

ROLE_ARN = IMAGE_ROLE
BASE_IMAGE = base_image("base:latest")

_TOKENS = itertools.count(1)


def error_of(call: Callable[[], object]) -> dict[str, str]:
    """Run ``call``, which must fail with a ClientError; return its Error (Code, Message)."""
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return {"Code": error.get("Code", ""), "Message": error.get("Message", "")}


def make_image(sm: Any, name: str = "img", **extra: Any) -> str:
    arn: str = sm.create_image(ImageName=name, RoleArn=ROLE_ARN, **extra)["ImageArn"]
    return arn


def make_version(sm: Any, image: str = "img", token: str | None = None, **extra: Any) -> str:
    """Create one version; the ClientToken defaults to a fresh one per call."""
    arn: str = sm.create_image_version(
        ImageName=image, BaseImage=BASE_IMAGE, ClientToken=token or f"t-{next(_TOKENS)}", **extra
    )["ImageVersionArn"]
    return arn


def version_numbers(sm: Any, image: str = "img") -> list[int]:
    """Version numbers listed for ``image``, ascending (one page of up to 100)."""
    listed = sm.list_image_versions(ImageName=image, MaxResults=100, SortBy="VERSION")
    return sorted(v["Version"] for v in listed["ImageVersions"])


def status_of(sm: Any, version: int, image: str = "img") -> str:
    status: str = sm.describe_image_version(ImageName=image, Version=version)["ImageVersionStatus"]
    return status


def post(url: str, body: object, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST JSON; return the status and the decoded JSON reply (errors included)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers or {}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            raw = reply.read()
            return reply.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
