"""Rule: only a complete answer is believed. An answer that lacks what the handler needs (a
status, a version, a list) is a transient fault, retried as one, and never read as "not found",
"no aliases", "no more versions" or success.

The emulator cuts a successful answer short on the wire (fault kind ``truncated``: its JSON body
cut to its first half, the closing brace always lost), which botocore would parse as a success
without the operation's members:

- a DescribeImageVersion cut short during DELETE does not make it NotFound: the version is
  deleted, and DELETE succeeds;
- one cut short during READ does not make the version NotFound: READ answers it with its model,
  or (cut every time) fails with a code CloudFormation retries;
- a ListAliases cut short does not make READ report a version without aliases;
- a create whose first status poll is cut short ends SUCCESS naming version 1;
- a ListImageVersions page cut short in LIST neither ends the list early nor skips a version;
- an answer that is whole JSON but lacks what the handler needs (``{}`` to DescribeImageVersion:
  the emulator always cuts the closing brace, so this one is faked on the wire, :mod:`.wire`)
  is retried as the cut one is, by READ, UPDATE, DELETE and CREATE alike.
"""

from typing import Any

import pytest
from moto.moto_api import state_manager

from harness.events import handler_event
from offline_aws.defaults import version_arn
from sagemaker_emulator.control import catch_up
from sagemaker_emulator.faults import TRUNCATED, FaultRule
from sagemaker_emulator.models import VERSION_DELETE_MODEL
from tests.handlers.conftest import BASE, IMAGE, listed_versions, props

from .wire import Answer

VERSION_1 = version_arn("trainingimage", 1)
RETRIABLE = {"NetworkFailure", "ServiceInternalError", "Throttling"}


def cut(emulator_controls: Any, operation: str, *, at: int | None = None) -> None:
    """The ``at``-th answer to ``operation`` from now on (None: every answer) cut short."""
    limit = None if at is None else 1
    emulator_controls.inject_faults([FaultRule(1.0, operation, (TRUNCATED,), limit=limit, at=at)])


def injected(emulator_controls: Any, operation: str) -> int:
    plan = emulator_controls.faults
    return int(plan.injected.get(TRUNCATED, {}).get(operation, 0)) if plan else 0


def versions(sm: Any) -> list[int]:
    catch_up()
    listed = listed_versions(sm)
    return sorted(v["Version"] for v in listed)


@pytest.fixture
def created(image: str, driver: Any) -> dict[str, Any]:
    outcome = driver.run("CREATE", props(Aliases=["stable", "v1"], JobType="TRAINING"))
    assert outcome.status == "SUCCESS", outcome.final
    model: dict[str, Any] = outcome.model or {}
    return model


@pytest.mark.parametrize("at", [1, 2, 3])
def test_a_describe_cut_short_never_makes_a_delete_not_found(
    created, driver, sm, emulator_controls, instant_clock, at
):
    """Each of the describes of a DELETE cut short in turn: the one that finds the version,
    and the two polls that see it DELETING."""
    state_manager.set_transition(VERSION_DELETE_MODEL, {"progression": "manual", "times": 3})
    cut(emulator_controls, "DescribeImageVersion", at=at)
    outcome = driver.run("DELETE", created)
    assert injected(emulator_controls, "DescribeImageVersion") == 1, "nothing was cut"
    assert (outcome.status, outcome.error_code) == ("SUCCESS", None), outcome.final
    assert versions(sm) == []


def test_a_describe_cut_short_once_never_makes_a_read_not_found(
    created, driver, emulator_controls, instant_clock
):
    cut(emulator_controls, "DescribeImageVersion", at=1)
    outcome = driver.run("READ", created)
    assert injected(emulator_controls, "DescribeImageVersion") == 1, "nothing was cut"
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model is not None
    assert outcome.model["ImageVersionArn"] == VERSION_1
    assert (outcome.model["BaseImage"], outcome.model["JobType"]) == (BASE, "TRAINING")
    assert sorted(outcome.model["Aliases"]) == ["stable", "v1"]


def test_a_describe_cut_short_every_time_is_a_retriable_failure_of_read(
    created, driver, emulator_controls, instant_clock
):
    cut(emulator_controls, "DescribeImageVersion")
    outcome = driver.run("READ", created)
    assert injected(emulator_controls, "DescribeImageVersion") > 1, "nothing was retried"
    assert outcome.status == "FAILED", outcome.final
    assert outcome.error_code in RETRIABLE, outcome.final


