"""Target 2, cold start: a fresh Python process that imports the handler and serves one READ,
against a fresh process that imports boto3, creates a SageMaker client and makes the same calls.
Both reach the emulator, served from this process, through AWS_ENDPOINT_URL_SAGEMAKER."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3

from local_runner.events import DEFAULT_REGION, handler_event
from sagemaker_emulator.server import running_server

from .common import Ratio, fake_credentials, make_version, median_ms, side_by_side

TARGET = 1.2

HANDLER_PROGRAM = """
import json, sys
from community_sagemaker_imageversion.handlers import resource
from local_runner.driver import LambdaContext
response = resource(json.loads(sys.argv[1]), LambdaContext())
assert response["status"] == "SUCCESS", response
"""

DIRECT_PROGRAM = """
import sys
import boto3
client = boto3.client("sagemaker", region_name="us-east-1")
client.describe_image_version(ImageName=sys.argv[1], Version=int(sys.argv[2]))
client.list_aliases(ImageName=sys.argv[1], Version=int(sys.argv[2]), MaxResults=100)
"""


def _run(program: str, *args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", program, *args], env=env, check=True)  # noqa: S603


def measure(rounds: int) -> Ratio:
    fake_credentials()
    with running_server() as endpoint:
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL_SAGEMAKER": endpoint,
            "PYTHONPATH": str(Path("src").resolve()),
        }
        os.environ["AWS_ENDPOINT_URL_SAGEMAKER"] = endpoint
        try:
            version = make_version(
                boto3.client("sagemaker", region_name=DEFAULT_REGION), "ColdImage"
            )
        finally:
            del os.environ["AWS_ENDPOINT_URL_SAGEMAKER"]
        event = json.dumps(
            handler_event("READ", {"ImageVersionArn": version.arn, "ImageName": version.image})
        )
        handler, direct = side_by_side(
            lambda: _run(HANDLER_PROGRAM, event, env=env),
            lambda: _run(DIRECT_PROGRAM, version.image, str(version.number), env=env),
            rounds,
            warmup=1,
        )
    return Ratio(median_ms(handler), median_ms(direct), rounds)
