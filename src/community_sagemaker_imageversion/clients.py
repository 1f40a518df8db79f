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
# access key id. An explicit INFO level on botocore's logger keeps them out of every log, whatever
# level the root logger is set to later.
_BOTOCORE_LOG_FLOOR = logging.INFO


def keep_credentials_out_of_logs() -> None:
    botocore_logger = logging.getLogger("botocore")
    if botocore_logger.level == logging.NOTSET or botocore_logger.level < _BOTOCORE_LOG_FLOOR:
        botocore_logger.setLevel(_BOTOCORE_LOG_FLOOR)


keep_credentials_out_of_logs()


# botocore's standard retry mode retries throttling, 5xx answers and dropped connections
# (replaying the same request, so a create keeps its ClientToken). The timeouts keep one call,
# retries included, well inside an invocation: SageMaker answers these calls in well under a second.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=5,
    read_timeout=10,
)


def sagemaker_client(session: SessionProxy | None, region: str | None) -> SageMakerClient:
    if session is None:
        raise exceptions.InvalidCredentials("The request carries no caller credentials")
    if not region:
        raise exceptions.InvalidRequest("The request names no region")
    client: SageMakerClient = session.client("sagemaker", region_name=region, config=CLIENT_CONFIG)
    return client
