"""A phase given a context without the state its action always leaves for it (a version to
watch, alias moves) answers InternalFailure naming the version the model names, as any bug does,
through the entrypoint; never an assertion the Lambda's optimised byte code would drop."""

import pytest

from community_sagemaker_imageversion.handlers import resource
from harness.events import handler_event
from offline_aws.defaults import version_arn
from tests.handlers.conftest import IMAGE, props


@pytest.mark.parametrize(
    ("action", "phase", "missing"),
    [
        ("DELETE", "delete.await", "tracked version"),
        ("CREATE", "create.await", "tracked version"),
        ("UPDATE", "aliases.take", "tracked version"),
    ],
)
def test_a_phase_without_its_state_is_a_reported_bug_naming_the_version(
    image, action, phase, missing
):
    model = props(ImageVersionArn=version_arn(IMAGE, 1))
    event = handler_event(action, model, previous=model, callback_context={"v": 2, "phase": phase})
    answer = resource(event, None)
    assert answer["status"] == "FAILED"
    assert answer["errorCode"] == "InternalFailure"
    assert f"found no {missing}" in answer["message"]
    assert answer["resourceModel"]["ImageVersionArn"] == version_arn(IMAGE, 1)
