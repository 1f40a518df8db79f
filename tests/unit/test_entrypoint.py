"""The entrypoint's fixes to the runtime library, checked against the library's own Resource."""

from cloudformation_cli_python_lib.interface import Action, OperationStatus, ProgressEvent
from cloudformation_cli_python_lib.resource import Resource

from community_sagemaker_imageversion.entrypoint import ImageVersionResource
from community_sagemaker_imageversion.invocation import Invocation
from community_sagemaker_imageversion.models import ResourceModel
from local_runner.driver import LambdaContext
from local_runner.events import handler_event


def serve(resource_class):
    """A resource whose LIST handler reports the nextToken and waiting time it was given."""
    resource = resource_class("Community::SageMaker::ImageVersion", ResourceModel)
    seen = {}

    @resource.handler(Action.LIST)
    def list_handler(session, request, callback_context):
        seen["nextToken"] = request.nextToken
        invocation = Invocation.current()
        seen["time_left"] = invocation.deadline - invocation.clock()
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


def test_handlers_see_the_lambda_time_left():
    resource, seen = serve(ImageVersionResource)
    resource(handler_event("LIST", None), LambdaContext(time_limit=42.0))
    assert 41.0 < seen["time_left"] <= 42.0
    resource(handler_event("LIST", None), LambdaContext(time_limit=7.0))
    assert 6.0 < seen["time_left"] <= 7.0


def test_unknown_properties_fail_before_the_model_is_built():
    resource, _ = serve(ImageVersionResource)
    response = resource(
        handler_event("CREATE", {"ImageName": "a", "BaseImage": "b", "Tagz": 1}), LambdaContext()
    )
    assert response["errorCode"] == "InvalidRequest"
    assert "Tagz is not a property of this type" in response["message"]
