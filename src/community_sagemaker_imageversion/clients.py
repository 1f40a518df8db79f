"""SageMaker clients for one request: the caller's credentials, the request's region."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.config import Config
from cloudformation_cli_python_lib import exceptions
from cloudformation_cli_python_lib.boto3_proxy import SessionProxy

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

# botocore's standard retry mode retries throttling, 5xx answers and dropped connections
# (replaying the same request, so a create keeps its ClientToken).
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=10,
    read_timeout=30,
)


def sagemaker_client(session: SessionProxy | None, region: str | None) -> SageMakerClient:
    if session is None:
        raise exceptions.InvalidCredentials("The request carries no caller credentials")
    if not region:
        raise exceptions.InvalidRequest("The request names no region")
    client: SageMakerClient = session.client("sagemaker", region_name=region, config=CLIENT_CONFIG)
    return client
