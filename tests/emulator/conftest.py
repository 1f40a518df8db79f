"""Fixtures of the emulator tests: mocked clients (the environment comes from tests/conftest.py)."""

import functools
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import botocore.endpoint
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
    """A SageMaker client inside a fresh mock_aws (one client per process: it keeps nothing of
    a test, and building one takes about 20 ms)."""
    with mock_aws():
        yield _client(boto_session, validated=True)


@pytest.fixture
def raw_sm(sm: Any, boto_session: boto3.session.Session) -> Any:
    """A client of the same mock that skips botocore's own checks, to reach the emulator's."""
    return _client(boto_session, validated=False)


@functools.cache
def _client(session: boto3.session.Session, *, validated: bool) -> Any:
    config = Config(parameter_validation=validated)
    return session.client("sagemaker", region_name=REGION, config=config)


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


class Backoffs:
    """The time module as botocore's endpoint sees it, but its retries' sleeps are recorded and
    not slept (botocore's backoff is real time, a second or two a retry)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.fixture
def backoffs(monkeypatch: pytest.MonkeyPatch) -> Backoffs:
    recorded = Backoffs()
    monkeypatch.setattr(botocore.endpoint, "time", recorded)
    return recorded
