"""busy_wait compares SageMaker's CreationTime with the Lambda's wall clock. With SageMaker's
clock off by 10 minutes either way, a create that meets a 9 s change in progress waits 600 s."""

import pytest

from tests.review.fake import props, world


@pytest.mark.parametrize("skew", [600.0, -600.0, 0.0])
def test_a_busy_wait_is_not_stretched_by_clock_skew(monkeypatch, skew):
    with world(monkeypatch, create_seconds=10.0, skew=skew) as (clock, sm, driver):
        sm.add(1, "CREATING", created_ago=1.0, done_in=9.0)
        out = driver.run("CREATE", props())
        assert out.status == "SUCCESS", out.final
        assert clock.t < 120.0, f"with skew {skew} the create took {clock.t:.0f} s"
