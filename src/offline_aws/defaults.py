"""The one offline account every local tool, test and benchmark uses: its identity, the
credentials its processes and handler invocations carry (all fake), and the fixed ports of
`make serve`. Nothing here reaches AWS."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Final

ACCOUNT: Final = "123456789012"
REGION: Final = "us-east-1"
PARTITION: Final = "aws"

# ARNs and addresses in that account.
SAGEMAKER_ARN_PREFIX: Final = f"arn:{PARTITION}:sagemaker:{REGION}:{ACCOUNT}"
IMAGE_ROLE: Final = f"arn:{PARTITION}:iam::{ACCOUNT}:role/SageMakerImageRole"
FUNCTION_ARN: Final = f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:TypeFunction"
ECR_REGISTRY: Final = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"


def version_arn(image: str, number: int) -> str:
    """The ARN SageMaker gives version ``number`` of ``image`` (its name lower-cased) here."""
    return f"{SAGEMAKER_ARN_PREFIX}:image-version/{image.lower()}/{number}"


def base_image(repository: str) -> str:
    """A container image in this account's registry, e.g. ``base_image("training:1.0")``."""
    return f"{ECR_REGISTRY}/{repository}"


# The caller's credentials CloudFormation hands each handler invocation (requestData).
CALLER_CREDENTIALS: Final = {
    "accessKeyId": "AKIAEXAMPLEKEYID0001",
    "secretAccessKey": "example-secret-access-key-do-not-log",
    "sessionToken": "example-session-token-do-not-log",
}
# The credentials of local processes (the emulator's clients, `cfn`, benchmarks, tests).
PROCESS_CREDENTIALS: Final = {
    "AWS_ACCESS_KEY_ID": "offline",
    "AWS_SECRET_ACCESS_KEY": "offline",
}

# `make serve`: the emulator's port, and the Invoke endpoint's, which `cfn test` and `cfn invoke`
# call unless told otherwise.
EMULATOR_PORT: Final = 5000
LAMBDA_ENDPOINT_PORT: Final = 3001


# botocore's endpoint variables of the services a handler process calls: SageMaker (the
# handlers), Logs and CloudWatch (the runtime library, shipping logs and metrics); the offline
# AWS serves all three on one port.
SERVED_ENDPOINTS: Final = (
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
    "AWS_ENDPOINT_URL_CLOUDWATCH",
)
# Every variable that sends a process's AWS calls elsewhere.
ENDPOINT_VARIABLES: Final = ("AWS_ENDPOINT_URL", *SERVED_ENDPOINTS)


def use_offline_account(environ: MutableMapping[str, str]) -> None:
    """Point a process environment at the offline account: its credentials and region, and no
    profile or endpoint taken from the developer's own configuration."""
    for name in ("AWS_PROFILE", *ENDPOINT_VARIABLES):
        environ.pop(name, None)
    environ.update(PROCESS_CREDENTIALS)
    environ["AWS_DEFAULT_REGION"] = REGION
