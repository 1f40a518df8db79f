"""The entrypoint's fixes to the runtime library, checked against the library's own Resource."""

import copy
import dataclasses
import json
import subprocess
import sys

import hypothesis
import pytest
from cloudformation_cli_python_lib.interface import Action, OperationStatus, ProgressEvent
from cloudformation_cli_python_lib.resource import Resource
from hypothesis import strategies as st

from community_sagemaker_imageversion.clients import CallerSession
from community_sagemaker_imageversion.entrypoint import ImageVersionResource, model_of, read_request
from community_sagemaker_imageversion.invocation import Invocation
from community_sagemaker_imageversion.models import ResourceModel
from community_sagemaker_imageversion.timing import MIN_STEP, SAFETY_MARGIN
from community_sagemaker_imageversion.validation import known_properties
from harness.driver import LambdaContext
from harness.events import handler_event


def serve(resource_class):
    """A resource whose LIST handler reports the nextToken and waiting time it was given."""
    resource = resource_class("Community::SageMaker::ImageVersion", ResourceModel)
    seen = {}

    @resource.handler(Action.LIST)
    def list_handler(session, request, callback_context):
        seen["nextToken"] = request.nextToken
        seen["time_left"] = Invocation.current().left()
        return ProgressEvent(status=OperationStatus.SUCCESS, resourceModels=[])

    return resource, seen


def test_the_library_alone_still_drops_next_token():
    resource, seen = serve(Resource)
    resource(handler_event("LIST", None, next_token="page-2"), LambdaContext())
    assert seen["nextToken"] is None, "the library now carries nextToken: our fix can go"


def test_our_entrypoint_carries_next_token():
    resource, seen = serve(ImageVersionResource)
    response = resource(handler_event("LIST", None, next_token="page-2"), LambdaContext())
    assert response["status"] == "SUCCESS"
    assert seen["nextToken"] == "page-2"


def test_handlers_see_the_lambda_time_left_less_the_safety_margin():
    resource, seen = serve(ImageVersionResource)
    resource(handler_event("LIST", None), LambdaContext(time_limit=42.0))
    assert 41.0 - SAFETY_MARGIN < seen["time_left"] <= 42.0 - SAFETY_MARGIN
    resource(handler_event("LIST", None), LambdaContext(time_limit=9.0))
    assert 8.0 - SAFETY_MARGIN < seen["time_left"] <= 9.0 - SAFETY_MARGIN
    resource(handler_event("LIST", None), LambdaContext(time_limit=0.0))
    assert MIN_STEP - 1.0 < seen["time_left"] <= MIN_STEP


def test_unknown_properties_fail_before_the_model_is_built():
    resource, _ = serve(ImageVersionResource)
    response = resource(
        handler_event("CREATE", {"ImageName": "a", "BaseImage": "b", "Tagz": 1}), LambdaContext()
    )
    assert response["errorCode"] == "InvalidRequest"
    assert "Tagz is not a property of this type" in response["message"]


def test_handlers_get_the_callers_credentials_without_a_boto3_session():
    resource = ImageVersionResource("Community::SageMaker::ImageVersion", ResourceModel)
    seen = {}

    @resource.handler(Action.LIST)
    def list_handler(session, request, callback_context):
        seen["session"] = session
        return ProgressEvent(status=OperationStatus.SUCCESS, resourceModels=[])

    event = handler_event("LIST", None)
    resource(event, LambdaContext())
    session = seen["session"]
    assert isinstance(session, CallerSession)
    credentials = event["requestData"]["callerCredentials"]
    assert (session.access_key_id, session.secret_access_key, session.session_token) == (
        credentials["accessKeyId"],
        credentials["secretAccessKey"],
        credentials["sessionToken"],
    )


@pytest.mark.parametrize(
    "event",
    [
        {"action": "READ"},
        {**handler_event("READ", None), "action": "EXPLODE"},
        {**handler_event("READ", None), "requestData": {"callerCredentials": {"wrong": "shape"}}},
        [],
    ],
)
def test_malformed_events_are_invalid_requests(event):
    response = ImageVersionResource("Community::SageMaker::ImageVersion", ResourceModel)(
        event, LambdaContext()
    )
    assert response["status"] == "FAILED"
    assert response["errorCode"] == "InvalidRequest"
    assert response["message"]


