"""Whole operations through the real Lambda entrypoint, against the emulator."""

from typing import Any

import boto3
import pytest

from community_sagemaker_imageversion import handlers, timing
from harness.driver import Driver, LambdaContext
from offline_aws.defaults import ACCOUNT, CALLER_CREDENTIALS, REGION, SAGEMAKER_ARN_PREFIX
from sagemaker_emulator.control import catch_up

from .conftest import BASE, IMAGE, listed_aliases, listed_images, listed_versions, props

ARN_PREFIX = SAGEMAKER_ARN_PREFIX
FULL = props(
    Aliases=["stable", "1.0"],
    VendorGuidance="STABLE",
    JobType="TRAINING",
    MLFramework="PyTorch 2.3",
    ProgrammingLang="Python 3.11",
    Processor="GPU",
    Horovod=True,
    ReleaseNotes="First release",
)


def comparable(model: dict[str, Any] | None) -> dict[str, Any]:
    assert model is not None
    return {k: set(v) if k == "Aliases" else v for k, v in model.items()}


def test_full_lifecycle_with_every_property(image, driver, sm, instant_clock):
    created = driver.run("CREATE", FULL)
    assert created.status == "SUCCESS", created.final
    model = created.model
    arn = f"{ARN_PREFIX}:image-version/trainingimage/1"
    assert model["ImageVersionArn"] == arn
    assert model["ImageArn"] == f"{ARN_PREFIX}:image/trainingimage"
    assert model["Version"] == 1
    assert model["ContainerImage"]
    assert comparable(model) == {
        **comparable(FULL),
        **{k: model[k] for k in ("ImageVersionArn", "ImageArn", "Version", "ContainerImage")},
    }

    read = driver.run("READ", {"ImageVersionArn": arn})
    assert read.status == "SUCCESS"
    assert comparable(read.model) == comparable(model)

    desired = {
        **FULL,
        "ImageVersionArn": arn,
        "Aliases": ["stable", "1.0.1"],
        "JobType": "INFERENCE",
        "ReleaseNotes": "Patched",
    }
    updated = driver.run("UPDATE", desired, previous=model)
    assert updated.status == "SUCCESS", updated.final
    assert updated.model["JobType"] == "INFERENCE"
    assert updated.model["ReleaseNotes"] == "Patched"
    assert set(updated.model["Aliases"]) == {"stable", "1.0.1"}
    assert comparable(driver.run("READ", {"ImageVersionArn": arn}).model) == comparable(
        updated.model
    )

    listed, _ = driver.list_all({"ImageName": IMAGE})
    assert [m["ImageVersionArn"] for m in listed] == [arn]

    deleted = driver.run("DELETE", updated.model)
    assert deleted.status == "SUCCESS"
    assert "resourceModel" not in deleted.final
    assert listed_versions(sm) == []
    assert driver.run("READ", {"ImageVersionArn": arn}).error_code == "NotFound"


def test_success_events_follow_the_contract(image, driver, sm):
    created = driver.run("CREATE", props(Alias="only"))
    final = created.final
    assert final.get("callbackDelaySeconds", 0) == 0
    assert "Alias" not in final["resourceModel"], "write-only property in a final model"
    # what was asked comes back: the write-only Alias is not folded into Aliases
    assert final["resourceModel"]["Aliases"] == []
    held = listed_aliases(sm, 1)
    assert held == ["only"]


def test_two_versions_of_one_image_get_1_and_2(image, driver):
    first = driver.run("CREATE", props())
    second = driver.run("CREATE", props(BaseImage=BASE + "-b"))
    assert (first.model["Version"], second.model["Version"]) == (1, 2)
    assert first.model["ImageVersionArn"].endswith("/trainingimage/1")
    assert second.model["ImageVersionArn"].endswith("/trainingimage/2")
    assert driver.run("READ", first.model).model["BaseImage"] == BASE


def test_aliases_added_removed_and_re_added(image, driver, sm, recorder):
    model = driver.run("CREATE", props(Aliases=["a"])).model
    recorder.clear()
    steps = [["a", "b", "c"], ["c"], [], ["a", "c"]]
    for aliases in steps:
        desired = {**props(), "ImageVersionArn": model["ImageVersionArn"]}
        if aliases:
            desired["Aliases"] = aliases
        outcome = driver.run("UPDATE", desired, previous=model)
        assert outcome.status == "SUCCESS", outcome.final
        model = outcome.model
        assert set(model["Aliases"]) == set(aliases)
        held = listed_aliases(sm, 1)
        assert set(held) == set(aliases)
    updates = recorder.of("UpdateImageVersion")
    assert [
        (sorted(u.get("AliasesToAdd", [])), sorted(u.get("AliasesToDelete", []))) for u in updates
    ] == [
        (["b", "c"], []),
        ([], ["a", "b"]),
        ([], ["c"]),
        (["a", "c"], []),
    ]
    assert all(u["Version"] == 1 for u in updates)


