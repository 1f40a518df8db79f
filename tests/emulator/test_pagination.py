"""ListImageVersions paging and sorting, and NextToken validity."""

import base64
import time
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import error_of, make_image, make_version


@pytest.fixture
def image(sm: Any) -> str:
    make_image(sm)
    return "img"


def all_pages(sm: Any, **request: Any) -> list[list[int]]:
    """Version numbers of every page, following NextToken (from request's, if any)."""
    pages: list[list[int]] = []
    while True:
        listed = sm.list_image_versions(ImageName="img", **request)
        pages.append([v["Version"] for v in listed["ImageVersions"]])
        if "NextToken" not in listed:
            return pages
        request["NextToken"] = listed["NextToken"]


def test_250_versions_in_pages_of_100(sm: Any, image: str) -> None:
    for _ in range(250):
        make_version(sm)

    pages = all_pages(sm, MaxResults=100)

    assert [len(page) for page in pages] == [100, 100, 50]
    assert [n for page in pages for n in page] == list(range(250, 0, -1))


def test_default_page_size_is_ten(sm: Any, image: str) -> None:
    for _ in range(25):
        make_version(sm)
    pages = all_pages(sm, SortBy="VERSION", SortOrder="ASCENDING")
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [n for page in pages for n in page] == list(range(1, 26))


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({}, [3, 2, 1]),
        ({"SortOrder": "ASCENDING"}, [1, 2, 3]),
        ({"SortBy": "VERSION"}, [3, 2, 1]),
        ({"SortBy": "LAST_MODIFIED_TIME"}, [2, 3, 1]),
        ({"SortBy": "LAST_MODIFIED_TIME", "SortOrder": "ASCENDING"}, [1, 3, 2]),
    ],
)
def test_sort_orders(sm: Any, image: str, request_: dict[str, Any], expected: list[int]) -> None:
    for _ in range(3):
        make_version(sm)
        time.sleep(0.002)  # timestamps have millisecond precision
    sm.update_image_version(ImageName=image, Version=2, ReleaseNotes="touched")
    assert all_pages(sm, **request_) == [expected]


def test_time_filters(sm: Any, image: str) -> None:
    make_version(sm)
    first = sm.describe_image_version(ImageName=image)["CreationTime"]
    time.sleep(0.002)
    make_version(sm)
    # Inclusive, as the API documentation says: "on or after", "on or before".
    assert all_pages(sm, CreationTimeAfter=first) == [[2, 1]]
    assert all_pages(sm, CreationTimeBefore=first) == [[1]]
    assert all_pages(sm, LastModifiedTimeBefore=first, LastModifiedTimeAfter=first) == [[1]]
    later = first + timedelta(milliseconds=1)
    assert all_pages(sm, CreationTimeAfter=later) == [[2]]
    assert all_pages(sm, CreationTimeBefore=later) == [[1]]


def test_token_survives_changes_between_pages(sm: Any, image: str) -> None:
    for _ in range(12):
        make_version(sm)
    first = sm.list_image_versions(
        ImageName=image, SortBy="VERSION", SortOrder="ASCENDING", MaxResults=5
    )
    assert [v["Version"] for v in first["ImageVersions"]] == [1, 2, 3, 4, 5]

    for version in (5, 6):  # the last item returned and the one after it
        sm.delete_image_version(ImageName=image, Version=version)
    make_version(sm)

    rest = all_pages(
        sm, SortBy="VERSION", SortOrder="ASCENDING", MaxResults=5, NextToken=first["NextToken"]
    )
    assert rest == [[7, 8, 9, 10, 11], [12, 13]]


def test_invalid_tokens_are_rejected(sm: Any, image: str) -> None:
    make_image(sm, "other")
    for _ in range(3):
        make_version(sm)
        make_version(sm, "other")
    version_token = sm.list_image_versions(ImageName=image, MaxResults=1)["NextToken"]
    for name in ("a", "b"):
        make_image(sm, name)
    image_token = sm.list_images(MaxResults=1)["NextToken"]
    not_json = base64.urlsafe_b64encode(b"not json").decode()

    bad_requests = [
        {"ImageName": image, "NextToken": "garbage!"},
        {"ImageName": image, "NextToken": not_json},
        {"ImageName": image, "NextToken": image_token},
        {"ImageName": "other", "NextToken": version_token},
        {"ImageName": image, "NextToken": version_token, "SortOrder": "ASCENDING"},
        {"ImageName": image, "NextToken": version_token, "SortBy": "VERSION"},
    ]
    for request in bad_requests:
        with pytest.raises(ClientError) as caught:
            sm.list_image_versions(**request)
        assert caught.value.response["Error"] == {
            "Code": "ValidationException",
            "Message": "The NextToken is not valid for this request.",
        }, request
    assert (
        error_of(lambda: sm.list_images(NextToken=version_token))["Code"] == "ValidationException"
    )
