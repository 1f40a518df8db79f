"""Finding the one image version a model names, from its ImageVersionArn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudformation_cli_python_lib import exceptions

from . import TYPE_NAME
from .arns import names_same_image, parse_image_version_arn
from .models import ResourceModel
from .sagemaker_calls import describe_version, image_name_for

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


def pinned_version(arn: str | None) -> tuple[str, int]:
    """The image name as the ARN spells it (lower-case) and the version; NotFound without one."""
    parsed = parse_image_version_arn(arn) if arn else None
    if parsed is None:
        raise exceptions.NotFound(TYPE_NAME, arn or "(no ImageVersionArn: never created)")
    return parsed.name_lower, parsed.version


def locate(
    client: SageMakerClient, arn: str | None, name_hint: str | None
) -> tuple[str, int, dict[str, Any]]:
    """The real image name, the version and its description; NotFound when it does not exist.

    ``name_hint`` is the ImageName the model carries. When it matches the ARN it is the real name.
    Without it (a resource import from the ARN alone), the lower-cased name from the ARN is tried
    first, then ListImages finds the image whose name only differs in case.
    """
    name_lower, version = pinned_version(arn)
    hinted = bool(name_hint) and names_same_image(str(name_hint), name_lower)
    name = str(name_hint) if hinted else name_lower
    description = describe_version(client, name, version)
    if description is None and not hinted:
        real_name = image_name_for(client, name_lower)
        if real_name is not None and real_name != name:
            name, description = real_name, describe_version(client, real_name, version)
    if description is None:
        raise exceptions.NotFound(TYPE_NAME, str(arn))
    return name, version, description


def locate_model(
    client: SageMakerClient, model: ResourceModel | None
) -> tuple[str, int, dict[str, Any]]:
    """``locate`` for the version a request's model names."""
    if model is None:
        return locate(client, None, None)
    return locate(client, model.ImageVersionArn, model.ImageName)
