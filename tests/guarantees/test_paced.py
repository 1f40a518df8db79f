"""Rule: paced. No path calls SageMaker in a loop without waiting, and each invocation makes at
most timing.CALL_BUDGET calls; an operation that waits on SageMaker still ends.

- A DELETE while the version's image is being deleted, its versions still described but
  DeleteImageVersion refused "invalid state" (``delete_image=deleting_refuses_writes``), for a
  long DELETING phase (500 calls naming the image): every invocation makes a few calls, a
  pause between each burst of them, and the DELETE succeeds once the image is gone.
- Under SageMaker's rate limits (the emulator's: 2 List, 5 Describe and 1 mutating call a
  second), a create, an update and a delete all succeed.

Everything here runs on one virtual clock, the handler's, the emulator's and CloudFormation's
(:mod:`.timeline`): the refill of the rate limits' buckets and every pause take no real time.
"""

import itertools
from collections import Counter

from moto.moto_api import state_manager

from community_sagemaker_imageversion import timing
from sagemaker_emulator.control import catch_up
from sagemaker_emulator.models import IMAGE_DELETE_MODEL
from sagemaker_emulator.rate_limits import RateLimits
from tests.handlers.conftest import IMAGE, listed_aliases, listed_versions, props

from .timeline import TimedCall

BURST = 4
"""The most calls one invocation makes at one moment (a phase observing, then acting): any
more, and something calls in a loop without waiting."""
CALLS_PER_INVOCATION = int(timing.FREE_WINDOW / timing.POLL_CAP) + BURST
"""The most calls one invocation of this DELETE makes (41: a few dozen): a free window of
polling at the quickest cadence, and the calls before it."""


def bursts(calls: list[TimedCall]) -> Counter[float]:
    """How many calls were made at each moment."""
    return Counter(call.at for call in calls)


def test_a_delete_while_the_image_is_being_deleted_is_paced_and_ends(
    image, sm, timeline, emulator_controls
):
    created = timeline.driver().run("CREATE", props(Aliases=["stable"]))
    assert created.status == "SUCCESS", created.final
    emulator_controls.rules.delete_image = "deleting_refuses_writes"
    state_manager.set_transition(IMAGE_DELETE_MODEL, {"progression": "manual", "times": 500})
    sm.delete_image(ImageName=IMAGE)

    mark, started = timeline.mark(), timeline.time.now
    outcome = timeline.driver(max_invocations=1000).run("DELETE", created.model)
    per_invocation = timeline.per_invocation(mark)
    counts = [len(calls) for calls in per_invocation]
    print(
        f"{outcome.status}: {len(counts)} invocations, {timeline.time.now - started:.0f} s,"
        f" calls per invocation: max {max(counts)}, mean {sum(counts) / len(counts):.1f},"
        f" first {counts[:5]}"
    )
    assert (outcome.status, outcome.error_code) == ("SUCCESS", None), outcome.final
    assert "ValidationException" in {c.error for c in timeline.since(mark)[0]}, "never refused"
    assert max(counts) <= min(CALLS_PER_INVOCATION, timing.CALL_BUDGET)
    for calls in per_invocation:
        moments = bursts(calls)
        assert max(moments.values()) <= BURST, moments
        gaps = [b - a for a, b in itertools.pairwise(sorted(moments))]
        assert all(gap >= timing.MIN_WAIT for gap in gaps), gaps
    _, spans = timeline.since(mark)
    assert all(span.seconds <= timing.CONTRACT_SECONDS for span in spans)


def test_a_create_an_update_and_a_delete_succeed_under_rate_limits(
    image, sm, timeline, emulator_controls
):
    limits = RateLimits(list_per_second=2, describe_per_second=5, mutate_per_second=1)
    emulator_controls.rate_limits = limits
    driver = timeline.driver()
    mark = timeline.mark()
    created = driver.run("CREATE", props(Aliases=["stable", "v1"], JobType="TRAINING"))
    assert (created.status, created.error_code) == ("SUCCESS", None), created.final
    desired = {**(created.model or {}), "JobType": "INFERENCE", "Aliases": ["stable", "v2"]}
    updated = driver.run("UPDATE", desired, previous=created.model)
    assert (updated.status, updated.error_code) == ("SUCCESS", None), updated.final
    deleted = driver.run("DELETE", updated.model)
    assert (deleted.status, deleted.error_code) == ("SUCCESS", None), deleted.final
    assert limits.total_throttles() > 0, "no call was throttled: nothing was tested"
    print(f"throttled: {limits.throttles}")
    for calls in timeline.per_invocation(mark):
        for throttled, after in itertools.pairwise(calls):
            if throttled.error == "ThrottlingException":
                assert after.at - throttled.at >= timing.MIN_WAIT, "called again at once"
    emulator_controls.rate_limits = None
    catch_up()
    assert listed_versions(sm) == []


def test_a_delete_of_a_version_still_being_created_polls_as_for_any_change(image, sm, timeline):
    """A DELETE that meets its version CREATING (a rollback while the create goes on) waits for
    it at the cadence of any change, not every quarter second throughout."""
    created = timeline.driver().run("CREATE", props())
    assert created.status == "SUCCESS", created.final
    state_manager.set_transition("sagemaker::imageversion", {"progression": "time", "seconds": 120})
    sm.create_image_version(ImageName=IMAGE, BaseImage="registry/later:1", ClientToken="later")
    catch_up()
    model = {**created.model, "ImageVersionArn": created.model["ImageVersionArn"][:-1] + "2"}
    model.update(Version=2, BaseImage="registry/later:1")
    mark = timeline.mark()
    outcome = timeline.driver().run("DELETE", model)
    assert outcome.status == "SUCCESS", outcome.final
    calls, _ = timeline.since(mark)
    describes = [c for c in calls if c.operation == "DescribeImageVersion"]
    # 120 s at the dense cadence would be 480 reads; as for any change, a few dozen
    assert len(describes) <= 60, len(describes)


def test_a_walk_of_more_pages_than_the_list_budget_admits_goes_on_from_the_throttled_page(
    image, sm, timeline, emulator_controls
):
    """ListAliases answers three empty pages before its items (empty_pages=before_items) and
    List calls are limited to 2 a second: each walk of a version's aliases is throttled at its
    third page. A retry that read every page again would be throttled there every time, and the
    UPDATE would never end; the retry goes on from the page that was throttled."""
    emulator_controls.rules.empty_pages = "before_items"
    created = timeline.driver().run("CREATE", props(Aliases=["stable", "v1"]))
    assert created.status == "SUCCESS", created.final
    limits = RateLimits(list_per_second=2, describe_per_second=5, mutate_per_second=1)
    emulator_controls.rate_limits = limits
    mark = timeline.mark()
    desired = {**(created.model or {}), "Aliases": ["stable", "v2"]}
    updated = timeline.driver(max_invocations=10).run("UPDATE", desired, previous=created.model)
    assert (updated.status, updated.error_code) == ("SUCCESS", None), updated.final
    assert limits.total_throttles() > 0, "no call was throttled: nothing was tested"
    calls, _ = timeline.since(mark)
    first_pages = [c for c in calls if c.operation == "ListAliases" and "NextToken" not in c.params]
    # a walk starts once per look at the aliases (before and after the change), not per throttle
    assert len(first_pages) <= 4, [(c.at, c.error) for c in calls if c.operation == "ListAliases"]
    emulator_controls.rate_limits = None
    assert listed_aliases(sm, 1) == ["stable", "v2"]
