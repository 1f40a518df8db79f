"""SageMaker's error answers as botocore raises them, for tests that fake a failing call."""

from botocore.exceptions import ClientError


def client_error(
    code: str, operation: str = "SomeOperation", status: int = 400, message: str = "boom"
) -> ClientError:
    """The ClientError botocore raises for an answer with ``code`` and HTTP ``status``."""
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {
                "RequestId": "",
                "HostId": "",
                "HTTPStatusCode": status,
                "HTTPHeaders": {},
                "RetryAttempts": 0,
            },
        },
        operation,
    )
