"""Requests breaking the model's constraints fail with ValidationException and change nothing."""

import re
from typing import Any

import pytest
from botocore.model import ListShape, Shape, StructureShape

from sagemaker_emulator.responses import ACTIONS
from sagemaker_emulator.validation import python_pattern, service_model

from .helpers import BASE_IMAGE, ROLE_ARN, error_of, make_image, make_version

OPERATIONS = ["".join(word.title() for word in action.split("_")) for action in ACTIONS]

IMAGE = {"ImageName": "img"}
NEW_VERSION = {**IMAGE, "BaseImage": BASE_IMAGE, "ClientToken": "fresh-token"}
NEW_IMAGE = {"ImageName": "other", "RoleArn": ROLE_ARN}
LENGTH_MAX = "Member must have length less than or equal to {}"
LENGTH_MIN = "Member must have length greater than or equal to {}"
VALUE_MAX = "Member must have value less than or equal to {}"
VALUE_MIN = "Member must have value greater than or equal to {}"
PATTERN = "Member must satisfy regular expression pattern: "
ENUM = "Member must satisfy enum value set: "
NULL = "Member must not be null"

# operation, request, member path, start of the broken rule
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("create_image", {**NEW_IMAGE, "ImageName": "a" * 64}, "imageName", LENGTH_MAX.format(63)),
    ("create_image", {**NEW_IMAGE, "ImageName": "bad_name"}, "imageName", PATTERN),
    ("create_image", {**NEW_IMAGE, "ImageName": ""}, "imageName", LENGTH_MIN.format(1)),
    ("create_image", {"ImageName": "other"}, "roleArn", NULL),
    ("create_image", {**NEW_IMAGE, "RoleArn": "arn:aws:iam::12:role/short"}, "roleArn", PATTERN),
    (
        "create_image",
        {**NEW_IMAGE, "Description": "d" * 513},
        "description",
        LENGTH_MAX.format(512),
    ),
    ("create_image", {**NEW_IMAGE, "DisplayName": " padded"}, "displayName", PATTERN),
    (
        "create_image",
        {**NEW_IMAGE, "Tags": [{"Key": f"k{i}", "Value": "v"} for i in range(51)]},
        "tags",
        LENGTH_MAX.format(50),
    ),
    (
        "create_image",
        {**NEW_IMAGE, "Tags": [{"Key": "a!", "Value": "v"}]},
        "tags.1.member.key",
        PATTERN,
    ),
    (
        "create_image",
        {**NEW_IMAGE, "Tags": [{"Key": "k", "Value": "v"}, {"Key": "k2", "Value": "v" * 257}]},
        "tags.2.member.value",
        LENGTH_MAX.format(256),
    ),
    ("describe_image", {"ImageName": "-img"}, "imageName", PATTERN),
    ("delete_image", {"ImageName": "i" * 64}, "imageName", LENGTH_MAX.format(63)),
    ("delete_image", {}, "imageName", NULL),
    ("list_images", {"MaxResults": 101}, "maxResults", VALUE_MAX.format(100)),
    ("list_images", {"MaxResults": 0}, "maxResults", VALUE_MIN.format(1)),
    (
        "list_images",
        {"SortBy": "NAME"},
        "sortBy",
        ENUM + "[CREATION_TIME, LAST_MODIFIED_TIME, IMAGE_NAME]",
    ),
    ("list_images", {"SortOrder": "UP"}, "sortOrder", ENUM + "[ASCENDING, DESCENDING]"),
    ("list_images", {"NameContains": "a b"}, "nameContains", PATTERN),
    ("list_images", {"NextToken": "t" * 8193}, "nextToken", LENGTH_MAX.format(8192)),
    (
        "create_image_version",
        {**NEW_VERSION, "ClientToken": "c" * 37},
        "clientToken",
        LENGTH_MAX.format(36),
    ),
    ("create_image_version", {**NEW_VERSION, "ClientToken": "a_b"}, "clientToken", PATTERN),
    (
        "create_image_version",
        {**NEW_VERSION, "BaseImage": "b" * 256},
        "baseImage",
        LENGTH_MAX.format(255),
    ),
    ("create_image_version", {**IMAGE, "ClientToken": "fresh-token"}, "baseImage", NULL),
    ("create_image_version", {**NEW_VERSION, "Aliases": [".hidden"]}, "aliases.1.member", PATTERN),
    (
        "create_image_version",
        {**NEW_VERSION, "Aliases": ["ok", "a" * 129]},
        "aliases.2.member",
        LENGTH_MAX.format(128),
    ),
    ("create_image_version", {**NEW_VERSION, "VendorGuidance": "MAYBE"}, "vendorGuidance", ENUM),
    ("create_image_version", {**NEW_VERSION, "JobType": "SERVING"}, "jobType", ENUM),
    ("create_image_version", {**NEW_VERSION, "MLFramework": "TensorFlow"}, "mLFramework", PATTERN),
    (
        "create_image_version",
        {**NEW_VERSION, "ProgrammingLang": "Python3"},
        "programmingLang",
        PATTERN,
    ),
    ("create_image_version", {**NEW_VERSION, "Processor": "TPU"}, "processor", ENUM + "[CPU, GPU]"),
    (
        "create_image_version",
        {**NEW_VERSION, "ReleaseNotes": "r" * 256},
        "releaseNotes",
        LENGTH_MAX.format(255),
    ),
    ("describe_image_version", {**IMAGE, "Version": -1}, "version", VALUE_MIN.format(0)),
    ("describe_image_version", {**IMAGE, "Alias": "-a"}, "alias", PATTERN),
    (
        "update_image_version",
        {**IMAGE, "AliasesToAdd": ["bad alias"]},
        "aliasesToAdd.1.member",
        PATTERN,
    ),
    (
        "update_image_version",
        {**IMAGE, "AliasesToDelete": ["keep", "a" * 129]},
        "aliasesToDelete.2.member",
        LENGTH_MAX.format(128),
    ),
    ("update_image_version", {**IMAGE, "JobType": "training"}, "jobType", ENUM),
    ("update_image_version", {**IMAGE, "ReleaseNotes": ""}, "releaseNotes", LENGTH_MIN.format(1)),
    ("delete_image_version", {**IMAGE, "Alias": "a" * 129}, "alias", LENGTH_MAX.format(128)),
    ("delete_image_version", {**IMAGE, "Version": -2}, "version", VALUE_MIN.format(0)),
    (
        "list_image_versions",
        {**IMAGE, "SortBy": "IMAGE_NAME"},
        "sortBy",
        ENUM + "[CREATION_TIME, LAST_MODIFIED_TIME, VERSION]",
    ),
    ("list_image_versions", {**IMAGE, "MaxResults": 1000}, "maxResults", VALUE_MAX.format(100)),
    ("list_image_versions", {}, "imageName", NULL),
    ("list_aliases", {**IMAGE, "Version": -1}, "version", VALUE_MIN.format(0)),
    ("list_aliases", {**IMAGE, "Alias": "a/b"}, "alias", PATTERN),
    ("list_aliases", {**IMAGE, "MaxResults": 101}, "maxResults", VALUE_MAX.format(100)),
]


