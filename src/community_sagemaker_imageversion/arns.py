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

from .schema_rules import ARN_PATTERNS

_IMAGE = ARN_PATTERNS["ImageArn"]
_VERSION = ARN_PATTERNS["ImageVersionArn"]
_NAME, _ = _VERSION.resource_ids

# Stricter than the schema's pattern, which also admits what SageMaker never issues: partitions
# are lower case (aws, aws-cn, aws-us-gov, ...; the schema's ``\w`` also admits capitals and
# "_"), and version numbers have no leading zeros (the schema's ``[0-9]+`` admits "01").
_ISSUED_PARTITION = "aws(?:-[a-z0-9]+)*"
_ISSUED_VERSION = "[1-9][0-9]*"

_IMAGE_VERSION_ARN = re.compile(
    rf"arn:(?P<partition>{_ISSUED_PARTITION}):{re.escape(_VERSION.service)}:"
    rf"(?P<region>{_VERSION.region}):(?P<account>{_VERSION.account}):"
    rf"{re.escape(_VERSION.resource_type)}/(?P<name>{_NAME})/(?P<version>{_ISSUED_VERSION})",
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
            f"arn:{self.partition}:{_IMAGE.service}:{self.region}:{self.account}:"
            f"{_IMAGE.resource_type}/{self.name_lower}"
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
