import re

import pytest

from community_sagemaker_imageversion import translation
from community_sagemaker_imageversion.models import ResourceModel


def model(**values):
    return ResourceModel._deserialize({"ImageName": "img", "BaseImage": "repo/img:1", **values})


DESCRIPTION = {
    "BaseImage": "repo/img:1",
    "ContainerImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/img@sha256:ab",
    "ImageArn": "arn:aws:sagemaker:us-east-1:123456789012:image/img",
    "ImageVersionArn": "arn:aws:sagemaker:us-east-1:123456789012:image-version/img/2",
    "ImageVersionStatus": "CREATED",
    "Version": 2,
    "JobType": "TRAINING",
    "Horovod": True,
    "VendorGuidance": "STABLE",
}


def test_client_token_is_stable_valid_and_specific():
    token = translation.client_token("3f1c0b5e-1111-4f9a-9b1e-7d6c5b4a3e21", "Version1", "img")
    assert token == translation.client_token(
        "3f1c0b5e-1111-4f9a-9b1e-7d6c5b4a3e21", "Version1", "img"
    )
    assert re.fullmatch(r"[a-zA-Z0-9-]{1,36}", token)
    others = {
        translation.client_token("other-token", "Version1", "img"),
        translation.client_token("3f1c0b5e-1111-4f9a-9b1e-7d6c5b4a3e21", "Version2", "img"),
        translation.client_token("3f1c0b5e-1111-4f9a-9b1e-7d6c5b4a3e21", "Version1", "img2"),
    }
    assert token not in others
    assert len(others) == 3


def test_client_token_fits_even_for_long_request_tokens():
    token = translation.client_token("t" * 500, None, "img")
    assert len(token) == 36


def test_desired_aliases_merge_alias_into_aliases():
    assert translation.desired_aliases(model(Aliases=["a", "b"], Alias="c")) == {"a", "b", "c"}
    assert translation.desired_aliases(model(Alias="c")) == {"c"}
    assert translation.desired_aliases(model()) == frozenset()


def test_create_request_carries_only_what_is_set_and_never_aliases():
    request = translation.create_request(
        model(Aliases=["b", "a"], Alias="c", Processor="CPU", Horovod=False), "tok"
    )
    assert request == {
        "ImageName": "img",
        "BaseImage": "repo/img:1",
        "ClientToken": "tok",
        "Processor": "CPU",
        "Horovod": False,
    }


@pytest.mark.parametrize("status", ["ARCHIVED"])
def test_a_template_still_saying_to_be_archived_leaves_an_archived_version_archived(status):
    archived = {**DESCRIPTION, "VendorGuidance": status}
    plan = translation.update_plan(
        model(JobType="TRAINING", Horovod=True, VendorGuidance="TO_BE_ARCHIVED"), archived, []
    )
    assert plan.is_empty()
    changed = translation.update_plan(
        model(JobType="TRAINING", Horovod=True, VendorGuidance="STABLE"), archived, []
    )
    assert changed.fields == {"VendorGuidance": "STABLE"}, "an explicit change is still sent"


def test_a_value_the_version_lacks_is_sent():
    plan = translation.update_plan(
        model(JobType="TRAINING", Horovod=True, VendorGuidance="STABLE", MLFramework="PyTorch 2.3"),
        DESCRIPTION,
        [],
    )
    assert plan.fields == {"MLFramework": "PyTorch 2.3"}


def test_model_from_api_reports_every_property_and_no_write_only_one():
    result = translation.model_from_api("Img", DESCRIPTION, ["x", "y"])
    assert result._serialize() == {
        "ImageName": "Img",
        "BaseImage": "repo/img:1",
        "Aliases": ["x", "y"],
        "ImageArn": DESCRIPTION["ImageArn"],
        "ImageVersionArn": DESCRIPTION["ImageVersionArn"],
        "ContainerImage": DESCRIPTION["ContainerImage"],
        "Version": 2,
        "JobType": "TRAINING",
        "Horovod": True,
        "VendorGuidance": "STABLE",
    }


def test_update_plan_sends_only_changes():
    plan = translation.update_plan(
        model(JobType="TRAINING", Horovod=True, VendorGuidance="STABLE", Processor="GPU"),
        DESCRIPTION,
        [],
    )
    assert plan.fields == {"Processor": "GPU"}
    assert plan.aliases_to_add == plan.aliases_to_delete == ()


def test_update_plan_of_an_unchanged_model_is_empty():
    desired = model(JobType="TRAINING", Horovod=True, VendorGuidance="STABLE", Aliases=["a"])
    assert translation.update_plan(desired, DESCRIPTION, ["a"]).is_empty()


@pytest.mark.parametrize(
    ("removed", "sent"),
    [("VendorGuidance", {"VendorGuidance": "NOT_PROVIDED"}), ("Horovod", {"Horovod": False})],
)
def test_removing_a_resettable_property_resets_it(removed, sent):
    kept = {"JobType": "TRAINING", "Horovod": True, "VendorGuidance": "STABLE"}
    del kept[removed]
    plan = translation.update_plan(model(**kept), DESCRIPTION, [])
    assert plan.fields == sent


def test_removing_a_property_sagemaker_cannot_clear_keeps_it_and_sends_nothing_empty():
    plan = translation.update_plan(model(Horovod=True, VendorGuidance="STABLE"), DESCRIPTION, [])
    assert plan.is_empty()
    request = translation.update_request("img", 2, plan)
    assert all(value not in ("", None) for value in request.values())


def test_aliases_are_updated_by_difference():
    plan = translation.update_plan(
        model(JobType="TRAINING", Horovod=True, VendorGuidance="STABLE", Aliases=["b", "c"]),
        DESCRIPTION,
        ["a", "b"],
    )
    assert (plan.aliases_to_add, plan.aliases_to_delete) == (("c",), ("a",))
    assert translation.update_request("img", 2, plan) == {
        "ImageName": "img",
        "Version": 2,
        "AliasesToAdd": ["c"],
        "AliasesToDelete": ["a"],
    }


def test_removing_aliases_removes_every_alias_but_alias():
    plan = translation.update_plan(
        model(JobType="TRAINING", Horovod=True, VendorGuidance="STABLE", Alias="keep"),
        DESCRIPTION,
        ["keep", "x", "y"],
    )
    assert plan.aliases_to_delete == ("x", "y")
    assert plan.aliases_to_add == ()


def test_applied_is_what_the_version_holds_after_the_update():
    plan = translation.UpdatePlan({"JobType": "INFERENCE"}, ("c",), ("a",))
    description, aliases = translation.applied(DESCRIPTION, plan, ["a", "b"])
    assert description["JobType"] == "INFERENCE"
    assert description["Version"] == 2
    assert aliases == {"b", "c"}


def test_identifier_model_holds_identifiers_only():
    summary = {k: DESCRIPTION[k] for k in ("ImageArn", "ImageVersionArn", "Version")}
    entry = translation.identifier_model("img", {**summary, "ImageVersionStatus": "CREATED"})
    assert entry._serialize() == {"ImageName": "img", **summary}
