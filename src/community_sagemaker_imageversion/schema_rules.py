# Generated from sagemaker-imageversion.json by `make generate`; DO NOT modify this file by hand.
"""The schema's rules, as validation.py, arns.py and translation.py enforce them.

To change a rule or add a property, edit sagemaker-imageversion.json and run `make generate`
(``src/make_targets/schema_rules.py`` writes this file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class StringRule:
    """The JSON-schema keywords a string carries."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ArrayRule:
    """An array property: the rule each of its items follows."""

    items: StringRule


@dataclass(frozen=True)
class IntegerRule:
    """The JSON-schema keywords an integer carries."""

    minimum: int | None = None


@dataclass(frozen=True)
class ArnPattern:
    """An ARN pattern of the schema, ``arn:<partition>:<service>:<region>:<account>:<type>/<id>``
    cut at its separators: regular expressions, but for the service and resource type, which are
    literal."""

    partition: str
    service: str
    region: str
    account: str
    resource_type: str
    resource_ids: tuple[str, ...]


# Every property ("additionalProperties": false: no other is accepted).
PROPERTIES: Final[frozenset[str]] = frozenset(
    {
        "ImageName",
        "BaseImage",
        "Alias",
        "Aliases",
        "VendorGuidance",
        "JobType",
        "MLFramework",
        "ProgrammingLang",
        "Processor",
        "Horovod",
        "ReleaseNotes",
        "ImageArn",
        "ImageVersionArn",
        "ContainerImage",
        "Version",
    }
)

# "required".
REQUIRED: Final[tuple[str, ...]] = ("ImageName", "BaseImage")

# "readOnlyProperties": SageMaker sets them, a template does not.
READ_ONLY: Final[tuple[str, ...]] = ("ImageVersionArn", "ImageArn", "Version", "ContainerImage")

# Each string property: its minLength, maxLength, pattern and enum.
STRING_RULES: Final[Mapping[str, StringRule]] = {
    "ImageName": StringRule(
        min_length=1, max_length=63, pattern="^[A-Za-z0-9]([-.]?[A-Za-z0-9])*$"
    ),
    "BaseImage": StringRule(min_length=1, max_length=255, pattern=".+"),
    "Alias": StringRule(min_length=1, max_length=128, pattern="(?!^[.-])^([a-zA-Z0-9-_.]+)$"),
    "VendorGuidance": StringRule(enum=("NOT_PROVIDED", "STABLE", "TO_BE_ARCHIVED", "ARCHIVED")),
    "JobType": StringRule(enum=("TRAINING", "INFERENCE", "NOTEBOOK_KERNEL")),
    "MLFramework": StringRule(
        min_length=1, max_length=128, pattern=r"^[a-zA-Z]+ ?\d+\.\d+(\.\d+)?$"
    ),
    "ProgrammingLang": StringRule(
        min_length=1, max_length=128, pattern=r"^[a-zA-Z]+ ?\d+\.\d+(\.\d+)?$"
    ),
    "Processor": StringRule(enum=("CPU", "GPU")),
    "ReleaseNotes": StringRule(min_length=1, max_length=255, pattern=".*"),
    "ImageArn": StringRule(
        min_length=1,
        max_length=256,
        pattern=(
            r"^arn:aws(-[\w]+)*:sagemaker:[a-z0-9\-]*:[0-9]{12}:image\/"
            "[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*$"
        ),
    ),
    "ImageVersionArn": StringRule(
        min_length=1,
        max_length=256,
        pattern=(
            r"^arn:aws(-[\w]+)*:sagemaker:[a-z0-9\-]*:[0-9]{12}:"
            r"image-version\/[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*\/[0-9]+$"
        ),
    ),
    "ContainerImage": StringRule(min_length=1, max_length=255, pattern=".+"),
}

# Each array property: the rule of its items.
ARRAY_RULES: Final[Mapping[str, ArrayRule]] = {
    "Aliases": ArrayRule(
        items=StringRule(min_length=1, max_length=128, pattern="(?!^[.-])^([a-zA-Z0-9-_.]+)$")
    )
}

# The boolean properties.
BOOLEANS: Final[tuple[str, ...]] = ("Horovod",)

# Each integer property: its minimum.
INTEGER_RULES: Final[Mapping[str, IntegerRule]] = {"Version": IntegerRule(minimum=1)}

# The version's metadata: the properties neither create-only, read-only nor write-only, and not
# arrays. CreateImageVersion and UpdateImageVersion take them, and DescribeImageVersion returns
# them, under the same names.
METADATA_FIELDS: Final[tuple[str, ...]] = (
    "VendorGuidance",
    "JobType",
    "MLFramework",
    "ProgrammingLang",
    "Processor",
    "Horovod",
    "ReleaseNotes",
)

# The string properties whose pattern is an ARN's ("^arn:..."), cut at its separators.
ARN_PATTERNS: Final[Mapping[str, ArnPattern]] = {
    "ImageArn": ArnPattern(
        partition=r"aws(-[\w]+)*",
        service="sagemaker",
        region=r"[a-z0-9\-]*",
        account="[0-9]{12}",
        resource_type="image",
        resource_ids=("[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*",),
    ),
    "ImageVersionArn": ArnPattern(
        partition=r"aws(-[\w]+)*",
        service="sagemaker",
        region=r"[a-z0-9\-]*",
        account="[0-9]{12}",
        resource_type="image-version",
        resource_ids=("[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*", "[0-9]+"),
    ),
}
