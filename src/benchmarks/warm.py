"""Warm invocation overhead (reports/performance.md, section 1): a READ through the real Lambda
entrypoint against the same SageMaker calls (DescribeImageVersion, DescribeImage, ListAliases)
made directly on one reused client."""

from __future__ import annotations

from community_sagemaker_imageversion.handlers import resource
from harness.driver import LambdaContext
from harness.events import handler_event

from .common import Ratio, make_version, median_ms, sagemaker_in_process, side_by_side

TARGET = 1.1


def measure(rounds: int) -> Ratio:
    with sagemaker_in_process() as sagemaker:
        version = make_version(sagemaker, "WarmImage")
        event = handler_event("READ", {"ImageVersionArn": version.arn, "ImageName": version.image})

        def through_the_handler() -> None:
            response = resource(dict(event), LambdaContext())
            if response["status"] != "SUCCESS":
                raise RuntimeError(f"READ failed: {response}")

        def direct_calls() -> None:
            sagemaker.describe_image_version(ImageName=version.image, Version=version.number)
            sagemaker.describe_image(ImageName=version.image)
            sagemaker.list_aliases(ImageName=version.image, Version=version.number, MaxResults=100)

        handler, direct = side_by_side(through_the_handler, direct_calls, rounds)
    return Ratio(median_ms(handler), median_ms(direct), rounds)
