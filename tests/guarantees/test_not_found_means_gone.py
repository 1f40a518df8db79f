"""Rule: not found means gone. READ, UPDATE and DELETE answer NotFound only once the version's
absence is confirmed in a way that survives read-after-write lag and non-monotonic reads: by
timing.ABSENT_READS reads in a row, timing.ABSENT_SPACING apart, when SageMaker has shown the
version before (the model carries its ContainerImage, which only SageMaker's answer gives); else
by reads over timing.LAG_BOUND (READ, which cannot call back: over its one invocation).

- A DELETE right after a create (the rollback of a create that FAILED before SageMaker ever
  showed its version: the FAILED event's model, without ContainerImage) under
  ``read_after_write=lagging`` deletes the version: NotFound there would leave it orphaned.
- A create whose version SageMaker shows only after 75 s succeeds.
- Under ``read_after_write=non_monotonic`` (one read sees a new version, the next misses it),
  READ, UPDATE and DELETE of an existing version never answer NotFound, and DELETE deletes it.
- A version really gone is still NotFound, within the bound the handler states: READ in its one
  invocation, UPDATE and DELETE of a version SageMaker showed after ABSENT_READS reads, DELETE of
  one it never showed after LAG_BOUND.

Everything here runs on one virtual clock, the handler's, the emulator's and CloudFormation's
(:mod:`.timeline`): the lags and the waits take no real time, and the times measured are virtual
seconds.
"""

from dataclasses import dataclass
from typing import Any

import pytest

from community_sagemaker_imageversion import timing
from offline_aws.defaults import version_arn
from sagemaker_emulator.control import catch_up
from sagemaker_emulator.faults import THROTTLING, FaultRule
from tests.handlers.conftest import IMAGE, listed_versions, props

from .timeline import Timeline

VERSION_1 = version_arn("trainingimage", 1)
RETRIABLE = {"NetworkFailure", "ServiceInternalError", "Throttling"}


def versions(sm: Any) -> list[int]:
    catch_up()
    listed = listed_versions(sm)
    return sorted(v["Version"] for v in listed)


def describes(timeline: Timeline, mark: tuple[int, int]) -> list[str | None]:
    """How each DescribeImageVersion of the version made since ``mark`` ended."""
    calls, _ = timeline.since(mark)
    return [c.error for c in calls if c.operation == "DescribeImageVersion"]


def failed_create_model(timeline: Timeline, emulator_controls: Any) -> dict[str, Any]:
    """The model of a create that FAILED before SageMaker ever showed its version: every status
    poll of it throttled, until the create gave up (Throttling, naming version 1)."""
    emulator_controls.inject_faults([FaultRule(1.0, "DescribeImageVersion", (THROTTLING,))])
    create = timeline.driver().run("CREATE", props(Aliases=["stable"]))
    emulator_controls.faults = None
    assert (create.status, create.error_code) == ("FAILED", "Throttling"), create.final
    model: dict[str, Any] = dict(create.model or {})
    assert model.get("ImageVersionArn") == VERSION_1, create.final
    assert "ContainerImage" not in model, "SageMaker showed the version: nothing is tested"
    return model


def test_a_rollback_delete_under_read_after_write_lag_deletes_the_version(
    image, sm, timeline, emulator_controls
):
    emulator_controls.rules.read_after_write = "lagging"
    emulator_controls.rules.lag_reads = 8  # the DELETE's first reads of it miss it
    model = failed_create_model(timeline, emulator_controls)
    mark = timeline.mark()
    outcome = timeline.driver().run("DELETE", model)
    assert (outcome.status, outcome.error_code) == ("SUCCESS", None), outcome.final
    assert "ResourceNotFound" in describes(timeline, mark), "the lag was never met"
    assert versions(sm) == [], "the version was orphaned"