PROCESS_STATE = """
import json, logging, pkgutil, importlib, sys
from cloudformation_cli_python_lib import resource as library

def state():
    return {
        "record factory": logging.getLogRecordFactory().__module__,
        "botocore log level": logging.getLogger("botocore").level,
        "log shipping": library.ProviderLogHandler.__module__,
        "metrics": library.MetricsPublisherProxy.__module__,
    }

before = state()
import community_sagemaker_imageversion as package
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
imported = state()
from community_sagemaker_imageversion.handlers import resource, test_entrypoint
from harness.driver import LambdaContext
from harness.events import handler_event
# Any answer will do (the ARN is refused): what counts is what the first invocation set up.
entry = resource if sys.argv[1] == "resource" else test_entrypoint
entry(handler_event("READ", {"ImageVersionArn": "not-an-arn"}), LambdaContext())
print(json.dumps({"before": before, "imported": imported, "invoked": state()}))
"""


@pytest.mark.parametrize("entry", ["resource", "test_entrypoint"])
def test_importing_the_package_changes_nothing_and_the_entrypoint_prepares_the_process(entry):
    """Log redaction, botocore's log floor and the telemetry classes are put in place by the
    entrypoint (either one) at its first invocation, never by importing a module."""
    done = subprocess.run(
        [sys.executable, "-c", PROCESS_STATE, entry],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": "src", "AWS_DEFAULT_REGION": "us-east-1", "PATH": ""},
    )
    states = json.loads(done.stdout.splitlines()[-1])
    assert states["imported"] == states["before"]
    assert states["invoked"] == {
        "record factory": "community_sagemaker_imageversion.log_redaction",
        "botocore log level": 20,
        "log shipping": "community_sagemaker_imageversion.telemetry",
        "metrics": "community_sagemaker_imageversion.telemetry",
    }


_VALUES = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.sampled_from(["true", "False", "3", "-7", "x", ""]),
    st.integers(-5, 5),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.one_of(st.text(max_size=3), st.integers(), st.booleans()), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
_FIELDS = [field.name for field in dataclasses.fields(ResourceModel)]


def _outcome(build, properties):
    try:
        return build(copy.deepcopy(properties))
    except Exception as error:  # noqa: BLE001 (the kind of failure is compared)
        return type(error)


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(st.dictionaries(st.sampled_from([*_FIELDS, "Unknown"]), _VALUES, max_size=6))
def test_the_entrypoints_model_is_the_generated_deserializers(properties):
    """model_of (the generated _deserialize without its per-request look-ups) builds the same
    model from any properties, and fails where it fails."""
    assert _outcome(model_of, properties) == _outcome(ResourceModel._deserialize, properties)


@pytest.mark.parametrize(
    "action,properties,previous",
    [
        ("CREATE", {"ImageName": "img", "BaseImage": "repo/img:1", "Horovod": "true"}, None),
        ("UPDATE", {"ImageName": "img", "Version": "3", "Aliases": ["a", 1]}, {"ImageName": "i"}),
        ("READ", {"ImageVersionArn": "arn", "Old": "kept from an older schema"}, None),
        ("DELETE", None, None),
        ("LIST", {}, None),
    ],
)
def test_the_modelled_request_is_the_librarys(action, properties, previous):
    """Besides nextToken (the library drops it), the request handlers get is the one the
    library would build from the same event, after unknown properties are left out."""
    event = handler_event(action, properties, previous=previous, next_token="t")
    read = read_request(copy.deepcopy(event))
    built = read.request
    theirs = Resource("Community::SageMaker::ImageVersion", ResourceModel)
    _, action, callback, raw = Resource._parse_request(copy.deepcopy(event))
    assert (read.action, read.callback) == (action, callback)
    raw.requestData.resourceProperties = known_properties(raw.requestData.resourceProperties) or {}
    raw.requestData.previousResourceProperties = known_properties(
        raw.requestData.previousResourceProperties
    )
    expected = Resource._cast_resource_request(theirs, raw)
    assert built.nextToken == "t"
    expected.nextToken = "t"
    assert vars(built) == vars(expected)
    assert type(built.desiredResourceState) is type(expected.desiredResourceState)
