"""A phase that makes more calls of one kind back to back than a throttled account's burst admits
gets past it: after SageMaker throttles a call, the invocation's next calls of that kind go
``timing.THROTTLED_SPACING`` apart (``engine._Calls``), so the phase the runner retries does not
spend the burst on the calls it had made already and meet the throttle at the same call again.

A stack whose template names the image in lower case (README "Image names in another case"):
READ's phase asks DescribeImageVersion and DescribeImage by that name (not found) and
DescribeImage again, at once. Under limits of 5 Describe calls/s with a burst of 2 (the
emulator's default burst is one second's worth: 5), the third Describe is throttled. The same
holds for a LIST walking three images under a List burst of 2 (a page with items is never kept
for a retry: ``tests/review/test_resumed_walks.py`` shows why). Before the pacing, the runner's
retry ran the phase again at full speed, the third call was throttled every time, and both
failed Throttling.
"""

from __future__ import annotations

from typing import Any

from sagemaker_emulator.control import catch_up
from sagemaker_emulator.rate_limits import RateLimits
from tests.guarantees.timeline import Timeline
from tests.handlers.conftest import IMAGE, ROLE, props

OTHER_IMAGES = 9
"""Other teams' images (a few: the gap needs none of them to show)."""


def test_a_read_naming_the_image_in_lower_case_ends_under_a_tight_list_limit(
    sm: Any, timeline: Timeline, emulator_controls: Any
) -> None:
    for k in range(OTHER_IMAGES):
        sm.create_image(ImageName=f"other-team-{k:03d}", RoleArn=ROLE)
    timeline.time.sleep(1.0)
    sm.create_image(ImageName=IMAGE, RoleArn=ROLE)
    created = timeline.driver().run("CREATE", props(ImageName="trainingimage"))
    assert created.status == "SUCCESS", created.final
    emulator_controls.rate_limits = RateLimits(
        list_per_second=2, describe_per_second=5, mutate_per_second=1, burst=2
    )
    read = timeline.driver(max_invocations=5).run("READ", created.model)
    emulator_controls.rate_limits = None
    assert (read.status, read.error_code) == ("SUCCESS", None), read.final


def test_a_list_of_every_image_walks_on_under_a_tight_list_limit(
    sm: Any, timeline: Timeline, emulator_controls: Any
) -> None:
    images = [f"listed-image-{k}" for k in range(3)]
    for image in images:
        sm.create_image(ImageName=image, RoleArn=ROLE)
        sm.create_image_version(ImageName=image, BaseImage=props()["BaseImage"])
    timeline.time.sleep(1.0)
    catch_up()  # the test's own versions, seen by every read under read_after_write's lag variants
    emulator_controls.rate_limits = RateLimits(list_per_second=2, burst=2)
    listed = timeline.driver(max_invocations=10).run_list({})
    throttles = dict(emulator_controls.rate_limits.throttles)
    emulator_controls.rate_limits = None
    assert listed.final["status"] == "SUCCESS", listed.final
    assert throttles, "nothing was throttled: nothing was tested"
    names = sorted(str(m["ImageName"]) for m in listed.listed)
    assert names == images