def test_a_create_whose_version_shows_after_75_seconds_succeeds(
    image, sm, timeline, emulator_controls
):
    emulator_controls.rules.read_after_write = "lagging"
    emulator_controls.rules.lag_seconds = 75.0
    started = timeline.time.now
    outcome = timeline.driver().run("CREATE", props(Aliases=["stable"]))
    assert (outcome.status, outcome.error_code) == ("SUCCESS", None), outcome.final
    assert outcome.model is not None
    assert outcome.model["ImageVersionArn"] == VERSION_1
    assert timeline.time.now - started >= 75.0, "the lag was never met"
    assert versions(sm) == [1]


LAGS = {
    "three stale reads": (3, 0.0),
    "two minutes of alternation": (20, 120.0),
}


@pytest.fixture(params=list(LAGS.values()), ids=list(LAGS))
def non_monotonic(request, image, timeline, emulator_controls) -> dict[str, Any]:
    """A version just created under non-monotonic reads: one read of it sees it and the next
    misses it, until ``lag_reads`` reads missed it and ``lag_seconds`` passed (two minutes: longer
    than READ's one invocation, and longer than its retries)."""
    emulator_controls.rules.read_after_write = "non_monotonic"
    emulator_controls.rules.lag_reads, emulator_controls.rules.lag_seconds = request.param
    outcome = timeline.driver().run("CREATE", props(Aliases=["stable"], JobType="TRAINING"))
    assert outcome.status == "SUCCESS", outcome.final
    model: dict[str, Any] = dict(outcome.model or {})
    return model


def test_a_read_under_non_monotonic_reads_is_never_not_found(
    non_monotonic, timeline, emulator_controls
):
    """READ answers the version; where the alternation outlasts its one invocation, it may fail
    with a code CloudFormation retries, never NotFound."""
    long_lag = emulator_controls.rules.lag_seconds > timing.FREE_WINDOW
    for model in (non_monotonic, {"ImageVersionArn": VERSION_1}):  # and an import
        for _ in range(3):
            mark = timeline.mark()
            read = timeline.driver().run("READ", model)
            assert read.error_code != "NotFound", (read.final, describes(timeline, mark))
            if read.status == "SUCCESS":
                assert read.model is not None
                assert read.model["Aliases"] == ["stable"], read.final
            else:
                assert long_lag, read.final
                assert read.error_code in RETRIABLE, read.final


def test_an_update_under_non_monotonic_reads_is_never_not_found(non_monotonic, timeline, sm):
    current = non_monotonic
    for job_type in ("INFERENCE", "NOTEBOOK_KERNEL", "TRAINING"):
        desired = {**current, "JobType": job_type}
        update = timeline.driver().run("UPDATE", desired, previous=current)
        assert (update.status, update.error_code) == ("SUCCESS", None), update.final
        current = dict(update.model or {})
    catch_up()
    assert sm.describe_image_version(ImageName=IMAGE, Version=1)["JobType"] == "TRAINING"


def test_a_delete_under_non_monotonic_reads_deletes_the_version(non_monotonic, timeline, sm):
    delete = timeline.driver().run("DELETE", non_monotonic)
    assert (delete.status, delete.error_code) == ("SUCCESS", None), delete.final
    assert versions(sm) == []


# -- A version really gone -----------------------------------------------------------------------


@pytest.fixture
def gone(image, sm, timeline) -> dict[str, Any]:
    """The model of a version that SageMaker showed (its CREATE succeeded), then deleted out of
    band."""
    outcome = timeline.driver().run("CREATE", props(Aliases=["stable"]))
    assert outcome.status == "SUCCESS", outcome.final
    sm.delete_image_version(ImageName=IMAGE, Version=1)
    assert versions(sm) == []
    model: dict[str, Any] = dict(outcome.model or {})
    assert model.get("ContainerImage"), "the model does not carry what SageMaker showed"
    return model


NEVER_SHOWN = ("ContainerImage",)
SHOWN_DOUBT = sum(
    timing.MIN_WAIT if miss % 2 == 1 else timing.ABSENT_SPACING
    for miss in range(1, timing.ABSENT_READS)
)
"""How long the reads that make sure a version SageMaker showed is gone take (virtual seconds):
pairs of reads, a second apart."""
"""What a model of a version SageMaker never showed lacks (a FAILED create's, or a template's)."""


def without(model: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in model.items() if k not in keys}


