"""Stabilisation across invocations, and versions of one image changed in parallel."""

import threading
import time

import pytest
from moto.moto_api import state_manager

from community_sagemaker_imageversion import timing
from community_sagemaker_imageversion.handlers import resource
from harness.driver import Driver
from harness.events import handler_event
from sagemaker_emulator.control import catch_up
from sagemaker_emulator.models import VERSION_CREATE_MODEL, VERSION_DELETE_MODEL

from .conftest import BASE, IMAGE, listed_numbers, listed_versions, props


def test_a_slow_create_hands_back_to_cloudformation_with_the_identifier(image, sm):
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 12})
    short = Driver(resource, time_limit=6.0)
    outcome = short.run("CREATE", props(Aliases=["a"]))
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.invocations > 1
    waiting = outcome.events[:-1]
    assert all(e["status"] == "IN_PROGRESS" for e in waiting)
    for event in waiting:
        assert event["resourceModel"]["ImageVersionArn"].endswith("/trainingimage/1")
        assert (
            event["callbackContext"]["version"]["arn"] == event["resourceModel"]["ImageVersionArn"]
        )
        assert event["callbackDelaySeconds"] >= 1
        assert "errorCode" not in event
    assert listed_numbers(sm) == [1]


def test_a_slow_delete_does_not_ask_twice(image, driver, recorder):
    model = driver.run("CREATE", props()).model
    state_manager.set_transition(VERSION_DELETE_MODEL, {"progression": "manual", "times": 4})
    outcome = driver.run("DELETE", model)
    assert outcome.status == "SUCCESS"
    assert len(recorder.of("DeleteImageVersion")) == 1
    assert len(recorder.of("DescribeImageVersion")) >= 4


def test_a_quick_create_finishes_in_one_invocation(image, driver, slow_creates):
    started = time.monotonic()
    outcome = driver.run("CREATE", props())
    assert outcome.status == "SUCCESS"
    assert outcome.invocations == 1
    assert time.monotonic() - started < 3.0


@pytest.fixture
def busy_while_changing(emulator_controls):
    """These tests are about the busy image: SageMaker refuses a change while another version
    of the image is being created or deleted (the rule is unknown; this is one variant)."""
    emulator_controls.rules.concurrency = "while_changing"


def _run_in_parallel(jobs):
    results = [None] * len(jobs)

    def work(i):
        results[i] = jobs[i]()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.real_time  # three threads whose creates must meet each other's in time
def test_three_versions_of_one_image_at_once_all_succeed(
    image, sm, recorder, slow_creates, busy_while_changing
):
    # A share of each callback delay passes, as the creates take real time: called back at once,
    # a create waiting for its turn would spend its 200 invocations in under a second.
    driver = Driver(resource, time_limit=30.0, delay_scale=0.01)
    outcomes = _run_in_parallel(
        [lambda n=n: driver.run("CREATE", props(BaseImage=f"{BASE}-{n}")) for n in range(3)]
    )
    assert [o.status for o in outcomes] == ["SUCCESS"] * 3, [o.final for o in outcomes]
    assert sorted(o.model["Version"] for o in outcomes) == [1, 2, 3]
    by_version = {o.model["Version"]: o.model["BaseImage"] for o in outcomes}
    catch_up()  # the test's own look, past any read-after-write lag (non_monotonic reads)
    for version, base in by_version.items():
        assert sm.describe_image_version(ImageName=IMAGE, Version=version)["BaseImage"] == base
    assert len(recorder.of("CreateImageVersion")) > 3, (
        "ResourceInUse was never met: no retry tested"
    )

    deletions = _run_in_parallel([lambda o=o: driver.run("DELETE", o.model) for o in outcomes])
    assert [d.status for d in deletions] == ["SUCCESS"] * 3, [d.final for d in deletions]
    assert listed_versions(sm) == []


