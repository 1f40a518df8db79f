"""Cold start (reports/performance.md, section 2): a fresh Python process that imports the handler
and serves one READ, against a fresh process that imports boto3, creates a SageMaker client and
makes the same calls. Both reach the emulator, served from this process, through
AWS_ENDPOINT_URL_SAGEMAKER.

Each is timed from process start until its calls have answered (the process prints the clock
then): what a Lambda cold start is, init and invocation. Interpreter teardown is left out, as a
Lambda process is frozen, not torn down, after it answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3

from harness.events import handler_event
from offline_aws.defaults import REGION
from sagemaker_emulator.server import running_server

from .common import Ratio, fake_credentials, make_version, median_ms

TARGET = 1.0

HANDLER_PROGRAM = """
import json, sys, time
from community_sagemaker_imageversion.handlers import resource
from harness.driver import LambdaContext
response = resource(json.loads(sys.argv[1]), LambdaContext())
assert response["status"] == "SUCCESS", response
print(time.time())
"""

DIRECT_PROGRAM = f"""
import sys, time
import boto3
client = boto3.client("sagemaker", region_name={REGION!r})
client.describe_image_version(ImageName=sys.argv[1], Version=int(sys.argv[2]))
client.describe_image(ImageName=sys.argv[1])
client.list_aliases(ImageName=sys.argv[1], Version=int(sys.argv[2]), MaxResults=100)
print(time.time())
"""


def _served_after(program: str, *args: str, env: dict[str, str]) -> float:
    """Seconds from starting ``program`` in a fresh process to its calls having answered."""
    started = time.time()
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", program, *args], env=env, check=True, capture_output=True, text=True
    ).stdout
    return float(output.split()[-1]) - started


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
            version = make_version(boto3.client("sagemaker", region_name=REGION), "ColdImage")
        finally:
            del os.environ["AWS_ENDPOINT_URL_SAGEMAKER"]
        event = json.dumps(
            handler_event("READ", {"ImageVersionArn": version.arn, "ImageName": version.image})
        )
        direct_args = (version.image, str(version.number))
        handler: list[float] = []
        direct: list[float] = []
        for round_number in range(rounds + 1):
            # (each goes first in every other round: a process started right after another
            # meets a busier host, which would otherwise always be the same one)
            if round_number % 2:
                direct_seconds = _served_after(DIRECT_PROGRAM, *direct_args, env=env)
                handler_seconds = _served_after(HANDLER_PROGRAM, event, env=env)
            else:
                handler_seconds = _served_after(HANDLER_PROGRAM, event, env=env)
                direct_seconds = _served_after(DIRECT_PROGRAM, *direct_args, env=env)
            if round_number:  # the first round warms the disk cache
                handler.append(handler_seconds)
                direct.append(direct_seconds)
    return Ratio(median_ms(handler), median_ms(direct), rounds)