def test_metadata_is_updated_in_place_sending_only_what_changed(image, driver, recorder):
    model = driver.run("CREATE", FULL).model
    recorder.clear()
    desired = {**FULL, "ImageVersionArn": model["ImageVersionArn"], "Processor": "CPU"}
    outcome = driver.run("UPDATE", desired, previous=model)
    assert outcome.status == "SUCCESS"
    assert recorder.of("UpdateImageVersion") == [
        {"ImageName": IMAGE, "Version": 1, "Processor": "CPU"}
    ]
    assert outcome.model["ImageVersionArn"] == model["ImageVersionArn"]
    assert recorder.of("CreateImageVersion") == []


def test_an_update_that_changes_nothing_makes_no_update_call(image, driver, recorder):
    model = driver.run("CREATE", FULL).model
    recorder.clear()
    outcome = driver.run(
        "UPDATE", {**FULL, "ImageVersionArn": model["ImageVersionArn"]}, previous=model
    )
    assert outcome.status == "SUCCESS"
    assert recorder.of("UpdateImageVersion") == []


def test_removing_properties_resets_or_keeps_them_and_never_sends_empty_values(
    image, driver, recorder
):
    model = driver.run("CREATE", FULL).model
    recorder.clear()
    desired = {**props(), "ImageVersionArn": model["ImageVersionArn"]}
    outcome = driver.run("UPDATE", desired, previous=model)
    assert outcome.status == "SUCCESS", outcome.final
    assert recorder.of("UpdateImageVersion") == [
        {
            "ImageName": IMAGE,
            "Version": 1,
            "VendorGuidance": "NOT_PROVIDED",
            "Horovod": False,
            "AliasesToDelete": ["1.0", "stable"],
        }
    ]
    after = outcome.model
    assert (after["VendorGuidance"], after["Horovod"], after["Aliases"]) == (
        "NOT_PROVIDED",
        False,
        [],
    )
    for kept in ("JobType", "MLFramework", "ProgrammingLang", "Processor", "ReleaseNotes"):
        assert after[kept] == FULL[kept]


@pytest.mark.parametrize(
    ("prop", "value"), [("BaseImage", BASE + "-other"), ("ImageName", "OtherImage")]
)
def test_changing_a_create_only_property_is_not_updatable(image, driver, recorder, prop, value):
    model = driver.run("CREATE", props()).model
    desired = {**props(), "ImageVersionArn": model["ImageVersionArn"], prop: value}
    outcome = driver.run("UPDATE", desired, previous=model)
    assert outcome.error_code == "NotUpdatable"
    assert prop in outcome.final["message"]
    assert recorder.of("UpdateImageVersion") == []


def test_the_same_request_token_twice_makes_one_version(image, driver, sm):
    first = driver.run("CREATE", FULL, token="9d3c4a52-7e0f-4a1b-8c6d-2f5e9b8a7c61")
    again = driver.run("CREATE", FULL, token="9d3c4a52-7e0f-4a1b-8c6d-2f5e9b8a7c61")
    assert first.status == again.status == "SUCCESS"
    assert first.model["ImageVersionArn"] == again.model["ImageVersionArn"]
    versions = listed_versions(sm)
    assert [v["Version"] for v in versions] == [1]


def test_a_different_request_token_makes_a_new_version(image, driver):
    first = driver.run("CREATE", props())
    second = driver.run("CREATE", props())
    assert first.model["Version"] != second.model["Version"]


def test_clients_use_the_request_region(sm, driver):
    boto3.client("sagemaker", region_name="eu-west-1").create_image(
        ImageName=IMAGE, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r"
    )
    eu = Driver(driver.handler, event_options={"region": "eu-west-1"})
    created = eu.run("CREATE", props())
    assert created.status == "SUCCESS", created.final
    assert created.model is not None
    assert created.model["ImageVersionArn"].startswith("arn:aws:sagemaker:eu-west-1:")
    assert listed_images(sm) == []


def test_a_delete_describes_the_version_once_before_deleting_it(image, driver, recorder):
    model = driver.run("CREATE", props()).model
    catch_up()  # about the delete's calls, not read-after-write lag
    recorder.clear()
    assert driver.run("DELETE", model).status == "SUCCESS"
    # then its absence made sure of: reads in pairs, so one stale read cannot make it gone
    assert [c.operation for c in recorder.by_handlers()] == [
        "DescribeImageVersion",
        "DeleteImageVersion",
        *["DescribeImageVersion"] * timing.ABSENT_READS,
    ]


def test_the_contract_tests_entrypoint_reads_a_version_like_the_lambda_entrypoint(image, driver):
    """`cfn test` calls ``testEntrypoint`` (handlers.test_entrypoint) with its own event shape and
    a boto3 session of the caller: it finds the same version the Lambda entrypoint made."""
    created = driver.run("CREATE", props(Aliases=["stable"]))
    assert created.status == "SUCCESS"
    assert created.model is not None
    event = {
        "credentials": CALLER_CREDENTIALS,
        "action": "READ",
        "region": REGION,
        "request": {
            "clientRequestToken": "contract-read",
            "desiredResourceState": {"ImageVersionArn": created.model["ImageVersionArn"]},
            "awsAccountId": ACCOUNT,
            "region": REGION,
        },
    }
    answer = handlers.test_entrypoint(event, LambdaContext())
    assert answer["status"] == "SUCCESS", answer
    assert comparable(answer["resourceModel"]) == comparable(created.model)
