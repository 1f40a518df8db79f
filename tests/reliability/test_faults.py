"""Lifecycles under injected faults, and what a fault that outlasts a call's retries does.

The suite runs 20 lifecycles one after another (immediate transitions: the same request stream
and so the same faults on every run); `make reliability` runs 20 at once, as one stack, with
versions taking a second to change.
"""

from typing import Any

import pytest

from community_sagemaker_imageversion import timing
from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver, Outcome
from harness.inventory import versions_of
from offline_aws.defaults import base_image
from offline_aws.services import sagemaker_server
from reliability_suite import fault_lifecycles, figures
from sagemaker_emulator.control import controls
from sagemaker_emulator.faults import DROP, HTTP500, THROTTLING, FaultRule

from .conftest import FULL

pytestmark = pytest.mark.server

SETTINGS = fault_lifecycles.Settings(lifecycles=20, rate=0.2, seed=1, parallel=FULL)
IMAGE = "img"
PROPS = {"ImageName": IMAGE, "BaseImage": base_image("b:1")}
# The handler attempts each call up to CALL_ATTEMPTS times within an invocation.
ATTEMPTS = timing.ATTEMPTS


@pytest.mark.no_cover
@pytest.mark.requirement("faults")
@pytest.mark.real_time(when=SETTINGS.parallel)  # at full size: lifecycles at once, in threads
def test_lifecycles_under_twenty_percent_faults_complete_without_duplicates_or_orphans():
    result = fault_lifecycles.run(SETTINGS)
    figures.keep("faults", result)
    assert result["faults_total"] > 0, "no fault was injected: nothing was tested"
    assert sum(result["faults_reaching_handlers"].values()) > 0, "no fault was ever retried"
    dropping = {r.operation for r in fault_lifecycles.fault_rules(0.2) if DROP in r.kinds}
    assert dropping == set(fault_lifecycles.MUTATING), "answers are lost on every change"
    dropped = result["faults_injected"].get(DROP, {})
    assert len(dropped) >= 2, f"answers were lost on too few operations to test much: {dropped}"
    assert result["duplicates"] == 0
    assert result["orphans"] == 0
    assert result["wrong_version_calls"] == 0
    assert result["problems"] == []
    assert result["lifecycles_completed"] == SETTINGS.lifecycles
    assert result["versions_left"] == []


@pytest.fixture
def offline() -> Any:
    with sagemaker_server([IMAGE]) as sagemaker:
        yield sagemaker
        controls().faults = None


@pytest.fixture
def driver() -> Driver:
    return Driver(resource, time_limit=8.0)


def _with_faults(rules: list[FaultRule], run: Any) -> Outcome:
    controls().inject_faults(rules)
    try:
        outcome: Outcome = run()
    finally:
        controls().faults = None
    return outcome


def test_faults_a_calls_retries_absorb_end_in_one_invocation_and_one_version(offline):
    rules = [FaultRule(1.0, "CreateImageVersion", (DROP,), limit=1), FaultRule(1.0, None, limit=2)]
    driver = Driver(resource, time_limit=30.0)
    outcome = _with_faults(rules, lambda: driver.run("CREATE", {**PROPS, "Aliases": ["a"]}))
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.invocations == 1
    assert [v.number for v in versions_of(offline, IMAGE)] == [1]


# A throttling/5xx/network error that outlasts a call's retries must not end the operation:
# CloudFormation never retries a FAILED event. The handler answers IN_PROGRESS with a callback.


def test_a_create_throttled_past_botocores_retries_is_called_back(offline, driver):
    rules = [FaultRule(1.0, "CreateImageVersion", (THROTTLING,), limit=ATTEMPTS)]
    outcome = _with_faults(rules, lambda: driver.run("CREATE", PROPS))
    assert outcome.status == "SUCCESS", outcome.final
    assert [v.number for v in versions_of(offline, IMAGE)] == [1]


def test_a_create_whose_answer_is_lost_never_orphans_its_version(offline, driver):
    rules = [
        FaultRule(1.0, "CreateImageVersion", (DROP,), limit=1),
        FaultRule(1.0, "CreateImageVersion", (HTTP500,), limit=ATTEMPTS - 1),
    ]
    outcome = _with_faults(rules, lambda: driver.run("CREATE", PROPS))
    existing = [v.number for v in versions_of(offline, IMAGE)]
    assert existing == [1]
    named = (outcome.model or {}).get("ImageVersionArn", "")
    assert outcome.status == "SUCCESS" or named.endswith("/img/1"), outcome.final


@pytest.mark.parametrize("operation", ["DescribeImageVersion", "UpdateImageVersion"])
def test_an_update_throttled_past_botocores_retries_is_called_back(offline, driver, operation):
    model = driver.run("CREATE", PROPS).model
    desired = {**PROPS, "ImageVersionArn": model["ImageVersionArn"], "JobType": "INFERENCE"}
    rules = [FaultRule(1.0, operation, (THROTTLING,), limit=ATTEMPTS)]
    outcome = _with_faults(rules, lambda: driver.run("UPDATE", desired, previous=model))
    assert outcome.status == "SUCCESS", outcome.final
    described = offline.describe_image_version(ImageName=IMAGE, Version=1)
    assert described["JobType"] == "INFERENCE"


@pytest.mark.parametrize("operation", ["DescribeImageVersion", "DeleteImageVersion"])
def test_a_delete_throttled_past_botocores_retries_is_called_back(offline, driver, operation):
    model = driver.run("CREATE", PROPS).model
    rules = [FaultRule(1.0, operation, (HTTP500,), limit=ATTEMPTS)]
    outcome = _with_faults(rules, lambda: driver.run("DELETE", model))
    assert outcome.status == "SUCCESS", outcome.final
    assert versions_of(offline, IMAGE) == []
