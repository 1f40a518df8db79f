"""Image versions: numbering, selection, idempotency, metadata, aliases and ListAliases."""

import hashlib
import time
from typing import Any

import pytest

from offline_aws.defaults import ACCOUNT, REGION, SAGEMAKER_ARN_PREFIX

from .helpers import BASE_IMAGE, error_of, make_image, make_version, version_numbers

VERSION_ARN = f"{SAGEMAKER_ARN_PREFIX}:image-version"

METADATA: dict[str, Any] = {
    "VendorGuidance": "STABLE",
    "JobType": "TRAINING",
    "MLFramework": "PyTorch 2.1",
    "ProgrammingLang": "Python 3.11",
    "Processor": "GPU",
    "Horovod": False,
    "ReleaseNotes": "first release",
}


@pytest.fixture
def image(sm: Any) -> str:
    make_image(sm)
    return "img"


def aliases(sm: Any, **selection: Any) -> list[str]:
    listed: list[str] = sm.list_aliases(ImageName="img", **selection)[
        "SageMakerImageVersionAliases"
    ]
    return listed


def test_create_and_describe_version(sm: Any, image: str) -> None:
    arn = make_version(sm, Aliases=["latest"], **METADATA)

    described = sm.describe_image_version(ImageName=image, Version=1)

    digest = hashlib.sha256(f"{BASE_IMAGE}\n1".encode()).hexdigest()
    assert arn == f"{VERSION_ARN}/img/1"
    assert {k: described[k] for k in METADATA} == METADATA
    assert described["ImageVersionArn"] == arn
    assert described["ImageArn"] == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:image/img"
    assert described["ImageVersionStatus"] == "CREATED"
    assert described["Version"] == 1
    assert described["BaseImage"] == BASE_IMAGE
    assert described["ContainerImage"] == (
        f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/img@sha256:{digest}"
    )
    assert described["CreationTime"] == described["LastModifiedTime"]
    assert not {"FailureReason", "Aliases"} & described.keys()


def test_describe_omits_metadata_never_set(sm: Any, image: str) -> None:
    make_version(sm, JobType="INFERENCE")
    described = sm.describe_image_version(ImageName=image)
    assert described["JobType"] == "INFERENCE"
    assert not (set(METADATA) - {"JobType"}) & described.keys()


def test_versions_are_numbered_per_image_and_never_reused(sm: Any, image: str) -> None:
    make_image(sm, "other")
    assert [make_version(sm) for _ in range(3)] == [f"{VERSION_ARN}/img/{n}" for n in (1, 2, 3)]
    assert make_version(sm, "other").endswith("/other/1")

    sm.delete_image_version(ImageName=image, Version=3)
    sm.delete_image_version(ImageName=image, Version=1)

    assert make_version(sm).endswith("/img/4")
    assert version_numbers(sm) == [2, 4]


def test_capitalised_image_names_give_lower_case_arns(sm: Any) -> None:
    make_image(sm, "My-Image")
    assert make_version(sm, "My-Image") == f"{VERSION_ARN}/my-image/1"
    described = sm.describe_image_version(ImageName="My-Image", Version=1)
    assert "/my-image@sha256:" in described["ContainerImage"]
    missing = error_of(lambda: sm.describe_image_version(ImageName="my-image", Version=1))
    assert missing["Code"] == "ResourceNotFound"


def test_create_version_of_missing_image(sm: Any) -> None:
    error = error_of(lambda: make_version(sm, "absent"))
    assert error == {
        "Code": "ResourceNotFound",
        "Message": "Image with ARN arn:aws:sagemaker:us-east-1:123456789012:image/absent"
        " does not exist.",
    }


def test_client_token_makes_create_idempotent(sm: Any, image: str) -> None:
    first = make_version(sm, token="same-token")
    make_version(sm, token="other-token")

    assert make_version(sm, token="same-token", Aliases=["ignored"]) == first
    assert version_numbers(sm) == [1, 2]
    assert aliases(sm) == []
    make_image(sm, "img2")
    assert make_version(sm, "img2", token="same-token").endswith("/img2/1")


@pytest.mark.parametrize(
    ("selection", "expected"),
    [({"Version": 2}, 2), ({"Alias": "stable"}, 1), ({}, 3)],
    ids=["version", "alias", "latest"],
)
def test_selection_by_version_alias_or_latest(
    sm: Any, image: str, selection: dict[str, Any], expected: int
) -> None:
    make_version(sm, Aliases=["stable"])
    make_version(sm)
    make_version(sm)

    assert sm.describe_image_version(ImageName=image, **selection)["Version"] == expected
    arn = sm.update_image_version(ImageName=image, ReleaseNotes="n", **selection)["ImageVersionArn"]
    assert arn == f"{VERSION_ARN}/img/{expected}"
    sm.delete_image_version(ImageName=image, **selection)
    assert expected not in version_numbers(sm)


def test_latest_skips_deleted_versions(sm: Any, image: str) -> None:
    make_version(sm)
    make_version(sm)
    sm.delete_image_version(ImageName=image)
    assert sm.describe_image_version(ImageName=image)["Version"] == 1
    sm.delete_image_version(ImageName=image)
    error = error_of(lambda: sm.describe_image_version(ImageName=image))
    assert error == {
        "Code": "ResourceNotFound",
        "Message": "Latest ImageVersion with ImageName img does not exist."
        " Please provide a valid ImageName.",
    }


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ({"Version": 7}, f"ImageVersion {VERSION_ARN}/img/7 does not exist."),
        ({"Version": 0}, f"ImageVersion {VERSION_ARN}/img/0 does not exist."),
        ({"Alias": "nope"}, "ImageVersion with ImageName img and Alias nope does not exist."),
    ],
)
@pytest.mark.parametrize("action", ["describe", "update", "delete"])
def test_selecting_a_missing_version(
    sm: Any, image: str, action: str, selection: dict[str, Any], message: str
) -> None:
    make_version(sm)
    call = getattr(sm, f"{action}_image_version")
    error = error_of(lambda: call(ImageName=image, **selection))
    assert error == {"Code": "ResourceNotFound", "Message": message}


