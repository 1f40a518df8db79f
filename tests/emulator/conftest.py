"""Fixtures of the emulator tests: mocked clients (the environment comes from tests/conftest.py)."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from offline_aws.defaults import REGION
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
