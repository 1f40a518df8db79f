"""Image and image-version ARNs: parsing and matching.

SageMaker lower-cases the image name inside both ARNs
(``arn:<partition>:sagemaker:<region>:<account>:image-version/<name>/<version>``), so an ARN
alone identifies the version number exactly but the image name only up to case.

Parsing is strict: only what SageMaker issues parses (no trailing newline, no version number
with leading zeros). Whether an ARN is the one SageMaker issued for the version it names is
decided by comparing it with the ARN SageMaker returns for that version (``locating``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IMAGE_VERSION_ARN = re.compile(
    r"arn:(?P<partition>aws(?:-[a-z0-9]+)*):sagemaker:(?P<region>[a-z0-9-]*):"
    r"(?P<account>[0-9]{12}):image-version/(?P<name>[a-zA-Z0-9](?:[-.]?[a-zA-Z0-9])*)/"
    r"(?P<version>[1-9][0-9]*)",
    re.ASCII,
)


@dataclass(frozen=True)
class ImageVersionArn:
    """The parts of an image-version ARN. ``name_lower`` is the image name as the ARN spells it."""

    partition: str
    region: str
    account: str
    name_lower: str
    version: int

    def image_arn(self) -> str:
        return (
            f"arn:{self.partition}:sagemaker:{self.region}:{self.account}:image/{self.name_lower}"
        )

    def is_in(self, region: str | None, account: str | None) -> bool:
        """Whether the ARN names a version in ``region`` and ``account`` (None: not known)."""
        return (region is None or self.region == region) and (
            account is None or self.account == account
        )


def parse_image_version_arn(arn: str) -> ImageVersionArn | None:
    """The parts of ``arn``, or None when it is not an image-version ARN SageMaker could issue."""
    match = _IMAGE_VERSION_ARN.fullmatch(arn)
    if match is None:
        return None
    return ImageVersionArn(
        partition=match["partition"],
        region=match["region"],
        account=match["account"],
        name_lower=match["name"].lower(),
        version=int(match["version"]),
    )


def names_same_image(name: str, arn_name: str) -> bool:
    """Whether an image called ``name`` is the one an ARN spells ``arn_name``."""
    return name.lower() == arn_name.lower()
