"""Never an untracked version: once CreateImageVersion has answered, the event that ends the
operation names the version, whatever the ending; and a version SageMaker does not show yet
right after its create is waited for, not abandoned (through the entrypoint)."""

import time

import pytest

from community_sagemaker_imageversion import timing
from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from offline_aws.defaults import version_arn
from sagemaker_emulator.control import catch_up

from .conftest import IMAGE, NETWORK, listed_aliases, listed_numbers, props

VERSION_1 = version_arn("trainingimage", 1)
# Enough failed attempts to outlast every in-call retry of every callback of one operation.
FOREVER = timing.ATTEMPTS * (timing.FAULT_CALLBACKS + 2)


def versions(sm):
    """The image's version numbers, past any read-after-write lag (a check's view)."""
    catch_up()
    return listed_numbers(sm)


def assert_names_version_1(outcome):
    assert outcome.status == "FAILED", outcome.final
    assert outcome.model is not None, f"the failure names no version: {outcome.final}"
    assert outcome.model["ImageVersionArn"] == VERSION_1
    assert outcome.model["Version"] == 1
    assert "Alias" not in outcome.model


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("ThrottlingException", "Throttling"),
        ("InternalFailure", "ServiceInternalError"),
        (NETWORK, "NetworkFailure"),
    ],
)
def test_a_transient_error_that_outlasts_every_callback_still_names_the_version(
    image, driver, sm, failing_calls, instant_clock, code, error
):
    failing_calls("DescribeImageVersion", code, times=FOREVER)
    outcome = driver.run("CREATE", props(Aliases=["a"]))
    assert outcome.error_code == error
    assert_names_version_1(outcome)
    assert versions(sm) == [1]
    assert all(e["resourceModel"]["ImageVersionArn"] == VERSION_1 for e in outcome.events)


def test_a_failed_cleanup_of_a_create_failed_version_is_not_stabilized_with_sagemakers_reason(
    image, driver, sm, emulator_controls, failing_calls, instant_clock
):
    emulator_controls.fail_create("Base image manifest could not be read")
    failing_calls("DeleteImageVersion", "ThrottlingException", times=FOREVER)
    outcome = driver.run("CREATE", props())
    assert outcome.error_code == "NotStabilized", outcome.final
    assert "Base image manifest could not be read" in outcome.final["message"]
    assert "CREATE_FAILED" in outcome.final["message"]
    assert_names_version_1(outcome)


def test_a_cleaned_up_create_failure_names_the_version_too(image, driver, sm, emulator_controls):
    emulator_controls.fail_create("bad manifest")
    outcome = driver.run("CREATE", props())
    assert outcome.error_code == "NotStabilized"
    assert "The failed version was deleted" in outcome.final["message"]
    assert_names_version_1(outcome)
    assert versions(sm) == []


def test_a_version_gone_past_the_grace_names_the_version(image, driver):
    context = {
        "arn": VERSION_1,
        "imageName": IMAGE,
        "createdAt": time.time() - 2 * timing.LAG_BOUND,
    }
    outcome = driver.run("CREATE", props(ImageVersionArn=VERSION_1), callback_context=context)
    assert outcome.error_code == "NotStabilized"
    assert "disappeared" in outcome.final["message"]
    assert_names_version_1(outcome)


@pytest.fixture
def lagging(emulator_controls):
    emulator_controls.rules.read_after_write = "lagging"
    emulator_controls.rules.lag_seconds = 1.0


def test_a_new_version_not_found_at_first_is_waited_for(image, driver, sm, recorder, lagging):
    outcome = driver.run("CREATE", props(Aliases=["stable"], JobType="TRAINING"))
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model["ImageVersionArn"] == VERSION_1
    assert "ResourceNotFound" in {c.error for c in recorder.snapshot()}, "the lag was never met"
    assert versions(sm) == [1]
    assert listed_aliases(sm, 1) == ["stable"]


def test_a_lagging_version_is_named_by_every_callback(image, sm, lagging):
    short = Driver(resource, time_limit=6.0, delay_scale=0.05)
    outcome = short.run("CREATE", props(Aliases=["stable"]))
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.invocations > 1, "the lag outlasted no invocation: nothing was tested"
    assert all(e["resourceModel"]["ImageVersionArn"] == VERSION_1 for e in outcome.events)
    assert versions(sm) == [1]


def test_a_create_answered_without_an_arn_is_asked_again_with_the_same_token(
    image, driver, sm, recorder, emulator_controls
):
    emulator_controls.rules.create_answer = "none_first"
    outcome = driver.run("CREATE", props(Aliases=["stable"]))
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model["ImageVersionArn"] == VERSION_1
    tokens = {c["ClientToken"] for c in recorder.of("CreateImageVersion")}
    assert len(recorder.of("CreateImageVersion")) == 2
    assert len(tokens) == 1
    assert versions(sm) == [1]


@pytest.mark.impossible_to_track
def test_a_create_that_never_says_which_version_it_made_fails_saying_so(
    image, driver, sm, emulator_controls, instant_clock
):
    """The clearest failure where correctness is impossible: SageMaker answers the literal None
    to every request of the token, so no handler can tell which version is its own."""
    emulator_controls.rules.create_answer = "none_always"
    outcome = driver.run("CREATE", props())
    assert outcome.error_code == "GeneralServiceException"
    message = outcome.final["message"]
    assert "ImageVersionArn None" in message
    assert IMAGE in message
    assert "ClientToken" in message
    assert versions(sm) == [1], "one version, made once: the token kept the replays idempotent"
