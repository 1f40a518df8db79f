"""Callback contexts the handler does not validate: period 0 makes the busy path a hot loop
(CreateImageVersion + ListImageVersions back to back for the whole free window, every
invocation); a negative period gives a negative sleep (time.sleep raises ValueError)."""

import contextlib

import pytest

from community_sagemaker_imageversion import timing
from tests.review.fake import props, world


@pytest.mark.parametrize("period", [0, 1.0])  # 1.0 was PERIOD_RANGE's bottom: a call a second
def test_a_period_too_small_in_the_context_does_not_spin(monkeypatch, period):
    with world(monkeypatch) as (_clock, sm, driver):
        sm.add(1, "CREATING", created_ago=1.0, done_in=600.0)
        driver.max_invocations = 1
        with contextlib.suppress(RuntimeError):
            driver.run("CREATE", props(), callback_context={"period": period})
        creates = sm.count("CreateImageVersion")
        assert creates <= 5, f"{creates} CreateImageVersion calls in one invocation"


def test_busy_wait_is_never_negative():
    assert timing.busy_wait(1000.0, 990.0, -100.0, 1, draw=0.5) >= 0
