"""Every SageMaker call the handlers make, with its errors translated and its time bounded.

Each function makes one kind of call (following pages where the API pages) and raises a
CloudFormation exception from ``errors`` when it fails. Every attempt goes through
:func:`_attempt`, the one place that:

- admits an attempt only while it fits before the invocation's deadline (else ``CallBack``);
- cuts the attempt's read timeout to the time left;
- retries throttling, 5xx answers and network failures with jittered backoff while the deadline
  allows (a retried mutating call is the same request: a create keeps its ClientToken);
- translates what remains; ResourceInUse on a change is ``ImageBusy``, left to the caller.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from cloudformation_cli_python_lib import exceptions

from . import errors
from .clients import read_timeout
from .errors import TRANSIENT, HandlerError, ImageBusy
from .invocation import Invocation
from .stabilisation import CallBack
from .waiting import retry_delay

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

LOG = logging.getLogger(__name__)

# The largest page SageMaker returns (MaxResults 1-100).
MAX_RESULTS = 100
# CreateImageVersion's answer when it does not say which version it made (the model allows it).
NO_ARN = "None"

R = TypeVar("R")


def version_label(image_name: str, version: int) -> str:
    return f"version {version} of image {image_name}"


def _failure(
    error: ClientError | BotoCoreError, operation: str, label: str, busy_is_retryable: bool
) -> HandlerError | ImageBusy | None:
    """What ``error`` means (None: a client-side failure this module does not know, a bug)."""
    if isinstance(error, ClientError):
        if busy_is_retryable and errors.error_code(error) == "ResourceInUse":
            return ImageBusy(f"{operation} on {label}: {error}")
        return errors.from_client_error(error, operation, label)
    return errors.from_botocore_error(error, operation)


def _attempt(
    operation: str,
    label: str,
    send: Callable[[], R],
    busy_is_retryable: bool = False,
    *,
    retries: bool = True,
) -> R:
    """``send()``: admitted, timed, retried (not when ``retries`` is False) and translated (see
    the module docstring)."""
    invocation = Invocation.current()
    attempt = 0
    while True:
        timeout = invocation.attempt_timeout()
        if timeout is None:
            raise CallBack(f"no time left in this invocation for {operation} on {label}")
        try:
            with read_timeout(timeout):
                return send()
        except (ClientError, BotoCoreError) as error:
            failure = _failure(error, operation, label, busy_is_retryable)
            if failure is None:
                raise
            delay = retry_delay(attempt) if retries and isinstance(failure, TRANSIENT) else None
            if delay is None or not invocation.pause(delay):
                raise failure from error
        attempt += 1


def create_version(client: SageMakerClient, request: Mapping[str, Any]) -> str:
    """CreateImageVersion; the new version's ARN, or NO_ARN when SageMaker does not say it.
    A missing image is NotFound, an image in a state that takes no version InvalidRequest;
    ResourceInUse is ImageBusy."""
    answer = _attempt(
        "CreateImageVersion",
        f"image {request['ImageName']}",
        lambda: client.create_image_version(**request),
        busy_is_retryable=True,
    )
    return str(answer.get("ImageVersionArn") or NO_ARN)


def describe_version(
    client: SageMakerClient, image_name: str, version: int
) -> dict[str, Any] | None:
    """DescribeImageVersion of exactly ``version`` (never the latest); None when it is missing."""
    try:
        return dict(
            _attempt(
                "DescribeImageVersion",
                version_label(image_name, version),
                lambda: client.describe_image_version(ImageName=image_name, Version=version),
            )
        )
    except exceptions.NotFound:
        return None


def alias_holder(client: SageMakerClient, image_name: str, alias: str) -> int | None:
    """The number of the version of the image that holds ``alias`` (None: no version does)."""
    try:
        described = _attempt(
            "DescribeImageVersion",
            f"alias {alias} of image {image_name}",
            lambda: client.describe_image_version(ImageName=image_name, Alias=alias),
        )
    except exceptions.NotFound:
        return None
    return int(described["Version"])


def version_aliases(client: SageMakerClient, image_name: str, version: int) -> frozenset[str]:
    """Every alias of exactly ``version``, following every page of ListAliases."""
    aliases: set[str] = set()
    token: str | None = None
    params = {"ImageName": image_name, "Version": version, "MaxResults": MAX_RESULTS}
    while True:
        page = _attempt(
            "ListAliases",
            version_label(image_name, version),
            _paging(client.list_aliases, params, token),
        )
        aliases.update(page.get("SageMakerImageVersionAliases", []))
        token = page.get("NextToken")
        if not token:
            return frozenset(aliases)


def update_version(client: SageMakerClient, request: Mapping[str, Any]) -> None:
    """UpdateImageVersion; ResourceInUse is ImageBusy."""
    label = version_label(str(request["ImageName"]), int(request["Version"]))
    _attempt(
        "UpdateImageVersion",
        label,
        lambda: client.update_image_version(**request),
        busy_is_retryable=True,
    )


def delete_version(client: SageMakerClient, image_name: str, version: int) -> None:
    """DeleteImageVersion of exactly ``version``; nothing to do when it is already gone.
    ResourceInUse is ImageBusy."""
    with contextlib.suppress(exceptions.NotFound):
        _attempt(
            "DeleteImageVersion",
            version_label(image_name, version),
            lambda: client.delete_image_version(ImageName=image_name, Version=version),
            busy_is_retryable=True,
        )


def describe_image(client: SageMakerClient, image_name: str) -> dict[str, Any] | None:
    """DescribeImage (None: there is no image of that name)."""
    try:
        return dict(
            _attempt(
                "DescribeImage",
                f"image {image_name}",
                lambda: client.describe_image(ImageName=image_name),
            )
        )
    except exceptions.NotFound:
        return None


def image_status(client: SageMakerClient, image_name: str) -> str | None:
    """The image's ImageStatus (None: there is no such image)."""
    described = describe_image(client, image_name)
    return None if described is None else str(described["ImageStatus"])


