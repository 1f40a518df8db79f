"""A phase that makes more calls of one kind at once than a throttled account's burst admits
still ends: once SageMaker throttles a call, the invocation's later calls are paced
(``timing.THROTTLED_PACE``).

A stack whose template names the image in lower case (README "Image names in another case"):
READ's phase asks DescribeImageVersion and DescribeImage by that name (not found), DescribeImage
again, and with more than 100 images walks ListImages page after page (pages with items are
never kept for a retry: ``tests/review/test_resumed_walks.py`` shows why). Under limits of 2 List
and 5 Describe calls a second with a burst of 2 (the emulator's default burst is one second's
worth), the third call of a kind made at once is throttled. Retried at full speed, the phase met
the same empty bucket at the same call every time, and READ failed Throttling.
"""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_emulator.rate_limits import RateLimits
from tests.guarantees.timeline import Timeline
from tests.handlers.conftest import IMAGE, ROLE, props


@pytest.mark.parametrize("other_images", [9, 249], ids=["three-describes", "three-list-pages"])
def test_a_read_naming_the_image_in_lower_case_ends_under_a_tight_burst(
    sm: Any, timeline: Timeline, emulator_controls: Any, other_images: int
) -> None:
    for k in range(other_images):
        sm.create_image(ImageName=f"other-team-{k:03d}", RoleArn=ROLE)
    timeline.time.sleep(1.0)
    sm.create_image(ImageName=IMAGE, RoleArn=ROLE)
    created = timeline.driver().run("CREATE", props(ImageName="trainingimage"))
    assert created.status == "SUCCESS", created.final
    limits = RateLimits(list_per_second=2, describe_per_second=5, mutate_per_second=1, burst=2)
    emulator_controls.rate_limits = limits
    mark = timeline.mark()
    read = timeline.driver(max_invocations=5).run("READ", created.model)
    emulator_controls.rate_limits = None
    assert limits.total_throttles() > 0, "nothing was throttled: nothing was tested"
    assert (read.status, read.error_code) == ("SUCCESS", None), read.final
    assert (read.model or {}).get("ImageVersionArn") == (created.model or {}).get("ImageVersionArn")
    calls, _ = timeline.since(mark)
    pages = [c for c in calls if c.operation == "ListImages" and c.error is None]
    assert other_images < 100 or len(pages) >= 3, "the walk did not reach page 3"
