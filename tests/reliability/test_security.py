"""Least privilege and secrets: what the handlers call, and what reaches a log.

- Across a run through every path, each action's handler calls exactly the permissions the
  schema lists for it (none missing, none unused), so resource-role.yaml is least privilege.
  (tests/conftest.py also checks, on every test of the suite, that no handler call falls outside
  its action's permissions and that every version-scoped call names its Version.)
- No credential value appears in any log record or on stdout/stderr of such a run.
"""

import io
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from moto import mock_aws

from community_sagemaker_imageversion.actions import read
from community_sagemaker_imageversion.handlers import resource
from harness.call_rules import schema_permissions, used_permissions
from harness.driver import Driver
from harness.events import handler_event
from harness.recorder import Call, recording
from offline_aws.defaults import CALLER_CREDENTIALS, REGION
from reliability_suite import figures
from tests.handlers.conftest import empty_pages_first

from .paths import IMAGE, ROLE, exercise_every_path


def handler_action(recorded: Call) -> str:
    """The action of the handler that made the ``recorded`` call."""
    assert recorded.scope is not None, f"{recorded.operation} was not made by a handler"
    return recorded.scope.action


@pytest.fixture
def sagemaker() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("sagemaker", region_name=REGION)


@pytest.mark.requirement("permissions")
def test_each_action_calls_exactly_the_permissions_the_schema_lists(sagemaker):
    with recording() as recorder:
        exercise_every_path(Driver(resource, time_limit=30.0), sagemaker)
    used = used_permissions(recorder.by_handlers())
    declared = schema_permissions()
    table = {
        action: {
            "declared": sorted(declared[action]),
            "called": sorted(used.get(action, ())),
            "missing": sorted(used.get(action, frozenset()) - declared[action]),
            "unused": sorted(declared[action] - used.get(action, frozenset())),
        }
        for action in sorted(declared)
    }
    figures.keep("permissions", table)
    assert [(action, row["missing"]) for action, row in table.items() if row["missing"]] == []
    assert [(action, row["unused"]) for action, row in table.items() if row["unused"]] == []


def test_calls_made_outside_a_handler_are_not_counted_as_handler_calls(sagemaker):
    with recording() as recorder:
        sagemaker.create_image(ImageName=IMAGE, RoleArn=ROLE)
        Driver(resource).run("READ", {"ImageName": IMAGE, "ImageVersionArn": None})
        Driver(resource).invoke(handler_event("LIST", {"ImageName": IMAGE}))
    assert [c.operation for c in recorder.calls if not c.by_handler] == ["CreateImage"]
    lists = recorder.by_handlers()
    # one query, after the empty pages SageMaker may answer first
    assert lists and "NextToken" not in lists[0].params
    assert [(c.operation, handler_action(c)) for c in lists] == [("ListImageVersions", "LIST")] * (
        1 + empty_pages_first(lists[0].params)
    )


# The log delivery role's credentials, which CloudFormation sends to ship the handler's logs.
PROVIDER_CREDENTIALS = {
    "accessKeyId": "AKIAEXAMPLEPROVIDER1",
    "secretAccessKey": "example-provider-secret-do-not-log",
    "sessionToken": "example-provider-session-token-do-not-log",
}
SECRETS = {
    **CALLER_CREDENTIALS,
    **{f"provider {name}": value for name, value in PROVIDER_CREDENTIALS.items()},
}


@pytest.fixture
def every_log_line() -> Iterator[io.StringIO]:
    """Every record of every logger, at DEBUG, with its exception text, into one buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


def _a_bug(step: Any) -> Any:
    raise RuntimeError("a bug in READ")


def _full_run(sagemaker: Any) -> None:
    driver = Driver(resource, time_limit=30.0)
    exercise_every_path(driver, sagemaker)
    for credentials in (
        {**CALLER_CREDENTIALS, "extra": "x"},
        {"accessKeyId": CALLER_CREDENTIALS["accessKeyId"]},
        CALLER_CREDENTIALS["secretAccessKey"],
    ):
        event = handler_event("CREATE", {"ImageName": IMAGE, "BaseImage": "b"})
        event["requestData"]["callerCredentials"] = credentials
        assert driver.invoke(event)["status"] == "FAILED"
    # A bug: its traceback is what the console gets (refused requests print nothing).
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(read.ACTION.phases, "read", _a_bug)
        assert driver.run("READ", {"ImageName": IMAGE}).error_code == "InternalFailure"
    # Twice: the first invocation may build what the second one logs with.
    for _ in range(2):
        shipping = handler_event("LIST", {"ImageName": IMAGE})
        shipping["requestData"]["providerCredentials"] = PROVIDER_CREDENTIALS
        shipping["requestData"]["providerLogGroupName"] = "community-sagemaker-imageversion-logs"
        assert driver.invoke(shipping)["status"] == "SUCCESS"


def _leaks(text: str) -> dict[str, int]:
    return {name: text.count(value) for name, value in SECRETS.items() if value in text}


@pytest.mark.requirement("no-credentials")
def test_no_credential_value_reaches_a_log_line_or_the_console(sagemaker, every_log_line, capfd):
    _full_run(sagemaker)
    logged = every_log_line.getvalue()
    console = "".join(capfd.readouterr())
    figures.keep(
        "credential_scan",
        {
            "log_lines": logged.count("\n"),
            "console_lines": console.count("\n"),
            "leaks_at_root_debug": _leaks(logged + console),
        },
    )
    assert "Created arn:aws:sagemaker" in logged, "the handlers' own log lines were not captured"
    assert "RuntimeError: a bug in READ" in console, "the console output was not captured"
    assert _leaks(logged + console) == {}


@pytest.mark.no_cover
@pytest.mark.requirement("no-credentials")
def test_no_credential_value_reaches_a_log_line_with_every_logger_at_debug(
    sagemaker, every_log_line, capfd
):
    lowered = {}
    for name in ("botocore", "boto3", "urllib3"):
        lowered[name] = logging.getLogger(name).level
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        _full_run(sagemaker)
    finally:
        for name, level in lowered.items():
            logging.getLogger(name).setLevel(level)
    text = every_log_line.getvalue() + "".join(capfd.readouterr())
    figures.keep("credential_scan_every_logger_debug", {"leaks": _leaks(text)})
    assert _leaks(text) == {}


@pytest.mark.requirement("no-credentials")
def test_no_credential_value_reaches_a_log_line_through_a_traceback(
    sagemaker, every_log_line, capfd, monkeypatch
):
    """An exception whose message quotes a credential (as a signature mismatch quotes its
    canonical request) is logged with its traceback by the runtime library: the traceback is
    scrubbed too."""
    token = CALLER_CREDENTIALS["sessionToken"]

    def quoting(self: Any, operation: str, params: Any) -> Any:
        raise RuntimeError(f"canonical request: x-amz-security-token:{token}")

    monkeypatch.setattr(BaseClient, "_make_api_call", quoting)
    answer = Driver(resource, time_limit=30.0).invoke(
        handler_event("CREATE", {"ImageName": IMAGE, "BaseImage": "b"})
    )
    assert answer["status"] == "FAILED", answer
    text = every_log_line.getvalue() + "".join(capfd.readouterr())
    assert "Traceback" in text, "no traceback was logged: nothing was tested"
    assert "x-amz-security-token:[redacted]" in text
    assert _leaks(text) == {}
