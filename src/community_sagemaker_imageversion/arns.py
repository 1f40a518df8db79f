"""Image and image-version ARNs: parsing and matching.

SageMaker lower-cases the image name inside both ARNs
(``arn:<partition>:sagemaker:<region>:<account>:image-version/<name>/<version>``), so an ARN
alone identifies the version number exactly but the image name only up to case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IMAGE_VERSION_ARN = re.compile(
    r"^arn:(?P<partition>aws(?:-[\w]+)*):sagemaker:(?P<region>[a-z0-9\-]*):(?P<account>[0-9]{12}):"
    r"image-version/(?P<name>[a-zA-Z0-9](?:[-.]?[a-zA-Z0-9])*)/(?P<version>[0-9]+)$"
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


def parse_image_version_arn(arn: str) -> ImageVersionArn | None:
    """The parts of ``arn``, or None when it is not an image-version ARN."""
    match = _IMAGE_VERSION_ARN.match(arn)
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