def test_a_busy_image_is_retried_across_invocations_without_a_second_version(
    image, sm, busy_while_changing
):
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "time", "seconds": 3})
    sm.create_image_version(ImageName=IMAGE, BaseImage=BASE, ClientToken="other-stack")
    short = Driver(resource, time_limit=5.6, delay_scale=0.1)
    outcome = short.run("CREATE", props(BaseImage=BASE + "-mine"))
    assert outcome.status == "SUCCESS", outcome.final
    deferred = [
        e
        for e in outcome.events
        if e["status"] == "IN_PROGRESS" and "version" not in e["callbackContext"]
    ]
    assert deferred, "the image was never busy past one invocation"
    assert all(e["callbackContext"]["queue"]["refusals"] >= 1 for e in deferred)
    # Back when the sibling's change should be over (its period unknown yet), spread out.
    longest = (1 + timing.BUSY_SPREAD_MAX) * timing.UNKNOWN_PERIOD + 1
    assert all(1 <= e["callbackDelaySeconds"] <= longest for e in deferred)
    assert outcome.model is not None
    assert outcome.model["Version"] == 2
    assert len(listed_versions(sm)) == 2


def test_an_image_busy_beyond_the_budget_is_a_resource_conflict(image, sm, busy_while_changing):
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 10_000})
    sm.create_image_version(ImageName=IMAGE, BaseImage=BASE, ClientToken="stuck")
    catch_up()  # the stuck version is listed from the first look (read_after_write=lagging)
    long_ago = time.time() - 2 * 60 * 60
    # The context says the image has been busy for two hours with nothing changing: the conflict
    # comes at once (a handler that waits on fails in seconds here, not after 200 invocations).
    driver = Driver(resource, time_limit=30.0, max_invocations=2)
    outcome = driver.run(
        "CREATE",
        props(),
        callback_context={"busySince": long_ago, "busyRetries": 50, "busyChange": "1:CREATING"},
    )
    assert outcome.error_code == "ResourceConflict"
    assert "60 minutes" in outcome.final["message"]
    catch_up()
    assert listed_numbers(sm) == [1]


def test_a_transient_error_after_the_create_calls_back_and_finishes(
    image, driver, sm, failing_calls
):
    failing_calls("DescribeImageVersion", "ThrottlingException", times=timing.ATTEMPTS)
    outcome = driver.run("CREATE", props())
    assert outcome.status == "SUCCESS", outcome.final
    assert outcome.invocations == 2
    assert outcome.events[0]["resourceModel"]["ImageVersionArn"].endswith("/trainingimage/1")
    catch_up()  # the test's own look, past any read-after-write lag
    assert listed_numbers(sm) == [1]


def test_a_lasting_error_after_the_create_names_the_version_it_made(image, driver, failing_calls):
    failing_calls("DescribeImageVersion", "AccessDeniedException", times=1)
    outcome = driver.run("CREATE", props())
    assert outcome.error_code == "AccessDenied"
    assert outcome.model["ImageVersionArn"].endswith("/trainingimage/1")
    assert "Alias" not in outcome.model


def test_a_delete_on_a_busy_image_retries_and_every_event_names_the_version(
    image, driver, sm, busy_while_changing
):
    model = driver.run("CREATE", props()).model
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "time", "seconds": 2})
    sm.create_image_version(ImageName=IMAGE, BaseImage=BASE, ClientToken="sibling")
    short = Driver(resource, time_limit=5.6, delay_scale=0.05)
    outcome = short.run("DELETE", model)
    assert outcome.status == "SUCCESS", outcome.final
    waiting = outcome.events[:-1]
    assert waiting, "the image was never busy"
    assert all(e["resourceModel"]["ImageVersionArn"] == model["ImageVersionArn"] for e in waiting)
    assert listed_numbers(sm) == [2]


def test_a_busy_queue_that_makes_progress_is_never_a_conflict(
    image, sm, driver, busy_while_changing
):
    """Waited 2 hours, but the change in progress is not the one seen last: the queue moves, so
    the create keeps waiting (a budget from the first refusal would fail it)."""
    state_manager.set_transition(VERSION_CREATE_MODEL, {"progression": "manual", "times": 10_000})
    sm.create_image_version(ImageName=IMAGE, BaseImage=BASE, ClientToken="ahead-of-us")
    catch_up()  # the version ahead is listed from the first look (read_after_write=lagging)
    long_ago = time.time() - 2 * 60 * 60
    seen_before = {"busySince": long_ago, "busyRetries": 50, "busyChange": "7:CREATING"}
    answer = driver.invoke(handler_event("CREATE", props(), callback_context=seen_before))
    assert answer["status"] == "IN_PROGRESS", answer
    context = answer["callbackContext"]
    assert context["queue"]["signature"] == "1:CREATING"
    assert context["queue"]["progress_at"] > long_ago + 60 * 60
    catch_up()
    assert listed_numbers(sm) == [1]
