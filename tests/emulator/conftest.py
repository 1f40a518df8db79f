"""Fixtures of the emulator tests: mocked clients (the environment comes from tests/conftest.py)."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from offline_aws.defaults import REGION
from sagemaker_emulator import clock as emulator_clock
from sagemaker_emulator.server import running_server


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    """One session for all tests: it loads SageMaker's large service model only once."""
    return boto3.session.Session()


@pytest.fixture
def sm(boto_session: boto3.session.Session) -> Iterator[Any]:
    """A SageMaker client inside a fresh mock_aws."""
    with mock_aws():
        yield boto_session.client("sagemaker", region_name=REGION)


@pytest.fixture
def raw_sm(sm: Any, boto_session: boto3.session.Session) -> Any:
    """A client of the same mock that skips botocore's own checks, to reach the emulator's."""
    config = Config(parameter_validation=False)
    return boto_session.client("sagemaker", region_name=REGION, config=config)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """The emulator as moto's server, in a background thread, for the tests of one module."""
    with running_server() as url:
        yield url


class ManualClock:
    """The emulator's clock, moved only by the test (``now``, or the emulator's own pauses)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._started = emulator_clock.SystemClock().utcnow()

    def monotonic(self) -> float:
        return self.now

    def utcnow(self) -> datetime:
        return self._started + timedelta(seconds=self.now - 1000.0)

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def manual_clock() -> Iterator[ManualClock]:
    """The emulator's one clock (timed rules, rate limits, time progressions) under the test's
    hand."""
    fake = ManualClock()
    previous = emulator_clock.use_clock(fake)
    try:
        yield fake
    finally:
        emulator_clock.use_clock(previous)
