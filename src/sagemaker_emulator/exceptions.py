"""Errors of the emulated SageMaker image API.

Each class carries the AWS error code as ``code``. moto serialises a raised ``ServiceException``
for SageMaker's JSON protocol as HTTP 400 with body ``{"__type": code, "Message": ...}`` (the
member name of SageMaker's error shapes), so botocore raises ``ClientError`` with
``Error.Code`` equal to ``code``. Note SageMaker's codes have no
``Exception`` suffix except ``ValidationException``.
"""

from moto.core.exceptions import ServiceException


class ImageApiError(ServiceException):
    """Base class of every error this emulator raises towards a client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class ResourceNotFound(ImageApiError):
    code = "ResourceNotFound"


class ResourceInUse(ImageApiError):
    code = "ResourceInUse"


class ResourceLimitExceeded(ImageApiError):
    code = "ResourceLimitExceeded"


class ValidationException(ImageApiError):
    code = "ValidationException"
