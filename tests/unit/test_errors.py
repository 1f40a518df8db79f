"""Every error SageMaker can answer for the calls we make has one deliberate meaning
(errors.classify): what botocore's own rules retry is a transient fault, retried by the engine
and reported with its class's code when it outlasts every retry."""

import botocore.session
import pytest
from botocore.exceptions import (
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
    WaiterError,
)
from botocore.retries.standard import RetryContext, StandardRetryConditions
from cloudformation_cli_python_lib.interface import HandlerErrorCode

from community_sagemaker_imageversion import errors, timing
from community_sagemaker_imageversion.errors import Busy, Fault, IncompleteAnswer, Missing, Refused
from make_targets.sagemaker_model import OPERATIONS
from tests.botocore_errors import client_error


def meaning(error):
    found = errors.classify(error, "Op", "version 1 of image x")
    if isinstance(found, Fault):
        return ("fault", found.kind, found.outlasted().to_progress_event().errorCode)
    if isinstance(found, Missing | Busy | Refused):
        return type(found).__name__
    return None if found is None else found.to_progress_event().errorCode


def test_the_botocore_model_declares_the_errors_we_expect():
    model = botocore.session.get_session().get_service_model("sagemaker")
    found: set[str] = set()
    for name in OPERATIONS:
        found.update(shape.name for shape in model.operation_model(name).error_shapes)
    assert sorted(found) == ["ResourceInUse", "ResourceLimitExceeded", "ResourceNotFound"]


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ResourceNotFound", 400, "Missing"),  # "gone" is find_version's to decide
        ("ResourceInUse", 400, "Busy"),  # a phase decides: a busy image, or an alias held
        ("ValidationException", 400, "Refused"),  # a phase decides whether a state explains it
        ("ResourceLimitExceeded", 400, HandlerErrorCode.ServiceLimitExceeded),
        ("AccessDeniedException", 400, HandlerErrorCode.AccessDenied),
        ("UnrecognizedClientException", 400, HandlerErrorCode.InvalidCredentials),
        ("ExpiredTokenException", 400, HandlerErrorCode.InvalidCredentials),
        ("SomethingNew", 400, HandlerErrorCode.GeneralServiceException),
        ("ThrottlingException", 400, ("fault", timing.THROTTLING, HandlerErrorCode.Throttling)),
        ("ThrottledException", 400, ("fault", timing.THROTTLING, HandlerErrorCode.Throttling)),
        (
            "TooManyRequestsException",
            429,
            ("fault", timing.THROTTLING, HandlerErrorCode.Throttling),
        ),
        ("", 429, ("fault", timing.THROTTLING, HandlerErrorCode.Throttling)),
        ("BandwidthLimitExceeded", 509, ("fault", timing.THROTTLING, HandlerErrorCode.Throttling)),
        (
            "PriorRequestNotComplete",
            400,
            ("fault", timing.THROTTLING, HandlerErrorCode.Throttling),
        ),
        (
            "RequestTimeoutException",
            400,
            ("fault", timing.SERVER, HandlerErrorCode.ServiceInternalError),
        ),
        ("InternalFailure", 500, ("fault", timing.SERVER, HandlerErrorCode.ServiceInternalError)),
        (
            "ServiceUnavailable",
            503,
            ("fault", timing.SERVER, HandlerErrorCode.ServiceInternalError),
        ),
        ("SomethingNew", 502, ("fault", timing.SERVER, HandlerErrorCode.ServiceInternalError)),
        ("SomethingNew", 501, ("fault", timing.SERVER, HandlerErrorCode.ServiceInternalError)),
    ],
)
def test_each_answer_has_one_meaning(code, status, expected):
    assert meaning(client_error(code, status=status)) == expected


@pytest.mark.parametrize(
    "code",
    [
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "RequestTimeout",
        "RequestTimeoutException",
    ],
)
def test_every_code_botocores_standard_rules_retry_is_a_fault(code):
    error = client_error(code)
    retried = StandardRetryConditions().is_retryable(
        RetryContext(1, parsed_response=error.response)
    )
    assert retried, "botocore retries it: the test's premise"
    found = errors.classify(error, "Op", "x")
    assert isinstance(found, Fault)


@pytest.mark.parametrize("code", sorted(errors._BY_CODE))
def test_every_row_of_the_table_is_used_and_names_operation_and_message(code):
    found = errors.classify(
        client_error(code, message="the detail"), "UpdateImageVersion", "version 3 of image x"
    )
    assert found is not None
    assert not isinstance(found, Fault | Missing | Busy)
    text = str(found)
    assert "UpdateImageVersion on version 3 of image x" in text
    assert "the detail" in text


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            EndpointConnectionError(endpoint_url="https://x"),
            ("fault", timing.SERVER, HandlerErrorCode.NetworkFailure),
        ),
        (
            ReadTimeoutError(endpoint_url="https://x"),
            ("fault", timing.SERVER, HandlerErrorCode.NetworkFailure),
        ),
        (
            ConnectionClosedError(endpoint_url="https://x"),
            ("fault", timing.SERVER, HandlerErrorCode.NetworkFailure),
        ),
        (
            IncompleteAnswer("cut short"),
            ("fault", timing.SERVER, HandlerErrorCode.NetworkFailure),
        ),
        (NoCredentialsError(), HandlerErrorCode.InvalidCredentials),
        (ParamValidationError(report="bad"), HandlerErrorCode.InvalidRequest),
    ],
)
def test_client_side_failures(error, expected):
    assert meaning(error) == expected


def test_unknown_failures_are_left_to_surface_as_bugs():
    assert errors.classify(WaiterError("w", "r", {}), "Op", "x") is None
    assert errors.classify(KeyError("ImageVersionStatus"), "Op", "x") is None