def test_a_list_of_aliases_cut_short_never_reads_as_no_aliases(
    created, driver, emulator_controls, instant_clock
):
    cut(emulator_controls, "ListAliases", at=1)
    outcome = driver.run("READ", created)
    assert injected(emulator_controls, "ListAliases") == 1, "nothing was cut"
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.model is not None
    assert sorted(outcome.model["Aliases"]) == ["stable", "v1"]


def test_a_list_of_aliases_cut_short_every_time_is_a_retriable_failure_of_read(
    created, driver, emulator_controls, instant_clock
):
    cut(emulator_controls, "ListAliases")
    outcome = driver.run("READ", created)
    assert outcome.status == "FAILED", outcome.final
    assert outcome.error_code in RETRIABLE, outcome.final


def test_a_create_whose_first_status_poll_is_cut_short_names_version_1(
    image, driver, sm, emulator_controls, instant_clock
):
    cut(emulator_controls, "DescribeImageVersion", at=1)
    outcome = driver.run("CREATE", props(Aliases=["stable"]))
    assert injected(emulator_controls, "DescribeImageVersion") == 1, "nothing was cut"
    assert (outcome.status, outcome.error_code) == ("SUCCESS", None), outcome.final
    assert outcome.model is not None
    assert outcome.model["ImageVersionArn"] == VERSION_1
    assert versions(sm) == [1]


def make_versions(sm: Any, count: int) -> None:
    for n in range(count):
        sm.create_image_version(ImageName=IMAGE, BaseImage=BASE, ClientToken=f"t-{n}")
    catch_up()


def list_every_page(driver: Any, properties: Any) -> list[tuple[str, int]]:
    listed: list[tuple[str, int]] = []
    token = None
    while True:
        answer = driver.invoke(handler_event("LIST", properties, next_token=token))
        assert answer["status"] == "SUCCESS", answer
        listed += [(m["ImageName"], m["Version"]) for m in answer["resourceModels"]]
        token = answer.get("nextToken")
        if token is None:
            return listed


@pytest.mark.parametrize("at", [1, 2, 3])
@pytest.mark.parametrize("name", [IMAGE, None], ids=["one image", "every image"])
def test_a_page_of_versions_cut_short_neither_ends_the_list_nor_skips(
    image, sm, driver, emulator_controls, instant_clock, at, name
):
    make_versions(sm, 250)
    cut(emulator_controls, "ListImageVersions", at=at)
    listed = list_every_page(driver, {"ImageName": name} if name else None)
    assert injected(emulator_controls, "ListImageVersions") == 1, "nothing was cut"
    assert listed == [(IMAGE, v) for v in range(1, 251)]


WITHOUT_MEMBERS = Answer(200, b"{}")


@pytest.mark.parametrize("action", ["READ", "UPDATE", "DELETE"])
def test_a_describe_answered_without_its_members_is_retried(
    created, driver, sm, wire_faults, instant_clock, action
):
    wire_faults.add("DescribeImageVersion", WITHOUT_MEMBERS)
    desired = {**created, "JobType": "INFERENCE"} if action == "UPDATE" else created
    previous = created if action == "UPDATE" else None
    outcome = driver.run(action, desired, previous=previous)
    assert wire_faults.answered == {"DescribeImageVersion": 1}, "nothing was faked"
    assert (outcome.status, outcome.error_code) == ("SUCCESS", None), outcome.final
    assert versions(sm) == ([] if action == "DELETE" else [1])


def test_a_create_whose_first_status_poll_lacks_its_members_names_version_1(
    image, driver, sm, wire_faults, instant_clock
):
    wire_faults.add("DescribeImageVersion", WITHOUT_MEMBERS)
    outcome = driver.run("CREATE", props(Aliases=["stable"]))
    assert wire_faults.answered == {"DescribeImageVersion": 1}, "nothing was faked"
    assert (outcome.status, outcome.error_code) == ("SUCCESS", None), outcome.final
    assert outcome.model is not None
    assert outcome.model["ImageVersionArn"] == VERSION_1
