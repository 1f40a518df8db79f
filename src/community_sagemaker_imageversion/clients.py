"""SageMaker clients for one request: the caller's credentials, the request's region."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from botocore.config import Config
from cloudformation_cli_python_lib import exceptions
from cloudformation_cli_python_lib.boto3_proxy import SessionProxy

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

# botocore's DEBUG lines print each request's headers, among them the caller's session token and
# access key id. Holding botocore at INFO keeps them out of every log, whatever the root level.
_BOTOCORE_LOG_FLOOR = logging.INFO


def keep_credentials_out_of_logs() -> None:
    botocore_logger = logging.getLogger("botocore")
    if botocore_logger.getEffectiveLevel() < _BOTOCORE_LOG_FLOOR:
        botocore_logger.setLevel(_BOTOCORE_LOG_FLOOR)


# botocore's standard retry mode retries throttling, 5xx answers and dropped connections
# (replaying the same request, so a create keeps its ClientToken).
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=10,
    read_timeout=30,
)


def sagemaker_client(session: SessionProxy | None, region: str | None) -> SageMakerClient:
    keep_credentials_out_of_logs()
    if session is None:
        raise exceptions.InvalidCredentials("The request carries no caller credentials")
    if not region:
        raise exceptions.InvalidRequest("The request names no region")
    client: SageMakerClient = session.client("sagemaker", region_name=region, config=CLIENT_CONFIG)
    return client
