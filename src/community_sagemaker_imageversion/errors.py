"""What a failed SageMaker call means: one function, :func:`classify`, decides it for every call.

- ``ResourceNotFound`` is :class:`Missing`: whether that means *gone* is decided once, in
  :func:`.sagemaker.find_version`, never here (one no phase gave a meaning is retried,
  :func:`unconfirmed`).
- ``ResourceInUse`` is :class:`Busy`: another version of the image is changing (or, where
  SageMaker answers an alias clash that way, another version holds an alias); a phase decides.
- What botocore's own retry rules retry (``botocore.retries.standard``: throttling codes, 429,
  5xx, RequestTimeoutException, PriorRequestNotComplete, network failures; plus an answer cut
  short, which botocore would take for a success) is a :class:`Fault`, which the engine retries,
  bounded by the deadline, and reports with the error code of its class when it outlasts that.
- ``ValidationException`` is :class:`Refused`: SageMaker will not do it in its present state; a
  phase decides whether a state explains it.
- Everything else becomes the CloudFormation exception of the table below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import SimpleNamespace

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
)
from botocore.retries import standard
from botocore.retries.standard import RetryContext
from cloudformation_cli_python_lib import exceptions

from .timing import SERVER, THROTTLING

# The runtime library's base class of every error it turns into a FAILED event. It is private
# (its name starts with an underscore) but it is the only type that says "a handler error".
HandlerError = exceptions._HandlerError


class Missing(Exception):
    """SageMaker answered ResourceNotFound: not shown now, which is not yet "gone"."""


class Busy(Exception):
    """SageMaker refused a change with ResourceInUse."""


class Refused(Exception):
    """SageMaker refused a request with ValidationException (its message says why)."""


class Fault(Exception):
    """A transient failure: retried by the engine; ``failure`` is what it becomes when it
    outlasts every retry, ``kind`` its retry class (timing.THROTTLING or timing.SERVER)."""

    def __init__(self, message: str, kind: str, failure: Callable[[str], HandlerError]) -> None:
        super().__init__(message)
        self.kind = kind
        self.failure = failure
        self.backoff: float | None = None
        """Seconds the phase that met it waits instead of the engine's retries (contention it
        knows how to wait out); None: the engine's retry policy."""

    def outlasted(self) -> HandlerError:
        return self.failure(f"{self} (SageMaker kept failing; every retry was spent)")


class IncompleteAnswer(Exception):
    """An answer without what the handler needs: cut short on the wire (botocore parses a 200
    answer whose JSON body is cut as a success without members), or lacking a field."""


# Error codes SageMaker (and the AWS front end before it) sends, by the exception they become
# when they are not retried (or outlast every retry).
_BY_CODE: Mapping[str, Callable[[str], HandlerError]] = {
    "ResourceLimitExceeded": exceptions.ServiceLimitExceeded,
    "ValidationException": exceptions.InvalidRequest,
    "AccessDeniedException": exceptions.AccessDenied,
    "AccessDenied": exceptions.AccessDenied,
    "UnauthorizedOperation": exceptions.AccessDenied,
    "UnrecognizedClientException": exceptions.InvalidCredentials,
    "InvalidClientTokenId": exceptions.InvalidCredentials,
    "ExpiredTokenException": exceptions.InvalidCredentials,
    "InvalidSignatureException": exceptions.InvalidCredentials,
    "SignatureDoesNotMatch": exceptions.InvalidCredentials,
    "IncompleteSignature": exceptions.InvalidCredentials,
}

# botocore's standard retry conditions (StandardRetryConditions), but for the two special
# checkers of other services (DynamoDB checksums, STS identity providers), which read an
# operation model this classification has no need of. ThrottlingStatusCodeChecker (botocore's
# 429 rule) is newer than botocore's type stubs.
_THROTTLED = (standard.ThrottledRetryableChecker(), standard.ThrottlingStatusCodeChecker())  # type: ignore[attr-defined]
_RETRYABLE = standard.OrRetryChecker(
    [standard.TransientRetryableChecker(), *_THROTTLED, standard.ModeledRetryableChecker()]
)


def unanswered(meaning: Busy | Refused) -> HandlerError:
    """What a refusal no phase gave a meaning of its own becomes."""
    if isinstance(meaning, Busy):
        return exceptions.ResourceConflict(str(meaning))
    return exceptions.InvalidRequest(str(meaning))


def unconfirmed(meaning: Missing | IncompleteAnswer) -> Fault:
    """What reaches the engine that only reading again can settle, as a transient fault (the
    phase runs again, and observes first): an answer found lacking what the handler needs once
    parsed, and a ResourceNotFound no phase gave a meaning. Only find_version decides that a
    version is gone: one call's ResourceNotFound just after a read showed the version (its
    aliases, its update) is a stale read until find_version confirms it."""
    if isinstance(meaning, IncompleteAnswer):
        return Fault(str(meaning), SERVER, exceptions.NetworkFailure)
    return Fault(
        f"{meaning} (not taken as gone: reading the version again did not confirm it)",
        SERVER,
        exceptions.ServiceInternalError,
    )


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", "")) or "no message"


def _status(error: ClientError) -> int:
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return status if isinstance(status, int) else 0


def _retry_context(error: Exception) -> RetryContext:
    if isinstance(error, ClientError):
        answer = SimpleNamespace(status_code=_status(error))
        return RetryContext(1, parsed_response=error.response, http_response=answer)
    return RetryContext(1, caught_exception=error)


def classify(  # noqa: PLR0911
    error: Exception, operation: str, label: str
) -> Missing | Busy | Refused | Fault | HandlerError | None:
    """What ``error`` (from ``operation`` on ``label``) means; None for an error no table knows
    (a bug in the handler, which the engine reports as one)."""
    if isinstance(error, IncompleteAnswer):
        return Fault(f"{operation} on {label}: {error}", SERVER, exceptions.NetworkFailure)
    if not isinstance(error, ClientError | BotoCoreError):
        return None
    if isinstance(error, ClientError):
        code = error_code(error)
        if code == "ResourceNotFound":
            return Missing(f"{operation} on {label}: {_message(error)}")
        if code == "ResourceInUse":
            return Busy(f"{operation} on {label} failed: {code}: {_message(error)}")
    context = _retry_context(error)
    if _RETRYABLE.is_retryable(context):
        text = f"{operation} on {label} failed: {_describe(error)}"
        if any(checker.is_retryable(context) for checker in _THROTTLED):
            return Fault(text, THROTTLING, exceptions.Throttling)
        if isinstance(error, ClientError):
            return Fault(text, SERVER, exceptions.ServiceInternalError)
        return Fault(text, SERVER, exceptions.NetworkFailure)
    if isinstance(error, BotoCoreError):
        return _client_side(error, operation)
    code, text = error_code(error), f"{operation} on {label} failed: {_describe(error)}"
    if code == "ValidationException":
        return Refused(text)
    if code in _BY_CODE:
        return _BY_CODE[code](text)
    if _status(error) >= 500:
        return Fault(text, SERVER, exceptions.ServiceInternalError)
    return exceptions.GeneralServiceException(text)


def _describe(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        return f"{error_code(error) or _status(error)}: {_message(error)}"
    return str(error)


def _client_side(error: BotoCoreError, operation: str) -> HandlerError | None:
    text = f"{operation} failed: {error}"
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return exceptions.InvalidCredentials(text)
    if isinstance(error, ParamValidationError):
        return exceptions.InvalidRequest(text)
    return None
