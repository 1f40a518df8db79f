"""Every SageMaker call the handlers make, with its errors translated.

Each function makes one kind of call (following pages where the API pages) and raises a
CloudFormation exception from ``errors`` when it fails. ``ImageBusy`` is the one failure left for
the caller: ResourceInUse on a change, which the handlers retry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from cloudformation_cli_python_lib import exceptions

from . import errors

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

# The largest page SageMaker returns (MaxResults 1-100).
MAX_RESULTS = 100


class ImageBusy(Exception):
    """SageMaker refused a change with ResourceInUse: another version of the image is changing."""


@contextlib.contextmanager
def _translated(operation: str, identifier: str, busy_is_retryable: bool = False) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        if busy_is_retryable and errors.error_code(error) == "ResourceInUse":
            raise ImageBusy(f"{operation} on {identifier}: {error}") from error
        raise errors.from_client_error(error, operation, identifier) from error
    except BotoCoreError as error:
        translated = errors.from_botocore_error(error, operation)
        if translated is None:
            raise
        raise translated from error


def version_label(image_name: str, version: int) -> str:
    return f"version {version} of image {image_name}"


def create_version(client: SageMakerClient, request: Mapping[str, Any]) -> str:
    """CreateImageVersion; the new version's ARN. A missing or unready image is InvalidRequest."""
    name = str(request["ImageName"])
    try:
        with _translated("CreateImageVersion", f"image {name}", busy_is_retryable=True):
            return client.create_image_version(**request)["ImageVersionArn"]
    except exceptions.NotFound as missing:
        raise exceptions.InvalidRequest(
            f"ImageName {name!r}: no SageMaker image of that name exists in this account and region"
        ) from missing


def describe_version(
    client: SageMakerClient, image_name: str, version: int
) -> dict[str, Any] | None:
    """DescribeImageVersion of exactly ``version`` (never the latest); None when it is missing."""
    try:
        with _translated("DescribeImageVersion", version_label(image_name, version)):
            return dict(client.describe_image_version(ImageName=image_name, Version=version))
    except exceptions.NotFound:
        return None


def version_aliases(client: SageMakerClient, image_name: str, version: int) -> frozenset[str]:
    """Every alias of exactly ``version``, following every page of ListAliases."""
    aliases: set[str] = set()
    token: str | None = None
    with _translated("ListAliases", version_label(image_name, version)):
        while True:
            page = _call_page(
                client.list_aliases,
                {"ImageName": image_name, "Version": version, "MaxResults": MAX_RESULTS},
                token,
            )
            aliases.update(page.get("SageMakerImageVersionAliases", []))
            token = page.get("NextToken")
            if not token:
                return frozenset(aliases)


def update_version(client: SageMakerClient, request: Mapping[str, Any]) -> None:
    label = version_label(str(request["ImageName"]), int(request["Version"]))
    with _translated("UpdateImageVersion", label, busy_is_retryable=True):
        client.update_image_version(**request)


def delete_version(client: SageMakerClient, image_name: str, version: int) -> None:
    """DeleteImageVersion of exactly ``version``; nothing to do when it is already gone."""
    label = version_label(image_name, version)
    with (
        contextlib.suppress(exceptions.NotFound),
        _translated("DeleteImageVersion", label, busy_is_retryable=True),
    ):
        client.delete_image_version(ImageName=image_name, Version=version)


def _call_page(
    call: Callable[..., Any], params: Mapping[str, Any], token: str | None
) -> Mapping[str, Any]:
    result: Mapping[str, Any] = call(**params, **({"NextToken": token} if token else {}))
    return result


def versions_page(
    client: SageMakerClient, image_name: str, limit: int, token: str | None
) -> tuple[list[dict[str, Any]], str | None] | None:
    """One page of ListImageVersions (oldest first); None when the image does not exist."""
    params = {
        "ImageName": image_name,
        "MaxResults": limit,
        "SortBy": "VERSION",
        "SortOrder": "ASCENDING",
    }
    try:
        with _translated("ListImageVersions", f"image {image_name}"):
            page = _call_page(client.list_image_versions, params, token)
    except exceptions.NotFound:
        return None
    return [dict(item) for item in page.get("ImageVersions", [])], page.get("NextToken") or None


def images_page(client: SageMakerClient, token: str | None) -> tuple[list[str], str | None]:
    """One page of image names from ListImages, in name order."""
    params = {"MaxResults": MAX_RESULTS, "SortBy": "IMAGE_NAME", "SortOrder": "ASCENDING"}
    with _translated("ListImages", "the images of this account"):
        page = _call_page(client.list_images, params, token)
    names = [str(image["ImageName"]) for image in page.get("Images", [])]
    return names, page.get("NextToken") or None


def image_name_for(client: SageMakerClient, name_lower: str) -> str | None:
    """The real name of the image an ARN spells ``name_lower`` (ARNs lower-case names)."""
    token: str | None = None
    while True:
        names, token = images_page(client, token)
        for name in names:
            if name.lower() == name_lower:
                return name
        if token is None:
            return None
