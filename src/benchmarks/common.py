"""What every benchmark shares: the emulated SageMaker, a version to work on, medians."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws

from offline_aws.defaults import ACCOUNT, REGION, base_image, use_offline_account
from sagemaker_emulator import install

ROLE = f"arn:aws:iam::{ACCOUNT}:role/BenchImageRole"
BASE = base_image("bench:1.0")


@dataclass(frozen=True)
class Version:
    image: str
    number: int
    arn: str


@dataclass(frozen=True)
class Ratio:
    """Medians of the handler's way and the direct way of doing the same thing."""

    handler_ms: float
    direct_ms: float
    rounds: int

    @property
    def ratio(self) -> float:
        return self.handler_ms / self.direct_ms


def fake_credentials() -> None:
    use_offline_account(os.environ)


@contextlib.contextmanager
def sagemaker_in_process() -> Iterator[Any]:
    """The emulator in process (moto's mock_aws); yields a SageMaker client of it."""
    fake_credentials()
    install()
    with mock_aws():
        yield boto3.client("sagemaker", region_name=REGION)


def make_version(
    sagemaker: Any, image: str, aliases: tuple[str, ...] = ("stable", "1.0")
) -> Version:
    sagemaker.create_image(ImageName=image, RoleArn=ROLE)
    arn = sagemaker.create_image_version(
        ImageName=image, BaseImage=BASE, ClientToken=f"bench-{image}", Aliases=list(aliases)
    )["ImageVersionArn"]
    return Version(image, int(arn.rsplit("/", 1)[-1]), arn)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def side_by_side(
    a: Callable[[], object], b: Callable[[], object], rounds: int, warmup: int = 5
) -> tuple[list[float], list[float]]:
    """Time ``a`` and ``b`` alternately, so drift in the machine affects both alike."""
    for _ in range(warmup):
        a()
        b()
    first: list[float] = []
    second: list[float] = []
    for _ in range(rounds):
        first.append(timed(a))
        second.append(timed(b))
    return first, second
