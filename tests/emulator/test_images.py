"""CreateImage, DescribeImage, DeleteImage and ListImages."""

import datetime as dt
import time
from typing import Any

import pytest
from moto.moto_api import state_manager

from offline_aws.defaults import ACCOUNT, REGION
from sagemaker_emulator.models import IMAGE_DELETE_MODEL, IMAGE_MODEL

from .helpers import ROLE_ARN, error_of, make_image, make_version

IMAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:image/"


def names(listed: dict[str, Any]) -> list[str]:
    return [image["ImageName"] for image in listed["Images"]]


def test_create_and_describe_image(sm: Any) -> None:
    arn = make_image(
        sm, "MyImage", Description="desc", DisplayName="My image", Tags=[{"Key": "k", "Value": "v"}]
    )

    described = sm.describe_image(ImageName="MyImage")

    assert arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:image/myimage"
    assert described["ImageArn"] == arn
    assert described["ImageName"] == "MyImage"
    assert described["ImageStatus"] == "CREATED"
    assert described["RoleArn"] == ROLE_ARN
    assert described["Description"] == "desc"
    assert described["DisplayName"] == "My image"
    assert described["CreationTime"] == described["LastModifiedTime"]
    assert "FailureReason" not in described


def test_optional_fields_are_omitted_when_unset(sm: Any) -> None:
    make_image(sm)
    described = sm.describe_image(ImageName="img")
    assert not {"Description", "DisplayName", "FailureReason"} & described.keys()


@pytest.mark.parametrize("second", ["myimage", "MYIMAGE", "MyImage"])
def test_names_are_unique_case_insensitively(sm: Any, second: str) -> None:
    make_image(sm, "MyImage")
    error = error_of(lambda: make_image(sm, second))
    assert error["Code"] == "ResourceInUse"
    assert error["Message"] == (
        f"The Image with ImageName {second} already exists. Please use a different ImageName."
    )
    assert names(sm.list_images()) == ["MyImage"]


@pytest.mark.parametrize("action", ["describe_image", "delete_image", "list_image_versions"])
def test_lookups_are_case_sensitive(sm: Any, action: str) -> None:
    make_image(sm, "MyImage")
    error = error_of(lambda: getattr(sm, action)(ImageName="myimage"))
    assert error == {
        "Code": "ResourceNotFound",
        "Message": f"Image with ARN {IMAGE_ARN}myimage does not exist.",
    }


def test_delete_image_has_a_deleting_phase_then_its_versions_are_gone(sm: Any) -> None:
    make_image(sm)
    make_version(sm)
    make_version(sm)

    sm.delete_image(ImageName="img")

    # By default the first call that names (or lists) the image sees it DELETING.
    assert [i["ImageStatus"] for i in sm.list_images()["Images"]] == ["DELETING"]
    assert error_of(lambda: sm.describe_image(ImageName="img")) == {
        "Code": "ResourceNotFound",
        "Message": f"Image with ARN {IMAGE_ARN}img does not exist.",
    }
    assert sm.list_images()["Images"] == []
    state_manager.set_transition(IMAGE_DELETE_MODEL, {"progression": "manual", "times": 3})
    make_image(sm)
    sm.delete_image(ImageName="img")
    assert [sm.describe_image(ImageName="img")["ImageStatus"] for _ in range(3)] == ["DELETING"] * 3
    assert error_of(lambda: sm.describe_image(ImageName="img"))["Code"] == "ResourceNotFound"
    make_image(sm)
    assert sm.list_image_versions(ImageName="img")["ImageVersions"] == []
    assert make_version(sm).endswith("/img/1")


def test_delete_missing_image(sm: Any) -> None:
    assert error_of(lambda: sm.delete_image(ImageName="absent"))["Code"] == "ResourceNotFound"


def test_image_status_follows_the_state_manager(sm: Any) -> None:
    state_manager.set_transition(IMAGE_MODEL, {"progression": "manual", "times": 1})
    make_image(sm)

    assert names(sm.list_images()) == ["img"]
    assert sm.list_images()["Images"][0]["ImageStatus"] == "CREATING"
    error = error_of(lambda: make_version(sm))
    assert error["Code"] == "ValidationException"
    assert error["Message"].endswith(":image/img is in an invalid state.")

    assert sm.describe_image(ImageName="img")["ImageStatus"] == "CREATED"
    assert make_version(sm).endswith("/img/1")


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({}, ["a-img", "c-img", "b-img"]),
        ({"SortOrder": "ASCENDING"}, ["b-img", "c-img", "a-img"]),
        ({"SortBy": "IMAGE_NAME"}, ["c-img", "b-img", "a-img"]),
        ({"SortBy": "IMAGE_NAME", "SortOrder": "ASCENDING"}, ["a-img", "b-img", "c-img"]),
        ({"SortBy": "LAST_MODIFIED_TIME"}, ["a-img", "c-img", "b-img"]),
        ({"NameContains": "b-"}, ["b-img"]),
        ({"NameContains": "B-"}, []),
        ({"NameContains": "img", "MaxResults": 2}, ["a-img", "c-img"]),
    ],
)
def test_list_images_filters_and_sorts(
    sm: Any, request_: dict[str, Any], expected: list[str]
) -> None:
    for name in ("b-img", "c-img", "a-img"):  # creation order differs from name order
        make_image(sm, name)
        time.sleep(0.002)  # timestamps have millisecond precision
    assert names(sm.list_images(**request_)) == expected


def test_list_images_time_filters(sm: Any) -> None:
    make_image(sm, "early")
    middle = sm.describe_image(ImageName="early")["CreationTime"] + dt.timedelta(microseconds=500)
    time.sleep(0.002)  # timestamps have millisecond precision: "late" is at least 1 ms later
    make_image(sm, "late")

    assert names(sm.list_images(CreationTimeAfter=middle)) == ["late"]
    assert names(sm.list_images(CreationTimeBefore=middle)) == ["early"]
    assert names(sm.list_images(LastModifiedTimeAfter=middle)) == ["late"]
    assert names(sm.list_images(LastModifiedTimeBefore=middle)) == ["early"]
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert names(sm.list_images(CreationTimeAfter=future)) == []


def test_list_images_pages_of_ten_by_default(sm: Any) -> None:
    for index in range(23):
        make_image(sm, f"img{index:02d}")

    pages, token = [], None
    while True:
        listed = sm.list_images(SortBy="IMAGE_NAME", **({"NextToken": token} if token else {}))
        pages.append(names(listed))
        token = listed.get("NextToken")
        if not token:
            break

    assert [len(page) for page in pages] == [10, 10, 3]
    assert [name for page in pages for name in page] == [
        f"img{index:02d}" for index in reversed(range(23))
    ]