def snapshot(sm: Any) -> tuple[object, ...]:
    """Everything a rejected request could have changed."""
    described = sm.describe_image_version(ImageName="img", Version=1)
    return (
        [image["ImageName"] for image in sm.list_images()["Images"]],
        [v["Version"] for v in sm.list_image_versions(ImageName="img")["ImageVersions"]],
        sm.list_aliases(ImageName="img")["SageMakerImageVersionAliases"],
        {k: v for k, v in described.items() if k != "ResponseMetadata"},
    )


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{case[0]}-{case[2]}-{i}" for i, case in enumerate(CASES)]
)
def test_invalid_request_is_rejected_and_changes_nothing(
    sm: Any, raw_sm: Any, case: tuple[str, dict[str, Any], str, str]
) -> None:
    action, request_, path, rule = case
    make_image(sm)
    make_version(sm, Aliases=["keep"])
    before = snapshot(sm)

    error = error_of(lambda: getattr(raw_sm, action)(**request_))

    assert error["Code"] == "ValidationException"
    assert re.match(r"\d+ validation errors? detected: Value ", error["Message"])
    assert f" at '{path}' failed to satisfy constraint: {rule}" in error["Message"]
    assert snapshot(sm) == before


def test_message_lists_every_violation_like_aws(raw_sm: Any) -> None:
    error = error_of(lambda: raw_sm.create_image(ImageName="x" * 64))
    pattern = "[a-zA-Z0-9]([-.]?[a-zA-Z0-9]){0,62}"
    assert error["Message"] == (
        f"3 validation errors detected: Value '{'x' * 64}' at 'imageName' failed to satisfy "
        f"constraint: Member must have length less than or equal to 63; Value '{'x' * 64}' at "
        f"'imageName' failed to satisfy constraint: Member must satisfy regular expression "
        f"pattern: {pattern}; Value null at 'roleArn' failed to satisfy constraint: Member must "
        "not be null"
    )


def test_valid_edge_values_are_accepted(sm: Any) -> None:
    make_image(sm, "a" * 63, DisplayName="x", Tags=[{"Key": "clé d'été"[:3] + " é", "Value": ""}])
    arn = make_version(
        sm,
        "a" * 63,
        token="c" * 36,
        Aliases=["a" * 128, "v1.0-beta_2"],
        MLFramework="TensorFlow 2.13",
        ProgrammingLang="Python3.10",
        ReleaseNotes="r" * 255,
    )
    assert arn.endswith(f"/{'a' * 63}/1")


def java_patterns() -> set[str]:
    """Every pattern in the input shapes of the ten operations."""
    found: set[str] = set()

    def walk(shape: Shape) -> None:
        if "pattern" in shape.metadata:
            found.add(shape.metadata["pattern"])
        if isinstance(shape, StructureShape):
            for member in shape.members.values():
                walk(member)
        elif isinstance(shape, ListShape):
            walk(shape.member)

    for operation in OPERATIONS:
        input_shape = service_model().operation_model(operation).input_shape
        assert input_shape is not None
        walk(input_shape)
    return found


def test_every_model_pattern_compiles_in_python() -> None:
    patterns = java_patterns()
    assert r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)" in patterns  # the Java-only one
    for pattern in patterns:
        re.compile(python_pattern(pattern))


@pytest.mark.parametrize(
    ("java", "accepted", "rejected"),
    [
        (r"[\p{L}_]*", ["été_Ω", ""], ["é1", "a-b"]),
        (r"\p{N}+", ["12٣"], ["1a"]),
        (r"[\p{Z}\-]+", [" -\u00a0"], ["\t"]),
        (r"[a-z\-]+\d", ["a-b1"], ["a-b"]),
    ],
)
def test_unicode_categories_are_translated(
    java: str, accepted: list[str], rejected: list[str]
) -> None:
    compiled = re.compile(python_pattern(java))
    assert all(compiled.fullmatch(text) for text in accepted)
    assert not any(compiled.fullmatch(text) for text in rejected)


def test_unknown_category_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown Unicode general category 'Q'"):
        python_pattern(r"\p{Q}")
