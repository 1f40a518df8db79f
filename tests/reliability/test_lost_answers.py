"""An answer lost after SageMaker applied the change: the handler's repeated request finds it
applied, and the operation ends as if the answer had arrived (server mode, through the
entrypoint). Every mutating operation: CreateImageVersion, UpdateImageVersion (on the version
itself, and on the sibling an alias is taken from), DeleteImageVersion."""

from typing import Any

import pytest

from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from harness.inventory import aliases_of, versions_of
from offline_aws.defaults import base_image
from offline_aws.services import sagemaker_server
from sagemaker_emulator.control import catch_up, controls
from sagemaker_emulator.faults import DROP, FaultRule
from sagemaker_emulator.rules import VARIANTS

pytestmark = pytest.mark.server

IMAGE = "img"
BASE = base_image("b:1")
PROPS = {"ImageName": IMAGE, "BaseImage": BASE}


@pytest.fixture(params=VARIANTS["missing_alias_delete"])
def offline(request) -> Any:
    with sagemaker_server([IMAGE]) as sagemaker:
        controls().rules.missing_alias_delete = request.param
        yield sagemaker
        controls().faults = None


@pytest.fixture
def driver() -> Driver:
    # callback delays pass as CloudFormation lets them (SageMaker's lags here are real time)
    return Driver(resource, time_limit=8.0, delay_scale=1.0)


def lose_the_answer(operation: str, times: int = 1) -> None:
    """The next ``times`` requests of ``operation`` are applied, their answers lost."""
    controls().inject_faults([FaultRule(1.0, operation, (DROP,), limit=times)])


def held(sagemaker: Any, version: int) -> list[str]:
    return aliases_of(sagemaker, IMAGE, version)


def assert_an_answer_was_lost() -> None:
    plan = controls().faults
    assert plan is not None
    assert plan.total_injected() >= 1, "no answer was lost: nothing was tested"


def test_an_update_whose_answer_was_lost_ends_in_success(offline, driver):
    model = driver.run("CREATE", {**PROPS, "Aliases": ["a", "b"]}).model
    desired = {**PROPS, "ImageVersionArn": model["ImageVersionArn"], "Aliases": ["c"]}
    desired["JobType"] = "INFERENCE"
    lose_the_answer("UpdateImageVersion")
    outcome = driver.run("UPDATE", desired, previous=model)
    assert_an_answer_was_lost()
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model["Aliases"] == ["c"]
    assert held(offline, 1) == ["c"]
    assert offline.describe_image_version(ImageName=IMAGE, Version=1)["JobType"] == "INFERENCE"


def test_a_create_whose_alias_update_answer_was_lost_ends_in_success(offline, driver):
    lose_the_answer("UpdateImageVersion")
    outcome = driver.run("CREATE", {**PROPS, "Aliases": ["a", "b"]})
    assert_an_answer_was_lost()
    assert outcome.status == "SUCCESS", outcome.final
    assert held(offline, 1) == ["a", "b"]


def test_an_alias_taken_from_a_sibling_whose_answer_was_lost_ends_in_success(offline, driver):
    driver.run("CREATE", {**PROPS, "Aliases": ["stable"]})
    # The new version's first update (refused: the sibling holds the alias) and the sibling's
    # update that takes the alias from it are both applied, and their answers lost.
    controls().inject_faults(
        [FaultRule(1.0, "UpdateImageVersion", (DROP,), limit=2), FaultRule(0.0, None)]
    )
    outcome = driver.run("CREATE", {**PROPS, "BaseImage": BASE + "-new", "Aliases": ["stable"]})
    assert_an_answer_was_lost()
    assert outcome.status == "SUCCESS", outcome.final
    assert held(offline, 2) == ["stable"]
    assert held(offline, 1) == []


def test_a_delete_whose_answer_was_lost_ends_in_success(offline, driver):
    model = driver.run("CREATE", PROPS).model
    lose_the_answer("DeleteImageVersion")
    outcome = driver.run("DELETE", model)
    assert_an_answer_was_lost()
    assert outcome.status == "SUCCESS", outcome.final
    assert versions_of(offline, IMAGE) == []


def test_a_create_whose_answer_was_lost_makes_one_version(offline, driver):
    lose_the_answer("CreateImageVersion", times=2)
    outcome = driver.run("CREATE", {**PROPS, "Aliases": ["a"]})
    assert_an_answer_was_lost()
    assert outcome.status == "SUCCESS", outcome.final
    assert [v.number for v in versions_of(offline, IMAGE)] == [1]


@pytest.fixture
def offline_as_configured() -> Any:
    """The emulator over HTTP with every rule as the environment chooses (``missing_alias_delete``
    included: make test-variants runs this under each of its variants)."""
    with sagemaker_server([IMAGE]) as sagemaker:
        yield sagemaker
        controls().faults = None


def test_a_take_whose_answer_was_lost_is_asked_again_and_ends_in_success(
    offline_as_configured, driver
):
    """The sibling's update that takes the alias is applied and its answer lost: asked again, it
    names an alias the sibling no longer holds, which SageMaker refuses or ignores
    (``missing_alias_delete``); either way the alias ends on the new version alone."""
    sagemaker = offline_as_configured
    controls().rules.alias_clash = "refuse"  # (so the alias is taken, not moved by SageMaker)
    driver.run("CREATE", {**PROPS, "Aliases": ["stable"]})
    catch_up()  # the sibling is seen by every later call
    # UpdateImageVersion 1: the new version asks for the alias (refused: the sibling holds it);
    # 2: the sibling lets go of it, applied and its answer lost
    controls().inject_faults([FaultRule(1.0, "UpdateImageVersion", (DROP,), at=2)])
    outcome = driver.run("CREATE", {**PROPS, "BaseImage": BASE + "-new", "Aliases": ["stable"]})
    assert_an_answer_was_lost()
    assert outcome.status == "SUCCESS", outcome.final
    assert held(sagemaker, 2) == ["stable"]
    assert held(sagemaker, 1) == []
