"""Finding the one image version a model names, from its ImageVersionArn.

An ARN names a version only when SageMaker issued it for that version in the request's account
and region: the ARN's account and region must be the request's, and it must be exactly the ARN
SageMaker returns for the version it names (so another partition, a version number with leading
zeros or a name in other case never reach a version). Anything else is NotFound, before any
call that changes anything.

The model's ImageName may differ from the image's real name in case (an import, or a template
that copied the lower-cased name from the ARN): the real name is then found with ListImages.

An image deleted and made again under the same name numbers its versions from 1 again, so an ARN
kept by a stack can come to name a version someone else made. BaseImage never changes on a
version (it is create-only): a version whose BaseImage is not the model's may not be the model's
version (:meth:`Located.not_made_from`). (A version made again from the same BaseImage cannot be
told apart by anything the model holds.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloudformation_cli_python_lib import exceptions

from . import TYPE_NAME
from . import sagemaker_calls as calls
from .arns import ImageVersionArn, names_same_image, parse_image_version_arn
from .waiting import versions_go_with_image

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient


@dataclass(frozen=True)
class Located:
    """A version that exists: the image's real name, the number, its description, and the
    ImageName to report (the model's spelling when it names this image, else the real name)."""

    name: str
    version: int
    description: dict[str, Any]
    spelled: str

    @property
    def arn(self) -> str:
        return str(self.description["ImageVersionArn"])

    def not_made_from(self, base_image: str | None) -> str | None:
        """Why this is not the version of a model made from ``base_image`` (None: nothing says
        it is not; a model without BaseImage says nothing)."""
        made_from = self.description.get("BaseImage")
        if base_image is None or made_from == base_image:
            return None
        return (
            f"{self.arn} is made from {made_from}, not from {base_image} as the model says:"
            " the image may have been deleted and made again, and this version be another one"
        )

    def spelled_as(self, image_name: str | None) -> str:
        """The ImageName to report for a model naming the image ``image_name``: that spelling
        when it names this image in any case, else :attr:`spelled`."""
        if image_name and image_name.lower() == self.name.lower():
            return image_name
        return self.spelled


def local_version_arn(
    arn: str | None, region: str | None = None, account: str | None = None
) -> ImageVersionArn:
    """The parts of an ARN SageMaker could have issued in ``region`` and ``account``; NotFound
    for anything else."""
    parsed = parse_image_version_arn(arn) if arn else None
    if parsed is None or not parsed.is_in(region, account):
        raise exceptions.NotFound(TYPE_NAME, repr(arn) if arn else "(no ImageVersionArn)")
    return parsed


def describe_unless_image_gone(
    client: SageMakerClient, name: str, version: int
) -> dict[str, Any] | None:
    """DescribeImageVersion; None when the version does not exist, or when SageMaker refuses
    the call because the image is being deleted (its versions go with it)."""
    try:
        return calls.describe_version(client, name, version)
    except exceptions.InvalidRequest:
        if versions_go_with_image(calls.image_status(client, name)):
            return None
        raise


def locate(
    client: SageMakerClient,
    arn: str | None,
    name_hint: str | None,
    *,
    region: str | None,
    account: str | None,
) -> Located:
    """The version ``arn`` names (see the module docstring); NotFound when it does not exist."""
    parsed = local_version_arn(arn, region, account)
    hinted = bool(name_hint) and names_same_image(str(name_hint), parsed.name_lower)
    name = str(name_hint) if hinted else parsed.name_lower
    description = describe_unless_image_gone(client, name, parsed.version)
    if description is None:
        real_name = calls.image_name_for(client, name)
        if real_name is not None and real_name != name:
            name = real_name
            description = describe_unless_image_gone(client, name, parsed.version)
    if description is None or description.get("ImageVersionArn") != arn:
        raise exceptions.NotFound(TYPE_NAME, str(arn))
    return Located(name, parsed.version, description, str(name_hint) if hinted else name)