@dataclass(frozen=True)
class Measure:
    """What an operation took: virtual seconds, SageMaker calls, invocations, and the moments
    the version was read (DescribeImageVersion)."""

    seconds: float
    calls: int
    invocations: int
    reads: int


def measured(timeline: Timeline, run: Any) -> tuple[Any, Measure]:
    mark, started = timeline.mark(), timeline.time.now
    outcome = run()
    calls, spans = timeline.since(mark)
    reads = len({c.at for c in calls if c.operation == "DescribeImageVersion"})
    measure = Measure(timeline.time.now - started, len(calls), len(spans), reads)
    print(f"{outcome.error_code}: {measure}")
    return outcome, measure


def test_a_read_of_a_version_really_gone_is_not_found_in_one_invocation(gone, timeline):
    shown, took = measured(timeline, lambda: timeline.driver().run("READ", gone))
    assert shown.error_code == "NotFound", shown.final
    assert took.invocations == 1
    assert took.reads == timing.ABSENT_READS
    assert took.seconds == pytest.approx(SHOWN_DOUBT)

    imported, took = measured(
        timeline, lambda: timeline.driver().run("READ", {"ImageVersionArn": VERSION_1})
    )
    assert imported.error_code == "NotFound", imported.final
    assert took.invocations == 1
    assert took.seconds <= timing.FREE_WINDOW
    assert took.reads <= timing.ABSENT_READS + timing.FREE_WINDOW / timing.ABSENT_POLL
    assert took.calls <= timing.CALL_BUDGET


def test_an_update_of_a_version_really_gone_is_not_found_within_the_stated_bound(gone, timeline):
    desired = {**gone, "JobType": "INFERENCE"}
    shown, took = measured(
        timeline, lambda: timeline.driver().run("UPDATE", desired, previous=gone)
    )
    assert shown.error_code == "NotFound", shown.final
    assert took.invocations == 1
    assert took.reads == timing.ABSENT_READS
    assert took.seconds == pytest.approx(SHOWN_DOUBT)

    previous = without(gone, NEVER_SHOWN)
    never_shown, took = measured(
        timeline,
        lambda: timeline.driver().run("UPDATE", without(desired, NEVER_SHOWN), previous=previous),
    )
    assert never_shown.error_code == "NotFound", never_shown.final
    assert timing.LAG_BOUND <= took.seconds <= timing.LAG_BOUND + timing.MAX_GAP
    assert took.reads <= timing.LAG_BOUND / timing.ABSENT_POLL + took.invocations + 1


def test_a_delete_of_a_version_really_gone_is_not_found_within_the_stated_bound(gone, timeline):
    shown, took = measured(timeline, lambda: timeline.driver().run("DELETE", gone))
    assert shown.error_code == "NotFound", shown.final
    assert took.invocations == 1
    assert took.reads == timing.ABSENT_READS
    assert took.seconds == pytest.approx(SHOWN_DOUBT)

    never_shown, took = measured(
        timeline, lambda: timeline.driver().run("DELETE", without(gone, NEVER_SHOWN))
    )
    assert never_shown.error_code == "NotFound", never_shown.final
    assert timing.LAG_BOUND <= took.seconds <= timing.LAG_BOUND + timing.MAX_GAP
    assert took.reads <= timing.LAG_BOUND / timing.ABSENT_POLL + took.invocations + 1


def test_an_update_whose_stored_model_names_no_version_is_not_found_after_two_reads(gone, timeline):
    """An UPDATE whose previous model names no version (the contract suite's
    update_without_create; no resource CloudFormation created, whose create could still be
    lagging): the version named is gone once two reads a second apart miss it."""
    desired = without({**gone, "JobType": "INFERENCE"}, NEVER_SHOWN)
    previous = without(gone, ("ImageVersionArn", "Version", *NEVER_SHOWN))
    outcome, took = measured(
        timeline, lambda: timeline.driver().run("UPDATE", desired, previous=previous)
    )
    assert outcome.error_code == "NotFound", outcome.final
    assert took.invocations == 1
    assert took.reads == timing.ABSENT_READS