def _page(call: Callable[..., Any], params: Mapping[str, Any], token: str | None) -> Any:
    return call(**params, **({"NextToken": token} if token else {}))


def _paging(
    call: Callable[..., Any], params: Mapping[str, Any], token: str | None
) -> Callable[[], Any]:
    """The request of one page (``token`` None: the first)."""
    return lambda: _page(call, params, token)


def _oldest_first(created_after: datetime | None) -> dict[str, Any]:
    """Ascending creation time, from ``created_after`` on (inclusive or not: either serves)."""
    order: dict[str, Any] = {"SortBy": "CREATION_TIME", "SortOrder": "ASCENDING"}
    if created_after is not None:
        order["CreationTimeAfter"] = created_after
    return order


RECENT_VERSIONS = 10
"""Versions :func:`recent_versions` reads: enough to see the change in progress and a period."""


def images_page(
    client: SageMakerClient, created_after: datetime | None, token: str | None
) -> tuple[list[tuple[str, datetime]], str | None]:
    """One page of images (name, creation time), oldest first, from ``created_after`` on."""
    params = {"MaxResults": MAX_RESULTS, **_oldest_first(created_after)}
    page = _attempt(
        "ListImages", "the images of this account", _paging(client.list_images, params, token)
    )
    images = [(str(i["ImageName"]), i["CreationTime"]) for i in page.get("Images", [])]
    return images, page.get("NextToken") or None


def versions_page(
    client: SageMakerClient, image_name: str, created_after: datetime | None, token: str | None
) -> tuple[list[dict[str, Any]], str | None] | None:
    """One page of the image's versions in number order, created at ``created_after`` or later
    (versions are numbered in the order they are created); None when the image does not exist."""
    params = {
        "ImageName": image_name,
        "MaxResults": MAX_RESULTS,
        **_oldest_first(created_after),
        "SortBy": "VERSION",
    }
    try:
        page = _attempt(
            "ListImageVersions",
            f"image {image_name}",
            _paging(client.list_image_versions, params, token),
        )
    except exceptions.NotFound:
        return None
    return [dict(item) for item in page.get("ImageVersions", [])], page.get("NextToken") or None


def recent_versions(
    client: SageMakerClient, image_name: str, *, retries: bool = True
) -> list[dict[str, Any]]:
    """The image's most recently created versions, newest first (one page); none when the image
    is missing. What a change refused with ResourceInUse looks at to know when to come back
    (``retries``: a transient failure is attempted again, as for any call)."""
    params = {
        "ImageName": image_name,
        "MaxResults": RECENT_VERSIONS,
        "SortBy": "CREATION_TIME",
        "SortOrder": "DESCENDING",
    }
    try:
        page = _attempt(
            "ListImageVersions",
            f"image {image_name}",
            lambda: client.list_image_versions(**params),  # type: ignore[arg-type]
            retries=retries,
        )
    except (exceptions.NotFound, exceptions.InvalidRequest, exceptions.AccessDenied) as unseen:
        # Without the queue (a role written for an earlier version of this type may lack
        # ListImageVersions), a busy image is waited out by plain backoff.
        LOG.info("The versions of image %s cannot be read: %s", image_name, unseen)
        return []
    return [dict(item) for item in page.get("ImageVersions", [])]


def image_name_for(client: SageMakerClient, name: str) -> str | None:
    """The real name of the image whose name differs from ``name`` at most in case: one
    DescribeImage when an image has exactly that name, else a walk through ListImages."""
    described = describe_image(client, name)
    if described is not None:
        return str(described["ImageName"])
    token: str | None = None
    while True:
        images, token = images_page(client, None, token)
        for real_name, _ in images:
            if real_name.lower() == name.lower():
                return real_name
        if token is None:
            return None
