"""Rule: no credential value (the access key id, secret access key or session token of the
caller or of the log delivery role) appears on stdout, on stderr or in any log record, whatever
fails and whatever an error message quotes.

A registered type's events carry the log delivery role's credentials and a log group; the
handler's lines are then shipped to CloudWatch Logs. CloudWatch Logs answering
InvalidSignatureException quotes the canonical request it computed, and with it the session
token the request was signed with (x-amz-security-token). The emulated CloudWatch Logs never
fails so, so its answer is faked at botocore's level, for the logs and metrics clients only.
A FAILED event's message, shown in the stack's events, is no exception: SageMaker answering
InvalidSignatureException quotes the caller's session token just the same.
"""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from harness.events import handler_event
from harness.recorder import BOTOCORE_CLIENT
from offline_aws.defaults import CALLER_CREDENTIALS
from tests.botocore_errors import client_error
from tests.handlers.conftest import props

from .wire import Answer

LOG_GROUP = "community-sagemaker-imageversion-logs"
PROVIDER_CREDENTIALS = {
    "accessKeyId": "AKIAEXAMPLEPROVIDER9",
    "secretAccessKey": "provider-secret-access-key-never-printed",
    "sessionToken": "provider-session-token-never-printed",
}
SECRETS = {
    **{f"caller {name}": value for name, value in CALLER_CREDENTIALS.items()},
    **{f"provider {name}": value for name, value in PROVIDER_CREDENTIALS.items()},
}


def signature_mismatch(operation: str, credentials: dict[str, str]) -> ClientError:
    """CloudWatch's InvalidSignatureException, quoting the canonical request and the string to
    sign, as AWS's answer does: the session token and the access key id are in them."""
    message = (
        "The request signature we calculated does not match the signature you provided. Check"
        " your AWS Secret Access Key and signing method. Consult the service documentation for"
        " details.\n\nThe Canonical String for this request should have been\n'POST\n/\n\n"
        "content-type:application/x-amz-json-1.1\nhost:logs.us-east-1.amazonaws.com\n"
        f"x-amz-date:20260101T000000Z\nx-amz-security-token:{credentials['sessionToken']}\n"
        "x-amz-target:Logs_20140328.PutLogEvents\n\n"
        "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n\n"
        "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260101T000000Z\n"
        f"20260101/us-east-1/logs/aws4_request\nCredential={credentials['accessKeyId']}'"
    )
    return client_error("InvalidSignatureException", operation, 403, message)


@pytest.fixture
def cloudwatch_refuses_the_signature(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every CloudWatch Logs and CloudWatch call answers InvalidSignatureException; the list
    holds the operations so answered."""
    original = BOTOCORE_CLIENT._make_api_call
    refused: list[str] = []

    def make_api_call(self: Any, operation: str, params: Any) -> Any:
        if self.meta.service_model.service_name in ("logs", "cloudwatch"):
            refused.append(operation)
            raise signature_mismatch(operation, PROVIDER_CREDENTIALS)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    return refused


@pytest.fixture
def every_log_record() -> Iterator[io.StringIO]:
    """Every log record of every logger, at DEBUG, with its traceback, into one buffer; the
    root logger's handlers and level as they were afterwards (log shipping adds its own)."""
    buffer = io.StringIO()
    capture = logging.StreamHandler(buffer)
    capture.setLevel(logging.DEBUG)
    capture.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.handlers.insert(0, capture)
    root.setLevel(logging.DEBUG)
    # Log shipping keeps the type's own records out of the root's first handler (Lambda's log):
    # a second capture sees them too.
    own = logging.StreamHandler(buffer)
    own.setFormatter(capture.formatter)
    package = logging.getLogger("community_sagemaker_imageversion")
    package.addHandler(own)
    try:
        yield buffer
    finally:
        package.removeHandler(own)
        root.handlers[:] = handlers
        root.setLevel(level)


def leaks(text: str) -> dict[str, int]:
    return {name: text.count(value) for name, value in SECRETS.items() if value in text}


@pytest.mark.parametrize("action", ["CREATE", "READ"])
def test_a_log_delivery_refused_for_its_signature_leaks_no_credential(
    image, driver, cloudwatch_refuses_the_signature, every_log_record, capfd, action
):
    model = props() if action == "CREATE" else driver.run("CREATE", props()).model
    capfd.readouterr()
    event = handler_event(action, model)
    event["requestData"]["providerLogGroupName"] = LOG_GROUP
    event["requestData"]["providerCredentials"] = dict(PROVIDER_CREDENTIALS)
    reply = driver.invoke(event)
    assert reply["status"] == "SUCCESS", reply
    assert "PutLogEvents" in cloudwatch_refuses_the_signature, "nothing was shipped"
    out, err = capfd.readouterr()
    seen = {
        "stdout": leaks(out),
        "stderr": leaks(err),
        "log records": leaks(every_log_record.getvalue()),
    }
    assert seen == {"stdout": {}, "stderr": {}, "log records": {}}


def test_a_sagemaker_answer_quoting_the_callers_token_leaks_it_nowhere(
    image, driver, wire_faults, every_log_record, capfd
):
    """The FAILED event's message is shown to everyone who can read the stack's events."""
    refused = signature_mismatch("CreateImageVersion", dict(CALLER_CREDENTIALS))
    message = refused.response["Error"]["Message"]
    wire_faults.add("CreateImageVersion", Answer.error("InvalidSignatureException", 403, message))
    reply = driver.invoke(handler_event("CREATE", props()))
    assert (reply["status"], reply.get("errorCode")) == ("FAILED", "InvalidCredentials"), reply
    out, err = capfd.readouterr()
    seen = {
        "event": leaks(json.dumps(reply)),
        "stdout": leaks(out),
        "stderr": leaks(err),
        "log records": leaks(every_log_record.getvalue()),
    }
    assert seen == {"event": {}, "stdout": {}, "stderr": {}, "log records": {}}
