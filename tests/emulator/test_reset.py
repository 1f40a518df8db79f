"""State is kept per account and region and cleared by every mock_aws start and stop."""

from typing import Any

import boto3
import pytest
from moto import mock_aws

from offline_aws.defaults import REGION
from sagemaker_emulator.control import controls

from .helpers import make_image, make_version


def image_names(client: Any) -> list[str]:
    return [image["ImageName"] for image in client.list_images()["Images"]]


def test_mock_aws_starts_empty_every_time(boto_session: boto3.session.Session) -> None:
    for _ in range(2):
        with mock_aws():
            sm = boto_session.client("sagemaker", region_name=REGION)
            assert image_names(sm) == []
            assert controls().concurrency_check is True
            assert controls().failures == []
            make_image(sm)
            make_version(sm)
            controls().concurrency_check = False
            controls().fail_create("left over")
            assert image_names(sm) == ["img"]


def test_state_is_per_region(sm: Any, boto_session: boto3.session.Session) -> None:
    make_image(sm)
    west = boto_session.client("sagemaker", region_name="us-west-2")
    assert image_names(west) == []
    assert make_image(west).startswith("arn:aws:sagemaker:us-west-2:")


def test_state_is_per_account(
    sm: Any, boto_session: boto3.session.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_image(sm)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")
    assert image_names(sm) == []
    assert make_image(sm).startswith("arn:aws:sagemaker:us-east-1:111122223333:image/")
    controls("111122223333").max_images = 1
    assert controls().max_images is None