@pytest.mark.parametrize("action", ["describe", "update", "delete"])
def test_version_and_alias_together_are_rejected(sm: Any, image: str, action: str) -> None:
    make_version(sm, Aliases=["a"])
    call = getattr(sm, f"{action}_image_version")
    error = error_of(lambda: call(ImageName=image, Version=1, Alias="a"))
    assert error["Code"] == "ValidationException"
    assert version_numbers(sm) == [1]


def test_update_metadata_and_last_modified_time(sm: Any, image: str) -> None:
    make_version(sm, JobType="TRAINING", Processor="CPU")
    before = sm.describe_image_version(ImageName=image)
    time.sleep(0.002)  # timestamps have millisecond precision

    sm.update_image_version(ImageName=image, Processor="GPU", Horovod=True, ReleaseNotes="r2")

    after = sm.describe_image_version(ImageName=image)
    assert (after["JobType"], after["Processor"], after["Horovod"]) == ("TRAINING", "GPU", True)
    assert after["ReleaseNotes"] == "r2"
    assert after["LastModifiedTime"] > before["LastModifiedTime"]
    assert after["CreationTime"] == before["CreationTime"]


def test_alias_of_another_version_is_rejected_on_create(sm: Any, image: str) -> None:
    make_version(sm, Aliases=["stable"])
    error = error_of(lambda: make_version(sm, Aliases=["new", "stable"]))
    assert error == {
        "Code": "ValidationException",
        "Message": "Alias stable is already in use by version 1 of image img.",
    }
    assert version_numbers(sm) == [1]


def test_alias_of_another_version_is_rejected_on_update(sm: Any, image: str) -> None:
    make_version(sm, Aliases=["stable"])
    make_version(sm)
    error = error_of(lambda: sm.update_image_version(ImageName=image, AliasesToAdd=["stable"]))
    assert error["Code"] == "ValidationException"
    assert aliases(sm, Version=1) == ["stable"]
    assert aliases(sm, Version=2) == []


def test_same_alias_on_another_image_is_fine(sm: Any, image: str) -> None:
    make_image(sm, "other")
    make_version(sm, Aliases=["stable"])
    make_version(sm, "other", Aliases=["stable"])
    assert sm.list_aliases(ImageName="other")["SageMakerImageVersionAliases"] == ["stable"]


def test_alias_moves_after_delete_then_add(sm: Any, image: str) -> None:
    make_version(sm, Aliases=["stable", "v1"])
    make_version(sm)

    sm.update_image_version(ImageName=image, Version=1, AliasesToDelete=["stable"])
    sm.update_image_version(ImageName=image, Version=2, AliasesToAdd=["stable", "stable"])

    assert aliases(sm, Version=1) == ["v1"]
    assert aliases(sm, Version=2) == ["stable"]
    assert sm.describe_image_version(ImageName=image, Alias="stable")["Version"] == 2


def test_adding_an_alias_the_version_holds_is_a_no_op(sm: Any, image: str) -> None:
    make_version(sm, Aliases=["stable"])
    sm.update_image_version(ImageName=image, AliasesToAdd=["stable"])
    assert aliases(sm) == ["stable"]


@pytest.mark.parametrize(
    ("update", "message"),
    [
        (
            {"AliasesToDelete": ["other"]},
            f"Alias other is not associated with ImageVersion {VERSION_ARN}/img/1.",
        ),
        (
            {"AliasesToAdd": ["x"], "AliasesToDelete": ["x"]},
            "Aliases ['x'] are both to add and to delete.",
        ),
    ],
)
def test_bad_alias_updates(sm: Any, image: str, update: dict[str, Any], message: str) -> None:
    make_version(sm, Aliases=["stable"])
    error = error_of(lambda: sm.update_image_version(ImageName=image, **update))
    assert error == {"Code": "ValidationException", "Message": message}
    assert aliases(sm) == ["stable"]


def test_aliases_go_with_the_deleted_version(sm: Any, image: str) -> None:
    make_version(sm, Aliases=["stable"])
    sm.delete_image_version(ImageName=image, Alias="stable")
    assert aliases(sm) == []
    assert make_version(sm, Aliases=["stable"]).endswith("/img/2")


def test_list_aliases(sm: Any, image: str) -> None:
    make_version(sm, Aliases=["b", "a"])
    make_version(sm)
    make_version(sm, Aliases=["c"])

    assert aliases(sm) == ["a", "b", "c"]
    assert aliases(sm, Version=1) == ["a", "b"]
    assert aliases(sm, Version=2) == []
    assert aliases(sm, Alias="c") == ["c"]
    assert aliases(sm, Alias="c", Version=1) == []
    missing = error_of(lambda: aliases(sm, Version=9))
    assert missing["Code"] == "ResourceNotFound"
    assert error_of(lambda: sm.list_aliases(ImageName="absent"))["Code"] == "ResourceNotFound"


def test_list_aliases_pages(sm: Any, image: str) -> None:
    make_version(sm, Aliases=[f"a{n:02d}" for n in range(15)])
    first = sm.list_aliases(ImageName=image)
    second = sm.list_aliases(ImageName=image, NextToken=first["NextToken"])
    assert first["SageMakerImageVersionAliases"] == [f"a{n:02d}" for n in range(10)]
    assert second["SageMakerImageVersionAliases"] == [f"a{n:02d}" for n in range(10, 15)]
    assert "NextToken" not in second
