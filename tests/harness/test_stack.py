"""The stack keeps what CloudFormation keeps: a FAILED create's model goes to the DELETE."""

import copy
import threading
from collections.abc import MutableMapping
from typing import Any

from harness.driver import Driver
from harness.stack import Stack

ARN = "arn:aws:sagemaker:us-east-1:123456789012:image-version/img/4"


class Resource:
    """A handler whose CREATE fails after making a version, and whose DELETE records its model."""

    def __init__(self, failed_model: dict[str, Any] | None) -> None:
        self.failed_model = failed_model
        self.deleted: dict[str, Any] = {}
        self.lock = threading.Lock()

    def __call__(self, event: MutableMapping[str, Any], _context: Any) -> dict[str, Any]:
        data = event["requestData"]
        if event["action"] == "CREATE":
            return {
                "status": "FAILED",
                "errorCode": "NotStabilized",
                "message": "CREATE_FAILED",
                "resourceModel": copy.deepcopy(self.failed_model),
            }
        with self.lock:
            self.deleted[data["logicalResourceId"]] = copy.deepcopy(data["resourceProperties"])
        return {"status": "SUCCESS"}


def test_a_delete_after_a_failed_create_gets_the_model_the_failed_event_carried():
    carried = {
        "ImageName": "img",
        "BaseImage": "base:1",
        "ImageVersionArn": ARN,
        "Version": 4,
        "ContainerImage": "123.dkr.ecr.us-east-1.amazonaws.com/img@sha256:00",
    }
    resource = Resource(carried)
    stack = Stack(Driver(resource))
    created = stack.create({"Version": {"ImageName": "img", "BaseImage": "base:1"}})
    assert created["Version"].status == "FAILED"
    assert stack.models == {"Version": carried}
    stack.delete()
    assert resource.deleted == {"Version": carried}
    assert stack.models == {}


def test_a_failed_create_naming_no_version_leaves_nothing_to_delete():
    resource = Resource({"ImageName": "img", "BaseImage": "base:1"})
    stack = Stack(Driver(resource))
    stack.create({"Version": {"ImageName": "img", "BaseImage": "base:1"}})
    assert stack.models == {}
    assert stack.delete() == {}
    assert resource.deleted == {}


def test_a_delete_with_an_explicit_kept_model():
    resource = Resource(None)
    stack = Stack(Driver(resource))
    kept = {"ImageName": "img", "ImageVersionArn": ARN}
    outcomes = stack.delete_kept({"Lost": kept, "Other": {**kept, "Version": 4}})
    assert {name: o.status for name, o in outcomes.items()} == {
        "Lost": "SUCCESS",
        "Other": "SUCCESS",
    }
    assert resource.deleted == {"Lost": kept, "Other": {**kept, "Version": 4}}
