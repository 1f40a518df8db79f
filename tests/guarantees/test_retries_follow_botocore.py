"""Rule: an answer botocore's own retry rules retry is retried by the handler too, as long as the
operation's deadline allows, and never fails the operation at its first occurrence.

botocore's standard retry mode (botocore.retries.standard; the legacy mode's
botocore/data/_retry.json agrees) retries HTTP 429 answers, the transient codes
RequestTimeoutException and PriorRequestNotComplete, and the throttling codes, among them
ThrottledException, TooManyRequestsException and BandwidthLimitExceeded. Each is faked here on
the wire with the HTTP status SageMaker's front end sends it with (429 for
TooManyRequestsException, 509 for BandwidthLimitExceeded, 400 for the others), a few times in
a row, on CreateImageVersion, on the describe that polls the new version, and on
DeleteImageVersion: the operation must still succeed, having made (or deleted) exactly one
version.

The emulator never throttles, so the answers are faked at botocore's level (:mod:`.wire`).
"""

import boto3
import pytest

from community_sagemaker_imageversion import timing
from offline_aws.defaults import REGION, version_arn
from sagemaker_emulator.control import catch_up
from tests.handlers.conftest import BASE, IMAGE, listed_numbers, props

from .wire import Answer, botocore_retries

# (code, the HTTP status SageMaker sends it with); "" is a 429 whose body names no code (a
# front end's bare "Too Many Requests"), which botocore reads as the code "429" and retries.
RETRIED = {
    "TooManyRequestsException": 429,
    "RequestTimeoutException": 400,
    "ThrottledException": 400,
    "PriorRequestNotComplete": 400,
    "BandwidthLimitExceeded": 509,
    "": 429,
}
CODES = pytest.mark.parametrize(
    ("code", "status"), RETRIED.items(), ids=[code or "bare 429" for code in RETRIED]
)
# In a row: more than one, so a single retry is not enough.
TIMES = 3


def versions(sm):
    catch_up()
    return sorted(listed_numbers(sm))


def fault(operation: str, code: str, status: int) -> Answer:
    """The answer, checked to be one botocore's standard retry rules retry."""
    answer = Answer.error(code, status, message="Rate exceeded") if code else Answer(status, b"")
    model = boto3.client("sagemaker", region_name=REGION).meta.service_model
    assert botocore_retries(model.operation_model(operation), answer), (code, status)
    return answer


@CODES
def test_a_retried_answer_to_create_image_version_is_retried(
    image, driver, sm, wire_faults, instant_clock, code, status
):
    wire_faults.add("CreateImageVersion", fault("CreateImageVersion", code, status), TIMES)
    outcome = driver.run("CREATE", props())
    assert outcome.status == "SUCCESS", outcome.final
    assert wire_faults.answered == {"CreateImageVersion": TIMES}
    assert outcome.model["ImageVersionArn"] == version_arn(IMAGE, 1)
    assert versions(sm) == [1], "exactly one version made"


@CODES
def test_a_retried_answer_to_the_poll_of_a_new_version_is_retried(
    image, driver, sm, wire_faults, instant_clock, code, status
):
    wire_faults.add("DescribeImageVersion", fault("DescribeImageVersion", code, status), TIMES)
    outcome = driver.run("CREATE", props(JobType="TRAINING"))
    assert outcome.status == "SUCCESS", outcome.final
    assert wire_faults.answered == {"DescribeImageVersion": TIMES}
    assert outcome.model["ImageVersionArn"] == version_arn(IMAGE, 1)
    assert versions(sm) == [1], "exactly one version made"


@CODES
def test_a_retried_answer_to_delete_image_version_is_retried(
    image, driver, sm, wire_faults, instant_clock, code, status
):
    ours = driver.run("CREATE", props()).model
    sm.create_image_version(ImageName=IMAGE, BaseImage=BASE + "-sibling", ClientToken="sibling")
    assert versions(sm) == [1, 2]
    wire_faults.add("DeleteImageVersion", fault("DeleteImageVersion", code, status), TIMES)
    outcome = driver.run("DELETE", ours)
    assert outcome.status == "SUCCESS", outcome.final
    assert wire_faults.answered == {"DeleteImageVersion": TIMES}
    assert versions(sm) == [2], "exactly the stack's version deleted"


# Throttled answers to every attempt of more callbacks than the retry policy allows in a row.
BEYOND_EVERY_RETRY = timing.ATTEMPTS * (timing.FAULT_CALLBACKS + 2)


def test_throttling_while_sagemaker_answers_other_calls_is_waited_out(
    image, driver, sm, wire_faults, instant_clock
):
    """Contention (many versions of a stack, or the account's own work, sharing its request
    rate) throttles some calls while others are answered: the operation waits it out, bounded by
    CloudFormation's timeout, rather than failing the stack after FAULT_CALLBACKS hand-backs."""
    ours = driver.run("CREATE", props()).model
    throttled = fault("DeleteImageVersion", "ThrottlingException", 400)
    wire_faults.add("DeleteImageVersion", throttled, BEYOND_EVERY_RETRY)
    outcome = driver.run("DELETE", ours)
    assert outcome.status == "SUCCESS", outcome.final
    assert wire_faults.answered == {"DeleteImageVersion": BEYOND_EVERY_RETRY}
    assert versions(sm) == []


def test_throttling_of_every_call_still_ends_the_operation_naming_the_version(
    image, driver, sm, wire_faults, instant_clock
):
    ours = driver.run("CREATE", props()).model
    for operation in ("DescribeImageVersion", "DeleteImageVersion", "ListImageVersions"):
        throttled = fault(operation, "ThrottlingException", 400)
        wire_faults.add(operation, throttled, BEYOND_EVERY_RETRY)
    outcome = driver.run("DELETE", ours)
    assert outcome.status == "FAILED", outcome.final
    assert outcome.error_code == "Throttling"
    assert outcome.model["ImageVersionArn"] == ours["ImageVersionArn"]
    wire_faults.clear()
    assert versions(sm) == [1], "the version stays, and the stack still names it"
