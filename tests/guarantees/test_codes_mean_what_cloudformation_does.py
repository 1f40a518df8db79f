"""Rule: a FAILED answer carries a code CloudFormation retries (ResourceConflict, Throttling,
NetworkFailure, ServiceInternalError: retriable in its handler error code documentation; a
FAILED Throttling was retried until the stack succeeded in cloudformation-cli issue 800) only for
a condition a retry can change. A condition no retry changes gets a code CloudFormation does not
retry, at the first delivery; so re-delivering the request as CloudFormation does ends at once.

- A version that is not the stack's (the image deleted and made again, its new version 1 made
  by someone else from another BaseImage, under the ARN the stack keeps) is NotFound for UPDATE
  and DELETE, as it already is for READ: no retry makes it the stack's.
- An alias that another claimant takes back every time it is taken (two resources claiming one
  alias) stays contested whatever CloudFormation retries.
"""

import contextvars
from typing import Any

import pytest
from botocore.client import BaseClient

from harness.recorder import BOTOCORE_CLIENT
from sagemaker_emulator.control import catch_up
from tests.handlers.conftest import BASE, IMAGE, ROLE, props

from .redelivery import RETRIABLE, codes, redelivered

THEIR_BASE = BASE + "-theirs"


@pytest.fixture
def kept_model(image, driver):
    """The model the stack keeps for its version 1."""
    outcome = driver.run("CREATE", props(Aliases=["stable"], JobType="TRAINING"))
    assert outcome.status == "SUCCESS", outcome.final
    return outcome.model


@pytest.fixture
def image_made_again(kept_model, sm, emulator_controls, recorder):
    """The image deleted and made again; its new version 1, under the ARN the stack keeps, is
    someone else's, made from another BaseImage."""
    emulator_controls.rules.delete_image = "immediate"
    sm.delete_image(ImageName=IMAGE)
    sm.create_image(ImageName=IMAGE, RoleArn=ROLE)
    sm.create_image_version(ImageName=IMAGE, BaseImage=THEIR_BASE, ClientToken="theirs")
    catch_up()
    theirs = sm.describe_image_version(ImageName=IMAGE, Version=1)
    assert theirs["ImageVersionArn"] == kept_model["ImageVersionArn"]
    recorder.clear()
    return kept_model


def assert_theirs_untouched(sm: Any, recorder: Any) -> None:
    assert recorder.mutating() == [], "someone else's version was changed"
    theirs = sm.describe_image_version(ImageName=IMAGE, Version=1)
    assert (theirs["BaseImage"], theirs["ImageVersionStatus"], theirs.get("JobType")) == (
        THEIR_BASE,
        "CREATED",
        None,
    )


def test_an_update_of_a_version_that_is_not_the_stacks_is_not_found(
    image_made_again, driver, sm, recorder
):
    kept = image_made_again
    outcomes = redelivered(driver, "UPDATE", {**kept, "JobType": "INFERENCE"}, previous=kept)
    assert codes(outcomes) == ["NotFound"], [o.final for o in outcomes]
    assert_theirs_untouched(sm, recorder)


def test_a_delete_of_a_version_that_is_not_the_stacks_is_not_found(
    image_made_again, driver, sm, recorder
):
    outcomes = redelivered(driver, "DELETE", image_made_again)
    assert codes(outcomes) == ["NotFound"], [o.final for o in outcomes]
    assert_theirs_untouched(sm, recorder)


@pytest.fixture
def alias_claimed_back(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Another claimant of the alias "stable" for version 1: whenever version 1 gives it up, it
    takes it back at once (as a second resource claiming the alias would on its next try). The
    emulator has no actor of its own between two calls of one invocation, so the claimant acts
    at botocore's level, in no handler's context; the list counts its takes."""
    original = BOTOCORE_CLIENT._make_api_call
    taken_back: list[int] = []

    def make_api_call(self: Any, operation: str, params: Any) -> Any:
        answer = original(self, operation, params)
        gives_up = (
            operation == "UpdateImageVersion"
            and params.get("Version") == 1
            and "stable" in params.get("AliasesToDelete", ())
        )
        if gives_up:
            take_back = {"ImageName": params["ImageName"], "Version": 1, "AliasesToAdd": ["stable"]}
            contextvars.Context().run(original, self, "UpdateImageVersion", take_back)
            taken_back.append(1)
        return answer

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    return taken_back


def test_an_alias_another_claimant_keeps_taking_back_is_not_a_retriable_conflict(
    image, driver, sm, emulator_controls, instant_clock, alias_claimed_back
):
    # SageMaker refuses an alias another version holds (so it is taken, and taken back); were
    # it to move the alias itself, the claimant would never see it go.
    emulator_controls.rules.alias_clash = "refuse"
    sm.create_image_version(
        ImageName=IMAGE, BaseImage=THEIR_BASE, ClientToken="theirs", Aliases=["stable"]
    )
    catch_up()
    created = driver.run("CREATE", props())
    assert created.status == "SUCCESS", created.final
    desired = {**created.model, "Aliases": ["stable"]}
    outcomes = redelivered(driver, "UPDATE", desired, previous=created.model)
    assert alias_claimed_back, "the alias was never taken: nothing was tested"
    assert not set(codes(outcomes)) & RETRIABLE, [o.final for o in outcomes]
    assert len(outcomes) == 1
