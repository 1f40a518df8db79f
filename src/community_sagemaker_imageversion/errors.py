"""SageMaker errors -> CloudFormation error codes.

One table decides which HandlerErrorCode a SageMaker or botocore failure becomes. Callers that give
an error a meaning of their own (a missing parent image on create, a busy image to retry) catch
those codes first; everything else comes here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
)
from cloudformation_cli_python_lib import exceptions

from . import TYPE_NAME

# The runtime library's base class of every error it turns into a FAILED event. It is private
# (its name starts with an underscore) but it is the only type that says "a handler error".
HandlerError = exceptions._HandlerError
TRANSIENT = (exceptions.Throttling, exceptions.ServiceInternalError, exceptions.NetworkFailure)


class ImageBusy(Exception):
    """SageMaker refused a change with ResourceInUse: another version of the image is changing,
    or (where SageMaker answers an alias clash that way) another version holds an alias."""


# Error codes SageMaker (and the AWS front end before it) sends, by the exception they become.
_BY_CODE: Mapping[str, Callable[[str], HandlerError]] = {
    "ResourceInUse": exceptions.ResourceConflict,
    "ResourceLimitExceeded": exceptions.ServiceLimitExceeded,
    "ValidationException": exceptions.InvalidRequest,
    "ThrottlingException": exceptions.Throttling,
    "Throttling": exceptions.Throttling,
    "TooManyRequestsException": exceptions.Throttling,
    "RequestLimitExceeded": exceptions.Throttling,
    "AccessDeniedException": exceptions.AccessDenied,
    "AccessDenied": exceptions.AccessDenied,
    "UnauthorizedOperation": exceptions.AccessDenied,
    "UnrecognizedClientException": exceptions.InvalidCredentials,
    "InvalidClientTokenId": exceptions.InvalidCredentials,
    "ExpiredTokenException": exceptions.InvalidCredentials,
    "InvalidSignatureException": exceptions.InvalidCredentials,
    "SignatureDoesNotMatch": exceptions.InvalidCredentials,
    "IncompleteSignature": exceptions.InvalidCredentials,
    "InternalFailure": exceptions.ServiceInternalError,
    "InternalServerError": exceptions.ServiceInternalError,
    "ServiceUnavailable": exceptions.ServiceInternalError,
}


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", "")) or "no message"


def from_client_error(error: ClientError, operation: str, identifier: str) -> HandlerError:
    """The CloudFormation exception for a SageMaker error on ``identifier``."""
    code = error_code(error)
    if code == "ResourceNotFound":
        return exceptions.NotFound(TYPE_NAME, identifier)
    text = f"{operation} on {identifier} failed: {code}: {_message(error)}"
    if code in _BY_CODE:
        return _BY_CODE[code](text)
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if isinstance(status, int) and status >= 500:
        return exceptions.ServiceInternalError(text)
    return exceptions.GeneralServiceException(text)


def from_botocore_error(error: BotoCoreError, operation: str) -> HandlerError | None:
    """The exception for a client-side failure; None for an unknown one (a bug)."""
    text = f"{operation} failed: {error}"
    if isinstance(error, ConnectionError | HTTPClientError):
        return exceptions.NetworkFailure(text)
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return exceptions.InvalidCredentials(text)
    if isinstance(error, ParamValidationError):
        return exceptions.InvalidRequest(text)
    return None
