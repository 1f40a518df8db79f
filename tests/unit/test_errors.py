"""Every error SageMaker can answer for the calls we make maps to a deliberate error code."""

import botocore.session
import pytest
from botocore.exceptions import (
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
    WaiterError,
)
from cloudformation_cli_python_lib.interface import HandlerErrorCode

from community_sagemaker_imageversion import errors
from make_targets.sagemaker_model import OPERATIONS
from tests.botocore_errors import client_error

# What each modelled error becomes (ResourceInUse on a change is retried before it gets here).
EXPECTED = {
    "ResourceNotFound": HandlerErrorCode.NotFound,
    "ResourceInUse": HandlerErrorCode.ResourceConflict,
    "ResourceLimitExceeded": HandlerErrorCode.ServiceLimitExceeded,
}


def modelled_errors():
    model = botocore.session.get_session().get_service_model("sagemaker")
    found: set[str] = set()
    for name in OPERATIONS:
        found.update(shape.name for shape in model.operation_model(name).error_shapes)
    return sorted(found)


def test_the_botocore_model_declares_the_errors_we_expect():
    assert modelled_errors() == sorted(EXPECTED)


@pytest.mark.parametrize("code", modelled_errors())
def test_every_modelled_error_has_its_own_code(code):
    translated = errors.from_client_error(client_error(code), "Op", "version 1 of image x")
    assert translated.to_progress_event().errorCode == EXPECTED[code]


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ValidationException", 400, HandlerErrorCode.InvalidRequest),
        ("ThrottlingException", 400, HandlerErrorCode.Throttling),
        ("AccessDeniedException", 400, HandlerErrorCode.AccessDenied),
        ("UnrecognizedClientException", 400, HandlerErrorCode.InvalidCredentials),
        ("ExpiredTokenException", 400, HandlerErrorCode.InvalidCredentials),
        ("InternalFailure", 500, HandlerErrorCode.ServiceInternalError),
        ("ServiceUnavailable", 503, HandlerErrorCode.ServiceInternalError),
        ("SomethingNew", 502, HandlerErrorCode.ServiceInternalError),
        ("SomethingNew", 400, HandlerErrorCode.GeneralServiceException),
    ],
)
def test_common_aws_errors(code, status, expected):
    event = errors.from_client_error(
        client_error(code, status=status), "Op", "x"
    ).to_progress_event()
    assert event.errorCode == expected


@pytest.mark.parametrize("code", sorted(errors._BY_CODE))
def test_every_row_of_the_table_is_used_and_names_operation_and_message(code):
    event = errors.from_client_error(
        client_error(code, message="the detail"), "UpdateImageVersion", "version 3 of image x"
    ).to_progress_event()
    assert event.errorCode not in (HandlerErrorCode.GeneralServiceException, None)
    assert "UpdateImageVersion on version 3 of image x" in event.message
    assert "the detail" in event.message


def test_not_found_names_the_resource():
    event = errors.from_client_error(
        client_error("ResourceNotFound"), "Op", "arn:x"
    ).to_progress_event()
    assert "arn:x" in event.message
    assert "Community::SageMaker::ImageVersion" in event.message


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (EndpointConnectionError(endpoint_url="https://x"), HandlerErrorCode.NetworkFailure),
        (ReadTimeoutError(endpoint_url="https://x"), HandlerErrorCode.NetworkFailure),
        (NoCredentialsError(), HandlerErrorCode.InvalidCredentials),
        (ParamValidationError(report="bad"), HandlerErrorCode.InvalidRequest),
    ],
)
def test_client_side_failures(error, expected):
    translated = errors.from_botocore_error(error, "DescribeImageVersion")
    assert translated is not None
    assert translated.to_progress_event().errorCode == expected


def test_unknown_client_side_failures_are_left_to_surface():
    assert errors.from_botocore_error(WaiterError("w", "r", {}), "Op") is None
