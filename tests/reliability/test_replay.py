"""Every handler step is safe to run twice with the same event and callback context.

Hypothesis picks an operation (create, a create SageMaker fails, update, update of a version
still being created, delete), a model, how many status reads a change takes, the step to
deliver twice and which of the two answers CloudFormation keeps. The operation then runs twice
on a fresh emulator: once plainly, once with that step delivered twice. The two must end alike:
same status and error code, same final model, and the same versions with the same status,
metadata and aliases (no duplicate, nothing lost).
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.moto_api import state_manager

from community_sagemaker_imageversion.handlers import resource
from harness.clocks import instant
from harness.driver import Driver, Outcome
from harness.inventory import aliases_of, every_item
from harness.replay import run_with_replay
from offline_aws.defaults import IMAGE_ROLE
from offline_aws.services import in_process_client
from reliability_suite import figures
from sagemaker_emulator.control import catch_up, controls
from sagemaker_emulator.models import METADATA_KEYS, VERSION_CREATE_MODEL, VERSION_DELETE_MODEL

from .conftest import FULL
from .strategies import IMAGE, valid_models

ROLE = IMAGE_ROLE
TOKEN = "7b0c3f0e-1a52-4a5e-9d7e-3c1d2b4a5e6f"
REASON = "Base image manifest could not be read"
# 5 s of Lambda time is all safety margin: each invocation has the least budget (MIN_STEP) for one
# step, so a change that does not settle at once takes more steps (more invocations). The
# handler's clock is instant: its pauses, and the callback delays between invocations, take no
# time (the read-after-write grace, measured on that clock, runs out as it would).
DRIVER = Driver(resource, time_limit=5.0, delay_scale=1.0, max_invocations=60)
COUNTS: Counter[str] = Counter()
OPERATIONS = ["create", "failing create", "update", "update while creating", "delete"]


def _snapshot(sagemaker: Any) -> list[tuple[Any, ...]]:
    """Every version of the image: number, base image, status, metadata and aliases (past any
    read-after-write lag: a check's view)."""
    catch_up()
    found = []
    for item in every_item(
        sagemaker.list_image_versions, "ImageVersions", ImageName=IMAGE, MaxResults=100
    ):
        number = item["Version"]
        described = sagemaker.describe_image_version(ImageName=IMAGE, Version=number)
        aliases = aliases_of(sagemaker, IMAGE, number)
        found.append(
            (
                number,
                described["BaseImage"],
                described["ImageVersionStatus"],
                tuple((key, described.get(key)) for key in METADATA_KEYS),
                tuple(aliases),
            )
        )
    return sorted(found)


def _prepare(
    operation: str, model: dict[str, Any], ticks: int
) -> tuple[Callable[..., Outcome], Any]:
    """Set up the emulator for ``operation``; how to run it (plainly or replayed), and a client
    to look at the result with."""
    sagemaker = in_process_client()
    sagemaker.create_image(ImageName=IMAGE, RoleArn=ROLE)
    slow = {"progression": "manual", "times": ticks}
    previous = None
    action, properties = "CREATE", model
    if operation == "failing create":
        controls().fail_create(REASON, once=False)
        state_manager.set_transition(VERSION_DELETE_MODEL, slow)
    if operation in ("update", "delete"):
        previous = DRIVER.run("CREATE", {**model, "Aliases": ["old"], "JobType": "TRAINING"}).model
    if operation == "update while creating":
        state_manager.set_transition(VERSION_CREATE_MODEL, slow)
        base = {"ImageName": IMAGE, "BaseImage": model["BaseImage"], "ClientToken": "elsewhere"}
        arn = sagemaker.create_image_version(**base)["ImageVersionArn"]
        if arn == "None":  # create_answer=none_first: the token's replay says which
            arn = sagemaker.create_image_version(**base)["ImageVersionArn"]
        catch_up()
        previous = {"ImageName": IMAGE, "BaseImage": model["BaseImage"], "ImageVersionArn": arn}
    if operation in ("update", "update while creating"):
        assert previous is not None
        action, properties = "UPDATE", {**model, "ImageVersionArn": previous["ImageVersionArn"]}
    if operation == "delete":
        state_manager.set_transition(VERSION_DELETE_MODEL, slow)
        assert previous is not None
        action, properties = "DELETE", previous
    if operation == "create":
        state_manager.set_transition(VERSION_CREATE_MODEL, slow)

    def run(**replay: Any) -> Outcome:
        if not replay:
            return DRIVER.run(action, properties, previous=previous, token=TOKEN)
        outcome, step = run_with_replay(
            DRIVER, action, properties, previous=previous, token=TOKEN, **replay
        )
        COUNTS[f"{operation}, step {step} replayed, kept {replay['keep']}"] += 1
        return outcome

    return run, sagemaker


def _ending(operation: str, model: dict[str, Any], ticks: int, **replay: Any) -> tuple[Any, ...]:
    """How ``operation`` ends on a fresh emulator: status, error, final model, versions."""
    with mock_aws(), instant() as clock:
        DRIVER.wait = clock.sleep
        try:
            run, sagemaker = _prepare(operation, model, ticks)
            outcome = run(**replay)
            versions = _snapshot(sagemaker)
        finally:
            for model_name in (VERSION_CREATE_MODEL, VERSION_DELETE_MODEL):
                state_manager.unset_transition(model_name)
    return outcome.status, outcome.error_code, outcome.model, versions, outcome.final


@pytest.mark.no_cover
@pytest.mark.requirement("replay")
@settings(max_examples=400 if FULL else 25)
@given(
    operation=st.sampled_from(OPERATIONS),
    model=valid_models(),
    ticks=st.integers(0, 3),
    replay_at=st.integers(0, 6),
    keep=st.sampled_from(["first", "replay"]),
)
def test_a_step_delivered_twice_ends_like_a_step_delivered_once(
    operation, model, ticks, replay_at, keep
):
    plain = _ending(operation, model, ticks)
    replayed = _ending(operation, model, ticks, replay_at=replay_at, keep=keep)
    status, error, final_model, versions, final = replayed
    if operation == "delete" and error == "NotFound":
        # The repeated delete found the version gone: CloudFormation takes NotFound as deleted
        # (the FAILED event names the version, as every FAILED DELETE does).
        status, error, final_model = "SUCCESS", None, None
    assert (status, error) == plain[:2], (final, plain[4])
    assert final_model == plain[2]
    assert versions == plain[3]
    COUNTS["examples"] += 1


def test_a_failing_create_delivered_twice_still_reports_sagemakers_reason():
    """The first invocation of a failing create delivered again: the invocation that made the
    version never deletes it, so the second delivery finds it CREATE_FAILED too, with its
    reason (not DELETING, and not gone with its ClientToken forgotten, which would make
    another version)."""
    model = {"ImageName": IMAGE, "BaseImage": "base:1"}
    status, error, _, versions, final = _ending(
        "failing create", model, ticks=3, replay_at=0, keep="replay"
    )
    assert (status, error, versions) == ("FAILED", "NotStabilized", [])
    assert REASON in final["message"], final["message"]


@pytest.fixture(scope="module", autouse=True)
def _keep_counts():
    yield
    figures.keep("replay", dict(COUNTS))
